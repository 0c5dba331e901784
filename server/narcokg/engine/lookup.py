"""Pattern lookups for the pages, through the engine seam (``Engine.quads``)."""

from __future__ import annotations

from typing import Iterator

import pyoxigraph as ox

from narcokg.engine.base import Engine


def quads(engine: Engine, s=None, p=None, o=None, g=None) -> Iterator[ox.Quad]:
    """Quads matching the pattern (None: any), over every named graph."""
    return engine.quads(s, p, o, g)
