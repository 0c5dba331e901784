"""Cost of ``engine.analysis.analyse`` (the parse every query goes through before it runs):
microseconds per catalogue query, cold (cache cleared) and cached, against the regex
tokenizer it replaced (read from git, if given); per query of the HTTP mix as a unique request
sends it; and seconds for 64 KiB hostile texts.

    python benchmarks/analysis.py [--old-rev REV] [--parser-rev REV]

``--parser-rev`` also times this checkout's parser against ``engine/analysis.py`` as it was at
REV, alternately in this one process (so both see the same machine load), on unique texts.
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
    ap.add_argument("--parser-rev", help="git revision whose engine/analysis.py to time alternately with this one")
    args = ap.parse_args()
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "queries").glob("*.rq"))]

    def cold(t):
        analyse.cache_clear()
        analyse(t)

    print(f"catalogue: {len(texts)} queries, {statistics.mean(map(len, texts)):.0f} characters on average")
    print(f"  parse, cold:   {per_call_us(cold, texts, 20):8.1f} µs per query")
    print(f"  parse, cached: {per_call_us(analyse, texts, 200):8.1f} µs per query")
    if args.old_rev:
        source = source_at(args.old_rev, "server/narcokg/sparqlsyntax.py")
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
    if args.parser_rev:
        alternate(args.parser_rev, texts, mix.MIX)
    for name, text in HOSTILE.items():
        start = time.process_time()
        try:
            analyse(text + " ")
            outcome = "accepted"
        except AnalysisError as exc:
            outcome = exc.message[:60]
        print(f"  hostile {name:28s} {len(text.encode()):6d} B  {time.process_time() - start:.3f} s  ({outcome})")


def source_at(rev: str, path: str) -> str:
    """A file of the checkout as it was at ``rev``."""
    return subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{rev}:{path}"], capture_output=True, text=True, check=True
    ).stdout


def alternate(rev: str, catalogue: list[str], queries) -> None:
    """This parser and REV's, uncached, in turns: the best of three rounds of each."""
    from narcokg.engine import analysis

    source = source_at(rev, "server/narcokg/engine/analysis.py")
    old = types.ModuleType("analysis_at_rev")
    sys.modules["analysis_at_rev"] = old  # dataclasses look their module up
    exec(compile(source, "analysis_at_rev", "exec"), old.__dict__)
    rows = [("catalogue", catalogue)] + [(q.name, [f"{q.text}  # {i}" for i in range(50)]) for q in queries]
    print(f"uncached, alternately with {rev}'s parser (best of 3 rounds each):")
    for name, texts in rows:
        best = {"old": float("inf"), "new": float("inf")}
        for _ in range(3):
            for key, fn in (("old", old._analyse), ("new", analysis._analyse)):
                best[key] = min(best[key], per_call_us(lambda t: fn(t, 100), texts, 5))
        print(
            f"  {name:<12} {rev}: {best['old']:7.1f} µs  now: {best['new']:7.1f} µs  ×{best['old'] / best['new']:.2f}"
        )


if __name__ == "__main__":
    main()
