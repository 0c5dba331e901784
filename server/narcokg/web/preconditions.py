"""If-Match and If-Unmodified-Since (RFC 9110 §13.1.1, §13.1.4), decided once for every route, on
the answer as sent.

werkzeug's ``make_conditional``, which the routes revalidate with, got them wrong: ``If-Match: *``
was 412 for a resource that exists, the ETag of a gzipped answer (``"…-gzip"``) never matched its
own answer, a 412 carried the whole representation as its body, and If-Unmodified-Since was
ignored; /sparql ignored If-Match. So the app never sees these two headers: this middleware, outside
the compression (which sets the final ETag), compares them with the answer's ETag and
Last-Modified and says a failed condition as a 412 in words. If-None-Match and If-Modified-Since
stay with the app (304).
"""

from __future__ import annotations

from werkzeug.http import parse_date, parse_etags, unquote_etag

from narcokg.web.refusals import shown


def _header(headers: list, name: str) -> str | None:
    return next((v for k, v in headers if k.lower() == name), None)


def failed(if_match: str | None, since: str | None, headers: list, path: str) -> str | None:
    """Why the answer with ``headers`` fails the request's conditions, or None (RFC 9110 §13.2.2:
    If-Match first; If-Unmodified-Since only without it)."""
    etag = _header(headers, "etag")
    if if_match is not None:
        tags = parse_etags(if_match)
        tag, weak = unquote_etag(etag) if etag else (None, True)
        if tags.star_tag or (tag is not None and not weak and tags.is_strong(tag)):
            return None
        if etag is None:
            return f"{path} is answered without an ETag, so only If-Match: * matches it: leave If-Match out"
        return f"If-Match {shown(if_match)} is not the current ETag of {path}, {etag}: GET it again without If-Match"
    modified = parse_date(_header(headers, "last-modified"))
    date = parse_date(since)
    if modified is None or date is None or modified <= date:
        return None  # no date to compare (RFC 9110 §13.1.4: the condition is then ignored)
    return (
        f"{path} was last modified {_header(headers, 'last-modified')}, after If-Unmodified-Since "
        f"{shown(since)}: GET it again without If-Unmodified-Since"
    )


def checked(wsgi_app):
    """WSGI middleware deciding If-Match and If-Unmodified-Since (see the module docstring)."""

    def app(environ, start_response):
        if_match = environ.pop("HTTP_IF_MATCH", None)
        since = environ.pop("HTTP_IF_UNMODIFIED_SINCE", None)
        if if_match is None and since is None:
            return wsgi_app(environ, start_response)
        seen: dict = {"written": []}

        def start(status, headers, exc_info=None):
            seen.update(status=status, headers=headers, exc_info=exc_info)
            return seen["written"].append

        body = wsgi_app(environ, start)
        status, headers = seen["status"], seen["headers"]
        path = shown(environ.get("PATH_INFO", "/"))
        why = failed(if_match, since, headers, path) if status[:1] == "2" or status.startswith("304") else None
        if why is None:
            start_response(status, headers, seen["exc_info"])
            return [*seen["written"], *body] if seen["written"] else body
        if hasattr(body, "close"):
            body.close()
        text = f"412 Precondition Failed: {why}\n".encode()
        kept = [(k, v) for k, v in headers if k.lower() in ("etag", "last-modified")]
        start_response(
            "412 Precondition Failed",
            [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(text))), *kept],
        )
        return [] if environ.get("REQUEST_METHOD") == "HEAD" else [text]

    return app
