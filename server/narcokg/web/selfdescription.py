"""What the endpoint says about itself: the SPARQL Service Description (``GET /sparql`` without a
query) and the VoID description (``/void``, ``/.well-known/void``). Both are fixed while a
snapshot is served: strong ETags, 304 on revalidation."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, redirect, request

from narcokg import errors, snapshot
from narcokg.config import Settings
from narcokg.engine import service as servicedescription
from narcokg.engine import voidcount as voidserve
from narcokg.engine.void import SD, VOID, serialize
from narcokg.formats import sparql as sparqlformats
from narcokg.iris import IriMap
from narcokg.web.context import prefers_html
from narcokg.web.errors import respond

blueprint = Blueprint("selfdescription", __name__)

SD_FORMATS = ["turtle", "jsonld", "ntriples", "rdfxml"]


def _graph_sizes(settings: Settings) -> tuple[list[tuple[str, int | None]], int | None]:
    """Each served named graph with its triple count, and the union's, read from the build's
    VoID description: the Service Description never counts anything itself. A server of a dump
    gives the names only; its counts are at /void (the same dataset IRI), where they are
    computed under the query limits."""
    if not settings.dump:
        try:
            void_graph = _void_graph(settings)[0]
        except voidserve.Unavailable:  # a build without void.ttl: names only
            void_graph = None
        if void_graph is not None:
            return _sizes(void_graph, settings.served_base + "void#narcokg")
    return sorted((g, None) for g in current_app.extensions["narcokg.engine"].graphs()), None


def _sizes(triples: list[ox.Triple], dataset: str) -> tuple[list[tuple[str, int]], int | None]:
    """(graph name, triple count) of each subset of ``dataset`` in a VoID description, and its total."""
    value = {(t.subject, t.predicate.value): t.object for t in triples}
    subject = ox.NamedNode(dataset)
    parts = [t.object for t in triples if t.subject == subject and t.predicate.value == VOID.subset]
    sizes = {value[part, SD.name].value: int(value[part, VOID.triples].value) for part in parts}
    total = value.get((subject, VOID.triples))
    return sorted(sizes.items()), int(total.value) if total is not None else None


def _rdf_answer(graph_bytes: bytes, fmt: sparqlformats.Format) -> Response:
    """The Service Description or VoID: fixed while a snapshot is served, so a strong ETag of the
    bytes and 304 on revalidation."""
    resp = Response(graph_bytes, content_type=fmt.content_type)
    resp.headers["Vary"] = "Accept"
    resp.set_etag(hashlib.sha256(graph_bytes).hexdigest()[:32])
    resp.headers["Cache-Control"] = "public, max-age=300"
    return resp.make_conditional(request)


def _rdf_format(names: list[str]) -> sparqlformats.Format:
    formats = [sparqlformats.BY_NAME[n] for n in names]
    fmt_param = request.args.get("format")
    if fmt_param:
        try:
            fmt = sparqlformats.by_param(fmt_param, "graph")
        except sparqlformats.UnknownFormat as exc:
            raise errors.RequestError(str(exc)) from None
        except sparqlformats.NotAcceptable as exc:
            raise errors.NotAcceptable(str(exc)) from None
        if fmt in formats:
            return fmt
        raise errors.NotAcceptable(
            f"format {fmt.name} is not offered here; offered: {', '.join(f.media_type for f in formats)}"
        )
    try:
        return sparqlformats.by_accept(request.accept_mimetypes, "graph", formats)
    except sparqlformats.NotAcceptable as exc:
        raise errors.NotAcceptable(f"{exc}; offered: {', '.join(exc.offered)}") from None


def endpoint_iri(settings: Settings) -> str:
    """The endpoint's IRI: under the public base when one is configured, else the canonical one."""
    return settings.served_base + "sparql"


def service_description(settings: Settings) -> Response:
    if prefers_html():
        return redirect("/", 303)
    fmt = _rdf_format(SD_FORMATS)
    # Never the request's Host header: a client could make the description name any server.
    endpoint = endpoint_iri(settings)
    cache = current_app.extensions.setdefault("narcokg.sd_cache", {})
    graphs, total = _graph_sizes(settings)
    key = (endpoint, fmt.name)
    if key not in cache:
        graph = servicedescription.describe(settings, endpoint, graphs, total)
        if len(cache) > 64:
            cache.clear()
        cache[key] = serialize(graph, fmt)
    return _rdf_answer(cache[key], fmt)


def _void_graph(settings: Settings):
    cached = current_app.extensions.get("narcokg.engine.void")
    if cached is not None:
        return cached
    path = Path(settings.dist) / snapshot.VOID_FILE
    try:
        # Under --dump a build's void.ttl (if any) describes that build, not the data served.
        text = None if settings.dump else path.read_bytes()
    except OSError:
        text = None
    if text is None:
        return voidserve.description(settings)  # counted from the served data, once
    iris = IriMap(settings)
    if iris.rewrites:
        text = text.replace(settings.base.encode(), settings.public_base.encode())
    graph = list(ox.parse(text, format=ox.RdfFormat.TURTLE))
    current_app.extensions["narcokg.engine.void"] = (graph, text)
    return graph, text


@blueprint.route("/void")
@blueprint.route("/.well-known/void")
def void():
    settings = current_app.config["NARCOKG"]
    try:
        fmt = _rdf_format(SD_FORMATS)
    except errors.NarcokgError as exc:
        return respond(exc)
    try:
        graph, turtle_bytes = _void_graph(settings)
    except voidserve.Unavailable as exc:
        return respond(exc)
    body = turtle_bytes if fmt.name == "turtle" else serialize(graph, fmt)
    return _rdf_answer(body, fmt)
