"""No single client can stall the server: slow or stalled requests, early disconnects and
truncated bodies, against the real server on loopback (issue 10, items 3, 4 and part of 6).

Bounds here are deliberately generous: they tell "answered" from "stuck for a minute", they
are not benchmarks (see benchmarks/attack.py for the figures)."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from conftest import ready_workers, start_server, stop_server
from rawhttp import request as raw_request

SIGPIPE_BIT = 1 << (13 - 1)  # SIGPIPE is signal 13 on Linux


@pytest.fixture(scope="module")
def own_server(built, tmp_path_factory):
    """A server of its own: these tests open many connections and watch its worker processes."""
    srv = start_server(built.out_dir, tmp_path_factory.mktemp("slow"))
    ready_workers(srv)
    yield srv
    stop_server(srv)


def _addr(base: str) -> tuple[str, int]:
    parts = urlsplit(base)
    return parts.hostname, parts.port


@contextlib.contextmanager
def _holding(server, payloads: list[bytes], timeout: float = 5):
    """32 connections (twice the threads of all workers), each sent one of ``payloads`` in turn
    and then nothing more; closed on leaving."""
    socks = []
    try:
        for i in range(32):
            s = socket.create_connection(_addr(server.base), timeout=timeout)
            s.sendall(payloads[i % len(payloads)])
            socks.append(s)
        time.sleep(0.5)  # let the server take them all up
        yield socks
    finally:
        for s in socks:
            s.close()


def _health_stays_prompt(server, what: str) -> None:
    """/health answers 200 within 2 s, four times in a row (a generous liveness bound)."""
    for _ in range(4):
        started = time.monotonic()
        resp = requests.get(server.url("/health"), timeout=60)
        assert resp.status_code == 200
        assert time.monotonic() - started < 2.0, f"{what} held up /health"


def _children(pid: int) -> set[int]:
    found = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            found.update(int(c) for c in (task / "children").read_text().split())
        except OSError:
            pass
    return found


def _workers(srv) -> set[int]:
    """The HTTP worker processes: children of the master (the query processes are theirs)."""
    return _children(srv.proc.pid)


def _sig_ignored(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("SigIgn:"):
            return int(line.split()[1], 16)
    raise AssertionError("no SigIgn line")


STALLS = [
    b"GET /health HT",  # partial request line
    b"GET /health HTTP/1.1\r\nHost: x\r\nAccept: te",  # partial headers
    b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
    b"Content-Length: 100\r\n\r\nASK {",  # partial body
    b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
    b"Transfer-Encoding: chunked\r\n\r\n6\r\nASK {}\r\n",  # chunked, no last chunk
]


def test_stalled_connections_do_not_block_other_clients(own_server):
    """32 connections (twice the threads of all workers) send part of a request, then nothing."""
    with _holding(own_server, STALLS):
        _health_stays_prompt(own_server, "a stalled client")


def test_clients_that_never_read_pipelined_answers_do_not_hold_the_event_loop(own_server):
    """16 connections with small receive buffers each send five pipelined requests for a large
    answer (~1 MB, stored after the first), then read nothing. A thread answers the first request
    of each and hands the connection back to the event loop with the other four, which it replays
    from the answer cache. Before, it sent them on the socket the thread had left blocking, so
    each stalled client held the loop for the socket's 10 s send timeout: /health went unanswered
    for a minute and the arbiter killed the workers."""
    host, port = _addr(own_server.base)
    big = (
        b"GET /sparql?query=SELECT%20?o%20%7B?s%20?p%20?o%7D HTTP/1.1\r\nHost: x\r\n"
        b"Accept: application/sparql-results+json\r\n\r\n"
    )
    workers = _workers(own_server)
    with socket.create_connection((host, port), timeout=30) as s:  # answered once: stored
        s.sendall(big.replace(b"Host: x", b"Host: x\r\nConnection: close"))
        while s.recv(1 << 20):
            pass
    socks = []
    try:
        for _ in range(16):
            s = socket.create_connection((host, port), timeout=5)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            s.sendall(big * 5)
            socks.append(s)
        time.sleep(1.0)
        for k in range(3):
            started = time.monotonic()
            assert requests.get(own_server.url("/health"), timeout=30).status_code == 200
            resp = requests.get(
                own_server.url("/sparql"),
                params={"query": f'SELECT ?z {{ BIND("{k}" AS ?z) }}'},
                headers={"Accept": "application/sparql-results+json"},
                timeout=30,
            )
            assert resp.status_code == 200
            assert time.monotonic() - started < 3.0, "clients that do not read held up the others"
    finally:
        for s in socks:
            s.close()
    assert _workers(own_server) == workers  # no worker was killed


def test_stalled_request_gets_408_with_security_headers(built, tmp_path):
    """A request that never completes is ended by the server with 408, not held forever."""
    srv = start_server(built.out_dir, tmp_path, env_extra={"NARCOKG_REQUEST_READ_TIMEOUT": "1"})
    try:
        with socket.create_connection(_addr(srv.base), timeout=15) as s:
            s.sendall(STALLS[1])
            started = time.monotonic()
            data = b""
            while chunk := s.recv(65536):
                data += chunk
            assert time.monotonic() - started < 10
        assert data.startswith(b"HTTP/1.1 408 "), data[:200]
        assert b"X-Content-Type-Options: nosniff" in data
    finally:
        stop_server(srv)


def test_early_disconnects_kill_no_worker_and_drop_no_request(own_server):
    """40 clients read 100 bytes of the dump and hang up, while another client keeps asking."""
    before = _workers(own_server)
    assert before
    failures: list[str] = []
    answered = []
    stop = threading.Event()

    def other_client():
        with requests.Session() as session:
            while not stop.is_set():
                try:
                    resp = session.get(own_server.url("/health"), timeout=30)
                    answered.append(resp.status_code)
                    if resp.status_code != 200:
                        failures.append(f"status {resp.status_code}")
                except requests.RequestException as exc:
                    failures.append(exc.__class__.__name__)

    others = [threading.Thread(target=other_client) for _ in range(3)]
    for t in others:
        t.start()
    try:
        for _ in range(40):
            with socket.create_connection(_addr(own_server.base), timeout=10) as s:
                s.sendall(b"GET /download/narcokg.nq HTTP/1.1\r\nHost: x\r\n\r\n")
                s.recv(100)
                # An abortive close (RST): the server's next write fails at once.
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            time.sleep(0.05)
        time.sleep(0.5)
    finally:
        stop.set()
        for t in others:
            t.join(timeout=60)
    assert not failures, failures[:5]
    assert len(answered) > 10
    assert _workers(own_server) == before, "an HTTP worker died"


def test_serve_ignores_sigpipe(own_server):
    for pid in {own_server.proc.pid} | _workers(own_server):
        assert _sig_ignored(pid) & SIGPIPE_BIT, f"process {pid} would die of SIGPIPE"


def test_truncated_chunked_body_with_half_close_is_400(own_server):
    host, port = _addr(own_server.base)
    with socket.create_connection((host, port), timeout=15) as s:
        s.sendall(
            b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
            b"Accept: application/sparql-results+json\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"10\r\nASK {"
        )
        s.shutdown(socket.SHUT_WR)
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    assert data.startswith(b"HTTP/1.1 400 "), data[:300]
    assert b"X-Content-Type-Options: nosniff" in data
    assert b"Traceback" not in data and b".py" not in data


def test_server_still_answers_after_the_attacks(own_server):
    answer = raw_request(own_server.base, "GET", "/health")
    assert answer.status == 200


def test_disconnect_stops_the_query_it_waited_for(own_server):
    """A client that hangs up while its query runs frees the query process at once, not at the
    time limit (the query below runs until the 10 s limit)."""
    query = b"SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    with socket.create_connection(_addr(own_server.base), timeout=10) as s:
        s.sendall(
            b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
            b"Accept: application/sparql-results+json\r\nContent-Length: %d\r\n\r\n" % len(query) + query
        )
        time.sleep(1.0)
    closed = time.monotonic()
    while time.monotonic() - closed < 5:
        if "client closed the connection after" in own_server.log.read_text(errors="replace"):
            break
        time.sleep(0.1)
    else:
        raise AssertionError("the query went on after its client left")
    assert requests.get(own_server.url("/health"), timeout=10).status_code == 200


def test_expect_100_continue_gets_its_interim_answer(own_server):
    """The front must not wait for a body the client holds back until "100 Continue"."""
    query = b"ASK {}"
    with socket.create_connection(_addr(own_server.base), timeout=15) as s:
        s.sendall(
            b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
            b"Accept: application/sparql-results+json\r\nExpect: 100-continue\r\nConnection: close\r\n"
            b"Content-Length: %d\r\n\r\n" % len(query)
        )
        interim = s.recv(4096)
        assert interim.startswith(b"HTTP/1.1 100"), interim[:200]
        s.sendall(query)
        data = interim
        while chunk := s.recv(65536):
            data += chunk
    assert b"HTTP/1.1 200 " in data, data[:300]


def test_expect_100_continue_without_a_body_does_not_hold_the_threads(own_server):
    """A request with ``Expect: 100-continue`` went to a thread before its body, to get gunicorn's
    interim answer, and held it until the receive timeout (10 s) when no body followed: 32 such
    connections from one client held every thread of both workers, and /health waited ~20 s.
    The front now says "100 Continue" itself and reads the body as any other."""
    head = (
        b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
        b"Expect: 100-continue\r\nContent-Length: 100\r\n\r\n"
    )
    with _holding(own_server, [head]) as socks:
        for s in socks[:4]:
            assert s.recv(4096).startswith(b"HTTP/1.1 100 Continue\r\n\r\n")
        _health_stays_prompt(own_server, "clients waiting for 100 Continue")


def test_expect_100_continue_gets_one_interim_answer_then_the_answer(own_server):
    """After the front's "100 Continue", gunicorn does not send a second one."""
    query = b"ASK {}"
    with socket.create_connection(_addr(own_server.base), timeout=15) as s:
        s.sendall(
            b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
            b"Accept: application/sparql-results+json\r\nExpect: 100-continue\r\nConnection: close\r\n"
            b"Content-Length: %d\r\n\r\n" % len(query)
        )
        interim = s.recv(4096)
        assert interim == b"HTTP/1.1 100 Continue\r\n\r\n", interim[:200]
        s.sendall(query)
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    assert data.startswith(b"HTTP/1.1 200 "), data[:300]
    assert data.endswith(b'"boolean":true}'), data[-200:]


