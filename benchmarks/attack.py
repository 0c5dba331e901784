"""Attacks on one client's behalf against another: is a cheap query still answered quickly?

    python benchmarks/attack.py [--variant buffered|gthread|gevent|granian] [--scenario NAME ...]
                                [--seconds 8] [--dist DIR]

Starts ``narcokg serve`` (or, with ``--variant``, the same app under another HTTP server, see
``serve_variant.py``) on a built snapshot (``--dist``, default: the project's dist/), then runs
one scenario at a time while a probe client sends a cheap query (a one-subject lookup) every
20 ms over a keep-alive connection. Per scenario it prints the probe's p50/p99/max latency and
failures, the 5xx answers the attackers got (client input must never cause one), and the peak
RSS of the server's process tree (the sum over /proc of the tree, sampled every 0.2 s).

Scenarios: ``baseline`` (no attack), ``stalled`` (16 connections send part of a request and
stop), ``disconnects`` (40 clients in 10 s read 100 bytes of the dump and hang up), ``idle``
(3,000 connections that send nothing), ``hostile`` (8 clients loop on 64 KiB queries of ``"``
then ``\\"`` × 32,000), ``bombs`` (8 clients loop on cross-product COUNT and ORDER BY queries).
Loopback only; every loop is bounded by the scenario's time; the server is stopped at the end.

``--mix`` first measures the same server on part of the benchmark mix (unique lookups and the
aggregate at 1 and 8 clients, ``driver.measure`` with cache busting), for the side-by-side
comparison of HTTP servers in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import http.client
import resource
import socket
import statistics
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

import driver
import mix
import procs

HOST = procs.HOST
PROBE = "SELECT * WHERE { <https://w3id.org/narcokg/id/state/IDN> ?p ?o } LIMIT 5"
JSON = "application/sparql-results+json"
STALLS = [
    b"GET /health HT",
    b"GET /health HTTP/1.1\r\nHost: x\r\nAccept: te",
    b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\nContent-Length: 100\r\n\r\nASK {",
    b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
    b"Transfer-Encoding: chunked\r\n\r\n6\r\nASK {}\r\n",
]
HOSTILE = '"' + '\\"' * 32000
BOMBS = [
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
    "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f",
]
SCENARIOS = ["baseline", "stalled", "disconnects", "idle", "hostile", "bombs"]


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.status: dict[int, int] = {}
        self.errors = 0

    def add(self, status: int | None) -> None:
        with self.lock:
            if status is None:
                self.errors += 1
            else:
                self.status[status] = self.status.get(status, 0) + 1

    @property
    def server_errors(self) -> int:
        return sum(n for s, n in self.status.items() if s >= 500)


def _post_query(port: int, text: str, timeout: float = 30.0) -> int | None:
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request(
            "POST", "/sparql", body=text.encode(), headers={"Content-Type": "application/sparql-query", "Accept": JSON}
        )
        resp = conn.getresponse()
        resp.read()
        return resp.status
    except (OSError, http.client.HTTPException):
        return None
    finally:
        conn.close()


def probe(port: int, until: float, latencies: list[float], failures: list[str]) -> None:
    conn = None
    target = "/sparql?query=" + quote(PROBE)
    while time.monotonic() < until:
        started = time.perf_counter()
        try:
            if conn is None:
                conn = http.client.HTTPConnection(HOST, port, timeout=10)
            conn.request("GET", target, headers={"Accept": JSON})
            resp = conn.getresponse()
            resp.read()
            if resp.status != 200:
                failures.append(str(resp.status))
            else:
                latencies.append(time.perf_counter() - started)
        except (OSError, http.client.HTTPException) as exc:
            failures.append(exc.__class__.__name__)
            if conn is not None:
                conn.close()
            conn = None
        time.sleep(0.02)
    if conn is not None:
        conn.close()


def tree_rss_mib(root: int) -> float:
    return sum(procs.status_kb(pid, "VmRSS") or 0 for pid in procs.tree(root)) / 1024


def scenario_threads(name: str, port: int, until: float, tally: Tally, held: list[socket.socket]):
    """The attack's threads (not started) for one scenario; sockets it holds go to ``held``."""

    def stalled():
        for i in range(16):
            s = socket.create_connection((HOST, port), timeout=5)
            s.sendall(STALLS[i % len(STALLS)])
            held.append(s)

    def disconnects():
        for _ in range(40):
            if time.monotonic() >= until:
                break
            try:
                with socket.create_connection((HOST, port), timeout=10) as s:
                    s.sendall(b"GET /download/narcokg.nq HTTP/1.1\r\nHost: x\r\n\r\n")
                    s.recv(100)
                    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01" + b"\x00" * 7)
            except OSError:
                tally.add(None)
            time.sleep(0.25)

    def idle():
        for _ in range(3000):
            if time.monotonic() >= until:
                break
            try:
                held.append(socket.create_connection((HOST, port), timeout=5))
            except OSError:
                tally.add(None)

    def looping(text: str):
        def run():
            while time.monotonic() < until:
                tally.add(_post_query(port, text))

        return run

    if name == "stalled":
        return [threading.Thread(target=stalled)]
    if name == "disconnects":
        return [threading.Thread(target=disconnects)]
    if name == "idle":
        return [threading.Thread(target=idle)]
    if name == "hostile":
        return [threading.Thread(target=looping(HOSTILE)) for _ in range(8)]
    if name == "bombs":
        return [threading.Thread(target=looping(BOMBS[i % 2])) for i in range(8)]
    return []


