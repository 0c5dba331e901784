"""One query process: opens the data, then answers one query at a time over its pipes.

Started by ``narcokg.engine.pool`` (``python -m narcokg.engine.worker``). Before it opens the data
it closes its network in the kernel (``sandbox.close_network``: whatever a query asks, SERVICE
included, no socket can be opened, on any data size; it exits if that cannot be done), caps its
own address space (``RLIMIT_AS``), disables core dumps and dies with its parent; when the data is
in memory it also caps its file descriptors at the ones already open (no file can be opened
either). The parent kills it when a query outlives the time limit; a query that outgrows the
memory cap makes it abort; either way the parent starts a fresh one.

Frames on stdin/stdout: 4-byte header length, 8-byte body length (big-endian), a JSON header,
then the body. The first frame out says the process is ready; for each query, one frame carries
the answer. Before it runs a query the process also writes one byte on a pipe of its own
(``--ack-fd``), which the parent reads only after a death, to tell "died before the query
started" (run it elsewhere) from "died running it" (report it). A frame on the answer pipe did
that before: it cost every query a second wake-up of the waiting web thread.
"""

from __future__ import annotations

import argparse
import ctypes
import itertools
import json
import os
import resource
import signal
import struct
import sys
import time

import pyoxigraph as ox

from narcokg import sandbox
from narcokg.engine import opening
from narcokg import errors
from narcokg.formats import sparql as sparqlformats

_LEN = struct.Struct(">IQ")


#: The answer to a query that tried to reach the network (always the same words).
NETWORK_CLOSED = "SERVICE is not available on this endpoint: query processes have no network access"


class RowLimit(Exception):
    pass


class _Full(Exception):
    """The answer being written has grown past its writer's cap."""


class _Capped:
    """A file-like that pyoxigraph writes an answer into, refusing (``_Full``) past ``cap`` bytes;
    pyoxigraph stops writing at the first refusal and passes it on."""

    __slots__ = ("cap", "size", "parts")

    def __init__(self, cap: int):
        self.cap, self.size, self.parts = cap, 0, []

    def write(self, data) -> int:
        self.size += len(data)
        if self.size > self.cap:
            raise _Full
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass


def _graphs(iris):
    return None if iris is None else [ox.NamedNode(i) for i in iris]


def _collect(iterator, limit: int, what: str) -> list:
    items = []
    for item in iterator:
        items.append(item)
        if len(items) > limit:
            raise RowLimit(f"the answer has more than {limit} {what}")
    return items


def _query_options(job: dict) -> dict:
    """pyoxigraph ``Store.query`` keyword arguments for the job's dataset and base IRI."""
    kwargs = {}
    if job.get("default_graph") is not None or job.get("named_graphs") is not None:
        kwargs["default_graph"] = _graphs(job.get("default_graph")) or []
        kwargs["named_graphs"] = _graphs(job.get("named_graphs")) or []
    elif job.get("union"):
        kwargs["use_default_graph_as_union"] = True
    if job.get("base_iri"):
        kwargs["base_iri"] = job["base_iri"]
    return kwargs


def _evaluation_error(exc: Exception) -> tuple[dict, bytes]:
    return {"ok": False, "error": "evaluation", "message": str(exc) or type(exc).__name__}, b""


#: Formats pyoxigraph writes byte for byte as ``sparqlformats`` does (over the whole snapshot:
#: tests/unit/test_native_results.py); XML and TSV differ (TSV: our typed literals are written out).
NATIVE = {"json": ox.QueryResultsFormat.JSON, "csv": ox.QueryResultsFormat.CSV}


