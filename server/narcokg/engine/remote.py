"""A remote engine: a SPARQL 1.1 endpoint (Oxigraph server, Virtuoso, any other) holding the
snapshot's graphs, behind the same seam as the embedded engine.

narcokg stays in front and keeps its promises whatever the endpoint does:

- SERVICE and updates are refused here, from the job's own analysis, before anything is sent
  (the web layer refuses them too; the engine does not rely on it).
- The row limit is enforced by counting the answer while it streams in (pyoxigraph's streaming
  parsers); past ``max_rows`` the connection is closed, whatever the endpoint's own cap.
- The time limit is a client-side deadline on the whole exchange; when it passes, the
  connection is closed (which is how an endpoint learns to stop). A body that ends early or
  does not parse is a query stopped by the endpoint's own timeout (Oxigraph's ``--timeout-s``
  answers 200 and cuts the body): the same 422 as narcokg's time limit. Virtuoso flags its
  timeout (``X-SQL-State: S1TAT``) and its row cap (``X-SPARQL-MaxRows``) only in headers of a
  200 answer: both are mapped to the same 422 limits.
- Answers are parsed and re-serialized here, so every engine answers in narcokg's formats with
  narcokg's term forms (Virtuoso's JSON ``typed-literal`` becomes a plain typed literal).
- DESCRIBE is built here: the described resources are selected on the endpoint, then their
  statements fetched with a CONSTRUCT (engines disagree on what a description holds).
- The union default graph: Oxigraph server must run with ``--union-default-graph``; for the
  other dialects the snapshot's graphs are sent as ``default-graph-uri`` and
  ``named-graph-uri`` (Virtuoso's default graph also holds its system graphs).

Requests are POSTed as ``application/x-www-form-urlencoded`` (never ``application/sparql-query``,
on which Virtuoso hangs) over kept-alive connections of this process (``narcokg.engine.httppool``).
"""
from __future__ import annotations

import io
import logging
import socket
import time
from typing import Iterator
from http.client import HTTPException
from urllib.parse import urlencode, urlsplit

import pyoxigraph as ox

from narcokg.config import Settings
from narcokg.engine import httppool
from narcokg.engine.base import Answer, QueryJob
from narcokg import errors
from narcokg.engine.lexer import tokens
from narcokg.engine.syntax import analyse
from narcokg.formats import sparql as sparqlformats

log = logging.getLogger("narcokg.engine.remote")

DIALECTS = ("oxigraph", "virtuoso", "generic")
FORM = "application/x-www-form-urlencoded"
JSON = "application/sparql-results+json"
XML = "application/sparql-results+xml"
NTRIPLES = "application/n-triples"
#: Seconds to open a connection to the endpoint (a local or nearby service).
CONNECT_TIMEOUT = 3.0
#: Seconds the server's own reads (pages, search, VoID) may take.
OWN_TIMEOUT = 60.0


class _Truncated(Exception):
    """The endpoint's answer ended early or could not be read: it stopped the query itself."""


class _Deadline(Exception):
    """narcokg's own time limit passed while the answer was being read."""


class _RowLimit(Exception):
    pass


class _Body(io.RawIOBase):
    """The response body as a binary stream for pyoxigraph's parsers, each read bounded by the
    deadline (the socket's timeout is set to the time left before every read)."""

    def __init__(self, conn, response, deadline: float):
        self.conn = conn
        self.response = response
        self.deadline = deadline
        #: The body was read to its end (the connection may be reused).
        self.eof = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise _Deadline()
        if self.conn.sock is not None:
            self.conn.sock.settimeout(remaining)
        try:
            data = self.response.read(len(buffer))
        except (socket.timeout, TimeoutError):
            raise _Deadline() from None
        except (OSError, HTTPException, ValueError):
            raise _Truncated() from None
        if not data:
            self.eof = True
        buffer[:len(data)] = data
        return len(data)

    def drain(self) -> None:
        """Read what is left after the parser is done (a chunked body's last chunk)."""
        while not self.eof:
            if not self.readinto(bytearray(1 << 14)) and not self.eof:
                break


