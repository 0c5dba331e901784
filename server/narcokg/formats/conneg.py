"""Content negotiation for Linked Data: the RDF formats we serve and how Accept picks one.

The formats are the registry's (``formats.registry``), in this room's order; Accept (with q-values and
specificity, parsed by Werkzeug) picks among the offers in the server's order of preference,
so ``*/*`` and browsers get HTML and RDF clients get the RDF they ask for.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox
from werkzeug.datastructures import MIMEAccept

from narcokg.formats import registry


@dataclass(frozen=True)
class RdfFormat:
    ext: str
    media_type: str
    name: str
    ox_format: ox.RdfFormat
    quads: bool = False  # keeps the named graph of each statement


#: The Linked Data documents' formats by extension, in the server's order of preference.
_ORDER = ("turtle", "jsonld", "ntriples", "rdfxml", "trig", "nquads")
FORMATS: dict[str, RdfFormat] = {
    f.extension: RdfFormat(f.extension, f.media_type, f.label, f.rdf_format, f.quads)
    for f in (registry.BY_NAME[n] for n in _ORDER)
}

#: Formats of one graph (no named graphs): for the ontology and shapes documents.
GRAPH_FORMATS = {k: v for k, v in FORMATS.items() if not v.quads}

HTML = "html"

#: Offers in the server's order of preference (ties in q go to the earlier offer), with the
#: format each media type stands for. Aliases come after the registered types.
_OFFERS: list[tuple[str, str]] = (
    [(mt, HTML) for mt in registry.HTML_TYPES]
    + [(f.media_type, ext) for ext, f in FORMATS.items()]
    + [(alias, ext) for ext in FORMATS for alias in registry.BY_EXTENSION[ext].aliases]
)


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
    out = [(HTML, registry.HTML_TYPES[0])] if HTML in allowed else []
    out += [(f.ext, f.media_type) for f in FORMATS.values() if f.ext in allowed]
    return out
