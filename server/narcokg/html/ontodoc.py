"""Human documentation of the ontology and of the shapes, generated from their own graphs.

Like pyLODE, everything shown comes from the RDF: classes, properties and their hierarchy,
labels in every language, definitions, domains and ranges, inverses, alignments to external
vocabularies; for the shapes, each shape with its targets and constraints. Each term gets an
anchor named after its local name, so ``…/ontology#Term`` lands on it.
"""

from __future__ import annotations

import pyoxigraph as ox

from narcokg import vocab as px
from narcokg.iris import IriMap
from narcokg.html.labels import Labels, format_number, pick_literal, t
from narcokg.html.docmodel import (
    ALIGN,
    CLASS_TYPES,
    INDIVIDUAL_TYPES,
    PROPERTY_TYPES,
    SHOWN,
    ClassData,
    Doc,
    DocValue,
    Field,
    GraphIndex,
    Section,
    TermDoc,
    TreeNode,
)
from narcokg.html.ontodiagram import Diagram, class_diagram
from narcokg.html import queries
from narcokg.html.docbuilder import DocBuilder
from narcokg.html.shapesdoc import shapes_doc

__all__ = ["ClassData", "GraphIndex", "ontology_doc", "shapes_doc"]


def _computed(label: str, values: list[DocValue]) -> list[Field]:
    return [Field(label=label, href=None, values=values)] if values else []


def ontology_doc(
    index: GraphIndex, ontology_iri: str, iris: IriMap, labels: Labels, lang: str, data: ClassData | None = None
) -> Doc:
    return _OntologyDoc(index, ontology_iri, iris, labels, lang, data).doc()


