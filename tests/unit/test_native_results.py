"""A bounded query run in the web process is written by pyoxigraph (``worker.execute(cheap=True)``):
in one run when the answer's size proves the row limit, else counted in a second run and written
in a third. Its answer is the bytes the Python writers give, and the row limit holds as when the
rows are read here."""

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
    assert same(
        worker.execute(snapshot, job(everything, fmt), cheap=True), worker.execute(snapshot, job(everything, fmt))
    )


def same(cheap, read) -> bool:
    """One answer: the same bytes and header, but for rows, which a one-run answer leaves uncounted."""
    (cheap_header, cheap_body), (read_header, read_body) = cheap, read
    counted = cheap_header["rows"] is None or cheap_header["rows"] == read_header["rows"]
    return cheap_body == read_body and counted and {**cheap_header, "rows": 0} == {**read_header, "rows": 0}


@pytest.mark.parametrize("fmt", sorted(worker.NATIVE))
def test_awkward_terms_and_unbound_variables_are_written_alike(awkward, fmt):
    query = f"SELECT ?p ?o ?none WHERE {{ <{EX}s> ?p ?o OPTIONAL {{ ?o <{EX}never> ?none }} }}"
    cheap, read = worker.execute(awkward, job(query, fmt), cheap=True), worker.execute(awkward, job(query, fmt))
    assert same(cheap, read) and read[0]["rows"] == 10


@pytest.mark.parametrize("fmt", ["json", "csv", "xml", "tsv"])
def test_every_subject_s_lookup_is_the_same_answer(snapshot, fmt):
    subjects = sorted({q.subject.value for q in snapshot if isinstance(q.subject, ox.NamedNode)})[::25]
    assert len(subjects) > 20
    for s in subjects:
        lookup = f"SELECT ?p ?o WHERE {{ <{s}> ?p ?o }}"
        assert same(worker.execute(snapshot, job(lookup, fmt), cheap=True), worker.execute(snapshot, job(lookup, fmt)))


@pytest.mark.parametrize("fmt", sorted(worker.NATIVE))
def test_the_row_limit_holds_when_pyoxigraph_writes(awkward, fmt):
    lookup = f"SELECT ?p ?o WHERE {{ <{EX}s> ?p ?o }}"
    header, body = worker.execute(awkward, job(lookup, fmt, max_rows=9), cheap=True)
    assert header["ok"] is False and header["error"] == "rows" and body == b""
    header, body = worker.execute(awkward, job(lookup, fmt, max_rows=10), cheap=True)
    assert header == {"ok": True, "kind": "solutions", "rows": 10} and body


@pytest.mark.parametrize("fmt", sorted(worker.NATIVE))
def test_an_answer_small_enough_to_prove_the_row_limit_is_written_in_one_run(snapshot, fmt):
    lookup = "SELECT ?p ?o WHERE { <https://w3id.org/narcokg/id/organisation/bnn> ?p ?o }"
    header, body = worker.execute(snapshot, job(lookup, fmt), cheap=True)
    assert header == {"ok": True, "kind": "solutions", "rows": None} and body


@pytest.mark.parametrize("fmt", sorted(worker.NATIVE))
@pytest.mark.parametrize(
    "query",
    [
        f"SELECT ?none WHERE {{ <{EX}s> ?p ?o }}",  # every row unbound
        "SELECT * WHERE { {} UNION {} UNION {} UNION {} }",  # rows without a variable
        f"SELECT ?p WHERE {{ <{EX}s> ?p ?o }}",
    ],
)
def test_every_row_takes_at_least_min_row_bytes(awkward, fmt, query):
    """What the one-run proof rests on: n rows take at least MIN_ROW_BYTES × n bytes."""
    header, body = worker.execute(awkward, job(query, fmt))
    assert header["rows"] >= 4 and len(body) >= worker.MIN_ROW_BYTES * header["rows"]


@pytest.mark.parametrize("fmt", sorted(worker.NATIVE))
def test_a_job_with_max_bytes_is_refused_past_them_without_counting(snapshot, fmt):
    lookup = "SELECT ?p ?o WHERE { <https://w3id.org/narcokg/id/organisation/bnn> ?p ?o }"
    whole = worker.execute(snapshot, job(lookup, fmt), cheap=True)[1]
    header, body = worker.execute(snapshot, {**job(lookup, fmt), "max_bytes": len(whole) - 1}, cheap=True)
    assert header["ok"] is False and header["error"] == "bytes" and body == b""
    header, body = worker.execute(snapshot, {**job(lookup, fmt), "max_bytes": len(whole)}, cheap=True)
    assert header["ok"] is True and body == whole
    # Past the bound that proves the row limit, too: refused, where a job without max_bytes is counted.
    tight = {**job(lookup, fmt, max_rows=(len(whole) - 1) // worker.MIN_ROW_BYTES), "max_bytes": 10**9}
    assert worker.execute(snapshot, tight, cheap=True)[0]["error"] == "bytes"
    del tight["max_bytes"]
    assert worker.execute(snapshot, tight, cheap=True)[0]["ok"] is True
