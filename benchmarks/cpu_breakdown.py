"""Where a unique request's CPU goes, by process class and by code object, under load.

``python benchmarks/cpu_breakdown.py [--query join] [--concurrency 8] [--seconds 5]``

Why not ``profile_lookup.py``: its sampler lives in the web worker and sees Python frames only;
it cannot see the query processes, the kernel's share (system calls, the scheduler switching
between the many processes and threads a request wakes) or the engine's native code. Linux
``perf`` samples every thread of the server's tree on the CPU clock (the VM has no hardware
counters) while ``wrk`` sends unique requests; each sample is attributed to its process class
(``procs.role``) and to the shared object it ran in (the Python interpreter, pyoxigraph, libc, the
kernel). Python frames are not named: CPython 3.11 has no perf trampoline.

Needs ``perf`` (Debian ``linux-perf``) and ``wrk``; run as a user allowed to profile other
processes (root here). Prints a Markdown table; nothing is written.
"""

from __future__ import annotations

import argparse
import collections
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import mix  # noqa: E402
import procs  # noqa: E402
import wrkdrive  # noqa: E402

#: Shared objects grouped under a readable name (the first match of the object's file name).
GROUPS = (
    ("[kernel", "kernel"),
    ("libpython", "Python interpreter"),
    ("pyoxigraph", "pyoxigraph (engine)"),
    ("libc.so", "libc (allocation, copies)"),
)


def group(dso: str) -> str:
    for needle, name in GROUPS:
        if needle in dso:
            return name
    return "other native code"


def roles(server: procs.Server) -> dict[int, str]:
    """Every process of the server's tree → its class."""
    return {pid: procs.role(server, pid) for pid in procs.tree(server.proc.pid)}


def samples(data: Path) -> list[tuple[int, str]]:
    """(process id, shared object) of every sample in a perf.data file."""
    text = subprocess.run(
        ["perf", "script", "-i", str(data), "-F", "pid,ip,dso"], capture_output=True, text=True, check=True
    ).stdout
    out = []
    for line in text.splitlines():  # "PID IP (DSO)"
        parts = line.split()
        if len(parts) >= 3 and parts[0].isdigit():
            out.append((int(parts[0]), parts[-1].strip("()")))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--query", default="join", choices=sorted(mix.BY_NAME))
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--seconds", type=int, default=5, help="seconds sampled (the load runs 3 s longer)")
    args = ap.parse_args(argv)
    if not wrkdrive.ensure() or subprocess.run(["which", "perf"], capture_output=True).returncode:
        print("needs wrk and perf (Debian packages wrk, linux-perf)")
        return 2
    dump = HERE / "out" / "snapshot" / "narcokg.nq"
    port = procs.free_port()
    server = procs.start_narcokg("cpu-breakdown", port, dump=dump)
    q = mix.BY_NAME[args.query]
    try:
        procs.wait_answer(server, q.text, q.accept)
        procs.wait_settled(server)
        path = server.target(q.text)
        wrkdrive.one_pass(port, path, q.accept, args.concurrency, 2, unique=True)  # warm-up, bursts started
        result: dict = {}
        load = threading.Thread(
            target=lambda: result.setdefault(
                "pass", wrkdrive.one_pass(port, path, q.accept, args.concurrency, args.seconds + 3, unique=True)
            )
        )
        load.start()
        time.sleep(1.5)
        with tempfile.TemporaryDirectory() as tmp:
            data = Path(tmp) / "perf.data"
            subprocess.run(
                ["perf", "record", "-q", "-e", "cpu-clock", "-F", "1999", "-o", str(data)]
                + ["-p", ",".join(str(pid) for pid in procs.tree(server.proc.pid))]
                + ["--", "sleep", str(args.seconds)],
                check=True,
                capture_output=True,
            )
            load.join()
            got = samples(data)
        classes = roles(server)  # before the stop; a burst process retired meanwhile counts as "other"
    finally:
        server.stop()
    rps = result["pass"].rps
    counts = collections.Counter((classes.get(pid, "other"), group(dso)) for pid, dso in got)
    total = sum(counts.values())
    by_role = collections.Counter()
    for (role, _), n in counts.items():
        by_role[role] += n
    print(
        f"Unique `{args.query}` at c={args.concurrency}: {rps:,.0f} req/s (wrk); {total:,} samples of the "
        f"server's threads on the CPU clock over {args.seconds} s.\n"
    )
    print("| process class | code | share of the server's CPU |")
    print("|---|---|---:|")
    for role, role_n in by_role.most_common():
        print(f"| **{role}** | all | **{100 * role_n / total:.1f} %** |")
        for (r, code), n in counts.most_common():
            if r == role and n / total >= 0.005:
                print(f"| | {code} | {100 * n / total:.1f} % |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
