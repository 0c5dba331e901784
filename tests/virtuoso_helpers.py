"""Virtuoso (Debian ``virtuoso-opensource``) for the remote-engine tests: a throwaway instance
(``narcokg.engine.virtuoso_local``) loaded the way a person loads one, with
``narcokg load --engine virtuoso``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from narcokg.engine.virtuoso_local import LocalVirtuoso, unavailable

__all__ = ["LocalVirtuoso", "unavailable", "load", "quads_in_snapshot_graphs"]


def load(
    dist: Path, virtuoso: LocalVirtuoso, *extra: str, env_extra: dict | None = None
) -> subprocess.CompletedProcess:
    """``narcokg load --engine virtuoso`` of the build in ``dist`` into ``virtuoso``."""
    env = dict(os.environ, NARCOKG_DIST=str(dist), **(env_extra or {}))
    return subprocess.run(
        [sys.executable, "-m", "narcokg.cli", "load", "--engine", "virtuoso", "--port", str(virtuoso.sql_port), *extra],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def quads_in_snapshot_graphs(virtuoso: LocalVirtuoso, namespace: str) -> tuple[int, list[str]]:
    """What Virtuoso holds under the snapshot's graph namespace: statements and graphs."""
    from narcokg.engine import virtuoso_load

    graphs = virtuoso_load.graphs_under(virtuoso.connection, namespace)
    return virtuoso_load.count_quads(virtuoso.connection, graphs), graphs
