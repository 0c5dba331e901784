"""Where one unique lookup's time goes in narcokg's HTTP worker, end to end.

``python benchmarks/profile_lookup.py [--seconds 10] [--concurrency 1] [--query lookup]``

py-spy cannot read this machine's processes (it fails to find the Python version of its
target), so the profile is taken from inside: the benchmark starts narcokg exactly as
``narcokg serve`` does (same app, same gunicorn options and worker class, via
``narcokg.web.server``), with one HTTP worker, and chains to the worker's start hook a sampler
thread that, every ``--interval`` ms, reads each thread's stack (``sys._current_frames()``) and
its CPU clock (``pthread_getcpuclockid``); a thread whose clock advanced since the last sample
and that is not parked in a wait (``IDLE``) counts one working sample at its current stack. The worker's GIL switch interval is lowered to 0.1 ms so
the sampler sees threads where they run, not only where they release the GIL. wrk sends unique lookups meanwhile. At the end each stack's CPU is attributed to a step
by the innermost frame that belongs to one (``STEPS``: HTTP parsing, WSGI, Flask routing,
parameter reading, analysis, fair use, execution, serialisation, headers, access log, worker
loop …), and each step's share of the working samples is printed, with that share of the CPU
per request (user + system CPU of the server's processes during the measured pass ÷ answers,
from ``/proc``). The query processes are other processes and are not sampled: for a lookup they do no
work, since a *bounded* query runs in the web process.

The sampler costs the worker a little (it takes the GIL each interval), so read the shares,
not the absolute microseconds; the absolute per-request CPU is measured without it by
``scaling.py``. The collapsed stacks (``file:function;…  count``, flame-graph input) are written
to ``benchmarks/out/profile-<query>-c<c>.collapsed``.
"""

from __future__ import annotations

import argparse
import collections
import os
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

#: (step, path fragment, function names or None for any): the innermost frame matching a rule
#: names the step. Ordered: the first matching rule of a frame wins.
STEPS: list[tuple[str, str, set[str] | None]] = [
    ("access log", "gunicorn/glogging.py", None),
    ("access log", "/logging/__init__.py", None),
    ("HTTP parsing", "gunicorn/http/message.py", None),
    ("HTTP parsing", "gunicorn/http/parser.py", None),
    ("HTTP parsing", "gunicorn/http/unreader.py", None),
    ("HTTP parsing", "gunicorn/http/body.py", None),
    ("socket write", "gunicorn/util.py", {"write", "write_nonblock", "sendfile"}),
    ("WSGI (gunicorn environ, response)", "gunicorn/http/wsgi.py", None),
    ("fair use", "narcokg/web/fairuse.py", None),
    ("analysis", "narcokg/engine/syntax.py", None),
    ("result cache", "narcokg/web/resultcache.py", None),
    ("execution (query process hop)", "narcokg/engine/pool.py", None),
    ("execution", "narcokg/engine/", None),
    ("execution", "pyoxigraph", None),
    ("serialisation", "narcokg/formats/", None),
    ("headers, ETag", "narcokg/web/middleware.py", None),
    ("narcokg SPARQL view (rest)", "narcokg/web/sparql.py", None),
    ("narcokg web (other)", "narcokg/web/", None),
    ("parameter reading (werkzeug)", "werkzeug/datastructures", None),
    ("parameter reading (werkzeug)", "werkzeug/urls", None),
    ("parameter reading (werkzeug)", "werkzeug/formparser", None),
    ("parameter reading (werkzeug)", "urllib/parse.py", None),
    ("Flask routing, request and app context", "werkzeug/routing", None),
    ("Flask routing, request and app context", "flask/", None),
    ("Flask routing, request and app context", "werkzeug/", None),
    ("gthread worker loop (accept, poll, keep-alive)", "gunicorn/workers/", None),
    ("thread pool hand-off", "concurrent/futures", None),
]

#: Innermost frames of a thread parked in a wait (the C call it waits in has no frame of its own).
IDLE = {
    ("thread.py", "_worker"),
    ("selectors.py", "select"),
    ("threading.py", "wait"),
    ("queue.py", "get"),
    ("connection.py", "_recv"),
    ("connection.py", "wait"),
    ("socket.py", "accept"),
}


def _step(stack: tuple[tuple[str, str], ...]) -> str:
    for filename, func in reversed(stack):  # innermost first
        for step, frag, funcs in STEPS:
            if frag in filename and (funcs is None or func in funcs):
                return step
    return "other: " + (stack[-1][0].rsplit("/", 1)[-1] + ":" + stack[-1][1] if stack else "?")


class Sampler(threading.Thread):
    def __init__(self, interval: float, out: Path):
        super().__init__(daemon=True, name="nkg-sampler")
        self.interval, self.out = interval, out
        self.stacks: collections.Counter = collections.Counter()
        self.samples = 0
        self.stop = threading.Event()

    def run(self) -> None:
        me = threading.get_ident()
        last: dict[int, int] = {}
        while not self.stop.wait(self.interval):
            self.samples += 1
            for tid, frame in sys._current_frames().items():
                if tid == me:
                    continue
                try:
                    cpu = time.clock_gettime_ns(time.pthread_getcpuclockid(tid))
                except (OSError, OverflowError):
                    continue
                spent, last[tid] = cpu - last.get(tid, cpu), cpu
                if spent <= 0:  # waiting (poll, queue, pipe, lock): no CPU since the last sample
                    continue
                stack = []
                f = frame
                while f is not None:
                    stack.append((f.f_code.co_filename, f.f_code.co_name))
                    f = f.f_back
                stack.reverse()
                if (stack[-1][0].rsplit("/", 1)[-1], stack[-1][1]) in IDLE:
                    # Back in a wait: the CPU it used since the last sample was spent elsewhere.
                    continue
                self.stacks[tuple(stack)] += 1

    def dump(self) -> None:
        with open(self.out, "w") as f:
            f.write(f"# samples {self.samples} interval {self.interval}\n")
            for stack, n in self.stacks.most_common():
                f.write(";".join(f"{fn.rsplit('/', 1)[-1]}:{func}" for fn, func in stack) + f" {n}\n")
                f.write("#full " + ";".join(f"{fn}:{func}" for fn, func in stack) + "\n")


