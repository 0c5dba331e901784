"""The query engine behind one small interface.

``Store`` wraps an in-memory pyoxigraph store bulk-loaded from the build's N-Quads snapshot.
The application's own, bounded queries (entity pages, search, browsing) run here, in the
web process. Queries sent by clients go through ``narcokg.querypool``, which runs them in
killable, memory-capped processes; only those ``sparqlsyntax`` proves bounded (one triple
pattern with a constant term) run here.

The default graph of every query is the union of all named graphs.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable

import pyoxigraph as ox


class Store:
    def __init__(self, nquads: Path | None = None, ox_store: ox.Store | None = None):
        self.ox = ox_store if ox_store is not None else ox.Store()
        if nquads is not None:
            self.ox.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS)

    def __len__(self) -> int:
        return len(self.ox)

    def select(self, query: str, **bindings) -> list[dict[str, object]]:
        """Rows of a SELECT as dicts of variable name → pyoxigraph term (absent when unbound)."""
        subs = {ox.Variable(k): v for k, v in bindings.items()} if bindings else None
        solutions = self.ox.query(query, use_default_graph_as_union=True, substitutions=subs)
        names = [v.value for v in solutions.variables]
        rows = []
        for sol in solutions:
            row = {}
            for n in names:
                t = sol[n]
                if t is not None:
                    row[n] = t
            rows.append(row)
        return rows

    def ask(self, query: str, **bindings) -> bool:
        subs = {ox.Variable(k): v for k, v in bindings.items()} if bindings else None
        return bool(self.ox.query(query, use_default_graph_as_union=True, substitutions=subs))

    def quads_about(self, iri: str) -> Iterable[ox.Quad]:
        node = ox.NamedNode(iri)
        return self.ox.quads_for_pattern(node, None, None, None)

    def quads_to(self, iri: str) -> Iterable[ox.Quad]:
        node = ox.NamedNode(iri)
        return self.ox.quads_for_pattern(None, None, node, None)

    def graphs(self) -> list[str]:
        return sorted(g.value for g in self.ox.named_graphs() if isinstance(g, ox.NamedNode))
