"""One round trip through the query pool: today's code against a revision's (``rev:REV``).

``python benchmarks/poolround.py [--rev a2313f9] [--rounds 6] [--queries 2000]``

A pool of one query process over the snapshot (``benchmarks/out/snapshot``) answers a lookup
``--queries`` times from the calling thread; the thread's CPU (``time.thread_time``) and the wall
time per query are taken, which the whole-request benchmarks cannot resolve (a web thread's share
of one round trip is a few per cent of a request). Each revision runs in a process of its own
with its own code on ``PYTHONPATH``; the two alternate (ABBA…) and the table gives medians.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import revisions  # noqa: E402

DIST = HERE / "out" / "snapshot"
LOOKUP = "SELECT ?p ?o WHERE { <https://w3id.org/narcokg/id/organisation/bnn> ?p ?o } LIMIT 3"


def _child(queries: int) -> None:
    """Run in a process whose PYTHONPATH holds one revision's code; print the figures as JSON."""
    from narcokg.config import load_settings
    from narcokg.engine import data
    from narcokg.engine.pool import QueryPool

    settings = load_settings(dist=str(DIST))
    pool = QueryPool(settings, spec=data.prepare(settings), size=1)
    # The wire form written out rather than QueryJob(...).wire(): older revisions have no QueryJob.
    job = {"query": LOOKUP, "format": "json", "union": True, "max_rows": 1000, "prefixes": {}, "base_iri": None}
    job.update(default_graph=None, named_graphs=None)
    try:
        pool.wait_ready(60)
        for _ in range(300):
            pool.execute(job)
        cpu, wall = time.thread_time(), time.perf_counter()
        for _ in range(queries):
            pool.execute(job)
        print(
            json.dumps(
                {
                    "cpu_us": (time.thread_time() - cpu) / queries * 1e6,
                    "wall_us": (time.perf_counter() - wall) / queries * 1e6,
                }
            )
        )
    finally:
        pool.close()


def _run(code: Path, queries: int) -> dict:
    env = dict(os.environ, PYTHONPATH=str(code / "server"))
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(queries)], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--rev", default="a2313f9")
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--queries", type=int, default=2000)
    ap.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        _child(args.child)
        return 0
    if not (DIST / "narcokg.nq").exists():
        raise SystemExit(f"no snapshot in {DIST}: run `python benchmarks/pipeline.py` first")
    codes = {"narcokg": HERE.parent, f"rev:{args.rev}": revisions.checkout(args.rev)}
    runs: dict[str, list[dict]] = {name: [] for name in codes}
    names = list(codes)
    for r in range(args.rounds):
        for name in names if r % 2 == 0 else names[::-1]:
            runs[name].append(_run(codes[name], args.queries))
    print(
        f"Query pool round trip of a lookup: median of {args.rounds} rounds of {args.queries} queries "
        f"(range in brackets); load average {os.getloadavg()[0]:.2f}\n"
    )
    print("| code | calling thread's CPU (µs) | wall (µs) |")
    print("|---|---:|---:|")
    for name, rows in runs.items():
        cpu = [row["cpu_us"] for row in rows]
        wall = [row["wall_us"] for row in rows]
        print(
            f"| {name} | {statistics.median(cpu):.0f} ({min(cpu):.0f}–{max(cpu):.0f}) | "
            f"{statistics.median(wall):.0f} ({min(wall):.0f}–{max(wall):.0f}) |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
