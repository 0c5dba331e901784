"""Run every benchmark and print one report: ``python benchmarks/run_all.py [--quick]``.

1. **Pipeline** (``pipeline.py``): build the real sources (median of 3 builds, per step) and
   time ``narcokg serve`` → first answered query on the fresh snapshot (median of 3 starts).
2. **HTTP mix, side by side** (``mix.py``, ``driver.py``, ``peers.py``): narcokg, the bare
   Flask + pyoxigraph ceiling and rdflib-endpoint all serve that same snapshot at once; each
   query at concurrency 1 and 8 goes to the three servers in turn (rotating who goes first),
   so a change in background load hits all three alike. Prints requests/s, p50, p99 and the
   ratios narcokg/rdflib-endpoint and narcokg/ceiling.
3. **Scale** (``scale.py``, ``synth.py``): synthetic dumps of 100k, 1M and 2M triples, each
   served by ``narcokg serve --dump``: each query's p50 growth, serve-ready time, memory.
4. **Targets**: each target of issue 6, MET or MISSED, with the figures behind it.

Everything binds 127.0.0.1 only. The default run takes about 10 minutes on 2 cores (under 15);
``--quick`` (1 build, short passes, 100k only) under 3 minutes. The first run also installs
rdflib-endpoint into benchmarks/.venv-peer (needs the package index once). The report is also
written to benchmarks/out/results-<time>.md and .json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata as md
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import driver  # noqa: E402
import engines  # noqa: E402
import mix  # noqa: E402
import peers  # noqa: E402
import pipeline  # noqa: E402
import procs  # noqa: E402
import report  # noqa: E402
import scale  # noqa: E402
import sidebyside  # noqa: E402
import synth  # noqa: E402
import wrkdrive  # noqa: E402

OUT = HERE / "out"


def say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def versions() -> str:
    names = ["pyoxigraph", "flask", "gunicorn", "rdflib"]
    own = ", ".join(f"{n} {md.version(n)}" for n in names)
    return f"{own}; peer: {peers.peer_versions()}"


def compare(
    dump: Path,
    queries: list[mix.Query],
    concurrencies: list[int],
    passes: int,
    seconds: float,
    warmup: float,
    workers: int,
    bust: bool = False,
) -> tuple[dict, dict]:
    """Serve ``dump`` with the three servers at once; measure every query on each in turn."""
    probe = mix.BY_NAME["lookup"]
    ports = {s: procs.free_port() for s in report.SERVERS}
    servers = {
        "narcokg": procs.start_narcokg("mix-narcokg", ports["narcokg"], dump=dump),
        "ceiling": procs.launch(
            "mix-ceiling", peers.ceiling_argv(dump, ports["ceiling"], workers), port=ports["ceiling"]
        ),
        "rdflib-endpoint": procs.launch(
            "mix-rdflib-endpoint",
            peers.peer_argv(dump, ports["rdflib-endpoint"], workers),
            port=ports["rdflib-endpoint"],
        ),
    }
    results: dict[tuple[str, str, int], driver.Result] = {}
    sizes: dict[str, dict[str, int | None]] = {s: {} for s in servers}
    try:
        for name, srv in servers.items():
            ready = procs.wait_answer(srv, probe.text, probe.accept, timeout=300)
            say(f"  {name} answers ({ready:.2f} s after launch)")
        procs.wait_settled(servers["narcokg"])
        order = list(servers)
        for q in queries:
            for name, srv in servers.items():
                status, size, err = driver.probe(driver.Target(srv.port), q, timeout=120)
                sizes[name][q.name] = size if status == 200 else None
                if status != 200:
                    say(f"  {q.name} on {name}: HTTP {status} {err[:200]}")
            for c in concurrencies:
                for name in order:
                    if sizes[name][q.name] is None:
                        continue
                    r = driver.measure(
                        driver.Target(servers[name].port),
                        q,
                        c,
                        passes=passes,
                        seconds=seconds,
                        warmup=warmup,
                        bust=bust,
                    )
                    results[(name, q.name, c)] = r
                order = order[1:] + order[:1]
                cells = "  ".join(
                    f"{n} {results[(n, q.name, c)].rps:8.1f}/s p50 {results[(n, q.name, c)].p50_ms:7.2f} ms"
                    for n in servers
                    if (n, q.name, c) in results
                )
                say(f"  {q.name:<12} c={c}: {cells}")
    finally:
        for srv in servers.values():
            srv.stop()
    return results, sizes


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n", 1)[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--quick", action="store_true", help="1 build, short passes, 100k triples only (under 3 minutes)")
    ap.add_argument("--only", nargs="+", choices=["pipeline", "mix", "scale"], help="run only these parts")
    ap.add_argument("--sizes", type=int, nargs="+", help="synthetic sizes in triples (default 100000 1000000 2000000)")
    ap.add_argument("--queries", nargs="+", help=f"a subset of the mix: {', '.join(mix.BY_NAME)}")
    ap.add_argument("--dump", type=Path, help="serve this N-Quads file in the mix instead of a fresh build")
    ap.add_argument(
        "--bust",
        action="store_true",
        help="make every request's text unique (a trailing comment), so no server answers from a cache",
    )
    ap.add_argument(
        "--peer-synthetic",
        type=int,
        metavar="TRIPLES",
        help="also run the three-server mix on a synthetic dump of this size (adds minutes at 100000)",
    )
    ap.add_argument(
        "--peers",
        type=lambda v: [x for x in v.split(",") if x],
        help="comma-separated engines to measure narcokg against with wrk, all up at once, unique and "
        f"repeated requests, c=1 and c=8 ({', '.join(sidebyside.KNOWN_PEERS)}); alone, runs only this",
    )
    args = ap.parse_args(argv)
    procs.exit_on_sigterm()
    if args.peers:
        unknown = [p for p in args.peers if not sidebyside.known_peer(p)]
        if unknown:
            ap.error(f"unknown peers: {', '.join(unknown)}; known: {', '.join(sidebyside.KNOWN_PEERS)}")
        if not args.only:
            return run_peers(args)

    started = time.perf_counter()
    parts = set(args.only or ["pipeline", "mix", "scale"])
    queries = mix.select(args.queries)
    concurrencies = [1, 8]
    if args.quick:
        runs, passes, seconds, warmup = 1, 1, 0.5, 0.1
        sizes = args.sizes or [100_000]
    else:
        runs, passes, seconds, warmup = 3, 3, 1.0, 0.3
        sizes = args.sizes or scale.DEFAULT_SIZES
    OUT.mkdir(exist_ok=True)
    from narcokg.config import load_settings

    workers = load_settings().web_workers
    machine = procs.machine()
    say(f"machine: {machine['nproc']} CPUs ({machine['cpu']}), {machine['memory']}, load {machine['load']}")

    pipe = None
    if "pipeline" in parts:
        say("pipeline: building the real sources …")
        pipe = pipeline.run(runs, say)
    mix_results, mix_sizes, dump = {}, {}, None
    if "mix" in parts:
        peers.ensure_peer(say)
        if args.dump:
            dump = args.dump.resolve()
        elif pipe is not None:
            dump = pipe.dist / "narcokg.nq"
        else:
            _steps, _total, dist, _q = pipeline.build_times(1, say)
            dump = dist / "narcokg.nq"
        say(f"HTTP mix on {dump.name} ({sum(1 for _ in open(dump, 'rb')):,} quads), all three servers up at once …")
        mix_results, mix_sizes = compare(dump, queries, concurrencies, passes, seconds, warmup, workers, bust=args.bust)
    syn_results, syn_sizes, syn_dump = {}, {}, None
    if "mix" in parts and args.peer_synthetic:
        syn_dump = synth.ensure(OUT, args.peer_synthetic, 20240601, say=say)
        say(f"HTTP mix on {syn_dump.name}, all three servers up at once …")
        # One pass only: rdflib-endpoint needs seconds per whole-table query at this size.
        syn_results, syn_sizes = compare(syn_dump, queries, concurrencies, 1, seconds, 0.1, workers, bust=args.bust)
    scale_results = []
    if "scale" in parts:
        say(f"scale: {', '.join(f'{n:,}' for n in sizes)} synthetic triples …")
        scale_results = scale.run(
            sizes, queries, passes=passes, seconds=seconds, warmup=warmup, concurrencies=tuple(concurrencies), say=say
        )

    elapsed = time.perf_counter() - started
    end_load = procs.machine()["load"]
    target_md, verdicts = report.targets(mix_results, pipe, scale_results, concurrencies)
    quads = sum(1 for _ in open(dump, "rb")) if dump else 0
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    text = "\n".join(
        [
            f"# narcokg benchmark ({'quick' if args.quick else 'full'} run)",
            "",
            f"Machine: {machine['nproc']} CPUs, {machine['cpu']}, {machine['memory']} RAM, Python {machine['python']}; "
            f"load average {machine['load']} at start, {end_load} at end. Total time {elapsed / 60:.1f} min.",
            f"Versions: {versions()}.",
            f"Each figure: median of {passes} pass(es) of {seconds:g} s after a {warmup:g} s warm-up; "
            f"narcokg with {workers} HTTP workers (gthread), ceiling the same, rdflib-endpoint {workers} uvicorn workers.",
            "",
            "## Pipeline (real sources)",
            "",
            report.pipeline_table(pipe),
            "",
            (
                f"## HTTP mix on {dump.name} ({quads:,} quads)"
                if args.dump
                else f"## HTTP mix on the real snapshot ({quads:,} quads)"
            )
            + (
                ", every request unique (--bust)" if args.bust else ", each query repeated (cache hits after the first)"
            ),
            "",
            report.mix_tables(mix_results, [q.name for q in queries], concurrencies, mix_sizes)
            if mix_results
            else "(mix not run)",
            "",
            "Factors: req/s × = narcokg req/s ÷ other; p50 × = other p50 ÷ narcokg p50 (above 1: narcokg faster). "
            "rows: answer size (rows, or triples for CONSTRUCT), which must agree across servers (≠ marks a difference).",
            "",
            *(
                [
                    f"## HTTP mix on synthetic data ({args.peer_synthetic:,} triples; one {seconds:g} s pass per figure)",
                    "",
                    report.mix_tables(syn_results, [q.name for q in queries], concurrencies, syn_sizes),
                    "",
                ]
                if syn_results
                else []
            ),
            "## Scale (synthetic data, `narcokg serve --dump`, every request unique)",
            "",
            report.scale_table(scale_results, [q.name for q in queries], concurrencies),
            "",
            "## Targets (issue 6)",
            "",
            target_md,
            "",
        ]
    )
    print(text)
    (OUT / f"results-{stamp}.md").write_text(text)
    data = {
        "machine": machine,
        "end_load": end_load,
        "elapsed_s": round(elapsed, 1),
        "quick": args.quick,
        "versions": versions(),
        "passes": passes,
        "seconds": seconds,
        "pipeline": pipe.as_dict() if pipe else None,
        "mix": {
            "dump_quads": quads,
            "answer_sizes": mix_sizes,
            "results": [dict(server=s, **r.as_dict()) for (s, _q, _c), r in mix_results.items()],
        },
        "mix_synthetic": {
            "triples": args.peer_synthetic,
            "answer_sizes": syn_sizes,
            "results": [dict(server=s, **r.as_dict()) for (s, _q, _c), r in syn_results.items()],
        },
        "scale": [s.as_dict() for s in scale_results],
        "targets": [{"target": label, "met": ok, "evidence": ev} for label, ok, ev in verdicts],
    }
    (OUT / f"results-{stamp}.json").write_text(json.dumps(data, indent=1))
    say(f"written: benchmarks/out/results-{stamp}.md and .json ({elapsed / 60:.1f} min)")
    return 0


def snapshot_dump() -> Path:
    """The built snapshot's dump when it is fresh, else one fresh build's (benchmarks/out)."""
    from narcokg.build import pipeline as build_pipeline
    from narcokg.config import load_settings

    for settings in (load_settings(), load_settings(dist=pipeline.SNAPSHOT)):
        if build_pipeline.is_fresh(settings):
            return settings.nquads
    say("building the real sources once …")
    _steps, _total, dist, _q = pipeline.build_times(1, say)
    return dist / "narcokg.nq"


def run_peers(args) -> int:
    """``--peers``: issue 13's table, narcokg against each peer, every server up at once."""
    from narcokg.config import load_settings

    if not wrkdrive.ensure(say):
        raise SystemExit("wrk is needed for --peers (Debian package wrk)")
    started = time.perf_counter()
    machine = procs.machine()
    say(f"machine: {machine['nproc']} CPUs ({machine['cpu']}), {machine['memory']}, load {machine['load']}")
    passes, seconds, warm = (1, 1, False) if args.quick else (3, 2, True)
    queries = args.queries or sidebyside.QUERIES
    dump = args.dump.resolve() if args.dump else snapshot_dump()
    quads = sum(1 for _ in open(dump, "rb"))
    workers = load_settings().web_workers
    say(f"side by side on {dump.name} ({quads:,} quads): narcokg, {', '.join(args.peers)} …")
    out = sidebyside.run(dump, args.peers, queries, passes, seconds, workers, warmup=warm)
    elapsed = time.perf_counter() - started
    end_load = procs.machine()["load"]
    vers = [f"pyoxigraph {md.version('pyoxigraph')}", f"gunicorn {md.version('gunicorn')}"]
    if "oxigraph" in args.peers:
        vers.append(engines.oxigraph_version())
    if "virtuoso" in args.peers:
        vers.append(engines.virtuoso_version())
    if "rdflib-endpoint" in args.peers:
        vers.append(peers.peer_versions())
    parts = [
        f"# narcokg against {', '.join(args.peers)} ({'quick' if args.quick else 'full'} run)",
        "",
        f"Machine: {machine['nproc']} CPUs, {machine['cpu']}, {machine['memory']} RAM; load average "
        f"{machine['load']} at start, {end_load} at end; {elapsed / 60:.1f} min. Versions: {'; '.join(vers)}.",
        f"Data: {'the real snapshot' if not args.dump else dump.name} ({quads:,} quads). Load generator: wrk "
        f"(2 threads at c=8). Each figure: median of {passes} pass(es) of {seconds} s"
        + (" after a 1 s warm-up" if warm else "")
        + "; servers interleaved pass by pass, all up at once. "
        "unique = a distinct comment in every request's query text (no cache can answer); repeated = the same request. "
        "CPU ms/req: user + system CPU of the server's whole process tree during the passes ÷ answers.",
        "",
    ]
    for name, why in out["failed"].items():
        parts += [f"**{name} could not run**: {why}", ""]
    for peer in args.peers:
        if peer in out["failed"]:
            continue
        parts += [f"## narcokg / {peer}", "", sidebyside.table(out, peer, queries), ""]
    parts += ["## Absolute figures", "", sidebyside.absolute(out, queries), ""]
    text = "\n".join(parts)
    print(text)
    OUT.mkdir(exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    (OUT / f"peers-{stamp}.md").write_text(text)
    data = {
        "machine": machine,
        "end_load": end_load,
        "quick": args.quick,
        "passes": passes,
        "seconds": seconds,
        "dump_quads": quads,
        "failed": out["failed"],
        "sizes": out["sizes"],
        "results": [dict(server=s, **r.as_dict()) for (s, _q, _u, _c), r in out["results"].items()],
    }
    (OUT / f"peers-{stamp}.json").write_text(json.dumps(data, indent=1))
    say(f"written: benchmarks/out/peers-{stamp}.md and .json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
