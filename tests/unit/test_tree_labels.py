"""Blank nodes written as trees get labels from their content and place alone
(``build/treelabels.py``); anything else goes to rdflib's canonical labelling."""

from __future__ import annotations

from rdflib import BNode, Graph, URIRef
from rdflib.compare import isomorphic

from narcokg.build import load as loader
from narcokg.build import treelabels
from narcokg.config import load_settings
from narcokg.shacl.files import parse_file

SETTINGS = load_settings()
BASE = loader.skolem_base(SETTINGS)

COPIES = """
@prefix ex: <https://example.org/> .
ex:a ex:p [ ex:q 1 ; ex:r [ ex:s 2 ] ] , [ ex:q 1 ; ex:r [ ex:s 2 ] ] .
[] ex:q 1 . [] ex:q 1 .
ex:b ex:list ( 1 1 ( 2 ) ) .
"""


def _turtle(text: str) -> Graph:
    return Graph().parse(data=text, format="turtle")


def _blank_again(graph: Graph) -> Graph:
    """The skolem IRIs turned back into blank nodes, to compare with the graph read."""
    out = Graph()

    def back(term):
        return BNode(str(term)[len(BASE) :]) if isinstance(term, URIRef) and str(term).startswith(BASE) else term

    for s, p, o in graph:
        out.add((back(s), p, back(o)))
    return out


def test_copies_of_one_subtree_stay_distinct_nodes():
    graph = _turtle(COPIES)
    skolemized = loader.skolemize(graph, SETTINGS, salt="t")
    assert len(skolemized) == len(graph) == 19
    assert isomorphic(_blank_again(skolemized), graph)


def test_the_same_text_read_twice_gets_the_same_iris():
    assert set(loader.skolemize(_turtle(COPIES), SETTINGS, "t")) == set(
        loader.skolemize(_turtle(COPIES), SETTINGS, "t")
    )


def test_a_label_depends_on_its_own_subtree_not_on_the_rest_of_the_file():
    """Adding a shape elsewhere leaves the IRIs of the others as they were (numbering blank
    nodes in the order written would shift them all)."""
    first = "@prefix ex: <https://example.org/> . ex:S ex:property [ ex:path ex:name ; ex:min 1 ] .\n"
    added = "@prefix ex: <https://example.org/> . ex:T ex:property [ ex:path ex:age ] .\n" + first
    before = loader.skolemize(_turtle(first), SETTINGS, "t")
    after = loader.skolemize(_turtle(added), SETTINGS, "t")
    assert set(before) <= set(after) and len(after) == len(before) + 2


def test_blank_nodes_that_are_not_trees_take_rdflib_s_canonical_labels():
    shared_and_cyclic = _turtle(
        "@prefix ex: <https://example.org/> . _:a ex:p _:b . _:b ex:p _:a . ex:x ex:q _:c . ex:y ex:q _:c ."
    )
    assert treelabels.labels(shared_and_cyclic) is None
    skolemized = loader.skolemize(shared_and_cyclic, SETTINGS, salt="t")
    assert isomorphic(_blank_again(skolemized), shared_and_cyclic)
    assert skolemized.value(URIRef("https://example.org/x"), URIRef("https://example.org/q")) == skolemized.value(
        URIRef("https://example.org/y"), URIRef("https://example.org/q")
    )


def test_the_shapes_file_is_labelled_as_trees():
    shapes = next(gf.path for gf in loader.graph_files(SETTINGS) if gf.path.name.endswith("shapes.ttl"))
    graph = parse_file(shapes)
    labels = treelabels.labels(graph)
    assert labels is not None and len(labels) > 50
    assert isomorphic(_blank_again(loader.skolemize(graph, SETTINGS, salt="s")), graph)
