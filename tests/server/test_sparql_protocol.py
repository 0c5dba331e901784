"""SPARQL 1.1 Protocol over HTTP against the real server: methods, formats, negotiation,
datasets, Service Description, VoID, CORS, errors, caching and the access log."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pyoxigraph as ox
import pytest
import requests
from rdflib import RDF, Graph, Literal, Namespace, URIRef

from conftest import start_server, stop_server
from narcokg.config import BASE
from narcokg import snapshot
from narcokg.engine import void
from sparql_helpers import B, IDN, JSON, count, rows, sparql

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = Namespace("http://rdfs.org/ns/void#")
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
LABELS = f"SELECT ?label WHERE {{ <{IDN}> <{RDFS_LABEL}> ?label }} ORDER BY ?label"
SOLUTION_TYPES = [
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
]
GRAPH_TYPES = [
    "text/turtle",
    "application/n-triples",
    "application/ld+json",
    "application/rdf+xml",
    "application/n-quads",
    "application/trig",
]
RDFLIB_FORMAT = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
    "application/n-quads": "nquads",
    "application/trig": "trig",
}


def labels_of_idn(server) -> set[str]:
    return {r["label"] for r in rows(server, LABELS)}


def graph_iris(server) -> set[str]:
    return {r["g"] for r in rows(server, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")}


# Methods ------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "POST", "DIRECT"])
def test_each_protocol_method_answers_the_same(server, method):
    resp = sparql(server, LABELS, method=method)
    assert resp.status_code == 200, resp.text
    got = {b["label"]["value"] for b in resp.json()["results"]["bindings"]}
    assert "Indonesia" in got
    assert got == labels_of_idn(server)


def test_post_direct_takes_graph_parameters_from_the_url(server):
    reference = B + "graph/reference"
    inside = count(server, f"GRAPH <{reference}> {{ ?s ?p ?o }}")
    resp = sparql(
        server, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", method="DIRECT", **{"default-graph-uri": reference}
    )
    assert resp.status_code == 200, resp.text
    assert int(resp.json()["results"]["bindings"][0]["n"]["value"]) == inside


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_other_methods_get_405_with_allow(server, method):
    resp = requests.request(method, server.url("/sparql"), data="ASK {}", timeout=30)
    assert resp.status_code == 405
    assert "GET" in resp.headers["Allow"] and "POST" in resp.headers["Allow"]
    assert method in resp.text


@pytest.mark.parametrize("ctype", ["text/plain", "application/json", "multipart/form-data; boundary=x", None])
def test_other_post_content_types_get_415(server, ctype):
    headers = {"Content-Type": ctype} if ctype else {}
    resp = requests.post(server.url("/sparql"), data=b"ASK {}", headers=headers, timeout=30)
    assert resp.status_code == 415
    assert "application/sparql-query" in resp.text


def test_sparql_query_body_in_another_charset_gets_415(server):
    resp = requests.post(
        server.url("/sparql"),
        data="ASK {}".encode("utf-16"),
        headers={"Content-Type": "application/sparql-query; charset=utf-16"},
        timeout=30,
    )
    assert resp.status_code == 415
    assert "UTF-8" in resp.text


#: A query holding "é", as a Latin-1 form body (the raw byte and percent-encoded) and as a
#: direct body; its UTF-8 bytes are "Ã©" to a reader of the declared Latin-1.
LATIN1_QUERY = 'ASK { FILTER(STRLEN("\u00e9") = 1) }'


@pytest.mark.parametrize(
    ("path", "content_type", "body"),
    [
        ("/sparql", "application/x-www-form-urlencoded; charset=latin1", b"query=" + LATIN1_QUERY.encode("latin-1")),
        ("/sparql", "application/x-www-form-urlencoded; charset=ISO-8859-1", b"query=ASK%20{%20FILTER(%22%E9%22)%20}"),
        ("/sparql", "application/x-www-form-urlencoded; charset=windows-1252", b"query=" + LATIN1_QUERY.encode()),
        ("/sparql", "application/x-www-form-urlencoded; charset=no-such-charset", b"query=ASK%20{}"),
        ("/sparql", "application/sparql-query; charset=latin1", LATIN1_QUERY.encode("latin-1")),
        ("/", "application/x-www-form-urlencoded; charset=latin1", b"query=" + LATIN1_QUERY.encode()),
    ],
    ids=["form raw byte", "form percent-encoded", "form utf-8 bytes", "unknown charset", "direct", "query page"],
)
def test_a_body_declared_in_another_charset_than_utf8_is_415_naming_it(server, path, content_type, body):
    """Regression: a form declared ``charset=latin1`` was read as UTF-8, so its query was another
    one (or a 400 about bytes that were never UTF-8). Refused as /shacl/validate refuses it: 415
    naming the charset and saying to send UTF-8; SPARQL queries and forms are UTF-8 only."""
    charset = content_type.rpartition("charset=")[2]
    resp = requests.post(server.url(path), data=body, headers={"Content-Type": content_type}, timeout=30)
    assert resp.status_code == 415, resp.text
    assert f"charset {charset} is not supported; send the query as UTF-8" in resp.text, resp.text


@pytest.mark.parametrize("charset", ["utf-8", "UTF8", "us-ascii"])
def test_a_body_declared_utf8_or_ascii_is_read_as_utf8(server, charset):
    resp = requests.post(
        server.url("/sparql"),
        data=b"query=" + LATIN1_QUERY.encode(),
        headers={"Content-Type": f"application/x-www-form-urlencoded; charset={charset}", "Accept": JSON},
        timeout=30,
    )
    assert resp.status_code == 200, resp.text
    assert resp.json()["boolean"] is True


def test_post_without_query_is_400(server):
    resp = requests.post(server.url("/sparql"), data={"format": "json"}, timeout=30)
    assert resp.status_code == 400
    assert "query" in resp.text


def test_repeated_query_parameter_is_400(server):
    resp = requests.get(server.url("/sparql"), params=[("query", "ASK {}"), ("query", "ASK {}")], timeout=30)
    assert resp.status_code == 400


def test_head_answers_headers_without_body(server):
    resp = requests.head(server.url("/sparql"), params={"query": LABELS}, headers={"Accept": "text/csv"}, timeout=30)
    assert resp.status_code == 200
    assert resp.headers["Content-Type"].startswith("text/csv")
    assert resp.content == b""


# Result formats -------------------------------------------------------------------------------


def _parse_solutions(ctype: str, body: bytes) -> set[str]:
    text = body.decode("utf-8")
    if ctype == "application/sparql-results+json":
        return {b["label"]["value"] for b in json.loads(text)["results"]["bindings"]}
    if ctype == "application/sparql-results+xml":
        ns = {"r": "http://www.w3.org/2005/sparql-results#"}
        return {lit.text for lit in ET.fromstring(body).findall(".//r:binding/r:literal", ns)}
    if ctype == "text/csv":
        table = list(csv.reader(io.StringIO(text)))
        assert table[0] == ["label"]
        return {r[0] for r in table[1:]}
    lines = text.splitlines()
    assert lines[0] == "?label"
    return {re.match(r'^"(.*)"(@[\w-]+)?$', line).group(1) for line in lines[1:]}


@pytest.mark.parametrize("ctype", SOLUTION_TYPES)
def test_select_in_every_solution_format(server, ctype):
    resp = sparql(server, LABELS, accept=ctype)
    assert resp.status_code == 200, resp.text
    assert resp.headers["Content-Type"] == f"{ctype}; charset=utf-8"
    assert _parse_solutions(ctype, resp.content) == labels_of_idn(server)


@pytest.mark.parametrize("ctype", SOLUTION_TYPES)
def test_ask_in_every_solution_format(server, ctype):
    yes = sparql(server, f"ASK {{ <{IDN}> ?p ?o }}", accept=ctype)
    no = sparql(server, "ASK { <urn:nothing:here> ?p ?o }", accept=ctype)
    assert yes.status_code == no.status_code == 200
    assert yes.headers["Content-Type"].startswith(ctype)
    assert "true" in yes.text and "false" not in yes.text
    assert "false" in no.text and "true" not in no.text


@pytest.mark.parametrize("ctype", GRAPH_TYPES)
@pytest.mark.parametrize("form", ["CONSTRUCT", "DESCRIBE"])
def test_graph_answers_in_every_rdf_format(server, ctype, form):
    query = f"CONSTRUCT {{ <{IDN}> ?p ?o }} WHERE {{ <{IDN}> ?p ?o }}" if form == "CONSTRUCT" else f"DESCRIBE <{IDN}>"
    resp = sparql(server, query, accept=ctype)
    assert resp.status_code == 200, resp.text
    assert resp.headers["Content-Type"] == f"{ctype}; charset=utf-8"
    g = Graph()
    if ctype in ("application/n-quads", "application/trig"):
        # Quad formats: the answer's triples sit in the default graph (parsed with pyoxigraph).
        fmt = ox.RdfFormat.N_QUADS if ctype == "application/n-quads" else ox.RdfFormat.TRIG
        quads = list(ox.parse(resp.content, format=fmt))
        assert all(isinstance(q.graph_name, ox.DefaultGraph) for q in quads)
        g.parse(data=ox.serialize(quads, format=ox.RdfFormat.N_QUADS), format="nt")
    else:
        g.parse(data=resp.content, format=RDFLIB_FORMAT[ctype])
    assert (URIRef(IDN), URIRef(RDFS_LABEL), Literal("Indonesia", lang="en")) in g
    distinct = len(rows(server, f"SELECT DISTINCT ?p ?o WHERE {{ <{IDN}> ?p ?o }}"))
    assert len(set(g.predicate_objects(URIRef(IDN)))) == distinct


# Negotiation ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "accept, expected",
    [
        (None, "application/sparql-results+json"),
        ("*/*", "application/sparql-results+json"),
        ("text/*", "text/csv"),
        ("text/csv;q=0.5, application/sparql-results+xml", "application/sparql-results+xml"),
        ("application/*;q=0.2, application/sparql-results+json;q=0", "application/sparql-results+xml"),
        ("text/tab-separated-values;q=0.9, text/csv;q=0.8, */*;q=0.1", "text/tab-separated-values"),
        ("application/json", "application/sparql-results+json"),
    ],
)
def test_accept_q_values_and_wildcards_choose_the_format(server, accept, expected):
    headers = {"Accept": accept} if accept is not None else {}
    resp = requests.get(server.url("/sparql"), params={"query": LABELS}, headers=headers, timeout=30)
    assert resp.status_code == 200, resp.text
    assert resp.headers["Content-Type"].split(";")[0] == expected
    assert "Accept" in resp.headers["Vary"]
    assert "charset=utf-8" in resp.headers["Content-Type"]


@pytest.mark.parametrize(
    "fmt, expected",
    [
        ("json", "application/sparql-results+json"),
        ("xml", "application/sparql-results+xml"),
        ("csv", "text/csv"),
        ("tsv", "text/tab-separated-values"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
    ],
)
def test_format_parameter_wins_over_accept(server, fmt, expected):
    resp = sparql(server, LABELS, accept="application/sparql-results+json;q=1, text/csv;q=0.1", format=fmt)
    assert resp.status_code == 200
    assert resp.headers["Content-Type"].split(";")[0] == expected


@pytest.mark.parametrize(
    "fmt, expected",
    [
        ("turtle", "text/turtle"),
        ("ntriples", "application/n-triples"),
        ("jsonld", "application/ld+json"),
        ("rdfxml", "application/rdf+xml"),
        ("nquads", "application/n-quads"),
        ("trig", "application/trig"),
        ("json", "application/ld+json"),
        ("xml", "application/rdf+xml"),
    ],
)
def test_format_parameter_for_graph_answers(server, fmt, expected):
    resp = sparql(server, f"DESCRIBE <{IDN}>", format=fmt)
    assert resp.status_code == 200, resp.text
    assert resp.headers["Content-Type"].split(";")[0] == expected


@pytest.mark.parametrize(
    "query",
    [
        f"DESCRIBE <{IDN}>",
        # A namespace JSON-LD 1.1 cannot use as a prefix (no "/", "#" … at its end) must not be one.
        "PREFIX ex: <http://example.org/ns_>\nCONSTRUCT { ?s ex:kind ?o } WHERE { ?s a ?o } LIMIT 30",
    ],
)
def test_graph_answers_in_json_ld_are_compact_and_mean_the_same_triples(server, query):
    from rdflib.compare import isomorphic

    compact = sparql(server, query, accept="application/ld+json")
    turtle = sparql(server, query, accept="text/turtle")
    assert compact.status_code == turtle.status_code == 200
    doc = compact.json()
    context = doc["@context"]
    assert all(ns.endswith(tuple(":/?#[]@")) for ns in context.values())
    assert "ex" not in context
    if query.startswith("DESCRIBE"):
        assert context["nkg"] == B + "ontology#" and context["rdfs"] == "http://www.w3.org/2000/01/rdf-schema#"
    from_jsonld = Graph().parse(data=compact.text, format="json-ld")
    from_turtle = Graph().parse(data=turtle.text, format="turtle")
    assert len(from_turtle) > 10
    assert isomorphic(from_jsonld, from_turtle)


def test_no_acceptable_type_gives_406_listing_the_offers(server):
    resp = sparql(server, LABELS, accept="image/png")
    assert resp.status_code == 406
    for t in SOLUTION_TYPES:
        assert t in resp.text
    resp = sparql(server, f"DESCRIBE <{IDN}>", accept="text/csv")
    assert resp.status_code == 406
    for t in GRAPH_TYPES:
        assert t in resp.text


def test_format_that_does_not_fit_the_query_form_is_406(server):
    resp = sparql(server, LABELS, format="turtle")
    assert resp.status_code == 406
    assert "text/csv" in resp.text


def test_unknown_format_parameter_is_400(server):
    resp = sparql(server, LABELS, format="pdf")
    assert resp.status_code == 400
    assert "pdf" in resp.text and "json" in resp.text


def test_browser_accept_is_redirected_to_the_query_page(server):
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    resp = requests.get(
        server.url("/sparql"), params={"query": LABELS}, headers={"Accept": browser}, allow_redirects=False, timeout=30
    )
    assert resp.status_code == 303
    target = urlsplit(resp.headers["Location"])
    assert target.path == "/"
    assert parse_qs(target.query)["query"] == [LABELS]
    direct = requests.get(
        server.url("/sparql"),
        params={"query": LABELS, "format": "csv"},
        headers={"Accept": browser},
        allow_redirects=False,
        timeout=30,
    )
    assert direct.status_code == 200 and direct.headers["Content-Type"].startswith("text/csv")


# Errors --------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "POST", "DIRECT"])
def test_malformed_query_is_400_with_the_parser_message_and_position(server, method):
    resp = sparql(server, "SELECT ?s WHERE { ?s ?p }", method=method)
    assert resp.status_code == 400
    assert resp.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert "line 1, column 22: a triple needs an object after `?p`" in resp.text, resp.text
    assert "Traceback" not in resp.text


def test_invalid_graph_iri_is_400(server):
    resp = sparql(server, LABELS, **{"default-graph-uri": "not an iri"})
    assert resp.status_code == 400
    assert "IRI" in resp.text


# Datasets -------------------------------------------------------------------------------------


def test_default_graph_is_the_union_of_all_named_graphs(server):
    union = count(server, "?s ?p ?o")
    distinct = int(
        rows(server, "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }")[0][
            "n"
        ]
    )
    assert union == distinct > 0
    assert len(graph_iris(server)) >= 3


def test_each_graph_is_addressable_with_graph(server):
    reference = B + "graph/reference"
    assert reference in graph_iris(server)
    found = rows(server, f"SELECT ?l WHERE {{ GRAPH <{reference}> {{ <{IDN}> <{RDFS_LABEL}> ?l }} }}")
    assert "Indonesia" in {r["l"] for r in found}


def test_default_graph_uri_selects_one_graph(server):
    reference, ontology = B + "graph/reference", B + "graph/ontology"
    in_reference = count(server, f"GRAPH <{reference}> {{ ?s ?p ?o }}")
    assert count(server, "?s ?p ?o", **{"default-graph-uri": reference}) == in_reference
    both = count(server, "?s ?p ?o", **{"default-graph-uri": [reference, ontology]})
    assert both > in_reference


def test_named_graph_uri_limits_graph(server):
    reference = B + "graph/reference"
    graphs = rows(server, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", **{"named-graph-uri": reference})
    assert [r["g"] for r in graphs] == [reference]
    # With only named graphs given, the default graph is empty (the protocol's dataset is exact).
    assert count(server, "?s ?p ?o", **{"named-graph-uri": reference}) == 0


def test_from_and_from_named_select_local_graphs(server):
    reference = B + "graph/reference"
    in_reference = count(server, f"GRAPH <{reference}> {{ ?s ?p ?o }}")
    found = rows(server, f"SELECT (COUNT(*) AS ?n) FROM <{reference}> WHERE {{ ?s ?p ?o }}")
    assert int(found[0]["n"]) == in_reference
    named = rows(server, f"SELECT DISTINCT ?g FROM NAMED <{reference}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}")
    assert [r["g"] for r in named] == [reference]


def test_protocol_dataset_overrides_from(server):
    reference, ontology = B + "graph/reference", B + "graph/ontology"
    in_ontology = count(server, f"GRAPH <{ontology}> {{ ?s ?p ?o }}")
    found = rows(
        server, f"SELECT (COUNT(*) AS ?n) FROM <{reference}> WHERE {{ ?s ?p ?o }}", **{"default-graph-uri": ontology}
    )
    assert int(found[0]["n"]) == in_ontology


@pytest.mark.parametrize("how", ["from", "default-graph-uri", "named-graph-uri"])
def test_unknown_graphs_resolve_to_nothing(server, how):
    unknown = "http://example.invalid/no-such-graph"
    if how == "from":
        n = int(rows(server, f"SELECT (COUNT(*) AS ?n) FROM <{unknown}> WHERE {{ ?s ?p ?o }}")[0]["n"])
    elif how == "default-graph-uri":
        n = count(server, "?s ?p ?o", **{"default-graph-uri": unknown})
    else:
        n = count(server, "GRAPH ?g { ?s ?p ?o }", **{"named-graph-uri": unknown})
    assert n == 0


# Service Description and VoID -----------------------------------------------------------------


@pytest.mark.parametrize(
    "accept, fmt", [("text/turtle", "turtle"), ("application/ld+json", "json-ld"), (None, "turtle")]
)
def test_service_description(server, accept, fmt):
    headers = {"Accept": accept} if accept else {}
    resp = requests.get(server.url("/sparql"), headers=headers, timeout=30)
    assert resp.status_code == 200
    if accept:
        assert resp.headers["Content-Type"] == f"{accept}; charset=utf-8"
    g = Graph().parse(data=resp.content, format=fmt)
    service = next(g.subjects(RDF.type, SD.Service))
    assert (service, SD.endpoint, URIRef(BASE + "sparql")) in g  # never the Host header
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in g
    assert (service, SD.feature, SD.UnionDefaultGraph) in g
    formats = {str(f) for f in g.objects(service, SD.resultFormat)}
    assert "http://www.w3.org/ns/formats/SPARQL_Results_JSON" in formats
    assert "http://www.w3.org/ns/formats/Turtle" in formats
    assert len(formats) == 10
    dataset = g.value(service, SD.defaultDataset)
    default = g.value(dataset, SD.defaultGraph)
    description = " ".join(str(o) for o in g.objects(default, None) if isinstance(o, Literal))
    assert "union" in description.lower()
    named = {str(g.value(n, SD.name)) for n in g.objects(dataset, SD.namedGraph)}
    assert named == graph_iris(server)
    reference = next(n for n in g.objects(dataset, SD.namedGraph) if str(g.value(n, SD.name)) == B + "graph/reference")
    size = int(g.value(g.value(reference, SD.graph), VOID.triples))
    assert size == count(server, f"GRAPH <{B}graph/reference> {{ ?s ?p ?o }}")


def test_service_description_for_browsers_goes_to_the_query_page(server):
    resp = requests.get(server.url("/sparql"), headers={"Accept": "text/html"}, allow_redirects=False, timeout=30)
    assert resp.status_code == 303
    assert urlsplit(resp.headers["Location"]).path == "/"


def test_service_description_406(server):
    resp = requests.get(server.url("/sparql"), headers={"Accept": "image/png"}, timeout=30)
    assert resp.status_code == 406
    assert "text/turtle" in resp.text


@pytest.mark.parametrize("path", ["/.well-known/void", "/void"])
@pytest.mark.parametrize(
    "accept, fmt",
    [
        ("text/turtle", "turtle"),
        ("application/ld+json", "json-ld"),
        ("application/n-triples", "nt"),
        ("application/rdf+xml", "xml"),
    ],
)
def test_void_by_content_negotiation(server, path, accept, fmt):
    resp = requests.get(server.url(path), headers={"Accept": accept}, timeout=30)
    assert resp.status_code == 200
    assert resp.headers["Content-Type"].startswith(accept)
    assert resp.headers["Access-Control-Allow-Origin"] == "*"
    g = Graph().parse(data=resp.content, format=fmt)
    datasets = set(g.subjects(RDF.type, VOID.Dataset))
    assert datasets
    assert any(g.value(d, VOID.sparqlEndpoint) is not None for d in datasets)
    assert any(g.value(d, VOID.triples) is not None for d in datasets)


def test_void_406(server):
    resp = requests.get(server.url("/void"), headers={"Accept": "text/csv"}, timeout=30)
    assert resp.status_code == 406


# VoID of a served dump (no build's void.ttl to read) ------------------------------------------


@pytest.fixture(scope="module")
def dump_server(built, tmp_path_factory):
    """`serve --dump` of a copy of the build's N-Quads; dist/ keeps the build's void.ttl, which
    describes the build and must not be what /void answers for a dump."""
    tmp = tmp_path_factory.mktemp("dump")
    dump = tmp / "served.nq"
    shutil.copyfile(built.out_dir / snapshot.NQ, dump)
    srv = start_server(built.out_dir, tmp, "--dump", str(dump))
    yield srv, dump
    stop_server(srv)


def _void_of(srv, path="/void") -> Graph:
    resp = requests.get(srv.url(path), headers={"Accept": "text/turtle"}, timeout=60)
    assert resp.status_code == 200, resp.text
    assert resp.headers["Content-Type"].startswith("text/turtle")
    return Graph().parse(data=resp.content, format="turtle")


def test_void_of_a_dump_counts_what_is_served(dump_server):
    srv, dump = dump_server
    quads = list(ox.parse(path=str(dump), format=ox.RdfFormat.N_QUADS))
    assert len({q.triple for q in quads}) == len(quads)  # no triple in two graphs: both counts agree
    per_graph: dict[str, int] = {}
    for q in quads:
        per_graph[q.graph_name.value] = per_graph.get(q.graph_name.value, 0) + 1
    for path in ("/void", "/.well-known/void"):
        g = _void_of(srv, path)
        dataset = URIRef(B + "void#narcokg")
        assert (dataset, RDF.type, VOID.Dataset) in g
        assert g.value(dataset, VOID.triples).toPython() == len(quads)
        assert g.value(dataset, VOID.sparqlEndpoint) == URIRef(B + "sparql")
        subsets = {
            str(g.value(part, SD.name)): g.value(part, VOID.triples).toPython()
            for part in g.objects(dataset, VOID.subset)
        }
        assert subsets == per_graph  # every named graph, with its own size
        for part in g.objects(dataset, VOID.subset):
            assert all(g.value(part, VOID[key]) is not None for key in void.KEYS)
    assert "VoID statistics of" in srv.log.read_text(errors="replace")  # counted, not read from a file


def test_service_description_of_a_dump_names_its_graphs_and_counts_nothing(dump_server):
    """Graph sizes come from the build's VoID; a dump server's description names its graphs and
    leaves the counts to /void (its dataset IRI), so it never starts a count itself."""
    srv, _dump = dump_server
    resp = requests.get(srv.url("/sparql"), headers={"Accept": "text/turtle"}, timeout=60)
    assert resp.status_code == 200, resp.text
    g = Graph().parse(data=resp.content, format="turtle")
    dataset = g.value(next(g.subjects(RDF.type, SD.Service)), SD.defaultDataset)
    assert dataset == URIRef(B + "void#narcokg")
    named = {str(g.value(n, SD.name)) for n in g.objects(dataset, SD.namedGraph)}
    assert named == graph_iris(srv) and len(named) > 3
    assert not list(g.objects(None, VOID.triples))


def test_void_of_a_dump_links_only_the_dump_it_serves(dump_server):
    srv, dump = dump_server
    g = _void_of(srv)
    dumps = set(g.objects(URIRef(B + "void#narcokg"), VOID.dataDump))
    assert dumps == {URIRef(B + "download/" + snapshot.NQ)}
    resp = requests.get(srv.url("/download/" + snapshot.NQ), timeout=60)
    assert resp.status_code == 200 and resp.content == dump.read_bytes()
    assert requests.get(srv.url("/download/" + snapshot.VOID_FILE), timeout=30).status_code == 404


def test_void_counted_from_the_store_equals_the_build(dump_server, built):
    """One code path: the build's void.ttl and the VoID a server counts over the same data agree
    in every statement but the list of downloadable files and the release (a bare dump has no
    build manifest, so it is named by the package version and the file's date)."""
    srv, _ = dump_server
    built_void = Graph().parse(built.out_dir / snapshot.VOID_FILE, format="turtle")
    served = _void_of(srv)
    assert len(set(built_void.objects(None, VOID.subset))) >= 5
    assert set(built_void.triples((None, VOID.dataDump, None))) >= set(served.triples((None, VOID.dataDump, None)))
    release = [
        URIRef("http://www.w3.org/2002/07/owl#versionInfo"),
        URIRef("http://purl.org/dc/terms/modified"),
        URIRef("http://purl.org/dc/terms/bibliographicCitation"),
    ]
    assert all(next(built_void.objects(None, p), None) is not None for p in release)
    for g in (built_void, served):
        for p in [VOID.dataDump, *release]:
            g.remove((None, p, None))
    assert set(built_void) == set(served)


def test_void_of_a_dump_past_the_time_limit_is_a_clear_503(built, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("dump-slow")
    dump = tmp / "served.nq"
    shutil.copyfile(built.out_dir / snapshot.NQ, dump)
    srv = start_server(
        built.out_dir,
        tmp,
        "--dump",
        str(dump),
        env_extra={"NARCOKG_QUERY_TIMEOUT": "0.001", "NARCOKG_WEB_WORKERS": "1"},
    )
    try:
        for _ in range(2):  # the second answer comes at once: the failure is remembered
            started = time.monotonic()
            resp = requests.get(srv.url("/void"), headers={"Accept": "text/turtle"}, timeout=60)
            assert resp.status_code == 503
            assert "query time limit of 0.001 s" in resp.text and "query_timeout" in resp.text
            assert int(resp.headers["Retry-After"]) > 0
            assert time.monotonic() - started < 5
        assert requests.get(srv.url("/health"), timeout=10).status_code == 200
    finally:
        stop_server(srv)


def test_void_statistics_count_the_union_once_and_name_every_graph():
    store = ox.Store()
    store.bulk_load(
        input=(
            b"<http://a.example/x> <http://p.example/p> <http://a.example/y> <http://a.example/g/x> .\n"
            b"<http://a.example/x> <http://p.example/p> <http://a.example/y> <http://b.example/g/x> .\n"
            b"<http://a.example/x> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://c.example/C> .\n"
        ),
        format=ox.RdfFormat.N_QUADS,
    )
    whole, graphs = void.statistics(void.store_select(store), "http://a.example/")
    assert whole == {
        "triples": 2,
        "entities": 2,
        "classes": 1,
        "properties": 2,
        "distinctSubjects": 1,
        "distinctObjects": 2,
    }
    assert set(graphs) == {"http://a.example/g/x", "http://b.example/g/x"}
    g = Graph().parse(data=void.serialize(void.describe("http://kg.example/", [], whole, graphs)), format="turtle")
    parts = set(g.objects(URIRef("http://kg.example/void#narcokg"), VOID.subset))
    assert {str(g.value(p, SD.name)) for p in parts} == set(graphs)  # same last segment, two subsets


# CORS ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path, params, headers",
    [
        ("/sparql", {"query": LABELS}, {"Accept": JSON}),
        ("/sparql", {"query": "SELECT WHERE"}, {}),
        ("/sparql", {"query": LABELS}, {"Accept": "image/png"}),
        ("/sparql", {}, {"Accept": "text/turtle"}),
        ("/.well-known/void", {}, {}),
    ],
)
def test_cors_on_every_api_answer(server, path, params, headers):
    resp = requests.get(
        server.url(path), params=params, headers={"Origin": "https://example.org", **headers}, timeout=30
    )
    assert resp.headers.get("Access-Control-Allow-Origin") == "*", (resp.status_code, resp.headers)


@pytest.mark.parametrize("path", ["/sparql", "/void"])
def test_cors_preflight(server, path):
    resp = requests.options(
        server.url(path),
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, accept",
        },
        timeout=30,
    )
    assert resp.status_code in (200, 204)
    assert resp.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in resp.headers["Access-Control-Allow-Methods"]
    assert "content-type" in resp.headers["Access-Control-Allow-Headers"].lower()


