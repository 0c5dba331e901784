"""Triple Pattern Fragments: the Linked Data Fragments interface that Comunica and other clients
query natively (https://linkeddatafragments.org/specification/triple-pattern-fragments/).

  GET /fragments?subject=&predicate=&object=[&graph=][&page=N]

A fragment is every triple of the knowledge graph matching one pattern, in pages of
``PAGE_SIZE``, with Hydra controls: the ``hydra:search`` form that builds fragment URLs, the
size estimate (``hydra:totalItems``, ``void:triples``), and ``hydra:first/previous/next``.
Without ``graph`` the fragment reads the default graph, the union of all named graphs (as
/sparql does); ``graph=IRI`` reads one named graph and ``graph=?g`` all of them, with each
statement in its graph (Quad Pattern Fragments). Terms use the Hydra explicit representation
Comunica sends: an IRI as is (or in ``<>``), a literal as ``"text"``, ``"text"@lang`` or
``"text"^^datatype``, a variable as ``?name`` or nothing.

It runs in the web process: a page is one scan of a pyoxigraph index, stopped after the page
(and the pages before it, skipped), so it serves clients while the query processes are busy.
Quad formats (N-Quads, TriG) put the controls in a metadata graph that names the fragment with
``foaf:primaryTopic``, which is how Comunica tells them from the data; triple formats mix them
in, as the specification allows. Every page has a strong ETag: the data never changes while
served.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, request

from narcokg.formats import jsonld, registry
from narcokg import vocab as px
from narcokg.web.context import MAX_AGE, error
from narcokg import errors

blueprint = Blueprint("fragments", __name__)

#: Triples per page; chosen with benchmarks/fragments.py (figures in benchmarks/README.md).
PAGE_SIZE = 100
#: A count stops here; past it the estimate says this many.
COUNT_LIMIT = 1_000_000

HYDRA = "http://www.w3.org/ns/hydra/core#"
VOID = "http://rdfs.org/ns/void#"
FOAF = "http://xmlns.com/foaf/0.1/"
SD = "http://www.w3.org/ns/sparql-service-description#"
DCTERMS = "http://purl.org/dc/terms/"

#: (media type, pyoxigraph format, keeps graphs), in the server's order of preference.
_FORMATS = [
    (f.media_type, f.rdf_format, f.named_graphs)
    for f in (registry.TURTLE, registry.TRIG, registry.NTRIPLES, registry.NQUADS, registry.JSONLD)
]
_ALIASES = {alias: f.media_type for f in (registry.TURTLE, registry.NTRIPLES, registry.JSONLD) for alias in f.aliases}


class BadRequest(errors.RequestError):
    """A parameter a person has to correct; the message says how."""


def _shown(value: str, limit: int = 200) -> str:
    """Client input as repeated in a message: printable characters only, bounded."""
    text = "".join(ch if ch.isprintable() else "\ufffd" for ch in value[:limit])
    return text + ("…" if len(value) > limit else "")


def _iri(value: str, role: str, iris) -> ox.NamedNode:
    if value.startswith("<") and value.endswith(">"):
        value = value[1:-1]
    try:
        node = ox.NamedNode(value)
    except ValueError:
        raise BadRequest(
            f'{role}={_shown(value)} is not an absolute IRI, a literal ("text", "text"@lang, '
            '"text"^^datatype) or a variable (?name or empty)'
        ) from None
    return ox.NamedNode(iris.to_public(node.value))


def _tagged(value: str, lexical: str, tag: str) -> ox.Literal:
    """The literal ``"lexical"@tag`` of ``object=value``, or a 400 saying how to write the tag."""
    example = "a language tag such as en, id or en-GB (letters and digits, parts joined by -)"
    if not tag:
        raise BadRequest(
            f"object={_shown(value)}: the language tag after @ is empty: write {example} after the @, "
            "or leave out the @ for a literal without a language"
        )
    try:
        return ox.Literal(lexical, language=tag)
    except ValueError:
        raise BadRequest(
            f"object={_shown(value)}: {_shown(tag, 50)!r} after @ is not a valid language tag: write {example}"
        ) from None


def parse_term(value: str, role: str, iris):
    """The pyoxigraph term a parameter names (IRIs as served), or None for a variable."""
    value = value.strip()
    if not value or value.startswith("?"):
        return None
    if value.startswith("_:"):
        raise BadRequest(f"{role}: blank nodes cannot be looked up (the data has none: its nodes are IRIs)")
    if value.startswith('"'):
        if role != "object":
            raise BadRequest(f"{role}: a literal can only be the object of a triple")
        end = value.rfind('"')
        if end == 0:
            raise BadRequest(f"object={_shown(value)} is not a literal: the closing quote is missing")
        lexical, rest = value[1:end], value[end + 1 :]
        if not rest:
            return ox.Literal(lexical)
        if rest.startswith("@"):
            return _tagged(value, lexical, rest[1:])
        if rest.startswith("^^"):
            return ox.Literal(lexical, datatype=_iri(rest[2:], "datatype of the object", iris))
        raise BadRequest(f"object={_shown(value)}: after a literal's closing quote comes @lang, ^^datatype or nothing")
    return _iri(value, role, iris)


def _page_number(raw: str | None) -> int:
    if raw is None or raw == "":
        return 1
    # ASCII digits only: str.isdigit also holds for "²" and "①", which int() refuses (a 500), and
    # for other scripts' digits, which int() reads ("१" is page 1, under a URL no control names).
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 9:
        raise BadRequest(f"page={_shown(raw, 50)} is not a page number: use 1, 2, 3 …")
    page = int(raw)
    if page < 1:
        raise BadRequest("page=0: pages are numbered from 1")
    return page


class Pattern:
    def __init__(self, s, p, o, g, quads: bool, any_graph: bool):
        self.s, self.p, self.o, self.g = s, p, o, g
        #: A quad request (``graph`` given): statements keep their graph.
        self.quads = quads
        self.any_graph = any_graph

    def key(self) -> tuple:
        return (self.s, self.p, self.o, self.g, self.quads)


def _scan(store, pattern: Pattern):
    """The matching statements in index order: triples of the union (each once) or quads."""
    it = store.quads(pattern.s, pattern.p, pattern.o, pattern.g)
    if pattern.quads:
        yield from it
        return
    seen = set()
    for q in it:
        t = q.triple
        if t not in seen:
            seen.add(t)
            yield t


@lru_cache(maxsize=4096)
def _count(store_id: int, key: tuple) -> int:
    store = current_app.extensions["narcokg.engine"]
    s, p, o, g, quads = key
    if s is None and p is None and o is None and g is None:
        return store.size()
    return sum(1 for _ in itertools.islice(store.quads(s, p, o, g), COUNT_LIMIT))


def _choose_format(quads: bool):
    accept = request.accept_mimetypes
    default = _FORMATS[1] if quads else _FORMATS[0]
    if not accept or list(accept.values()) == ["*/*"]:
        return default
    offers = [m for m, _, _ in _FORMATS] + list(_ALIASES)
    best = accept.best_match(offers)
    if best is None:
        return None
    best = _ALIASES.get(best, best)
    if accept.quality(default[0]) >= accept.quality(best):
        return default
    return next(f for f in _FORMATS if f[0] == best)


def _valid_iri(text: str) -> bool:
    try:
        ox.NamedNode(text)
    except ValueError:
        return False
    return True


def _root() -> str:
    """The fragments URL at the address the client used, when that makes a valid IRI."""
    root = request.host_url.rstrip("/") + "/fragments"
    if _valid_iri(root):
        return root
    return current_app.config["NARCOKG"].served_base + "fragments"


def _self_url(root: str, params: list[tuple[str, str]], page: int) -> str:
    """The URL exactly as requested (Comunica finds the controls of the page it fetched by it);
    re-encoded when the request's own spelling is not a valid IRI."""
    query = request.environ.get("QUERY_STRING", "")
    url = root + ("?" + query if query else "")
    return url if _valid_iri(url) else _page_url(root, params, page)


