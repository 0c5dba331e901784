"""A parse of SPARQL 1.1 Query and Update (with the SPARQL 1.2 additions pyoxigraph accepts)
that reads a text the way pyoxigraph 0.5 does, so that decisions about a request (update?
SERVICE? FROM? bounded?) rest on the structure pyoxigraph will execute.

pyoxigraph's grammar is a PEG without a separate lexer: keywords match case-insensitively with
no word boundary (``SERVICESILENT<…>`` is SERVICE SILENT), ordered choices backtrack, and some
choices fail on meaning (a prefixed name whose prefix is undeclared is no term, so
``SERVICEex:x`` is the keyword SERVICE then ``ex:x``). This module follows the same choices in
the same order, scannerless, with terminals read by anchored, possessive regular expressions
(linear: every match starts where the grammar stands, never rescans). Nesting is counted on the
way down and refused beyond ``max_depth`` before Python's or pyoxigraph's stack can overflow.

Where pyoxigraph checks meaning after the grammar (IRI syntax against a base, BIND scope,
GROUP BY projections…), this parser is laxer: pyoxigraph refuses such texts itself, and the
analysis of a text pyoxigraph accepts is what matters.

Speed: most queries never reach this parser. ``engine.fastparse`` reads the same grammar over
tokens without backtracking (three times faster) and declines any text it cannot vouch for,
every invalid one included; this parser then decides, and words the error. Tests hold the two
to the same analyses (tests/unit/test_analysis_fastpath.py) and this one to the analyses it gave
before the fast path existed (tests/unit/test_analysis_golden.py).

Size: one file of ~1,600 lines on purpose, rule by rule in spargebra's order, so that it can be
read beside the grammar it follows; splitting it would separate rules that call each other.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from narcokg.engine import fastparse
from narcokg.engine import terminals as _t
from narcokg.errors import QuerySyntaxError

__all__ = ["Analysis", "AnalysisError", "DepthError", "analyse"]


class AnalysisError(QuerySyntaxError):
    """The text is no SPARQL query or update; ``message`` says where and what was expected."""

    def __init__(self, message: str, line: int = 0, column: int = 0):
        super().__init__(message, line, column)
        self.line = line
        self.column = column

    def record(self) -> dict:
        """The refusal as plain data (what the golden corpus of the tests stores)."""
        return {"error": type(self).__name__, "message": self.message, "line": self.line, "column": self.column}


class DepthError(AnalysisError):
    """The text nests deeper than the configured bound (pyoxigraph would overflow its stack)."""

    def __init__(self, depth: int, bound: int):
        super().__init__(f"the query nests too deeply: {depth} levels, at most {bound}")
        self.depth = depth
        self.bound = bound


#: The verdicts of an ``Analysis`` that the golden corpus of the tests records.
RECORDED = (
    "form",
    "update",
    "service",
    "dataset_clause",
    "prefixes",
    "base",
    "depth",
    "bounded",
    "nested_repetition",
    "graph_pattern",
)


@dataclass(frozen=True)
class Analysis:
    #: SELECT, CONSTRUCT, DESCRIBE or ASK; None for an update.
    form: str | None
    #: The text is a SPARQL Update request (possibly empty).
    update: bool
    #: A SERVICE pattern occurs anywhere in the parsed structure.
    service: bool
    #: The query has a dataset clause (FROM or FROM NAMED); for updates, USING or WITH.
    dataset_clause: bool
    #: PREFIX declarations of the prologue (prefix → IRI as written).
    prefixes: dict[str, str] = field(default_factory=dict)
    #: The last BASE declaration of the prologue, as written, if any.
    base: str | None = None
    #: The deepest nesting of groups, parentheses, brackets and triple terms.
    depth: int = 0
    #: SELECT or ASK of one plain triple pattern with a constant term, plain projection, at most
    #: LIMIT: nothing else.
    bounded: bool = False
    #: A repeated path step (``*``, ``+`` or ``?``) inside EXISTS, NOT EXISTS or MINUS.
    nested_repetition: bool = False
    #: A GRAPH pattern occurs anywhere (the only way a query reads its named graphs).
    graph_pattern: bool = False
    #: The IRIs of the functions called by IRI (``<iri>(…)`` or ``prefix:name(…)``), as the
    #: engine reads them (``terminals.function_iri``), in the order written.
    functions: tuple[str, ...] = ()

    @property
    def foreign_functions(self) -> tuple[str, ...]:
        """The functions called that are not XSD casts (``terminals.CASTS``): engine extensions."""
        return tuple(f for f in self.functions if f not in _t.CASTS)

    def record(self) -> dict:
        """The verdicts as plain data (what the golden corpus of the tests stores)."""
        return {name: getattr(self, name) for name in RECORDED}


# ---------------------------------------------------------------- terminals

_WS_START = frozenset(" \t\r\n#")
_WS = re.compile(_t.BLANKS)
_PNAME_NS = re.compile(rf"({_t.PN_PREFIX})?:")
_PN_LOCAL = re.compile(_t.PN_LOCAL)
_IRIREF = re.compile(rf"<({_t.IRI_CHARS})>")
_VAR = re.compile(rf"[?$]({_t.VAR_NAME})")
_BNODE = re.compile(_t.BNODE)
_LANGTAG = re.compile(_t.LANGTAG)
_NUMBER = re.compile(_t.NUMBER)
_INTEGER = re.compile(r"[0-9]++")
_STRING = {opener: re.compile(pattern) for opener, pattern in _t.STRINGS.items()}
_NIL = re.compile(_t.NIL)
_ANON = re.compile(_t.ANON)
_PN_CHARS_U = re.compile(f"[{_t._U}]")
_WORD = re.compile(r"[A-Za-z_0-9]++")
_VERSION = re.compile(r"""'(?:[^'\\\n\r]|\\.)*+'|"(?:[^"\\\n\r]|\\.)*+\"""")

