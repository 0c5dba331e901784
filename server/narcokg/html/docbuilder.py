"""Turns the terms of one documented graph into ``DocValue``s and ``TermDoc``s (shared by the
ontology and the shapes documentation)."""

from __future__ import annotations

import pyoxigraph as ox

from narcokg import vocab as px
from narcokg.iris import GENID, IriMap
from narcokg.html.labels import Labels, pick_literal
from narcokg.html.docmodel import CODE, DEFINITIONS, NAMES, SHOWN, DocValue, Field, GraphIndex, TermDoc


class DocBuilder:
    """Shared by the ontology and the shapes documentation: turns terms into ``DocValue``s."""

    def __init__(self, index: GraphIndex, namespace: str, iris: IriMap, labels: Labels, lang: str):
        self.g = index
        self.ns = namespace
        self.iris = iris
        self.labels = labels
        self.lang = lang
        self.anchors: dict[str, str] = {}
        #: Predicates listed first inside nested nodes (e.g. a property shape's path).
        self.nested_first: list[str] = [px.SH.path, px.OWL.onProperty]

    def is_node(self, iri: str) -> bool:
        return GENID in iri

    def anchor_for(self, iri: str) -> str:
        if iri.startswith(self.ns) and iri[len(self.ns) :]:
            return iri[len(self.ns) :]
        return px.curie(iri, self.labels.prefixes) or iri

    def name(self, iri: str) -> str:
        lits = [o for p in NAMES for o in self.g.objects(iri, p) if isinstance(o, ox.Literal)]
        chosen = pick_literal(lits, self.lang)
        if chosen is not None:
            return chosen.value
        return self.labels(iri)

    def link(self, iri: str) -> DocValue:
        if iri in self.anchors:
            href = "#" + self.anchors[iri]
        else:
            href = self.iris.href(iri)
        curie = px.curie(iri, px.all_prefixes(self.iris.base))
        has_name = (
            iri in self.anchors
            or self.labels.known(iri)
            or any(isinstance(o, ox.Literal) for p in NAMES for o in self.g.objects(iri, p))
        )
        if curie and not iri.startswith(self.iris.base):
            text = curie
        elif has_name:
            text = self.name(iri)
        else:
            text = curie or iri
        return DocValue(kind="link", text=text, href=href, iri=iri)

    def value(self, term: ox.Term, pred: str = "", depth: int = 0) -> DocValue:
        if isinstance(term, ox.Literal):
            dt = term.datatype.value if term.datatype is not None else None
            shown = None
            if dt and term.language is None and dt not in (px.XSD.string, px.RDF.langString):
                shown = px.curie(dt, px.COMMON) or dt
            return DocValue(
                kind="code" if pred in CODE else "literal", text=term.value, lang=term.language, datatype=shown
            )
        if not isinstance(term, ox.NamedNode):
            return DocValue(kind="literal", text=str(term))
        iri = term.value
        if self.is_node(iri) and depth < 6:
            items = self.as_list(iri)
            if items is not None:
                return DocValue(kind="list", items=[self.value(i, pred, depth + 1) for i in items])
            return DocValue(kind="node", fields=self.fields(iri, skip=set(), depth=depth + 1, first=self.nested_first))
        return self.link(iri)

    def as_list(self, iri: str) -> list[ox.Term] | None:
        """The members of an RDF list starting at ``iri``, or None if it is not a list."""
        items, node, seen = [], iri, set()
        if not self.g.objects(iri, px.RDF.first):
            return None
        while node and node != px.RDF.nil and node not in seen:
            seen.add(node)
            first = self.g.objects(node, px.RDF.first)
            if not first:
                return None
            items.append(first[0])
            rest = self.g.iris(node, px.RDF.rest)
            node = rest[0] if rest else None
        return items

    def fields(self, iri: str, skip: set[str], depth: int = 0, first: list[str] | None = None) -> list[Field]:
        """Every statement of ``iri`` not in ``skip``, grouped by predicate."""
        grouped: dict[str, list[ox.Term]] = {}
        for p, o in self.g.out.get(iri, []):
            if p in skip:
                continue
            grouped.setdefault(p, []).append(o)
        order = first or []

        def key(p):
            return (order.index(p) if p in order else len(order), self.labels(p).casefold())

        out = []
        for p in sorted(grouped, key=key):
            values = [self.value(o, p, depth) for o in grouped[p]]
            values.sort(
                key=lambda v: (v.kind != "link", v.lang not in (self.lang, None), v.text.casefold(), v.iri or "")
            )
            out.append(Field(label=self.labels(p), href=self.iris.href(p), values=values))
        return out

    def texts(self, iri: str, preds: list[str]) -> list[tuple[str, str | None]]:
        lits = [o for p in preds for o in self.g.objects(iri, p) if isinstance(o, ox.Literal)]
        order = {self.lang: 0, "en": 1}
        lits.sort(key=lambda lit: (order.get(lit.language or "", 2), lit.language or "", lit.value))
        return list(dict.fromkeys((lit.value, lit.language) for lit in lits))

    def term(self, iri: str, extra: list[Field], first: list[str]) -> TermDoc:
        kinds = [self.link(k) for k in sorted(self.g.iris(iri, px.RDF.type))]
        definitions = self.texts(iri, DEFINITIONS)
        chosen = pick_literal([ox.Literal(v, language=lg) if lg else ox.Literal(v) for v, lg in definitions], self.lang)
        return TermDoc(
            iri=iri,
            public_iri=iri,
            anchor=self.anchors.get(iri) or self.anchor_for(iri),
            curie=px.curie(iri, px.all_prefixes(self.iris.base)) or iri,
            kinds=kinds,
            label=self.name(iri),
            labels=self.texts(iri, NAMES),
            definition=chosen.value if chosen is not None else None,
            definitions=definitions,
            fields=extra + self.fields(iri, skip=SHOWN, first=first),
        )
