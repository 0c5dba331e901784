"""CPU per request against bytes saved, for compressing narcokg's answers (issue 16).

For a few representative answers of a built snapshot (fetched in process through the app, so
the figures are the app's own bodies) it times the uncompressed request, then gzip at levels 1,
6 and 9 and, when the ``brotli`` package is installed, brotli at qualities 1, 4 and 11 on the
same bytes: median CPU milliseconds of one compression, compressed size, and the share of the
request's own CPU the compression adds. ``compress.THRESHOLD`` and ``compress.LEVEL`` come
from these figures (benchmarks/README.md).

Run: ``python benchmarks/compression.py [--dist DIR] [--repeat N]`` (builds into a temporary
folder when no DIST is given).
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "server"))

from narcokg.build import pipeline as build  # noqa: E402
from narcokg.web.app import create_app  # noqa: E402
from narcokg.config import load_settings  # noqa: E402

try:
    import brotli
except ImportError:  # optional: only measured when installed
    brotli = None

IDN = "https://w3id.org/narcokg/id/state/IDN"
ANSWERS = [
    ("health (JSON)", "/health", {}),
    ("search.json", "/search.json?q=bnn", {}),
    ("entity Turtle", "/data/state/IDN.ttl", {}),
    ("entity N-Quads", "/data/state/IDN.nq", {}),
    ("entity page HTML", "/page/state/IDN", {}),
    ("fragment page Turtle", "/fragments?subject=" + quote(IDN, safe=""), {"Accept": "text/turtle"}),
    ("ontology Turtle", "/ontology.ttl", {}),
    (
        "SPARQL JSON, 500 rows",
        "/sparql?query=" + quote("SELECT * { ?s ?p ?o } LIMIT 500"),
        {"Accept": "application/sparql-results+json"},
    ),
    ("N-Quads dump", "/download/narcokg.nq", {}),
]


def cpu_ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.process_time()
        fn()
        times.append((time.process_time() - t) * 1000)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dist", type=Path)
    ap.add_argument("--repeat", type=int, default=15)
    args = ap.parse_args()
    if args.dist is None:
        args.dist = Path(tempfile.mkdtemp(prefix="narcokg-bench-")) / "dist"
        build.run(load_settings(dist=args.dist), progress=lambda _m: None)
    app = create_app(load_settings(dist=args.dist))
    client = app.test_client()
    codecs = [(f"gzip-{lvl}", lambda b, lvl=lvl: gzip.compress(b, compresslevel=lvl, mtime=0)) for lvl in (1, 3, 6, 9)]
    if brotli is not None:
        codecs += [(f"br-{q}", lambda b, q=q: brotli.compress(b, quality=q)) for q in (1, 4, 11)]
    print("| answer | bytes | request CPU ms | " + " | ".join(f"{n} bytes (ms)" for n, _ in codecs) + " |")
    print("|---|---:|---:|" + "---:|" * len(codecs))
    for name, path, headers in ANSWERS:

        def fetch():
            return client.get(path, headers={**headers, "Accept-Encoding": "identity"})

        resp = fetch()
        assert resp.status_code == 200, (path, resp.status_code)
        body = resp.get_data()
        request_ms = cpu_ms(lambda: fetch().get_data(), max(3, args.repeat // 3))
        cells = []
        for _codec, fn in codecs:
            size = len(fn(body))
            ms = cpu_ms(lambda fn=fn: fn(body), args.repeat)
            cells.append(f"{size:,} ({ms:.2f})")
        print(f"| {name} | {len(body):,} | {request_ms:.2f} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
