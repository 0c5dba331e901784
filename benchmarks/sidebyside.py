"""narcokg against the engines a researcher would run instead, all up at once, driven by wrk.

For each query of the table (lookup, anchored join, aggregate, whole-table join), each mode
(unique: every request's text differs, so no cache answers; repeated: the same request again)
and each concurrency (1, 8), the servers are driven one pass each in turn, rotating who goes
first, ``passes`` times: a drift in the machine's background load hits every server alike,
and the ratio narcokg / peer of the medians is what to read.

Before measuring, each query is sent once to every server and the answer's size compared
(rows of SPARQL JSON); a server whose answer differs is flagged in the table.
"""

from __future__ import annotations

import http.client
import sys
from pathlib import Path

import driver
import engines
import mix
import peers
import procs
import revisions
import scaling
import wrkdrive

#: The rows of issue 13's table, in its order.
QUERIES = ["lookup", "join", "aggregate", "join-all"]
LABELS = {
    "lookup": "lookup of one subject",
    "join": "agreement→party→state join (one state)",
    "aggregate": "GROUP BY aggregate",
    "join-all": "whole-table join",
}
KNOWN_PEERS = ["oxigraph", "virtuoso", "rdflib-endpoint", "ceiling", "rev:REV"]


def known_peer(name: str) -> bool:
    """A peer this module can start: one of ``KNOWN_PEERS``, or ``rev:`` and a commit."""
    return name in KNOWN_PEERS or (name.startswith("rev:") and len(name) > 4)


def say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def start(name: str, dump: Path, workers: int, env_extra: dict | None = None) -> procs.Server:
    port = procs.free_port()
    if name == "narcokg":
        return procs.start_narcokg("sbs-narcokg", port, dump=dump, env_extra=env_extra)
    if name == "oxigraph":
        return engines.start_oxigraph("sbs-oxigraph", dump, port, say)
    if name == "virtuoso":
        return engines.start_virtuoso("sbs-virtuoso", dump, port, say)
    if name == "rdflib-endpoint":
        peers.ensure_peer(say)
        return procs.launch("sbs-rdflib-endpoint", peers.peer_argv(dump, port, workers), port=port)
    if name == "ceiling":
        return procs.launch("sbs-ceiling", peers.ceiling_argv(dump, port, workers), port=port)
    if name.startswith("rev:"):
        return revisions.start(name[4:], dump, port)
    raise ValueError(name)


def answer_size(srv: procs.Server, q: mix.Query) -> tuple[int | None, str]:
    conn = http.client.HTTPConnection(procs.HOST, srv.port, timeout=120)
    try:
        conn.request("GET", srv.target(q.text), headers={"Accept": q.accept})
        resp = conn.getresponse()
        body = resp.read()
    except (OSError, http.client.HTTPException) as exc:
        return None, str(exc)
    finally:
        conn.close()
    if resp.status != 200:
        return None, f"HTTP {resp.status}: {body[:200].decode(errors='replace')}"
    try:
        return driver.answer_size(body, q.accept), ""
    except (ValueError, KeyError, SyntaxError) as exc:
        return None, f"unreadable answer: {exc}"


