"""SHACL as a service: the knowledge graph's report (GET /shacl) and validate-your-data
(POST /shacl/validate).

GET /shacl serves the report the build computed (graph ``graph/validation`` of the served
snapshot, else ``dist/shacl-report.ttl``); nothing is validated per request. POST
/shacl/validate validates a client's data against the project's shapes only, in a killable
child process (``validation_runner``), through the same function as ``narcokg validate``.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import PurePosixPath

import pyoxigraph as ox
from flask import Blueprint, Response, abort, current_app, render_template, request
from rdflib import RDFS, Graph, URIRef
from werkzeug.exceptions import ServiceUnavailable

from narcokg.html import report as report_view

from narcokg.shacl import upload as safeparse

from narcokg import snapshot

from narcokg.shacl import validate

from narcokg.shacl import runner as validation_runner
from narcokg.config import Settings
from narcokg.iris import IriMap
from narcokg.shacl.files import rdflib_term
from narcokg.shacl.service import FORMATS_BY_MEDIA_TYPE, FORMATS_BY_SUFFIX

blueprint = Blueprint("shacl", __name__)

#: Media type of an answer → rdflib serializer.
RDF_MEDIA = {
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
}
HTML = "text/html"

#: ``?format=`` values → media type (overrides Accept, for links and browsers).
FORMAT_PARAM = {
    "ttl": "text/turtle", "turtle": "text/turtle",
    "jsonld": "application/ld+json", "json-ld": "application/ld+json", "json": "application/ld+json",
    "nt": "application/n-triples", "ntriples": "application/n-triples",
    "rdf": "application/rdf+xml", "xml": "application/rdf+xml", "rdfxml": "application/rdf+xml",
    "html": HTML,
}

#: Values of the form field ``syntax`` → rdflib parser ("auto": by file name, then by content).
SYNTAXES = {
    "turtle": "turtle", "ttl": "turtle", "nt": "nt", "ntriples": "nt", "n-triples": "nt",
    "json-ld": "json-ld", "jsonld": "json-ld", "rdfxml": "xml", "rdf/xml": "xml", "xml": "xml",
}
FORMAT_NAMES = {"turtle": "Turtle", "nt": "N-Triples", "json-ld": "JSON-LD", "xml": "RDF/XML"}

#: Request parameters or form fields that would carry client shapes: refused, never used.
SHAPE_FIELDS = ("shapes", "shapesGraph", "shapes_graph", "shacl")

#: Room for multipart boundaries and the small fields around the data.
FORM_OVERHEAD = 64 * 1024

#: Most results listed on the HTML page of a client's report (the RDF answer has them all).
MAX_HTML_RESULTS = 2000


def _settings() -> Settings:
    return current_app.config["NARCOKG"]


# Content negotiation ------------------------------------------------------------------

def negotiate(offers: list[str]) -> str:
    """The media type to answer in: ``?format=`` first, then Accept (q-values), else ``offers[0]``."""
    fmt = request.args.get("format")
    if fmt is not None:
        media = FORMAT_PARAM.get(fmt.strip().lower())
        if media is None or media not in offers:
            abort(400, description=f"unknown format {fmt!r}: use one of "
                  + ", ".join(sorted(k for k, v in FORMAT_PARAM.items() if v in offers)))
        return media
    if not request.headers.get("Accept", "").strip():
        return offers[0]
    best = request.accept_mimetypes.best_match(offers)
    if best is None:
        abort(406, description="cannot answer in any type the Accept header allows; available: " + ", ".join(offers))
    return best


def _alternates(path: str) -> str:
    kinds = [("ttl", "text/turtle"), ("jsonld", "application/ld+json"), ("nt", "application/n-triples"),
             ("html", HTML)]
    return ", ".join(f'<{path}?format={k}>; rel="alternate"; type="{t}"' for k, t in kinds)


# The build's report -------------------------------------------------------------------

@dataclass
class BuiltReport:
    """The knowledge graph's report, read once per process and kept."""

    graph: Graph
    rows: list[report_view.Row]
    summary: report_view.Summary
    conforms: bool
    serialized: dict[str, bytes] = field(default_factory=dict)


_report_lock = threading.Lock()



def _graph_from_store(slug: str, settings: Settings) -> Graph:
    graph = Graph()
    store = current_app.extensions.get("narcokg.engine")
    if store is None:
        return graph
    for q in store.quads(None, None, None, ox.NamedNode(settings.base + "graph/" + slug)):
        graph.add((rdflib_term(q.subject), rdflib_term(q.predicate), rdflib_term(q.object)))
    return graph


