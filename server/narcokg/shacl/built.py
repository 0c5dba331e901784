"""The knowledge graph's own report for GET /shacl, made in the validation process: rdflib and
pySHACL live there, never in the web process, which sends the report's quads and gets back plain
data (``results.BuiltReport``): the results, the shapes' names, the focus nodes' labels and the
report serialized in each RDF format, exactly as the web process made them before."""

from __future__ import annotations

from dataclasses import replace

from rdflib import Graph

from narcokg.config import Settings
from narcokg.shacl import report as report_view
from narcokg.shacl import validate
from narcokg.shacl.files import rdflib_term
from narcokg.shacl.results import BuiltReport

#: Languages the report pages name shapes in.
LANGUAGES = ("en", "id")


def _graph(quads) -> Graph:
    graph = Graph()
    for q in quads:
        graph.add((rdflib_term(q.subject), rdflib_term(q.predicate), rdflib_term(q.object)))
    return graph


def summarise(report_quads, shapes_quads, label_quads, settings: Settings, formats: tuple[str, ...]) -> BuiltReport:
    """The report of ``report_quads`` (IRIs as served) as plain data; ``shapes_quads`` name its
    shapes, ``label_quads`` (rdfs:label statements) its focus nodes; ``formats`` are the rdflib
    serializers to serialize it with."""
    graph = _graph(report_quads)
    results = validate.results_of(graph)
    shapes = _graph(shapes_quads)
    sources = {r.source_shape for r in results}
    # The report's IRIs are the engine's, under the served base (a client's report keeps the
    # canonical IRIs of the shapes it was checked against).
    served = replace(settings, base=settings.served_base)
    names = {lang: report_view.shape_names(shapes, graph, sources, served, lang=lang) for lang in LANGUAGES}
    labels = report_view.english_labels(
        _graph(label_quads), {r.focus for r in results} | {r.value for r in results if r.value and "://" in r.value}
    )
    serialized = {}
    for fmt in formats:
        out = report_view.rebase(graph, served)
        report_view.bind_prefixes(out, served)
        serialized[fmt] = out.serialize(format=fmt, encoding="utf-8")
    return BuiltReport(
        conforms=not any(r.severity == "Violation" for r in results),
        results=results,
        names=names,
        focus_labels=labels,
        serialized=serialized,
    )
