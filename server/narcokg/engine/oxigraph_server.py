"""Oxigraph server as narcokg's engine: loading a snapshot into an on-disk store, and running
``oxigraph serve-read-only`` on it under supervision (narcokg asks for the union default graph
per query: see ``engine.remote``).

The ``oxigraph`` program comes from the PyPI wheel of the same name, pinned to pyoxigraph's
version (one storage format for both). The supervisor restarts a server that dies (with a
growing pause if it keeps dying) and kills it on shutdown; it binds loopback only.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import logging
import mmap
import os
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Callable

import pyoxigraph as ox

from narcokg import sandbox
from narcokg.engine.sparqlhttp import PROBE_TIMEOUT

log = logging.getLogger("narcokg.engine.oxigraph")

#: What a loaded store remembers of its snapshot (idempotent loads compare it).
STAMP = "narcokg-snapshot.json"
#: Seconds a started server may take to answer its first query.
READY_TIMEOUT = 30.0


def program() -> str:
    """The ``oxigraph`` program: beside this Python (a venv's bin/) or on PATH."""
    beside = Path(sys.executable).parent / "oxigraph"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which("oxigraph")
    if not found:
        raise FileNotFoundError("the oxigraph program is not installed: pip install oxigraph==" + ox.__version__)
    return found


def _stamp(nquads: Path) -> dict:
    """What identifies a snapshot's load: its content's digest, size and the Oxigraph version."""
    st = nquads.stat()
    digest = hashlib.sha256()
    with open(nquads, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return {"sha256": digest.hexdigest(), "bytes": st.st_size, "oxigraph": ox.__version__}


def _recorded(location: Path) -> dict:
    try:
        recorded = json.loads((Path(location) / STAMP).read_text())
    except (OSError, ValueError):
        return {}
    return recorded if isinstance(recorded, dict) else {}


def is_loaded(nquads: Path, location: Path) -> bool:
    """``location`` holds a complete load of exactly this snapshot.

    The file's size and modification time, as recorded at the load, answer without reading it
    (hashing a 1M-quad dump took 0.7 s of every start); when either differs, the digest decides.
    """
    nquads = Path(nquads)
    recorded = _recorded(location)
    if not recorded:
        return False
    try:
        st = nquads.stat()
    except OSError:
        return False
    if (
        recorded.get("bytes") == st.st_size
        and recorded.get("mtime_ns") == st.st_mtime_ns
        and recorded.get("oxigraph") == ox.__version__
        and "sha256" in recorded
    ):
        return True
    return {k: recorded.get(k) for k in ("sha256", "bytes", "oxigraph")} == _stamp(nquads)


def quads(location: Path) -> int | None:
    """The number of quads the load counted in the store at ``location`` (None if unknown)."""
    n = _recorded(location).get("quads")
    return n if isinstance(n, int) else None


def load(nquads: Path, location: Path, progress: Callable[[str], None] = lambda _m: None) -> bool:
    """Load ``nquads`` into a fresh store at ``location`` (replacing an older load); False when
    it already held this snapshot. The store is built beside and swapped in when complete."""
    nquads, location = Path(nquads), Path(location)
    if is_loaded(nquads, location):
        progress(f"{location.name} already holds this snapshot; nothing to do")
        return False
    stamp = _stamp(nquads)
    location.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{location.name}-loading-", dir=location.parent))
    try:
        progress(f"loading {nquads.name} ({stamp['bytes']:,} bytes) with oxigraph {ox.__version__}")
        started = time.monotonic()
        proc = subprocess.Popen(
            [program(), "load", "--location", str(tmp), "--file", str(nquads)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for line in proc.stdout:
            line = line.strip()
            if line and not line.startswith(("Some files", "If you plan")):
                progress(line)
        if proc.wait() != 0:
            raise RuntimeError(f"oxigraph load failed with status {proc.returncode}")
        progress("optimizing the store")
        subprocess.run(
            [program(), "optimize", "--location", str(tmp)],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        # Counted once here (counting through the server took 1–2 s of every start at 1M quads),
        # in a child process: the store's caches would otherwise stay in the serving process.
        count = subprocess.run(
            [
                sys.executable,
                "-c",
                "import sys, pyoxigraph; print(len(pyoxigraph.Store.read_only(sys.argv[1])))",
                str(tmp),
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        stamp.update(mtime_ns=nquads.stat().st_mtime_ns, quads=int(count.stdout))
        (tmp / STAMP).write_text(json.dumps(stamp))
        if location.exists():
            shutil.rmtree(location)
        tmp.rename(location)
        progress(f"loaded in {time.monotonic() - started:.1f} s into {location.name}")
        return True
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _die_with_parent() -> None:
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG (Linux)
    except (OSError, AttributeError):
        pass


#: The supervisor's record shared with the forked HTTP workers: deaths not caused by narcokg,
#: and the monotonic time until which client queries are kept off the server.
_CRASHES = struct.Struct("=Qd")

#: Seconds per second its threads are runnable (one core's worth of demand: computing, or
#: waiting for a core on a busy machine) after a query narcokg stopped, from which the server is
#: taken to be still computing it.
RUNAWAY_CPU = 0.9


class OxigraphServer:
    """``oxigraph serve-read-only`` on ``location``, restarted when it dies, killed by ``stop``.

    ``timeout_s`` is passed as ``--timeout-s``, which only cuts the answer: Oxigraph server
    cannot stop a query it is evaluating (``benchmarks/runaway.py``: a cross-product COUNT whose
    client gave up at 2 s had used 11.8 s of CPU 15 s later). So every process that stops a query
    (``abandoned``: the time limit, a client that hung up) writes one byte on a pipe made here
    before the HTTP workers fork; the supervising thread then measures the server's demand for CPU for a
    second, and if a core is still busy it kills the server, which it restarts at once (requests
    in flight then get 503 with Retry-After). A server that uses no CPU and does not answer a
    trivial query either (stopped, hung) is killed and restarted the same way; the web workers
    report it the same way (``engine.remote`` tells such a stop from a costly query).

    A server that dies of anything else died of a query (Oxigraph server 0.5.13 aborts on some
    ``ORDER BY`` over values of mixed kinds): the death is counted in memory shared with the HTTP
    workers (``crashes``), and for ``quarantine`` seconds (``quarantined``) client queries
    are kept off the restarted server, so that the same query sent again cannot take it down for
    every client a second time.
    """

    def __init__(
        self, location: Path, port: int | None = None, timeout_s: float | None = None, quarantine: float = 60.0
    ):
        self.location = Path(location)
        #: Seconds client queries are kept off the server after it died of one (see the docstring).
        self.quarantine = quarantine
        self.port = port or free_port()
        self.timeout_s = timeout_s
        self.proc: subprocess.Popen | None = None
        self.restarts = 0
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        #: The process that supervises (a forked HTTP worker inherits this object, not the duty).
        self._owner = os.getpid()
        #: Queries stopped by narcokg, one byte each (``abandoned``), read by the supervisor.
        self._stopped_r, self._stopped_w = os.pipe()
        os.set_blocking(self._stopped_r, False)
        os.set_blocking(self._stopped_w, False)
        self.runaways = 0  # servers killed for computing a stopped query
        self.stalls = 0  # servers killed for answering nothing after narcokg stopped a query
        self._killed = False  # the supervisor killed the server it runs now (not a crash)
        #: Shared with the forked HTTP workers (an anonymous mapping is MAP_SHARED): see ``crashes``.
        self._shared = mmap.mmap(-1, _CRASHES.size)
        _CRASHES.pack_into(self._shared, 0, 0, 0.0)

    def crashes(self) -> int:
        """How many times the server died of something narcokg did not do (any process)."""
        return _CRASHES.unpack_from(self._shared, 0)[0]

    def quarantined(self) -> bool:
        """Whether a crash was recent enough to keep client queries off the server (any process)."""
        return time.monotonic() < _CRASHES.unpack_from(self._shared, 0)[1]

    def _crashed(self) -> None:
        count, _until = _CRASHES.unpack_from(self._shared, 0)
        _CRASHES.pack_into(self._shared, 0, count + 1, time.monotonic() + self.quarantine)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/query"

    def _argv(self) -> list[str]:
        argv = [
            program(),
            "serve-read-only",
            "--location",
            str(self.location),
            "--bind",
            f"127.0.0.1:{self.port}",
        ]
        if self.timeout_s:
            argv += ["--timeout-s", str(max(1, int(self.timeout_s + 0.999)))]
        return argv

    def _spawn(self) -> None:
        # Its own session (a Ctrl-C meant for the HTTP server's graceful shutdown must not stop
        # the engine under in-flight requests), but it dies with the process that started it.
        # Oxigraph server calls a SERVICE itself: narcokg refuses SERVICE before forwarding (a
        # first line, its own reading of the text), and the kernel refuses the server any
        # outbound connection (``sandbox.outbound_closer``), whatever it was asked.
        close_outbound = sandbox.outbound_closer()

        def prepare() -> None:
            _die_with_parent()
            close_outbound()

        self.proc = subprocess.Popen(
            self._argv(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            preexec_fn=prepare,
        )
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                if self.proc.returncode == sandbox.OUTBOUND_FAILED:
                    raise RuntimeError(
                        "oxigraph serve-read-only was not started: the kernel refused the seccomp filter that closes "
                        "its outbound network (a kernel without seccomp, or a container that forbids it)"
                    )
                raise RuntimeError(f"oxigraph serve-read-only exited with status {self.proc.returncode}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.05)
        self.proc.kill()
        raise RuntimeError("oxigraph serve-read-only did not start listening")

    def start(self) -> "OxigraphServer":
        if not (self.location / STAMP).exists() and not any(self.location.glob("*")):
            raise FileNotFoundError(
                f"no Oxigraph store at {self.location.name}: run `narcokg load --engine oxigraph` first"
            )
        self._spawn()
        self._thread = threading.Thread(target=self._supervise, name="narcokg-oxigraph", daemon=True)
        self._thread.start()
        return self

    def abandoned(self) -> None:
        """narcokg stopped a query this server runs (from any process of the server's tree)."""
        try:
            os.write(self._stopped_w, b".")
        except OSError:  # the pipe is full: the supervisor has enough to act on
            pass

    def _stopped_queries(self, wait: float) -> bool:
        """Whether a query was stopped (``abandoned``), waiting at most ``wait`` seconds."""
        ready, _, _ = select.select([self._stopped_r], [], [], wait)
        if not ready:
            return False
        try:
            while os.read(self._stopped_r, 4096):
                pass
        except BlockingIOError:
            pass
        return True

    def _demand(self, proc: subprocess.Popen) -> dict[str, int] | None:
        """Nanoseconds each of the server's threads has been runnable (on a core or waiting for
        one: ``/proc/PID/task/TID/schedstat``), so that a busy machine, which gives the server
        less CPU, does not hide a thread that never stops computing; None if unreadable."""
        demand = {}
        try:
            tids = os.listdir(f"/proc/{proc.pid}/task")
        except OSError:
            return None
        for tid in tids:
            try:
                ran, waited, _ = Path(f"/proc/{proc.pid}/task/{tid}/schedstat").read_text().split()
            except (OSError, ValueError):
                continue
            demand[tid] = int(ran) + int(waited)
        return demand or None

    def _kill_if_still_computing(self, proc: subprocess.Popen) -> None:
        before, started = self._demand(proc), time.monotonic()
        if before is None or self._stopping.wait(1.0):
            return
        after = self._demand(proc)
        if after is None:
            return
        # Cores' worth of demand over the second, from the threads seen at both ends.
        rate = sum(after[t] - before[t] for t in after.keys() & before.keys()) / 1e9 / (time.monotonic() - started)
        if rate >= RUNAWAY_CPU and proc.poll() is None:
            log.warning(
                "oxigraph server still computes after narcokg stopped a query (%.1f cores' worth of demand); "
                "restarting it",
                rate,
            )
            self.runaways += 1
            self._killed = True
            proc.kill()
            proc.wait()
        elif proc.poll() is None and not self._answers():
            # Idle yet silent: stopped (SIGSTOP), hung, or paging; a restart is what brings it back.
            log.warning("oxigraph server does not answer a trivial query and uses no CPU; restarting it")
            self.stalls += 1
            self._killed = True
            proc.kill()
            proc.wait()

    def _answers(self) -> bool:
        """Whether the server answers ``ASK {}`` within ``PROBE_TIMEOUT`` seconds."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=PROBE_TIMEOUT)
        try:
            conn.request(
                "POST",
                "/query",
                body=b"query=ASK%20%7B%7D",
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            )
            response = conn.getresponse()
            response.read()
            return response.status == 200
        except (OSError, http.client.HTTPException):
            return False
        finally:
            conn.close()

    def _supervise(self) -> None:
        pause = 0.2
        while not self._stopping.is_set():
            proc = self.proc
            if proc is not None and proc.poll() is None:
                if self._stopped_queries(0.2) and not self._stopping.is_set():
                    self._kill_if_still_computing(proc)
                continue
            if self._stopping.is_set():
                return
            if self._killed:
                log.warning("oxigraph server stopped by narcokg; restarting it")
            else:
                log.warning(
                    "oxigraph server exited (status %s); restarting it, with client queries kept off it for %g s",
                    proc.returncode if proc else None,
                    self.quarantine,
                )
                self._crashed()  # before the restart: a web worker that sees it answer again sees this
            self._killed = False
            try:
                self._spawn()
                self.restarts += 1
                pause = 0.2
            except (OSError, RuntimeError) as exc:
                log.error("oxigraph server failed to restart (%s); retrying in %.1f s", exc, pause)
                self._stopping.wait(pause)
                pause = min(10.0, pause * 2)

    def stop(self) -> None:
        if os.getpid() != self._owner:
            return
        self._stopping.set()
        proc = self.proc
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._thread is None or not self._thread.is_alive():  # never closed twice, nor while read
            for fd in (self._stopped_r, self._stopped_w):
                if fd >= 0:
                    os.close(fd)
            self._stopped_r = self._stopped_w = -1
