"""What one query process costs: starting it, holding it, and one query's trip through it.

``python benchmarks/queryprocess.py [--starts 15] [--queries 3000]``

On the real snapshot (``out/snapshot/narcokg.nq``, else ``dist/``), without HTTP:

* **start**: ``python -m narcokg.engine.worker`` launched until its ready frame, ``--starts``
  times one after another: median wall time and CPU (what every replacement and burst process
  pays);
* **footprint**: anonymous memory and module count of a process that has imported the worker;
* **one anchored join's trip**: the mix's ``join`` run in this process by ``worker.execute``
  (back to back), against the same job sent ``--queries`` times as frames to a query process:
  that process's CPU per query, and the part of it spent inside ``execute`` (timed in the child).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
import timeit
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import mix  # noqa: E402
from processes import cpu_seconds  # noqa: E402
from narcokg.engine import worker  # noqa: E402

ROOT = HERE.parent
#: A query process whose ``execute`` sums its own CPU time, printed on stderr at exit.
_TIMED_CHILD = """
import sys, time, atexit
from narcokg.engine import worker
run, spent = worker.execute, [0.0, 0]
def timed(*a, **k):
    t = time.thread_time(); out = run(*a, **k); spent[0] += time.thread_time() - t; spent[1] += 1; return out
worker.execute = timed
atexit.register(lambda: print("EXECUTE", spent[0], spent[1], file=sys.stderr))
sys.exit(worker.main(sys.argv[1:]))
"""
_FOOTPRINT = """
import json, sys
import narcokg.engine.worker
anon = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("RssAnon:"))
print(json.dumps({"anon_kib": anon, "modules": len(sys.modules)}))
"""


def snapshot() -> Path:
    for path in (HERE / "out" / "snapshot" / "narcokg.nq", ROOT / "dist" / "narcokg.nq"):
        if path.is_file():
            return path
    raise SystemExit("no snapshot: run `narcokg build` first")


def starts(nq: Path, n: int) -> tuple[float, float]:
    walls, cpus = [], []
    for _ in range(n):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        cmd = [sys.executable, "-m", "narcokg.engine.worker", "--mode", "memory", "--path", str(nq)]
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        worker.read_frame(proc.stdout.fileno())
        walls.append(time.perf_counter() - t0)
        proc.stdin.close()
        proc.wait()
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append((after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime))
    return statistics.median(walls), statistics.median(cpus)


def trip(nq: Path, n: int) -> dict:
    import pyoxigraph as ox

    job = {"query": mix.BY_NAME["join"].text, "format": "json", "union": True, "max_rows": 100_000}
    store = ox.Store()
    store.bulk_load(path=str(nq), format=ox.RdfFormat.N_QUADS)
    here = min(timeit.repeat(lambda: worker.execute(store, job), number=n, repeat=3)) / n
    cmd = [sys.executable, "-c", _TIMED_CHILD, "--mode", "memory", "--path", str(nq)]
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    rfd, wfd = proc.stdout.fileno(), proc.stdin.fileno()
    worker.read_frame(rfd)
    for _ in range(200):  # warm-up
        worker.write_frame(wfd, job)
        worker.read_frame(rfd)
    before = cpu_seconds(proc.pid)
    for _ in range(n):
        worker.write_frame(wfd, job)
        worker.read_frame(rfd)
    per_query = (cpu_seconds(proc.pid) - before) / n
    proc.stdin.close()
    err = proc.stderr.read().decode()
    proc.wait()
    spent, count = next(line.split()[1:] for line in err.splitlines() if line.startswith("EXECUTE"))
    return {"here_us": here * 1e6, "child_us": per_query * 1e6, "execute_us": float(spent) / int(count) * 1e6}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--starts", type=int, default=15)
    ap.add_argument("--queries", type=int, default=3000)
    args = ap.parse_args(argv)
    nq = snapshot()
    wall, cpu = starts(nq, args.starts)
    out = subprocess.run([sys.executable, "-c", _FOOTPRINT], capture_output=True, text=True, check=True)
    foot = json.loads(out.stdout)
    t = trip(nq, args.queries)
    print(f"Query process on {nq.name}; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}.\n")
    print("| measure | value |")
    print("|---|---:|")
    print(f"| start to ready, median of {args.starts} (wall) | {wall * 1e3:.0f} ms |")
    print(f"| start to ready, median of {args.starts} (CPU) | {cpu * 1e3:.0f} ms |")
    print(f"| anonymous memory after importing the worker | {foot['anon_kib'] / 1024:.1f} MiB |")
    print(f"| modules after importing the worker | {foot['modules']} |")
    print(f"| anchored join run here, back to back | {t['here_us']:.0f} µs |")
    print(f"| anchored join through a query process: its CPU per query | {t['child_us']:.0f} µs |")
    print(f"| … of which inside `execute` | {t['execute_us']:.0f} µs |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
