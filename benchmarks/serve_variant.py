"""``narcokg serve`` under another HTTP server, for ``attack.py``'s side-by-side figures only.

    python benchmarks/serve_variant.py VARIANT --host H --port P

Variants: ``buffered`` (what ``narcokg serve`` runs), ``gthread`` (gunicorn's stock gthread with
the app's 4xx answers: the server before the buffering front), ``gevent`` (gunicorn's gevent
worker; the query pool's waits become cooperative through gevent's monkey-patching of ``select``
and ``threading``), ``granian`` (the Rust WSGI server; each of its worker processes loads the
app and starts its own query pool). Everything else is serve's own setup (preloaded app, hooks).
Not used by the server or the tests.
"""

from __future__ import annotations

import argparse
import sys


def _gunicorn(variant: str, host: str, port: int) -> int:
    from narcokg.web import server as serve
    from narcokg.config import load_settings

    original = serve.gunicorn_options

    def options(settings, started, engine=None):
        opts = original(settings, started, engine)
        if variant == "gthread":
            opts["worker_class"] = "narcokg.web.gunicorn_worker.ThreadWorker"
        elif variant == "gevent":
            opts["worker_class"] = "gevent"
            opts["worker_connections"] = max(opts.get("worker_connections", 1000), 4096)
        return opts

    serve.gunicorn_options = options
    return serve.main(load_settings(host=host, port=port))


def granian_app():
    """The WSGI app for one granian worker: prepared like ``serve`` does, pool started here."""
    from narcokg.engine import data as querydata
    from narcokg.engine import pool as querypool
    from narcokg.web.app import create_app
    from narcokg.config import load_settings

    settings = load_settings()
    querypool.configure(querydata.prepare(settings))
    app = create_app(settings)
    querypool.get_pool(settings)
    return app


def _granian(host: str, port: int) -> int:
    import signal

    from granian import Granian
    from granian.constants import Interfaces

    from narcokg.config import load_settings

    settings = load_settings()
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    server = Granian(
        "serve_variant:granian_app",
        address=host,
        port=port,
        interface=Interfaces.WSGI,
        workers=max(1, settings.web_workers),
        blocking_threads=max(1, settings.web_threads),
        factory=True,
    )
    server.serve()
    return 0


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("variant", choices=["buffered", "gthread", "gevent", "granian"])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    args = ap.parse_args()
    if args.variant == "granian":
        return _granian(args.host, args.port)
    return _gunicorn(args.variant, args.host, args.port)


if __name__ == "__main__":
    sys.exit(main())
