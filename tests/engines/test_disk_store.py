"""A snapshot over the in-memory limit is served from one read-only on-disk store that every
process of the server opens: no web worker holds its own copy, none inherits the master's
handle across the fork, and every answer is the one the in-memory server gives.

The limit is lowered to 0 MiB (``NARCOKG_MEMORY_STORE_MAX_MB``) so the real snapshot takes the
path that large dumps take.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import requests

from conftest import ready_workers, start_server, stop_server

DISK = {"NARCOKG_MEMORY_STORE_MAX_MB": "0"}


@pytest.fixture(scope="module")
def disk_dist(built, tmp_path_factory) -> Path:
    """A copy of the session's snapshot: the on-disk store is built beside it, and the shared
    build folder must stay as other tests expect it."""
    dist = tmp_path_factory.mktemp("disk-dist") / "dist"
    shutil.copytree(built.out_dir, dist)
    return dist


@pytest.fixture(scope="module")
def disk_server(disk_dist, tmp_path_factory):
    srv = start_server(disk_dist, tmp_path_factory.mktemp("disk-store"), env_extra=DISK)
    ready_workers(srv)
    yield srv
    stop_server(srv)


def _children(pid: int) -> list[int]:
    kids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            kids.append(int(entry))
    return kids


def _cmdline(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()


def _open_store_files(pid: int) -> set[str]:
    """Files of an on-disk engine store (``.engine-*``) that process ``pid`` holds open."""
    found = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if "/.engine-" in target:
            found.add(target)
    return found


def _web_workers(srv) -> list[int]:
    return [p for p in _children(srv.proc.pid) if "narcokg.engine.worker" not in _cmdline(p)]


def test_every_web_worker_reads_the_one_store_on_disk(disk_server, disk_dist):
    requests.get(disk_server.url("/page/state/IDN"), timeout=30).raise_for_status()
    workers = _web_workers(disk_server)
    assert len(workers) >= 2
    stores = set()
    for pid in workers:
        files = _open_store_files(pid)
        assert files, f"web worker {pid} holds no file of the on-disk store: it must have its own copy"
        stores |= {f.split("/.engine-")[1].split("/")[0] for f in files}
    assert len(stores) == 1  # one store, shared
    assert any(p.name.startswith(".engine-") for p in disk_dist.iterdir())


def test_the_master_keeps_no_store_handle_across_the_fork(disk_server):
    assert _open_store_files(disk_server.proc.pid) == set()


def test_query_processes_open_the_same_store(disk_server):
    requests.get(
        disk_server.url("/sparql"), params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"}, timeout=30
    ).raise_for_status()
    query_procs = [k for w in _web_workers(disk_server) for k in _children(w) if "narcokg.engine.worker" in _cmdline(k)]
    assert query_procs
    assert all("--mode disk" in _cmdline(p) for p in query_procs)
    web = {f.split("/.engine-")[1].split("/")[0] for p in _web_workers(disk_server) for f in _open_store_files(p)}
    ours = {f.split("/.engine-")[1].split("/")[0] for p in query_procs for f in _open_store_files(p)}
    assert ours == web


@pytest.mark.parametrize(
    "path, accept",
    [
        ("/data/state/IDN.ttl", None),
        ("/search.json?q=bnn", None),
        (
            "/sparql?query=SELECT%20%3Fs%20WHERE%20%7B%20%3Fs%20a%20%3Chttps%3A%2F%2Fw3id.org%2Fnarcokg%2Fontology%23Agreement%3E%20%7D%20ORDER%20BY%20%3Fs",
            "application/sparql-results+json",
        ),
        (
            "/sparql?query=SELECT%20%3Fo%20WHERE%20%7B%20%3Chttps%3A%2F%2Fw3id.org%2Fnarcokg%2Fid%2Fstate%2FIDN%3E%20%3Fp%20%3Fo%20%7D",
            "text/csv",
        ),
    ],
)
def test_answers_equal_the_in_memory_server_s(disk_server, server, path, accept):
    headers = {"Accept": accept} if accept else {}
    on_disk = requests.get(disk_server.url(path), headers=headers, timeout=30)
    in_memory = requests.get(server.url(path), headers=headers, timeout=30)
    assert on_disk.status_code == in_memory.status_code == 200
    if path.endswith(".csv") or accept == "text/csv":
        assert sorted(on_disk.text.splitlines()) == sorted(in_memory.text.splitlines())
    else:
        assert on_disk.content == in_memory.content
