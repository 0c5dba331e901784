"""The gunicorn worker ``narcokg serve`` runs: gthread, with a buffering front and the app's own
answers to bad requests.

Stock gthread gives a connection to a thread as soon as a byte arrives and the thread then reads
the rest of the request on a blocking socket: a few clients that send half a request and stop
hold every thread. Here the worker's event loop reads each request in full, without blocking
and within ``request_read_timeout`` seconds (408 after that; an idle connection is closed after
the keep-alive time), and only then gives it to a thread (see ``requestframe`` for what
"in full" means). Each socket also gets receive and send timeouts, so that a request the front
hands over early, or a client that stops reading its answer, holds a thread for that long at most.

Requests gunicorn refuses are answered with a 4xx in words (``refusals``); repeated GET
answers are replayed by the event loop itself (``replay``); a thread that has answered a
kept-alive connection waits a moment for its next request (``linger``).
"""

from __future__ import annotations

import errno
import selectors
import socket
import struct
import time
from datetime import datetime
from http import HTTPStatus

from gunicorn import http, util
from gunicorn.http.wsgi import Response, default_environ
from gunicorn.workers.gthread import ThreadWorker as _GThreadWorker

from narcokg.web import onewrite, requestframe
from narcokg.web.refusals import client_error, error_body, error_bytes
from narcokg.web.linger import Linger
from narcokg.web.replay import Replay


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
        if getattr(conn, "_narcokg_short", False):
            # Handed over before its body was read in full (``requestframe.HANDOVER``: a declared
            # body larger than any route reads, odd framing): whatever the app reads of it, the
            # rest is not waited for after the answer. gunicorn drained it for up to 5 s to keep
            # the connection, holding this thread while the client sent nothing.
            conn._narcokg_short = False
            req.force_close()
        if getattr(conn, "_narcokg_continued", False):
            # The front said "100 Continue" for this request already (``_continue``): gunicorn
            # would send a second one before the answer.
            conn._narcokg_continued = False
            req._expected_100_continue = False
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
#: A closing connection's lingering close (RFC 9112 §9.6, gunicorn's ``util.close_graceful``):
#: what the client still sends is read and thrown away for this long, up to ``LINGER_BYTES``.
LINGER_SECONDS = 2.0
LINGER_BYTES = 64 * 1024


class _Reading:
    """A connection whose request the event loop is still reading."""

    __slots__ = ("buf", "scanner", "deadline", "started", "continued")

    def __init__(self, buf: bytes, max_head: int, max_body: int, deadline: float):
        self.buf = bytearray(buf)
        self.scanner = requestframe.FrameScanner(max_head, max_body)
        self.deadline = deadline
        #: A byte other than white space has come (empty lines before a request do not count).
        self.started = bool(self.buf.strip())
        #: "100 Continue" was sent for this request (``BufferedThreadWorker._continue``).
        self.continued = False


