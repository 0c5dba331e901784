"""The two servers narcokg is compared with, serving the same N-Quads dump on loopback.

* ``rdflib`` — the peer: rdflib-endpoint (FastAPI) over an rdflib ``Dataset`` whose default
  graph is the union of the named graphs (what narcokg's default graph is), run by uvicorn
  with as many worker processes as narcokg has HTTP workers. It is installed by the benchmark
  into its own virtual environment (``benchmarks/.venv-peer``, ignored by git) so it never
  touches the project's dependencies; this file's top level imports only the standard
  library, because that environment runs it.
* ``ceiling`` — a bare Flask + pyoxigraph app: the same engine and web server as narcokg
  (gunicorn, the same options: workers, threads, keep-alive, preload, access log) but none of
  the safety layer — no query processes, no time/row/memory limits, no SERVICE check, no
  fair-use accounting, no negotiation beyond JSON and Turtle. The best narcokg could do
  with this stack; the gap to it is what safety costs.

Run: ``python benchmarks/peers.py ceiling|rdflib --dump FILE --port P [--workers N]``
(``run_all.py`` does it for you; ``--install`` only sets up the peer's environment).
"""

from __future__ import annotations

import argparse
import importlib.metadata as md
import os
import subprocess
import sys
import venv
from pathlib import Path

HERE = Path(__file__).resolve().parent
PEER_VENV = HERE / ".venv-peers"


def _pyoxigraph_version() -> str:
    try:
        return md.version("pyoxigraph")
    except md.PackageNotFoundError:  # this file also runs inside .venv-peers, which has no pyoxigraph
        return "0.5.13"


#: What the benchmark's own environment holds, by the name ``ensure_peers`` knows it by.
#: The Oxigraph server is pinned to the pyoxigraph narcokg runs, so both are the same engine.
TOOLS = {
    "rdflib-endpoint": (["rdflib-endpoint", "uvicorn"], "import rdflib_endpoint, uvicorn, rdflib"),
    "oxigraph": ([f"oxigraph=={_pyoxigraph_version()}"], None),
    "reasonable": (["reasonable"], "import reasonable"),
    "py-spy": (["py-spy"], None),
}


# The peer's environment ---------------------------------------------------------------


def peer_python() -> Path:
    return PEER_VENV / "bin" / "python"


def peer_bin(name: str) -> Path:
    return PEER_VENV / "bin" / name


def site_packages() -> Path:
    return next(PEER_VENV.glob("lib/python*/site-packages"))


def _present(name: str) -> bool:
    reqs, check = TOOLS[name]
    py = peer_python()
    if not py.exists():
        return False
    if check is None:  # a command: the pinned version must be the one installed
        code = f"import importlib.metadata as m; m.distribution({name!r})"
        if subprocess.run([str(py), "-c", code], capture_output=True).returncode:
            return False
        if "==" in reqs[0]:
            got = subprocess.run(
                [str(py), "-c", f"import importlib.metadata as m; print(m.version({name!r}))"],
                capture_output=True,
                text=True,
            ).stdout.strip()
            return got == reqs[0].split("==", 1)[1]
        return True
    return subprocess.run([str(py), "-c", check], capture_output=True).returncode == 0


def ensure_peers(names: list[str], say=print) -> Path:
    """Install what ``names`` (keys of ``TOOLS``) need into ``.venv-peers`` unless present."""
    missing = [n for n in names if not _present(n)]
    if not missing:
        return peer_python()
    reqs = [r for n in missing for r in TOOLS[n][0]]
    say(f"installing {', '.join(reqs)} into {PEER_VENV.relative_to(HERE.parent)} …")
    if not peer_python().exists():
        venv.EnvBuilder(with_pip=True).create(PEER_VENV)
    subprocess.run(
        [str(peer_python()), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *reqs], check=True
    )
    still = [n for n in missing if not _present(n)]
    if still:
        raise RuntimeError(f"could not install {', '.join(still)} into {PEER_VENV}")
    return peer_python()


def ensure_peer(say=print) -> Path:
    """rdflib-endpoint and uvicorn in the benchmark's environment."""
    return ensure_peers(["rdflib-endpoint"], say)


