"""Command line: narcokg build | validate | query | serve | load."""
from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path

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

    settings = load_settings()
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

    settings = load_settings(host=args.host, port=args.port, public_base=args.public_base,
                             dump=args.dump, web_workers=args.workers, engine=args.engine,
                             engine_dialect=args.engine_dialect)
    if not settings.dump and not args.no_build:
        status = _build_if_stale(settings)
        if status:
            return status
    return server.main(settings)


def _load(args) -> int:
    """Load the snapshot into an engine's store (building it first when it is stale)."""
    from narcokg.engine import oxigraph_server

    settings = load_settings(dump=args.dump)
    if not settings.dump:
        status = _build_if_stale(settings)
        if status:
            return status

    def progress(message: str) -> None:
        print(f"narcokg load: {message}", file=sys.stderr, flush=True)

    try:
        oxigraph_server.load(settings.nquads, Path(args.location), progress)
    except (OSError, RuntimeError) as exc:
        progress(f"failed: {getattr(exc, 'strerror', None) or exc}")
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
    parser = argparse.ArgumentParser(prog="narcokg", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("build", help="load, reason, validate and write the snapshot")
    p.add_argument("--out", default=None, help="output folder (default dist/)")
    p.set_defaults(func=_build)

    p = sub.add_parser("validate", help="validate the knowledge graph, or DATA files, against the shapes")
    p.add_argument("--report", help="write the SHACL report (Turtle) to this file")
    p.add_argument("data", nargs="*", help="RDF files to validate instead of the knowledge graph")
    p.set_defaults(func=_validate)

    p = sub.add_parser("query", help="run a SPARQL query against the built graph")
    p.add_argument("sparql", help="the query text, or @FILE to read it from a file")
    p.add_argument("--format", default="table", choices=["table", "json", "csv", "tsv", "xml", "turtle", "ntriples"])
    p.set_defaults(func=_query)

    p = sub.add_parser("serve", help="build if needed, then serve the graph over HTTP")
    p.add_argument("--host", default=None)
    p.add_argument("--port", type=int, default=None)
    p.add_argument("--public-base", default=None, help="serve canonical IRIs as if minted under this URL")
    p.add_argument("--dump", default=None, help="serve this N-Quads file instead of the build's snapshot")
    p.add_argument("--workers", type=int, default=None, help="HTTP worker processes")
    p.add_argument("--no-build", action="store_true", help="never build; fail if no snapshot exists")
    p.add_argument("--engine", default=None,
                   help="answer from a SPARQL endpoint (its URL) or from Oxigraph server run here (oxigraph:DIR) "
                        "instead of the embedded engine")
    p.add_argument("--engine-dialect", default=None, choices=["oxigraph", "virtuoso", "generic"],
                   help="the kind of endpoint --engine URL names (default generic)")
    p.set_defaults(func=_serve)

    p = sub.add_parser("load", help="load the snapshot into an engine's store (building it first if needed)")
    p.add_argument("--engine", required=True, choices=["oxigraph"], help="the engine whose store to fill")
    p.add_argument("location", help="folder of the engine's store (made or replaced; unchanged if it holds this snapshot)")
    p.add_argument("--dump", default=None, help="load this N-Quads file instead of the build's snapshot")
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
