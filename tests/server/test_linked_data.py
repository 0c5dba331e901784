"""Linked Data over HTTP against the real server: dereferencing (303 by Accept), RDF documents,
public-base rewriting, entity pages, ontology and shapes documentation, browsing, search and
downloads. Expected values come from the session build (rdflib), never from hard-coded data
except the stable IRIs of the brief."""

from __future__ import annotations

import json
import re
import unicodedata
from html import unescape
from urllib.parse import urljoin

import pyoxigraph as ox
import pytest
import rdflib
import requests
from rdflib import OWL, RDF, RDFS, SKOS, Literal, URIRef
from rdflib.compare import isomorphic

import conftest
import rawhttp
from kg_terms import BNN, DATASET, IDN, MOU, NKG, QB, B
from narcokg.formats import jsonld
from narcokg.web import linkeddata
from narcokg import snapshot
from narcokg import vocab as px

OBS_2018 = URIRef(B + "id/observation/drug-cases-2018")
HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
GRAPH_FORMATS = {"ttl": "turtle", "jsonld": "json-ld", "nt": "nt", "rdf": "xml"}
QUAD_FORMATS = {"trig": "trig", "nq": "nquads"}
NOT_DATA = {B + "graph/" + g for g in ("ontology", "shapes", "validation")}


def get(server, path, **kw):
    kw.setdefault("timeout", 30)
    kw.setdefault("allow_redirects", False)
    return requests.get(server.url(path), **kw)


def union(ds) -> rdflib.Graph:
    g = rdflib.Graph()
    for named in ds.graphs():
        for t in named:
            g.add(t)
    return g


@pytest.fixture(scope="module")
def kg(built) -> rdflib.Graph:
    return union(built.dataset)


@pytest.fixture(scope="module")
def public_server(built, tmp_path_factory):
    """A server whose public base is its own URL, so every served IRI resolves on it."""
    port = conftest.free_port()
    original = conftest.free_port
    conftest.free_port = lambda: port
    try:
        srv = conftest.start_server(
            built.out_dir, tmp_path_factory.mktemp("public"), "--public-base", f"http://127.0.0.1:{port}"
        )
    finally:
        conftest.free_port = original
    yield srv
    conftest.stop_server(srv)


def to_public(term, public: str):
    if isinstance(term, URIRef) and str(term).startswith(B):
        return URIRef(public + str(term)[len(B) :])
    return term


def label_of(kg, iri, lang="en") -> str:
    for o in kg.objects(iri, RDFS.label):
        if isinstance(o, Literal) and o.language == lang:
            return str(o)
    raise AssertionError(f"{iri} has no rdfs:label@{lang}")


# Dereferencing ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "accept,target",
    [
        ("text/html", "/page/organisation/bnn"),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "/page/organisation/bnn"),
        ("*/*", "/page/organisation/bnn"),
        ("text/turtle", "/data/organisation/bnn.ttl"),
        ("application/ld+json", "/data/organisation/bnn.jsonld"),
        ("application/n-triples", "/data/organisation/bnn.nt"),
        ("application/rdf+xml", "/data/organisation/bnn.rdf"),
        ("application/trig", "/data/organisation/bnn.trig"),
        ("application/n-quads", "/data/organisation/bnn.nq"),
        ("text/html;q=0.5, text/turtle", "/data/organisation/bnn.ttl"),
        ("text/turtle;q=0.2, application/ld+json;q=0.9, text/html;q=0.1", "/data/organisation/bnn.jsonld"),
        ("application/rdf+xml;q=0.5, text/*;q=0.1", "/data/organisation/bnn.rdf"),
    ],
)
def test_id_answers_303_by_accept(server, accept, target):
    resp = get(server, "/id/organisation/bnn", headers={"Accept": accept})
    assert resp.status_code == 303
    assert urljoin(server.url("/id/organisation/bnn"), resp.headers["Location"]) == server.url(target)
    assert "Accept" in resp.headers.get("Vary", "")


def test_id_without_accept_gives_the_page(server):
    resp = rawhttp.request(server.base, "GET", "/id/state/IDN")
    assert resp.status == 303
    assert resp.headers["Location"].endswith("/page/state/IDN")


def test_unacceptable_accept_is_406_with_alternates(server):
    resp = get(server, "/id/state/IDN", headers={"Accept": "image/png"})
    assert resp.status_code == 406
    assert "text/turtle" in resp.text
    assert 'rel="alternate"' in resp.headers.get("Link", "")


