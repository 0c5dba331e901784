"""A ``QueryJob`` is what a query process reads (``wire``) and what the result cache and ETags
key on (``key``): every field that shapes an answer must reach both."""

from __future__ import annotations

import dataclasses

import pytest

from narcokg.engine.base import QueryJob

JOB = QueryJob(
    query="SELECT * WHERE { ?s ?p ?o }",
    format="json",
    union=False,
    default_graph=("http://example.org/g1",),
    named_graphs=("http://example.org/g2", "http://example.org/g3"),
    max_rows=7,
    prefixes=(("ex", "http://example.org/"),),
    base_iri="http://example.org/sparql",
)


def test_the_wire_form_carries_every_field_but_the_inline_flag_and_an_unset_byte_cap():
    shaping = {f.name for f in dataclasses.fields(QueryJob) if f.compare}
    assert set(JOB.wire()) == shaping
    assert JOB.wire() == {
        "query": JOB.query,
        "format": "json",
        "union": False,
        "default_graph": ["http://example.org/g1"],
        "named_graphs": ["http://example.org/g2", "http://example.org/g3"],
        "max_rows": 7,
        "prefixes": {"ex": "http://example.org/"},
        "base_iri": "http://example.org/sparql",
    }


@pytest.mark.parametrize("name", [f.name for f in dataclasses.fields(QueryJob) if f.compare])
def test_changing_any_field_that_shapes_the_answer_changes_the_key(name):
    other = {
        "query": "ASK {}",
        "format": "xml",
        "union": True,
        "default_graph": None,
        "named_graphs": None,
        "max_rows": 8,
        "prefixes": (),
        "base_iri": None,
    }[name]
    assert JOB.key() != dataclasses.replace(JOB, **{name: other}).key()


def test_the_inline_flag_does_not_change_the_key():
    assert JOB.key() == dataclasses.replace(JOB, bounded=True).key()


def test_a_byte_cap_reaches_the_run_but_not_the_key():
    """``max_bytes`` bounds one run (the worker's event loop): it decides whether an answer is
    made there, never what the answer is."""
    capped = dataclasses.replace(JOB, max_bytes=4096)
    assert capped.wire() == {**JOB.wire(), "max_bytes": 4096}
    assert capped.key() == JOB.key()
