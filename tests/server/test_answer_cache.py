"""Repeated GET answers are replayed by the HTTP worker's event loop (``web.answercache``): the
same bytes the app gave, only to requests the app would answer the same way (target, Host and
every header the answer's Vary names), never past fair use, and never at the cost of a request
the fast path does not understand. Every test talks HTTP to a real ``narcokg serve``.
"""

from __future__ import annotations

import socket
from pathlib import Path
import time
from urllib.parse import quote, urlsplit

import pytest
import requests

from conftest import start_server, stop_server
from sparql_helpers import EXPLOSIVE, IDN, JSON, SMALL_BUDGET

LOOKUP = f"SELECT ?p ?o WHERE {{ <{IDN}> ?p ?o }}"
REPLAYED = 'cache;desc="answer cache"'


@pytest.fixture(scope="module")
def one_worker(built, tmp_path_factory):
    """One HTTP worker, so every request of a test meets the same cache."""
    srv = start_server(built.out_dir, tmp_path_factory.mktemp("answers"), env_extra={"NARCOKG_WEB_WORKERS": "1"})
    yield srv
    stop_server(srv)


def target(query: str, tag: str = "") -> str:
    return "/sparql?query=" + quote(query + (f" # {tag}" if tag else ""), safe="")


def get(srv, path: str, **headers) -> requests.Response:
    return requests.get(srv.url(path), headers=headers, timeout=60)


def _raw(srv, data: bytes, rcvbuf: int | None = None) -> socket.socket:
    parts = urlsplit(srv.base)
    sock = socket.socket()
    if rcvbuf:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    sock.settimeout(30)
    sock.connect((parts.hostname, parts.port))
    sock.sendall(data)
    return sock


def _read_all(sock: socket.socket, until: bytes, need: int) -> bytes:
    data = b""
    while data.count(until) < need:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


def test_a_repeated_query_is_replayed_with_the_app_s_bytes(one_worker):
    path = target(LOOKUP, "replay")
    first = get(one_worker, path, Accept=JSON)
    again = get(one_worker, path, Accept=JSON)
    assert first.status_code == again.status_code == 200
    assert first.headers["Server-Timing"] != REPLAYED
    assert again.headers["Server-Timing"] == REPLAYED
    assert again.content == first.content
    skip = {"date", "server-timing"}
    assert {k: v for k, v in again.headers.items() if k.lower() not in skip} == {
        k: v for k, v in first.headers.items() if k.lower() not in skip
    }


def test_another_accept_gets_its_own_answer(one_worker):
    path = target(LOOKUP, "accept")
    get(one_worker, path, Accept=JSON)
    get(one_worker, path, Accept=JSON)
    csv = get(one_worker, path, Accept="text/csv")
    assert csv.status_code == 200 and csv.headers["Content-Type"].startswith("text/csv")
    assert csv.headers["Server-Timing"] != REPLAYED
    assert csv.text.startswith("p,o")


def test_pages_vary_on_accept_language(one_worker):
    get(one_worker, "/page/state/IDN", **{"Accept-Language": "en"})
    english = get(one_worker, "/page/state/IDN", **{"Accept-Language": "en"})
    indonesian = get(one_worker, "/page/state/IDN", **{"Accept-Language": "id"})
    assert english.headers["Server-Timing"] == REPLAYED
    assert indonesian.headers.get("Server-Timing") != REPLAYED
    assert english.headers.get("Content-Language") != "id" or english.text != indonesian.text
    assert 'lang="id"' in indonesian.text and 'lang="id"' not in english.text.split(">", 2)[1]


def test_a_conditional_request_goes_to_the_app_and_gets_304(one_worker):
    path = target(LOOKUP, "conditional")
    first = get(one_worker, path, Accept=JSON)
    get(one_worker, path, Accept=JSON)
    revalidated = get(one_worker, path, Accept=JSON, **{"If-None-Match": first.headers["ETag"]})
    assert revalidated.status_code == 304 and not revalidated.content


def test_head_is_not_replayed_with_a_body(one_worker):
    path = target(LOOKUP, "head")
    get(one_worker, path, Accept=JSON)
    get(one_worker, path, Accept=JSON)
    resp = requests.head(one_worker.url(path), headers={"Accept": JSON}, timeout=60)
    assert resp.status_code == 200 and resp.content == b""


