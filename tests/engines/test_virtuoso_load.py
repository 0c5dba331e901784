"""`narcokg load --engine virtuoso`: the snapshot bulk-loaded into a real Virtuoso (Debian's
package) through isql, replaced rather than duplicated when loaded again, skipped when Virtuoso
holds it already, and refused with a message a person can act on when it cannot be done."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
import requests

import virtuoso_helpers
from conftest import free_port, serve_on_endpoint, start_server, stop_server

pytestmark = pytest.mark.skipif(virtuoso_helpers.unavailable() is not None, reason=str(virtuoso_helpers.unavailable()))

NAMESPACE = "https://w3id.org/narcokg/graph/"


@pytest.fixture(scope="module")
def fresh(built, tmp_path_factory):
    """A Virtuoso of this module's own: the tests here replace what it holds."""
    folder = tmp_path_factory.mktemp("virtuoso-load")
    srv = virtuoso_helpers.LocalVirtuoso(
        folder, free_port(), free_port(), readable=[built.out_dir, folder / "stage"]
    ).start()
    yield srv
    srv.stop()


def _dump_graphs(nq: Path) -> tuple[int, list[str]]:
    import pyoxigraph as ox

    quads = list(ox.parse(path=str(nq), format=ox.RdfFormat.N_QUADS))
    return len(quads), sorted({q.graph_name.value for q in quads})


def test_loading_twice_keeps_the_statements_once(built, fresh):
    want = _dump_graphs(built.out_dir / "narcokg.nq")
    first = virtuoso_helpers.load(built.out_dir, fresh)
    assert first.returncode == 0, first.stderr
    assert f"loaded {want[0]:,} statements in {len(want[1])} graphs" in first.stderr
    assert virtuoso_helpers.quads_in_snapshot_graphs(fresh, NAMESPACE) == want
    second = virtuoso_helpers.load(built.out_dir, fresh)
    assert second.returncode == 0 and "already holds this snapshot; nothing to do" in second.stderr
    forced = virtuoso_helpers.load(built.out_dir, fresh, "--force")
    assert forced.returncode == 0 and "clearing" in forced.stderr, forced.stderr
    assert virtuoso_helpers.quads_in_snapshot_graphs(fresh, NAMESPACE) == want


def test_a_new_snapshot_replaces_the_old_graphs(built, fresh, tmp_path):
    """A graph the new snapshot no longer has disappears (the remote engine would serve it)."""
    full = built.out_dir / "narcokg.nq"
    lines = full.read_text(encoding="utf-8").splitlines(keepends=True)
    first_graph = lines[0].rsplit(" ", 2)[-2]
    smaller = tmp_path / "smaller.nq"
    smaller.write_text("".join(line for line in lines if line.rsplit(" ", 2)[-2] == first_graph), encoding="utf-8")
    want_small = _dump_graphs(smaller)
    assert len(want_small[1]) == 1
    done = virtuoso_helpers.load(built.out_dir, fresh, "--dump", str(smaller))
    assert done.returncode == 0, done.stderr
    assert virtuoso_helpers.quads_in_snapshot_graphs(fresh, NAMESPACE) == want_small
    back = virtuoso_helpers.load(built.out_dir, fresh)
    assert back.returncode == 0, back.stderr
    assert virtuoso_helpers.quads_in_snapshot_graphs(fresh, NAMESPACE) == _dump_graphs(full)


def test_serve_answers_from_what_load_put_in(built, fresh):
    assert virtuoso_helpers.load(built.out_dir, fresh).returncode == 0
    srv = start_server(
        built.out_dir,
        fresh.folder,
        "--engine",
        fresh.url,
        "--engine-dialect",
        "virtuoso",
        env_extra={"NARCOKG_WEB_WORKERS": "1"},
    )
    try:
        resp = requests.get(
            srv.url("/sparql"),
            timeout=30,
            params={"query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", "format": "json"},
        )
        assert resp.status_code == 200, resp.text
        assert int(resp.json()["results"]["bindings"][0]["n"]["value"]) == _dump_graphs(built.out_dir / "narcokg.nq")[0]
    finally:
        stop_server(srv)


