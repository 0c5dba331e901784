"""``narcokg serve``: build when needed, then run the app under gunicorn.

gunicorn runs ``web_workers`` processes with ``web_threads`` threads each (gthread workers with a
buffering front, see ``gunicorn_worker``: a request is read in full by the worker's event loop
before a thread gets it, and a thread waiting on a query process does not block the others). The app is
built once in the master before forking (``preload_app``), so the workers share the loaded store
and the fair-use table. Each worker starts its own pool of query processes after the fork and stops it when it
exits; on SIGTERM, in-flight requests get ``graceful_timeout`` seconds to finish.
"""

from __future__ import annotations

import atexit
import logging
import math
import os
import resource
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

from gunicorn.app.base import BaseApplication

from narcokg.config import Settings
from narcokg.errors import SourceError

log = logging.getLogger("narcokg.web.server")

ACCESS_LOG_FORMAT = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'


def _say(msg: str) -> None:
    print(f"narcokg serve: {msg}", file=sys.stderr, flush=True)


class _Gunicorn(BaseApplication):
    def __init__(self, app, options: dict):
        self._app = app
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            if key in self.cfg.settings:  # options newer than the installed gunicorn are skipped
                self.cfg.set(key, value)

    def load(self):
        return self._app


def _bind(settings: Settings) -> str:
    host = settings.host
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"{host}:{settings.port}"


def _raise_open_files(wanted: int) -> None:
    """Idle connections cost a file descriptor each: raise the soft limit towards the hard one."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


def _shared_answers_folder() -> str:
    """A private folder in shared memory for the answers the workers share, removed at exit."""
    parent = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else tempfile.gettempdir()
    for old in Path(parent).glob("narcokg-answers-*-*"):  # left by a server that was killed
        pid = old.name.split("-")[2]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists() and old.owner() == Path.home().owner():
            shutil.rmtree(old, ignore_errors=True)
    owner = os.getpid()
    folder = tempfile.mkdtemp(prefix=f"narcokg-answers-{owner}-", dir=parent)  # mode 0700
    atexit.register(lambda: os.getpid() == owner and shutil.rmtree(folder, ignore_errors=True))
    return folder


def gunicorn_options(settings: Settings, started: float, engine=None) -> dict:
    """Options of the gunicorn server; each worker starts and closes ``engine`` (default: the
    embedded engine's pool of query processes)."""
    if engine is None:
        from narcokg.engine import pool as querypool

        start, close = (lambda: querypool.get_pool(settings)), querypool.close_pool
    else:
        start, close = engine.start, engine.close
    from narcokg.web.gunicorn_worker import BufferedThreadWorker

    BufferedThreadWorker.request_read_timeout = max(1.0, float(settings.request_read_timeout))
    BufferedThreadWorker.linger = max(0.0, float(settings.linger_ms)) / 1000
    BufferedThreadWorker.shared_answers = _shared_answers_folder() if settings.answer_cache_mb > 0 else ""
    # The largest body any route reads (sparql.py reads up to 3 × max_query_bytes + 16 KiB).
    BufferedThreadWorker.max_body_bytes = max(settings.max_validate_bytes, 3 * settings.max_query_bytes + 16 * 1024)

    def post_worker_init(worker) -> None:
        start()  # this worker's query processes or connections, now rather than on the first query
        worker.log.info("worker %s ready %.2f s after start", worker.pid, time.perf_counter() - started)

    def worker_exit(server, worker) -> None:
        close()

    def when_ready(server) -> None:
        server.log.info(
            "narcokg listening on http://%s (master ready %.2f s after start)",
            _bind(settings),
            time.perf_counter() - started,
        )

    return {
        "bind": _bind(settings),
        "workers": max(1, settings.web_workers),
        "threads": max(1, settings.web_threads),
        "worker_connections": max(16, settings.web_connections),
        # gthread reading each request in full before a thread gets it, and answering the
        # requests gunicorn itself refuses with a 4xx and the app's security headers.
        "worker_class": "narcokg.web.gunicorn_worker.BufferedThreadWorker",
        "graceful_timeout": max(1, math.ceil(settings.graceful_timeout)),
        # The heartbeat comes from each worker's main loop, not from request threads, so a
        # long query does not get a worker killed; this only catches a stuck worker.
        "timeout": max(60, int(settings.query_timeout * 3)),
        "keepalive": 5,
        "preload_app": True,
        "accesslog": "-",
        "errorlog": "-",
        "loglevel": "info",
        "access_log_format": ACCESS_LOG_FORMAT,
        # The same line, written without gunicorn's per-request atoms and logging calls.
        "logger_class": "narcokg.web.accesslog.Logger",
        "limit_request_line": 8190,
        "proc_name": "narcokg",
        "post_worker_init": post_worker_init,
        "worker_exit": worker_exit,
        "when_ready": when_ready,
        # gunicorn >= 25.1 opens a control socket at one fixed path per user by default: two
        # servers (tests, benchmarks) would fight over it, and nothing here uses it.
        "control_socket_disable": True,
    }


def main(settings: Settings) -> int:
    """Serve the snapshot (built beforehand: see ``narcokg.cli``) until stopped; the exit status."""
    started = time.perf_counter()
    # A client that hangs up makes the next write fail with EPIPE (an error the worker handles);
    # with SIGPIPE at its default, it would kill the worker and every request in flight on it.
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    _raise_open_files(settings.web_workers * settings.web_connections + 1024)
    logging.basicConfig(
        level=logging.INFO,
        stream=sys.stderr,
        format="[%(asctime)s] [%(process)d] [%(levelname)s] %(name)s: %(message)s",
    )
    from narcokg.engine import data as querydata
    from narcokg.engine import pool as querypool

    if settings.dump and not Path(settings.dump).is_file():
        _say(f"the dump {Path(settings.dump).name} does not exist")
        return 2
    if not Path(settings.nquads).is_file():
        _say("no snapshot to serve: run `narcokg build` (or serve without --no-build)")
        return 2

    supervisor = None
    if settings.engine:
        from narcokg.web import engines

        try:
            engine, supervisor = engines.remote(settings, _say)
        except engines.EngineError as exc:
            _say(str(exc))
            return 2
        what = engine.where
    else:
        try:
            spec = querydata.prepare(settings)
        except SourceError as exc:
            _say(f"cannot serve the dump: {exc}")
            return 2
        except (OSError, ValueError) as exc:
            _say(f"cannot prepare the data for queries: {exc}")
            return 2
        querypool.configure(spec)
        engine = None
        what = f"embedded, query data {spec.mode}"

    from narcokg.web.app import create_app

    try:
        try:
            app = create_app(settings, engine)
        except SourceError as exc:  # an in-memory dump is first read here
            _say(f"cannot serve the dump: {exc}")
            return 2
        engine = app.extensions["narcokg.engine"]
        log.info("app loaded %.2f s after start (engine: %s)", time.perf_counter() - started, what)
        server = _Gunicorn(app, gunicorn_options(settings, started, engine))
        try:
            server.run()
        except SystemExit as exc:
            code = exc.code
            return code if isinstance(code, int) else (0 if code is None else 1)
        return 0
    finally:
        if supervisor is not None:
            supervisor.stop()
