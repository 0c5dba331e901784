"""Every shape has a passing and a failing fixture (tests/shapes/), validated through the one
entry point the CLI and HTTP use (our shapes, the ontology, RDFS inference). Verdicts are
compared as sets of (focus node, path, severity, source shape), never as report text. The
knowledge graph itself has no violation and one warning per source conflict."""

from __future__ import annotations

from collections import Counter

import pytest
from rdflib import RDF, URIRef

from narcokg.config import load_settings

from shape_fixtures import (
    entry_point_report,
    NKG,
    fixture,
    keys,
    local_name,
    node_shapes,
    own_property_shapes,
    property_shapes,
    read_expected,
    show,
    shapes_graph,
    sparql_shapes,
    topics,
    constrains_itself,
)

SETTINGS = load_settings()
SHAPES = shapes_graph(SETTINGS)
TOPICS = topics(SHAPES)
NODE_SHAPES = {local_name(str(s)): s for s in node_shapes(SHAPES)}


def _expected_files():
    return sorted(fixture(t, "fail.expected") for t in TOPICS if fixture(t, "fail.expected").exists())


def test_every_node_shape_has_its_three_fixture_files():
    missing = [
        fixture(t, kind).name
        for t in sorted(NODE_SHAPES)
        for kind in ("pass.ttl", "fail.ttl", "fail.expected")
        if not fixture(t, kind).exists()
    ]
    assert missing == []
    stale = sorted(set(TOPICS) - set(NODE_SHAPES))
    assert stale == [], f"fixtures for shapes that no longer exist: {stale}"


@pytest.mark.parametrize("topic", TOPICS)
def test_pass_fixture_has_no_violation_or_warning(topic):
    report = entry_point_report(fixture(topic, "pass.ttl"), SETTINGS)
    serious = {k for k in keys(report.results) if k[2] in ("Violation", "Warning")}
    assert serious == set(), f"{topic}_pass.ttl should conform, but:\n{show(serious)}"


@pytest.mark.parametrize("topic", TOPICS)
def test_fail_fixture_gives_exactly_the_expected_results(topic):
    expected = read_expected(fixture(topic, "fail.expected"))
    actual = keys(entry_point_report(fixture(topic, "fail.ttl"), SETTINGS).results)
    assert actual == expected, (
        f"{topic}_fail.ttl\nmissing (expected, not reported):\n{show(expected - actual)}\n"
        f"unexpected (reported, not expected):\n{show(actual - expected)}"
    )


@pytest.mark.parametrize("topic", sorted(NODE_SHAPES))
def test_fail_fixture_breaks_its_own_shape(topic):
    shape = NODE_SHAPES[topic]
    own = {str(shape)} | {str(p) for p in own_property_shapes(SHAPES, shape)}
    named = {k[3] for k in read_expected(fixture(topic, "fail.expected"))}
    assert own & named, f"{topic}_fail.expected names none of {sorted(own)}"


def test_every_shape_is_covered_by_a_failing_fixture():
    """A shape without a failing fixture, or an expected line naming a shape that is gone, fails here."""
    named = set()
    for path in _expected_files():
        named |= {k[3] for k in read_expected(path)}
    known = {str(s) for s in node_shapes(SHAPES) | property_shapes(SHAPES)}
    assert sorted(named - known) == [], "expected files name shapes that do not exist"
    uncovered = sorted(local_name(str(p)) for p in property_shapes(SHAPES) if str(p) not in named)
    for shape in node_shapes(SHAPES):
        own = {str(p) for p in own_property_shapes(SHAPES, shape)}
        itself = str(shape) in named
        # A node shape with constraints of its own must be named itself; otherwise by a property shape.
        if not itself and (constrains_itself(SHAPES, shape) or not own & named):
            uncovered.append(local_name(str(shape)))
    assert sorted(uncovered) == [], "shapes that no _fail.expected line covers"


def _conflict_subjects(dataset) -> set[str]:
    conflicts = {s for s, _, _, _ in dataset.quads((None, RDF.type, NKG.SourceConflict, None))}
    return {str(o) for c in conflicts for _, _, o, _ in dataset.quads((c, NKG.conflictSubject, None, None))}


def test_knowledge_graph_has_no_violation_and_one_warning_per_source_conflict(built):
    results = built.report.results
    violations = keys(r for r in results if r.severity == "Violation")
    assert violations == set(), f"the knowledge graph has violations:\n{show(violations)}"

    warnings = [r for r in results if r.severity == "Warning"]
    consistency = {str(s) for s in sparql_shapes(SHAPES)}
    not_consistency = keys(r for r in warnings if r.source_shape not in consistency)
    assert not_consistency == set(), f"warnings from shapes that are not consistency checks:\n{show(not_consistency)}"

    subjects = _conflict_subjects(built.dataset)
    assert subjects, "the build has no nkg:SourceConflict with an nkg:conflictSubject"
    per_focus = Counter(r.focus for r in warnings)
    assert set(per_focus) == subjects, (
        f"conflicts without a warning: {sorted(subjects - set(per_focus))}; "
        f"warnings without a conflict: {sorted(set(per_focus) - subjects)}"
    )
    repeated = {focus: n for focus, n in per_focus.items() if n != 1}
    assert repeated == {}, f"a source conflict should be reported once: {repeated}"


def test_a_chart_year_message_quotes_a_value_printed_for_the_year_it_names(built, kg):
    """The example of ChartYearConsistency's message was any observation's evidence (SAMPLE),
    while the year beside it was the earliest: "e.g. "1047 1079" for 2009" quoted a later year."""
    found = [r for r in built.report.results if r.source_shape.endswith("#ChartYearConsistency")]
    assert found, "the build reports no dataset printed without its years"
    for r in found:
        example = r.message.split('e.g. "', 1)[1].split('" for ', 1)[0]
        printed_for_year = {
            str(ev)
            for obs in kg.subjects(NKG.refYear, None)
            if str(kg.value(obs, NKG.refYear)) == r.value
            and str(kg.value(obs, URIRef("http://purl.org/linked-data/cube#dataSet"))) == r.focus
            for ev in kg.objects(obs, NKG.evidence)
        }
        assert example in printed_for_year, f"{r.focus}: {example!r} is not printed for {r.value}"


def test_a_region_membership_message_lists_the_countries_alike_in_every_build(built):
    """GROUP_CONCAT followed the store's order, which changed between builds: the report (part
    of the snapshot) differed between two builds of the same sources."""
    found = [r for r in built.report.results if r.source_shape.endswith("#RegionMembershipConsistency")]
    assert found
    for r in found:
        countries = r.message.rsplit("which consists of ", 1)[1].rstrip(".").split(", ")
        assert len(countries) > 1 and countries == sorted(countries), r.message
