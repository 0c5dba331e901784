"""Faults, with real processes: an invalid source file stops `build` and `serve` with its name and
line; a build that fails (invalid source, or an error while writing) leaves the last good snapshot
byte for byte and no temporary folder; SIGTERM lets in-flight requests finish with their full
answer before the server exits 0.

(A query process killed mid-query answering 503 and being replaced is proved in
test_sparql_safety.py::test_killed_query_processes_are_replaced.)
"""

from __future__ import annotations

import http.client
import os
import resource
import shutil
import signal
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest
import requests

from conftest import ROOT, free_port, ready_workers, run_cli, start_server
from sparql_helpers import IDN, alive, in_thread, rows, sparql, wait_query_processes

SOURCES = ("ontology", "triples", "shapes", "queries")

#: name → (lines appended to a source file, which appended line is wrong (1-based)).
BREAKAGES = {
    "unterminated string": (b'<urn:x:a> <urn:x:b> <urn:x:c> .\n<urn:x:a> <urn:x:b> "no end .\n', 2),
    "undeclared prefix": (b"<urn:x:a> <urn:x:b> <urn:x:c> .\n\nundeclared:a <urn:x:b> <urn:x:c> .\n", 3),
    "invalid UTF-8": (b'<urn:x:a> <urn:x:b> "caf\xe9" .\n', 1),
    "IRI with a space": (b"<urn:x:a> <urn:x:b> <urn:x:c> .\n<urn:x:a> <urn:x:b> <http://example.org/a b> .\n", 2),
}

#: Which folder's first Turtle file each breakage goes into (every kind of source is covered).
FOLDERS = {
    "unterminated string": "ontology",
    "undeclared prefix": "shapes",
    "invalid UTF-8": "triples/reference",
    "IRI with a space": "triples",
}


def copy_sources(root: Path) -> Path:
    for name in SOURCES:
        if (ROOT / name).exists():
            shutil.copytree(ROOT / name, root / name)
    return root


def break_file(root: Path, folder: str, breakage: str) -> tuple[Path, int]:
    """Append a broken statement to the first Turtle file of ``folder``; the file and the line."""
    target = sorted((root / folder).glob("*.ttl"))[0]
    data = target.read_bytes()
    if not data.endswith(b"\n"):
        data += b"\n"
    appended, wrong = BREAKAGES[breakage]
    target.write_bytes(data + appended)
    return target, data.count(b"\n") + wrong


def narcokg(*args: str, root: Path | None = None, dist: Path, preexec_fn=None, timeout: float = 600):
    env = dict(os.environ, NARCOKG_DIST=str(dist), PYTHONUNBUFFERED="1")
    if root is not None:
        env["NARCOKG_ROOT"] = str(root)
    return run_cli(*args, env=env, timeout=timeout, preexec_fn=preexec_fn)


