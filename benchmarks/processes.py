"""CPU per unique request by process class: narcokg's web workers and query processes, against
a revision of narcokg (``rev:REV``, served from its own checkout) on the same dump.

``python benchmarks/processes.py [--query join] [--requests 1500] [--rounds 5] [--rev 3bd11eb^]``

Both servers run at once. In each round each answers ``--requests`` unique requests (the mix's
query with a counter in a trailing comment) one after another over one kept-alive connection,
after 200 of warm-up; the CPU of every process of its tree is read from ``/proc/PID/stat`` before
and after, and summed per class (master, web worker, query process). The servers alternate
(ABBA…), and the table gives medians over the rounds: on the 2-core VM one measurement of the
same code twice differed by 1.6×, so a single pass cannot tell a few per cent. The client shares
the machine's cores.
"""

from __future__ import annotations

import argparse
import http.client
import os
import statistics
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
            out[pid] = (procs.role(server, pid), cpu_seconds(pid))
        except OSError:
            continue
    return out


class Client:
    """One kept-alive connection to a server that asks the query with a tag in a comment."""

    def __init__(self, server: procs.Server, query: mix.Query):
        self.server, self.query = server, query
        procs.wait_answer(server, query.text, query.accept)
        self.conn = http.client.HTTPConnection(procs.HOST, server.port, timeout=60)

    def reconnect(self, tag: str) -> None:
        """A new connection, used a few times before measuring: the server closes one that has
        waited past its keep-alive time while the other server had its turn."""
        self.conn.close()
        self.conn = http.client.HTTPConnection(procs.HOST, self.server.port, timeout=60)
        for i in range(20):
            self.ask(f"{tag}-w{i}")

    def ask(self, tag: str) -> None:
        text = quote(f"{self.query.text}  # {tag}", safe="")
        self.conn.request(
            "GET", f"{self.server.path}?{self.server.params}query={text}", headers={"Accept": self.query.accept}
        )
        resp = self.conn.getresponse()
        resp.read()
        if resp.status != 200:
            raise RuntimeError(f"{self.server.name}: {resp.status}")

    def block(self, tag: str, n: int) -> dict[str, float]:
        """CPU ms per request of each process class over ``n`` unique requests."""
        self.reconnect(tag)
        before = by_class(self.server)
        for i in range(n):
            self.ask(f"{tag}-{i}")
        after = by_class(self.server)
        totals: dict[str, float] = {}
        for pid, (kind, used) in after.items():
            totals[kind] = totals.get(kind, 0.0) + used - before.get(pid, (kind, 0.0))[1]
        return {kind: seconds / n * 1000 for kind, seconds in totals.items()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--query", default="join", choices=sorted(mix.BY_NAME))
    ap.add_argument("--requests", type=int, default=1500, help="requests per server per round")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--rev", default="3bd11eb^")
    args = ap.parse_args(argv)
    if not DUMP.exists():
        raise SystemExit(f"no snapshot at {DUMP}: run `python benchmarks/pipeline.py` first")
    query = mix.BY_NAME[args.query]
    servers = {
        "narcokg": procs.start_narcokg("proc-now", procs.free_port(), dump=DUMP),
        f"rev:{args.rev}": revisions.start(args.rev, DUMP, procs.free_port()),
    }
    rounds: dict[str, list[dict[str, float]]] = {name: [] for name in servers}
    try:
        clients = {name: Client(srv, query) for name, srv in servers.items()}
        time.sleep(3)  # every query process up
        for name, client in clients.items():
            for i in range(200):
                client.ask(f"w{i}")
        names = list(clients)
        for r in range(args.rounds):
            for name in names if r % 2 == 0 else names[::-1]:  # ABBA...: neither always goes first
                rounds[name].append(clients[name].block(f"r{r}", args.requests))
    finally:
        for srv in servers.values():
            srv.stop()
    print(
        f"CPU ms per unique `{args.query}` request at c=1: median of {args.rounds} rounds of {args.requests} "
        f"requests, the servers alternating (range of the totals in brackets); load average "
        f"{os.getloadavg()[0]:.2f}\n"
    )
    kinds = ["web worker", "query process", "master"]
    print("| server | " + " | ".join(kinds) + " | all |")
    print("|---|" + "---:|" * (len(kinds) + 1))
    medians = {}
    for name, rows in rounds.items():
        cells = " | ".join(f"{statistics.median(row.get(k, 0.0) for row in rows):.2f}" for k in kinds)
        totals = [sum(row.values()) for row in rows]
        medians[name] = statistics.median(totals)
        print(f"| {name} | {cells} | {medians[name]:.2f} ({min(totals):.2f}–{max(totals):.2f}) |")
    first, second = medians.values()
    print(f"\nnarcokg ÷ rev:{args.rev}, median CPU per request: {first / second:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