def _page_url(base: str, params: list[tuple[str, str]], page: int) -> str:
    kept = [(k, v) for k, v in params if k != "page"]
    if page > 1:
        kept.append(("page", str(page)))
    return base + ("?" + urlencode(kept) if kept else "")


def _controls(
    fragments_url: str,
    self_url: str,
    fragment_url: str,
    params,
    page: int,
    total: int,
    count_on_page: int,
    quad_request: bool,
) -> list[ox.Triple]:
    N = ox.NamedNode
    integer = N("http://www.w3.org/2001/XMLSchema#integer")
    dataset = N(fragments_url + "#dataset")
    this = N(self_url)
    fragment = N(fragment_url)
    metadata = N(self_url + "#metadata")
    form = ox.BlankNode("search")
    t = [
        ox.Triple(metadata, N(FOAF + "primaryTopic"), fragment),
        ox.Triple(metadata, N(FOAF + "primaryTopic"), dataset),
        ox.Triple(dataset, N(px.RDF.type), N(VOID + "Dataset")),
        ox.Triple(dataset, N(px.RDF.type), N(HYDRA + "Collection")),
        ox.Triple(dataset, N(VOID + "subset"), fragment),
        ox.Triple(dataset, N(HYDRA + "search"), form),
        ox.Triple(form, N(HYDRA + "template"), ox.Literal(fragments_url + "{?subject,predicate,object,graph}")),
        ox.Triple(form, N(HYDRA + "variableRepresentation"), N(HYDRA + "ExplicitRepresentation")),
    ]
    mappings = [("subject", px.RDF.subject), ("predicate", px.RDF.predicate), ("object", px.RDF.object)]
    if quad_request:  # a Quad Pattern Fragments client addresses graphs; a TPF client must see 3
        mappings.append(("graph", SD + "graph"))
    for name, prop in mappings:
        m = ox.BlankNode(name)
        t += [
            ox.Triple(form, N(HYDRA + "mapping"), m),
            ox.Triple(m, N(HYDRA + "variable"), ox.Literal(name)),
            ox.Triple(m, N(HYDRA + "property"), N(prop)),
        ]
    if fragment != this:
        t.append(ox.Triple(fragment, N(VOID + "subset"), this))
    t += [
        ox.Triple(this, N(px.RDF.type), N(HYDRA + "PartialCollectionView")),
        ox.Triple(
            this,
            N(DCTERMS + "title"),
            ox.Literal(f"Page {page} of a triple pattern fragment of narcokg", language="en"),
        ),
        ox.Triple(this, N(HYDRA + "totalItems"), ox.Literal(str(total), datatype=integer)),
        ox.Triple(this, N(VOID + "triples"), ox.Literal(str(total), datatype=integer)),
        ox.Triple(this, N(HYDRA + "itemsPerPage"), ox.Literal(str(PAGE_SIZE), datatype=integer)),
        ox.Triple(this, N(HYDRA + "first"), N(_page_url(fragments_url, params, 1))),
    ]
    if page > 1:
        t.append(ox.Triple(this, N(HYDRA + "previous"), N(_page_url(fragments_url, params, page - 1))))
    if page * PAGE_SIZE < total and count_on_page == PAGE_SIZE:
        t.append(ox.Triple(this, N(HYDRA + "next"), N(_page_url(fragments_url, params, page + 1))))
    return t


