"""HTTP load driver: one query at a time, at a given concurrency, for timed passes.

Each of ``concurrency`` threads holds one keep-alive ``http.client`` connection and sends the
same GET ``/sparql?query=…`` back to back until the pass's time is up (a request in flight
then finishes). A pass yields requests/s (answers that completed / wall time of the pass) and
the p50/p99 of the request latencies (send → last byte read); a query's figures are the
medians over the passes, after a short warm-up that is not counted.

Every answer must be 200; the first answer of each query is parsed and its row (or triple)
count recorded so ``run_all`` can check that every server answered the same thing.

``bust`` appends a unique comment to every request (``# 17``): the answer is the same, but no
cache keyed by the query text can serve it, so the figure measures execution even on a server
that caches answers. narcokg has no answer cache today; the option is there for when it does.

Limits: the driver is Python and runs on the same machine as the server, so at concurrency 8
it takes CPU from the server (on 2 cores, a visible share); latencies include its own
overhead (about 0.1 ms per request on loopback).
"""

from __future__ import annotations

import http.client
import json
import statistics
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import quote

from mix import Query


@dataclass
class PassResult:
    requests: int
    errors: int
    seconds: float
    latencies: list[float]

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds > 0 else 0.0


@dataclass
class Result:
    """Medians over passes of one query at one concurrency on one server."""

    query: str
    concurrency: int
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int  # total answers measured, all passes
    errors: int
    passes: list[PassResult] = field(default_factory=list, repr=False)

    def as_dict(self) -> dict:
        return {
            "query": self.query,
            "concurrency": self.concurrency,
            "rps": round(self.rps, 1),
            "p50_ms": round(self.p50_ms, 3),
            "p99_ms": round(self.p99_ms, 3),
            "requests": self.requests,
            "errors": self.errors,
        }


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (no interpolation: p99 of 50 samples is the largest)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * pct // 100))  # ceil
    return ordered[int(rank) - 1]


def answer_size(body: bytes, accept: str) -> int:
    """Rows of a SPARQL JSON answer or triples of an N-Triples/Turtle answer."""
    if "json" in accept:
        doc = json.loads(body)
        if "boolean" in doc:
            return 1
        return len(doc["results"]["bindings"])
    import pyoxigraph as ox

    fmt = ox.RdfFormat.TURTLE if "turtle" in accept else ox.RdfFormat.N_TRIPLES
    return len(set(ox.parse(body, format=fmt)))


class Target:
    """Where requests go: host, port and the endpoint path."""

    def __init__(self, port: int, path: str = "/sparql", host: str = "127.0.0.1"):
        self.host, self.port, self.path = host, port, path

    def request_path(self, query: Query, variant: int | None = None) -> str:
        """The GET target; with ``variant``, a comment makes the text unique (defeats result caches)."""
        text = query.text if variant is None else f"{query.text}\n# {variant}"
        return f"{self.path}{'&' if '?' in self.path else '?'}query={quote(text)}"


_variants = iter(range(1, 1 << 62))  # shared: every request of a cache-busting run is unique


def _worker(
    target: Target,
    path: str,
    accept: str,
    start: threading.Barrier,
    deadline_box: list,
    out: list,
    timeout: float,
    query: Query | None = None,
) -> None:
    conn = http.client.HTTPConnection(target.host, target.port, timeout=timeout)
    headers = {"Accept": accept}
    lat: list[float] = []
    errors = 0
    try:
        start.wait()
        deadline = deadline_box[0]
        while True:
            t0 = time.perf_counter()
            if t0 >= deadline:
                break
            if query is not None:
                path = target.request_path(query, next(_variants))
                t0 = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                resp = conn.getresponse()
                resp.read()
                ok = resp.status == 200
                if resp.will_close:
                    conn.close()
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
            if ok:
                lat.append(time.perf_counter() - t0)
            else:
                errors += 1
    finally:
        conn.close()
        out.append((lat, errors))


def one_pass(
    target: Target, query: Query, concurrency: int, seconds: float, timeout: float = 60.0, bust: bool = False
) -> PassResult:
    path = target.request_path(query)
    out: list = []
    deadline_box = [0.0]
    barrier = threading.Barrier(concurrency + 1)
    threads = [
        threading.Thread(
            target=_worker,
            args=(target, path, query.accept, barrier, deadline_box, out, timeout, query if bust else None),
            daemon=True,
        )
        for _ in range(concurrency)
    ]
    for t in threads:
        t.start()
    t0 = time.perf_counter()
    deadline_box[0] = t0 + seconds
    barrier.wait()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    lat = [x for lats, _ in out for x in lats]
    errors = sum(e for _, e in out)
    return PassResult(len(lat), errors, elapsed, lat)


def measure(
    target: Target,
    query: Query,
    concurrency: int,
    passes: int = 3,
    seconds: float = 1.5,
    warmup: float = 0.3,
    bust: bool = False,
) -> Result:
    """Medians over ``passes``; ``bust`` makes every request's text unique (a trailing comment)."""
    if warmup > 0:
        one_pass(target, query, concurrency, warmup, bust=bust)
    results = [one_pass(target, query, concurrency, seconds, bust=bust) for _ in range(passes)]
    ok = [r for r in results if r.latencies]
    return Result(
        query=query.name,
        concurrency=concurrency,
        rps=statistics.median(r.rps for r in results),
        p50_ms=statistics.median(percentile(r.latencies, 50) for r in ok) * 1000 if ok else float("nan"),
        p99_ms=statistics.median(percentile(r.latencies, 99) for r in ok) * 1000 if ok else float("nan"),
        requests=sum(r.requests for r in results),
        errors=sum(r.errors for r in results),
        passes=results,
    )


def probe(target: Target, query: Query, timeout: float = 60.0) -> tuple[int, int | None, str]:
    """One request: (status, answer size or None, short error text)."""
    conn = http.client.HTTPConnection(target.host, target.port, timeout=timeout)
    try:
        conn.request("GET", target.request_path(query), headers={"Accept": query.accept})
        resp = conn.getresponse()
        body = resp.read()
    except (OSError, http.client.HTTPException) as exc:
        return 0, None, str(exc)
    finally:
        conn.close()
    if resp.status != 200:
        return resp.status, None, body[:300].decode(errors="replace")
    try:
        return 200, answer_size(body, query.accept), ""
    except (ValueError, KeyError, SyntaxError) as exc:
        return 200, None, f"unreadable answer: {exc}"


if __name__ == "__main__":  # drive an already running endpoint: python benchmarks/driver.py PORT [QUERY ...]
    import argparse

    import mix

    ap = argparse.ArgumentParser(description="load one running SPARQL endpoint on loopback with the query mix")
    ap.add_argument("port", type=int)
    ap.add_argument("queries", nargs="*")
    ap.add_argument("--path", default="/sparql")
    ap.add_argument("--concurrency", type=int, nargs="+", default=[1, 8])
    ap.add_argument("--passes", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=1.5)
    args = ap.parse_args()
    tgt = Target(args.port, args.path)
    for q in mix.select(args.queries):
        status, size, err = probe(tgt, q)
        print(f"{q.name}: status {status}, size {size} {err}")
        for c in args.concurrency:
            r = measure(tgt, q, c, args.passes, args.seconds)
            print(
                f"  c={c}: {r.rps:8.1f} req/s  p50 {r.p50_ms:8.2f} ms  p99 {r.p99_ms:8.2f} ms  n={r.requests} errors={r.errors}"
            )
