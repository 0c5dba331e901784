"""The gunicorn worker ``narcokg serve`` runs: gthread, with a buffering front and the app's own
answers to bad requests.

Stock gthread gives a connection to a thread as soon as a byte arrives and the thread then reads
the rest of the request on a blocking socket: a few clients that send half a request and stop
hold every thread. Here the worker's event loop reads each request in full, without blocking
and within ``request_read_timeout`` seconds (408 after that; an idle connection is closed after
the keep-alive time), and only then gives it to a thread (see ``requestframe`` for what
"in full" means). Each socket also gets receive and send timeouts, so that a request the front
hands over early, or a client that stops reading its answer, holds a thread for that long at most.

gunicorn refuses a malformed request (request line, headers, framing) itself, before the app sees
it, and its stock answer bypasses the app: an HTML page without the security headers, and 501 for
a Transfer-Encoding it does not support, a 5xx caused by client input. This worker answers those
with a 4xx carrying ``web.SECURITY_HEADERS`` and one line of plain text saying what is wrong (a
bounded, control-free piece of the input at most; never a path or traceback). Errors that are not
the client's fall through to gunicorn's own handling. ``client_error`` is also used by the app
for framing errors found while it reads a chunked body.
"""
from __future__ import annotations

import email.utils
import errno
import re
import selectors
import socket
import struct
import time
import unicodedata
from datetime import datetime
from http import HTTPStatus

from gunicorn import http, util
from gunicorn.http import errors as _errors
from gunicorn.http.wsgi import Response, default_environ
from gunicorn.workers.gthread import ThreadWorker as _GThreadWorker

from narcokg.web import answercache, fairuse, requestframe
from narcokg.web.headers import SECURITY_HEADERS

#: Most characters of client input an answer repeats.
MAX_ECHO = 200


def _classes(*names: str) -> tuple[type, ...]:
    """The named gunicorn error classes this gunicorn version has (names vary between versions)."""
    return tuple(cls for cls in (getattr(_errors, name, None) for name in names) if isinstance(cls, type))


def shown(value) -> str:
    """Client input fit to repeat: text, no control characters, at most ``MAX_ECHO`` characters."""
    if value is None:
        return ""
    if isinstance(value, (bytes, bytearray)):
        value = bytes(value).decode("latin-1")
    text = "".join(c for c in str(value) if not unicodedata.category(c).startswith("C"))
    text = " ".join(text.split())
    return text if len(text) <= MAX_ECHO else text[:MAX_ECHO] + "..."


def _with(what: str, detail) -> str:
    detail = shown(detail)
    return f"{what}: {detail}" if detail else what


def _field_name(name) -> str:
    """gunicorn upper-cases the header names it reports: show them as usually written."""
    text = shown(name)
    return text.title() if re.fullmatch(r"[A-Z0-9]+(-[A-Z0-9]+)*", text) else text


_FRAMING = {
    "Transfer-Encoding": "invalid Transfer-Encoding (the last coding must be chunked, given once, "
                         "in HTTP/1.1 only)",
    "Content-Length": "invalid Content-Length (one non-negative number, not together with "
                      "Transfer-Encoding)",
}


def _invalid_header(exc) -> str:
    name = _field_name(exc.hdr)
    return _FRAMING.get(name) or _with("invalid, repeated or conflicting header", name)


def _version(version) -> str:
    """The version as written: gunicorn reports a well-formed but unsupported one as a tuple."""
    if isinstance(version, tuple) and len(version) == 2:
        return "HTTP/%s.%s" % version
    return shown(version)


def _header_limit(exc, cfg) -> str:
    kind = str(getattr(exc, "msg", "") or exc).lower()
    fields = getattr(cfg, "limit_request_fields", None)
    size = getattr(cfg, "limit_request_field_size", None)
    if "buffer" in kind:
        return "request head too large"
    if "trailer" in kind:
        return "chunked body trailer section too large"
    if "size" in kind or "large" in kind:
        return f"a header field longer than {size} bytes" if size else "a header field too long"
    if "field" in kind or "many" in kind:
        return f"more than {fields} header fields" if fields else "too many header fields"
    return "request header fields too large"


def _request_line_limit(exc, cfg) -> str:
    limit = getattr(exc, "max_size", None) or getattr(cfg, "limit_request_line", None)
    return f"request line longer than {limit} bytes" if isinstance(limit, int) else "request line too long"


