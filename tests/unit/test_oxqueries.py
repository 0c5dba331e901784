"""pyoxigraph screening the SPARQL-based constraints (shacl/oxqueries.py) changes no result: on
the knowledge graph and on every shape fixture, the report is the one rdflib alone gives, to the
message. pyoxigraph only says where a query has no solution, so a disagreement shows here as a
missing or an extra result."""

from __future__ import annotations

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from narcokg.build import load as loader
from narcokg.build import pipeline
from narcokg.config import load_settings
from narcokg.shacl import validate
from narcokg.shacl.oxqueries import OxigraphQueries
from narcokg.shacl.service import project_graphs

from shape_fixtures import fixture, parse, shapes_graph, topics

SETTINGS = load_settings()
TOPICS = topics(shapes_graph(SETTINGS))


def _both(data: Graph, shapes: Graph, **kwargs) -> tuple[validate.Report, validate.Report, OxigraphQueries]:
    reports = []
    screened = OxigraphQueries()
    for target in (validate.PreparedQueries(), screened):
        for t in data:
            target.add(t)
        reports.append(validate.run(target, shapes, **kwargs))
    return reports[0], reports[1], screened


def test_the_knowledge_graph_s_report_is_rdflib_s():
    ds = loader.load(SETTINGS)
    inferred = pipeline.add_inferred(ds, SETTINGS)
    ontology = pipeline.graph_named(ds, SETTINGS, "ontology")
    data = pipeline.union([*pipeline.data_graphs(ds, SETTINGS), inferred, ontology])
    shapes = pipeline.graph_named(ds, SETTINGS, "shapes")
    reference, screened, graph = _both(data, shapes, ontology=None, inference="none")
    assert graph._refused == set(), "pyoxigraph parses every query of our shapes"
    assert len(reference.results) > 10
    assert screened.results == reference.results
    assert isomorphic(screened.graph, reference.graph)


# Failing fixtures only: screening can only leave results out (rdflib answers every call
# pyoxigraph finds a solution for), so on a passing fixture, with no result, it could not fail.
@pytest.mark.parametrize("kind", ["fail.ttl"])
@pytest.mark.parametrize("topic", TOPICS)
def test_every_fixture_s_report_is_rdflib_s(topic, kind):
    shapes, ontology = project_graphs(SETTINGS)
    reference, screened, _ = _both(parse(fixture(topic, kind)), shapes, ontology=ontology, inference="rdfs")
    assert screened.results == reference.results
