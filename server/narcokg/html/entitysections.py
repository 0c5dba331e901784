"""The special sections of an entity page: source conflicts, an agreement's parties and signings,
the data set an observation belongs to, and what the validation found about the resource."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyoxigraph as ox

from narcokg import vocab as px
from narcokg.engine.lookup import quads
from narcokg.html.entitymodel import DESCRIPTIONS, Conflict, Finding, Signing, Value, sorted_quads
from narcokg.html.labels import pick_literal

if TYPE_CHECKING:
    from narcokg.html.entity import EntityBuilder

_SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}


def iris_of(b: "EntityBuilder", iri: str, prop: str) -> list[str]:
    return [o.value for o in b.objects(iri, prop) if isinstance(o, ox.NamedNode)]


class Sections:
    def __init__(self, b: "EntityBuilder", iri: str):
        self.b, self.iri, self.nkg = b, iri, b.nkg

    def _links(self, prop: str) -> list[Value]:
        return [self.b.link(o) for o in iris_of(self.b, self.iri, prop)]

    def parties(self) -> list[Value]:
        return self._links(self.nkg + "party")

    def part_of(self) -> list[Value]:
        return self._links(px.QB.dataSet)

    def conflicts(self) -> list[Conflict]:
        b = self.b
        nodes = list(dict.fromkeys(iris_of(b, self.iri, self.nkg + "hasSourceConflict") + b.conflict_nodes(self.iri)))
        return [
            Conflict(
                label=b.name(c),
                comment=b.marked_text(c, DESCRIPTIONS),
                href=b.iris.href(c),
                kinds=[b.name(k) for k in iris_of(b, c, self.nkg + "conflictType")],
            )
            for c in nodes
        ]

    def _signing(self, e: str) -> Signing:
        b = self.b
        dates = [
            o.value
            for p in ("date", "yearMonth", "year")
            for o in b.objects(e, self.nkg + p)
            if isinstance(o, ox.Literal)
        ]
        return Signing(
            href=b.iris.href(e),
            dates=sorted(set(dates)),
            places=[b.link(o) for o in iris_of(b, e, self.nkg + "place")],
            signatories=[b.link(o) for o in iris_of(b, e, self.nkg + "signatory")],
        )

    def signings(self) -> list[Signing]:
        out = [self._signing(e) for e in iris_of(self.b, self.iri, self.nkg + "signing")]
        out.sort(key=lambda s: s.dates[0] if s.dates else "")
        return out

    def _objects_in(self, node, prop: str, graph) -> list[ox.Term]:
        return [q.object for q in sorted_quads(quads(self.b.store, node, ox.NamedNode(prop), None, graph))]

    def _finding(self, r, graph) -> Finding:
        sev = self._objects_in(r, px.SH.resultSeverity, graph)
        msg = [o for o in self._objects_in(r, px.SH.resultMessage, graph) if isinstance(o, ox.Literal)]
        shape = [o for o in self._objects_in(r, px.SH.sourceShape, graph) if isinstance(o, ox.NamedNode)]
        message = pick_literal(msg, self.b.lang)
        return Finding(
            severity=sev[0].value.rsplit("#", 1)[-1] if sev else "Info",
            message=message.value if message else "",
            shape=self.b.link(shape[0].value) if shape else None,
        )

    def findings(self) -> list[Finding]:
        validation = ox.NamedNode(self.b.base + "graph/validation")
        out = [
            self._finding(q.subject, validation)
            for q in sorted_quads(
                quads(self.b.store, None, ox.NamedNode(px.SH.focusNode), ox.NamedNode(self.iri), validation)
            )
        ]
        out.sort(key=lambda f: (_SEVERITY_ORDER.get(f.severity, 3), f.message))
        return out
