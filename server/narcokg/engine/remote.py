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
- An endpoint that answers nothing (stopped, hung: it still accepts connections) is told from a
  costly query by a trivial one (``responsive``: ``ASK {}`` within ``engine_probe_seconds``, or
  any other answer begun meanwhile: a busy engine is not a silent one), asked when
  the time limit passes and every ``httppool.CHECK_EVERY`` seconds while no answer has begun: a
  silent endpoint is a 503 (``EngineStalled``), never the client's 422, and while it stays silent
  requests are refused at once (``_refuse_while_silent``).
- Answers are parsed and re-serialized here, so every engine answers in narcokg's formats with
  narcokg's term forms (Virtuoso's JSON ``typed-literal`` becomes a plain typed literal).
- DESCRIBE is built here: the described resources are selected on the endpoint, then their
  statements fetched with a CONSTRUCT (engines disagree on what a description holds).
- The union default graph: Oxigraph server is asked for it per request, with its own
  ``union-default-graph`` parameter, and only when the query names no dataset. Started with
  ``--union-default-graph`` instead, it ignores a query's FROM and FROM NAMED (``ASK FROM
  <urn:none> { ?s ?p ?o }`` was true), so narcokg starts it without. A generic endpoint is sent
  the snapshot's graphs as ``default-graph-uri`` and ``named-graph-uri``.
  Virtuoso's default graph is every graph it holds, its own system graphs too, and it takes
  seconds to minutes over ``default-graph-uri`` naming the snapshot's 52 graphs at 1M triples,
  so its default graph is narrowed the other way: every graph it holds that is not the
  snapshot's is excluded (``DEFINE input:default-graph-exclude``: about the time of no dataset
  with one or two excluded, ~40% more from the third on). A query with a GRAPH pattern (from
  its parse) also names the snapshot's graphs as ``named-graph-uri``: without them Virtuoso 7.2
  reads ``GRAPH <g>`` as empty once a pragma sets the default graph, while ``GRAPH ?g`` still
  ranges over its system graphs; a query without GRAPH cannot see named graphs, and is spared
  the parameters' cost. One exception, also from the parse: Virtuoso 7.2 evaluates a repeated
  path step (``*``, ``+``, ``?``; seen with the first two) inside EXISTS, NOT EXISTS or MINUS
  as matching nothing under the exclusion (catalogue query 30), so such a query names the
  snapshot's graphs as ``default-graph-uri`` (exact, slow at scale). The graphs are listed
  once, when first needed: a graph loaded into the same Virtuoso later is in the default graph
  until narcokg restarts (as a new snapshot is served only after a restart).

