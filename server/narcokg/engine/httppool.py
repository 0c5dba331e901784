"""A small keep-alive connection pool to one HTTP endpoint, for the remote engine.

Built on ``http.client`` rather than urllib3: a query is sent as one form POST whose headers and
body go out in one write, and nothing re-parses or re-encodes the request target (urllib3 spent
0.6 ms of CPU per lookup percent-encoding the URL, more than the engine's answer took). Each
read is bounded by the caller's deadline (the socket's timeout is set to the time left).
"""

from __future__ import annotations

import http.client
import os
import select
import socket
import threading
import time
from urllib.parse import urlsplit

#: Errors of a connection the endpoint closed. While the request was being written (a kept-alive
#: connection closed while idle) it is sent again once on a fresh connection (queries have no side
#: effects); once it was sent, the endpoint failed on it (``Dropped``).
STALE = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError, ConnectionAbortedError)


class Deadline(Exception):
    """The deadline passed before the endpoint answered."""


class Unreachable(Exception):
    """No connection could be made, or the endpoint broke it before answering."""


class Dropped(Exception):
    """The endpoint closed a connection that was sound when the request went out, without an
    answer: it failed on this request (Oxigraph server 0.5 aborts on some ORDER BY) or died of
    something else meanwhile. Not sent again here (a fresh connection met the engine still
    restarting: "unreachable"); the caller tells the two apart (``sparqlhttp.Endpoint._send``)."""


class Silent(Exception):
    """The endpoint had not begun to answer, and the caller's ``check`` found it answering nothing."""


#: Seconds without the beginning of an answer after which the caller's ``check`` is asked, and
#: again each time as long again passes.
CHECK_EVERY = 3.0


class Pool:
    def __init__(self, url: str, size: int = 16, connect_timeout: float = 3.0):
        parts = urlsplit(url)
        self.https = parts.scheme == "https"
        self.host = parts.hostname or "localhost"
        self.port = parts.port or (443 if self.https else 80)
        self.path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self.netloc = parts.netloc
        self.size = size
        self.connect_timeout = connect_timeout
        self._idle: list[http.client.HTTPConnection] = []
        self._lock = threading.Lock()
        self._pid = os.getpid()
        #: When the endpoint last began an answer (``time.monotonic``): any answer, to any caller.
        self.heard = float("-inf")

    def _new(self, timeout: float) -> http.client.HTTPConnection:
        cls = http.client.HTTPSConnection if self.https else http.client.HTTPConnection
        conn = cls(self.host, self.port, timeout=min(self.connect_timeout, timeout))
        conn.connect()
        conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return conn

    def _take(self) -> http.client.HTTPConnection | None:
        while True:
            with self._lock:
                if self._pid != os.getpid():  # inherited across a fork: those sockets are the parent's
                    self._idle, self._pid = [], os.getpid()
                if not self._idle:
                    return None
                conn = self._idle.pop()
            if conn.sock is not None and not _closed_by_peer(conn.sock):
                return conn
            _close(conn)

    def give_back(self, conn: http.client.HTTPConnection) -> None:
        with self._lock:
            if self._pid == os.getpid() and len(self._idle) < self.size:
                self._idle.append(conn)
                return
        conn.close()

    def post_form(self, body: bytes, headers: dict, deadline: float, client: int | None = None, check=None):
        """(connection, response with headers read); the body is the caller's to read. With
        ``client`` (the requesting connection's socket), a client that hangs up while the endpoint
        computes closes the connection to the endpoint, which stops the query there
        (``ClientGone``). With ``check`` (a function: does the endpoint answer at all?), asked
        every ``CHECK_EVERY`` seconds while no answer has begun, a False ends the wait (``Silent``)
        instead of the deadline."""
        for attempt in (0, 1):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise Deadline()
            conn = self._take() if attempt == 0 else None
            reused, sent = conn is not None, False
            try:
                if conn is None:
                    conn = self._new(remaining)
                conn.sock.settimeout(remaining)
                conn.request(
                    "POST",
                    self.path,
                    body=body,
                    headers={**headers, "Host": self.netloc, "Content-Type": "application/x-www-form-urlencoded"},
                )
                sent = True
                if client is not None or check is not None:
                    _wait_for_answer(conn, client, deadline, check)
                response = conn.getresponse()
                self.heard = time.monotonic()
                return conn, response
            except (ClientGone, Silent):
                _close(conn)
                raise
            except (socket.timeout, TimeoutError):
                _close(conn)
                raise Deadline() from None
            except STALE:
                _close(conn)
                if sent:
                    raise Dropped() from None
                if reused:
                    continue
                raise Unreachable() from None
            except (OSError, http.client.HTTPException):
                _close(conn)
                raise Unreachable() from None
        raise Unreachable()

    def clear(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()


def _closed_by_peer(sock) -> bool:
    """Whether an idle kept-alive connection was closed (or written to) by the endpoint meanwhile:
    then it is not reused, so that a request on a reused connection meets a live one."""
    poller = select.poll()
    poller.register(sock.fileno(), select.POLLIN | select.POLLHUP | select.POLLERR)
    return bool(poller.poll(0))


def _close(conn) -> None:
    if conn is not None:
        try:
            conn.close()
        except OSError:
            pass


class ClientGone(Exception):
    """The client hung up before the endpoint answered."""


#: What a closed client connection shows to poll: the peer's FIN (RDHUP), a reset (HUP, ERR).
_GONE = getattr(select, "POLLRDHUP", 0) | select.POLLHUP | select.POLLERR


def _wait_for_answer(conn, client: int | None, deadline: float, check=None) -> None:
    """Wait until the endpoint starts answering, the client hangs up (``ClientGone``), ``check``
    says the endpoint answers nothing (``Silent``) or the deadline passes (``socket.timeout``,
    as a read would)."""
    poller = select.poll()
    poller.register(conn.sock.fileno(), select.POLLIN | select.POLLHUP | select.POLLERR)
    if client is not None:
        poller.register(client, _GONE)
    ask_at = time.monotonic() + CHECK_EVERY
    while True:
        now = time.monotonic()
        remaining = deadline - now
        if remaining <= 0:
            raise socket.timeout()
        wait = min(remaining, 1.0) if check is None else min(remaining, 1.0, max(0.0, ask_at - now))
        for fd, events in poller.poll(wait * 1000):
            if fd == client and events & _GONE:
                raise ClientGone()
            if fd != client:
                return
        if check is not None and time.monotonic() >= ask_at:
            if not check():
                raise Silent()
            ask_at = time.monotonic() + CHECK_EVERY
