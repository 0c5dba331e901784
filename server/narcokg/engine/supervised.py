"""``--engine oxigraph:DIR``: Oxigraph server supervised here answers the queries, and the bounded
ones are read from the same store folder in this process.

Why: a bounded query (one triple pattern with a constant term, proved by the query's analysis)
costs Oxigraph a few microseconds, and the round trip to the server (a request written, an answer
parsed back and written again) costs narcokg ~0.3 ms of CPU: lookups through narcokg reached only
0.14–0.31× of Oxigraph server's own rate. narcokg loaded that folder itself and nothing writes to
it while it serves, so each process opens it read-only (``Store.read_only``: RocksDB takes no lock
in that mode, so the server and every web worker read it side by side) and runs a bounded job as
the embedded engine does; any other query still goes to the server, whose connection is the one
that can stop it (time limit, hang-up). Each web worker opens its handle when it starts, after the
fork: a RocksDB handle must not cross one.

A snapshot small enough for the embedded engine to hold in memory (``data.fits_in_memory``) is
held so here too, for the bounded queries only: the same N-Quads the folder was loaded from,
loaded once before the fork and shared by the web workers. A lookup read from the folder costs
pyoxigraph ~85 µs against ~35 µs in memory (timed by hand on the real snapshot), which at eight
clients was most of what separated narcokg's lookups from Oxigraph server's own.

A query that kills the server (Oxigraph server 0.5.13 aborts on some ``ORDER BY`` over values of
mixed kinds) is not sent to it again: the supervisor counts the death (``crashes``), and a query
that was in flight then runs once more in narcokg's own query processes (``pool``: sandboxed,
memory-capped, one query each, over the same data), where a second failure harms nobody else.
For a while after (``quarantined``) every client query runs there, so that sending the same
query again cannot take the shared server down for every client.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

import pyoxigraph as ox

from narcokg import errors
from narcokg.config import Settings
from narcokg.engine import pool, sparqlhttp
from narcokg.engine.base import Answer, QueryJob
from narcokg.engine.data import DataSpec
from narcokg.engine.embedded import run_here
from narcokg.engine.remote import RemoteEngine


class SupervisedOxigraph(RemoteEngine):
    """The snapshot in the Oxigraph store at ``location``, served by the Oxigraph server at ``url``."""

    def __init__(
        self,
        settings: Settings,
        url: str,
        location: Path,
        size: int | None = None,
        abandoned: Callable[[], None] | None = None,
        nquads: Path | None = None,
        crashes: Callable[[], int] | None = None,
        quarantined: Callable[[], bool] | None = None,
    ):
        """``abandoned``: called when narcokg stops a query the server runs (the supervisor's
        ``OxigraphServer.abandoned``: the server cannot stop it itself). ``nquads``: the N-Quads
        the folder holds, to be read in memory for the bounded queries (a small snapshot).
        ``crashes``, ``quarantined``: the supervisor's (``OxigraphServer``), shared across the fork."""
        super().__init__(settings, url, "oxigraph", size=size)
        self._abandoned = abandoned
        self.location = Path(location)
        self._store: ox.Store | None = None
        self._pid = -1
        #: The snapshot in memory (shared across the fork), or None to read the folder.
        self._memory: ox.Store | None = None
        if nquads is not None:
            self._memory = ox.Store()
            self._memory.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS)
        self.crashes = crashes
        self._quarantined = quarantined
        #: The data as the query processes open it: the N-Quads in memory, or the folder.
        self._spec = DataSpec("memory", str(nquads)) if nquads is not None else DataSpec("oxigraph", str(location))
        self._isolated: pool.QueryPool | None = None
        self._isolated_pid = -1
        os.register_at_fork(before=self._forget)

    def _forget(self) -> None:
        self._store = None

    @property
    def _ox(self) -> ox.Store:
        if self._memory is not None:
            return self._memory
        if self._store is None or self._pid != os.getpid():
            self._store = ox.Store.read_only(str(self.location))
            self._pid = os.getpid()
        return self._store

    def start(self) -> None:
        """In each web worker after the fork: open this process's read-only handle now (unless the
        snapshot is held in memory), so that a folder that cannot be read stops the start rather
        than a first lookup (and the first lookup does not pay the opening)."""
        super().start()
        self._ox  # noqa: B018

    def runs_here(self, job: QueryJob) -> bool:
        """True when ``execute`` runs ``job`` in this process (a bounded query)."""
        return job.bounded and self.settings.inline_bounded

    def execute(self, job: QueryJob, client: int | None = None) -> Answer:
        if self.runs_here(job):
            return run_here(self._ox, job, self.settings)
        if self._quarantined is not None and self._quarantined():
            return self._in_isolation(job, client)
        try:
            return super().execute(job, client)
        except sparqlhttp.Crashed:
            return self._in_isolation(job, client)
        except errors.LimitExceeded as exc:
            if exc.limit == "query_timeout" and self._abandoned is not None:
                self._abandoned()
            raise
        except errors.EngineStalled:
            if self._abandoned is not None:  # the supervisor restarts a server that answers nothing
                self._abandoned()
            raise
        except errors.RequestError as exc:
            if type(exc) is errors.RequestError and self._abandoned is not None:  # the client hung up
                self._abandoned()
            raise

    def _in_isolation(self, job: QueryJob, client: int | None) -> Answer:
        """``job`` in this process's pool of query processes (started on first use): what the
        embedded engine does with every client query."""
        if self._isolated is None or self._isolated_pid != os.getpid():
            self._isolated = pool.QueryPool(self.settings, spec=self._spec)
            self._isolated_pid = os.getpid()
        return self._isolated.execute(job.wire(), client=client)

    def close(self) -> None:
        super().close()
        if self._isolated is not None and self._isolated_pid == os.getpid():
            self._isolated.close()
            self._isolated = None