# Caching and logging ------------------------------------------------------------------------------


def test_etag_and_304(server):
    first = sparql(server, LABELS)
    etag = first.headers["ETag"]
    again = requests.get(
        server.url("/sparql"), params={"query": LABELS}, headers={"Accept": JSON, "If-None-Match": etag}, timeout=30
    )
    assert again.status_code == 304
    assert again.content == b""
    other = sparql(server, LABELS, accept="text/csv")
    assert other.headers["ETag"] != etag


def test_access_log_has_one_line_per_request_with_timing(server):
    marker = f"logcheck{time.time_ns()}"
    sparql(server, f"ASK {{ ?s ?p '{marker}' }}")
    deadline = time.time() + 10
    lines = []
    while time.time() < deadline:
        lines = [line for line in server.log.read_text(errors="replace").splitlines() if marker in line]
        if lines:
            break
        time.sleep(0.1)
    assert len(lines) == 1
    assert re.search(r'"GET /sparql\?\S+ HTTP/1\.1" 200 \d+ \d+ms', lines[0]), lines[0]


# Public base ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def public_server(built, tmp_path_factory):
    srv = start_server(built.out_dir, tmp_path_factory.mktemp("public"), "--public-base", "http://kg.example.org/nkg/")
    yield srv
    stop_server(srv)


