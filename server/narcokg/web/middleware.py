"""Cross-cutting HTTP behaviour, in one place: health, security and CORS headers, compression,
URL length limit and error answers.

Every response carries a Content-Security-Policy without inline script, nosniff, a referrer
policy and frame protection. Every error is a short message (an HTML page when the client
prefers HTML, plain text otherwise); an unexpected exception is logged server-side and the
client gets a generic 500 with no detail, never a traceback or a local path. Requests gunicorn
refuses before they reach the app get the same headers and kind of message from
``gunicorn_worker``.
"""

from __future__ import annotations

import logging
import re
import threading
import time

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException, InternalServerError, MethodNotAllowed


from narcokg.web import compress, cors, methods, preconditions, querystring
from narcokg import errors
from narcokg.web.errors import DEFAULT_MESSAGES, error_response, respond
from narcokg.web.refusals import client_error
from narcokg.web.headers import SECURITY_HEADERS

log = logging.getLogger("narcokg.web.middleware")

#: A Content-Encoding value repeated in the 415 answer (anything else is not echoed).
_CODING = re.compile(r"[a-z0-9-]{1,20}(, ?[a-z0-9-]{1,20}){0,3}")
#: Longest request target (path and query) accepted, in bytes; longer gets 414.
MAX_URL_BYTES = 8 * 1024


def _message(e: HTTPException) -> str:
    default = DEFAULT_MESSAGES.get(e.code or 500)
    description = e.description or ""
    # werkzeug's stock descriptions are long and generic; ours (passed to abort) are specific.
    stock = type(e).description
    if default and (not description or description == stock):
        return default
    return " ".join(str(description).split()) or (e.name or "error").lower()


def _with_security_headers(wsgi_app):
    """WSGI middleware adding ``SECURITY_HEADERS`` that a response does not set itself.

    At the WSGI level it is one pass over a plain list per response (~2 µs), against ~20 µs
    for werkzeug's ``Headers.setdefault`` per header in an ``after_request`` hook, and it also
    covers answers produced outside Flask's hooks."""
    extra = list(SECURITY_HEADERS.items())
    names = {k.lower() for k in SECURITY_HEADERS}

    def app(environ, start_response):
        def start(status, headers, exc_info=None):
            present = {k.lower() for k, _ in headers} & names
            headers.extend(h for h in extra if h[0].lower() not in present) if present else headers.extend(extra)
            return start_response(status, headers, exc_info)

        return wsgi_app(environ, start)

    return app


class _Probe:
    """The engine's ``responsive`` for ``/health``, asked by one thread at a time and kept for a
    second: health checks every 500 ms per replica, or a client calling ``/health`` in a loop,
    cost the engine at most one trivial query a second, and while one probe waits on a silent
    engine the other checks answer from the last one."""

    def __init__(self, engine, keep: float = 1.0):
        self.engine = engine
        self.keep = keep
        self._lock = threading.Lock()
        self._last = (float("-inf"), True)

    def responsive(self) -> bool:
        at, ok = self._last
        if time.monotonic() - at < self.keep or not self._lock.acquire(blocking=False):
            return ok
        try:
            ok = bool(self.engine.responsive())
            self._last = (time.monotonic(), ok)
            return ok
        finally:
            self._lock.release()


def install(app: Flask) -> None:
    # Counting a pyoxigraph store walks every quad; the served data never changes, so once.
    quads = app.extensions["narcokg.engine"].size()

    engine = app.extensions["narcokg.engine"]
    probe = _Probe(engine)

    @app.get("/health")
    def health():
        if not probe.responsive():
            # A load balancer takes this replica out of rotation until its engine answers again.
            body = jsonify(status="engine not answering", quads=quads)
            return body, 503, {"Retry-After": "5", "Cache-Control": "no-store"}
        return jsonify(status="ok", quads=quads)

    methods.install(app)

    @app.before_request
    def refuse_long_urls():
        target = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI") or request.full_path
        if len(target.encode("utf-8", "surrogateescape")) > MAX_URL_BYTES:
            return error_response(414, "URI Too Long", f"request URL longer than {MAX_URL_BYTES} bytes")
        wrong = querystring.path_not_utf8(request.environ.get("PATH_INFO", "")) or querystring.not_utf8(
            request.environ.get("QUERY_STRING", "")
        )
        return error_response(400, "Bad Request", wrong) if wrong else None

    app.before_request(methods.options)  # after the URL checks, before any view

    @app.before_request
    def refuse_coded_bodies():
        # No route decodes a compressed body, and gunicorn decodes no transfer coding but chunked:
        # read as it is, a gzipped body was a syntax error (400) and a plain one labelled gzip
        # passed. RFC 9110 §8.4: 415 for a content coding the server does not accept.
        transfer = request.headers.get("Transfer-Encoding", "").strip().lower()
        if any(c.strip() != "chunked" for c in transfer.split(",")) and transfer:
            # gunicorn accepts gzip, deflate and compress before chunked, and decodes none of them.
            named = f" {transfer}" if _CODING.fullmatch(transfer) else ""
            return error_response(
                400,
                "Bad Request",
                f"unsupported Transfer-Encoding{named}: only chunked is read; send the body chunked "
                "or with a Content-Length",
            )
        coding = request.headers.get("Content-Encoding", "").strip().lower()
        has_body = bool(request.content_length) or "Transfer-Encoding" in request.headers
        if not has_body or coding in ("", "identity"):
            return None
        named = f"Content-Encoding {coding}" if _CODING.fullmatch(coding) else "a Content-Encoding"
        return error_response(
            415, "Unsupported Media Type", f"request bodies with {named} are not accepted: send the body uncompressed"
        )

    @app.after_request
    def vary_like_the_200(resp):
        # A 304 has no body for the compression to look at: the representation it stands for
        # (still described here; werkzeug drops Content-Type from it on the way out) decides
        # whether its 200 says Vary: Accept-Encoding, and the 304 must say the same.
        known = "Content-Length" in resp.headers or not resp.is_streamed
        if resp.status_code == 304 and compress.encoding_chosen(resp.headers, known):
            resp.vary.add("Accept-Encoding")
        return resp

    # Outermost first: every answer's headers, an empty path read as /, CORS preflight, If-Match
    # and If-Unmodified-Since on the final ETag, then compression of the app's answers.
    app.wsgi_app = _with_security_headers(
        methods.absolute_form_root(cors.with_preflight(preconditions.checked(compress.with_compression(app.wsgi_app))))
    )

    @app.errorhandler(HTTPException)
    def http_error(e: HTTPException):
        if e.code is None or e.code < 400:
            return e
        if isinstance(e, MethodNotAllowed):
            return methods.refused(e)
        headers = e.get_headers()
        if e.code >= 500 and e.code != 503:
            log.error("HTTP %s on %s %s: %s", e.code, request.method, request.path, e.description)
        # A refusal in the catalogue's words says which language they are in (errors.refuse).
        return error_response(e.code, e.name, _message(e), headers, getattr(e, "in_lang", None))

    @app.errorhandler(errors.NarcokgError)
    def narcokg_error(e: errors.NarcokgError):
        return respond(e)

    @app.errorhandler(Exception)
    def unexpected(e: Exception):
        if isinstance(e, HTTPException):  # pragma: no cover - handled above
            return http_error(e)
        # gunicorn finds a malformed chunked body only while the app reads it: the client's fault.
        refused = client_error(e)
        if refused is not None:
            status, reason, message = refused
            log.warning("bad request body on %s %s: %s", request.method, request.path, e)
            return error_response(status, reason, message)
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500, InternalServerError().name, DEFAULT_MESSAGES[500])
