"""Helpers for the SPARQL endpoint tests: queries over HTTP, a loopback listener that records
any connection, and the query processes of a running server."""

from __future__ import annotations

import os
import socket
import threading
from pathlib import Path

import requests

B = "https://w3id.org/narcokg/"
IDN = B + "id/state/IDN"
BNN = B + "id/organisation/bnn"
JSON = "application/sparql-results+json"
#: A query whose cost grows with the cube of the data: it runs into any time limit.
EXPLOSIVE = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
#: A server's settings under which one EXPLOSIVE query (cut at 2 s) spends a client's fair-use
#: budget (1 s of query time in 10 minutes).
SMALL_BUDGET = {
    "NARCOKG_QUERY_TIMEOUT": "2",
    "NARCOKG_CLIENT_BUDGET_SECONDS": "1",
    "NARCOKG_CLIENT_BUDGET_WINDOW": "600",
}


def sparql(
    server,
    query: str,
    method: str = "GET",
    accept: str = JSON,
    timeout: float = 60,
    headers: dict | None = None,
    **params,
):
    """Send ``query`` to the server's endpoint, with further ``headers``; the requests Response."""
    url = server.url("/sparql")
    headers = {"Accept": accept, **(headers or {})} if accept else dict(headers or {})
    if method == "GET":
        return requests.get(url, params={"query": query, **params}, headers=headers, timeout=timeout)
    if method == "POST":
        return requests.post(url, data={"query": query, **params}, headers=headers, timeout=timeout)
    if method == "DIRECT":
        headers["Content-Type"] = "application/sparql-query"
        return requests.post(url, params=params, data=query.encode("utf-8"), headers=headers, timeout=timeout)
    raise ValueError(method)


def rows(server, query: str, **kw) -> list[dict[str, str]]:
    """The SELECT answer as dicts of variable → value (lexical form or IRI)."""
    resp = sparql(server, query, **kw)
    assert resp.status_code == 200, resp.text
    return [{k: v["value"] for k, v in b.items()} for b in resp.json()["results"]["bindings"]]


def count(server, query_body: str = "GRAPH ?g { ?s ?p ?o }", **kw) -> int:
    found = rows(server, f"SELECT (COUNT(*) AS ?n) WHERE {{ {query_body} }}", **kw)
    return int(found[0]["n"])


class Listener:
    """A TCP listener on loopback that records every connection made to it."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/"
        self.connections: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (socket.timeout, OSError):
                continue
            conn.settimeout(1)
            try:
                data = conn.recv(2048)
            except OSError:
                data = b""
            self.connections.append(data or b"(connected, nothing sent)")
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.sock.close()


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def query_processes(root_pid: int) -> list[int]:
    """Pids of the query processes (``narcokg.engine.worker``) under the server process ``root_pid``."""
    tree = _children()
    found, todo = [], [root_pid]
    while todo:
        pid = todo.pop()
        for child in tree.get(pid, []):
            todo.append(child)
            try:
                cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
            except OSError:
                continue
            if b"narcokg.engine.worker" in cmdline:
                found.append(child)
    return sorted(found)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def wait_query_processes(root_pid: int, n: int, timeout: float = 30) -> list[int]:
    """The query processes under ``root_pid`` once there are ``n`` of them (they start after the
    HTTP workers); whatever is there at the timeout otherwise."""
    import time

    deadline = time.time() + timeout
    found = query_processes(root_pid)
    while len(found) < n and time.time() < deadline:
        time.sleep(0.05)
        found = query_processes(root_pid)
    return found


def in_thread(fn, *args, **kwargs) -> dict:
    """Run ``fn`` in a thread; a dict that gets ``result`` or ``error`` when it ends."""
    import threading

    box: dict = {}

    def target():
        try:
            box["result"] = fn(*args, **kwargs)
        except Exception as exc:  # recorded for the test to report
            box["error"] = exc

    box["thread"] = threading.Thread(target=target, daemon=True)
    box["thread"].start()
    return box


def mixed_kinds_order_by() -> str:
    """ORDER BY over 200 values of mixed kinds (NaN, numbers, strings, IRIs, dates, unbound):
    pyoxigraph 0.5's sort panics on it ("comparison function does not correctly implement a
    total order") and the process aborts, whatever data is loaded; so does Oxigraph server 0.5.13."""
    import random

    rng = random.Random(1)
    xsd = "http://www.w3.org/2001/XMLSchema#"
    kinds = [f'"NaN"^^<{xsd}double>', "INT", "STR", "IRI", "LANG", "DATE", "UNDEF", "BOOL"]
    values = []
    for _ in range(200):
        kind = rng.choice(kinds)
        values.append(
            {
                "INT": str(rng.randint(0, 50)),
                "STR": f'"{rng.randint(0, 9)}"',
                "IRI": f"<http://e/{rng.randint(0, 9)}>",
                "LANG": f'"{rng.randint(0, 9)}"@en',
                "DATE": f'"2020-0{rng.randint(1, 9)}-01"^^<{xsd}date>',
                "BOOL": rng.choice(["true", "false"]),
            }.get(kind, kind)
        )
    return "SELECT ?x { VALUES ?x { " + " ".join(values) + " } } ORDER BY ?x"