# The server's fault, though subclasses of client errors: gunicorn's own handling (500).
_SERVER_FAULTS = _classes("InvalidResponseHeader", "InvalidResponseHeaderName")

# (error classes, status, message from the exception and the gunicorn config), first match wins.
_CLIENT_ERRORS = [
    (_classes("LimitRequestLine"), 414, _request_line_limit),
    (_classes("LimitRequestHeaders"), 431, _header_limit),
    (_classes("ExpectationFailed"), 417,
     lambda e, _: _with("unsupported Expect header (only 100-continue is supported)", e.expect)),
    (_classes("ForbiddenProxyRequest"), 403, lambda e, _: "PROXY protocol not allowed from this address"),
    (_classes("UnsupportedTransferCoding"), 400, lambda e, _: _with("unsupported Transfer-Encoding", e.hdr)),
    (_classes("InvalidRequestMethod"), 400, lambda e, _: _with("invalid request method", e.method)),
    (_classes("InvalidHTTPVersion"), 400, lambda e, _: _with("invalid HTTP version", _version(e.version))),
    (_classes("InvalidRequestLine"), 400, lambda e, _: _with("malformed request line", e.req)),
    (_classes("ObsoleteFolding"), 400, lambda e, _: _with("obsolete line folding in header", _field_name(e.hdr))),
    (_classes("InvalidHeaderName"), 400, lambda e, _: _with("invalid header name", _field_name(e.hdr))),
    (_classes("InvalidHeader"), 400, lambda e, _: _invalid_header(e)),
    (_classes("InvalidChunkSize"), 400, lambda e, _: _with("invalid chunk size", e.data)),
    (_classes("ChunkMissingTerminator"), 400, lambda e, _: _with("chunk not terminated by CRLF", e.term)),
    (_classes("InvalidChunkExtension"), 400, lambda e, _: _with("invalid chunk extension", e.reason)),
    (_classes("InvalidSchemeHeaders"), 400, lambda e, _: "contradictory scheme headers"),
    (_classes("InvalidProxyLine"), 400, lambda e, _: _with("invalid PROXY protocol line", e.line)),
    (_classes("InvalidProxyHeader"), 400, lambda e, _: _with("invalid PROXY protocol header", e.msg)),
    (_classes("InvalidH2CPreface"), 400, lambda e, _: "invalid HTTP/2 connection preface"),
    # The request path lies outside SCRIPT_NAME: the client asked for something not served here.
    (_classes("ConfigurationProblem"), 400, lambda e, _: "request path outside this application's root"),
    # The app was reading the body when the client closed the connection or stopped sending.
    (_classes("NoMoreData"), 400,
     lambda e, _: "the request body ended before its announced end (the connection was closed)"),
    ((BlockingIOError, TimeoutError), 408, lambda e, _: "the request body was not received in time"),
]


def client_error(exc: BaseException, cfg=None) -> tuple[int, str, str] | None:
    """(status, reason, message) when ``exc`` is gunicorn refusing a bad request, else None."""
    if _SERVER_FAULTS and isinstance(exc, _SERVER_FAULTS):
        return None
    for classes, status, message in _CLIENT_ERRORS:
        if classes and isinstance(exc, classes):
            try:
                text = message(exc, cfg)
            except Exception:  # an attribute renamed in another gunicorn version
                text = "malformed request"
            return status, HTTPStatus(status).phrase, text
    return None


def error_body(status: int, reason: str, message: str) -> bytes:
    """One line of text, as ``web.error_response`` writes for non-HTML clients."""
    return f"{status} {reason}: {message}\n".encode("utf-8", "replace")


def error_bytes(status: int, body: bytes) -> bytes:
    """The whole HTTP/1.1 answer, with the app's security headers; the connection closes after it."""
    reason = HTTPStatus(status).phrase
    head = [f"HTTP/1.1 {status} {reason}", "Content-Type: text/plain; charset=utf-8",
            f"Content-Length: {len(body)}", "Connection: close"]
    head += [f"{key}: {value}" for key, value in SECURITY_HEADERS.items()]
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body


class _ClosingReader:
    """A request body reader that marks the connection for closing when the body is malformed, so
    the app's answer says ``Connection: close`` (gunicorn closes it then in any case)."""

    def __init__(self, reader, req):
        self._reader = reader
        self._req = req

    def read(self, size):
        try:
            return self._reader.read(size)
        except Exception:
            self._req.force_close()
            raise

    def __getattr__(self, name):
        return getattr(self._reader, name)


