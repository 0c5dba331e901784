"""How a query process opens the data: in memory from the N-Quads snapshot, or a read-only
on-disk pyoxigraph store built once beside it.

Measured on the 2-core machine (open the data and answer a first ASK): for the real snapshot
(7.2k quads) bulk-loading in memory takes 14 ms and opening a read-only on-disk store 10 ms (after
a 66 ms build once per snapshot); for 60k quads, 150 ms against 13 ms (460 ms build). In memory
also lets the query process cap its file descriptors (no file can be opened), so it is used up to
``Settings.memory_store_max_mb``; larger dumps are served from an on-disk store built once beside
the dump and opened read-only by every process, web workers included (at 1M triples that took
the whole tree from 626 to 335 MiB PSS and a warm start from 4.1 to 0.8 s; benchmarks/memory.py).
No serving process counts the store (see ``DataSpec.quads``) and none bulk-loads it (a child
process builds it): 327 → 192 MiB PSS at 1M triples after the benchmark's queries. Either way the
query process has no network (``sandbox``): that does not depend on the mode.

With a public base, every engine reads the same *served* N-Quads (``served_nquads``): the
snapshot with IRIs under the canonical base moved to the public base, written once per
(snapshot, public base) beside the snapshot. The web process, the query processes, the on-disk
store and an Oxigraph server all hold the IRIs the server publishes; nothing rewrites later.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

from narcokg.config import Settings
from narcokg.engine.opening import DataSpec, open_store, unparseable

__all__ = ["DataSpec", "fits_in_memory", "open_store", "prepare", "recorded_quads", "served_nquads", "rebased_lines"]

log = logging.getLogger("narcokg.engine.data")


def prepare(settings: Settings) -> DataSpec:
    """Decide how a process opens the served data; build what it needs (once) if missing."""
    nq = served_nquads(settings)
    if fits_in_memory(nq, settings):
        return DataSpec("memory", str(nq))
    store = _disk_store(nq)
    return DataSpec("disk", str(store), recorded_quads(store))


def fits_in_memory(nq: Path, settings: Settings) -> bool:
    """Whether the N-Quads ``nq`` are small enough to be held in memory (``memory_store_max_mb``)."""
    return nq.stat().st_size <= settings.memory_store_max_mb * 1024 * 1024


def recorded_quads(store_dir: Path) -> int | None:
    """The quad count written beside an on-disk store when it was built (None for a store built
    before counts were recorded)."""
    try:
        return int((store_dir / QUADS_FILE).read_text())
    except (OSError, ValueError):
        return None


def served_nquads(settings: Settings) -> Path:
    """The N-Quads every engine loads: the snapshot itself, or under a public base its copy
    with IRIs moved there (made once, reused while the snapshot and the base are the same)."""
    nq = Path(settings.nquads)
    if not nq.is_file():
        raise FileNotFoundError(f"no N-Quads snapshot at {nq.name}: run `narcokg build` first")
    public = settings.public_base
    if not public or public == settings.base:
        return nq
    key = _key(nq, settings.base, public)
    parent = _cache_dir(nq)
    target = parent / f".served-{key}.nq"
    if target.is_file():
        return target
    with open(parent / f".served-{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one writer at a time; the others wait and reuse
        if target.is_file():
            return target
        fd, tmp = tempfile.mkstemp(prefix=f".served-{key}-", dir=parent)
        try:
            with open(nq, "rb") as src, os.fdopen(fd, "wb") as out:
                out.writelines(rebased_lines(src, settings.base, public))
            os.rename(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    return target


def rebased_lines(lines, base: str, public: str):
    """N-Quads or Turtle lines with every IRI written ``<base…>`` moved to ``<public…>``: the one
    rule by which served data differs from the build's canonical artefacts."""
    old, new = b"<" + base.encode(), b"<" + public.encode()
    for line in lines:
        yield line.replace(old, new)


def _key(nq: Path, *extra: str) -> str:
    st = nq.stat()
    parts = [str(nq.resolve()), str(st.st_size), str(st.st_mtime_ns), *extra]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def _cache_dir(nq: Path) -> Path:
    return nq.parent if os.access(nq.parent, os.W_OK) else Path(tempfile.gettempdir())


#: The file beside an on-disk store that holds its quad count.
QUADS_FILE = ".quads"
#: Part of an on-disk store's key: a store made by an older layout (no recorded count) is built
#: again rather than counted in the serving process.
STORE_LAYOUT = "quads-recorded"


def _disk_store(nq: Path) -> Path:
    key = _key(nq, ox.__version__, STORE_LAYOUT)
    parent = _cache_dir(nq)
    target = parent / f".engine-{key}"
    if (target / ".complete").exists():
        return target
    with open(parent / f".engine-{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one builder at a time; the others wait and reuse
        if (target / ".complete").exists():
            return target
        tmp = Path(tempfile.mkdtemp(prefix=f".engine-{key}-", dir=parent))
        size_mb = nq.stat().st_size / 2**20
        log.info("building the on-disk query store of %s (%.0f MiB), once per dump", nq.name, size_mb)
        started = time.monotonic()
        try:
            # In a process of its own: a bulk load leaves ~280 MiB (at 1M triples) in the heap
            # of the process that ran it, which the server's master would keep and hand to
            # every forked web worker.
            done = subprocess.run(
                [sys.executable, "-m", "narcokg.engine.data", str(nq), str(tmp)], capture_output=True, text=True
            )
            if done.returncode == UNPARSEABLE:
                raise unparseable(nq.name, done.stderr.strip())
            if done.returncode != 0:
                last = (done.stderr.strip().splitlines() or ["no message"])[-1]
                raise RuntimeError(f"could not load {nq.name} into an on-disk store: {last}")
            (tmp / ".complete").write_text("ok\n")
            log.info("on-disk query store of %s built in %.1f s", nq.name, time.monotonic() - started)
            if target.exists():
                shutil.rmtree(target, ignore_errors=True)
            tmp.rename(target)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    return target


#: Exit status of the store builder when the N-Quads do not parse (its stderr: the parser's words).
UNPARSEABLE = 65


def _build_store(nq: Path, target: Path) -> int:
    """Bulk-load ``nq`` into a new store under ``target`` and record its quad count."""
    store = ox.Store(str(target / "store"))
    try:
        store.bulk_load(path=str(nq), format=ox.RdfFormat.N_QUADS)
    except SyntaxError as exc:
        print(exc.msg, file=sys.stderr)
        return UNPARSEABLE
    store.flush()
    store.optimize()
    (target / QUADS_FILE).write_text(f"{len(store)}\n")
    return 0


if __name__ == "__main__":  # run by _disk_store
    sys.exit(_build_store(Path(sys.argv[1]), Path(sys.argv[2])))
