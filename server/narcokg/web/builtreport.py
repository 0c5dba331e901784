"""The build's SHACL report as GET /shacl serves it: read from the served snapshot (graph
``graph/validation``, else ``dist/shacl-report.ttl``), summarised once per process in a validation
child (this process never loads rdflib) and kept, with its rows made once per language."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import pyoxigraph as ox
from flask import abort, current_app
from werkzeug.exceptions import ServiceUnavailable

from narcokg import snapshot
from narcokg import vocab as px
from narcokg.config import Settings
from narcokg.formats import registry
from narcokg.html import report as report_view
from narcokg.iris import IriMap
from narcokg.shacl import runner as validation_runner
from narcokg.shacl.results import BuiltReport


@dataclass
class KnowledgeGraphReport:
    """The knowledge graph's report, summarised once per process and kept; its rows are made per
    language (shape names are the shapes' labels in the page's language)."""

    data: BuiltReport
    _rows: dict[str, list[report_view.Row]] = field(default_factory=dict)

    @property
    def conforms(self) -> bool:
        return self.data.conforms

    def rows(self, lang: str, settings: Settings) -> list[report_view.Row]:
        if lang not in self._rows:
            names = self.data.names.get(lang) or self.data.names["en"]
            self._rows[lang] = report_view.rows(self.data.results, names, settings, self.data.focus_labels)
        return self._rows[lang]


_report_lock = threading.Lock()


def _graph_quads(slug: str, settings: Settings) -> list[ox.Quad]:
    store = current_app.extensions.get("narcokg.engine")
    if store is None:
        return []
    return list(store.quads(None, None, None, ox.NamedNode(settings.served_base + "graph/" + slug)))


def _report_quads(settings: Settings) -> list[ox.Quad]:
    """The report's statements as served: the snapshot's graph, else the build's file."""
    quads = _graph_quads("validation", settings)
    path = settings.dist / snapshot.REPORT
    if quads or settings.dump or not path.exists():
        return quads
    # The build's file keeps the canonical IRIs: moved to the served base like the engine's data.
    to_public = IriMap(settings).to_public

    def served(term):
        return ox.NamedNode(to_public(term.value)) if isinstance(term, ox.NamedNode) else term

    return [
        ox.Quad(served(q.subject), served(q.predicate), served(q.object))
        for q in ox.parse(path=str(path), format=registry.TURTLE.rdf_format)
    ]


def _label_quads(report_quads: list[ox.Quad]) -> list[ox.Quad]:
    """The rdfs:label statements about the report's focus nodes and IRI values, from any graph of
    the engine."""
    store = current_app.extensions.get("narcokg.engine")
    focus = {q.object for q in report_quads if q.predicate.value in (px.SH.focusNode, px.SH.value)}
    label = ox.NamedNode(px.RDFS.label)
    if store is None:
        return []
    return [
        q
        for node in focus
        if isinstance(node, ox.NamedNode) and node.value.startswith(("http://", "https://"))
        for q in store.quads(node, label, None, None)
    ]


def built_report(settings: Settings, media: tuple[str, ...]) -> KnowledgeGraphReport:
    """The served snapshot's report, summarised in a validation child on first use and kept."""
    cached = current_app.extensions.get("narcokg.shacl_report")
    if cached is not None:
        return cached
    with _report_lock:
        cached = current_app.extensions.get("narcokg.shacl_report")
        if cached is None:
            cached = current_app.extensions["narcokg.shacl_report"] = _load_built_report(settings, media)
    return cached


def _load_built_report(settings: Settings, media: tuple[str, ...]) -> KnowledgeGraphReport:
    quads = _report_quads(settings)
    if not quads:
        abort(404, description="this snapshot holds no validation report (graph/validation is empty)")
    try:
        data = validation_runner.built_report(
            quads, _graph_quads("shapes", settings), _label_quads(quads), settings, media
        )
    except validation_runner.Overloaded as exc:
        raise ServiceUnavailable(description=str(exc), retry_after=exc.retry_after) from None
    return KnowledgeGraphReport(data)
