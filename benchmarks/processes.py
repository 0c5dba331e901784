"""CPU per unique request by process class: narcokg's web workers and query processes, against
a revision of narcokg (``rev:REV``, served from its own checkout) on the same dump.

``python benchmarks/processes.py [--query join] [--requests 1500] [--rev 3bd11eb^]``

Each server answers ``--requests`` unique requests (the mix's query with a counter in a trailing
comment) one after another over one kept-alive connection, after 200 of warm-up; the CPU of
every process of its tree is read from ``/proc/PID/stat`` before and after, and summed per class
(master, web worker, query process). The client shares the machine's cores.
"""

from __future__ import annotations

import argparse
import http.client
import os
import sys
import time
from pathlib import Path
from urllib.parse import quote

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import mix  # noqa: E402
import procs  # noqa: E402
import revisions  # noqa: E402

DUMP = HERE / "out" / "snapshot" / "narcokg.nq"


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def by_class(server: procs.Server) -> dict[int, tuple[str, float]]:
    out = {}
    for pid in procs.tree(server.proc.pid):
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
            used = cpu_seconds(pid)
        except OSError:
            continue
        if pid == server.proc.pid:
            kind = "master"
        elif b"narcokg.engine.worker" in cmd or b"queryworker" in cmd:
            kind = "query process"
        else:
            kind = "web worker"
        out[pid] = (kind, used)
    return out


def measure(server: procs.Server, query: mix.Query, n: int) -> dict[str, float]:
    try:
        procs.wait_answer(server, query.text, query.accept)
        time.sleep(3)  # every query process up
        conn = http.client.HTTPConnection(procs.HOST, server.port, timeout=60)

        def ask(tag: str) -> None:
            text = quote(f"{query.text}  # {tag}", safe="")
            conn.request("GET", f"{server.path}?{server.params}query={text}", headers={"Accept": query.accept})
            resp = conn.getresponse()
            resp.read()
            if resp.status != 200:
                raise RuntimeError(f"{server.name}: {resp.status}")

        for i in range(200):
            ask(f"w{i}")
        before = by_class(server)
        for i in range(n):
            ask(str(i))
        after = by_class(server)
    finally:
        server.stop()
    totals: dict[str, float] = {}
    for pid, (kind, used) in after.items():
        totals[kind] = totals.get(kind, 0.0) + used - before.get(pid, (kind, 0.0))[1]
    return {kind: seconds / n * 1000 for kind, seconds in totals.items()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--query", default="join", choices=sorted(mix.BY_NAME))
    ap.add_argument("--requests", type=int, default=1500)
    ap.add_argument("--rev", default="3bd11eb^")
    args = ap.parse_args(argv)
    if not DUMP.exists():
        raise SystemExit(f"no snapshot at {DUMP}: run `python benchmarks/pipeline.py` first")
    query = mix.BY_NAME[args.query]
    rows = {
        "narcokg": measure(procs.start_narcokg("proc-now", procs.free_port(), dump=DUMP), query, args.requests),
        f"rev:{args.rev}": measure(revisions.start(args.rev, DUMP, procs.free_port()), query, args.requests),
    }
    print(
        f"CPU ms per unique `{args.query}` request, {args.requests} requests at c=1, load average "
        f"{os.getloadavg()[0]:.2f}\n"
    )
    kinds = ["web worker", "query process", "master"]
    print("| server | " + " | ".join(kinds) + " | all |")
    print("|---|" + "---:|" * (len(kinds) + 1))
    for name, row in rows.items():
        cells = " | ".join(f"{row.get(k, 0.0):.2f}" for k in kinds)
        print(f"| {name} | {cells} | {sum(row.values()):.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
