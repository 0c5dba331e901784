"""What an entity page shows, computed from the store: a plain model the template renders.

Every statement carries citations: the named graph it comes from becomes a numbered source
(the source document ``id/source/{slug}`` of graph ``graph/{slug}``, or the reference data),
listed with the document's location and evidence quotes; statements only the reasoner adds
are marked as inferred. Source conflicts, agreements (parties and signing events),
statistics (dataset table and chart) and validation results get their own sections.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from narcokg import vocab as px
from narcokg.html.charts import Series, chart_svg
from narcokg.iris import GENID, IriMap
from narcokg.html.labels import Labels, format_number, pick_literal, t
from narcokg.engine.base import Engine
from narcokg.engine.lookup import quads

NKG_LOCAL = "ontology#"

_INTEGER_TYPES = {px.XSD + n for n in ("integer", "int", "long", "short", "nonNegativeInteger",
                                        "positiveInteger", "decimal")}


@dataclass
class Source:
    number: int
    graph: str
    kind: str  # document | reference | inferred | ontology | shapes | validation | other
    label: str
    href: str | None = None
    locations: list[str] = field(default_factory=list)
    evidence: list[tuple[str, str | None]] = field(default_factory=list)


@dataclass
class Value:
    text: str
    iri: str | None = None  # shown (public) IRI when the value is an IRI
    href: str | None = None
    lang: str | None = None
    datatype: str | None = None  # CURIE or IRI of a literal's datatype
    cites: list[int] = field(default_factory=list)
    inferred: bool = False
    nested: list["Row"] | None = None


@dataclass
class Row:
    prop: str
    label: str
    href: str
    values: list[Value]
    more: int = 0  # values left out (incoming groups are capped)


@dataclass
class Conflict:
    label: str
    comment: str | None
    href: str
    kinds: list[str]


@dataclass
class Signing:
    href: str
    dates: list[str]
    places: list[Value]
    signatories: list[Value]


@dataclass
class ChartPanel:
    title: str
    svg: str


@dataclass
class DatasetView:
    columns: list[tuple[str, str, bool]]  # (label, href, numeric)
    rows: list[tuple[Value, list[str], list[Value]]]  # (observation link, cells, its source conflicts)
    #: One chart per numeric measure: each on its own scale, so a small series is not a flat line.
    charts: list[ChartPanel]

    @property
    def has_conflicts(self) -> bool:
        return any(conflicts for _obs, _cells, conflicts in self.rows)


@dataclass
class Finding:
    severity: str
    message: str
    shape: Value | None


@dataclass
class EntityPage:
    iri: str
    public_iri: str
    title: str
    description: str | None
    types: list[Value]
    inferred_types: list[Value]
    rows: list[Row]
    inferred_rows: list[Row]  # properties with only inferred values
    incoming: list[Row]
    inferred_incoming: list[Row]  # properties whose incoming links are all inferred
    sources: list[Source]
    conflicts: list[Conflict]
    is_conflict: bool
    parties: list[Value]
    signings: list[Signing]
    dataset: DatasetView | None
    part_of: list[Value]
    findings: list[Finding]


#: Predicates shown first (names, then descriptions); provenance at the end.
_ORDER_FIRST = [px.SKOS.prefLabel, px.RDFS.label, px.SKOS.altLabel, px.DCTERMS.term("title"),
                px.RDFS.comment, px.DCTERMS.description, px.SKOS.definition]
_ORDER_LAST = [px.PROV.wasDerivedFrom, px.RDFS.seeAlso, px.OWL.sameAs, px.SKOS.exactMatch,
               px.SKOS.closeMatch]
_DESCRIPTIONS = [px.RDFS.comment, px.DCTERMS.description, px.SKOS.definition]
#: Kept in the data for search (misspellings, variants), never shown to readers.
_NEVER_SHOWN = {px.SKOS.hiddenLabel}


class EntityBuilder:
    """Builds the ``EntityPage`` of one resource; one instance per request."""

    def __init__(self, store: Engine, base: str, iris: IriMap, labels: Labels, lang: str):
        self.store = store
        self.base = base
        self.iris = iris
        self.labels = labels
        self.lang = lang
        self.nkg = base + NKG_LOCAL
        self.prefixes = labels.prefixes
        self.sources: dict[str, Source] = {}
        self._doc_cache: dict[str, tuple[str, str | None]] = {}

    # Names ----------------------------------------------------------------------
    def is_genid(self, iri: str) -> bool:
        return iri.startswith(self.base + GENID)

    def name(self, iri: str) -> str:
        """Label of an IRI; an unlabelled skolem node is named by its type and its parent."""
        known = self.labels.known(iri)
        if known:
            return known
        if self.is_genid(iri):
            node = ox.NamedNode(iri)
            kinds = [q.object.value for q in _sorted(quads(self.store, node, ox.NamedNode(px.RDF.type), None, None))
                     if isinstance(q.object, ox.NamedNode) and q.object.value.startswith(self.nkg)]
            kind = self.labels(kinds[0]) if kinds else t("node", self.lang)
            for q in _sorted(quads(self.store, None, None, node, None)):
                if isinstance(q.subject, ox.NamedNode) and q.subject.value != iri:
                    return f"{kind} · {self.labels(q.subject.value)}"
            return kind
        return self.labels(iri)

    def link(self, iri: str, **extra) -> Value:
        return Value(text=self.name(iri), iri=self.iris.to_public(iri), href=self.iris.href(iri), **extra)

    def literal(self, lit: ox.Literal, **extra) -> Value:
        dt = lit.datatype.value if lit.datatype is not None else None
        text = lit.value
        if dt in _INTEGER_TYPES and lit.language is None:
            text = format_number(text, self.lang) if dt != px.XSD.decimal else text
        shown_dt = None
        if dt and lit.language is None and dt not in (px.XSD.string, px.RDF.langString):
            shown_dt = px.curie(dt, self.prefixes) or dt
        return Value(text=text, lang=lit.language, datatype=shown_dt, **extra)

    # Sources ---------------------------------------------------------------------
    def source_of(self, graph: str) -> Source | None:
        """The numbered source of a named graph; None for the reasoner's graph."""
        if graph == self.base + "graph/inferred":
            return None
        if graph in self.sources:
            return self.sources[graph]
        slug = graph[len(self.base + "graph/"):] if graph.startswith(self.base + "graph/") else None
        kind, label, href = "other", self.labels(graph), None
        if slug in ("reference", "ontology", "shapes", "validation"):
            kind, label = slug, t("source." + slug, self.lang)
            href = {"ontology": "/ontology", "shapes": "/shapes", "validation": "/shacl"}.get(slug)
        elif slug:
            doc = self.base + "id/source/" + slug
            if any(True for _ in quads(self.store, ox.NamedNode(doc), None, None, None)):
                kind, label, href = "document", self.name(doc), self.iris.href(doc)
        src = Source(number=len(self.sources) + 1, graph=self.iris.to_public(graph), kind=kind, label=label, href=href)
        self.sources[graph] = src
        return src

    def _cites(self, graphs: list[str]) -> tuple[list[int], bool]:
        numbers, asserted = [], False
        for g in graphs:
            src = self.source_of(g)
            if src is None:
                continue
            asserted = True
            if src.number not in numbers:
                numbers.append(src.number)
        return numbers, not asserted

    # Statements ------------------------------------------------------------------
    def _order(self, prop: str, label: str):
        if prop in _ORDER_FIRST:
            return (0, _ORDER_FIRST.index(prop), "")
        if prop in _ORDER_LAST:
            return (3, _ORDER_LAST.index(prop), "")
        return (1 if prop.startswith(self.nkg) else 2, 0, label.casefold())

    def _value_key(self, v: Value):
        return (0 if v.lang == self.lang else 1 if v.lang in (None, "en") else 2, v.inferred, v.text.casefold())

    def rows(self, iri: str, depth: int = 0, skip: set[str] | None = None, parent: str | None = None) -> list[Row]:
        """Outgoing statements of ``iri`` grouped by property, values cited, skolem nodes nested.

        Nested nodes (depth > 0) leave out what only the reasoner adds and the link back to
        their parent, which the page already shows.
        """
        skip = skip or set()
        grouped: dict[str, dict[ox.Term, list[str]]] = {}
        for q in _sorted(quads(self.store, ox.NamedNode(iri), None, None, None)):
            p = q.predicate.value
            graph = q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else ""
            if p == self.nkg + "evidence" or p == self.nkg + "sourceLocation":
                src = self.source_of(graph)
                if src is not None and isinstance(q.object, ox.Literal):
                    bucket = src.evidence if p.endswith("evidence") else src.locations
                    item = (q.object.value, q.object.language) if p.endswith("evidence") else q.object.value
                    if item not in bucket:
                        bucket.append(item)
                continue
            if p in skip or p in _NEVER_SHOWN:
                continue
            grouped.setdefault(p, {}).setdefault(q.object, []).append(graph)
        out = []
        for p, objects in grouped.items():
            values = []
            for obj, graphs in objects.items():
                cites, inferred = self._cites(graphs)
                if depth and (inferred or (isinstance(obj, ox.NamedNode) and obj.value == parent)):
                    continue
                if isinstance(obj, ox.NamedNode):
                    v = self.link(obj.value, cites=cites, inferred=inferred)
                    if depth < 2 and (self.is_genid(obj.value) or p in self._nest_props()):
                        v.nested = self.rows(obj.value, depth + 1, parent=iri,
                                             skip={px.RDF.type} if self.is_genid(obj.value) else None) or None
                else:
                    v = self.literal(obj, cites=cites, inferred=inferred)
                values.append(v)
            if not values:
                continue
            values.sort(key=self._value_key)
            label = self.labels(p)
            out.append(Row(prop=self.iris.to_public(p), label=label, href=self.iris.href(p), values=values))
        out.sort(key=lambda r: self._order(self.iris.to_canonical(r.prop), r.label))
        return out

    def _nest_props(self) -> set[str]:
        return {self.nkg + "signing", self.nkg + "quantity"}

    def incoming(self, iri: str, cap: int = 100) -> list[Row]:
        validation = self.base + "graph/validation"
        shapes = self.base + "graph/shapes"
        grouped: dict[str, dict[str, list[str]]] = {}
        for q in _sorted(quads(self.store, None, None, ox.NamedNode(iri), None)):
            graph = q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else ""
            if graph == validation or not isinstance(q.subject, ox.NamedNode):
                continue
            if graph == shapes and self.is_genid(q.subject.value):
                continue  # a list cell or constraint node inside a shape: no page a reader wants
            grouped.setdefault(q.predicate.value, {}).setdefault(q.subject.value, []).append(graph)
        out = []
        for p, subjects in grouped.items():
            values = []
            for s, graphs in list(subjects.items())[: cap]:
                cites, inferred = self._cites(graphs)
                values.append(self.link(s, cites=cites, inferred=inferred))
            values.sort(key=lambda v: (v.inferred, v.text.casefold()))
            out.append(Row(prop=self.iris.to_public(p), label=self.labels(p), href=self.iris.href(p),
                           values=values, more=max(0, len(subjects) - cap)))
        out.sort(key=lambda r: (r.label.casefold()))
        return out

    # Special sections ------------------------------------------------------------------
    def _objects(self, iri: str, prop: str) -> list[ox.Term]:
        return list(dict.fromkeys(q.object for q in _sorted(quads(self.store,
            ox.NamedNode(iri), ox.NamedNode(prop), None, None))))

    def _text(self, iri: str, props: list[str]) -> str | None:
        for p in props:
            lit = pick_literal([o for o in self._objects(iri, p) if isinstance(o, ox.Literal)], self.lang)
            if lit is not None:
                return lit.value
        return None

    def conflicts(self, iri: str) -> list[Conflict]:
        nodes = [o.value for o in self._objects(iri, self.nkg + "hasSourceConflict") if isinstance(o, ox.NamedNode)]
        for q in _sorted(quads(self.store, None, ox.NamedNode(self.nkg + "conflictSubject"), ox.NamedNode(iri), None)):
            if isinstance(q.subject, ox.NamedNode) and q.subject.value not in nodes:
                nodes.append(q.subject.value)
        out = []
        for c in nodes:
            kinds = [self.name(o.value) for o in self._objects(c, self.nkg + "conflictType") if isinstance(o, ox.NamedNode)]
            out.append(Conflict(label=self.name(c), comment=self._text(c, _DESCRIPTIONS),
                                href=self.iris.href(c), kinds=kinds))
        return out

    def signings(self, iri: str) -> list[Signing]:
        out = []
        for ev in self._objects(iri, self.nkg + "signing"):
            if not isinstance(ev, ox.NamedNode):
                continue
            e = ev.value
            dates = [o.value for p in ("date", "yearMonth", "year") for o in self._objects(e, self.nkg + p)
                     if isinstance(o, ox.Literal)]
            places = [self.link(o.value) for o in self._objects(e, self.nkg + "place") if isinstance(o, ox.NamedNode)]
            who = [self.link(o.value) for o in self._objects(e, self.nkg + "signatory") if isinstance(o, ox.NamedNode)]
            out.append(Signing(href=self.iris.href(e), dates=sorted(set(dates)), places=places, signatories=who))
        out.sort(key=lambda s: s.dates[0] if s.dates else "")
        return out

    def findings(self, iri: str) -> list[Finding]:
        validation = ox.NamedNode(self.base + "graph/validation")
        out = []
        for q in _sorted(quads(self.store, None, ox.NamedNode(px.SH.focusNode), ox.NamedNode(iri), validation)):
            r = q.subject
            sev = [o for o in self._objects_in(r, px.SH.resultSeverity, validation)]
            msg = [o for o in self._objects_in(r, px.SH.resultMessage, validation) if isinstance(o, ox.Literal)]
            shape = [o for o in self._objects_in(r, px.SH.sourceShape, validation) if isinstance(o, ox.NamedNode)]
            severity = sev[0].value.rsplit("#", 1)[-1] if sev else "Info"
            message = pick_literal(msg, self.lang)
            out.append(Finding(severity=severity, message=message.value if message else "",
                               shape=self.link(shape[0].value) if shape else None))
        order = {"Violation": 0, "Warning": 1, "Info": 2}
        out.sort(key=lambda f: (order.get(f.severity, 3), f.message))
        return out

    def _objects_in(self, node, prop: str, graph) -> list[ox.Term]:
        return [q.object for q in _sorted(quads(self.store, node, ox.NamedNode(prop), None, graph))]

    def dataset(self, iri: str) -> DatasetView | None:
        """The observations of a qb:DataSet as a table (dimensions, then measures) and a chart."""
        observations = [q.subject.value for q in quads(self.store,
            None, ox.NamedNode(px.QB.dataSet), ox.NamedNode(iri), None) if isinstance(q.subject, ox.NamedNode)]
        observations = sorted(set(observations))
        if not observations:
            return None
        dims, measures = [], []
        values: dict[str, dict[str, ox.Term]] = {}
        for obs in observations:
            cells = values.setdefault(obs, {})
            for q in _sorted(quads(self.store, ox.NamedNode(obs), None, None, None)):
                p = q.predicate.value
                if p in cells:
                    continue
                kind = self._component_kind(p)
                if kind == "dimension" and p not in dims:
                    dims.append(p)
                elif kind == "measure" and p not in measures:
                    measures.append(p)
                if kind:
                    cells[p] = q.object
        dims.sort(key=lambda p: self.labels(p))
        measures.sort(key=lambda p: self.labels(p))

        def cell_text(term) -> str:
            if term is None:
                return ""
            if isinstance(term, ox.NamedNode):
                return self.name(term.value)
            if isinstance(term, ox.Literal) and term.datatype is not None and term.datatype.value in _INTEGER_TYPES:
                return format_number(term.value, self.lang)
            return term.value

        def sort_key(obs):
            return tuple(cell_text(values[obs].get(d)) for d in dims) + (obs,)

        observations.sort(key=sort_key)
        conflicts = {o: [self.link(c) for c in self._conflict_nodes(o)] for o in observations}
        rows = [(self.link(obs), [cell_text(values[obs].get(c)) for c in dims + measures], conflicts[obs])
                for obs in observations]
        columns = [(self.labels(c), self.iris.href(c), c in measures) for c in dims + measures]
        charts = []
        numeric = [m for m in measures if all(_number(values[o].get(m)) is not None or values[o].get(m) is None
                                              for o in observations)]
        if dims and numeric and len(observations) > 1:
            xs = [" ".join(cell_text(values[o].get(d)) for d in dims) for o in observations]
            x_label = " · ".join(self.labels(d) for d in dims)
            flags = [bool(conflicts[o]) for o in observations]
            for m in numeric:
                title = self.labels(m)
                svg = chart_svg(f"{title} — {self.name(iri)}", xs, [Series(title, [_number(values[o].get(m)) for o in observations])],
                                self.lang, x_label=x_label, y_label=title, flags=flags,
                                flag_note=t("entity.conflicts", self.lang))
                charts.append(ChartPanel(title=title, svg=svg))
        return DatasetView(columns=columns, rows=rows, charts=charts)

    def _conflict_nodes(self, iri: str) -> list[str]:
        """The source conflicts about ``iri`` (``nkg:conflictSubject``)."""
        return list(dict.fromkeys(
            q.subject.value for q in _sorted(quads(self.store, None, ox.NamedNode(self.nkg + "conflictSubject"),
                                                   ox.NamedNode(iri), None))
            if isinstance(q.subject, ox.NamedNode)))

    def _component_kind(self, prop: str) -> str | None:
        types = {q.object.value for q in quads(self.store,
            ox.NamedNode(prop), ox.NamedNode(px.RDF.type), None, None) if isinstance(q.object, ox.NamedNode)}
        if px.QB.DimensionProperty in types:
            return "dimension"
        if px.QB.MeasureProperty in types:
            return "measure"
        return None

    # The page ------------------------------------------------------------------------
    def build(self, iri: str) -> EntityPage:
        type_quads: dict[str, list[str]] = {}
        for q in _sorted(quads(self.store, ox.NamedNode(iri), ox.NamedNode(px.RDF.type), None, None)):
            if isinstance(q.object, ox.NamedNode):
                type_quads.setdefault(q.object.value, []).append(
                    q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else "")
        types, inferred_types = [], []
        for cls, graphs in type_quads.items():
            cites, inferred = self._cites(graphs)
            v = self.link(cls, cites=cites, inferred=inferred)
            (inferred_types if inferred else types).append(v)
        types.sort(key=lambda v: v.text.casefold())
        inferred_types.sort(key=lambda v: v.text.casefold())
        type_iris = set(type_quads)
        all_rows = self.rows(iri, skip={px.RDF.type})
        rows = [r for r in all_rows if not all(v.inferred for v in r.values)]
        inferred_rows = [r for r in all_rows if all(v.inferred for v in r.values)]
        is_dataset = px.QB.DataSet in type_iris
        incoming = self.incoming(iri)
        part_of = [self.link(o.value) for o in self._objects(iri, px.QB.dataSet) if isinstance(o, ox.NamedNode)]
        return EntityPage(
            iri=iri,
            public_iri=self.iris.to_public(iri),
            title=self.name(iri),
            description=self._text(iri, _DESCRIPTIONS),
            types=types,
            inferred_types=inferred_types,
            rows=rows,
            inferred_rows=inferred_rows,
            incoming=[r for r in incoming if not all(v.inferred for v in r.values)],
            inferred_incoming=[r for r in incoming if all(v.inferred for v in r.values)],
            sources=sorted(self.sources.values(), key=lambda s: s.number),
            conflicts=self.conflicts(iri),
            is_conflict=self.nkg + "SourceConflict" in type_iris,
            parties=[self.link(o.value) for o in self._objects(iri, self.nkg + "party") if isinstance(o, ox.NamedNode)],
            signings=self.signings(iri),
            dataset=self.dataset(iri) if is_dataset else None,
            part_of=part_of,
            findings=self.findings(iri),
        )


def _sorted(quads) -> list[ox.Quad]:
    """Quads in a fixed order, so a page is the same bytes in every worker (stable ETags)."""
    return sorted(quads, key=lambda q: (str(q.subject), q.predicate.value, str(q.object), str(q.graph_name)))


def _number(term) -> float | None:
    if not isinstance(term, ox.Literal) or term.language is not None:
        return None
    try:
        return float(term.value)
    except ValueError:
        return None
