"""The triple stores a researcher would run instead of narcokg, on the same N-Quads dump.

* **Oxigraph server** (``oxigraph`` on PyPI, the Rust server of the engine narcokg embeds,
  same version as pyoxigraph): ``oxigraph load`` into a store folder, then
  ``oxigraph serve-read-only --union-default-graph`` (narcokg's default graph is the union of
  the named graphs too). Installed into ``benchmarks/.venv-peers``.
* **Virtuoso** (Debian ``virtuoso-opensource``): its own database folder and ``virtuoso.ini``
  (loopback ports, the dump's folder allowed), loaded with the bulk loader through ``isql``
  (``ld_dir``, ``rdf_loader_run``, ``checkpoint``), served at ``/sparql``. Its default graph
  includes its system graphs, so every request names the dump's graphs as
  ``default-graph-uri``; requests are GETs (POST ``application/sparql-query`` hangs it).

Stores are cached under ``benchmarks/out/stores/`` keyed by the dump's path, size and mtime, so
a second run only starts the server. Every server runs in its own process group
(``procs.launch``) and is stopped by ``Server.stop``.
"""
from __future__ import annotations

import hashlib
import shutil
import subprocess
import time
from pathlib import Path
from urllib.parse import quote

import peers
import procs

HERE = Path(__file__).resolve().parent
STORES = HERE / "out" / "stores"


def _key(dump: Path) -> str:
    st = dump.stat()
    return hashlib.sha256(f"{dump.resolve()}|{st.st_size}|{st.st_mtime_ns}".encode()).hexdigest()[:16]


def dump_graphs(dump: Path) -> list[str]:
    """The named graphs of an N-Quads dump (read with pyoxigraph, not a regex)."""
    import pyoxigraph as ox

    graphs = set()
    for q in ox.parse(path=str(dump), format=ox.RdfFormat.N_QUADS):
        if isinstance(q.graph_name, ox.NamedNode):
            graphs.add(q.graph_name.value)
    return sorted(graphs)


# Oxigraph server ------------------------------------------------------------------------


def oxigraph_store(dump: Path, say=print) -> Path:
    """``oxigraph load`` of ``dump`` into a cached store folder (done once per dump)."""
    peers.ensure_peers(["oxigraph"], say)
    store = STORES / f"oxigraph-{_key(dump)}"
    done = store / ".loaded"
    if done.exists():
        return store
    shutil.rmtree(store, ignore_errors=True)
    store.mkdir(parents=True)
    t0 = time.perf_counter()
    subprocess.run([str(peers.peer_bin("oxigraph")), "load", "--location", str(store), "--file", str(dump),
                    "--format", "application/n-quads"], check=True, capture_output=True)
    done.write_text(f"{time.perf_counter() - t0:.2f}\n")
    say(f"  oxigraph load: {time.perf_counter() - t0:.1f} s")
    return store


def start_oxigraph(name: str, dump: Path, port: int, say=print) -> procs.Server:
    store = oxigraph_store(dump, say)
    argv = [str(peers.peer_bin("oxigraph")), "serve-read-only", "--location", str(store),
            "--bind", f"{procs.HOST}:{port}", "--union-default-graph"]
    srv = procs.launch(name, argv, port=port)
    srv.path = "/query"
    return srv


def oxigraph_version() -> str:
    try:
        out = subprocess.run([str(peers.peer_bin("oxigraph")), "--version"], capture_output=True, text=True)
        return out.stdout.strip() or "unknown"
    except OSError:
        return "not installed"


# Virtuoso -------------------------------------------------------------------------------

VIRTUOSO = "virtuoso-t"
ISQL = "isql-vt"

_INI = """[Database]
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
ServerPort = {host}:{sql_port}
DisableUnixSocket = 1
MaxClientConnections = 16
CheckpointInterval = 60
CaseMode = 2
DirsAllowed = ., {dump_dir}
ThreadCleanupInterval = 0
ThreadThreshold = 10
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty}
MaxQueryMem = 1G
ThreadsPerQuery = 2
AsyncQueueMaxThreads = 10

[HTTPServer]
ServerPort = {host}:{http_port}
ServerRoot = {db}
MaxClientConnections = 16
ServerThreads = 16
MaxKeepAlives = 16
KeepAliveTimeout = 10
EnabledDavVSP = 0
HTTPProxyEnabled = 0
Charset = UTF-8
EnabledGzipContent = 0

[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryCostEstimationTime = 400
MaxQueryExecutionTime = 60
"""