class RemoteEngine:
    """The snapshot served by the SPARQL endpoint at ``url`` (see the module's docstring)."""

    def __init__(self, settings: Settings, url: str, dialect: str = "generic"):
        if dialect not in DIALECTS:
            raise ValueError(f"unknown engine dialect {dialect!r}: use one of {', '.join(DIALECTS)}")
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("the engine URL must be an http:// or https:// URL of a SPARQL endpoint")
        self.settings = settings
        self.url = url
        self.dialect = dialect
        self.where = f"{dialect} engine"
        self._http = httppool.Pool(url, size=max(4, settings.web_threads * 2), connect_timeout=CONNECT_TIMEOUT)
        self._graphs: list[str] | None = None
        self._size: int | None = None

    # Lifecycle ------------------------------------------------------------------------
    def start(self) -> None:
        """Nothing to start: connections are made on demand, per process (the pool drops
        connections inherited across a fork)."""

    def close(self) -> None:
        self._http.clear()

    # Talking to the endpoint ------------------------------------------------------------
    def _dataset(self, union: bool, default_graph, named_graphs) -> list[tuple[str, str]]:
        """Protocol parameters choosing the dataset (see the module's docstring)."""
        if default_graph is not None or named_graphs is not None:
            return [("default-graph-uri", g) for g in default_graph or ()] + \
                   [("named-graph-uri", g) for g in named_graphs or ()]
        if not union or self.dialect == "oxigraph":
            return []
        graphs = self.graphs()
        return [("default-graph-uri", g) for g in graphs] + [("named-graph-uri", g) for g in graphs]

    def _post(self, query: str, accept: str, deadline: float, dataset: list[tuple[str, str]],
              truncated_ok: bool = False):
        """Send ``query``; the streaming response (status checked) or a ``narcokg.errors`` error."""
        fields = [("query", query), *dataset]
        if self.dialect == "virtuoso":
            remaining = max(1, int((deadline - time.monotonic()) * 1000))
            fields.append(("timeout", str(remaining)))  # Virtuoso stops (and flags) at this many ms
        try:
            conn, response = self._http.post_form(urlencode(fields).encode("ascii"), {"Accept": accept}, deadline)
        except httppool.Deadline:
            raise _Deadline() from None
        except httppool.Unreachable:
            log.warning("the %s at %s is unreachable", self.where, self.url)
            raise errors.Busy("The query engine is unreachable just now; try again shortly.",
                              retry_after=2) from None
        exchange = _Body(conn, response, deadline)
        if response.status != 200:
            text = _excerpt(response)
            self._drop(exchange)
            if response.status in (400, 406):
                raise errors.QueryRejected(f"The query engine refused the query: {text}")
            if "exceeds the limit" in text and "estimated execution time" in text:
                raise _Deadline()  # Virtuoso refuses up front what its planner expects to run too long
            log.warning("the %s answered %s: %s", self.where, response.status, text)
            raise errors.Busy("The query engine could not answer just now; try again shortly.",
                              retry_after=2)
        state = response.headers.get("X-SQL-State", "")
        if state == "S1TAT":  # Virtuoso: stopped at its time limit, partial answer
            self._drop(exchange)
            raise _Deadline()
        if response.headers.get("X-SPARQL-MaxRows"):  # Virtuoso: cut at its own row cap
            if truncated_ok:  # the server's own scan, read as far as it goes (a page, a check)
                log.warning("the %s cut a scan at its row cap (ResultSetMaxRows)", self.where)
                return exchange
            self._drop(exchange)
            raise _RowLimit()
        return exchange

    def _solutions(self, query: str, deadline: float, dataset, max_rows: int):
        """(variables, rows) or a bool, read as the answer streams in."""
        accept = JSON if self.dialect == "oxigraph" else XML
        body = self._post(query, accept, deadline, dataset)
        try:
            kind = ox.QueryResultsFormat.JSON if accept == JSON else ox.QueryResultsFormat.XML
            try:
                result = ox.parse_query_results(io.BufferedReader(body, 1 << 16), kind)
                if isinstance(result, ox.QueryBoolean):
                    body.drain()
                    return bool(result)
                variables = [v.value for v in result.variables]
                rows = []
                for solution in result:
                    rows.append(tuple(solution))
                    if len(rows) > max_rows:
                        raise _RowLimit()
            except (SyntaxError, ValueError, OSError):
                raise _Truncated() from None
            body.drain()
            return variables, rows
        finally:
            self._drop(body)

    def _triples(self, query: str, deadline: float, dataset, max_rows: int) -> list[ox.Triple]:
        body = self._post(query, NTRIPLES, deadline, dataset)
        try:
            out = []
            try:
                for triple in ox.parse(input=io.BufferedReader(body, 1 << 16),
                                       format=ox.RdfFormat.N_TRIPLES):
                    out.append(triple)
                    if len(out) > max_rows:
                        raise _RowLimit()
            except (SyntaxError, ValueError, OSError):
                raise _Truncated() from None
            body.drain()
            return out
        finally:
            self._drop(body)

    def _drop(self, body: _Body) -> None:
        """Give the connection back when the answer was read to its end; close it otherwise (an
        unfinished answer must not be reused, and closing is how the endpoint learns to stop)."""
        if body.eof and not body.response.will_close:
            self._http.give_back(body.conn)
        else:
            body.conn.close()

    # Client queries ----------------------------------------------------------------------
    def execute(self, job: QueryJob, client: int | None = None) -> Answer:
        # ``client`` (a hung-up client cancels its query) is not watched here yet: the deadline
        # bounds the wait, and closing the connection at it cancels upstream.
        started = time.monotonic()
        info = analyse(job.query)
        if info.update:
            raise errors.QueryRejected("this is a SPARQL Update; the endpoint is read-only and accepts queries only")
        if info.service:
            raise errors.QueryRejected("SERVICE (federated query) is not supported: this endpoint answers from its own "
                                   "data only and never calls other endpoints")
        if info.form is None:
            raise errors.QuerySyntaxError("Malformed query: no SELECT, CONSTRUCT, DESCRIBE or ASK found")
        fmt = sparqlformats.BY_NAME[job.format]
        if fmt.kind != info.kind:
            form = {"SELECT": "SELECT", "ASK": "ASK"}.get(info.form, "CONSTRUCT or DESCRIBE")
            raise errors.NotAcceptable(f"format {fmt.name} does not fit a {form} query")
        query = _with_base(job.query, job.base_iri)
        timeout = self.settings.query_timeout
        deadline = started + timeout
        dataset = self._dataset(job.union, job.default_graph, job.named_graphs)
        try:
            if info.form == "DESCRIBE":
                triples = self._describe(query, deadline, dataset, job.max_rows)
                body = sparqlformats.serialize_triples(triples, fmt, dict(job.prefixes) or None)
                kind, rows = "graph", len(triples)
            elif info.kind == "graph":
                triples = self._triples(query, deadline, dataset, job.max_rows)
                body = sparqlformats.serialize_triples(triples, fmt, dict(job.prefixes) or None)
                kind, rows = "graph", len(triples)
            else:
                result = self._solutions(query, deadline, dataset, job.max_rows)
                if isinstance(result, bool):
                    body, kind, rows = sparqlformats.serialize_boolean(result, fmt), "boolean", 1
                else:
                    variables, table = result
                    body = sparqlformats.serialize_solutions(variables, table, fmt)
                    kind, rows = "solutions", len(table)
        except (_Deadline, _Truncated):
            raise errors.LimitExceeded(f"The query was stopped at the time limit of {timeout:g} s (query_timeout, NARCOKG_QUERY_TIMEOUT). "
                "Make it more selective (more specific patterns, a LIMIT, fewer cross products) and try again.",
                limit="query_timeout", seconds=time.monotonic() - started) from None
        except _RowLimit:
            what = "triples" if info.kind == "graph" else "rows"
            raise errors.LimitExceeded(f"The answer is too large: the answer has more than {job.max_rows} {what}; the limit is "
                f"{job.max_rows} (max_rows, NARCOKG_MAX_ROWS). Add a LIMIT or make the query more selective.",
                limit="max_rows", seconds=time.monotonic() - started) from None
        return Answer(kind, body, rows, time.monotonic() - started, self.where)

    def _describe(self, query: str, deadline: float, dataset, max_rows: int) -> list[ox.Triple]:
        """DESCRIBE as narcokg defines it: each described IRI's own statements."""
        select = describe_as_select(query)
        if select is None:
            raise errors.QuerySyntaxError("Malformed query: this DESCRIBE could not be read")
        result = self._solutions(select, deadline, dataset, max_rows)
        if isinstance(result, bool):
            return []
        resources = sorted({t for row in result[1] for t in row if isinstance(t, ox.NamedNode)}, key=str)
        out: list[ox.Triple] = []
        for start in range(0, len(resources), 200):
            chunk = resources[start:start + 200]
            values = " ".join(str(r) for r in chunk)
            construct = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ VALUES ?s {{ {values} }} ?s ?p ?o }}"
            out.extend(self._triples(construct, deadline, dataset, max_rows - len(out)))
        return out

    # The server's own reads -------------------------------------------------------------
    def _own_solutions(self, query: str, union: bool = True):
        deadline = time.monotonic() + max(OWN_TIMEOUT, self.settings.query_timeout)
        try:
            return self._solutions(query, deadline, self._dataset(union, None, None), 2**62)
        except (_Deadline, _Truncated):
            raise errors.Busy("The query engine did not answer in time; try again shortly.", retry_after=2) from None

    def quads(self, s=None, p=None, o=None, g=None) -> Iterator[ox.Quad]:
        for term in (s, p, o, g):
            if term is not None and not isinstance(term, (ox.NamedNode, ox.Literal)):
                return iter(())  # a blank node of this process cannot name one of the endpoint's
        names = ("s", "p", "o", "g")
        given = dict(zip(names, (s, p, o, g)))
        pattern = {n: (str(t) if t is not None else "?" + n) for n, t in given.items()}
        wanted = [n for n in names if given[n] is None]
        graphs = ""
        if self.dialect != "oxigraph" and g is None:
            graphs = " ".join(f"FROM NAMED <{x}>" for x in self.graphs())
        query = (f"SELECT {' '.join('?' + n for n in wanted) or '*'} {graphs} WHERE {{ GRAPH {pattern['g']} "
                 f"{{ {pattern['s']} {pattern['p']} {pattern['o']} }} }}")
        if not wanted:
            query = f"ASK {graphs} WHERE {{ GRAPH {pattern['g']} {{ {pattern['s']} {pattern['p']} {pattern['o']} }} }}"
            result = self._own_solutions(query, union=False)
            return iter([ox.Quad(s, p, o, g)] if result else [])
        return self._stream_quads(query, given)

    def _stream_quads(self, query: str, given: dict) -> Iterator[ox.Quad]:
        """Quads read as the answer streams in: a caller that stops early (a fragment's page, an
        existence check) closes the connection instead of fetching every match."""
        names = ("s", "p", "o", "g")
        deadline = time.monotonic() + max(OWN_TIMEOUT, self.settings.query_timeout)
        body = self._post(query, JSON if self.dialect == "oxigraph" else XML, deadline, [], truncated_ok=True)
        try:
            kind = ox.QueryResultsFormat.JSON if self.dialect == "oxigraph" else ox.QueryResultsFormat.XML
            try:
                result = ox.parse_query_results(io.BufferedReader(body, 1 << 16), kind)
                index = {v.value: i for i, v in enumerate(result.variables)}
                for solution in result:
                    row = tuple(solution)
                    yield ox.Quad(*[given[n] if given[n] is not None else row[index[n]] for n in names])
                body.drain()
            except (SyntaxError, ValueError, OSError, _Truncated, _Deadline):
                raise errors.Busy("The query engine did not answer in time; try again shortly.",
                                  retry_after=2) from None
        finally:
            self._drop(body)

    def select(self, query: str, **bindings) -> list[dict[str, object]]:
        if bindings:
            query = bind(query, bindings)
        result = self._own_solutions(query)
        if isinstance(result, bool):
            return []
        variables, rows = result
        return [{n: t for n, t in zip(variables, row) if t is not None} for row in rows]

    def graphs(self) -> list[str]:
        if self._graphs is None:
            # Virtuoso lists no graph for an empty GRAPH pattern: ask for graphs with a statement.
            pattern = "{ }" if self.dialect == "oxigraph" else "{ ?s ?p ?o }"
            result = self._own_solutions(f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {pattern} }}", union=False)
            names = [row[0].value for row in result[1] if isinstance(row[0], ox.NamedNode)]
            if self.dialect != "oxigraph":  # an endpoint's own graphs (Virtuoso's system graphs) are not ours
                names = [n for n in names if n.startswith(self.settings.base + "graph/")]
            self._graphs = sorted(names)
        return list(self._graphs)

    def size(self) -> int:
        if self._size is None:
            graphs = "" if self.dialect == "oxigraph" else " ".join(f"FROM NAMED <{g}>" for g in self.graphs())
            result = self._own_solutions(f"SELECT (COUNT(*) AS ?n) {graphs} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
                                         union=False)
            self._size = int(result[1][0][0].value)
        return self._size

    __len__ = size


