"""How a process opens the served data: ``DataSpec`` says where it is, ``open_store`` opens it.

Apart from ``engine.data`` (which decides and builds the data, with the configuration, logging
and subprocess machinery that takes) because a query process needs only this: every module it
imports is memory each of them holds and start-up time each replacement pays
(tests/unit/test_query_process_imports.py).
"""

from __future__ import annotations

import os
from collections import namedtuple

import pyoxigraph as ox

from narcokg.errors import SourceError


class DataSpec(namedtuple("DataSpec", "mode path quads", defaults=(None,))):
    """``mode``: "memory" (the N-Quads file at ``path`` loaded in memory), "disk" (the
    read-only store folder at ``path``) or "oxigraph" (an Oxigraph store loaded by ``oxigraph
    load`` at ``path``, read-only, as ``--engine oxigraph:DIR`` holds it). ``quads``: the quads
    of an on-disk store, recorded when it was built. Counting a RocksDB store reads every quad
    through its block cache, which then stays filled: at 1M triples that left ~34 MiB in each
    process that counted."""

    __slots__ = ()

    def argv(self) -> list[str]:
        return ["--mode", self.mode, "--path", self.path]


def open_store(spec: DataSpec) -> ox.Store:
    """Open the data for queries as ``spec`` says."""
    if spec.mode == "disk":
        return ox.Store.read_only(os.path.join(spec.path, "store"))
    if spec.mode == "oxigraph":
        return ox.Store.read_only(spec.path)
    store = ox.Store()
    try:
        store.bulk_load(path=spec.path, format=ox.RdfFormat.N_QUADS)
    except SyntaxError as exc:
        raise unparseable(os.path.basename(spec.path), exc.msg) from None
    return store


def unparseable(name: str, message: str) -> SourceError:
    """The error for an N-Quads file ``name`` that does not parse, with the parser's ``message``."""
    return SourceError(
        f"{name} is not valid N-Quads: {message}. Fix the file (or serve a build, whose snapshot "
        "narcokg writes itself)."
    )
