"""SHACL validation: one code path for the build, `narcokg validate` and POST /shacl/validate.

Only the project's own shapes are ever used; the ontology is given to pySHACL so that
rdfs:subClassOf lets a shape targeting a superclass see instances of its subclasses.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyshacl
from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.plugins.sparql import prepareQuery

from narcokg.shacl.results import Result

SH = Namespace("http://www.w3.org/ns/shacl#")

__all__ = ["Report", "Result", "SH", "is_conformant_literal", "results_of", "run"]


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


def run(data: Graph, shapes: Graph, ontology: Graph | None = None, inference: str = "rdfs") -> Report:
    """Validate ``data`` against ``shapes``; ``inference`` is pySHACL's (``none`` when data is already closed).

    pySHACL works on a PreparedQueries graph owned by this call (the caller's, when it already
    is one, as the build's throwaway union is; else a copy), in place: the ontology and inferred
    triples go into that graph, never into the caller's, and the parsed queries are kept.
    """
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
    )
    results = results_of(report_graph)
    # "conforms" in our sense: no violation (warnings report source conflicts, by design).
    return Report(conforms=not any(r.severity == "Violation" for r in results), graph=report_graph, results=results)


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
