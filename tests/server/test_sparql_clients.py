"""Real SPARQL clients against the real server: SPARQLWrapper and rdflib's SPARQLStore; and the
`narcokg query` command line, which runs the same engine code in-process."""

from __future__ import annotations

import csv
import io
import os
import subprocess

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS
from rdflib.plugins.stores.sparqlstore import SPARQLStore, SPARQLUpdateStore
from SPARQLWrapper import CSV, GET, JSON, JSONLD, N3, POST, POSTDIRECTLY, RDFXML, TSV, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from conftest import run_cli
from sparql_helpers import B, BNN, IDN, count, rows

LABELS = f"SELECT ?label WHERE {{ <{IDN}> <{RDFS.label}> ?label }}"


def expected_labels(server) -> set[str]:
    return {r["label"] for r in rows(server, LABELS)}


def wrapper(server, fmt, method=GET, query=LABELS) -> SPARQLWrapper:
    w = SPARQLWrapper(server.url("/sparql"))
    w.setReturnFormat(fmt)
    w.setMethod(method)
    w.setQuery(query)
    w.setTimeout(60)
    return w


# SPARQLWrapper ------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", [GET, POST])
def test_sparqlwrapper_select_json(server, method):
    result = wrapper(server, JSON, method).query().convert()
    assert {b["label"]["value"] for b in result["results"]["bindings"]} == expected_labels(server)
    assert "Indonesia" in expected_labels(server)


@pytest.mark.parametrize("method", [GET, POST])
def test_sparqlwrapper_select_xml(server, method):
    doc = wrapper(server, XML, method).query().convert()
    literals = {node.firstChild.data for node in doc.getElementsByTagName("literal")}
    assert literals == expected_labels(server)


@pytest.mark.parametrize("fmt", [CSV, TSV])
def test_sparqlwrapper_select_csv_and_tsv(server, fmt):
    data = wrapper(server, fmt).query().convert().decode("utf-8")
    if fmt == CSV:
        table = list(csv.reader(io.StringIO(data)))
    else:  # TSV cells are RDF terms in Turtle syntax: "Indonesia"@en
        table = [line.split("\t") for line in data.splitlines()]
        table[1:] = [[cell.rsplit('"', 1)[0].lstrip('"') for cell in row] for row in table[1:]]
    assert table[0][0].lstrip("?") == "label"
    assert {row[0] for row in table[1:]} == expected_labels(server)


def test_sparqlwrapper_post_directly(server):
    w = wrapper(server, JSON, POST, f"ASK {{ <{BNN}> ?p ?o }}")
    w.setRequestMethod(POSTDIRECTLY)
    assert w.query().convert()["boolean"] is True


@pytest.mark.parametrize("fmt", [TURTLE, RDFXML, JSONLD, N3])
def test_sparqlwrapper_construct_and_describe(server, fmt):
    for query in (f"DESCRIBE <{IDN}>", f"CONSTRUCT {{ <{IDN}> ?p ?o }} WHERE {{ <{IDN}> ?p ?o }}"):
        result = wrapper(server, fmt, query=query).query().convert()
        if isinstance(result, bytes):  # SPARQLWrapper leaves Turtle and N3 to the caller
            result = Graph().parse(data=result, format="turtle")
        assert (URIRef(IDN), RDFS.label, Literal("Indonesia", lang="en")) in result
        assert len(result) == len(rows(server, f"SELECT DISTINCT ?p ?o WHERE {{ <{IDN}> ?p ?o }}"))


def test_sparqlwrapper_gets_the_parser_message(server):
    with pytest.raises(QueryBadFormed) as err:
        wrapper(server, JSON, query="SELECT * WHERE { ?s ?p }").query()
    assert "1:" in str(err.value)


def test_sparqlwrapper_update_is_refused(server):
    before = count(server)
    w = SPARQLWrapper(server.url("/sparql"), updateEndpoint=server.url("/sparql"))
    w.setMethod(POST)
    w.setQuery("INSERT DATA { <urn:x:s> <urn:x:p> <urn:x:o> }")
    with pytest.raises(Exception) as err:
        w.query()
    assert "403" in str(err.value)
    assert count(server) == before


