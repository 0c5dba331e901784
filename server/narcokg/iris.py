"""Where each IRI is served, and under which base it is shown.

The data is minted under the canonical base (``settings.base``). A server started with
``--public-base URL`` shows every IRI under the canonical base as if minted under ``URL`` (in
RDF and in HTML) and maps the IRIs it receives back, so a client can follow its nose on the
machine that serves them. Without a public base, RDF keeps the canonical IRIs and HTML links
stay local (``/page/…``).

Local paths of a resource ("resource paths"):
  BASE id/{kind}/{slug}            ↔ {kind}/{slug}                  (/id/…, /page/…, /data/…)
  BASE .well-known/genid/{hex}     ↔ .well-known/genid/{hex}       (skolemized blank nodes)
"""

from __future__ import annotations

import re
from urllib.parse import quote

import pyoxigraph as ox

from narcokg.config import Settings

GENID = ".well-known/genid/"

#: One segment of a resource path: the unreserved and sub-delim characters of RFC 3986 minus
#: the ones that would make a path ambiguous; no empty, "." or ".." segments.
_SEGMENT = re.compile(r"^[A-Za-z0-9_~!$&'()*+,;=:@-][A-Za-z0-9._~!$&'()*+,;=:@-]*$")
MAX_PATH = 512


class IriMap:
    """Canonical ↔ public IRIs, and IRIs ↔ local URLs, for one server's settings."""

    def __init__(self, settings: Settings):
        self.base = settings.base
        self.public = settings.public_base
        #: Prefix of every link the HTML makes: absolute under a public base, else root-relative.
        self.root = self.public or "/"
        self.rewrites = bool(self.public) and self.public != self.base

    # Canonical ↔ public -----------------------------------------------------------
    def to_public(self, iri: str) -> str:
        if self.rewrites and iri.startswith(self.base):
            return self.public + iri[len(self.base) :]
        return iri

    def to_canonical(self, iri: str) -> str:
        if self.rewrites and iri.startswith(self.public):
            return self.base + iri[len(self.public) :]
        return iri

    def public_term(self, term):
        """A pyoxigraph term with every IRI under the canonical base moved to the public base."""
        if not self.rewrites:
            return term
        if isinstance(term, ox.NamedNode):
            value = term.value
            return ox.NamedNode(self.to_public(value)) if value.startswith(self.base) else term
        if isinstance(term, ox.Literal):
            dt = term.datatype
            if dt is not None and dt.value.startswith(self.base) and term.language is None:
                return ox.Literal(term.value, datatype=ox.NamedNode(self.to_public(dt.value)))
        return term

    def public_quad(self, quad: ox.Quad) -> ox.Quad:
        if not self.rewrites:
            return quad
        g = quad.graph_name
        return ox.Quad(
            self.public_term(quad.subject),
            self.public_term(quad.predicate),
            self.public_term(quad.object),
            self.public_term(g) if isinstance(g, ox.NamedNode) else g,
        )

    # Resource paths ------------------------------------------------------------------
    def resource_path(self, iri: str) -> str | None:
        """The local path of a canonical IRI served under /id, /page and /data, else None."""
        if not iri.startswith(self.base):
            return None
        rest = iri[len(self.base) :]
        if rest.startswith("id/") and len(rest) > 3:
            return rest[3:]
        if rest.startswith(GENID) and len(rest) > len(GENID):
            return rest
        return None

    def iri_of_path(self, path: str) -> str:
        """The canonical IRI of a resource path (the inverse of ``resource_path``)."""
        if path.startswith(GENID):
            return self.base + path
        return self.base + "id/" + path

    def href(self, iri: str) -> str:
        """Where an HTML page links for ``iri``.

        Under a public base, the IRI itself (it resolves on this server, by 303 to its page);
        otherwise its local page or documentation anchor. IRIs of other sites link to themselves.
        """
        if self.public and iri.startswith(self.base):
            return self.to_public(iri)
        if iri.startswith(self.base):
            rest = iri[len(self.base) :]
            path = self.resource_path(iri)
            if path is not None:
                return self.root + "page/" + quote(path, safe="/:@!$&'()*+,;=~-._")
            for doc in ("ontology", "shapes"):
                if rest == doc or rest.startswith(doc + "#"):
                    return self.root + rest
            return self.to_public(iri)
        return iri

    def url(self, path: str) -> str:
        """A link to one of the server's own routes (``path`` without a leading slash)."""
        return self.root + path


def valid_path(path: str) -> bool:
    """True when ``path`` could name a resource: bounded, clean segments, nothing relative."""
    if not path or len(path) > MAX_PATH:
        return False
    if path.startswith(GENID):
        path = path[len(GENID) :]
    return all(_SEGMENT.fullmatch(seg) and seg not in (".", "..") for seg in path.split("/"))