_ASCII_LOWER = {c: c + 32 for c in range(65, 91)}

# Built-in calls: name → argument shapes, each a count of expressions (or a marker).
_CALL1 = {
    "STR",
    "LANG",
    "LANGDIR",
    "DATATYPE",
    "IRI",
    "URI",
    "ABS",
    "CEIL",
    "FLOOR",
    "ROUND",
    "STRLEN",
    "UCASE",
    "LCASE",
    "ENCODE_FOR_URI",
    "YEAR",
    "MONTH",
    "DAY",
    "HOURS",
    "MINUTES",
    "SECONDS",
    "TIMEZONE",
    "TZ",
    "MD5",
    "SHA1",
    "SHA256",
    "SHA384",
    "SHA512",
    "ISIRI",
    "ISURI",
    "ISBLANK",
    "ISLITERAL",
    "ISNUMERIC",
    "HASLANG",
    "HASLANGDIR",
    "SUBJECT",
    "PREDICATE",
    "OBJECT",
    "ISTRIPLE",
}
_CALL2 = {
    "LANGMATCHES",
    "CONTAINS",
    "STRSTARTS",
    "STRENDS",
    "STRBEFORE",
    "STRAFTER",
    "STRLANG",
    "STRDT",
    "SAMETERM",
    "ADJUST",
}
_CALL3 = {"IF", "STRLANGDIR", "TRIPLE"}
_CALL0 = {"RAND", "NOW", "UUID", "STRUUID"}
_AGGREGATES = {"COUNT", "SUM", "MIN", "MAX", "AVG", "SAMPLE", "GROUP_CONCAT"}