#: The RDF documents every entity is offered as: extension, media type.
ALTERNATES = [
    ("ttl", "text/turtle"),
    ("jsonld", "application/ld+json"),
    ("nt", "application/n-triples"),
    ("rdf", "application/rdf+xml"),
    ("trig", "application/trig"),
    ("nq", "application/n-quads"),
]


def test_link_headers_name_every_alternate(server):
    for path in ("/id/organisation/bnn", "/page/organisation/bnn", "/data/organisation/bnn.ttl"):
        resp = get(server, path, headers=HTML)
        links = resp.headers.get("Link", "")
        for ext, media in ALTERNATES:
            assert f'/data/organisation/bnn.{ext}>; rel="alternate"; type="{media}"' in links, (path, ext)
        assert '/page/organisation/bnn>; rel="alternate"; type="text/html"' in links


def test_html_pages_name_every_alternate(server):
    html = get(server, "/page/organisation/bnn", headers=HTML).text
    for ext, media in ALTERNATES:
        assert re.search(
            rf'<link rel="alternate" type="{re.escape(media)}" href="[^"]*/data/organisation/bnn\.{ext}"', html
        )


@pytest.mark.parametrize(
    "path,headers",
    [
        ("/id/organisation/bnn", HTML),
        ("/id/organisation/bnn", {"Accept": "text/turtle"}),
        ("/page/organisation/bnn", HTML),
        ("/data/organisation/bnn", {"Accept": "text/turtle"}),
        ("/id/organisation/no-such-body", HTML),
        ("/data/organisation/no-such-body.ttl", {}),
        ("/page/organisation/no-such-body", HTML),
        ("/id/bad%20path", HTML),
        ("/ontology", HTML),
        ("/ontology", {"Accept": "text/turtle"}),
        ("/shapes", HTML),
        ("/browse", HTML),
        ("/search?q=bnn", HTML),
        ("/search.json?q=bnn", {}),
        ("/download", HTML),
    ],
)
def test_vary_accept_on_every_answer(server, path, headers):
    resp = get(server, path, headers=headers)
    assert "accept" in [v.strip().lower() for v in resp.headers.get("Vary", "").split(",")], (path, resp.status_code)


@pytest.mark.parametrize(
    "path", ["/data/organisation/bnn.ttl", "/data/organisation/bnn.jsonld", "/ontology.ttl", "/shapes.nt"]
)
def test_a_document_whose_uri_names_its_format_does_not_vary_on_accept(server, path):
    """Its answer is the same whatever the Accept, and saying so lets a shared cache keep it
    (haproxy's cache stores nothing that varies on Accept); errors still vary (page or text)."""
    for accept in ("text/html", "application/ld+json", "*/*"):
        resp = get(server, path, headers={"Accept": accept})
        assert resp.status_code == 200
        assert "accept" not in [v.strip().lower() for v in resp.headers.get("Vary", "").split(",")], (path, accept)
        assert resp.headers["ETag"].startswith('"') and "max-age" in resp.headers["Cache-Control"]


# RDF documents ------------------------------------------------------------------------------
def outgoing(kg, iri):
    return {(p, o) for p, o in kg.predicate_objects(iri)}


def incoming(kg, iri):
    return {(s, p) for s, p in kg.subject_predicates(iri)}


@pytest.mark.parametrize("ext", list(GRAPH_FORMATS) + list(QUAD_FORMATS))
def test_data_documents_hold_the_resource_triples(server, kg, ext):
    resp = get(server, f"/data/organisation/bnn.{ext}")
    assert resp.status_code == 200
    if ext in QUAD_FORMATS:
        ds = rdflib.Dataset()
        ds.parse(data=resp.content, format=QUAD_FORMATS[ext])
        g = union(ds)
        graphs = {str(c.identifier) for c in ds.graphs() if len(c)}
        assert B + "graph/reference" in graphs  # statements keep the graph they come from
    else:
        g = rdflib.Graph().parse(data=resp.content, format=GRAPH_FORMATS[ext])
    assert outgoing(g, BNN) == outgoing(kg, BNN)
    assert incoming(kg, BNN) <= incoming(g, BNN)
    # labels of what it links to
    for o in g.objects(BNN, None):
        if isinstance(o, URIRef) and (o, RDFS.label, None) in kg:
            assert (o, RDFS.label, None) in g, o