def test_pipelined_requests_are_all_answered_in_order(one_worker):
    host = urlsplit(one_worker.base).netloc.encode()
    path = target(LOOKUP, "pipelined").encode()
    get(one_worker, path.decode(), Accept=JSON)
    get(one_worker, path.decode(), Accept=JSON)  # now replayable
    req = b"GET " + path + b" HTTP/1.1\r\nHost: " + host + b"\r\nAccept: " + JSON.encode() + b"\r\n\r\n"
    last = b"GET /health HTTP/1.1\r\nHost: " + host + b"\r\nConnection: close\r\n\r\n"
    with _raw(one_worker, req + req + last) as sock:
        data = _read_all(sock, b"never", 1)  # to the end: the last request closes the connection
    assert data.count(b"HTTP/1.1 200") == 3
    assert data.rstrip().endswith(b"}") and b'"status"' in data.rsplit(b"HTTP/1.1 200", 1)[1]


def test_a_repeated_header_is_left_to_the_app(one_worker):
    host = urlsplit(one_worker.base).netloc.encode()
    path = target(LOOKUP, "twice").encode()
    get(one_worker, path.decode(), Accept=JSON)
    get(one_worker, path.decode(), Accept=JSON)
    req = (
        b"GET "
        + path
        + b" HTTP/1.1\r\nHost: "
        + host
        + b"\r\nAccept: "
        + JSON.encode()
        + b"\r\nAccept: text/csv\r\nConnection: close\r\n\r\n"
    )
    with _raw(one_worker, req) as sock:
        data = _read_all(sock, b"\r\n\r\n", 1)
    assert REPLAYED.encode() not in data


def test_a_client_past_its_budget_gets_429_even_for_a_stored_answer(built, tmp_path):
    srv = start_server(built.out_dir, tmp_path, env_extra={**SMALL_BUDGET, "NARCOKG_WEB_WORKERS": "1"})
    try:
        path = target(LOOKUP, "budget")
        get(srv, path, Accept=JSON)
        assert get(srv, path, Accept=JSON).headers["Server-Timing"] == REPLAYED
        assert get(srv, target(EXPLOSIVE), Accept=JSON).status_code == 422  # spends the budget
        refused = get(srv, path, Accept=JSON)
        assert refused.status_code == 429 and "fair use" in refused.text
    finally:
        stop_server(srv)


def test_an_answer_larger_than_the_socket_buffer_reaches_a_slow_reader_whole(built, tmp_path):
    """The replay is sent without blocking the event loop: what the socket does not take at once
    is sent as the client reads, while the worker serves other requests."""
    srv = start_server(
        built.out_dir, tmp_path, env_extra={"NARCOKG_WEB_WORKERS": "1", "NARCOKG_ANSWER_CACHE_MB": "512"}
    )
    try:
        host = urlsplit(srv.base).netloc.encode()
        # ~10 MB: more than the kernel's largest send buffer here (tcp_wmem max 4 MiB).
        path = target("SELECT * WHERE { ?s ?p ?o VALUES ?copy { 1 2 3 } }", "large")
        plain = {"Accept-Encoding": "identity"}
        first = get(srv, path, Accept=JSON, **plain)
        assert first.status_code == 200 and len(first.content) > 5_000_000
        req = (
            b"GET "
            + path.encode()
            + b" HTTP/1.1\r\nHost: "
            + host
            + b"\r\nAccept: "
            + JSON.encode()
            + b"\r\nAccept-Encoding: identity\r\n\r\n"
        )
        with _raw(srv, req, rcvbuf=4096) as sock:
            time.sleep(1.0)  # the worker's send fills the buffers and waits for them to drain
            assert get(srv, "/health").status_code == 200  # meanwhile the worker serves others
            head = _read_all(sock, b"\r\n\r\n", 1)
            body = head.split(b"\r\n\r\n", 1)[1]
            while len(body) < len(first.content):
                chunk = sock.recv(1 << 20)
                if not chunk:
                    break
                body += chunk
        assert REPLAYED.encode() in head
        assert body == first.content
    finally:
        stop_server(srv)


def test_the_cache_can_be_turned_off(built, tmp_path):
    srv = start_server(built.out_dir, tmp_path, env_extra={"NARCOKG_WEB_WORKERS": "1", "NARCOKG_ANSWER_CACHE_MB": "0"})
    try:
        path = target(LOOKUP, "off")
        answers = [get(srv, path, Accept=JSON) for _ in range(3)]
        assert all(a.status_code == 200 and a.headers["Server-Timing"] != REPLAYED for a in answers)
    finally:
        stop_server(srv)


