"""JSON-LD compacted straight from the statements means exactly those statements (read back by
pyoxigraph) and groups its nodes as pyoxigraph's own JSON-LD writer does, on the shapes of input
that writing treats specially."""

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


def _read_back(doc: dict) -> set:
    """The statements of ``doc`` as pyoxigraph parses them, blank nodes by their JSON-LD label."""
    parsed = ox.parse(json.dumps(doc).encode("utf-8"), format=ox.RdfFormat.JSON_LD)
    return {_plain(q) for q in parsed}


def _plain(q) -> tuple:
    def term(t):
        return "_:" if isinstance(t, ox.BlankNode) else str(t)

    graph = q.graph_name if isinstance(q, ox.Quad) else D
    return (term(q.subject), str(q.predicate), term(q.object), str(graph))


def _top_nodes(doc: dict) -> int:
    return len(doc["@graph"]) if "@graph" in doc else 1


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("as_triples", [False, True])
def test_the_compact_document_means_the_statements_and_groups_as_the_writer(name, as_triples):
    statements = CASES[name]
    if as_triples:
        statements = [q.triple for q in statements]
    prefixes = px.all_prefixes(B)
    for focus in (None, S.value):
        doc = jsonld.compact(statements, prefixes, focus=focus)
        assert _read_back(doc) == {_plain(q) for q in statements}
        written = json.loads(ox.serialize(statements, format=ox.RdfFormat.JSON_LD))
        assert _top_nodes(doc) == len(written)
        top_subjects = [q.subject for q in statements if not isinstance(q, ox.Quad) or q.graph_name == D]
        if focus is not None and S in top_subjects:
            first = doc["@graph"][0] if "@graph" in doc else doc
            prefix, local = first["@id"].split(":", 1)
            assert doc["@context"][prefix] + local == S.value  # the focus comes first


def test_typed_literals_keep_their_lexical_form_and_prefixes_are_only_those_used():
    doc = jsonld.compact(CASES["literals of every kind"], px.all_prefixes(B))
    values = doc["nkg:party"] if "nkg:party" in doc else doc["@graph"][0]["nkg:party"]
    assert {"@type": "xsd:integer", "@value": "12"} in values
    assert {"@type": "xsd:boolean", "@value": "true"} in values
    assert set(doc["@context"]) == {"id", "nkg", "rdfs", "xsd"}


ESCAPES = [ox.Quad(S, Q, ox.Literal('quote " back \\ tab \t newline \n < & é 中 \u2028', language="id"), D)]


@pytest.mark.parametrize("name", sorted(CASES) + ["escapes"])
@pytest.mark.parametrize("focus", [None, S.value, T.value, "http://example.org/absent"])
def test_the_compact_text_is_the_compact_document_dumped(name, focus):
    """What an entity page embeds (written straight to text) is the document ``compact`` makes,
    dumped compactly: the same characters, keys in the same order, the same @context."""
    statements = CASES.get(name, ESCAPES)
    prefixes = px.all_prefixes(B)
    expected = json.dumps(jsonld.compact(statements, prefixes, focus=focus), ensure_ascii=False, separators=(",", ":"))
    assert jsonld.compact_text(statements, prefixes, focus=focus) == expected


@pytest.mark.parametrize("name", sorted(CASES) + ["escapes", "duplicates"])
@pytest.mark.parametrize("focus", [None, S.value, T.value, "http://example.org/absent"])
def test_the_compact_text_of_plain_triples_is_that_of_the_terms(name, focus):
    """An entity page's JSON-LD is written from plain strings (no pyoxigraph term compared or
    hashed): the same characters as from the terms, duplicates dropped as ``compact`` drops them
    from triples given once."""
    if name == "duplicates":
        statements = [ox.Quad(S, P, T, G1), ox.Quad(S, P, T, G2), ox.Quad(T, Q, ox.Literal("b"), D)] * 2
    else:
        statements = CASES.get(name, ESCAPES)
    prefixes = px.all_prefixes(B)
    triples = list(dict.fromkeys(q.triple for q in statements))
    expected = jsonld.compact_text(triples, prefixes, focus=focus)
    assert jsonld.compact_plain_text(jsonld.plain_triples(statements), prefixes, focus=focus) == expected


def test_plain_terms_are_equal_exactly_when_the_terms_are():
    terms = [
        S,
        ox.BlankNode("b0"),
        ox.NamedNode("http://example.org/b0"),
        ox.Literal("12"),
        ox.Literal("12", datatype=ox.NamedNode(XSD + "string")),
        ox.Literal("12", datatype=ox.NamedNode(XSD + "integer")),
        ox.Literal("12", language="en"),
        ox.Literal("12", language="id"),
        ox.Literal("http://example.org/b0"),
    ]
    for a in terms:
        for b in terms:
            assert (jsonld.plain(a) == jsonld.plain(b)) == (a == b), (a, b)


@pytest.mark.parametrize("focus", [None, S.value])
def test_resources_written_apart_read_as_written_with_the_rest(focus):
    """The labels of the resources an entity page links to are written once per resource and
    kept: the document is the one written from all its triples at once."""
    head = [ox.Quad(S, P, T, G1), ox.Quad(S, Q, ox.Literal("a"), D), ox.Quad(S, P, ox.BlankNode("b0"), D)]
    other = ox.NamedNode(B + "id/organisation/polri")
    apart = [
        (str(T), jsonld.plain_triples([ox.Quad(T, Q, ox.Literal("b", language="id"), G1)] * 2)),
        (str(other), jsonld.plain_triples([ox.Quad(other, Q, ox.Literal("c"), D)])),
    ]
    prefixes = px.all_prefixes(B)
    flat = jsonld.plain_triples(head) + [t for _key, triples in apart for t in triples]
    expected = jsonld.compact_plain_text(flat, prefixes, focus=focus)
    memo: dict = {}
    for _ in range(2):
        assert jsonld.compact_plain_text(jsonld.plain_triples(head), prefixes, focus, apart, memo) == expected
    assert set(memo) == {str(T), str(other)}
    assert jsonld.compact_plain_text([], prefixes, None, apart[1:], memo) == jsonld.compact_plain_text(
        apart[1][1], prefixes
    )
