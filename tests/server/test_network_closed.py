"""The network is closed below Python: query and validation processes cannot open a socket,
whatever the client sends, and uploads are parsed without fetching anything, in linear time.

Attacks run against the real server on loopback, against a listener on a port the test opened;
every attack checks the listener, not only the status (SERVICE SILENT swallows errors).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
import requests

from conftest import ROOT, run_cli, start_server, stop_server

SKIP_PRECHECK = {"NARCOKG_TEST_SKIP_SERVICE_PRECHECK": "1"}


class Listener:
    """A loopback TCP listener that records every connection it is offered."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.hits: list[bytes] = []
        self._stop = False
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(1)
                try:
                    self.hits.append(conn.recv(200) or b"<connected>")
                except OSError:
                    self.hits.append(b"<connected>")

    def close(self):
        self._stop = True
        self._thread.join(5)
        self.sock.close()


@pytest.fixture
def listener():
    lst = Listener()
    yield lst
    lst.close()


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def service_queries(port: int) -> list[str]:
    url = f"http://127.0.0.1:{port}/"
    return [
        f"SELECT * WHERE {{ SERVICE <{url}x> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE SILENT <{url}x> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICESILENT<{url}x>{{ ?s ?p ?o }} }}",
        f"PREFIX ex: <{url}>\nSELECT * {{ SERVICEex:x {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ BIND(('b'<'a>') AS ?q) SERVICE SILENT <{url}sparql> {{ ?leak ?p ?o }} BIND('' AS ?z) }}",
        f"SELECT * WHERE {{ {{ SELECT ?s WHERE {{ SERVICE <{url}x> {{ ?s ?p ?o }} }} }} }}",
        f"SELECT * WHERE {{ ?a ?b ?c OPTIONAL {{ SERVICE <{url}x> {{ ?s ?p ?o }} }} }} LIMIT 3",
        f"ASK {{ FILTER EXISTS {{ SERVICE <{url}x> {{ ?s ?p ?o }} }} }}",
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}x> {{ ?s ?p ?o }} }}",
    ]


def post_query(server, query: str) -> requests.Response:
    return requests.post(
        server.url("/sparql"), data=query.encode(), headers={"Content-Type": "application/sparql-query"}, timeout=60
    )


def assert_no_connection(server, listener):
    for query in service_queries(listener.port):
        resp = post_query(server, query)
        # SILENT and FILTER swallow the refusal (an empty or false answer); never a 5xx.
        assert resp.status_code < 500, (query, resp.status_code, resp.text)
        if query.startswith("SELECT * WHERE { SERVICE <"):
            assert 400 <= resp.status_code < 500, (query, resp.status_code, resp.text)
    time.sleep(0.5)
    assert not listener.hits, f"a query process reached the listener: {listener.hits[:2]}"


def assert_no_port_oracle(server, listener):
    """The same answer whether the port named listens or not."""
    open_url, shut_url = f"http://127.0.0.1:{listener.port}/x", f"http://127.0.0.1:{closed_port()}/x"
    answers = []
    for url in (open_url, shut_url, "http://no-such-host.invalid/x"):
        resp = post_query(server, f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}")
        answers.append((resp.status_code, resp.text.replace(url, "URL")))
    assert answers[0][0] == 400, answers[0]
    assert answers[0] == answers[1] == answers[2], answers
    assert "not available" in answers[0][1] or "network" in answers[0][1]
    assert not listener.hits


# --- the kernel line alone: SERVICE pre-check switched off ------------------------------


@pytest.fixture(scope="module")
def open_server(built, tmp_path_factory):
    """A server whose web process lets SERVICE through (tests only): the sandbox must hold."""
    srv = start_server(built.out_dir, tmp_path_factory.mktemp("precheck-off"), env_extra=SKIP_PRECHECK)
    yield srv
    stop_server(srv)


@pytest.fixture(scope="module")
def big_dump(built, tmp_path_factory) -> Path:
    """The built snapshot padded past 32 MiB, so query processes open it on disk."""
    from narcokg.config import Settings

    THRESHOLD = Settings().memory_store_max_mb * 1024 * 1024
    path = tmp_path_factory.mktemp("bigdump") / "big.nq"
    shutil.copyfile(built.out_dir / "narcokg.nq", path)
    line = '<http://pad.example/s{}> <http://pad.example/p> "{}" <http://pad.example/g> .\n'
    filler = "padding " * 12
    with path.open("a") as out:
        i = 0
        while out.tell() <= THRESHOLD + 1024 * 1024:
            out.write("".join(line.format(i + k, filler) for k in range(10_000)))
            i += 10_000
    assert path.stat().st_size > THRESHOLD
    return path


