"""The SHACL-Core shapes give the same verdicts in an independent engine: rudof (Rust, via its
PyPI wheel pyrudof) against pySHACL, as sets of (focus node, path, severity, source shape).

Neither engine infers here: both get the same closed data. For a fixture that is the data after
the RDFS inference the validation entry point runs (pySHACL's own, with the ontology mixed in);
for the knowledge graph it is what the build validates (asserted + OWL RL inferred + ontology).
Triples with a literal subject, which RDFS range inference produces and RDF cannot exchange,
are left out of the closed data, so results about literal focus nodes are not compared.
"""

from __future__ import annotations

from functools import lru_cache

import pyrudof
import pyshacl
import pytest
from rdflib import Graph, Literal

from narcokg.build import pipeline as build

from narcokg.shacl import validate
from narcokg.config import load_settings
from narcokg.shacl.service import project_graphs

from shape_fixtures import (
    entry_point_report,
    FIXTURES,
    constrains_itself,
    core_shapes,
    keys,
    literal_focus_nodes,
    local_name,
    node_shapes,
    parse,
    property_shapes,
    show,
    sparql_shapes,
)

SETTINGS = load_settings()
SHAPES, ONTOLOGY = project_graphs(SETTINGS)
CORE = core_shapes(SHAPES)
CORE_SHAPE_IRIS = {str(s) for s in CORE.subjects()}
FIXTURE_FILES = sorted(p.name for p in FIXTURES.glob("*.ttl"))


def rudof_keys(data: Graph, tmp_path) -> set:
    """rudof's verdict on ``data`` against the Core shapes, read from files (never from a URL)."""
    data_file, shapes_file = tmp_path / "data.nt", tmp_path / "core-shapes.ttl"
    data.serialize(data_file, format="nt", encoding="utf-8")
    CORE.serialize(shapes_file, format="turtle", encoding="utf-8")
    rudof = pyrudof.Rudof(pyrudof.RudofConfig())
    rudof.read_data(data_file, format=pyrudof.RDFFormat.NTriples, reader_mode=pyrudof.ReaderMode.Strict)
    rudof.read_shacl(shapes_file, format=pyrudof.ShaclFormat.Turtle, reader_mode=pyrudof.ReaderMode.Strict)
    report = rudof.validate_shacl(mode=pyrudof.ShaclValidationMode.Native)
    return {
        (str(e.focus_node), None if e.path is None else str(e.path), local_name(str(e.severity)), str(e.source_shape))
        for e in report
    }


def pyshacl_keys(data: Graph) -> set:
    return keys(validate.run(data, CORE, ontology=None, inference="none").results)


def closed_like_the_entry_point(data: Graph) -> Graph:
    """``data`` after the inference validate_graph runs, without literal-subject triples."""
    work = Graph()
    for t in data:
        work.add(t)
    pyshacl.validate(work, shacl_graph=Graph(), ont_graph=ONTOLOGY, inference="rdfs", inplace=True)
    closed = Graph()
    for t in work:
        if not isinstance(t[0], Literal):
            closed.add(t)
    return closed


def test_only_the_consistency_shapes_use_shacl_sparql():
    """What the shapes' own description (and the README) promise: SPARQL only where Core cannot say it."""
    names = sorted(local_name(str(s)) for s in sparql_shapes(SHAPES))
    # Besides the consistency checks (printed forms inside their evidence among them), two rules
    # compare one value with another node's or an IRI's text, which Core cannot: a dataset's years
    # and its rows', an IRI's kind and its class.
    others = {"DataSetPeriod", "IriScheme"}
    assert names and all(n.endswith("Consistency") or n in others for n in names), names
    assert CORE_SHAPE_IRIS.isdisjoint({str(s) for s in sparql_shapes(SHAPES)})


@lru_cache(maxsize=None)
def closed_fixture(name: str) -> tuple[Graph, frozenset]:
    """A fixture's closed data and pySHACL's verdict on it, computed once for the tests below."""
    closed = closed_like_the_entry_point(parse(FIXTURES / name))
    return closed, frozenset(pyshacl_keys(closed))


@pytest.mark.parametrize("name", FIXTURE_FILES)
def test_fixture_verdicts_agree(name, tmp_path):
    closed, ours = closed_fixture(name)
    theirs = rudof_keys(closed, tmp_path)
    assert theirs == ours, f"{name}\nrudof only:\n{show(theirs - ours)}\npySHACL only:\n{show(ours - theirs)}"
    # And pySHACL on the closed data is the entry point's verdict on the Core shapes.
    report = entry_point_report(FIXTURES / name, SETTINGS)
    literal_focus = literal_focus_nodes(report.graph)
    entry = {k for k in keys(report.results) if k[3] in CORE_SHAPE_IRIS and k[0] not in literal_focus}
    assert ours == entry, f"{name}\nclosed only:\n{show(ours - entry)}\nentry point only:\n{show(entry - ours)}"


def test_every_core_shape_fires_in_the_compared_data():
    """The comparison above is not vacuous: each Core shape that constrains reports on some fail fixture."""
    fired = set()
    for name in FIXTURE_FILES:
        if name.endswith("_fail.ttl"):
            fired |= {k[3] for k in closed_fixture(name)[1]}
    constraining = {str(p) for p in property_shapes(CORE)} | {
        str(s) for s in node_shapes(CORE) if constrains_itself(CORE, s)
    }
    assert sorted(local_name(s) for s in constraining - fired) == []


def test_knowledge_graph_verdicts_agree(built, tmp_path):
    ds = built.dataset
    data = build.union(
        build.data_graphs(ds, SETTINGS)
        + [build.graph_named(ds, SETTINGS, "inferred"), build.graph_named(ds, SETTINGS, "ontology")]
    )
    assert not any(isinstance(t[0], Literal) for t in data)
    ours = {k for k in keys(built.report.results) if k[3] in CORE_SHAPE_IRIS}
    theirs = rudof_keys(data, tmp_path)
    assert theirs == ours, f"rudof only:\n{show(theirs - ours)}\npySHACL only:\n{show(ours - theirs)}"
