"""Scale: serve synthetic dumps of growing size with ``narcokg serve --dump`` and measure.

For each size (100k, 1M, 2M triples by default) the dump comes from ``synth.py`` (seeded,
cached in benchmarks/out/), then:

* **serve-ready, cold**: launch → first answered query, after deleting the on-disk query store
  narcokg builds beside a large dump (dumps over 32 MiB are served from a read-only on-disk
  pyoxigraph store built once per dump; smaller ones are bulk-loaded in memory by every
  query process). This is what the first start on new data costs.
* **serve-ready, warm**: the same with the on-disk store already built (every later start).
* each query's p50 at concurrency 1 and requests/s at concurrency 8 (``driver.py``);
* memory: VmRSS and Pss of the gunicorn master, each HTTP worker and each query process,
  read from /proc after the queries ran.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import driver
import mix
import procs
import synth

OUT = Path(__file__).resolve().parent / "out"
DEFAULT_SIZES = [100_000, 1_000_000, 2_000_000]


@dataclass
class SizeResult:
    triples: int
    quads: int
    dump_mb: float
    cold_ready_s: float
    warm_ready_s: float | None
    mode: str
    results: dict[tuple[str, int], driver.Result] = field(default_factory=dict)
    sizes: dict[str, int | None] = field(default_factory=dict)
    #: Queries that did not answer 200, with the status and the start of the message.
    errors: dict[str, str] = field(default_factory=dict)
    memory: dict[str, list[tuple[int, int, int]]] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "triples": self.triples,
            "quads": self.quads,
            "dump_mb": round(self.dump_mb, 1),
            "cold_ready_s": round(self.cold_ready_s, 3),
            "warm_ready_s": None if self.warm_ready_s is None else round(self.warm_ready_s, 3),
            "query_data": self.mode,
            "answer_sizes": self.sizes,
            "errors": self.errors,
            "results": [r.as_dict() for r in self.results.values()],
            "memory_kib": {
                role: [{"pid": p, "rss": r, "pss": s} for p, r, s in rows] for role, rows in self.memory.items()
            },
        }


def _engine_dirs(dump: Path) -> list[Path]:
    return sorted(p for p in dump.parent.glob(".engine-*") if p.is_dir() or p.suffix == ".lock")


def _clear_engine_cache(dump: Path) -> None:
    """Forget narcokg's on-disk stores built beside our synthetic dumps (only in benchmarks/out)."""
    if dump.parent.resolve() != OUT.resolve():
        return
    for p in _engine_dirs(dump):
        if p.is_dir():
            shutil.rmtree(p, ignore_errors=True)
        else:
            p.unlink(missing_ok=True)


def run_size(
    triples: int,
    queries: list[mix.Query],
    seed: int,
    passes: int,
    seconds: float,
    warmup: float,
    concurrencies: tuple[int, ...],
    warm_restart: bool,
    say=print,
) -> SizeResult:
    dump = synth.ensure(OUT, triples, seed, say=say)
    quads = sum(1 for _ in open(dump, "rb"))
    probe = mix.BY_NAME["lookup"]
    _clear_engine_cache(dump)
    port = procs.free_port()
    server = procs.start_narcokg(f"scale-{triples}-cold", port, dump=dump)
    try:
        cold = procs.wait_answer(server, probe.text, probe.accept, timeout=600)
        procs.wait_settled(server)
        mode = "disk" if "query data: disk" in server.log_text() else "memory"
        say(f"  {triples:>9,} triples: first answer {cold:.2f} s after launch (cold, query data in {mode})")
        res = SizeResult(triples, quads, dump.stat().st_size / 1e6, cold, None, mode)
        target = driver.Target(port)
        for q in queries:
            status, size, err = driver.probe(target, q, timeout=120)
            res.sizes[q.name] = size if status == 200 else None
            if status != 200:
                res.errors[q.name] = f"HTTP {status}: {err.strip()[:160]}"
                say(f"    {q.name}: HTTP {status} {err[:200]}")
                continue
            for c in concurrencies:
                # Unique texts: the result cache would otherwise answer every repeat and hide how
                # the engine's cost grows with the data.
                r = driver.measure(target, q, c, passes=passes, seconds=seconds, warmup=warmup, bust=True)
                res.results[(q.name, c)] = r
            say(f"    {q.name:<12} rows {size:>6}  p50 c=1 {res.results[(q.name, concurrencies[0])].p50_ms:9.2f} ms")
        res.memory = procs.memory(server)
    finally:
        server.stop()
    if warm_restart:
        server = procs.start_narcokg(f"scale-{triples}-warm", procs.free_port(), dump=dump)
        try:
            res.warm_ready_s = procs.wait_answer(server, probe.text, probe.accept, timeout=600)
        finally:
            server.stop()
        say(f"  {triples:>9,} triples: first answer {res.warm_ready_s:.2f} s after launch (warm)")
    return res


def run(
    sizes: list[int],
    queries: list[mix.Query],
    seed: int = 20240601,
    passes: int = 3,
    seconds: float = 1.0,
    warmup: float = 0.3,
    concurrencies: tuple[int, ...] = (1, 8),
    say=print,
) -> list[SizeResult]:
    out = []
    for n in sizes:
        t0 = time.perf_counter()
        out.append(run_size(n, queries, seed, passes, seconds, warmup, concurrencies, warm_restart=True, say=say))
        say(f"  ({n:,} triples done in {time.perf_counter() - t0:.0f} s)")
    return out


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser(description="scale benchmark of narcokg serve --dump on synthetic data")
    ap.add_argument("--sizes", type=int, nargs="+", default=DEFAULT_SIZES)
    ap.add_argument("--queries", nargs="*")
    ap.add_argument("--passes", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=1.0)
    args = ap.parse_args()
    import json

    results = run(args.sizes, mix.select(args.queries), passes=args.passes, seconds=args.seconds)
    print(json.dumps([r.as_dict() for r in results], indent=1))
