"""New ``GET /sparql?query=`` requests answered by the HTTP worker directly, before gunicorn's
parser and Flask.

Why: a unique lookup (one triple pattern with a constant term) costs pyoxigraph ~0.05 ms, and
the Python HTTP stack around it ~1 ms (gunicorn's parser and WSGI environ, Flask's routing and
contexts, werkzeug's parameters; ``benchmarks/profile_lookup.py``); a join that waits on a query
process pays the same ~1 ms on top of its run. The answer cache (``answercache``) spares a
repeated request all of that; this spares a new one most of it.

How it stays the app's answer: the app marks each ``/sparql`` answer with the format it chose and
the query's form (``sparql._answer``), and ``capturing`` keeps the head of such an answer as a
*template*, keyed by every request header that could change it (all but User-Agent and
X-Forwarded-For, which only name the client), the query's form and whether the body is large
enough to be gzipped. For a later request with the same headers and a query of the same form,
``Direct.answer`` reads the query from the target, checks it with the app's own functions
(``sparql.check_query``: size, analysis, update and SERVICE refused), builds the app's job
(``sparql.query_job``), runs it, and writes the template's head with this answer's ETag
(``sparql.etag_of``), length and timing.

Where: the worker's event loop answers only what the engine runs in this process anyway
(``runs_here``: bounded queries of the embedded engine, answers of at most ``MAX_BYTES``); any other
query (a query process, a remote engine) is answered by the thread the request goes to
(``linger``), which may wait, watches the client's socket meanwhile, and counts the time against
the client's fair-use budget as the app does. A query run there is never run twice: when its
answer cannot be written here (an error, or a body the app would gzip), the outcome is handed to
the app in the same thread (``handover``), which answers with it.

Whatever it is not sure of it declines — a target with anything but ``query=``, a text that does
not decode as UTF-8, a refused query, a client past its fair-use budget, no template yet — and the
request goes the normal way, where the app decides (and says why). tests/server/test_direct_answers.py
compares the two ways, header for header and byte for byte.
"""

from __future__ import annotations

import codecs
import dataclasses
import threading
import time
from urllib.parse import unquote_to_bytes

from narcokg import errors
from narcokg.engine.base import reset_wait, waited
from narcokg.web import compress, fairuse, handover
from narcokg.web import sparql as sparqlview
from narcokg.web.answercache import _PER_ANSWER, Head, _cacheable

#: Request headers that name the client only: the answer does not depend on them.
_CLIENT_ONLY = frozenset({b"user-agent", b"x-forwarded-for"})
#: Response headers written per answer (the rest come from the template).
_OWN = frozenset({"etag", "content-length", "server-timing"}) | _PER_ANSWER
#: Longest target answered directly (well under the app's and gunicorn's URL limits).
MAX_TARGET = 2048
#: Largest direct answer made in the event loop, in bytes: a larger one is left to the app (run
#: again there, in a thread), so that the loop is never held for more than about a millisecond.
#: Its rows are never counted there (``worker._native``).
MAX_BYTES = 128 * 1024
#: Most templates kept (one per distinct set of request headers, form and size class).
MAX_TEMPLATES = 256
_PREFIX = b"/sparql?query="
#: ``Direct.answer``'s word for "a thread may answer this directly; the event loop may not".
LATER = "later"


def _key(headers, kind: str, large: bool) -> tuple:
    return (tuple(sorted((n, v) for n, v in headers if n not in _CLIENT_ONLY)), kind, large)


def _environ_headers(environ: dict) -> list[tuple[bytes, bytes]]:
    return [
        (k[5:].lower().replace("_", "-").encode("latin-1"), v.encode("latin-1"))
        for k, v in environ.items()
        if k.startswith("HTTP_")
    ]


