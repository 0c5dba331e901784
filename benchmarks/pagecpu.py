"""CPU time of one request to a page, in process (Flask test client, no HTTP, no answer cache),
for this checkout and optionally another commit, in interleaved rounds (``pages.py --cpu``).

Each code version runs in a child process of its own (``PYTHONPATH`` of its tree) over the same
snapshot, the one of this checkout (built first when stale); the driver asks the children in
turn for ``requests`` requests of one path and keeps the median CPU ms of each round, so a busy
minute of the machine weighs on every version alike. Printed: the median of the rounds and
their range.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

#: A hub with many incoming links, the largest hub, a small page, a search and a document.
PATHS = [
    "/page/organisation/bnn",
    "/page/state/IDN",
    "/page/person/razfi-ramadhan",
    "/search?q=narkotika",
    "/data/organisation/bnn.ttl",
]


class Child:
    """One code version answering "path n" lines with the CPU ms of each request."""

    def __init__(self, label: str, tree: Path, dist: Path):
        env = dict(os.environ, PYTHONPATH=str(tree / "server"), PYTHONUNBUFFERED="1")
        self.label = label
        self.proc = subprocess.Popen(
            [sys.executable, str(HERE / "pagecpu.py"), "--child", str(dist), str(tree)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
            cwd=tree,
        )
        self.ask("ready", 0)

    def ask(self, path: str, n: int) -> list[float]:
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write(json.dumps([path, n]) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise SystemExit(f"{self.label}: the child stopped (exit {self.proc.wait()})")
        answer = json.loads(line)
        if isinstance(answer, str):
            raise SystemExit(f"{self.label} {path}: {answer}")
        return answer

    def close(self) -> None:
        if self.proc.poll() is None:
            assert self.proc.stdin
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def child(dist: str, tree: str) -> None:
    """The child's loop: build the app once, then time what the driver asks for."""
    from narcokg.config import load_settings
    from narcokg.web.app import create_app

    app = create_app(load_settings(dist=Path(dist), root=Path(tree), answer_cache_mb=0))
    client = app.test_client()
    for line in sys.stdin:
        path, n = json.loads(line)
        if path == "ready":
            print(json.dumps([]), flush=True)
            continue
        status = client.get(path).status_code  # warm-up: the per-process memos are full after it
        if status != 200:
            print(json.dumps(f"status {status}"), flush=True)
            continue
        times = []
        for _ in range(n):
            start = time.process_time()
            client.get(path).get_data()
            times.append((time.process_time() - start) * 1000)
        print(json.dumps(times), flush=True)


def fresh_dist() -> Path:
    """This checkout's snapshot, built first when stale (``narcokg serve``'s rule)."""
    from narcokg.build import pipeline
    from narcokg.config import load_settings

    settings = load_settings()
    if not pipeline.is_fresh(settings):
        print("building the snapshot first", flush=True)
        pipeline.run(settings, progress=lambda _m: None)
    return settings.dist


def run(against: str | None, rounds: int, requests: int, paths: list[str]) -> None:
    import procs

    dist = fresh_dist()
    versions = [("this checkout", ROOT)]
    if against:
        import revisions

        versions.insert(0, (against, revisions.checkout(against)))
    children = [Child(label, tree, dist) for label, tree in versions]
    rounds_ms: dict[tuple[str, str], list[float]] = {}
    try:
        print(f"machine: load {procs.machine()['load']}", flush=True)
        for r in range(rounds):
            order = children if r % 2 == 0 else children[::-1]
            for path in paths:
                for ch in order:
                    rounds_ms.setdefault((ch.label, path), []).append(statistics.median(ch.ask(path, requests)))
        print(f"machine: load {procs.machine()['load']} (after)")
    finally:
        for ch in children:
            ch.close()
    print(f"\nCPU ms per request, median of {rounds} rounds of {requests} (range of the round medians)\n")
    ratio = " | this / other (median of the rounds' ratios)" if against else ""
    print("| path | " + " | ".join(label for label, _ in versions) + ratio + " |")
    print("|---|" + "---:|" * (len(versions) + bool(against)))
    for path in paths:
        cells = []
        for label, _ in versions:
            ms = rounds_ms[(label, path)]
            cells.append(f"{statistics.median(ms):.2f} ({min(ms):.2f}–{max(ms):.2f})")
        if against:  # paired by round: a busy minute slows both sides of a ratio alike
            pairs = zip(rounds_ms[(versions[1][0], path)], rounds_ms[(versions[0][0], path)])
            cells.append(f"{statistics.median(new / old for new, old in pairs):.2f}")
        print(f"| `{path}` | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2], sys.argv[3])
    else:
        raise SystemExit("run it through pages.py --cpu")
