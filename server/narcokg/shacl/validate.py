"""SHACL validation: one code path for the build, `narcokg validate` and POST /shacl/validate.

Only the project's own shapes are ever used; the ontology is given to pySHACL so that
rdfs:subClassOf lets a shape targeting a superclass see instances of its subclasses.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyshacl
from pyshacl.shapes_graph import ShapesGraph
from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.plugins.sparql import prepareQuery

from narcokg.shacl import hotspots
from narcokg.shacl.results import Result

SH = Namespace("http://www.w3.org/ns/shacl#")

__all__ = ["Report", "Result", "SH", "is_conformant_literal", "merge", "results_of", "run", "split_shapes"]


@dataclass
class Report:
    conforms: bool
    graph: Graph
    results: list[Result] = field(default_factory=list)

    def count(self, severity: str) -> int:
        return sum(1 for r in self.results if r.severity == severity)

    @property
    def violations(self) -> int:
        return self.count("Violation")

    @property
    def warnings(self) -> int:
        return self.count("Warning")

    def summary(self) -> str:
        return (
            f"conforms={'yes' if self.violations == 0 else 'no'}: "
            f"{self.violations} violation(s), {self.warnings} warning(s), {self.count('Info')} info"
        )


class PreparedQueries(Graph):
    """A data graph that parses each SPARQL text once.

    pySHACL runs a SPARQL-based constraint once per focus node and hands rdflib the same text
    every time; rdflib parses it anew on each call (40–190 ms for our shapes' queries, against
    well under 1 ms to evaluate one), which made parsing most of the build's validation time.
    The parsed query is keyed by its text, so the answer is the one rdflib would give.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._parsed: dict[tuple, object] = {}

    def query(self, query_object, processor="sparql", result="sparql", initNs=None, initBindings=None, *args, **kwargs):  # noqa: N803 (rdflib's names)
        if isinstance(query_object, str) and processor == "sparql" and not kwargs.get("base"):
            key = (query_object, tuple(sorted((initNs or {}).items())))
            parsed = self._parsed.get(key)
            if parsed is None:
                # As Graph.query does for a text: the graph's prefixes unless the caller gives some.
                parsed = self._parsed[key] = prepareQuery(query_object, initNs=initNs or dict(self.namespaces()))
            query_object = parsed
        return super().query(query_object, processor, result, initNs, initBindings, *args, **kwargs)


def run(
    data: Graph,
    shapes: Graph,
    ontology: Graph | None = None,
    inference: str = "rdfs",
    use_shapes: list[str] | None = None,
) -> Report:
    """Validate ``data`` against ``shapes`` (only the shapes named in ``use_shapes``, if given);
    ``inference`` is pySHACL's (``none`` when data is already closed).

    pySHACL works on a PreparedQueries graph owned by this call (the caller's, when it already
    is one, as the build's throwaway union is; else a copy), in place: the ontology and inferred
    triples go into that graph, never into the caller's, and the parsed queries are kept.
    """
    hotspots.install()
    target = data if isinstance(data, PreparedQueries) else PreparedQueries()
    if target is not data:
        for triple in data:
            target.add(triple)
    conforms, report_graph, _ = pyshacl.validate(
        target,
        shacl_graph=shapes,
        ont_graph=ontology,
        inference=inference,
        advanced=True,
        abort_on_first=False,
        allow_warnings=True,
        meta_shacl=False,
        iterate_rules=False,
        inplace=True,
        use_shapes=use_shapes,
    )
    return _report(report_graph)


def _report(report_graph: Graph) -> Report:
    results = results_of(report_graph)
    # "conforms" in our sense: no violation (warnings report source conflicts, by design).
    return Report(conforms=not any(r.severity == "Violation" for r in results), graph=report_graph, results=results)


_TARGETS = ("targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf", "target")


def split_shapes(shapes: Graph) -> tuple[list[str], list[str]] | None:
    """Two lists of shapes for two runs (``use_shapes``) whose reports together are the report
    of one run over all of ``shapes``; None when no such split is known to be safe.

    Each run is given half of the shapes that have targets and every shape that has none: the
    latter validate nothing on their own, but pySHACL finds a shape referenced by another (in
    sh:or, sh:node, …) only among the shapes it was given. So the split holds only when no
    shape with targets is referenced by another, and when every shape has an IRI."""
    found = ShapesGraph(shapes).shapes
    if any(not isinstance(s.node, URIRef) for s in found):
        return None
    names = sorted(str(s.node) for s in found)
    targeted = sorted({str(x) for name in _TARGETS for x in shapes.subjects(SH[name], None)})
    if len(targeted) < 2 or any(isinstance(o, URIRef) and str(o) in targeted for o in shapes.objects()):
        return None
    if any((URIRef(n), RDF.type, SH.NodeShape) in shapes and _is_class(shapes, URIRef(n)) for n in names):
        return None  # an implicit class target: keep it simple, one run
    rest = [n for n in names if n not in set(targeted)]
    return targeted[0::2] + rest, targeted[1::2] + rest


def _is_class(graph: Graph, node: URIRef) -> bool:
    return any(
        (node, RDF.type, URIRef(c)) in graph
        for c in ("http://www.w3.org/2000/01/rdf-schema#Class", "http://www.w3.org/2002/07/owl#Class")
    )


def merge(first: Report, second: Report) -> Report:
    """One report of two runs over disjoint sets of shapes: the results of both under the first
    report's node, which conforms when both do."""
    graph = Graph()
    for t in first.graph:
        graph.add(t)
    for t in second.graph:
        graph.add(t)
    (node,) = set(first.graph.subjects(RDF.type, SH.ValidationReport))
    (other,) = set(second.graph.subjects(RDF.type, SH.ValidationReport))
    for result in second.graph.objects(other, SH.result):
        graph.add((node, SH.result, result))
    graph.remove((other, None, None))
    conforms = all(bool(r.graph.value(n, SH.conforms).toPython()) for r, n in ((first, node), (second, other)))
    graph.set((node, SH.conforms, Literal(conforms)))
    return _report(graph)


def _local(term) -> str:
    s = str(term)
    return s.rsplit("#", 1)[-1] if "#" in s else s


def _path_text(graph: Graph, path) -> str | None:
    if path is None:
        return None
    if isinstance(path, URIRef):
        return str(path)
    # Complex path (blank node): give its Turtle-ish shape so it still compares.
    parts = sorted(f"{_local(p)}={o}" for p, o in graph.predicate_objects(path))
    return "[" + ", ".join(parts) + "]"


def results_of(report: Graph) -> list[Result]:
    """The results of a SHACL report graph, sorted for stable display and comparison."""
    out = []
    for r in report.subjects(RDF.type, SH.ValidationResult):
        msgs = sorted(str(m) for m in report.objects(r, SH.resultMessage))
        value = report.value(r, SH.value)
        out.append(
            Result(
                focus=str(report.value(r, SH.focusNode)),
                path=_path_text(report, report.value(r, SH.resultPath)),
                severity=_local(report.value(r, SH.resultSeverity)),
                source_shape=str(report.value(r, SH.sourceShape)),
                message=msgs[0] if msgs else "",
                value=None if value is None else str(value),
                constraint=_local(report.value(r, SH.sourceConstraintComponent)),
            )
        )
    return sorted(out, key=lambda r: (r.severity != "Violation", r.source_shape, r.focus, r.path or "", r.message))


def is_conformant_literal(report: Graph) -> bool:
    for c in report.objects(None, SH.conforms):
        if isinstance(c, Literal):
            return bool(c.toPython())
    return True