def _decoded(value: bytes) -> str:
    """A form value's text, as werkzeug reads it for the app (``+`` is a space, ``%XX`` a byte,
    the bytes UTF-8); UnicodeError for anything but ASCII in the target or invalid UTF-8.

    In C: every ``%`` becomes the ``\\x`` escape of ``codecs.escape_decode`` (backslashes
    doubled first, so no other escape can appear), 3 µs against 23 for ``unquote_to_bytes``'s
    Python loop on the benchmark's join; a ``%`` not followed by two hex digits, which that
    escape refuses and ``unquote`` keeps as it is, takes the slow way."""
    if not value.isascii():
        raise UnicodeError("a request target holds ASCII only")
    spaced = value.replace(b"+", b" ")
    try:
        raw = codecs.escape_decode(spaced.replace(b"\\", b"\\\\").replace(b"%", b"\\x"))[0]
    except ValueError:
        raw = unquote_to_bytes(spaced)
    return raw.decode("utf-8")


class Direct:
    """The templates of one HTTP worker and the direct answers made from them."""

    def __init__(self, app, settings):
        self.app = app
        self.settings = settings
        self.engine = app.extensions["narcokg.engine"]
        self.budget = app.extensions.get("narcokg.web.fairuse")
        self.tag = app.extensions.get("narcokg.snapshot_tag", "")
        self._templates: dict[tuple, tuple[str, list[tuple[str, str]]]] = {}
        self._lock = threading.Lock()
        self.answered = 0

    # The template side: what the app answered ------------------------------------------------
    def capturing(self, wsgi_app):
        """WSGI middleware keeping the head of each ``/sparql`` answer fit to be a template."""

        def app(environ, start_response):
            def start(status, headers, exc_info=None):
                marked = environ.get("narcokg.direct")
                if marked is not None and status.startswith("200"):
                    self._keep(environ, marked, headers)
                return start_response(status, headers, exc_info)

            return wsgi_app(environ, start)

        return app

    def _keep(self, environ: dict, marked: tuple[str, str], headers: list) -> None:
        raw = environ.get("RAW_URI", "").encode("latin-1")
        if not raw.startswith(_PREFIX) or b"&" in raw or not _cacheable(environ):
            return
        names = {name.lower() for name, _ in headers}
        if "etag" not in names or "content-length" not in names or "content-encoding" in names:
            return
        if "set-cookie" in names:
            return
        length = next(v for k, v in headers if k.lower() == "content-length")
        if not length.isdigit():
            return
        fmt_name, kind = marked
        key = _key(_environ_headers(environ), kind, int(length) >= compress.THRESHOLD)
        lines = [
            (name, None if name.lower() in _OWN else value)
            for name, value in headers
            if name.lower() not in _PER_ANSWER or name.lower() == "server-timing"
        ]
        with self._lock:
            if key not in self._templates and len(self._templates) < MAX_TEMPLATES:
                self._templates[key] = (fmt_name, lines)

    # The answer side ---------------------------------------------------------------------------
    def answer(self, head: Head, remote: str, http_date: bytes, client: int | None = None):
        """(the bytes of the whole answer, a function charging fair use once sent, its headers,
        its body); ``LATER`` when only a thread may answer it (the job waits on a query process
        or an engine over the network); None to go the normal way.

        ``client``: the request's socket, given in a thread only: then any job may run (a hang-up
        cancels it), and an outcome this cannot write is handed to the app (``handover``)."""
        read = self._query(head)
        if read is None:
            return None
        query, info = read
        headers = list(head.headers.items())
        kind = info.kind or "solutions"
        small = self._templates.get(_key(headers, kind, False))
        large = self._templates.get(_key(headers, kind, True))
        if small is None and large is None:
            return None
        fmt_name = (small or large)[0]  # the format follows Accept and the form alone
        job = self._job(query, info, fmt_name, in_thread=client is not None)
        if job is None or job is LATER:
            return job
        admitted = self._clients(head, remote, in_thread=client is not None)
        if admitted is None:
            return None  # past its budget: the app says 429 and when to retry
        clients, running = admitted
        started = time.perf_counter()
        ran = self._run(job, running, client)
        if ran is None:
            return None
        result, charged = ran
        template = self._template(head, result.body, small, large)
        if template is None or template[0] != fmt_name:
            if client is not None:
                handover.give(job.key(), result)  # the app compresses it
            return None
        filled = self._filled(template[1], sparqlview.etag_of(self.tag, query, fmt_name, [], []), result)
        data = b"".join(
            [
                b"HTTP/1.1 200 OK\r\nServer: gunicorn\r\nDate: ",
                http_date,
                b"\r\nConnection: keep-alive\r\n",
                "".join(f"{name}: {value}\r\n" for name, value in filled).encode("latin-1"),
                b"\r\n",
                result.body,
            ]
        )
        self.answered += 1

        def charge() -> float:
            seconds = time.perf_counter() - started
            if not charged:
                for client_id in clients:
                    self.budget.charge(client_id, seconds)
            return seconds

        return data, charge, filled, result.body

    def _job(self, query: str, info, fmt_name: str, in_thread: bool):
        """The app's job for ``query``; ``LATER`` when only a thread may run it."""
        job = sparqlview.query_job(self.settings, query, info, fmt_name, [], [])
        runs_here = getattr(self.engine, "runs_here", None)
        here = runs_here is not None and runs_here(job)
        if in_thread:
            return job
        if not here:
            return LATER
        return dataclasses.replace(job, max_bytes=MAX_BYTES)

    def _run(self, job, running, client: int | None):
        """(the engine's answer, whether fair use was charged already); None when it failed (in a
        thread, the failure is handed to the app, which answers with it). ``running``: the
        request fair use admitted in a thread (``Budget.admit``), ended here."""
        if client is None:  # the event loop: a bounded job, charged once sent
            try:
                return self.engine.execute(job), False
            except errors.NarcokgError:
                return None
        reset_wait()
        try:
            return self.engine.execute(job, client=client), running is not None
        except errors.NarcokgError as exc:
            handover.give(job.key(), exc)  # the app says what went wrong, without running it again
            return None
        finally:
            if running is not None:
                self.budget.end(running, waited())

    def _query(self, head: Head):
        """(the query text, its analysis) of a plain ``/sparql?query=`` target with a query the
        app would run; None otherwise."""
        target = head.target
        if not target.startswith(_PREFIX) or b"&" in target or len(target) > MAX_TARGET or not self._templates:
            return None
        try:
            query = _decoded(target[len(_PREFIX) :])
            info = sparqlview.check_query(query, self.settings, explained=False)
        except (UnicodeError, errors.NarcokgError):
            return None
        if info.update or info.service:
            return None
        return query, info

    def _clients(self, head: Head, remote: str, in_thread: bool):
        """(whom the answer is charged to, the request fair use admitted in a thread, to be ended
        once answered); None when one of them is past its budget. In the event loop the answer
        is charged once sent (``charge``); a thread's query may run long, so its time counts
        while it runs, checked and begun under one hold of the shared lock (``Budget.admit``)."""
        budget = self.budget
        if budget is None or not budget.enabled:
            return (), None
        forwarded = head.headers.get(b"x-forwarded-for")
        clients, scale = fairuse.charged(remote, [forwarded.decode("latin-1")] if forwarded else [], self.settings)
        if not in_thread:
            return None if budget.retry_after(*clients, scale=scale) is not None else (clients, None)
        running = budget.admit(*clients, scale=scale)
        return None if isinstance(running, int) else (clients, running)

    @staticmethod
    def _template(head: Head, body: bytes, small, large):
        """The template for a body of this size; None when the app would gzip it."""
        if len(body) < compress.THRESHOLD:
            return small
        encodings = head.headers.get(b"accept-encoding", b"").decode("latin-1")
        return None if compress.accepts_gzip({"HTTP_ACCEPT_ENCODING": encodings}) else large

    @staticmethod
    def _filled(lines: list, etag: str, result) -> list[tuple[str, str]]:
        own = {
            "etag": f'"{etag}"',
            "content-length": str(len(result.body)),
            # As the app's, with where the answer was made (a replay says "answer cache").
            "server-timing": f'query;dur={result.seconds * 1000:.1f};desc="{result.where}", direct;desc="direct answer"',
        }
        return [(name, own[name.lower()] if value is None else value) for name, value in lines]
