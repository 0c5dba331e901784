"""A bounded query run in the web process is counted in a first run and written by pyoxigraph in
a second (``worker.execute(cheap=True)``): its answer is the bytes the Python writers give, and
the row limit holds as when the rows are read here."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from narcokg.engine import worker

EX = "http://example.org/"


@pytest.fixture(scope="module")
def snapshot(built):
    store = ox.Store()
    store.bulk_load(path=str(built.out_dir / "narcokg.nq"), format=ox.RdfFormat.N_QUADS)
    return store


@pytest.fixture(scope="module")
def awkward():
    """Terms whose written forms differ most between writers: quotes, commas and line breaks
    (CSV quoting), language tags with and without a direction, datatypes, blank nodes, an empty
    string, text outside ASCII."""
    store = ox.Store()
    objects = [
        ox.Literal('say "hi", then\nleave'),
        ox.Literal(""),
        ox.Literal("Rp 1.000,50"),
        ox.Literal("narkotika", language="id"),
        ox.Literal("مخدرات", language="ar", direction=ox.BaseDirection.RTL),
        ox.Literal("42", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
        ox.Literal("2015-10-21", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")),
        ox.Literal("tab\there\r\nand \\ backslash"),
        ox.BlankNode("b1"),
        ox.NamedNode(EX + "o?x=1&y=\u00e9"),
    ]
    for i, o in enumerate(objects):
        store.add(ox.Quad(ox.NamedNode(EX + "s"), ox.NamedNode(EX + f"p{i}"), o, ox.NamedNode(EX + "g")))
    return store


def job(query: str, fmt: str, max_rows: int = 100_000) -> dict:
    return {"query": query, "format": fmt, "union": True, "max_rows": max_rows}


@pytest.mark.parametrize("fmt", sorted(worker.NATIVE))
def test_pyoxigraph_writes_the_whole_snapshot_as_our_writers_do(snapshot, fmt):
    everything = "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert worker.execute(snapshot, job(everything, fmt), cheap=True) == worker.execute(snapshot, job(everything, fmt))


@pytest.mark.parametrize("fmt", sorted(worker.NATIVE))
def test_awkward_terms_and_unbound_variables_are_written_alike(awkward, fmt):
    query = f"SELECT ?p ?o ?none WHERE {{ <{EX}s> ?p ?o OPTIONAL {{ ?o <{EX}never> ?none }} }}"
    cheap, read = worker.execute(awkward, job(query, fmt), cheap=True), worker.execute(awkward, job(query, fmt))
    assert cheap == read and cheap[0]["rows"] == 10


@pytest.mark.parametrize("fmt", ["json", "csv", "xml", "tsv"])
def test_every_subject_s_lookup_is_the_same_answer(snapshot, fmt):
    subjects = sorted({q.subject.value for q in snapshot if isinstance(q.subject, ox.NamedNode)})[::25]
    assert len(subjects) > 20
    for s in subjects:
        lookup = f"SELECT ?p ?o WHERE {{ <{s}> ?p ?o }}"
        assert worker.execute(snapshot, job(lookup, fmt), cheap=True) == worker.execute(snapshot, job(lookup, fmt))


@pytest.mark.parametrize("fmt", sorted(worker.NATIVE))
def test_the_row_limit_holds_when_pyoxigraph_writes(awkward, fmt):
    lookup = f"SELECT ?p ?o WHERE {{ <{EX}s> ?p ?o }}"
    header, body = worker.execute(awkward, job(lookup, fmt, max_rows=9), cheap=True)
    assert header["ok"] is False and header["error"] == "rows" and body == b""
    header, body = worker.execute(awkward, job(lookup, fmt, max_rows=10), cheap=True)
    assert header == {"ok": True, "kind": "solutions", "rows": 10} and body