def serve(dump: Path, port: int, interval: float, out: Path) -> int:
    """Run narcokg as ``narcokg serve`` does, one HTTP worker, with the sampler in it."""
    from narcokg.config import load_settings
    from narcokg.engine import data as querydata
    from narcokg.engine import pool as querypool
    from narcokg.web import server
    from narcokg.web.app import create_app

    started = time.perf_counter()
    settings = load_settings(dump=dump, port=port, host="127.0.0.1", web_workers=1)
    querypool.configure(querydata.prepare(settings))
    app = create_app(settings)
    options = server.gunicorn_options(settings, started)
    sampler_box: list[Sampler] = []
    init, exit_ = options["post_worker_init"], options["worker_exit"]

    def post_worker_init(worker):
        init(worker)
        # The sampler must get the GIL soon after it wakes, or it only ever sees threads at the
        # points where they release it (I/O), not where they spend their time.
        sys.setswitchinterval(0.0001)
        s = Sampler(interval, out)
        sampler_box.append(s)
        s.start()

    def worker_exit(srv, worker):
        for s in sampler_box:
            s.stop.set()
            s.join(timeout=2)
            s.dump()
        exit_(srv, worker)

    options.update(post_worker_init=post_worker_init, worker_exit=worker_exit, proc_name="narcokg-profiled")
    server._Gunicorn(app, options).run()
    return 0


def report(collapsed: Path, cpu_us_per_request: float) -> str:
    by_step: collections.Counter = collections.Counter()
    by_frame: collections.Counter = collections.Counter()
    text = collapsed.read_text().splitlines()
    lines = text[1:]
    for short, full in zip(lines[0::2], lines[1::2]):
        n = int(short.rsplit(" ", 1)[1])
        stack = tuple(tuple(x.rsplit(":", 1)) for x in full[6:].split(";"))
        step = _step(stack)
        by_step[step] += n
        by_frame[(step, stack[-1][0].rsplit("/", 1)[-1] + ":" + stack[-1][1])] += n
    total = sum(by_step.values())
    us = lambda n: n / max(1, total) * cpu_us_per_request  # noqa: E731
    rows = ["| step | share of working samples | CPU µs per request |", "|---|---:|---:|"]
    for step, n in by_step.most_common():
        if n:
            rows.append(f"| {step} | {n / total:.1%} | {us(n):.0f} |")
    rows.append(
        f"| **all (CPU of the server's processes ÷ answers, measured pass)** | 100 % | **{cpu_us_per_request:.0f}** |"
    )
    top = ["", "Innermost frames, most sampled:", "", "| step | innermost frame | share |", "|---|---|---:|"]
    for (step, frame), n in by_frame.most_common(25):
        top.append(f"| {step} | `{frame}` | {n / total:.1%} |")
    return "\n".join(rows + top)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--query", default="lookup")
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--concurrency", type=int, default=1)
    ap.add_argument("--interval", type=float, default=1.0, help="sampling interval, ms")
    ap.add_argument("--serve", nargs=3, metavar=("DUMP", "PORT", "OUT"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.serve:
        return serve(Path(args.serve[0]), int(args.serve[1]), args.interval / 1000, Path(args.serve[2]))
    import mix
    import procs
    import run_all
    import wrkdrive

    procs.exit_on_sigterm()
    dump = run_all.snapshot_dump()
    q = mix.BY_NAME[args.query]
    out = HERE / "out" / f"profile-{args.query}-c{args.concurrency}.collapsed"
    out.unlink(missing_ok=True)
    port = procs.free_port()
    srv = procs.launch(
        "profile",
        [sys.executable, __file__, "--interval", str(args.interval), "--serve", str(dump), str(port), str(out)],
        env_extra=dict(procs.BENCH_ENV),
        port=port,
    )
    try:
        procs.wait_answer(srv, q.text, q.accept, timeout=300)
        time.sleep(1.5)  # the query processes start
        wrkdrive.one_pass(port, srv.target(q.text), q.accept, args.concurrency, 2, True)  # warm-up
        import scaling

        cpu0 = scaling.tree_cpu_ticks(srv.proc.pid)
        p = wrkdrive.one_pass(port, srv.target(q.text), q.accept, args.concurrency, args.seconds, True)
        cpu_us = (scaling.tree_cpu_ticks(srv.proc.pid) - cpu0) / scaling.TICK * 1e6 / max(1, p.ok)
    finally:
        srv.stop()
    answered = srv.log_text().count('"GET /sparql')  # the warm-up was sampled too: count from the access log
    print(
        f"Unique `{args.query}` at c={args.concurrency}: {p.rps:,.0f} req/s, p50 {p.p50_ms:.2f} ms during the "
        f"measured pass; {answered:,} requests sampled (warm-up included); load average "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}.\n"
    )
    print(report(out, cpu_us))
    return 0


if __name__ == "__main__":
    sys.exit(main())
