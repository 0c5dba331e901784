"""Shared fixtures: one build of the knowledge graph per test session, and a real server
(`narcokg serve`, the production WSGI server) started on a free loopback port."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from narcokg.build import pipeline as build
from narcokg.config import load_settings

ROOT = Path(__file__).resolve().parents[1]


def run_cli(*args: str, env: dict | None = None, timeout: float = 300, **kwargs) -> subprocess.CompletedProcess:
    """``narcokg ARGS`` in a child Python from the checkout's root, output captured as text; ``env``
    replaces the environment (None: this one)."""
    return subprocess.run(
        [sys.executable, "-m", "narcokg.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
        **kwargs,
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """The knowledge graph built once into a temporary dist/ folder."""
    out = tmp_path_factory.mktemp("dist")
    settings = load_settings(dist=out)
    result = build.run(settings, progress=lambda _m: None)
    return result


@pytest.fixture(scope="session")
def kg(built):
    """Every statement of the session's build in one rdflib graph (the union of its named graphs)."""
    import rdflib

    g = rdflib.Graph()
    for named in built.dataset.graphs():
        for t in named:
            g.add(t)
    return g


@pytest.fixture(scope="session")
def settings(built):
    return load_settings(dist=built.out_dir)


class Server:
    def __init__(self, base: str, proc: subprocess.Popen, log: Path):
        self.base = base
        self.proc = proc
        self.log = log

    def url(self, path: str) -> str:
        return self.base + path


def start_server(dist: Path, tmp: Path, *extra: str, env_extra: dict | None = None, port: int | None = None) -> Server:
    port = port or free_port()
    env = dict(os.environ, NARCOKG_DIST=str(dist), PYTHONUNBUFFERED="1")
    env.update(env_extra or {})
    log = tmp / f"server-{port}.log"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "narcokg.cli",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-build",
            *extra,
        ],
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        cwd=ROOT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("server exited early:\n" + log.read_text(errors="replace"))
        try:
            if requests.get(base + "/health", timeout=1).status_code == 200:
                return Server(base, proc, log)
        except requests.RequestException:
            pass
        time.sleep(0.2)
    proc.kill()
    raise RuntimeError("server did not become healthy:\n" + log.read_text(errors="replace"))


def ready_workers(server: Server, count: int = 2, wait: float = 60.0) -> set[int]:
    """Pids of the master's HTTP workers once ``count`` of them have logged that they are ready.

    /health answers as soon as one HTTP worker is up; on a loaded machine another may still be
    booting, and a test that watches workers must not take it for a replacement."""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        kids = set()
        for entry in os.listdir("/proc"):
            try:
                with open(f"/proc/{entry}/stat", "rb") as f:
                    if int(f.read().decode(errors="replace").rsplit(")", 1)[1].split()[1]) == server.proc.pid:
                        kids.add(int(entry))
            except (OSError, ValueError, IndexError):
                continue
        ready = {int(p) for p in re.findall(r"worker (\d+) ready", server.log.read_text(errors="replace"))}
        if len(kids & ready) == count:
            return kids & ready
        time.sleep(0.1)
    raise AssertionError(
        f"{count} HTTP workers were not ready within {wait:g} s:\n" + server.log.read_text(errors="replace")
    )


def serve_on_endpoint(dist: Path, tmp: Path, url: str, *extra: str, dialect: str = "oxigraph", **env: str) -> Server:
    """`narcokg serve --engine URL` with one HTTP worker (``env``: more NARCOKG_* settings)."""
    env_extra = {"NARCOKG_WEB_WORKERS": "1", **env}
    return start_server(dist, tmp, "--engine", url, "--engine-dialect", dialect, *extra, env_extra=env_extra)


def stop_server(server: Server) -> None:
    server.proc.terminate()
    try:
        server.proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.proc.kill()


@pytest.fixture(scope="session")
def server(built, tmp_path_factory):
    """`narcokg serve` on the session's build, shared by every HTTP test."""
    srv = start_server(built.out_dir, tmp_path_factory.mktemp("server"))
    yield srv
    stop_server(srv)


@pytest.fixture(scope="session")
def oxigraph_store(built, tmp_path_factory) -> Path:
    """The session's build loaded into an Oxigraph on-disk store (`narcokg load --engine oxigraph`'s work)."""
    from narcokg.engine import oxigraph_server

    try:
        oxigraph_server.program()
    except FileNotFoundError as exc:
        pytest.skip(str(exc))
    location = tmp_path_factory.mktemp("oxigraph") / "store"
    oxigraph_server.load(built.out_dir / "narcokg.nq", location)
    return location


@pytest.fixture(scope="session")
def oxigraph_endpoint(oxigraph_store):
    """Oxigraph server (serve-read-only; narcokg asks it for the union per query) on the session's build, on loopback."""
    from narcokg.engine.oxigraph_server import OxigraphServer

    srv = OxigraphServer(oxigraph_store, timeout_s=5).start()
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def virtuoso_endpoint(built, tmp_path_factory):
    """Virtuoso (Debian package) on loopback, loaded with the session's build by
    `narcokg load --engine virtuoso`; skipped when absent."""
    import virtuoso_helpers

    why = virtuoso_helpers.unavailable()
    if why:
        pytest.skip(why)
    srv = virtuoso_helpers.LocalVirtuoso(
        tmp_path_factory.mktemp("virtuoso"), free_port(), free_port(), readable=[built.out_dir]
    ).start()
    try:
        done = virtuoso_helpers.load(built.out_dir, srv)
        assert done.returncode == 0, done.stderr
        yield srv
    finally:
        srv.stop()
