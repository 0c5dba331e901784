"""Reading a SPARQL Protocol request: its parameters wherever the method puts them (query
string, form body, direct POST), and the answer format they and the Accept header choose.

Every refusal here is a 4xx in words (``errors``): a body over the limit, an update, a repeated
``query``, an invalid graph IRI, a format that does not fit the query form.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import parse_qsl

import pyoxigraph as ox
from flask import request
from werkzeug.datastructures import MultiDict

from narcokg import errors
from narcokg.config import Settings
from narcokg.formats import sparql as sparqlformats
from narcokg.web.context import parsed_accept
from narcokg.web.querystring import charset_refused
from narcokg.web.refusals import shown

POST_TYPES = ("application/x-www-form-urlencoded", "application/sparql-query")
MAX_GRAPH_PARAMS = 100


# Reading a request ------------------------------------------------------------------------


class Params:
    def __init__(self, query: str | None, default_graphs: list[str], named_graphs: list[str], fmt: list[str]):
        self.query = query
        self.default_graphs = default_graphs
        self.named_graphs = named_graphs
        #: Values of ``format`` then ``output`` (clients such as SPARQLWrapper send several).
        self.fmt = fmt


def _client_fd() -> int | None:
    """The requesting connection's socket, watched while a query runs (a hang-up stops it)."""
    sock = request.environ.get("gunicorn.socket")
    try:
        return sock.fileno() if sock is not None else None
    except OSError:
        return None


def _read_body(limit: int) -> bytes:
    length = request.content_length
    if length is not None and length > limit:
        raise errors.TooLarge(f"the request body has {length} bytes; at most {limit} are accepted (max_query_bytes)")
    data = request.stream.read(limit + 1)
    if len(data) > limit:
        raise errors.TooLarge(f"the request body is larger than {limit} bytes (max_query_bytes)")
    return data


def _one(values: list[str], name: str) -> str | None:
    if len(values) > 1:
        raise errors.RequestError(f"give the {name} parameter once, not {len(values)} times")
    return values[0] if values else None


def check_charset() -> None:
    """415 for a body declared in a charset other than UTF-8 (``querystring.charset_refused``)."""
    charset = request.mimetype_params.get("charset")
    if charset_refused(charset):
        raise errors.UnsupportedMediaType(
            f"charset {shown(charset)} is not supported; send the query as UTF-8 (charset=utf-8, or no charset)"
        )


def read_params(settings: Settings) -> Params:
    """The protocol parameters of this request, wherever the method puts them."""
    sources = [request.args]
    query_values: list[str] = request.args.getlist("query")
    if request.method == "POST":
        mimetype = request.mimetype
        if mimetype == "application/sparql-update":
            raise errors.ReadOnly("this endpoint is read-only: SPARQL Update is not accepted")
        if mimetype in POST_TYPES:
            check_charset()
        if mimetype == "application/x-www-form-urlencoded":
            raw = _read_body(3 * settings.max_query_bytes + 16 * 1024)
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise errors.RequestError("the form body is not valid UTF-8") from None
            try:
                form = MultiDict(parse_qsl(text, keep_blank_values=True, errors="strict", max_num_fields=1000))
            except UnicodeDecodeError:
                raise errors.RequestError("the form body has percent-encoded bytes that are not UTF-8") from None
            except ValueError as exc:
                raise errors.RequestError(f"the form body cannot be read: {exc}") from None
            sources.append(form)
            query_values = query_values + form.getlist("query")
        elif mimetype == "application/sparql-query":
            raw = _read_body(settings.max_query_bytes)
            try:
                query_values = query_values + [raw.decode("utf-8")]
            except UnicodeDecodeError:
                raise errors.QueryRejected("the query is not valid UTF-8") from None
        else:
            got = mimetype or "none"
            raise errors.UnsupportedMediaType(f"POST a query as {' or '.join(POST_TYPES)} (got content type {got})")

    def values(name: str) -> list[str]:
        out: list[str] = []
        for src in sources:
            out += src.getlist(name)
        return out

    if values("update"):
        raise errors.ReadOnly("this endpoint is read-only: SPARQL Update is not accepted")
    query = _one(query_values, "query")
    fmt = [v for v in values("format") + values("output") if v.strip()][:20]
    dg, ng = values("default-graph-uri"), values("named-graph-uri")
    if len(dg) + len(ng) > MAX_GRAPH_PARAMS:
        raise errors.RequestError(
            f"at most {MAX_GRAPH_PARAMS} default-graph-uri and named-graph-uri parameters are accepted"
        )
    for iri in dg + ng:
        try:
            ox.NamedNode(iri)
        except ValueError:
            raise errors.RequestError(f"graph IRI {iri[:200]!r} is not a valid absolute IRI") from None
    return Params(query, dg, ng, fmt)


# Negotiation -------------------------------------------------------------------------------


def choose_format(params: Params, kind: str) -> sparqlformats.Format:
    try:
        if params.fmt:
            first_error = None
            for value in params.fmt:  # the first value that names a format offered for this answer
                try:
                    return sparqlformats.by_param(value, kind)
                except (sparqlformats.UnknownFormat, sparqlformats.NotAcceptable) as exc:
                    first_error = first_error or exc
            raise first_error
        return _by_accept(request.headers.get("Accept", ""), kind)
    except sparqlformats.UnknownFormat as exc:
        raise errors.RequestError(str(exc)) from None
    except sparqlformats.NotAcceptable as exc:
        raise errors.NotAcceptable(_not_acceptable_message(exc, kind)) from None


def _not_acceptable_message(exc: sparqlformats.NotAcceptable, kind: str) -> str:
    """What a client can do after a 406: the types this query form is answered in, and format=."""
    form = "a CONSTRUCT or DESCRIBE query" if kind == "graph" else "a SELECT or ASK query"
    names = ", ".join(f.name for f in sparqlformats.offered(kind))
    return (
        f"{exc}; {form} can be answered as {', '.join(exc.offered)}: ask for one of them in Accept, "
        f"or add the format= parameter ({names}), which wins over Accept"
    )


@lru_cache(maxsize=512)
def _by_accept(header: str, kind: str) -> sparqlformats.Format:
    return sparqlformats.by_accept(parsed_accept(header), kind)  # NotAcceptable is raised, not cached
