"""The VoID description a server answers when it has no build's void.ttl (``serve --dump``).

It is counted with the build's own queries (``void.statistics``), on the first request rather
than at startup (serve-ready must stay fast, and most servers are never asked), in the query
processes so that the time, memory and row limits of client queries apply, and kept for the
life of the process: the served data never changes while a server runs. A dump large enough to
be served from an on-disk store is counted once per dump by ``voidstats`` instead. A count that hits a
limit gives a 503 with the reason; that failure is remembered for a while, so repeated requests
for /void cannot each spend a query process's full time limit.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from flask import current_app

from narcokg import release, snapshot

from narcokg.engine import void, voidstats
from narcokg.config import Settings
from narcokg.engine.base import QueryJob
from narcokg import errors

log = logging.getLogger("narcokg.engine.void")

#: Seconds a count stopped by a limit is remembered (and answered at once with 503).
FAILURE_MEMORY = 300.0


class Unavailable(errors.Busy):
    """The description cannot be given now: a message for the client and when to retry."""

    def __init__(self, message: str, retry_after: int):
        super().__init__(message, retry_after=max(1, int(retry_after)))


@dataclass
class _State:
    lock: threading.Lock = field(default_factory=threading.Lock)
    result: tuple[list[ox.Triple], bytes] | None = None
    failure: tuple[float, str] | None = None  # (monotonic time, message)
    counting_since: float | None = None  # when this process started a ``voidstats`` child


#: Seconds before a process starts another ``voidstats`` child while the statistics are missing
#: (a child that finds another counting exits at once; this keeps requests from starting many).
RESTART_COUNTING = 30.0


def _counted_beside(store_dir: Path, settings: Settings, state: _State) -> tuple[dict, dict]:
    """The statistics of a dump on disk, from ``voidstats``; Unavailable while they are counted."""
    prefix = settings.served_base + "id/"
    got = voidstats.recorded(store_dir, prefix)
    if got is not None:
        return got
    failed = voidstats.failure(store_dir, prefix)
    if failed is not None and failed[1] < FAILURE_MEMORY:
        raise Unavailable(
            f"the VoID statistics of this dump could not be counted: {failed[0]}. Serve a build instead "
            "(its void.ttl holds the statistics) or raise the memory budget (NARCOKG_MEMORY_BUDGET_MB).",
            int(FAILURE_MEMORY - failed[1]) + 1,
        )
    now = time.monotonic()
    if state.counting_since is None or now - state.counting_since > RESTART_COUNTING:
        voidstats.start(store_dir, prefix, settings.process_memory_mb)
        state.counting_since = now
    raise Unavailable(
        "the VoID statistics of this dump are being counted (once per dump, in the background); "
        "try again in a few seconds",
        voidstats.RETRY_AFTER,
    )


def engine_select(engine, settings: Settings) -> void.Select:
    """``void.Select`` through the engine's client path (``Engine.execute``), each query under the
    limits of client queries (the embedded engine's query processes, or a remote engine)."""

    def select(query: str) -> list[dict[str, str]]:
        answer = engine.execute(QueryJob(query, "json", max_rows=settings.max_rows))
        bindings = json.loads(answer.body)["results"]["bindings"]
        return [{name: term["value"] for name, term in row.items()} for row in bindings]

    return select


def _limit_message(exc: errors.NarcokgError, settings: Settings) -> str:
    if exc.limit == "query_timeout":
        what = (
            f"a count took longer than the query time limit of {settings.query_timeout:g} s "
            "(query_timeout, NARCOKG_QUERY_TIMEOUT)"
        )
    elif exc.limit == "query_memory_mb":
        what = (
            f"a count needed more than the query memory limit of {settings.query_memory_mb} MiB "
            "(query_memory_mb, NARCOKG_QUERY_MEMORY_MB)"
        )
    elif exc.limit == "max_rows":
        what = f"the dump has more named graphs than the row limit of {settings.max_rows} (max_rows, NARCOKG_MAX_ROWS)"
    else:
        what = f"a count exceeded a query limit ({exc.limit})"
    return (
        f"the VoID description of this dump could not be computed: {what}. Serve a build instead "
        "(its void.ttl holds the statistics) or raise the limit."
    )


def description(settings: Settings) -> tuple[list[ox.Triple], bytes]:
    """The VoID triples of the data this server serves and its Turtle, computed once per process.

    Raises ``Unavailable`` when a count hits a query limit or no query process is free.
    """
    state: _State = current_app.extensions.setdefault("narcokg.engine.voidcount", _State())
    if state.result is not None:
        return state.result
    patience = len(void.queries("")) * (settings.query_timeout + 5.0) + 5.0
    if not state.lock.acquire(timeout=patience):
        raise Unavailable("the VoID description is still being computed; try again shortly", 5)
    try:
        if state.result is not None:
            return state.result
        if state.failure is not None:
            remaining = state.failure[0] + FAILURE_MEMORY - time.monotonic()
            if remaining > 0:
                raise Unavailable(state.failure[1], int(remaining) + 1)
            state.failure = None
        started = time.monotonic()
        engine = current_app.extensions["narcokg.engine"]
        # Only the embedded engine over an on-disk store has one; every other engine counts
        # through its client path, under the limits of client queries.
        store_dir = getattr(engine, "disk_store", None)
        try:
            if store_dir is not None:
                whole, graphs = _counted_beside(store_dir, settings, state)
            else:
                whole, graphs = void.statistics(engine_select(engine, settings), settings.served_base + "id/")
        except Unavailable:
            raise
        except errors.NarcokgError as exc:
            if exc.limit:
                message = _limit_message(exc, settings)
                state.failure = (time.monotonic(), message)
                log.warning("VoID statistics stopped after %.1f s: %s", time.monotonic() - started, exc.limit)
                raise Unavailable(message, int(FAILURE_MEMORY)) from None
            raise Unavailable(
                f"the VoID description could not be computed just now: {exc.message}", exc.retry_after or 5
            ) from None
        rel = release.of_manifest(None if settings.dump else snapshot.read_manifest(settings.dist), settings.nquads)
        graph = void.describe(settings.served_base, snapshot.downloadable(settings), whole, graphs, rel=rel)
        state.result = (graph, void.serialize(graph))
        log.info(
            "VoID statistics of %d triples in %d named graphs computed in %.2f s",
            whole["triples"],
            len(graphs),
            time.monotonic() - started,
        )
        return state.result
    finally:
        state.lock.release()
