"""What the validation service accepts, without rdflib: the formats it parses (by rdflib's
parser names, as the validation process uses them), how a file suffix or a media type selects
one, and the reserved base of relative IRIs. The web process reads uploads with these tables;
only the validation process parses."""

from __future__ import annotations

from narcokg.formats import registry

#: Base of relative IRIs in uploaded data (``.invalid`` is reserved: it names nothing real).
UPLOAD_BASE = "http://upload.invalid/"

#: rdflib parser names the safe parser accepts (the registry's one-graph formats).
FORMATS = tuple(f.rdflib for f in (registry.TURTLE, registry.NTRIPLES, registry.JSONLD, registry.RDFXML))

#: File suffix → rdflib parser name (N3 is named so that it is refused as such, not read as Turtle).
FORMATS_BY_SUFFIX = {
    **{"." + suffix: f.rdflib for f in registry.FORMATS if f.rdflib for suffix in (f.extension, *f.file_suffixes)},
    ".n3": "n3",
}

#: Media type → rdflib parser name (for HTTP bodies): the graph formats the safe parser reads.
FORMATS_BY_MEDIA_TYPE = {
    mt: f.rdflib for f in registry.offered(registry.GRAPH) if f.rdflib in FORMATS for mt in f.media_types
}
