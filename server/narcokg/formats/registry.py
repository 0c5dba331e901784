"""Every format narcokg reads or writes, once: its short name, media types, file extension, what
it can carry, and the names pyoxigraph and rdflib know it by.

The SPARQL result table (``formats.sparql``), Linked Data negotiation (``formats.conneg``), the
SHACL service's parsers, the downloads and the CLI derive their tables from this one, so that a
media type is spelled in one place and the tables cannot drift apart. (``tests`` check that no
other module of the package spells one.)
"""

from __future__ import annotations

from collections import namedtuple

import pyoxigraph as ox


#: What an answer in a format can be: SPARQL solutions (and booleans), or an RDF graph.
SOLUTIONS = "solutions"
GRAPH = "graph"

FORMATS_NS = "http://www.w3.org/ns/formats/"


_FIELDS = (
    "name media_type kind label w3c aliases extension quads named_graphs rdf_format results_format rdflib file_suffixes"
)


class Format(namedtuple("Format", _FIELDS, defaults=((), "", False, False, None, None, None, ()))):
    """One format: ``kind`` is SOLUTIONS (also ASK's boolean) or GRAPH; ``w3c`` the local name of
    its W3C format IRI (http://www.w3.org/ns/formats/…, for the Service Description);
    ``aliases`` further media types that select it (never sent back); ``quads``: it keeps the
    named graph of each statement (TriG, N-Quads); ``named_graphs``: it can hold named graphs at
    all (JSON-LD can, though a document of one graph needs none); ``rdflib``: rdflib's name for
    it, where rdflib reads it (the SHACL service); ``file_suffixes``: further file extensions
    that mean it when reading a file.

    A named tuple, not a dataclass: the query processes import this module, and ``dataclasses``
    (with ``inspect``, ``ast``, ``dis``) would add ~1.5 MiB to each of them."""

    __slots__ = ()

    @property
    def content_type(self) -> str:
        return f"{self.media_type}; charset=utf-8"

    @property
    def media_types(self) -> tuple[str, ...]:
        return (self.media_type, *self.aliases)


_XML_ALIASES = ("application/xml", "text/xml")
_JSON_ALIASES = ("application/json",)
_TURTLE_ALIASES = ("application/x-turtle", "application/turtle", "text/n3", "text/rdf+n3")
_RESULTS, _RDF = ox.QueryResultsFormat, ox.RdfFormat


def _solutions(
    name: str, media_type: str, label: str, aliases: tuple[str, ...], ext: str, fmt: ox.QueryResultsFormat
) -> Format:
    """A SPARQL results format (also ASK's boolean); the W3C names these ``SPARQL_Results_<NAME>``."""
    return Format(
        name, media_type, SOLUTIONS, label, "SPARQL_Results_" + name.upper(), aliases, ext, results_format=fmt
    )


def _graph(
    name: str,
    media_type: str,
    label: str,
    aliases: tuple[str, ...],
    ext: str,
    fmt: ox.RdfFormat,
    rdflib: str,
    file_suffixes: tuple[str, ...] = (),
    quads: bool = False,
    named_graphs: bool = False,
    w3c: str = "",
) -> Format:
    """An RDF format; one that keeps each statement's graph (``quads``) can hold named graphs. The W3C's
    name is the label unless ``w3c`` says otherwise."""
    return Format(
        name,
        media_type,
        GRAPH,
        label,
        w3c or label,
        aliases,
        ext,
        quads=quads,
        named_graphs=named_graphs or quads,
        rdf_format=fmt,
        rdflib=rdflib,
        file_suffixes=file_suffixes,
    )


#: In the SPARQL endpoint's order of preference: ties in Accept go to the earlier format. Each row:
#: name, media type, label, further media types, extension, pyoxigraph's name (and rdflib's), …
FORMATS: list[Format] = [
    _solutions("json", "application/sparql-results+json", "SPARQL JSON", _JSON_ALIASES, "srj", _RESULTS.JSON),
    _solutions("xml", "application/sparql-results+xml", "SPARQL XML", _XML_ALIASES, "srx", _RESULTS.XML),
    _solutions("csv", "text/csv", "CSV", (), "csv", _RESULTS.CSV),
    _solutions("tsv", "text/tab-separated-values", "TSV", (), "tsv", _RESULTS.TSV),
    _graph("turtle", "text/turtle", "Turtle", _TURTLE_ALIASES, "ttl", _RDF.TURTLE, "turtle", ("turtle",)),
    _graph(
        "ntriples", "application/n-triples", "N-Triples", ("text/plain",), "nt", _RDF.N_TRIPLES, "nt", ("ntriples",)
    ),
    _graph(
        "jsonld",
        "application/ld+json",
        "JSON-LD",
        _JSON_ALIASES,
        "jsonld",
        _RDF.JSON_LD,
        "json-ld",
        ("json",),
        named_graphs=True,
    ),
    _graph(
        "rdfxml",
        "application/rdf+xml",
        "RDF/XML",
        _XML_ALIASES,
        "rdf",
        _RDF.RDF_XML,
        "xml",
        ("xml", "owl"),
        w3c="RDF_XML",
    ),
    _graph("nquads", "application/n-quads", "N-Quads", (), "nq", _RDF.N_QUADS, "nquads", quads=True),
    _graph("trig", "application/trig", "TriG", (), "trig", _RDF.TRIG, "trig", quads=True),
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