@pytest.fixture(scope="module")
def open_disk_server(built, big_dump, tmp_path_factory):
    srv = start_server(
        built.out_dir, tmp_path_factory.mktemp("precheck-off-disk"), "--dump", str(big_dump), env_extra=SKIP_PRECHECK
    )
    yield srv
    stop_server(srv)


def test_the_setting_really_lets_service_past_the_web_process(open_server):
    """Else the tests below would prove nothing: SERVICE reaches a query process."""
    resp = post_query(open_server, "SELECT * WHERE { SERVICE <http://127.0.0.1:9/x> { ?s ?p ?o } }")
    assert resp.status_code in (400, 422)  # refused in the query process (422: not evaluable there)
    assert "SERVICE (federated query) is not supported" not in resp.text


def test_service_reaches_no_listener_on_the_built_graph(open_server, listener):
    assert_no_connection(open_server, listener)


def test_service_reaches_no_listener_on_a_dump_over_32_mib(open_disk_server, listener):
    resp = post_query(open_disk_server, "ASK { <http://pad.example/s1> ?p ?o }")
    assert resp.status_code == 200 and resp.json()["boolean"] is True  # the padded dump is served
    assert_no_connection(open_disk_server, listener)


def test_open_and_closed_ports_get_the_same_answer(open_server, listener):
    assert_no_port_oracle(open_server, listener)


def test_open_and_closed_ports_get_the_same_answer_on_disk(open_disk_server, listener):
    assert_no_port_oracle(open_disk_server, listener)


def test_service_spellings_are_refused_by_the_normal_server(server, listener):
    """With the pre-check on (the default), every spelling still reaches no listener."""
    assert_no_connection(server, listener)


# --- the sandbox itself -------------------------------------------------------------------

CHILD = textwrap.dedent("""
    import json, socket, threading
    from narcokg import sandbox
    early = []
    def worker(ready, go):
        ready.set(); go.wait()
        try:
            socket.socket(socket.AF_INET, socket.SOCK_STREAM); early.append("open")
        except PermissionError:
            early.append("refused")
    ready, go = threading.Event(), threading.Event()
    t = threading.Thread(target=worker, args=(ready, go)); t.start(); ready.wait()
    layers = sandbox.close_network()
    go.set(); t.join()
    out = {"layers": layers, "thread": early[0]}
    for name, family, kind in [("inet", socket.AF_INET, socket.SOCK_STREAM),
                               ("inet_udp", socket.AF_INET, socket.SOCK_DGRAM),
                               ("inet6", socket.AF_INET6, socket.SOCK_STREAM),
                               ("unix", socket.AF_UNIX, socket.SOCK_STREAM),
                               ("netlink", socket.AF_NETLINK, socket.SOCK_RAW)]:
        try:
            socket.socket(family, kind).close(); out[name] = "open"
        except PermissionError:
            out[name] = "refused"
    try:
        socket.socketpair(); out["socketpair"] = "open"
    except PermissionError:
        out["socketpair"] = "refused"
    import pyoxigraph
    store = pyoxigraph.Store()
    try:
        list(store.query("SELECT * {{ SERVICE <http://127.0.0.1:{port}/x> {{ ?s ?p ?o }} }}"))
        out["service"] = "answered"
    except PermissionError:
        out["service"] = "refused"
    out["files"] = bool(open(sandbox.__file__).read(10))
    print(json.dumps(out))
""")


def test_close_network_refuses_every_socket_in_every_thread(listener):
    code = CHILD.replace("{port}", str(listener.port)).replace("{{", "{").replace("}}", "}")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["layers"]["seccomp"] is True
    assert out["thread"] == "refused"  # a thread started before the filter is covered (TSYNC)
    for name in ("inet", "inet_udp", "inet6", "unix", "netlink", "socketpair"):
        assert out[name] == "refused", (name, out)
    assert out["service"] == "refused"
    assert out["files"] is True  # only the network is closed
    assert not listener.hits


OUTBOUND_CHILD = textwrap.dedent(
    """
    import errno, json, socket, sys
    port = int(sys.argv[1])
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    print(server.getsockname()[1], flush=True)
    out = {}
    def attempt(name, call):
        try:
            call()
            out[name] = "allowed"
        except OSError as exc:
            out[name] = errno.errorcode.get(exc.errno, str(exc.errno))
    attempt("connect", lambda: socket.create_connection(("127.0.0.1", port), timeout=2))
    attempt("connect6", lambda: socket.create_connection(("::1", port), timeout=2))
    attempt("udp", lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM))
    attempt("unix", lambda: socket.socket(socket.AF_UNIX))
    attempt("raw", lambda: socket.socket(socket.AF_PACKET, socket.SOCK_RAW))
    stream = socket.socket()
    attempt("fast open", lambda: stream.sendto(b"x", 0x20000000, ("127.0.0.1", port)))
    attempt("sendmsg", lambda: stream.sendmsg([b"x"], [], 0, ("127.0.0.1", port)))
    conn, _ = server.accept()
    conn.sendall(conn.recv(100).upper())
    conn.close()
    print(json.dumps(out), flush=True)
    """
)


