"""Fair use: each client may spend ``client_budget_seconds`` of query time per
``client_budget_window`` seconds (WDQS-style); past that it gets 429 with Retry-After.

The accounts live in an anonymous shared memory map created when the app is built. With
gunicorn's ``preload_app`` (what ``narcokg serve`` does) the app is built before the HTTP
workers fork, so all of them share one table and one lock: a client's budget is global to the
server, not per worker.

Time counts while it is being spent, not only once a query has finished: ``begin`` registers
a running request and ``retry_after`` adds the time each running request of the client has
used so far. Otherwise a client that sends many queries at once passes the check with all of
them before the first is charged (8 concurrent clients were charged ~190 s in ~40 s against a
budget of 120 s per 60 s). The time charged runs from the start of the request to its answer,
the analysis of the query included, but the time it waited for a free query process: a client
queued behind other clients' queries has spent nothing.

Requests sent all at once are bounded too: each running request holds ``reserve`` seconds (the
query time limit, the most it can cost) until it ends, and a client whose spent time and holds
reach its budget waits for one to end. Before, every query sent at once passed the check while
nothing was spent yet (tests/server/test_sparql_safety.py).
"""

from __future__ import annotations

import functools
import hashlib
import ipaddress
import logging
import math
import mmap
import multiprocessing
import struct
import time
from dataclasses import dataclass

log = logging.getLogger("narcokg.web.fairuse")

#: client key, window start (monotonic), seconds spent, requests running, sum of their starts
_SLOT = struct.Struct("<Qdddd")
SLOTS = 4096
PROBE = 32


@dataclass(frozen=True)
class Running:
    """A request registered by ``begin``; give it back to ``end``."""

    keys: tuple[int, ...]
    started: float


