"""narcokg on its engines side by side: embedded, ``--engine oxigraph:DIR`` (Oxigraph server
supervised by narcokg), and Oxigraph server asked directly, on the same snapshot.

    python benchmarks/remote_engines.py [--dump FILE] [--queries lookup,aggregate] [--seconds 1.5]
                                 [--virtuoso http://127.0.0.1:8890/sparql]

With ``--virtuoso`` (a Virtuoso already loaded with the same snapshot), narcokg on it
(``--engine URL --engine-dialect virtuoso``) and Virtuoso asked directly are measured too.

Every request is unique (a trailing comment defeats narcokg's result cache), c=1 and c=8;
the last column is narcokg+oxigraph's req/s over Oxigraph server's own. The driver runs on the
same machine and takes CPU from the servers (see ``driver``).
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
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "server"))

from driver import Target, measure  # noqa: E402
from mix import MIX  # noqa: E402

from narcokg.engine import oxigraph_server  # noqa: E402


def _serve(dump: Path, port: int, *extra: str) -> subprocess.Popen:
    env = dict(os.environ, NARCOKG_RESULT_CACHE_MB="0", NARCOKG_CLIENT_BUDGET_SECONDS="100000",
               PYTHONPATH=str(ROOT / "server"))
    proc = subprocess.Popen([sys.executable, "-m", "narcokg.cli", "serve", "--no-build", "--dump", str(dump),
                             "--port", str(port), *extra], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return proc
        except requests.RequestException:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("narcokg serve did not start")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dump", default=str(ROOT / "dist" / "narcokg.nq"))
    ap.add_argument("--queries", default="lookup,aggregate")
    ap.add_argument("--seconds", type=float, default=1.5)
    ap.add_argument("--passes", type=int, default=3)
    ap.add_argument("--virtuoso", default=None, help="URL of a Virtuoso /sparql loaded with the same snapshot")
    args = ap.parse_args(argv)
    dump = Path(args.dump)
    queries = [q for q in MIX if q.name in args.queries.split(",")]
    with tempfile.TemporaryDirectory(prefix="narcokg-engines-") as tmp:
        store = Path(tmp) / "store"
        oxigraph_server.load(dump, store)
        direct = oxigraph_server.OxigraphServer(store).start()
        ports = {"embedded": oxigraph_server.free_port(), "oxigraph engine": oxigraph_server.free_port()}
        procs = {"embedded": _serve(dump, ports["embedded"]),
                 "oxigraph engine": _serve(dump, ports["oxigraph engine"], "--engine", f"oxigraph:{Path(tmp) / 'served'}")}
        targets = {**{k: Target(p) for k, p in ports.items()}, "oxigraph direct": Target(direct.port, "/query")}
        if args.virtuoso:
            from urllib.parse import urlsplit

            port = oxigraph_server.free_port()
            procs["virtuoso engine"] = _serve(dump, port, "--engine", args.virtuoso, "--engine-dialect", "virtuoso")
            targets["virtuoso engine"] = Target(port)
            parts = urlsplit(args.virtuoso)
            targets["virtuoso direct"] = Target(parts.port, parts.path, parts.hostname)
        try:
            print(f"{'query':<10} {'c':>2} " + " ".join(f"{k:>16}" for k in targets) + "   engine/direct (oxigraph, virtuoso)")
            for q in queries:
                for c in (1, 8):
                    rps = {k: measure(t, q, c, passes=args.passes, seconds=args.seconds, bust=True).rps
                           for k, t in targets.items()}
                    ratios = [rps[f"{e} engine"] / rps[f"{e} direct"] for e in ("oxigraph", "virtuoso")
                              if rps.get(f"{e} direct")]
                    print(f"{q.name:<10} {c:>2} " + " ".join(f"{v:>16.1f}" for v in rps.values())
                          + "   " + " ".join(f"{r:>6.2f}" for r in ratios), flush=True)
        finally:
            for p in procs.values():
                p.terminate()
                p.wait(timeout=30)
            direct.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
