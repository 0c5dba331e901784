"""Human documentation of the ontology and of the shapes, generated from their own graphs.

Like pyLODE, everything shown comes from the RDF: classes, properties and their hierarchy,
labels in every language, definitions, domains and ranges, inverses, alignments to external
vocabularies; for the shapes, each shape with its targets and constraints. Each term gets an
anchor named after its local name, so ``…/ontology#Term`` lands on it.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from narcokg import vocab as px
from narcokg.iris import GENID, IriMap
from narcokg.html.labels import Labels, pick_literal, t

CLASS_TYPES = [px.OWL.Class, px.RDFS.Class]
PROPERTY_TYPES = [px.OWL.ObjectProperty, px.OWL.DatatypeProperty, px.OWL.AnnotationProperty,
                  px.RDF.Property, px.QB.DimensionProperty, px.QB.MeasureProperty,
                  px.QB.AttributeProperty, px.OWL.TransitiveProperty, px.OWL.SymmetricProperty,
                  px.OWL.InverseFunctionalProperty, px.OWL.ReflexiveProperty, px.OWL.IrreflexiveProperty,
                  px.OWL.AsymmetricProperty]
INDIVIDUAL_TYPES = [px.OWL.NamedIndividual]
DEFINITIONS = [px.SKOS.definition, px.RDFS.comment, px.DCTERMS.description]
NAMES = [px.RDFS.label, px.SKOS.prefLabel, px.DCTERMS.term("title")]
#: Predicates that the header of a term already shows.
SHOWN = set(NAMES + DEFINITIONS + [px.RDF.type, px.RDFS.isDefinedBy])
CODE = {px.SH.select, px.SH.ask, px.SH.construct, px.SH.update}
ALIGN = [px.RDFS.subClassOf, px.RDFS.subPropertyOf, px.OWL.equivalentClass,
         px.OWL.equivalentProperty, px.RDFS.seeAlso, px.SKOS.exactMatch, px.SKOS.closeMatch,
         px.OWL.sameAs]


@dataclass
class DocValue:
    kind: str  # link | literal | code | list | node
    text: str = ""
    href: str | None = None
    iri: str | None = None
    lang: str | None = None
    datatype: str | None = None
    items: list["DocValue"] = field(default_factory=list)
    fields: list["Field"] = field(default_factory=list)


@dataclass
class Field:
    label: str
    href: str | None
    values: list[DocValue]


@dataclass
class TermDoc:
    iri: str
    public_iri: str
    anchor: str
    curie: str
    kinds: list[DocValue]
    label: str
    labels: list[tuple[str, str | None]]
    definition: str | None
    definitions: list[tuple[str, str | None]]
    fields: list[Field]


@dataclass
class Section:
    key: str
    title: str
    terms: list[TermDoc]


@dataclass
class TreeNode:
    term: DocValue
    children: list["TreeNode"]


@dataclass
class Doc:
    iri: str
    public_iri: str
    title: str
    description: str | None
    metadata: list[Field]
    sections: list[Section]
    tree: list[TreeNode]
    alignments: list[tuple[DocValue, str, DocValue]]
    namespaces: list[tuple[str, str]]


class GraphIndex:
    """The statements of one named graph, by subject and by object."""

    def __init__(self, quads):
        self.out: dict[str, list[tuple[str, ox.Term]]] = {}
        self.inc: dict[str, list[tuple[str, str]]] = {}
        for q in quads:
            if not isinstance(q.subject, ox.NamedNode):
                continue
            s, p, o = q.subject.value, q.predicate.value, q.object
            self.out.setdefault(s, []).append((p, o))
            if isinstance(o, ox.NamedNode):
                self.inc.setdefault(o.value, []).append((s, p))

    def objects(self, s: str, p: str) -> list[ox.Term]:
        return [o for pp, o in self.out.get(s, []) if pp == p]

    def iris(self, s: str, p: str) -> list[str]:
        return [o.value for o in self.objects(s, p) if isinstance(o, ox.NamedNode)]

    def subjects(self, p: str, o: str) -> list[str]:
        return [s for s, pp in self.inc.get(o, []) if pp == p]

    def typed(self, types: list[str]) -> list[str]:
        found = []
        for cls in types:
            found.extend(self.subjects(px.RDF.type, cls))
        return list(dict.fromkeys(found))


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
        if iri.startswith(self.ns) and iri[len(self.ns):]:
            return iri[len(self.ns):]
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
        has_name = iri in self.anchors or self.labels.known(iri) or any(
            isinstance(o, ox.Literal) for p in NAMES for o in self.g.objects(iri, p))
        if curie and not iri.startswith(self.iris.base):
            text = curie
        elif has_name:
            text = self.name(iri)
        else:
            text = curie or self.iris.to_public(iri)
        return DocValue(kind="link", text=text, href=href, iri=self.iris.to_public(iri))

    def value(self, term: ox.Term, pred: str = "", depth: int = 0) -> DocValue:
        if isinstance(term, ox.Literal):
            dt = term.datatype.value if term.datatype is not None else None
            shown = None
            if dt and term.language is None and dt not in (px.XSD.string, px.RDF.langString):
                shown = px.curie(dt, px.COMMON) or dt
            return DocValue(kind="code" if pred in CODE else "literal", text=term.value, lang=term.language, datatype=shown)
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
            values.sort(key=lambda v: (v.kind != "link", v.lang not in (self.lang, None), v.text.casefold(), v.iri or ""))
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
            public_iri=self.iris.to_public(iri),
            anchor=self.anchors.get(iri) or self.anchor_for(iri),
            curie=px.curie(iri, px.all_prefixes(self.iris.base)) or iri,
            kinds=kinds,
            label=self.name(iri),
            labels=self.texts(iri, NAMES),
            definition=chosen.value if chosen is not None else None,
            definitions=definitions,
            fields=extra + self.fields(iri, skip=SHOWN, first=first),
        )


def _computed(label: str, values: list[DocValue]) -> list[Field]:
    return [Field(label=label, href=None, values=values)] if values else []


def ontology_doc(index: GraphIndex, ontology_iri: str, iris: IriMap, labels: Labels, lang: str) -> Doc:
    return _OntologyDoc(index, ontology_iri, iris, labels, lang).doc()


class _OntologyDoc:
    """The documentation of one OWL ontology: its terms by kind, the class tree, the
    alignments to other vocabularies and the namespaces it uses."""

    def __init__(self, index: GraphIndex, ontology_iri: str, iris: IriMap, labels: Labels, lang: str):
        self.index, self.iri, self.iris, self.lang = index, ontology_iri, iris, lang
        self.ns = ontology_iri + "#"
        self.b = b = DocBuilder(index, self.ns, iris, labels, lang)
        named = [x for x in index.typed(CLASS_TYPES) if not b.is_node(x)]
        self.classes = named
        self.properties = [p for p in index.typed(PROPERTY_TYPES) if not b.is_node(p) and p not in named]
        self.individuals = [i for i in index.typed(INDIVIDUAL_TYPES)
                            if not b.is_node(i) and i not in named and i not in self.properties]
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
        return _with(self.b.term(c, [], first=[px.RDFS.subClassOf, px.OWL.equivalentClass]), extra)

    def property_doc(self, p: str) -> TermDoc:
        index, lang = self.index, self.lang
        extra = _computed(t("doc.subproperties", lang), self._links(index.subjects(px.RDFS.subPropertyOf, p)))
        inverse_of = [s for s in index.subjects(px.OWL.inverseOf, p) if s not in index.iris(p, px.OWL.inverseOf)]
        extra += _computed(t("doc.inverse_of", lang), self._links(inverse_of))
        first = [px.RDFS.domain, px.RDFS.range, px.RDFS.subPropertyOf, px.OWL.inverseOf]
        return _with(self.b.term(p, [], first=first), extra)

    def _typed(self, prop: str, kind: str) -> bool:
        return px.OWL + kind in self.index.iris(prop, px.RDF.type)

    def sections(self) -> list[Section]:
        lang, own, sort = self.lang, self.own, self.sort
        object_props = own([p for p in self.properties if self._typed(p, "ObjectProperty")])
        data_props = own([p for p in self.properties if self._typed(p, "DatatypeProperty") and p not in object_props])
        other_props = [p for p in own(self.properties) if p not in object_props and p not in data_props]
        sections = [
            Section("classes", t("doc.classes", lang), [self.class_doc(c) for c in sort(own(self.classes))]),
            Section("object-properties", t("doc.object_properties", lang), [self.property_doc(p) for p in sort(object_props)]),
            Section("datatype-properties", t("doc.datatype_properties", lang), [self.property_doc(p) for p in sort(data_props)]),
        ]
        if other_props:
            sections.append(Section("other-properties", t("doc.other_properties", lang),
                                    [self.property_doc(p) for p in sort(other_props)]))
        if self.individuals:
            sections.append(Section("individuals", t("doc.individuals", lang),
                                    [self.b.term(i, [], []) for i in sort(self.individuals)]))
        ext = self.external
        external = [self.class_doc(c) for c in sort(ext(self.classes))] + [self.property_doc(p) for p in sort(ext(self.properties))]
        external += [self.b.term(x, [], []) for x in sort(ext(self.individuals) + self.others)]
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
                out += [(self.b.link(s), self.b.labels(p), self.b.link(o)) for o in self.index.iris(s, p)
                        if not o.startswith(self.ns) and not self.b.is_node(o)]
        return out

    def namespaces(self) -> list[tuple[str, str]]:
        used = set()
        for s, pairs in self.index.out.items():
            used.add(s)
            used.update(p for p, _ in pairs)
            used.update(o.value for _, o in pairs if isinstance(o, ox.NamedNode))
        prefixes = px.all_prefixes(self.iris.public or self.iris.base)
        return sorted((k, v) for k, v in prefixes.items() if any(u.startswith(self.iris.to_canonical(v)) for u in used))

    def doc(self) -> Doc:
        b, iri = self.b, self.iri
        texts = b.texts(iri, [px.DCTERMS.description, px.RDFS.comment, px.SKOS.definition])
        desc = pick_literal([ox.Literal(v, language=lg) if lg else ox.Literal(v) for v, lg in texts], self.lang)
        return Doc(iri=iri, public_iri=self.iris.to_public(iri), title=b.name(iri),
                   description=desc.value if desc is not None else None,
                   metadata=list(b.fields(iri, skip=SHOWN)), sections=self.sections(),
                   tree=self.tree(), alignments=self.alignments(), namespaces=self.namespaces())


def _with(term: TermDoc, extra: list[Field]) -> TermDoc:
    term.fields = term.fields + extra
    return term


def shapes_doc(index: GraphIndex, shapes_iri: str, iris: IriMap, labels: Labels, lang: str) -> Doc:
    ns = shapes_iri + "#"
    b = DocBuilder(index, ns, iris, labels, lang)
    node_shapes = [s for s in index.typed([px.SH.NodeShape]) if not b.is_node(s)]
    prop_shapes = [s for s in index.typed([px.SH.PropertyShape]) if not b.is_node(s) and s not in node_shapes]
    others = [s for s in index.out if not b.is_node(s) and s not in node_shapes and s not in prop_shapes
              and s != shapes_iri]
    for s in node_shapes + prop_shapes + others:
        b.anchors[s] = b.anchor_for(s)
    first = [px.SH.targetClass, px.SH.targetNode, px.SH.targetSubjectsOf, px.SH.targetObjectsOf,
             px.SH.path, px.SH.severity, px.SH.message, px.SH.property, px.SH.sparql]

    def sort(xs):
        return sorted(xs, key=lambda x: (b.name(x).casefold(), x))

    sections = [Section("node-shapes", t("doc.node_shapes", lang), [b.term(s, [], first) for s in sort(node_shapes)])]
    if prop_shapes:
        sections.append(Section("property-shapes", t("doc.property_shapes", lang), [b.term(s, [], first) for s in sort(prop_shapes)]))
    if others:
        sections.append(Section("other", t("doc.other_terms", lang), [b.term(s, [], first) for s in sort(others)]))
    meta = b.fields(shapes_iri, skip=SHOWN) if shapes_iri in index.out else []
    texts = b.texts(shapes_iri, [px.DCTERMS.description, px.RDFS.comment])
    prefixes = px.all_prefixes(iris.public or iris.base)
    return Doc(iri=shapes_iri, public_iri=iris.to_public(shapes_iri),
               title=b.name(shapes_iri) if shapes_iri in index.out else t("doc.shapes_title", lang),
               description=texts[0][0] if texts else None, metadata=meta, sections=sections, tree=[],
               alignments=[], namespaces=sorted((k, v) for k, v in prefixes.items() if k in ("sh", "nkg", "shape")))
