"""The embedded engine: pyoxigraph, in this process for the server's own lookups and in
killable, sandboxed, memory-capped query processes (``pool``) for client queries.

This process opens the data the way the query processes do (``data.prepare``): a small snapshot
is loaded in memory (once, in the master, and shared with the forked web workers), a large one is
the read-only on-disk store built once per snapshot, opened by each process after the fork. So at
scale every process of the tree reads one copy on disk through the page cache instead of holding
its own in memory, and a server starts from an existing store in the time it takes to open it.
A RocksDB handle must not cross a fork (its background threads stay behind), hence the lazy,
per-process opening in disk mode.

Only a *bounded* client query (one triple pattern with a constant term, proved by the query's
analysis) runs in this process: its evaluation is one index scan that stops at the row limit,
and the round trip to a query process would cost more than the query itself.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Iterator

import pyoxigraph as ox

from narcokg.config import Settings
from narcokg.engine import data, pool, worker
from narcokg.engine.base import Answer, QueryJob
from narcokg.engine.failures import refusal


class EmbeddedEngine:
    def __init__(
        self,
        settings: Settings,
        nquads: Path | None = None,
        ox_store: ox.Store | None = None,
        spec: data.DataSpec | None = None,
    ):
        self.settings = settings
        self.spec = spec
        self._pid = os.getpid()
        if spec is not None and spec.mode == "disk":
            self._store: ox.Store | None = None  # opened in the process that reads it
            os.register_at_fork(before=self._forget)
            return
        self._store = ox_store if ox_store is not None else ox.Store()
        if spec is not None:
            self._store = data.open_store(spec)
        elif nquads is not None:
            self._store.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS)

    @classmethod
    def for_serving(cls, settings: Settings) -> "EmbeddedEngine":
        """The engine over the data served for ``settings``: the same IRIs as the query processes
        (under the public base when one is set)."""
        return cls(settings, spec=data.prepare(settings))

    @property
    def _ox(self) -> ox.Store:
        store = self._store
        if store is None or self._pid != os.getpid():
            store = self._store = data.open_store(self.spec)
            self._pid = os.getpid()
        return store

    def _forget(self) -> None:
        """Before a fork: close an on-disk store, so that no child inherits the handle."""
        if self.spec is not None and self.spec.mode == "disk":
            self._store = None

    @property
    def disk_store(self) -> Path | None:
        """The folder of the on-disk store this engine reads, if it reads one (``voidstats``
        keeps a dump's statistics beside it)."""
        return Path(self.spec.path) if self.spec is not None and self.spec.mode == "disk" else None

    # Lifecycle ------------------------------------------------------------------------
    def start(self) -> None:
        pool.get_pool(self.settings)  # this process's query processes, started now
        if self.spec is not None and self.spec.mode == "disk":
            self._ox  # noqa: B018 - open this worker's handle now rather than on the first request

    def close(self) -> None:
        pool.close_pool()

    # The server's own reads -------------------------------------------------------------
    def quads(self, s=None, p=None, o=None, g=None) -> Iterator[ox.Quad]:
        return self._ox.quads_for_pattern(s, p, o, g)

    def select(self, query: str, **bindings) -> list[dict[str, object]]:
        subs = {ox.Variable(k): v for k, v in bindings.items()} if bindings else None
        solutions = self._ox.query(query, use_default_graph_as_union=True, substitutions=subs)
        names = [v.value for v in solutions.variables]
        return [{n: t for n in names if (t := sol[n]) is not None} for sol in solutions]

    def graphs(self) -> list[str]:
        return sorted(g.value for g in self._ox.named_graphs() if isinstance(g, ox.NamedNode))

    def size(self) -> int:
        if self.spec is not None and self.spec.quads is not None:
            return self.spec.quads  # recorded when the on-disk store was built
        return len(self._ox)

    __len__ = size

    def responsive(self) -> bool:
        """The store is in this process: whenever this runs, it answers."""
        return True

    # Client queries ----------------------------------------------------------------------
    def runs_here(self, job: QueryJob) -> bool:
        """True when ``execute`` runs ``job`` in this process (no query process, no network)."""
        return job.bounded and self.settings.inline_bounded

    def execute(self, job: QueryJob, client: int | None = None) -> Answer:
        if self.runs_here(job):
            return self._execute_here(job)
        return pool.get_pool(self.settings).execute(job.wire(), client=client)

    def _execute_here(self, job: QueryJob) -> Answer:
        return run_here(self._ox, job, self.settings)


def run_here(store: ox.Store, job: QueryJob, settings: Settings) -> Answer:
    """A bounded ``job`` run on ``store`` in this process (the embedded engine, and the store
    folder of ``oxigraph:DIR``); its refusal raised as the query processes' would be."""
    started = time.monotonic()
    header, body = worker.execute(store, job.wire(), cheap=True)
    elapsed = time.monotonic() - started
    if header.get("ok"):
        return Answer(header["kind"], body, header.get("rows"), elapsed, "web process")
    failure = refusal(header, settings)
    failure.seconds = elapsed
    raise failure
