"""The worker's fast path: a stored answer replayed from the event loop (see ``answercache``).

A mixin of ``gunicorn_worker.BufferedThreadWorker``: ``load_wsgi`` wraps the app so that its
replayable answers (and the heads ``direct`` makes new lookups from) are kept; ``_replay``
answers a whole, plain GET from them before any thread, parser or Flask code runs; the answer is sent without blocking the loop (``_send``,
``_on_writable``), and a client that stops reading it is dropped after ``request_read_timeout``
seconds without progress (``_murder_writers``).
"""

from __future__ import annotations

import email.utils
import selectors
import socket
import time

from narcokg.web import answercache, direct, fairuse


class Replay:
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
        self._direct = direct.Direct(app, settings) if settings.direct_answers else None
        wrapped = self._direct.capturing(app) if self._direct is not None else app
        self.wsgi = answercache.capturing(wrapped, self._answers)

    # The fast path: a stored answer replayed from the event loop (see ``answercache``) ---------
    def _replay(self, conn, state) -> bool:
        """Answer the whole request in ``state`` from the answer cache; False to go the normal way."""
        found = self._stored_answer(conn, state.buf)
        if found is None:
            return False
        if found is direct.LATER:
            conn._narcokg_direct = True  # the thread it goes to tries a direct answer first
            return False
        data, done, _direct = found
        # The socket stays on the poller (when it is there): the answer is sent now, and the next
        # request is read through the same registration, without two epoll_ctl calls per request.
        self._forget(conn, registered=False)
        self._send(conn, memoryview(data))
        done()
        return True

    def _stored_answer(self, conn, buf, in_thread: bool = False):
        """(the bytes that answer the whole request in ``buf`` from the answer cache, or directly
        (``direct``), a function to call once they are sent: it charges fair use and logs, and
        whether the answer was made directly); None to go the normal way; ``direct.LATER`` when
        only a thread may answer it directly. Safe in the event loop and, with ``in_thread``, in
        a thread (``linger``), where a direct answer may wait on a query process or a remote
        engine."""
        if not self.alive:
            return None
        head = answercache.parse_head(buf)
        if head is None:
            return None
        remote = conn.client[0] if isinstance(conn.client, tuple) else "unknown"
        stored = self._answers.lookup(head)
        if stored is None:
            return self._direct_answer(head, remote, conn if in_thread else None)
        started = time.perf_counter()
        clients: tuple[str, ...] = ()
        budget = self._budget
        if stored.fair_use and budget is not None and budget.enabled:
            forwarded = head.headers.get(b"x-forwarded-for")
            clients, scale = fairuse.charged(remote, [forwarded.decode("latin-1")] if forwarded else [], self._settings)
            if budget.retry_after(*clients, scale=scale) is not None:
                return None  # past its budget: the app says 429 and when to retry
        data = b"".join(
            [
                b"HTTP/1.1 200 OK\r\nServer: gunicorn\r\nDate: ",
                self._http_date(),
                b"\r\nConnection: keep-alive\r\n",
                stored.head,
                b'Server-Timing: cache;desc="answer cache"\r\n\r\n',
                stored.body,
            ]
        )

        def done() -> None:
            seconds = time.perf_counter() - started
            for client in clients:
                budget.charge(client, seconds)
            self._log_line(head, remote, len(stored.body), seconds)

        return data, done, False

    def _direct_answer(self, head, remote: str, conn=None):
        """A new query answered from a template of the app's answer (``direct``), kept in the
        answer cache like the app's own; None to go the normal way. ``conn``: given in a thread,
        whose query may wait on a query process or a remote engine."""
        if self._direct is None:
            return None
        try:
            client = None
            if conn is not None:
                client = conn.sock.fileno()
            made = self._direct.answer(head, remote, self._http_date(), client)
        except Exception:  # a fast path never takes the worker down: the app answers, or says 500
            self.log.exception("direct answer failed; the app answers instead")
            return None
        if made is None or made is direct.LATER:
            return made
        data, charge, headers, body = made
        kept = answercache._storable("200 OK", headers)
        if kept is not None and len(body) <= self._answers.max_item_bytes:
            lines, vary = kept
            values = tuple(head.headers.get(n, b"") for n in vary)
            self._answers.store(head.target, head.headers[b"host"], answercache.Stored(vary, values, lines, body, True))

        def done() -> None:
            self._log_line(head, remote, len(body), charge())

        return data, done, True

    def _log_line(self, head, remote: str, size: int, seconds: float) -> None:
        if not self.log.access_log_enabled:
            return
        agent = head.headers.get(b"user-agent", b"-").decode("latin-1")
        request_line = f"GET {head.target.decode('latin-1')} HTTP/1.1"
        if hasattr(self.log, "line"):
            self.log.line(remote, request_line, 200, str(size), int(seconds * 1000), agent)
        else:
            self.log.access_log.info('%s "%s" 200 %d %dms "%s"', remote, request_line, size, int(seconds * 1000), agent)

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
        """Heartbeat at most every ``HEARTBEAT`` seconds, and write out the buffered access lines
        that are due."""
        flush = getattr(self.log, "flush_due", None)
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

    def _send(self, conn, data: memoryview, deadline: float | None = None) -> None:
        """Send without blocking; what the socket does not take now is sent as it drains
        (``_on_writable``), then the connection waits for its next request. ``deadline``: when an
        earlier part is still waiting for the client to read."""
        try:
            # MSG_DONTWAIT: never blocks, whatever mode the socket is in. A connection a thread
            # hands back (``linger``) with pipelined requests is still in blocking mode, with a
            # 10 s send timeout: a plain send to a client that does not read held the whole loop.
            sent = conn.sock.send(data, socket.MSG_DONTWAIT)
        except (BlockingIOError, InterruptedError):
            sent = 0
        except OSError:
            self._unwatch(conn)
            self.nr_conns -= 1
            conn.close()
            return
        if sent == len(data):
            return self._await_next(conn)
        if sent or deadline is None:  # progress: the limit is on a stall, as SO_SNDTIMEO's is
            deadline = time.monotonic() + self.request_read_timeout
        self._writing[conn] = (data[sent:], deadline)
        self._watch(conn, selectors.EVENT_WRITE, lambda _sock, c=conn: self._on_writable(c))

    def _on_writable(self, conn) -> None:
        pending = self._writing.pop(conn, None)
        if pending is None:
            return
        self._send(conn, *pending)  # still on the poller: sending on changes what it waits for

    def _murder_writers(self, now: float) -> None:
        for conn, (_data, deadline) in list(self._writing.items()):
            if now >= deadline:  # a client that does not read its replayed answer
                self._writing.pop(conn, None)
                try:
                    self.poller.unregister(conn.sock)
                except (KeyError, ValueError, OSError):
                    pass
                self.nr_conns -= 1
                conn.close()
