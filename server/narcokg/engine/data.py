"""How a query process opens the data: in memory from the N-Quads snapshot, or a read-only
on-disk pyoxigraph store built once beside it.

Measured on the 2-core machine (open the data and answer a first ASK): for the real snapshot
(7.2k quads) bulk-loading in memory takes 14 ms and opening a read-only on-disk store 10 ms (after
a 66 ms build once per snapshot); for 60k quads, 150 ms against 13 ms (460 ms build). In memory
also lets the query process cap its file descriptors (no file can be opened), so it is used up to
``Settings.memory_store_max_mb``; larger dumps are served from an on-disk store built once beside
the dump and opened read-only by every process, web workers included (at 1M triples that took
the whole tree from 626 to 335 MiB PSS and a warm start from 4.1 to 0.8 s; benchmarks/memory.py). Either way the query process has
no network (``sandbox``): that does not depend on the mode.

With a public base, IRIs under the canonical base are rewritten while loading, so queries,
results and the rest of the site show the same IRIs.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from narcokg.config import Settings


@dataclass(frozen=True)
class DataSpec:
    mode: str  # "memory" or "disk"
    path: str
    rewrite_from: str | None = None
    rewrite_to: str | None = None

    def argv(self) -> list[str]:
        args = ["--mode", self.mode, "--path", self.path]
        if self.rewrite_from and self.rewrite_to:
            args += ["--rewrite-from", self.rewrite_from, "--rewrite-to", self.rewrite_to]
        return args


def _rewrite(settings: Settings) -> tuple[str | None, str | None]:
    if settings.public_base and settings.public_base != settings.base:
        return settings.base, settings.public_base
    return None, None


def prepare(settings: Settings, rewrite: bool = True) -> DataSpec:
    """Decide how a process opens the data; build the on-disk store if one is needed.

    Query processes open it with IRIs moved to the public base (``rewrite``); the web process
    keeps the canonical IRIs."""
    nq = Path(settings.nquads)
    if not nq.is_file():
        raise FileNotFoundError(f"no N-Quads snapshot at {nq.name}: run `narcokg build` first")
    rw_from, rw_to = _rewrite(settings) if rewrite else (None, None)
    if nq.stat().st_size <= settings.memory_store_max_mb * 1024 * 1024:
        return DataSpec("memory", str(nq), rw_from, rw_to)
    return DataSpec("disk", str(_disk_store(nq, rw_from, rw_to)))


def _disk_store(nq: Path, rw_from: str | None, rw_to: str | None) -> Path:
    st = nq.stat()
    key = hashlib.sha256(
        f"{nq.resolve()}|{st.st_size}|{st.st_mtime_ns}|{rw_from}|{rw_to}|{ox.__version__}".encode()
    ).hexdigest()[:16]
    parent = nq.parent if os.access(nq.parent, os.W_OK) else Path(tempfile.gettempdir())
    target = parent / f".engine-{key}"
    if (target / ".complete").exists():
        return target
    with open(parent / f".engine-{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one builder at a time; the others wait and reuse
        if (target / ".complete").exists():
            return target
        tmp = Path(tempfile.mkdtemp(prefix=f".engine-{key}-", dir=parent))
        try:
            store = ox.Store(str(tmp / "store"))
            if rw_from and rw_to:
                with open(nq, "rb") as src:
                    store.bulk_load(input=_rewritten_lines(src, rw_from, rw_to), format=ox.RdfFormat.N_QUADS)
            else:
                store.bulk_load(path=str(nq), format=ox.RdfFormat.N_QUADS)
            store.flush()
            store.optimize()
            del store
            (tmp / ".complete").write_text("ok\n")
            if target.exists():
                shutil.rmtree(target, ignore_errors=True)
            tmp.rename(target)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    return target


def _rewritten_lines(src, rw_from: str, rw_to: str):
    """A binary reader over ``src`` with IRIs under ``rw_from`` moved to ``rw_to`` (line by line)."""
    old, new = b"<" + rw_from.encode(), b"<" + rw_to.encode()

    class Reader:
        def __init__(self):
            self.pending = b""

        def read(self, n: int = -1) -> bytes:
            parts, size = [self.pending], len(self.pending)
            while n < 0 or size < n:
                line = src.readline()
                if not line:
                    break
                line = line.replace(old, new)
                parts.append(line)
                size += len(line)
            data = b"".join(parts)
            if n < 0:
                self.pending = b""
                return data
            self.pending = data[n:]
            return data[:n]

    return Reader()


def open_store(spec: DataSpec) -> ox.Store:
    """Open the data for queries as ``spec`` says."""
    if spec.mode == "disk":
        return ox.Store.read_only(str(Path(spec.path) / "store"))
    store = ox.Store()
    if spec.rewrite_from and spec.rewrite_to:
        data = Path(spec.path).read_bytes()
        data = data.replace(b"<" + spec.rewrite_from.encode(), b"<" + spec.rewrite_to.encode())
        store.bulk_load(input=data, format=ox.RdfFormat.N_QUADS)
    else:
        store.bulk_load(path=spec.path, format=ox.RdfFormat.N_QUADS)
    return store
