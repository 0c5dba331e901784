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

from narcokg.engine.fastexpr import BUILTINS, Decline, Expressions
from narcokg.engine.fastlex import tokens

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
#: First characters of tokens that start a term of a triple (a var_or_term or a triples node).
_TERM_FIRST = frozenset("?$<'\"0123456789.+-_([:")


class _Fast(Expressions):
    def __init__(self, toks: tuple[str, ...], blanks: tuple[str, ...], max_depth: int):
        self.T = toks
        self.B = blanks
        self.i = 0
        self.max_depth = max_depth
        self.depth = 0
        self.deepest = 0
        self.prefixes: dict[str, str] = {}
        self.base: str | None = None
        self.service = 0
        self.dataset = 0
        self.graph = 0
        self.negations = 0
        self.nested_repetitions = 0
        self.limit = False
        self.simple: list | None = None

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

    def triples_block(self, rec, path: bool = True):
        """Zero or more triples separated by '.', a '.' after the last optional."""
        T = self.T
        if not self.starts_triple(T[self.i]):
            return
        self.triples_same_subject(rec, path)
        while T[self.i] == ".":
            self.i += 1
            if not self.starts_triple(T[self.i]):
                return
            self.triples_same_subject(rec, path)

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

    def data_block(self):
        T = self.T
        if self.is_var(T[self.i]):
            self.i += 1
            self.enter()
            self.expect("{")
            while self.data_block_value():
                pass
            self.expect("}")
            self.depth -= 1
            return
        self.enter()
        if T[self.i][:1] == "(" and len(T[self.i]) > 1:  # '()': no variable
            self.i += 1
        else:
            self.expect("(")
            while self.is_var(T[self.i]):
                self.i += 1
            self.expect(")")
        self.expect("{")
        while T[self.i][:1] == "(":
            if len(T[self.i]) > 1:  # '()': an empty row
                self.i += 1
                continue
            self.i += 1
            while self.data_block_value():
                pass
            self.expect(")")
        self.expect("}")
        self.depth -= 1

    def data_block_value(self) -> bool:
        """One value of a VALUES row, if one comes next."""
        tok = self.T[self.i]
        if self.is_iri(tok):
            self.i += 1
        elif tok[:1] in ("'", '"'):
            self.rdf_literal()
        elif self.starts_number(self.i):
            self.numeric()
        elif tok in ("true", "false") or tok.upper() == "UNDEF":
            self.i += 1
        else:
            return False
        return True

    # -------------------------------------------------------------- triples

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

    def starts_triple(self, tok: str) -> bool:
        c = tok[:1]
        if c in _TERM_FIRST:
            return True
        return tok in ("true", "false") or (":" in tok and c not in "@")

    def triples_same_subject(self, rec, path: bool):
        tok = self.T[self.i]
        if tok in ("(", "["):
            self.triples_node(path)
            if self.starts_verb(self.T[self.i], path):
                self.property_list(path, None, None)
            if rec is not None:
                rec.append(None)
            return
        kind = self.var_or_term()
        self.property_list(path, rec, kind)

    def property_list(self, path: bool, rec, subject):
        T = self.T
        triples: list = []
        self.object_list(path, self.verb(path), triples)
        while T[self.i] == ";":
            self.i += 1
            if self.starts_verb(T[self.i], path):
                self.object_list(path, self.verb(path), triples)
        if rec is not None:
            for verb, obj in triples:
                rec.append((subject, verb, obj))

    def starts_verb(self, tok: str, path: bool) -> bool:
        if self.is_var(tok) or tok == "a" or self.is_iri(tok):
            return True
        return path and tok in ("^", "!", "(")

    def verb(self, path: bool):
        """The predicate: 'var', 'const' (an IRI or ``a``) or 'path' (anything else)."""
        tok = self.T[self.i]
        if self.is_var(tok):
            self.i += 1
            return "var"
        if path:
            return self.path()
        if tok == "a" or self.is_iri(tok):
            self.i += 1
            return "const"
        raise Decline

    def object_list(self, path: bool, verb, triples):
        T = self.T
        while True:
            kind = self.graph_node(path)
            tok = T[self.i]
            if tok == "~" or tok == "{" and T[self.i + 1][:1] == "|":
                raise Decline  # an annotation (SPARQL 1.2)
            triples.append((verb, kind))
            if tok != ",":
                return
            self.i += 1

    def graph_node(self, path: bool):
        """An object: its kind for *bounded* ('var', 'const'), or None when it is structured."""
        if self.T[self.i] in ("(", "["):
            self.triples_node(path)
            return None
        return self.var_or_term()

    def var_or_term(self):
        tok = self.T[self.i]
        if not tok:
            raise Decline
        c = tok[0]
        if c in "?$" and len(tok) > 1:
            self.i += 1
            return "var"
        if c in "'\"":
            self.rdf_literal()
            return "const"
        if self.is_iri(tok):
            self.i += 1
            return "const"
        if c in "_([" and len(tok) > 1 and (c != "_" or tok[1] == ":"):  # a blank node, '()' or '[]'
            self.i += 1
            return None
        if self.starts_number(self.i):
            self.numeric()
            return "const"
        if tok in ("true", "false"):
            self.i += 1
            return "const"
        raise Decline

    def triples_node(self, path: bool):
        T = self.T
        self.enter()
        if T[self.i] == "(":
            self.i += 1
            if T[self.i] == ")":
                raise Decline
            while T[self.i] != ")":
                self.graph_node(path)
        else:
            self.i += 1
            self.property_list(path, None, None)
            if T[self.i] != "]":
                raise Decline
        self.i += 1
        self.depth -= 1

    # -------------------------------------------------------------- property paths

    def path(self):
        """A property path; 'const' when it is a single IRI or ``a``."""
        kind = self.path_sequence()
        while self.T[self.i] == "|":
            self.i += 1
            self.path_sequence()
            kind = "path"
        return kind

    def path_sequence(self):
        kind = self.path_elt_or_inverse()
        while self.T[self.i] == "/":
            self.i += 1
            self.path_elt_or_inverse()
            kind = "path"
        return kind

    def path_elt_or_inverse(self):
        if self.T[self.i] == "^":
            self.i += 1
            self.path_elt()
            return "path"
        return self.path_elt()

    def path_elt(self):
        kind = self.path_primary()
        if self.T[self.i] in ("*", "+", "?"):
            self.i += 1
            self.nested_repetitions += self.negations > 0
            return "path"
        return kind

    def path_primary(self):
        T = self.T
        tok = T[self.i]
        if tok == "a" or self.is_iri(tok):
            self.i += 1
            return "const"
        if tok == "!":
            self.i += 1
            if T[self.i] == "(":
                self.enter()
                self.i += 1
                self.path_one_in_set()
                while T[self.i] == "|":
                    self.i += 1
                    self.path_one_in_set()
                self.expect(")")
                self.depth -= 1
            else:
                self.path_one_in_set()
            return "path"
        if tok == "(":
            self.enter()
            self.i += 1
            self.path()
            self.expect(")")
            self.depth -= 1
            return "path"
        raise Decline

    def path_one_in_set(self):
        if self.T[self.i] == "^":
            self.i += 1
        tok = self.T[self.i]
        if not (tok == "a" or self.is_iri(tok)):
            raise Decline
        self.i += 1


def parse(text: str, max_depth: int):
    """The fast reading of ``text`` as a query: the finished parser, or None when this path
    declines (the exact parser decides then)."""
    lexed = tokens(text)
    if lexed is None:
        return None
    parser = _Fast(lexed[0], lexed[1], max_depth)
    try:
        form = parser.query()
    except Decline:
        return None
    except IndexError:  # read past the end: a text cut short
        return None
    parser.form = form
    return parser


__all__ = ["BUILTINS", "parse"]
