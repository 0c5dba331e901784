"""Citations read from the graph: of a source document or a cited work, of one entity of the
graph, and of the whole graph.

Only what the data says goes into a citation (authors as printed, year, title, journal, volume,
issue, pages, publisher, URL or DOI); a source that prints no title is cited by its descriptive
label in square brackets, the usual form for an untitled work. ``citeformats`` writes a
``Citation`` as text, BibTeX and CSL-JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from narcokg import release as rel
from narcokg import vocab as px
from narcokg.engine.base import Engine
from narcokg.engine.lookup import quads
from narcokg.html.labels import Labels, pick_literal
from narcokg.iris import IriMap

#: Types whose resources are documents, cited as themselves rather than as entries of the graph.
DOCUMENT_TYPES = ("SourceDocument", "Publication")


@dataclass
class Citation:
    key: str  # BibTeX key and CSL id
    kind: str  # article | book | webpage | document | entry | dataset
    title: str
    iri: str  # the record's (public) IRI in the graph
    descriptive: bool = False  # the title is a description of an untitled work
    title_lang: str | None = None
    authors: list[str] = field(default_factory=list)
    literal_authors: bool = True  # names as printed or of bodies: never split into given/family
    year: str | None = None
    date: str | None = None
    container: str | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    publisher: str | None = None
    url: str | None = None
    doi: str | None = None
    accessed: str | None = None
    version: str | None = None
    licence: str | None = None
    note: str | None = None
    printed: str | None = None  # the reference as the citing document prints it


class CitationReader:
    """Reads citations from the store for one request (labels in the request's language)."""

    def __init__(self, store: Engine, base: str, iris: IriMap, labels: Labels, lang: str):
        self.store, self.base, self.iris, self.labels, self.lang = store, base, iris, labels, lang
        self.nkg = base + "ontology#"

    def _objects(self, iri: str, prop: str) -> list[ox.Term]:
        found = {q.object for q in quads(self.store, ox.NamedNode(iri), ox.NamedNode(prop), None, None)}
        return sorted(found, key=str)

    def _text(self, iri: str, prop: str) -> ox.Literal | None:
        return pick_literal([o for o in self._objects(iri, prop) if isinstance(o, ox.Literal)], self.lang)

    def _value(self, iri: str, local: str) -> str | None:
        lit = self._text(iri, self.nkg + local)
        return lit.value if lit is not None else None

    def is_document(self, iri: str) -> bool:
        types = {o.value for o in self._objects(iri, px.RDF.type) if isinstance(o, ox.NamedNode)}
        return any(self.nkg + t in types for t in DOCUMENT_TYPES)

    def key(self, iri: str) -> str:
        path = self.iris.resource_path(iri) or iri.rsplit("/", 1)[-1]
        for kind in ("source/", "publication/"):
            if path.startswith(kind):
                return path[len(kind) :]
        return "narcokg-" + path.replace("/", "-")

    def _authors(self, iri: str) -> tuple[list[str], bool]:
        printed = self._value(iri, "authorsAsPrinted")
        if printed:
            return [printed], True
        creators = [o.value for o in self._objects(iri, px.DCTERMS.creator) if isinstance(o, ox.NamedNode)]
        persons = all(ox.NamedNode(self.nkg + "Person") in self._objects(c, px.RDF.type) for c in creators)
        return [self.labels(c) for c in creators], not (creators and persons)

    def _title(self, iri: str) -> tuple[str, str | None, bool]:
        lit = self._text(iri, px.DCTERMS.term("title"))
        if lit is not None:
            return lit.value, lit.language, False
        label = self._text(iri, px.RDFS.label)
        return (label.value, label.language, True) if label is not None else (self.labels(iri), None, True)

    def _kind(self, c: Citation, document_kind: str | None) -> str:
        if c.container and (c.volume or document_kind == "article"):
            return "article"
        if c.container or (c.url and not c.publisher):
            return "webpage"
        return "book" if c.publisher else "document"

    def document(self, iri: str) -> Citation:
        """The citation of a source document or a cited work."""
        title, title_lang, descriptive = self._title(iri)
        authors, literal = self._authors(iri)
        url = _first(self._objects(iri, px.SCHEMA.url))
        date = self._value(iri, "date")
        c = Citation(
            key=self.key(iri),
            kind="document",
            title=title,
            title_lang=title_lang,
            iri=iri,
            descriptive=descriptive,
            authors=authors,
            literal_authors=literal,
            year=self._value(iri, "year") or (date[:4] if date else None),
            date=date,
            container=self._value(iri, "journal"),
            volume=self._value(iri, "volume"),
            issue=self._value(iri, "issue"),
            pages=self._value(iri, "pages"),
            publisher=_first(self._objects(iri, str(px.SCHEMA) + "publisher")),
            url=url,
            accessed=self._value(iri, "accessDate"),
            printed=_first(self._objects(iri, px.DCTERMS.bibliographicCitation)),
        )
        if url and "doi.org/" in url:
            c.doi = url.split("doi.org/", 1)[1]
        c.kind = self._kind(c, self._value(iri, "documentKind"))
        return c

    def entity(self, iri: str, release: rel.Release) -> Citation:
        """The citation of one entity as an entry of the graph (this snapshot)."""
        return Citation(
            key=self.key(iri),
            kind="entry",
            title=self.labels(iri),
            iri=iri,
            authors=[rel.PUBLISHER],
            year=release.year,
            date=release.date,
            container=rel.TITLE,
            version=release.version,
            licence=rel.LICENCE,
            url=iri,
        )


def graph_citation(public_base: str, release: rel.Release) -> Citation:
    """The citation of the whole knowledge graph (this snapshot)."""
    return Citation(
        key="narcokg-" + release.version.split("+")[0],
        kind="dataset",
        title=rel.TITLE,
        iri=public_base,
        authors=[rel.PUBLISHER],
        year=release.year,
        date=release.date,
        version=release.version,
        licence=rel.LICENCE,
        url=public_base,
    )


def _first(terms: list[ox.Term]) -> str | None:
    values = [t.value for t in terms if isinstance(t, ox.Literal)]
    return values[0] if values else None
