"""The worker's fast path: a stored answer replayed from the event loop (see ``answercache``).

A mixin of ``gunicorn_worker.BufferedThreadWorker``: ``load_wsgi`` wraps the app so that its
replayable answers are kept; ``_replay`` answers a whole, plain GET from them before any thread,
parser or Flask code runs; the answer is sent without blocking the loop (``_send``,
``_on_writable``), and a client that stops reading it is dropped after ``request_read_timeout``
seconds without progress (``_murder_writers``).
"""

from __future__ import annotations

import email.utils
import selectors
import time

from narcokg.web import answercache, fairuse


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
        self.wsgi = answercache.capturing(app, self._answers)

    # The fast path: a stored answer replayed from the event loop (see ``answercache``) ---------
    def _replay(self, conn, state) -> bool:
        """Answer the whole request in ``state`` from the answer cache; False to go the normal way."""
        found = self._stored_answer(conn, state.buf)
        if found is None:
            return False
        data, done = found
        self._forget(conn)
        self._send(conn, memoryview(data))
        done()
        return True

    def _stored_answer(self, conn, buf):
        """(the bytes that answer the whole request in ``buf`` from the answer cache, a function
        to call once they are sent: it charges fair use and logs); None to go the normal way.
        Safe in the event loop and in a thread (``linger``)."""
        if not self.alive:
            return None
        head = answercache.parse_head(buf)
        stored = self._answers.lookup(head) if head is not None else None
        if stored is None:
            return None
        started = time.perf_counter()
        remote = conn.client[0] if isinstance(conn.client, tuple) else "unknown"
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
            if self.log.access_log_enabled:
                agent = head.headers.get(b"user-agent", b"-").decode("latin-1")
                request_line = f"GET {head.target.decode('latin-1')} HTTP/1.1"
                if hasattr(self.log, "line"):
                    self.log.line(remote, request_line, 200, str(len(stored.body)), int(seconds * 1000), agent)
                else:
                    self.log.access_log.info(
                        '%s "%s" 200 %d %dms "%s"', remote, request_line, len(stored.body), int(seconds * 1000), agent
                    )

        return data, done

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

    def _send(self, conn, data: memoryview, deadline: float | None = None) -> None:
        """Send without blocking; what the socket does not take now is sent as it drains
        (``_on_writable``), then the connection waits for its next request. ``deadline``: when an
        earlier part is still waiting for the client to read."""
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
        if sent or deadline is None:  # progress: the limit is on a stall, as SO_SNDTIMEO's is
            deadline = time.monotonic() + self.request_read_timeout
        self._writing[conn] = (data[sent:], deadline)
        self.poller.register(conn.sock, selectors.EVENT_WRITE, lambda _sock, c=conn: self._on_writable(c))

    def _on_writable(self, conn) -> None:
        pending = self._writing.pop(conn, None)
        if pending is None:
            return
        try:
            self.poller.unregister(conn.sock)
        except (KeyError, ValueError, OSError):
            pass
        self._send(conn, *pending)

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
