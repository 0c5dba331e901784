"""Fuzzing the running server with hypothesis: generated and mutated SPARQL, random bytes,
invalid UTF-8 and percent-encoding, huge and deeply nested queries, odd headers and methods,
over-long paths.

Property of every answer: no 5xx except a 503 that says which limit was hit, never a dropped
connection, and a body saying what is wrong on every 4xx. Bounded: a fixed number of examples
per test, against a server with short query and validation limits (about 2-3 minutes in all).
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rawhttp
from conftest import ROOT, start_server, stop_server


FUZZ = settings(
    deadline=None,
    database=None,  # nothing written into the working tree
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@pytest.fixture(scope="module")
def fuzz_server(built, tmp_path_factory):
    """A server with short limits, so explosive inputs cost seconds, and an ample fair-use budget."""
    srv = start_server(
        built.out_dir,
        tmp_path_factory.mktemp("fuzz"),
        env_extra={
            "NARCOKG_QUERY_TIMEOUT": "2",
            "NARCOKG_VALIDATE_TIMEOUT": "5",
            "NARCOKG_CLIENT_BUDGET_SECONDS": "100000",
        },
    )
    yield srv
    stop_server(srv)


def check(answer: rawhttp.Answer, method: str, what) -> None:
    """The property: no 5xx (but a 503 with a message), a non-empty explanation on every 4xx."""
    where = f"{method} {what!r:.300}: {answer.status} {answer.text[:300]!r}"
    assert answer.status < 500 or answer.status == 503, "server error: " + where
    if method != "HEAD" and answer.status >= 400:
        assert answer.body.strip(), "error without a message: " + where
    assert b"Traceback (most recent call last)" not in answer.body, where


def send(srv, method: str, target, headers=(), body: bytes | None = None) -> rawhttp.Answer:
    answer = rawhttp.request(srv.base, method, target, headers, body)
    check(answer, method, (target, headers, body[:200] if body else body))
    return answer


# --- SPARQL ---------------------------------------------------------------------------

SEEDS = [
    "SELECT * WHERE { ?s ?p ?o } LIMIT 5",
    "PREFIX nkg: <https://w3id.org/narcokg/ontology#>\nSELECT ?x WHERE { ?x a nkg:State } LIMIT 10",
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\nSELECT ?s ?l WHERE { ?s rdfs:label ?l FILTER(lang(?l) = 'en') } ORDER BY ?l LIMIT 20",
    "ASK { ?s ?p ?o }",
    "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 10",
    "DESCRIBE <https://w3id.org/narcokg/id/state/IDN>",
    "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
    "SELECT * WHERE { ?s ?p ?o OPTIONAL { ?o ?q ?r } } LIMIT 3",
    "SELECT * WHERE { { ?s a ?c } UNION { ?s ?p 1 } } LIMIT 3",
    "SELECT ?s WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    "SELECT * FROM <http://127.0.0.1:9/x> WHERE { ?s ?p ?o }",
    "INSERT DATA { <http://a/s> <http://a/p> <http://a/o> }",
    "LOAD <http://127.0.0.1:9/data.ttl>",
    'SELECT * WHERE { ?s ?p ?o FILTER(regex(str(?o), "^(a+)+$")) } LIMIT 2',
    "SELECT * WHERE { VALUES ?x { 1 2 3 } BIND(?x * 2 AS ?y) }",
    'SELECT ?x WHERE { BIND(STRLEN(CONCAT("a", "b")) AS ?x) }',
]
for rq in sorted((ROOT / "queries").glob("*.rq"))[:20]:
    SEEDS.append(rq.read_text(encoding="utf-8", errors="replace"))

TOKENS = [
    "{",
    "}",
    "(",
    ")",
    "<",
    ">",
    '"',
    "'",
    "?x",
    "*",
    ".",
    ";",
    ",",
    "SELECT",
    "WHERE",
    "FILTER",
    "OPTIONAL",
    "UNION",
    "GRAPH",
    "SERVICE",
    "FROM",
    "LOAD",
    "INSERT",
    "DELETE",
    "LIMIT -1",
    "OFFSET",
    "#",
    "\\",
    "\x00",
    "\u202e",
    "😀",
    "%",
    "^^",
    "@en",
    "a",
    "rdf:type",
    "<<",
    ">>",
    "\n",
    "BIND(",
    "VALUES",
]


@st.composite
def mutated_sparql(draw) -> str:
    text = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(0, 6))):
        pos = draw(st.integers(0, len(text)))
        op = draw(st.sampled_from(["insert", "delete", "token", "duplicate", "truncate"]))
        if op == "insert":
            text = text[:pos] + draw(st.text(max_size=8)) + text[pos:]
        elif op == "delete":
            text = text[:pos] + text[pos + draw(st.integers(1, 12)) :]
        elif op == "token":
            text = text[:pos] + " " + draw(st.sampled_from(TOKENS)) + " " + text[pos:]
        elif op == "duplicate":
            text = text[:pos] + text[pos : pos + draw(st.integers(1, 30))] * 2 + text[pos:]
        else:
            text = text[:pos]
    return text


sparql_text = st.one_of(mutated_sparql(), st.text(max_size=200), st.sampled_from(SEEDS))
ACCEPTS = st.sampled_from(
    [
        "*/*",
        "",
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/csv",
        "text/tab-separated-values",
        "text/turtle",
        "application/ld+json",
        "application/n-triples",
        "application/rdf+xml",
        "text/html",
        "image/png",
        "text/*;q=0.1, */*;q=0",
        "application/json;q=abc",
        "*/*;q=-1",
        "text/html;q=2",
        "a" * 300,
        ";;;,,,",
        "text/turtle; charset=latin-1, */*;q=0.5",
    ]
)


@settings(FUZZ, max_examples=300)
@given(query=sparql_text, accept=ACCEPTS, how=st.sampled_from(["get", "form", "direct"]))
def test_sparql_survives_mutated_queries(fuzz_server, query, accept, how):
    data = query.encode("utf-8", "surrogatepass")
    headers = [("Accept", accept)] if accept else []
    if how == "get":
        send(fuzz_server, "GET", "/sparql?query=" + quote(data, safe=""), headers)
    elif how == "form":
        body = b"query=" + quote(data, safe="").encode()
        send(fuzz_server, "POST", "/sparql", [*headers, ("Content-Type", "application/x-www-form-urlencoded")], body)
    else:
        send(fuzz_server, "POST", "/sparql", [*headers, ("Content-Type", "application/sparql-query")], data)


@settings(FUZZ, max_examples=80)
@given(
    body=st.binary(max_size=2000),
    content_type=st.sampled_from(
        [
            "application/sparql-query",
            "application/x-www-form-urlencoded",
            "application/sparql-update",
            "multipart/form-data",
            "multipart/form-data; boundary=xyz",
            "text/plain",
            "application/json",
            "",
            "application/sparql-query; charset=utf-16",
            "garbage/\x7f",
        ]
    ),
)
def test_sparql_survives_random_bytes(fuzz_server, body, content_type):
    headers = [("Content-Type", content_type)] if content_type else []
    send(fuzz_server, "POST", "/sparql", headers, body)


@pytest.mark.parametrize(
    "target",
    [
        "/sparql?query=%ff%fe%fd",
        "/sparql?query=%C0%AF",
        "/sparql?query=%",
        "/sparql?query=%zz%",
        "/sparql?query=%E2%82",
        "/sparql?query=SELECT%00*",
        "/sparql?query=%25%32%35",
        "/sparql?query=&query=ASK{}",
        "/sparql?default-graph-uri=%ff&query=ASK%7B%7D",
        "/sparql?named-graph-uri=not%20an%20iri&query=ASK%7B%7D",
        "/sparql?query=ASK%7B%7D&format=%ff",
        "/sparql?format=../../etc/passwd&query=ASK%7B%7D",
        "/search?q=%ff%fe",
        "/search?q=%",
        "/search?q=%00",
        "/page/%ff%fe",
        "/id/%ff",
        "/data/%ff.ttl",
        "/page/%00",
        "/id/state/%2e%2e",
        "/shacl?shape=%ff&severity=%",
        "/%ff%fe",
        "/static/%ff",
    ],
)
def test_invalid_percent_encoding_and_utf8_in_urls(fuzz_server, target):
    send(fuzz_server, "GET", target)


@pytest.mark.parametrize(
    "raw",
    [
        b"/page/\xff\xfe",
        b"/search?q=\xc3\x28",
        b"/sparql?query=\xed\xa0\x80",
        b"/id/\xf0\x28\x8c\x28",
        b"/data/\x80.ttl",
    ],
)
def test_raw_non_ascii_bytes_in_the_request_line(fuzz_server, raw):
    send(fuzz_server, "GET", raw)


@pytest.mark.parametrize("depth", [100, 1000, 5000])
def test_deeply_nested_queries(fuzz_server, depth):
    queries = [
        "SELECT * WHERE " + "{ " * depth + "?s ?p ?o" + " }" * depth,
        "SELECT * WHERE { ?s ?p ?o FILTER(" + "(" * depth + "1" + ")" * depth + ") } LIMIT 1",
        "SELECT * WHERE { ?s ?p ?o " + "OPTIONAL { ?s ?p ?o " * depth + "}" * depth + " } LIMIT 1",
        "ASK { ?s ?p " + "(" * depth + ")" * depth + " }",
        "SELECT (" + "1+" * depth + "1 AS ?x) {}",
    ]
    for q in queries:
        send(fuzz_server, "POST", "/sparql", [("Content-Type", "application/sparql-query")], q.encode())


@pytest.mark.parametrize("size", [70 * 1024, 1024 * 1024])
def test_huge_queries(fuzz_server, size):
    q = ("SELECT * WHERE { ?s ?p ?o } # " + "x" * size).encode()
    answer = send(fuzz_server, "POST", "/sparql", [("Content-Type", "application/sparql-query")], q)
    assert 400 <= answer.status < 500
    union = "SELECT * WHERE { " + " UNION ".join(["{ ?s ?p ?o }"] * (size // 20)) + " } LIMIT 1"
    send(fuzz_server, "POST", "/sparql", [("Content-Type", "application/sparql-query")], union.encode())


def test_explosive_query_is_stopped_with_a_message(fuzz_server):
    q = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    answer = send(fuzz_server, "POST", "/sparql", [("Content-Type", "application/sparql-query")], q.encode())
    # Stopped past the time limit (a 4xx or 503 naming the limit) or answered: never a 500 (check()).
    if answer.status != 200:
        assert "limit" in answer.text.lower() or "timeout" in answer.text.lower(), answer.text[:300]


# --- Linked data, search, pages -------------------------------------------------------

path_text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=60)


@settings(FUZZ, max_examples=300)
@given(
    prefix=st.sampled_from(
        [
            "/id/",
            "/page/",
            "/data/",
            "/search?q=",
            "/browse?class=",
            "/shacl?shape=",
            "/static/",
            "/download/",
            "/ontology#",
            "/",
            "/sparql?query=",
            "/sparql?query=ASK%7B%7D&default-graph-uri=",
            "/sparql?query=ASK%7B%7D&format=",
            "/sparql?query=SELECT%20*%7B%3Fs%20%3Fp%20%3Fo%7DLIMIT%201&named-graph-uri=",
            "/search?lang=",
            "/shacl?format=",
            "/page/state/IDN?lang=",
        ]
    ),
    tail=path_text,
    ext=st.sampled_from(["", ".ttl", ".jsonld", ".nt", ".rdf", ".html", ".exe", ".."]),
    accept=ACCEPTS,
    method=st.sampled_from(["GET", "HEAD"]),
)
def test_random_paths_and_parameters(fuzz_server, prefix, tail, ext, accept, method):
    target = prefix + quote((tail + ext).encode("utf-8"), safe="/?=&")
    send(fuzz_server, method, target, [("Accept", accept)] if accept else [])


@pytest.mark.parametrize("length", [600, 2000, 7000, 9000, 20000])
def test_over_long_paths(fuzz_server, length):
    for target in ("/page/" + "a" * length, "/id/" + "ab/" * (length // 3), "/search?q=" + "x" * length):
        answer = send(fuzz_server, "GET", target)
        if length > 8192:
            assert answer.status == 414, (target[:40], answer.status)


HEADER_VALUES = st.one_of(
    st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=120),
    st.sampled_from(
        [
            "",
            "text/html;q=0",
            "*/*;q=0",
            "application/sparql-results+json;q=0.0001",
            "text/turtle;;",
            "x" * 4000,
            "text/html, " * 200,
        ]
    ),
)


@settings(FUZZ, max_examples=80)
@given(
    path=st.sampled_from(
        [
            "/sparql?query=ASK%7B%7D",
            "/id/state/IDN",
            "/page/state/IDN",
            "/data/state/IDN",
            "/search?q=bnn",
            "/shacl",
            "/ontology",
            "/browse",
            "/download",
            "/",
        ]
    ),
    accept=HEADER_VALUES,
    language=HEADER_VALUES,
)
def test_odd_accept_headers(fuzz_server, path, accept, language):
    send(fuzz_server, "GET", path, [("Accept", accept), ("Accept-Language", language)])


# --- SHACL validate-your-data -----------------------------------------------------------

VALIDATE_TYPES = st.sampled_from(
    [
        "text/turtle",
        "application/n-triples",
        "application/ld+json",
        "application/rdf+xml",
        "application/json",
        "text/plain",
        "multipart/form-data",
        "multipart/form-data; boundary=zz",
        "application/x-www-form-urlencoded",
        "text/turtle; charset=utf-16",
        "image/png",
        "",
        "text/turtle\x7f",
    ]
)
RDF_SEEDS = [
    b"@prefix nkg: <https://w3id.org/narcokg/ontology#> .\n<http://a.example/s> a nkg:State .\n",
    b'<http://a.example/s> <http://www.w3.org/2000/01/rdf-schema#label> "x"@en .\n',
    b'{"@id": "http://a.example/s", "@type": "https://w3id.org/narcokg/ontology#State"}',
    b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b'<rdf:Description rdf:about="http://a.example/s"/></rdf:RDF>',
]


@st.composite
def rdf_bodies(draw) -> bytes:
    kind = draw(st.sampled_from(["seed", "mutated", "bytes", "nested"]))
    if kind == "bytes":
        return draw(st.binary(max_size=1500))
    if kind == "nested":
        depth = draw(st.integers(10, 3000))
        return draw(
            st.sampled_from(
                [
                    b"[" * depth + b"]" * depth,
                    b"<a> <b> " + b"(" * depth + b")" * depth + b" .",
                    b'{"a":' * depth + b"1" + b"}" * depth,
                ]
            )
        )
    data = draw(st.sampled_from(RDF_SEEDS))
    if kind == "mutated":
        for _ in range(draw(st.integers(1, 5))):
            pos = draw(st.integers(0, len(data)))
            data = data[:pos] + draw(st.binary(max_size=6)) + data[pos + draw(st.integers(0, 6)) :]
    return data


@settings(FUZZ, max_examples=80)
@given(
    body=rdf_bodies(),
    content_type=VALIDATE_TYPES,
    accept=st.sampled_from(["", "text/turtle", "application/ld+json", "text/html", "image/png", "*/*"]),
)
def test_shacl_validate_survives_any_body(fuzz_server, body, content_type, accept):
    headers = [("Content-Type", content_type)] if content_type else []
    if accept:
        headers.append(("Accept", accept))
    answer = send(fuzz_server, "POST", "/shacl/validate", headers, body)
    assert answer.status != 500


# --- Methods on every route ---------------------------------------------------------------

ROUTES = [
    "/",
    "/sparql",
    "/sparql?query=ASK%7B%7D",
    "/id/state/IDN",
    "/page/state/IDN",
    "/data/state/IDN.ttl",
    "/search?q=bnn",
    "/shacl",
    "/shacl/validate",
    "/ontology",
    "/shapes",
    "/browse",
    "/download",
    "/health",
    "/.well-known/void",
    "/static/style.css",
    "/no/such/route",
]
METHODS = ["HEAD", "OPTIONS", "PUT", "DELETE", "PATCH", "TRACE", "POST", "PROPFIND", "GETX"]


@pytest.mark.parametrize("route", ROUTES)
def test_odd_methods_on_every_route(fuzz_server, route):
    for method in METHODS:
        body = b"x=1" if method in ("PUT", "PATCH", "POST") else None
        answer = send(fuzz_server, method, route, [("Content-Type", "application/x-www-form-urlencoded")], body)
        if method in ("PUT", "DELETE", "PATCH", "TRACE", "PROPFIND", "GETX"):
            assert answer.status in (400, 404, 405), (method, route, answer.status)


def test_server_still_healthy_after_fuzzing(fuzz_server):
    answer = send(fuzz_server, "GET", "/health")
    assert answer.status == 200