def run_scenario(server: procs.Server, name: str, seconds: float) -> dict:
    until = time.monotonic() + seconds
    tally, held = Tally(), []
    latencies: list[float] = []
    failures: list[str] = []
    attackers = scenario_threads(name, server.port, until, tally, held)
    for t in attackers:
        t.start()
    time.sleep(0.5 if attackers else 0)  # let the attack take hold first
    prober = threading.Thread(target=probe, args=(server.port, until, latencies, failures))
    prober.start()
    peak = 0.0
    while prober.is_alive():
        peak = max(peak, tree_rss_mib(server.proc.pid))
        time.sleep(0.2)
    for t in attackers:
        t.join(timeout=60)
    for s in held:
        s.close()
    lat = sorted(latencies)

    def pct(p: float) -> float:
        return lat[min(len(lat) - 1, int(p * len(lat)))] * 1000 if lat else float("nan")

    return {
        "scenario": name,
        "probes": len(lat),
        "p50_ms": pct(0.5),
        "p99_ms": pct(0.99),
        "max_ms": lat[-1] * 1000 if lat else float("nan"),
        "probe_failures": len(failures),
        "attack_5xx": tally.server_errors,
        "attack_dropped": tally.errors,
        "attack_status": dict(sorted(tally.status.items())),
        "peak_rss_mib": peak,
        "median_ms": statistics.median(lat) * 1000 if lat else float("nan"),
    }


def start(variant: str, dist: Path) -> procs.Server:
    port = procs.free_port()
    import os

    # This checkout's package first, and serve_variant importable by granian's workers.
    path = [str(procs.ROOT / "server"), str(procs.HERE), os.environ.get("PYTHONPATH", "")]
    env = dict(procs.BENCH_ENV, NARCOKG_DIST=str(dist), PYTHONPATH=":".join(p for p in path if p))
    argv = [sys.executable, str(procs.HERE / "serve_variant.py"), variant, "--host", HOST, "--port", str(port)]
    server = procs.launch(f"attack-{variant}", argv, env, port=port)
    procs.wait_answer(server, PROBE, JSON, timeout=120)
    procs.wait_settled(server, timeout=60)
    return server


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--variant", default="buffered", choices=["buffered", "gthread", "gevent", "granian"])
    ap.add_argument("--scenario", action="append", choices=SCENARIOS)
    ap.add_argument("--seconds", type=float, default=8.0)
    ap.add_argument("--dist", type=Path, default=procs.ROOT / "dist")
    ap.add_argument("--mix", action="store_true", help="measure lookups and the aggregate first")
    args = ap.parse_args(argv)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 16384) if hard > 0 else 16384, hard))
    if not (args.dist / "narcokg.nq").is_file():
        print(f"no built snapshot in {args.dist}: run `narcokg build` first", file=sys.stderr)
        return 2
    server = start(args.variant, args.dist)
    print(f"variant {args.variant}; {args.seconds:g} s per scenario; probe: {PROBE}")
    print(
        f"{'scenario':<12} {'probes':>6} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'probe fail':>10} "
        f"{'atk 5xx':>7} {'atk drop':>8} {'peak RSS MiB':>12}  attack answers"
    )
    try:
        if args.mix:
            target = driver.Target(server.port)
            for query in mix.select(["lookup", "aggregate"]):
                for c in (1, 8):
                    r = driver.measure(target, query, c, passes=3, seconds=1.5, bust=True)
                    print(
                        f"mix {query.name:<10} c={c}: {r.rps:8.0f} req/s  p50 {r.p50_ms:6.2f} ms  "
                        f"p99 {r.p99_ms:6.2f} ms  errors {r.errors}",
                        flush=True,
                    )
        for name in args.scenario or SCENARIOS:
            r = run_scenario(server, name, args.seconds)
            print(
                f"{name:<12} {r['probes']:>6} {r['p50_ms']:>8.1f} {r['p99_ms']:>8.1f} {r['max_ms']:>8.1f} "
                f"{r['probe_failures']:>10} {r['attack_5xx']:>7} {r['attack_dropped']:>8} "
                f"{r['peak_rss_mib']:>12.0f}  {r['attack_status']}",
                flush=True,
            )
            time.sleep(1.0)
            if server.proc.poll() is not None:
                print("the server exited", file=sys.stderr)
                return 1
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
