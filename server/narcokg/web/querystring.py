"""A URL's parameters must be percent-encoded UTF-8.

werkzeug reads a percent-encoded byte that is not UTF-8 as the three characters of its escape:
``?query=ASK{FILTER("%E9"="%25E9")}`` (a Latin-1 "é") was run as a query about the text "%E9"
and answered true, where the client meant another query; a search for ``caf%E9`` looked for
"caf%E9". Every route refuses such a URL instead, naming the parameter and the byte.
"""

from __future__ import annotations

import re
from urllib.parse import unquote_to_bytes

from narcokg.web.refusals import shown

#: A percent-encoded byte outside ASCII: only such a URL can hold anything but UTF-8 (gunicorn
#: refuses raw bytes outside ASCII in the target).
_HIGH = re.compile(r"%[89A-Fa-f][0-9A-Fa-f]")


def not_utf8(query_string: str) -> str | None:
    """What is wrong with ``query_string`` (the part of the URL after ``?``), or None."""
    if not _HIGH.search(query_string):
        return None  # the common case: one regex scan
    for part in query_string.split("&"):
        raw = unquote_to_bytes(part.replace("+", " "))
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            name = unquote_to_bytes(part.partition("=")[0]).decode("utf-8", "replace")
            return (
                f"the URL parameter {shown(name)!r} holds the byte %{raw[exc.start]:02X}, which is not "
                "UTF-8: percent-encode the text's UTF-8 bytes (é is %C3%A9, not %E9)"
            )
    return None
