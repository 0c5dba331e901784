"""narcokg: build, validate, query, serve and load the knowledge graph (commands: build, validate,
query, serve, load, fmt). Settings not given as options come from NARCOKG_* environment variables,
then defaults.

Size: ~360 lines, most of them the argument parser's options and help texts, kept in one place so
that ``narcokg --help`` and the commands read together; ``query`` has its own module."""

from __future__ import annotations

import argparse
import errno
import os
import signal
import socket
import sys
from pathlib import Path

from narcokg.cli.query import CLI_FORMATS
from narcokg.config import load_settings


def _build(args) -> int:
    from narcokg.build import pipeline as build
    from narcokg.errors import SourceError
    from narcokg.errors import InconsistencyError

    settings = load_settings(dist=args.out)
    try:
        result = build.run(settings)
    except (SourceError, InconsistencyError) as exc:
        print(f"narcokg build: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # e.g. a full disk while writing: the snapshot is replaced only when complete
        print(f"narcokg build: {exc.strerror or exc}; the previous snapshot (if any) is unchanged", file=sys.stderr)
        return 2
    return 0 if result.report.violations == 0 else 1


def _print_report(report, out=sys.stdout) -> None:
    print(report.summary(), file=out)
    for r in report.results:
        where = f" path {r.path}" if r.path else ""
        value = f" value {r.value}" if r.value is not None else ""
        print(f"  {r.severity}: {r.focus}{where}{value}\n      {r.message}\n      (shape {r.source_shape})", file=out)


def _validate(args) -> int:
    from narcokg.build import pipeline
    from narcokg.errors import SourceError
    from narcokg.shacl import service as validation_service
    from narcokg import sandbox

    settings = load_settings()
    # Files are parsed here with the network closed in the kernel, as in the server's validation
    # process: a one-shot command needs no child for limits, and needs no network either.
    try:
        sandbox.close_network()
    except sandbox.SandboxError as exc:
        print(f"narcokg validate: {exc}", file=sys.stderr)
        return 2
    try:
        if args.data:
            report = validation_service.validate_files([Path(p) for p in args.data], settings)
        else:
            report = pipeline.validate_knowledge_graph(settings)
    except SourceError as exc:
        print(f"narcokg validate: {exc}", file=sys.stderr)
        return 2
    _print_report(report)
    if args.report:
        Path(args.report).write_bytes(report.graph.serialize(format="turtle").encode())
    return 0 if report.violations == 0 else 1


def _query(args) -> int:
    from narcokg.cli import query as cliquery

    return cliquery.run(args.sparql, args.format, load_settings())


def _serve(args) -> int:
    from narcokg.web import server

    settings = load_settings(
        host=args.host,
        port=args.port,
        public_base=args.public_base,
        dump=args.dump,
        web_workers=args.workers,
        engine=args.engine,
        engine_dialect=args.engine_dialect,
    )
    busy = port_in_use(settings.host, settings.port)
    if busy:
        print(f"narcokg serve: {busy}", file=sys.stderr, flush=True)
        return 2
    if not settings.dump and not args.no_build:
        status = _build_if_stale(settings)
        if status:
            return status
    return server.main(settings)


def _load(args) -> int:
    """Load the snapshot into an engine's store (building it first when it is stale)."""
    if args.engine == "oxigraph" and not args.location:
        print(
            "narcokg load: --engine oxigraph needs the folder of the store: narcokg load --engine oxigraph DIR",
            file=sys.stderr,
        )
        return 2
    settings = load_settings(dump=args.dump, public_base=args.public_base)
    if not settings.dump:
        status = _build_if_stale(settings)
        if status:
            return status

    def progress(message: str) -> None:
        print(f"narcokg load: {message}", file=sys.stderr, flush=True)

    if args.engine == "virtuoso":
        return _load_virtuoso(args, settings, progress)
    from narcokg.engine import data, oxigraph_server

    try:
        oxigraph_server.load(data.served_nquads(settings), Path(args.location), progress)
    except (OSError, RuntimeError) as exc:
        progress(f"failed: {getattr(exc, 'strerror', None) or exc}")
        return 2
    return 0


def _load_virtuoso(args, settings, progress) -> int:
    from narcokg.engine import data, virtuoso_load

    conn = virtuoso_load.Connection(
        host=args.host,
        port=args.port,
        user=args.user,
        password=args.password or os.environ.get("NARCOKG_VIRTUOSO_PASSWORD", "dba"),
        isql=args.isql,
    )
    try:
        virtuoso_load.load(
            data.served_nquads(settings),
            conn,
            settings.served_base + "graph/",
            progress,
            stage_dir=Path(args.stage_dir) if args.stage_dir else None,
            force=args.force,
        )
    except virtuoso_load.VirtuosoLoadError as exc:
        progress(f"failed: {exc}")
        return 2
    except OSError as exc:
        progress(f"failed: {exc.strerror or exc}")
        return 2
    return 0


def _build_if_stale(settings) -> int:
    """Build when no fresh snapshot exists; 0, or the exit status of a failed build."""
    from narcokg.build import pipeline
    from narcokg.errors import InconsistencyError, SourceError

    if pipeline.is_fresh(settings):
        return 0
    _say_serve("no fresh snapshot: building first")
    try:
        pipeline.run(settings)
    except SourceError as exc:
        _say_serve(f"invalid source file, not serving: {_relative(str(exc), settings)}")
        return 2
    except InconsistencyError as exc:
        _say_serve(f"the knowledge graph is inconsistent, not serving: {_relative(str(exc), settings)}")
        return 2
    except OSError as exc:  # e.g. a full disk: the previous snapshot, if any, is unchanged
        _say_serve(f"the build failed, not serving: {exc.strerror or exc}")
        return 2
    return 0


def _say_serve(msg: str) -> None:
    print(f"narcokg serve: {msg}", file=sys.stderr, flush=True)


def _relative(text: str, settings) -> str:
    """Source paths relative to the project root (messages carry no machine paths)."""
    return text.replace(str(Path(settings.root).resolve()) + "/", "")


def _bind_error(host: str, port: int) -> OSError | None:
    """Bind (and release) ``host``:``port`` the way an HTTP server would; the error, if any."""
    try:
        infos = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        return OSError(errno.EADDRNOTAVAIL, f"cannot resolve host {host}: {exc.strerror}")
    for family, kind, proto, _name, address in infos[:1]:
        with socket.socket(family, kind, proto) as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as servers do: TIME_WAIT is no conflict
            try:
                s.bind(address)
            except OSError as exc:
                return exc
    return None


def port_in_use(host: str, port: int) -> str | None:
    """A message naming a free port when ``port`` is taken; None when it is free. Checked here,
    before any build or server starts, so it holds whatever HTTP server runs."""
    exc = _bind_error(host, port)
    if exc is None:
        return None
    if exc.errno == errno.EADDRINUSE:
        free = next((p for p in range(port + 1, min(port + 50, 65536)) if _bind_error(host, p) is None), None)
        return (
            f"port {port} is in use: try --port {free}"
            if free
            else f"port {port} is in use: choose another with --port"
        )
    if exc.errno == errno.EACCES:
        return f"port {port} needs privileges on this system: try --port 5000"
    return f"cannot listen on {host} port {port}: {exc.strerror or exc}"


def _version() -> str:
    try:
        from importlib.metadata import PackageNotFoundError, version

        return version("narcokg")
    except PackageNotFoundError:
        return "unknown (not installed)"


def _fmt(args) -> int:
    from narcokg.build import turtlefmt

    settings = load_settings()
    if args.check:
        bad = turtlefmt.unformatted(settings)
        for p in bad:
            print(f"not formatted: {p.relative_to(settings.root)}", file=sys.stderr)
        return 1 if bad else 0
    for p in turtlefmt.format_all(settings):
        print(f"formatted {p.relative_to(settings.root)}")
    return 0


def main(argv: list[str] | None = None) -> int:
    from narcokg.config import Settings

    defaults = Settings()
    parser = argparse.ArgumentParser(prog="narcokg", description=__doc__)
    parser.add_argument("--version", action="version", version=f"narcokg {_version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="{build,validate,query,serve,load,fmt}")

    p = sub.add_parser("build", help="load, reason, validate and write the snapshot")
    p.add_argument("--out", default=None, help="output folder (default: dist/, or NARCOKG_DIST)")
    p.set_defaults(func=_build)

    p = sub.add_parser("validate", help="validate the knowledge graph, or DATA files, against the shapes")
    p.add_argument("--report", help="write the SHACL report (Turtle) to this file")
    p.add_argument("data", nargs="*", help="RDF files to validate instead of the knowledge graph")
    p.set_defaults(func=_validate)

    p = sub.add_parser("query", help="run a SPARQL query against the built graph")
    p.add_argument("sparql", help="the query text, or @FILE to read it from a file")
    p.add_argument(
        "--format",
        default="table",
        choices=list(CLI_FORMATS),
        help="output: a text table, or a SPARQL result format (json, csv, tsv, xml) for SELECT/ASK, "
        "an RDF format (json, xml, turtle, ntriples) for CONSTRUCT/DESCRIBE (default: table)",
    )
    p.set_defaults(func=_query)

    p = sub.add_parser("serve", help="build if needed, then serve the graph over HTTP")
    p.add_argument("--host", default=None, help=f"address to listen on (default: {defaults.host}, or NARCOKG_HOST)")
    p.add_argument(
        "--port", type=int, default=None, help=f"TCP port to listen on (default: {defaults.port}, or NARCOKG_PORT)"
    )
    p.add_argument(
        "--public-base",
        default=None,
        help="serve canonical IRIs as if minted under this URL (default: none, or NARCOKG_PUBLIC_BASE)",
    )
    p.add_argument(
        "--dump",
        default=None,
        help="serve this N-Quads file instead of the build's snapshot (default: none, or NARCOKG_DUMP)",
    )
    p.add_argument(
        "--workers",
        type=int,
        default=None,
        help=f"HTTP worker processes (default: {defaults.web_workers}, or NARCOKG_WEB_WORKERS)",
    )
    p.add_argument("--no-build", action="store_true", help="never build; fail if no snapshot exists")
    p.add_argument(
        "--engine",
        default=None,
        help="answer from a SPARQL endpoint (its URL) or from Oxigraph server run here (oxigraph:DIR) "
        "instead of the embedded engine",
    )
    p.add_argument(
        "--engine-dialect",
        default=None,
        choices=["oxigraph", "virtuoso", "generic"],
        help="the kind of endpoint --engine URL names (default generic)",
    )
    p.set_defaults(func=_serve)

    p = sub.add_parser(
        "load",
        help="load the snapshot into an engine's store (building it first if needed)",
        description="Load the snapshot into an engine: an Oxigraph store folder (DIR), or a running "
        "Virtuoso through its SQL client isql (bulk loader). Loading again replaces the "
        "snapshot's graphs, and does nothing when the engine holds this snapshot already.",
    )
    p.add_argument("--engine", required=True, choices=["oxigraph", "virtuoso"], help="the engine whose store to fill")
    p.add_argument(
        "location",
        nargs="?",
        help="oxigraph: folder of the store (made or replaced; unchanged if it holds this snapshot)",
    )
    p.add_argument("--dump", default=None, help="load this N-Quads file instead of the build's snapshot")
    p.add_argument(
        "--public-base",
        default=None,
        help="load the IRIs as `narcokg serve --public-base URL` will publish them: serve checks that "
        "the engine holds the same base (default: none, or NARCOKG_PUBLIC_BASE)",
    )
    g = p.add_argument_group("virtuoso")
    g.add_argument("--host", default="127.0.0.1", help="Virtuoso's host (default 127.0.0.1)")
    g.add_argument("--port", type=int, default=1111, help="Virtuoso's SQL port, not its HTTP port (default 1111)")
    g.add_argument("--user", default="dba", help="Virtuoso user allowed to bulk-load (default dba)")
    g.add_argument("--password", default=None, help="its password (default: NARCOKG_VIRTUOSO_PASSWORD, else dba)")
    g.add_argument("--isql", default=None, help="path of Virtuoso's SQL client (default: isql-vt on PATH)")
    g.add_argument(
        "--stage-dir",
        default=None,
        help="copy the dump into this folder first: one Virtuoso may read (DirsAllowed in virtuoso.ini)",
    )
    g.add_argument("--force", action="store_true", help="load even if Virtuoso holds this snapshot already")
    p.set_defaults(func=_load)

    p = sub.add_parser("fmt", help="rewrite ontology/, triples/ and shapes/ in the one Turtle style")
    p.add_argument("--check", action="store_true", help="only list files that are not formatted; exit 1 if any")
    p.set_defaults(func=_fmt)

    args = parser.parse_args(argv)
    if hasattr(signal, "SIGPIPE") and args.func is not _serve:
        # `narcokg validate | head` ends quietly. Never for the server: there a write to a socket
        # its peer has closed (a client that went away, an engine's idle connection) must be an
        # error of that one exchange, not a signal that kills the worker.
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
