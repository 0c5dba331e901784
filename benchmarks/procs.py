"""Start, probe, measure and stop the servers under test (loopback only).

Every server runs in its own session (``start_new_session``), so stopping it can signal the
process group this module created, by its id, and nothing else. Memory is read from
``/proc/<pid>/status`` (VmRSS) and ``/proc/<pid>/smaps_rollup`` (Pss: shared pages divided
among the processes sharing them, which is what forked workers really cost).
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
HOST = "127.0.0.1"


def exit_on_sigterm() -> None:
    """SIGTERM raises SystemExit, so a benchmark stopped by ``kill`` still stops its servers
    (their ``finally`` blocks run)."""
    signal.signal(signal.SIGTERM, lambda signum, _frame: sys.exit(128 + signum))


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


@dataclass
class Server:
    name: str
    proc: subprocess.Popen
    port: int
    log: Path
    started: float
    path: str = "/sparql"
    #: Parameters every request carries before ``query=`` (e.g. Virtuoso's default-graph-uri list).
    params: str = ""
    #: Seconds from launch to the first answered query (set by ``wait_answer``).
    ready_seconds: float | None = None
    notes: list[str] = field(default_factory=list)
    #: The NARCOKG_* settings it was started with beyond this process's environment.
    env: dict = field(default_factory=dict)

    def get(self, query: str, accept: str, timeout: float = 60.0) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection(HOST, self.port, timeout=timeout)
        try:
            conn.request("GET", self.target(query), headers={"Accept": accept})
            resp = conn.getresponse()
            return resp.status, resp.read()
        finally:
            conn.close()

    def target(self, query: str) -> str:
        """The GET request target for ``query``: the query text comes last, URL-encoded."""
        return f"{self.path}?{self.params}query={quote(query, safe='')}"

    def log_text(self) -> str:
        try:
            return self.log.read_text(errors="replace")
        except OSError:
            return ""

    def stop(self, timeout: float = 30.0) -> None:
        """SIGTERM to the launched process (gunicorn/uvicorn stop their own workers), then
        SIGKILL to its process group for anything left after ``timeout`` s."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                pass
        try:  # stragglers of this server's own process group, by its id
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        if self.proc.poll() is None:
            self.proc.wait(timeout=10)


def launch(
    name: str,
    argv: list[str],
    env_extra: dict | None = None,
    log_dir: Path | None = None,
    port: int | None = None,
    cwd: Path = ROOT,
) -> Server:
    log_dir = log_dir or (HERE / "out" / "logs")
    log_dir.mkdir(parents=True, exist_ok=True)
    log = log_dir / f"{name}.log"
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    env.update(env_extra or {})
    started = time.perf_counter()
    proc = subprocess.Popen(
        argv, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT, cwd=cwd, start_new_session=True
    )
    return Server(name, proc, port or 0, log, started)


#: The one setting the benchmark changes: the load driver is a single client sending queries
#: back to back, so narcokg's fair-use budget (120 s of query time per minute per client)
#: would answer it 429 within a minute. The budget is raised, not disabled, so its
#: accounting still runs on every request and its cost is measured.
BENCH_ENV = {"NARCOKG_CLIENT_BUDGET_SECONDS": "1000000000"}


def start_narcokg(
    name: str,
    port: int,
    dump: Path | None = None,
    dist: Path | None = None,
    build: bool = False,
    env_extra: dict | None = None,
) -> Server:
    """``narcokg serve`` as a user runs it: gunicorn, query processes, defaults but ``BENCH_ENV``."""
    argv = [sys.executable, "-m", "narcokg.cli", "serve", "--host", HOST, "--port", str(port)]
    if not build:
        argv.append("--no-build")
    if dump is not None:
        argv += ["--dump", str(dump)]
    env = dict(BENCH_ENV, **(env_extra or {}))
    if dist is not None:
        env["NARCOKG_DIST"] = str(dist)
    server = launch(name, argv, env, port=port)
    server.env = env
    return server


def wait_answer(server: Server, query: str, accept: str, timeout: float = 300.0, poll: float = 0.01) -> float:
    """Poll until ``query`` gets a 200; the seconds since launch (stored on the server)."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if server.proc.poll() is not None:
            raise RuntimeError(
                f"{server.name} exited with status {server.proc.returncode}:\n{server.log_text()[-3000:]}"
            )
        try:
            status, _ = server.get(query, accept, timeout=max(1.0, deadline - time.perf_counter()))
            if status == 200:
                server.ready_seconds = time.perf_counter() - server.started
                return server.ready_seconds
        except (OSError, http.client.HTTPException):
            pass
        time.sleep(poll)
    server.stop()
    raise RuntimeError(f"{server.name} answered no query within {timeout:g} s:\n{server.log_text()[-3000:]}")


def wait_settled(server: Server, timeout: float = 300.0) -> int:
    """Wait until every query process of a narcokg server has loaded its data (as its log says).

    The first answer only needs one query process; measuring while the others still load would
    charge their start-up to the first figures. Returns how many were seen ready.
    """
    import re

    from narcokg.config import load_settings

    settings = load_settings()  # the server inherits this process's environment, plus its own
    workers = int(server.env.get("NARCOKG_WEB_WORKERS", settings.web_workers))
    per_worker = int(server.env.get("NARCOKG_QUERY_WORKERS", settings.query_workers))
    expected = max(1, workers) * max(1, per_worker)
    pattern = re.compile(r"query process \d+ ready")
    deadline = time.perf_counter() + timeout
    seen = 0
    while time.perf_counter() < deadline:
        seen = len(pattern.findall(server.log_text()))
        if seen >= expected:
            break
        time.sleep(0.1)
    time.sleep(0.3)
    return seen


# Memory ---------------------------------------------------------------------------------


def children_map() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read().decode(errors="replace")
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        kids.setdefault(ppid, []).append(int(entry))
    return kids


def tree(root: int) -> list[int]:
    kids = children_map()
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(kids.get(pid, []))
    return out


def status_kb(pid: int, key: str) -> int | None:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def _pss_kb(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def memory(server: Server) -> dict[str, list[tuple[int, int, int]]]:
    """(pid, VmRSS KiB, Pss KiB) of each process of the server, by role.

    Roles: ``master`` (the launched process), ``web`` (HTTP worker processes), ``query``
    (narcokg's query processes, whatever their parent) and ``oxigraph`` (an Oxigraph server in
    the tree); see ``role``.
    """
    short = {"master": "master", "query process": "query", "Oxigraph server": "oxigraph"}
    roles: dict[str, list[tuple[int, int, int]]] = {"master": [], "web": [], "query": []}
    for pid in tree(server.proc.pid):
        rss = status_kb(pid, "VmRSS")
        if rss is None:
            continue
        roles.setdefault(short.get(role(server, pid), "web"), []).append((pid, rss, _pss_kb(pid) or 0))
    return roles


def machine() -> dict[str, str]:
    """What the figures were measured on."""
    model = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = _meminfo_gib()
    return {
        "nproc": str(os.cpu_count()),
        "cpu": model,
        "memory": mem,
        "python": sys.version.split()[0],
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def _meminfo_gib() -> str:
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def role(server: Server, pid: int) -> str:
    """What a process of a server's tree is: master, web worker, query process, Oxigraph server."""
    cmd = cmdline(pid)
    if "oxigraph" in cmd.split(" ", 1)[0] or " serve-read-only" in cmd:
        return "Oxigraph server"
    if pid == server.proc.pid:
        return "master"
    if "narcokg.engine.worker" in cmd or "queryworker" in cmd:  # the latter: older revisions
        return "query process"
    return "web worker" if "narcokg" in cmd else "other"
