"""The plain model of an entity page, which the template renders; built by ``entity``."""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from narcokg import vocab as px
from narcokg.html.citation import Citation

#: Where a resource's description is (the first found, in the page's language).
DESCRIPTIONS = [px.RDFS.comment, px.DCTERMS.description, px.SKOS.definition, px.SKOS.scopeNote]
INTEGER_TYPES = {
    px.XSD + n for n in ("integer", "int", "long", "short", "nonNegativeInteger", "positiveInteger", "decimal")
}


@dataclass
class Source:
    number: int
    graph: str
    kind: str  # document | reference | inferred | ontology | shapes | validation | other
    label: str
    href: str | None = None
    locations: list[str] = field(default_factory=list)
    evidence: list[tuple[str, str | None]] = field(default_factory=list)
    #: The source document's full citation (documents only).
    citation: Citation | None = None
    #: Its text form, and where its BibTeX and CSL-JSON are served.
    citation_text: str | None = None
    cite_path: str | None = None


@dataclass
class Value:
    text: str
    iri: str | None = None  # shown (public) IRI when the value is an IRI
    href: str | None = None
    lang: str | None = None
    datatype: str | None = None  # CURIE or IRI of a literal's datatype
    text_lang: str = ""  # language of a link's label, so a page marks one only in the other language
    cites: list[int] = field(default_factory=list)
    inferred: bool = False
    nested: list["Row"] | None = None


@dataclass
class Row:
    prop: str
    label: str
    href: str
    values: list[Value]
    more: int = 0  # values left out (incoming groups are capped)


@dataclass
class Conflict:
    label: str
    comment: str | None
    href: str
    kinds: list[str]


@dataclass
class Signing:
    href: str
    dates: list[str]
    places: list[Value]
    signatories: list[Value]


@dataclass
class ChartPanel:
    title: str
    svg: str


@dataclass
class DatasetView:
    columns: list[tuple[str, str, bool]]  # (label, href, numeric)
    rows: list[tuple[Value, list[str], list[Value]]]  # (observation link, cells, its source conflicts)
    #: One chart per numeric measure: each on its own scale, so a small series is not a flat line.
    charts: list[ChartPanel]

    @property
    def has_conflicts(self) -> bool:
        return any(conflicts for _obs, _cells, conflicts in self.rows)


@dataclass
class Finding:
    severity: str
    message: str
    shape: Value | None


@dataclass
class EntityPage:
    iri: str
    public_iri: str
    title: str
    description: str | None
    types: list[Value]
    inferred_types: list[Value]
    rows: list[Row]
    inferred_rows: list[Row]  # properties with only inferred values
    incoming: list[Row]
    inferred_incoming: list[Row]  # properties whose incoming links are all inferred
    sources: list[Source]
    conflicts: list[Conflict]
    is_conflict: bool
    parties: list[Value]
    signings: list[Signing]
    dataset: DatasetView | None
    part_of: list[Value]
    findings: list[Finding]
    #: "Cite this": the entity as an entry of the graph, and the document itself when it is one.
    cites: list["CiteBlock"] = field(default_factory=list)
    #: A SPARQL query about the entity for the query page.
    query: str = ""
    #: Language of the title's label ("" when none), so a page marks a title only in the other language.
    title_lang: str = ""


@dataclass
class CiteBlock:
    heading_key: str  # i18n key of the block's heading
    text: str
    bibtex: str
    csl_json: str
    path: str  # /cite/{path}.bib and .json


def sorted_quads(quads) -> list[ox.Quad]:
    """Quads in a fixed order, so a page is the same bytes in every worker (stable ETags)."""
    return sorted(quads, key=lambda q: (str(q.subject), q.predicate.value, str(q.object), str(q.graph_name)))


def number(term) -> float | None:
    if not isinstance(term, ox.Literal) or term.language is not None:
        return None
    try:
        return float(term.value)
    except ValueError:
        return None
