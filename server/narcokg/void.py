"""VoID description of the dataset: whole and per named graph."""
from __future__ import annotations

from rdflib import RDF, XSD, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF

from .config import Settings

VOID = Namespace("http://rdfs.org/ns/void#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")


def _int(n: int) -> Literal:
    return Literal(n, datatype=XSD.integer)


def _stats(g: Graph, entity_prefix: str) -> dict[str, int]:
    subjects, objects, classes, properties, entities = set(), set(), set(), set(), set()
    count = 0
    for s, p, o in g:
        count += 1
        subjects.add(s)
        objects.add(o)
        properties.add(p)
        if p == RDF.type:
            classes.add(o)
        for t in (s, o):
            if isinstance(t, URIRef) and str(t).startswith(entity_prefix):
                entities.add(t)
    return {
        "triples": count,
        "entities": len(entities),
        "classes": len(classes),
        "properties": len(properties),
        "distinctSubjects": len(subjects),
        "distinctObjects": len(objects),
    }


def describe(ds: Dataset, settings: Settings, dumps: list[str]) -> Graph:
    """A VoID graph for ``ds``; ``dumps`` are file names under <base>download/."""
    base = settings.base
    void = Graph()
    void.bind("void", VOID)
    void.bind("dcterms", DCTERMS)
    void.bind("sd", SD)
    dataset = URIRef(base + "void#narcokg")
    entity_prefix = base + "id/"
    void.add((dataset, RDF.type, VOID.Dataset))
    void.add((dataset, DCTERMS.title, Literal("narcokg: Indonesia's international cooperation against narcotics", lang="en")))
    void.add((dataset, DCTERMS.title, Literal("narcokg: kerja sama internasional Indonesia melawan narkotika", lang="id")))
    void.add((dataset, DCTERMS.license, URIRef("https://creativecommons.org/licenses/by/4.0/")))
    void.add((dataset, VOID.sparqlEndpoint, URIRef(base + "sparql")))
    void.add((dataset, VOID.uriSpace, Literal(entity_prefix)))
    void.add((dataset, VOID.vocabulary, URIRef(base + "ontology#")))
    void.add((dataset, FOAF.homepage, URIRef(base)))
    for name in dumps:
        void.add((dataset, VOID.dataDump, URIRef(base + "download/" + name)))

    union = Graph()
    for g in ds.graphs():
        for t in g:
            union.add(t)
    for key, value in _stats(union, entity_prefix).items():
        void.add((dataset, VOID[key], _int(value)))

    for g in sorted(ds.graphs(), key=lambda g: str(g.identifier)):
        if len(g) == 0:
            continue
        slug = str(g.identifier).rsplit("/", 1)[-1]
        part = URIRef(base + "void#graph-" + slug)
        void.add((dataset, VOID.subset, part))
        void.add((part, RDF.type, VOID.Dataset))
        void.add((part, SD.name, g.identifier))
        void.add((part, DCTERMS.title, Literal(f"named graph {slug}", lang="en")))
        for key, value in _stats(g, entity_prefix).items():
            void.add((part, VOID[key], _int(value)))
    return void