# rdflib SPARQLStore -----------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "POST", "POST_FORM"])
def test_rdflib_sparqlstore(server, method):
    store = SPARQLStore(query_endpoint=server.url("/sparql"), method=method)
    g = Graph(store=store)
    labels = {str(r[0]) for r in g.query(LABELS)}
    assert labels == expected_labels(server)
    about = list(g.triples((URIRef(IDN), None, None)))
    assert (URIRef(IDN), RDFS.label, Literal("Indonesia", lang="en")) in about
    assert len(about) == len(rows(server, f"SELECT DISTINCT ?p ?o WHERE {{ <{IDN}> ?p ?o }}"))
    assert len(store) == count(server, "?s ?p ?o")
    graphs = {str(getattr(c, "identifier", c)) for c in store.contexts()}
    assert B + "graph/reference" in graphs
    assert graphs == {r["g"] for r in rows(server, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")}
    built = g.query(f"CONSTRUCT WHERE {{ <{IDN}> ?p ?o }}").graph
    assert (URIRef(IDN), RDFS.label, Literal("Indonesia", lang="en")) in built


def test_rdflib_sparqlupdatestore_cannot_change_anything(server):
    before = count(server)
    store = SPARQLUpdateStore(query_endpoint=server.url("/sparql"), update_endpoint=server.url("/sparql"))
    with pytest.raises(Exception) as err:
        store.update("INSERT DATA { <urn:x:s> <urn:x:p> <urn:x:o> }")
    assert "403" in str(err.value)
    assert count(server) == before


# narcokg query -------------------------------------------------------------------------------------


def cli(built, *args: str) -> subprocess.CompletedProcess:
    return run_cli("query", *args, env=dict(os.environ, NARCOKG_DIST=str(built.out_dir)))


def test_cli_table(built, server):
    out = cli(built, LABELS)
    assert out.returncode == 0, out.stderr
    for label in expected_labels(server):
        assert label in out.stdout
    n = len(rows(server, LABELS))
    assert f"({n} row{'s' if n != 1 else ''})" in out.stdout


def test_cli_from_file_and_csv(built, server, tmp_path):
    query_file = tmp_path / "q.rq"
    query_file.write_text(LABELS)
    out = cli(built, "@" + str(query_file), "--format", "csv")
    assert out.returncode == 0, out.stderr
    table = list(csv.reader(io.StringIO(out.stdout)))
    assert table[0] == ["label"]
    assert {r[0] for r in table[1:]} == expected_labels(server)


@pytest.mark.parametrize("fmt, parse", [("turtle", "turtle"), ("ntriples", "nt")])
def test_cli_graph_formats(built, fmt, parse):
    out = cli(built, f"DESCRIBE <{IDN}>", "--format", fmt)
    assert out.returncode == 0, out.stderr
    g = Graph().parse(data=out.stdout, format=parse)
    assert (URIRef(IDN), RDFS.label, Literal("Indonesia", lang="en")) in g


def test_cli_json_matches_the_endpoint(built, server):
    out = cli(built, LABELS, "--format", "json")
    assert out.returncode == 0
    import json

    assert {b["label"]["value"] for b in json.loads(out.stdout)["results"]["bindings"]} == expected_labels(server)


@pytest.mark.parametrize(
    "args, words",
    [
        (["SELECT * WHERE { ?s ?p }"], "malformed"),
        (["CONSTRUCT WHERE { ?s ?p ?o }", "--format", "csv"], "csv"),
        (["INSERT DATA { <urn:a> <urn:b> <urn:c> }"], "read-only"),
        (["SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"], "SERVICE"),
        (["@/nonexistent/query.rq"], "cannot read"),
    ],
)
def test_cli_errors_exit_2_with_a_message(built, args, words):
    out = cli(built, *args)
    assert out.returncode == 2
    assert words in out.stderr
    assert out.stdout == ""
    assert "Traceback" not in out.stderr
