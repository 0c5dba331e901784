"""The fast path of the analysis: the exact parser's grammar (``analysis``), rule for rule, over
the tokens of ``fastlex``, without backtracking. Where the exact parser tries alternatives in turn,
this one looks at the next token and takes the alternative the exact parser would take first with
success; where that is not certain from one token (SPARQL 1.2 terms, updates, keywords glued to
other words, undeclared prefixes, anything unexpected) it declines, and so it does on any error:
the exact parser then reads the text again and decides (and words its error messages). So a text
this accepts is one the exact parser accepts with the same analysis; tests compare the two.

Queries only: an update (refused by the endpoint anyway) goes to the exact parser.
"""

from __future__ import annotations

from narcokg.engine.fastexpr import Decline
from narcokg.engine.fastlex import tokens
from narcokg.engine.fasttriples import Triples
from narcokg.engine.terminals import Verdicts

__all__ = ["parse"]

_FORMS = {"SELECT": "select_query", "CONSTRUCT": "construct_query", "DESCRIBE": "describe_query", "ASK": "ask_query"}
_PATTERNS = {
    "OPTIONAL": "p_optional",
    "MINUS": "p_minus",
    "GRAPH": "p_graph",
    "SERVICE": "p_service",
    "FILTER": "p_filter",
    "BIND": "p_bind",
    "VALUES": "p_values",
}


