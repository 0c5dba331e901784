"""Record what ``engine.analysis`` answers for a corpus of SPARQL texts, so that a rewrite of the
parser can be checked against the parser it replaces, field by field and message by message
(tests/unit/test_analysis_golden.py reads the file this writes).

The corpus: the catalogue (queries/*.rq), the string constants of the tests that look like SPARQL,
the parametrised texts and hostile texts of the analysis tests, texts drawn from the tests'
hypothesis strategy, the W3C SPARQL 1.0/1.1/1.2 test suites' .rq/.ru files (a local clone of
w3c/rdf-tests, W3C test suite licence), and seeded mutations of all of these (cut, insert, swap)
that reach the error paths. Each text is recorded for nesting bounds 100 and 4.

    python tools/analysis_golden.py RDF_TESTS_CLONE [--out tests/fixtures/analysis-golden.json.gz]

It records the exact parser (``analysis.analyse_exactly``), never the fast path.
"""

from __future__ import annotations

import argparse
import ast
import gzip
import json
import random
import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "server"), str(ROOT / "tests"), str(ROOT / "tests" / "unit")]

from narcokg.engine import analysis  # noqa: E402
from narcokg.engine.analysis import AnalysisError  # noqa: E402

#: The exact parser alone (before the fast path existed, ``_analyse`` was that parser).
_analyse = getattr(analysis, "analyse_exactly", analysis._analyse)

#: The texts whose analysis is recorded for every one of these bounds.
BOUNDS = (100, 4)
_SPARQLISH = ("select", "ask", "construct", "describe", "insert", "delete", "prefix", "base", "load", "clear")
_TOKENS = (
    "{", "}", "(", ")", "[", "]", "'", '"', "'''", "<", ">", "<<", ">>", "<<(", ")>>", "{|", "|}", "~",
    "SERVICE", "FROM", "NAMED", "GRAPH", "SILENT", "SELECT", "WHERE", "LIMIT", "OFFSET", "ORDER BY",
    "GROUP BY", "VALUES", "UNDEF", "EXISTS", "NOT", "MINUS", "OPTIONAL", "UNION", "FILTER", "BIND", "AS",
    "#", "\n", " ", ".", ";", ",", "?", "$", "?x", "^^", "@en", "a", "|", "/", "*", "+", "-", "!", "^",
    "&&", "||", "=", "!=", "_:b", "[]", "()", "ex:", ":", "1", "1.5", "1e3", "true", "\\", "%20", "COUNT(",
)  # fmt: skip


def _result(text: str, bound: int) -> dict:
    try:
        return _analyse(text, bound).record()
    except AnalysisError as exc:  # DepthError included: the record names the class
        return exc.record()


def _test_strings() -> list[str]:
    """String constants of the test modules that look like SPARQL."""
    found = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and len(node.value) < 20_000:
                low = node.value.lower()
                if any(w in low for w in _SPARQLISH) and ("{" in low or "<" in low):
                    found.append(node.value)
    return found


def _analysis_test_texts() -> dict[str, str]:
    """The texts the analysis tests build (parametrised, hostile, attacks), by name."""
    warnings.simplefilter("ignore")
    import test_sparql_analysis as mod

    named = {f"hostile: {k}": v for k, v in mod.HOSTILE.items()}
    texts = list(mod.service_attacks("http://127.0.0.1:9/")) + [mod.HIDDEN_FROM] + mod.VALID_REFUSED_BEFORE
    for fn in vars(mod).values():
        for mark in getattr(fn, "pytestmark", ()):
            if mark.name == "parametrize":
                for value in mark.args[1]:
                    for v in value if isinstance(value, tuple) else (value,):
                        if isinstance(v, str):
                            texts.append(v)
    named.update({f"analysis test {i}": t for i, t in enumerate(texts)})
    from hypothesis import HealthCheck, given, settings

    drawn = []

    @settings(database=None, max_examples=400, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(mod.queries())
    def draw(text):
        drawn.append(text)

    draw()
    named.update({f"hypothesis {i}": t for i, t in enumerate(drawn)})
    return named


def _w3c(clone: Path) -> dict[str, str]:
    out = {}
    for suite in ("sparql10", "sparql11", "sparql12"):
        for path in sorted((clone / "sparql" / suite).rglob("*")):
            if path.suffix in (".rq", ".ru") and path.is_file():
                out[f"w3c {path.relative_to(clone / 'sparql')}"] = path.read_bytes().decode("utf-8", "replace")
    return out


def _mutations(texts: list[str], rng: random.Random, per_text: int) -> list[str]:
    out = []
    for text in texts:
        for _ in range(per_text):
            t = text
            for _ in range(rng.randint(1, 3)):
                i = rng.randrange(len(t) + 1)
                op = rng.random()
                if op < 0.35:
                    t = t[:i] + rng.choice(_TOKENS) + t[i:]
                elif op < 0.6:
                    t = t[:i] + t[i + rng.randint(1, 8) :]
                elif op < 0.8:
                    t = t[:i]
                else:
                    j = rng.randrange(len(t) + 1)
                    a, b = sorted((i, j))
                    t = t[:a] + t[b : b + 12] + t[a + 12 :] if b > a else t
            out.append(t)
    return out


def corpus(clone: Path) -> dict[str, str]:
    named: dict[str, str] = {}
    for path in sorted((ROOT / "queries").glob("*.rq")):
        named[f"catalogue {path.name}"] = path.read_text(encoding="utf-8")
    named.update({f"test string {i}": t for i, t in enumerate(_test_strings())})
    named.update(_analysis_test_texts())
    named.update(_w3c(clone))
    rng = random.Random(20261203)
    base = [t for k, t in named.items() if not k.startswith("hostile") and len(t) < 5_000]
    named.update({f"mutation {i}": t for i, t in enumerate(_mutations(base, rng, 3))})
    return named


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("clone", type=Path, help="a checkout of github.com/w3c/rdf-tests")
    ap.add_argument("--out", type=Path, default=ROOT / "tests" / "fixtures" / "analysis-golden.json.gz")
    args = ap.parse_args()
    sys.setrecursionlimit(10_000)
    seen: set[str] = set()
    records = []
    for name, text in corpus(args.clone).items():
        if text in seen:
            continue
        seen.add(text)
        records.append({"name": name, "text": text, "results": {str(b): _result(text, b) for b in BOUNDS}})
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(args.out, "wt", encoding="utf-8", compresslevel=9) as f:
        json.dump(records, f, ensure_ascii=False, indent=0, sort_keys=True)
    errors = sum("error" in r["results"]["100"] for r in records)
    print(f"{len(records)} texts, {errors} refused at bound 100, written to {args.out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
