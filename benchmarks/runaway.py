"""Does a query keep running after it was stopped? Oxigraph server alone, then narcokg
``--engine oxigraph:DIR`` in front of it.

``python benchmarks/runaway.py [--limit 2]``

A cross-product COUNT (``SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }``) on the
real snapshot, which no engine finishes:

* **Oxigraph server** (``serve-read-only --timeout-s`` limit + 1, as narcokg starts it), asked
  directly; the client gives up at the limit;
* **narcokg with ``--engine oxigraph:DIR``** and ``NARCOKG_QUERY_TIMEOUT`` = the limit, which
  answers 422 at the limit.

After each, the CPU the Oxigraph server process(es) use is read from ``/proc`` at +5 s and +15 s
(for narcokg, every Oxigraph server it has run: the supervisor may have replaced the one that
took the query).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import procs  # noqa: E402
from processes import cpu_seconds  # noqa: E402
from narcokg.engine import oxigraph_server  # noqa: E402

EXPLOSIVE = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
ROOT = HERE.parent


def cpu(pid: int) -> float | None:
    try:
        return cpu_seconds(pid)
    except OSError:  # gone
        return None


def oxigraph_pids(root: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(root), "-f", "serve-read-only"], capture_output=True, text=True)
    return [int(x) for x in out.stdout.split()]


def ask(url: str, timeout: float, **params) -> str:
    try:
        resp = requests.get(url, params={"query": EXPLOSIVE, **params}, timeout=timeout)
        return str(resp.status_code)
    except requests.RequestException as exc:
        return type(exc).__name__


def follow(pids_now) -> list[str]:
    """Total CPU of the Oxigraph processes alive at +5 s and +15 s after the answer."""
    seen: dict[int, float] = {}
    out = []
    for at in (5, 15):
        time.sleep(at - (5 if out else 0))
        for pid in pids_now():
            used = cpu(pid)
            if used is not None:
                seen[pid] = used
        out.append(f"{sum(seen.values()):.1f} s (pids {', '.join(map(str, sorted(seen)))})")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--limit", type=float, default=2.0)
    args = ap.parse_args(argv)
    nq = ROOT / "dist" / "narcokg.nq"
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "store"
        oxigraph_server.load(nq, store)
        alone = oxigraph_server.OxigraphServer(store, timeout_s=args.limit).start()
        try:
            pid = alone.proc.pid
            status = ask(alone.url, args.limit, **{"union-default-graph": ""})
            rows.append(("Oxigraph server alone (client gives up at the limit)", status, *follow(lambda: [pid])))
        finally:
            alone.stop()
        env = {"NARCOKG_QUERY_TIMEOUT": str(args.limit), "NARCOKG_CLIENT_BUDGET_SECONDS": "0"}
        env["NARCOKG_ENGINE"] = f"oxigraph:{Path(tmp) / 'served'}"
        srv = procs.start_narcokg("runaway", procs.free_port(), dist=ROOT / "dist", env_extra=env)
        try:
            procs.wait_answer(srv, "ASK { ?s ?p ?o }", "application/sparql-results+json", timeout=120)
            status = ask(f"http://{procs.HOST}:{srv.port}/sparql", args.limit + 10)
            rows.append(("narcokg --engine oxigraph:DIR", status, *follow(lambda: oxigraph_pids(srv.proc.pid))))
        finally:
            srv.stop()
    print(f"Load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; limit {args.limit:g} s.\n")
    print("| server | answer | Oxigraph CPU at +5 s | at +15 s |")
    print("|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
