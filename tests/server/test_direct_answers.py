"""New bounded lookups answered by the HTTP worker directly (``web/direct.py``) are the app's own
answers: the same status, headers and bytes as a server that sends every request through Flask,
and anything the direct path is not sure of goes to the app, which decides and says why."""

from __future__ import annotations

import http.client
import socket
import time
from urllib.parse import quote, quote_plus, urlsplit

import pytest

from conftest import start_server, stop_server

ID = "https://w3id.org/narcokg/id/"
JSON = "application/sparql-results+json"
#: Headers that differ between any two answers (the time, and how each was made).
PER_ANSWER = {"date", "server-timing"}


@pytest.fixture(scope="module")
def servers(built, tmp_path_factory):
    """The same snapshot served twice, with direct answers and without."""
    tmp = tmp_path_factory.mktemp("direct")
    one = {"NARCOKG_WEB_WORKERS": "1"}
    direct = start_server(built.out_dir, tmp, env_extra=one)
    plain = start_server(built.out_dir, tmp, env_extra={**one, "NARCOKG_DIRECT_ANSWERS": "0"})
    yield direct, plain
    stop_server(direct)
    stop_server(plain)


class Client:
    """One kept-alive connection (so one HTTP worker and its templates)."""

    def __init__(self, server):
        self.conn = http.client.HTTPConnection(urlsplit(server.base).netloc, timeout=30)

    def get(self, target: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
        self.conn.request("GET", target, headers={k.replace("_", "-"): v for k, v in headers.items()})
        resp = self.conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()


def target(query: str, plus: bool = False) -> str:
    return "/sparql?query=" + (quote_plus(query) if plus else quote(query, safe=""))


def lookup(entity: str, limit: int = 4) -> str:
    return f"SELECT ?p ?o WHERE {{ <{ID}{entity}> ?p ?o }} LIMIT {limit}"


ENTITIES = ["organisation/bnn", "state/IDN", "state/MYS", "organisation/unodc", "state/THA", "organisation/polri"]


def _same(a, b) -> None:
    assert a[0] == b[0]
    assert {k: v for k, v in a[1].items() if k not in PER_ANSWER} == {
        k: v for k, v in b[1].items() if k not in PER_ANSWER
    }
    assert a[2] == b[2]


@pytest.mark.parametrize("accept", [JSON, "text/csv", "application/sparql-results+xml", None])
def test_a_new_lookup_is_answered_directly_with_the_app_s_answer(servers, accept):
    direct, plain = servers
    headers = {"Accept": accept} if accept else {}
    fast, slow = Client(direct), Client(plain)
    fast.get(target(lookup("organisation/bnn", 1)), **headers)  # the app's answer: the template
    answered = 0
    for i, entity in enumerate(ENTITIES):
        for limit in (2, 5):
            t = target(lookup(entity, limit), plus=bool(i % 2))
            a, b = fast.get(t, **headers), slow.get(t, **headers)
            assert a[0] == 200
            _same(a, b)
            answered += "direct answer" in a[1]["server-timing"]
            assert "direct" not in b[1]["server-timing"]
    assert answered >= 10, "the lookups after the first were answered directly"


HOSTILE = [
    target("INSERT DATA { <a:b> <a:c> <a:d> }"),
    target("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"),
    target("SELECT * WHERE { ?s ?p ?o . ?o ?q ?r } LIMIT 3"),  # not bounded: the query processes
    target(lookup("state/IDN")) + "&format=json",
    "/sparql?query=SELECT%20*%20WHERE%20%7B%20%3Fs%20%3Fp%20%22%ff%fe%22%20%7D",  # not UTF-8
    "/sparql?query=SELECT%20*%20WHERE%20%7B%20%3Fs%20%3Fp%20%3Fo%20",  # a syntax error
    "/sparql?query=%00",
    "/sparql?query=",
    "/sparql?query=" + "%20" * 3000 + quote(lookup("state/IDN"), safe=""),  # a long target
    # A '#' ends the target for gunicorn (the rest is a fragment): the app never sees what follows.
    "/sparql?query=SELECT%20?x%20{BIND(1%20AS%20?x)}#%0ALIMIT%200",
    "/sparql?query=ASK%20{#%0A}",
    "/sparql?query=SELECT%20?x%20{BIND(<http://a/b#c>%20AS%20?x)}",
    "/sparql?query=" + quote(lookup("state/IDN"), safe="") + "#",
]


@pytest.mark.parametrize("hostile", HOSTILE, ids=range(len(HOSTILE)))
def test_what_the_direct_path_is_not_sure_of_is_the_app_s_to_answer(servers, hostile):
    direct, plain = servers
    fast, slow = Client(direct), Client(plain)
    fast.get(target(lookup("organisation/bnn", 1)))  # a template exists
    a, b = fast.get(hostile), slow.get(hostile)
    assert "direct" not in a[1].get("server-timing", "")
    _same(a, b)


def test_an_answer_the_app_would_gzip_is_the_app_s(servers):
    direct, plain = servers
    fast, slow = Client(direct), Client(plain)
    gzip = {"Accept_Encoding": "gzip", "Accept": JSON}
    fast.get(target(lookup("organisation/bnn", 1)), **gzip)
    t = target(lookup("state/IDN", 500))
    a, b = fast.get(t, **gzip), slow.get(t, **gzip)
    assert a[1].get("content-encoding") == "gzip" and "direct" not in a[1]["server-timing"]
    _same(a, b)


def test_a_direct_answer_is_replayed_next_time_and_revalidates(servers):
    direct, _plain = servers
    fast = Client(direct)
    fast.get(target(lookup("organisation/bnn", 1)))
    t = target(lookup("state/MYS", 3))
    first, again = fast.get(t), fast.get(t)
    assert "direct answer" in first[1]["server-timing"] and "answer cache" in again[1]["server-timing"]
    assert first[2] == again[2] and first[1]["etag"] == again[1]["etag"]
    status, _headers, body = fast.get(t, If_None_Match=first[1]["etag"])
    assert status == 304 and body == b""


def test_fair_use_still_refuses_a_client_past_its_budget(built, tmp_path):
    budget = {
        "NARCOKG_WEB_WORKERS": "1",
        "NARCOKG_CLIENT_BUDGET_SECONDS": "0.002",
        "NARCOKG_CLIENT_BUDGET_WINDOW": "60",
    }
    server = start_server(built.out_dir, tmp_path, env_extra=budget)
    try:
        client = Client(server)
        client.get(target(lookup("organisation/bnn", 1)))
        # Small answers, each new (the variable's name): all of them would be answered directly.
        texts = [f"SELECT ?p{i} WHERE {{ <{ID}state/IDN> ?p{i} ?o }} LIMIT 1" for i in range(60)]
        statuses = [client.get(target(text))[0] for text in texts]
    finally:
        stop_server(server)
    assert 429 in statuses, statuses


def test_answers_too_large_for_a_small_template_have_their_own(servers):
    """Answers of 1 KiB or more carry Vary: Accept-Encoding (``compress``): they are made from a
    template of such an answer, even when no small one was seen (a regression: the direct path
    once needed a small template first and answered nothing large)."""
    direct, plain = servers
    fast, slow = Client(direct), Client(plain)
    first = fast.get(target(lookup("state/IDN", 100)))
    assert int(first[1]["content-length"]) >= 1024
    answered = 0
    for entity in ["organisation/bnn", "state/MYS", "organisation/unodc"]:
        t = target(lookup(entity, 100))
        a, b = fast.get(t), slow.get(t)
        _same(a, b)
        answered += "direct answer" in a[1]["server-timing"]
    assert answered == 3


def test_a_lookup_with_many_rows_is_left_to_the_app(servers):
    """A direct answer may be made in the worker's event loop: past ``direct.MAX_BYTES`` the app
    makes it, in a thread, with the same bytes."""
    direct, plain = servers
    fast, slow = Client(direct), Client(plain)
    fast.get(target(lookup("organisation/bnn", 1)))
    fast.get(target(lookup("state/IDN", 100)))  # templates for small and large answers
    many = target("SELECT ?s WHERE { ?s a ?type }")
    small = target("SELECT ?s WHERE { ?s a ?type } LIMIT 3")
    a, b = fast.get(many), slow.get(many)
    assert a[2].count(b'"s"') > 2000
    assert a[1]["server-timing"].startswith("query;") and "direct" not in a[1]["server-timing"], "made by the app"
    _same(a, b)
    assert "direct answer" in fast.get(small)[1]["server-timing"]


# Direct answers made in a thread: queries that wait on a query process ------------------------

#: agreement -> party -> state, anchored on one state: not bounded, so it runs in a query process.
JOIN = """PREFIX nkg: <https://w3id.org/narcokg/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
SELECT ?agreement ?party WHERE {
  ?state nkg:isoAlpha3 "%s" .
  ?party org:subOrganizationOf* ?state .
  ?agreement nkg:party ?party ; a nkg:Agreement .
} ORDER BY ?agreement ?party"""
#: Runs until any time limit (four copies of the whole graph joined).
ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def test_a_new_join_is_answered_directly_by_a_thread_with_the_app_s_answer(servers):
    """A query that runs in a query process is answered before Flask too, by the thread the
    request goes to (it may wait there; the event loop may not)."""
    direct, plain = servers
    fast, slow = Client(direct), Client(plain)
    fast.get(target(lookup("organisation/bnn", 1)))  # the template
    answered = 0
    for state in ["AUS", "MYS", "THA", "IDN", "USA"]:
        t = target(JOIN % state)
        a, b = fast.get(t), slow.get(t)
        assert a[0] == 200
        _same(a, b)
        answered += "direct answer" in a[1]["server-timing"] and "query process" in a[1]["server-timing"]
    assert answered == 5


def test_a_large_join_the_app_would_gzip_is_gzipped_by_the_app(servers):
    direct, plain = servers
    fast, slow = Client(direct), Client(plain)
    gzip = {"Accept_Encoding": "gzip", "Accept": JSON}
    fast.get(target(lookup("organisation/bnn", 1)), **gzip)
    t = target("SELECT ?s ?label WHERE { ?s a ?type ; <http://www.w3.org/2000/01/rdf-schema#label> ?label } LIMIT 300")
    a, b = fast.get(t, **gzip), slow.get(t, **gzip)
    assert a[1].get("content-encoding") == "gzip" and "direct" not in a[1]["server-timing"]
    _same(a, b)


def _replacements(server) -> int:
    return server.log.read_text(errors="replace").count(" ready in ")


def _settle(server, at_least: int) -> int:
    """The count of query processes started, once it has reached ``at_least`` and stopped moving."""
    deadline = time.monotonic() + 20
    seen = _replacements(server)
    while seen < at_least and time.monotonic() < deadline:
        time.sleep(0.1)
        seen = _replacements(server)
    time.sleep(1.5)  # a second run of the query would time out and be replaced within this
    return _replacements(server)


def test_a_query_that_fails_in_a_thread_runs_once_and_the_app_says_why(built, tmp_path):
    """The direct path in a thread runs the query first; when it fails (here: the time limit),
    the app answers with the failure handed over (``handover``), rather than running it again:
    one query process is killed and replaced, not two."""
    env = {"NARCOKG_WEB_WORKERS": "1", "NARCOKG_QUERY_TIMEOUT": "1"}
    fast_server = start_server(built.out_dir, tmp_path, env_extra=env)
    slow_server = start_server(built.out_dir, tmp_path, env_extra={**env, "NARCOKG_DIRECT_ANSWERS": "0"})
    try:
        fast, slow = Client(fast_server), Client(slow_server)
        fast.get(target(lookup("organisation/bnn", 1)))  # the template
        before = _settle(fast_server, 0)
        a, b = fast.get(target(ENDLESS)), slow.get(target(ENDLESS))
        started = _settle(fast_server, before + 1) - before
    finally:
        stop_server(fast_server)
        stop_server(slow_server)
    assert a[0] == b[0] and a[0] >= 400, a
    assert a[1]["content-type"] == b[1]["content-type"]
    assert b"time" in a[2].lower()
    assert started == 1, "the query ran once: one query process killed at the limit and replaced"


def test_fair_use_counts_queries_answered_in_a_thread(built, tmp_path):
    budget = {
        "NARCOKG_WEB_WORKERS": "1",
        "NARCOKG_CLIENT_BUDGET_SECONDS": "0.3",
        "NARCOKG_CLIENT_BUDGET_WINDOW": "60",
    }
    server = start_server(built.out_dir, tmp_path, env_extra=budget)
    try:
        client = Client(server)
        client.get(target(lookup("organisation/bnn", 1)))
        answers = []
        for i in range(2000):  # each new (the variable's name), each charged its time
            answers.append(client.get(target(JOIN.replace("?party", f"?party{i}") % "AUS")))
            if answers[-1][0] == 429:
                break
    finally:
        stop_server(server)
    statuses = [status for status, _headers, _body in answers]
    assert any("direct answer" in h.get("server-timing", "") for _s, h, _b in answers)
    assert 429 in statuses, statuses


def test_a_client_that_hangs_up_stops_a_query_a_thread_answers(servers):
    """The thread watches the client's socket while the query runs, as the app does."""
    direct, _plain = servers
    host, port = urlsplit(direct.base).netloc.split(":")
    head = b"Host: x\r\nAccept: application/sparql-results+json\r\n\r\n"
    with socket.create_connection((host, int(port)), timeout=10) as s:
        s.sendall(b"GET " + target(lookup("organisation/bnn", 1)).encode() + b" HTTP/1.1\r\n" + head)
        reply = b""
        while b"\r\n\r\n" not in reply:
            reply += s.recv(65536)
        length = int(reply.split(b"Content-Length: ")[1].split(b"\r\n")[0])
        while len(reply.split(b"\r\n\r\n", 1)[1]) < length:
            reply += s.recv(65536)
        s.sendall(b"GET " + target(ENDLESS).encode() + b" HTTP/1.1\r\n" + head)
        time.sleep(1.0)
    closed = time.monotonic()
    while "client closed the connection after" not in direct.log.read_text(errors="replace"):
        assert time.monotonic() - closed < 5, "the query went on after its client left"
        time.sleep(0.1)