class Budget:
    def __init__(self, seconds: float, window: float, slots: int = SLOTS, reserve: float = 0.0):
        self.seconds = float(seconds)
        self.window = float(window)
        #: Seconds each running request holds of its client's budget until it ends.
        self.reserve = float(reserve)
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
        """The slot of ``key``; with ``create``, a free, expired or oldest idle slot claimed for it."""
        start = key % self.slots
        free = oldest = None
        oldest_start = math.inf
        for i in range(PROBE):
            idx = (start + i) % self.slots
            k, wstart, _spent, running, _starts = _SLOT.unpack_from(self._mem, idx * _SLOT.size)
            if k == key:
                return idx
            if running:
                continue  # a slot with requests in flight is never taken over
            if free is None and (k == 0 or now - wstart >= self.window):
                free = idx
            if wstart < oldest_start:
                oldest, oldest_start = idx, wstart
        if not create:
            return None
        idx = free if free is not None else oldest
        if idx is None:  # every probed slot busy: share the first one (over-charging, never under)
            idx = start
            _k, wstart, spent, running, starts = _SLOT.unpack_from(self._mem, idx * _SLOT.size)
            _SLOT.pack_into(self._mem, idx * _SLOT.size, key, wstart, spent, running, starts)
            return idx
        _SLOT.pack_into(self._mem, idx * _SLOT.size, key, now, 0.0, 0.0, 0.0)
        return idx

    def _used(self, key: int, now: float) -> tuple[float, float, float] | None:
        """(seconds used in the window including running requests, window start, the same with
        each running request counted at least ``reserve``), or None."""
        idx = self._find(key, now, create=False)
        if idx is None:
            return None
        _k, wstart, spent, running, starts = _SLOT.unpack_from(self._mem, idx * _SLOT.size)
        if now - wstart >= self.window:
            spent, wstart = 0.0, now
        running_time = max(0.0, running * now - starts)
        return spent + running_time, wstart, spent + max(running_time, running * self.reserve)

    def _wait(self, key: int, limit: float, now: float) -> int | None:
        """Seconds until ``key`` may start a request under ``limit``, or None when it may now."""
        used = self._used(key, now)
        if used is None:
            return None
        spent, wstart, held = used
        if spent >= limit:
            return max(1, math.ceil(wstart + self.window - now))
        if held >= limit:  # its running requests hold the rest: one of them ends within reserve
            return max(1, math.ceil(self.reserve))
        return None

    def retry_after(self, *clients: str, scale: tuple[float, ...] = ()) -> int | None:
        """Seconds until every one of ``clients`` may query again, or None when all have budget.

        ``scale`` multiplies the budget per client (a trusted proxy speaks for many clients)."""
        if not self.enabled:
            return None
        now = time.monotonic()
        wait = None
        with self._lock:
            for i, client in enumerate(clients):
                w = self._wait(self._key(client), self.seconds * (scale[i] if i < len(scale) else 1.0), now)
                if w is not None:
                    wait = w if wait is None else max(wait, w)
        return wait

    def admit(self, *clients: str, scale: tuple[float, ...] = ()) -> Running | int | None:
        """``retry_after`` and, when every client has budget, ``begin``, under one hold of the lock
        (the worker's direct answers in a thread: at eight clients the shared lock is contended,
        and each hold costs). The seconds to wait when one is past its budget, nothing begun."""
        if not self.enabled:
            return None
        now = time.monotonic()
        keys = tuple(self._key(c) for c in clients)
        with self._lock:
            wait = None
            for i, key in enumerate(keys):
                w = self._wait(key, self.seconds * (scale[i] if i < len(scale) else 1.0), now)
                if w is not None:
                    wait = w if wait is None else max(wait, w)
            if wait is not None:
                return wait
            self._begin(keys, now)
        return Running(keys, now)

    def begin(self, *clients: str) -> Running | None:
        """Register a request of ``clients`` that starts now (its time counts while it runs)."""
        if not self.enabled:
            return None
        now = time.monotonic()
        keys = tuple(self._key(c) for c in clients)
        with self._lock:
            self._begin(keys, now)
        return Running(keys, now)

    def _begin(self, keys: tuple[int, ...], now: float) -> None:
        """Register a running request for each of ``keys`` (the lock held)."""
        for key in keys:
            idx = self._find(key, now, create=True)
            k, wstart, spent, running, starts = _SLOT.unpack_from(self._mem, idx * _SLOT.size)
            if now - wstart >= self.window and not running:
                wstart, spent = now, 0.0
            _SLOT.pack_into(self._mem, idx * _SLOT.size, k, wstart, spent, running + 1, starts + now)

    def end(self, token: Running | None, waited: float = 0.0) -> float:
        """The request of ``token`` is answered: charge the time it took but the ``waited``
        seconds it spent queued for a query process; the seconds charged."""
        if token is None:
            return 0.0
        now = time.monotonic()
        seconds = max(0.0, now - token.started - waited)
        with self._lock:
            for key in token.keys:
                idx = self._find(key, now, create=True)
                k, wstart, spent, running, starts = _SLOT.unpack_from(self._mem, idx * _SLOT.size)
                if now - wstart >= self.window:
                    wstart, spent = now, 0.0
                if running >= 1:
                    running, starts = running - 1, starts - token.started
                _SLOT.pack_into(
                    self._mem,
                    idx * _SLOT.size,
                    k,
                    wstart,
                    spent + seconds,
                    running,
                    max(0.0, starts) if running else 0.0,
                )
        return seconds

    def charge(self, client: str, seconds: float) -> None:
        """Add ``seconds`` to ``client``'s current window (for time not covered by begin/end)."""
        if not self.enabled or seconds <= 0:
            return
        now = time.monotonic()
        key = self._key(client)
        with self._lock:
            idx = self._find(key, now, create=True)
            k, wstart, spent, running, starts = _SLOT.unpack_from(self._mem, idx * _SLOT.size)
            if now - wstart >= self.window:
                wstart, spent = now, 0.0
            _SLOT.pack_into(self._mem, idx * _SLOT.size, key, wstart, spent + seconds, running, starts)


@functools.lru_cache(maxsize=8)
def _networks(spec: str) -> tuple:
    nets = []
    for part in spec.split(","):
        if part.strip():
            try:
                nets.append(ipaddress.ip_network(part.strip(), strict=False))
            except ValueError:
                log.error("trusted_proxies: %r is not an address or network; ignored", part.strip())
    return tuple(nets)


def _trusted(address: str, nets: tuple) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in nets)


def client_id(remote: str, forwarded: list[str], trusted_proxies: str) -> str:
    """Whom a query is charged to: the remote address, or behind a trusted proxy the nearest
    untrusted hop of X-Forwarded-For (hops further left were written by the client)."""
    nets = _networks(trusted_proxies)
    if not nets or not _trusted(remote, nets):
        return remote
    hops = [h.strip() for h in ",".join(forwarded).split(",") if h.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, nets):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return remote  # not an address: the proxy did not write it; charge the proxy
    return remote


def charged(remote: str, forwarded: list[str], settings) -> tuple[tuple[str, ...], tuple[float, ...]]:
    """Whom a request's time is charged to, and each one's budget multiplier: the client, and
    behind a trusted proxy also the proxy itself (with ``proxy_budget_factor`` times the
    budget), so that clients naming themselves anew in X-Forwarded-For cannot multiply the
    time one proxy connection can spend. One function for the app and the worker's fast path."""
    client = client_id(remote, forwarded, settings.trusted_proxies)
    if client == remote:
        return (client,), (1.0,)
    return (client, "proxy " + remote), (1.0, max(1.0, settings.proxy_budget_factor))
