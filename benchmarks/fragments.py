"""Triple Pattern Fragments page size: milliseconds per page and Comunica's total time.

For each page size it serves the app in process (werkzeug's threaded server on loopback, the
same app for every size, only ``fragments.PAGE_SIZE`` changed) and measures
  * ms per page over HTTP: walking every page of ?s ?p ?o (the worst case: the later pages skip
    the earlier ones in the index scan) and of ?s rdf:type ?o;
  * Comunica (tests/node, ``npm ci`` there) answering catalogue queries over /fragments: wall
    time and HTTP requests per query.
The figures chose ``fragments.PAGE_SIZE`` (benchmarks/README.md).

Run: ``python benchmarks/fragments.py [--dist DIR] [--sizes 100 500 1000]``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "server"))

from werkzeug.serving import make_server  # noqa: E402

from narcokg.build import pipeline as build  # noqa: E402

from narcokg.web import fragments  # noqa: E402
from narcokg.web.app import create_app  # noqa: E402
from narcokg.config import load_settings  # noqa: E402

QUERIES = [
    "03-states-named-differently",
    "12-agreements-signed-2016-2018",
    "15-kinds-of-facts-per-graph",
    "30-counterpart-not-a-party",
    "32-agreements-signed-in-two-places",
]
HYDRA_NEXT = "http://www.w3.org/ns/hydra/core#next"


def walk(base: str, params: dict) -> list[float]:
    """ms of each page of one fragment, following hydra:next."""
    url = base + "/fragments" + ("?" + urlencode(params) if params else "")
    times = []
    with requests.Session() as s:
        while url:
            t = time.perf_counter()
            resp = s.get(url, headers={"Accept": "application/n-quads"}, timeout=60)
            times.append((time.perf_counter() - t) * 1000)
            nxt = [line.split(" ")[2] for line in resp.text.splitlines() if line.startswith(f"<{url}> <{HYDRA_NEXT}> ")]
            url = nxt[0][1:-1] if nxt else None
    return times


def comunica(base: str, name: str) -> tuple[float, int]:
    t = time.perf_counter()
    proc = subprocess.run(
        ["node", "query.mjs", "tpf", base, base + "/fragments", str(ROOT / "queries" / f"{name}.rq")],
        cwd=ROOT / "tests" / "node",
        capture_output=True,
        timeout=600,
        check=True,
    )
    return time.perf_counter() - t, len(json.loads(proc.stdout)["requests"])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dist", type=Path)
    ap.add_argument("--sizes", type=int, nargs="+", default=[100, 500, 1000])
    args = ap.parse_args()
    if args.dist is None:
        args.dist = Path(tempfile.mkdtemp(prefix="narcokg-bench-")) / "dist"
        build.run(load_settings(dist=args.dist), progress=lambda _m: None)
    app = create_app(load_settings(dist=args.dist))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    rdf_type = {"predicate": "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"}
    print(
        "| page size | ?s ?p ?o: pages, median / last page ms | ?s rdf:type ?o: pages, median ms | "
        + " | ".join(f"{q[:2]} s (requests)" for q in QUERIES)
        + " |"
    )
    print("|---:|---|---|" + "---:|" * len(QUERIES))
    try:
        for size in args.sizes:
            fragments.PAGE_SIZE = size
            walk(base, {})  # warm
            every = walk(base, {})
            typed = walk(base, rdf_type)
            cells = []
            for q in QUERIES:
                seconds, reqs = comunica(base, q)
                cells.append(f"{seconds:.2f} ({reqs})")
            print(
                f"| {size} | {len(every)}, {statistics.median(every):.1f} / {every[-1]:.1f} | "
                f"{len(typed)}, {statistics.median(typed):.1f} | " + " | ".join(cells) + " |",
                flush=True,
            )
    finally:
        server.shutdown()


if __name__ == "__main__":
    main()