def test_quads_keep_inferred_statements_in_their_graph(server, built):
    inferred = built.dataset.graph(URIRef(B + "graph/inferred"))
    expected = set(inferred.predicate_objects(BNN))
    assert expected, "the reasoner infers something about BNN (e.g. its superclasses)"
    ds = rdflib.Dataset()
    ds.parse(data=get(server, "/data/organisation/bnn.nq").content, format="nquads")
    assert set(ds.graph(URIRef(B + "graph/inferred")).predicate_objects(BNN)) == expected


def test_data_without_extension_negotiates(server):
    resp = get(server, "/data/state/IDN", headers={"Accept": "application/ld+json"})
    assert resp.status_code == 200
    assert resp.headers["Content-Type"].startswith("application/ld+json")
    assert resp.headers["Content-Location"].endswith("/data/state/IDN.jsonld")
    g = rdflib.Graph().parse(data=resp.content, format="json-ld")
    assert (IDN, RDFS.label, Literal("Indonesia", lang="en")) in g
    assert get(server, "/data/state/IDN", headers={"Accept": "text/html"}).status_code == 406


def test_json_ld_parses(server, kg):
    resp = get(server, "/data/agreement/mou-indonesia-fiji-2015.jsonld")
    assert resp.headers["Content-Type"].startswith("application/ld+json")
    json.loads(resp.text)
    g = rdflib.Graph().parse(data=resp.text, format="json-ld")
    assert outgoing(g, MOU) == outgoing(kg, MOU)


def _genid_with_type(kg) -> URIRef:
    return sorted(s for s in kg.subjects(RDF.type, None) if "/.well-known/genid/" in str(s))[0]


@pytest.mark.parametrize("which", ["bnn", "idn", "mou", "dataset", "observation", "genid"])
def test_json_ld_is_compact_and_means_what_the_turtle_means(server, kg, which):
    iri = {"bnn": BNN, "idn": IDN, "mou": MOU, "dataset": DATASET, "observation": OBS_2018, "genid": None}[
        which
    ] or _genid_with_type(kg)
    path = str(iri)[len(B) :]
    path = path[len("id/") :] if path.startswith("id/") else path
    doc = get(server, f"/data/{path}.jsonld").json()
    context = doc["@context"]
    served = px.all_prefixes(B)
    assert context and all(served[name] == ns for name, ns in context.items())  # the project's prefixes
    nodes = doc.get("@graph", [doc])
    focus = "id:" + str(iri)[len(B + "id/") :] if str(iri).startswith(B + "id/") else str(iri)
    assert nodes[0]["@id"] == focus  # the resource first
    assert not any(key.startswith(tuple(served.values())) for n in nodes for key in n)  # keys are CURIEs
    compact = rdflib.Graph().parse(data=json.dumps(doc), format="json-ld")
    turtle = rdflib.Graph().parse(data=get(server, f"/data/{path}.ttl").content, format="turtle")
    assert len(compact) == len(turtle) > 0
    assert isomorphic(compact, turtle)


