"""What gunicorn refuses before the app sees a request, said as the app would say it.

gunicorn refuses a malformed request (request line, headers, framing) itself, and its stock
answer bypasses the app: an HTML page without the security headers, and 501 for a
Transfer-Encoding it does not support, a 5xx caused by client input. ``client_error`` maps such a
refusal to a 4xx and one line of plain text saying what is wrong (a bounded, control-free piece
of the input at most; never a path or traceback); errors that are not the client's map to None
and keep gunicorn's own handling. The worker (``gunicorn_worker``) answers with it, and the app
for framing errors found while it reads a chunked body.
"""

from __future__ import annotations

import re
import unicodedata
from http import HTTPStatus

from gunicorn.http import errors as _errors

from narcokg.web.headers import SECURITY_HEADERS

#: Most characters of client input an answer repeats.
MAX_ECHO = 200


def _classes(*names: str) -> tuple[type, ...]:
    """The named gunicorn error classes this gunicorn version has (names vary between versions)."""
    return tuple(cls for cls in (getattr(_errors, name, None) for name in names) if isinstance(cls, type))


def shown(value) -> str:
    """Client input fit to repeat: text, no control characters, at most ``MAX_ECHO`` characters."""
    if value is None:
        return ""
    if isinstance(value, (bytes, bytearray)):
        value = bytes(value).decode("latin-1")
    text = "".join(c for c in str(value) if not unicodedata.category(c).startswith("C"))
    text = " ".join(text.split())
    return text if len(text) <= MAX_ECHO else text[:MAX_ECHO] + "..."


def _with(what: str, detail) -> str:
    detail = shown(detail)
    return f"{what}: {detail}" if detail else what


def _field_name(name) -> str:
    """gunicorn upper-cases the header names it reports: show them as usually written."""
    text = shown(name)
    return text.title() if re.fullmatch(r"[A-Z0-9]+(-[A-Z0-9]+)*", text) else text


_FRAMING = {
    "Transfer-Encoding": "invalid Transfer-Encoding (the last coding must be chunked, given once, in HTTP/1.1 only)",
    "Content-Length": "invalid Content-Length (one non-negative number, not together with Transfer-Encoding)",
}


def _invalid_header(exc) -> str:
    name = _field_name(exc.hdr)
    return _FRAMING.get(name) or _with("invalid, repeated or conflicting header", name)


def _version(version) -> str:
    """The version as written: gunicorn reports a well-formed but unsupported one as a tuple."""
    if isinstance(version, tuple) and len(version) == 2:
        return "HTTP/%s.%s" % version
    return shown(version)


def _header_limit(exc, cfg) -> str:
    kind = str(getattr(exc, "msg", "") or exc).lower()
    fields = getattr(cfg, "limit_request_fields", None)
    size = getattr(cfg, "limit_request_field_size", None)
    if "buffer" in kind:
        return "request head too large"
    if "trailer" in kind:
        return "chunked body trailer section too large"
    if "size" in kind or "large" in kind:
        return f"a header field longer than {size} bytes" if size else "a header field too long"
    if "field" in kind or "many" in kind:
        return f"more than {fields} header fields" if fields else "too many header fields"
    return "request header fields too large"


def _request_line_limit(exc, cfg) -> str:
    limit = getattr(exc, "max_size", None) or getattr(cfg, "limit_request_line", None)
    return f"request line longer than {limit} bytes" if isinstance(limit, int) else "request line too long"


# The server's fault, though subclasses of client errors: gunicorn's own handling (500).
_SERVER_FAULTS = _classes("InvalidResponseHeader", "InvalidResponseHeaderName")

# (error classes, status, message from the exception and the gunicorn config), first match wins.
_CLIENT_ERRORS = [
    (_classes("LimitRequestLine"), 414, _request_line_limit),
    (_classes("LimitRequestHeaders"), 431, _header_limit),
    (
        _classes("ExpectationFailed"),
        417,
        lambda e, _: _with("unsupported Expect header (only 100-continue is supported)", e.expect),
    ),
    (_classes("ForbiddenProxyRequest"), 403, lambda e, _: "PROXY protocol not allowed from this address"),
    (_classes("UnsupportedTransferCoding"), 400, lambda e, _: _with("unsupported Transfer-Encoding", e.hdr)),
    (_classes("InvalidRequestMethod"), 400, lambda e, _: _with("invalid request method", e.method)),
    (_classes("InvalidHTTPVersion"), 400, lambda e, _: _with("invalid HTTP version", _version(e.version))),
    (_classes("InvalidRequestLine"), 400, lambda e, _: _with("malformed request line", e.req)),
    (_classes("ObsoleteFolding"), 400, lambda e, _: _with("obsolete line folding in header", _field_name(e.hdr))),
    (_classes("InvalidHeaderName"), 400, lambda e, _: _with("invalid header name", _field_name(e.hdr))),
    (_classes("InvalidHeader"), 400, lambda e, _: _invalid_header(e)),
    (_classes("InvalidChunkSize"), 400, lambda e, _: _with("invalid chunk size", e.data)),
    (_classes("ChunkMissingTerminator"), 400, lambda e, _: _with("chunk not terminated by CRLF", e.term)),
    (_classes("InvalidChunkExtension"), 400, lambda e, _: _with("invalid chunk extension", e.reason)),
    (_classes("InvalidSchemeHeaders"), 400, lambda e, _: "contradictory scheme headers"),
    (_classes("InvalidProxyLine"), 400, lambda e, _: _with("invalid PROXY protocol line", e.line)),
    (_classes("InvalidProxyHeader"), 400, lambda e, _: _with("invalid PROXY protocol header", e.msg)),
    (_classes("InvalidH2CPreface"), 400, lambda e, _: "invalid HTTP/2 connection preface"),
    # The request path lies outside SCRIPT_NAME: the client asked for something not served here.
    (_classes("ConfigurationProblem"), 400, lambda e, _: "request path outside this application's root"),
    # The app was reading the body when the client closed the connection or stopped sending.
    (
        _classes("NoMoreData"),
        400,
        lambda e, _: "the request body ended before its announced end (the connection was closed)",
    ),
    ((BlockingIOError, TimeoutError), 408, lambda e, _: "the request body was not received in time"),
]


def client_error(exc: BaseException, cfg=None) -> tuple[int, str, str] | None:
    """(status, reason, message) when ``exc`` is gunicorn refusing a bad request, else None."""
    if _SERVER_FAULTS and isinstance(exc, _SERVER_FAULTS):
        return None
    for classes, status, message in _CLIENT_ERRORS:
        if classes and isinstance(exc, classes):
            try:
                text = message(exc, cfg)
            except Exception:  # an attribute renamed in another gunicorn version
                text = "malformed request"
            return status, HTTPStatus(status).phrase, text
    return None


def error_body(status: int, reason: str, message: str) -> bytes:
    """One line of text, as ``web.error_response`` writes for non-HTML clients."""
    return f"{status} {reason}: {message}\n".encode("utf-8", "replace")


def error_bytes(status: int, body: bytes) -> bytes:
    """The whole HTTP/1.1 answer, with the app's security headers; the connection closes after it."""
    reason = HTTPStatus(status).phrase
    head = [
        f"HTTP/1.1 {status} {reason}",
        "Content-Type: text/plain; charset=utf-8",
        f"Content-Length: {len(body)}",
        "Connection: close",
    ]
    head += [f"{key}: {value}" for key, value in SECURITY_HEADERS.items()]
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body
