"""Content negotiation for Linked Data: the RDF formats we serve and how Accept picks one.

One table maps file extensions to media types and pyoxigraph formats; Accept (with q-values and
specificity, parsed by Werkzeug) picks among the offers in the server's order of preference,
so ``*/*`` and browsers get HTML and RDF clients get the RDF they ask for.
"""
from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox
from werkzeug.datastructures import MIMEAccept


@dataclass(frozen=True)
class RdfFormat:
    ext: str
    media_type: str
    name: str
    ox_format: ox.RdfFormat
    quads: bool = False  # keeps the named graph of each statement


FORMATS: dict[str, RdfFormat] = {
    f.ext: f
    for f in [
        RdfFormat("ttl", "text/turtle", "Turtle", ox.RdfFormat.TURTLE),
        RdfFormat("jsonld", "application/ld+json", "JSON-LD", ox.RdfFormat.JSON_LD),
        RdfFormat("nt", "application/n-triples", "N-Triples", ox.RdfFormat.N_TRIPLES),
        RdfFormat("rdf", "application/rdf+xml", "RDF/XML", ox.RdfFormat.RDF_XML),
        RdfFormat("trig", "application/trig", "TriG", ox.RdfFormat.TRIG, quads=True),
        RdfFormat("nq", "application/n-quads", "N-Quads", ox.RdfFormat.N_QUADS, quads=True),
    ]
}

#: Formats of one graph (no named graphs): for the ontology and shapes documents.
GRAPH_FORMATS = {k: v for k, v in FORMATS.items() if not v.quads}

HTML = "html"

#: Offers in the server's order of preference (ties in q go to the earlier offer), with the
#: format each media type stands for. Aliases come after the registered types.
_OFFERS: list[tuple[str, str]] = [
    ("text/html", HTML),
    ("application/xhtml+xml", HTML),
    ("text/turtle", "ttl"),
    ("application/ld+json", "jsonld"),
    ("application/n-triples", "nt"),
    ("application/rdf+xml", "rdf"),
    ("application/trig", "trig"),
    ("application/n-quads", "nq"),
    ("application/x-turtle", "ttl"),
    ("text/n3", "ttl"),
    ("application/json", "jsonld"),
    ("text/plain", "nt"),
    ("application/xml", "rdf"),
    ("text/xml", "rdf"),
]


def negotiate(accept: MIMEAccept, allowed: set[str] | None = None) -> str | None:
    """The format key (an extension or ``"html"``) Accept prefers among ``allowed``; None if none.

    No Accept header at all means anything, which gives HTML.
    """
    offers = [mt for mt, key in _OFFERS if allowed is None or key in allowed]
    if not accept:
        return dict(_OFFERS)[offers[0]] if offers else None
    best = accept.best_match(offers)
    if best is None:
        return None
    return dict(_OFFERS)[best]


def alternates(allowed: set[str]) -> list[tuple[str, str]]:
    """(format key, media type) of each format in ``allowed``, in table order."""
    out = [(HTML, "text/html")] if HTML in allowed else []
    out += [(f.ext, f.media_type) for f in FORMATS.values() if f.ext in allowed]
    return out
