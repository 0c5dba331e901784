"""What an entity page shows, computed from the store: a plain model the template renders.

Every statement carries citations: the named graph it comes from becomes a numbered source
(the source document ``id/source/{slug}`` of graph ``graph/{slug}``, or the reference data),
listed with the document's full citation, the locations in it and the evidence quotes;
statements only the reasoner adds are marked as inferred. Source conflicts, agreements
(parties and signing events), statistics (``entitydata``) and validation results get their own
sections (``entitysections``); "cite this" and "query this" close the page.

Size: ~420 lines, the builder's reading of the store; the incoming links, the sections, the
dataset table and charts and the model are modules of their own.
"""

from __future__ import annotations

from dataclasses import replace

import pyoxigraph as ox

from narcokg import release as rel
from narcokg import vocab as px
from narcokg.engine.base import Engine
from narcokg.engine.lookup import quads
from narcokg.html import citeformats, entitylinks, entitysections, queries
from narcokg.html.citation import CitationReader
from narcokg.html.entitydata import dataset_view
from narcokg.html.entitymodel import (
    DESCRIPTIONS,
    INTEGER_TYPES,
    CiteBlock,
    EntityPage,
    Row,
    Source,
    Value,
    sorted_quads,
)
from narcokg.html.i18n import marked
from narcokg.html.labels import Labels, format_number, pick_literal, t
from narcokg.iris import GENID, IriMap

NKG_LOCAL = "ontology#"

#: Predicates shown first (names, then descriptions); provenance at the end.
_ORDER_FIRST = [
    px.SKOS.prefLabel,
    px.RDFS.label,
    px.SKOS.altLabel,
    px.DCTERMS.term("title"),
    px.RDFS.comment,
    px.DCTERMS.description,
    px.SKOS.definition,
]
_ORDER_LAST = [px.PROV.wasDerivedFrom, px.RDFS.seeAlso, px.OWL.sameAs, px.SKOS.exactMatch, px.SKOS.closeMatch]
#: Kept in the data for search (misspellings, variants), never shown to readers.
_NEVER_SHOWN = {px.SKOS.hiddenLabel}
#: Named graphs that are not documents, by slug: where a reader learns about them.
_SPECIAL_GRAPHS = {
    "reference": None,
    "ledger": None,
    "ontology": "/ontology",
    "shapes": "/shapes",
    "validation": "/shacl",
}


def _graph_of(q: ox.Quad) -> str:
    return q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else ""