def virtuoso_available() -> bool:
    return shutil.which(VIRTUOSO) is not None and shutil.which(ISQL) is not None


def ensure_virtuoso(say=print) -> bool:
    """Install Debian's virtuoso-opensource when missing (needs root); False if it cannot."""
    if virtuoso_available():
        return True
    say("installing virtuoso-opensource (apt-get) …")
    try:
        subprocess.run(["apt-get", "install", "-y", "virtuoso-opensource"], check=True, capture_output=True,
                       timeout=900)
    except (OSError, subprocess.SubprocessError) as exc:
        say(f"  could not install Virtuoso: {exc}")
    return virtuoso_available()


def _isql(sql_port: int, sql: str, timeout: float = 600) -> str:
    out = subprocess.run([ISQL, f"{procs.HOST}:{sql_port}", "dba", "dba", f"exec={sql}"], capture_output=True,
                         text=True, timeout=timeout)
    if out.returncode:
        raise RuntimeError(f"isql failed ({out.returncode}): {out.stdout[-800:]} {out.stderr[-800:]}")
    return out.stdout


def _wait_isql(srv: procs.Server, sql_port: int, timeout: float = 120) -> None:
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if srv.proc.poll() is not None:
            raise RuntimeError(f"virtuoso exited ({srv.proc.returncode}): {srv.log_text()[-2000:]}")
        try:
            _isql(sql_port, "select 1;", timeout=10)
            return
        except (RuntimeError, subprocess.SubprocessError):
            time.sleep(0.2)
    raise RuntimeError("virtuoso did not open its SQL port")


def start_virtuoso(name: str, dump: Path, port: int, say=print) -> procs.Server:
    """Virtuoso on its own cached database holding ``dump`` (bulk-loaded on first use)."""
    db = STORES / f"virtuoso-{_key(dump)}"
    loaded = db / ".loaded"
    if not loaded.exists():
        shutil.rmtree(db, ignore_errors=True)
    db.mkdir(parents=True, exist_ok=True)
    sql_port = procs.free_port()
    mb = dump.stat().st_size / 1e6
    buffers = int(min(200_000, max(20_000, mb * 2_000)))  # 8 KiB pages: ~16 MiB per MB of dump, 1.6 GiB at most
    (db / "virtuoso.ini").write_text(_INI.format(db=db, host=procs.HOST, sql_port=sql_port, http_port=port,
                                                 dump_dir=dump.resolve().parent, buffers=buffers,
                                                 dirty=buffers * 3 // 4))
    srv = procs.launch(name, [VIRTUOSO, "+foreground", "+configfile", str(db / "virtuoso.ini")], port=port, cwd=db)
    try:
        _wait_isql(srv, sql_port)
        if not loaded.exists():
            t0 = time.perf_counter()
            _isql(sql_port, f"ld_dir('{dump.resolve().parent}', '{dump.name}', 'urn:narcokg:bench:default'); "
                            "rdf_loader_run(); checkpoint;")
            errors = _isql(sql_port, "select ll_file, ll_error from DB.DBA.LOAD_LIST where ll_error is not null;")
            if "0 Rows" not in errors:
                raise RuntimeError(f"virtuoso bulk load reported errors: {errors[-1500:]}")
            loaded.write_text(f"{time.perf_counter() - t0:.2f}\n")
            say(f"  virtuoso load: {time.perf_counter() - t0:.1f} s")
    except BaseException:
        srv.stop()
        raise
    srv.path = "/sparql"
    srv.params = "".join(f"default-graph-uri={quote(g, safe='')}&" for g in dump_graphs(dump))
    return srv


def virtuoso_version() -> str:
    try:
        out = subprocess.run([VIRTUOSO, "-?"], capture_output=True, text=True, timeout=10)
        for line in (out.stdout + out.stderr).splitlines():
            if "Version" in line:
                return line.strip()
    except (OSError, subprocess.SubprocessError):
        pass
    return "not installed"
