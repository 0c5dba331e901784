"""The statistics section of a ``qb:DataSet`` page: its observations as a table (dimensions,
then measures) and one chart per numeric measure, conflict rows marked in both."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyoxigraph as ox

from narcokg import vocab as px
from narcokg.engine.lookup import quads
from narcokg.html.charts import Series, chart_svg
from narcokg.html.entitymodel import INTEGER_TYPES, ChartPanel, DatasetView, number, sorted_quads
from narcokg.html.labels import format_number, t

if TYPE_CHECKING:
    from narcokg.html.entity import EntityBuilder


class _Table:
    """The observations of one data set, their components and their cells."""

    def __init__(self, b: "EntityBuilder", iri: str):
        self.b = b
        found = {
            q.subject.value
            for q in quads(b.store, None, ox.NamedNode(px.QB.dataSet), ox.NamedNode(iri), None)
            if isinstance(q.subject, ox.NamedNode)
        }
        self.observations = sorted(found)
        self.dims: list[str] = []
        self.measures: list[str] = []
        self.values: dict[str, dict[str, ox.Term]] = {}
        for obs in self.observations:
            self._read(obs)
        self.dims.sort(key=b.labels)
        self.measures.sort(key=b.labels)
        self.observations.sort(key=lambda o: tuple(self.cell(o, d) for d in self.dims) + (o,))

    def _read(self, obs: str) -> None:
        cells = self.values.setdefault(obs, {})
        for q in sorted_quads(quads(self.b.store, ox.NamedNode(obs), None, None, None)):
            p = q.predicate.value
            kind = None if p in cells else self.b.component_kind(p)
            if kind is None:
                continue
            target = self.dims if kind == "dimension" else self.measures
            if p not in target:
                target.append(p)
            cells[p] = q.object

    def cell(self, obs: str, prop: str) -> str:
        term = self.values[obs].get(prop)
        if term is None:
            return ""
        if isinstance(term, ox.NamedNode):
            return self.b.name(term.value)
        if isinstance(term, ox.Literal) and term.datatype is not None and term.datatype.value in INTEGER_TYPES:
            return format_number(term.value, self.b.lang)
        return term.value

    def numeric(self) -> list[str]:
        return [
            m
            for m in self.measures
            if all(
                self.values[o].get(m) is None or number(self.values[o].get(m)) is not None for o in self.observations
            )
        ]


def dataset_view(b: "EntityBuilder", iri: str) -> DatasetView | None:
    """The observations of a qb:DataSet as a table and one chart per numeric measure."""
    table = _Table(b, iri)
    if not table.observations:
        return None
    columns = table.dims + table.measures
    conflicts = {o: [b.link(c) for c in b.conflict_nodes(o)] for o in table.observations}
    rows = [(b.link(obs), [table.cell(obs, c) for c in columns], conflicts[obs]) for obs in table.observations]
    header = [(b.labels(c), b.iris.href(c), c in table.measures) for c in columns]
    return DatasetView(columns=header, rows=rows, charts=_charts(b, iri, table, conflicts))


def _charts(b: "EntityBuilder", iri: str, table: _Table, conflicts: dict) -> list[ChartPanel]:
    """One chart per numeric measure, each on its own scale (a small series is no flat line)."""
    if not table.dims or len(table.observations) < 2:
        return []
    obs = table.observations
    xs = [" ".join(table.cell(o, d) for d in table.dims) for o in obs]
    x_label = " · ".join(b.labels(d) for d in table.dims)
    flags = [bool(conflicts[o]) for o in obs]
    out = []
    for m in table.numeric():
        title = b.labels(m)
        series = [Series(title, [number(table.values[o].get(m)) for o in obs])]
        svg = chart_svg(
            f"{title} — {b.name(iri)}",
            xs,
            series,
            b.lang,
            x_label=x_label,
            y_label=title,
            flags=flags,
            flag_note=t("entity.conflicts", b.lang),
        )
        out.append(ChartPanel(title=title, svg=svg))
    return out
