"""VoID description of the dataset: whole and per named graph.

The statistics are SPARQL COUNT aggregates run through a ``select`` function, so the build
(over its own N-Quads snapshot, in memory) and a server serving a dump without a build
(through its query processes, under the query limits: see ``voidserve``) count the same way
and their descriptions agree. The graph is then made by one function from the counts.
"""
from __future__ import annotations

import hashlib
import re
from typing import Callable

import pyoxigraph as ox
from rdflib import OWL, RDF, RDFS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF

from narcokg import release


VOID = Namespace("http://rdfs.org/ns/void#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")

#: The statistics of each dataset and subset, in the VoID vocabulary's names.
KEYS = ("triples", "entities", "classes", "properties", "distinctSubjects", "distinctObjects")

#: A SELECT runner: query text → rows of variable name → lexical value (IRI or literal).
#: It must evaluate the default graph as the union of all graphs, as the server does.
Select = Callable[[str], list[dict[str, str]]]
Stats = dict[str, int]

_SLUG = re.compile(r"^[A-Za-z0-9._~-]{1,100}$")
_RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"


def _literal(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def queries(entity_prefix: str) -> list[tuple[bool, str]]:
    """The counting queries, each with whether it is grouped by named graph (``?g``): three per
    named graph, three over the union.

    An entity is an IRI under ``entity_prefix`` used as subject or object. Over the union a
    triple found in several graphs counts once (DISTINCT), as in the union default graph.
    """
    entity = f"FILTER(isIRI(?e) && STRSTARTS(STR(?e), {_literal(entity_prefix)}))"
    counts = ("(COUNT(DISTINCT ?s) AS ?distinctSubjects) (COUNT(DISTINCT ?p) AS ?properties) "
              "(COUNT(DISTINCT ?o) AS ?distinctObjects)")
    return [
        (True, f"SELECT ?g (COUNT(*) AS ?triples) {counts} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }} GROUP BY ?g"),
        (True, f"SELECT ?g (COUNT(DISTINCT ?c) AS ?classes) WHERE {{ GRAPH ?g {{ ?s {_RDF_TYPE} ?c }} }} "
               "GROUP BY ?g"),
        (True, f"SELECT ?g (COUNT(DISTINCT ?e) AS ?entities) WHERE {{ GRAPH ?g {{ {{ ?e ?p ?o }} UNION {{ ?s ?p ?e }} }} "
               f"{entity} }} GROUP BY ?g"),
        (False, f"SELECT (COUNT(*) AS ?triples) {counts} WHERE {{ SELECT DISTINCT ?s ?p ?o WHERE {{ ?s ?p ?o }} }}"),
        (False, f"SELECT (COUNT(DISTINCT ?c) AS ?classes) WHERE {{ ?s {_RDF_TYPE} ?c }}"),
        (False, f"SELECT (COUNT(DISTINCT ?e) AS ?entities) WHERE {{ {{ ?e ?p ?o }} UNION {{ ?s ?p ?e }} {entity} }}"),
    ]


def statistics(select: Select, entity_prefix: str) -> tuple[Stats, dict[str, Stats]]:
    """Counts of the whole dataset and of each named graph (by graph IRI) that holds triples."""
    whole: Stats = dict.fromkeys(KEYS, 0)
    graphs: dict[str, Stats] = {}
    for grouped, query in queries(entity_prefix):
        for row in select(query):
            if not grouped:
                target = whole
            elif "g" in row:
                target = graphs.setdefault(row["g"], dict.fromkeys(KEYS, 0))
            else:
                continue
            for key in KEYS:
                if key in row:
                    target[key] = int(row[key])
    return whole, {g: s for g, s in graphs.items() if s["triples"]}


def _slugs(graph_iris: list[str]) -> dict[str, str]:
    """A fragment name per graph: the last path segment, as the build has always written it;
    a digest instead when that segment is not a plain name or is shared (arbitrary dumps)."""
    last = {iri: iri.rsplit("/", 1)[-1] for iri in graph_iris}
    taken: dict[str, int] = {}
    for slug in last.values():
        taken[slug] = taken.get(slug, 0) + 1
    return {iri: slug if _SLUG.match(slug) and taken[slug] == 1 else "h" + hashlib.sha256(iri.encode()).hexdigest()[:16]
            for iri, slug in last.items()}


HYDRA = "http://www.w3.org/ns/hydra/core#"


def describe_fragments(graph: Graph, base: str) -> None:
    """Name the Triple Pattern Fragments interface (``fragments``) for the dataset
    ``base``void#narcokg: a URI lookup endpoint (append an IRI to get its triples) and the
    fragments collection, whose pages carry the Hydra search form."""
    dataset = URIRef(base + "void#narcokg")
    collection = URIRef(base + "fragments")
    graph.bind("hydra", HYDRA)
    graph.add((dataset, VOID.uriLookupEndpoint, URIRef(base + "fragments?subject=")))
    graph.add((dataset, RDFS.seeAlso, collection))
    graph.add((collection, RDF.type, URIRef(HYDRA + "Collection")))
    graph.add((collection, DCTERMS.description, Literal(
        "Triple Pattern Fragments of this dataset: GET fragments?subject=&predicate=&object=[&graph=]&page= "
        "answers the matching triples page by page, with Hydra controls.", lang="en")))


def describe_release(graph: Graph, dataset: URIRef, rel: release.Release) -> None:
    """Version, date and licence of the snapshot, and how to cite it, on the dataset."""
    graph.bind("owl", OWL)
    graph.add((dataset, OWL.versionInfo, Literal(rel.version)))
    graph.add((dataset, DCTERMS.modified, Literal(rel.date, datatype=XSD.date)))
    graph.add((dataset, DCTERMS.publisher, Literal(release.PUBLISHER)))
    graph.add((dataset, DCTERMS.bibliographicCitation, Literal(
        f"{release.PUBLISHER} ({rel.year}). {release.TITLE} (version {rel.version}, snapshot of {rel.date}) "
        f"[Data set]. {release.LICENCE_NAME}. {str(dataset).rsplit('void#', 1)[0]}")))


def describe(base: str, dumps: list[str], whole: Stats, graphs: dict[str, Stats],
             rel: release.Release | None = None) -> Graph:
    """The VoID graph under ``base``; ``dumps`` are file names under <base>download/."""
    void = Graph()
    void.bind("void", VOID)
    void.bind("dcterms", DCTERMS)
    void.bind("sd", SD)
    dataset = URIRef(base + "void#narcokg")
    void.add((dataset, RDF.type, VOID.Dataset))
    void.add((dataset, DCTERMS.title, Literal(release.TITLE, lang="en")))
    void.add((dataset, DCTERMS.title, Literal(release.TITLE_ID, lang="id")))
    void.add((dataset, DCTERMS.license, URIRef(release.LICENCE)))
    if rel is not None:
        describe_release(void, dataset, rel)
    void.add((dataset, VOID.sparqlEndpoint, URIRef(base + "sparql")))
    void.add((dataset, VOID.uriSpace, Literal(base + "id/")))
    void.add((dataset, VOID.vocabulary, URIRef(base + "ontology#")))
    void.add((dataset, FOAF.homepage, URIRef(base)))
    for name in dumps:
        void.add((dataset, VOID.dataDump, URIRef(base + "download/" + name)))
    describe_fragments(void, base)
    for key in KEYS:
        void.add((dataset, VOID[key], Literal(whole[key], datatype=XSD.integer)))
    slugs = _slugs(sorted(graphs))
    for iri in sorted(graphs):
        slug = slugs[iri]
        part = URIRef(base + "void#graph-" + slug)
        void.add((dataset, VOID.subset, part))
        void.add((part, RDF.type, VOID.Dataset))
        void.add((part, SD.name, URIRef(iri)))
        void.add((part, DCTERMS.title, Literal(f"named graph {iri.rsplit('/', 1)[-1]}", lang="en")))
        for key in KEYS:
            void.add((part, VOID[key], Literal(graphs[iri][key], datatype=XSD.integer)))
    return void


def store_select(store: ox.Store) -> Select:
    """``Select`` over a pyoxigraph store in this process (the build; tests)."""
    def select(query: str) -> list[dict[str, str]]:
        solutions = store.query(query, use_default_graph_as_union=True)
        names = [v.value for v in solutions.variables]
        return [{n: t.value for n in names if (t := sol[n]) is not None} for sol in solutions]

    return select


def of_nquads(data: bytes, base: str, dumps: list[str], rel: release.Release | None = None) -> Graph:
    """The build's VoID: counted over its own N-Quads snapshot, loaded in memory."""
    store = ox.Store()
    store.bulk_load(input=data, format=ox.RdfFormat.N_QUADS)
    return describe(base, dumps, *statistics(store_select(store), base + "id/"), rel=rel)
