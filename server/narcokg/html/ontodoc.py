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

CLASS_TYPES = [px.OWL + "Class", px.RDFS + "Class"]
PROPERTY_TYPES = [px.OWL + "ObjectProperty", px.OWL + "DatatypeProperty", px.OWL + "AnnotationProperty",
                  px.RDF + "Property", px.QB + "DimensionProperty", px.QB + "MeasureProperty",
                  px.QB + "AttributeProperty", px.OWL + "TransitiveProperty", px.OWL + "SymmetricProperty",
                  px.OWL + "InverseFunctionalProperty", px.OWL + "ReflexiveProperty", px.OWL + "IrreflexiveProperty",
                  px.OWL + "AsymmetricProperty"]
INDIVIDUAL_TYPES = [px.OWL + "NamedIndividual"]
DEFINITIONS = [px.SKOS + "definition", px.RDFS + "comment", px.DCTERMS + "description"]
NAMES = [px.RDFS + "label", px.SKOS + "prefLabel", px.DCTERMS + "title"]
#: Predicates that the header of a term already shows.
SHOWN = set(NAMES + DEFINITIONS + [px.RDF + "type", px.RDFS + "isDefinedBy"])
CODE = {px.SH + "select", px.SH + "ask", px.SH + "construct", px.SH + "update"}
ALIGN = [px.RDFS + "subClassOf", px.RDFS + "subPropertyOf", px.OWL + "equivalentClass",
         px.OWL + "equivalentProperty", px.RDFS + "seeAlso", px.SKOS + "exactMatch", px.SKOS + "closeMatch",
         px.OWL + "sameAs"]


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
            found.extend(self.subjects(px.RDF + "type", cls))
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
        self.nested_first: list[str] = [px.SH + "path", px.OWL + "onProperty"]

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
            if dt and term.language is None and dt not in (px.XSD + "string", px.RDF + "langString"):
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
        if not self.g.objects(iri, px.RDF + "first"):
            return None
        while node and node != px.RDF + "nil" and node not in seen:
            seen.add(node)
            first = self.g.objects(node, px.RDF + "first")
            if not first:
                return None
            items.append(first[0])
            rest = self.g.iris(node, px.RDF + "rest")
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
        kinds = [self.link(k) for k in sorted(self.g.iris(iri, px.RDF + "type"))]
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
    ns = ontology_iri + "#"
    b = DocBuilder(index, ns, iris, labels, lang)
    named = lambda xs: [x for x in xs if not b.is_node(x)]  # noqa: E731
    classes = named(index.typed(CLASS_TYPES))
    properties = [p for p in named(index.typed(PROPERTY_TYPES)) if p not in classes]
    individuals = [i for i in named(index.typed(INDIVIDUAL_TYPES)) if i not in classes and i not in properties]
    listed = set(classes) | set(properties) | set(individuals) | {ontology_iri}
    others = [s for s in named(list(index.out)) if s not in listed and s != ontology_iri]
    for iri in classes + properties + individuals + others:
        b.anchors[iri] = b.anchor_for(iri)

    def sort(xs):
        return sorted(xs, key=lambda x: (not x.startswith(ns), b.name(x).casefold(), x))

    def class_doc(c: str) -> TermDoc:
        extra = []
        extra += _computed(t("doc.subclasses", lang), [b.link(s) for s in sort(index.subjects(px.RDFS + "subClassOf", c))])
        extra += _computed(t("doc.in_domain_of", lang), [b.link(s) for s in sort(index.subjects(px.RDFS + "domain", c))])
        extra += _computed(t("doc.in_range_of", lang), [b.link(s) for s in sort(index.subjects(px.RDFS + "range", c))])
        return _with(b.term(c, [], first=[px.RDFS + "subClassOf", px.OWL + "equivalentClass"]), extra)

    def property_doc(p: str) -> TermDoc:
        extra = []
        extra += _computed(t("doc.subproperties", lang), [b.link(s) for s in sort(index.subjects(px.RDFS + "subPropertyOf", p))])
        inverse_of = [s for s in index.subjects(px.OWL + "inverseOf", p) if s not in index.iris(p, px.OWL + "inverseOf")]
        extra += _computed(t("doc.inverse_of", lang), [b.link(s) for s in sort(inverse_of)])
        return _with(b.term(p, [], first=[px.RDFS + "domain", px.RDFS + "range", px.RDFS + "subPropertyOf",
                                          px.OWL + "inverseOf"]), extra)

    sections = []
    own = lambda xs: [x for x in xs if x.startswith(ns)]  # noqa: E731
    ext = lambda xs: [x for x in xs if not x.startswith(ns)]  # noqa: E731
    sections.append(Section("classes", t("doc.classes", lang), [class_doc(c) for c in sort(own(classes))]))
    object_props = own([p for p in properties if px.OWL + "ObjectProperty" in index.iris(p, px.RDF + "type")])
    data_props = own([p for p in properties if px.OWL + "DatatypeProperty" in index.iris(p, px.RDF + "type")
                      and p not in object_props])
    other_props = [p for p in own(properties) if p not in object_props and p not in data_props]
    sections.append(Section("object-properties", t("doc.object_properties", lang), [property_doc(p) for p in sort(object_props)]))
    sections.append(Section("datatype-properties", t("doc.datatype_properties", lang), [property_doc(p) for p in sort(data_props)]))
    if other_props:
        sections.append(Section("other-properties", t("doc.other_properties", lang), [property_doc(p) for p in sort(other_props)]))
    if individuals:
        sections.append(Section("individuals", t("doc.individuals", lang), [b.term(i, [], []) for i in sort(individuals)]))
    external = [class_doc(c) for c in sort(ext(classes))] + [property_doc(p) for p in sort(ext(properties))]
    external += [b.term(x, [], []) for x in sort(ext(individuals) + others)]
    if external:
        sections.append(Section("external", t("doc.external", lang), external))

    # Hierarchy of the ontology's own classes (a class appears under each of its parents).
    own_classes = set(own(classes))

    def subtree(c: str, path: tuple[str, ...]) -> TreeNode:
        kids = [s for s in sort(index.subjects(px.RDFS + "subClassOf", c)) if s in own_classes and s not in path]
        return TreeNode(b.link(c), [subtree(k, path + (c,)) for k in kids])

    roots = [c for c in sort(own_classes) if not any(p in own_classes for p in index.iris(c, px.RDFS + "subClassOf"))]
    tree = [subtree(r, ()) for r in roots]

    alignments = []
    for s in sort(own(classes) + own(properties)):
        for p in ALIGN:
            for o in index.iris(s, p):
                if not o.startswith(ns) and not b.is_node(o):
                    alignments.append((b.link(s), b.labels(p), b.link(o)))

    meta = [f for f in b.fields(ontology_iri, skip=SHOWN)]
    used = set()
    for s, pairs in index.out.items():
        used.add(s)
        for p, o in pairs:
            used.add(p)
            if isinstance(o, ox.NamedNode):
                used.add(o.value)
    prefixes = px.all_prefixes(iris.public or iris.base)
    namespaces = sorted((k, v) for k, v in prefixes.items() if any(u.startswith(iris.to_canonical(v)) for u in used))
    texts = b.texts(ontology_iri, [px.DCTERMS + "description", px.RDFS + "comment", px.SKOS + "definition"])
    desc = pick_literal([ox.Literal(v, language=lg) if lg else ox.Literal(v) for v, lg in texts], lang)
    return Doc(iri=ontology_iri, public_iri=iris.to_public(ontology_iri), title=b.name(ontology_iri),
               description=desc.value if desc is not None else None, metadata=meta, sections=sections,
               tree=tree, alignments=alignments, namespaces=namespaces)


