"""What a SPARQL request is, read from its tokens before anything executes it.

The endpoint must know a query's form (to negotiate a result format), whether it is an update
(refused), whether it names a dataset with FROM (pyoxigraph's union-default-graph option would
override it) and whether it calls SERVICE (refused: pyoxigraph would open an HTTP connection).
A keyword only counts as a keyword: the tokenizer skips strings, comments, IRIs, prefixed
names, variables and language tags, so ``"SERVICE"``, ``# SERVICE``, ``<http://x/SERVICE>``,
``ex:SERVICE`` and ``?service`` never trigger a refusal. pyoxigraph itself parses the query
(and reports syntax errors) in the query process; the tokens here only classify it.

One class of query is recognised further: a *single triple pattern* with at least one constant
term (``SELECT ?p ?o WHERE { <s> ?p ?o }``, the follow-your-nose lookup). Its evaluation is one
index scan that stops after ``max_rows`` + 1 rows, so it cannot explode in time or memory and
the endpoint may run it in the web process instead of a query process (see ``sparql.py``).
Anything else, however harmless it looks, is not ``bounded``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
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

QUERY_FORMS = {"SELECT", "CONSTRUCT", "DESCRIBE", "ASK"}
UPDATE_KEYWORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}


class Token(NamedTuple):
    """A tuple, not a dataclass: a query of a few hundred characters makes a hundred of them,
    and a frozen dataclass's constructor cost as much as the matching."""

    kind: str
    text: str
    start: int


@dataclass(frozen=True)
class QueryInfo:
    #: SELECT, CONSTRUCT, DESCRIBE or ASK; None when the text starts like no query.
    form: str | None
    #: The first keyword after the prologue is an update operation (INSERT, DELETE, LOAD …).
    update: bool
    #: The SERVICE keyword occurs outside strings, comments and IRIs.
    service: bool
    #: The query has a dataset clause (FROM or FROM NAMED).
    dataset_clause: bool
    #: PREFIX declarations of the prologue (prefix → namespace IRI).
    prefixes: dict[str, str] = field(default_factory=dict)
    #: SELECT or ASK over one triple pattern with a constant term, optionally LIMIT: nothing
    #: else (no DISTINCT, ORDER BY, OFFSET, FILTER, path, group or dataset clause).
    bounded: bool = False

    @property
    def kind(self) -> str | None:
        """``solutions`` (SELECT/ASK), ``graph`` (CONSTRUCT/DESCRIBE) or None."""
        if self.form in ("SELECT", "ASK"):
            return "solutions"
        if self.form in ("CONSTRUCT", "DESCRIBE"):
            return "graph"
        return None


def tokens(text: str) -> list[Token]:
    """Every token of ``text`` except whitespace and comments; never fails."""
    # finditer leaves no gap: the "other" alternative matches any single character.
    return [Token(m.lastgroup, m.group(), m.start()) for m in _TOKEN.finditer(text)
            if m.lastgroup not in ("ws", "comment")]


def _term(toks: list[Token], i: int, predicate: bool) -> tuple[int, bool] | None:
    """Read one RDF term of a triple pattern at ``toks[i]``: (next index, is a variable), or
    None when what is there is not a plain term (a path, a blank node, a collection …)."""
    if i >= len(toks):
        return None
    t = toks[i]
    if t.kind == "var":
        return i + 1, True
    if t.kind in ("iri", "pname"):
        return i + 1, False
    if predicate:
        return (i + 1, False) if t.kind == "word" and t.text == "a" else None
    if t.kind == "number" or (t.kind == "word" and t.text in ("true", "false")):
        return i + 1, False
    if t.kind == "string":
        i += 1
        if i < len(toks) and toks[i].kind == "langtag":
            return i + 1, False
        if (i + 2 < len(toks) and toks[i].text == "^" and toks[i + 1].text == "^"
                and toks[i + 2].kind in ("iri", "pname")):
            return i + 3, False
        return i, False
    return None


def _bounded(toks: list[Token], i: int, form: str) -> bool:
    """True when ``toks[i:]`` (just after the query form keyword) is exactly one triple pattern
    with a constant term, projected plainly and at most limited (see :class:`QueryInfo`)."""
    n = len(toks)
    if form == "SELECT":
        if i < n and toks[i].text == "*":
            i += 1
        else:
            start = i
            while i < n and toks[i].kind == "var":
                i += 1
            if i == start:
                return False
    if i < n and toks[i].kind == "word" and toks[i].text.upper() == "WHERE":
        i += 1
    if i >= n or toks[i].text != "{":
        return False
    i += 1
    variables = 0
    for position in range(3):
        read = _term(toks, i, predicate=position == 1)
        if read is None:
            return False
        i, is_var = read
        variables += is_var
    if variables == 3:
        return False
    if i < n and toks[i].text == ".":
        i += 1
    if i >= n or toks[i].text != "}":
        return False
    i += 1
    if form == "SELECT" and i + 1 < n and toks[i].kind == "word" and toks[i].text.upper() == "LIMIT" \
            and toks[i + 1].kind == "number" and toks[i + 1].text.isdigit():
        i += 2
    return i == n


def analyse(text: str) -> QueryInfo:
    """Classify a query or update text (see :class:`QueryInfo`)."""
    toks = tokens(text)
    words = [t.text.upper() for t in toks if t.kind == "word"]
    prefixes: dict[str, str] = {}
    form = None
    update = False
    i = 0
    while i < len(toks):
        t = toks[i]
        word = t.text.upper() if t.kind == "word" else None
        if word == "BASE":
            i += 2
            continue
        if word == "PREFIX":
            if i + 2 < len(toks) and toks[i + 1].kind == "pname" and toks[i + 2].kind == "iri":
                name = toks[i + 1].text
                if name.endswith(":") and name.count(":") == 1:
                    prefixes[name[:-1]] = toks[i + 2].text[1:-1]
            i += 3
            continue
        if word in QUERY_FORMS:
            form = word
        elif word in UPDATE_KEYWORDS:
            update = True
        break
    return QueryInfo(
        form=form,
        update=update,
        service="SERVICE" in words,
        dataset_clause="FROM" in words,
        prefixes=prefixes,
        bounded=form in ("SELECT", "ASK") and _bounded(toks, i + 1, form),
    )
