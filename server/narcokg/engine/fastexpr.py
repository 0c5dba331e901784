"""Expressions, terms and token tests of the analysis's fast path (``fastparse``): the exact
parser's rules from ``constraint`` down to ``primary``, over tokens, declining where unsure.

Depth is counted where the exact parser counts it, including its attempts that enter a level
before they fail (an IRI in an expression tries an argument list; see ``primary``), because
the deepest level reached is part of the analysis.

Size: ~350 lines, one function per level of the expression grammar, split out of ``fastparse``.
"""

from __future__ import annotations

from narcokg.engine import terminals as _t

_CALL1 = frozenset(
    "STR LANG LANGDIR DATATYPE IRI URI ABS CEIL FLOOR ROUND STRLEN UCASE LCASE ENCODE_FOR_URI YEAR MONTH DAY "
    "HOURS MINUTES SECONDS TIMEZONE TZ MD5 SHA1 SHA256 SHA384 SHA512 ISIRI ISURI ISBLANK ISLITERAL ISNUMERIC "
    "HASLANG HASLANGDIR SUBJECT PREDICATE OBJECT ISTRIPLE".split()
)
_CALL2 = frozenset("LANGMATCHES CONTAINS STRSTARTS STRENDS STRBEFORE STRAFTER STRLANG STRDT SAMETERM ADJUST".split())
_CALL3 = frozenset(("IF", "STRLANGDIR", "TRIPLE"))
_CALL0 = frozenset(("RAND", "NOW", "UUID", "STRUUID"))
_AGGREGATES = frozenset(("COUNT", "SUM", "MIN", "MAX", "AVG", "SAMPLE", "GROUP_CONCAT"))
#: Arguments (fewest, most) of each built-in call read by ``args``.
_ARGS = {
    **{w: (1, 1) for w in _CALL1},
    **{w: (2, 2) for w in _CALL2},
    **{w: (3, 3) for w in _CALL3},
    "REGEX": (2, 3),
    "SUBSTR": (2, 3),
    "REPLACE": (3, 4),
}
#: Every word that begins a built-in call.
BUILTINS = frozenset(_ARGS) | _CALL0 | _AGGREGATES | {"NOT", "EXISTS", "CONCAT", "COALESCE", "BNODE", "BOUND"}
#: First characters of tokens that are no prefixed name even when they hold a ':'.
_NOT_PNAME = frozenset("?$\"'<_@")
_DIGITS = frozenset("0123456789")
_RELATIONAL = frozenset(("=", "!=", ">=", ">", "<=", "<"))


class Decline(Exception):
    """The fast path cannot vouch for this text: the exact parser reads it."""


