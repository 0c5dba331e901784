"""Latency of pages and documents at concurrency 1 (issue 13's page targets): an entity page,
a search, an entity's Turtle document and ``/shacl``, each the same request again and again
(``wrk``), with the answer cache on (what ``narcokg serve`` runs) and off (the first request of
each page, as a cache miss costs).

    python benchmarks/pages.py [--seconds 3] [--passes 3] [--cache on|off|both]
    python benchmarks/pages.py --cpu [--against REV] [--rounds 9] [--requests 50]

Serves the built snapshot (``dist/``, built first when stale: ``narcokg serve``'s own rule);
prints p50 and req/s per path, medians of the passes. ``--cpu``: the CPU time of one request in
process instead (Flask test client, no answer cache), this checkout against commit ``REV`` in
interleaved rounds (``pagecpu.py``).
"""

from __future__ import annotations

import argparse
import statistics
import sys

import procs
import wrkdrive

PATHS = ["/page/organisation/bnn", "/search?q=narkotika", "/data/organisation/bnn.ttl", "/shacl"]
TARGETS_MS = {"/shacl": 5.0}  # the others: 3 ms


def measure(cache_mb: int, seconds: int, passes: int) -> dict[str, tuple[float, float]]:
    """path -> (p50 ms, req/s), medians over ``passes``."""
    port = procs.free_port()
    server = procs.start_narcokg(
        f"pages-cache-{cache_mb}", port, build=True, env_extra={"NARCOKG_ANSWER_CACHE_MB": str(cache_mb)}
    )
    try:
        procs.wait_answer(server, "ASK {}", "application/sparql-results+json")
        procs.wait_settled(server)
        out = {}
        for path in PATHS:
            wrkdrive.one_pass(port, path, "text/html", 1, 1, unique=False)  # warm-up
            runs = [wrkdrive.one_pass(port, path, "text/html", 1, seconds, unique=False) for _ in range(passes)]
            if any(r.errors for r in runs):
                raise SystemExit(f"{path}: {sum(r.errors for r in runs)} answers were not 2xx")
            out[path] = (statistics.median(r.p50_ms for r in runs), statistics.median(r.rps for r in runs))
        return out
    finally:
        server.stop()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--seconds", type=int, default=3)
    ap.add_argument("--passes", type=int, default=3)
    ap.add_argument("--cache", choices=("on", "off", "both"), default="both", help="answer cache of the runs")
    ap.add_argument("--cpu", action="store_true", help="CPU ms per request in process, not HTTP latency")
    ap.add_argument("--against", metavar="REV", help="with --cpu: also this commit, in interleaved rounds")
    ap.add_argument("--rounds", type=int, default=9, help="with --cpu: rounds")
    ap.add_argument("--requests", type=int, default=50, help="with --cpu: requests per path and round")
    args = ap.parse_args(argv)
    if args.cpu:
        import pagecpu

        pagecpu.run(args.against, args.rounds, args.requests, pagecpu.PATHS)
        return 0
    if not wrkdrive.ensure(print):
        raise SystemExit("wrk is needed (Debian package wrk)")
    print(f"machine: load {procs.machine()['load']}")
    print("| path | answer cache | p50 ms | req/s | target p50 |")
    print("|---|---|---:|---:|---:|")
    for cache_mb, label in ((64, "on"), (0, "off")):
        if args.cache not in (label, "both"):
            continue
        for path, (p50, rps) in measure(cache_mb, args.seconds, args.passes).items():
            target = TARGETS_MS.get(path, 3.0)
            verdict = "met" if p50 < target else "not met"
            print(f"| `{path}` | {label} | {p50:.2f} | {rps:,.0f} | < {target:g} ({verdict}) |", flush=True)
    print(f"machine: load {procs.machine()['load']} (after)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