class EntityBuilder:
    """Builds the ``EntityPage`` of one resource; one instance per request."""

    def __init__(
        self,
        store: Engine,
        base: str,
        iris: IriMap,
        labels: Labels,
        lang: str,
        release: rel.Release | None = None,
        memo: dict | None = None,
    ):
        self.store = store
        self.base = base
        self.iris = iris
        self.labels = labels
        self.lang = lang
        self.release = release or rel.Release(version=rel.package_version(), date="1970-01-01")
        self.nkg = base + NKG_LOCAL
        self.prefixes = labels.prefixes
        self.sources: dict[str, Source] = {}
        #: Per process and language when the server gives one: what a named graph's source is
        #: (its label and full citation) does not change while a snapshot is served.
        self.memo = {} if memo is None else memo
        self._cite_memo: dict[tuple[str, ...], tuple[list[int], bool]] = {}
        self._statements: dict[str, list[ox.Quad]] = {}
        self._links_in: dict[str, list[ox.Quad]] = {}
        self.citations = CitationReader(store, base, iris, labels, lang)

    # Names ----------------------------------------------------------------------
    def is_genid(self, iri: str) -> bool:
        return iri.startswith(self.base + GENID)

    def name(self, iri: str) -> str:
        """Label of an IRI; an unlabelled skolem node is named by its type and its parent."""
        known = self.labels.known(iri)
        if known:
            return known
        return self._node_name(iri) if self.is_genid(iri) else self.labels(iri)

    def _node_name(self, iri: str) -> str:
        node = ox.NamedNode(iri)
        kinds = [
            q.object.value
            for q in sorted_quads(quads(self.store, node, ox.NamedNode(px.RDF.type), None, None))
            if isinstance(q.object, ox.NamedNode) and q.object.value.startswith(self.nkg)
        ]
        kind = self.labels(kinds[0]) if kinds else t("node", self.lang)
        for q in sorted_quads(quads(self.store, None, None, node, None)):
            if isinstance(q.subject, ox.NamedNode) and q.subject.value != iri:
                return f"{kind} · {self.labels(q.subject.value)}"
        return kind

    def link(self, iri: str, **extra) -> Value:
        text, href, text_lang, _folded = self._link_parts(iri)
        return Value(text=text, iri=iri, href=href, text_lang=text_lang, **extra)

    def _link_parts(self, iri: str) -> tuple[str, str, str, str]:
        """A link's name, href, label language and name casefolded (what sorts it), read once
        per process and language when the server gives a memo (a hub links to and from the
        same resources as other pages do)."""
        key = ("link", iri)
        found = self.memo.get(key)
        if found is None:
            text_lang = self.labels.language_of(iri) if self.labels.known(iri) else ""
            name = self.name(iri)
            found = self.memo[key] = (name, self.iris.href(iri), text_lang, name.casefold())
        return found

    def literal(self, lit: ox.Literal, **extra) -> Value:
        dt = lit.datatype.value if lit.datatype is not None else None
        text = lit.value
        if dt in INTEGER_TYPES and lit.language is None:
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
        if graph not in self.sources:
            self.sources[graph] = self._new_source(graph)
        return self.sources[graph]

    def _new_source(self, graph: str) -> Source:
        known = self.memo.get(("source", graph))
        if known is None:
            known = self.memo[("source", graph)] = self._read_source(graph)
        return replace(known, number=len(self.sources) + 1, locations=[], evidence=[])

    def _read_source(self, graph: str) -> Source:
        prefix = self.base + "graph/"
        slug = graph[len(prefix) :] if graph.startswith(prefix) else None
        src = Source(number=len(self.sources) + 1, graph=graph, kind="other", label=self.labels(graph))
        if slug in _SPECIAL_GRAPHS:
            src.kind, src.label, src.href = slug, t("source." + slug, self.lang), _SPECIAL_GRAPHS[slug]
        elif slug and self._exists(self.base + "id/source/" + slug):
            doc = self.base + "id/source/" + slug
            src.kind, src.label, src.href = "document", self.name(doc), self.iris.href(doc)
            src.citation = self.citations.document(doc)
            src.citation_text = citeformats.text(src.citation, self.lang)
            src.cite_path = self.iris.resource_path(doc)
        return src

    def _exists(self, iri: str) -> bool:
        return any(True for _ in quads(self.store, ox.NamedNode(iri), None, None, None))

    def _cites(self, graphs: list[str]) -> tuple[list[int], bool]:
        """The source numbers of a statement made in ``graphs``, and whether only the reasoner
        made it (the same graphs recur on most statements of a page: worked out once; the list
        is shared by the values citing the same graphs, which only read it)."""
        key = tuple(graphs)
        found = self._cite_memo.get(key)
        if found is None:
            numbers, asserted = [], False
            for g in graphs:
                src = self.source_of(g)
                if src is None:
                    continue
                asserted = True
                if src.number not in numbers:
                    numbers.append(src.number)
            found = self._cite_memo[key] = (numbers, not asserted)
        return found

    def _note_provenance(self, q: ox.Quad) -> bool:
        """Evidence quotes and locations go to their source, not into the statements."""
        p = q.predicate.value
        if p not in (self.nkg + "evidence", self.nkg + "sourceLocation"):
            return False
        src = self.source_of(_graph_of(q))
        if src is not None and isinstance(q.object, ox.Literal):
            is_quote = p.endswith("evidence")
            bucket = src.evidence if is_quote else src.locations
            item = (q.object.value, q.object.language) if is_quote else q.object.value
            if item not in bucket:
                bucket.append(item)
        return True

    def ledger_locations(self, iri: str) -> None:
        """The lines of each source document that state what the page shows (the source ledger)."""
        for q in sorted_quads(quads(self.store, None, ox.NamedNode(self.nkg + "encodes"), ox.NamedNode(iri), None)):
            passage = q.subject.value if isinstance(q.subject, ox.NamedNode) else None
            docs = entitysections.iris_of(self, passage, self.nkg + "ledgerOf") if passage else []
            lines = (
                [
                    o.value
                    for p in ("startLine", "endLine")
                    for o in self.objects(passage, self.nkg + p)
                    if isinstance(o, ox.Literal)
                ]
                if passage
                else []
            )
            if not docs or not lines:
                continue
            src = self.sources.get(self.base + "graph/" + docs[0].rsplit("/", 1)[-1])
            span = lines[0] if len(set(lines)) == 1 else f"{lines[0]}–{lines[-1]}"
            text = t("cite.line" if len(set(lines)) == 1 else "cite.lines", self.lang) % span
            if src is not None and text not in src.locations:
                src.locations.append(text)

    # Statements ------------------------------------------------------------------
    def _order(self, prop: str, label: str):
        if prop in _ORDER_FIRST:
            return (0, _ORDER_FIRST.index(prop), "")
        if prop in _ORDER_LAST:
            return (3, _ORDER_LAST.index(prop), "")
        return (1 if prop.startswith(self.nkg) else 2, 0, label.casefold())

    def _value_key(self, v: Value):
        return (0 if v.lang == self.lang else 1 if v.lang in (None, "en") else 2, v.inferred, v.text.casefold())

    def statements(self, iri: str) -> list[ox.Quad]:
        """The statements about ``iri`` in the order of ``sorted_quads``, read once per page (the
        page's JSON-LD describes the same resource and nodes: ``resource.embedded``'s ``read``)."""
        found = self._statements.get(iri)
        if found is None:
            found = self._statements[iri] = sorted_quads(quads(self.store, ox.NamedNode(iri), None, None, None))
        return found

    def links_in(self, iri: str) -> list[ox.Quad]:
        """The statements whose object is ``iri``, in the store's order, read once per page (the
        page's JSON-LD names the resources they come from: ``resource.embedded``'s ``links_in``)."""
        found = self._links_in.get(iri)
        if found is None:
            found = self._links_in[iri] = list(quads(self.store, None, None, ox.NamedNode(iri), None))
        return found

    def _grouped(self, iri: str, skip: set[str]) -> dict[str, dict[ox.Term, list[str]]]:
        grouped: dict[str, dict[ox.Term, list[str]]] = {}
        for q in self.statements(iri):
            if self._note_provenance(q):
                continue
            p = q.predicate.value
            if p not in skip and p not in _NEVER_SHOWN:
                grouped.setdefault(p, {}).setdefault(q.object, []).append(_graph_of(q))
        return grouped

    def _value(self, iri: str, p: str, obj: ox.Term, graphs: list[str], depth: int, parent: str | None) -> Value | None:
        cites, inferred = self._cites(graphs)
        if depth and (inferred or (isinstance(obj, ox.NamedNode) and obj.value == parent)):
            return None
        if not isinstance(obj, ox.NamedNode):
            return self.literal(obj, cites=cites, inferred=inferred)
        v = self.link(obj.value, cites=cites, inferred=inferred)
        if depth < 2 and (self.is_genid(obj.value) or p in (self.nkg + "signing", self.nkg + "quantity")):
            v.nested = (
                self.rows(obj.value, depth + 1, parent=iri, skip={px.RDF.type} if self.is_genid(obj.value) else None)
                or None
            )
        return v

    def rows(self, iri: str, depth: int = 0, skip: set[str] | None = None, parent: str | None = None) -> list[Row]:
        """Outgoing statements of ``iri`` grouped by property, values cited, skolem nodes nested.

        Nested nodes (depth > 0) leave out what only the reasoner adds and the link back to
        their parent, which the page already shows.
        """
        out = []
        for p, objects in self._grouped(iri, skip or set()).items():
            values = [
                v
                for obj, graphs in objects.items()
                if (v := self._value(iri, p, obj, graphs, depth, parent)) is not None
            ]
            if values:
                values.sort(key=self._value_key)
                out.append(Row(prop=p, label=self.labels(p), href=self.iris.href(p), values=values))
        out.sort(key=lambda r: self._order(r.prop, r.label))
        return out

    def incoming(self, iri: str, cap: int = 100) -> list[Row]:
        """The statements linking to ``iri``, by property (``entitylinks``)."""
        return entitylinks.incoming(self, iri, cap)

    # Helpers shared with the sections ----------------------------------------------------
    def objects(self, iri: str, prop: str) -> list[ox.Term]:
        return list(
            dict.fromkeys(
                q.object for q in sorted_quads(quads(self.store, ox.NamedNode(iri), ox.NamedNode(prop), None, None))
            )
        )

    def text(self, iri: str, props: list[str]) -> str | None:
        lit = self._text_literal(iri, props)
        return lit.value if lit is not None else None

    def marked_text(self, iri: str, props: list[str]):
        """Like ``text``, with the "only in English" marker when the text is not in the page's
        language (Markup; None when there is no text)."""
        lit = self._text_literal(iri, props)
        if lit is None:
            return None
        return marked(lit.value, (lit.language or "").split("-")[0], self.lang)

    def _text_literal(self, iri: str, props: list[str]) -> ox.Literal | None:
        for p in props:
            lit = pick_literal([o for o in self.objects(iri, p) if isinstance(o, ox.Literal)], self.lang)
            if lit is not None:
                return lit
        return None

    def conflict_nodes(self, iri: str) -> list[str]:
        """The source conflicts about ``iri`` (``nkg:conflictSubject``)."""
        return list(
            dict.fromkeys(
                q.subject.value
                for q in sorted_quads(
                    quads(self.store, None, ox.NamedNode(self.nkg + "conflictSubject"), ox.NamedNode(iri), None)
                )
                if isinstance(q.subject, ox.NamedNode)
            )
        )

    def component_kind(self, prop: str) -> str | None:
        types = {
            q.object.value
            for q in quads(self.store, ox.NamedNode(prop), ox.NamedNode(px.RDF.type), None, None)
            if isinstance(q.object, ox.NamedNode)
        }
        if px.QB.DimensionProperty in types:
            return "dimension"
        if px.QB.MeasureProperty in types:
            return "measure"
        return None

    # The page ------------------------------------------------------------------------
    def _types(self, iri: str) -> tuple[list[Value], list[Value], set[str]]:
        type_quads: dict[str, list[str]] = {}
        for q in sorted_quads(quads(self.store, ox.NamedNode(iri), ox.NamedNode(px.RDF.type), None, None)):
            if isinstance(q.object, ox.NamedNode):
                type_quads.setdefault(q.object.value, []).append(_graph_of(q))
        types, inferred_types = [], []
        for cls, graphs in type_quads.items():
            cites, inferred = self._cites(graphs)
            (inferred_types if inferred else types).append(self.link(cls, cites=cites, inferred=inferred))
        types.sort(key=lambda v: v.text.casefold())
        inferred_types.sort(key=lambda v: v.text.casefold())
        return types, inferred_types, set(type_quads)

    def cite_block(self, iri: str) -> CiteBlock:
        """ "Cite this": a source document or cited work as itself, anything else as an entry of the graph."""
        is_doc = self.citations.is_document(iri)
        c = self.citations.document(iri) if is_doc else self.citations.entity(iri, self.release)
        return CiteBlock(
            heading_key="cite.document" if is_doc else "cite.entity",
            text=citeformats.text(c, self.lang),
            bibtex=citeformats.bibtex(c),
            csl_json=citeformats.csl_json([c]),
            path=self.iris.resource_path(iri) or "",
        )

    def build(self, iri: str) -> EntityPage:
        types, inferred_types, type_iris = self._types(iri)
        all_rows = self.rows(iri, skip={px.RDF.type})
        incoming = self.incoming(iri)
        sections = entitysections.Sections(self, iri)
        self.ledger_locations(iri)
        title = self.name(iri)
        return EntityPage(
            iri=iri,
            public_iri=iri,
            title=title,
            description=self.marked_text(iri, DESCRIPTIONS),
            types=types,
            inferred_types=inferred_types,
            rows=[r for r in all_rows if not all(v.inferred for v in r.values)],
            inferred_rows=[r for r in all_rows if all(v.inferred for v in r.values)],
            incoming=[r for r in incoming if not all(v.inferred for v in r.values)],
            inferred_incoming=[r for r in incoming if all(v.inferred for v in r.values)],
            sources=sorted(self.sources.values(), key=lambda s: s.number),
            conflicts=sections.conflicts(),
            is_conflict=self.nkg + "SourceConflict" in type_iris,
            parties=sections.parties(),
            signings=sections.signings(),
            dataset=dataset_view(self, iri) if px.QB.DataSet in type_iris else None,
            part_of=sections.part_of(),
            findings=sections.findings(),
            cites=[self.cite_block(iri)],
            query=queries.about_entity(iri, title, self.lang),
            title_lang=self.labels.language_of(iri) if self.labels.known(iri) else "",
        )
