"""The triple stores a researcher would run instead of narcokg, on the same N-Quads dump.

* **Oxigraph server** (``oxigraph`` on PyPI, the Rust server of the engine narcokg embeds,
  same version as pyoxigraph): ``oxigraph load`` into a store folder, then
  ``oxigraph serve-read-only --union-default-graph`` (narcokg's default graph is the union of
  the named graphs too). Installed into ``benchmarks/.venv-peers``.
* **Virtuoso** (Debian ``virtuoso-opensource``): its own database folder and ``virtuoso.ini``
  (``narcokg.engine.virtuoso_local``: loopback ports, the dump's folder allowed), loaded by
  narcokg's bulk loader through ``isql`` (``narcokg.engine.virtuoso_load``), served at
  ``/sparql``. Its default graph includes its system graphs, so every request names the dump's
  graphs as ``default-graph-uri``; requests are GETs (POST ``application/sparql-query`` hangs it).

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

from narcokg.engine import virtuoso_load, virtuoso_local

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
    subprocess.run(
        [
            str(peers.peer_bin("oxigraph")),
            "load",
            "--location",
            str(store),
            "--file",
            str(dump),
            "--format",
            "application/n-quads",
        ],
        check=True,
        capture_output=True,
    )
    done.write_text(f"{time.perf_counter() - t0:.2f}\n")
    say(f"  oxigraph load: {time.perf_counter() - t0:.1f} s")
    return store


def start_oxigraph(name: str, dump: Path, port: int, say=print) -> procs.Server:
    store = oxigraph_store(dump, say)
    argv = [
        str(peers.peer_bin("oxigraph")),
        "serve-read-only",
        "--location",
        str(store),
        "--bind",
        f"{procs.HOST}:{port}",
        "--union-default-graph",
    ]
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
#: The snapshot's graphs (real and synthetic dumps share the base), the ones a load replaces.
NAMESPACE = "https://w3id.org/narcokg/graph/"


def virtuoso_available() -> bool:
    return virtuoso_local.unavailable() is None


def ensure_virtuoso(say=print) -> bool:
    """Install Debian's virtuoso-opensource when missing (needs root); False if it cannot."""
    if virtuoso_available():
        return True
    say("installing virtuoso-opensource (apt-get) …")
    try:
        subprocess.run(
            ["apt-get", "install", "-y", "virtuoso-opensource"], check=True, capture_output=True, timeout=900
        )
    except (OSError, subprocess.SubprocessError) as exc:
        say(f"  could not install Virtuoso: {exc}")
    return virtuoso_available()


def _wait_sql(srv: procs.Server, conn: virtuoso_load.Connection, timeout: float = 120) -> None:
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if srv.proc.poll() is not None:
            raise RuntimeError(f"virtuoso exited ({srv.proc.returncode}): {srv.log_text()[-2000:]}")
        try:
            virtuoso_load.run_sql(conn, "SELECT 1;", timeout=10)
            return
        except virtuoso_load.VirtuosoLoadError:
            time.sleep(0.2)
    raise RuntimeError("virtuoso did not open its SQL port")


def start_virtuoso(name: str, dump: Path, port: int, say=print, max_seconds: int = 60) -> procs.Server:
    """Virtuoso on its own cached database holding ``dump``, loaded by narcokg's loader
    (``narcokg load --engine virtuoso``'s work: skipped when the database holds it already)."""
    db = STORES / f"virtuoso-{_key(dump)}"
    local = virtuoso_local.LocalVirtuoso(
        db,
        procs.free_port(),
        port,
        readable=[dump.resolve().parent],
        buffers=virtuoso_local.buffers_for(dump.stat().st_size),
        max_rows=1_000_000,
        max_seconds=max_seconds,
    )
    srv = procs.launch(name, [VIRTUOSO, "+foreground", "+configfile", str(local.write_ini())], port=port, cwd=db)
    try:
        _wait_sql(srv, local.connection)
        virtuoso_load.load(dump, local.connection, NAMESPACE, lambda m: say(f"  virtuoso load: {m}"))
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
