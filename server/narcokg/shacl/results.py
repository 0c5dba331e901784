"""SHACL results as plain data, without rdflib: what crosses from the validation process to the
web process (pickled) and what the report pages show. The web process imports this module, never
``validate`` or ``report`` (those need rdflib and pySHACL, which live in the validation process)."""

from __future__ import annotations

from dataclasses import dataclass, field

from narcokg import vocab as px
from narcokg.config import Settings


@dataclass(frozen=True)
class Result:
    """One validation result, reduced to what identifies it."""

    focus: str
    path: str | None
    severity: str  # "Violation" | "Warning" | "Info"
    source_shape: str
    message: str
    value: str | None = None
    constraint: str | None = None


@dataclass
class Outcome:
    """A client's data validated: the verdict, its results and their readable names."""

    conforms: bool
    results: list[Result]
    #: source shape (as in ``Result.source_shape``) → readable name, e.g. "shape:State › rdfs:label".
    shape_names: dict[str, str] = field(default_factory=dict)
    #: the report serialized in the format asked for (None when none was asked).
    rdf: bytes | None = None
    triples: int = 0
    #: focus node → its English label in the client's data, for display.
    labels: dict[str, str] = field(default_factory=dict)
    #: the shapes' names in Indonesian (their ``@id`` labels, else as in ``shape_names``).
    shape_names_id: dict[str, str] = field(default_factory=dict)

    def names_in(self, lang: str) -> dict[str, str]:
        return self.shape_names_id if lang == "id" and self.shape_names_id else self.shape_names


@dataclass
class BuiltReport:
    """The knowledge graph's own report (GET /shacl) as plain data: its results, the shapes'
    names per language, the focus nodes' English labels, and the report in each RDF format."""

    conforms: bool
    results: list[Result]
    #: language → source shape → readable name
    names: dict[str, dict[str, str]]
    focus_labels: dict[str, str]
    #: rdflib serializer name → the report serialized in it (IRIs under the served base)
    serialized: dict[str, bytes]


def prefixes(settings: Settings) -> dict[str, str]:
    """Prefixes for display and serialization: the project's (plus its skolem IRIs), then the
    vocabularies every document may use."""
    b = settings.base
    return {**px.project(b), "genid": b + ".well-known/genid/", **px.COMMON}


def compact(iri: str, settings: Settings) -> str:
    """``nkg:State`` for a term under a known namespace; the IRI itself otherwise."""
    for prefix, ns in prefixes(settings).items():
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns) :]}"
    return iri