def test_compact_json_ld_keeps_named_graphs_and_lexical_forms():
    quads = [
        ox.Quad(
            ox.NamedNode(B + "id/x"),
            ox.NamedNode(str(RDFS.label)),
            ox.Literal("x", language="en"),
            ox.NamedNode(B + "graph/a"),
        ),
        ox.Quad(
            ox.NamedNode(B + "id/x"),
            ox.NamedNode(str(RDF.type)),
            ox.NamedNode(str(NKG.State)),
            ox.NamedNode(B + "graph/b"),
        ),
        ox.Quad(
            ox.NamedNode(B + "id/x"),
            ox.NamedNode(B + "ontology#count"),
            ox.Literal("007", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
            ox.NamedNode(B + "graph/b"),
        ),
        ox.Quad(
            ox.NamedNode(B + "id/x"),
            ox.NamedNode(B + "ontology#ok"),
            ox.Literal("1", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean")),
            ox.DefaultGraph(),
        ),
    ]
    doc = jsonld.compact(quads, px.all_prefixes(B))
    graphs = {n["@id"]: n["@graph"] for n in doc["@graph"] if "@graph" in n}
    assert set(graphs) == {"graph:a", "graph:b"}
    assert graphs["graph:b"][0]["nkg:count"] == {"@type": "xsd:integer", "@value": "007"}  # not the number 7
    assert [n for n in doc["@graph"] if "@graph" not in n][0]["nkg:ok"] == {"@type": "xsd:boolean", "@value": "1"}
    ds = rdflib.Dataset()
    ds.parse(data=json.dumps(doc), format="json-ld")
    expected = rdflib.Dataset()
    expected.parse(data=ox.serialize(quads, format=ox.RdfFormat.N_QUADS), format="nquads")
    assert set(ds.quads()) == set(expected.quads())  # "007" stays "007", "1" stays "1"


def test_embedded_json_ld_is_compact_and_safe_in_a_script(server):
    html = get(server, "/page/organisation/bnn", headers=HTML).text
    script = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    assert "<" not in script and ">" not in script and "&" not in script  # no </script> nor <!-- inside
    doc = json.loads(script)
    assert doc["@context"]["id"] == B + "id/" and doc["@graph"][0]["@id"] == "id:organisation/bnn"
    page = rdflib.Graph().parse(data=script, format="json-ld")
    turtle = rdflib.Graph().parse(data=get(server, "/data/organisation/bnn.ttl").content, format="turtle")
    # The page leaves out the incoming links (the data document has them).
    for s, p, _o in list(turtle.triples((None, None, BNN))):
        if s != BNN:
            turtle.remove((s, p, BNN))
    # ... and the data document's description of itself (licence, version, snapshot).
    turtle.remove((URIRef(B + "data/organisation/bnn"), None, None))
    assert isomorphic(page, turtle)
    hostile = {"@context": {}, "v": "</script><!-- a & b -->"}
    escaped = str(linkeddata._script_json(json.dumps(hostile)))
    assert "<" not in escaped and json.loads(escaped) == hostile


def test_skolem_nodes_dereference(server, kg):
    genids = sorted(
        {
            s
            for s in kg.subjects()
            if isinstance(s, URIRef) and "/.well-known/genid/" in str(s) and (s, RDF.type, None) in kg
        }
    )
    assert genids, "the build has typed skolemized nodes (e.g. the SHACL report's results)"
    node = genids[0]
    path = str(node)[len(B) :]
    resp = get(server, "/" + path, headers=HTML)
    assert resp.status_code == 303
    page = requests.get(urljoin(server.url("/" + path), resp.headers["Location"]), headers=HTML, timeout=30)
    assert page.status_code == 200
    data = rdflib.Graph().parse(data=get(server, f"/data/{path}.ttl").content, format="turtle")
    assert outgoing(data, node) == outgoing(kg, node)


def test_named_graph_iri_leads_to_its_source_document(server, kg):
    resp = get(server, "/graph/nainggolan-2024")
    assert resp.status_code == 303
    assert resp.headers["Location"].endswith("/page/source/nainggolan-2024")
    assert get(server, "/graph/no-such-graph").status_code == 404


# Public base: follow your nose ------------------------------------------------------------------
def test_rdflib_follows_its_nose_under_the_public_base(public_server, kg):
    public = public_server.base + "/"
    iri = public + "id/organisation/bnn"
    g = rdflib.Graph()
    g.parse(iri)  # 303 → RDF chosen from rdflib's own Accept header
    me = URIRef(iri)
    expected = {(to_public(p, public), to_public(o, public)) for p, o in outgoing(kg, BNN)}
    assert outgoing(g, me) == expected
    assert {(to_public(s, public), to_public(p, public)) for s, p in incoming(kg, BNN)} <= incoming(g, me)
    assert (me, RDFS.label, Literal("National Narcotics Board", lang="en")) in g
    # every IRI minted under the canonical base is served under the public one
    assert not any(str(t).startswith(B) for triple in g for t in triple)
    # ... and resolves on this server: follow org:subOrganizationOf to Indonesia
    parent = URIRef(public + "id/state/IDN")
    assert (me, URIRef("http://www.w3.org/ns/org#subOrganizationOf"), parent) in g
    g2 = rdflib.Graph().parse(str(parent))
    assert (parent, RDFS.label, Literal("Indonesia", lang="en")) in g2


def test_json_ld_under_the_public_base(public_server):
    iri = public_server.base + "/id/agreement/mou-indonesia-fiji-2015"
    g = rdflib.Graph().parse(iri, format="json-ld")
    assert (URIRef(iri), NKG_public(public_server).party, URIRef(public_server.base + "/id/organisation/bnn")) in g


def test_json_ld_context_follows_the_public_base(public_server):
    public = public_server.base + "/"
    doc = get(public_server, "/data/organisation/bnn.jsonld").json()
    assert doc["@context"]["id"] == public + "id/" and doc["@context"]["nkg"] == public + "ontology#"
    assert doc["@graph"][0]["@id"] == "id:organisation/bnn"


def NKG_public(srv):
    return rdflib.Namespace(srv.base + "/ontology#")


def test_public_base_in_html_too(public_server, server):
    public = public_server.base + "/"
    html = requests.get(public_server.url("/page/organisation/bnn"), headers=HTML, timeout=30).text
    assert public + "id/organisation/bnn" in html
    assert f'href="{public}id/state/IDN"' in html
    assert B + "id/" not in html
    # without a public base: canonical IRIs shown, links stay local
    local = get(server, "/page/organisation/bnn", headers=HTML).text
    assert B + "id/organisation/bnn" in local
    assert 'href="/page/state/IDN"' in local


def test_public_base_ontology_and_dumps(public_server):
    public = public_server.base + "/"
    g = rdflib.Graph().parse(public + "ontology")
    assert (URIRef(public + "ontology"), RDF.type, OWL.Ontology) in g
    dump = requests.get(public_server.url("/download/" + snapshot.NQ), timeout=60).text
    assert "<" + public + "id/organisation/bnn>" in dump
    assert "<" + B not in dump


# Errors and path safety ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "path",
    [
        "/id/organisation/no-such-body",
        "/page/organisation/no-such-body",
        "/data/organisation/no-such-body.ttl",
        "/data/organisation/no-such-body",
        "/id/kind-that-does-not-exist/x",
        "/.well-known/genid/0000000000000000",
    ],
)
def test_unknown_iris_are_404(server, path):
    resp = get(server, path, headers=HTML)
    assert resp.status_code == 404
    assert resp.headers["Content-Type"].startswith("text/html")
    assert "404" in h1(resp.text)
    plain = get(server, path, headers={"Accept": "text/turtle"})
    assert plain.status_code == 404 and plain.text.strip()


@pytest.mark.parametrize(
    "path",
    [
        "/id/state/IDN%00",
        "/id/a%20b",
        "/page/state/<IDN>",
        "/data/state/./IDN.ttl",
        '/id/state/"IDN"',
        "/page/" + "x/" * 300,
    ],
)
def test_malformed_paths_are_4xx(server, path):
    resp = rawhttp.request(server.base, "GET", path, headers=[("Accept", "text/html")])
    assert resp.status in (400, 404, 414), (path, resp.status)
    assert resp.body.strip()


TRAVERSALS = [
    "/id/../../../../etc/passwd",
    "/data/../../../../etc/passwd",
    "/data/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/page/..%2f..%2f..%2fetc%2fpasswd",
    "/data/..%2f..%2fpyproject.toml",
    "/data/....//....//pyproject.toml",
    "/download/../pyproject.toml",
    "/download/..%2fmanifest.json",
    "/download/%2e%2e%2fpyproject.toml",
    "/download/manifest.json",
    "/ontology.ttl/../../pyproject.toml",
    "/ontology.%2e%2e%2fpyproject.toml",
    "/shapes.../../../etc/passwd",
    "/data/state/IDN.ttl%00.html",
    "/.well-known/genid/..%2f..%2fetc%2fpasswd",
    "/download/narcokg.nq/../../pyproject.toml",
]


@pytest.mark.parametrize("target", TRAVERSALS)
def test_path_traversal_never_serves_files(server, target):
    resp = rawhttp.request(server.base, "GET", target)
    assert resp.status in (301, 302, 303, 307, 308, 400, 404), (target, resp.status)
    for secret in ("root:x:0:0", "[build-system]", '"inputs"', "[project]"):
        assert secret not in resp.text, target


# Conditional requests ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "path",
    [
        "/data/organisation/bnn.ttl",
        "/data/state/IDN.jsonld",
        "/ontology.ttl",
        "/download/" + snapshot.NQ,
        "/download/" + snapshot.VOID_FILE,
        "/page/state/IDN",
    ],
)
def test_conditional_get_gives_304(server, path):
    first = get(server, path, headers=HTML)
    assert first.status_code == 200
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert "max-age" in first.headers.get("Cache-Control", "")
    again = get(server, path, headers={**HTML, "If-None-Match": etag})
    assert again.status_code == 304 and not again.content
    assert get(server, path, headers={**HTML, "If-Modified-Since": modified}).status_code == 304
    assert get(server, path, headers={**HTML, "If-None-Match": '"not-the-etag"'}).status_code == 200


