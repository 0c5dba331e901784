"""Why narcokg gets slower from 1 to 8 clients: the same load on variants set by environment only.

``python benchmarks/scaling.py [--query lookup] [--variants default threads=1 …]``

For each variant (``NARCOKG_*`` settings, see ``VARIANTS``) a fresh ``narcokg serve`` on the
real snapshot gets unique requests of one query from wrk at concurrency 1 and 8. Besides
req/s it reads, per pass:

* **server CPU per request**: utime + stime of every process of the server's tree (from
  ``/proc/<pid>/stat``) over the pass ÷ answers. Flat from c=1 to c=8 means no contention
  is burning CPU; rising means threads spin or fight (GIL hand-offs, locks).
* **wrk CPU per request** (``RUSAGE_CHILDREN``): what the load generator takes from the 2 cores.
* **machine busy**: the share of all CPUs busy during the pass (``/proc/stat``), whoever used
  them: on a shared machine, when it is near 100 % at c=1 already, more clients cannot give
  more req/s.

All variants' servers are up at once and their passes interleaved (rotating who goes first),
so a drift in the machine's background load hits every variant alike; figures are medians of
``--passes`` passes.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import mix  # noqa: E402
import procs  # noqa: E402
import wrkdrive  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")

VARIANTS: dict[str, dict[str, str]] = {
    "default": {},
    "threads=1": {"NARCOKG_WEB_THREADS": "1"},
    "threads=2": {"NARCOKG_WEB_THREADS": "2"},
    "threads=4": {"NARCOKG_WEB_THREADS": "4"},
    "workers=1": {"NARCOKG_WEB_WORKERS": "1"},
    "workers=4": {"NARCOKG_WEB_WORKERS": "4"},
    "workers=4,threads=1": {"NARCOKG_WEB_WORKERS": "4", "NARCOKG_WEB_THREADS": "1"},
    "fair-use off": {"NARCOKG_CLIENT_BUDGET_SECONDS": "0"},
    "result cache off": {"NARCOKG_RESULT_CACHE_MB": "0"},
    "inline bounded off": {"NARCOKG_INLINE_BOUNDED": "0"},
    "linger off": {"NARCOKG_LINGER_MS": "0"},
    "qmax=1": {"NARCOKG_QUERY_WORKERS_MAX": "1"},
    "q=2,qmax=2": {"NARCOKG_QUERY_WORKERS": "2", "NARCOKG_QUERY_WORKERS_MAX": "2"},
    "workers=1,q=2": {"NARCOKG_WEB_WORKERS": "1", "NARCOKG_QUERY_WORKERS": "2", "NARCOKG_QUERY_WORKERS_MAX": "2"},
}


def tree_cpu_ticks(root: int) -> int:
    total = 0
    for pid in procs.tree(root):
        try:
            with open(f"/proc/{pid}/stat", "rb") as f:
                fields = f.read().decode(errors="replace").rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        except (OSError, IndexError, ValueError):
            continue
    return total


def machine_ticks() -> tuple[int, int]:
    with open("/proc/stat") as f:
        vals = [int(x) for x in f.readline().split()[1:]]
    idle = vals[3] + vals[4]
    return sum(vals), idle


def measured_pass(srv: procs.Server, q: mix.Query, c: int, seconds: int, unique: bool = True) -> dict:
    cpu0, (tot0, idle0) = tree_cpu_ticks(srv.proc.pid), machine_ticks()
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    p = wrkdrive.one_pass(srv.port, srv.target(q.text), q.accept, c, seconds, unique)
    ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu1, (tot1, idle1) = tree_cpu_ticks(srv.proc.pid), machine_ticks()
    n = max(1, p.ok)
    return {
        "rps": p.rps,
        "p50_ms": p.p50_ms,
        "errors": p.errors,
        "server_cpu_ms": (cpu1 - cpu0) / TICK * 1000 / n,
        "wrk_cpu_ms": ((ru1.ru_utime + ru1.ru_stime) - (ru0.ru_utime + ru0.ru_stime)) * 1000 / n,
        "busy": 1 - (idle1 - idle0) / max(1, tot1 - tot0),
    }


def run(
    variants: list[str],
    dump: Path,
    q: mix.Query,
    passes: int,
    seconds: int,
    concurrencies=(1, 8),
    say=print,
    back_to_back: bool = False,
) -> dict[str, dict]:
    """Every variant's server up at once; passes interleaved, rotating who goes first (or, with
    ``back_to_back``, each variant's passes one right after the other, as a plain wrk loop does)."""
    servers: dict[str, procs.Server] = {}
    out: dict[str, dict] = {name: {} for name in variants}
    try:
        for name in variants:
            tag = name.replace(" ", "-").replace("=", "").replace(",", "-")
            servers[name] = procs.start_narcokg(
                f"scaling-{tag}", procs.free_port(), dump=dump, env_extra=VARIANTS[name]
            )
        for srv in servers.values():
            procs.wait_answer(srv, q.text, q.accept, timeout=300)
        for srv in servers.values():
            procs.wait_settled(srv)
        for c in concurrencies:
            runs: dict[str, list[dict]] = {name: [] for name in variants}
            for name, srv in servers.items():
                wrkdrive.one_pass(srv.port, srv.target(q.text), q.accept, c, 1, True)  # warm-up
            if back_to_back:
                schedule = [name for name in variants for _ in range(passes)]
            else:
                schedule = [
                    name
                    for i in range(passes)
                    for name in variants[i % len(variants) :] + variants[: i % len(variants)]
                ]
            for name in schedule:
                runs[name].append(measured_pass(servers[name], q, c, seconds))
            for name in variants:
                out[name][c] = {k: statistics.median(r[k] for r in runs[name]) for k in runs[name][0]}
                r = out[name][c]
                say(
                    f"  {name:<22} c={c} {r['rps']:7.0f}/s  server cpu {r['server_cpu_ms']:.2f} ms/req  "
                    f"busy {r['busy']:.0%}"
                )
    finally:
        for srv in servers.values():
            srv.stop()
    for name, srv in servers.items():
        workers = int(VARIANTS[name].get("NARCOKG_WEB_WORKERS", 2))
        out[name]["restarts"] = max(0, srv.log_text().count("Booting worker") - workers)
    return out


