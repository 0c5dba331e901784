"""Search (issue 15: names, definitions and claims, with paging, kinds as facets and type-ahead).

GET /search?q=&type=&page=   50 hits a page, "results 51–100 of 432", previous/next links and
                             the kinds of the hits with their counts, all without JavaScript
GET /search.json?q=          the same as JSON for the type-ahead (static/search.js) and programs;
                             ``limit`` up to 50, paging fields and facets beside the hits
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, Response, jsonify, request

from narcokg import vocab as px
from narcokg.engine.search import MAX_QUERY, SearchIndex
from narcokg.html.labels import t
from narcokg.html.searchhtml import hits_html
from narcokg.web.context import MAX_AGE, app_cache, ctx, error, linker, render_page
from narcokg.web.pages import page_number

blueprint = Blueprint("searchpage", __name__)

PAGE_SIZE = 50


@blueprint.after_request
def _vary(resp: Response) -> Response:
    resp.vary.add("Accept")
    return resp


#: Most hits a JSON answer may ask for at once (``limit``).
MAX_JSON_LIMIT = 50


def _index() -> SearchIndex:
    cache = app_cache()
    if "search" not in cache:
        cache["search"] = SearchIndex(ctx().store, ctx().base)
    return cache["search"]


def _kind_labels(types, labels) -> list[str]:
    return list(dict.fromkeys(labels(t) for t in types))


class _Refused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _positive(name: str, default: int, most: int | None = None) -> int:
    raw = request.args.get(name, "").strip()
    if not raw:
        return default
    if page_number(raw) is None:
        raise _Refused(f"{name} must be a whole number from 1, not {raw[:20]!r}")
    if most is not None and int(raw) > most:
        raise _Refused(f"{name} must be at most {most}")
    return int(raw)


def _kind() -> str | None:
    """The ``type`` filter as an IRI: a CURIE (``nkg:Agreement``) or a full IRI."""
    raw = request.args.get("type", "").strip()
    if not raw:
        return None
    if raw.startswith(("http://", "https://")):
        return ctx().iris.to_public(raw)
    prefix, _, local = raw.partition(":")
    namespace = px.all_prefixes(ctx().base).get(prefix)
    if not local or namespace is None:
        raise _Refused(f"type {raw[:60]!r} is neither an IRI nor a CURIE with a known prefix (nkg:Agreement)")
    return namespace + local


def _search_args(default_limit: int, most: int | None) -> dict:
    q = request.args.get("q", "")
    if len(q) > MAX_QUERY:
        raise _Refused(f"search text too long: at most {MAX_QUERY} characters")
    return {
        "q": q.strip(),
        "page": _positive("page", 1),
        "limit": _positive("limit", default_limit, most),
        "kind": _kind(),
    }


def _search_url(path: str, args: dict, **change) -> str:
    params = {"q": args["q"]}
    kind = change.get("kind", args["kind"])
    if kind:
        params["type"] = _curie(kind)
    page = change.get("page", 1)
    if page > 1:
        params["page"] = page
    if path.endswith(".json") and args["limit"] != 10:
        params["limit"] = args["limit"]
    return path + "?" + urlencode(params)


def _curie(iri: str) -> str:
    return px.curie(iri, ctx().labels.prefixes) or iri


def _run_search(args: dict):
    if not args["q"]:
        return None
    offset = (args["page"] - 1) * args["limit"]
    return _index().find(args["q"], kind=args["kind"], offset=offset, limit=args["limit"])


def _facets(found, args: dict, path: str) -> list[dict]:
    c = ctx()
    out = [
        {
            "type": t,
            "curie": _curie(t),
            "label": c.labels(t),
            "count": n,
            "href": _search_url(path, args, kind=t),
            "selected": t == args["kind"],
        }
        for t, n in found.kinds.items()
    ]
    return sorted(out, key=lambda f: (-f["count"], f["label"].casefold()))


def _paging(found, args: dict, path: str) -> dict:
    first = (args["page"] - 1) * args["limit"]
    last = first + len(found.hits)
    more = last < found.total
    return {
        "page": args["page"],
        "limit": args["limit"],
        "offset": first,
        "first": first + 1 if found.hits else 0,
        "last": last,
        "pages": max(1, -(-found.total // args["limit"])),
        "next": _search_url(path, args, page=args["page"] + 1) if more else None,
        "previous": _search_url(path, args, page=args["page"] - 1) if args["page"] > 1 else None,
    }


@blueprint.get("/search")
def search():
    try:
        args = _search_args(PAGE_SIZE, None)
    except _Refused as exc:
        return error(400, exc.message)
    c = ctx()
    args["limit"] = PAGE_SIZE
    found = _run_search(args)
    results, facets, paging = [], [], None
    if found is not None:
        for h in found.hits:
            label = c.labels(h.iri)
            results.append(
                {
                    "label": label,
                    "label_lang": c.labels.language_of(h.iri),
                    "href": c.iris.href(h.iri),
                    "iri": h.iri,
                    "types": _kind_labels(h.types, c.labels),
                    "field": h.field,
                    "matched_lang": h.matched_lang,
                    "matched": h.matched if h.matched != label else None,
                }
            )
        facets = _facets(found, args, "/search")
        paging = _paging(found, args, "/search")
    return render_page(
        "search.html",
        q=args["q"],
        results=results,
        total=found.total if found else 0,
        facets=facets,
        paging=paging,
        kind=args["kind"],
        kind_curie=_curie(args["kind"]) if args["kind"] else None,
        all_kinds=_search_url("/search", args, kind=None) if args["kind"] else None,
        hits=hits_html(results, c.lang, lambda key: t(key, c.lang), linker()),
    )


@blueprint.get("/search.json")
def search_json():
    try:
        args = _search_args(10, MAX_JSON_LIMIT)
    except _Refused as exc:
        return error(400, exc.message)
    c = ctx()
    found = _run_search(args)
    body = {
        "query": args["q"],
        "total": found.total if found else 0,
        "results": [
            {
                "iri": h.iri,
                "label": c.labels(h.iri),
                "matched": h.matched,
                "field": h.field,
                "url": c.iris.href(h.iri),
                "types": _kind_labels(h.types, c.labels),
            }
            for h in (found.hits if found else [])
        ],
    }
    if found is not None:
        body.update(_paging(found, args, "/search.json"))
        body["type"] = args["kind"] if args["kind"] else None
        body["facets"] = [
            {k: v for k, v in f.items() if k not in ("href", "selected")} for f in _facets(found, args, "/search.json")
        ]
    resp = jsonify(body)
    resp.headers["Cache-Control"] = f"public, max-age={MAX_AGE}"
    return resp
