"""Dereferenceable IRIs (Cool URIs with 303), entity pages, RDF documents, ontology and shapes.

  GET /id/{path}            303 → /page/{path} (HTML) or /data/{path}.{ext} (RDF), by Accept
  GET /.well-known/genid/…  the same for skolemized blank nodes
  GET /page/{path}          the entity page
  GET /data/{path}[.ext]    the resource's RDF (symmetric CBD); without extension, by Accept
  GET /ontology[.ext]       ontology documentation (HTML) or the ontology graph (RDF), by Accept
  GET /shapes[.ext]         the same for the SHACL shapes
  GET /graph/{slug}         303 → what describes that named graph

Everything is read from the in-process store (never from files named by the request), every
answer names its alternates in ``Link`` headers and says ``Vary: Accept`` unless its URI names its
format.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pyoxigraph as ox
from flask import Blueprint, Response, g, redirect, request
from markupsafe import Markup

from narcokg import vocab as px
from narcokg.engine import resource as describe
from narcokg.formats.conneg import FORMATS, GRAPH_FORMATS, HTML, alternates, negotiate
from narcokg.html.entity import EntityBuilder
from narcokg.html.entityhtml import EntityHtml
from narcokg.html.labels import explicit_lang, t
from narcokg.html.valuehtml import ValueHtml
from narcokg.iris import GENID, valid_path
from narcokg.html.ontodoc import ClassData, GraphIndex, ontology_doc, shapes_doc
from narcokg.html import queries
from narcokg.web.cite import served_release
from narcokg.web.context import (
    app_cache,
    cached_response,
    chrome_page,
    ctx,
    error,
    linker,
    render_page,
    snapshot_memo,
    with_lang,
)
from narcokg.engine.lookup import quads

blueprint = Blueprint("linkeddata", __name__)

RESOURCE_FORMATS = {HTML} | set(FORMATS)
DOC_FORMATS = {HTML} | set(GRAPH_FORMATS)


@blueprint.after_request
def _vary(resp: Response) -> Response:
    # A document whose format its URI names (/data/x.ttl) is the same whatever the Accept: saying
    # so (no Vary: Accept) lets a shared cache keep it (haproxy's stores nothing varying on Accept).
    if not (g.get("format_in_uri") and resp.status_code in (200, 304)):
        resp.vary.add("Accept")
    return resp


def _accept_unless_in_uri() -> tuple[str, ...]:
    return () if g.get("format_in_uri") else ("Accept",)


# Helpers ---------------------------------------------------------------------------
def _resource_links(path: str) -> list[str]:
    iris = ctx().iris
    out = []
    for key, media in alternates(RESOURCE_FORMATS):
        target = iris.url("page/" + path) if key == HTML else iris.url(f"data/{path}.{key}")
        out.append(f'<{target}>; rel="alternate"; type="{media}"')
    return out


def _doc_links(name: str) -> list[str]:
    iris = ctx().iris
    return [
        f'<{iris.url(name if key == HTML else f"{name}.{key}")}>; rel="alternate"; type="{media}"'
        for key, media in alternates(DOC_FORMATS)
    ]


def _resolve(path: str) -> tuple[str | None, Response | None]:
    """The served IRI of a resource path, or the 400/404 answer for it."""
    if not valid_path(path):
        return None, error(400, "malformed resource path: use letters, digits and - _ . ~ between slashes")
    c = ctx()
    iri = c.iris.iri_of_path(path)
    if not describe.exists(c.store, iri):
        return None, error(404, f"no resource with the IRI {iri} in this knowledge graph")
    return iri, None


def _not_acceptable(links: list[str], offered: set[str]) -> Response:
    types = ", ".join(media for _, media in alternates(offered))
    return error(406, f"no acceptable representation: this resource is available as {types}", links=links)


# Dereferencing ------------------------------------------------------------------------
def _see_other(path: str) -> Response:
    iri, failure = _resolve(path)
    if failure is not None:
        return failure
    links = _resource_links(path)
    key = negotiate(request.accept_mimetypes, RESOURCE_FORMATS)
    if key is None:
        return _not_acceptable(links, RESOURCE_FORMATS)
    iris = ctx().iris
    if key == HTML:
        target = with_lang(iris.url("page/" + path))
    else:
        target = iris.url(f"data/{path}.{key}")
    resp = redirect(target, code=303)
    resp.headers["Link"] = ", ".join(links)
    resp.headers["Cache-Control"] = "public, max-age=300"
    return resp


@blueprint.get("/id/<path:path>")
def dereference(path: str):
    return _see_other(path)


@blueprint.get("/.well-known/genid/<path:rest>")
def dereference_genid(rest: str):
    return _see_other(GENID + rest)


@blueprint.get("/id/")
@blueprint.get("/page/")
@blueprint.get("/data/")
def no_path():
    return error(404, "give the path of a resource, such as /id/state/IDN")


@blueprint.get("/graph/<slug>")
def named_graph(slug: str):
    """A named graph IRI leads to what describes it: its source document, the docs or the dumps."""
    c = ctx()
    targets = {
        "ontology": "ontology",
        "shapes": "shapes",
        "validation": "shacl",
        "reference": "download",
        "inferred": "download",
    }
    if slug in targets:
        return redirect(c.iris.url(targets[slug]), code=303)
    if valid_path(slug) and describe.exists(c.store, c.base + "id/source/" + slug):
        return redirect(c.iris.url("page/source/" + slug), code=303)
    return error(404, f"no named graph {c.base + 'graph/' + slug} in this knowledge graph")


# Entity pages --------------------------------------------------------------------------
@blueprint.get("/page/<path:path>")
def page(path: str):
    iri, failure = _resolve(path)
    if failure is not None:
        return failure
    c = ctx()
    builder = EntityBuilder(
        c.store, c.base, c.iris, c.labels, c.lang, served_release(), memo=snapshot_memo("entity", c.lang)
    )
    model = builder.build(iri)
    statements = describe.embedded(
        c.store,
        iri,
        c.base,
        memo=snapshot_memo("label-plain", ""),
        read=builder.statements,
        links_in=builder.links_in(iri),
    )
    jsonld = describe.embedded_jsonld(statements, c.iris, focus=iri, memo=snapshot_memo("label-jsonld", ""))
    alternates_html = [
        (media, c.iris.url(f"data/{path}.{key}"), FORMATS[key].name) for key, media in alternates(set(FORMATS))
    ]
    fragment = c.iris.url("fragments?" + urlencode({"subject": iri}))
    link = linker()
    values = ValueHtml(
        lambda key: t(key, c.lang), link, memo=snapshot_memo("anchors", explicit_lang() or ""), lang=c.lang
    )
    view = EntityHtml(model, values, lambda key: t(key, c.lang), link, c.lang)
    return chrome_page(
        view.title(),
        view.head(alternates_html, _script_json(jsonld)),
        view.content(alternates_html, fragment, queries.query_href(c.iris.root, model.query)),
        links=_resource_links(path),
    )


def _script_json(compact: str) -> Markup:
    """Compact JSON made safe inside <script type="application/ld+json"> (no closing tag, no markup)."""
    return Markup(compact.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


# RDF documents -------------------------------------------------------------------------
@blueprint.get("/data/<path:path>")
def data(path: str):
    stem, dot, ext = path.rpartition(".")
    fmt_key = None
    if dot and ext in FORMATS and valid_path(stem) and describe.exists(ctx().store, ctx().iris.iri_of_path(stem)):
        path, fmt_key = stem, ext
        g.format_in_uri = True
    iri, failure = _resolve(path)
    if failure is not None:
        return failure
    links = _resource_links(path)
    extra = {}
    if fmt_key is None:
        fmt_key = negotiate(request.accept_mimetypes, set(FORMATS))
        if fmt_key is None:
            return _not_acceptable(links, set(FORMATS))
        extra["Content-Location"] = ctx().iris.url(f"data/{path}.{fmt_key}")
    fmt = FORMATS[fmt_key]
    c = ctx()
    info = describe.DocumentInfo(iri=c.base + "data/" + path, release=served_release(), base=c.base)
    statements = describe.document(c.store, iri, info, memo=snapshot_memo("label-quads", ""))
    body = describe.serialize(statements, fmt, c.iris, focus=iri)
    return cached_response(body, fmt.media_type, links=links, extra=extra, vary=_accept_unless_in_uri())


# Ontology and shapes ---------------------------------------------------------------------
def _graph_quads(slug: str) -> list[ox.Quad]:
    """The graph's statements in one order whatever the engine (each lists them in its own; the
    documents and the class diagram, which draws a class with two parents under the first, follow it)."""
    c = ctx()
    return sorted(quads(c.store, None, None, None, ox.NamedNode(c.base + "graph/" + slug)), key=str)


def _document(name: str, ext: str | None):
    """/ontology and /shapes: documentation for browsers, the graph itself for RDF clients."""
    c = ctx()
    links = _doc_links(name)
    extra = {}
    if ext is None:
        key = negotiate(request.accept_mimetypes, DOC_FORMATS)
        if key is None:
            return _not_acceptable(links, DOC_FORMATS)
        if key != HTML:
            extra["Content-Location"] = c.iris.url(f"{name}.{key}")
    elif ext in GRAPH_FORMATS:
        key = ext
        g.format_in_uri = True
    else:
        return error(
            404, f"no such format: /{name} is available as " + ", ".join(f"/{name}.{k}" for k in GRAPH_FORMATS)
        )
    if key != HTML:
        fmt = GRAPH_FORMATS[key]
        cache_key = ("doc-rdf", name, key)
        cache = app_cache()
        if cache_key not in cache:
            cache[cache_key] = describe.serialize(_graph_quads(name), fmt, c.iris)
        return cached_response(cache[cache_key], fmt.media_type, links=links, extra=extra, vary=_accept_unless_in_uri())
    cache = app_cache()
    index_key = ("doc-index", name)
    if index_key not in cache:
        cache[index_key] = GraphIndex(_graph_quads(name))
    index = cache[index_key]
    if name == "ontology":
        doc = ontology_doc(index, c.base + "ontology", c.iris, c.labels, c.lang, _class_data())
    else:
        doc = shapes_doc(index, c.base + "shapes", c.iris, c.labels, c.lang)
    formats = [
        (media, c.iris.url(f"{name}.{key}"), GRAPH_FORMATS[key].name) for key, media in alternates(set(GRAPH_FORMATS))
    ]
    return render_page("ontology.html", links=links, doc=doc, kind=name, alternates=formats)


_CLASS_COUNTS = (
    "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{ GRAPH ?g {{ ?s a ?c }} "
    "FILTER(isIRI(?c) && ?g NOT IN ({graphs})) }} GROUP BY ?c"
)


def _class_data() -> ClassData:
    """Instances per class (the same count as /browse) and the shapes targeting each class."""
    c = ctx()
    cache = app_cache()
    if "class-data" not in cache:
        graphs = {k: ox.NamedNode(c.base + "graph/" + k) for k in ("ontology", "shapes", "validation")}
        query = _CLASS_COUNTS.format(graphs=", ".join(str(g) for g in graphs.values()))
        counts = {r["c"].value: int(r["n"].value) for r in c.store.select(query)}
        shapes: dict[str, list[str]] = {}
        for q in quads(c.store, None, ox.NamedNode(px.SH.targetClass), None, graphs["shapes"]):
            if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.NamedNode):
                shapes.setdefault(q.object.value, []).append(q.subject.value)
        cache["class-data"] = (counts, shapes)
    counts, shapes = cache["class-data"]
    own = c.base + "ontology#"
    return ClassData(
        counts=counts,
        shapes=shapes,
        browse=lambda cls: c.iris.url("browse/" + cls[len(own) :]) if cls.startswith(own) else None,
    )


@blueprint.get("/ontology")
def ontology():
    return _document("ontology", None)


@blueprint.get("/ontology.<ext>")
def ontology_file(ext: str):
    return _document("ontology", ext)


@blueprint.get("/shapes")
def shapes():
    return _document("shapes", None)


@blueprint.get("/shapes.<ext>")
def shapes_file(ext: str):
    return _document("shapes", ext)
