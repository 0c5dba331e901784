"""SPARQL 1.1 Service Description of the endpoint (answered at GET /sparql without a query).

It states the endpoint, the language (query only: the endpoint is read-only), every result
format, the features (the default graph is the union of all named graphs), the limits, and the
default dataset: its default graph and each named graph with its size.
"""

from __future__ import annotations

import pyoxigraph as ox

from narcokg.config import Settings
from narcokg.engine.void import SD, VOID, count, describe_fragments, english, triple
from narcokg.formats import registry
from narcokg.vocab import DCTERMS, RDF, Namespace

ENTAILMENT = Namespace("http://www.w3.org/ns/entailment/", "Simple")

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


def describe(
    settings: Settings, endpoint: str, graphs: list[tuple[str, int | None]], total: int | None
) -> list[ox.Triple]:
    """The description of ``endpoint``; ``graphs`` are (served graph IRI, triple count); a count
    that is None (not known yet) is left out."""
    service = ox.NamedNode(endpoint)
    out = [
        triple(service, RDF.type, SD.Service),
        triple(service, SD.endpoint, service),
        triple(service, SD.supportedLanguage, SD.SPARQL11Query),
        triple(service, SD.feature, SD.UnionDefaultGraph),
        triple(service, SD.defaultEntailmentRegime, ENTAILMENT.Simple),
    ]
    out += [triple(service, SD.resultFormat, registry.FORMATS_NS + fmt.w3c) for fmt in registry.FORMATS]
    out += [
        triple(service, DCTERMS.term("title"), english("narcokg SPARQL endpoint")),
        triple(service, DCTERMS.description, english(limits_text(settings))),
    ]

    dataset = ox.NamedNode(settings.served_base + "void#narcokg")
    default = ox.BlankNode("defaultGraph")
    out += [
        triple(service, SD.defaultDataset, dataset),
        triple(dataset, RDF.type, SD.Dataset),
        triple(dataset, RDF.type, VOID.Dataset),
        triple(dataset, SD.defaultGraph, default),
        triple(default, RDF.type, SD.Graph),
        triple(default, DCTERMS.description, english(DEFAULT_GRAPH_TEXT)),
    ]
    if total is not None:
        out.append(triple(default, VOID.triples, count(total)))
    out += describe_fragments(settings.served_base)
    for i, (iri, size) in enumerate(graphs):
        named, inner = ox.BlankNode(f"namedGraph{i}"), ox.BlankNode(f"graph{i}")
        out += [
            triple(dataset, SD.namedGraph, named),
            triple(named, RDF.type, SD.NamedGraph),
            triple(named, SD.name, iri),
            triple(named, SD.graph, inner),
            triple(inner, RDF.type, SD.Graph),
        ]
        if size is not None:
            out.append(triple(inner, VOID.triples, count(size)))
    return out
