"""Loading a snapshot into a running Virtuoso with its bulk loader, through Virtuoso's SQL
client ``isql`` (Debian: ``isql-vt``).

The server reads the dump itself (``ld_add`` then ``rdf_loader_run``), so the dump must sit in a
folder Virtuoso's ``DirsAllowed`` lists, on the server's machine; ``stage_dir`` copies it into
such a folder first. A load replaces: every graph under the snapshot's ``graph/`` namespace (the
graphs narcokg's remote engine serves) is cleared before the new dump goes in, so a second load
never duplicates and a graph the new snapshot dropped disappears. The snapshot's digest is kept
in Virtuoso's registry once the load is complete (``checkpoint`` included); a load of the same
snapshot is then skipped.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

#: Virtuoso registry key holding the digest of the loaded snapshot.
REGISTRY_KEY = "narcokg.snapshot"
#: The graph Virtuoso's loader gives to statements without one (a snapshot has none).
FALLBACK_GRAPH = "urn:narcokg:no-graph"
#: Seconds between "still loading" lines.
HEARTBEAT = 15.0


class VirtuosoLoadError(RuntimeError):
    """A load that could not be done, said so that a person knows what to change."""


@dataclass(frozen=True)
class Connection:
    host: str = "127.0.0.1"
    port: int = 1111
    user: str = "dba"
    password: str = "dba"
    isql: str | None = None

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"


def isql_program(given: str | None = None) -> str:
    """Virtuoso's SQL client: ``given``, else ``isql-vt`` on PATH (unixODBC's ``isql`` is another
    program, so a plain ``isql`` is used only when named)."""
    found = shutil.which(given or "isql-vt")
    if not found:
        name = given or "isql-vt"
        raise VirtuosoLoadError(
            f"Virtuoso's SQL client {name} is not installed or not on PATH: install it "
            "(Debian: apt-get install virtuoso-opensource) or give its path with --isql"
        )
    return found


def sql_string(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("\\", "\\\\").replace("'", "''") + "'"


def _explain(conn: Connection, stderr: str) -> str:
    if "CL033" in stderr or "Connect failed" in stderr:
        return (
            f"cannot connect to Virtuoso at {conn.address}: is it running, and is {conn.port} its SQL port "
            "(ServerPort in [Parameters] of virtuoso.ini, not the HTTP port)? Give --host/--port"
        )
    if "CL034" in stderr or "Bad login" in stderr:
        return f"Virtuoso at {conn.address} refused the login of user {conn.user}: give --user and --password"
    first = next((line for line in stderr.splitlines() if line.startswith("*** Error")), stderr.strip()[:300])
    return f"Virtuoso at {conn.address} reported: {first.removeprefix('*** ')}"


def run_sql(conn: Connection, script: str, timeout: float = 60) -> str:
    """Run ``script`` (statements ending in ``;``) with isql; its output, or VirtuosoLoadError."""
    argv = [isql_program(conn.isql), conn.address, conn.user, conn.password, "VERBOSE=OFF", "BANNER=OFF", "PROMPT=OFF"]
    try:
        out = subprocess.run(argv, input=script, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise VirtuosoLoadError(f"Virtuoso at {conn.address} did not finish within {timeout:.0f} s") from None
    if out.returncode != 0 or "*** Error" in out.stderr:
        raise VirtuosoLoadError(_explain(conn, out.stderr))
    return out.stdout


def _values(output: str) -> list[str]:
    """The values isql printed between the ``[[`` ``]]`` markers a query wrapped them in."""
    return re.findall(r"\[\[(.*?)\]\]", output)


def loaded_digest(conn: Connection) -> str:
    """The digest of the snapshot Virtuoso holds completely ("" if none)."""
    out = run_sql(conn, f"SELECT concat('[[', coalesce(registry_get({sql_string(REGISTRY_KEY)}), ''), ']]');")
    found = _values(out)
    return found[0] if found and found[0] != "0" else ""


def digest(nquads: Path) -> str:
    h = hashlib.sha256()
    with open(nquads, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def graphs_under(conn: Connection, namespace: str) -> list[str]:
    """Graphs holding statements whose IRI starts with ``namespace``."""
    out = run_sql(
        conn, "SELECT concat('[[', id_to_iri(G), ']]') FROM (SELECT DISTINCT G FROM DB.DBA.RDF_QUAD) x;", timeout=600
    )
    return sorted(g for g in _values(out) if g.startswith(namespace))


def count_quads(conn: Connection, graphs: list[str]) -> int:
    if not graphs:
        return 0
    ids = ", ".join(f"iri_to_id({sql_string(g)}, 0)" for g in graphs)
    out = run_sql(conn, f"SELECT concat('[[', count(*), ']]') FROM DB.DBA.RDF_QUAD WHERE G IN ({ids});", timeout=600)
    return int(_values(out)[0])


def dirs_allowed(conn: Connection) -> str:
    out = run_sql(
        conn, "SELECT concat('[[', coalesce(virtuoso_ini_item_value('Parameters', 'DirsAllowed'), ''), ']]');"
    )
    return (_values(out) or [""])[0]


def http_port(conn: Connection) -> str:
    out = run_sql(conn, "SELECT concat('[[', coalesce(virtuoso_ini_item_value('HTTPServer', 'ServerPort'), ''), ']]');")
    return (_values(out) or [""])[0].rpartition(":")[2]


def _stage(nquads: Path, stage_dir: Path | None, sha: str, progress) -> Path:
    """The path Virtuoso reads: the dump itself, or a copy named by its digest in ``stage_dir``."""
    if stage_dir is None:
        return nquads.resolve()
    stage_dir.mkdir(parents=True, exist_ok=True)
    target = stage_dir.resolve() / f"narcokg-{sha[:16]}.nq"
    for old in stage_dir.glob("narcokg-*.nq"):
        if old != target:
            old.unlink()
    if not target.exists():
        progress(f"copying the dump into {stage_dir.name}/ for Virtuoso to read")
        shutil.copyfile(nquads, target)
    return target


def _denied(conn: Connection, path: Path) -> VirtuosoLoadError:
    return VirtuosoLoadError(
        f"Virtuoso may not read the folder {path.parent} of the dump (DirsAllowed in [Parameters] of its "
        f"virtuoso.ini lists: {dirs_allowed(conn) or 'nothing'}): add the dump's folder there and restart Virtuoso, "
        "or give --stage-dir with a folder it lists (the dump must be on Virtuoso's machine)"
    )


def _check_readable(conn: Connection, path: Path) -> None:
    """Before anything is cleared: Virtuoso may list the dump's folder and sees the dump there."""
    try:
        out = run_sql(
            conn,
            f"SELECT concat('[[', position({sql_string(path.name)}, "
            f"sys_dirlist({sql_string(str(path.parent))}, 1)), ']]');",
        )
    except VirtuosoLoadError as exc:
        if "FA003" in str(exc):
            raise _denied(conn, path) from None
        raise
    if _values(out)[:1] in ([], ["0"]):
        raise VirtuosoLoadError(
            f"Virtuoso at {conn.address} sees no {path.name} in {path.parent.name}/: the dump "
            "must be on Virtuoso's machine at the same path (or give --stage-dir with a folder "
            "both can reach)"
        )


