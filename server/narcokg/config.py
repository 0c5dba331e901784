"""Every setting of narcokg in one place.

Values come from defaults, then environment variables (``NARCOKG_*``), then explicit
overrides (the CLI passes its options here). Nothing else in the package reads the
environment, so a test or a benchmark can build a ``Settings`` and know what it gets.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

#: Repository root: the folder holding ontology/, triples/, shapes/ and queries/.
ROOT = Path(__file__).resolve().parents[2]

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
    dist: Path = field(default_factory=lambda: ROOT / "dist")
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
    #: Query processes per HTTP worker; each may be killed and replaced.
    query_workers: int = 2
    #: Most query processes per HTTP worker when all are busy (0: twice query_workers); the
    #: extra ones let cheap queries pass explosive ones and stop after 10 s without work.
    query_workers_max: int = 0
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
    #: Address-space cap of one query process, in MiB (0: no cap).
    query_memory_mb: int = 2048
    #: Answers kept per HTTP worker for repeated queries, in MiB (0: no cache). The served
    #: snapshot never changes while a server runs, so a kept answer never goes stale.
    result_cache_mb: int = 64
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
    #: Graceful shutdown: seconds in-flight requests get to finish.
    graceful_timeout: float = 20.0
    #: FOR TESTS ONLY (NARCOKG_TEST_SKIP_SERVICE_PRECHECK): let queries with SERVICE past the web
    #: process's refusal, so a test can show that the query processes' closed network alone
    #: stops them. Never set it on a server anyone uses.
    test_skip_service_precheck: bool = False

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
