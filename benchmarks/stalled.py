"""What a client meets when the remote engine stops answering (stopped with SIGSTOP: its socket
still accepts connections, nothing answers), and how fast narcokg comes back when it resumes.

``python benchmarks/stalled.py [--timeout 2] [--pages 10] [--rev REV]``

One Oxigraph server (``oxigraph serve-read-only`` on the real snapshot, loaded once into
``out/stalled-store``) and narcokg ``--engine URL --engine-dialect oxigraph`` in front of it, with
``NARCOKG_QUERY_TIMEOUT`` = ``--timeout`` and one web worker. The engine is stopped, then, in order:
a new query (two patterns, so it is the engine's to answer), ``--pages`` entity pages one after
another (each a page no earlier request read), and ``/health``; each with its status and seconds.
Then the engine resumes: seconds until ``/health`` says 200 again and a new query is answered;
then it is stopped again and the first request to meet it is an entity page (no query ran out of
time before it).
With ``--rev``, the same run first for narcokg at that commit (served from its own checkout, as
``processes.py`` does), so the two can be read side by side.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import quote

import requests

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import procs  # noqa: E402
import revisions  # noqa: E402
from narcokg.engine.oxigraph_server import OxigraphServer, is_loaded, load  # noqa: E402

DUMP = HERE / "out" / "snapshot" / "narcokg.nq"
STORE = HERE / "out" / "stalled-store"
QUERY = "ASK {{ ?s a <https://w3id.org/narcokg/ontology#State> ; ?p ?o FILTER({n} > 0) }}"
#: Entity pages, each read once per run (the answer cache would answer a repeated one).
PAGES = ["AUS", "MYS", "SGP", "THA", "PHL", "VNM", "LAO", "MMR", "KHM", "BRN", "CHN", "IND", "IRN", "BRA", "TLS", "FJI"]


def timed(method, url: str, **kw) -> tuple[int | str, float]:
    started = time.perf_counter()
    try:
        status = method(url, timeout=120, **kw).status_code
    except requests.RequestException as exc:
        status = type(exc).__name__
    return status, time.perf_counter() - started


def until(check, seconds: float = 30.0) -> float | None:
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        if check():
            return time.perf_counter() - started
        time.sleep(0.05)
    return None


def run(name: str, rev: str | None, engine: OxigraphServer, args) -> list[str]:
    port = procs.free_port()
    argv = [sys.executable, "-m", "narcokg.cli", "serve", "--host", procs.HOST, "--port", str(port), "--no-build"]
    argv += ["--dump", str(DUMP), "--engine", engine.url, "--engine-dialect", "oxigraph"]
    env = dict(procs.BENCH_ENV, NARCOKG_QUERY_TIMEOUT=str(args.timeout), NARCOKG_WEB_WORKERS="1")
    cwd = procs.ROOT
    if rev is not None:
        tree = revisions.checkout(rev)
        env.update(PYTHONPATH=str(tree / "server"), NARCOKG_DIST=str(tree / "dist"))
        cwd = tree
    server = procs.launch(f"stalled-{name}", argv, env, port=port, cwd=cwd)
    base = f"http://{procs.HOST}:{port}"
    rows = []
    try:
        ready = until(lambda: _ok(base + "/health"), 120)
        if ready is None:
            raise SystemExit(f"{name}: narcokg did not start; see {server.log}")
        n = int(time.time())
        os.kill(engine.proc.pid, signal.SIGSTOP)
        status, seconds = timed(requests.get, f"{base}/sparql?query={quote(QUERY.format(n=n))}")
        rows.append(f"| {name} | a new query | {status} | {seconds:.2f} |")
        pages = [
            timed(requests.get, f"{base}/page/state/{code}", headers={"Accept": "text/html"})
            for code in PAGES[: args.pages]
        ]
        statuses = sorted({str(s) for s, _ in pages})
        times = [t for _, t in pages]
        rows.append(
            f"| {name} | {len(pages)} entity pages, one after another | {', '.join(statuses)} | "
            f"median {statistics.median(times):.2f}, max {max(times):.2f} |"
        )
        status, seconds = timed(requests.get, base + "/health")
        rows.append(f"| {name} | `/health` | {status} | {seconds:.2f} |")
        os.kill(engine.proc.pid, signal.SIGCONT)
        back = until(lambda: _ok(base + "/health"))
        rows.append(f"| {name} | engine resumed: until `/health` is 200 | — | {_s(back)} |")
        answered = until(lambda: _ok(f"{base}/sparql?query={quote(QUERY.format(n=n + 1))}"))
        rows.append(f"| {name} | engine resumed: until a new query is answered | — | {_s(answered)} |")
        # Stopped again: now the first request to meet it is a page (no query ran out of time first).
        os.kill(engine.proc.pid, signal.SIGSTOP)
        status, seconds = timed(requests.get, f"{base}/page/state/{PAGES[-1]}", headers={"Accept": "text/html"})
        rows.append(f"| {name} | stopped again, the first request an entity page | {status} | {seconds:.2f} |")
    finally:
        os.kill(engine.proc.pid, signal.SIGCONT)
        server.stop()
    return rows


def _ok(url: str) -> bool:
    try:
        return requests.get(url, timeout=10).status_code == 200
    except requests.RequestException:
        return False


def _s(seconds: float | None) -> str:
    return "not within 30 s" if seconds is None else f"{seconds:.2f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--timeout", type=float, default=2.0, help="narcokg's query time limit (s)")
    ap.add_argument(
        "--pages", type=int, default=10, help=f"entity pages asked while stalled (at most {len(PAGES) - 1})"
    )
    ap.add_argument("--rev", help="also measure narcokg at this commit, first")
    args = ap.parse_args()
    if not DUMP.is_file():
        raise SystemExit(f"no snapshot at {DUMP}: copy dist/narcokg.nq there (see benchmarks/README.md)")
    if not is_loaded(DUMP, STORE):
        load(DUMP, STORE)
    engine = OxigraphServer(STORE).start()
    rows = []
    try:
        if args.rev:
            rows += run(f"rev:{args.rev}", args.rev, engine, args)
        rows += run("narcokg", None, engine, args)
    finally:
        engine.stop()
    print(
        f"Engine stopped with SIGSTOP; narcokg's query time limit {args.timeout:g} s; load average {procs.machine()['load']}."
    )
    print()
    print("| server | request | status | seconds |")
    print("|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
