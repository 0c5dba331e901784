"""The build validates half of the shapes in a forked child and half in its own process
(``pipeline.validate_split``): the merged report must be the report of one run over all the
shapes, result for result, whenever ``validate.split_shapes`` allows the split."""

from __future__ import annotations

from collections import Counter

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from narcokg.build import load as loader
from narcokg.build import pipeline
from narcokg.config import load_settings
from narcokg.shacl import validate
from narcokg.shacl.oxqueries import OxigraphQueries

from shape_fixtures import fixture, parse, shapes_graph, topics

SETTINGS = load_settings()
TOPICS = topics(shapes_graph(SETTINGS))


def _copy(graph: Graph, into: Graph | None = None) -> Graph:
    return pipeline.union([graph], into=into)


@pytest.fixture(scope="module")
def knowledge_graph() -> tuple[Graph, Graph]:
    ds = loader.load(SETTINGS)
    inferred = pipeline.add_inferred(ds, SETTINGS)
    ontology = pipeline.graph_named(ds, SETTINGS, "ontology")
    data = pipeline.union([*pipeline.data_graphs(ds, SETTINGS), inferred, ontology])
    return data, _copy(pipeline.graph_named(ds, SETTINGS, "shapes"))


def test_the_build_s_split_report_is_the_report_of_one_run(knowledge_graph):
    data, shapes = knowledge_graph
    assert validate.split_shapes(shapes) is not None, "the build's shapes can be split"
    one = validate.run(_copy(data, OxigraphQueries()), _copy(shapes), ontology=None, inference="none")
    split = pipeline.validate_split(_copy(data, OxigraphQueries()), _copy(shapes))
    assert len(one.results) > 10
    assert Counter(split.results) == Counter(one.results)
    assert split.conforms == one.conforms
    assert isomorphic(split.graph, one.graph)


@pytest.mark.parametrize("kind", ["fail.ttl"])  # a passing fixture has no result to compare
@pytest.mark.parametrize("topic", TOPICS)
def test_every_fixture_s_split_report_is_the_report_of_one_run(topic, kind):
    shapes = SHAPES
    data = parse(fixture(topic, kind))
    halves = validate.split_shapes(shapes)
    one = validate.run(_copy(data), shapes, ontology=ONTOLOGY, inference="rdfs")
    first = validate.run(_copy(data), shapes, ontology=ONTOLOGY, inference="rdfs", use_shapes=halves[0])
    second = validate.run(_copy(data), shapes, ontology=ONTOLOGY, inference="rdfs", use_shapes=halves[1])
    merged = validate.merge(first, second)
    assert Counter(merged.results) == Counter(one.results)
    assert merged.conforms == one.conforms
    assert isomorphic(merged.graph, one.graph)


_DS = loader.load(SETTINGS)
SHAPES = _copy(pipeline.graph_named(_DS, SETTINGS, "shapes"))
ONTOLOGY = _copy(pipeline.graph_named(_DS, SETTINGS, "ontology"))

REFERENCED = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <https://example.org/> .
ex:A a sh:NodeShape ; sh:targetClass ex:X ; sh:property [ sh:path ex:p ; sh:minCount 1 ] .
ex:B a sh:NodeShape ; sh:targetClass ex:Y ; sh:property [ sh:path ex:q ; sh:node ex:A ] .
"""


def test_no_split_when_a_shape_with_targets_is_referenced_by_another():
    """pySHACL finds a referenced shape only among the shapes a run is given: ex:A would be
    missing from one half."""
    shapes = Graph().parse(data=REFERENCED, format="turtle")
    assert validate.split_shapes(_copy(loader.skolemize(shapes, SETTINGS, salt="t"))) is None
