"""Cross-origin access (CORS) for every answer, so browser clients on other origins can read the
data: the Linked Data documents, the fragments, the endpoint, errors and redirects alike.

The data is public and no answer depends on cookies, so every answer allows any origin and
exposes the headers Linked Data clients read (ETag for caching, Link and Content-Location for
alternates, Location for redirects). ``HEADERS`` is added to every response by the one WSGI
middleware in ``web`` (also to the answers the HTTP server gives to requests it refuses);
``preflight`` answers the browsers' OPTIONS preflight for any path before the app sees it.
"""

from __future__ import annotations

#: Headers of every answer.
HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": (
        "ETag, Link, Location, Content-Location, Server-Timing, Retry-After, Vary, Allow"
    ),
}

#: What a preflight allows: the read methods and POST (SPARQL, validation), and the request
#: headers clients send (content negotiation, conditional requests). A fixed list, never an echo.
ALLOW_METHODS = "GET, HEAD, POST, OPTIONS"
ALLOW_HEADERS = (
    "Accept, Accept-Language, Content-Type, If-None-Match, If-Modified-Since, Cache-Control, X-Requested-With"
)
MAX_AGE = "86400"


def is_preflight(environ) -> bool:
    return (
        environ.get("REQUEST_METHOD") == "OPTIONS"
        and "HTTP_ORIGIN" in environ
        and "HTTP_ACCESS_CONTROL_REQUEST_METHOD" in environ
    )


def with_preflight(wsgi_app):
    """WSGI middleware answering CORS preflight requests with 204 on every path."""
    headers = [
        ("Allow", ALLOW_METHODS),
        ("Access-Control-Allow-Methods", ALLOW_METHODS),
        ("Access-Control-Allow-Headers", ALLOW_HEADERS),
        ("Access-Control-Max-Age", MAX_AGE),
        ("Content-Length", "0"),
    ]

    def app(environ, start_response):
        if is_preflight(environ):
            start_response("204 No Content", list(headers))
            return [b""]
        return wsgi_app(environ, start_response)

    return app
