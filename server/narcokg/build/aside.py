"""Work of the build that can run beside it in a second process: the TriG.

The TriG (rdflib's Turtle writer, graph by graph) of the data graphs, the ontology and the shapes depends
only on what the load gives, yet took a fifth of the build. A child forked right after the load
writes those blocks from its copy of the dataset while the parent reasons and validates; the
parent takes them when it writes the snapshot. The child runs the same function on the same
data as the parent would, so the bytes are the same (tests/unit/test_dumps.py compares a
build's TriG with one written in-process). Where fork is not available, or the child fails,
the parent does the work itself.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Callable

#: The work the forked child runs; set just before the fork, so it needs no pickling.
_PENDING: Callable[[], object] | None = None


def _run_pending() -> object:
    assert _PENDING is not None
    return _PENDING()


class Aside:
    """``work()`` started in a forked child at once; ``result()`` its value, or ``work()`` run
    here when no child could give it."""

    def __init__(self, work: Callable[[], object]):
        global _PENDING
        self._work = work
        self._future: Future | None = None
        self._pool: ProcessPoolExecutor | None = None
        if "fork" not in multiprocessing.get_all_start_methods():
            return
        _PENDING = work
        try:
            self._pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"))
            self._future = self._pool.submit(_run_pending)
        except OSError:
            self._future = None
        finally:
            _PENDING = None

    def result(self) -> object:
        try:
            if self._future is not None:
                try:
                    return self._future.result()
                except Exception:  # the child died or raised: do the work here
                    pass
            return self._work()
        finally:
            if self._pool is not None:
                self._pool.shutdown(wait=True)

    def cancel(self) -> None:
        """The build stopped: the child's work is not wanted."""
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
