"""Cost of ``engine.analysis.analyse`` (the parse every query goes through before it runs):
microseconds per catalogue query, cold (cache cleared) and cached, against the regex
tokenizer it replaced (read from git, if given); per query of the HTTP mix as a unique request
sends it; and seconds for 64 KiB hostile texts.

    python benchmarks/analysis.py [--old-rev REV]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "server"))

from narcokg.engine.analysis import AnalysisError, analyse  # noqa: E402

# The hostile texts the suite bounds (tests/unit/test_sparql_analysis.py), measured here: one corpus.
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "tests" / "unit")]
from test_sparql_analysis import HOSTILE  # noqa: E402


def per_call_us(fn, texts, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        for t in texts:
            fn(t)
        times.append((time.perf_counter() - start) / len(texts) * 1e6)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--old-rev", help="git revision whose sparqlsyntax.py (the regex tokenizer) to compare")
    args = ap.parse_args()
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "queries").glob("*.rq"))]

    def cold(t):
        analyse.cache_clear()
        analyse(t)

    print(f"catalogue: {len(texts)} queries, {statistics.mean(map(len, texts)):.0f} characters on average")
    print(f"  parse, cold:   {per_call_us(cold, texts, 20):8.1f} µs per query")
    print(f"  parse, cached: {per_call_us(analyse, texts, 200):8.1f} µs per query")
    if args.old_rev:
        source = subprocess.run(
            ["git", "-C", str(ROOT), "show", f"{args.old_rev}:server/narcokg/sparqlsyntax.py"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        old = types.ModuleType("old_sparqlsyntax")
        sys.modules["old_sparqlsyntax"] = old
        exec(compile(source.replace("from __future__ import annotations", ""), "old", "exec"), old.__dict__)
        print(f"  old tokenizer: {per_call_us(old.analyse, texts, 20):8.1f} µs per query")
    # The HTTP mix's queries as a unique request sends them (a text never seen: the cache misses).
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import mix

    print("HTTP mix, each text made unique:")
    for q in mix.MIX:
        unique = iter(range(10**9))
        us = per_call_us(lambda t: analyse(f"{t}  # {next(unique)}"), [q.text] * 50, 10)
        print(f"  {q.name:<12} {len(q.text):4d} characters {us:8.1f} µs per query")
    for name, text in HOSTILE.items():
        start = time.process_time()
        try:
            analyse(text + " ")
            outcome = "accepted"
        except AnalysisError as exc:
            outcome = exc.message[:60]
        print(f"  hostile {name:28s} {len(text.encode()):6d} B  {time.process_time() - start:.3f} s  ({outcome})")


if __name__ == "__main__":
    main()
