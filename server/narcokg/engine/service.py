"""SPARQL 1.1 Service Description of the endpoint (answered at GET /sparql without a query).

It states the endpoint, the language (query only: the endpoint is read-only), every result
format, the features (the default graph is the union of all named graphs), the limits, and the
default dataset: its default graph and each named graph with its size.
"""
from __future__ import annotations

from rdflib import RDF, XSD, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS

from narcokg.formats import sparql as sparqlformats
from narcokg.config import Settings
from narcokg.engine.void import SD, VOID

FORMATS = Namespace(sparqlformats.FORMATS_NS)
ENTAILMENT = Namespace("http://www.w3.org/ns/entailment/")

DEFAULT_GRAPH_TEXT = (
    "The default graph is the union of all named graphs (sd:UnionDefaultGraph): the ontology, the "
    "shapes, the reference data, one graph per source document, the OWL RL inferences and the SHACL "
    "validation report. Address one graph with GRAPH, FROM/FROM NAMED or the protocol's "
    "default-graph-uri/named-graph-uri; naming a graph that is not listed here selects nothing "
    "(nothing is ever downloaded)."
)


def limits_text(settings: Settings) -> str:
    return (
        f"Read-only: SPARQL Update and SERVICE are refused. Limits: {settings.query_timeout:g} s per query "
        f"(query_timeout), {settings.max_rows} result rows or triples (max_rows), "
        f"{settings.max_query_bytes} bytes of query text (max_query_bytes), "
        f"{settings.query_memory_mb} MiB of memory per query (query_memory_mb), and fair use of "
        f"{settings.client_budget_seconds:g} s of query time per client per {settings.client_budget_window:g} s "
        "(client_budget_seconds / client_budget_window; past it: 429 with Retry-After)."
    )


def describe(settings: Settings, endpoint: str, graphs: list[tuple[str, int | None]], total: int | None) -> Graph:
    """The description of ``endpoint``; ``graphs`` are (served graph IRI, triple count); a count
    that is None (not known yet) is left out."""
    g = Graph()
    g.bind("sd", SD)
    g.bind("void", VOID)
    g.bind("dcterms", DCTERMS)
    g.bind("formats", FORMATS)
    base = settings.served_base
    service = URIRef(endpoint)
    g.add((service, RDF.type, SD.Service))
    g.add((service, SD.endpoint, service))
    g.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    g.add((service, SD.feature, SD.UnionDefaultGraph))
    g.add((service, SD.defaultEntailmentRegime, ENTAILMENT.Simple))
    for fmt in sparqlformats.FORMATS:
        g.add((service, SD.resultFormat, FORMATS[fmt.w3c]))
    g.add((service, DCTERMS.title, Literal("narcokg SPARQL endpoint", lang="en")))
    g.add((service, DCTERMS.description, Literal(limits_text(settings), lang="en")))

    dataset = URIRef(base + "void#narcokg")
    g.add((service, SD.defaultDataset, dataset))
    g.add((dataset, RDF.type, SD.Dataset))
    g.add((dataset, RDF.type, VOID.Dataset))
    default = BNode("defaultGraph")
    g.add((dataset, SD.defaultGraph, default))
    g.add((default, RDF.type, SD.Graph))
    g.add((default, DCTERMS.description, Literal(DEFAULT_GRAPH_TEXT, lang="en")))
    if total is not None:
        g.add((default, VOID.triples, Literal(total, datatype=XSD.integer)))
    from narcokg.engine.void import describe_fragments

    describe_fragments(g, base)
    for i, (iri, count) in enumerate(graphs):
        named = BNode(f"namedGraph{i}")
        inner = BNode(f"graph{i}")
        g.add((dataset, SD.namedGraph, named))
        g.add((named, RDF.type, SD.NamedGraph))
        g.add((named, SD.name, URIRef(iri)))
        g.add((named, SD.graph, inner))
        g.add((inner, RDF.type, SD.Graph))
        if count is not None:
            g.add((inner, VOID.triples, Literal(count, datatype=XSD.integer)))
    return g
