"""A URL's path and parameters must be percent-encoded UTF-8.

werkzeug reads a percent-encoded byte that is not UTF-8 as the three characters of its escape:
``?query=ASK{FILTER("%E9"="%25E9")}`` (a Latin-1 "é") was run as a query about the text "%E9"
and answered true, where the client meant another query; a search for ``caf%E9`` looked for
"caf%E9". In a path it reads such a byte as U+FFFD, and the 404 said ``/cite/�.bib``. Every route
refuses such a URL instead, naming the parameter or the path and the byte (``byte_not_utf8``: one
wording for both).
"""

from __future__ import annotations

import re
from urllib.parse import quote, unquote_to_bytes

from narcokg.web.refusals import shown

#: A percent-encoded byte outside ASCII: only such a URL can hold anything but UTF-8 (gunicorn
#: refuses raw bytes outside ASCII in the target).
_HIGH = re.compile(r"%[89A-Fa-f][0-9A-Fa-f]")
#: What a path shows as it is (RFC 3986 pchar and "/"); any other byte is shown percent-encoded.
_PATH_SAFE = "/:@!$&'()*+,;=-._~"


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