class _OntologyDoc:
    """The documentation of one OWL ontology: its terms by kind, the class tree, the
    alignments to other vocabularies and the namespaces it uses."""

    def __init__(
        self,
        index: GraphIndex,
        ontology_iri: str,
        iris: IriMap,
        labels: Labels,
        lang: str,
        data: ClassData | None = None,
    ):
        self.index, self.iri, self.iris, self.lang = index, ontology_iri, iris, lang
        self.data = data
        self.ns = ontology_iri + "#"
        self.b = b = DocBuilder(index, self.ns, iris, labels, lang)
        named = [x for x in index.typed(CLASS_TYPES) if not b.is_node(x)]
        self.classes = named
        self.properties = [p for p in index.typed(PROPERTY_TYPES) if not b.is_node(p) and p not in named]
        self.individuals = [
            i for i in index.typed(INDIVIDUAL_TYPES) if not b.is_node(i) and i not in named and i not in self.properties
        ]
        listed = set(self.classes) | set(self.properties) | set(self.individuals) | {ontology_iri}
        self.others = [s for s in index.out if not b.is_node(s) and s not in listed]
        for iri in self.classes + self.properties + self.individuals + self.others:
            b.anchors[iri] = b.anchor_for(iri)

    def sort(self, xs):
        return sorted(xs, key=lambda x: (not x.startswith(self.ns), self.b.name(x).casefold(), x))

    def own(self, xs):
        return [x for x in xs if x.startswith(self.ns)]

    def external(self, xs):
        return [x for x in xs if not x.startswith(self.ns)]

    def _links(self, xs) -> list:
        return [self.b.link(s) for s in self.sort(xs)]

    def class_doc(self, c: str) -> TermDoc:
        subjects, lang = self.index.subjects, self.lang
        extra = _computed(t("doc.subclasses", lang), self._links(subjects(px.RDFS.subClassOf, c)))
        extra += _computed(t("doc.in_domain_of", lang), self._links(subjects(px.RDFS.domain, c)))
        extra += _computed(t("doc.in_range_of", lang), self._links(subjects(px.RDFS.range, c)))
        extra += self._class_data(c)
        return _with(self.b.term(c, [], first=[px.RDFS.subClassOf, px.OWL.equivalentClass]), extra)

    def _class_data(self, c: str) -> list[Field]:
        """The class's instances (count, browse link) and the shapes that target it."""
        if self.data is None:
            return []
        n = self.data.counts.get(c, 0)
        href = self.data.browse(c) if n else None
        key = "doc.instance_link" if n == 1 else "doc.instances_link"
        text = t(key, self.lang) % format_number(str(n), self.lang) if n else t("doc.no_instances", self.lang)
        out = [
            Field(
                label=t("doc.instances", self.lang),
                href=None,
                values=[DocValue(kind="link" if href else "literal", text=text, href=href)],
            )
        ]
        shapes = [self.b.link(s) for s in sorted(self.data.shapes.get(c, []))]
        query = queries.instances_of(c, self.b.name(c), self.lang)
        ask = DocValue(kind="link", text=t("query.class", self.lang), href=queries.query_href(self.iris.root, query))
        return out + _computed(t("doc.shapes_for", self.lang), shapes) + _computed(t("query.this", self.lang), [ask])

    def counts(self) -> list[tuple[DocValue, int, str | None]]:
        if self.data is None:
            return []
        rows = [
            (self.b.link(c), self.data.counts.get(c, 0), self.data.browse(c)) for c in self.sort(self.own(self.classes))
        ]
        return [r for r in rows if r[1]]

    def diagram(self) -> Diagram | None:
        if self.data is None:
            return None
        shown = [c for c in self.own(self.classes) if self.data.counts.get(c)]
        return class_diagram(
            self.index,
            shown,
            self.b.name,
            lambda c: "#" + self.b.anchors.get(c, ""),
            t("doc.diagram", self.lang),
            t("doc.subclass_of", self.lang),
        )

    def property_doc(self, p: str) -> TermDoc:
        index, lang = self.index, self.lang
        extra = _computed(t("doc.subproperties", lang), self._links(index.subjects(px.RDFS.subPropertyOf, p)))
        inverse_of = [s for s in index.subjects(px.OWL.inverseOf, p) if s not in index.iris(p, px.OWL.inverseOf)]
        extra += _computed(t("doc.inverse_of", lang), self._links(inverse_of))
        first = [px.RDFS.domain, px.RDFS.range, px.RDFS.subPropertyOf, px.OWL.inverseOf]
        return _with(self.b.term(p, [], first=first), extra)

    def _typed(self, prop: str, kind: str) -> bool:
        return px.OWL + kind in self.index.iris(prop, px.RDF.type)

    def _property_groups(self) -> tuple[list[str], list[str], list[str]]:
        """The ontology's own properties: object, datatype (not also object), and the others."""
        own = self.own
        object_props = own([p for p in self.properties if self._typed(p, "ObjectProperty")])
        data_props = own([p for p in self.properties if self._typed(p, "DatatypeProperty") and p not in object_props])
        other_props = [p for p in own(self.properties) if p not in object_props and p not in data_props]
        return object_props, data_props, other_props

    def _external_docs(self) -> list:
        """Terms of other vocabularies that the ontology describes: classes, properties, the rest."""
        ext, sort = self.external, self.sort
        docs = [self.class_doc(c) for c in sort(ext(self.classes))]
        docs += [self.property_doc(p) for p in sort(ext(self.properties))]
        return docs + [self.b.term(x, [], []) for x in sort(ext(self.individuals) + self.others)]

    def sections(self) -> list[Section]:
        lang, sort = self.lang, self.sort
        object_props, data_props, other_props = self._property_groups()

        def properties(key: str, title: str, props: list[str]) -> Section:
            return Section(key, t(title, lang), [self.property_doc(p) for p in sort(props)])

        sections = [
            Section("classes", t("doc.classes", lang), [self.class_doc(c) for c in sort(self.own(self.classes))]),
            properties("object-properties", "doc.object_properties", object_props),
            properties("datatype-properties", "doc.datatype_properties", data_props),
        ]
        if other_props:
            sections.append(properties("other-properties", "doc.other_properties", other_props))
        if self.individuals:
            individuals = [self.b.term(i, [], []) for i in sort(self.individuals)]
            sections.append(Section("individuals", t("doc.individuals", lang), individuals))
        external = self._external_docs()
        if external:
            sections.append(Section("external", t("doc.external", lang), external))
        return sections

    def tree(self) -> list[TreeNode]:
        """The hierarchy of the ontology's own classes (a class appears under each of its parents)."""
        own_classes = set(self.own(self.classes))
        subclass = px.RDFS.subClassOf

        def subtree(c: str, path: tuple[str, ...]) -> TreeNode:
            kids = [s for s in self.sort(self.index.subjects(subclass, c)) if s in own_classes and s not in path]
            return TreeNode(self.b.link(c), [subtree(k, path + (c,)) for k in kids])

        roots = [c for c in self.sort(own_classes) if not any(p in own_classes for p in self.index.iris(c, subclass))]
        return [subtree(r, ()) for r in roots]

    def alignments(self) -> list[tuple]:
        out = []
        for s in self.sort(self.own(self.classes) + self.own(self.properties)):
            for p in ALIGN:
                out += [
                    (self.b.link(s), self.b.labels(p), self.b.link(o))
                    for o in self.index.iris(s, p)
                    if not o.startswith(self.ns) and not self.b.is_node(o)
                ]
        return out

    def namespaces(self) -> list[tuple[str, str]]:
        used = set()
        for s, pairs in self.index.out.items():
            used.add(s)
            used.update(p for p, _ in pairs)
            used.update(o.value for _, o in pairs if isinstance(o, ox.NamedNode))
        prefixes = px.all_prefixes(self.iris.base)
        return sorted((k, v) for k, v in prefixes.items() if any(u.startswith(v) for u in used))

    def doc(self) -> Doc:
        b, iri = self.b, self.iri
        texts = b.texts(iri, [px.DCTERMS.description, px.RDFS.comment, px.SKOS.definition])
        desc = pick_literal([ox.Literal(v, language=lg) if lg else ox.Literal(v) for v, lg in texts], self.lang)
        return Doc(
            iri=iri,
            public_iri=iri,
            title=b.name(iri),
            description=desc.value if desc is not None else None,
            metadata=list(b.fields(iri, skip=SHOWN)),
            sections=self.sections(),
            tree=self.tree(),
            alignments=self.alignments(),
            namespaces=self.namespaces(),
            diagram=self.diagram(),
            counts=self.counts(),
        )


def _with(term: TermDoc, extra: list[Field]) -> TermDoc:
    term.fields = term.fields + extra
    return term
