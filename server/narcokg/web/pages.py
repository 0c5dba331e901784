"""Browsing and downloads (search is in web/searchpage.py).

GET /browse               classes with their number of instances
GET /browse/{class}       instances of one class (``State``, ``nkg:State``, ``qb:DataSet``), paged
GET /download             the build's files
GET /download/{file}      one file, with ETag and Last-Modified (304 on a conditional request)
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timezone
from pathlib import Path

from flask import Blueprint, Response, current_app, request, send_file, stream_with_context

import pyoxigraph as ox

from narcokg import vocab as px
from narcokg.formats import registry
from narcokg.engine.data import rebased_lines, served_nquads
from narcokg.engine.lookup import quads
from narcokg.html.labels import pick_literal
from narcokg import snapshot
from narcokg.web.context import MAX_AGE, app_cache, ctx, error, render_page

blueprint = Blueprint("pages", __name__)

PAGE_SIZE = 50
#: Graphs whose rdf:type statements describe the vocabulary or the validation, not the world.
NOT_DATA = ("ontology", "shapes", "validation")
_LOCAL = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,127}$")

#: The snapshot's files offered for download: name → (media type, caption key in ``html.i18n``).
DUMP_INFO = {
    snapshot.NQ: (registry.NQUADS.media_type, "download.nq"),
    snapshot.TRIG: (registry.TRIG.media_type, "download.trig"),
    snapshot.REPORT: (registry.TURTLE.media_type, "download.report"),
    snapshot.VOID_FILE: (registry.TURTLE.media_type, "download.void"),
}


@blueprint.after_request
def _vary(resp: Response) -> Response:
    resp.vary.add("Accept")
    return resp


def _excluded_graphs() -> str:
    base = ctx().base
    return ", ".join(f"<{base}graph/{g}>" for g in NOT_DATA)


# Browse -------------------------------------------------------------------------------------
def _class_counts() -> list[tuple[str, int]]:
    cache = app_cache()
    if "class-counts" not in cache:
        rows = ctx().store.select(
            "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s a ?c } "
            f"FILTER(?g NOT IN ({_excluded_graphs()})) FILTER(isIRI(?c)) }} GROUP BY ?c"
        )
        cache["class-counts"] = [(r["c"].value, int(r["n"].value)) for r in rows]
    return cache["class-counts"]


def _class_slug(iri: str) -> str:
    base = ctx().base
    if iri.startswith(base + "ontology#"):
        return iri[len(base + "ontology#") :]
    return px.curie(iri, px.COMMON) or ""


def _class_of_slug(slug: str) -> str | None:
    base = ctx().base
    if ":" in slug:
        prefix, local = slug.split(":", 1)
        ns = {**px.COMMON, "nkg": base + "ontology#"}.get(prefix)
        return ns + local if ns and _LOCAL.match(local) else None
    return base + "ontology#" + slug if _LOCAL.match(slug) else None


@blueprint.get("/browse")
def browse():
    c = ctx()
    own, other = [], []
    for iri, n in _class_counts():
        slug = _class_slug(iri)
        if not slug:
            continue
        definition = _definition(iri)
        item = {
            "iri": iri,
            "label": c.labels(iri),
            "count": n,
            "slug": slug,
            "href": c.iris.href(iri),
            "curie": px.curie(iri, px.all_prefixes(c.base)) or iri,
            "definition": definition.value if definition else "",
            "definition_lang": (definition.language or "") if definition else "",
        }
        (own if iri.startswith(c.base) else other).append(item)
    own.sort(key=lambda i: i["label"].casefold())
    other.sort(key=lambda i: i["curie"].casefold())
    return render_page("browse.html", own=own, other=other)


def _definition(iri: str):
    """The class's definition (skos:definition, else rdfs:comment) in the page's language where
    written so, else in English."""
    c = ctx()
    for pred in (px.SKOS.definition, px.RDFS.comment):
        found = pick_literal(
            [
                q.object
                for q in quads(c.store, ox.NamedNode(iri), ox.NamedNode(pred), None, None)
                if isinstance(q.object, ox.Literal)
            ],
            c.lang,
        )
        if found is not None:
            return found
    return None


def page_number(raw: str) -> int | None:
    """A page number from a query parameter: ASCII digits only (``str.isdigit`` also accepts
    "²" and other Unicode digits that ``int`` refuses) and at most 9 of them."""
    if not (0 < len(raw) <= 9 and raw.isascii() and raw.isdigit()):
        return None
    number = int(raw)
    return number if number >= 1 else None


@blueprint.get("/browse/<slug>")
def browse_class(slug: str):
    c = ctx()
    cls = _class_of_slug(slug)
    if cls is None:
        return error(400, "malformed class name: use a local name of the ontology (State) or a CURIE (qb:DataSet)")
    counts = dict(_class_counts())
    total = counts.get(cls, 0)
    if not total:
        return error(404, f"no instances of {slug} in this knowledge graph")
    number = page_number(request.args.get("page", "1"))
    if number is None:
        return error(400, "page must be a positive whole number written with the digits 0-9, such as page=2")
    pages = (total + PAGE_SIZE - 1) // PAGE_SIZE
    if number > pages:
        return error(404, f"no page {number}: this list has {pages} page(s)")
    rows = c.store.select(
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
        "SELECT ?s (SAMPLE(?l1) AS ?a) (SAMPLE(?l2) AS ?b) WHERE { "
        f"GRAPH ?g {{ ?s a <{cls}> }} FILTER(?g NOT IN ({_excluded_graphs()})) FILTER(isIRI(?s)) "
        f"OPTIONAL {{ ?s rdfs:label ?l1 FILTER(langMatches(lang(?l1), '{c.lang}')) }} "
        "OPTIONAL { ?s rdfs:label ?l2 FILTER(langMatches(lang(?l2), 'en')) } "
        "} GROUP BY ?s ORDER BY LCASE(STR(COALESCE(?a, ?b, ?s))) ?s "
        f"LIMIT {PAGE_SIZE} OFFSET {(number - 1) * PAGE_SIZE}"
    )
    items = [{"label": c.labels(r["s"].value), "href": c.iris.href(r["s"].value), "iri": r["s"].value} for r in rows]
    return render_page(
        "browse_class.html",
        cls={"iri": cls, "label": c.labels(cls), "href": c.iris.href(cls), "slug": slug},
        items=items,
        total=total,
        number=number,
        pages=pages,
        first=(number - 1) * PAGE_SIZE + 1,
        timeline=_timeline(cls),
    )


def _timeline(cls: str):
    """Instances of ``cls`` per year of their date (an agreement's: of its signing), as an SVG bar
    chart over every year of the span; None when fewer than two years are known."""
    from narcokg.html.charts import Series, chart_svg
    from narcokg.html.labels import t

    c = ctx()
    cache = app_cache().setdefault("timelines", {})
    key = (cls, c.lang)
    if key not in cache:
        nkg = c.base + "ontology#"
        rows = c.store.select(
            f"PREFIX nkg: <{nkg}> SELECT ?year (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a <{cls}> . "
            "?s (nkg:signing/(nkg:date|nkg:year|nkg:yearMonth))|nkg:date|nkg:year|nkg:yearMonth ?d . "
            "BIND(SUBSTR(STR(?d), 1, 4) AS ?year) FILTER(REGEX(?year, '^[0-9]{4}$')) } GROUP BY ?year"
        )
        counts = {r["year"].value: int(r["n"].value) for r in rows}
        chart = None
        if len(counts) >= 2 and int(max(counts)) - int(min(counts)) <= 100:
            years = [str(y) for y in range(int(min(counts)), int(max(counts)) + 1)]
            name = c.labels(cls)
            title = t("browse.timeline", c.lang) % name
            chart = {
                "title": title,
                "svg": chart_svg(
                    title,
                    years,
                    [Series(name, [counts.get(y, 0) for y in years])],
                    c.lang,
                    x_label=t("browse.year", c.lang),
                    y_label=t("browse.count", c.lang),
                ),
            }
        cache[key] = chart
    return cache[key]


# Downloads ------------------------------------------------------------------------------------
def _dump_path(name: str) -> Path | None:
    return snapshot.dump_path(current_app.config["NARCOKG"], name)


@blueprint.get("/download")
def download():
    files = []
    for name, (media, key) in DUMP_INFO.items():
        path = _dump_path(name)
        if path is None:
            continue
        st = path.stat()
        files.append(
            {
                "name": name,
                "media": media,
                "key": key,
                "size": st.st_size,
                "modified": datetime.fromtimestamp(int(st.st_mtime), tz=timezone.utc),
            }
        )
    return render_page("download.html", files=files)


@blueprint.get("/download/<name>")
def download_file(name: str):
    path = _dump_path(name)
    if path is None:
        return error(404, "no such file: " + ", ".join(DUMP_INFO) + " are available")
    media = DUMP_INFO[name][0]
    iris = ctx().iris
    if iris.rewrites and name == snapshot.NQ:
        path = served_nquads(current_app.config["NARCOKG"])  # what the engines hold: nothing to rewrite
    rewrite = iris.rewrites and name != snapshot.NQ
    st = path.stat()
    packed = _precompressed(name, path) if not iris.rewrites else None
    if packed is not None:
        resp = _send_precompressed(packed, path, st, media)
    elif not rewrite:
        resp = send_file(
            path,
            mimetype=media,
            conditional=True,
            etag=_file_etag(path, st, ""),
            last_modified=int(st.st_mtime),
            max_age=MAX_AGE,
        )
    else:
        resp = Response(stream_with_context(_rewritten(path, iris.canonical, iris.base)), mimetype=media)
        resp.set_etag(_file_etag(path, st, iris.public))
        resp.last_modified = datetime.fromtimestamp(int(st.st_mtime), tz=timezone.utc)
        resp.cache_control.public = True
        resp.cache_control.max_age = MAX_AGE
        resp.make_conditional(request)
    if media.startswith("text/"):
        resp.mimetype = media
        resp.headers["Content-Type"] = media + "; charset=utf-8"
    resp.headers["Content-Disposition"] = f'inline; filename="{name}"'
    return resp


def _precompressed(name: str, path: Path) -> Path | None:
    """The build's gzipped copy of a dump, when the client accepts gzip (never under --dump:
    a .gz beside someone else's file may be stale)."""
    if current_app.config["NARCOKG"].dump or name not in snapshot.PRECOMPRESSED:
        return None
    from narcokg.web.compress import accepts_gzip

    packed = path.with_name(path.name + snapshot.GZ)
    if not accepts_gzip(request.environ) or not packed.is_file():
        return None
    return packed


def _send_precompressed(packed: Path, path: Path, st, media: str) -> Response:
    from narcokg.web.compress import tag_with_suffix

    resp = send_file(
        packed, mimetype=media, conditional=False, etag=False, max_age=MAX_AGE, last_modified=int(st.st_mtime)
    )
    resp.headers["Content-Encoding"] = "gzip"
    # Compared under the plain tag (``compress`` takes "-gzip" off If-None-Match), sent with it.
    resp.set_etag(_file_etag(path, st, ""))
    resp.make_conditional(request)
    if resp.status_code == 200:
        resp.headers["ETag"] = tag_with_suffix(resp.headers["ETag"])
    resp.vary.add("Accept-Encoding")
    return resp


def _file_etag(path: Path, st, public: str) -> str:
    return hashlib.sha256(f"{path.name}:{st.st_mtime_ns}:{st.st_size}:{public}".encode()).hexdigest()[:32]


def _rewritten(path: Path, base: str, public: str):
    """The file with IRIs moved from ``base`` to ``public`` by the served data's rule."""
    with path.open("rb") as fh:
        yield from rebased_lines(fh, base, public)
