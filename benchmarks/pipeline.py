"""Pipeline: the build's steps on the real sources, and serve-ready time from a fresh snapshot.

* **Build**: ``build.run(settings)`` into a fresh folder under benchmarks/out/, ``runs`` times;
  the median of each step's seconds (load, OWL RL, SHACL, snapshot) as ``build.run`` reports
  them, plus the whole call.
* **Serve-ready**: ``narcokg serve`` (without ``--no-build``: it checks that the snapshot is
  fresh, as a user's start does) on a just-built snapshot; the seconds from launching the
  command to the first answered SPARQL query (the mix's lookup, over HTTP), median of
  ``runs`` starts. A start that rebuilt (because the sources changed meanwhile) is flagged.

The last build's snapshot is what the HTTP mix then serves, so every server in the run answers
from the same N-Quads file.

``--against REV``: the build of this checkout and of another commit (its worktree, see
``revisions.checkout``), each in a fresh Python process of its own code, in alternating rounds
(ABBA…), so that a busy minute of the machine weighs on both alike; prints each step's median
and range per version and the ratio of the medians.
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import mix
import procs

OUT = Path(__file__).resolve().parent / "out"
#: Where the last build's snapshot stays for the mix.
SNAPSHOT = OUT / "snapshot"


@dataclass
class PipelineResult:
    steps: dict[str, float]  # medians
    total: float
    runs: int
    quads: int
    dist: Path
    ready: list[float] = field(default_factory=list)
    rebuilt: int = 0

    @property
    def ready_median(self) -> float:
        return statistics.median(self.ready) if self.ready else float("nan")

    def as_dict(self) -> dict:
        return {
            "build_steps_s": {k: round(v, 3) for k, v in self.steps.items()},
            "build_total_s": round(self.total, 3),
            "runs": self.runs,
            "quads": self.quads,
            "serve_ready_s": [round(x, 3) for x in self.ready],
            "serve_ready_median_s": round(self.ready_median, 3),
            "starts_that_rebuilt": self.rebuilt,
        }


def build_times(runs: int, say=print) -> tuple[dict[str, float], float, Path, int]:
    from narcokg.build import pipeline as build
    from narcokg.config import load_settings

    per_step: dict[str, list[float]] = {}
    totals: list[float] = []
    dist = OUT / "build-0"
    quads = 0
    for i in range(runs):
        dist = OUT / f"build-{i}"
        shutil.rmtree(dist, ignore_errors=True)
        settings = load_settings(dist=dist)
        t0 = time.perf_counter()
        result = build.run(settings, progress=lambda _m: None)
        totals.append(time.perf_counter() - t0)
        for step, secs in result.timings.items():
            per_step.setdefault(step, []).append(secs)
        quads = sum(len(g) for g in result.dataset.graphs())
        say(
            f"  build {i + 1}/{runs}: {totals[-1]:.2f} s "
            + ", ".join(f"{k} {v:.2f}" for k, v in result.timings.items())
        )
    for i in range(runs - 1):  # keep only the last snapshot, as benchmarks/out/snapshot
        shutil.rmtree(OUT / f"build-{i}", ignore_errors=True)
    shutil.rmtree(SNAPSHOT, ignore_errors=True)
    dist.rename(SNAPSHOT)
    return {k: statistics.median(v) for k, v in per_step.items()}, statistics.median(totals), SNAPSHOT, quads


def serve_ready(dist: Path, runs: int, say=print) -> tuple[list[float], int]:
    probe = mix.BY_NAME["lookup"]
    times, rebuilt = [], 0
    for i in range(runs):
        server = procs.start_narcokg(f"pipeline-ready-{i}", procs.free_port(), dist=dist, build=True)
        try:
            times.append(procs.wait_answer(server, probe.text, probe.accept, timeout=300))
        finally:
            server.stop()
        if "building first" in server.log_text():
            rebuilt += 1
        say(f"  serve-ready {i + 1}/{runs}: {times[-1]:.3f} s" + (" (it rebuilt: sources changed)" if rebuilt else ""))
    return times, rebuilt


#: One build in a fresh process: the step timings as JSON on stdout (argv[1]: the output folder).
_ONE_BUILD = (
    "import json, sys, time; from pathlib import Path; t0 = time.perf_counter();"
    "from narcokg.build import pipeline; from narcokg.config import load_settings;"
    "t1 = time.perf_counter(); r = pipeline.run(load_settings(dist=Path(sys.argv[1])), progress=lambda m: None);"
    "print(json.dumps(dict(r.timings, imports=t1 - t0, total=time.perf_counter() - t1)))"
)


def _one_build(tree: Path, dist: Path) -> dict[str, float]:
    shutil.rmtree(dist, ignore_errors=True)
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(tree / "server"), "HOME": str(OUT)}
    out = subprocess.run(
        [sys.executable, "-c", _ONE_BUILD, str(dist)], cwd=tree, env=env, capture_output=True, text=True, check=True
    )
    shutil.rmtree(dist, ignore_errors=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def against(rev: str, rounds: int, say=print) -> dict[str, dict[str, list[float]]]:
    """Step timings of this checkout and of ``rev``, alternating, ``rounds`` builds each."""
    import revisions

    trees = {"this checkout": revisions.ROOT, rev: revisions.checkout(rev)}
    seen: dict[str, dict[str, list[float]]] = {label: {} for label in trees}
    for i in range(rounds):
        order = list(trees) if i % 2 == 0 else list(reversed(trees))
        for label in order:
            timings = _one_build(trees[label], OUT / "build-against")
            for step, secs in timings.items():
                seen[label].setdefault(step, []).append(secs)
            say(f"  round {i + 1}/{rounds} {label}: " + ", ".join(f"{k} {v:.2f}" for k, v in timings.items()))
    return seen


def print_against(seen: dict[str, dict[str, list[float]]], say=print) -> None:
    new, old = list(seen)
    say(f"{'step':<18} {new:>22} {old:>22} {'ratio':>6}")
    for step in seen[new]:
        a, b = seen[new][step], seen[old].get(step, [float("nan")])
        cell = lambda xs: f"{statistics.median(xs):.2f} ({min(xs):.2f}-{max(xs):.2f})"  # noqa: E731
        say(f"{step:<18} {cell(a):>22} {cell(b):>22} {statistics.median(a) / statistics.median(b):>6.2f}")


def run(runs: int = 3, say=print) -> PipelineResult:
    steps, total, dist, quads = build_times(runs, say)
    ready, rebuilt = serve_ready(dist, runs, say)
    return PipelineResult(steps, total, runs, quads, dist, ready, rebuilt)


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser(description="time the build steps and serve-ready on the real sources")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--against", metavar="REV", help="compare the build with another commit's, alternating")
    args = ap.parse_args()
    if args.against:
        print_against(against(args.against, max(2, args.runs)))
    else:
        print(json.dumps(run(args.runs).as_dict(), indent=1))
