"""The class diagram of /ontology as server-drawn SVG, with the same content as text.

Legible at any width without a layout engine: the ontology's classes that have instances are
rows of an indented tree (a class under its superclass, solid connectors), and each object
property is a dashed arc on the right from its domain's row to its range's row, labelled at its
apex. Of two inverse properties only one is drawn: the arc says the same either way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from typing import Callable

from markupsafe import Markup

from narcokg import vocab as px

ROW, INDENT, CHAR, PAD = 30, 22, 7.2, 10
ARC_GAP = 26


@dataclass
class Diagram:
    svg: Markup
    #: The same content as sentences ("State — subclass of → Actor"), for the text alternative.
    lines: list[str] = field(default_factory=list)


class _Layout:
    """Rows of the class tree (depth-first, a class under its first shown superclass)."""

    def __init__(self, classes: list[str], parents: dict[str, list[str]], name: Callable[[str], str]):
        self.name = name
        shown = set(classes)
        self.parent = {c: next((p for p in parents.get(c, []) if p in shown and p != c), None) for c in classes}
        self.rows: list[tuple[str, int]] = []
        for root in sorted((c for c in classes if self.parent[c] is None), key=lambda c: name(c).casefold()):
            self._walk(root, 0, set())
        self.index = {c: i for i, (c, _) in enumerate(self.rows)}

    def _walk(self, c: str, depth: int, path: set[str]) -> None:
        if c in path or c in {r for r, _ in self.rows}:
            return
        self.rows.append((c, depth))
        kids = sorted((k for k, p in self.parent.items() if p == c), key=lambda k: self.name(k).casefold())
        for k in kids:
            self._walk(k, depth + 1, path | {c})

    def right(self, c: str) -> float:
        depth = dict(self.rows)[c]
        return PAD + depth * INDENT + len(self.name(c)) * CHAR + 16


def _edges(index, shown: set[str]) -> list[tuple[str, str, str]]:
    """(property, domain, range) of the object properties between shown classes, one per inverse pair."""
    out, skipped = [], set()
    for p in sorted(index.typed([px.OWL.ObjectProperty])):
        if p in skipped:
            continue
        skipped.update(index.iris(p, px.OWL.inverseOf) + index.subjects(px.OWL.inverseOf, p))
        for d in index.iris(p, px.RDFS.domain):
            out += [(p, d, r) for r in index.iris(p, px.RDFS.range) if d in shown and r in shown]
    return out


def class_diagram(
    index, classes: list[str], name: Callable[[str], str], href: Callable[[str], str], title: str, subclass_word: str
) -> Diagram:
    """The diagram of ``classes`` (IRIs) with the subclass and object-property edges of ``index``."""
    parents = {c: index.iris(c, px.RDFS.subClassOf) for c in classes}
    layout = _Layout(classes, parents, name)
    edges = _edges(index, set(layout.index))
    x0 = max((layout.right(c) for c, _ in layout.rows), default=200) + 10
    width = x0 + ARC_GAP * (len(edges) + 1) + 170
    height = ROW * len(layout.rows) + 2 * PAD
    parts = [_head(width, height, title, len(layout.rows), len(edges))]
    parts += [_row(c, depth, i, layout, name, href) for i, (c, depth) in enumerate(layout.rows)]
    lines = [f"{name(c)} — {subclass_word} → {name(layout.parent[c])}" for c, _ in layout.rows if layout.parent[c]]
    for k, (p, d, r) in enumerate(edges):
        parts.append(_arc(layout.index[d], layout.index[r], x0, ARC_GAP * (k + 1), name(p)))
        lines.append(f"{name(d)} — {name(p)} → {name(r)}")
    parts.append("</svg>")
    return Diagram(svg=Markup("".join(parts)), lines=lines)


def _y(i: int) -> float:
    return PAD + ROW * i + ROW / 2


def _head(width: float, height: float, title: str, n_classes: int, n_edges: int) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="class-diagram-svg" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'role="img" aria-labelledby="cd-title cd-desc">'
        f'<title id="cd-title">{escape(title)}</title>'
        f'<desc id="cd-desc">{n_classes} classes, {n_edges} object properties; the same as text below.</desc>'
        '<defs><marker id="cd-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#1f4e79"/></marker></defs>'
        f'<rect width="{width:.0f}" height="{height:.0f}" fill="#ffffff"/>'
    )


def _row(c: str, depth: int, i: int, layout: _Layout, name, href) -> str:
    x, y = PAD + depth * INDENT, _y(i)
    w = len(name(c)) * CHAR + 16
    out = ""
    parent = layout.parent[c]
    if parent is not None:
        px_, py = PAD + (depth - 1) * INDENT + 8, _y(layout.index[parent]) + 11
        out += f'<path d="M{px_:.1f},{py:.1f} V{y:.1f} H{x:.1f}" fill="none" stroke="#555555" stroke-width="1.5"/>'
    return out + (
        f'<a href="{escape(href(c))}"><rect x="{x:.1f}" y="{y - 11:.1f}" width="{w:.1f}" height="22" rx="4" '
        f'fill="#eef3f8" stroke="#1f4e79"/><text x="{x + 8:.1f}" y="{y + 4.5:.1f}" font-size="13" '
        f'fill="#111111">{escape(name(c))}</text></a>'
    )


def _arc(i: int, j: int, x0: float, reach: float, label: str) -> str:
    y1, y2 = _y(i), _y(j)
    if i == j:
        y1, y2 = y1 - 6, y1 + 6
    path = f"M{x0:.1f},{y1:.1f} C{x0 + reach:.1f},{y1:.1f} {x0 + reach:.1f},{y2:.1f} {x0:.1f},{y2:.1f}"
    lx, ly = x0 + reach * 0.75 + 3, (y1 + y2) / 2 + 4
    return (
        f'<path d="{path}" fill="none" stroke="#1f4e79" stroke-width="1.4" stroke-dasharray="5 3" '
        f'marker-end="url(#cd-arrow)"><title>{escape(label)}</title></path>'
        f'<text x="{lx:.1f}" y="{ly:.1f}" font-size="11" fill="#1f4e79">{escape(label)}</text>'
    )
