"""Triples and property paths of the analysis's fast path (``fastparse``): the exact parser's
rules from ``triples_block`` down to ``path_one_in_set``, and VALUES blocks, over tokens, declining
where unsure. Triples record what *bounded* needs (the kind of every subject, verb and object)."""

from __future__ import annotations

from narcokg.engine.fastexpr import Decline, Expressions

#: First characters of tokens that start a term of a triple (a var_or_term or a triples node).
_TERM_FIRST = frozenset("?$<'\"0123456789.+-_([:")


class Triples(Expressions):
    """A mixin: the parser's state as ``Expressions`` has it, plus ``negations`` and
    ``nested_repetitions`` (repeated path steps inside EXISTS, NOT EXISTS or MINUS)."""

    negations: int
    nested_repetitions: int

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

    # -------------------------------------------------------------- VALUES

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