# Helpers ----------------------------------------------------------------------------------




def _excerpt(response) -> str:
    """The start of an error body as one printable line (an endpoint's message)."""
    try:
        raw = response.read(600) or b""
    except Exception:  # noqa: BLE001
        raw = b""
    text = raw.decode("utf-8", "replace")
    text = "".join(c if c.isprintable() else " " for c in text)
    return " ".join(text.split())[:300] or f"status {response.status}"


def _with_base(query: str, base: str | None) -> str:
    """``query`` with a BASE for its relative IRIs (the endpoint's IRI), unless it sets one."""
    if not base:
        return query
    for t in tokens(query):
        if t.kind == "word" and t.text.upper() == "BASE":
            return query
        if t.kind == "word" and t.text.upper() in ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK"):
            break
    return f"BASE {ox.NamedNode(base)}\n{query}"


def describe_as_select(query: str) -> str | None:
    """The SELECT of the resources a DESCRIBE names (its variables and constant IRIs), over the
    same WHERE clause, dataset and modifiers; None when it cannot be read. Cut at token
    boundaries of ``syntax.tokens``; the endpoint's parser reads the result, so a misreading
    can only give a syntax error or the description of other resources."""
    toks = tokens(query)
    at = next((i for i, t in enumerate(toks) if t.kind == "word" and t.text.upper() == "DESCRIBE"), None)
    if at is None:
        return None
    i = at + 1
    targets = []
    while i < len(toks):
        t = toks[i]
        if t.kind == "word" and t.text.upper() in ("WHERE", "FROM") or t.text == "{":
            break
        targets.append(t)
        i += 1
    if not targets:
        return None
    projection = []
    for n, t in enumerate(targets):
        if t.text == "*":
            projection = ["*"]
            break
        if t.kind == "var":
            projection.append(t.text)
        elif t.kind in ("iri", "pname"):
            projection.append(f"({t.text} AS ?__described{n})")
        else:
            return None
    head = query[:toks[at].start]
    rest = query[toks[i].start:] if i < len(toks) else ""
    if not any(t.text == "{" for t in toks[i:]):
        rest += " WHERE {}"
    return f"{head}SELECT DISTINCT {' '.join(projection)} {rest}"


def bind(query: str, bindings: dict) -> str:
    """``query`` with a VALUES block binding ``bindings`` (variable name → pyoxigraph term) at the
    start of its WHERE group: the terms are written by pyoxigraph, never from text."""
    names, terms = [], []
    for name, term in bindings.items():
        ox.Variable(name)  # raises on a name that is not a variable name
        if not isinstance(term, (ox.NamedNode, ox.Literal)):
            raise TypeError(f"cannot bind ?{name} to {type(term).__name__}")
        names.append("?" + name)
        terms.append(str(term))
    brace = next((t for t in tokens(query) if t.text == "{"), None)
    if brace is None:
        raise ValueError("the query has no group to bind variables in")
    values = f" VALUES ({' '.join(names)}) {{ ({' '.join(terms)}) }} "
    return query[:brace.start + 1] + values + query[brace.start + 1:]
