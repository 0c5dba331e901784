"""Turn measured results into the Markdown tables ``run_all`` prints, and check the targets.

Ratios are printed as narcokg's *speed factor* against another server, so that for both
columns a value above 1 means narcokg is faster:

* requests/s factor = narcokg req/s ÷ other req/s
* p50 factor        = other p50 ÷ narcokg p50

Against the ceiling the factors are at most about 1; ``1 - factor`` is what the safety layer
costs (0.80 → 20 %).
"""

from __future__ import annotations

import math

from driver import Result

SERVERS = ["narcokg", "ceiling", "rdflib-endpoint"]

#: The targets of issue 6: (label, other server, queries, minimum req/s factor, minimum p50 factor),
#: checked at every concurrency. "Costs at most 30 %" reads as: at least 70 % of the ceiling's
#: requests/s, and a p50 at most 1.3x the ceiling's (p50 factor >= 1/1.3).
RATIO_TARGETS = [
    ("narcokg >= 1.5x rdflib-endpoint on lookups", "rdflib-endpoint", ["lookup"], 1.5, 1.5),
    ("narcokg >= 20x rdflib-endpoint on the join (anchored on one state)", "rdflib-endpoint", ["join"], 20.0, 20.0),
    ("narcokg >= 20x rdflib-endpoint on the join (whole table, join-all)", "rdflib-endpoint", ["join-all"], 20.0, 20.0),
    ("narcokg >= 20x rdflib-endpoint on the aggregate", "rdflib-endpoint", ["aggregate"], 20.0, 20.0),
    ("safety layer costs <= 30 % against the bare ceiling on lookups", "ceiling", ["lookup"], 0.70, 1 / 1.3),
]
READY_TARGET_S = 1.0
SCALE_TARGETS = [("lookup", 5.0), ("join", 50.0), ("join-all", 50.0)]  # p50 ms at 1M triples, concurrency 1
SCALE_TARGET_TRIPLES = 1_000_000


def _num(x: float | None, digits: int = 1) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    return f"{x:.{digits}f}"


def _ms(x: float | None) -> str:
    if x is None or math.isnan(x):
        return "–"
    if x >= 100:
        return f"{x:,.0f}"
    if x >= 10:
        return f"{x:.1f}"
    return f"{x:.2f}"


def factor_rps(ours: Result | None, other: Result | None) -> float | None:
    if not ours or not other or not other.rps:
        return None
    return ours.rps / other.rps


def factor_p50(ours: Result | None, other: Result | None) -> float | None:
    if not ours or not other or not ours.p50_ms or math.isnan(ours.p50_ms) or math.isnan(other.p50_ms):
        return None
    return other.p50_ms / ours.p50_ms


def _x(f: float | None) -> str:
    if f is None:
        return "–"
    return f"{f:,.0f}×" if f >= 100 else f"{f:.2f}×"