The exchange itself (the POST, the streaming reads, the endpoint's own stops) is
``engine.sparqlhttp``; the query rewriting (BASE, DESCRIBE, VALUES) is ``engine.querytext``.
"""

from __future__ import annotations

import io
import logging
import threading
import time
from typing import Iterator
from urllib.parse import urlsplit

import pyoxigraph as ox

from narcokg import errors
from narcokg.config import Settings
from narcokg.engine import policy, querytext, sparqlhttp
from narcokg.engine.base import Answer, QueryJob
from narcokg.engine.syntax import analyse
from narcokg.formats import sparql as sparqlformats

log = logging.getLogger("narcokg.engine.remote")

DIALECTS = ("oxigraph", "virtuoso", "generic")
#: Virtuoso's own configuration graph, always there: excluded even if not listed, so that the
#: exclusion is never empty (the other graphs are excluded when listed: each one more costs
#: Virtuoso 7.2 time, the third about 40% more per aggregate at 1M triples).
VIRTUOSO_CONFIGURATION = "http://www.openlinksw.com/schemas/virtrdf#"
#: A graph no engine holds: named so that a request's own dataset is never empty to Virtuoso
#: (``RemoteEngine._confined``).
NO_GRAPH = "urn:narcokg:no-graph"
#: Oxigraph server's own parameter for the union of all graphs as the default graph.
OXIGRAPH_UNION = sparqlhttp.Dataset((("union-default-graph", ""),))
#: Seconds the server's own reads (pages, search, VoID) may take.
OWN_TIMEOUT = 60.0
#: Seconds between probes of an endpoint found silent; requests in between fail at once.
RECHECK = 1.0
#: What a client is told when its query ran out of time on an endpoint that answers nothing.
STALLED = (
    "The query engine is not answering: a trivial query got no answer within {probe:g} s either, so "
    "the time limit was not your query's doing (the engine is stopped, hung or overloaded). "
    "Try again shortly."
)


class RemoteEngine:
    """The snapshot served by the SPARQL endpoint at ``url`` (see the module's docstring)."""

    def __init__(self, settings: Settings, url: str, dialect: str = "generic", size: int | None = None):
        """``size``: the number of quads, when the caller knows it (it loaded the store)."""
        if dialect not in DIALECTS:
            raise ValueError(f"unknown engine dialect {dialect!r}: use one of {', '.join(DIALECTS)}")
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("the engine URL must be an http:// or https:// URL of a SPARQL endpoint")
        self.settings = settings
        self.url = url
        self.dialect = dialect
        self.where = f"{dialect} engine"
        self._endpoint = sparqlhttp.Endpoint(url, dialect, connections=max(4, settings.web_threads * 2))
        self._graphs: list[str] | None = None
        #: The endpoint's graphs that are not the snapshot's (Virtuoso's system graphs, others').
        self._foreign: list[str] = []
        self._size: int | None = size
        #: The last probe found the endpoint silent (``responsive``): while it is, requests are
        #: refused at once (503) instead of each waiting out its deadline, which held a web
        #: thread 60 s per page and left none for anything else.
        self._silent = False
        self._probed = float("-inf")
        self._probing = threading.Lock()
        #: A supervised engine's count of its deaths (``sparqlhttp.Endpoint._send``); None here:
        #: an engine by URL is sent a query again after it came back, whatever closed it.
        self.crashes = None

    # Lifecycle ------------------------------------------------------------------------
    def start(self) -> None:
        """Nothing to start: connections are made on demand, per process (the pool drops
        connections inherited across a fork)."""

    def close(self) -> None:
        self._endpoint.pool.clear()

    # Talking to the endpoint ------------------------------------------------------------
    def _dataset(self, union: bool, default_graph, named_graphs, query: str, info=None) -> sparqlhttp.Dataset:
        """The dataset a request for ``query`` names (see the module's docstring); ``info``, its
        analysis when the caller has it already."""
        confined = self._confined() if self.dialect == "virtuoso" and not union else ""
        if default_graph is not None or named_graphs is not None:
            return sparqlhttp.Dataset(
                tuple(("default-graph-uri", g) for g in default_graph or ())
                + tuple(("named-graph-uri", g) for g in named_graphs or ()),
                confined,
            )
        if not union:
            return sparqlhttp.Dataset((), confined)
        if self._union_is_ours():
            return OXIGRAPH_UNION
        graphs = self.graphs()
        named = tuple(("named-graph-uri", g) for g in graphs)
        info = info or analyse(query)
        if self.dialect == "virtuoso" and not info.nested_repetition:
            excluded = sorted({VIRTUOSO_CONFIGURATION, *self._foreign})
            pragmas = "".join(f"DEFINE input:default-graph-exclude {ox.NamedNode(g)}\n" for g in excluded)
            return sparqlhttp.Dataset(named if info.graph_pattern else (), pragmas)
        return sparqlhttp.Dataset(tuple(("default-graph-uri", g) for g in graphs) + named)

    def _confined(self) -> str:
        """Virtuoso's pragmas for a request that names its own dataset (FROM, FROM NAMED or the
        protocol's parameters): every graph it holds that is not the snapshot's is excluded, as
        default and as named graph, by Virtuoso itself, whatever the text names (it refuses a FROM
        of an excluded graph). Without them ``FROM <…virtrdf#>`` read Virtuoso's system graph, and
        so did ``GRAPH ?g`` under a FROM alone. ``NO_GRAPH`` is named too: Virtuoso adds these
        pragmas' graphs to the text's, so a dataset with no FROM (or no FROM NAMED) stays empty
        there, as SPARQL says, instead of becoming every graph not excluded."""
        self.graphs()  # lists the endpoint's other graphs (``_foreign``) when first needed
        excluded = sorted({VIRTUOSO_CONFIGURATION, *self._foreign})
        lines = [
            f"DEFINE input:{kind}-graph-exclude {ox.NamedNode(g)}\n" for g in excluded for kind in ("default", "named")
        ]
        lines += [f"DEFINE input:{kind}-graph-uri {ox.NamedNode(NO_GRAPH)}\n" for kind in ("default", "named")]
        return "".join(lines)

    def union_dataset(self, query: str) -> sparqlhttp.Dataset:
        """The dataset named for ``query`` over the union default graph, as ``execute`` names it
        (the scale benchmark asks Virtuoso directly the same way)."""
        return self._dataset(True, None, None, query)

    # Client queries ----------------------------------------------------------------------
    def execute(self, job: QueryJob, client: int | None = None) -> Answer:
        # A client that hangs up while the endpoint computes closes the connection to it, which
        # stops the query there (``client``, the requesting connection's socket); the deadline
        # bounds the rest.
        started = time.monotonic()
        # The text sent is analysed, not the client's: without comments for an engine whose parser
        # is not pyoxigraph's (``querytext.without_comments``: they end comments elsewhere).
        text = job.query if self.dialect == "oxigraph" else querytext.without_comments(job.query)
        info = analyse(text)
        policy.refuse(info, self.settings)  # the web refused these already; the seam does not rely on it
        if info.form is None:
            raise errors.QuerySyntaxError("Malformed query: no SELECT, CONSTRUCT, DESCRIBE or ASK found")
        fmt = sparqlformats.BY_NAME[job.format]
        if fmt.kind != info.kind:
            form = {"SELECT": "SELECT", "ASK": "ASK"}.get(info.form, "CONSTRUCT or DESCRIBE")
            raise errors.NotAcceptable(f"format {fmt.name} does not fit a {form} query")
        self._refuse_while_silent()
        query = querytext.with_base(text, job.base_iri)
        timeout = self.settings.query_timeout
        deadline = started + timeout
        dataset = self._dataset(job.union, job.default_graph, job.named_graphs, text, info)
        try:
            if info.form == "DESCRIBE":
                triples = self._describe(query, deadline, dataset, job.max_rows)
                body = sparqlformats.serialize_triples(triples, fmt, dict(job.prefixes) or None)
                kind, rows = "graph", len(triples)
            elif info.kind == "graph":
                triples = self._endpoint.triples(
                    query, deadline, dataset, job.max_rows, client=client, check=self.responsive, crashes=self.crashes
                )
                body = sparqlformats.serialize_triples(triples, fmt, dict(job.prefixes) or None)
                kind, rows = "graph", len(triples)
            else:
                result = self._endpoint.solutions(
                    query, deadline, dataset, job.max_rows, client=client, check=self.responsive, crashes=self.crashes
                )
                if isinstance(result, bool):
                    body, kind, rows = sparqlformats.serialize_boolean(result, fmt), "boolean", 1
                else:
                    variables, table = result
                    body = sparqlformats.serialize_solutions(variables, table, fmt)
                    kind, rows = "solutions", len(table)
        except sparqlhttp.Silent:  # no answer begun, and none to a trivial query either
            raise errors.EngineStalled(
                STALLED.format(probe=self.settings.engine_probe_seconds), retry_after=5
            ) from None
        except sparqlhttp.Truncated:
            elapsed = time.monotonic() - started
            if elapsed < timeout:  # not the engine's time limit (Oxigraph's is set to ours or later)
                raise errors.LimitExceeded(
                    f"The query engine broke off its answer after {elapsed:.1f} s, before the time limit: it "
                    "failed while evaluating this query. Retrying will not help; rephrase the query.",
                    limit="engine_error",
                    seconds=elapsed,
                ) from None
            raise self._out_of_time(timeout, started) from None
        except sparqlhttp.Deadline:
            raise self._out_of_time(timeout, started) from None
        except sparqlhttp.RowLimit:
            what = "triples" if info.kind == "graph" else "rows"
            raise errors.LimitExceeded(
                f"The answer is too large: the answer has more than {job.max_rows} {what}; the limit is "
                f"{job.max_rows} (max_rows, NARCOKG_MAX_ROWS). Add a LIMIT or make the query more selective.",
                limit="max_rows",
                seconds=time.monotonic() - started,
            ) from None
        return Answer(kind, body, rows, time.monotonic() - started, self.where)

    def _out_of_time(self, timeout: float, started: float) -> errors.NarcokgError:
        """No whole answer in time: the query's cost, or an engine that answers nothing at all (a
        stopped or hung process still accepts connections)? A trivial query tells them apart, so
        that a client is not blamed for the engine."""
        if not self.responsive():
            return errors.EngineStalled(STALLED.format(probe=self.settings.engine_probe_seconds), retry_after=5)
        return errors.LimitExceeded(
            f"The query was stopped at the time limit of {timeout:g} s (query_timeout, NARCOKG_QUERY_TIMEOUT). "
            "Make it more selective (more specific patterns, a LIMIT, fewer cross products) and try again.",
            limit="query_timeout",
            seconds=time.monotonic() - started,
        )

    def _describe(self, query: str, deadline: float, dataset, max_rows: int) -> list[ox.Triple]:
        """DESCRIBE as narcokg defines it: each described IRI's own statements."""
        select = querytext.describe_as_select(query)
        if select is None:
            raise errors.QuerySyntaxError("Malformed query: this DESCRIBE could not be read")
        result = self._endpoint.solutions(select, deadline, dataset, max_rows, check=self.responsive)
        if isinstance(result, bool):
            return []
        resources = sorted({t for row in result[1] for t in row if isinstance(t, ox.NamedNode)}, key=str)
        out: list[ox.Triple] = []
        for start in range(0, len(resources), 200):
            chunk = resources[start : start + 200]
            values = " ".join(str(r) for r in chunk)
            construct = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ VALUES ?s {{ {values} }} ?s ?p ?o }}"
            out.extend(self._endpoint.triples(construct, deadline, dataset, max_rows - len(out), check=self.responsive))
        return out

    def responsive(self) -> bool:
        """Whether the endpoint answers: ``ASK {}`` within ``engine_probe_seconds``, or any other
        answer begun while the probe waited (remembered: see ``_refuse_while_silent``).

        Why the second: an engine that is only busy queues the probe behind the queries it is
        answering. Replicas sharing it would all call it silent at once and leave the load
        balancer's rotation together, failing every request instead of answering them late."""
        asked = time.monotonic()
        try:
            answer = self._endpoint.solutions(
                "ASK {}", asked + self.settings.engine_probe_seconds, sparqlhttp.NO_DATASET, 1
            )
            ok = isinstance(answer, bool)
        except (sparqlhttp.Deadline, sparqlhttp.Truncated, sparqlhttp.RowLimit, errors.NarcokgError):
            ok = self._endpoint.pool.heard >= asked
        self._silent, self._probed = not ok, time.monotonic()
        return ok

    def _refuse_while_silent(self) -> None:
        """While the endpoint is known to answer nothing, refuse at once (``EngineStalled``); one
        thread at a time asks it again, at most once per ``RECHECK`` seconds."""
        if not self._silent:
            return
        if time.monotonic() - self._probed >= RECHECK and self._probing.acquire(blocking=False):
            try:
                if self.responsive():
                    return
            finally:
                self._probing.release()
        raise errors.EngineStalled(STALLED.format(probe=self.settings.engine_probe_seconds), retry_after=5)

    # The server's own reads -------------------------------------------------------------
    def _own_solutions(self, query: str, union: bool = True, dataset: sparqlhttp.Dataset | None = None):
        """``dataset``: as given (the listing of the endpoint's graphs), not from ``union``."""
        self._refuse_while_silent()
        deadline = time.monotonic() + max(OWN_TIMEOUT, self.settings.query_timeout)
        dataset = dataset or self._dataset(union, None, None, query)
        try:
            return self._endpoint.solutions(query, deadline, dataset, 2**62, check=self.responsive)
        except sparqlhttp.Silent:
            raise errors.EngineStalled(
                STALLED.format(probe=self.settings.engine_probe_seconds), retry_after=5
            ) from None
        except (sparqlhttp.Deadline, sparqlhttp.Truncated):
            raise self._late() from None
        except sparqlhttp.RowLimit:  # Virtuoso's own cap (ResultSetMaxRows) cut one of our reads
            log.warning("the %s cut one of the server's own reads at its row cap (ResultSetMaxRows)", self.where)
            raise errors.Busy(
                "The query engine cut this read at its own row cap; the operator must raise it (Virtuoso: "
                "ResultSetMaxRows).",
                retry_after=60,
            ) from None

    def _late(self) -> errors.Busy:
        """The error for one of the server's own reads that got no (whole) answer in time."""
        if not self.responsive():
            return errors.EngineStalled(STALLED.format(probe=self.settings.engine_probe_seconds), retry_after=5)
        return errors.Busy("The query engine did not answer in time; try again shortly.", retry_after=2)

    def quads(self, s=None, p=None, o=None, g=None) -> Iterator[ox.Quad]:
        for term in (s, p, o, g):
            if term is not None and not isinstance(term, (ox.NamedNode, ox.Literal)):
                return iter(())  # a blank node of this process cannot name one of the endpoint's
        if g is not None and (not isinstance(g, ox.NamedNode) or g.value not in self.graphs()):
            # Not one of the snapshot's graphs: Virtuoso's system graphs (a fragment of
            # ``graph=…virtrdf#`` listed Virtuoso's configuration) or another's are not served.
            return iter(())
        names = ("s", "p", "o", "g")
        given = dict(zip(names, (s, p, o, g)))
        pattern = {n: (str(t) if t is not None else "?" + n) for n, t in given.items()}
        wanted = [n for n in names if given[n] is None]
        graphs = ""
        if g is None and not self._union_is_ours():
            graphs = " ".join(f"FROM NAMED <{x}>" for x in self.graphs())
        query = (
            f"SELECT {' '.join('?' + n for n in wanted) or '*'} {graphs} WHERE {{ GRAPH {pattern['g']} "
            f"{{ {pattern['s']} {pattern['p']} {pattern['o']} }} }}"
        )
        if not wanted:
            query = f"ASK {graphs} WHERE {{ GRAPH {pattern['g']} {{ {pattern['s']} {pattern['p']} {pattern['o']} }} }}"
            result = self._own_solutions(query, union=False)
            return iter([ox.Quad(s, p, o, g)] if result else [])
        return self._stream_quads(query, given)

    def _stream_quads(self, query: str, given: dict) -> Iterator[ox.Quad]:
        """Quads read as the answer streams in: a caller that stops early (a fragment's page, an
        existence check) closes the connection instead of fetching every match."""
        names = ("s", "p", "o", "g")
        self._refuse_while_silent()
        deadline = time.monotonic() + max(OWN_TIMEOUT, self.settings.query_timeout)
        results = self._endpoint.results
        try:
            body = self._endpoint.post(
                query, results.media_type, deadline, sparqlhttp.NO_DATASET, truncated_ok=True, check=self.responsive
            )
        except sparqlhttp.Silent:
            raise errors.EngineStalled(
                STALLED.format(probe=self.settings.engine_probe_seconds), retry_after=5
            ) from None
        except (sparqlhttp.Deadline, sparqlhttp.Truncated):  # no answer: a 500 before (nobody's exception)
            raise self._late() from None
        result = None
        try:
            try:
                result = ox.parse_query_results(io.BufferedReader(body, 1 << 16), results.results_format)
                index = {v.value: i for i, v in enumerate(result.variables)}
                for solution in result:
                    row = tuple(solution)
                    yield ox.Quad(*[given[n] if given[n] is not None else row[index[n]] for n in names])
                body.drain()
            except (SyntaxError, ValueError, OSError, sparqlhttp.Truncated, sparqlhttp.Deadline):
                raise self._late() from None
        finally:
            result = None  # noqa: F841 -- freed here, not by whoever frees an exception (sparqlhttp.solutions)
            self._endpoint.drop(body)

    def select(self, query: str, **bindings) -> list[dict[str, object]]:
        if bindings:
            query = querytext.bind(query, bindings)
        result = self._own_solutions(query)
        if isinstance(result, bool):
            return []
        variables, rows = result
        return [{n: t for n, t in zip(variables, row) if t is not None} for row in rows]

    def graphs(self) -> list[str]:
        if self._graphs is None:
            # Virtuoso lists no graph for an empty GRAPH pattern: ask for graphs with a statement.
            # GROUP BY, not DISTINCT: Virtuoso 7.2 took minutes over DISTINCT at 1M triples, 0.06 s so.
            query = (
                "SELECT DISTINCT ?g WHERE { GRAPH ?g { } }"
                if self.dialect == "oxigraph"
                else "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
            )
            result = self._own_solutions(query, dataset=sparqlhttp.NO_DATASET)
            names = [row[0].value for row in result[1] if isinstance(row[0], ox.NamedNode)]
            # An endpoint's own graphs (Virtuoso's system graphs) and graphs loaded beside the
            # snapshot are not ours.
            ours = self.settings.served_base + "graph/"
            self._foreign = sorted(n for n in names if not n.startswith(ours))
            self._graphs = sorted(n for n in names if n.startswith(ours))
        return list(self._graphs)

    def other_graphs(self) -> list[str]:
        """The endpoint's named graphs that are not the snapshot's (system graphs, others' data)."""
        self.graphs()
        return list(self._foreign)

    def _union_is_ours(self) -> bool:
        """Whether the endpoint's own union of its graphs is the snapshot: an Oxigraph server that
        holds nothing else (``union-default-graph``, the cheap way). Otherwise the snapshot's
        graphs are named in each request, so that other graphs stay out of answers and pages."""
        self.graphs()  # lists the endpoint's other graphs (``_foreign``) when first needed
        return self.dialect == "oxigraph" and not self._foreign

    def size(self) -> int:
        if self._size is None:
            graphs = "" if self._union_is_ours() else " ".join(f"FROM NAMED <{g}>" for g in self.graphs())
            result = self._own_solutions(
                f"SELECT (COUNT(*) AS ?n) {graphs} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}", union=False
            )
            self._size = int(result[1][0][0].value)
        return self._size

    __len__ = size
