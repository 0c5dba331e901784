"""The HTTP exchange with a SPARQL endpoint: a query POSTed as a form, its answer read as it
streams in, every read bounded by a deadline and the rows counted against a limit.

Requests are POSTed as ``application/x-www-form-urlencoded`` (never ``application/sparql-query``,
on which Virtuoso hangs) over kept-alive connections of this process (``narcokg.engine.httppool``).
An endpoint's own stops are read as narcokg's: a body that ends early or does not parse is a
query stopped by the endpoint's timeout (``Truncated``); Virtuoso flags its timeout
(``X-SQL-State: S1TAT``) and its row cap (``X-SPARQL-MaxRows``) only in headers of a 200 answer.
"""

from __future__ import annotations

import io
import logging
import re
import socket
import time
from dataclasses import dataclass
from http.client import HTTPException
from urllib.parse import urlencode

import pyoxigraph as ox

from narcokg import errors
from narcokg.engine import httppool
from narcokg.formats import registry

log = logging.getLogger("narcokg.engine.remote")

#: Seconds to open a connection to the endpoint (a local or nearby service).
CONNECT_TIMEOUT = 3.0
#: Seconds a trivial query (``ASK {}``) may take before the endpoint counts as not answering.
PROBE_TIMEOUT = 2.0


@dataclass(frozen=True)
class Dataset:
    """What a request names as its dataset: protocol parameters (``default-graph-uri``,
    ``named-graph-uri``) and, for Virtuoso, ``DEFINE`` pragmas put before the query's text."""

    params: tuple[tuple[str, str], ...] = ()
    pragmas: str = ""


#: The endpoint's own dataset.
NO_DATASET = Dataset()


class Truncated(Exception):
    """The endpoint's answer ended early or could not be read: it stopped the query itself."""


class Deadline(Exception):
    """narcokg's own time limit passed while the answer was being read."""


class RowLimit(Exception):
    """The answer holds more rows or triples than the caller may read."""


class Crashed(Exception):
    """The connection closed without an answer while the engine died of something its supervisor
    did not do (``crashes`` counted it): sending the query again may kill it again."""


class Silent(Exception):
    """No answer had begun, and the caller's check found the endpoint answering nothing at all."""


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
            raise Deadline()
        if self.conn.sock is not None:
            self.conn.sock.settimeout(remaining)
        try:
            data = self.response.read(len(buffer))
        except (socket.timeout, TimeoutError):
            raise Deadline() from None
        except (OSError, HTTPException, ValueError):
            raise Truncated() from None
        if not data:
            self.eof = True
        buffer[: len(data)] = data
        return len(data)

    def drain(self) -> None:
        """Read what is left after the parser is done (a chunked body's last chunk)."""
        while not self.eof:
            if not self.readinto(bytearray(1 << 14)) and not self.eof:
                break