def test_download_lists_every_dump(server, built):
    html = get(server, "/download", headers=HTML).text
    for name in snapshot.DUMPS:
        assert f'href="/download/{name}"' in html
        resp = get(server, "/download/" + name)
        assert resp.status_code == 200
        assert resp.content == (built.out_dir / name).read_bytes()
    assert get(server, "/download/no-such-file.nq").status_code == 404


# Entity pages ---------------------------------------------------------------------------------------
def h1(html: str) -> str:
    m = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S)
    assert m, "page has an <h1>"
    return unescape(re.sub(r"<[^>]+>", "", m.group(1))).strip()


def test_entity_title_follows_the_language(server, kg):
    assert h1(get(server, "/page/organisation/bnn", headers=HTML).text) == label_of(kg, BNN, "en")
    assert h1(get(server, "/page/organisation/bnn?lang=id", headers=HTML).text) == label_of(kg, BNN, "id")
    by_header = get(server, "/page/organisation/bnn", headers={**HTML, "Accept-Language": "id-ID,id;q=0.9,en;q=0.5"})
    assert h1(by_header.text) == label_of(kg, BNN, "id")
    assert '<html lang="id">' in by_header.text
    assert "Accept-Language" in by_header.headers["Vary"]


def test_entity_page_shows_properties_with_human_labels(server, kg):
    html = unescape(get(server, "/page/agreement/mou-indonesia-fiji-2015", headers=HTML).text)
    for p in set(kg.predicates(MOU, None)):
        if str(p).startswith(str(NKG)) and p not in (NKG.evidence, NKG.sourceLocation):
            assert label_of(kg, p, "en") in html, p
    for party in kg.objects(MOU, NKG.party):
        assert label_of(kg, party, "en") in html
    for ev in kg.objects(MOU, NKG.signing):
        for date in kg.objects(ev, NKG.date):
            assert str(date) in html
        for place in kg.objects(ev, NKG.place):
            assert label_of(kg, place, "en") in html


