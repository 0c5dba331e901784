"""Kept-alive connections: a thread that has answered one waits a moment for its next request
and answers it itself (``web.linger``); anything not whole by then goes back to the event loop.
Whatever path a request takes, the answers are the same, in order, and no client can hold a
thread with a half-sent request. Every test talks HTTP to a real ``narcokg serve``.
"""

from __future__ import annotations

import json
import socket
import time
from urllib.parse import quote, urlsplit

import pytest
import requests

from conftest import start_server, stop_server
from sparql_helpers import IDN, JSON, SMALL_BUDGET, EXPLOSIVE

REPLAYED = b'cache;desc="answer cache"'


@pytest.fixture(scope="module", params=["2", "0"], ids=["linger", "no linger"])
def one_worker(built, tmp_path_factory, request):
    """One HTTP worker of 2 threads (few threads make a held thread show at once), with threads
    that wait for a connection's next request and without (``NARCOKG_LINGER_MS=0``)."""
    srv = start_server(
        built.out_dir,
        tmp_path_factory.mktemp("keptalive"),
        env_extra={"NARCOKG_WEB_WORKERS": "1", "NARCOKG_WEB_THREADS": "2", "NARCOKG_LINGER_MS": request.param},
    )
    yield srv
    stop_server(srv)


def _connect(srv) -> socket.socket:
    parts = urlsplit(srv.base)
    sock = socket.create_connection((parts.hostname, parts.port), timeout=30)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def _request(srv, query: str) -> bytes:
    host = urlsplit(srv.base).netloc
    path = "/sparql?query=" + quote(query, safe="")
    return f"GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept: {JSON}\r\n\r\n".encode()


def _answer(sock: socket.socket) -> tuple[bytes, bytes]:
    """One whole answer (head, body) from ``sock``, framed by its Content-Length."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"connection closed before an answer: {data[:200]!r}"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":", 1)[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")
    )
    while len(body) < length:
        chunk = sock.recv(65536)
        assert chunk, "connection closed inside an answer"
        body += chunk
    assert len(body) == length, "bytes beyond the answer: the server answered before it was asked"
    return head, body


def _tagged(i: int) -> str:
    return f'SELECT ?tag WHERE {{ BIND("{i}" AS ?tag) <{IDN}> ?p ?o }} LIMIT 1'


def test_back_to_back_requests_on_one_connection_get_their_own_answers_in_order(one_worker):
    """200 requests, each sent the moment the previous answer is read: new ones and repeats."""
    with _connect(one_worker) as sock:
        for i in range(200):
            n = i if i % 3 else i // 3  # every third repeats an earlier query: a stored answer
            sock.sendall(_request(one_worker, _tagged(n)))
            head, body = _answer(sock)
            assert head.startswith(b"HTTP/1.1 200 "), head[:200]
            rows = json.loads(body)["results"]["bindings"]
            assert [r["tag"]["value"] for r in rows] == [str(n)]


def test_a_repeat_on_a_kept_alive_connection_is_replayed_from_the_answer_cache(one_worker):
    with _connect(one_worker) as sock:
        for expected_replay in (False, True, True):
            sock.sendall(_request(one_worker, _tagged(-1)))
            head, _body = _answer(sock)
            assert (REPLAYED in head) is expected_replay, head


@pytest.mark.parametrize("gap", [0.0005, 0.05])
def test_a_next_request_sent_in_two_pieces_is_answered(one_worker, gap):
    """Within the thread's short wait, or after it (then the event loop reads the rest)."""
    with _connect(one_worker) as sock:
        sock.sendall(_request(one_worker, _tagged(-2)))
        _answer(sock)
        second = _request(one_worker, _tagged(-3))
        sock.sendall(second[:25])
        time.sleep(gap)
        sock.sendall(second[25:])
        head, body = _answer(sock)
        assert head.startswith(b"HTTP/1.1 200 ")
        assert json.loads(body)["results"]["bindings"][0]["tag"]["value"] == "-3"


def test_kept_alive_connections_that_stop_mid_request_hold_no_thread(one_worker):
    """Eight connections (four times the worker's threads) each get an answer, then send half of
    their next request and stop: the server still answers another client at once."""
    socks = []
    try:
        for i in range(8):
            sock = _connect(one_worker)
            socks.append(sock)
            sock.sendall(_request(one_worker, _tagged(100 + i)))
            _answer(sock)
            sock.sendall(_request(one_worker, _tagged(200 + i))[:40])
        time.sleep(0.3)
        for _ in range(3):
            started = time.monotonic()
            assert requests.get(one_worker.url("/health"), timeout=30).status_code == 200
            assert time.monotonic() - started < 2.0, "a half-sent request held a thread"
    finally:
        for sock in socks:
            sock.close()


def test_a_client_past_its_budget_gets_429_on_a_kept_alive_connection(built, tmp_path):
    """The thread's replay checks fair use as the event loop's does."""
    srv = start_server(built.out_dir, tmp_path, env_extra={**SMALL_BUDGET, "NARCOKG_WEB_WORKERS": "1"})
    try:
        with requests.Session() as session:
            url = srv.url("/sparql?query=" + quote(_tagged(-4), safe=""))
            session.get(url, headers={"Accept": JSON}, timeout=60)
            assert session.get(url, headers={"Accept": JSON}, timeout=60).headers["Server-Timing"] == REPLAYED.decode()
            explosive = srv.url("/sparql?query=" + quote(EXPLOSIVE, safe=""))
            assert session.get(explosive, headers={"Accept": JSON}, timeout=60).status_code == 422
            refused = session.get(url, headers={"Accept": JSON}, timeout=60)
            assert refused.status_code == 429 and "fair use" in refused.text
    finally:
        stop_server(srv)
