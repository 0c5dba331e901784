"""Replicas of `narcokg serve` behind a real proxy (Debian's haproxy or nginx) running the
configuration in deploy/, on loopback: shared by the failover and the cache tests."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from conftest import ROOT, Server, free_port, start_server, stop_server

LOOKUP = "SELECT ?p ?o WHERE { <https://w3id.org/narcokg/id/state/IDN> ?p ?o }"
ENV = {"NARCOKG_WEB_WORKERS": "1", "NARCOKG_QUERY_WORKERS": "1"}
PROXIES = ("haproxy", "nginx")


def skip_unless_installed(kind: str) -> None:
    if shutil.which(kind) is None:
        pytest.skip(f"{kind} is not installed (apt-get install {kind})")


def _config(kind: str, listen: int, ports: list[int], tmp: Path) -> list[str]:
    """deploy/'s configuration with the placeholders filled in; the proxy's command line."""
    name = "haproxy.cfg" if kind == "haproxy" else "nginx.conf"
    text = (ROOT / "deploy" / name).read_text()
    text = text.replace("LISTEN", f"127.0.0.1:{listen}")
    for i, port in enumerate(ports, 1):
        text = text.replace(f"REPLICA_{i}", f"127.0.0.1:{port}")
    if kind == "haproxy":
        (tmp / "haproxy.cfg").write_text(text)
        return ["haproxy", "-db", "-f", str(tmp / "haproxy.cfg")]
    prefix = tmp / "nginx"
    for sub in ("logs", "tmp", "cache"):
        (prefix / sub).mkdir(parents=True, exist_ok=True)
    (prefix / "nginx.conf").write_text(text)
    directives = "daemon off;" + (" user root;" if os.geteuid() == 0 else "")
    return ["nginx", "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-e", "logs/error.log", "-g", directives]


@dataclass
class Cluster:
    base: str
    replicas: list[Server]
    proxy: subprocess.Popen
    kind: str


def start_cluster(kind: str, dist: Path, tmp: Path, replicas: int = 2) -> Cluster:
    """``replicas`` replicas on the build in ``dist`` behind ``kind``, all of them answering."""
    skip_unless_installed(kind)
    ports = [free_port() for _ in range(replicas)]
    servers = [start_server(dist, tmp, env_extra=ENV, port=p) for p in ports]
    listen = free_port()
    argv = _config(kind, listen, ports, tmp)
    proxy = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{listen}"
    deadline = time.time() + 20
    while time.time() < deadline:
        if proxy.poll() is not None:
            raise RuntimeError(f"{kind} exited with status {proxy.returncode}")
        try:
            if requests.get(base + "/health", timeout=1).status_code == 200:
                break
        except requests.RequestException:
            time.sleep(0.2)
    time.sleep(1.5)  # both replicas through their first health checks
    return Cluster(base, servers, proxy, kind)


def stop_cluster(cluster: Cluster) -> None:
    cluster.proxy.terminate()
    cluster.proxy.wait(timeout=10)
    for r in cluster.replicas:
        if r.proc.poll() is None:
            stop_server(r)


def process_tree(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [pid, *(p for child in out.split() for p in process_tree(int(child)))]


def bounded_load(base: str, seconds: float, event_at: float, event) -> tuple[int, list[str]]:
    """4 clients sending unique lookups for ``seconds``; ``event`` runs ``event_at`` seconds in."""
    stop = time.monotonic() + seconds
    done, failures, lock = [0], [], threading.Lock()

    def client(k: int) -> None:
        session = requests.Session()
        n = 0
        while time.monotonic() < stop:
            n += 1
            try:
                resp = session.get(
                    base + "/sparql",
                    params={"query": f"{LOOKUP} # {k}-{n}"},
                    timeout=30,
                    headers={"Accept": "application/sparql-results+json"},
                )
                ok = resp.status_code == 200
                why = f"status {resp.status_code}"
            except requests.RequestException as exc:
                ok, why = False, type(exc).__name__
            with lock:
                done[0] += 1
                if not ok:
                    failures.append(why)

    threads = [threading.Thread(target=client, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    time.sleep(event_at)
    event()
    for t in threads:
        t.join()
    return done[0], failures