def peer_versions() -> str:
    py = peer_python()
    code = (
        "import importlib.metadata as m; print(' '.join(f'{p} {m.version(p)}' for p in "
        "('rdflib-endpoint', 'rdflib', 'fastapi', 'uvicorn')))"
    )
    try:
        return subprocess.run([str(py), "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "not installed"


def peer_argv(dump: Path, port: int, workers: int) -> list[str]:
    return [
        str(peer_python()),
        str(HERE / "peers.py"),
        "rdflib",
        "--dump",
        str(dump),
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]


def ceiling_argv(dump: Path, port: int, workers: int | None = None) -> list[str]:
    argv = [sys.executable, str(HERE / "peers.py"), "ceiling", "--dump", str(dump), "--port", str(port)]
    if workers:
        argv += ["--workers", str(workers)]
    return argv


# rdflib-endpoint (runs inside .venv-peer) ---------------------------------------------


def _nodelay_everywhere() -> None:
    """Work around uvicorn's multi-worker listener losing TCP_NODELAY (Kludex/uvicorn#3149).

    With ``workers > 1`` uvicorn binds the socket itself with ``proto`` 0, asyncio then skips
    TCP_NODELAY on accepted connections, and every keep-alive request after the first waits
    ~40 ms on the client's delayed ACK. That is a deployment bug, not rdflib-endpoint's speed,
    so the benchmark turns Nagle off for the peer as gunicorn does for narcokg.
    """
    import asyncio.base_events as base_events
    import socket

    def set_nodelay(sock):
        if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.type == socket.SOCK_STREAM:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    base_events._set_nodelay = set_nodelay


def rdflib_app():
    """The FastAPI app, built in each uvicorn worker (factory): parse the dump, wrap it."""
    _nodelay_everywhere()
    from rdflib import Dataset
    from rdflib_endpoint import SparqlEndpoint

    ds = Dataset(default_union=True)
    ds.parse(os.environ["NKGBENCH_DUMP"], format="nquads")
    return SparqlEndpoint(graph=ds, path="/sparql", title="rdflib-endpoint (benchmark peer)", cors_enabled=True)


def serve_rdflib(dump: Path, port: int, workers: int) -> int:
    import uvicorn

    os.environ["NKGBENCH_DUMP"] = str(dump)
    uvicorn.run(
        "peers:rdflib_app",
        factory=True,
        host="127.0.0.1",
        port=port,
        workers=workers,
        app_dir=str(HERE),
        log_level="info",
    )
    return 0


# The ceiling: bare Flask + pyoxigraph under narcokg's gunicorn settings -----------------


def ceiling_app(dump: Path):
    import pyoxigraph as ox
    from flask import Flask, Response, request

    store = ox.Store()
    store.bulk_load(path=str(dump), format=ox.RdfFormat.N_QUADS)
    app = Flask("ceiling")

    @app.route("/sparql", methods=["GET"])
    def sparql():
        result = store.query(request.args["query"], use_default_graph_as_union=True)
        if isinstance(result, ox.QueryTriples):
            return Response(result.serialize(format=ox.RdfFormat.TURTLE), content_type="text/turtle; charset=utf-8")
        body = result.serialize(format=ox.QueryResultsFormat.JSON)
        return Response(body, content_type="application/sparql-results+json; charset=utf-8")

    return app


def serve_ceiling(dump: Path, port: int, workers: int | None) -> int:
    import time

    from gunicorn.app.base import BaseApplication
    from narcokg.web import server as serve
    from narcokg.config import load_settings

    settings = load_settings(port=port, host="127.0.0.1", web_workers=workers)
    options = serve.gunicorn_options(settings, time.perf_counter())
    for hook in ("post_worker_init", "worker_exit", "when_ready"):  # they start narcokg's query pool
        options.pop(hook, None)
    options["proc_name"] = "narcokg-ceiling"
    app = ceiling_app(dump)

    class Ceiling(BaseApplication):
        def load_config(self):
            for key, value in options.items():
                if key in self.cfg.settings:
                    self.cfg.set(key, value)

        def load(self):
            return app

    Ceiling().run()
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="serve a dump with the benchmark's peer or ceiling")
    ap.add_argument("which", choices=["rdflib", "ceiling", "install"])
    ap.add_argument("--dump", type=Path)
    ap.add_argument("--port", type=int)
    ap.add_argument("--workers", type=int, default=None)
    args = ap.parse_args(argv)
    if args.which == "install":
        ensure_peer()
        print(peer_versions())
        return 0
    if args.dump is None or args.port is None:
        ap.error("--dump and --port are required")
    if args.which == "rdflib":
        return serve_rdflib(args.dump, args.port, args.workers or 2)
    return serve_ceiling(args.dump, args.port, args.workers)


if __name__ == "__main__":
    sys.exit(main())