def test_an_engine_started_outbound_closed_listens_and_answers_but_connects_nowhere(listener):
    """``sandbox.outbound_closer`` (around a supervised Oxigraph server): the kernel lets the
    process listen and answer the connections it accepts, and refuses every way out."""
    from narcokg import sandbox

    proc = subprocess.Popen(
        [sys.executable, "-c", OUTBOUND_CHILD, str(listener.port)],
        stdout=subprocess.PIPE,
        text=True,
        preexec_fn=sandbox.outbound_closer(),
    )
    try:
        port = int(proc.stdout.readline())
        with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
            conn.sendall(b"hello")
            assert conn.recv(100) == b"HELLO"
        out = json.loads(proc.stdout.readline())
    finally:
        proc.kill()
        proc.wait()
    assert out == {name: "EACCES" for name in ("connect", "connect6", "udp", "unix", "raw", "fast open", "sendmsg")}
    assert not listener.hits


def test_the_filter_checks_the_architecture():
    from narcokg import sandbox

    prog = sandbox.filter_program(sandbox.ARCHES["x86_64"])
    # First instruction loads seccomp_data.arch, the second compares it with AUDIT_ARCH_X86_64,
    # the third kills the process on any other ABI.
    import struct

    insns = [struct.unpack("=HBBI", prog[i : i + 8]) for i in range(0, len(prog), 8)]
    assert insns[0] == (0x20, 0, 0, 4)
    assert insns[1] == (0x15, 1, 0, 0xC000003E)
    assert insns[2] == (0x06, 0, 0, sandbox.SECCOMP_RET_KILL_PROCESS)
    assert (0x35, 0, 1, 0x40000000) in insns  # x32 system calls refused


