"""A thread that has answered a kept-alive connection waits briefly for its next request.

Why: in gthread every request of a kept-alive connection goes through two hand-offs between the
worker's event loop and a thread (the loop reads the request and queues it to the pool; the
thread's done-callback writes to a pipe so that the loop puts the connection back on its poller).
Each hand-off moves the GIL between threads and costs syscalls: together about a third of the
worker's CPU per unique lookup (``benchmarks/profile_lookup.py``), more than Flask. A client that
sends its next request as soon as it has the answer (a script, a benchmark, a page fetching its
assets) finds the thread still there: the thread reads that request itself and answers it.

What stays true: a thread still only ever parses a request that is whole in its buffer (the
same ``requestframe`` scan as the event loop's), so a slow client cannot hold it. It waits
``linger`` seconds at most (``Settings.linger_ms``), only while no other request is queued for a thread, and only while
the worker is not stopping; a request not whole by then, and every other case, goes back to the
event loop with the bytes read so far. A stored answer is replayed here as the loop would
(``Replay``), with a blocking send bounded by the socket's send timeout, and a new query is
answered directly (``direct``), including the ones the event loop leaves to a thread because
they wait on a query process or a remote engine (``_first_in_thread``).
"""

from __future__ import annotations

import select
import socket

from narcokg.web import direct, handover, requestframe

#: Largest stored answer replayed from a thread (one send); larger ones go back to the event
#: loop, which sends them as the client reads without holding a thread.
REPLAY_IN_THREAD_MAX = 64 * 1024


class Linger:
    """Mixin of ``gunicorn_worker.BufferedThreadWorker``; see the module docstring."""

    #: Longest wait, in seconds, for a kept-alive connection's next request in the thread (set by
    #: ``serve`` from ``Settings.linger_ms``); 0: none.
    linger = 0.002

    def handle(self, conn):
        answered = self._first_in_thread(conn)
        if answered is False:
            return False
        while True:
            if not answered:
                keep = super().handle(conn)
                handover.clear()  # an outcome the app did not take dies with its request
                if keep is not True:
                    return keep
            ready = self._next_in_thread(conn)
            if ready is not True:
                return True if ready is None else False
            answered = None

    def _first_in_thread(self, conn) -> bool | None:
        """Answer directly the request the event loop handed over for that (``direct.LATER``):
        True when answered, False to close the connection, None for the app to answer it."""
        if not getattr(conn, "_narcokg_direct", False) or conn.parser is None or self._answers is None:
            return None
        conn._narcokg_direct = False
        buf = bytearray(conn.parser.unreader.take_buffered())
        found = self._stored_answer(conn, buf, in_thread=True)
        if found is None or found is direct.LATER:
            conn.parser.unreader.unread(bytes(buf))
            return None
        return self._send_here(conn, found)

    def _send_here(self, conn, found) -> bool:
        try:
            conn.sock.sendall(found[0])  # blocking, bounded by the socket's send timeout
        except OSError:
            return False
        found[1]()
        return True

    def _next_in_thread(self, conn) -> bool | None:
        """True when ``conn``'s next request is whole in its parser's buffer, for this thread to
        answer; None to give the connection back to the event loop (with the bytes read so far
        in the parser's buffer, where ``enqueue_req`` takes them); False to close it (the client
        did not take an answer made here)."""
        while self.linger > 0 and self.alive and conn.parser is not None and self._pool_idle():
            buf, verdict = self._read_next(conn)
            found = None
            if verdict == requestframe.COMPLETE and self._answers is not None:
                found = self._stored_answer(conn, buf, in_thread=True)
            if found is not None and found is not direct.LATER and (found[2] or len(found[0]) <= REPLAY_IN_THREAD_MAX):
                # A direct answer is sent here whatever its size: it was made once and may not
                # be in the answer cache; a large stored one goes back to the event loop.
                if not self._send_here(conn, found):
                    return False
                continue  # answered: wait for the next one
            conn.parser.unreader.unread(bytes(buf))
            if (found is not None and found is not direct.LATER) or verdict in (None, requestframe.INCOMPLETE):
                return None  # a large stored answer is sent by the event loop, without blocking
            # Answered here even if not whole (HANDOVER): then its connection closes after the
            # answer, as for the event loop's (``gunicorn_worker.ThreadWorker.handle_request``).
            conn._narcokg_short = verdict != requestframe.COMPLETE
            return True
        return None

    def _read_next(self, conn) -> tuple[bytearray, int | None]:
        """The bytes of the next request that came within ``linger`` seconds (or were read ahead),
        and the frame scanner's verdict on them (None: nothing came)."""
        buf = bytearray(conn.parser.unreader.take_buffered())
        if not buf and not _readable(conn.sock, self.linger):
            return buf, None
        scanner = requestframe.FrameScanner(self._max_head(), self.max_body_bytes)
        verdict = scanner.scan(buf) if buf else requestframe.INCOMPLETE
        while verdict == requestframe.INCOMPLETE:
            try:
                data = conn.sock.recv(65536, socket.MSG_DONTWAIT)
            except (BlockingIOError, InterruptedError):
                break
            except OSError:
                data = b""
            if not data:  # closed by the client: the event loop sees it and drops the connection
                break
            buf += data
            verdict = scanner.scan(buf)
        return buf, verdict

    def _pool_idle(self) -> bool:
        """No request waits for a thread (a lingering thread must not keep one waiting)."""
        queue = getattr(self.tpool, "_work_queue", None)
        return queue is not None and queue.empty()


def _readable(sock, seconds: float) -> bool:
    poller = select.poll()
    poller.register(sock, select.POLLIN)
    return bool(poller.poll(seconds * 1000))
