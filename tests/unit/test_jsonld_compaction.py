"""JSON-LD compacted straight from the statements is the document that compacting pyoxigraph's
own JSON-LD writing gives, byte for byte, on the shapes of input that writing treats specially."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest

from narcokg import vocab as px
from narcokg.formats import jsonld

B = "https://w3id.org/narcokg/"
S, T = ox.NamedNode(B + "id/state/IDN"), ox.NamedNode(B + "id/organisation/bnn")
P, Q = ox.NamedNode(B + "ontology#party"), ox.NamedNode(px.RDFS.label)
TYPE = ox.NamedNode(px.RDF.type)
G1, G2, D = ox.NamedNode(B + "graph/reference"), ox.NamedNode(B + "graph/ledger"), ox.DefaultGraph()
XSD = "http://www.w3.org/2001/XMLSchema#"

CASES = {
    "literals of every kind": [
        ox.Quad(S, Q, ox.Literal("Indonesia", language="en"), D),
        ox.Quad(S, Q, ox.Literal("plain"), D),
        ox.Quad(S, P, ox.Literal("12", datatype=ox.NamedNode(XSD + "integer")), D),
        ox.Quad(S, P, ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean")), D),
        ox.Quad(S, P, ox.Literal("x", datatype=ox.NamedNode("http://example.org/dt")), D),
    ],
    "a predicate met again in the same node": [
        ox.Quad(S, P, T, D),
        ox.Quad(S, Q, ox.Literal("a"), D),
        ox.Quad(S, P, ox.Literal("b"), D),
    ],
    "graphs that alternate": [
        ox.Quad(S, P, T, G1),
        ox.Quad(S, Q, ox.Literal("a"), D),
        ox.Quad(T, Q, ox.Literal("b"), G1),
        ox.Quad(T, Q, ox.Literal("c"), G2),
        ox.Quad(S, Q, ox.Literal("d"), G1),
    ],
    "types, named and blank": [
        ox.Quad(S, TYPE, ox.NamedNode(B + "ontology#State"), D),
        ox.Quad(T, TYPE, ox.NamedNode(B + "ontology#Organisation"), D),
        ox.Quad(T, TYPE, ox.BlankNode("b0"), D),
        ox.Quad(ox.BlankNode("b1"), P, ox.BlankNode("b0"), D),
    ],
    "one node only": [ox.Quad(S, Q, ox.Literal("Indonesia", language="id"), D)],
    "an IRI no prefix covers": [
        ox.Quad(ox.NamedNode("http://example.org/a"), P, ox.NamedNode("http://example.org/"), D)
    ],
}


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("as_triples", [False, True])
def test_compacting_the_statements_gives_the_written_document(name, as_triples):
    statements = CASES[name]
    if as_triples:
        statements = [q.triple for q in statements]
    prefixes = px.all_prefixes(B)
    for focus in (None, S.value):
        written = ox.serialize(statements, format=ox.RdfFormat.JSON_LD)
        expected = json.dumps(jsonld.compact(written, prefixes, focus=focus))
        assert json.dumps(jsonld.compact_statements(statements, prefixes, focus=focus)) == expected