def table(results: dict[str, dict]) -> str:
    lines = [
        "| variant | req/s c=1 | req/s c=8 | c=8 ÷ c=1 | server CPU ms/req c=1 · c=8 | wrk CPU ms/req c=1 · c=8 "
        "| p50 ms c=1 · c=8 | machine busy c=1 · c=8 | workers rebooted |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, r in results.items():
        a, b = r[1], r[8]
        lines.append(
            f"| {name} | {a['rps']:,.0f} | {b['rps']:,.0f} | {b['rps'] / a['rps']:.2f} | "
            f"{a['server_cpu_ms']:.2f} · {b['server_cpu_ms']:.2f} | {a['wrk_cpu_ms']:.3f} · {b['wrk_cpu_ms']:.3f} | "
            f"{a['p50_ms']:.2f} · {b['p50_ms']:.2f} | {a['busy']:.0%} · {b['busy']:.0%} | {r['restarts']} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--query", default="lookup")
    ap.add_argument("--variants", nargs="+", default=list(VARIANTS), help=", ".join(VARIANTS))
    ap.add_argument("--passes", type=int, default=3)
    ap.add_argument("--seconds", type=int, default=2)
    ap.add_argument("--dump", type=Path)
    ap.add_argument(
        "--baseline",
        type=Path,
        metavar="CHECKOUT",
        help="also run the default settings on the narcokg code of another checkout (e.g. one made "
        "with git archive of an older commit): variant 'baseline'",
    )
    ap.add_argument(
        "--back-to-back",
        action="store_true",
        help="run each variant's passes one right after the other instead of interleaving them",
    )
    args = ap.parse_args(argv)
    if args.baseline:
        VARIANTS["baseline"] = {"PYTHONPATH": str(args.baseline.resolve() / "server")}
        args.variants = [*args.variants, "baseline"]
    procs.exit_on_sigterm()
    import run_all

    dump = args.dump.resolve() if args.dump else run_all.snapshot_dump()
    q = mix.BY_NAME[args.query]
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", file=sys.stderr)
    results = run(
        args.variants,
        dump,
        q,
        args.passes,
        args.seconds,
        say=lambda m: print(m, file=sys.stderr, flush=True),
        back_to_back=args.back_to_back,
    )
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", file=sys.stderr)
    print(
        f"Unique `{args.query}` requests (wrk), real snapshot; median of {args.passes} passes of {args.seconds} s"
        f"{', back to back' if args.back_to_back else ', interleaved'}.\n"
    )
    print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
