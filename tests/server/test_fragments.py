"""Triple Pattern Fragments (/fragments) against the real server: the pages hold exactly the
matching triples, the Hydra controls let a client build and walk fragments, every format parses,
pages are cacheable, and bad parameters get a 400 that says what to fix."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pyoxigraph as ox
import pytest
import requests
from rdflib import Graph, URIRef

from narcokg.web import fragments
from narcokg.snapshot import NQ

B = "https://w3id.org/narcokg/"
IDN = B + "id/state/IDN"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
HYDRA = "http://www.w3.org/ns/hydra/core#"
VOID = "http://rdfs.org/ns/void#"
FOAF = "http://xmlns.com/foaf/0.1/"
SIZE = fragments.PAGE_SIZE


@pytest.fixture(scope="module")
def kg(built):
    store = ox.Store()
    store.bulk_load(path=str(built.out_dir / NQ), format=ox.RdfFormat.N_QUADS)
    return store


def get(server, accept="application/n-quads", **params):
    return requests.get(server.url("/fragments"), params=params, headers={"Accept": accept}, timeout=30)


def split(resp) -> tuple[set, list[ox.Quad], ox.NamedNode]:
    """(data statements, control quads, metadata graph) of an N-Quads page."""
    quads = list(ox.parse(resp.content, format=ox.RdfFormat.N_QUADS))
    topics = [q for q in quads if q.predicate.value == FOAF + "primaryTopic"]
    assert topics, "a metadata graph names its fragment"
    meta = topics[0].graph_name
    data = {q for q in quads if q.graph_name != meta}
    controls = [q for q in quads if q.graph_name == meta]
    return data, controls, meta


def control(controls, subject: str, predicate: str):
    values = [q.object for q in controls if q.subject.value == subject and q.predicate.value == predicate]
    assert len(values) <= 1
    return values[0] if values else None


def walk(server, **params) -> tuple[set, int]:
    """Every data statement of a fragment, following hydra:next; and the pages fetched."""
    url = server.url("/fragments") + "?" + urlencode(params)
    seen, pages = set(), 0
    while url:
        resp = requests.get(url, headers={"Accept": "application/n-quads"}, timeout=30)
        assert resp.status_code == 200, resp.text
        data, controls, _ = split(resp)
        assert len(data) <= SIZE
        seen |= data
        pages += 1
        nxt = control(controls, url, HYDRA + "next")
        url = nxt.value if nxt is not None else None
        assert pages < 1000
    return seen, pages


@pytest.mark.parametrize(
    "params, pattern",
    [
        ({"subject": IDN}, (ox.NamedNode(IDN), None, None)),
        ({"predicate": RDF + "type"}, (None, ox.NamedNode(RDF + "type"), None)),
        ({"object": IDN}, (None, None, ox.NamedNode(IDN))),
        (
            {"predicate": RDFS + "label", "object": '"National Narcotics Board"@en'},
            (None, ox.NamedNode(RDFS + "label"), ox.Literal("National Narcotics Board", language="en")),
        ),
        (
            {"object": '"2018"^^http://www.w3.org/2001/XMLSchema#gYear'},
            (None, None, ox.Literal("2018", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#gYear"))),
        ),
    ],
)
def test_pages_hold_exactly_the_matching_triples_of_the_union(server, kg, params, pattern):
    got, pages = walk(server, **params)
    expected = {
        ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()) for q in kg.quads_for_pattern(*pattern, None)
    }
    assert got == expected and expected
    assert pages == max(1, -(-len(expected) // SIZE))


def test_whole_dataset_pages_and_controls(server, kg):
    first = get(server)
    data, controls, meta = split(first)
    this = first.url
    assert len(data) == SIZE
    total = int(control(controls, this, HYDRA + "totalItems").value)
    assert total == len(kg) == int(control(controls, this, VOID + "triples").value)
    assert control(controls, this, HYDRA + "previous") is None
    nxt = control(controls, this, HYDRA + "next").value
    second = requests.get(nxt, headers={"Accept": "application/n-quads"}, timeout=30)
    data2, controls2, _ = split(second)
    assert data2 and not data2 & data
    assert control(controls2, nxt, HYDRA + "previous").value == control(controls2, nxt, HYDRA + "first").value
    last_page = -(-total // SIZE)
    last = get(server, page=str(last_page))
    data_last, controls_last, _ = split(last)
    assert len(data_last) == total - (last_page - 1) * SIZE
    assert control(controls_last, last.url, HYDRA + "next") is None


def test_search_form_builds_fragment_urls(server):
    resp = get(server, subject=IDN)
    _, controls, _ = split(resp)
    forms = [q.object for q in controls if q.predicate.value == HYDRA + "search"]
    assert len(forms) == 1
    form = forms[0]
    template = [q.object for q in controls if q.subject == form and q.predicate.value == HYDRA + "template"][0]
    assert template.value == server.url("/fragments") + "{?subject,predicate,object,graph}"
    mappings = [q.object for q in controls if q.subject == form and q.predicate.value == HYDRA + "mapping"]
    props = {}
    for m in mappings:
        var = [q.object.value for q in controls if q.subject == m and q.predicate.value == HYDRA + "variable"][0]
        prop = [q.object.value for q in controls if q.subject == m and q.predicate.value == HYDRA + "property"][0]
        props[var] = prop
    assert props == {"subject": RDF + "subject", "predicate": RDF + "predicate", "object": RDF + "object"}
    # a quad request also maps the graph (Quad Pattern Fragments)
    _, qcontrols, _ = split(get(server, subject=IDN, graph="?g"))
    assert any(q.object.value == "graph" for q in qcontrols if q.predicate.value == HYDRA + "variable")


def test_one_named_graph_and_all_graphs(server, kg):
    graph = B + "graph/reference"
    got, _ = walk(server, subject=IDN, graph=graph)
    expected = set(kg.quads_for_pattern(ox.NamedNode(IDN), None, None, ox.NamedNode(graph)))
    assert got == expected and expected
    every, _ = walk(server, subject=IDN, graph="?g")
    assert every == set(kg.quads_for_pattern(ox.NamedNode(IDN), None, None, None))
    assert len({q.graph_name for q in every}) > 1


@pytest.mark.parametrize(
    "accept, fmt, quads",
    [
        ("text/turtle", "turtle", False),
        ("application/trig", "trig", True),
        ("application/n-triples", "nt", False),
        ("application/n-quads", "nquads", True),
        ("application/ld+json", "json-ld", True),
    ],
)
def test_formats_by_accept(server, accept, fmt, quads):
    resp = get(server, accept=accept, subject=IDN)
    assert resp.status_code == 200
    assert resp.headers["Content-Type"].startswith(accept)
    if quads:
        from rdflib import Dataset

        ds = Dataset()
        ds.parse(data=resp.content, format=fmt)
        assert any(str(g.identifier).endswith("#metadata") for g in ds.graphs())
        assert (URIRef(IDN), None, None) in ds.default_graph
    else:
        g = Graph().parse(data=resp.content, format=fmt)
        assert (URIRef(IDN), None, None) in g
        assert (None, URIRef(HYDRA + "search"), None) in g
    if fmt == "json-ld":
        assert "@context" in json.loads(resp.content)


def test_default_format(server):
    assert get(server, accept="*/*", subject=IDN).headers["Content-Type"].startswith("text/turtle")
    assert get(server, accept="*/*", subject=IDN, graph="?g").headers["Content-Type"].startswith("application/trig")
    assert requests.get(server.url("/fragments"), timeout=30).headers["Content-Type"].startswith("text/turtle")


def test_pages_are_cacheable(server):
    first = get(server, accept="text/turtle", predicate=RDF + "type", page="2")
    etag = first.headers["ETag"]
    assert "max-age" in first.headers["Cache-Control"] and "public" in first.headers["Cache-Control"]
    again = requests.get(first.url, headers={"Accept": "text/turtle", "If-None-Match": etag}, timeout=30)
    assert again.status_code == 304
    other = requests.get(first.url, headers={"Accept": "application/n-triples", "If-None-Match": etag}, timeout=30)
    assert other.status_code == 200


@pytest.mark.parametrize(
    "params, words",
    [
        ({"page": "0"}, "numbered from 1"),
        ({"page": "two"}, "not a page number"),
        ({"page": "-1"}, "not a page number"),
        ({"page": "100000"}, "beyond the end"),
        ({"object": '"unterminated'}, "closing quote"),
        ({"object": '"x"@not a tag'}, "language tag"),
        ({"object": '"x"^^not-an-iri'}, "not an absolute IRI"),
        ({"object": '"x"junk'}, "after a literal"),
        ({"subject": "not an iri"}, "not an absolute IRI"),
        ({"subject": '"literal"'}, "only be the object"),
        ({"subject": "_:b0"}, "blank nodes"),
        ({"graph": "nope"}, "not an absolute IRI"),
        ({"colour": "red"}, "unknown parameter"),
    ],
)
def test_bad_parameters_get_400_with_a_reason(server, params, words):
    resp = get(server, accept="text/plain", **params)
    assert resp.status_code == 400
    assert words in resp.text
    assert "Traceback" not in resp.text and "/work" not in resp.text


def test_an_empty_language_tag_is_named_as_empty_with_how_to_write_one(server):
    """Regression: ``object="a"@`` said ``object:  is not a valid language tag`` (the empty tag
    shown as nothing): the message names the empty tag after @ and what to write instead."""
    resp = get(server, accept="text/plain", object='"a"@')
    assert resp.status_code == 400, resp.text
    assert 'object="a"@: the language tag after @ is empty' in resp.text
    assert "such as en, id or en-GB" in resp.text and "leave out the @" in resp.text


@pytest.mark.parametrize("page", ["\u00b2", "\u2460", "\u0967", "\U0001d7d9"])
def test_a_page_in_digits_other_than_ascii_is_400_not_500(server, page):
    """``str.isdigit`` holds for "²" and "①", which ``int`` refuses: page=%C2%B2 was a 500. Other
    scripts' digits ("१") were read as numbers and answered under a URL no control names."""
    resp = get(server, accept="text/plain", page=page)
    assert resp.status_code == 400, resp.text
    assert "not a page number" in resp.text


