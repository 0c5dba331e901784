"""A private Virtuoso (Debian ``virtuoso-opensource``) in a folder of its own, on loopback ports:
for trying narcokg on Virtuoso, and for the tests and benchmarks that need a real one.

It writes its own ``virtuoso.ini`` (loopback only, the folders the bulk loader may read listed in
``DirsAllowed``), starts ``virtuoso-t`` in the foreground in its own process group and waits until
its SQL port answers. Loading is ``virtuoso_load``'s job. A production Virtuoso is configured
by its operator; nothing here is needed to serve from one.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

from narcokg.engine import virtuoso_load

SERVER = "virtuoso-t"

INI = """[Database]
DatabaseFile = {db}/virtuoso.db
ErrorLogFile = {db}/virtuoso.log
LockFile = {db}/virtuoso.lck
TransactionFile = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {db}/virtuoso-temp.db
TransactionFile = {db}/virtuoso-temp.trx
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
MaxClientConnections = {clients}
CheckpointInterval = 60
CaseMode = 2
DirsAllowed = {dirs}
ThreadCleanupInterval = 0
ThreadThreshold = 10
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty}
MaxQueryMem = 1G
ThreadsPerQuery = 2
AsyncQueueMaxThreads = 10

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {db}
MaxClientConnections = {clients}
ServerThreads = {clients}
MaxKeepAlives = {clients}
KeepAliveTimeout = 10
EnabledDavVSP = 0
HTTPProxyEnabled = 0
Charset = UTF-8
EnabledGzipContent = 0

[SPARQL]
ResultSetMaxRows = {max_rows}
MaxQueryCostEstimationTime = 400
MaxQueryExecutionTime = {max_seconds}
"""


def unavailable() -> str | None:
    """None when Virtuoso can run here, else why not (in words a person can act on)."""
    missing = [p for p in (SERVER, "isql-vt") if shutil.which(p) is None]
    if missing:
        return f"Virtuoso is not installed ({', '.join(missing)} missing; apt-get install virtuoso-opensource)"
    return None


def buffers_for(dump_bytes: int) -> int:
    """8 KiB pages: ~16 MiB per MB of dump, between 160 MiB and 1.6 GiB."""
    return int(min(200_000, max(20_000, dump_bytes / 1e6 * 2_000)))


class LocalVirtuoso:
    """``virtuoso-t`` on ``folder`` (database files and ini), SQL and HTTP on loopback ports;
    the bulk loader may read ``readable`` folders."""

    def __init__(
        self,
        folder: Path,
        sql_port: int,
        http_port: int,
        readable: list[Path] = (),
        buffers: int = 20_000,
        max_rows: int = 10_000,
        clients: int = 16,
        max_seconds: int = 60,
    ):
        self.folder, self.sql_port, self.http_port = Path(folder), sql_port, http_port
        self.readable = [Path(p).resolve() for p in readable]
        self.buffers, self.max_rows, self.clients, self.max_seconds = buffers, max_rows, clients, max_seconds
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/sparql"

    @property
    def connection(self) -> virtuoso_load.Connection:
        return virtuoso_load.Connection(port=self.sql_port)

    def write_ini(self) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        ini = self.folder / "virtuoso.ini"
        dirs = ", ".join([".", *(str(p) for p in self.readable)])
        ini.write_text(
            INI.format(
                db=self.folder.resolve(),
                sql_port=self.sql_port,
                http_port=self.http_port,
                dirs=dirs,
                buffers=self.buffers,
                dirty=self.buffers * 3 // 4,
                max_rows=self.max_rows,
                clients=self.clients,
                max_seconds=self.max_seconds,
            )
        )
        return ini

    def start(self, timeout: float = 120) -> "LocalVirtuoso":
        ini = self.write_ini()
        log = (self.folder / "stdout.log").open("wb")
        self.proc = subprocess.Popen(
            [SERVER, "+foreground", "+configfile", str(ini)],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=self.folder,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"virtuoso-t exited ({self.proc.returncode}): " + self.log_tail())
            try:
                virtuoso_load.run_sql(self.connection, "SELECT 1;", timeout=10)
                return self
            except virtuoso_load.VirtuosoLoadError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError("virtuoso-t did not open its SQL port: " + self.log_tail())

    def log_tail(self, n: int = 2000) -> str:
        try:
            return (self.folder / "virtuoso.log").read_text(errors="replace")[-n:]
        except OSError:
            return ""

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