def _serialize(data: list, controls: list[ox.Triple], metadata_graph: str, fmt) -> bytes:
    media, ox_format, keeps_graphs = fmt
    prefixes = {"hydra": HYDRA, "void": VOID, "foaf": FOAF, "rdf": px.RDF, "dcterms": DCTERMS}
    if keeps_graphs:
        g = ox.NamedNode(metadata_graph)
        default = ox.DefaultGraph()
        items = [x if isinstance(x, ox.Quad) else ox.Quad(x.subject, x.predicate, x.object, default) for x in data]
        items += [ox.Quad(c.subject, c.predicate, c.object, g) for c in controls]
    else:
        items = [x.triple if isinstance(x, ox.Quad) else x for x in data] + controls
    if ox_format == ox.RdfFormat.JSON_LD:
        doc = jsonld.compact(items, prefixes)
        return json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8")
    if ox_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG):
        return ox.serialize(items, format=ox_format, prefixes=prefixes)
    return ox.serialize(items, format=ox_format)


@blueprint.get("/fragments")
def fragments():
    from narcokg.web.context import ctx

    c = ctx()
    try:
        known = {"subject", "predicate", "object", "graph", "page"}
        params = [(k, v) for k, v in parse_qsl(request.environ.get("QUERY_STRING", ""), keep_blank_values=True)]
        for k, _ in params:
            if k not in known:
                raise BadRequest(f"unknown parameter {_shown(k, 50)}: use subject, predicate, object, graph and page")
        args = {}
        for k, v in params:
            if k in args:
                raise BadRequest(f"{k} is given twice: give each parameter once")
            args[k] = v
        s = parse_term(args.get("subject", ""), "subject", c.iris)
        p = parse_term(args.get("predicate", ""), "predicate", c.iris)
        o = parse_term(args.get("object", ""), "object", c.iris)
        graph_raw = args.get("graph")
        g = parse_term(graph_raw, "graph", c.iris) if graph_raw is not None else None
        page = _page_number(args.get("page"))
    except BadRequest as exc:
        return error(400, str(exc))
    quad_request = graph_raw is not None and graph_raw.strip() != ""
    pattern = Pattern(s, p, o, g, quads=quad_request, any_graph=g is None)
    fmt = _choose_format(quad_request)
    if fmt is None:
        return error(406, "a fragment is available as " + ", ".join(m for m, _, _ in _FORMATS))
    store = c.store
    total = _count(id(store), pattern.key())
    last_page = max(1, -(-total // PAGE_SIZE))
    if page > last_page:
        return error(400, f"page {page} is beyond the end: this fragment has {last_page} page(s) of {PAGE_SIZE}")
    start = (page - 1) * PAGE_SIZE
    data = list(itertools.islice(_scan(store, pattern), start, start + PAGE_SIZE))
    root = _root()
    self_url = _self_url(root, params, page)
    fragment_url = _page_url(root, params, 1)
    controls = _controls(root, self_url, fragment_url, params, page, total, len(data), quad_request)
    body = _serialize(data, controls, self_url + "#metadata", fmt)
    resp = Response(body, content_type=f"{fmt[0]}; charset=utf-8")
    resp.set_etag(
        hashlib.sha256(current_app.extensions.get("narcokg.snapshot_tag", "").encode() + body).hexdigest()[:32]
    )
    resp.cache_control.public = True
    resp.cache_control.max_age = MAX_AGE
    resp.vary.add("Accept")
    return resp.make_conditional(request)
