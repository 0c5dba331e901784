"""Memory and start-up at scale: narcokg against Oxigraph server on the same synthetic dump.

``python benchmarks/memory.py [--triples 1000000]``

For each server, one at a time on the same dump (``synth.py``):

* **ready**: launch → first 200 answer to the lookup over HTTP (polled every 10 ms). narcokg
  cold (its on-disk query store beside the dump deleted first, so it is built) and warm (the
  store kept, every later start); Oxigraph server from a store already loaded (its
  ``oxigraph load`` time is printed apart).
* narcokg with ``--engine oxigraph:DIR`` (it runs and supervises Oxigraph server itself, so no
  query process holds a store): cold (DIR empty, so the dump is loaded into it) and warm.
* **memory** after a short load (30 unique lookups, 3 aggregates, 3 whole-table joins, so the
  caches and query processes are what a used server holds): the sum over every process of the
  server's tree of VmRSS (counts pages shared after fork in each process) and of Pss (divides
  shared pages among their sharers: what the tree really holds), and the number of processes;
  then each process's PSS by its role (master, web worker, query process, Oxigraph server).
* **memory under concurrency**: the same sums after 8 clients have each sent 2 aggregates at
  once (a narcokg pool then starts burst processes), and again 13 s later, once burst
  processes have stopped (after 10 s idle).
"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import engines  # noqa: E402
import mix  # noqa: E402
import peers  # noqa: E402
import procs  # noqa: E402
import scale  # noqa: E402
import synth  # noqa: E402
from narcokg.engine.pool import BURST_IDLE  # noqa: E402

OUT = HERE / "out"


def say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def exercise(srv: procs.Server) -> None:
    conn = http.client.HTTPConnection(procs.HOST, srv.port, timeout=300)
    todo = [("lookup", 30), ("aggregate", 3), ("join-all", 3)]
    try:
        for name, n in todo:
            q = mix.BY_NAME[name]
            for i in range(n):
                conn.request(
                    "GET",
                    f"{srv.path}?{srv.params}query={quote(q.text + f'  # {i}', safe='')}",
                    headers={"Accept": q.accept},
                )
                resp = conn.getresponse()
                resp.read()
                if resp.status != 200:
                    say(f"    {srv.name}: {name} answered {resp.status}")
    finally:
        conn.close()


def concurrent(srv: procs.Server, clients: int = 8, each: int = 2) -> None:
    """``clients`` connections at once, each sending ``each`` unique aggregates."""
    q = mix.BY_NAME["aggregate"]

    def client(k: int) -> None:
        conn = http.client.HTTPConnection(procs.HOST, srv.port, timeout=300)
        try:
            for i in range(each):
                text = quote(q.text + f"  # c{k}-{i}", safe="")
                conn.request("GET", f"{srv.path}?{srv.params}query={text}", headers={"Accept": q.accept})
                conn.getresponse().read()
        finally:
            conn.close()

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def tree_memory(srv: procs.Server) -> dict:
    roles = procs.memory(srv)
    rows = [row for found in roles.values() for row in found]
    return {
        "rss_mib": sum(rss for _, rss, _ in rows) / 1024,
        "pss_mib": sum(pss for _, _, pss in rows) / 1024,
        "processes": len(rows),
        "roles": {role: [pss / 1024 for _, _, pss in found] for role, found in roles.items() if found},
    }


def measure(srv: procs.Server) -> dict:
    probe = mix.BY_NAME["lookup"]
    try:
        ready = procs.wait_answer(srv, probe.text, probe.accept, timeout=900)
        if srv.name.startswith("mem-narcokg") and "NARCOKG_ENGINE" not in srv.env:  # its query processes are up
            procs.wait_settled(srv)
        exercise(srv)
        time.sleep(1)
        serial = tree_memory(srv)
        concurrent(srv)
        time.sleep(1)
        busy = tree_memory(srv)
        time.sleep(BURST_IDLE + 3)
        calm = tree_memory(srv)
        return {
            "ready_s": ready,
            **serial,
            "busy_pss_mib": busy["pss_mib"],
            "busy_processes": busy["processes"],
            "calm_pss_mib": calm["pss_mib"],
            "calm_processes": calm["processes"],
        }
    finally:
        srv.stop()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--triples", type=int, default=1_000_000)
    args = ap.parse_args(argv)
    procs.exit_on_sigterm()
    dump = synth.ensure(OUT, args.triples, 20240601, say=say)
    quads = sum(1 for _ in open(dump, "rb"))
    say(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; dump {quads:,} quads")
    rows = {}
    scale._clear_engine_cache(dump)
    rows["narcokg, cold (on-disk query store built)"] = measure(
        procs.start_narcokg("mem-narcokg-cold", procs.free_port(), dump=dump)
    )
    rows["narcokg, warm"] = measure(procs.start_narcokg("mem-narcokg-warm", procs.free_port(), dump=dump))
    peers.ensure_peers(["oxigraph"], say)
    supervised = OUT / "stores" / f"supervised-{engines._key(dump)}"
    shutil.rmtree(supervised, ignore_errors=True)
    engine = {"NARCOKG_ENGINE": f"oxigraph:{supervised}"}
    for state in ("cold (DIR loaded from the dump)", "warm"):
        rows[f"narcokg --engine oxigraph:DIR, {state}"] = measure(
            procs.start_narcokg(f"mem-narcokg-ox-{state[:4]}", procs.free_port(), dump=dump, env_extra=engine)
        )
    store = engines.STORES / f"oxigraph-{engines._key(dump)}"
    t0 = time.perf_counter()
    if not (store / ".loaded").exists():
        engines.oxigraph_store(dump, say)
        load_s = time.perf_counter() - t0
    else:
        load_s = float((store / ".loaded").read_text())
    rows["Oxigraph server (serve-read-only)"] = measure(engines.start_oxigraph("mem-oxigraph", dump, procs.free_port()))
    for name, r in rows.items():
        say(
            f"  {name}: ready {r['ready_s']:.2f} s, RSS {r['rss_mib']:,.0f} MiB, PSS {r['pss_mib']:,.0f} MiB, "
            f"{r['processes']} processes"
        )
    ox = rows["Oxigraph server (serve-read-only)"]
    print(
        f"{args.triples:,} synthetic triples ({quads:,} quads); load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
        f"at end; `oxigraph load` {load_s:.1f} s.\n"
    )
    print(
        "| server | ready (s) | RSS of the tree (MiB) | PSS of the tree (MiB) | processes | PSS ÷ Oxigraph's "
        "| after 8 concurrent: PSS (MiB), processes | ÷ Oxigraph's | 13 s later: PSS, processes | ÷ Oxigraph's |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, r in rows.items():
        print(
            f"| {name} | {r['ready_s']:.2f} | {r['rss_mib']:,.0f} | {r['pss_mib']:,.0f} | {r['processes']} | "
            f"{r['pss_mib'] / ox['pss_mib']:.1f}× | {r['busy_pss_mib']:,.0f}, {r['busy_processes']} | "
            f"{r['busy_pss_mib'] / ox['busy_pss_mib']:.1f}× | {r['calm_pss_mib']:,.0f}, {r['calm_processes']} | "
            f"{r['calm_pss_mib'] / ox['calm_pss_mib']:.1f}× |"
        )
    print("\nPSS by process (MiB), after the queries:\n")
    for name, r in rows.items():
        parts = "; ".join(
            f"{role} {', '.join(f'{v:.0f}' for v in sorted(values))}" for role, values in sorted(r["roles"].items())
        )
        print(f"- {name}: {parts}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
