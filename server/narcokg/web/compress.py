"""gzip for text answers, as one WSGI middleware, with caching kept correct per encoding.

A text answer (HTML, RDF, SPARQL results, JSON, CSS, JS) of at least ``THRESHOLD`` bytes is
gzipped when the client accepts gzip. Every text answer whose length is known says
``Vary: Accept-Encoding``, compressed or not and whatever its size: a 304 has no body to measure,
and must carry the Vary its 200 would (RFC 9110 §15.4.5; ``encoding_chosen`` decides both). The
gzipped answer carries its own strong ETag: the app's tag with
``-gzip`` inside the quotes. On revalidation the suffix is taken off If-None-Match before the app
compares tags, and a 304 names the tag the client holds. Answers that are already encoded (the
build's precompressed dumps), streamed (no Content-Length) or partial (206) pass through; a HEAD
gets the head its GET would get.
The threshold and level come from ``benchmarks/compression.py`` (figures in benchmarks/README.md).
"""

from __future__ import annotations

import gzip

from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from narcokg.formats import registry

#: Smallest body compressed, in bytes: below it gzip's header and the CPU buy little.
THRESHOLD = 1024
#: Largest body compressed per request (bigger answers are dumps, precompressed at build time).
MAX_BYTES = 16 * 1024 * 1024
#: zlib level. Level 1 keeps 85–93 % of level 6's saving at a third to a quarter of its CPU
#: (0.15 ms against 0.51 ms for a 110 KB SPARQL answer whose own cost is 0.45 ms); see the benchmark.
LEVEL = 1
SUFFIX = "-gzip"

_TEXT_TYPES = {"application/javascript", "image/svg+xml"} | {mt for f in registry.FORMATS for mt in f.media_types}


def compressible(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media.startswith("text/") or media in _TEXT_TYPES or media.endswith(("+json", "+xml"))


def accepts_gzip(environ) -> bool:
    header = environ.get("HTTP_ACCEPT_ENCODING", "")
    if not header:
        return False
    accept = parse_accept_header(header, MIMEAccept)
    return any(value.lower() in ("gzip", "x-gzip", "*") and q > 0 for value, q in accept)


def tag_with_suffix(etag: str) -> str:
    """``"abc"`` → ``"abc-gzip"`` (also for ``W/"abc"``)."""
    return etag[:-1] + SUFFIX + '"' if etag.endswith('"') else etag + SUFFIX


def _strip_if_none_match(environ) -> tuple[set[str], set[str]]:
    """Take ``-gzip`` off the tags of If-None-Match; returns the app tags that had it and those
    that came without it."""
    header = environ.get("HTTP_IF_NONE_MATCH")
    if not header:
        return set(), set()
    had, plain = set(), set()
    parts = []
    for raw in header.split(","):
        tag = raw.strip()
        if tag.endswith(SUFFIX + '"'):
            tag = tag[: -len(SUFFIX) - 1] + '"'
            had.add(tag.removeprefix("W/"))
        else:
            plain.add(tag.removeprefix("W/"))
        parts.append(tag)
    if had:
        environ["HTTP_IF_NONE_MATCH"] = ", ".join(parts)
    return had, plain


def _header(headers: list, name: str) -> str | None:
    lname = name.lower()
    for k, v in headers:
        if k.lower() == lname:
            return v
    return None


def _set(headers: list, name: str, value: str) -> None:
    lname = name.lower()
    headers[:] = [(k, v) for k, v in headers if k.lower() != lname]
    headers.append((name, value))


def _add_vary(headers: list) -> None:
    vary = _header(headers, "Vary")
    if vary is None:
        headers.append(("Vary", "Accept-Encoding"))
    elif "accept-encoding" not in vary.lower():
        _set(headers, "Vary", vary + ", Accept-Encoding")


def _run(wsgi_app, environ) -> tuple[str, list, list, object]:
    """Call the app, keeping its status, headers, exc_info and body for a decision."""
    captured: dict = {"written": []}

    def start(status, headers, exc_info=None):
        captured.update(status=status, headers=headers, exc_info=exc_info)
        return captured["written"].append

    body = wsgi_app(environ, start)
    return captured["status"], captured["headers"], captured, body


def _close(body) -> None:
    if hasattr(body, "close"):
        body.close()


def encoding_chosen(headers, known_length: bool) -> bool:
    """Whether an answer with these headers is one whose encoding follows Accept-Encoding (a
    text answer of known length, not encoded already), and so says ``Vary: Accept-Encoding``.
    ``headers``: a list of pairs or werkzeug's Headers; the app's 304s are asked too."""
    return (
        known_length
        and not _header(headers, "Content-Encoding")
        and compressible(_header(headers, "Content-Type") or "")
    )


def _known_length(headers: list) -> bool:
    length = _header(headers, "Content-Length")
    return bool(length) and length.isdigit()


def _worth_compressing(status: str, headers: list) -> bool:
    return (
        status.startswith("200")
        and encoding_chosen(headers, _known_length(headers))
        and THRESHOLD <= int(_header(headers, "Content-Length")) <= MAX_BYTES
    )


def with_compression(wsgi_app):
    """WSGI middleware gzipping text answers (see the module docstring)."""

    def app(environ, start_response):
        if environ.get("REQUEST_METHOD") != "HEAD":
            return answer(environ, start_response)
        # HEAD: the head GET would have (encoding, ETag, Vary, length), so that a HEAD
        # revalidation agrees with GET's; it passed through before, with the identity copy's tag.
        body = answer({**environ, "REQUEST_METHOD": "GET"}, start_response)
        _close(body)
        return []

    def answer(environ, start_response):
        gzip_ok = accepts_gzip(environ)
        stripped, plain = _strip_if_none_match(environ) if gzip_ok else (set(), set())
        status, headers, captured, body = _run(wsgi_app, environ)
        if status.startswith("304") and gzip_ok:
            etag = (_header(headers, "ETag") or "").removeprefix("W/")
            if etag in stripped:
                _set(headers, "ETag", tag_with_suffix(_header(headers, "ETag")))
                _add_vary(headers)
            elif plain and "*" not in plain:  # "*" matches any representation
                # A gzip client revalidates an identity copy: it is current only if the answer
                # would not be compressed, which the app's 304 alone cannot tell: ask in full.
                full_env = {
                    k: v for k, v in environ.items() if k not in ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE")
                }
                full = _run(wsgi_app, full_env)
                if _worth_compressing(full[0], full[1]):
                    _close(body)
                    status, headers, captured, body = full
                else:
                    _close(full[3])
        if status.startswith("200") and encoding_chosen(headers, _known_length(headers)):
            _add_vary(headers)
        if not gzip_ok or not _worth_compressing(status, headers):
            start_response(status, headers, captured["exc_info"])
            return [*captured["written"], *body] if captured["written"] else body
        try:
            data = b"".join([*captured["written"], *body])
        finally:
            _close(body)
        packed = gzip.compress(data, compresslevel=LEVEL, mtime=0)
        _set(headers, "Content-Encoding", "gzip")
        _set(headers, "Content-Length", str(len(packed)))
        etag = _header(headers, "ETag")
        if etag:
            _set(headers, "ETag", tag_with_suffix(etag))
        start_response(status, headers, captured["exc_info"])
        return [packed]

    return app
