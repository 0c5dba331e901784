"""Command line: narcokg build | validate | query | serve."""
from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path

from narcokg.config import load_settings


def _build(args) -> int:
    from narcokg.build import pipeline as build
    from narcokg.build.load import SourceError
    from narcokg.build.reason import InconsistencyError

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
    from narcokg.shacl import service as validation_service
    from narcokg.build.load import SourceError

    settings = load_settings()
    try:
        if args.data:
            report = validation_service.validate_files([Path(p) for p in args.data], settings)
        else:
            report = validation_service.validate_knowledge_graph(settings)
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
    from narcokg.web import server as serve

    settings = load_settings(host=args.host, port=args.port, public_base=args.public_base,
                             dump=args.dump, web_workers=args.workers)
    return serve.main(settings, rebuild=not args.no_build)


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
    p.set_defaults(func=_serve)

    p = sub.add_parser("fmt", help="rewrite ontology/, triples/ and shapes/ in the one Turtle style")
    p.add_argument("--check", action="store_true", help="only list files that are not formatted; exit 1 if any")
    p.set_defaults(func=_fmt)

    args = parser.parse_args(argv)
    # `narcokg validate | head` ends quietly. Not for serve: its HTTP workers inherit the
    # disposition, and a client hanging up mid-answer would kill the worker serving it.
    if hasattr(signal, "SIGPIPE") and args.func is not _serve:
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
