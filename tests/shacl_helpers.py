"""Helpers shared by the SHACL service and CLI tests: fixtures derived from the shapes
themselves (so they follow the shapes as the lead writes them) and report comparison."""

from __future__ import annotations

from rdflib import RDF, Graph, Namespace, URIRef

SH = Namespace("http://www.w3.org/ns/shacl#")
NKG = Namespace("https://w3id.org/narcokg/ontology#")
RDFS_LABEL = URIRef("http://www.w3.org/2000/01/rdf-schema#label")
RDFS_SUBCLASS = URIRef("http://www.w3.org/2000/01/rdf-schema#subClassOf")
EX = "http://example.org/narcokg-test/"

#: Property shapes whose minCount makes a property required, with a Violation when missing.
REQUIRED = """
PREFIX sh: <http://www.w3.org/ns/shacl#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?cls ?path WHERE {
  ?shape sh:targetClass ?target ; sh:property ?ps .
  ?cls rdfs:subClassOf* ?target .
  ?ps sh:path ?path ; sh:minCount ?n .
  FILTER(isIRI(?path) && isIRI(?cls) && ?n >= 1)
  FILTER NOT EXISTS { ?ps sh:severity ?sev FILTER(?sev != sh:Violation) }
  FILTER NOT EXISTS { ?ps sh:deactivated true }
  FILTER NOT EXISTS { ?shape sh:deactivated true }
} ORDER BY ?cls ?path
"""


def required_property(shapes: Graph, ontology: Graph) -> tuple[URIRef, URIRef]:
    """(class, property) such that a node of the class without the property is a Violation
    (a shape targets the class or, through rdfs:subClassOf, a superclass).

    nkg:State / rdfs:label when the shapes require it (the example of the issue), else the first.
    """
    both = Graph()
    for t in shapes:
        both.add(t)
    for t in ontology.triples((None, RDFS_SUBCLASS, None)):
        both.add(t)
    rows = [(r.cls, r.path) for r in both.query(REQUIRED)]
    assert rows, "no shape makes a property of a targeted class required (sh:minCount >= 1)"
    for cls, path in rows:
        if cls == NKG.State and path == RDFS_LABEL:
            return cls, path
    return rows[0]


def fail_fixture(cls: URIRef, focus: str = EX + "node1") -> str:
    """Turtle: one node of ``cls`` and nothing else (absolute IRIs: same focus over CLI and HTTP)."""
    return f"<{focus}> a <{cls}> .\n"


def pass_fixture(cls: URIRef, path: URIRef, focus: str = EX + "node1") -> str:
    return f'<{focus}> a <{cls}> ; <{path}> "test value"@en, <{EX}value1> .\n'


def results(report: Graph) -> set[tuple[str, str | None, str, str]]:
    """(focus, path, severity, constraint component) of every result: what a verdict is made of."""
    out = set()
    for r in report.subjects(RDF.type, SH.ValidationResult):
        path = report.value(r, SH.resultPath)
        out.add(
            (
                str(report.value(r, SH.focusNode)),
                str(path) if isinstance(path, URIRef) else None,
                str(report.value(r, SH.resultSeverity)).rsplit("#", 1)[-1],
                str(report.value(r, SH.sourceConstraintComponent)).rsplit("#", 1)[-1],
            )
        )
    return out


def violations(report: Graph) -> set[tuple[str, str | None, str, str]]:
    return {r for r in results(report) if r[2] == "Violation"}
