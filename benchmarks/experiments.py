"""What would a given optimisation buy? Measure it before anyone changes the server.

This module never changes narcokg's code: ``serve`` starts ``narcokg serve`` in-process after
monkeypatching the web process with the optimisations named in ``NKGBENCH_PATCHES``
(comma-separated), and ``compare`` drives the lookup and the join on the real snapshot for
each variant next to the bare ceiling, so the README's suggestions come with measured gains.

Patches (web process only; the query processes are untouched):

* ``analyse-cache`` — memoise ``sparqlsyntax.analyse`` by query text (an LRU of 1024): the
  tokenizer is pure Python and runs on every request (30–80 µs on the 2-core machine).
* ``format-cache`` — memoise the negotiated result format by (format parameter, Accept
  header, query form) instead of parsing Accept and matching it against the table each time.
* ``lean-worker`` — query processes run ``exp_queryworker.py`` (no per-query ``started``
  acknowledgement, SPARQL JSON serialized by pyoxigraph, buffered frame reads) and solution
  jobs carry no prefix table.
* ``gc-freeze`` — ``gc.collect(); gc.freeze()`` after the app is built in the master, before
  the fork.
* ``in-process`` — no query processes at all: queries run in the web process on the app's
  own store. Unsafe (no way to stop a runaway query); measured only to split the gap to the
  ceiling into narcokg's web layer and the hop to a query process.
* ``result-cache`` — ``narcokg.resultcache`` (a new module, not wired into the server) around
  the pool: an LRU of answers (64 MiB, at most 4 MiB each) keyed by the query job, in each
  HTTP worker. The data of a running server never changes, so an answer never
  goes stale; a repeated query then skips the query process entirely. This changes *what* a
  benchmark of repeated identical queries measures (the cache, not the engine), which is why
  it is measured separately and not assumed in the targets.

    python benchmarks/experiments.py compare [--dump FILE] [--seconds S] [--passes N]
"""
from __future__ import annotations

import os
import sys
from functools import lru_cache
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

VARIANTS = {
    "narcokg as is": "",
    "+ analyse-cache, format-cache": "analyse-cache,format-cache",
    "+ lean query process": "analyse-cache,format-cache,lean-worker",
    "+ result-cache": "analyse-cache,format-cache,result-cache",
    "in-process, no query processes (unsafe; reference)": "in-process",
}


def _patch_analyse() -> None:
    from narcokg import sparql

    sparql.analyse = lru_cache(maxsize=1024)(sparql.analyse)


def _patch_format() -> None:
    from flask import request
    from narcokg import sparql

    original = sparql.choose_format
    cache: dict = {}

    def choose_format(params, kind):
        key = (tuple(params.fmt or ()), request.headers.get("Accept"), kind)
        fmt = cache.get(key)
        if fmt is None:
            fmt = original(params, kind)  # raises Refusal for what does not fit: never cached
            if len(cache) < 4096:
                cache[key] = fmt
        return fmt

    sparql.choose_format = choose_format


def _patch_results() -> None:
    """Wire ``narcokg.resultcache`` (64 MiB per HTTP worker) around the pool, as proposed."""
    from narcokg import querypool
    from narcokg.resultcache import ResultCache

    original = querypool.QueryPool.execute
    cache = ResultCache(64 << 20)

    def execute(self, job, timeout=None, wait=None):
        hit = cache.lookup(job)
        if hit is not None:
            return hit
        answer = original(self, job, timeout, wait)
        cache.store(job, answer)
        return answer

    querypool.QueryPool.execute = execute


def _patch_lean_worker() -> None:
    """Query processes run ``exp_queryworker.py``: no ack frame, native JSON, buffered frames."""
    import subprocess
    import time
    import types

    from narcokg import querypool

    def popen(cmd, *args, **kwargs):
        if "narcokg.queryworker" in cmd:
            i = cmd.index("-m")
            cmd = cmd[:i] + [str(HERE / "exp_queryworker.py")] + cmd[i + 2:]
        return subprocess.Popen(cmd, *args, **kwargs)

    querypool.subprocess = types.SimpleNamespace(**{**vars(subprocess), "Popen": popen})

    def read_frame(self, deadline):
        import json as _json

        buf = getattr(self, "_exp_buf", b"")

        def take(n):
            nonlocal buf
            while len(buf) < n:
                buf += self._read(max(1 << 16, n - len(buf)), deadline)
            out, buf = buf[:n], buf[n:]
            return out

        hlen, blen = querypool._LEN.unpack(take(querypool._LEN.size))
        header = _json.loads(take(hlen)) if hlen else {}
        body = take(blen) if blen else b""
        self._exp_buf = buf
        return header, body

    def _read(self, n, deadline):
        poller = querypool.select.poll()
        poller.register(self.rfd, querypool.select.POLLIN | querypool.select.POLLHUP | querypool.select.POLLERR)
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not poller.poll(remaining * 1000):
            raise querypool._TimedOut()
        chunk = querypool.os.read(self.rfd, n)
        if not chunk:
            raise querypool._Died()
        return chunk

    querypool._Proc.read_frame = read_frame
    querypool._Proc._read = _read

    def execute(self, job, timeout=None, wait=None):
        timeout = self.settings.query_timeout if timeout is None else timeout
        wait = timeout + 5.0 if wait is None else wait
        if job.get("format") in ("json", "xml", "csv", "tsv"):
            job = dict(job, prefixes=None)
        proc = self._acquire(time.monotonic() + wait)
        started = time.monotonic()
        querypool.write_frame(proc.wfd, job)
        return self._finish(proc, started, timeout)

    querypool.QueryPool.execute = execute


