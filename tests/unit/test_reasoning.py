"""The build's OWL RL closure: two reasoners (reasonable over everything, owlrl over the schema)
give exactly owlrl's closure, and an inconsistent input still stops the build."""

from __future__ import annotations

import pytest
from rdflib import OWL, RDF, RDFS, XSD, Graph, Literal, Namespace

from narcokg.build import load as loader
from narcokg.build import pipeline, reason
from narcokg.config import load_settings
from narcokg.errors import InconsistencyError

EX = Namespace("https://example.org/")


def reasoner_input() -> Graph:
    """What the build hands the reasoner: the ontology and every asserted data graph."""
    settings = load_settings()
    ds = loader.load(settings)
    asserted = pipeline.union(pipeline.data_graphs(ds, settings))
    return pipeline.union([pipeline.graph_named(ds, settings, "ontology"), asserted])


def test_the_build_s_closure_of_the_real_sources_is_owlrl_s():
    graph = reasoner_input()
    assert reason._checked_vocabulary(graph), "the real sources take the two-reasoner path"
    built = set(reason.infer(graph))
    reference = set(reason.clean(reason._owlrl_closure(graph), graph))
    assert len(reference) > 1000
    assert built - reference == set()
    assert reference - built == set()


def _small_graph() -> Graph:
    g = Graph()
    g.add((EX.Seizure, RDF.type, OWL.Class))
    g.add((EX.Event, RDF.type, OWL.Class))
    g.add((EX.Seizure, RDFS.subClassOf, EX.Event))
    g.add((EX.s1, RDF.type, EX.Seizure))
    return g


def test_subclass_and_schema_entailments_are_both_kept():
    inferred = reason.infer(_small_graph())
    assert (EX.s1, RDF.type, EX.Event) in inferred  # from the data (reasonable)
    assert (EX.Seizure, RDFS.subClassOf, OWL.Thing) in inferred  # from the schema alone (owlrl)


def test_an_ill_typed_literal_is_an_inconsistency():
    g = _small_graph()
    g.add((EX.s1, EX.date, Literal("2016-13-45", datatype=XSD.date)))
    with pytest.raises(InconsistencyError, match="2016-13-45"):
        reason.infer(g)


def test_an_owl_term_the_fast_path_was_not_checked_for_goes_to_owlrl():
    """Disjoint classes can make a graph inconsistent, which reasonable does not report:
    such an input is reasoned by owlrl alone, and its inconsistency stops the build."""
    g = _small_graph()
    g.add((EX.Agreement, RDF.type, OWL.Class))
    g.add((EX.Agreement, OWL.disjointWith, EX.Event))
    g.add((EX.s1, RDF.type, EX.Agreement))
    assert not reason._checked_vocabulary(g)
    with pytest.raises(InconsistencyError, match="Disjoint classes"):
        reason.infer(g)
