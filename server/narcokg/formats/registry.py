"""Every format narcokg reads or writes, once: its short name, media types, file extension, what
it can carry, and the names pyoxigraph and rdflib know it by.

The SPARQL result table (``formats.sparql``), Linked Data negotiation (``formats.conneg``), the
SHACL service's parsers, the downloads and the CLI derive their tables from this one, so that a
media type is spelled in one place and the tables cannot drift apart. (``tests`` check that no
other module of the package spells one.)
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from narcokg import snapshot

#: What an answer in a format can be: SPARQL solutions (and booleans), or an RDF graph.
SOLUTIONS = "solutions"
GRAPH = "graph"

FORMATS_NS = "http://www.w3.org/ns/formats/"


@dataclass(frozen=True)
class Format:
    name: str
    media_type: str
    kind: str  # SOLUTIONS (also ASK's boolean) or GRAPH
    label: str
    #: W3C format IRI local name (http://www.w3.org/ns/formats/…) for the Service Description.
    w3c: str
    #: Further media types that select this format (never sent back).
    aliases: tuple[str, ...] = ()
    extension: str = ""
    #: Keeps the named graph of each statement (TriG, N-Quads).
    quads: bool = False
    #: Can hold named graphs at all (JSON-LD can, though a document of one graph needs none).
    named_graphs: bool = False
    rdf_format: ox.RdfFormat | None = None
    results_format: ox.QueryResultsFormat | None = None
    #: rdflib's parser/serializer name, where rdflib reads the format (the SHACL service).
    rdflib: str | None = None
    #: Further file extensions that mean this format when reading a file.
    file_suffixes: tuple[str, ...] = ()

    @property
    def content_type(self) -> str:
        return f"{self.media_type}; charset=utf-8"

    @property
    def media_types(self) -> tuple[str, ...]:
        return (self.media_type, *self.aliases)


_XML_ALIASES = ("application/xml", "text/xml")

#: In the SPARQL endpoint's order of preference: ties in Accept go to the earlier format.
FORMATS: list[Format] = [
    Format(
        "json",
        "application/sparql-results+json",
        SOLUTIONS,
        "SPARQL JSON",
        "SPARQL_Results_JSON",
        ("application/json",),
        "srj",
        results_format=ox.QueryResultsFormat.JSON,
    ),
    Format(
        "xml",
        "application/sparql-results+xml",
        SOLUTIONS,
        "SPARQL XML",
        "SPARQL_Results_XML",
        _XML_ALIASES,
        "srx",
        results_format=ox.QueryResultsFormat.XML,
    ),
    Format(
        "csv", "text/csv", SOLUTIONS, "CSV", "SPARQL_Results_CSV", (), "csv", results_format=ox.QueryResultsFormat.CSV
    ),
    Format(
        "tsv",
        "text/tab-separated-values",
        SOLUTIONS,
        "TSV",
        "SPARQL_Results_TSV",
        (),
        "tsv",
        results_format=ox.QueryResultsFormat.TSV,
    ),
    Format(
        "turtle",
        "text/turtle",
        GRAPH,
        "Turtle",
        "Turtle",
        ("application/x-turtle", "application/turtle", "text/n3", "text/rdf+n3"),
        "ttl",
        rdf_format=ox.RdfFormat.TURTLE,
        rdflib="turtle",
        file_suffixes=("turtle",),
    ),
    Format(
        "ntriples",
        "application/n-triples",
        GRAPH,
        "N-Triples",
        "N-Triples",
        ("text/plain",),
        "nt",
        rdf_format=ox.RdfFormat.N_TRIPLES,
        rdflib="nt",
        file_suffixes=("ntriples",),
    ),
    Format(
        "jsonld",
        "application/ld+json",
        GRAPH,
        "JSON-LD",
        "JSON-LD",
        ("application/json",),
        "jsonld",
        named_graphs=True,
        rdf_format=ox.RdfFormat.JSON_LD,
        rdflib="json-ld",
        file_suffixes=("json",),
    ),
    Format(
        "rdfxml",
        "application/rdf+xml",
        GRAPH,
        "RDF/XML",
        "RDF_XML",
        _XML_ALIASES,
        "rdf",
        rdf_format=ox.RdfFormat.RDF_XML,
        rdflib="xml",
        file_suffixes=("xml", "owl"),
    ),
    Format(
        "nquads",
        "application/n-quads",
        GRAPH,
        "N-Quads",
        "N-Quads",
        (),
        "nq",
        quads=True,
        named_graphs=True,
        rdf_format=ox.RdfFormat.N_QUADS,
        rdflib="nquads",
    ),
    Format(
        "trig",
        "application/trig",
        GRAPH,
        "TriG",
        "TriG",
        (),
        "trig",
        quads=True,
        named_graphs=True,
        rdf_format=ox.RdfFormat.TRIG,
        rdflib="trig",
    ),
]
BY_NAME = {f.name: f for f in FORMATS}
BY_EXTENSION = {f.extension: f for f in FORMATS}

#: Named by name where a module needs one format.
JSON, XML, CSV, TSV = (BY_NAME[n] for n in ("json", "xml", "csv", "tsv"))
TURTLE, NTRIPLES, JSONLD, RDFXML, NQUADS, TRIG = (
    BY_NAME[n] for n in ("turtle", "ntriples", "jsonld", "rdfxml", "nquads", "trig")
)

#: Web pages: what browsers ask for; ``negotiate`` offers it beside the RDF formats.
HTML_TYPES = ("text/html", "application/xhtml+xml")
#: Plain text: error messages and logs, not a format of data.
TEXT_PLAIN = "text/plain"


def offered(kind: str) -> list[Format]:
    """The formats an answer of ``kind`` can be given in, in order of preference."""
    return [f for f in FORMATS if f.kind == kind]


def by_suffix(suffix: str) -> Format | None:
    """The format a file name's suffix (``.ttl``, ``.owl``…) stands for, or None."""
    key = suffix.lower().lstrip(".")
    for f in FORMATS:
        if key == f.extension or key in f.file_suffixes:
            return f
    return None


def by_media_type(media_type: str, kind: str = GRAPH) -> Format | None:
    """The ``kind`` format whose media type or alias is ``media_type`` (parameters ignored)."""
    mt = media_type.split(";")[0].strip().lower()
    for f in offered(kind):
        if mt in f.media_types:
            return f
    return None


#: The snapshot's files offered for download: name → (media type, caption key in ``html.i18n``).
DOWNLOADS = {
    snapshot.NQ: (NQUADS.media_type, "download.nq"),
    snapshot.TRIG: (TRIG.media_type, "download.trig"),
    snapshot.REPORT: (TURTLE.media_type, "download.report"),
    snapshot.VOID_FILE: (TURTLE.media_type, "download.void"),
}
