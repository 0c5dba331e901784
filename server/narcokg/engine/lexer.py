"""A lexer for rewriting query texts that the analysis (``narcokg.engine.analysis``) has already
accepted: a remote engine adds a BASE, reads the resources a DESCRIBE names, and binds values at
the start of a group. It decides nothing about safety — that is the analysis's job — and the
engine's own parser reads whatever it produces.
"""

from __future__ import annotations

import re
from typing import NamedTuple

_PN_CHARS = r"[^\W\d]"  # a letter (Unicode), as PN_CHARS_BASE
_TOKEN = re.compile(
    r"""
      (?P<ws>\s+)
    | (?P<comment>\#[^\r\n]*)
    | (?P<string>'''(?:(?:'|'')?(?:[^'\\]|\\.))*'''
               |\"\"\"(?:(?:\"|\"\")?(?:[^\"\\]|\\.))*\"\"\"
               |'(?:[^'\\\r\n]|\\.)*'
               |"(?:[^"\\\r\n]|\\.)*")
    | (?P<iri><(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>)
    | (?P<var>[?$][\w\u00B7\u0300-\u036F\u203F-\u2040]+)
    | (?P<langtag>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
    | (?P<bnode>_:[\w.\-\u00B7]*)
    | (?P<pname>(?:"""
    + _PN_CHARS
    + r"""[\w.\-\u00B7]*)?:(?:[\w:.\-\u00B7]|%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?\#@%])*)
    | (?P<word>"""
    + _PN_CHARS
    + r"""\w*)
    | (?P<number>[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?)
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


class Token(NamedTuple):
    """A tuple, not a dataclass: a query of a few hundred characters makes a hundred of them,
    and a frozen dataclass's constructor cost as much as the matching."""

    kind: str
    text: str
    start: int


def pieces(text: str) -> list[tuple[str, str]]:
    """(kind, text) of every piece of ``text`` in order, whitespace and comments included."""
    return [(m.lastgroup, m.group()) for m in _TOKEN.finditer(text)]


def tokens(text: str) -> list[Token]:
    """Every token of ``text`` except whitespace and comments; never fails."""
    # finditer leaves no gap: the "other" alternative matches any single character.
    return [
        Token(m.lastgroup, m.group(), m.start()) for m in _TOKEN.finditer(text) if m.lastgroup not in ("ws", "comment")
    ]
