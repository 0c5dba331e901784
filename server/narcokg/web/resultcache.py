"""A cache of SPARQL answers, one per HTTP worker process, for the snapshot it serves.

Why: every client query crosses to a query process (the safety layer), and on a 2-core machine
that hop costs about 0.4 ms, as much as a bare Flask + pyoxigraph request in total. A running
server's data never changes, so an answer computed once stays right for as long as the process
lives; repeated queries (entity pages, the catalogue's examples, dashboards polling the same
question) can skip the hop. Measured with ``benchmarks/experiments.py``: repeated lookups then
run at the speed of the bare ceiling.

What makes two requests the same answer is exactly the query job ``sparql.run_query`` sends to
the pool (query text, result format, dataset, row limit, prefixes), so the key is a digest of
that job. Only successful answers are cached, each at most ``max_item_bytes``, all together at
most ``max_bytes`` (least recently used first out). ``max_bytes`` 0 disables the cache.

``sparql.run_query`` calls ``lookup(job.key())`` (``QueryJob.key``) before running the job and ``store(key, answer)``
after it; the size is the ``result_cache_mb`` setting.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any


class ResultCache:
    def __init__(self, max_bytes: int, max_item_bytes: int | None = None):
        self.max_bytes = max(0, int(max_bytes))
        self.max_item_bytes = self.max_bytes // 16 if max_item_bytes is None else int(max_item_bytes)
        self._items: OrderedDict[bytes, Any] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    @property
    def enabled(self) -> bool:
        return self.max_bytes > 0

    def lookup(self, k: bytes):
        """The cached answer for the key ``k`` (see ``key``; any object with a ``body`` of
        bytes), or None. Callers compute the key once for lookup and store."""
        if not self.enabled:
            return None
        with self._lock:
            answer = self._items.get(k)
            if answer is None:
                self.misses += 1
                return None
            self._items.move_to_end(k)
            self.hits += 1
            return answer

    def store(self, k: bytes, answer) -> bool:
        """Keep ``answer`` under the key ``k`` unless it is too large; True when it was kept."""
        size = len(answer.body)
        if not self.enabled or size > self.max_item_bytes:
            return False
        with self._lock:
            old = self._items.pop(k, None)
            if old is not None:
                self._bytes -= len(old.body)
            self._items[k] = answer
            self._bytes += size
            while self._bytes > self.max_bytes and self._items:
                _k, evicted = self._items.popitem(last=False)
                self._bytes -= len(evicted.body)
        return True

    def stats(self) -> dict[str, int]:
        with self._lock:
            return {"entries": len(self._items), "bytes": self._bytes, "hits": self.hits, "misses": self.misses}
