"""Replicas behind haproxy (deploy/haproxy.cfg, Debian's haproxy): two `narcokg serve` on
loopback, a bounded load through the proxy, one replica SIGKILLed (at most one failed request)
or drained with SIGTERM (none)."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import threading
import time

import pytest
import requests

from conftest import ROOT, free_port, start_server, stop_server

pytestmark = pytest.mark.skipif(shutil.which("haproxy") is None,
                                reason="haproxy is not installed (apt-get install haproxy)")

LOOKUP = "SELECT ?p ?o WHERE { <https://w3id.org/narcokg/id/state/IDN> ?p ?o }"
ENV = {"NARCOKG_WEB_WORKERS": "1", "NARCOKG_QUERY_WORKERS": "1"}


def _tree(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [pid, *(p for child in out.split() for p in _tree(int(child)))]


@pytest.fixture()
def cluster(built, tmp_path):
    ports = [free_port(), free_port()]
    replicas = [start_server(built.out_dir, tmp_path, env_extra=ENV, port=p) for p in ports]
    listen = free_port()
    cfg = (ROOT / "deploy" / "haproxy.cfg").read_text()
    cfg = cfg.replace("LISTEN", f"127.0.0.1:{listen}").replace("REPLICA_1", f"127.0.0.1:{ports[0]}") \
             .replace("REPLICA_2", f"127.0.0.1:{ports[1]}")
    (tmp_path / "haproxy.cfg").write_text(cfg)
    proxy = subprocess.Popen(["haproxy", "-db", "-f", str(tmp_path / "haproxy.cfg")],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{listen}"
    deadline = time.time() + 20
    while time.time() < deadline:
        try:
            if requests.get(base + "/health", timeout=1).status_code == 200:
                break
        except requests.RequestException:
            time.sleep(0.2)
    time.sleep(1.5)  # both replicas through their first health checks
    yield base, replicas
    proxy.terminate()
    proxy.wait(timeout=10)
    for r in replicas:
        if r.proc.poll() is None:
            stop_server(r)


def _load(base: str, seconds: float, event_at: float, event) -> tuple[int, list[str]]:
    """4 clients sending lookups for ``seconds``; ``event`` runs ``event_at`` seconds in."""
    stop = time.monotonic() + seconds
    done, failures, lock = [0], [], threading.Lock()

    def client(k: int) -> None:
        session = requests.Session()
        n = 0
        while time.monotonic() < stop:
            n += 1
            try:
                resp = session.get(base + "/sparql", params={"query": f"{LOOKUP} # {k}-{n}"}, timeout=30,
                                   headers={"Accept": "application/sparql-results+json"})
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


def test_one_replica_killed_during_load_costs_at_most_one_request(cluster):
    base, replicas = cluster

    def kill() -> None:
        for pid in _tree(replicas[0].proc.pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    done, failures = _load(base, 5.0, 1.5, kill)
    print(f"SIGKILL: {done} requests, {len(failures)} failed")
    assert done > 100
    assert len(failures) <= 1, failures


def test_one_replica_drained_with_sigterm_costs_no_request(cluster):
    base, replicas = cluster
    done, failures = _load(base, 5.0, 1.5, lambda: replicas[0].proc.send_signal(signal.SIGTERM))
    assert replicas[0].proc.wait(timeout=30) == 0
    print(f"SIGTERM: {done} requests, {len(failures)} failed")
    assert done > 100
    assert failures == []