def test_an_answer_for_another_url_scheme_is_not_replayed(one_worker):
    """gunicorn believes X-Forwarded-Proto from a local proxy, and /fragments writes absolute
    URLs with the scheme: an https answer must not be replayed to a plain request."""
    path = "/fragments?subject=" + quote(IDN, safe="")
    get(one_worker, path, Accept="text/turtle", **{"X-Forwarded-Proto": "https"})
    secure = get(one_worker, path, Accept="text/turtle", **{"X-Forwarded-Proto": "https"})
    plain = get(one_worker, path, Accept="text/turtle")
    assert "https://" + urlsplit(one_worker.base).netloc in secure.text
    assert "https://" + urlsplit(one_worker.base).netloc not in plain.text


def test_an_answer_under_a_forwarded_script_name_is_not_replayed_without_it(one_worker):
    """gunicorn takes SCRIPT_NAME from a header of a local proxy (its ``forwarder_headers``), and
    the app then answers ``/prefix/browse`` as ``/browse`` with links under the prefix. That answer
    was stored under the target and Host alone and replayed to everyone: a request for
    ``/prefix/browse`` without the header, a 404 for the app, got the 200 page."""
    path = "/sweep-prefix/browse"
    assert get(one_worker, path).status_code == 404
    mounted = get(one_worker, path, SCRIPT_NAME="/sweep-prefix")
    assert mounted.status_code == 200 and 'href="/sweep-prefix/' in mounted.text
    for _ in range(3):  # replayed (once stored, or shared) it would be a 200 from here on
        plain = get(one_worker, path)
        assert plain.status_code == 404, plain.headers.get("Server-Timing")
    # And the other way round: an answer stored without the header is not replayed with it.
    assert get(one_worker, "/browse").status_code == 200
    assert get(one_worker, "/browse").headers["Server-Timing"] == REPLAYED
    refused = get(one_worker, "/browse", SCRIPT_NAME="/sweep-prefix")
    assert refused.status_code == 400, refused.headers.get("Server-Timing")


def test_the_workers_of_a_server_replay_each_other_s_answers(built, tmp_path):
    """Two workers: once one worker has computed an answer and been asked for it again (it shares
    an answer on its first replay), requests on new connections, taken by either worker, are all
    replays. Both first requests use one keep-alive connection, so one worker takes them; the old
    form of this test let the first fresh connection reach the other worker before anything was
    shared, and failed in CI."""
    srv = start_server(built.out_dir, tmp_path, env_extra={"NARCOKG_WEB_WORKERS": "2"})
    try:
        path = target(LOOKUP, "shared")
        with requests.Session() as one_connection:
            first = one_connection.get(srv.url(path), headers={"Accept": JSON}, timeout=60)
            again = one_connection.get(srv.url(path), headers={"Accept": JSON}, timeout=60)
        assert first.headers["Server-Timing"] != REPLAYED
        assert again.headers["Server-Timing"] == REPLAYED
        timings = []
        for _ in range(12):
            with requests.Session() as fresh:  # a new connection each time
                timings.append(fresh.get(srv.url(path), headers={"Accept": JSON}, timeout=60).headers["Server-Timing"])
        assert timings == [REPLAYED] * 12
        folders = [p for p in __import__("pathlib").Path("/dev/shm").glob(f"narcokg-answers-{srv.proc.pid}-*")]
        assert len(folders) == 1 and any(folders[0].iterdir())
    finally:
        stop_server(srv)
    assert not list(__import__("pathlib").Path("/dev/shm").glob(f"narcokg-answers-{srv.proc.pid}-*"))


def _shared_files(srv) -> set[str]:
    (folder,) = Path("/dev/shm").glob(f"narcokg-answers-{srv.proc.pid}-*")
    return {f.name for f in folder.iterdir()}


def test_an_answer_is_shared_with_the_other_workers_once_it_is_asked_for_again(one_worker):
    """Every computed answer was once written to the workers' shared folder, which cost a unique
    request 14 % of its CPU and filled each worker's share of the folder with answers nobody
    asked for twice; now the first replay shares it."""
    if not Path("/dev/shm").is_dir():
        pytest.skip("no /dev/shm: the shared answers live in the temporary folder")
    path = target(LOOKUP, "shared-on-repeat")
    before = _shared_files(one_worker)
    assert get(one_worker, path, Accept=JSON).headers["Server-Timing"] != REPLAYED
    assert _shared_files(one_worker) == before
    assert get(one_worker, path, Accept=JSON).headers["Server-Timing"] == REPLAYED
    assert len(_shared_files(one_worker) - before) == 1
    get(one_worker, path, Accept=JSON)
    assert len(_shared_files(one_worker) - before) == 1