def test_entity_page_cites_its_source_documents_and_evidence(server, built, kg):
    html = unescape(get(server, "/page/agreement/mou-indonesia-fiji-2015", headers=HTML).text)
    cited = 0
    for ctx in built.dataset.graphs():
        graph = str(ctx.identifier)
        if (MOU, None, None) not in ctx or not graph.startswith(B + "graph/"):
            continue
        doc = URIRef(B + "id/source/" + graph.rsplit("/", 1)[-1])
        if (doc, None, None) in kg:
            assert label_of(kg, doc, "en") in html
            assert 'href="/page/source/' + graph.rsplit("/", 1)[-1] + '"' in html
            cited += 1
        for quote in ctx.objects(MOU, NKG.evidence):
            assert str(quote) in html
    assert cited, "the MoU comes from at least one source document"
    assert re.search(r'<sup class="cite"><a href="#source-1"', html)


def test_incoming_links_grouped_by_property(server, kg):
    html = unescape(get(server, "/page/state/IDN", headers=HTML).text)
    section = html.split('id="incoming-title"', 1)[1]
    props = {p for _, p in incoming(kg, IDN)}
    for p in props:
        if (p, RDFS.label, None) in kg:
            assert label_of(kg, p, "en") in section, p


def test_source_conflicts_are_shown_as_such(server, kg):
    subjects = sorted(set(kg.subjects(NKG.hasSourceConflict, None)))
    assert subjects, "the build annotates its source conflicts"
    for s in subjects[:5]:
        path = str(s)[len(B + "id/") :]
        html = unescape(get(server, "/page/" + path, headers=HTML).text)
        box = html.split('class="conflict-box"', 1)
        assert len(box) == 2, s
        for c in kg.objects(s, NKG.hasSourceConflict):
            assert label_of(kg, c, "en") in box[1]
            comments = [str(o) for o in kg.objects(c, RDFS.comment) if o.language in ("en", None)]
            assert any(text in box[1] for text in comments)


def test_dataset_page_has_table_and_chart(server, kg):
    html = get(server, "/page/dataset/drug-cases-2018-2023", headers=HTML).text
    observations = set(kg.subjects(QB.dataSet, DATASET))
    assert len(observations) >= 6
    chart = re.search(r"<svg[^>]*class=\"chart\".*?</svg>", html, re.S)
    assert chart and 'role="img"' in chart.group(0) and "<title" in chart.group(0)
    table = html.split('class="data-table"', 1)[1].split("</table>", 1)[0]
    for obs in observations:
        assert 'href="/page/' + str(obs)[len(B + "id/") :] + '"' in table
        for n in kg.objects(obs, NKG.caseCount):
            assert f"{int(n):,}" in table


