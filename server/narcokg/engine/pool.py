"""A supervised pool of query processes, one pool per HTTP worker process.

pyoxigraph cannot interrupt a running query, and one ``ORDER BY`` over a cross product grew to
24 GB. So client queries do not run in the web process (except the *bounded* ones, see
``engine.embedded``): each goes to a query process (``narcokg.engine.worker``) that runs one query
at a time under a memory cap. The web thread waits for the answer at most ``query_timeout``
seconds; past that it kills the process (SIGKILL) and the supervisor thread starts a fresh
one. A process that dies for any other reason (out of memory, a crash, killed from outside) is
replaced the same way, and the request that hit it gets a clear error instead of a hung
connection.

Processes are started from the supervisor thread only: it lives as long as the pool, which
matters because the kernel's parent-death signal fires when the *thread* that started a child
exits.

Size: ~380 lines, one class whose supervision, acquisition and answer reading share one lock and
one condition; one query process's I/O is in ``queryprocess``.
"""

from __future__ import annotations

import logging
import os
import queue
import subprocess
import tempfile
import sys
import threading
import time

from narcokg.engine import data as querydata
from narcokg import errors
from narcokg.config import Settings
from narcokg.engine.base import Answer, add_wait
from narcokg.engine.failures import crash, refusal
from narcokg.engine.queryprocess import ClientGone, Died, QueryProcess, TimedOut

log = logging.getLogger("narcokg.engine.pool")

#: Longest a process may take to open the data before it counts as failed.
START_TIMEOUT = 120.0
#: Seconds a burst process (beyond ``query_workers``) may stay idle before it is stopped.
BURST_IDLE = 10.0
#: Seconds a request waits for a busy process to come free before it asks for a burst process.
#: Cheap queries free a process within milliseconds; starting a process costs ~0.1 s of CPU, so
#: bursting at once made a steady load of cheap queries start and retire processes in a loop.
BURST_AFTER = 0.05


class _NotStarted(Exception):
    """The process died before it read the query: the query may run on another one."""


