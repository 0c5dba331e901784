"""narcokg as it was at another commit, served beside today's on the same dump (peer ``rev:REV``
of ``run_all.py --peers``): how a redesign changed the figures, measured in one run.

The commit is checked out once into ``benchmarks/out/rev-SHA`` (a detached git worktree) and
served from there with its own code (``PYTHONPATH``) and this venv's packages; the dump is the one
today's server gets, given with ``--dump``, so both answer from the same statements.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import procs

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def checkout(rev: str) -> Path:
    """A worktree of ``rev`` (made on first use, reused after)."""
    sha = subprocess.run(
        ["git", "rev-parse", "--verify", f"{rev}^{{commit}}"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    tree = HERE / "out" / f"rev-{sha[:12]}"
    if not (tree / "server" / "narcokg").is_dir():
        subprocess.run(
            ["git", "worktree", "add", "--detach", str(tree), sha], cwd=ROOT, check=True, capture_output=True
        )
    return tree


def start(rev: str, dump: Path, port: int) -> procs.Server:
    """``narcokg serve`` of ``rev`` on ``dump``, with the benchmark's settings (``procs.BENCH_ENV``)."""
    tree = checkout(rev)
    argv = [sys.executable, "-m", "narcokg.cli", "serve", "--host", procs.HOST, "--port", str(port)]
    argv += ["--no-build", "--dump", str(dump)]
    env = dict(procs.BENCH_ENV, PYTHONPATH=str(tree / "server"), NARCOKG_DIST=str(tree / "dist"))
    name = "sbs-rev-" + tree.name.split("-", 1)[1]
    server = procs.launch(name, argv, env, port=port, cwd=tree)
    server.env = env
    return server