def contents(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


# Invalid source: a clear message naming file and line ---------------------------------------------


@pytest.mark.parametrize("breakage", list(BREAKAGES))
def test_invalid_source_stops_build_with_file_and_line(tmp_path, breakage):
    root = copy_sources(tmp_path / "kg")
    broken, line = break_file(root, FOLDERS[breakage], breakage)
    dist = tmp_path / "dist"
    proc = narcokg("build", root=root, dist=dist)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert broken.name in proc.stderr
    assert f"line {line}" in proc.stderr, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    assert not dist.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kg"]  # no temporary folder left


def test_serve_refuses_an_iri_the_engine_cannot_read_with_file_and_line(tmp_path):
    """rdflib accepts an IRI with a space; the build used to fail with a traceback when writing
    the snapshot, far from the cause. Now `serve` stops at once, naming file and line."""
    root = copy_sources(tmp_path / "kg")
    broken, line = break_file(root, "triples", "IRI with a space")
    proc = narcokg(
        "serve", "--host", "127.0.0.1", "--port", str(free_port()), root=root, dist=tmp_path / "dist", timeout=300
    )
    assert proc.returncode == 2
    assert broken.name in proc.stderr and f"line {line}" in proc.stderr, proc.stderr[-2000:]
    assert str(tmp_path) not in proc.stderr  # names the file relative to the project, not the machine
    assert "Traceback" not in proc.stderr
    assert "Listening" not in proc.stderr and "listening" not in proc.stderr


# A failed build never replaces the last good snapshot ---------------------------------------------


def last_good_snapshot(built, tmp_path: Path) -> tuple[Path, dict[str, bytes]]:
    """A copy of what the session's build wrote; not the caches servers derive beside it (the
    copy of the snapshot under a public base, the on-disk store), which earlier tests may have left."""
    dist = tmp_path / "dist"
    shutil.copytree(built.out_dir, dist, ignore=shutil.ignore_patterns(".served-*", ".engine-*"))
    return dist, contents(dist)


def test_build_with_an_invalid_source_keeps_the_last_good_snapshot(built, tmp_path):
    dist, before = last_good_snapshot(built, tmp_path)
    root = copy_sources(tmp_path / "kg")
    break_file(root, "triples", "unterminated string")
    proc = narcokg("build", "--out", str(dist), root=root, dist=dist)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert contents(dist) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dist", "kg"]


def test_build_failing_while_writing_keeps_the_last_good_snapshot(built, tmp_path):
    """A real write error (the file size limit of the process, as a full disk would give) in the
    middle of writing the new snapshot: the old one stays, the half-written one is removed."""
    dist, before = last_good_snapshot(built, tmp_path)
    limit = 64 * 1024
    assert len(before["narcokg.nq"]) > limit  # so writing the new dump fails part-way

    def small_files():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    proc = narcokg("build", "--out", str(dist), dist=dist, preexec_fn=small_files)
    assert "[build] snapshot" in proc.stderr, proc.stderr[-2000:]  # the failure is in the write
    assert proc.returncode == 2
    assert "File too large" in proc.stderr and "unchanged" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert contents(dist) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dist"]


def test_a_good_build_replaces_the_snapshot_and_leaves_nothing_behind(built, tmp_path):
    """The counterpart: the same atomic write succeeds when nothing fails."""
    dist, before = last_good_snapshot(built, tmp_path)
    (dist / "stale.txt").write_text("from an older build")
    proc = narcokg("build", "--out", str(dist), dist=dist)
    assert proc.returncode in (0, 1), proc.stderr[-2000:]  # 1: built, with violations
    after = contents(dist)
    assert "stale.txt" not in after
    assert set(after) == set(before)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dist"]


# Graceful shutdown finishes in-flight requests ----------------------------------------------------

GRACEFUL = 20


def cross_product(k1: int, k2: int, k3: int) -> str:
    """A legitimate, CPU-bound query whose cost grows with k1·k2·k3 and whose answer is known."""
    return (
        "SELECT (COUNT(*) AS ?n) WHERE {\n"
        f"  {{ SELECT ?a WHERE {{ ?a ?b ?c }} LIMIT {k1} }}\n"
        f"  {{ SELECT ?d WHERE {{ ?d ?e ?f }} LIMIT {k2} }}\n"
        f"  {{ SELECT ?g WHERE {{ ?g ?h ?i }} LIMIT {k3} }}\n}}"
    )


def slow_query(srv, seconds: float) -> tuple[str, int]:
    """A query that takes about ``seconds`` on this machine and this data, and its exact answer."""
    triples = int(rows(srv, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")[0]["n"])
    k1, k2 = min(triples, 100), min(triples, 1000)
    sparql(srv, cross_product(k1, k2, 10))  # warm up
    started = time.perf_counter()
    probe = sparql(srv, cross_product(k1, k2, 20))
    per_row = (time.perf_counter() - started) / (k1 * k2 * 20)
    assert probe.status_code == 200, probe.text
    k3 = max(1, min(triples, round(seconds / per_row / (k1 * k2))))
    return cross_product(k1, k2, k3), k1 * k2 * k3


@pytest.fixture
def stoppable(built, tmp_path):
    """A server of its own (the test stops it), with one HTTP worker and room for a slow query."""
    srv = start_server(
        built.out_dir,
        tmp_path,
        env_extra={
            "NARCOKG_WEB_WORKERS": "1",
            "NARCOKG_QUERY_TIMEOUT": "60",
            "NARCOKG_CLIENT_BUDGET_SECONDS": "0",
            "NARCOKG_GRACEFUL_TIMEOUT": str(GRACEFUL),
        },
    )
    yield srv
    if srv.proc.poll() is None:
        srv.proc.kill()
        srv.proc.wait(30)


def stop_and_wait(srv) -> int:
    srv.proc.send_signal(signal.SIGTERM)
    return srv.proc.wait(timeout=GRACEFUL + 10)


def test_sigterm_lets_a_running_query_finish_with_its_full_answer(stoppable):
    srv = stoppable
    query, expected = slow_query(srv, seconds=3.0)
    workers = wait_query_processes(srv.proc.pid, 2)
    slow = in_thread(sparql, srv, query, timeout=120)
    time.sleep(0.7)
    was_running = slow["thread"].is_alive()
    code = stop_and_wait(srv)
    slow["thread"].join(30)
    assert was_running, "the query ended before SIGTERM: the test proved nothing"
    assert "error" not in slow, slow.get("error")
    answer = slow["result"]
    assert answer.status_code == 200, answer.text
    assert int(answer.json()["results"]["bindings"][0]["n"]["value"]) == expected
    assert code == 0
    time.sleep(0.5)
    assert workers and not any(alive(pid) for pid in workers)


def test_sigterm_waits_for_a_request_still_being_sent(stoppable):
    """A client half-way through sending its request when the server is told to stop still gets
    its answer (deterministic: the request is in flight for as long as the client wants)."""
    srv = stoppable
    body = urlencode({"query": f"ASK {{ <{IDN}> ?p ?o }}"}).encode()
    host, port = srv.base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=60)
    conn.putrequest("POST", "/sparql")
    conn.putheader("Content-Type", "application/x-www-form-urlencoded")
    conn.putheader("Content-Length", str(len(body)))
    conn.putheader("Accept", "application/sparql-results+json")
    conn.endheaders()
    conn.send(body[:10])
    time.sleep(0.5)
    srv.proc.send_signal(signal.SIGTERM)
    time.sleep(1.5)
    still_up = srv.proc.poll() is None
    conn.send(body[10:])
    answer = conn.getresponse()
    text = answer.read().decode()
    conn.close()
    code = srv.proc.wait(timeout=GRACEFUL + 10)
    assert still_up, "the server exited while a request was in flight"
    assert answer.status == 200, text
    assert '"boolean":true' in text.replace(" ", "")
    assert code == 0


def _workers(pid: int) -> set[int]:
    """Pids of the direct children of ``pid`` (gunicorn's HTTP workers), read from /proc."""
    kids = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as f:
                    if int(f.read().decode(errors="replace").rsplit(")", 1)[1].split()[1]) == pid:
                        kids.add(int(entry))
            except (OSError, ValueError, IndexError):
                continue
    return kids


def test_a_client_that_hangs_up_mid_answer_does_not_kill_a_worker(built, tmp_path):
    """`narcokg serve` once inherited SIGPIPE's default action from the CLI (set so that
    `narcokg validate | head` ends quietly): an HTTP worker writing to a connection its client
    had closed was killed by the signal and rebooted, dropping the other requests it was serving
    (the benchmark's load generator triggered it at the end of every pass)."""
    server = start_server(built.out_dir, tmp_path, env_extra={"NARCOKG_WEB_WORKERS": "2"})
    try:
        port = int(server.base.rsplit(":", 1)[1])
        # /health answers as soon as one worker is up; on a loaded machine the second one may
        # still be booting, and it must not be taken for a replacement.
        before = ready_workers(server, 2)
        for i in range(40):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            query = f"SELECT ?s ?p ?o WHERE {{ ?s ?p ?o }} LIMIT 2000 # {i}"
            conn.request(
                "GET", "/sparql?" + urlencode({"query": query}), headers={"Accept": "application/sparql-results+json"}
            )
            conn.sock.close()  # hang up before the answer comes
        time.sleep(2)
        # What is asserted is that the workers survive, not how fast the 40 abandoned queries
        # drain: on a loaded 2-core machine that took longer than 10 s.
        assert requests.get(server.url("/health"), timeout=60).status_code == 200
        assert _workers(server.proc.pid) == before
        assert "SIGPIPE" not in server.log.read_text(errors="replace")
    finally:
        server.proc.terminate()
        server.proc.wait(timeout=30)