def _by_first_letter(words: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """Keywords by their first character in either case: the alternatives worth trying there."""
    out: dict[str, tuple[str, ...]] = {}
    for word in words:
        for c in (word[0], word[0].upper()):
            out[c] = out.get(c, ()) + (word,)
    return out


_PATTERN_WORDS = _by_first_letter(("optional", "lateral", "minus", "graph", "service", "filter", "bind", "values"))
_UPDATE_WORDS = _by_first_letter(("load", "clear", "drop", "add", "move", "copy", "create"))


class _Fail(Exception):
    """Internal: this alternative does not match here (the caller backtracks)."""


class _Parser(_t.Verdicts):
    """One parse of one text. Methods return on success and raise ``_Fail`` on failure, having
    recorded the furthest position reached and what was expected there."""

    def __init__(self, text: str, max_depth: int):
        self.t = text
        self.n = len(text)
        self.pos = 0
        self.start_verdicts(max_depth)
        self.far = 0
        self.expected: set[str] = set()

    # -------------------------------------------------------------- helpers

    def fail(self, what: str):
        if self.pos > self.far:
            self.far = self.pos
            self.expected = {what}
        elif self.pos == self.far:
            self.expected.add(what)
        raise _Fail

    def ws(self):
        if self.t[self.pos : self.pos + 1] in _WS_START:
            self.pos = _WS.match(self.t, self.pos).end()

    def lit(self, s: str) -> bool:
        if self.t.startswith(s, self.pos):
            self.pos += len(s)
            return True
        return False

    def expect(self, s: str):
        if not self.lit(s):
            self.fail(repr(s))

    def kw(self, word: str) -> bool:
        """pyoxigraph's keywords: ASCII case-insensitive, no word boundary."""
        first = self.t[self.pos : self.pos + 1]
        if first != word[0] and first != word[0].upper():
            return False
        end = self.pos + len(word)
        if self.t[self.pos : end].translate(_ASCII_LOWER) == word:
            self.pos = end
            return True
        return False

    def expect_kw(self, word: str):
        if not self.kw(word):
            self.fail(word.upper())

    # ``state`` and ``restore`` list the same attributes, written out: a loop over one list of
    # names made the exact parser 25% slower (0.137 against 0.110 ms per catalogue query, timed by
    # hand over the 50 catalogue queries).
    def state(self):
        return (
            self.pos,
            self.service,
            self.dataset,
            self.graph,
            self.depth,
            self.negations,
            self.nested_repetitions,
            self.functions,
        )

    def restore(self, st):
        (
            self.pos,
            self.service,
            self.dataset,
            self.graph,
            self.depth,
            self.negations,
            self.nested_repetitions,
            self.functions,
        ) = st

    def enter(self):
        self.depth += 1
        if self.depth > self.deepest:
            self.deepest = self.depth
            if self.depth > self.max_depth:
                raise DepthError(max(_true_depth(self.t), self.depth), self.max_depth)

    def leave(self):
        self.depth -= 1

    def attempt(self, fn, *args) -> bool:
        st = self.state()
        try:
            fn(*args)
            return True
        except _Fail:
            self.restore(st)
            return False

    def after(self, head, token: str, fn, *args) -> bool:
        """``token`` (matched by ``head``: ``self.lit`` or ``self.kw``), blanks, then ``fn``; on
        a mismatch of either, nothing is consumed. The grammar's "optional ``token rule``"."""
        st = self.state()
        if not head(token):
            return False
        self.ws()
        try:  # attempt()'s body, inlined: this runs for every optional keyword of a query
            fn(*args)
            return True
        except _Fail:
            self.restore(st)
            return False

    def repeat_after(self, head, token: str, fn, *args) -> None:
        """``(token rule)*``: as many ``token`` + ``fn`` as match, blanks after each."""
        while self.after(head, token, fn, *args):
            self.ws()

    def peek(self) -> str:
        return self.t[self.pos : self.pos + 1]

    # -------------------------------------------------------------- terminals

    def iriref(self):
        m = _IRIREF.match(self.t, self.pos)
        if m is None:
            self.fail("an IRI")
        self.pos = m.end()
        return m.group(1)

    def pname_ns(self) -> str:
        m = _PNAME_NS.match(self.t, self.pos)
        if m is None:
            self.fail("a prefixed name")
        return m.group(1) or ""

    def prefixed_name(self):
        m = _PNAME_NS.match(self.t, self.pos)
        if m is None:
            self.fail("an IRI")
        if (m.group(1) or "") not in self.prefixes:
            self.fail(f"a declared prefix (no PREFIX {m.group(1) or ''}: was declared)")
        end = m.end()
        loc = _PN_LOCAL.match(self.t, end)
        self.pos = loc.end() if loc else end

    def iri(self):
        c = self.peek()
        if c == "<":
            self.iriref()
        else:
            self.prefixed_name()

    def called(self, start: int) -> None:
        """Record the IRI written from ``start`` as a function called (``Analysis.functions``)."""
        self.functions += (_t.function_iri(self.t[start : self.pos], self.prefixes),)

    def var(self):
        m = _VAR.match(self.t, self.pos)
        if m is None:
            self.fail("a variable")
        self.pos = m.end()

    def string(self):
        t, p = self.t, self.pos
        c = t[p : p + 1]
        if c not in ("'", '"'):
            self.fail("a string")
        for opener in (c * 3, c) if t.startswith(c * 3, p) else (c,):
            m = _STRING[opener].match(t, p)
            if m is not None:
                self.pos = m.end()
                return
        self.fail("a closed string")

    def rdf_literal(self):
        self.string()
        st = self.state()
        self.ws()
        if self.lit("^^"):
            self.ws()
            self.iri()
            return
        self.restore(st)
        m = _LANGTAG.match(self.t, self.pos)
        if m is not None:
            self.pos = m.end()

    def numeric(self):
        t = self.t
        p = self.pos
        if t.startswith(("+", "-"), p):
            self.pos += 1
            self.ws()
        m = _NUMBER.match(t, self.pos)
        if m is None:
            self.pos = p
            self.fail("a number")
        self.pos = m.end()

    def boolean(self):
        if not (self.lit("true") or self.lit("false")):
            self.fail("true or false")

    def blank_node(self):
        m = _BNODE.match(self.t, self.pos) or _ANON.match(self.t, self.pos)
        if m is None:
            self.fail("a blank node")
        self.pos = m.end()

    # -------------------------------------------------------------- entry points

    def query(self) -> str:
        self.ws()
        self.prologue()
        self.ws()
        form = None
        for name in ("select", "construct", "describe", "ask"):
            if self.t[self.pos : self.pos + len(name)].translate(_ASCII_LOWER) == name:
                form = name
                break
        if form is None:
            self.fail("SELECT, CONSTRUCT, DESCRIBE or ASK")
        getattr(self, form + "_query")()
        self.ws()
        if self.pos != self.n:
            self.fail("the end of the query")
        return form.upper()

    def update(self):
        self.ws()
        self.prologue()
        self.ws()
        if self.attempt(self.update1):
            self.ws()
            self.repeat_after(self.lit, ";", self.update1)
            if self.lit(";"):
                self.ws()
        if self.pos != self.n:
            self.fail("the end of the update")

    def prologue(self):
        while True:
            if self.kw("base"):
                self.ws()
                self.base = self.iriref()
            elif self.kw("prefix"):
                self.ws()
                name = self.pname_ns()
                self.pos += len(name) + 1
                self.ws()
                self.prefixes[name] = self.iriref()
            elif self.kw("version"):
                self.ws()
                m = _VERSION.match(self.t, self.pos)
                if m is None:
                    self.fail("a version string")
                self.pos = m.end()
            else:
                return
            self.ws()

    # -------------------------------------------------------------- queries

    def select_clause(self) -> bool:
        """SELECT …; True when the projection is plain (``*`` or variables, no modifier)."""
        self.expect_kw("select")
        self.ws()
        plain = True
        if self.kw("distinct") or self.kw("reduced"):
            plain = False
            self.ws()
        if self.lit("*"):
            return plain
        count = 0
        while True:
            c = self.peek()
            if c in ("?", "$"):
                if not self.attempt(self.var):
                    break
                self.ws()
            elif c == "(":
                plain = False
                self.expression_as_var()
                self.ws()
            else:
                break
            count += 1
        if not count:
            self.fail("a variable, '(' or '*'")
        return plain

    def select_query(self):
        plain = self.select_clause()
        self.ws()
        had_dataset = self.dataset_clauses()
        self.ws()
        self.simple = [] if plain and not had_dataset else None
        self.where_clause(top=True)
        self.ws()
        self.solution_modifiers()

    def sub_select(self):
        self.select_clause()
        self.ws()
        self.where_clause()
        self.ws()
        self.solution_modifiers()

    def construct_query(self):
        self.expect_kw("construct")
        self.ws()
        st = self.state()
        try:
            self.construct_template()
            self.ws()
            self.dataset_clauses()
            self.ws()
            self.where_clause()
            self.ws()
            self.solution_modifiers()
            return
        except _Fail:
            self.restore(st)
        self.dataset_clauses()
        self.ws()
        self.expect_kw("where")
        self.ws()
        self.braced_triples()
        self.ws()
        self.solution_modifiers()

    def describe_query(self):
        self.expect_kw("describe")
        self.ws()
        if not self.lit("*"):
            count = 0
            while self.attempt(self.var_or_iri):
                self.ws()
                count += 1
            if not count:
                self.fail("'*', a variable or an IRI")
        self.ws()
        self.dataset_clauses()
        self.ws()
        self.attempt(self.where_clause)
        self.ws()
        self.solution_modifiers()

    def ask_query(self):
        self.expect_kw("ask")
        self.ws()
        had_dataset = self.dataset_clauses()
        self.ws()
        self.simple = [] if not had_dataset else None
        self.where_clause(top=True)
        self.ws()
        self.solution_modifiers()

    def dataset_clauses(self) -> bool:
        seen = False
        while self.after(self.kw, "from", self._graph_iri):
            self.dataset += 1
            seen = True
            self.ws()
        return seen

    def _graph_iri(self):
        """``iri | NAMED iri`` of FROM and USING."""
        if not self.attempt(self.iri):
            self.expect_kw("named")
            self.ws()
            self.iri()

    def where_clause(self, top: bool = False):
        self.kw("where")
        self.ws()
        self.group_graph_pattern(top=top)

    def solution_modifiers(self, top: bool = False):
        """GROUP BY, HAVING, ORDER BY, LIMIT/OFFSET, VALUES (each optional, in this order);
        only a LIMIT after a SELECT keeps a query *bounded*."""
        if self._clause(("group", "by"), self.group_condition):
            self.simple = None
        self.ws()
        if self._clause(("having",), self.constraint):
            self.simple = None
        self.ws()
        if self._clause(("order", "by"), self.order_condition):
            self.simple = None
        self.ws()
        if self.attempt(self.integer_clause, "limit"):
            self.limit = True
            self.ws()
            if self.attempt(self.integer_clause, "offset"):
                self.simple = None
        elif self.attempt(self.integer_clause, "offset"):
            self.simple = None
            self.ws()
            self.attempt(self.integer_clause, "limit")
        self.ws()
        if self.after(self.kw, "values", self.data_block):
            self.simple = None

    def _clause(self, words, item) -> bool:
        """Keywords then one or more ``item``s; nothing consumed when that does not match."""
        st = self.state()
        for word in words:
            if not self.kw(word):
                self.restore(st)
                return False
            self.ws()
        count = 0
        while self.attempt(item):
            self.ws()
            count += 1
        if not count:
            self.restore(st)
            return False
        return True

    def integer_clause(self, word: str):
        """``LIMIT n`` or ``OFFSET n``."""
        self.expect_kw(word)
        self.ws()
        m = _INTEGER.match(self.t, self.pos)
        if m is None:
            self.fail("an integer")
        self.pos = m.end()

    def group_condition(self):
        if self.attempt(self.builtin_call) or self.attempt(self.function_call):
            return
        if self.peek() == "(":
            self.enter()
            self.pos += 1
            self.ws()
            self.expression()
            self.ws()
            if self.after(self.kw, "as", self.var):
                self.ws()
            self.expect(")")
            self.leave()
            return
        self.var()

    def order_condition(self):
        for word in ("asc", "desc"):
            if self.after(self.kw, word, self.bracketted_expression):
                return
        if self.attempt(self.constraint):
            return
        self.var()

    # -------------------------------------------------------------- updates

    def update1(self):
        for word in _UPDATE_WORDS.get(self.peek(), ()):
            if self.after(self.kw, word, getattr(self, "u_" + word)):
                return
        for first, second in (("insert", "data"), ("delete", "data"), ("delete", "where")):
            if self.after(self.kw, first, self._then_quads, second):
                return
        self.modify()

    def _then_quads(self, word: str):
        """``word`` then a quad pattern; a missing ``word`` is no expectation (MODIFY follows)."""
        if not self.kw(word):
            raise _Fail
        self.ws()
        self.quad_pattern()

    def silent(self):
        self.kw("silent")
        self.ws()

    def u_load(self):
        self.silent()
        self.iri()
        st = self.state()
        self.ws()
        if not self.after(self.kw, "into", self.graph_ref):
            self.restore(st)

    def u_clear(self):
        self.silent()
        self.graph_ref_all()

    u_drop = u_clear

    def u_create(self):
        self.silent()
        self.graph_ref()

    def u_add(self):
        self.silent()
        self.graph_or_default()
        self.ws()
        self.expect_kw("to")
        self.ws()
        self.graph_or_default()

    u_move = u_copy = u_add

    def graph_ref(self):
        self.expect_kw("graph")
        self.ws()
        self.iri()

    def graph_ref_all(self):
        if self.attempt(self.graph_ref):
            return
        for word in ("default", "named", "all"):
            if self.kw(word):
                return
        self.fail("GRAPH, DEFAULT, NAMED or ALL")

    def graph_or_default(self):
        if self.kw("default"):
            return
        if not self.after(self.kw, "graph", self.iri):
            self.iri()

    def quad_pattern(self):
        self.enter()
        self.expect("{")
        self.ws()
        self.quads()
        self.ws()
        self.expect("}")
        self.leave()

    def quads(self):
        while True:
            st = self.state()
            if self.attempt(self.triples_template):
                pass
            elif self.attempt(self.quads_not_triples):
                self.ws()
                self.lit(".")
            else:
                self.restore(st)
                return
            st2 = self.state()
            self.ws()
            if self.pos == st2[0] and self.pos == st[0]:
                return

    def braced_triples(self):
        """``{ triples? }``: a short CONSTRUCT's WHERE, a GRAPH block of quad data."""
        self.enter()
        self.expect("{")
        self.ws()
        self.attempt(self.triples_template)
        self.ws()
        self.expect("}")
        self.leave()

    def quads_not_triples(self):
        self.expect_kw("graph")
        self.ws()
        self.var_or_iri()
        self.ws()
        self.braced_triples()

    def modify(self):
        if self.after(self.kw, "with", self.iri):
            self.ws()
            self.dataset += 1
        self.ws()
        if self.kw("delete"):
            self.ws()
            self.quad_pattern()
            self.ws()
            self.after(self.kw, "insert", self.quad_pattern)
        else:
            self.expect_kw("insert")
            self.ws()
            self.quad_pattern()
        self.ws()
        while self.after(self.kw, "using", self._graph_iri):
            self.dataset += 1
            self.ws()
        self.ws()
        self.expect_kw("where")
        self.ws()
        self.group_graph_pattern()

    # -------------------------------------------------------------- graph patterns

    def group_graph_pattern(self, top: bool = False):
        if self.peek() != "{":
            self.fail("'{'")
        self.enter()
        st = self.state()
        simple = self.simple
        try:
            self.pos += 1
            self.ws()
            self.group_graph_pattern_sub(top)
            self.ws()
            self.expect("}")
        except _Fail:
            self.restore(st)
            self.simple = None
            self.pos += 1
            self.ws()
            self.sub_select()
            self.ws()
            self.expect("}")
        self.leave()
        if not top:
            return
        if simple is None:
            self.simple = None

    def group_graph_pattern_sub(self, top: bool):
        rec = self.simple if top else None
        self.triples_block(rec)
        self.ws()
        while self.attempt(self.graph_pattern_not_triples):
            if top:
                self.simple = rec = None
            self.ws()
            if self.lit("."):
                self.ws()
            self.triples_block(None)
            self.ws()

    def triples_block(self, rec) -> None:
        """Optional: zero or more triples separated by '.'."""
        st = self.state()
        self.ws()
        try:
            self.triples_same_subject_path(rec)
        except _Fail:
            self.restore(st)
            return
        self.ws()
        self._more_triples(rec, True)

    def _more_triples(self, rec, path: bool):
        """``('.' triples)* '.'?`` after a first triple."""
        self.repeat_after(self.lit, ".", self.triples_same_subject_path, rec, path)
        if self.lit("."):
            self.ws()

    def graph_pattern_not_triples(self):
        c = self.peek()
        if c == "{":
            self.group_graph_pattern()
            self.ws()
            self.repeat_after(self.kw, "union", self.group_graph_pattern)
            return
        for word in _PATTERN_WORDS.get(self.peek(), ()):
            if self.after(self.kw, word, getattr(self, "p_" + word)):
                return
        self.fail("a graph pattern")

    def p_optional(self):
        self.group_graph_pattern()

    def p_lateral(self):
        # pyoxigraph's Python build has no LATERAL (SEP-0006): it is an error there.
        self.fail("no LATERAL")

    def p_minus(self):
        self.nested_group()

    def nested_group(self):
        """The group of EXISTS, NOT EXISTS or MINUS, evaluated once per solution of the outer one."""
        self.negations += 1
        self.group_graph_pattern()
        self.negations -= 1

    def p_graph(self):
        self.graph += 1
        self.var_or_iri()
        self.ws()
        self.group_graph_pattern()

    def p_service(self):
        if not self.after(self.kw, "silent", self.p_graph):
            self.p_graph()
        self.service += 1

    def p_filter(self):
        self.constraint()

    def expression_as_var(self):
        """``( expression AS ?var )``: BIND and a SELECT clause's projection."""
        self.enter()
        self.expect("(")
        self.ws()
        self.expression()
        self.ws()
        self.expect_kw("as")
        self.ws()
        self.var()
        self.ws()
        self.expect(")")
        self.leave()

    p_bind = expression_as_var

    def p_values(self):
        self.data_block()

    def data_block(self):
        c = self.peek()
        if c in ("?", "$"):
            self.var()
            self.ws()
            self.enter()
            self.expect("{")
            self.ws()
            while self.attempt(self.data_block_value):
                self.ws()
            self.expect("}")
            self.leave()
            return
        self.enter()
        self.expect("(")
        self.ws()
        while self.attempt(self.var):
            self.ws()
        self.ws()
        self.expect(")")
        self.ws()
        self.expect("{")
        self.ws()
        while self.peek() == "(":
            self.pos += 1
            self.ws()
            while self.attempt(self.data_block_value):
                self.ws()
            self.ws()
            self.expect(")")
            self.ws()
        self.expect("}")
        self.leave()

    def data_block_value(self):
        if self.t.startswith("<<(", self.pos):
            self.triple_term()
            return
        for fn in (self.iri, self.rdf_literal, self.numeric, self.boolean):
            if self.attempt(fn):
                return
        self.expect_kw("undef")

    # -------------------------------------------------------------- triples

    def triples_same_subject_path(self, rec, path: bool = True):
        t = self.t
        if (
            t.startswith("<<", self.pos)
            and not t.startswith("<<(", self.pos)
            and self.attempt(self._structured_subject, self.reified_triple, path, rec)
        ):
            return
        st = self.state()  # attempt()'s body, inlined: every subject of a query comes here
        try:
            kind = self.var_or_term()
            self.ws()
            self.property_list(path, rec=rec, subject=kind)
            return
        except _Fail:
            self.restore(st)
        self._structured_subject(self.triples_node, path, rec)

    def _structured_subject(self, subject, path: bool, rec):
        """A reified triple or a triples node as subject, its property list optional."""
        subject(path)
        self.ws()
        self.property_list(path, rec=None, optional=True)
        if rec is not None:
            rec.append(None)

    def property_list(self, path: bool, rec=None, subject=None, optional: bool = False):
        if optional:
            self.attempt(self.property_list, path)
            return
        triples = []
        verb = self.verb(path)
        self.ws()
        self.object_list(path, verb, triples)
        self.ws()
        while self.lit(";"):
            self.ws()
            self.attempt(self._verb_objects, path, triples)
        if rec is not None:
            for verb, obj in triples:
                rec.append((subject, verb, obj))

    def _verb_objects(self, path: bool, triples):
        verb = self.verb(path)
        self.ws()
        self.object_list(path, verb, triples)
        self.ws()

    def verb(self, path: bool):
        """The predicate: 'var', 'iri' (an IRI or ``a``) or 'path' (anything else)."""
        if path:
            st = self.state()  # optional()'s body, inlined: every predicate of a query comes here
            try:
                return self.path()
            except _Fail:
                self.restore(st)
            self.var()
            return "var"
        if self.peek() in ("?", "$"):
            self.var()
            return "var"
        if self.lit("a"):
            return "const"
        self.iri()
        return "const"

    def object_list(self, path: bool, verb, triples):
        while True:
            kind = self.graph_node(path)
            self.ws()
            if self.annotation(path):
                kind = None
            triples.append((verb, kind))
            if not self.lit(","):
                return
            self.ws()

    def annotation(self, path: bool) -> bool:
        seen = False
        while True:
            st = self.state()
            if self.lit("~"):
                self.ws()
                self.attempt(self.var) or self.attempt(self.iri) or self.attempt(self.blank_node)
                self.ws()
                seen = True
            elif self.t.startswith("{|", self.pos):
                try:
                    self.enter()
                    self.pos += 2
                    self.ws()
                    self.property_list(path)
                    self.ws()
                    self.expect("|}")
                    self.leave()
                except _Fail:
                    self.restore(st)
                    return seen
                self.ws()
                seen = True
            else:
                return seen

    def graph_node(self, path: bool):
        """An object: its kind for *bounded* ('var', 'const'), or None when it is structured."""
        t = self.t
        if (
            t.startswith("<<", self.pos)
            and not t.startswith("<<(", self.pos)
            and self.attempt(self.reified_triple, path)
        ):
            return None
        st = self.state()  # optional()'s body, inlined: every object of a query comes here
        try:
            return self.var_or_term()
        except _Fail:
            self.restore(st)
        self.triples_node(path)
        return None

    def var_or_term(self):
        c = self.peek()
        if c in ("?", "$"):
            self.var()
            return "var"
        if self.t.startswith("<<(", self.pos):
            self.triple_term()
            return None
        if c == "<":
            self.iriref()
            return "const"
        if c in ("'", '"'):
            self.rdf_literal()
            return "const"
        if c == "_" and self.t.startswith("_:", self.pos):
            self.blank_node()
            return None
        if c == "[":
            m = _ANON.match(self.t, self.pos)
            if m is None:
                self.fail("'[]'")
            self.pos = m.end()
            return None
        if c == "(":
            m = _NIL.match(self.t, self.pos)
            if m is None:
                self.fail("'()'")
            self.pos = m.end()
            return None
        st = self.state()  # attempt()'s body, inlined: every prefixed name of a query comes here
        for fn in (self.prefixed_name, self.numeric, self.boolean):
            try:
                fn()
                return "const"
            except _Fail:
                self.restore(st)
        self.fail("a term")

    def var_or_iri(self):
        if self.peek() in ("?", "$"):
            self.var()
        else:
            self.iri()

    def triples_node(self, path: bool):
        c = self.peek()
        if c == "(":
            self.enter()
            self.pos += 1
            self.ws()
            count = 0
            while self.attempt(self.graph_node, path):
                self.ws()
                count += 1
            if not count:
                self.fail("a term")
            self.ws()
            self.expect(")")
            self.leave()
            return
        if c == "[":
            self.enter()
            self.pos += 1
            self.ws()
            self.property_list(path)
            self.ws()
            self.expect("]")
            self.leave()
            return
        self.fail("a term")

    def reified_triple(self, path: bool):
        self.enter()
        self.expect("<<")
        self.ws()
        self.reified_object()
        self.ws()
        self.verb(False)
        self.ws()
        self.reified_object()
        self.ws()
        if self.lit("~"):
            self.ws()
            self.attempt(self.var) or self.attempt(self.iri) or self.attempt(self.blank_node)
            self.ws()
        self.expect(">>")
        self.leave()

    def reified_object(self):
        t = self.t
        if t.startswith("<<", self.pos) and not t.startswith("<<(", self.pos):
            self.reified_triple(False)
            return
        self.var_or_term()

    def triple_term(self):
        self.enter()
        self.expect("<<(")
        self.ws()
        self.var_or_term()
        self.ws()
        self.verb(False)
        self.ws()
        self.var_or_term()
        self.ws()
        self.expect(")>>")
        self.leave()

    def triples_template(self):
        self.ws()
        self.triples_same_subject_path(None, path=False)
        self.ws()
        self._more_triples(None, False)

    def construct_template(self):
        self.enter()
        self.expect("{")
        self.ws()
        if self.attempt(self.triples_same_subject_path, None, False):
            self.ws()
            self.repeat_after(self.lit, ".", self.triples_same_subject_path, None, False)
        self.lit(".")
        self.ws()
        self.expect("}")
        self.leave()

    # -------------------------------------------------------------- property paths

    def path(self):
        """A property path; 'const' when it is a single IRI or ``a``."""
        kind = self.path_sequence()
        while self.after(self.lit, "|", self.path_sequence):
            kind = "path"
        return kind

    def path_sequence(self):
        kind = self.path_elt_or_inverse()
        self.ws()
        while self.after(self.lit, "/", self.path_elt_or_inverse):
            self.ws()
            kind = "path"
        return kind

    def path_elt_or_inverse(self):
        if self.lit("^"):
            self.ws()
            self.path_elt()
            return "path"
        return self.path_elt()

    def path_elt(self):
        kind = self.path_primary()
        self.ws()
        c = self.peek()
        if c in ("*", "+"):
            self.pos += 1
            self.nested_repetitions += self.negations > 0
            return "path"
        if c == "?":
            nxt = self.t[self.pos + 1 : self.pos + 2]
            if not (nxt and (nxt in "0123456789" or _PN_CHARS_U.match(nxt))):
                self.pos += 1
                self.nested_repetitions += self.negations > 0
                return "path"
        return kind

    def path_primary(self):
        if self.attempt(self.iri) or self.lit("a"):
            return "const"
        if self.lit("!"):
            self.ws()
            if self.peek() == "(":
                self.enter()
                self.pos += 1
                self.ws()
                self.path_one_in_set()
                self.ws()
                while self.lit("|"):
                    self.ws()
                    self.path_one_in_set()
                    self.ws()
                self.expect(")")
                self.leave()
            else:
                self.path_one_in_set()
            return "path"
        if self.peek() == "(":
            self.enter()
            self.pos += 1
            self.ws()
            self.path()
            self.ws()
            self.expect(")")
            self.leave()
            return "path"
        self.fail("a property path")

    def path_one_in_set(self):
        if self.lit("^"):
            self.ws()
        if not self.attempt(self.iri) and not self.lit("a"):
            self.fail("an IRI or 'a'")

    # -------------------------------------------------------------- expressions

    def constraint(self):
        if self.peek() == "(":
            self.bracketted_expression()
            return
        if self.attempt(self.function_call):
            return
        self.builtin_call()

    def bracketted_expression(self):
        self.enter()
        self.expect("(")
        self.ws()
        self.expression()
        self.ws()
        self.expect(")")
        self.leave()

    def function_call(self):
        start = self.pos
        self.iri()
        self.called(start)
        self.ws()
        self.arg_list()

    def arg_list(self):
        """A function's arguments: ``()`` or ``(DISTINCT? expression, …)``."""
        self.expression_list(distinct=True)

    def expression_list(self, distinct: bool = False):
        m = _NIL.match(self.t, self.pos)
        if m is not None:
            self.pos = m.end()
            return
        self.enter()
        self.expect("(")
        self.ws()
        if distinct and self.kw("distinct"):
            self.ws()
        self.expression()
        self.ws()
        while self.lit(","):
            self.ws()
            self.expression()
            self.ws()
        self.expect(")")
        self.leave()

    def expression(self):
        self._alternatives(self.and_expression, "||")

    def and_expression(self):
        self._alternatives(self.relational, "&&")

    def _alternatives(self, operand, operator: str):
        """``operand (operator operand)*`` for ``||`` and ``&&``."""
        operand()
        self.ws()
        self.repeat_after(self.lit, operator, operand)

    def relational(self):
        self.additive()
        st = self.state()
        self.ws()
        try:
            for op in ("=", "!=", ">=", ">", "<=", "<"):
                if self.lit(op):
                    self.ws()
                    self.additive()
                    return
            if self.kw("in"):
                self.ws()
                self.expression_list()
                return
            if self.kw("not"):
                self.ws()
                self.expect_kw("in")
                self.ws()
                self.expression_list()
                return
        except _Fail:
            pass
        self.restore(st)

    def additive(self):
        self._chain(self.multiplicative, "+-")

    def multiplicative(self):
        self._chain(self.unary, "*/")

    def _chain(self, operand, operators: str):
        """``operand (op operand)*``. pyoxigraph recurses once per operator, so a chain too is
        bounded (by eight times the nesting bound: a long sum is ordinary, 30,000 terms are not)."""
        operand()
        count = 0
        while True:
            st = self.state()
            self.ws()
            c = self.peek()
            if not c or c not in operators:
                self.restore(st)
                return
            self.pos += 1
            self.ws()
            try:
                operand()
            except _Fail:
                self.restore(st)
                return
            count += 1
            if count > 8 * self.max_depth:
                raise AnalysisError(
                    f"the query chains too many '{operators[0]}'/'{operators[1]}' operators in one "
                    f"expression: more than {8 * self.max_depth}",
                    *_position(self.t, self.pos),
                )

    def unary(self):
        depth = self.depth
        while self.lit("!"):
            self.ws()
            self.enter()
        if self.peek() in ("+", "-"):
            self.pos += 1
            self.ws()
        self.primary()
        self.depth = depth

    def primary(self):
        t = self.t
        c = self.peek()
        if c == "(":
            self.bracketted_expression()
            return
        if t.startswith("<<(", self.pos):
            self.triple_term()
            return
        st = self.state()
        if c == "<" or _PNAME_NS.match(t, self.pos):
            try:
                start = self.pos
                self.iri()
                st2 = self.state()
                self.called(start)
                self.ws()
                try:
                    self.arg_list()
                except _Fail:
                    self.restore(st2)
                return
            except _Fail:
                self.restore(st)
        if c in ("?", "$"):
            self.var()
            return
        if c in ("'", '"'):
            self.rdf_literal()
            return
        if self.attempt(self.numeric) or self.attempt(self.boolean):
            return
        self.builtin_call()

    def builtin_call(self):
        m = _WORD.match(self.t, self.pos)
        if m is None:
            self.fail("a function name")
        word = m.group().upper()
        st = self.state()
        if word.startswith("NOT") and word[3:] in ("", "EXISTS") and not word == "NOT" or word == "NOT":
            self.pos += 3
            self.ws()
            if self.kw("exists"):
                self.ws()
                self.nested_group()
                return
            self.restore(st)
            self.fail("EXISTS")
        self.pos = m.end()
        if word == "EXISTS":
            self.ws()
            self.nested_group()
            return
        if word in _AGGREGATES:
            self.ws()
            self.aggregate(word)
            return
        if word in ("CONCAT", "COALESCE"):
            self.expression_list()
            return
        if word == "BNODE":
            m2 = _NIL.match(self.t, self.pos)
            if m2 is not None:
                self.pos = m2.end()
                return
            self.ws()
            self.args(1, 1)
            return
        if word in _CALL0:
            self.ws()
            m2 = _NIL.match(self.t, self.pos)
            if m2 is None:
                self.fail("'()'")
            self.pos = m2.end()
            return
        if word == "BOUND":
            self.ws()
            self.enter()
            self.expect("(")
            self.ws()
            self.var()
            self.ws()
            self.expect(")")
            self.leave()
            return
        shapes = {"REGEX": (2, 3), "SUBSTR": (2, 3), "REPLACE": (3, 4)}
        if word in shapes:
            self.ws()
            self.args(*shapes[word])
            return
        for group, count in ((_CALL1, 1), (_CALL2, 2), (_CALL3, 3)):
            if word in group:
                self.ws()
                self.args(count, count)
                return
        self.restore(st)
        self.fail("a function name")

    def aggregate(self, word: str):
        """The parenthesised part of COUNT, SUM, … GROUP_CONCAT (with its SEPARATOR)."""
        self.enter()
        self.expect("(")
        self.ws()
        if self.kw("distinct"):
            self.ws()
        if word == "COUNT" and self.lit("*"):
            self.ws()
        else:
            self.expression()
            self.ws()
            if word == "GROUP_CONCAT" and self.lit(";"):
                self.ws()
                self.expect_kw("separator")
                self.ws()
                self.expect("=")
                self.ws()
                self.string()
                self.ws()
        self.expect(")")
        self.leave()

    def args(self, low: int, high: int):
        self.enter()
        self.expect("(")
        self.ws()
        self.expression()
        self.ws()
        count = 1
        while count < high and self.lit(","):
            self.ws()
            self.expression()
            self.ws()
            count += 1
        if count < low:
            self.fail("','")
        self.expect(")")
        self.leave()


def _true_depth(text: str) -> int:
    """The nesting of brackets in ``text`` (strings and comments are not skipped: this only
    names the depth in an error message once the bound is exceeded)."""
    depth = deepest = 0
    for c in text:
        if c in "({[":
            depth += 1
            if depth > deepest:
                deepest = depth
        elif c in ")}]":
            depth -= 1
    return deepest


def _position(text: str, pos: int) -> tuple[int, int]:
    line = text.count("\n", 0, pos) + 1
    column = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return line, column


def _error(parser: _Parser, what: str) -> AnalysisError:
    pos = parser.far
    line, column = _position(parser.t, pos)
    found = parser.t[pos : pos + 20]
    found = repr(found.split("\n")[0]) if found.strip() else "the end of the text"
    expected = ", ".join(sorted(parser.expected)) or "something else"
    return AnalysisError(
        f"the {what} is not valid SPARQL: error at {line}:{column} (line {line}, column {column}): "
        f"expected {expected}; found {found}",
        line,
        column,
    )


def _read(parser: _Parser, form: str | None) -> Analysis:
    """What ``parser`` read to the end: a query of ``form``, or an update (``form`` None)."""
    return Analysis(
        form=form,
        update=form is None,
        service=parser.service > 0,
        dataset_clause=parser.dataset > 0,
        prefixes=dict(parser.prefixes),
        base=parser.base,
        depth=parser.deepest,
        bounded=form is not None and _bounded(parser, form) and parser.service == 0 and parser.dataset == 0,
        nested_repetition=parser.nested_repetitions > 0,
        graph_pattern=parser.graph > 0,
        functions=parser.functions,
    )


def _bounded(parser: _Parser, form: str) -> bool:
    simple = parser.simple
    if form == "ASK" and parser.limit:
        return False
    if form not in ("SELECT", "ASK") or simple is None or len(simple) != 1 or simple[0] is None:
        return False
    subject, verb, obj = simple[0]
    kinds = (subject, verb, obj)
    if verb not in ("var", "const") or subject not in ("var", "const") or obj not in ("var", "const"):
        return False
    return any(k == "const" for k in kinds)


#: Texts up to this size are cached (with 1,024 entries at most 16 MiB of keys); longer ones
#: are rare, and parsing them again costs at most tens of milliseconds.
CACHED_CHARS = 16 * 1024


def analyse(text: str, max_depth: int = 100) -> Analysis:
    """Parse ``text`` as a query, else as an update; :class:`AnalysisError` when it is neither
    (:class:`DepthError` when it nests deeper than ``max_depth``). Cached per text."""
    if len(text) <= CACHED_CHARS:
        return _cached(text, max_depth)
    return _analyse(text, max_depth)


def _analyse(text: str, max_depth: int) -> Analysis:
    _recursion(max_depth)
    # The fast path (engine.fastparse) reads most queries in a third of the time; it declines
    # whatever it cannot vouch for, every error included, and this parser decides those. Long
    # texts skip it: it tokenizes a whole text before it can decline (64 KiB of '(' would cost
    # ~50 ms there, and 5 ms here, which stops at the depth bound).
    if len(text) <= CACHED_CHARS:
        fast = fastparse.parse(text, max_depth)
        if fast is not None:
            return _read(fast, fast.form)
    return analyse_exactly(text, max_depth)


def _recursion(max_depth: int) -> None:
    # About a dozen Python frames per level of nesting (an expression in parentheses goes
    # through every precedence level); the bound on nesting bounds the recursion.
    frames = 16 * max_depth + 200
    if sys.getrecursionlimit() < frames:
        sys.setrecursionlimit(frames)


def analyse_exactly(text: str, max_depth: int = 100) -> Analysis:
    """:func:`analyse` by this module's parser alone, uncached (the reference the fast path is
    tested against)."""
    _recursion(max_depth)
    parser = _Parser(text, max_depth)
    try:
        form = parser.query()
    except _Fail:
        query_error = parser
    else:
        return _read(parser, form)
    update = _Parser(text, max_depth)
    try:
        update.update()
    except _Fail:
        pass
    else:
        return _read(update, None)
    # Report the reading that got further.
    if update.far > query_error.far:
        raise _error(update, "update")
    raise _error(query_error, "query")


_cached = lru_cache(maxsize=1024)(_analyse)
analyse.cache_info = _cached.cache_info  # type: ignore[attr-defined]
analyse.cache_clear = _cached.cache_clear  # type: ignore[attr-defined]