class BufferedThreadWorker(Linger, Replay, ThreadWorker):
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
        self._closing: dict = {}  # conn -> [deadline, bytes read] of a lingering close
        self._buffered = 0
        self._answers = None
        self._date = (0, b"")

    def init_process(self):
        # In this worker process only: responses send their head with the first body bytes.
        onewrite.install()
        super().init_process()

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
        verdict = state.scanner.scan(state.buf) if leftover else requestframe.INCOMPLETE
        if verdict == requestframe.TOO_LARGE:
            return self._too_large(conn, state)
        if verdict == requestframe.COMPLETE and self._answers is not None and self._replay(conn, state):
            return None  # handed back by a thread (``linger``) with a stored answer to send
        if verdict != requestframe.INCOMPLETE:
            return self._dispatch(conn, state, registered=False, whole=verdict == requestframe.COMPLETE)
        self._continue(conn, state)
        conn.sock.setblocking(False)
        self._reading[conn] = state
        self._buffered += len(state.buf)
        self._watch(conn, selectors.EVENT_READ, lambda _sock, c=conn: self._on_readable(c))
        if conn.parser is not None:  # a kept-alive connection the poller found readable: read now
            self._on_readable(conn)

    def _on_readable(self, conn) -> None:
        state = self._reading.get(conn)
        if state is None:
            return
        try:
            data = conn.sock.recv(65536, socket.MSG_DONTWAIT)  # the loop never blocks (see ``Replay._send``)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            return self._drop(conn)
        if not data:  # the client closed (or half-closed): the thread reports what is missing
            if not state.started:
                return self._drop(conn)
            return self._dispatch(conn, state, whole=False)
        if not state.started and data.strip():
            state.started = True
            state.deadline = time.monotonic() + self.request_read_timeout  # its first byte
        state.buf += data
        self._buffered += len(data)
        verdict = state.scanner.scan(state.buf)
        if verdict == requestframe.TOO_LARGE:
            return self._too_large(conn, state)
        if verdict == requestframe.COMPLETE and self._answers is not None and self._replay(conn, state):
            return
        if (
            verdict != requestframe.INCOMPLETE
            or len(state.buf) > self.max_body_bytes + self._max_head()
            or self._buffered > MAX_BUFFERED
        ):
            return self._dispatch(conn, state, whole=verdict == requestframe.COMPLETE)
        self._continue(conn, state)

    def _continue(self, conn, state: _Reading) -> None:
        """Say "100 Continue" to a request whose head asks for it before its body (``Expect:
        100-continue``, see ``requestframe``), once, and read the body here like any other. It
        went to a thread for gunicorn to say it, and a client that then sent no body held that
        thread for the socket's receive timeout: 32 such connections held every thread."""
        if state.continued or not state.scanner.continues:
            return
        state.continued = True
        conn._narcokg_continued = True  # the thread's gunicorn does not say it again
        try:
            conn.sock.send(b"HTTP/1.1 100 Continue\r\n\r\n", socket.MSG_DONTWAIT)
        except OSError:
            pass  # a client that cannot take 25 bytes sends its body after its own wait, or not at all

    def _forget(self, conn, registered: bool = True) -> _Reading | None:
        state = self._reading.pop(conn, None)
        if state is not None:
            self._buffered -= len(state.buf)
        if registered:
            self._unwatch(conn)
        return state

    def _watch(self, conn, events: int, callback) -> None:
        """Have the poller call ``callback`` on ``events`` of ``conn``'s socket: a socket already
        on the poller is changed in place (no system call when the events stay the same)."""
        try:
            self.poller.modify(conn.sock, events, callback)
        except KeyError:  # not on the poller yet
            self.poller.register(conn.sock, events, callback)

    def _unwatch(self, conn) -> None:
        try:
            self.poller.unregister(conn.sock)
        except (KeyError, ValueError, OSError):
            pass

    def _dispatch(self, conn, state: _Reading, registered: bool = True, whole: bool = True) -> None:
        """Give the request in ``state`` to a thread; ``whole``: read in full (otherwise its
        connection closes after the answer, see ``ThreadWorker.handle_request``)."""
        self._forget(conn, registered)
        conn._narcokg_short = not whole
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

    def _await_next(self, conn) -> None:
        """After a replay: wait for the connection's next request in the event loop, without
        reading now (an immediate read could replay again and recurse while a client keeps
        sending)."""
        state = _Reading(
            b"", self._max_head(), self.max_body_bytes, time.monotonic() + max(1.0, float(self.cfg.keepalive))
        )
        self._reading[conn] = state
        self._watch(conn, selectors.EVENT_READ, lambda _sock, c=conn: self._on_readable(c))

    # Closing a connection after its answer ------------------------------------------------
    def finish_request(self, conn, fs):
        """gthread's, but a connection that closes after its answer lingers without blocking.

        gthread closes it with ``util.close_graceful`` in the event loop: half-close, then read
        what the client still sends until it closes, for up to 2 s, blocking. A client that kept
        its side open after ``Connection: close`` (or HTTP/1.0, or a refused request) stopped
        the whole worker for 2 s: 32 of them held /health for over 20 s."""
        try:
            keep = fs.result() if not fs.cancelled() else False
        except Exception:
            return super().finish_request(conn, fs)  # closed at once there
        if keep:  # kept alive, or deferred (gthread's _DEFER): gthread's own handling
            return super().finish_request(conn, fs)
        self._linger(conn)

    def _linger(self, conn) -> None:
        """The lingering close of RFC 9112 §9.6 in the event loop, without blocking: the answer
        is flushed with FIN, then what arrives is read and dropped until the client closes,
        ``LINGER_BYTES`` have come or ``LINGER_SECONDS`` have passed (``murder_pending``); so
        the answer is not cut by a reset for request bytes left unread. The connection counts
        against ``worker_connections`` until it is closed."""
        try:
            conn.sock.shutdown(socket.SHUT_WR)
            conn.sock.setblocking(False)
        except OSError:
            return self._close_now(conn)
        self._closing[conn] = [time.monotonic() + LINGER_SECONDS, 0]
        self._watch(conn, selectors.EVENT_READ, lambda _sock, c=conn: self._on_closing_readable(c))

    def _on_closing_readable(self, conn) -> None:
        pending = self._closing.get(conn)
        if pending is None:
            return
        try:
            data = conn.sock.recv(65536, socket.MSG_DONTWAIT)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        pending[1] += len(data)
        if not data or pending[1] >= LINGER_BYTES:
            self._close_now(conn)

    def _close_now(self, conn) -> None:
        if self._closing.pop(conn, None) is not None:
            self._unwatch(conn)
        self.nr_conns -= 1
        conn.close()

    def murder_pending(self):
        super().murder_pending()
        now = time.monotonic()
        self._murder_writers(now)
        for conn, (deadline, _read) in list(self._closing.items()):
            if now >= deadline:
                self._close_now(conn)
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
        self.log.warning("Request from ip=%s not received in full within %s s", addr[0], self.request_read_timeout)
        self._say(conn, 408, f"the request was not received in full within {self.request_read_timeout:g} seconds")

    def _too_large(self, conn, state: _Reading) -> None:
        """Say 413 to a chunked request whose chunks announce more than any route reads, and close."""
        addr = conn.client if isinstance(conn.client, tuple) else ("", -1)
        self.log.warning("Request from ip=%s: chunked body past %d bytes", addr[0], self.max_body_bytes)
        self._say(
            conn,
            413,
            f"the chunked request body announces {state.scanner.body} bytes; no route of this server reads more "
            f"than {self.max_body_bytes}: send a smaller body",
        )
        self._drop(conn)

    def _say(self, conn, status: int, message: str) -> None:
        """An error answer to ``conn`` from the event loop, without waiting for the client."""
        try:
            conn.sock.send(
                error_bytes(status, error_body(status, HTTPStatus(status).phrase, message)), socket.MSG_DONTWAIT
            )
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EPIPE, errno.ECONNRESET):
                self.log.debug("Failed to send the %d answer.", status)