def _clear(conn: Connection, graphs: list[str], progress) -> None:
    progress(f"clearing {len(graphs)} graph(s) of the previous snapshot")
    script = "log_enable(3, 1);\n" + "".join(
        f"DELETE FROM DB.DBA.RDF_QUAD WHERE G = iri_to_id({sql_string(g)}, 0);\n" for g in graphs
    )
    run_sql(conn, script, timeout=3600)


def _bulk_load(conn: Connection, path: Path, progress) -> None:
    """``ld_add`` the file (its old load_list row dropped, or the loader would skip it) and run
    the loader, saying every so often that it is still at work."""
    done = threading.Event()
    started = time.monotonic()

    def heartbeat() -> None:
        while not done.wait(HEARTBEAT):
            progress(f"still loading ({time.monotonic() - started:.0f} s)")

    threading.Thread(target=heartbeat, daemon=True).start()
    name = sql_string(str(path))
    try:
        run_sql(
            conn,
            f"DELETE FROM DB.DBA.LOAD_LIST WHERE ll_file = {name};\n"
            f"ld_add({name}, {sql_string(FALLBACK_GRAPH)});\n"
            "rdf_loader_run();\n",
            timeout=24 * 3600,
        )
    finally:
        done.set()
    out = run_sql(
        conn,
        f"SELECT concat('[[', ll_state, ' ', coalesce(ll_error, ''), ']]') FROM DB.DBA.LOAD_LIST "
        f"WHERE ll_file = {name};",
    )
    state = (_values(out) or ["missing"])[0]
    if state != "2 ":
        if "FA003" in state or "denied" in state:
            raise _denied(conn, path)
        raise VirtuosoLoadError(
            f"Virtuoso's bulk loader did not load {path.name}: {state.strip() or 'no load_list row'}"
        )


def load(
    nquads: Path,
    conn: Connection,
    namespace: str,
    progress: Callable[[str], None] = lambda _m: None,
    stage_dir: Path | None = None,
    force: bool = False,
) -> bool:
    """Make Virtuoso hold exactly the snapshot ``nquads`` under ``namespace`` (the snapshot's
    ``graph/`` IRIs); False when it already did and nothing was done."""
    nquads = Path(nquads)
    if not nquads.is_file():
        raise VirtuosoLoadError(f"no dump at {nquads.name}: build first (narcokg build) or give --dump")
    sha = digest(nquads)
    if not force and loaded_digest(conn) == sha:
        progress(f"Virtuoso at {conn.address} already holds this snapshot; nothing to do")
        return False
    path = _stage(nquads, stage_dir, sha, progress)
    _check_readable(conn, path)
    started = time.monotonic()
    run_sql(conn, f"registry_remove({sql_string(REGISTRY_KEY)});")  # an interrupted load is never taken as done
    old = graphs_under(conn, namespace)
    if old:
        _clear(conn, old, progress)
    progress(f"loading {nquads.name} ({nquads.stat().st_size:,} bytes) with Virtuoso's bulk loader")
    _bulk_load(conn, path, progress)
    progress("checkpoint")
    run_sql(conn, "checkpoint;", timeout=3600)
    graphs = graphs_under(conn, namespace)
    n = count_quads(conn, graphs)
    run_sql(conn, f"registry_set({sql_string(REGISTRY_KEY)}, {sql_string(sha)});\ncheckpoint;", timeout=3600)
    progress(f"loaded {n:,} statements in {len(graphs)} graphs in {time.monotonic() - started:.1f} s")
    port = http_port(conn)
    if port:
        progress(f"serve it with: narcokg serve --engine http://{conn.host}:{port}/sparql --engine-dialect virtuoso")
    return True