def _labels_from_store(nodes: set[str]) -> dict[str, str]:
    store = current_app.extensions.get("narcokg.engine")
    graph = Graph()
    if store is not None:
        for text in nodes:
            if text.startswith(("http://", "https://")):
                for q in store.quads(ox.NamedNode(text), ox.NamedNode(str(RDFS.label)), None, None):
                    graph.add((URIRef(text), RDFS.label, rdflib_term(q.object)))
    return report_view.english_labels(graph, nodes)


def built_report() -> BuiltReport:
    cached = current_app.extensions.get("narcokg.shacl_report")
    if cached is not None:
        return cached
    with _report_lock:
        cached = current_app.extensions.get("narcokg.shacl_report")
        if cached is None:
            cached = current_app.extensions["narcokg.shacl_report"] = _load_built_report(_settings())
    return cached


def _load_built_report(settings: Settings) -> BuiltReport:
    graph = _graph_from_store("validation", settings)
    if len(graph) == 0 and not settings.dump and (settings.dist / snapshot.REPORT).exists():
        graph.parse(settings.dist / snapshot.REPORT, format="turtle")
    if len(graph) == 0:
        abort(404, description="this snapshot holds no validation report (graph/validation is empty)")
    results = validate.results_of(graph)
    shapes = _graph_from_store("shapes", settings)
    names = report_view.shape_names(shapes, graph, {r.source_shape for r in results}, settings)
    rows = report_view.rows(results, names, settings, _labels_from_store({r.focus for r in results}))
    return BuiltReport(
        graph=graph,
        rows=rows,
        summary=report_view.summarize(rows),
        conforms=not any(r.severity == "Violation" for r in results),
    )


def _serialize(report: BuiltReport, media: str, settings: Settings) -> bytes:
    data = report.serialized.get(media)
    if data is None:
        out = report_view.rebase(report.graph, settings)
        report_view.bind_prefixes(out, settings)
        data = report.serialized[media] = out.serialize(format=RDF_MEDIA[media], encoding="utf-8")
    return data


def _severity_filter(raw: str | None) -> str | None:
    if raw is None or raw.strip() == "":
        return None
    for s in report_view.SEVERITIES:
        if raw.strip().lower() in (s.lower(), "sh:" + s.lower()):
            return s
    abort(400, description=f"unknown severity {raw!r}: use Violation, Warning or Info")


@blueprint.get("/shacl")
def report_page():
    """The knowledge graph's validation report: HTML (filterable) or RDF by conneg."""
    settings = _settings()
    media = negotiate([HTML, "text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml"])
    report = built_report()
    headers = {"Vary": "Accept", "Link": _alternates("/shacl")}
    if media != HTML:
        return Response(_serialize(report, media, settings), mimetype=media, headers=headers)

    severity = _severity_filter(request.args.get("severity"))
    shape = (request.args.get("shape") or "").strip() or None
    if shape:
        shape = IriMap(settings).to_public(shape)  # the canonical IRI works under a public base too
    selected = [
        r for r in report.rows
        if (severity is None or r.severity == severity)
        and (shape is None or shape in (r.shape, r.shape_label))
    ]
    html = render_template(
        "shacl_report.html",
        report=report,
        summary=report.summary,
        groups=report_view.group(selected),
        selected=len(selected),
        severity=severity,
        shape=shape,
        severities=report_view.SEVERITIES,
    )
    return Response(html, mimetype=HTML, headers=headers)


# Validate-your-data ------------------------------------------------------------------

@dataclass
class Upload:
    data: bytes
    fmt: str
    name: str