def run(
    dump: Path,
    peer_names: list[str],
    queries: list[str],
    passes: int,
    seconds: int,
    workers: int,
    modes=(True, False),
    concurrencies=(1, 8),
    narcokg_env: dict | None = None,
    warmup: bool = True,
) -> dict:
    """Every server up at once on ``dump``; returns results, answer sizes and what failed."""
    names = ["narcokg", *peer_names]
    servers: dict[str, procs.Server] = {}
    failed: dict[str, str] = {}
    results: dict[tuple[str, str, bool, int], wrkdrive.Result] = {}
    sizes: dict[str, dict[str, int | None]] = {}
    probe = mix.BY_NAME["lookup"]
    try:
        for name in names:
            try:
                if name == "virtuoso" and not engines.ensure_virtuoso(say):
                    raise RuntimeError("virtuoso-opensource is not installed and could not be installed")
                servers[name] = start(name, dump, workers, narcokg_env)
            except Exception as exc:  # one peer that cannot run must not stop the others
                failed[name] = str(exc)[-600:]
                say(f"  {name}: cannot start: {failed[name]}")
        for name, srv in list(servers.items()):
            try:
                _wait(srv, probe)
                say(f"  {name} answers ({srv.ready_seconds:.2f} s after launch)")
            except RuntimeError as exc:
                failed[name] = str(exc)[-600:]
                srv.stop()
                del servers[name]
                say(f"  {name}: {failed[name]}")
        if "narcokg" in servers:
            procs.wait_settled(servers["narcokg"])
        order = list(servers)
        for qname in queries:
            q = mix.BY_NAME[qname]
            for name, srv in servers.items():
                size, err = answer_size(srv, q)
                sizes.setdefault(name, {})[qname] = size
                if err:
                    say(f"  {qname} on {name}: {err}")
            for unique in modes:
                for c in concurrencies:
                    live = [n for n in order if sizes[n].get(qname) is not None]
                    if warmup:
                        for n in live:
                            wrkdrive.one_pass(servers[n].port, servers[n].target(q.text), q.accept, c, 1, unique)
                    for i in range(passes):
                        for n in live[i % len(live) :] + live[: i % len(live)]:
                            r = results.setdefault((n, qname, unique, c), wrkdrive.Result(qname, c, unique))
                            cpu0 = scaling.tree_cpu_ticks(servers[n].proc.pid)
                            p = wrkdrive.one_pass(
                                servers[n].port, servers[n].target(q.text), q.accept, c, seconds, unique
                            )
                            p.cpu_ms = (
                                (scaling.tree_cpu_ticks(servers[n].proc.pid) - cpu0)
                                / scaling.TICK
                                * 1000
                                / max(1, p.ok)
                            )
                            r.passes.append(p)
                    cells = "  ".join(f"{n} {results[(n, qname, unique, c)].rps:8.0f}" for n in live)
                    say(f"  {qname:<10} {'unique  ' if unique else 'repeated'} c={c}: {cells}")
                order = order[1:] + order[:1]
    finally:
        for srv in servers.values():
            srv.stop()
    return {"results": results, "sizes": sizes, "failed": failed, "servers": names}


def _wait(srv: procs.Server, probe: mix.Query, timeout: float = 300) -> None:
    procs.wait_answer(srv, probe.text, probe.accept, timeout=timeout)


# Report ---------------------------------------------------------------------------------


def _n(x: float | None) -> str:
    if x is None:
        return "–"
    return f"{x:,.0f}" if x >= 100 else f"{x:.1f}"


def table(out: dict, peer: str, queries: list[str], modes=(True, False), concurrencies=(1, 8)) -> str:
    """Issue 13's table against one peer: ``narcokg / peer = ratio`` per cell."""
    res, sizes = out["results"], out["sizes"]
    head = [f"{'unique' if u else 'repeated'} c={c}" for u in modes for c in concurrencies]
    lines = [f"| query (req/s: narcokg / {peer} = ratio) | " + " | ".join(head) + " |", "|---|" + "---|" * len(head)]
    for qname in queries:
        cells = []
        for u in modes:
            for c in concurrencies:
                ours, theirs = res.get(("narcokg", qname, u, c)), res.get((peer, qname, u, c))
                if ours is None or theirs is None:
                    cells.append("–")
                    continue
                ratio = ours.rps / theirs.rps if theirs.rps else float("nan")
                err = " (errors)" if ours.errors or theirs.errors else ""
                cells.append(f"{_n(ours.rps)} / {_n(theirs.rps)} = **{ratio:.2f}**{err}")
        a, b = sizes.get("narcokg", {}).get(qname), sizes.get(peer, {}).get(qname)
        flag = "" if a == b else f" (rows {a} ≠ {b})"
        lines.append(f"| {LABELS.get(qname, qname)}{flag} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def absolute(out: dict, queries: list[str], modes=(True, False), concurrencies=(1, 8)) -> str:
    """req/s and p50 (ms) of every server, with the answer size."""
    names = [n for n in out["servers"] if n not in out["failed"]]
    lines = [
        "| query | mode | c | " + " | ".join(f"{n} req/s · p50 ms · CPU ms/req" for n in names) + " | rows |",
        "|---|---|---:|" + "---:|" * len(names) + "---|",
    ]
    for qname in queries:
        for u in modes:
            for c in concurrencies:
                cells = []
                for n in names:
                    r = out["results"].get((n, qname, u, c))
                    cpu = "–" if r is None or r.cpu_ms is None else f"{r.cpu_ms:.2f}"
                    cells.append(
                        "–"
                        if r is None
                        else f"{_n(r.rps)} · {r.p50_ms:.2f} · {cpu}" + (f" ({r.errors} err)" if r.errors else "")
                    )
                rows = sorted({str(out["sizes"].get(n, {}).get(qname)) for n in names})
                lines.append(
                    f"| {qname} | {'unique' if u else 'repeated'} | {c} | "
                    + " | ".join(cells)
                    + f" | {' ≠ '.join(rows)} |"
                )
    return "\n".join(lines)