class _Fast(Triples, Verdicts):
    def __init__(self, toks: tuple[str, ...], blanks: tuple[str, ...], max_depth: int):
        self.T = toks
        self.B = blanks
        self.i = 0
        self.start_verdicts(max_depth)

    # -------------------------------------------------------------- queries

    def query(self) -> str:
        T = self.T
        while True:
            word = T[self.i].upper()
            if word == "BASE":
                iri = T[self.i + 1]
                if not self.is_iriref(iri):
                    raise Decline
                self.base = iri[1:-1]
                self.i += 2
            elif word == "PREFIX":
                name, iri = T[self.i + 1], T[self.i + 2]
                if not name or name.find(":") != len(name) - 1 or name[0] in "?$\"'<_@" or not self.is_iriref(iri):
                    raise Decline
                self.prefixes[name[:-1]] = iri[1:-1]
                self.i += 3
            else:
                break
        if word not in _FORMS:
            raise Decline
        getattr(self, _FORMS[word])()
        if T[self.i] != "":
            raise Decline
        return word

    def select_clause(self) -> bool:
        """SELECT …; True when the projection is plain (``*`` or variables, no modifier)."""
        T = self.T
        self.i += 1
        plain = True
        if T[self.i].upper() in ("DISTINCT", "REDUCED"):
            plain = False
            self.i += 1
        if T[self.i] == "*":
            self.i += 1
            return plain
        count = 0
        while True:
            tok = T[self.i]
            if tok[:1] in "?$" and len(tok) > 1:
                self.i += 1
            elif tok == "(":
                plain = False
                self.expression_as_var()
            else:
                break
            count += 1
        if not count:
            raise Decline
        return plain

    def select_query(self):
        plain = self.select_clause()
        had_dataset = self.dataset_clauses()
        self.simple = [] if plain and not had_dataset else None
        self.where_clause(top=True)
        self.solution_modifiers()

    def sub_select(self):
        self.select_clause()
        self.where_clause()
        self.solution_modifiers()

    def construct_query(self):
        self.i += 1
        if self.T[self.i] == "{":
            self.construct_template()
            self.dataset_clauses()
            self.where_clause()
        else:
            self.touch()  # the exact parser's attempt at a template enters before it sees no '{'
            self.dataset_clauses()
            self.expect_word("WHERE")
            self.braced_triples()
        self.solution_modifiers()

    def describe_query(self):
        T = self.T
        self.i += 1
        if T[self.i] == "*":
            self.i += 1
        else:
            count = 0
            while self.is_var(T[self.i]) or self.is_iri(T[self.i]):
                self.i += 1
                count += 1
            if not count:
                raise Decline
        self.dataset_clauses()
        if T[self.i] == "{" or T[self.i].upper() == "WHERE":
            self.where_clause()
        self.solution_modifiers()

    def ask_query(self):
        self.i += 1
        had_dataset = self.dataset_clauses()
        self.simple = [] if not had_dataset else None
        self.where_clause(top=True)
        self.solution_modifiers()

    def dataset_clauses(self) -> bool:
        T = self.T
        seen = False
        while T[self.i].upper() == "FROM":
            self.i += 1
            if not self.is_iri(T[self.i]):
                self.expect_word("NAMED")
                if not self.is_iri(T[self.i]):
                    raise Decline
            self.i += 1
            self.dataset += 1
            seen = True
        return seen

    def where_clause(self, top: bool = False):
        if self.T[self.i].upper() == "WHERE":
            self.i += 1
        self.group_graph_pattern(top)

    def solution_modifiers(self):
        """GROUP BY, HAVING, ORDER BY, LIMIT/OFFSET, VALUES (each optional, in this order);
        only a LIMIT after a SELECT keeps a query *bounded*."""
        T = self.T
        if T[self.i].upper() == "GROUP":
            self.i += 1
            self.expect_word("BY")
            self.repeated(self.group_condition, self.starts_condition)
            self.simple = None
        if T[self.i].upper() == "HAVING":
            self.i += 1
            self.repeated(self.constraint, self.starts_constraint)
            self.simple = None
        if T[self.i].upper() == "ORDER":
            self.i += 1
            self.expect_word("BY")
            self.repeated(self.order_condition, self.starts_order_condition)
            self.simple = None
        word = T[self.i].upper()
        if word == "LIMIT":
            self.integer_clause()
            self.limit = True
            if T[self.i].upper() == "OFFSET":
                self.integer_clause()
                self.simple = None
        elif word == "OFFSET":
            self.integer_clause()
            self.simple = None
            if T[self.i].upper() == "LIMIT":
                self.integer_clause()
        if T[self.i].upper() == "VALUES":
            self.i += 1
            self.data_block()
            self.simple = None

    def repeated(self, item, starts):
        """One or more ``item``s, each where ``starts`` says one begins."""
        if not starts(self.T[self.i]):
            raise Decline
        while starts(self.T[self.i]):
            item()

    def integer_clause(self):
        num = self.T[self.i + 1]
        if not num.isdigit() or not num.isascii():
            raise Decline
        self.i += 2

    def starts_order_condition(self, tok: str) -> bool:
        return tok.upper() in ("ASC", "DESC") or self.starts_condition(tok)

    def order_condition(self):
        tok = self.T[self.i]
        if tok.upper() in ("ASC", "DESC"):
            self.i += 1
            if self.T[self.i] != "(":
                raise Decline
            self.bracketted_expression()
        elif self.is_var(tok):
            self.i += 1
        else:
            self.constraint()

    def construct_template(self):
        self.enter()
        self.i += 1
        self.triples_block(None, False)
        self.expect("}")
        self.depth -= 1

    def braced_triples(self):
        """``{ triples? }``: a short CONSTRUCT's WHERE."""
        self.enter()
        self.expect("{")
        self.triples_block(None, False)
        self.expect("}")
        self.depth -= 1

    # -------------------------------------------------------------- graph patterns

    def group_graph_pattern(self, top: bool = False):
        if self.T[self.i] != "{":
            raise Decline
        self.enter()
        self.i += 1
        if self.T[self.i].upper() == "SELECT":
            self.simple = None
            self.sub_select()
        else:
            self.group_graph_pattern_sub(top)
        self.expect("}")
        self.depth -= 1

    def group_graph_pattern_sub(self, top: bool):
        T = self.T
        rec = self.simple if top else None
        self.triples_block(rec)
        while True:
            tok = T[self.i]
            if tok == "{":
                self.group_graph_pattern()
                while T[self.i].upper() == "UNION":
                    self.i += 1
                    self.group_graph_pattern()
            elif tok.upper() in _PATTERNS:
                self.i += 1
                getattr(self, _PATTERNS[tok.upper()])()
            else:
                return
            if top:
                self.simple = rec = None
            if T[self.i] == ".":
                self.i += 1
            self.triples_block(None)

    def p_optional(self):
        self.group_graph_pattern()

    def p_minus(self):
        self.nested_group()

    def nested_group(self):
        """The group of EXISTS, NOT EXISTS or MINUS, evaluated once per solution of the outer one."""
        self.negations += 1
        self.group_graph_pattern()
        self.negations -= 1

    def p_graph(self):
        self.graph += 1
        tok = self.T[self.i]
        if not (self.is_var(tok) or self.is_iri(tok)):
            raise Decline
        self.i += 1
        self.group_graph_pattern()

    def p_service(self):
        if self.T[self.i].upper() == "SILENT":
            self.i += 1
        self.p_graph()
        self.service += 1

    def p_filter(self):
        self.constraint()

    def p_bind(self):
        self.expression_as_var()

    def p_values(self):
        self.data_block()


def parse(text: str, max_depth: int):
    """The fast reading of ``text`` as a query: the finished parser, or None when this path
    declines (the exact parser decides then)."""
    lexed = tokens(text)
    if lexed is None:
        return None
    parser = _Fast(lexed[0], lexed[1], max_depth)
    try:
        form = parser.query()
    except (Decline, IndexError, RecursionError):  # IndexError: read past the end of a text cut short
        return None
    parser.form = form
    return parser
