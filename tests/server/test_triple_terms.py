"""An answer with RDF 1.2 triple terms, asked for as JSON-LD (which has no form for them), is a
406 saying which formats can carry it; the query process that ran it goes on serving. Before,
the JSON-LD writer failed on the triple term inside the query process, which died: every such
request answered 503 and cost a process start. Every other graph format writes the answer."""

from __future__ import annotations

import pytest

from sparql_helpers import alive, query_processes, sparql

TRIPLE_TERM = "CONSTRUCT { <http://a> <http://b> <<( <http://a> <http://b> <http://c> )>> } WHERE {}"
FROM_DATA = "CONSTRUCT { ?s ?p <<( ?s ?p ?o )>> } WHERE { ?s ?p ?o } LIMIT 3"


@pytest.mark.parametrize("query", [TRIPLE_TERM, FROM_DATA])
def test_json_ld_of_triple_terms_is_406_and_no_process_dies(server, query):
    before = query_processes(server.proc.pid)
    for method in ("GET", "POST"):
        resp = sparql(server, query, method=method, accept="application/ld+json")
        assert resp.status_code == 406, resp.text
        assert "JSON-LD" in resp.text and "triple terms" in resp.text and "Turtle" in resp.text
    assert before and all(alive(pid) for pid in before)


@pytest.mark.parametrize(
    "accept", ["text/turtle", "application/n-triples", "application/n-quads", "application/trig", "application/rdf+xml"]
)
def test_other_graph_formats_write_triple_terms(server, accept):
    resp = sparql(server, TRIPLE_TERM, accept=accept)
    assert resp.status_code == 200 and "http://c" in resp.text
