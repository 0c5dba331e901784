"""HTTP load on a running narcokg server's SPARQL endpoint: a query mix (lookup, join,
aggregate, property path, CONSTRUCT) at one or more concurrency levels.

    narcokg serve &                     # in another shell
    python benchmarks/http_load.py --url http://127.0.0.1:5000 --concurrency 1,8 --seconds 5

For each level and query, ``concurrency`` client threads (one keep-alive connection each) send
the query for ``--seconds`` seconds (or ``--requests`` requests), and the script prints
requests/s and the median (p50) and 99th-percentile (p99) latency. Only loopback servers are
accepted: this is a benchmark, not a load generator for other people's machines. The whole run
is bounded by ``--max-seconds``.
"""
from __future__ import annotations

import argparse
import http.client
import ipaddress
import statistics
import sys
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

B = "https://w3id.org/narcokg/"
PREFIXES = f"""PREFIX nkg: <{B}ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX org: <http://www.w3.org/ns/org#>
"""
JSON = "application/sparql-results+json"

QUERIES: dict[str, tuple[str, str]] = {
    "lookup": (JSON, f"SELECT ?p ?o WHERE {{ <{B}id/organisation/bnn> ?p ?o }}"),
    "join": (JSON, PREFIXES + """SELECT ?agreement ?party ?label WHERE {
  ?agreement nkg:party ?party .
  ?party rdfs:label ?label .
  FILTER(lang(?label) = "en")
} ORDER BY ?agreement ?party LIMIT 500"""),
    "aggregate": (JSON, """SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class }
GROUP BY ?class ORDER BY DESC(?n)"""),
    "path": (JSON, PREFIXES + """SELECT ?unit ?top WHERE {
  ?unit org:subOrganizationOf+ ?top .
  FILTER NOT EXISTS { ?top org:subOrganizationOf ?higher }
}"""),
    "construct": ("text/turtle", f"""CONSTRUCT {{ <{B}id/state/IDN> ?p ?o . ?s ?q <{B}id/state/IDN> }}
WHERE {{ {{ <{B}id/state/IDN> ?p ?o }} UNION {{ ?s ?q <{B}id/state/IDN> }} }}"""),
}


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    elapsed: float = 0.0

    def add_error(self, key: str) -> None:
        self.errors[key] = self.errors.get(key, 0) + 1


def ensure_loopback(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    if parts.scheme != "http" or not parts.hostname:
        raise SystemExit("http_load: give an http:// URL of a local server")
    port = parts.port or 80
    host = parts.hostname
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:  # a name: not resolved, only "localhost" is accepted
        loopback = False
    if not loopback:
        raise SystemExit(f"http_load: {host} is not a loopback address (use 127.0.0.1, ::1 or localhost)")
    return host, port


def worker(host: str, port: int, path: str, accept: str, stop_at: float, budget: list[int], lock: threading.Lock,
           result: Result) -> None:
    conn = http.client.HTTPConnection(host, port, timeout=60)
    headers = {"Accept": accept, "Connection": "keep-alive"}
    while time.monotonic() < stop_at:
        with lock:
            if budget[0] <= 0:
                break
            budget[0] -= 1
        started = time.perf_counter()
        try:
            conn.request("GET", path, headers=headers)
            resp = conn.getresponse()
            body = resp.read()
        except (OSError, http.client.HTTPException) as exc:
            result.add_error(type(exc).__name__)
            conn.close()
            conn = http.client.HTTPConnection(host, port, timeout=60)
            continue
        took = time.perf_counter() - started
        if resp.status != 200 or not body:
            result.add_error(str(resp.status))
        else:
            with lock:
                result.latencies.append(took)
    conn.close()


def run(host: str, port: int, accept: str, query: str, concurrency: int, seconds: float, requests: int) -> Result:
    path = "/sparql?" + urlencode({"query": query})
    result = Result()
    lock = threading.Lock()
    budget = [requests]
    started = time.monotonic()
    stop_at = started + seconds
    threads = [threading.Thread(target=worker, args=(host, port, path, accept, stop_at, budget, lock, result))
               for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result.elapsed = time.monotonic() - started
    return result


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", default="http://127.0.0.1:5000", help="server base URL (loopback only)")
    ap.add_argument("--concurrency", default="1,8", help="comma-separated client thread counts")
    ap.add_argument("--seconds", type=float, default=5.0, help="duration per query and level")
    ap.add_argument("--requests", type=int, default=100_000, help="most requests per query and level")
    ap.add_argument("--queries", default=",".join(QUERIES), help="subset of: " + ", ".join(QUERIES))
    ap.add_argument("--max-seconds", type=float, default=300.0, help="bound on the whole run")
    args = ap.parse_args(argv)

    host, port = ensure_loopback(args.url)
    levels = [int(x) for x in args.concurrency.split(",") if x.strip()]
    names = [q.strip() for q in args.queries.split(",") if q.strip()]
    unknown = [n for n in names if n not in QUERIES]
    if unknown or not levels or min(levels) < 1 or max(levels) > 256:
        print(f"http_load: bad --queries {unknown} or --concurrency", file=sys.stderr)
        return 2
    deadline = time.monotonic() + args.max_seconds

    # Warm up (and check every query answers) before measuring.
    for name in names:
        accept, query = QUERIES[name]
        warm = run(host, port, accept, query, 1, 5.0, 3)
        if warm.errors or not warm.latencies:
            print(f"http_load: query {name} fails: {warm.errors}", file=sys.stderr)
            return 1

    print(f"{'query':<10} {'conc':>4} {'requests':>8} {'errors':>6} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8}")
    for level in levels:
        for name in names:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                print("http_load: --max-seconds reached; stopping", file=sys.stderr)
                return 0
            accept, query = QUERIES[name]
            res = run(host, port, accept, query, level, min(args.seconds, remaining), args.requests)
            n = len(res.latencies)
            errors = sum(res.errors.values())
            rps = n / res.elapsed if res.elapsed else 0.0
            p50 = statistics.median(res.latencies) * 1000 if n else float("nan")
            p99 = percentile(res.latencies, 99) * 1000 if n else float("nan")
            print(f"{name:<10} {level:>4} {n:>8} {errors:>6} {rps:>9.1f} {p50:>8.2f} {p99:>8.2f}"
                  + (f"  errors: {res.errors}" if errors else ""), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
