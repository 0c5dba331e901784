"""The pool of query processes, started for real over pyoxigraph: what a process holds when it
starts, and the start bytes by which the pool tells a death before a query from one during it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

from narcokg.config import load_settings
from narcokg.engine import data
from narcokg.engine.base import QueryJob
from narcokg.engine.pool import QueryPool


def _anon_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("RssAnon:"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no RssAnon for process {pid}")


def _synthetic_dump(path: Path, quads: int = 200_000) -> Path:
    """``quads`` distinct quads over 3 graphs (200k: a store of ~47 MB)."""
    with open(path, "w") as out:
        for i in range(quads):
            out.write(f'<urn:x:s{i % 5000}> <urn:x:p{i % 7}> "value {i}" <urn:x:g{i % 3}> .\n')
    return path


_PREPARE_AND_MEASURE = """
import json, sys
from narcokg.config import load_settings
from narcokg.engine import data

def anon():
    for line in open("/proc/self/status"):
        if line.startswith("RssAnon:"):
            return int(line.split()[1]) / 1024

before = anon()
specs = [data.prepare(load_settings(dump=path, memory_store_max_mb=0)) for path in sys.argv[1:]]
print(json.dumps({"modes": [s.mode for s in specs], "quads": [getattr(s, "quads", None) for s in specs],
                  "before": before, "after": anon()}))
"""


def test_building_the_on_disk_store_leaves_nothing_in_the_server_s_heap(tmp_path):
    """Regression: the server's master bulk-loaded a large dump into the on-disk store itself, and
    what the load allocated stayed in its heap (~280 MiB at 1M triples), inherited by every web
    worker it forked. The store is now built by a child process."""
    # Three dumps (three stores): what a load leaves behind varied from run to run (4-100 MiB at
    # 200k-600k quads); over three loads the old code always kept tens of MiB.
    dump = _synthetic_dump(tmp_path / "synthetic-0.nq")
    dumps = [dump] + [Path(shutil.copyfile(dump, tmp_path / f"synthetic-{i}.nq")) for i in (1, 2)]
    out = subprocess.run(
        [sys.executable, "-c", _PREPARE_AND_MEASURE, *map(str, dumps)], capture_output=True, text=True, check=True
    )
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["modes"] == ["disk"] * 3
    grown = seen["after"] - seen["before"]
    assert grown < 8, f"the process that prepared the stores grew by {grown:.1f} MiB"
    assert seen["quads"] == [200_000] * 3  # counted by the child that built each


def test_a_query_process_does_not_read_the_whole_store_to_start(tmp_path):
    """Counting an on-disk store reads every quad through RocksDB's block cache, which then stays
    filled. Query processes used to count theirs for a log line; at 1M triples each one then held
    ~34 MiB it had no use for. The count is now recorded once, when the store is built, so a
    process that has just started holds less than it does after reading the whole store."""
    dump = _synthetic_dump(tmp_path / "synthetic.nq")  # ~8 MiB of cache when read whole
    settings = load_settings(dump=str(dump), memory_store_max_mb=0)
    spec = data.prepare(settings)
    assert spec.mode == "disk"
    pool = QueryPool(settings, spec=spec, size=1)
    try:
        assert pool.wait_ready(60)
        (pid,) = pool.pids()
        fresh = _anon_mib(pid)
        job = QueryJob(query="SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }", format="json", union=False)
        answer = pool.execute(job.wire())
        assert b'"200000"' in answer.body
        assert pool.pids() == [pid]
        read_whole = _anon_mib(pid)
    finally:
        pool.close()
    assert read_whole - fresh >= 4, f"{fresh:.1f} MiB at start, {read_whole:.1f} MiB after reading every quad"


def test_every_start_byte_is_read_back_so_the_start_pipe_never_fills(built):
    """A query process writes one byte on its start pipe per query; the pool reads them after each
    answer. Unread, they would fill the pipe after 64k queries and the process would block."""
    settings = load_settings(dist=str(built.out_dir))
    pool = QueryPool(settings, spec=data.prepare(settings), size=1)
    try:
        assert pool.wait_ready(60)
        job = QueryJob(query="ASK { ?s ?p ?o }", format="json")
        for _ in range(5):
            assert b"true" in pool.execute(job.wire()).body
        (proc,) = pool._all
        assert proc.sent == 5 and proc.acked == 5
    finally:
        pool.close()


def test_a_query_sent_while_the_first_process_starts_waits_for_it(built):
    """Regression: a query that came while the pool's process was still starting (~0.1 s) waited
    the 50 ms after which a busy pool starts a burst process, and a second process was started
    beside the first: every server kept a burst process after its first query."""
    settings = load_settings(dist=built.out_dir, query_workers=1, query_workers_max=4)
    pool = QueryPool(settings, spec=data.prepare(settings), size=1)
    try:
        job = QueryJob(query="ASK { ?s ?p ?o }", format="json", union=True)
        assert b"true" in pool.execute(job.wire()).body
        time.sleep(0.5)  # a burst process asked for would have started by now
        assert pool.started == 1 and len(pool.pids()) == 1
    finally:
        pool.close()