def test_public_base_rewrites_iris_in_queries_and_answers(public_server):
    public_idn = "http://kg.example.org/nkg/id/state/IDN"
    found = rows(public_server, f"SELECT ?l WHERE {{ <{public_idn}> <{RDFS_LABEL}> ?l }}")
    assert "Indonesia" in {r["l"] for r in found}
    assert rows(public_server, f"SELECT ?p WHERE {{ <{IDN}> ?p ?o }}") == []
    sd = Graph().parse(
        data=requests.get(public_server.url("/sparql"), headers={"Accept": "text/turtle"}, timeout=30).content,
        format="turtle",
    )
    assert (URIRef("http://kg.example.org/nkg/sparql"), SD.endpoint, URIRef("http://kg.example.org/nkg/sparql")) in sd


def test_a_get_answer_may_be_kept_by_a_cache_and_varies_on_accept_only_when_negotiated(server):
    """GET answers once said `Cache-Control: no-cache`, which no caching proxy stores: the data
    never changes while the server runs, so they are public for five minutes, revalidated by
    their ETag; with `format=` the answer is the same whatever Accept says."""
    negotiated = requests.get(server.url("/sparql"), params={"query": LABELS}, timeout=30)
    named = requests.get(server.url("/sparql"), params={"query": LABELS, "format": "json"}, timeout=30)
    for resp in (negotiated, named):
        assert resp.status_code == 200, resp.text
        assert {"public", "max-age=300"} <= {p.strip() for p in resp.headers["Cache-Control"].split(",")}
        assert resp.headers["ETag"]
    assert "Accept" in negotiated.headers["Vary"]
    assert "Accept" not in [v.strip() for v in named.headers.get("Vary", "").split(",")]
    again = requests.get(
        server.url("/sparql"),
        params={"query": LABELS, "format": "json"},
        headers={"If-None-Match": named.headers["ETag"]},
        timeout=30,
    )
    assert again.status_code == 304 and again.headers["Cache-Control"] == named.headers["Cache-Control"]