def mix_tables(
    results: dict[tuple[str, str, int], Result],
    queries: list[str],
    concurrencies: list[int],
    sizes: dict[str, dict[str, int | None]],
) -> str:
    """Absolute figures per server, then the ratios."""
    lines = [
        "| query | c | narcokg req/s · p50 · p99 ms | ceiling req/s · p50 · p99 ms | "
        "rdflib-endpoint req/s · p50 · p99 ms | rows |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for q in queries:
        for c in concurrencies:
            cells = []
            for s in SERVERS:
                r = results.get((s, q, c))
                if r is None:
                    cells.append("–")
                    continue
                err = f" ({r.errors} errors)" if r.errors else ""
                cells.append(f"{_num(r.rps)} · {_ms(r.p50_ms)} · {_ms(r.p99_ms)}{err}")
            rows = [sizes.get(s, {}).get(q) for s in SERVERS]
            same = len({x for x in rows if x is not None}) <= 1 and None not in rows
            rows_cell = str(rows[0]) if same else " / ".join("–" if x is None else str(x) for x in rows) + " ≠"
            lines.append(f"| {q} | {c} | " + " | ".join(cells) + f" | {rows_cell if c == concurrencies[0] else ''} |")
    lines += [
        "",
        "| query | c | vs rdflib-endpoint: req/s × | p50 × | vs ceiling: req/s × | p50 × |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for q in queries:
        for c in concurrencies:
            ours = results.get(("narcokg", q, c))
            peer = results.get(("rdflib-endpoint", q, c))
            ceil = results.get(("ceiling", q, c))
            lines.append(
                f"| {q} | {c} | {_x(factor_rps(ours, peer))} | {_x(factor_p50(ours, peer))} | "
                f"{_x(factor_rps(ours, ceil))} | {_x(factor_p50(ours, ceil))} |"
            )
    return "\n".join(lines)


def scale_table(scale: list, queries: list[str], concurrencies: list[int]) -> str:
    if not scale:
        return "(scale not run)"
    head = (
        "| | "
        + " | ".join(
            f"{s.triples / 1e6:g}M triples" if s.triples >= 1e6 else f"{s.triples // 1000}k triples" for s in scale
        )
        + " |"
    )
    lines = [head, "|---|" + "---:|" * len(scale)]
    lines.append("| dump size | " + " | ".join(f"{s.dump_mb:,.0f} MB ({s.quads:,} quads)" for s in scale) + " |")
    lines.append("| query data | " + " | ".join(s.mode for s in scale) + " |")
    lines.append("| serve-ready, cold (s) | " + " | ".join(f"{s.cold_ready_s:.2f}" for s in scale) + " |")
    lines.append("| serve-ready, warm (s) | " + " | ".join(_num(s.warm_ready_s, 2) for s in scale) + " |")
    c1 = concurrencies[0]
    for q in queries:
        cells = []
        base = scale[0].results.get((q, c1))
        for s in scale:
            r = s.results.get((q, c1))
            if r is None:
                err = getattr(s, "errors", {}).get(q, "")
                cells.append(err.split(":")[0] + (" (time limit)" if "time limit" in err else "") if err else "–")
                continue
            growth = f" ({r.p50_ms / base.p50_ms:.1f}×)" if base and s is not scale[0] and base.p50_ms else ""
            cells.append(f"{_ms(r.p50_ms)}{growth}")
        lines.append(f"| {q} p50 ms, c={c1} | " + " | ".join(cells) + " |")
    if len(concurrencies) > 1:
        cn = concurrencies[-1]
        for q in queries:
            cells = [(_num(s.results[(q, cn)].rps) if (q, cn) in s.results else "–") for s in scale]
            lines.append(f"| {q} req/s, c={cn} | " + " | ".join(cells) + " |")
    for role, label in (("master", "gunicorn master"), ("web", "each HTTP worker"), ("query", "each query process")):
        cells = []
        for s in scale:
            rows = s.memory.get(role, [])
            if not rows:
                cells.append("–")
                continue
            rss = sorted(r for _, r, _ in rows)
            pss = sorted(p for _, _, p in rows)
            rss_txt = (
                f"{rss[0] / 1024:,.0f}"
                if rss[0] == rss[-1] or len(rss) == 1
                else f"{rss[0] / 1024:,.0f}–{rss[-1] / 1024:,.0f}"
            )
            pss_txt = f"{pss[0] / 1024:,.0f}" if len(pss) == 1 else f"{pss[0] / 1024:,.0f}–{pss[-1] / 1024:,.0f}"
            cells.append(f"{rss_txt} ({pss_txt})")
        n = max((len(s.memory.get(role, [])) for s in scale), default=0)
        lines.append(f"| RSS (PSS) MiB, {label} ×{n} | " + " | ".join(cells) + " |")
    totals = []
    for s in scale:
        pss = sum(p for rows in s.memory.values() for _, _, p in rows)
        totals.append(f"{pss / 1024:,.0f}")
    lines.append("| PSS MiB, whole server | " + " | ".join(totals) + " |")
    return "\n".join(lines)


def pipeline_table(p) -> str:
    if p is None:
        return "(pipeline not run)"
    lines = [f"| build step (real sources, {p.quads:,} quads) | seconds, median of {p.runs} |", "|---|---:|"]
    for step, secs in p.steps.items():
        lines.append(f"| {step} | {secs:.2f} |")
    lines.append(f"| whole build | {p.total:.2f} |")
    ready = ", ".join(f"{x:.2f}" for x in p.ready)
    flag = f" — {p.rebuilt} start(s) rebuilt, sources changed meanwhile" if p.rebuilt else ""
    lines.append(f"| `narcokg serve` → first answered query, fresh snapshot | {p.ready_median:.2f} ({ready}){flag} |")
    return "\n".join(lines)


def targets(
    results: dict, pipeline, scale: list, concurrencies: list[int]
) -> tuple[str, list[tuple[str, bool | None, str]]]:
    """A Markdown list of every target with met / missed / not measured, and the evidence."""
    verdicts: list[tuple[str, bool | None, str]] = []
    for label, other, queries, min_rps, min_p50 in RATIO_TARGETS:
        evidence, ok, seen = [], True, False
        for q in queries:
            for c in concurrencies:
                ours, theirs = results.get(("narcokg", q, c)), results.get((other, q, c))
                fr, fp = factor_rps(ours, theirs), factor_p50(ours, theirs)
                if fr is None or fp is None:
                    continue
                seen = True
                ok = ok and fr >= min_rps and fp >= min_p50
                evidence.append(f"{q} c={c}: req/s {_x(fr)}, p50 {_x(fp)}")
        verdicts.append((label, ok if seen else None, "; ".join(evidence) if seen else "mix not run"))
    if pipeline is not None:
        verdicts.append(
            (
                f"serve-ready in under {READY_TARGET_S:g} s from a fresh snapshot",
                pipeline.ready_median < READY_TARGET_S,
                f"median {pipeline.ready_median:.2f} s",
            )
        )
    else:
        verdicts.append((f"serve-ready in under {READY_TARGET_S:g} s from a fresh snapshot", None, "pipeline not run"))
    at = next((s for s in scale if s.triples == SCALE_TARGET_TRIPLES), None)
    for q, limit in SCALE_TARGETS:
        label = f"at 1M synthetic triples, {q} p50 under {limit:g} ms"
        if q not in {name for s in scale for name, _c in s.results} and scale:
            continue
        r = at.results.get((q, concurrencies[0])) if at else None
        if r is None and at is not None and q in at.errors:
            verdicts.append((label, False, at.errors[q]))
        elif r is None:
            verdicts.append((label, None, "1M not run"))
        else:
            verdicts.append((label, r.p50_ms < limit, f"p50 {r.p50_ms:.2f} ms at c={concurrencies[0]}"))
    out = []
    for label, ok, ev in verdicts:
        mark = "MET" if ok else ("not measured" if ok is None else "MISSED")
        out.append(f"- **{mark}** — {label}: {ev}")
    return "\n".join(out), verdicts