class ThreadWorker(_GThreadWorker):
    """gthread, answering requests gunicorn refuses like the app would (see the module docstring)."""

    def handle_request(self, req, conn):
        body = getattr(req, "body", None)
        if getattr(body, "reader", None) is not None and hasattr(req, "force_close"):
            body.reader = _ClosingReader(body.reader, req)
        return super().handle_request(req, conn)

    def handle_error(self, req, client, addr, exc):
        known = client_error(exc, self.cfg)
        if known is None:
            return super().handle_error(req, client, addr, exc)
        status, reason, message = known
        started = datetime.now()
        addr = addr or ("", -1)  # a unix socket
        self.log.warning("Invalid request from ip=%s: %s", addr[0], exc)
        body = error_body(status, reason, message)
        if req is None and hasattr(getattr(exc, "req", None), "method"):
            req = exc.req  # InvalidHeader carries the request it was found in: log it
        if req is not None:
            try:
                environ = default_environ(req, client, self.cfg)
                environ["REMOTE_ADDR"] = addr[0]
                environ["REMOTE_PORT"] = str(addr[1])
                resp = Response(req, client, self.cfg)
                resp.status = f"{status} {reason}"
                resp.response_length = resp.sent = len(body)
                self.log.access(resp, req, environ, datetime.now() - started)
            except Exception:
                self.log.debug("Failed to log the refused request.")
        try:
            util.write_nonblock(client, error_bytes(status, body))
        except Exception:
            self.log.debug("Failed to send error message.")


#: Most bytes one worker holds in requests it is still reading; a request that would go beyond
#: is given to a thread at once (bounded there by the socket's receive timeout).
MAX_BUFFERED = 64 * 1024 * 1024


class _Reading:
    """A connection whose request the event loop is still reading."""

    __slots__ = ("buf", "scanner", "deadline", "started")

    def __init__(self, buf: bytes, max_head: int, max_body: int, deadline: float):
        self.buf = bytearray(buf)
        self.scanner = requestframe.FrameScanner(max_head, max_body)
        self.deadline = deadline
        #: A byte other than white space has come (empty lines before a request do not count).
        self.started = bool(self.buf.strip())


