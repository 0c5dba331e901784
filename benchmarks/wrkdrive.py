"""Load generator for the side-by-side table: ``wrk`` (C, epoll) driven from Python.

Why not ``driver.py``: the Python driver spends ~0.1 ms of its own CPU per request and holds the
GIL across its threads, so at 4,000+ req/s on a 2-core machine it takes a core from the
server and caps every fast server (Oxigraph server answers ~5k lookups/s at c=1). wrk spends
a few µs per request, so the figure is the server's. (Debian package ``wrk``.)

Two modes:

* **repeated**: the same GET every time (wrk's static request, no Lua per request): what a
  result cache can answer.
* **unique**: a Lua ``request`` function appends a SPARQL comment to the query text
  (``# <pass nonce>-<thread>-<counter>``): the answer is unchanged but no two requests of any
  pass have the same text, so no cache keyed by the request can answer; every one pays
  parsing and evaluation.

A pass is one wrk run of ``seconds`` with ``concurrency`` keep-alive connections (2 wrk threads
at concurrency ≥ 2, one at 1); ``done`` prints the summary as JSON (requests, errors by kind,
latency p50/p99), parsed into ``driver.PassResult``-like figures. Any non-2xx answer counts as an
error. Loopback only.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import statistics
import subprocess
import tempfile
from dataclasses import dataclass, field

HOST = "127.0.0.1"

_LUA = r"""
local unique = %(unique)s
local base = "%(path)s"
local nonce = "%(nonce)s"
local counter = 0
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

if unique then
  request = function()
    counter = counter + 1
    return wrk.format(nil, base .. "%%0A%%23%%20" .. nonce .. "-" .. tid .. "-" .. counter)
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %%d, "duration_us": %%d, "connect": %%d, "read": %%d, "write": %%d, ' ..
    '"status": %%d, "timeout": %%d, "p50_us": %%.0f, "p99_us": %%.0f}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
"""


def available() -> bool:
    return shutil.which("wrk") is not None


def ensure(say=print) -> bool:
    """Install Debian's wrk when missing (needs root); False if it cannot."""
    if available():
        return True
    say("installing wrk (apt-get) …")
    try:
        subprocess.run(["apt-get", "install", "-y", "wrk"], check=True, capture_output=True, timeout=600)
    except (OSError, subprocess.SubprocessError) as exc:
        say(f"  could not install wrk: {exc}")
    return available()


@dataclass
class Pass:
    ok: int  # answers with a 2xx status
    errors: int  # non-2xx answers and requests that got none (connect, read, write, timeout)
    seconds: float
    p50_ms: float
    p99_ms: float
    #: CPU time the server's processes spent per answer during the pass (set by the caller).
    cpu_ms: float | None = None

    @property
    def rps(self) -> float:
        return self.ok / self.seconds if self.seconds > 0 else 0.0


@dataclass
class Result:
    """Medians over the passes of one query, one mode, one concurrency on one server."""

    query: str
    concurrency: int
    unique: bool
    passes: list[Pass] = field(default_factory=list)

    @property
    def rps(self) -> float:
        return statistics.median(p.rps for p in self.passes) if self.passes else 0.0

    @property
    def p50_ms(self) -> float:
        return statistics.median(p.p50_ms for p in self.passes) if self.passes else float("nan")

    @property
    def p99_ms(self) -> float:
        return statistics.median(p.p99_ms for p in self.passes) if self.passes else float("nan")

    @property
    def cpu_ms(self) -> float | None:
        vals = [p.cpu_ms for p in self.passes if p.cpu_ms is not None]
        return statistics.median(vals) if vals else None

    @property
    def errors(self) -> int:
        return sum(p.errors for p in self.passes)

    def as_dict(self) -> dict:
        return {
            "query": self.query,
            "concurrency": self.concurrency,
            "unique": self.unique,
            "rps": round(self.rps, 1),
            "p50_ms": round(self.p50_ms, 3),
            "p99_ms": round(self.p99_ms, 3),
            "errors": self.errors,
            "cpu_ms_per_request": None if self.cpu_ms is None else round(self.cpu_ms, 3),
            "passes_rps": [round(p.rps, 1) for p in self.passes],
        }


def one_pass(
    port: int, path: str, accept: str, concurrency: int, seconds: int, unique: bool, timeout_s: int = 30
) -> Pass:
    """One wrk run; ``path`` is the full request target, ending in the URL-encoded query text."""
    script = _LUA % {
        "unique": "true" if unique else "false",
        "path": path.replace("\\", "\\\\").replace('"', '\\"'),
        "nonce": f"{random.getrandbits(40):x}",
    }
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
        lua = f.name
    try:
        argv = [
            "wrk",
            "-t",
            str(min(2, concurrency)),
            "-c",
            str(concurrency),
            "-d",
            f"{max(1, int(seconds))}s",
            "--timeout",
            f"{timeout_s}s",
            "-H",
            f"Accept: {accept}",
            "-s",
            lua,
            f"http://{HOST}:{port}{path}",
        ]
        out = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + timeout_s + 30)
    finally:
        os.unlink(lua)
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith("WRKJSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no summary (status {out.returncode}): {out.stderr[-500:]} {out.stdout[-500:]}")
    d = json.loads(line[len("WRKJSON ") :])
    errors = d["status"] + d["connect"] + d["read"] + d["write"] + d["timeout"]
    return Pass(
        ok=d["requests"] - d["status"],
        errors=errors,
        seconds=d["duration_us"] / 1e6,
        p50_ms=d["p50_us"] / 1000,
        p99_ms=d["p99_us"] / 1000,
    )
