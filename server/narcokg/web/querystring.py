"""A URL's path and parameters must be percent-encoded UTF-8, and so must a request body's text.

werkzeug reads a percent-encoded byte that is not UTF-8 as the three characters of its escape:
``?query=ASK{FILTER("%E9"="%25E9")}`` (a Latin-1 "é") was run as a query about the text "%E9"
and answered true, where the client meant another query; a search for ``caf%E9`` looked for
"caf%E9". In a path it reads such a byte as U+FFFD, and the 404 said ``/cite/�.bib``. Every route
refuses such a URL instead, naming the parameter or the path and the byte (``byte_not_utf8``: one
wording for both).

A body is read as UTF-8 too, and one that declares another charset is refused (415,
``charset_refused``) rather than misread: a form of ``query=`` declared ``charset=latin1`` was run
as UTF-8, so its "é" was another character or a 400 about bytes the client never meant as UTF-8.
UTF-8 is the only encoding of a SPARQL query (``application/sparql-query``) and of
``application/x-www-form-urlencoded`` (the URL Standard ignores a charset parameter), so a client
declaring another one has text in the wrong encoding, not a choice we should honour.
"""

from __future__ import annotations

import codecs
import re
from urllib.parse import quote, unquote_to_bytes

from narcokg.web.refusals import shown

#: A percent-encoded byte outside ASCII: only such a URL can hold anything but UTF-8 (gunicorn
#: refuses raw bytes outside ASCII in the target).
_HIGH = re.compile(r"%[89A-Fa-f][0-9A-Fa-f]")
#: What a path shows as it is (RFC 3986 pchar and "/"); any other byte is shown percent-encoded.
_PATH_SAFE = "/:@!$&'()*+,;=-._~"
#: Python's names of the charsets a body may declare: UTF-8 and US-ASCII (a subset of it).
_UTF8_CODECS = ("utf-8", "ascii")


def byte_not_utf8(raw: bytes) -> str | None:
    """``holds the byte %FF, which is not UTF-8: …how to fix it`` for ``raw``, or None."""
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return (
            f"holds the byte %{raw[exc.start]:02X}, which is not UTF-8: percent-encode the text's UTF-8 "
            "bytes (é is %C3%A9, not %E9)"
        )
    return None


def not_utf8(query_string: str) -> str | None:
    """What is wrong with ``query_string`` (the part of the URL after ``?``), or None."""
    if not _HIGH.search(query_string):
        return None  # the common case: one regex scan
    for part in query_string.split("&"):
        wrong = byte_not_utf8(unquote_to_bytes(part.replace("+", " ")))
        if wrong:
            name = unquote_to_bytes(part.partition("=")[0]).decode("utf-8", "replace")
            return f"the URL parameter {shown(name)!r} {wrong}"
    return None


def path_not_utf8(path_info: str) -> str | None:
    """What is wrong with the WSGI ``PATH_INFO`` (the path's bytes, percent-decoded, as Latin-1
    text), or None."""
    if path_info.isascii():
        return None  # the common case
    try:
        raw = path_info.encode("latin-1")
    except UnicodeEncodeError:
        return None  # already text, not bytes: nothing to decode
    wrong = byte_not_utf8(raw)
    return f"the path {shown(quote(raw, safe=_PATH_SAFE))} {wrong}" if wrong else None


def charset_refused(charset: str | None) -> bool:
    """Whether a body declared in ``charset`` (a Content-Type parameter, None when absent) must be
    refused: anything but UTF-8 or US-ASCII under any of their names, and names no codec has."""
    if charset is None or not charset.strip():
        return False
    try:
        return codecs.lookup(charset.strip()).name not in _UTF8_CODECS
    except (LookupError, ValueError):  # unknown, or a name Python cannot even look up (a NUL)
        return True