def test_observation_links_to_its_dataset(server):
    html = get(server, "/page/observation/drug-cases-2018", headers=HTML).text
    part = html.split('class="part-of"', 1)
    assert len(part) == 2 and 'href="/page/dataset/drug-cases-2018-2023"' in part[1].split("</p>", 1)[0]


def test_embedded_json_ld_describes_the_entity(server, kg):
    html = get(server, "/page/organisation/bnn", headers=HTML).text
    m = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert m
    g = rdflib.Graph().parse(data=m.group(1), format="json-ld")
    assert outgoing(g, BNN) == outgoing(kg, BNN)


# Ontology and shapes --------------------------------------------------------------------------------
def named(terms):
    return sorted(t for t in terms if isinstance(t, URIRef) and "/.well-known/genid/" not in str(t))


def test_ontology_docs_list_every_class_and_property(server, built):
    onto = built.dataset.graph(URIRef(B + "graph/ontology"))
    html = get(server, "/ontology", headers=HTML).text
    assert get(server, "/ontology", headers=HTML).headers["Content-Type"].startswith("text/html")
    classes = named(onto.subjects(RDF.type, OWL.Class))
    assert len(classes) > 3
    for c in classes:
        assert f"<code>{c}</code>" in html, c
        if str(c).startswith(str(NKG)):
            local = str(c)[len(str(NKG)) :]
            assert f'id="{local}"' in html, c
            assert label_of(onto, c, "en") in unescape(html)
            ids = [str(o) for o in onto.objects(c, RDFS.label) if o.language == "id"]
            assert all(text in unescape(html) for text in ids)
    for kind in (OWL.ObjectProperty, OWL.DatatypeProperty):
        for p in named(onto.subjects(RDF.type, kind)):
            assert f"<code>{p}</code>" in html, p


def test_ontology_shows_hierarchy_domain_range_and_alignments(server, built):
    onto = built.dataset.graph(URIRef(B + "graph/ontology"))
    html = get(server, "/ontology", headers=HTML).text
    section = html.split('id="State"', 1)[1].split('<section class="term"', 1)[0]
    for sup in onto.objects(NKG.State, RDFS.subClassOf):
        if str(sup).startswith(str(NKG)):
            assert f'href="#{str(sup)[len(str(NKG)) :]}"' in section
        else:
            assert f'href="{sup}"' in section
    party = html.split('id="party"', 1)[1].split('<section class="term"', 1)[0]
    for o in list(onto.objects(NKG.party, RDFS.domain)) + list(onto.objects(NKG.party, RDFS.range)):
        assert f'href="#{str(o)[len(str(NKG)) :]}"' in party
    assert 'id="sec-alignments"' in html and 'id="sec-hierarchy"' in html


@pytest.mark.parametrize(
    "accept,fmt",
    [
        ("text/turtle", "turtle"),
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
        ("application/n-triples", "nt"),
    ],
)
def test_ontology_negotiates_rdf(server, built, accept, fmt):
    resp = get(server, "/ontology", headers={"Accept": accept})
    assert resp.status_code == 200 and resp.headers["Content-Type"].startswith(accept)
    g = rdflib.Graph().parse(data=resp.content, format=fmt)
    assert set(g) == set(built.dataset.graph(URIRef(B + "graph/ontology")))
    ext = {"turtle": "ttl", "json-ld": "jsonld", "xml": "rdf", "nt": "nt"}[fmt]
    assert set(rdflib.Graph().parse(data=get(server, f"/ontology.{ext}").content, format=fmt)) == set(g)


def test_shapes_docs_and_rdf(server, built):
    shapes = built.dataset.graph(URIRef(B + "graph/shapes"))
    html = get(server, "/shapes", headers=HTML).text
    SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    node_shapes = named(shapes.subjects(RDF.type, SH.NodeShape))
    assert node_shapes
    for s in node_shapes:
        assert f'id="{str(s).rsplit("#", 1)[-1]}"' in html, s
        for target in shapes.objects(s, SH.targetClass):
            assert str(target) in html
    g = rdflib.Graph().parse(data=get(server, "/shapes", headers={"Accept": "text/turtle"}).content, format="turtle")
    assert set(g) == set(shapes)


