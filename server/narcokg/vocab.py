"""The vocabularies narcokg reads and writes: namespaces with the terms the code uses, and the
prefixes served documents and pages use, so Turtle and CURIEs read the same everywhere.

``RDFS.label`` is the IRI of rdfs:label (a ``str``). Each namespace lists the terms the code may
name: a misspelt term is an AttributeError where it is written, not a lookup that silently finds
nothing. A namespace is still a plain string, so ``RDFS + name`` works where the name is data.
"""

from __future__ import annotations


class Namespace(str):
    """A namespace IRI whose known terms are attributes."""

    def __new__(cls, iri: str, terms: str = ""):
        ns = super().__new__(cls, iri)
        ns._terms = frozenset(terms.split())
        return ns

    def __getattr__(self, name: str) -> str:
        if name.startswith("_") or name not in self._terms:
            raise AttributeError(f"{name!r} is not a term narcokg knows in <{str(self)}>; add it to vocab.py")
        return str(self) + name

    def term(self, name: str) -> str:
        """The term ``name``, also for names that are keywords or ``str`` methods (``class``,
        ``title``, ``count``)."""
        if name not in self._terms:
            raise AttributeError(f"{name!r} is not a term narcokg knows in <{str(self)}>; add it to vocab.py")
        return str(self) + name


RDF = Namespace(
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "Property first langString nil object predicate rest subject type"
)
RDFS = Namespace(
    "http://www.w3.org/2000/01/rdf-schema#",
    "Class comment domain isDefinedBy label range seeAlso subClassOf subPropertyOf",
)
OWL = Namespace(
    "http://www.w3.org/2002/07/owl#",
    "AnnotationProperty AsymmetricProperty Class DatatypeProperty InverseFunctionalProperty IrreflexiveProperty NamedIndividual ObjectProperty Ontology ReflexiveProperty SymmetricProperty TransitiveProperty disjointWith equivalentClass equivalentProperty imports inverseOf onProperty sameAs versionIRI versionInfo",
)
XSD = Namespace("http://www.w3.org/2001/XMLSchema#", "date decimal integer string")
SKOS = Namespace(
    "http://www.w3.org/2004/02/skos/core#",
    "Concept ConceptScheme altLabel broader closeMatch definition exactMatch hasTopConcept hiddenLabel inScheme narrower notation note prefLabel scopeNote topConceptOf",
)
DCTERMS = Namespace(
    "http://purl.org/dc/terms/",
    "BibliographicResource Location bibliographicCitation creator date description identifier issued language license modified publisher references source subject title",
)
PROV = Namespace(
    "http://www.w3.org/ns/prov#",
    "Activity Agent Entity Person wasAssociatedWith wasAttributedTo wasDerivedFrom wasInfluencedBy",
)
QB = Namespace(
    "http://purl.org/linked-data/cube#",
    "AttributeProperty DataSet DimensionProperty MeasureProperty Observation dataSet structure",
)
SH = Namespace(
    "http://www.w3.org/ns/shacl#",
    "NodeShape PropertyShape ask class construct datatype focusNode maxCount message minCount path property resultMessage resultSeverity select severity sourceShape sparql targetClass targetNode targetObjectsOf targetSubjectsOf update value",
)
SCHEMA = Namespace(
    "https://schema.org/",
    "City Country CreativeWork Event GovernmentOrganization Observation Organization Person Place Project ScholarlyArticle affiliation containedInPlace containsPlace endDate geoTouches keywords location name organizer participant startDate unitCode unitText url value",
)

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
    local = iri[len(prefixes[best]) :]
    if not local or any(c in local for c in "/#?"):
        return None
    return f"{best}:{local}"