def execute(store: ox.Store, job: dict, cheap: bool = False) -> tuple[dict, bytes]:
    """Run one query ``job`` on ``store``; a header dict and the serialized body.

    ``job``: query, format (a name in ``sparqlformats.BY_NAME``), union (default graph = union
    of all graphs), default_graph / named_graphs (lists of IRIs or None), max_rows, prefixes,
    and optionally max_bytes (see ``_native``).
    ``cheap``: the query costs less than reading its rows in Python (a bounded one, run in the
    web process): its JSON or CSV answer is written by pyoxigraph (``_native``: in one run when
    its size proves the row limit), which costs less than building and writing the rows here.
    """
    fmt = sparqlformats.BY_NAME[job["format"]]
    max_rows = int(job.get("max_rows") or 0) or 2**62
    try:
        result = store.query(job["query"], **_query_options(job))  # ASK evaluates here, SELECT while iterated
    except SyntaxError as exc:
        return {"ok": False, "error": "syntax", "message": str(exc)}, b""
    except OSError as exc:
        return _os_error(exc)
    except (ValueError, RuntimeError, TypeError) as exc:
        # Refused while preparing the query, e.g. "The custom function <…> is not supported".
        return _evaluation_error(exc)
    try:
        if cheap and fmt.name in NATIVE and isinstance(result, ox.QuerySolutions):
            return _native(store, job, result, fmt, max_rows)
        return _answer(result, fmt, max_rows, job.get("prefixes") or None)
    except RowLimit as exc:
        return {"ok": False, "error": "rows", "message": str(exc), "limit": max_rows}, b""
    except errors.NotAcceptable as exc:  # e.g. JSON-LD asked for an answer with triple terms
        return {"ok": False, "error": "format", "message": exc.message}, b""
    except OSError as exc:
        return _os_error(exc)
    except (ValueError, RuntimeError, TypeError) as exc:  # evaluation errors pyoxigraph reports
        return _evaluation_error(exc)


def _answer(result, fmt: sparqlformats.Format, max_rows: int, prefixes: dict | None) -> tuple[dict, bytes]:
    """The header and body of an evaluated ``result`` (its solutions or triples read here)."""
    if isinstance(result, ox.QueryBoolean):
        if fmt.kind != "solutions":
            return _wrong_format(fmt, "ASK")
        return {"ok": True, "kind": "boolean", "rows": 1}, sparqlformats.serialize_boolean(bool(result), fmt)
    if isinstance(result, ox.QuerySolutions):
        if fmt.kind != "solutions":
            return _wrong_format(fmt, "SELECT")
        variables = [v.value for v in result.variables]
        rows = [tuple(sol) for sol in _collect(result, max_rows, "rows")]
        return {"ok": True, "kind": "solutions", "rows": len(rows)}, sparqlformats.serialize_solutions(
            variables, rows, fmt
        )
    if fmt.kind != "graph":
        return _wrong_format(fmt, "CONSTRUCT or DESCRIBE")
    triples = _collect(result, max_rows, "triples")
    body = sparqlformats.serialize_triples(triples, fmt, prefixes)
    return {"ok": True, "kind": "graph", "rows": len(triples)}, body


#: The fewest bytes a row takes in a ``NATIVE`` answer: a CSV line end, or "{}" in JSON.
MIN_ROW_BYTES = 2


def _native(store: ox.Store, job: dict, result, fmt, max_rows: int) -> tuple[dict, bytes]:
    """The solutions written by pyoxigraph. In one run while the answer's size proves the row
    limit: an answer of at most ``MIN_ROW_BYTES`` × ``max_rows`` bytes has at most ``max_rows``
    rows (its rows are not counted then: "rows" is None). A larger one is counted in a second run
    (past ``max_rows``: RowLimit, nothing written) and written in a third; the snapshot never
    changes, so every run gives one answer.

    ``job["max_bytes"]`` (the worker's direct answers, made in its event loop): an answer past
    that many bytes (or past the proof's bound, if lower) is refused at once ("bytes"), never
    counted, so that the loop is held for no longer than writing that many bytes takes."""
    bound = MIN_ROW_BYTES * max_rows
    max_bytes = job.get("max_bytes")
    out = _Capped(min(bound, max_bytes) if max_bytes else bound)
    try:
        result.serialize(output=out, format=NATIVE[fmt.name])
        return {"ok": True, "kind": "solutions", "rows": None}, b"".join(out.parts)
    except _Full:
        if max_bytes:
            return {"ok": False, "error": "bytes", "message": f"the answer has more than {out.cap} bytes"}, b""
    counted = store.query(job["query"], **_query_options(job))
    rows = sum(1 for _ in itertools.islice(counted, max_rows + 1))
    if rows > max_rows:
        raise RowLimit(f"the answer has more than {max_rows} rows")
    again = store.query(job["query"], **_query_options(job))
    return {"ok": True, "kind": "solutions", "rows": rows}, again.serialize(format=NATIVE[fmt.name])


def _os_error(exc: OSError) -> tuple[dict, bytes]:
    """A SERVICE call refused by the sandbox (the socket, or the name lookup that needs one) gets
    one fixed text; any other OSError says only what failed (its file name would be a path of
    this machine)."""
    text = str(exc).lower()
    if isinstance(exc, PermissionError) or any(
        w in text for w in ("lookup address", "name resolution", "resolve", "connect", "network", "socket")
    ):
        return _network_closed()
    return {"ok": False, "error": "evaluation", "message": exc.strerror or str(exc) or type(exc).__name__}, b""