def test_repeated_parameter_is_refused(server):
    resp = requests.get(server.url("/fragments?subject=a:b&subject=c:d"), timeout=30)
    assert resp.status_code == 400 and "twice" in resp.text


def test_empty_fragment_has_one_empty_page(server):
    resp = get(server, subject=B + "id/state/NOWHERE")
    data, controls, _ = split(resp)
    assert resp.status_code == 200 and not data
    assert control(controls, resp.url, HYDRA + "totalItems").value == "0"


def test_linked_from_service_description_void_and_pages(server):
    for path in ("/sparql", "/void"):
        g = Graph().parse(
            data=requests.get(server.url(path), headers={"Accept": "text/turtle"}, timeout=30).content, format="turtle"
        )
        lookups = list(g.objects(None, URIRef(VOID + "uriLookupEndpoint")))
        assert lookups and str(lookups[0]).endswith("/fragments?subject="), path
    page = requests.get(server.url("/page/state/IDN"), timeout=30).text
    assert 'href="/fragments?subject=https%3A%2F%2Fw3id.org%2Fnarcokg%2Fid%2Fstate%2FIDN"' in page


@pytest.mark.parametrize(
    "target",
    [
        '/fragments?object="2018"^^<http://www.w3.org/2001/XMLSchema%23gYear>',
        "/fragments?subject=https://w3id.org/narcokg/id/state/IDN&predicate={}",
        "/fragments?object=%22a|b%22",
    ],
)
def test_request_urls_that_are_not_valid_iris_still_get_pages(server, target):
    """The controls name the page by the URL as requested; one that is no valid IRI is re-encoded."""
    import rawhttp

    answer = rawhttp.request(server.base, "GET", target, headers=[("Accept", "application/n-quads")])
    assert answer.status in (200, 400), answer.text
    if answer.status == 200:
        quads = list(ox.parse(answer.body, format=ox.RdfFormat.N_QUADS))
        assert any(q.predicate.value == HYDRA + "totalItems" for q in quads)


def test_messages_do_not_repeat_control_characters(server):
    resp = get(server, accept="text/plain", subject="\x1b[31mred\x00")
    assert resp.status_code == 400
    assert "\x1b" not in resp.text and "\x00" not in resp.text and "red" in resp.text
