"""The incoming links of an entity page: the resources whose statements name it, by property.

A hub is named by a few hundred statements, so this is one Python step per statement on plain
strings: one sort key per quad (not ``str()`` of its terms), a link's name, href and sort key
read from the builder's per-process memo, citations worked out once per set of graphs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyoxigraph as ox

from narcokg.html.entitymodel import Row, Value
from narcokg.iris import GENID

if TYPE_CHECKING:
    from narcokg.html.entity import EntityBuilder


def incoming(b: "EntityBuilder", iri: str, cap: int = 100) -> list[Row]:
    """Rows of linking resources by property (at most ``cap`` each, the rest counted), sorted
    by label; in a row, asserted links before inferred ones, then by name."""
    out = []
    parts, cites_of = b._link_parts, b._cites
    for p, subjects in _groups(b, iri).items():
        keyed = []
        for i, (s, graphs) in enumerate(list(subjects.items())[:cap]):
            cites, inferred = cites_of(graphs)
            text, href, text_lang, folded = parts(s)
            value = Value(text=text, iri=s, href=href, text_lang=text_lang, cites=cites, inferred=inferred)
            keyed.append((inferred, folded, i, value))  # i: ties keep their order, as a stable sort
        keyed.sort()
        out.append(
            Row(
                prop=p,
                label=b.labels(p),
                href=b.iris.href(p),
                values=[k[3] for k in keyed],
                more=max(0, len(subjects) - cap),
            )
        )
    out.sort(key=lambda r: r.label.casefold())
    return out


def _groups(b: "EntityBuilder", iri: str) -> dict[str, dict[str, list[str]]]:
    """property -> linking resource -> the graphs stating the link, in ``sorted_quads``' order;
    validation results and the nodes inside shapes left out."""
    validation, shapes = b.base + "graph/validation", b.base + "graph/shapes"
    genid = b.base + GENID
    found = []
    for q in b.links_in(iri):
        subject = q.subject
        if type(subject) is not ox.NamedNode:
            continue
        g = q.graph_name
        named = type(g) is ox.NamedNode
        graph = g.value if named else ""
        if graph == validation:
            continue
        s = subject.value
        if graph == shapes and s.startswith(genid):
            continue  # a list cell or constraint node inside a shape: no page a reader wants
        # The order of sorted_quads (str of subject, predicate, str of graph; the object is
        # the same on every quad here) as one string: "<s>" sorts as "s>" does, and "\x00"
        # (in no IRI) parts the three as a tuple would.
        p = q.predicate.value
        found.append((f"{s}>\x00{p}\x00<{graph}>" if named else f"{s}>\x00{p}\x00{g}", p, s, graph))
    found.sort()
    grouped: dict[str, dict[str, list[str]]] = {}
    for _key, p, subject_iri, graph in found:
        grouped.setdefault(p, {}).setdefault(subject_iri, []).append(graph)
    return grouped
