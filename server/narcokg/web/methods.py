"""Methods a route does not serve, and request targets that are not a path.

One rule for every method: a route answers the methods it serves; any other method on it, known
(PUT, CONNECT, TRACE) or not (BREW), is 405 with the route's ``Allow`` and a message naming the
method, the path and what to use instead. Nothing answers 501: a method is refused by the
resource, never as unknown to the server (gunicorn refuses a method that is not a token, 400).

OPTIONS is answered the same way on every route, by ``options`` before any view: 204, no body,
and the ``Allow`` that route's 405 gives, in the same order (Flask's automatic OPTIONS answered
200 and listed the methods in the order of a set). The CORS headers are those of every answer;
a browser's preflight is answered before the app (``cors``).

An absolute-form target with an empty path (``GET http://example.org:443``, which a server must
accept: RFC 9112 §3.2.2) is the path ``/`` (RFC 9112 §3.3: an empty path is ``/``), answered as
``GET /`` is (``absolute_form_root``); werkzeug redirected it (308, with its own HTML page) to
``/`` on the Host header.

Targets without a path reach the app too, and named no route (404): ``OPTIONS *`` asks what the
server as a whole allows (RFC 9110 §9.3.7), and ``CONNECT host:port`` asks for a tunnel, which a
server that is not a proxy refuses with 405 and the methods it does serve.
"""

from __future__ import annotations

from flask import Flask, Response, request
from flask.globals import request_ctx
from werkzeug.exceptions import MethodNotAllowed

from narcokg.web import cors
from narcokg.web.errors import error_response
from narcokg.web.refusals import shown

#: The order methods are listed in (any others after them, alphabetically).
_ORDER = ("GET", "HEAD", "POST", "OPTIONS")


def allow_header(methods) -> str:
    methods = set(methods)
    return ", ".join([m for m in _ORDER if m in methods] + sorted(methods - set(_ORDER)))


def refused(e: MethodNotAllowed) -> Response:
    """The 405 of a route that does not serve the request's method."""
    allow = allow_header(e.valid_methods or ())
    message = f"{shown(request.method)} is not allowed on {shown(request.path)}; it answers {allow}"
    return error_response(405, "Method Not Allowed", message, [("Allow", allow)])


def no_content(allow: str) -> Response:
    """The answer to OPTIONS: 204 with ``Allow`` (and no Content-Type: there is no content)."""
    resp = Response(status=204, headers={"Allow": allow})
    del resp.headers["Content-Type"]
    return resp


def options() -> Response | None:
    """OPTIONS on a route: what its 405 would list as ``Allow`` (None: no route, the 404 decides)."""
    if request.method != "OPTIONS" or request.url_rule is None:
        return None
    return no_content(allow_header(request_ctx.url_adapter.allowed_methods()))


def absolute_form_root(wsgi_app):
    """WSGI middleware reading an empty path (only an absolute-form target has one) as ``/``."""

    def app(environ, start_response):
        if not environ.get("PATH_INFO"):
            environ["PATH_INFO"] = "/"
        return wsgi_app(environ, start_response)

    return app


def install(app: Flask) -> None:
    @app.before_request
    def targets_without_a_path():
        raw = request.environ.get("RAW_URI", "/")
        if raw.startswith("/"):
            return None  # a path: the routes decide
        if raw == "*" and request.method == "OPTIONS":
            return no_content(cors.ALLOW_METHODS)
        if request.method == "CONNECT":
            message = (
                f"CONNECT {shown(raw)} is not allowed: this server is not a proxy and opens no tunnels; "
                f"ask for one of its own paths (GET /sparql?query=...) with {cors.ALLOW_METHODS}"
            )
            return error_response(405, "Method Not Allowed", message, [("Allow", cors.ALLOW_METHODS)])
        return None
