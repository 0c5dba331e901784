"""One query process as the pool sees it: the process, the pipe its answers come on (length-
prefixed frames, ``worker.write_frame``), and its standard error. Reading a frame waits for the
answer, the deadline, the process's death, or the client hanging up, whichever comes first.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import time

from narcokg.engine.worker import _LEN, write_frame


class Died(Exception):
    pass


class TimedOut(Exception):
    pass


class ClientGone(Exception):
    pass


#: What a closed client connection shows to poll: the peer's FIN (RDHUP), a reset (HUP, ERR).
_GONE_EVENTS = getattr(select, "POLLRDHUP", 0) | select.POLLHUP | select.POLLERR


class QueryProcess:
    def __init__(self, popen: subprocess.Popen, errors=None, ack: int | None = None):
        self.popen = popen
        self.errors = errors
        self.pid = popen.pid
        self.rfd = popen.stdout.fileno()
        self.wfd = popen.stdin.fileno()
        #: Read end of the process's start pipe (non-blocking): one byte per query it started.
        self.ack = ack
        self.sent = 0  # queries written to the process
        self.acked = 0  # start bytes read back
        self.queries = 0
        self.idle_since = time.monotonic()
        #: Bytes read from the answer pipe and not yet part of a returned frame.
        self._buf = bytearray()

    def send(self, job: dict) -> None:
        write_frame(self.wfd, job)
        self.sent += 1

    def started_last(self) -> bool:
        """Whether the process began the query sent last (its start byte has come)."""
        self.drain_acks()
        return self.acked >= self.sent

    def drain_acks(self) -> None:
        """Read the start bytes waiting in the pipe (never blocks), so that it never fills."""
        if self.ack is None:
            return
        while True:
            try:
                got = os.read(self.ack, 4096)
            except (BlockingIOError, OSError):
                return
            if not got:
                return
            self.acked += len(got)

    def alive(self) -> bool:
        return self.popen.poll() is None

    def kill(self) -> None:
        try:
            self.popen.kill()
        except OSError:
            pass

    def read_frame(self, deadline: float, client: int | None = None) -> tuple[dict, bytes]:
        """The next frame; with ``client`` (a socket's fd), ClientGone as soon as that connection
        is closed by its peer while nothing of the answer has come yet."""
        buf = self._buf
        if len(buf) < _LEN.size:
            self._fill(_LEN.size, deadline, client)
        hlen, blen = _LEN.unpack_from(buf)
        end = _LEN.size + hlen + blen
        if len(buf) < end:
            self._fill(end, deadline, None)
        with memoryview(buf) as view:  # one copy of a large body, not two
            header = json.loads(view[_LEN.size : _LEN.size + hlen].tobytes()) if hlen else {}
            body = view[_LEN.size + hlen : end].tobytes()
        del buf[:end]
        return header, body

    def _fill(self, n: int, deadline: float, client: int | None) -> None:
        """Read until the buffer holds ``n`` bytes: each read takes whatever the pipe has, so a
        frame usually comes in one read after one wait."""
        buf = self._buf
        poller = select.poll()
        poller.register(self.rfd, select.POLLIN | select.POLLHUP | select.POLLERR)
        if client is not None:
            poller.register(client, _GONE_EVENTS)
        while len(buf) < n:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimedOut()
            events = poller.poll(remaining * 1000)
            if not events:
                raise TimedOut()
            if client is not None and any(fd == client for fd, _ in events):
                answering = buf or any(fd == self.rfd for fd, _ in events)
                if not answering:
                    raise ClientGone()
                poller.unregister(client)  # the answer is coming: read it
                client = None
                if not any(fd == self.rfd for fd, _ in events):
                    continue
            # At least a pipe's worth (the rest of a frame that has come), at most 1 MiB: a read
            # allocates the size it asks for before the kernel says how much it has.
            chunk = os.read(self.rfd, min(max(n - len(buf), 1 << 16), 1 << 20))
            if not chunk:
                raise Died()
            buf += chunk

    def stderr_tail(self, size: int = 4096) -> str:
        """The last ``size`` bytes the process wrote to stderr."""
        if self.errors is None:
            return ""
        try:
            end = self.errors.seek(0, os.SEEK_END)
            self.errors.seek(max(0, end - size))
            return self.errors.read().decode("utf-8", "replace")
        except (OSError, ValueError):
            return ""

    def close(self) -> None:
        for stream in (self.popen.stdin, self.popen.stdout, self.errors):
            try:
                stream.close()
            except (OSError, AttributeError):
                pass
        if self.ack is not None:
            try:
                os.close(self.ack)
            except OSError:
                pass
            self.ack = None