def _patch_in_process() -> None:
    """Run every query in the web process on the app's own store: NO safety, for reference only.

    Splits the gap to the ceiling into narcokg's web layer (what is left with this patch) and
    the hop to a query process (what this patch removes).
    """
    import time

    from flask import current_app
    from narcokg import querypool, queryworker

    def execute(self, job, timeout=None, wait=None):
        store = current_app.extensions["narcokg.store"].ox
        t0 = time.monotonic()
        header, body = queryworker.execute(store, job)
        if not header.get("ok"):
            raise self._refusal(header)
        return querypool.Answer(header["kind"], body, int(header.get("rows", 0)), time.monotonic() - t0)

    querypool.QueryPool.execute = execute


def _patch_gc_freeze() -> None:
    """``gc.freeze()`` once the app is built, before gunicorn forks the workers.

    The preloaded app holds ~70k Python objects (rdflib, Flask, templates); with the default
    thresholds every full collection in a worker walks all of them again. Freezing moves them
    out of the collector's reach (and keeps their pages shared after fork).
    """
    import gc

    from narcokg import app as app_module

    original = app_module.create_app

    def create_app(*args, **kwargs):
        app = original(*args, **kwargs)
        gc.collect()
        gc.freeze()
        return app

    app_module.create_app = create_app


PATCHES = {"gc-freeze": _patch_gc_freeze, "in-process": _patch_in_process, "analyse-cache": _patch_analyse, "format-cache": _patch_format, "result-cache": _patch_results,
           "lean-worker": _patch_lean_worker}


def serve(argv: list[str]) -> int:
    for name in filter(None, os.environ.get("NKGBENCH_PATCHES", "").split(",")):
        PATCHES[name]()
    from narcokg import cli

    return cli.main(argv)


def compare(dump: Path, queries: list[str], passes: int, seconds: float) -> None:
    import driver
    import mix
    import peers
    import procs

    probe = mix.BY_NAME["lookup"]
    servers = {}
    try:
        for label, patches in VARIANTS.items():
            port = procs.free_port()
            argv = [sys.executable, str(HERE / "experiments.py"), "serve", "serve", "--host", procs.HOST, "--port",
                    str(port), "--no-build", "--dump", str(dump)]
            servers[label] = procs.launch(f"exp-{len(servers)}", argv, dict(procs.BENCH_ENV, NKGBENCH_PATCHES=patches),
                                          port=port)
        port = procs.free_port()
        servers["ceiling"] = procs.launch("exp-ceiling", peers.ceiling_argv(dump, port), port=port)
        for srv in servers.values():
            procs.wait_answer(srv, probe.text, probe.accept, timeout=120)
        procs.wait_settled(servers["narcokg as is"])
        runs = [(label, srv, False) for label, srv in servers.items()]
        runs.insert(len(VARIANTS) - 1, ("+ result-cache, every request unique (cache-busting)", servers["+ result-cache"],
                                        True))
        print("| variant | query | c | req/s | p50 ms | p99 ms |\n|---|---|---:|---:|---:|---:|")
        for qname in queries:
            q = mix.BY_NAME[qname]
            for c in (1, 8):
                for label, srv, bust in runs:
                    r = driver.measure(driver.Target(srv.port), q, c, passes=passes, seconds=seconds, bust=bust)
                    print(f"| {label} | {qname} | {c} | {r.rps:,.0f} | {r.p50_ms:.2f} | {r.p99_ms:.2f} |", flush=True)
    finally:
        for srv in servers.values():
            srv.stop()


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "serve":
        sys.exit(serve(sys.argv[2:]))
    import argparse

    ap = argparse.ArgumentParser(description="measure candidate optimisations against narcokg as is and the ceiling")
    ap.add_argument("what", choices=["compare"])
    ap.add_argument("--dump", type=Path, default=HERE / "out" / "snapshot" / "narcokg.nq",
                    help="default: the snapshot run_all.py built last")
    ap.add_argument("--queries", nargs="+", default=["lookup", "join"])
    ap.add_argument("--passes", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=1.5)
    args = ap.parse_args()
    compare(args.dump.resolve(), args.queries, args.passes, args.seconds)
