"""``narcokg query``: run one SPARQL query against the built graph, in this process.

The same rules as the endpoint (read-only, no SERVICE, default graph = union of all named
graphs) and the same engine code (``queryworker.execute``); no time or row limit, since the
person at the terminal can stop it. Exit status: 0 answered, 2 malformed or refused query or
unusable input, 1 anything else that failed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from narcokg.config import Settings

#: CLI format → (format for SELECT/ASK, format for CONSTRUCT/DESCRIBE); None: not offered.
CLI_FORMATS = {
    "table": ("json", "ntriples"),
    "json": ("json", "jsonld"),
    "xml": ("xml", "rdfxml"),
    "csv": ("csv", None),
    "tsv": ("tsv", None),
    "turtle": (None, "turtle"),
    "ntriples": (None, "ntriples"),
}
MAX_CELL = 80


def _err(msg: str) -> None:
    print(f"narcokg query: {msg}", file=sys.stderr)


def _read(sparql: str) -> str:
    if sparql.startswith("@"):
        return Path(sparql[1:]).read_text(encoding="utf-8")
    return sparql


def _cell(term: dict | None) -> str:
    if term is None:
        return ""
    kind = term.get("type")
    if kind == "uri":
        text = f"<{term['value']}>"
    elif kind == "bnode":
        text = "_:" + term["value"]
    elif kind == "literal":
        text = term["value"].replace("\n", "\\n").replace("\t", "\\t")
        if term.get("xml:lang"):
            text = f'"{text}"@{term["xml:lang"]}'
    else:
        text = json.dumps(term.get("value"))
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"


def table(columns: list[str], rows: list[list[str]]) -> str:
    widths = [len(c) for c in columns]
    for row in rows:
        widths = [max(w, len(v)) for w, v in zip(widths, row)]
    line = lambda values: " | ".join(v.ljust(w) for v, w in zip(values, widths)).rstrip()  # noqa: E731
    out = [line(columns), "-+-".join("-" * w for w in widths)]
    out += [line(r) for r in rows]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out) + "\n"


def _render_table(kind: str, body: bytes) -> str:
    if kind == "graph":
        import pyoxigraph as ox

        rows = [
            [str(t.subject), str(t.predicate), str(t.object)] for t in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)
        ]
        rows = [[v if len(v) <= MAX_CELL else v[: MAX_CELL - 1] + "…" for v in r] for r in rows]
        return table(["subject", "predicate", "object"], rows)
    doc = json.loads(body)
    if "boolean" in doc:
        return ("true" if doc["boolean"] else "false") + "\n"
    columns = doc["head"]["vars"]
    rows = [[_cell(b.get(v)) for v in columns] for b in doc["results"]["bindings"]]
    return table(["?" + c for c in columns], rows)


class _Exit(Exception):
    """Stop ``run`` with this exit status (the message is already printed)."""

    def __init__(self, status: int):
        self.status = status


def run(sparql: str, fmt: str, settings: Settings) -> int:
    try:
        text = _read(sparql)
    except (OSError, UnicodeDecodeError) as exc:
        _err(f"cannot read the query file: {exc}")
        return 2
    if fmt not in CLI_FORMATS:
        _err(f"unknown format {fmt}; use one of: {', '.join(CLI_FORMATS)}")
        return 2
    try:
        info = _analyse(text, settings)
        name = _answer_format(fmt, info)
        header, body = _execute(text, name, info, settings)
    except _Exit as stop:
        return stop.status
    if not header.get("ok"):
        error = header.get("error")
        if error == "syntax":
            _malformed(text, header.get("message", ""), settings)
            return 2
        _err(header.get("message", "the query failed"))
        return 2 if error == "format" else 1
    _write(
        _render_table(header["kind"] if header["kind"] == "graph" else "solutions", body).encode()
        if fmt == "table"
        else body
    )
    return 0


def _malformed(text: str, message: str, settings: Settings, line: int | None = None, column: int | None = None) -> None:
    """Say in words what is wrong with a query the parser refused, and which prefixes to add."""
    from narcokg.engine.messages import explain

    found = explain(text, message, line, column, known=_prefixes(settings, {}))
    _err(f"malformed query: {found.text()}")
    if len(found.missing) > 1:
        print("add these lines at the top of the query:", *found.prefix_lines(), sep="\n  ", file=sys.stderr)


def _analyse(text: str, settings: Settings):
    """The query's analysis; refuses (``_Exit``) what the endpoint would refuse."""
    from narcokg.engine import policy
    from narcokg.engine.syntax import AnalysisError, DepthError, analyse

    try:
        info = analyse(text, settings.query_max_depth)
    except DepthError as exc:
        _err(exc.message)
        raise _Exit(2) from None
    except AnalysisError as exc:
        _malformed(text, exc.message, settings, exc.line, exc.column)
        raise _Exit(2) from None
    if info.update:
        _err("this is a SPARQL Update; the knowledge graph is read-only (edit the sources and rebuild)")
        raise _Exit(2)
    why = policy.refusal(info, settings)
    if why is not None:
        _err(why)
        raise _Exit(2)
    return info


def _answer_format(fmt: str, info) -> str:
    """The endpoint format behind CLI format ``fmt`` for this query's kind of answer."""
    name = CLI_FORMATS[fmt][0 if (info.kind or "solutions") == "solutions" else 1]
    if name is None:
        _err(f"format {fmt} does not fit a {info.form or 'this'} query")
        raise _Exit(2)
    return name


def _execute(text: str, name: str, info, settings: Settings) -> tuple[dict, bytes]:
    """Run the query in this process, building the snapshot first when it is stale."""
    from narcokg import sandbox
    from narcokg.build import pipeline as build
    from narcokg.engine import data as querydata
    from narcokg.engine import worker as queryworker
    from narcokg.engine.base import QueryJob
    from narcokg.errors import InconsistencyError, SourceError

    if not settings.dump and not build.is_fresh(settings):
        print("narcokg query: no fresh snapshot: building first", file=sys.stderr)
        try:
            build.run(settings)
        except (SourceError, InconsistencyError) as exc:
            _err(str(exc))
            raise _Exit(2) from None
    try:
        store = querydata.open_store(querydata.prepare(settings))
    except (OSError, ValueError) as exc:
        _err(f"cannot open the data: {exc}")
        raise _Exit(1) from None
    sandbox.close_network()  # like a query process: whatever the query says, no socket opens
    job = QueryJob(
        text,
        name,
        union=not info.dataset_clause,
        max_rows=0,
        prefixes=tuple(sorted(_prefixes(settings, info.prefixes).items())),
    )
    return queryworker.execute(store, job.wire())


def _write(out: bytes) -> None:
    try:
        sys.stdout.buffer.write(out)
        if out and not out.endswith(b"\n"):
            sys.stdout.buffer.write(b"\n")
        sys.stdout.flush()
    except BrokenPipeError:
        pass


def _prefixes(settings: Settings, declared: dict[str, str]) -> dict[str, str]:
    from narcokg import vocab as prefixes

    return {**prefixes.all_prefixes(settings.served_base), **declared}