def test_query_processes_run_with_the_network_closed(server):
    """Every query process of the server has the seccomp filter (status line Seccomp: 2)."""
    resp = post_query(server, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert resp.status_code == 200
    root = server.proc.pid
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            cmdline = (status.parent / "cmdline").read_bytes()
        except OSError:
            continue
        if b"narcokg.engine.worker" in cmdline and _descends_from(int(status.parent.name), root):
            found.append(status)
    assert found, "no query process found"
    for status in found:
        for _ in range(20):  # a process started a moment ago installs its filter first thing
            try:
                text = status.read_text()
            except OSError:  # it ended meanwhile
                break
            if "\nSeccomp:\t2" in text:
                break
            time.sleep(0.5)
        else:
            raise AssertionError(f"a query process runs without the seccomp filter:\n{text}")
        if text:
            assert "\nNoNewPrivs:\t1" in text


def _descends_from(pid: int, root: int) -> bool:
    for _ in range(10):
        if pid == root:
            return True
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            return False
        pid = int(stat.rsplit(")", 1)[1].split()[1])
        if pid <= 1:
            return False
    return False


# --- uploads: no fetch, no entity expansion ----------------------------------------------


def _contexts(port: int) -> list:
    url = f"http://127.0.0.1:{port}/ctx"
    return [
        [[url]],
        [[[url]]],
        [{"@vocab": "http://x/"}, [url]],
        {"p": {"@id": "http://x/p", "@context": url}},
        {"p": {"@id": "http://x/p", "@context": [[url]]}},
        {"@import": url},
        [["file:."]],
        "file:///etc/passwd",
    ]


def _jsonld(ctx) -> bytes:
    return json.dumps({"@context": ctx, "@id": "http://x/a", "p": {"@id": "http://x/b"}}).encode()


@pytest.mark.parametrize("how", ["body", "file", "pasted"])
def test_remote_jsonld_contexts_at_any_depth_are_refused_and_not_fetched(server, listener, how):
    for ctx in _contexts(listener.port):
        body = _jsonld(ctx)
        url = server.url("/shacl/validate")
        if how == "body":
            resp = requests.post(url, data=body, headers={"Content-Type": "application/ld+json"}, timeout=60)
        elif how == "file":
            resp = requests.post(url, files={"file": ("data.jsonld", body, "application/ld+json")}, timeout=60)
        else:
            resp = requests.post(url, data={"data": body.decode(), "syntax": "json-ld"}, timeout=60)
        assert resp.status_code == 400, (ctx, resp.status_code, resp.text[:300])
        assert "remote JSON-LD contexts are not loaded" in resp.text, (ctx, resp.text[:300])
        assert "inline the context" in resp.text
        assert "Is a directory" not in resp.text and str(ROOT) not in resp.text
    time.sleep(0.5)
    assert not listener.hits, "the server fetched a client-named JSON-LD context"


def test_the_jsonld_parser_itself_cannot_fetch(listener):
    """Past the scan (called directly), the parser that runs refuses remote contexts too."""
    from narcokg.shacl import upload as safeparse

    for ctx in _contexts(listener.port):
        with pytest.raises(safeparse.ParseError):
            safeparse._parse_with_oxigraph(
                _jsonld(ctx), __import__("pyoxigraph").RdfFormat.JSON_LD, safeparse.UPLOAD_BASE
            )
    assert not listener.hits


def test_inline_jsonld_contexts_still_work(server):
    doc = {
        "@context": [{"ex": "http://x/"}, {"name": {"@id": "ex:name", "@context": {"v": "ex:v"}}}],
        "@id": "ex:a",
        "name": {"@id": "ex:b", "v": "1"},
    }
    resp = requests.post(
        server.url("/shacl/validate"),
        data=json.dumps(doc).encode(),
        headers={"Content-Type": "application/ld+json", "Accept": "text/turtle"},
        timeout=60,
    )
    assert resp.status_code == 200, resp.text


def laughs(levels: int, n: int = 10) -> bytes:
    ents = ['<!ENTITY a0 "ha">'] + [f'<!ENTITY a{i} "{("&a%d;" % (i - 1)) * n}">' for i in range(1, levels + 1)]
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [' + "".join(ents) + "]>\n"
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://x/">'
        f'<rdf:Description rdf:about="http://x/a"><ex:p>&a{levels};</ex:p></rdf:Description>'
        "</rdf:RDF>"
    ).encode()


@pytest.mark.parametrize("levels", [5, 6, 9])
def test_billion_laughs_is_refused_fast(server, levels):
    body = laughs(levels)
    assert len(body) < 800
    started = time.monotonic()
    resp = requests.post(
        server.url("/shacl/validate"), data=body, headers={"Content-Type": "application/rdf+xml"}, timeout=60
    )
    elapsed = time.monotonic() - started
    assert resp.status_code == 400, resp.text[:300]
    assert "entity declarations (DOCTYPE/ENTITY) is not accepted" in resp.text
    assert elapsed < 10, f"{elapsed:.1f} s"  # generous: ~0.1 s on an idle machine, 30 s before


def test_rdfxml_without_entities_still_validates_with_lines(server):
    good = (
        b'<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"\n'
        b'  xmlns:ex="http://x/">\n  <rdf:Description\n     rdf:about="http://x/a">\n'
        b"    <ex:p>one &amp; two</ex:p>\n  </rdf:Description>\n</rdf:RDF>\n"
    )
    resp = requests.post(
        server.url("/shacl/validate"),
        data=good,
        headers={"Content-Type": "application/rdf+xml", "Accept": "text/turtle"},
        timeout=60,
    )
    assert resp.status_code == 200, resp.text
    bad = good.replace(b"</ex:p>", b"</ex:q>")
    resp = requests.post(
        server.url("/shacl/validate"), data=bad, headers={"Content-Type": "application/rdf+xml"}, timeout=60
    )
    assert resp.status_code == 400
    assert "line 6" in resp.text


def test_cli_validate_does_not_fetch_contexts(tmp_path, listener):
    path = tmp_path / "data.jsonld"
    path.write_bytes(_jsonld([[f"http://127.0.0.1:{listener.port}/ctx"]]))
    proc = run_cli("validate", str(path))
    assert proc.returncode == 2, proc.stderr
    assert "remote JSON-LD contexts are not loaded" in proc.stderr
    time.sleep(0.3)
    assert not listener.hits


def test_cli_validate_refuses_billion_laughs(tmp_path):
    path = tmp_path / "laughs.rdf"
    path.write_bytes(laughs(6))
    proc = run_cli("validate", str(path))
    assert proc.returncode == 2
    assert "entity declarations" in proc.stderr


def test_cli_query_has_no_network_either(built, listener):
    """`narcokg query` runs the query in its own process: the same kernel line holds there."""
    env = dict(os.environ, NARCOKG_DIST=str(built.out_dir), NARCOKG_TEST_SKIP_SERVICE_PRECHECK="1")
    for query in service_queries(listener.port)[:3]:
        done = run_cli("query", query, env=env, timeout=120)
        # Past the analysis (the tests-only setting), the kernel refused the socket (SILENT
        # swallows the refusal into an empty answer):
        assert "no network access" in done.stderr or "SILENT" in query, done.stderr[-500:]
    time.sleep(0.5)
    assert not listener.hits, f"narcokg query reached the listener: {listener.hits[:2]}"
