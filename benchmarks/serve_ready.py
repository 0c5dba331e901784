"""Time from ``narcokg serve --no-build`` to a server that answers: first ``/health`` 200 and
first SPARQL answer (the query processes start after the HTTP workers).

    python benchmarks/serve_ready.py --runs 5 [--dump FILE]

Starts the server on a free loopback port each run, prints each run and the medians, stops it.
"""
from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

QUERY = "ASK { ?s ?p ?o }"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ok(url: str, accept: str | None = None) -> bool:
    req = urllib.request.Request(url, headers={"Accept": accept} if accept else {})
    try:
        with urllib.request.urlopen(req, timeout=2) as resp:
            return resp.status == 200
    except (urllib.error.URLError, OSError):
        return False


def one_run(extra: list[str], timeout: float) -> tuple[float, float]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "narcokg.cli", "serve", "--no-build", "--host", "127.0.0.1",
                             "--port", str(port), *extra], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env=dict(os.environ))
    health = query = float("nan")
    try:
        deadline = started + timeout
        while time.perf_counter() < deadline and proc.poll() is None:
            if ok(base + "/health"):
                health = time.perf_counter() - started
                break
            time.sleep(0.01)
        sparql = base + "/sparql?" + urllib.parse.urlencode({"query": QUERY})
        while time.perf_counter() < deadline and proc.poll() is None:
            if ok(sparql, "application/sparql-results+json"):
                query = time.perf_counter() - started
                break
            time.sleep(0.01)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
    return health, query


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--dump", help="serve this N-Quads file instead of the build's snapshot")
    ap.add_argument("--timeout", type=float, default=120.0)
    args = ap.parse_args(argv)
    extra = ["--dump", args.dump] if args.dump else []
    healths, queries = [], []
    for i in range(max(1, args.runs)):
        h, q = one_run(extra, args.timeout)
        healths.append(h)
        queries.append(q)
        print(f"run {i + 1}: /health {h:.3f} s, first SPARQL answer {q:.3f} s", flush=True)
    print(f"median: /health {statistics.median(healths):.3f} s, first SPARQL answer {statistics.median(queries):.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
