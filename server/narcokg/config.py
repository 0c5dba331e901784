"""Every setting of narcokg in one place.

Values come from defaults, then environment variables (``NARCOKG_*``), then explicit
overrides (the CLI passes its options here). Nothing else in the package reads the
environment, so a test or a benchmark can build a ``Settings`` and know what it gets.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _knowledge_root() -> Path:
    """The folder holding ontology/, triples/, shapes/ and queries/: the checkout when the
    package runs from one, else the copy an installed wheel carries (``narcokg/_data``, put
    there by setup.py's build step)."""
    checkout = _PACKAGE.parents[1]
    if (checkout / "ontology").is_dir() and (checkout / "triples").is_dir():
        return checkout
    return _PACKAGE / "_data"


#: Root of the knowledge: ontology/, triples/, shapes/ and queries/.
ROOT = _knowledge_root()
#: An installed package has no checkout to build into: it builds into ./dist.
DIST = ROOT / "dist" if ROOT != _PACKAGE / "_data" else Path("dist").resolve()

#: Canonical base under which every narcokg IRI is minted.
BASE = "https://w3id.org/narcokg/"


def _env(name: str, default, cast=str):
    raw = os.environ.get("NARCOKG_" + name.upper())
    if raw is None or raw == "":
        return default
    if cast is bool:
        return raw.lower() in {"1", "true", "yes", "on"}
    return cast(raw)


@dataclass(frozen=True)
class Settings:
    """Configuration of one build or one server."""

    base: str = BASE
    root: Path = ROOT
    dist: Path = field(default_factory=lambda: DIST)
    #: Serve an explicit N-Quads dump instead of the build's snapshot (benchmarks, scale tests).
    dump: Path | None = None
    #: When set, IRIs under ``base`` are rewritten to this base in everything served.
    public_base: str | None = None
    host: str = "127.0.0.1"
    port: int = 5000
    #: HTTP worker processes of the WSGI server.
    web_workers: int = 2
    #: Threads per HTTP worker (requests waiting on a query process do not block others).
    web_threads: int = 8
    #: Open connections one HTTP worker keeps (idle ones included; each costs a file descriptor,
    #: no thread).
    web_connections: int = 4096
    #: Seconds from the first byte of a request to its last: a request not read in full by then
    #: gets 408. Requests are read in full before a thread is given to them (gunicorn_worker).
    request_read_timeout: float = 10.0
    #: Milliseconds a thread that has answered a kept-alive connection waits for its next request
    #: before giving the connection back to the worker's event loop (``web.linger``); 0: never.
    linger_ms: float = 2.0
    #: Query processes each HTTP worker keeps; each may be killed and replaced. One: every
    #: process holds its own interpreter and store handle (and RocksDB's block cache once it has
    #: scanned an on-disk store), and a second one starts in a few tens of ms when needed
    #: (``benchmarks/queryprocess.py``, ``benchmarks/memory.py``).
    query_workers: int = 1
    #: Most query processes per HTTP worker when all are busy (0: twice query_workers); the
    #: extra ones let cheap queries pass explosive ones and stop after 10 s without work.
    query_workers_max: int = 4
    #: Snapshots up to this size (MiB of N-Quads) are loaded in memory, once in the master and
    #: once per query process; larger ones are served from one read-only on-disk store, built
    #: once per snapshot beside it and opened by every process (``engine.data``).
    memory_store_max_mb: int = 32
    #: Run *bounded* queries (one triple pattern with a constant term, see sparqlsyntax) in the
    #: web process: they cannot outgrow the limits, and a query process round trip costs more
    #: than they do. Off: every query goes to a query process.
    inline_bounded: bool = True
    #: Wall-clock limit of one query, in seconds.
    query_timeout: float = 10.0
    #: Most rows (SELECT) or triples (CONSTRUCT/DESCRIBE) one answer may hold.
    max_rows: int = 100_000
    #: Largest query text accepted, in bytes.
    max_query_bytes: int = 64 * 1024
    #: Deepest nesting of groups, parentheses and brackets a query may have; deeper ones get
    #: 400 before execution (pyoxigraph's parser overflows its stack at about 2,000 braces).
    query_max_depth: int = 100
    #: Address-space cap of one query or validation process, in MiB (0: no cap); lowered so
    #: that all of them together fit ``memory_budget_mb`` (see ``process_memory_mb``).
    query_memory_mb: int = 2048
    #: Memory budget of all query and validation processes of the server together, in MiB
    #: (0: half of the machine's memory).
    memory_budget_mb: int = 0
    #: Answers kept per HTTP worker for repeated queries, in MiB (0: no cache). The served
    #: snapshot never changes while a server runs, so a kept answer never goes stale.
    result_cache_mb: int = 64
    #: Whole GET answers kept per HTTP worker and replayed by its event loop before any thread or
    #: Flask code runs (``web.answercache``), in MiB (0: off).
    answer_cache_mb: int = 64
    #: New bounded lookups (``GET /sparql?query=``) answered by the HTTP worker before gunicorn's
    #: parser and Flask, from a template of the app's own answer (``web.direct``; needs the
    #: answer cache). Off: every request that is not a replay goes through the app.
    direct_answers: bool = True
    #: Largest body accepted by POST /shacl/validate, in bytes.
    max_validate_bytes: int = 5 * 1024 * 1024
    #: Wall-clock limit of one validation of client data, in seconds.
    validate_timeout: float = 30.0
    #: Validations of client data that may run at once per HTTP worker (more get 503 + Retry-After).
    validate_workers: int = 2
    #: Fair use: seconds of query execution one client may spend per window.
    client_budget_seconds: float = 120.0
    #: Fair use: length of the accounting window, in seconds.
    client_budget_window: float = 60.0
    #: Fair use behind a reverse proxy: addresses or networks (comma-separated, e.g.
    #: "127.0.0.1,10.0.0.0/8") whose X-Forwarded-For is believed. A request from one of them is
    #: charged to the nearest address in X-Forwarded-For that is not itself trusted; from any
    #: other address, X-Forwarded-For is ignored (a client could otherwise name itself anew).
    trusted_proxies: str = ""
    #: Fair use behind a trusted proxy: the proxy itself may spend this many times a client's
    #: budget (its clients share it), so spoofed X-Forwarded-For hops cannot multiply the time.
    proxy_budget_factor: float = 10.0
    #: Graceful shutdown: seconds in-flight requests get to finish.
    graceful_timeout: float = 20.0
    #: FOR TESTS ONLY (NARCOKG_TEST_SKIP_SERVICE_PRECHECK): let queries with SERVICE past the web
    #: process's refusal, so a test can show that the query processes' closed network alone
    #: stops them. Never set it on a server anyone uses.
    test_skip_service_precheck: bool = False
    #: Where queries and lookups run: "" (the embedded engine, the default), the URL of a SPARQL
    #: 1.1 endpoint holding the snapshot's graphs (``narcokg.engine.remote``), or "oxigraph:DIR"
    #: (narcokg loads the snapshot into DIR if needed and runs Oxigraph server on it itself).
    engine: str = ""
    #: The kind of endpoint ``engine`` names by URL: oxigraph, virtuoso or generic.
    engine_dialect: str = "generic"
    #: Seconds a remote engine has to answer ``ASK {}`` (NARCOKG_ENGINE_PROBE_SECONDS) before, if it
    #: answered nothing else meanwhile either, it is taken to be silent (503, ``/health`` 503).
    engine_probe_seconds: float = 2.0
    #: Seconds after a supervised Oxigraph server died of a query during which client queries run
    #: in narcokg's own query processes instead (NARCOKG_ENGINE_CRASH_QUARANTINE_SECONDS).
    engine_crash_quarantine_seconds: float = 60.0

    # The memory budget ---------------------------------------------------------------
    @property
    def process_slots(self) -> int:
        """Most query and validation processes the server can run at once."""
        per_worker = (self.query_workers_max or 2 * self.query_workers) + self.validate_workers
        return max(1, self.web_workers) * max(1, per_worker)

    @property
    def budget_mb(self) -> int:
        return self.memory_budget_mb or physical_memory_mb() // 2

    @property
    def process_memory_mb(self) -> int:
        """The address-space cap each query or validation process gets: ``query_memory_mb``, lowered
        so that every process the server can run at once, each at its cap, fits the budget. The
        sum is bounded by construction, whatever the queries do (no accounting to race)."""
        share = self.budget_mb // self.process_slots
        return max(64, min(self.query_memory_mb, share) if self.query_memory_mb else share)

    # Paths derived from the root -------------------------------------------------
    @property
    def ontology_dir(self) -> Path:
        return self.root / "ontology"

    @property
    def triples_dir(self) -> Path:
        return self.root / "triples"

    @property
    def shapes_dir(self) -> Path:
        return self.root / "shapes"

    @property
    def queries_dir(self) -> Path:
        return self.root / "queries"

    @property
    def nquads(self) -> Path:
        return self.dump if self.dump else self.dist / "narcokg.nq"

    @property
    def served_base(self) -> str:
        return self.public_base or self.base

    def with_overrides(self, **overrides) -> "Settings":
        clean = {k: v for k, v in overrides.items() if v is not None}
        for key in ("dist", "root", "dump"):
            if key in clean:
                clean[key] = Path(clean[key])
        if "public_base" in clean and not clean["public_base"].endswith("/"):
            clean["public_base"] += "/"
        return replace(self, **clean)


def physical_memory_mb() -> int:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // (1024 * 1024)
    except (ValueError, OSError, AttributeError):
        return 4096


def load_settings(**overrides) -> Settings:
    """Defaults, then ``NARCOKG_*`` environment variables, then ``overrides``."""
    values = {}
    for f in fields(Settings):
        kind = {int: int, float: float, bool: bool}.get(type(f.default), str) if f.default is not None else str
        raw = _env(f.name, None, kind)
        if raw is not None:
            values[f.name] = raw
    settings = Settings().with_overrides(**values)
    return settings.with_overrides(**overrides)


def graph_iri(slug: str, settings: Settings | None = None) -> str:
    return (settings.base if settings else BASE) + "graph/" + slug
