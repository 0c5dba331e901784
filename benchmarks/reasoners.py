"""OWL 2 RL in the build: owlrl (Python, the reference), reasonable (Rust, PyPI) and the build's
closure (``reason.infer``: reasonable over everything, owlrl over the schema).

``python benchmarks/reasoners.py [--runs 3]``: loads the real sources as the build does, runs
each on the same input (ontology + asserted data, the graph ``build.pipeline`` hands to
``reason.infer``), applies the same cleaning to each closure, and prints the time of each
(median of ``--runs``) and whether each inferred graph equals owlrl's as a set of triples (with
the difference, by predicate, when it does not).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def import_reasonable():
    import reasonable  # a dependency of narcokg since the build reasons with it

    return reasonable


def reasoner_input():
    """The graph the build reasons over: ontology + every asserted data graph."""
    from narcokg.build import load as loader
    from narcokg.build import pipeline
    from narcokg.config import load_settings

    settings = load_settings()
    ds = loader.load(settings)
    asserted = pipeline.union(pipeline.data_graphs(ds, settings))
    return pipeline.union([pipeline.graph_named(ds, settings, "ontology"), asserted])


def run_owlrl(graph):
    from narcokg.build import reason

    return reason.clean(reason._owlrl_closure(graph), graph)


def run_build(graph):
    from narcokg.build import reason

    return reason.infer(graph)


def plain(term):
    """reasonable returns every plain literal typed ``xsd:string``; RDF 1.1 says they are the
    same literal, rdflib compares them as different: map them back to plain before comparing."""
    from rdflib import XSD, Literal

    if isinstance(term, Literal) and term.datatype == XSD.string:
        return Literal(str(term))
    return term


def run_reasonable(graph, reasonable):
    from narcokg.build import reason

    r = reasonable.PyReasoner()
    r.from_graph(graph)
    return reason.clean(((plain(s), p, plain(o)) for s, p, o in r.reason()), graph)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--show", type=int, default=15, help="example triples of each difference to print")
    args = ap.parse_args(argv)
    reasonable = import_reasonable()
    graph = reasoner_input()
    print(f"input: {len(graph):,} triples (ontology + asserted data); reasonable {reasonable.__version__}")
    times: dict[str, list[float]] = {"owlrl": [], "reasonable": [], "build": []}
    results = {}
    for _ in range(args.runs):
        for name, fn in (
            ("owlrl", lambda: run_owlrl(graph)),
            ("reasonable", lambda: run_reasonable(graph, reasonable)),
            ("build", lambda: run_build(graph)),
        ):
            t0 = time.perf_counter()
            results[name] = fn()
            times[name].append(time.perf_counter() - t0)
    for name, ts in times.items():
        print(
            f"{name:<11} median {statistics.median(ts):.2f} s ({', '.join(f'{t:.2f}' for t in ts)}), "
            f"{len(results[name]):,} inferred triples after cleaning"
        )
    status = 0
    for other in ("reasonable", "build"):
        status |= compare(set(results["owlrl"]), set(results[other]), other, args.show)
    return status


def compare(a: set, b: set, other: str, show: int) -> int:
    if a == b:
        print(f"{other}: identical to owlrl's inferred graph")
        return 0
    only_a, only_b = a - b, b - a
    print(f"{other}: DIFFERENT, {len(only_a):,} triples only from owlrl, {len(only_b):,} only from {other}")
    for label, diff in (("only owlrl", only_a), (f"only {other}", only_b)):
        by_p = Counter(str(p) for _s, p, _o in diff)
        print(f"  {label}, by predicate: " + ", ".join(f"{p} {n}" for p, n in by_p.most_common(12)))
        for s, p, o in sorted(diff, key=str)[:show]:
            print(f"    {s.n3()} {p.n3()} {o.n3()}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
