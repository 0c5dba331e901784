"""A data graph for pySHACL whose SPARQL-based constraints pyoxigraph screens first.

pySHACL runs each SPARQL-based constraint once per focus node through ``graph.query``. rdflib
takes 40–190 ms to parse each of our shapes' queries and a few ms to run one; that was two
thirds of the build's validation. pyoxigraph parses and runs the same text in well under a
millisecond. Almost every call has no solution (no fault at that focus node): pyoxigraph says so,
and the call gets an empty answer. When pyoxigraph finds a solution, rdflib answers the call as
before, so every result pySHACL reports, its values and message, comes from rdflib. The text is
read with rdflib's conventions: the graph's prefixes as defaults that the query's own PREFIX
lines override, and ``$this`` pre-bound throughout the query (SEP-0007 substitution).

The build uses it; tests/unit/test_oxqueries.py checks that the reports equal rdflib's alone on
the knowledge graph and on every shape fixture. A text pyoxigraph refuses, or an ASK or
CONSTRUCT, goes to rdflib.
"""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef, Variable
from rdflib.query import Result

from narcokg.shacl.validate import PreparedQueries

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def ox_term(term):
    """A pyoxigraph term from an rdflib one (IRI, blank node or literal)."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None and str(term.datatype) != XSD_STRING:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"not an RDF term: {term!r}")


class OxigraphQueries(PreparedQueries):
    """A graph whose SELECT queries pyoxigraph screens over a copy of its triples (made at the
    first query, dropped when the graph changes)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._ox: ox.Store | None = None
        self._refused: set[str] = set()

    def add(self, triple):
        self._ox = None
        return super().add(triple)

    def addN(self, quads):  # noqa: N802 (rdflib's name)
        self._ox = None
        return super().addN(quads)

    def remove(self, triple):
        self._ox = None
        return super().remove(triple)

    def _store(self) -> ox.Store:
        if self._ox is None:
            store = ox.Store()
            store.bulk_extend(ox.Quad(ox_term(s), ox_term(p), ox_term(o)) for s, p, o in self)
            self._ox = store
        return self._ox

    def query(
        self,
        query_object,
        processor="sparql",
        result="sparql",
        initNs=None,  # noqa: N803 (rdflib's names)
        initBindings=None,  # noqa: N803
        use_store_provided=True,
        **kwargs,
    ):
        answer = None
        if isinstance(query_object, str) and (processor, result) == ("sparql", "sparql") and not (initNs or kwargs):
            answer = self._select(query_object, initBindings or {})
        if answer is None:
            return super().query(query_object, processor, result, initNs, initBindings, use_store_provided, **kwargs)
        return answer

    def _select(self, text: str, bindings: dict) -> Result | None:
        """An empty SELECT result when pyoxigraph finds no solution; None (rdflib answers) otherwise."""
        if text in self._refused:
            return None
        try:
            solutions = self._store().query(
                text,
                prefixes={prefix: str(ns) for prefix, ns in self.namespaces()},
                substitutions={ox.Variable(k): ox_term(v) for k, v in bindings.items()},
            )
        except (SyntaxError, TypeError, ValueError):
            self._refused.add(text)
            return None
        if not isinstance(solutions, ox.QuerySolutions):
            self._refused.add(text)
            return None
        if next(solutions, None) is not None:
            return None
        out = Result("SELECT")
        out.vars = [Variable(v.value) for v in solutions.variables]
        out.bindings = []
        return out