def _network_closed() -> tuple[dict, bytes]:
    """The sandbox refused a socket (a SERVICE call): one fixed text, whatever the address, so
    that answers tell nothing about the hosts and ports a query names."""
    return {"ok": False, "error": "network", "message": NETWORK_CLOSED}, b""


def _wrong_format(fmt, form: str) -> tuple[dict, bytes]:
    return {"ok": False, "error": "format", "message": f"format {fmt.name} does not fit a {form} query"}, b""


# Process plumbing ------------------------------------------------------------------------


def write_frame(fd: int, header: dict, body: bytes = b"") -> None:
    head = json.dumps(header).encode("utf-8")
    data = memoryview(_LEN.pack(len(head), len(body)) + head + body)
    while data:
        n = os.write(fd, data)
        data = data[n:]


def _read_exact(fd: int, n: int) -> bytes | None:
    parts, got = [], 0
    while got < n:
        chunk = os.read(fd, min(n - got, 1 << 20))
        if not chunk:
            return None
        parts.append(chunk)
        got += len(chunk)
    return b"".join(parts)


def read_frame(fd: int) -> tuple[dict, bytes] | None:
    """A blocking read of one frame; None at end of input."""
    head = _read_exact(fd, _LEN.size)
    if head is None:
        return None
    hlen, blen = _LEN.unpack(head)
    header = _read_exact(fd, hlen) if hlen else b"{}"
    body = _read_exact(fd, blen) if blen else b""
    if header is None or body is None:
        return None
    return json.loads(header), body


def _die_with_parent(parent: int) -> None:
    """Ask the kernel to kill this process when its parent dies (Linux); exit if it already has."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if parent and os.getppid() != parent:
        sys.exit(0)


def _no_new_files() -> None:
    """Cap file descriptors at those open now: no socket, file or pipe can be opened after."""
    listed = [int(x) for x in os.listdir("/proc/self/fd")]
    open_fds = set()
    for fd in listed:
        try:
            os.fstat(fd)
            open_fds.add(fd)
        except OSError:  # the directory listing's own descriptor, closed by now
            pass
    top = max(open_fds)
    for fd in range(top):
        if fd not in open_fds:
            filler = os.open(os.devnull, os.O_RDONLY)
            top = max(top, filler)
    resource.setrlimit(resource.RLIMIT_NOFILE, (top + 1, top + 1))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="narcokg.engine.worker")
    ap.add_argument("--mode", choices=["memory", "disk", "oxigraph"], required=True)
    ap.add_argument("--path", required=True)
    ap.add_argument("--memory-mb", type=int, default=0)
    ap.add_argument("--parent", type=int, default=0)
    ap.add_argument("--ack-fd", type=int, default=-1)
    args = ap.parse_args(argv)

    # The server decides when queries stop: Ctrl-C or a SIGTERM sent to the whole process group
    # (a terminal, systemd) must not cut in-flight queries short during a graceful shutdown.
    # This process ends on end of input, on SIGKILL from the pool, or when its parent dies.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    out = os.dup(1)
    os.dup2(2, 1)  # anything printed goes to the log, never into the frames
    _die_with_parent(args.parent)
    try:
        sandbox.close_network()  # first, while this process has one thread (see sandbox)
    except sandbox.SandboxError as exc:
        print(f"narcokg query process: cannot close the network, not serving queries: {exc}", file=sys.stderr)
        return 4
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if args.memory_mb > 0:
        cap = args.memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    started = time.perf_counter()
    spec = opening.DataSpec(args.mode, args.path)
    store = opening.open_store(spec)
    loaded = time.perf_counter() - started
    if spec.mode == "memory":
        _no_new_files()
    # An on-disk store is not counted here: counting fills its block cache (see DataSpec.quads).
    quads = len(store) if spec.mode == "memory" else None
    write_frame(out, {"ready": True, "quads": quads, "load_seconds": round(loaded, 4)})

    while True:
        frame = read_frame(0)
        if frame is None:
            return 0
        job, _ = frame
        if args.ack_fd >= 0:
            os.write(args.ack_fd, b".")  # lets the parent tell "died before" from "died during"
        try:
            header, body = execute(store, job)
        except MemoryError:
            header, body = (
                {"ok": False, "error": "memory", "message": "the query ran out of memory", "fatal": True},
                b"",
            )
        write_frame(out, header, body)
        if header.get("fatal"):
            return 3


if __name__ == "__main__":
    sys.exit(main())
