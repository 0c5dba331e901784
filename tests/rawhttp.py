"""A minimal HTTP/1.1 client over a raw socket, for tests that must send what ordinary clients
refuse to (raw bytes and dot segments in the target, odd methods and headers) and must tell a
dropped connection from an answer."""

from __future__ import annotations

import http.client
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class Dropped(AssertionError):
    """The server closed the connection without an answer."""


def request(
    base: str, method: bytes | str, target: bytes | str, headers=(), body: bytes | None = None, timeout: float = 60
) -> Answer:
    """Send one request exactly as given (``Connection: close``) and read the whole answer."""
    parts = urlsplit(base)
    method = method.encode() if isinstance(method, str) else method
    target = target.encode() if isinstance(target, str) else target
    lines = [method + b" " + target + b" HTTP/1.1", b"Host: " + parts.netloc.encode(), b"Connection: close"]
    for k, v in headers:
        lines.append((k.encode() if isinstance(k, str) else k) + b": " + (v.encode() if isinstance(v, str) else v))
    if body is not None:
        lines.append(b"Content-Length: " + str(len(body)).encode())
    raw = b"\r\n".join(lines) + b"\r\n\r\n" + (body or b"")
    with socket.create_connection((parts.hostname, parts.port), timeout=timeout) as sock:
        try:
            sock.sendall(raw)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may answer before reading all of a body it refuses; read the answer
        resp = http.client.HTTPResponse(sock, method=method.decode("latin-1"))
        try:
            resp.begin()
            data = resp.read()
        except (http.client.RemoteDisconnected, ConnectionResetError, http.client.IncompleteRead) as exc:
            raise Dropped(f"{method!r} {target[:200]!r}: connection dropped ({exc.__class__.__name__})") from None
        return Answer(resp.status, resp.headers, data)