class BufferedThreadWorker(ThreadWorker):
    """``ThreadWorker`` whose threads only ever get requests already read in full (module docstring).

    Set by ``serve``: ``request_read_timeout`` (seconds from the first byte of a request to its
    last) and ``max_body_bytes`` (the largest body the app accepts on any route: the front
    buffers no more than that)."""

    request_read_timeout = 10.0
    max_body_bytes = 8 * 1024 * 1024
    #: The folder where the workers share stored answers (``answercache.Shared``); "" for none.
    shared_answers = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._reading: dict = {}
        self._writing: dict = {}
        self._buffered = 0
        self._answers: answercache.AnswerCache | None = None
        self._date = (0, b"")

    def load_wsgi(self):
        """The app, wrapped so that its replayable answers are kept for the fast path."""
        super().load_wsgi()
        app = self.wsgi
        config = getattr(app, "config", None)
        settings = config.get("NARCOKG") if config is not None else None
        if settings is None or settings.answer_cache_mb <= 0:
            return
        budget = settings.answer_cache_mb * 1024 * 1024
        shared = None
        if self.shared_answers:
            shared = answercache.Shared(self.shared_answers, budget // max(1, self.cfg.workers))
        self._answers = answercache.AnswerCache(budget, shared=shared)
        self._settings = settings
        self._budget = app.extensions.get("narcokg.web.fairuse")
        self.wsgi = answercache.capturing(app, self._answers)

    def _max_head(self) -> int:
        cfg = self.cfg
        return cfg.limit_request_line + cfg.limit_request_fields * (cfg.limit_request_field_size + 2) + 4

    def enqueue_req(self, conn):
        if getattr(conn, "_narcokg_whole", False):
            conn._narcokg_whole = False
            return super().enqueue_req(conn)
        if not getattr(conn, "_narcokg_timeouts", False):
            conn._narcokg_timeouts = True
            limit = max(1.0, float(self.request_read_timeout))
            tv = struct.pack("ll", int(limit), int((limit % 1) * 1e6))
            try:
                conn.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, tv)
                conn.sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, tv)
            except OSError:
                pass
        leftover = conn.parser.unreader.take_buffered() if conn.parser is not None else b""
        wait = self.request_read_timeout if leftover.strip() else max(1.0, float(self.cfg.keepalive))
        state = _Reading(leftover, self._max_head(), self.max_body_bytes, time.monotonic() + wait)
        if leftover and state.scanner.scan(state.buf) != requestframe.INCOMPLETE:
            return self._dispatch(conn, state, registered=False)
        conn.sock.setblocking(False)
        self._reading[conn] = state
        self._buffered += len(state.buf)
        self.poller.register(conn.sock, selectors.EVENT_READ, lambda _sock, c=conn: self._on_readable(c))
        if conn.parser is not None:  # a kept-alive connection the poller found readable: read now
            self._on_readable(conn)

    def _on_readable(self, conn) -> None:
        state = self._reading.get(conn)
        if state is None:
            return
        try:
            data = conn.sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            return self._drop(conn)
        if not data:  # the client closed (or half-closed): the thread reports what is missing
            if not state.started:
                return self._drop(conn)
            return self._dispatch(conn, state)
        if not state.started and data.strip():
            state.started = True
            state.deadline = time.monotonic() + self.request_read_timeout  # its first byte
        state.buf += data
        self._buffered += len(data)
        verdict = state.scanner.scan(state.buf)
        if verdict == requestframe.COMPLETE and self._answers is not None and self._replay(conn, state):
            return
        if (verdict != requestframe.INCOMPLETE or len(state.buf) > self.max_body_bytes + self._max_head()
                or self._buffered > MAX_BUFFERED):
            self._dispatch(conn, state)

    def _forget(self, conn, registered: bool = True) -> _Reading | None:
        state = self._reading.pop(conn, None)
        if state is not None:
            self._buffered -= len(state.buf)
        if registered:
            try:
                self.poller.unregister(conn.sock)
            except (KeyError, ValueError, OSError):
                pass
        return state

    def _dispatch(self, conn, state: _Reading, registered: bool = True) -> None:
        self._forget(conn, registered)
        conn.sock.setblocking(True)
        if conn.parser is None:  # plain HTTP/1.x: no TLS, no HTTP/2 prior knowledge here
            conn.parser = http.get_parser(conn.cfg, conn.sock, conn.client)
            conn.initialized = True
        conn.parser.unreader.unread(bytes(state.buf))
        conn.data_ready = True
        conn._narcokg_whole = True
        self.enqueue_req(conn)

    def _drop(self, conn) -> None:
        self._forget(conn)
        self._writing.pop(conn, None)
        self.nr_conns -= 1
        conn.close()

    # The fast path: a stored answer replayed from the event loop (see ``answercache``) ---------
    def _replay(self, conn, state: _Reading) -> bool:
        """Answer the whole request in ``state`` from the answer cache; False to go the normal way."""
        if not self.alive:
            return False
        head = answercache.parse_head(state.buf)
        stored = self._answers.lookup(head) if head is not None else None
        if stored is None:
            return False
        started = time.perf_counter()
        remote = conn.client[0] if isinstance(conn.client, tuple) else "unknown"
        clients: tuple[str, ...] = ()
        budget = self._budget
        if stored.fair_use and budget is not None and budget.enabled:
            forwarded = head.headers.get(b"x-forwarded-for")
            clients, scale = fairuse.charged(remote, [forwarded.decode("latin-1")] if forwarded else [],
                                             self._settings)
            if budget.retry_after(*clients, scale=scale) is not None:
                return False  # past its budget: the app says 429 and when to retry
        data = b"".join([b"HTTP/1.1 200 OK\r\nServer: gunicorn\r\nDate: ", self._http_date(),
                         b"\r\nConnection: keep-alive\r\n", stored.head,
                         b'Server-Timing: cache;desc="answer cache"\r\n\r\n', stored.body])
        self._forget(conn)
        self._send(conn, memoryview(data))
        seconds = time.perf_counter() - started
        for client in clients:
            budget.charge(client, seconds)
        if self.log.access_log_enabled:
            agent = head.headers.get(b"user-agent", b"-").decode("latin-1")
            request_line = f"GET {head.target.decode('latin-1')} HTTP/1.1"
            if hasattr(self.log, "line"):
                self.log.line(remote, request_line, 200, str(len(stored.body)), int(seconds * 1000), agent)
            else:
                self.log.access_log.info('%s "%s" 200 %d %dms "%s"', remote, request_line, len(stored.body),
                                         int(seconds * 1000), agent)
        return True

    #: Seconds between heartbeats: gunicorn's loop touches its heartbeat file on every turn (one
    #: ``utime`` per request under load); the arbiter's timeout is a minute, so twice a second is plenty.
    HEARTBEAT = 0.5

    def run(self):
        try:
            super().run()
        finally:
            flush = getattr(self.log, "flush", None)
            if flush is not None:
                flush()  # the lines of the last requests, before the worker exits

    def notify(self):
        """Heartbeat at most every ``HEARTBEAT`` seconds, and write out the buffered access lines."""
        flush = getattr(self.log, "flush", None)
        if flush is not None:
            flush()
        now = time.monotonic()
        if now - getattr(self, "_beat", -1e9) >= self.HEARTBEAT:
            self._beat = now
            super().notify()

    def _http_date(self) -> bytes:
        now = int(time.time())
        if self._date[0] != now:
            self._date = (now, email.utils.formatdate(now, usegmt=True).encode())
        return self._date[1]

    def _send(self, conn, data: memoryview) -> None:
        """Send without blocking; what the socket does not take now is sent as it drains, then the
        connection waits for its next request."""
        try:
            sent = conn.sock.send(data)
        except (BlockingIOError, InterruptedError):
            sent = 0
        except OSError:
            self.nr_conns -= 1
            conn.close()
            return
        if sent == len(data):
            return self._await_next(conn)
        deadline = time.monotonic() + self.request_read_timeout
        self._writing[conn] = (data[sent:], deadline)
        self.poller.register(conn.sock, selectors.EVENT_WRITE, lambda _sock, c=conn: self._on_writable(c))

    def _await_next(self, conn) -> None:
        """After a replay: wait for the connection's next request in the event loop, without
        reading now (an immediate read could replay again and recurse while a client keeps
        sending)."""
        state = _Reading(b"", self._max_head(), self.max_body_bytes,
                         time.monotonic() + max(1.0, float(self.cfg.keepalive)))
        self._reading[conn] = state
        self.poller.register(conn.sock, selectors.EVENT_READ, lambda _sock, c=conn: self._on_readable(c))

    def _on_writable(self, conn) -> None:
        pending = self._writing.pop(conn, None)
        if pending is None:
            return
        try:
            self.poller.unregister(conn.sock)
        except (KeyError, ValueError, OSError):
            pass
        data, deadline = pending
        try:
            sent = conn.sock.send(data)
        except (BlockingIOError, InterruptedError):
            sent = 0
        except OSError:
            self.nr_conns -= 1
            conn.close()
            return
        if sent == len(data):
            return self._await_next(conn)
        if sent:  # progress: the client reads; the limit is on a stall, as SO_SNDTIMEO is
            deadline = time.monotonic() + self.request_read_timeout
        self._writing[conn] = (data[sent:], deadline)
        self.poller.register(conn.sock, selectors.EVENT_WRITE, lambda _sock, c=conn: self._on_writable(c))

    def murder_pending(self):
        super().murder_pending()
        now = time.monotonic()
        for conn, (_data, deadline) in list(self._writing.items()):
            if now >= deadline:  # a client that does not read its replayed answer
                self._writing.pop(conn, None)
                try:
                    self.poller.unregister(conn.sock)
                except (KeyError, ValueError, OSError):
                    pass
                self.nr_conns -= 1
                conn.close()
        for conn, state in list(self._reading.items()):
            if state.started and now < state.deadline:
                continue
            if not state.started and self.alive and now < state.deadline:
                continue
            if state.started:
                self._timed_out(conn)
            self._drop(conn)

    def _timed_out(self, conn) -> None:
        """Say 408 to a client that did not send its whole request in time."""
        addr = conn.client if isinstance(conn.client, tuple) else ("", -1)
        self.log.warning("Request from ip=%s not received in full within %s s", addr[0],
                         self.request_read_timeout)
        message = f"the request was not received in full within {self.request_read_timeout:g} seconds"
        try:
            conn.sock.send(error_bytes(408, error_body(408, HTTPStatus(408).phrase, message)))
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EPIPE, errno.ECONNRESET):
                self.log.debug("Failed to send the 408 answer.")