class Endpoint:
    """One SPARQL endpoint of a ``dialect`` (``oxigraph``, ``virtuoso`` or ``generic``), with this
    process's connections to it."""

    def __init__(self, url: str, dialect: str, connections: int):
        self.url = url
        self.dialect = dialect
        self.where = f"{dialect} engine"
        #: Solutions are asked for in SPARQL JSON from Oxigraph, in XML from the others (whose
        #: JSON writers differ in their term forms).
        self.results = registry.JSON if dialect == "oxigraph" else registry.XML
        self.pool = httppool.Pool(url, size=connections, connect_timeout=CONNECT_TIMEOUT)

    def post(
        self,
        query: str,
        accept: str,
        deadline: float,
        dataset: Dataset,
        truncated_ok: bool = False,
        client: int | None = None,
        check=None,
        crashes=None,
    ):
        """Send ``query``; the streaming response (status checked) or a ``narcokg.errors`` error.
        A ``client`` that hangs up before the endpoint answers stops the query there; ``check``,
        asked while no answer has begun (``httppool.CHECK_EVERY``), ends the wait when it finds
        the endpoint answering nothing at all (``Silent``)."""
        fields = [("query", dataset.pragmas + query), *dataset.params]
        if self.dialect == "virtuoso":
            remaining = max(1, int((deadline - time.monotonic()) * 1000))
            fields.append(("timeout", str(remaining)))  # Virtuoso stops (and flags) at this many ms
        try:
            conn, response = self._send(urlencode(fields).encode("ascii"), accept, deadline, client, check, crashes)
        except _EngineDied:
            raise Crashed() from None
        except httppool.Silent:
            raise Silent() from None
        except httppool.Dropped:  # closed twice without an answer: the engine fails on this query
            raise Truncated() from None
        except httppool.ClientGone:
            raise errors.RequestError("The connection was closed before the answer; the query was stopped.") from None
        except httppool.Deadline:
            raise Deadline() from None
        except httppool.Unreachable:
            log.warning("the %s at %s is unreachable", self.where, self.url)
            raise errors.Busy("The query engine is unreachable just now; try again shortly.", retry_after=2) from None
        exchange = _Body(conn, response, deadline)
        if response.status != 200:
            text = excerpt(response)
            self.drop(exchange)
            if response.status in (400, 406):
                raise errors.QueryRejected(f"The query engine refused the query: {text}")
            if "exceeds the limit" in text and "estimated execution time" in text:
                raise Deadline()  # Virtuoso refuses up front what its planner expects to run too long
            if self.dialect == "virtuoso" and _query_s_fault(text):
                raise errors.LimitExceeded(
                    f"The query engine could not evaluate this query: {text}. Retrying will not help; rephrase "
                    "the query.",
                    limit="engine_error",
                )
            log.warning("the %s answered %s: %s", self.where, response.status, text)
            raise errors.Busy("The query engine could not answer just now; try again shortly.", retry_after=2)
        state = response.headers.get("X-SQL-State", "")
        if state == "S1TAT":  # Virtuoso: stopped at its time limit, partial answer
            self.drop(exchange)
            raise Deadline()
        if response.headers.get("X-SPARQL-MaxRows"):  # Virtuoso: cut at its own row cap
            if truncated_ok:  # the server's own scan, read as far as it goes (a page, a check)
                log.warning("the %s cut a scan at its row cap (ResultSetMaxRows)", self.where)
                return exchange
            self.drop(exchange)
            raise RowLimit()
        return exchange

    def _send(self, body: bytes, accept: str, deadline: float, client, check, crashes=None):
        """The pool's POST, once more when the endpoint closed the connection without an answer
        (``httppool.Dropped``) and then answers a trivial query (``check``) again: it died of
        something else (killed, restarted). A second close is this query's doing; an endpoint
        that does not come back is unreachable. ``crashes`` (a supervised engine's count of its
        deaths): when it moved meanwhile, the query is not sent again (``_EngineDied``)."""
        seen = crashes() if crashes is not None else None
        try:
            return self.pool.post_form(body, {"Accept": accept}, deadline, client=client, check=check)
        except httppool.Dropped:
            if check is None or not _back(check, deadline):
                raise httppool.Unreachable() from None
            if crashes is not None and crashes() != seen:
                raise _EngineDied() from None
        return self.pool.post_form(body, {"Accept": accept}, deadline, client=client, check=check)

    def solutions(self, query: str, deadline: float, dataset: Dataset, max_rows: int, **sending):
        """(variables, rows) or a bool, read as the answer streams in; ``sending``: ``post``'s
        ``client``, ``check`` and ``crashes``."""
        body = self.post(query, self.results.media_type, deadline, dataset, **sending)
        result = None
        try:
            try:
                result = ox.parse_query_results(io.BufferedReader(body, 1 << 16), self.results.results_format)
                if isinstance(result, ox.QueryBoolean):
                    body.drain()
                    return bool(result)
                variables = [v.value for v in result.variables]
                rows = []
                for solution in result:
                    rows.append(tuple(solution))
                    if len(rows) > max_rows:
                        raise RowLimit()
            except (SyntaxError, ValueError, OSError):
                raise Truncated() from None
            body.drain()
            return variables, rows
        finally:
            # Dropped here, in the thread that made it: pyoxigraph's reader may not be freed in
            # another one, and an exception's traceback (a RowLimit handed to the app's thread)
            # kept this frame, and so the reader, alive ("… is unsendable, but is being dropped
            # on another thread", and the reader leaked).
            result = None  # noqa: F841
            self.drop(body)

    def triples(self, query: str, deadline: float, dataset: Dataset, max_rows: int, **sending) -> list[ox.Triple]:
        """The triples of a CONSTRUCT, read as the answer streams in; ``sending`` as for ``solutions``."""
        body = self.post(query, registry.NTRIPLES.media_type, deadline, dataset, **sending)
        try:
            out = []
            try:
                for triple in ox.parse(input=io.BufferedReader(body, 1 << 16), format=ox.RdfFormat.N_TRIPLES):
                    out.append(triple)
                    if len(out) > max_rows:
                        raise RowLimit()
            except (SyntaxError, ValueError, OSError):
                raise Truncated() from None
            body.drain()
            return out
        finally:
            self.drop(body)

    def drop(self, body: _Body) -> None:
        """Give the connection back when the answer was read to its end; close it otherwise (an
        unfinished answer must not be reused, and closing is how the endpoint learns to stop)."""
        if body.eof and not body.response.will_close:
            self.pool.give_back(body.conn)
        else:
            body.conn.close()


#: SQLSTATE classes of a Virtuoso error that the query itself causes, every time: 07 (dynamic
#: SQL: a built-in called wrongly), 21 (cardinality), 22 (data exception: ``?o + 5`` on a string),
#: 37 and 42 (syntax, access rule), S0 (a table or column its SPARQL translation lacks, e.g. for
#: ``VALUES (?x ?y) { (1 2) }`` over an empty group). Any other (08 connection, 40 deadlock, HY
#: and S1T timeouts, 5x resources) may pass: those stay 503.
_QUERY_FAULTS = ("07", "21", "22", "37", "42", "S0")
_VIRTUOSO_ERROR = re.compile(r"Virtuoso ([0-9A-Z]{5}) Error ")


class _EngineDied(Exception):
    """Raised by ``_send`` instead of sending a query again (see ``Crashed``)."""


def _back(check, deadline: float) -> bool:
    """Whether ``check`` finds the endpoint answering within a few seconds (a supervised
    Oxigraph server is restarted in well under one) and before ``deadline``."""
    until = min(deadline, time.monotonic() + 2 * PROBE_TIMEOUT)
    while True:
        if check():
            return True
        if time.monotonic() + 0.1 >= until:
            return False
        time.sleep(0.1)


def _query_s_fault(text: str) -> bool:
    """Whether a Virtuoso error body says the query itself failed (``_QUERY_FAULTS``)."""
    m = _VIRTUOSO_ERROR.match(text)
    return m is not None and m.group(1)[:2] in _QUERY_FAULTS


def excerpt(response) -> str:
    """The start of an error body as one printable line (an endpoint's message), without the copy
    of the query Virtuoso appends (narcokg's rewriting of it, with the engine's graph names)."""
    try:
        raw = response.read(2000) or b""
    except Exception:  # noqa: BLE001
        raw = b""
    text = raw.decode("utf-8", "replace")
    text = "".join(c if c.isprintable() else " " for c in text)
    text = " ".join(text.split()).split(" SPARQL query: ", 1)[0]
    return text[:300] or f"status {response.status}"