def _read_bounded(stream, limit: int) -> bytes:
    """At most ``limit`` bytes from ``stream``; 413 if there are more."""
    chunks, size = [], 0
    while True:
        chunk = stream.read(min(64 * 1024, limit + 1 - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            abort(413, description=f"data larger than the limit of {limit} bytes")
    return b"".join(chunks)


def _too_large(limit: int):
    abort(413, description=f"data larger than the limit of {limit} bytes")


def _refuse_shapes(names) -> None:
    for key in SHAPE_FIELDS:
        if key in names:
            abort(400, description=f"client-supplied shapes ({key!r}) are not accepted: data is validated "
                  "against the narcokg shapes only")


def _sniff(text: bytes) -> str:
    head = text.lstrip()[:200]
    if head[:1] in (b"{", b"["):
        return "json-ld"
    if head.startswith(b"<?xml") or head.startswith(b"<rdf:RDF"):
        return "xml"
    return "turtle"  # N-Triples is Turtle too


def _syntax(form) -> str | None:
    raw = (form.get("syntax") or "auto").strip().lower()
    if raw == "auto":
        return None
    if raw not in SYNTAXES:
        abort(400, description=f"unknown syntax {raw!r}: use auto, turtle, nt, json-ld or rdfxml")
    return SYNTAXES[raw]


def _from_form(settings: Settings, with_files: bool) -> Upload:
    limit = settings.max_validate_bytes
    request.max_content_length = limit + FORM_OVERHEAD
    request.max_form_memory_size = limit
    form = request.form
    files = request.files if with_files else {}
    _refuse_shapes(set(form) | set(files))
    syntax = _syntax(form)
    upload = files.get("file")
    text = form.get("data", "")
    has_file = upload is not None and bool(upload.filename)
    if has_file and text.strip():
        abort(400, description="give either a file (field 'file') or pasted data (field 'data'), not both")
    if has_file:
        data = _read_bounded(upload.stream, limit)
        name = PurePosixPath(upload.filename.replace("\\", "/")).name[:100] or "upload"
        fmt = syntax or _format_of_file(name, upload.mimetype)
    elif text.strip():
        data = text.encode("utf-8")
        if len(data) > limit:
            _too_large(limit)
        name = "pasted data"
        fmt = syntax or _sniff(data)
    else:
        abort(400, description="no data: upload a file (field 'file') or paste RDF (field 'data')")
    if not data.strip():
        abort(400, description=f"{name} is empty: nothing to validate")
    return Upload(data, fmt, name)


def _format_of_file(name: str, mimetype: str | None) -> str:
    suffix = PurePosixPath(name).suffix.lower()
    fmt = FORMATS_BY_SUFFIX.get(suffix)
    if fmt in safeparse.FORMATS:
        return fmt
    fmt = FORMATS_BY_MEDIA_TYPE.get((mimetype or "").lower())
    if fmt in safeparse.FORMATS and mimetype not in ("text/plain", "application/octet-stream"):
        return fmt
    abort(415, description=f"cannot tell the format of {name!r}: name it .ttl, .nt, .jsonld or .rdf, "
          "or choose the syntax in field 'syntax'")


def read_upload(settings: Settings) -> Upload:
    """The data to validate, from a raw body (by Content-Type) or a form; aborts 400/413/415."""
    limit = settings.max_validate_bytes
    mime = request.mimetype
    is_form = mime in ("multipart/form-data", "application/x-www-form-urlencoded")
    length = request.content_length
    if length is not None and length > limit + (FORM_OVERHEAD if is_form else 0):
        _too_large(limit)
    if is_form:
        return _from_form(settings, with_files=mime == "multipart/form-data")
    if not mime:
        abort(415, description="no Content-Type: send text/turtle, application/n-triples, "
              "application/ld+json or application/rdf+xml")
    fmt = FORMATS_BY_MEDIA_TYPE.get(mime)
    if fmt not in safeparse.FORMATS:
        abort(415, description=f"cannot validate {mime!r}: send text/turtle, application/n-triples, "
              "application/ld+json, application/rdf+xml, or a form (multipart/form-data)")
    request.max_content_length = limit
    data = _read_bounded(request.stream, limit)
    if not data.strip():
        abort(400, description="the request body is empty: send the RDF data to validate")
    return Upload(data, fmt, "request body")


@blueprint.get("/shacl/validate")
def validate_form():
    """The upload form and the documentation of the service."""
    return render_template("shacl_validate.html", outcome=None, settings=_settings(), formats=FORMAT_NAMES)


@blueprint.post("/shacl/validate")
def validate_data():
    """Validate the client's data against the project's shapes; 200 whether it conforms or not."""
    settings = _settings()
    _refuse_shapes(set(request.args))
    is_form = request.mimetype in ("multipart/form-data", "application/x-www-form-urlencoded")
    rdf_offers = ["text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml"]
    media = negotiate([HTML, *rdf_offers] if is_form else [*rdf_offers, HTML])
    upload = read_upload(settings)
    try:
        outcome = validation_runner.run(upload.data, upload.fmt, settings, RDF_MEDIA.get(media))
    except validation_runner.Unparseable as exc:
        abort(400, description=f"{upload.name} does not parse as {FORMAT_NAMES[upload.fmt]}: {exc}")
    except validation_runner.Unvalidatable as exc:
        abort(422, description=f"{upload.name}: {exc}")
    except validation_runner.Overloaded as exc:
        raise ServiceUnavailable(description=str(exc), retry_after=exc.retry_after) from None
    headers = {"Vary": "Accept", "X-SHACL-Conforms": "true" if outcome.conforms else "false"}
    if media != HTML:
        return Response(outcome.rdf, mimetype=media, headers=headers)
    rows = report_view.rows(outcome.results, outcome.shape_names, settings, outcome.labels)
    html = render_template(
        "shacl_validate.html",
        outcome=outcome,
        upload=upload,
        format_name=FORMAT_NAMES[upload.fmt],
        summary=report_view.summarize(rows),
        groups=report_view.group(rows[:MAX_HTML_RESULTS]),
        truncated=max(0, len(rows) - MAX_HTML_RESULTS),
        settings=settings,
        formats=FORMAT_NAMES,
    )
    return Response(html, mimetype=HTML, headers=headers)
