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

from narcokg.engine.worker import _LEN


class Died(Exception):
    pass


class TimedOut(Exception):
    pass


class ClientGone(Exception):
    pass


#: What a closed client connection shows to poll: the peer's FIN (RDHUP), a reset (HUP, ERR).
_GONE_EVENTS = getattr(select, "POLLRDHUP", 0) | select.POLLHUP | select.POLLERR


class QueryProcess:
    def __init__(self, popen: subprocess.Popen, errors=None):
        self.popen = popen
        self.errors = errors
        self.pid = popen.pid
        self.rfd = popen.stdout.fileno()
        self.wfd = popen.stdin.fileno()
        self.queries = 0
        self.idle_since = time.monotonic()

    def alive(self) -> bool:
        return self.popen.poll() is None

    def kill(self) -> None:
        try:
            self.popen.kill()
        except OSError:
            pass

    def read_frame(self, deadline: float, client: int | None = None) -> tuple[dict, bytes]:
        head = self._read(_LEN.size, deadline, client)
        hlen, blen = _LEN.unpack(head)
        header = json.loads(self._read(hlen, deadline)) if hlen else {}
        body = self._read(blen, deadline) if blen else b""
        return header, body

    def _read(self, n: int, deadline: float, client: int | None = None) -> bytes:
        """``n`` bytes from the process; with ``client`` (a socket's fd), ClientGone as soon as
        that connection is closed by its peer while nothing has come yet."""
        parts, got = [], 0
        poller = select.poll()
        poller.register(self.rfd, select.POLLIN | select.POLLHUP | select.POLLERR)
        if client is not None:
            poller.register(client, _GONE_EVENTS)
        while got < n:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimedOut()
            events = poller.poll(remaining * 1000)
            if not events:
                raise TimedOut()
            if client is not None and any(fd == client for fd, _ in events):
                answering = got or any(fd == self.rfd for fd, _ in events)
                if not answering:
                    raise ClientGone()
                poller.unregister(client)  # the answer is coming: read it
                client = None
                if not any(fd == self.rfd for fd, _ in events):
                    continue
            chunk = os.read(self.rfd, min(n - got, 1 << 20))
            if not chunk:
                raise Died()
            parts.append(chunk)
            got += len(chunk)
        return b"".join(parts)

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
            except OSError:
                pass
