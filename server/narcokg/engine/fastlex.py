"""The tokens of a SPARQL text for the fast path of the analysis (``fastparse``), read in one pass
by one regular expression (C speed, where the exact parser calls a method per terminal).

Every terminal is the exact parser's own expression (``terminals``), tried in an order that reads
each token the way the exact parser reads the terminal starting there whenever the fast path can
accept the text; where the two could differ (``<`` before ``=`` reads as an IRI here, a keyword
glued to the next word reads as one word), the fast path finds a token it does not expect and
declines, and the exact parser decides. The lexer decides nothing.
"""

from __future__ import annotations

import re

from narcokg.engine import terminals as _t

_QUOTES = ("'", '"')
_STRING = "|".join(_t.STRINGS.values())  # longest opener first, as the exact parser tries them

# One token per match: the blanks before it (group 1), the token (group 2). Every position is
# matched (the last alternatives take any one character, or the end), so nothing is skipped; an
# unclosed quote takes the rest of the text, so that no later position rescans it. Alternatives
# that can match at the same place come in the order the exact parser prefers (an IRI before
# '<', a prefixed name before a word, '()' before '(', a number before '.'); the common ones first.
_TOKEN = re.compile(
    rf"({_t.BLANKS})("
    r"[{}),;*/=\]]"  # single characters that begin no longer token
    rf"|[?$]{_t.VAR_NAME}"
    rf"|<{_t.IRI_CHARS}>"
    rf"|(?:{_t.PN_PREFIX})?:(?:{_t.PN_LOCAL})?+"
    r"|[A-Za-z][A-Za-z_0-9]*+"
    rf"|{_t.NIL}|\("
    rf"|(?:{_STRING})(?:{_t.LANGTAG})?+"
    rf"|{_t.NUMBER}"
    rf"|{_t.BNODE}"
    rf"|{_t.ANON}"
    r"|['\"][\s\S]*+"
    r"|<<|\^\^|&&|\|\||!=|<=|>="
    r"|[\s\S]"
    r"|\Z)"
)
_WHOLE_STRING = re.compile(rf"(?:{_STRING})(?:{_t.LANGTAG})?+")


def tokens(text: str) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """The tokens of ``text`` (the last one empty: the end) and the blanks before each; None when
    a quote opens no string (the text is no query the fast path accepts)."""
    blanks, toks = zip(*_TOKEN.findall(text))
    if len(toks) > 1 and toks[-2][:1] in _QUOTES and _WHOLE_STRING.fullmatch(toks[-2]) is None:
        return None
    return toks, blanks