def test_a_snapshot_loaded_under_a_public_base_is_served_under_it(built, fresh):
    """`narcokg load --public-base URL` puts the IRIs `serve --public-base URL` publishes into
    Virtuoso; graphs loaded earlier under the canonical base stay out of the served dataset."""
    public = "http://data.example.org/narcokg/"
    done = virtuoso_helpers.load(built.out_dir, fresh, "--public-base", public)
    assert done.returncode == 0, done.stderr
    count, graphs = virtuoso_helpers.quads_in_snapshot_graphs(fresh, public + "graph/")
    want_count, want_graphs = _dump_graphs(built.out_dir / "narcokg.nq")
    assert (count, graphs) == (want_count, [g.replace(NAMESPACE, public + "graph/") for g in want_graphs])
    srv = serve_on_endpoint(built.out_dir, fresh.folder, fresh.url, "--public-base", public, dialect="virtuoso")
    try:
        query = "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1000"
        resp = requests.get(srv.url("/sparql"), timeout=30, params={"query": query, "format": "json"})
        assert resp.status_code == 200, resp.text
        subjects = {b["s"]["value"] for b in resp.json()["results"]["bindings"]}
        assert subjects and not any(s.startswith("https://w3id.org/narcokg/") for s in subjects)
        page = requests.get(srv.url("/page/state/IDN"), timeout=30, headers={"Accept": "text/html"})
        assert page.status_code == 200 and public + "id/state/IDN" in page.text
    finally:
        stop_server(srv)


# Clear refusals ------------------------------------------------------------------------------


def test_an_unreachable_virtuoso_is_named_with_what_to_check(built):
    done = virtuoso_helpers.load(built.out_dir, virtuoso_helpers.LocalVirtuoso(Path("."), free_port(), 0))
    assert done.returncode == 2
    assert "cannot connect to Virtuoso" in done.stderr and "SQL port" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_wrong_password_is_said_so(built, fresh):
    done = virtuoso_helpers.load(built.out_dir, fresh, "--force", env_extra={"NARCOKG_VIRTUOSO_PASSWORD": "wrong"})
    assert done.returncode == 2 and "refused the login of user dba" in done.stderr, done.stderr


def test_a_missing_isql_is_said_so(built, fresh, tmp_path):
    done = virtuoso_helpers.load(built.out_dir, fresh, "--force", env_extra={"PATH": str(tmp_path)})
    assert done.returncode == 2
    assert "isql-vt is not installed" in done.stderr and "apt-get install virtuoso-opensource" in done.stderr


def test_a_folder_virtuoso_may_not_read_is_refused_before_anything_is_cleared(built, fresh):
    """Virtuoso reads the dump itself and only from DirsAllowed (it lets /tmp through, so the
    dump goes elsewhere here); --stage-dir copies it into an allowed folder."""
    try:
        outside = Path(tempfile.mkdtemp(dir="/var/tmp"))
    except OSError:
        pytest.skip("no writable folder outside /tmp")
    try:
        dump = outside / "narcokg.nq"
        shutil.copyfile(built.out_dir / "narcokg.nq", dump)
        before = virtuoso_helpers.quads_in_snapshot_graphs(fresh, NAMESPACE)
        done = virtuoso_helpers.load(built.out_dir, fresh, "--dump", str(dump), "--force")
        assert done.returncode == 2
        assert "Virtuoso may not read the folder" in done.stderr and "DirsAllowed" in done.stderr
        assert "--stage-dir" in done.stderr
        assert virtuoso_helpers.quads_in_snapshot_graphs(fresh, NAMESPACE) == before
        staged = virtuoso_helpers.load(
            built.out_dir, fresh, "--dump", str(dump), "--force", "--stage-dir", str(fresh.folder / "stage")
        )
        assert staged.returncode == 0, staged.stderr
        assert virtuoso_helpers.quads_in_snapshot_graphs(fresh, NAMESPACE) == _dump_graphs(dump)
    finally:
        shutil.rmtree(outside, ignore_errors=True)