class QueryPool:
    """``size`` query processes over the data ``spec``; ``execute`` runs one query."""

    def __init__(self, settings: Settings, spec: querydata.DataSpec | None = None, size: int | None = None):
        self.settings = settings
        self.spec = spec or querydata.prepare(settings)
        self.size = max(1, size or settings.query_workers)
        #: Extra processes started while every process is busy (so cheap queries need not queue
        #: behind explosive ones); retired after ``BURST_IDLE`` seconds without work.
        self.max_size = max(self.size, settings.query_workers_max or 2 * self.size)
        self._pending = 0  # spawns asked for and not finished
        self._cond = threading.Condition()
        self._idle: list[QueryProcess] = []
        self._all: set[QueryProcess] = set()
        self._tasks: queue.SimpleQueue = queue.SimpleQueue()
        self._closed = False
        self.started = 0  # processes started so far (replacements included)
        self._thread = threading.Thread(target=self._supervise, name="narcokg-querypool", daemon=True)
        self._thread.start()
        for _ in range(self.size):
            self._request_spawn()

    # Supervisor ------------------------------------------------------------------------
    def _supervise(self) -> None:
        failures = 0
        while True:
            try:
                task, proc = self._tasks.get(timeout=1.0)
            except queue.Empty:
                self._replace_dead_idle()
                self._retire_idle_extras()
                continue
            if task == "stop":
                return
            if task == "reap":
                proc.kill()
                try:
                    proc.popen.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    log.error("query process %s did not exit after SIGKILL", proc.pid)
                proc.close()
                continue
            if self._closed:
                with self._cond:
                    self._pending -= 1
                continue
            try:
                new = self._spawn()
            except Exception as exc:  # a process that cannot start: log, back off, try again
                failures += 1
                log.error("query process failed to start (%s); retrying", exc)
                time.sleep(min(30.0, 0.5 * 2 ** min(failures, 6)))
                self._tasks.put(("spawn", None))  # still pending
                continue
            failures = 0
            with self._cond:
                self._pending -= 1
                if self._closed:
                    self._tasks.put(("reap", new))
                    continue
                self._all.add(new)
                self._idle.append(new)
                self._cond.notify()

    def _request_spawn(self) -> None:
        with self._cond:
            self._pending += 1
        self._tasks.put(("spawn", None))

    def _retire_idle_extras(self) -> None:
        """Stop burst processes that have had no work for BURST_IDLE seconds."""
        now = time.monotonic()
        with self._cond:
            retired = []
            for p in sorted(self._idle, key=lambda p: p.idle_since):
                if len(self._all) - len(retired) <= self.size or now - p.idle_since < BURST_IDLE:
                    break
                retired.append(p)
            for p in retired:
                self._idle.remove(p)
                self._all.discard(p)
        for p in retired:
            self._tasks.put(("reap", p))

    def _replace_dead_idle(self) -> None:
        """Keep the pool at full strength: an idle process that died (a memory-capped process
        that exited after its answer, a kill from outside) is replaced without waiting for a
        request to stumble on it."""
        with self._cond:
            dead = [p for p in self._idle if not p.alive()]
            for p in dead:
                self._idle.remove(p)
                self._all.discard(p)
        for p in dead:
            log.warning("query process %s died while idle (status %s); replacing it", p.pid, p.popen.returncode)
            self._tasks.put(("reap", p))
            self._request_spawn()

    def _spawn(self) -> QueryProcess:
        cmd = [
            sys.executable,
            "-m",
            "narcokg.engine.worker",
            *self.spec.argv(),
            "--memory-mb",
            str(self.settings.process_memory_mb),
            "--parent",
            str(os.getpid()),
        ]
        env = dict(os.environ, MALLOC_ARENA_MAX="2", PYTHONUNBUFFERED="1")
        # The process's stderr goes to a file of its own: after a crash its last lines say what
        # happened (a Rust panic, a failed allocation), which the exit status alone cannot tell.
        errors = tempfile.TemporaryFile()
        ack_r, ack_w = os.pipe()
        os.set_blocking(ack_r, False)
        try:
            popen = subprocess.Popen(
                [*cmd, "--ack-fd", str(ack_w)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=errors,
                close_fds=True,
                pass_fds=(ack_w,),
                env=env,
            )
        except BaseException:
            os.close(ack_r)
            raise
        finally:
            os.close(ack_w)
        proc = QueryProcess(popen, errors, ack_r)
        try:
            header, _ = proc.read_frame(time.monotonic() + START_TIMEOUT)
        except (Died, TimedOut, ValueError) as exc:
            proc.kill()
            popen.wait()
            proc.close()
            raise RuntimeError(
                f"exit status {popen.returncode}" if isinstance(exc, Died) else "no ready signal"
            ) from None
        if not header.get("ready"):
            proc.kill()
            raise RuntimeError("unexpected first frame")
        self.started += 1
        quads = header.get("quads")
        log.info(
            "query process %s ready in %.3f s: %s",
            proc.pid,
            header.get("load_seconds", 0),
            "on-disk store" if quads is None else f"{quads} quads in memory",
        )
        return proc

    def _replace(self, proc: QueryProcess) -> None:
        with self._cond:
            self._all.discard(proc)
        self._tasks.put(("reap", proc))
        self._request_spawn()

    # Clients ---------------------------------------------------------------------------
    def _acquire(self, deadline: float) -> QueryProcess:
        burst_at = time.monotonic() + BURST_AFTER
        with self._cond:
            while True:
                if self._closed:
                    raise errors.Busy("The server is shutting down; try again shortly.", retry_after=5)
                while self._idle:
                    proc = self._idle.pop()
                    if proc.alive():
                        return proc
                    log.warning(
                        "query process %s found dead while idle (status %s); replacing it",
                        proc.pid,
                        proc.popen.returncode,
                    )
                    self._all.discard(proc)
                    self._tasks.put(("reap", proc))
                    self._request_spawn()
                now = time.monotonic()
                if now >= burst_at:
                    if self._pending:
                        # A process is starting (at the pool's start, or a replacement): it will
                        # take a waiting request; starting another as well left a burst process
                        # behind the first query of every server.
                        burst_at = now + BURST_AFTER
                    else:
                        burst_at = float("inf")  # one request asks for at most one process
                        if len(self._all) < self.max_size:
                            self._request_spawn()  # every process stayed busy: start one more
                remaining = deadline - now
                if remaining <= 0:
                    raise errors.Busy("All query processes are busy; try again shortly.", retry_after=2)
                self._cond.wait(min(remaining, max(0.0, burst_at - now)))

    def _release(self, proc: QueryProcess) -> None:
        with self._cond:
            if self._closed:
                self._tasks.put(("reap", proc))
                return
            proc.idle_since = time.monotonic()
            self._idle.append(proc)
            self._cond.notify()

    def execute(
        self, job: dict, timeout: float | None = None, wait: float | None = None, client: int | None = None
    ) -> Answer:
        """Run ``job`` (see ``queryworker.execute``) in a query process, within ``timeout`` seconds.

        ``wait`` bounds the time spent waiting for a free process (default: the time limit plus
        a few seconds: by then a running query has ended or been killed). ``client``, the fd of
        the requesting connection: when its peer closes it while the query runs, the process is
        killed and replaced at once (nobody is left to read the answer), ``errors.RequestError``.
        """
        timeout = self.settings.query_timeout if timeout is None else timeout
        wait = timeout + 5.0 if wait is None else wait
        acquire_deadline = time.monotonic() + wait
        for attempt in range(self.size + 1):
            asked = time.monotonic()
            proc = self._acquire(acquire_deadline)
            started = time.monotonic()
            add_wait(started - asked)
            try:
                try:
                    proc.send(job)
                except OSError:  # its stdin is closed: it died while idle
                    raise _NotStarted() from None
                return self._finish(proc, started, timeout, client)
            except _NotStarted:
                # The process was dead before it could start this query (killed while idle):
                # replace it and run the query on another one.
                log.warning("query process %s was gone before the query started; replacing it", proc.pid)
                self._discard(proc)
                continue
        raise errors.Busy("No query process could take the query; try again shortly.", retry_after=2)

    def _finish(self, proc: QueryProcess, started: float, timeout: float, client: int | None = None) -> Answer:
        try:
            header, body = proc.read_frame(started + timeout, client)
        except TimedOut:
            raise self._timed_out(proc, timeout) from None
        except ClientGone:
            elapsed = time.monotonic() - started
            log.info("client closed the connection after %.2f s: query process %s stopped", elapsed, proc.pid)
            self._discard(proc)
            raise errors.RequestError(
                "The connection was closed before the answer; the query was stopped.", seconds=elapsed
            ) from None
        except (Died, OSError, ValueError):
            if not proc.started_last():
                raise _NotStarted() from None
            failure = self._died(proc)
            failure.seconds = time.monotonic() - started
            raise failure from None
        elapsed = time.monotonic() - started
        proc.queries += 1
        proc.drain_acks()
        if header.get("fatal"):
            self._replace(proc)
        else:
            self._release(proc)
        if header.get("ok"):
            return Answer(header["kind"], body, int(header.get("rows", 0)), elapsed)
        failure = refusal(header, self.settings)
        failure.seconds = elapsed
        raise failure

    def _timed_out(self, proc: QueryProcess, timeout: float) -> errors.NarcokgError:
        proc.kill()
        self._replace(proc)
        return errors.LimitExceeded(
            f"The query was stopped at the time limit of {timeout:g} s (query_timeout, NARCOKG_QUERY_TIMEOUT). "
            "Make it more selective (more specific patterns, a LIMIT, fewer cross products) and try again.",
            limit="query_timeout",
            seconds=timeout,
        )

    def _discard(self, proc: QueryProcess) -> None:
        proc.kill()
        self._replace(proc)

    def _died(self, proc: QueryProcess) -> errors.NarcokgError:
        try:
            status = proc.popen.wait(timeout=2)
        except subprocess.TimeoutExpired:
            proc.kill()
            status = None
        tail = proc.stderr_tail()
        self._replace(proc)
        failure = crash(status, tail, self.settings)
        log.warning(
            "query process %s died during a query (status %s): %s; replaced",
            proc.pid,
            status,
            " | ".join(tail.strip().splitlines()[-3:]) or "no message",
        )
        return failure

    # Introspection and shutdown ---------------------------------------------------------
    def pids(self) -> list[int]:
        with self._cond:
            return sorted(p.pid for p in self._all)

    def wait_ready(self, timeout: float) -> bool:
        """Wait until at least one process is idle (for warm-up); True when one is."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while not self._idle:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(remaining)
            return True

    def close(self) -> None:
        """Stop every query process (busy ones too) and the supervisor."""
        with self._cond:
            self._closed = True
            procs = list(self._all)
            self._all.clear()
            self._idle.clear()
            self._cond.notify_all()
        for proc in procs:
            proc.kill()
        for proc in procs:
            try:
                proc.popen.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
            proc.close()
        self._tasks.put(("stop", None))


_pools: dict[int, QueryPool] = {}
_pools_lock = threading.Lock()
_spec: querydata.DataSpec | None = None


def configure(spec: querydata.DataSpec) -> None:
    """Set the data every pool of this process tree opens (``narcokg serve`` does, before forking)."""
    global _spec
    _spec = spec


def get_pool(settings: Settings) -> QueryPool:
    """The pool of this process (created on first use; a forked child makes its own)."""
    pid = os.getpid()
    pool = _pools.get(pid)
    if pool is not None:
        return pool
    with _pools_lock:
        pool = _pools.get(pid)
        if pool is None:
            for other in list(_pools):  # inherited from a parent across fork: not ours
                del _pools[other]
            pool = QueryPool(settings, spec=_spec)
            _pools[pid] = pool
        return pool


def close_pool() -> None:
    pool = _pools.pop(os.getpid(), None)
    if pool is not None:
        pool.close()
