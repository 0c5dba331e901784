"""Pattern lookups in the store for the pages: the one place that touches the engine's API.

Pages need quad patterns (subject, predicate, object, graph) with the graph of each statement,
which the ``Store`` interface does not name yet; keeping every such call here means a different
engine changes one function.
"""
from __future__ import annotations

from typing import Iterator

import pyoxigraph as ox

from narcokg.engine.store import Store


def quads(store: Store, s=None, p=None, o=None, g=None) -> Iterator[ox.Quad]:
    """Quads matching the pattern (None: any), over every named graph."""
    return store.ox.quads_for_pattern(s, p, o, g)
