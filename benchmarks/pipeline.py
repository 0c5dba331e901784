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
"""

from __future__ import annotations

import shutil
import statistics
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


def run(runs: int = 3, say=print) -> PipelineResult:
    steps, total, dist, quads = build_times(runs, say)
    ready, rebuilt = serve_ready(dist, runs, say)
    return PipelineResult(steps, total, runs, quads, dist, ready, rebuilt)


if __name__ == "__main__":
    import argparse
    import json

    ap = argparse.ArgumentParser(description="time the build steps and serve-ready on the real sources")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    print(json.dumps(run(args.runs).as_dict(), indent=1))
