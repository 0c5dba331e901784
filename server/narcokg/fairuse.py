"""Fair use: each client may spend ``client_budget_seconds`` of query execution per
``client_budget_window`` seconds (WDQS-style); past that it gets 429 with Retry-After.

The accounts live in an anonymous shared memory map created when the app is built. With
gunicorn's ``preload_app`` (what ``narcokg serve`` does) the app is built before the HTTP
workers fork, so all of them share one table and one lock: a client's budget is global to the
server, not per worker. A client is its remote address.
"""
from __future__ import annotations

import hashlib
import math
import mmap
import multiprocessing
import struct
import time

_SLOT = struct.Struct("<Qdd")  # client key, window start (monotonic), seconds spent
SLOTS = 4096
PROBE = 32


class Budget:
    def __init__(self, seconds: float, window: float, slots: int = SLOTS):
        self.seconds = float(seconds)
        self.window = float(window)
        self.slots = slots
        self._mem = mmap.mmap(-1, slots * _SLOT.size)  # MAP_SHARED | MAP_ANONYMOUS: survives fork shared
        self._lock = multiprocessing.Lock()

    @property
    def enabled(self) -> bool:
        return self.seconds > 0 and self.window > 0

    @staticmethod
    def _key(client: str) -> int:
        return int.from_bytes(hashlib.blake2b(client.encode("utf-8", "replace"), digest_size=8).digest(), "big") | 1

    def _find(self, key: int, now: float, create: bool) -> int | None:
        """The slot of ``key``; with ``create``, a free, expired or oldest slot claimed for it."""
        start = key % self.slots
        free = oldest = None
        oldest_start = math.inf
        for i in range(PROBE):
            idx = (start + i) % self.slots
            k, wstart, _spent = _SLOT.unpack_from(self._mem, idx * _SLOT.size)
            if k == key:
                return idx
            if free is None and (k == 0 or now - wstart >= self.window):
                free = idx
            if wstart < oldest_start:
                oldest, oldest_start = idx, wstart
        if not create:
            return None
        idx = free if free is not None else oldest
        _SLOT.pack_into(self._mem, idx * _SLOT.size, key, now, 0.0)
        return idx

    def retry_after(self, client: str) -> int | None:
        """Seconds until ``client`` may query again, or None when it still has budget."""
        if not self.enabled:
            return None
        now = time.monotonic()
        with self._lock:
            idx = self._find(self._key(client), now, create=False)
            if idx is None:
                return None
            _k, wstart, spent = _SLOT.unpack_from(self._mem, idx * _SLOT.size)
        if now - wstart >= self.window or spent < self.seconds:
            return None
        return max(1, math.ceil(wstart + self.window - now))

    def charge(self, client: str, seconds: float) -> None:
        """Add ``seconds`` of query execution to ``client``'s current window."""
        if not self.enabled or seconds <= 0:
            return
        now = time.monotonic()
        key = self._key(client)
        with self._lock:
            idx = self._find(key, now, create=True)
            k, wstart, spent = _SLOT.unpack_from(self._mem, idx * _SLOT.size)
            if now - wstart >= self.window:
                wstart, spent = now, 0.0
            _SLOT.pack_into(self._mem, idx * _SLOT.size, key, wstart, spent + seconds)
