"""What third-party clients need from every route (issue 16), against the real server: CORS on
every answer, quad documents whose default graph is the resource's description, compression
with per-encoding ETags, cacheable Service Description and VoID, helpful 406s, and Triple
Pattern Fragments."""

from __future__ import annotations

import gzip

import pyoxigraph as ox
import pytest
import requests
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic

B = "https://w3id.org/narcokg/"
IDN = B + "id/state/IDN"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
HYDRA = "http://www.w3.org/ns/hydra/core#"
VOID = "http://rdfs.org/ns/void#"
ORIGIN = {"Origin": "https://client.example"}
EXPOSED = {"etag", "link", "location", "content-location", "server-timing"}


# CORS --------------------------------------------------------------------------------------

ROUTES = [
    ("/id/state/IDN", {"Accept": "text/turtle"}, 303),
    ("/id/state/IDN", {"Accept": "text/html"}, 303),
    ("/data/state/IDN.ttl", {}, 200),
    ("/data/state/IDN", {"Accept": "application/n-quads"}, 200),
    ("/page/state/IDN", {}, 200),
    ("/ontology", {"Accept": "text/turtle"}, 200),
    ("/shapes.ttl", {}, 200),
    ("/shacl", {}, 200),
    ("/search.json?q=bnn", {}, 200),
    ("/health", {}, 200),
    ("/graph/ontology", {}, 303),
    ("/download", {}, 200),
    ("/download/narcokg.nq", {}, 200),
    ("/void", {}, 200),
    ("/.well-known/void", {}, 200),
    ("/sparql", {"Accept": "text/turtle"}, 200),
    ("/sparql?query=ASK%7B%7D", {}, 200),
    ("/fragments", {}, 200),
    ("/no/such/route", {}, 404),
    ("/id/state/NOPE", {"Accept": "text/turtle"}, 404),
    ("/data/state/IDN.ttl", {"Accept": "text/turtle", "If-None-Match": "*"}, 304),
    ("/fragments?page=0", {}, 400),
    ("/sparql?query=SELECT%20WHERE", {}, 400),
    ("/id/state/IDN", {"Accept": "image/png"}, 406),
    ("/sparql?query=ASK%7B%7D&format=nonsense", {}, 400),
]


@pytest.mark.parametrize("path, headers, status", ROUTES)
def test_cors_on_every_answer(server, path, headers, status):
    resp = requests.get(server.url(path), headers={**ORIGIN, **headers}, allow_redirects=False, timeout=30)
    assert resp.status_code == status, resp.text[:300]
    assert resp.headers.get("Access-Control-Allow-Origin") == "*"
    exposed = {h.strip().lower() for h in resp.headers.get("Access-Control-Expose-Headers", "").split(",")}
    assert EXPOSED <= exposed


def test_cors_on_a_refused_method_and_a_post(server):
    resp = requests.delete(server.url("/sparql"), headers=ORIGIN, timeout=30)
    assert resp.status_code == 405 and resp.headers["Access-Control-Allow-Origin"] == "*"
    resp = requests.post(server.url("/sparql"), data={"query": "ASK {}"}, headers=ORIGIN, timeout=30)
    assert resp.status_code == 200 and resp.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize(
    "path",
    [
        "/id/state/IDN",
        "/data/state/IDN.ttl",
        "/page/state/IDN",
        "/fragments",
        "/sparql",
        "/void",
        "/ontology",
        "/search.json",
        "/no/such/route",
    ],
)
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_preflight_on_every_route(server, path, method):
    resp = requests.options(
        server.url(path),
        headers={
            **ORIGIN,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": "accept, content-type, accept-language",
        },
        timeout=30,
    )
    assert resp.status_code == 204
    assert resp.headers["Access-Control-Allow-Origin"] == "*"
    assert {"GET", "HEAD", "POST"} <= {m.strip() for m in resp.headers["Access-Control-Allow-Methods"].split(",")}
    allowed = {h.strip().lower() for h in resp.headers["Access-Control-Allow-Headers"].split(",")}
    assert {"accept", "content-type", "accept-language"} <= allowed
    assert int(resp.headers["Access-Control-Max-Age"]) > 0


