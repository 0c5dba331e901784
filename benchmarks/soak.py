"""Soak: a bounded mixed load on a real ``narcokg serve``, to show it keeps serving, answers every
request with the right kind of status, drops no connection and holds its memory flat.

    python benchmarks/soak.py                     # builds into a temporary folder first
    python benchmarks/soak.py --dist dist --count 4000 --concurrency 16

Phases, each at ``--concurrency`` client threads (one keep-alive connection each):

  warm-up   ``--warm-up`` requests (1500), so caches and lazily built pages exist before memory counts
  baseline  ``--count``/4 requests of valid queries (the catalogue, queries/*.rq), invalid ones
            (syntax errors, SERVICE, updates, LOAD, oversize) and page views; nothing explosive
  mixed     ``--count`` such requests, while ``--explosive-clients`` of the threads send explosive
            queries (cross products under COUNT, ORDER BY, GROUP BY) back to back: each runs into
            the time limit and its query process is killed and replaced
  fair use  a second server with the default budget: explosive queries until the budget is spent,
            to show 429 with Retry-After (at most ``--budget-seconds``)

The main server runs with a short time limit (``--query-timeout``, 2 s) so the run stays bounded,
and fair use off, so the soak measures the query pool rather than the budget. Every second the
resident memory (VmRSS) of the gunicorn master, its HTTP workers and the query processes is read
from /proc. At the end: status codes per request kind, dropped connections (client exceptions),
latency of valid (cheap) queries with and without explosive ones running, memory per process
group, and the server's exit status after SIGTERM. Loopback only; the whole run is bounded by
``--max-seconds``.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
import procs  # noqa: E402  (benchmarks/procs.py: ports, process trees, /proc readings)

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
HOST = "127.0.0.1"
B = "https://w3id.org/narcokg/"
JSON = "application/sparql-results+json"

EXPLOSIVE = [
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
    "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f LIMIT 1",
    "SELECT ?b (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } GROUP BY ?b",
    "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
]

INVALID = [
    "SELECT * WHERE { ?s ?p ?o ",
    "SELEC ?s WHERE { ?s ?p ?o }",
    "SELECT * WHERE { ?s undeclared:p ?o }",
    "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    "INSERT DATA { <urn:x:s> <urn:x:p> <urn:x:o> }",
    "DELETE WHERE { ?s ?p ?o }",
    "LOAD <http://127.0.0.1:9/data.ttl>",
    "SELECT * WHERE { ?s ?p ?o } LIMIT -1",
    "ASK { ?s ?p ?o }\n#" + "x" * (70 * 1024),  # past max_query_bytes (64 KiB): 413
]

SEARCH_TERMS = [
    "BNN",
    "Indonesia",
    "narkotika",
    "UNODC",
    "Fiji",
    "methamphetamine",
    "ASEAN",
    "zzzz-none",
    "<script>alert(1)</script>",
    "%",
    '"quoted"',
    "é ü ß",
    "a" * 200,
]


# Requests -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    kind: str  # valid, invalid, explosive, page; "fair-use explosive" and "fair-use cheap"
    method: str
    target: str
    body: bytes | None = None
    headers: tuple = ()

    def expected(self, status: int) -> bool:
        if self.kind in ("valid", "page"):
            return status == 200
        if self.kind == "invalid":
            return 400 <= status < 500
        if self.kind == "explosive":
            return status == 422
        return status in (200, 422, 429)  # fair-use phase: answered, stopped at the limit, or refused


def sparql_request(kind: str, query: str, post: bool) -> Request:
    if post:
        body = urlencode({"query": query}).encode()
        return Request(
            kind, "POST", "/sparql", body, (("Content-Type", "application/x-www-form-urlencoded"), ("Accept", JSON))
        )
    return Request(kind, "GET", "/sparql?" + urlencode({"query": query}), None, (("Accept", JSON),))


def catalogue() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted((ROOT / "queries").glob("*.rq"))]


class Mix:
    """The general request mix: 40 % valid queries, 20 % invalid ones, 40 % page views."""

    def __init__(self, queries: list[str], entity_pages: list[str], classes: list[str], seed: int):
        self.rng = random.Random(seed)
        self.queries = queries
        self.pages = ["/", "/browse", "/ontology", "/shapes", "/shacl"] + [f"/browse/{c}" for c in classes]
        self.entity_pages = entity_pages or ["/page/state/IDN"]

    def next(self) -> Request:
        r = self.rng.random()
        post = self.rng.random() < 0.5
        if r < 0.4:
            return sparql_request("valid", self.rng.choice(self.queries), post)
        if r < 0.6:
            invalid = self.rng.choice(INVALID)
            if invalid.startswith(("INSERT", "DELETE", "LOAD")) and self.rng.random() < 0.5:
                return Request(
                    "invalid",
                    "POST",
                    "/sparql",
                    urlencode({"update": invalid}).encode(),
                    (("Content-Type", "application/x-www-form-urlencoded"),),
                )
            return sparql_request("invalid", invalid, post or len(invalid) > 8000)
        if r < 0.75:
            return Request("page", "GET", self.rng.choice(self.entity_pages), None, (("Accept", "text/html"),))
        if r < 0.85:
            q = quote(self.rng.choice(SEARCH_TERMS))
            return Request("page", "GET", f"/search?q={q}", None, (("Accept", "text/html"),))
        return Request("page", "GET", self.rng.choice(self.pages), None, (("Accept", "text/html"),))


# Client ---------------------------------------------------------------------------------------


@dataclass
class Tally:
    statuses: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    dropped: Counter = field(default_factory=Counter)
    drop_examples: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    unexpected_count: int = 0
    #: latencies (s) of valid queries: (started while an explosive query ran?, seconds)
    valid_latency: list[tuple[bool, float]] = field(default_factory=list)
    retry_after: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)


class Client:
    def __init__(self, port: int, timeout: float):
        self.port = port
        self.timeout = timeout
        self.conn = http.client.HTTPConnection(HOST, port, timeout=timeout)

    def send(self, req: Request) -> tuple[int, dict, float]:
        started = time.perf_counter()
        self.conn.request(req.method, req.target, body=req.body, headers=dict(req.headers))
        resp = self.conn.getresponse()
        body = resp.read()
        elapsed = time.perf_counter() - started
        headers = dict(resp.getheaders())
        headers["_empty"] = resp.status >= 400 and not body.strip()  # an error must say what is wrong
        return resp.status, headers, elapsed

    def reset(self) -> None:
        self.conn.close()
        self.conn = http.client.HTTPConnection(HOST, self.port, timeout=self.timeout)


class ExplosiveGauge:
    """How many explosive queries are in flight right now."""

    def __init__(self):
        self.n = 0
        self.lock = threading.Lock()

    def __enter__(self):
        with self.lock:
            self.n += 1

    def __exit__(self, *exc):
        with self.lock:
            self.n -= 1


def record(tally: Tally, req: Request, client: Client, gauge: ExplosiveGauge) -> None:
    running = gauge.n > 0
    try:
        status, headers, elapsed = client.send(req)
    except (OSError, http.client.HTTPException) as exc:
        client.reset()
        with tally.lock:
            tally.dropped[req.kind] += 1
            if len(tally.drop_examples) < 5:
                tally.drop_examples.append(f"{req.kind} {req.method} {req.target[:80]}: {type(exc).__name__}: {exc}")
        return
    with tally.lock:
        tally.statuses[req.kind][status] += 1
        if not req.expected(status) or headers["_empty"]:
            tally.unexpected_count += 1
            if len(tally.unexpected) < 10:
                empty = " (empty body)" if headers["_empty"] else ""
                tally.unexpected.append(f"{req.kind} {req.method} {req.target[:100]} -> {status}{empty}")
        if req.kind == "valid" and status == 200:
            tally.valid_latency.append((running, elapsed))
        if status in (429, 503):
            tally.retry_after["present" if "Retry-After" in headers else "missing"] += 1


def run_phase(
    port: int, concurrency: int, count: int, mix: Mix, explosive_clients: int, timeout: float, deadline: float
) -> tuple[Tally, float, int]:
    """``count`` general requests over ``concurrency - explosive_clients`` threads while the other
    threads send explosive queries until the general ones are done; (tally, seconds, explosive sent)."""
    tally = Tally()
    gauge = ExplosiveGauge()
    general_done = threading.Event()
    todo = iter(range(count))
    todo_lock = threading.Lock()
    mix_lock = threading.Lock()
    explosive_sent = itertools.count()
    started = time.perf_counter()

    def general():
        client = Client(port, timeout)
        while time.monotonic() < deadline:
            with todo_lock:
                if next(todo, None) is None:
                    break
            with mix_lock:
                req = mix.next()
            record(tally, req, client, gauge)
        client.conn.close()

    def explosive(i: int):
        client = Client(port, timeout)
        rng = random.Random(1000 + i)
        while not general_done.is_set() and time.monotonic() < deadline:
            req = sparql_request("explosive", rng.choice(EXPLOSIVE), rng.random() < 0.5)
            next(explosive_sent)
            with gauge:
                record(tally, req, client, gauge)
        client.conn.close()

    bomb = [threading.Thread(target=explosive, args=(i,), daemon=True) for i in range(explosive_clients)]
    workers = [threading.Thread(target=general, daemon=True) for _ in range(concurrency - explosive_clients)]
    for t in bomb + workers:
        t.start()
    for t in workers:
        t.join()
    general_done.set()
    for t in bomb:
        t.join()
    return tally, time.perf_counter() - started, next(explosive_sent)


def run_budget_phase(port: int, explosive_clients: int, timeout: float, seconds: float) -> tuple[Tally, float]:
    """From one client address: ``explosive_clients`` threads send explosive queries and one thread
    a cheap query four times a second, each on a new connection (so they spread over the HTTP
    workers), until 429s have come for 12 s or ``seconds`` have passed."""
    tally = Tally()
    gauge = ExplosiveGauge()
    stop_at = [time.monotonic() + seconds]
    started = time.perf_counter()
    cheap = f"ASK {{ <{B}id/state/IDN> ?p ?o }}"

    def worker(i: int):
        client = Client(port, timeout)
        rng = random.Random(2000 + i)
        while time.monotonic() < stop_at[0]:
            if i < explosive_clients:
                req = sparql_request("fair-use explosive", rng.choice(EXPLOSIVE), False)
            else:
                req = sparql_request("fair-use cheap", cheap, False)
            record(tally, req, client, gauge)
            client.reset()
            with tally.lock:
                refused = sum(c[429] for c in tally.statuses.values())
                if refused and stop_at[0] > time.monotonic() + 12:
                    stop_at[0] = time.monotonic() + 12  # go on 12 s more (running queries end), then stop
            if i >= explosive_clients or refused:
                time.sleep(0.25)
        client.conn.close()

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(explosive_clients + 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return tally, time.perf_counter() - started


# Server and memory ----------------------------------------------------------------------------


#: Servers this run started (stopped on the way out, whatever happens).
STARTED: list["Server"] = []


class Server:
    """``narcokg serve --no-build`` in a session of its own, stopped by its pid."""

    def __init__(self, dist: Path, env_extra: dict, log: Path):
        STARTED.append(self)
        self.port = procs.free_port()
        self.log = log
        env = dict(os.environ, NARCOKG_DIST=str(dist), PYTHONUNBUFFERED="1", **env_extra)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "narcokg.cli", "serve", "--no-build", "--host", HOST, "--port", str(self.port)],
            env=env,
            cwd=ROOT,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"server exited ({self.proc.returncode}):\n{self.log.read_text()[-3000:]}")
            try:
                client = Client(self.port, 5)
                status, _, _ = client.send(sparql_request("valid", "ASK { ?s ?p ?o }", False))
                client.conn.close()
                if status == 200:
                    return
            except (OSError, http.client.HTTPException, RuntimeError):
                pass
            time.sleep(0.2)
        self.stop()
        raise SystemExit("server did not answer in time")

    def stop(self, timeout: float = 40) -> tuple[int | None, float]:
        """SIGTERM, then SIGKILL (to our pid only) after ``timeout`` s; (exit status, seconds)."""
        started = time.perf_counter()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
                return None, time.perf_counter() - started
        return self.proc.returncode, time.perf_counter() - started


GROUPS = ("master", "http workers", "query processes")


def sample_memory(master: int) -> dict[str, dict[int, int]]:
    """VmRSS (KiB) of the master, its HTTP workers and their query processes."""
    children = procs.children_map()
    out: dict[str, dict[int, int]] = {g: {} for g in GROUPS}
    todo = [(master, "master")]
    while todo:
        pid, group = todo.pop()
        rss = procs.status_kb(pid, "VmRSS")
        if rss is not None:
            out[group][pid] = rss
        for child in children.get(pid, []):
            kind = "query processes" if "narcokg.engine.worker" in procs.cmdline(child) else "http workers"
            todo.append((child, kind))
    return out


class MemoryLog:
    def __init__(self, master: int, every: float = 1.0):
        self.master = master
        self.every = every
        self.samples: list[tuple[float, str, dict[str, dict[int, int]]]] = []
        self.phase = "start"
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.samples.append((time.monotonic(), self.phase, sample_memory(self.master)))
            self._stop.wait(self.every)

    def mark(self, phase: str) -> None:
        """Start ``phase`` with a sample of its own (the first sample of a phase is idle memory)."""
        self.phase = phase
        self.samples.append((time.monotonic(), phase, sample_memory(self.master)))

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


# Report ---------------------------------------------------------------------------------------


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(q * (len(s) - 1))))]


def ms(x: float) -> str:
    return "-" if x != x else f"{x * 1000:.1f}"


def mib(kib: float) -> str:
    return f"{kib / 1024:.0f}"


def status_table(name: str, tally: Tally, seconds: float) -> list[str]:
    lines = [f"{name}: {sum(sum(c.values()) for c in tally.statuses.values())} answered in {seconds:.1f} s"]
    lines.append(f"  {'kind':<18} {'requests':>8}  statuses")
    for kind in sorted(set(tally.statuses) | set(tally.dropped)):
        counts = tally.statuses.get(kind, Counter())
        text = ", ".join(f"{s}: {n}" for s, n in sorted(counts.items()))
        drops = tally.dropped.get(kind, 0)
        lines.append(
            f"  {kind:<18} {sum(counts.values()) + drops:>8}  {text}" + (f"; DROPPED {drops}" if drops else "")
        )
    fives = sum(n for c in tally.statuses.values() for s, n in c.items() if s >= 500)
    lines.append(
        f"  5xx: {fives}   dropped connections: {sum(tally.dropped.values())}   "
        f"unexpected answers: {tally.unexpected_count}"
    )
    if tally.retry_after:
        lines.append(f"  Retry-After on 429/503: {dict(tally.retry_after)}")
    lines += [f"  unexpected: {u}" for u in tally.unexpected] + [f"  dropped: {d}" for d in tally.drop_examples]
    return lines


def memory_table(mem: MemoryLog) -> list[str]:
    """Per group: summed VmRSS when idle after warm-up (first), min/max during the run, after the
    load (last), and the largest single process."""
    samples = [s for s in mem.samples if s[1] != "start"]
    if not samples:
        return ["memory: no samples"]
    first = next((s for s in samples if s[1] == "baseline"), samples[0])
    last = samples[-1]
    lines = [
        f"memory (VmRSS, MiB; {len(samples)} samples, one per second; first = idle after warm-up, "
        "last = idle after the load; flat = mean per process grew by at most 5 % or 10 MiB)",
        f"  {'group':<16} {'procs seen':>10} {'first':>7} {'min':>7} {'max':>7} {'last':>7} "
        f"{'last-first':>10} {'largest one':>11}  flat",
    ]
    for g in GROUPS:
        totals = [sum(s[2][g].values()) for s in samples]
        seen = {pid for s in samples for pid in s[2][g]}
        largest = max((v for s in samples for v in s[2][g].values()), default=0)
        f0, l0 = sum(first[2][g].values()), sum(last[2][g].values())
        # The query pool grows and shrinks (burst processes), so compare the mean per process;
        # only growth counts against "flat" (a leak grows, a retired process shrinks the sum).
        m0 = f0 / max(1, len(first[2][g]))
        m1 = l0 / max(1, len(last[2][g]))
        flat = m1 - m0 <= max(0.05 * m0, 10 * 1024)  # mean per process within +5 % or +10 MiB
        lines.append(
            f"  {g:<16} {len(seen):>10} {mib(f0):>7} {mib(min(totals)):>7} {mib(max(totals)):>7} "
            f"{mib(l0):>7} {mib(l0 - f0):>10} {mib(largest):>11}  {'yes' if flat else 'NO'}"
        )
    return lines


def latency_table(baseline: Tally, mixed: Tally) -> list[str]:
    without = [s for _r, s in baseline.valid_latency]
    quiet = [s for r, s in mixed.valid_latency if not r]
    during = [s for r, s in mixed.valid_latency if r]
    lines = ["latency of valid (catalogue) queries, ms", f"  {'when':<44} {'n':>6} {'p50':>8} {'p99':>8} {'max':>8}"]
    for name, values in [
        ("baseline (no explosive query anywhere)", without),
        ("mixed, no explosive query in flight", quiet),
        ("mixed, explosive queries in flight", during),
    ]:
        if not values and name.startswith("mixed, no"):
            continue
        lines.append(
            f"  {name:<44} {len(values):>6} {ms(pct(values, 0.5)):>8} {ms(pct(values, 0.99)):>8} "
            f"{ms(max(values) if values else float('nan')):>8}"
        )
    return lines


# Main -----------------------------------------------------------------------------------------


def discover(port: int) -> tuple[list[str], list[str]]:
    """Entity pages and class names to visit, from the served data itself."""
    client = Client(port, 60)
    query = f'SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), "{B}id/")) }} ORDER BY ?s LIMIT 400'
    client.conn.request("GET", "/sparql?" + urlencode({"query": query}), headers={"Accept": JSON})
    data = json.loads(client.conn.getresponse().read())
    pages = ["/page/" + b["s"]["value"][len(B + "id/") :] for b in data["results"]["bindings"]]
    client.conn.request("GET", "/browse", headers={"Accept": "text/html"})
    html = client.conn.getresponse().read().decode("utf-8", "replace")
    client.conn.close()
    classes = sorted(set(re.findall(r'href="/browse/([A-Za-z]+)"', html)))
    return pages, classes


def build(out: Path) -> None:
    print("[soak] building the knowledge graph into a temporary folder …", file=sys.stderr, flush=True)
    proc = subprocess.run(
        [sys.executable, "-m", "narcokg.cli", "build", "--out", str(out)], cwd=ROOT, capture_output=True, text=True
    )
    if proc.returncode not in (0, 1):
        raise SystemExit("build failed:\n" + proc.stderr[-3000:])


def log_problems(log: Path) -> dict[str, int]:
    text = log.read_text(errors="replace")
    return {
        "Traceback": text.count("Traceback"),
        "[ERROR]": text.count("[ERROR]"),
        "query process died": text.count("died"),
        "WORKER TIMEOUT": text.count("WORKER TIMEOUT"),
    }


def starts_per_worker(log: Path) -> list[int]:
    """Query processes started by each HTTP worker (its first ones included): the replacements
    show which worker the explosive queries landed on, as each keep-alive connection stays with
    the worker that accepted it."""
    starts = Counter(
        re.findall(r"\[(\d+)\] \[INFO\] narcokg\.querypool: query process \d+ ready", log.read_text(errors="replace"))
    )
    return sorted(starts.values(), reverse=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dist", type=Path, help="a built snapshot to serve (default: build into a temporary folder)")
    ap.add_argument("--count", type=int, default=4000, help="requests of the mixed phase (default 4000)")
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--warm-up", type=int, default=1500, help="requests before memory counts (default 1500)")
    ap.add_argument(
        "--explosive-clients",
        type=int,
        default=2,
        help="threads (of --concurrency) sending explosive queries in the mixed phase",
    )
    ap.add_argument("--query-timeout", type=float, default=2.0, help="NARCOKG_QUERY_TIMEOUT of the server")
    ap.add_argument(
        "--budget-seconds", type=float, default=90.0, help="longest the fair-use phase may run (0: skip it)"
    )
    ap.add_argument("--budget-clients", type=int, default=4, help="explosive threads of the fair-use phase")
    ap.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="extra environment of the main server, e.g. NARCOKG_QUERY_WORKERS=4",
    )
    ap.add_argument("--max-seconds", type=float, default=540.0, help="bound on the load phases")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--json", type=Path, help="also write the figures here")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder (build, server logs)")
    args = ap.parse_args(argv)
    if not 0 <= args.explosive_clients < args.concurrency:
        ap.error("--explosive-clients must be below --concurrency")
    try:
        return soak(args)
    finally:
        for srv in STARTED:  # only if the run was cut short: each is already stopped otherwise
            if srv.proc.poll() is None:
                srv.proc.kill()
                srv.proc.wait(timeout=10)


def soak(args) -> int:
    t0 = time.monotonic()
    deadline = t0 + args.max_seconds
    work = Path(tempfile.mkdtemp(prefix="narcokg-soak-"))
    dist = args.dist
    if dist is None:
        dist = work / "dist"
        build(dist)
    if not (dist / "narcokg.nq").is_file():
        raise SystemExit(f"no snapshot in {dist}: run `narcokg build` first")

    env = {"NARCOKG_QUERY_TIMEOUT": str(args.query_timeout), "NARCOKG_CLIENT_BUDGET_SECONDS": "0"}
    env.update(item.split("=", 1) for item in args.set)
    server = Server(dist, env, work / "server.log")
    server.wait_ready()
    mem = MemoryLog(server.proc.pid)
    timeout = args.query_timeout + 60  # the client waits longer than any server-side limit
    pages, classes = discover(server.port)
    mix = Mix(catalogue(), pages, classes, args.seed)
    out: list[str] = []

    mem.mark("warm-up")
    warm, warm_s, _ = run_phase(server.port, args.concurrency, args.warm_up, mix, 0, timeout, deadline)
    time.sleep(2)
    mem.mark("baseline")
    base, base_s, _ = run_phase(server.port, args.concurrency, max(1, args.count // 4), mix, 0, timeout, deadline)
    mem.mark("mixed")
    mixed, mixed_s, exploded = run_phase(
        server.port, args.concurrency, args.count, mix, args.explosive_clients, timeout, deadline
    )
    mem.phase = "after"
    time.sleep(3)
    mem.mark("after")
    mem.stop()
    main_problems = log_problems(server.log)
    main_exit, main_stop_s = server.stop()

    out.append(
        f"narcokg soak: concurrency {args.concurrency}, query timeout {args.query_timeout:g} s, "
        f"fair use off{''.join(', ' + x for x in args.set)}; {os.cpu_count()} CPUs"
    )
    out += status_table("warm-up", warm, warm_s)
    out += status_table("baseline (valid, invalid, pages)", base, base_s)
    out += status_table(
        f"mixed ({args.concurrency - args.explosive_clients} clients valid/invalid/pages, "
        f"{args.explosive_clients} clients explosive: {exploded} sent)",
        mixed,
        mixed_s,
    )
    out += latency_table(base, mixed)
    out += memory_table(mem)
    out.append(f"server log: {main_problems}; query processes started per HTTP worker: {starts_per_worker(server.log)}")
    out.append(f"SIGTERM → exit status {main_exit} after {main_stop_s:.1f} s")

    budget = None
    if args.budget_seconds > 0 and time.monotonic() + args.budget_seconds < deadline + 60:
        bserver = Server(dist, {}, work / "server-budget.log")
        bserver.wait_ready()
        budget, budget_s = run_budget_phase(bserver.port, args.budget_clients, 120, args.budget_seconds)
        bexit, _ = bserver.stop()
        out += status_table(
            f"fair use (defaults: budget 120 s per 60 s, time limit 10 s; one client address, "
            f"{args.budget_clients} explosive threads + 1 cheap probe, new connection each)",
            budget,
            budget_s,
        )
        out.append(f"  server exit status after SIGTERM: {bexit}")

    fives = sum(n for t in (warm, base, mixed) for c in t.statuses.values() for s, n in c.items() if s >= 500)
    drops = sum(sum(t.dropped.values()) for t in (warm, base, mixed) + ((budget,) if budget else ()))
    fair_fives = sum(n for c in budget.statuses.values() for s, n in c.items() if s >= 500) if budget else 0
    flat = all(line.endswith("yes") for line in memory_table(mem)[2:])
    out.append(
        f"verdict: 5xx {fives} (fair-use phase: {fair_fives}), dropped connections {drops}, "
        f"memory flat: {'yes' if flat else 'NO'}; total {time.monotonic() - t0:.0f} s"
    )
    print("\n".join(out))
    if args.keep:
        print(f"[soak] build and server logs kept in {work}", file=sys.stderr)
    else:
        shutil.rmtree(work, ignore_errors=True)
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "statuses": {
                        name: {k: dict(v) for k, v in t.statuses.items()}
                        for name, t in [("warm-up", warm), ("baseline", base), ("mixed", mixed)]
                        + ([("budget", budget)] if budget else [])
                    },
                    "dropped": drops,
                    "fives": fives,
                    "explosive_sent": exploded,
                    "memory": [
                        (round(t - t0, 1), phase, {g: sum(v.values()) for g, v in s.items()})
                        for t, phase, s in mem.samples
                    ],
                },
                indent=1,
            )
        )
    return 0 if fives == 0 and drops == 0 and flat else 1


if __name__ == "__main__":
    sys.exit(main())
