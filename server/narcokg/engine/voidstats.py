"""VoID statistics of a large dump, counted once in a process of their own and kept beside its
on-disk store.

Through the query processes (``voidcount``) each count runs under a client's time limit, and each
HTTP worker counted for itself: at 1M triples the first ``/void`` took 19.5 s per worker, and a 2M
dump passed the 10 s limit, so its ``/void`` was a 503 for as long as it was served. A dump served
from an on-disk store (``data.DataSpec`` "disk") is counted instead by one child process started
on the first request for ``/void``, under the memory cap of a query process and without the time
limit (the counts are the server's own work, like the build's void.ttl, not a client's query). It
writes the statistics next to the store, so every worker and every later start of a server on
the same dump reads them at once. Until they are written, ``/void`` answers 503 with Retry-After.

Run as ``python -m narcokg.engine.voidstats STORE_DIR ENTITY_PREFIX MEMORY_MB``.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

log = logging.getLogger("narcokg.engine.void")

#: Seconds a client is told to wait while the statistics are counted.
RETRY_AFTER = 5


def _files(store_dir: Path, entity_prefix: str) -> tuple[Path, Path, Path]:
    """The statistics file, its failure note and its lock, for one entity prefix."""
    key = hashlib.sha256(entity_prefix.encode()).hexdigest()[:12]
    stem = store_dir / f".void-{key}"
    return stem.with_suffix(".json"), stem.with_suffix(".failed"), stem.with_suffix(".lock")


def recorded(store_dir: Path, entity_prefix: str) -> tuple[dict, dict] | None:
    """(whole, graphs) as ``void.statistics`` gives them, when they have been counted."""
    done, _, _ = _files(store_dir, entity_prefix)
    try:
        data = json.loads(done.read_text())
    except (OSError, ValueError):
        return None
    return data["whole"], data["graphs"]


def failure(store_dir: Path, entity_prefix: str) -> tuple[str, float] | None:
    """Why the last count failed and how many seconds ago, if it did."""
    _, failed, _ = _files(store_dir, entity_prefix)
    try:
        return failed.read_text().strip() or "the count failed", time.time() - failed.stat().st_mtime
    except OSError:
        return None


def start(store_dir: Path, entity_prefix: str, memory_mb: int) -> subprocess.Popen:
    """Start the counting process unless one is running (it takes the lock; a second one exits).
    A thread waits for it: a process that dies without a word (killed, out of memory before it
    could write) leaves a failure note all the same, so clients are not told to wait forever."""
    child = subprocess.Popen(
        [sys.executable, "-m", "narcokg.engine.voidstats", str(store_dir), entity_prefix, str(memory_mb)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        close_fds=True,
        start_new_session=True,  # not stopped by a signal to the server's process group
    )
    threading.Thread(target=_watch, args=(child, store_dir, entity_prefix), daemon=True).start()
    return child


def _watch(child: subprocess.Popen, store_dir: Path, entity_prefix: str) -> None:
    _, err = child.communicate()
    done, failed, _ = _files(store_dir, entity_prefix)
    text = err.decode("utf-8", "replace").strip()
    if child.returncode != 0:
        # The details (which may name files of this machine) go to the log, not to clients.
        log.warning("VoID statistics process exited with %s: %s", child.returncode, text[-2000:] or "no message")
    if child.returncode != 0 and not done.exists() and not failed.exists():
        how = f"signal {-child.returncode}" if child.returncode < 0 else f"status {child.returncode}"
        failed.write_text(f"the counting process ended with {how}\n")


def count(store_dir: Path, entity_prefix: str) -> int:
    """Count and write the statistics (the child's work); 0 when written or already there."""
    import pyoxigraph as ox

    from narcokg.engine import void

    done, failed, lock_path = _files(store_dir, entity_prefix)
    with open(lock_path, "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return 0  # another process is counting
        if done.exists():
            return 0
        try:
            store = ox.Store.read_only(str(store_dir / "store"))
            whole, graphs = void.statistics(void.store_select(store), entity_prefix)
        except MemoryError:
            failed.write_text("counting needed more than the memory cap of a query process\n")
            return 3
        except Exception as exc:  # noqa: BLE001 - the client learns its kind; the log (stderr) the rest
            failed.write_text(f"the count stopped with {type(exc).__name__}\n")
            print(f"{type(exc).__name__}: {exc}", file=sys.stderr)
            return 3
        tmp = done.with_suffix(f".tmp{os.getpid()}")
        tmp.write_text(json.dumps({"whole": whole, "graphs": graphs}))
        os.rename(tmp, done)
        failed.unlink(missing_ok=True)
    return 0


def main(argv: list[str]) -> int:
    store_dir, entity_prefix, memory_mb = Path(argv[0]), argv[1], int(argv[2])
    if memory_mb > 0:
        cap = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    return count(store_dir, entity_prefix)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
