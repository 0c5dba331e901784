"""Characters that look like SPARQL's spaces or quotes but are not, named where they stand.

Text copied from a web page, a word processor or a chat brings no-break spaces, zero-width
spaces, a byte order mark or typographic quotes (“ ” ‘ ’). They look right, and the parser's error
fell on the next token ("the query cannot continue with `*` here" for ``SELECT\\u00a0*``) or
showed an invisible character between backticks. ``first`` finds the first such character outside
strings, comments and IRIs; ``messages.explain`` names it when it stands before the parser's error.
"""

from __future__ import annotations

import re
import unicodedata

#: Strings, comments and IRIs, where any character may stand.
_OPAQUE = re.compile(
    r"""'''(?:[^\\]|\\.)*?'''|\"\"\"(?:[^\\]|\\.)*?\"\"\"|'(?:[^'\\\r\n]|\\.)*'|"(?:[^"\\\r\n]|\\.)*"
    |\#[^\r\n]*|<[^<>"{}|^`\\\x00-\x20]*>""",
    re.VERBOSE | re.DOTALL,
)
QUOTES = frozenset("\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u201f\u2032\u2033\u00ab\u00bb")
#: Format characters SPARQL allows in names (PN_CHARS_BASE): zero-width (non-)joiner.
_NAME_FORMAT = frozenset("\u200c\u200d")


def kind(c: str) -> str | None:
    """``space``, ``invisible`` or ``quote`` for a lookalike character, else None."""
    if c in QUOTES:
        return "quote"
    category = unicodedata.category(c)
    if c not in " \t\r\n" and category in ("Zs", "Zl", "Zp", "Cc"):
        return "space"
    if category == "Cf" and c not in _NAME_FORMAT:
        return "invisible"
    return None


def first(query: str) -> tuple[int, str] | None:
    """(offset, character) of the first lookalike outside strings, comments and IRIs."""
    pos = 0
    for m in [*_OPAQUE.finditer(query), None]:
        end = m.start() if m else len(query)
        for i in range(pos, end):
            if kind(query[i]):
                return i, query[i]
        if m is None:
            return None
        pos = m.end()
    return None


def name(c: str) -> str:
    if c == "\ufeff":
        return "byte order mark"
    return unicodedata.name(c, "control character").lower()