def _with(term: TermDoc, extra: list[Field]) -> TermDoc:
    term.fields = term.fields + extra
    return term


def shapes_doc(index: GraphIndex, shapes_iri: str, iris: IriMap, labels: Labels, lang: str) -> Doc:
    ns = shapes_iri + "#"
    b = DocBuilder(index, ns, iris, labels, lang)
    node_shapes = [s for s in index.typed([px.SH + "NodeShape"]) if not b.is_node(s)]
    prop_shapes = [s for s in index.typed([px.SH + "PropertyShape"]) if not b.is_node(s) and s not in node_shapes]
    others = [s for s in index.out if not b.is_node(s) and s not in node_shapes and s not in prop_shapes
              and s != shapes_iri]
    for s in node_shapes + prop_shapes + others:
        b.anchors[s] = b.anchor_for(s)
    first = [px.SH + "targetClass", px.SH + "targetNode", px.SH + "targetSubjectsOf", px.SH + "targetObjectsOf",
             px.SH + "path", px.SH + "severity", px.SH + "message", px.SH + "property", px.SH + "sparql"]

    def sort(xs):
        return sorted(xs, key=lambda x: (b.name(x).casefold(), x))

    sections = [Section("node-shapes", t("doc.node_shapes", lang), [b.term(s, [], first) for s in sort(node_shapes)])]
    if prop_shapes:
        sections.append(Section("property-shapes", t("doc.property_shapes", lang), [b.term(s, [], first) for s in sort(prop_shapes)]))
    if others:
        sections.append(Section("other", t("doc.other_terms", lang), [b.term(s, [], first) for s in sort(others)]))
    meta = b.fields(shapes_iri, skip=SHOWN) if shapes_iri in index.out else []
    texts = b.texts(shapes_iri, [px.DCTERMS + "description", px.RDFS + "comment"])
    prefixes = px.all_prefixes(iris.public or iris.base)
    return Doc(iri=shapes_iri, public_iri=iris.to_public(shapes_iri),
               title=b.name(shapes_iri) if shapes_iri in index.out else t("doc.shapes_title", lang),
               description=texts[0][0] if texts else None, metadata=meta, sections=sections, tree=[],
               alignments=[], namespaces=sorted((k, v) for k, v in prefixes.items() if k in ("sh", "nkg", "shape")))