UNREAD_BODIES = [
    b"GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: 999999999\r\n\r\n",  # answered without reading it
    b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
    b"Content-Length: 999999999\r\n\r\n",  # 413 from the header alone
]


def test_a_body_the_app_does_not_read_is_not_waited_for_after_the_answer(own_server):
    """A declared body larger than any route reads goes to a thread at once (413 from the header,
    or an answer that never reads it); after the answer gunicorn drained the body for up to 5 s
    to keep the connection, holding the thread while the client sent nothing: 32 such
    connections held /health for 15-25 s. Such a connection is now closed after its answer."""
    with _holding(own_server, UNREAD_BODIES, timeout=15) as socks:
        _health_stays_prompt(own_server, "clients holding back a body")
        for s in socks[:2]:
            answer = b""
            while chunk := s.recv(65536):  # the server closes the connection after its answer
                answer += chunk
            assert b"\r\nConnection: close\r\n" in answer.split(b"\r\n\r\n", 1)[0] + b"\r\n", answer[:300]


CLOSING = [
    b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    b"GET /health HTTP/1.0\r\n\r\n",
    b"GET /health HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n",  # refused by gunicorn: 400, closed
]


def test_clients_that_do_not_close_after_a_closing_answer_do_not_hold_the_event_loop(own_server):
    """After an answer that closes the connection (Connection: close, HTTP/1.0, a refused request)
    gunicorn read what the client still sent for up to 2 s before closing (RFC 9112 §9.6), in the
    worker's event loop: while the client kept its side open nothing else in that worker moved,
    and 32 plain ``Connection: close`` requests held /health for over 20 s."""
    with _holding(own_server, CLOSING, timeout=15) as socks:
        _health_stays_prompt(own_server, "closing connections")
        for s in socks[:3]:  # each answer arrives whole, then the server closes
            answer = b""
            while chunk := s.recv(65536):
                answer += chunk
            assert answer.startswith((b"HTTP/1.1 200 ", b"HTTP/1.0 200 ", b"HTTP/1.1 400 ")), answer[:200]
            assert answer.endswith((b'"status":"ok"}\n', b"\n")), answer[-200:]
