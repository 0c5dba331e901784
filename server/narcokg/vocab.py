"""Prefixes the served documents and pages use, so Turtle and CURIEs read the same everywhere."""
from __future__ import annotations

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
QB = "http://purl.org/linked-data/cube#"
SH = "http://www.w3.org/ns/shacl#"
SCHEMA = "https://schema.org/"

#: Vocabularies every document may use (the project's own come from the settings' base).
COMMON = {
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "skos": SKOS,
    "dcterms": DCTERMS,
    "prov": PROV,
    "org": "http://www.w3.org/ns/org#",
    "qb": QB,
    "sdmx-dimension": "http://purl.org/linked-data/sdmx/2009/dimension#",
    "sdmx-measure": "http://purl.org/linked-data/sdmx/2009/measure#",
    "schema": SCHEMA,
    "foaf": "http://xmlns.com/foaf/0.1/",
    "sem": "http://semanticweb.cs.vu.nl/2009/11/sem/",
    "time": "http://www.w3.org/2006/time#",
    "vann": "http://purl.org/vocab/vann/",
    "sh": SH,
    "void": "http://rdfs.org/ns/void#",
    "wd": "http://www.wikidata.org/entity/",
}


def project(base: str) -> dict[str, str]:
    """The project's own prefixes under ``base`` (canonical or public)."""
    return {
        "nkg": base + "ontology#",
        "shape": base + "shapes#",
        "id": base + "id/",
        "graph": base + "graph/",
    }


def all_prefixes(base: str) -> dict[str, str]:
    return {**project(base), **COMMON}


def curie(iri: str, prefixes: dict[str, str]) -> str | None:
    """``prefix:local`` for ``iri`` when a prefix covers it with a simple local name, else None."""
    best = None
    for prefix, ns in prefixes.items():
        if iri.startswith(ns) and (best is None or len(ns) > len(prefixes[best])):
            best = prefix
    if best is None:
        return None
    local = iri[len(prefixes[best]):]
    if not local or any(c in local for c in "/#?"):
        return None
    return f"{best}:{local}"
