"""Virtuoso (Debian ``virtuoso-opensource``) for the remote-engine tests: a throwaway instance in a
temporary folder, on loopback ports, loaded with the session's build by the bulk loader."""
from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import requests

INI = """[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
Striping = 0
[Parameters]
ServerPort = 127.0.0.1:{sql}
DisableUnixSocket = 1
MaxClientConnections = 10
CheckpointInterval = 60
CaseMode = 2
DirsAllowed = ., {d}/data
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
ThreadsPerQuery = 2
[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerRoot = {d}
MaxClientConnections = 10
ServerThreads = 10
MaxKeepAlives = 10
KeepAliveTimeout = 10
Charset = UTF-8
EnabledGzipContent = 0
[SPARQL]
ResultSetMaxRows = 10000
MaxQueryExecutionTime = 60
MaxQueryCostEstimationTime = 400
"""


def available() -> str | None:
    """None when Virtuoso can run here, else why not."""
    missing = [p for p in ("virtuoso-t", "isql-vt") if shutil.which(p) is None]
    return f"Virtuoso is not installed ({', '.join(missing)} missing; apt-get install virtuoso-opensource)" if missing else None


class Virtuoso:
    def __init__(self, folder: Path, sql_port: int, http_port: int):
        self.folder, self.sql_port, self.http_port = folder, sql_port, http_port
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/sparql"

    def start(self, nquads: Path) -> "Virtuoso":
        data = self.folder / "data"
        data.mkdir(parents=True, exist_ok=True)
        shutil.copy(nquads, data / "narcokg.nq")
        ini = self.folder / "virtuoso.ini"
        ini.write_text(INI.format(d=self.folder, sql=self.sql_port, http=self.http_port))
        self.proc = subprocess.Popen(["virtuoso-t", "+foreground", "+configfile", str(ini)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=self.folder)
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("virtuoso-t exited: " + (self.folder / "virtuoso.log").read_text(errors="replace")[-2000:])
            try:
                if requests.get(self.url, params={"query": "ASK {}"}, timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.3)
        else:
            self.stop()
            raise RuntimeError("virtuoso did not start")
        script = (f"ld_dir('{data}', 'narcokg.nq', 'http://example.org/unused'); rdf_loader_run(); checkpoint; "
                  "SELECT COUNT(*) FROM DB.DBA.load_list WHERE ll_state <> 2 OR ll_error IS NOT NULL;")
        out = subprocess.run(["isql-vt", str(self.sql_port), "dba", "dba", f"exec={script}"],
                             capture_output=True, text=True, timeout=300)
        if out.returncode != 0:
            self.stop()
            raise RuntimeError("the Virtuoso bulk load failed: " + out.stdout[-1000:] + out.stderr[-1000:])
        return self

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
