"""The build's OWL RL closure: two reasoners (reasonable over everything, owlrl over the schema)
give exactly owlrl's closure, and an inconsistent input still stops the build."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from rdflib import OWL, RDF, RDFS, XSD, Graph, Literal, Namespace

from narcokg.build import load as loader
from narcokg.build import pipeline, reason, schemarules
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


# What the schema alone entails (build/schemarules.py), against owlrl ------------------------------

CLASSES = [EX[f"C{i}"] for i in range(5)]
PROPERTIES = [EX[f"p{i}"] for i in range(4)]
INDIVIDUALS = [EX[f"x{i}"] for i in range(3)]
CLASS_TYPES = [OWL.Class, RDFS.Class]
PROPERTY_TYPES = [
    OWL.ObjectProperty,
    OWL.DatatypeProperty,
    OWL.AnnotationProperty,
    OWL.TransitiveProperty,
    RDF.Property,
]
RANGES = CLASSES + [OWL.Thing, RDFS.Literal, XSD.string]

schema_triples = st.one_of(
    st.tuples(st.sampled_from(CLASSES), st.just(RDF.type), st.sampled_from(CLASS_TYPES)),
    st.tuples(st.sampled_from(PROPERTIES), st.just(RDF.type), st.sampled_from(PROPERTY_TYPES)),
    st.tuples(st.sampled_from(CLASSES), st.just(RDFS.subClassOf), st.sampled_from(CLASSES + [OWL.Thing])),
    st.tuples(st.sampled_from(PROPERTIES), st.just(RDFS.subPropertyOf), st.sampled_from(PROPERTIES)),
    st.tuples(st.sampled_from(PROPERTIES), st.sampled_from([RDFS.domain, RDFS.range]), st.sampled_from(RANGES)),
    st.tuples(st.sampled_from(PROPERTIES), st.just(OWL.inverseOf), st.sampled_from(PROPERTIES)),
)
data_triples = st.one_of(
    st.tuples(st.sampled_from(INDIVIDUALS), st.just(RDF.type), st.sampled_from(CLASSES)),
    st.tuples(st.sampled_from(INDIVIDUALS), st.sampled_from(PROPERTIES), st.sampled_from(INDIVIDUALS)),
)


def _graph(triples) -> Graph:
    g = Graph()
    for t in triples:
        g.add(t)
    return g


@hsettings(max_examples=80, deadline=None)
@given(st.lists(schema_triples, max_size=14))
def test_the_schema_s_own_entailments_are_owlrl_s(triples):
    """Hierarchies with cycles, domains and ranges inherited both ways, owl:Thing above every
    owl:Class: the closure computed over dictionaries equals owlrl's rule loop."""
    schema = _graph(triples)
    computed = schemarules.closure(schema)
    assert computed is not None
    assert set(reason.clean(computed, schema)) == set(reason.clean(reason._owlrl_closure(schema), schema))


@hsettings(max_examples=50, deadline=None)
@given(st.lists(schema_triples, max_size=10), st.lists(data_triples, max_size=8))
def test_the_build_s_two_reasoners_give_owlrl_s_closure_of_any_such_graph(schema, data):
    graph = _graph(schema + data)
    assert reason._checked_vocabulary(graph)
    assert set(reason.infer(graph)) == set(reason.clean(reason._owlrl_closure(graph), graph))


def test_a_schema_the_rules_do_not_cover_is_left_to_owlrl():
    """An inverse of rdfs:subClassOf reads every subclass triple as data: not the scm rules' case."""
    schema = _graph([(EX.superclassOf, OWL.inverseOf, RDFS.subClassOf), (EX.C0, RDFS.subClassOf, EX.C1)])
    assert schemarules.closure(schema) is None
    inferred = reason.infer(schema)
    assert (EX.C1, EX.superclassOf, EX.C0) in inferred