def test_preflight_never_echoes_request_headers(server):
    resp = requests.options(
        server.url("/sparql"),
        headers={**ORIGIN, "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "x-evil"},
        timeout=30,
    )
    assert "x-evil" not in resp.headers["Access-Control-Allow-Headers"].lower()


def test_cors_headers_are_not_duplicated(server):
    resp = requests.get(server.url("/sparql"), params={"query": "ASK {}"}, headers=ORIGIN, timeout=30)
    raw = resp.raw.headers.getlist("Access-Control-Allow-Origin")
    assert raw == ["*"]


# Quad documents keep the default graph ------------------------------------------------------


def _dataset(data: bytes, fmt: str) -> Dataset:
    ds = Dataset(default_union=False)
    ds.parse(data=data, format=fmt)
    return ds


@pytest.mark.parametrize("ext, fmt", [("nq", "nquads"), ("trig", "trig")])
@pytest.mark.parametrize("path", ["state/IDN", "organisation/bnn", "agreement/mou-indonesia-fiji-2015"])
def test_quad_documents_default_graph_equals_turtle(server, path, ext, fmt):
    ttl = requests.get(server.url(f"/data/{path}.ttl"), timeout=30)
    quads = requests.get(server.url(f"/data/{path}.{ext}"), timeout=30)
    assert ttl.status_code == quads.status_code == 200
    expected = Graph().parse(data=ttl.content, format="turtle")
    ds = _dataset(quads.content, fmt)
    default = Graph()
    for t in ds.default_graph:
        default.add(t)
    assert len(default) == len(expected) > 0
    assert isomorphic(default, expected)
    named = [g for g in ds.graphs() if g.identifier != ds.default_graph.identifier and len(g)]
    assert named, "the per-source named graphs are kept"
    union = Graph()
    for g in named:
        for t in g:
            union.add(t)
    # Every statement is also in the graph it comes from, but the document's own description
    # (foaf:primaryTopic, licence, version), which is about the document, not from a source.
    about_document = URIRef(B + f"data/{path}")
    statements = Graph()
    for t in expected:
        if t[0] != about_document:
            statements.add(t)
    assert len(statements) < len(expected)
    assert isomorphic(union, statements)
    assert all(str(g.identifier).startswith(B + "graph/") for g in named)


def test_quad_documents_with_pyoxigraph(server):
    resp = requests.get(server.url("/data/state/IDN.nq"), timeout=30)
    quads = list(ox.parse(resp.content, format=ox.RdfFormat.N_QUADS))
    default = {q.triple for q in quads if q.graph_name == ox.DefaultGraph()}
    named = {q.triple for q in quads if q.graph_name != ox.DefaultGraph()}
    ttl = requests.get(server.url("/data/state/IDN.ttl"), timeout=30)
    assert default == {q.triple for q in ox.parse(ttl.content, format=ox.RdfFormat.TURTLE)}
    document = ox.NamedNode(B + "data/state/IDN")  # the document's own description has no source graph
    assert named == {t for t in default if t.subject != document} != default


def test_dereferencing_for_n_quads_leads_to_the_quad_document(server):
    resp = requests.get(
        server.url("/id/state/IDN"), headers={"Accept": "application/n-quads"}, allow_redirects=False, timeout=30
    )
    assert resp.status_code == 303
    assert resp.headers["Location"].endswith("/data/state/IDN.nq")
    doc = requests.get(server.url("/id/state/IDN"), headers={"Accept": "application/n-quads"}, timeout=30)
    default = [q for q in ox.parse(doc.content, format=ox.RdfFormat.N_QUADS) if q.graph_name == ox.DefaultGraph()]
    assert any(q.subject.value == IDN for q in default)


# Compression ---------------------------------------------------------------------------------

BIG = [
    ("/data/state/IDN.ttl", {}),
    ("/page/state/IDN", {}),
    ("/ontology.ttl", {}),
    ("/fragments", {"Accept": "text/turtle"}),
    (
        "/sparql?query=SELECT%20*%20%7B%3Fs%20%3Fp%20%3Fo%7D%20LIMIT%20200",
        {"Accept": "application/sparql-results+json"},
    ),
]


@pytest.mark.parametrize("path, headers", BIG)
def test_gzip_for_large_text_answers(server, path, headers):
    plain = requests.get(server.url(path), headers={**headers, "Accept-Encoding": "identity"}, timeout=30)
    packed = requests.get(server.url(path), headers={**headers, "Accept-Encoding": "gzip"}, stream=True, timeout=30)
    raw = packed.raw.read(decode_content=False)
    assert plain.status_code == packed.status_code == 200
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(raw) == plain.content
    assert len(raw) < len(plain.content)
    assert int(packed.headers["Content-Length"]) == len(raw)
    for resp in (plain, packed):
        assert "accept-encoding" in resp.headers["Vary"].lower()
    etag = plain.headers.get("ETag")
    if etag:  # one strong tag per encoding
        assert not etag.startswith("W/")
        assert packed.headers["ETag"] == etag[:-1] + '-gzip"'


#: Headers that describe the representation: a HEAD must give GET's.
REPRESENTATION = ("Content-Type", "Content-Encoding", "Content-Length", "ETag", "Vary")


@pytest.mark.parametrize("encoding", ["gzip", "identity"])
@pytest.mark.parametrize("path, headers", BIG)
def test_head_gives_the_head_of_get(server, path, headers, encoding):
    """Regression: HEAD passed by the compression and answered the identity copy's Content-Length,
    ETag and Vary to a gzip client, so a HEAD revalidation disagreed with GET's (304 for the
    identity tag where GET says 200, and the other way round)."""
    asked = {**headers, "Accept-Encoding": encoding}
    get = requests.get(server.url(path), headers=asked, stream=True, timeout=30)
    head = requests.head(server.url(path), headers=asked, timeout=30)
    get.close()
    assert head.status_code == get.status_code == 200
    assert {h: head.headers.get(h) for h in REPRESENTATION} == {h: get.headers.get(h) for h in REPRESENTATION}
    plain = requests.get(server.url(path), headers={**headers, "Accept-Encoding": "identity"}, timeout=30)
    for tag in {plain.headers.get("ETag"), get.headers.get("ETag")} - {None}:
        conditional = {**asked, "If-None-Match": tag}
        assert (
            requests.head(server.url(path), headers=conditional, timeout=30).status_code
            == requests.get(server.url(path), headers=conditional, timeout=30).status_code
        ), tag


def test_small_answers_are_not_compressed(server):
    resp = requests.get(server.url("/health"), headers={"Accept-Encoding": "gzip"}, timeout=30)
    assert "Content-Encoding" not in resp.headers


@pytest.mark.parametrize("path, headers", BIG[:4])
def test_revalidation_per_encoding(server, path, headers):
    plain = requests.get(server.url(path), headers={**headers, "Accept-Encoding": "identity"}, timeout=30)
    packed = requests.get(server.url(path), headers={**headers, "Accept-Encoding": "gzip"}, timeout=30)
    for etag, encoding in ((packed.headers["ETag"], "gzip"), (plain.headers["ETag"], "identity")):
        again = requests.get(
            server.url(path), headers={**headers, "Accept-Encoding": encoding, "If-None-Match": etag}, timeout=30
        )
        assert again.status_code == 304, (encoding, etag)
        assert again.headers["ETag"] == etag
    # the identity tag does not validate a gzip answer, nor the other way round
    cross = requests.get(
        server.url(path),
        headers={**headers, "Accept-Encoding": "gzip", "If-None-Match": plain.headers["ETag"]},
        timeout=30,
    )
    assert cross.status_code == 200 and cross.headers["ETag"] == packed.headers["ETag"]
    cross = requests.get(
        server.url(path),
        headers={**headers, "Accept-Encoding": "identity", "If-None-Match": packed.headers["ETag"]},
        timeout=30,
    )
    assert cross.status_code == 200 and cross.headers["ETag"] == plain.headers["ETag"]


#: Answers that revalidate with 304, from every route that makes one, large and small.
REVALIDATED = [
    ("/sparql?query=SELECT%20*%20%7B%3Fs%20%3Fp%20%3Fo%7D%20LIMIT%2050", {"Accept": "application/sparql-results+json"}),
    ("/sparql?query=ASK%7B%7D", {}),  # under the compression's threshold: never gzipped, still varies
    ("/sparql", {"Accept": "text/turtle"}),
    ("/data/state/IDN.ttl", {}),
    ("/page/state/IDN", {}),
    ("/ontology", {}),
    ("/void", {}),
    ("/browse", {}),
    ("/search?q=bnn", {}),
    ("/sparql/terms.json", {}),
    ("/fragments", {"Accept": "text/turtle"}),
    ("/download/narcokg.nq", {}),
    ("/static/style.css", {}),
]
#: What a 304 must carry when its 200 does (RFC 9110 §15.4.5).
REVALIDATION_HEADERS = ("Vary", "Cache-Control", "ETag", "Content-Location", "Expires")


@pytest.mark.parametrize("encoding", ["identity", "gzip", None])
@pytest.mark.parametrize("path, headers", REVALIDATED)
def test_a_304_carries_the_vary_cache_control_and_etag_of_its_200(server, path, headers, encoding):
    """Regression: a 304 to a client that does not accept gzip (no Accept-Encoding, or identity)
    lacked the ``Vary: Accept-Encoding`` its 200 carries, on every route: a cache that updated
    its stored 200 from the 304 dropped the Vary and could serve that copy to a gzip client."""
    asked = {**headers, "Accept-Encoding": encoding}  # None: requests sends no Accept-Encoding
    first = requests.get(server.url(path), headers=asked, timeout=30)
    assert first.status_code == 200 and first.headers.get("ETag"), first.text[:300]
    conditional = {**asked, "If-None-Match": first.headers["ETag"]}
    for method in ("GET", "HEAD"):
        again = requests.request(method, server.url(path), headers=conditional, timeout=30)
        assert again.status_code == 304, (method, again.text[:300])
        assert {h: again.headers.get(h) for h in REVALIDATION_HEADERS} == {
            h: first.headers.get(h) for h in REVALIDATION_HEADERS
        }, method


@pytest.mark.parametrize("encoding", ["identity", "gzip"])
@pytest.mark.parametrize("path, headers", REVALIDATED)
def test_if_match_holds_for_the_etag_the_client_was_given_and_for_star(server, path, headers, encoding):
    """Regression (werkzeug's make_conditional): ``If-Match: *`` was 412 for a resource that
    exists, a gzip client's own ETag ("…-gzip") was 412, a 412 carried the whole representation
    as its body, and /sparql ignored If-Match (200 for any tag)."""
    asked = {**headers, "Accept-Encoding": encoding}
    first = requests.get(server.url(path), headers=asked, timeout=30)
    etag = first.headers["ETag"]
    for method in ("GET", "HEAD"):
        for tag in (etag, "*", f'"other", {etag}'):
            resp = requests.request(method, server.url(path), headers={**asked, "If-Match": tag}, timeout=30)
            assert resp.status_code == 200, (method, tag, resp.text[:300])
        refused = requests.request(method, server.url(path), headers={**asked, "If-Match": '"other"'}, timeout=30)
        assert refused.status_code == 412, (method, refused.text[:300])
        assert refused.headers["Content-Type"] == "text/plain; charset=utf-8" and refused.headers["ETag"] == etag
    said = requests.get(server.url(path), headers={**asked, "If-Match": "W/" + etag}, timeout=30).text
    assert (
        said
        == f"412 Precondition Failed: If-Match W/{etag} is not the current ETag of {path.split('?')[0]}, {etag}: GET it again without If-Match\n"
    )


def test_if_unmodified_since_a_date_before_the_last_modification_is_412(server):
    """Regression: If-Unmodified-Since was ignored (200 whatever the date)."""
    url = server.url("/data/state/IDN.ttl")
    modified = requests.get(url, timeout=30).headers["Last-Modified"]
    assert requests.get(url, headers={"If-Unmodified-Since": modified}, timeout=30).status_code == 200
    assert requests.get(url, headers={"If-Unmodified-Since": "garbage"}, timeout=30).status_code == 200
    old = requests.get(url, headers={"If-Unmodified-Since": "Mon, 01 Jan 1990 00:00:00 GMT"}, timeout=30)
    assert old.status_code == 412 and f"was last modified {modified}, after If-Unmodified-Since" in old.text


def test_build_writes_precompressed_dumps(built):
    for name in ("narcokg.nq", "narcokg.trig"):
        packed = built.out_dir / (name + ".gz")
        assert gzip.decompress(packed.read_bytes()) == (built.out_dir / name).read_bytes()


def test_dump_served_precompressed(server, built):
    url = server.url("/download/narcokg.nq")
    resp = requests.get(url, headers={"Accept-Encoding": "gzip"}, stream=True, timeout=30)
    raw = resp.raw.read(decode_content=False)
    assert resp.headers["Content-Encoding"] == "gzip"
    assert raw == (built.out_dir / "narcokg.nq.gz").read_bytes()
    assert "accept-encoding" in resp.headers["Vary"].lower()
    plain = requests.get(url, headers={"Accept-Encoding": "identity"}, timeout=30)
    assert "Content-Encoding" not in plain.headers
    assert plain.content == (built.out_dir / "narcokg.nq").read_bytes()
    assert resp.headers["ETag"] == plain.headers["ETag"][:-1] + '-gzip"'
    again = requests.get(url, headers={"Accept-Encoding": "gzip", "If-None-Match": resp.headers["ETag"]}, timeout=30)
    assert again.status_code == 304


# Service Description and VoID -------------------------------------------------------------------


@pytest.mark.parametrize(
    "path, accept",
    [
        ("/sparql", "text/turtle"),
        ("/sparql", "application/ld+json"),
        ("/void", "text/turtle"),
        ("/.well-known/void", "application/n-triples"),
    ],
)
def test_service_description_and_void_revalidate(server, path, accept):
    first = requests.get(server.url(path), headers={"Accept": accept, "Accept-Encoding": "identity"}, timeout=30)
    etag = first.headers["ETag"]
    assert first.status_code == 200 and etag.startswith('"')
    again = requests.get(
        server.url(path), headers={"Accept": accept, "If-None-Match": etag, "Accept-Encoding": "identity"}, timeout=30
    )
    assert again.status_code == 304 and again.content == b""
    other = requests.get(
        server.url(path),
        headers={"Accept": "application/rdf+xml", "If-None-Match": etag, "Accept-Encoding": "identity"},
        timeout=30,
    )
    assert other.status_code == 200


# 406 -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query, accept, named, fmt",
    [
        (
            "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1",
            "application/sparql-results+xml",
            ("text/turtle", "application/n-triples"),
            "turtle",
        ),
        ("SELECT * { ?s ?p ?o } LIMIT 1", "text/turtle", ("application/sparql-results+json",), "json"),
    ],
    ids=["construct", "select"],
)
def test_406_names_the_query_form_its_formats_and_the_format_parameter(server, query, accept, named, fmt):
    resp = requests.get(server.url("/sparql"), params={"query": query}, headers={"Accept": accept}, timeout=30)
    assert resp.status_code == 406
    for word in (query.split()[0], *named, "format="):
        assert word in resp.text, word
    ok = requests.get(
        server.url("/sparql"), params={"query": query, "format": fmt}, headers={"Accept": accept}, timeout=30
    )
    assert ok.status_code == 200


def test_cors_on_requests_the_http_server_refuses(server):
    """A malformed request never reaches the app; its 400 still carries the CORS headers."""
    import rawhttp

    answer = rawhttp.request(server.base, "GET", "/health", headers=[("Content-Length", "x")])
    assert answer.status == 400
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in answer.headers["Access-Control-Expose-Headers"]
