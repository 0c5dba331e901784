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

from narcokg import release, vocab
from narcokg.formats import registry
from narcokg.formats import sparql as sparqlformats
from narcokg.vocab import DCTERMS, OWL, RDF, RDFS, XSD, Namespace

VOID = Namespace(
    "http://rdfs.org/ns/void#",
    "Dataset dataDump sparqlEndpoint subset uriLookupEndpoint uriSpace "
    "vocabulary triples entities classes properties distinctSubjects distinctObjects",
)
SD = Namespace(
    "http://www.w3.org/ns/sparql-service-description#",
    "Dataset Graph NamedGraph SPARQL11Query Service UnionDefaultGraph defaultDataset "
    "defaultEntailmentRegime defaultGraph endpoint feature graph name namedGraph resultFormat "
    "supportedLanguage",
)
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#", "Collection")
FOAF = Namespace(vocab.COMMON["foaf"], "homepage")

#: The prefixes of the VoID and Service Description documents (Turtle and JSON-LD alike).
PREFIXES = {
    "void": VOID,
    "sd": SD,
    "dcterms": DCTERMS,
    "hydra": HYDRA,
    "foaf": FOAF,
    "rdfs": RDFS,
    "xsd": XSD,
    "owl": OWL,
    "formats": registry.FORMATS_NS,
}

N = ox.NamedNode


def triple(s: ox.NamedNode | ox.BlankNode, p: str, o) -> ox.Triple:
    """A triple from a subject term, a predicate IRI and an object term (an IRI when a ``str``)."""
    return ox.Triple(s, N(p), N(o) if isinstance(o, str) else o)


def count(n: int) -> ox.Literal:
    return ox.Literal(str(n), datatype=N(XSD.integer))


def english(text: str) -> ox.Literal:
    return ox.Literal(text, language="en")


def serialize(triples: list[ox.Triple], fmt: registry.Format = registry.TURTLE) -> bytes:
    """The description in ``fmt``, with its prefixes (JSON-LD compacted like the entity documents),
    each subject's statements together (in the order subjects first appear)."""
    first: dict = {}
    for t in triples:
        first.setdefault(t.subject, len(first))
    return sparqlformats.serialize_triples(sorted(triples, key=lambda t: first[t.subject]), fmt, PREFIXES)


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
    counts = (
        "(COUNT(DISTINCT ?s) AS ?distinctSubjects) (COUNT(DISTINCT ?p) AS ?properties) "
        "(COUNT(DISTINCT ?o) AS ?distinctObjects)"
    )
    return [
        (True, f"SELECT ?g (COUNT(*) AS ?triples) {counts} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }} GROUP BY ?g"),
        (True, f"SELECT ?g (COUNT(DISTINCT ?c) AS ?classes) WHERE {{ GRAPH ?g {{ ?s {_RDF_TYPE} ?c }} }} GROUP BY ?g"),
        (
            True,
            f"SELECT ?g (COUNT(DISTINCT ?e) AS ?entities) WHERE {{ GRAPH ?g {{ {{ ?e ?p ?o }} UNION {{ ?s ?p ?e }} }} "
            f"{entity} }} GROUP BY ?g",
        ),
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
    return {
        iri: slug if _SLUG.match(slug) and taken[slug] == 1 else "h" + hashlib.sha256(iri.encode()).hexdigest()[:16]
        for iri, slug in last.items()
    }


def describe_fragments(base: str) -> list[ox.Triple]:
    """Name the Triple Pattern Fragments interface (``fragments``) for the dataset
    ``base``void#narcokg: a URI lookup endpoint (append an IRI to get its triples) and the
    fragments collection, whose pages carry the Hydra search form."""
    dataset = N(base + "void#narcokg")
    collection = N(base + "fragments")
    return [
        triple(dataset, VOID.uriLookupEndpoint, base + "fragments?subject="),
        triple(dataset, RDFS.seeAlso, collection),
        triple(collection, RDF.type, HYDRA.Collection),
        triple(
            collection,
            DCTERMS.description,
            english(
                "Triple Pattern Fragments of this dataset: GET fragments?subject=&predicate=&object=[&graph=]&page= "
                "answers the matching triples page by page, with Hydra controls."
            ),
        ),
    ]


def _stats(subject: ox.NamedNode, stats: Stats) -> list[ox.Triple]:
    return [triple(subject, VOID.term(key), count(stats[key])) for key in KEYS]


def describe_release(dataset: ox.NamedNode, rel: release.Release) -> list[ox.Triple]:
    """Version, date and licence of the snapshot, and how to cite it, on the dataset."""
    citation = (
        f"{release.PUBLISHER} ({rel.year}). {release.TITLE} (version {rel.version}, snapshot of {rel.date}) "
        f"[Data set]. {release.LICENCE_NAME}. {dataset.value.rsplit('void#', 1)[0]}"
    )
    return [
        triple(dataset, OWL.versionInfo, ox.Literal(rel.version)),
        triple(dataset, DCTERMS.term("modified"), ox.Literal(rel.date, datatype=N(XSD.date))),
        triple(dataset, DCTERMS.publisher, ox.Literal(release.PUBLISHER)),
        triple(dataset, DCTERMS.bibliographicCitation, ox.Literal(citation)),
    ]


def describe(
    base: str, dumps: list[str], whole: Stats, graphs: dict[str, Stats], rel: release.Release | None = None
) -> list[ox.Triple]:
    """The VoID triples under ``base``; ``dumps`` are file names under <base>download/."""
    dataset = N(base + "void#narcokg")
    out = [
        triple(dataset, RDF.type, VOID.Dataset),
        triple(dataset, DCTERMS.term("title"), english(release.TITLE)),
        triple(dataset, DCTERMS.term("title"), ox.Literal(release.TITLE_ID, language="id")),
        triple(dataset, DCTERMS.license, release.LICENCE),
        *(describe_release(dataset, rel) if rel is not None else []),
        triple(dataset, VOID.sparqlEndpoint, base + "sparql"),
        triple(dataset, VOID.uriSpace, ox.Literal(base + "id/")),
        triple(dataset, VOID.vocabulary, base + "ontology#"),
        triple(dataset, FOAF.homepage, base),
    ]
    out += [triple(dataset, VOID.dataDump, base + "download/" + name) for name in dumps]
    out += describe_fragments(base)
    out += _stats(dataset, whole)
    slugs = _slugs(sorted(graphs))
    for iri in sorted(graphs):
        part = N(base + "void#graph-" + slugs[iri])
        out += [
            triple(dataset, VOID.subset, part),
            triple(part, RDF.type, VOID.Dataset),
            triple(part, SD.name, iri),
            triple(part, DCTERMS.term("title"), english(f"named graph {iri.rsplit('/', 1)[-1]}")),
        ]
        out += _stats(part, graphs[iri])
    return out


def store_select(store: ox.Store) -> Select:
    """``Select`` over a pyoxigraph store in this process (the build; tests)."""

    def select(query: str) -> list[dict[str, str]]:
        solutions = store.query(query, use_default_graph_as_union=True)
        names = [v.value for v in solutions.variables]
        return [{n: t.value for n in names if (t := sol[n]) is not None} for sol in solutions]

    return select


def of_nquads(data: bytes, base: str, dumps: list[str], rel: release.Release | None = None) -> list[ox.Triple]:
    """The build's VoID: counted over its own N-Quads snapshot, loaded in memory."""
    store = ox.Store()
    store.bulk_load(input=data, format=ox.RdfFormat.N_QUADS)
    return describe(base, dumps, *statistics(store_select(store), base + "id/"), rel=rel)
