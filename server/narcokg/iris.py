"""Where each IRI is served, and under which base it is shown.

The data is minted under the canonical base (``settings.base``). A server started with
``--public-base URL`` serves every IRI under the canonical base as if minted under ``URL``, so a
client can follow its nose on the machine that serves them. The engine already holds the data
under the served base (``engine.data.served_nquads``), so IRIs read from it are shown as they
are; only the build's artefacts (SHACL report, VoID, dumps) and IRIs a client writes in the
canonical form are moved (``to_public``). Without a public base, HTML links stay local (``/page/…``).

Local paths of a resource ("resource paths"):
  BASE id/{kind}/{slug}            ↔ {kind}/{slug}                  (/id/…, /page/…, /data/…)
  BASE .well-known/genid/{hex}     ↔ .well-known/genid/{hex}       (skolemized blank nodes)
"""

from __future__ import annotations

import re
from urllib.parse import quote

from narcokg.config import Settings

GENID = ".well-known/genid/"

#: One segment of a resource path: the unreserved and sub-delim characters of RFC 3986 minus
#: the ones that would make a path ambiguous; no empty, "." or ".." segments.
_SEGMENT = re.compile(r"^[A-Za-z0-9_~!$&'()*+,;=:@-][A-Za-z0-9._~!$&'()*+,;=:@-]*$")
MAX_PATH = 512
#: IRIs whose href an ``IriMap`` remembers before it starts afresh (bounded memory).
MAX_MEMO = 200_000


class IriMap:
    """IRIs as served (``base``) ↔ local URLs, and canonical IRIs moved to the served base."""

    def __init__(self, settings: Settings):
        #: The base of the build's artefacts in dist/.
        self.canonical = settings.base
        #: The base of every IRI the engine holds and the site shows.
        self.base = settings.served_base
        self.public = settings.public_base
        #: Prefix of every link the HTML makes: absolute under a public base, else root-relative.
        self.root = self.public or "/"
        self.rewrites = self.base != self.canonical
        #: href of every IRI asked for so far: a page makes hundreds, mostly the same ones.
        self._hrefs: dict[str, str] = {}

    def to_public(self, iri: str) -> str:
        """A canonical IRI (from an artefact of the build, or as a client wrote it) as served;
        any other IRI, a served one included, unchanged."""
        if self.rewrites and iri.startswith(self.canonical) and not iri.startswith(self.base):
            return self.base + iri[len(self.canonical) :]
        return iri

    # Resource paths ------------------------------------------------------------------
    def resource_path(self, iri: str) -> str | None:
        """The local path of a served IRI under /id, /page and /data, else None."""
        if not iri.startswith(self.base):
            return None
        rest = iri[len(self.base) :]
        if rest.startswith("id/") and len(rest) > 3:
            return rest[3:]
        if rest.startswith(GENID) and len(rest) > len(GENID):
            return rest
        return None

    def iri_of_path(self, path: str) -> str:
        """The served IRI of a resource path (the inverse of ``resource_path``)."""
        if path.startswith(GENID):
            return self.base + path
        return self.base + "id/" + path

    def href(self, iri: str) -> str:
        """Where an HTML page links for ``iri``.

        Under a public base, the IRI itself (it resolves on this server, by 303 to its page);
        otherwise its local page or documentation anchor. IRIs of other sites link to themselves.
        """
        found = self._hrefs.get(iri)
        if found is None:
            if len(self._hrefs) >= MAX_MEMO:
                self._hrefs.clear()
            found = self._hrefs[iri] = self._href(iri)
        return found

    def _href(self, iri: str) -> str:
        if self.public and iri.startswith(self.base):
            return iri
        if iri.startswith(self.base):
            rest = iri[len(self.base) :]
            path = self.resource_path(iri)
            if path is not None:
                return self.root + "page/" + quote(path, safe="/:@!$&'()*+,;=~-._")
            for doc in ("ontology", "shapes"):
                if rest == doc or rest.startswith(doc + "#"):
                    return self.root + rest
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
