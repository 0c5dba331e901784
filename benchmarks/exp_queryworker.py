"""An experimental query process for ``experiments.py`` (never used by narcokg itself).

Same data, same limits and the same frames as ``narcokg.queryworker``, with three changes whose
gain the benchmark measures:

* no ``started`` acknowledgement before each query (one frame, one wake-up of the web thread
  less per query; the pool must then tell "died before the query" from "died during it" by
  other means, e.g. a failed write of the job);
* SELECT answers in SPARQL JSON are serialized by pyoxigraph (Rust) instead of term by term in
  Python, with the size limit applied to the serialized bytes (``max_rows`` × 1 KiB here)
  rather than to the row count — pyoxigraph's serializer consumes the iterator, so rows cannot
  be counted first;
* frames are read with one buffered reader instead of three reads per frame.
"""
from __future__ import annotations

import io
import os
import sys

import pyoxigraph as ox

from narcokg import querydata, queryworker
from narcokg.queryworker import _LEN, write_frame


class _Capped(io.RawIOBase):
    def __init__(self, cap: int):
        self.parts: list[bytes] = []
        self.size = 0
        self.cap = cap

    def writable(self) -> bool:
        return True

    def write(self, b) -> int:
        self.size += len(b)
        if self.size > self.cap:
            raise queryworker.RowLimit(f"the answer is larger than {self.cap} bytes")
        self.parts.append(bytes(b))
        return len(b)


def execute(store: ox.Store, job: dict) -> tuple[dict, bytes]:
    if job.get("format") != "json" or job.get("default_graph") is not None or job.get("named_graphs") is not None:
        return queryworker.execute(store, job)
    try:
        result = store.query(job["query"], use_default_graph_as_union=bool(job.get("union")))
    except SyntaxError as exc:
        return {"ok": False, "error": "syntax", "message": str(exc)}, b""
    if not isinstance(result, ox.QuerySolutions):
        return queryworker.execute(store, job)
    out = _Capped(int(job.get("max_rows") or 100_000) * 1024)
    try:
        result.serialize(output=out, format=ox.QueryResultsFormat.JSON)
    except queryworker.RowLimit as exc:
        return {"ok": False, "error": "rows", "message": str(exc), "limit": job.get("max_rows")}, b""
    except (OSError, ValueError, RuntimeError, TypeError) as exc:
        if isinstance(exc.__context__, queryworker.RowLimit) or "larger than" in str(exc):
            return {"ok": False, "error": "rows", "message": str(exc), "limit": job.get("max_rows")}, b""
        return {"ok": False, "error": "evaluation", "message": str(exc) or type(exc).__name__}, b""
    return {"ok": True, "kind": "solutions", "rows": -1}, b"".join(out.parts)


class _Reader:
    def __init__(self, fd: int):
        self.fd = fd
        self.buf = b""

    def take(self, n: int) -> bytes | None:
        while len(self.buf) < n:
            chunk = os.read(self.fd, 1 << 20)
            if not chunk:
                return None
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def frame(self):
        import json

        head = self.take(_LEN.size)
        if head is None:
            return None
        hlen, blen = _LEN.unpack(head)
        header = self.take(hlen) if hlen else b"{}"
        body = self.take(blen) if blen else b""
        if header is None or body is None:
            return None
        return json.loads(header), body


def main(argv: list[str]) -> int:
    import argparse
    import resource
    import signal
    import time

    ap = argparse.ArgumentParser()
    ap.add_argument("--mode", required=True)
    ap.add_argument("--path", required=True)
    ap.add_argument("--rewrite-from")
    ap.add_argument("--rewrite-to")
    ap.add_argument("--memory-mb", type=int, default=0)
    ap.add_argument("--parent", type=int, default=0)
    args = ap.parse_args(argv)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    out = os.dup(1)
    os.dup2(2, 1)
    queryworker._die_with_parent(args.parent)
    if args.memory_mb > 0:
        cap = args.memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    t0 = time.perf_counter()
    store = querydata.open_store(querydata.DataSpec(args.mode, args.path, args.rewrite_from, args.rewrite_to))
    write_frame(out, {"ready": True, "quads": len(store), "load_seconds": round(time.perf_counter() - t0, 4)})
    reader = _Reader(0)
    while True:
        frame = reader.frame()
        if frame is None:
            return 0
        header, body = execute(store, frame[0])
        write_frame(out, header, body)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
