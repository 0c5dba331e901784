"""A gunicorn response that sends its head together with the first piece of its body.

gunicorn writes the status line and headers with one ``sendall`` and the body with another;
``sendall`` releases the GIL, so on a busy worker the body can follow milliseconds later. A
replica killed in between leaves a proxy holding a head without its body, which it can no longer
retry elsewhere: in a failover test two requests were lost that way at one SIGKILL. Here the head
waits for the first body bytes and both go in one write; a response without body bytes (HEAD,
304, an empty answer) and a file sent with ``sendfile`` send the head as before.
"""

from __future__ import annotations

from gunicorn import util
from gunicorn.http import wsgi


class _Collect:
    """Stands in for the socket while the parent class writes the head: keeps the bytes."""

    def __init__(self):
        self.data = b""

    def sendall(self, data: bytes) -> None:
        self.data += data


class OneWriteResponse(wsgi.Response):
    _defer = False
    _head = b""

    def send_headers(self):
        if not self._defer or self.headers_sent:
            return super().send_headers()
        real, self.sock = self.sock, _Collect()
        try:
            super().send_headers()
        finally:
            self._head, self.sock = self.sock.data, real

    def write(self, arg):
        self._defer = True
        try:
            super().write(arg)
        finally:
            self._defer = False
            self._flush_head()  # write() sent no body bytes (none allowed, or none left)

    def _emit_body(self, data):
        head, self._head = self._head, b""
        if head and not self.chunked:
            util.write(self.sock, head + data)
            return
        if head:
            util.write(self.sock, head)
        super()._emit_body(data)

    def _flush_head(self) -> None:
        head, self._head = self._head, b""
        if head:
            util.write(self.sock, head)


def install() -> None:
    """Make gunicorn's ``wsgi.create`` build this response (in a worker process, after the fork)."""
    wsgi.Response = OneWriteResponse