class Expressions:
    """A mixin: needs ``T`` (tokens), ``B`` (blanks before each), ``i``, depth counters,
    ``prefixes``, ``max_depth`` and ``nested_group`` (from the pattern rules)."""

    T: tuple[str, ...]
    B: tuple[str, ...]
    i: int
    depth: int
    deepest: int
    max_depth: int
    prefixes: dict[str, str]

    # -------------------------------------------------------------- tokens

    def enter(self):
        self.depth += 1
        if self.depth > self.deepest:
            self.deepest = self.depth
            if self.depth > self.max_depth:
                raise Decline  # the exact parser names the depth

    def touch(self):
        """A level the exact parser enters and leaves at once (an attempt that fails)."""
        self.enter()
        self.depth -= 1

    def expect(self, tok: str):
        if self.T[self.i] != tok:
            raise Decline
        self.i += 1

    def expect_word(self, word: str):
        if self.T[self.i].upper() != word:
            raise Decline
        self.i += 1

    @staticmethod
    def is_var(tok: str) -> bool:
        return len(tok) > 1 and tok[0] in "?$"

    @staticmethod
    def is_iriref(tok: str) -> bool:
        return len(tok) > 1 and tok[0] == "<" and tok[-1] == ">"

    def is_iri(self, tok: str) -> bool:
        """An IRI or a prefixed name; a prefix never declared is no IRI here (the exact parser
        then tries other readings) and the fast path declines."""
        if not tok:
            return False
        if tok[0] == "<":
            return len(tok) > 1 and tok[-1] == ">"
        if ":" not in tok or tok[0] in _NOT_PNAME:
            return False
        if tok[: tok.index(":")] not in self.prefixes:
            raise Decline
        return True

    def called(self, tok: str) -> None:
        """Record the IRI ``tok`` names as a function called (``Analysis.functions``)."""
        self.functions += (_t.function_iri(tok, self.prefixes),)

    def starts_number(self, i: int) -> bool:
        tok = self.T[i]
        if tok in ("+", "-"):
            tok = self.T[i + 1]
        return bool(tok) and (tok[0] in _DIGITS or tok[0] == "." and len(tok) > 1)

    def numeric(self):
        self.i += 2 if self.T[self.i] in ("+", "-") else 1

    def rdf_literal(self):
        tok = self.T[self.i]
        self.i += 1
        if tok[-1] in ("'", '"') and self.T[self.i] == "^^":  # no language tag: a datatype?
            self.i += 1
            if not self.is_iri(self.T[self.i]):
                raise Decline
            self.i += 1

    # -------------------------------------------------------------- clauses

    def starts_constraint(self, tok: str) -> bool:
        return tok == "(" or tok.upper() in BUILTINS or self.is_iri(tok)

    def starts_condition(self, tok: str) -> bool:
        """A GROUP BY or ORDER BY item: a built-in, a function call, '(' or a variable."""
        return self.is_var(tok) or self.starts_constraint(tok)

    def constraint(self):
        tok = self.T[self.i]
        if tok == "(":
            self.bracketted_expression()
        elif self.is_iri(tok):
            self.i += 1
            if not self.arg_list():
                raise Decline
            self.called(tok)
        else:
            self.builtin_call()

    def group_condition(self):
        tok = self.T[self.i]
        if self.is_var(tok):
            self.i += 1
        elif tok != "(":
            self.constraint()
        else:
            self.enter()
            self.i += 1
            self.expression()
            if self.T[self.i].upper() == "AS":
                self.i += 1
                if not self.is_var(self.T[self.i]):
                    raise Decline
                self.i += 1
            self.expect(")")
            self.depth -= 1

    def expression_as_var(self):
        """``( expression AS ?var )``: BIND and a SELECT clause's projection."""
        self.enter()
        self.expect("(")
        self.expression()
        self.expect_word("AS")
        if not self.is_var(self.T[self.i]):
            raise Decline
        self.i += 1
        self.expect(")")
        self.depth -= 1

    def bracketted_expression(self):
        self.enter()
        self.expect("(")
        self.expression()
        self.expect(")")
        self.depth -= 1

    # -------------------------------------------------------------- expressions

    def expression(self):
        self.and_expression()
        while self.T[self.i] == "||":
            self.i += 1
            self.and_expression()

    def and_expression(self):
        self.relational()
        while self.T[self.i] == "&&":
            self.i += 1
            self.relational()

    def relational(self):
        self.additive()
        tok = self.T[self.i]
        if tok in _RELATIONAL:
            self.i += 1
            self.additive()
            return
        word = tok.upper()
        if word == "NOT":
            self.i += 1
            word = self.T[self.i].upper()
            if word != "IN":
                raise Decline
        if word == "IN":
            self.i += 1
            self.expression_list(False)

    def additive(self):
        self.multiplicative()
        count = 0
        while self.T[self.i] in ("+", "-"):
            self.i += 1
            self.multiplicative()
            count += 1
            if count > 8 * self.max_depth:
                raise Decline  # the exact parser refuses the chain

    def multiplicative(self):
        self.unary()
        count = 0
        while self.T[self.i] in ("*", "/"):
            self.i += 1
            self.unary()
            count += 1
            if count > 8 * self.max_depth:
                raise Decline

    def unary(self):
        depth = self.depth
        while self.T[self.i] == "!":
            self.i += 1
            self.enter()
        if self.T[self.i] in ("+", "-"):
            self.i += 1
        self.primary()
        self.depth = depth

    def primary(self):
        tok = self.T[self.i]
        if tok == "(":
            self.bracketted_expression()
        elif self.is_var(tok):
            self.i += 1
        elif self.is_iri(tok):
            self.i += 1
            if self.arg_list():
                self.called(tok)
        elif tok[:1] in ("'", '"'):
            self.rdf_literal()
        elif self.starts_number(self.i):
            self.numeric()
        elif tok in ("true", "false"):
            self.i += 1
        else:
            self.builtin_call()

    def arg_list(self) -> bool:
        """A function's arguments, if they come next: ``()`` or ``(DISTINCT? expression, …)``.
        The exact parser enters a level before it looks for the '(' (see ``touch``)."""
        tok = self.T[self.i]
        if tok[:1] == "(" and len(tok) > 1:
            self.i += 1
            return True
        if tok != "(":
            self.touch()
            return False
        self.expression_list(True)
        return True

    def expression_list(self, distinct: bool):
        tok = self.T[self.i]
        if tok[:1] == "(" and len(tok) > 1:
            self.i += 1
            return
        self.enter()
        self.expect("(")
        if distinct and self.T[self.i].upper() == "DISTINCT":
            self.i += 1
        self.expression()
        while self.T[self.i] == ",":
            self.i += 1
            self.expression()
        self.expect(")")
        self.depth -= 1

    def builtin_call(self):
        word = self.T[self.i].upper()
        if word not in BUILTINS:
            raise Decline
        self.i += 1
        tok = self.T[self.i]
        if word in _ARGS:
            self.args(*_ARGS[word])
        elif word == "NOT":
            self.expect_word("EXISTS")
            self.nested_group()
        elif word == "EXISTS":
            self.nested_group()
        elif word in _AGGREGATES:
            self.aggregate(word)
        elif word in ("CONCAT", "COALESCE"):
            if self.B[self.i]:  # the exact parser reads their '(' right after the name
                raise Decline
            self.expression_list(False)
        elif word == "BNODE":
            if tok[:1] == "(" and len(tok) > 1 and not self.B[self.i]:
                self.i += 1
            else:
                self.args(1, 1)
        elif word in _CALL0:
            if not (tok[:1] == "(" and len(tok) > 1):
                raise Decline
            self.i += 1
        else:  # BOUND
            self.enter()
            self.expect("(")
            if not self.is_var(self.T[self.i]):
                raise Decline
            self.i += 1
            self.expect(")")
            self.depth -= 1

    def aggregate(self, word: str):
        """The parenthesised part of COUNT, SUM, … GROUP_CONCAT (with its SEPARATOR)."""
        T = self.T
        self.enter()
        self.expect("(")
        if T[self.i].upper() == "DISTINCT":
            self.i += 1
        if word == "COUNT" and T[self.i] == "*":
            self.i += 1
        else:
            self.expression()
            if word == "GROUP_CONCAT" and T[self.i] == ";":
                self.i += 1
                self.expect_word("SEPARATOR")
                self.expect("=")
                tok = T[self.i]
                if tok[:1] not in ("'", '"') or tok[-1] not in ("'", '"'):
                    raise Decline
                self.i += 1
        self.expect(")")
        self.depth -= 1

    def args(self, low: int, high: int):
        self.enter()
        self.expect("(")
        self.expression()
        count = 1
        while count < high and self.T[self.i] == ",":
            self.i += 1
            self.expression()
            count += 1
        if count < low:
            raise Decline
        self.expect(")")
        self.depth -= 1
