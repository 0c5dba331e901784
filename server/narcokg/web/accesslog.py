"""gunicorn's logger with a cheaper access log for ``narcokg serve``.

Why: gunicorn builds a dict of ~20 atoms per request and sends each line through ``logging``
(a lock, a formatter, a write and a flush): 6–16 % of a lookup's CPU in the worker profile
(benchmarks/README.md). Here the one line format narcokg uses is written directly into a
buffer that the worker's event loop writes out (``flush_due``) once a line has waited
``DELAY`` seconds or ``BATCH`` lines are waiting: one write per turn of the loop still cost a
unique lookup 6 % of its CPU at one client (a turn answers one request then). Lines appear
within about a second (a loop that has nothing to do turns once a second) and all of them
before the worker exits.
The line is the same as ``ACCESS_LOG_FORMAT`` gives:
``client "METHOD target PROTOCOL" status bytes Nms "user agent"``.
"""

from __future__ import annotations

import sys
import threading
import time

from gunicorn import glogging

#: Lines kept before a request thread writes them itself (a loop turn that comes late).
MAX_PENDING = 512
#: Lines, and seconds since the first of them, after which the event loop writes them out.
BATCH = 64
DELAY = 0.2


class Logger(glogging.Logger):
    def setup(self, cfg):
        super().setup(cfg)
        self._pending: list[str] = []
        self._since = 0.0  # when the first pending line came
        self._pending_lock = threading.Lock()
        # Only the stdout access log is buffered; a file or syslog keeps gunicorn's handling.
        self._direct = cfg.accesslog == "-" and not cfg.syslog

    def access(self, resp, req, environ, request_time):
        if not self._direct:
            return super().access(resp, req, environ, request_time)
        if not self.access_log_enabled:
            return
        status = resp.status
        if isinstance(status, str):
            status = status.split(None, 1)[0]
        sent = getattr(resp, "sent", None)
        ms = request_time.seconds * 1000 + request_time.microseconds // 1000
        self.line(
            environ.get("REMOTE_ADDR", "-"),
            f"{environ['REQUEST_METHOD']} {environ['RAW_URI']} {environ['SERVER_PROTOCOL']}",
            status,
            str(sent) if sent is not None else "-",
            ms,
            environ.get("HTTP_USER_AGENT", "-"),
        )

    def line(self, client: str, request_line: str, status, sent: str, ms: int, agent: str) -> None:
        """One access line (also used by the worker's fast path, which has no gunicorn objects)."""
        text = f'{client} "{request_line}" {status} {sent} {ms}ms "{agent}"\n'
        with self._pending_lock:
            if not self._pending:
                self._since = time.monotonic()
            self._pending.append(text)
            full = len(self._pending) >= MAX_PENDING
        if full:
            self.flush()

    def flush_due(self) -> None:
        """Write the pending lines out when they have waited long enough or are many."""
        pending = self._pending
        if pending and (len(pending) >= BATCH or time.monotonic() - self._since >= DELAY):
            self.flush()

    def flush(self) -> None:
        with self._pending_lock:
            lines, self._pending = self._pending, []
        if lines:
            try:
                sys.stdout.write("".join(lines))
                sys.stdout.flush()
            except (OSError, ValueError):
                pass  # a closed or broken stdout must not take requests down with it