def test_void_of_a_dump_on_disk_is_counted_once_past_the_client_time_limit(built, tmp_path_factory):
    """Regression: a dump served from an on-disk store was counted through the query processes,
    under a client's time limit, so a large one (2M triples past 10 s) never had a VoID
    description. Its statistics are now counted once, in a process of their own, and kept beside
    the store: /void answers 503 with Retry-After while they are counted, then the statements
    the build writes; a second server on the same dump answers at once."""
    tmp = tmp_path_factory.mktemp("dump-on-disk")
    dump = tmp / "served.nq"
    shutil.copyfile(built.out_dir / snapshot.NQ, dump)
    env = {"NARCOKG_QUERY_TIMEOUT": "0.001", "NARCOKG_WEB_WORKERS": "1", "NARCOKG_MEMORY_STORE_MAX_MB": "0"}
    built_void = Graph().parse(built.out_dir / snapshot.VOID_FILE, format="turtle")
    drop = [
        VOID.dataDump,
        URIRef("http://www.w3.org/2002/07/owl#versionInfo"),
        URIRef("http://purl.org/dc/terms/modified"),
        URIRef("http://purl.org/dc/terms/bibliographicCitation"),
    ]
    for p in drop:
        built_void.remove((None, p, None))
    for attempt in ("first server", "second server"):
        srv = start_server(built.out_dir, tmp_path_factory.mktemp("srv"), "--dump", str(dump), env_extra=env)
        try:
            deadline = time.monotonic() + 60
            while True:
                resp = requests.get(srv.url("/void"), headers={"Accept": "text/turtle"}, timeout=60)
                if resp.status_code != 503 or time.monotonic() > deadline:
                    break
                assert attempt == "first server", "the second server counted again"
                assert int(resp.headers["Retry-After"]) > 0 and "being counted" in resp.text
                time.sleep(0.5)
            assert resp.status_code == 200, resp.text
            served = Graph().parse(data=resp.text, format="turtle")
            for p in drop:
                served.remove((None, p, None))
            assert set(served) == set(built_void)
        finally:
            stop_server(srv)