# Browse and search -------------------------------------------------------------------------------
def test_browse_counts_instances(server, built):
    counts = {}
    for ctx in built.dataset.graphs():
        if str(ctx.identifier) in NOT_DATA:
            continue
        for s, c in ctx.subject_objects(RDF.type):
            counts.setdefault(c, set()).add(s)
    html = unescape(get(server, "/browse", headers=HTML).text)
    for cls in (NKG.State, NKG.GovernmentAgency, QB.DataSet):
        n = len(counts.get(cls, ()))
        assert n
        slug = str(cls)[len(str(NKG)) :] if str(cls).startswith(str(NKG)) else "qb:DataSet"
        assert re.search(
            rf'href="/browse/{re.escape(slug)}">(?:(?!</tr>).)*?</a></th><td class="num">{n}</td>', html
        ), cls


def test_browse_class_lists_instances_with_pagination(server, kg):
    html = unescape(get(server, "/browse/State", headers=HTML).text)
    assert 'href="/page/state/IDN"' in html
    html = unescape(get(server, "/browse/qb:DataSet", headers=HTML).text)
    assert 'href="/page/dataset/drug-cases-2018-2023"' in html
    assert get(server, "/browse/State?page=0", headers=HTML).status_code == 400
    assert get(server, "/browse/State?page=x", headers=HTML).status_code == 400
    assert get(server, "/browse/State?page=99999", headers=HTML).status_code == 404
    assert get(server, "/browse/NoSuchClass", headers=HTML).status_code == 404
    assert get(server, "/browse/zz:Foo", headers=HTML).status_code == 400


def strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


@pytest.mark.parametrize(
    "q",
    ["bnn", "BNN", "Badan narkotika", "badan NARKOTIKA nasional", "Bádàn Nârkötikä", "National Narcotics", "ｂｎｎ"],
)
def test_search_finds_bnn(server, q):
    html = get(server, "/search", params={"q": q}, headers=HTML).text
    assert 'href="/page/organisation/bnn"' in html, q
    data = get(server, "/search.json", params={"q": q}).json()
    assert B + "id/organisation/bnn" in [r["iri"] for r in data["results"]], q


def test_search_ranks_the_acronym_first_and_speaks_both_languages(server, kg):
    data = get(server, "/search.json", params={"q": "bnn"}).json()
    assert data["results"][0]["iri"] == str(BNN)
    assert data["results"][0]["label"] == label_of(kg, BNN, "en")
    html = get(server, "/search", params={"q": "bnn", "lang": "id"}, headers=HTML).text
    assert label_of(kg, BNN, "id") in unescape(html)


def test_search_matches_acronyms_of_the_graph(server, kg):
    """Acronyms (skos:altLabel), searched in lower case without accents, find their entity."""
    labelled = sorted(
        (s, o) for s, o in kg.subject_objects(SKOS.altLabel) if isinstance(s, URIRef) and str(s).startswith(B + "id/")
    )[:15]
    assert labelled
    for s, o in labelled:
        html = get(server, "/search", params={"q": strip_accents(str(o)).lower()}, headers=HTML).text
        assert 'href="/page/' + str(s)[len(B + "id/") :] + '"' in html, (s, o)


def test_search_input_errors_and_escaping(server):
    assert get(server, "/search", params={"q": "x" * 201}, headers=HTML).status_code == 400
    assert get(server, "/search.json", params={"q": "x" * 201}).status_code == 400
    html = get(server, "/search", params={"q": "<script>alert(1)</script>"}, headers=HTML).text
    assert "<script>alert(1)" not in html and "&lt;script&gt;" in html
    empty = get(server, "/search.json", params={"q": ""}).json()
    assert empty["results"] == []


def test_search_finds_nothing_for_nonsense(server):
    data = get(server, "/search.json", params={"q": "qqqzzzxxx"}).json()
    assert data["total"] == 0 and data["results"] == []


def test_an_english_only_conflict_explanation_is_marked_on_an_indonesian_page(server):
    """The explanation of a source conflict exists in English only: an Indonesian page shows it
    with the "only in English" badge, an English page without."""
    path = "/page/observation/drug-cases-2019"
    indonesian = requests.get(server.url(path), params={"lang": "id"}, timeout=30)
    english = requests.get(server.url(path), params={"lang": "en"}, timeout=30)
    assert indonesian.status_code == english.status_code == 200
    box = indonesian.text.split('aria-labelledby="conflicts-title"', 1)[1].split("</section>", 1)[0]
    assert '<span lang="en">' in box and 'class="only-lang"' in box
    english_box = english.text.split('aria-labelledby="conflicts-title"', 1)[1].split("</section>", 1)[0]
    assert 'class="only-lang"' not in english_box
