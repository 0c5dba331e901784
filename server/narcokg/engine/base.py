"""The engine seam: what every serving path asks of the engine that holds the snapshot.

The web room talks to an :class:`Engine` only. Today's implementation is the embedded one
(``narcokg.engine.embedded``: pyoxigraph in the web process for lookups, killable query
processes for client queries); a remote SPARQL 1.1 endpoint can stand in the same place.
Whatever the engine, the promises stay the same: ``execute`` enforces the row and time limits
and raises ``narcokg.errors`` types, never HTTP statuses.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass, field
from typing import Iterator, Protocol

import pyoxigraph as ox


_waits = threading.local()


def reset_wait() -> None:
    """Start counting, for this thread, the time its queries wait for an engine to take them."""
    _waits.seconds = 0.0


def add_wait(seconds: float) -> None:
    """An engine made this thread's query wait ``seconds`` (every query process busy)."""
    _waits.seconds = getattr(_waits, "seconds", 0.0) + seconds


def waited() -> float:
    """Seconds this thread's queries waited since ``reset_wait``: fair use does not charge them
    (a client queued behind others' queries has spent nothing)."""
    return getattr(_waits, "seconds", 0.0)


@dataclass(frozen=True)
class QueryJob:
    """One client query, with everything that shapes its answer (and so its cache key)."""

    query: str
    #: Name of the answer's format in ``narcokg.formats.sparql.BY_NAME``.
    format: str
    #: Default graph = the union of all named graphs (no dataset given by the request).
    union: bool = True
    default_graph: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    max_rows: int = 100_000
    #: Prefixes for graph answers (prefix, namespace); empty for solutions.
    prefixes: tuple[tuple[str, str], ...] = ()
    #: Base IRI for relative IRIs in the query (the endpoint's IRI).
    base_iri: str | None = None
    #: One triple pattern with a constant term (``narcokg.engine.syntax``): safe to run inline.
    bounded: bool = field(default=False, compare=False)
    #: Largest answer, in bytes, for an inline run that must not count its rows (the worker's
    #: event loop, ``web.direct``): past it the run is refused. It shapes no answer (not in ``key``).
    max_bytes: int | None = field(default=None, compare=False)

    def wire(self) -> dict:
        """The job as the JSON a query process reads."""
        # Written out rather than ``asdict``, whose deep copy cost a unique lookup 2 % of its CPU.
        wire = {
            "query": self.query,
            "format": self.format,
            "union": self.union,
            "default_graph": None if self.default_graph is None else list(self.default_graph),
            "named_graphs": None if self.named_graphs is None else list(self.named_graphs),
            "max_rows": self.max_rows,
            "prefixes": dict(self.prefixes),
            "base_iri": self.base_iri,
        }
        if self.max_bytes is not None:
            wire["max_bytes"] = self.max_bytes
        return wire

    def key(self) -> bytes:
        """A digest of everything that shapes the answer (result cache, ETags)."""
        wire = self.wire()
        wire.pop("max_bytes", None)
        text = json.dumps(wire, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


@dataclass
class Answer:
    """A query's answer, serialized in the job's format."""

    kind: str  # "solutions", "boolean" or "graph"
    body: bytes
    #: Rows or triples; None when not counted (an answer written in one run, whose size proves
    #: the row limit: ``worker._native``).
    rows: int | None
    seconds: float
    #: Where the query ran, for Server-Timing: "query process", "web process", or a remote engine.
    where: str = "query process"


class Engine(Protocol):
    """The operations the server needs from the engine holding the snapshot."""

    def start(self) -> None:
        """Start what must run per process (after a fork): query processes, connections."""

    def close(self) -> None:
        """Stop what ``start`` started."""

    def quads(self, s=None, p=None, o=None, g=None) -> Iterator[ox.Quad]:
        """Quads matching a pattern (None: any) over every named graph, with their graph."""

    def select(self, query: str, **bindings) -> list[dict[str, object]]:
        """Rows of one of the server's own SELECT queries over the union of all graphs, as
        dicts of variable → term; ``bindings`` substitute variables (no string building)."""

    def graphs(self) -> list[str]:
        """IRIs of the named graphs."""

    def size(self) -> int:
        """Number of quads."""

    def responsive(self) -> bool:
        """Whether the engine answers a trivial query now (``/health``; a remote engine that is
        stopped or hung must take its replica out of a load balancer's rotation)."""

    def execute(self, job: QueryJob, client: int | None = None) -> Answer:
        """Run a client's query under the limits; raises ``narcokg.errors`` types. ``client`` is
        the client's socket: when the client hangs up, the query is cancelled."""