def test_a_void_count_that_dies_is_reported_not_awaited_forever(built, tmp_path):
    """A counting process that dies before it can write (here: a memory cap too small to load
    pyoxigraph) leaves a note, which /void turns into a 503 that says so, not "being counted"."""
    from narcokg.engine import data, voidstats
    from narcokg.config import load_settings

    dump = tmp_path / "served.nq"
    shutil.copyfile(built.out_dir / snapshot.NQ, dump)
    store = Path(data.prepare(load_settings(dump=str(dump), memory_store_max_mb=0)).path)
    prefix = B + "id/"
    child = voidstats.start(store, prefix, memory_mb=30)
    child.wait()
    deadline = time.monotonic() + 10
    while voidstats.failure(store, prefix) is None and time.monotonic() < deadline:
        time.sleep(0.05)
    message, age = voidstats.failure(store, prefix)
    assert message == "the counting process ended with status 1" and age < 60
    assert voidstats.recorded(store, prefix) is None
    srv = start_server(built.out_dir, tmp_path, "--dump", str(dump), env_extra={"NARCOKG_MEMORY_STORE_MAX_MB": "0"})
    try:
        resp = requests.get(srv.url("/void"), headers={"Accept": "text/turtle"}, timeout=60)
        assert resp.status_code == 503 and "could not be counted" in resp.text and "status 1" in resp.text
        assert "site-packages" not in resp.text and int(resp.headers["Retry-After"]) > 0
    finally:
        stop_server(srv)
