"""SPARQL syntax errors in words a person can act on.

A parser reports where it gave up and what it would have accepted there ("error at 1:26:
expected one of LATERAL, SERVICE, [_]"); that is where the *parser* stopped, not what the
author got wrong. :func:`explain` reads the query text itself for the usual mistakes (an
undeclared prefix, an unclosed string or bracket, a misspelt keyword, a triple without its
object, two triples without a ``.``) and names them at the position of the culprit; anything
else falls back to the parser's position with its list of expectations cleaned of character
classes. It takes a message and an optional position from any parser (pyoxigraph's, or one
that reports ``line``/``column`` itself), so the web page, the HTTP body and the CLI say the
same. No Flask here: the CLI uses it too.

Size: ~380 lines, one recogniser per usual mistake; they share the scanning helpers above them.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from narcokg.engine import lookalikes
from narcokg.texts import text as _text

# A small lexer of its own: it must also cope with text no parser accepts (an open string).
_LEX = re.compile(
    r"""
      (?P<ws>\s+)
    | (?P<comment>\#[^\r\n]*)
    | (?P<string>'''(?:(?:'|'')?(?:[^'\\]|\\.))*'''|\"\"\"(?:(?:\"|\"\")?(?:[^\"\\]|\\.))*\"\"\"
               |'(?:[^'\\\r\n]|\\.)*'|"(?:[^"\\\r\n]|\\.)*")
    | (?P<open_string>'''|\"\"\"|'|")
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<var>[?$][\w\u00B7\u0300-\u036F\u203F-\u2040]+)
    | (?P<langtag>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
    | (?P<bnode>_:[\w.\-\u00B7]*)
    | (?P<pname>(?:[^\W\d_][\w.\-\u00B7]*)?:(?:[\w:.\-\u00B7]|%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?\#@%])*)
    | (?P<word>[^\W\d]\w*)
    | (?P<number>[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?)
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)

KEYWORDS = set(
    """
SELECT CONSTRUCT DESCRIBE ASK WHERE PREFIX BASE FROM NAMED GRAPH OPTIONAL UNION MINUS FILTER BIND VALUES
LIMIT OFFSET ORDER BY GROUP HAVING DISTINCT REDUCED AS ASC DESC NOT EXISTS IN SERVICE SILENT UNDEF A TRUE
FALSE INSERT DELETE DATA LOAD CLEAR DROP CREATE WITH INTO TO USING DEFAULT ALL ADD MOVE COPY SEPARATOR
LATERAL
""".split()
)
FUNCTIONS = set(
    """
COUNT SUM MIN MAX AVG SAMPLE GROUP_CONCAT STR LANG LANGMATCHES DATATYPE BOUND IRI URI BNODE RAND ABS CEIL
FLOOR ROUND CONCAT STRLEN UCASE LCASE ENCODE_FOR_URI CONTAINS STRSTARTS STRENDS STRBEFORE STRAFTER YEAR
MONTH DAY HOURS MINUTES SECONDS TIMEZONE TZ NOW UUID STRUUID MD5 SHA1 SHA256 SHA384 SHA512 COALESCE IF
STRLANG STRDT SAMETERM ISIRI ISURI ISBLANK ISLITERAL ISNUMERIC REGEX SUBSTR REPLACE TRIPLE SUBJECT
PREDICATE OBJECT ISTRIPLE LANGDIR STRLANGDIR HASLANG HASLANGDIR
""".split()
)
FORMS = ("SELECT", "CONSTRUCT", "ASK", "DESCRIBE")
_TERMS = {"var", "iri", "pname", "string", "number", "bnode"}
_PAIRS = {"{": "}", "(": ")", "[": "]"}
_CLOSERS = {v: k for k, v in _PAIRS.items()}
_POSITION = re.compile(r"\berror at (\d+):(\d+)")


class _Tok:
    __slots__ = ("kind", "text", "start")

    def __init__(self, kind: str, text: str, start: int):
        self.kind, self.text, self.start = kind, text, start


def _lex(text: str) -> list[_Tok]:
    out = []
    for m in _LEX.finditer(text):
        kind = m.lastgroup
        if kind in ("ws", "comment"):
            continue
        if kind == "word" and m.group().upper() in ("TRUE", "FALSE"):
            kind = "number"  # a literal term, like a number
        out.append(_Tok(kind, m.group(), m.start()))
    return out


@dataclass
class Explanation:
    """One syntax error: what to do, where (1-based line and column of the culprit), how many
    characters to mark there, and the PREFIX lines that would fix it (prefix → namespace)."""

    key: str
    params: dict = field(default_factory=dict)
    line: int | None = None
    column: int | None = None
    length: int = 1
    missing: dict[str, str] = field(default_factory=dict)
    #: The parser's own message, for those who want it.
    engine: str = ""
    #: Extra sentence appended (a suggestion or the parser's expectations), as (key, params).
    extra: tuple | None = None

    def text(self, lang: str = "en") -> str:
        body = _text("sparql." + self.key, lang).format(**self.params)
        if self.extra:
            key, params = self.extra
            sep = "" if key == "did_you_mean" else "; "
            body += sep + _text("sparql." + key, lang).format(**params)
        if self.line is None:
            return body
        where = (
            _text("sparql.at", lang).format(line=self.line, column=self.column)
            if self.column
            else _text("sparql.at_end", lang)
        )
        return f"{where}: {body}"

    def prefix_lines(self) -> list[str]:
        return [f"PREFIX {p}: <{iri}>" for p, iri in self.missing.items()]

    def as_dict(self, lang: str = "en") -> dict:
        return {
            "message": self.text(lang),
            "line": self.line,
            "column": self.column,
            "length": self.length,
            "prefixes": self.prefix_lines(),
            "engine": self.engine,
        }


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _offset(text: str, line: int, column: int) -> int:
    start = 0
    for _ in range(line - 1):
        nl = text.find("\n", start)
        if nl < 0:
            return len(text)
        start = nl + 1
    return min(start + max(column - 1, 0), len(text))


def _at(text: str, tok: _Tok, key: str, **params) -> Explanation:
    line, column = _line_col(text, tok.start)
    return Explanation(key, params, line, column, max(len(tok.text), 1))


def _close(word: str, candidates) -> str | None:
    found = difflib.get_close_matches(word.upper(), list(candidates), n=1, cutoff=0.75)
    return found[0] if found else None


def _prefixes(toks: list[_Tok], text: str, known: dict[str, str]) -> Explanation | None:
    declared = {
        toks[i + 1].text.split(":", 1)[0]
        for i in range(len(toks) - 1)
        if toks[i].kind == "word" and toks[i].text.upper() == "PREFIX" and toks[i + 1].kind == "pname"
    }
    first = None
    missing: dict[str, str] = {}
    unknown = []
    for i, tok in enumerate(toks):
        if tok.kind != "pname" or (i and toks[i - 1].kind == "word" and toks[i - 1].text.upper() == "PREFIX"):
            continue
        name = tok.text.split(":", 1)[0]
        if name in declared:
            continue
        if first is None:
            first = tok
        if name in known:
            missing.setdefault(name, known[name])
        elif name not in unknown:
            unknown.append(name)
    if first is None:
        return None
    name = first.text.split(":", 1)[0]
    if name in known:
        found = _at(text, first, "prefix_known", p=name, iri=known[name])
    else:
        found = _at(text, first, "prefix_unknown", p=name)
    found.length = len(name) + 1
    found.missing = missing
    return found


def _brackets(toks: list[_Tok], text: str) -> Explanation | None:
    stack: list[_Tok] = []
    for tok in toks:
        if tok.text in _PAIRS:
            stack.append(tok)
        elif tok.text in _CLOSERS:
            if not stack or stack[-1].text != _CLOSERS[tok.text]:
                if stack and tok.text != "}":
                    continue  # a mismatch inside an expression: leave it to the parser's message
                return _at(text, tok, "bracket_extra", b=tok.text, o=_CLOSERS[tok.text])
            stack.pop()
    if stack:
        return _at(text, stack[-1], "bracket_open", b=stack[-1].text, c=_PAIRS[stack[-1].text])
    return None


def _words(toks: list[_Tok], text: str) -> Explanation | None:
    i = 0
    while i < len(toks) and toks[i].kind == "word" and toks[i].text.upper() in ("PREFIX", "BASE"):
        i += 3 if toks[i].text.upper() == "PREFIX" else 2
    if i < len(toks):
        tok = toks[i]
        if tok.kind != "word" or tok.text.upper() not in FORMS + (
            "INSERT",
            "DELETE",
            "LOAD",
            "CLEAR",
            "DROP",
            "CREATE",
            "WITH",
            "ADD",
            "MOVE",
            "COPY",
        ):
            found = _at(text, tok, "form", w=tok.text[:40])
            guess = _close(tok.text, FORMS) if tok.kind == "word" else None
            if guess:
                found.extra = ("did_you_mean", {"k": guess})
            return found
    for tok in toks:
        if tok.kind == "word" and tok.text != "a" and tok.text.upper() not in KEYWORDS | FUNCTIONS:
            found = _at(text, tok, "word", w=tok.text[:40])
            guess = _close(tok.text, KEYWORDS | FUNCTIONS)
            if guess:
                found.extra = ("did_you_mean", {"k": guess})
            return found
    return None


def _run_start(toks: list[_Tok], end: int) -> int | None:
    """Where the run of plain terms before ``toks[end]`` starts: the delimiter's index, or None
    when no ``{ . ; ,`` opens it (or it is a VALUES block)."""
    j = end - 1
    while j >= 0 and (
        toks[j].kind in _TERMS or toks[j].kind == "langtag" or (toks[j].kind == "word" and toks[j].text == "a")
    ):
        j -= 1
    if j < 0 or toks[j].text not in ("{", ".", ";", ","):
        return None
    if toks[j].text == "{" and j >= 2 and toks[j - 2].kind == "word" and toks[j - 2].text.upper() == "VALUES":
        return None
    return j


def _triples(toks: list[_Tok], text: str) -> Explanation | None:
    """A run of plain terms between a delimiter (``{ . ; ,``) and ``.`` or ``}`` of the wrong length."""
    for end, tok in enumerate(toks):
        j = _run_start(toks, end) if tok.text in (".", "}") else None
        if j is None:
            continue
        terms = [t for t in toks[j + 1 : end] if t.kind != "langtag"]
        need = {"{": 3, ".": 3, ";": 2, ",": 1}[toks[j].text]
        if not terms:
            if toks[j].text == ",":
                return _at(text, toks[j], "need_comma")
            continue
        if len(terms) < need:
            last = terms[-1]
            return _at(text, last, "need_po" if need - len(terms) == 2 else "need_o", t=last.text[:60])
        if len(terms) > need:
            extra = terms[need]
            return _at(text, extra, "extra_term", t=extra.text[:60])
    return None


_OPERATORS = {"=", "<", ">", "!", "+", "-", "*", "/", "&", "|"}


def _operators(toks: list[_Tok], text: str) -> Explanation | None:
    """An operator with nothing after it: ``FILTER(?o > )``."""
    for i in range(1, len(toks) - 1):
        tok, nxt = toks[i], toks[i + 1]
        if (
            tok.text in _OPERATORS
            and nxt.text in (")", "}", ",", ";")
            and not (tok.text == "*" and toks[i - 1].text.upper() in ("(", "DISTINCT"))
        ):
            return _at(text, tok, "operand", o=tok.text)
    return None


def _expectations(message: str) -> tuple[list[str], list[str]]:
    """The parser's list after "expected": keywords and punctuation, and any sentences in it."""
    m = re.search(r"expected (?:one of )?(.*)$", message, re.DOTALL)
    if not m:
        return [], []
    items, sentences = [], []
    for part in re.split(r",\s*(?![^\[]*\])", m.group(1)):
        part = part.strip()
        if not part or part.startswith("[") or "..=" in part:
            continue
        if " " in part and not part.startswith('"'):
            sentences.append(part)
        else:
            items.append(part.strip('"').replace('\\"', '"').replace("\\\\", "\\"))
    return items, sentences


def explain(
    query: str, message: str, line: int | None = None, column: int | None = None, known: dict[str, str] | None = None
) -> Explanation:
    """The error in ``query`` that ``message`` (and ``line``/``column``, 1-based, if the parser
    gives them apart from the message) reports, as an :class:`Explanation`.

    ``known`` maps prefixes to namespaces the reader may add with one click.
    """
    toks = _lex(query)
    opened = next((tok for tok in toks if tok.kind == "open_string"), None)
    if opened is not None:
        found = _at(query, opened, "string_open", q=opened.text)
        found.engine = message
        return found
    items, sentences = _expectations(message)
    found = (
        _lookalike(query, message, line, column)
        or _prefixes(toks, query, known or {})
        or _brackets(toks, query)
        or _words(toks, query)
        or _triples(toks, query)
        or _operators(toks, query)
    )
    if found is None and any("unbound" in s for s in sentences):
        found = Explanation("unbound")
    if found is None:
        found = _at_position(query, toks, message, line, column)
        if items:
            found.extra = ("expected", {"items": ", ".join(items[:12]) + (" …" if len(items) > 12 else "")})
        elif sentences:
            found.extra = ("plain", {"text": sentences[0]})
    found.engine = message
    return found


def _lookalike(query: str, message: str, line: int | None, column: int | None) -> Explanation | None:
    """A space, invisible character or quote that only looks like SPARQL's (``lookalikes``), at
    or before where the parser stopped (anywhere when it does not say)."""
    found = lookalikes.first(query)
    if found is None:
        return None
    offset, c = found
    if line is None and (m := _POSITION.search(message)):
        line, column = int(m.group(1)), int(m.group(2))
    if line is not None and offset > _offset(query, line, column or 1):
        return None
    at_line, at_column = _line_col(query, offset)
    params = {"name": lookalikes.name(c), "code": f"{ord(c):04X}", "char": c}
    return Explanation("lookalike_" + lookalikes.kind(c), params, at_line, at_column)


def _at_position(query: str, toks: list[_Tok], message: str, line: int | None, column: int | None) -> Explanation:
    """The token at the position the parser reports (in ``line``/``column`` or its message), the
    query's end when it stops past the last token, or the parser's own words."""
    if line is None:
        m = _POSITION.search(message)
        if m:
            line, column = int(m.group(1)), int(m.group(2))
    offset = _offset(query, line, column) if line is not None else None
    after = [t for t in toks if offset is not None and t.start + len(t.text) > offset]
    if offset is not None and not after:
        found = Explanation("ends", line=None)
        last = toks[-1] if toks else None
        if last is not None:
            found.line, found.column = _line_col(query, last.start)
            found.length = len(last.text)
        return found
    if after:
        return _at(query, after[0], "unexpected", t=after[0].text[:40])
    return Explanation("plain", {"text": message.strip().splitlines()[0][:300] if message.strip() else ""})
