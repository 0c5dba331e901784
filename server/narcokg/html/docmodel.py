"""The model of the ontology and shapes documentation (``ontodoc``, ``shapesdoc``) and the index
of one named graph they read."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import pyoxigraph as ox

from narcokg import vocab as px
from narcokg.html.ontodiagram import Diagram

CLASS_TYPES = [px.OWL.Class, px.RDFS.Class]
PROPERTY_TYPES = [
    px.OWL.ObjectProperty,
    px.OWL.DatatypeProperty,
    px.OWL.AnnotationProperty,
    px.RDF.Property,
    px.QB.DimensionProperty,
    px.QB.MeasureProperty,
    px.QB.AttributeProperty,
    px.OWL.TransitiveProperty,
    px.OWL.SymmetricProperty,
    px.OWL.InverseFunctionalProperty,
    px.OWL.ReflexiveProperty,
    px.OWL.IrreflexiveProperty,
    px.OWL.AsymmetricProperty,
]
INDIVIDUAL_TYPES = [px.OWL.NamedIndividual]
DEFINITIONS = [px.SKOS.definition, px.RDFS.comment, px.DCTERMS.description]
NAMES = [px.RDFS.label, px.SKOS.prefLabel, px.DCTERMS.term("title")]
#: Predicates that the header of a term already shows.
SHOWN = set(NAMES + DEFINITIONS + [px.RDF.type, px.RDFS.isDefinedBy])
CODE = {px.SH.select, px.SH.ask, px.SH.construct, px.SH.update}
ALIGN = [
    px.RDFS.subClassOf,
    px.RDFS.subPropertyOf,
    px.OWL.equivalentClass,
    px.OWL.equivalentProperty,
    px.RDFS.seeAlso,
    px.SKOS.exactMatch,
    px.SKOS.closeMatch,
    px.OWL.sameAs,
]


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
    #: /ontology only: the class diagram, and (class link, instance count, browse link) rows.
    diagram: Diagram | None = None
    counts: list[tuple[DocValue, int, str | None]] = field(default_factory=list)


@dataclass
class ClassData:
    """What the graph, not the ontology, says about its classes: instance counts, where to browse
    the instances and which shapes target each class."""

    counts: dict[str, int]
    shapes: dict[str, list[str]]
    browse: Callable[[str], str | None]


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
