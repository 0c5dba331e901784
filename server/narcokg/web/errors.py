"""narcokg's errors as HTTP answers: one table from error class to status, one function that
writes the answer (an HTML page for browsers, one line of text for everything else).

Views raise ``narcokg.errors`` types (or return ``respond(exc)``); nothing below the web room
knows a status code.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import NoReturn

from flask import Response, render_template, request
from markupsafe import escape
from werkzeug.exceptions import default_exceptions

from narcokg import errors
from narcokg.html.labels import choose_lang
from narcokg.texts import exists_in, text

log = logging.getLogger("narcokg.web.errors")

#: Error class → HTTP status; the first class the error is an instance of wins.
STATUS: list[tuple[type, int]] = [
    (errors.ReadOnly, 403),
    (errors.NotFound, 404),
    (errors.NotAcceptable, 406),
    (errors.TooLarge, 413),
    (errors.UnsupportedMediaType, 415),
    (errors.RequestError, 400),
    (errors.SourceError, 400),
    (errors.LimitExceeded, 422),
    (errors.FairUseExceeded, 429),
    (errors.Busy, 503),
    (errors.SandboxError, 503),
]


def status_of(exc: BaseException) -> int:
    for cls, status in STATUS:
        if isinstance(exc, cls):
            return status
    return 500


#: Short default messages, used when an error carries no description of its own.
DEFAULT_MESSAGES = {
    400: "bad request",
    404: "nothing here: no resource at this address",
    405: "this method is not allowed here",
    406: "cannot answer in any media type the Accept header allows",
    413: "request body too large",
    414: "request URL too long",
    415: "unsupported media type",
    422: "the request was understood but cannot be processed",
    431: "request header fields too large",
    429: "too many requests: slow down",
    500: "internal server error: the problem was logged",
    503: "service unavailable: retry later",
}


def wants_html() -> bool:
    """True when the client prefers HTML to plain text (browsers); ``*/*`` alone means text."""
    if not request.headers.get("Accept", "").strip():
        return False
    return request.accept_mimetypes.best_match(["text/plain", "text/html"]) == "text/html"


def error_response(code: int, name: str, message: str, headers=None, in_lang=None) -> Response:
    """A short error answer: an HTML page for browsers, one line of text for everything else.

    The page is in the reader's language; its message is English (marked so on an Indonesian
    page) unless ``in_lang(lang)`` gives it in that language, as (words in it, English after them).
    The line of text stays English, for programs."""
    if wants_html():
        words, english = in_lang(choose_lang()) if in_lang else ("", message)
        try:
            body = render_template("error.html", code=code, name=name, words=words, message=english)
        except Exception:  # a broken template must not turn a 4xx into a 500
            log.exception("error page template failed")
            said = escape(" ".join(filter(None, (words, english))))
            body = f"<!doctype html><title>{code} {escape(name)}</title><h1>{code} {escape(name)}</h1><p>{said}</p>"
        resp = Response(body, status=code, mimetype="text/html")
    else:
        resp = Response(f"{code} {name}: {message}\n", status=code, mimetype="text/plain")
    for key, value in headers or []:
        if key.lower() not in ("content-type", "content-length"):
            resp.headers[key] = value
    return resp


def respond(exc: errors.NarcokgError, headers: dict | None = None) -> Response:
    """The answer for ``exc``: its status, its message, Retry-After when it has one."""
    status = status_of(exc)
    extra = dict(headers or {})
    if exc.retry_after:
        extra.setdefault("Retry-After", str(exc.retry_after))
    if status >= 500 and status != 503:
        log.error("%s on %s %s: %s", status, request.method, request.path, exc.message)
    in_lang = getattr(exc, "in_lang", None)  # the errors said in the reader's language (sparql.Malformed)
    return error_response(status, HTTPStatus(status).phrase, exc.message, list(extra.items()), in_lang)


def said_in(message: str, message_lang: str):
    """An ``in_lang`` for a message already written in ``message_lang``: its words on a page in
    that language, else the message as other-language text (marked so)."""
    return lambda lang: (message, "") if lang == message_lang else ("", message)


def refuse(code: int, key: str, *args) -> NoReturn:
    """Abort with ``code`` and the catalogue's sentence ``key`` (``% args``) in the reader's
    language. The error remembers which language that is, so its page marks only English (a
    sentence the catalogue has in English only)."""
    lang = choose_lang()
    message = text(key, lang) % args if args else text(key, lang)
    exc = default_exceptions[code](description=message)
    exc.in_lang = said_in(message, lang if exists_in(key, lang) else "en")
    raise exc
