"""Validate data against the project's shapes: the one code path behind `narcokg validate`
and POST /shacl/validate, so both always give the same verdict."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from rdflib import Graph

from narcokg.config import Settings
from narcokg.errors import SourceError
from narcokg.shacl.accepts import FORMATS_BY_MEDIA_TYPE, FORMATS_BY_SUFFIX
from narcokg.shacl import upload as safeparse
from narcokg.shacl import validate
from narcokg.shacl.files import parse_file

__all__ = [
    "FORMATS_BY_MEDIA_TYPE",
    "FORMATS_BY_SUFFIX",
    "parse_bytes",
    "project_graphs",
    "validate_files",
    "validate_graph",
]


def project_graphs(settings: Settings) -> tuple[Graph, Graph]:
    """(shapes, ontology) as read from the source folders; parsed once per process and folder."""
    return _project_graphs(settings.shapes_dir, settings.ontology_dir)


@lru_cache(maxsize=2)
def _project_graphs(shapes_dir: Path, ontology_dir: Path) -> tuple[Graph, Graph]:
    shapes, ontology = Graph(), Graph()
    for p in sorted(shapes_dir.glob("*.ttl")):
        shapes += parse_file(p)
    for p in sorted(ontology_dir.glob("*.ttl")):
        ontology += parse_file(p)
    return shapes, ontology


def validate_graph(data: Graph, settings: Settings) -> validate.Report:
    """Client data against our shapes, with the ontology for RDFS inference."""
    shapes, ontology = project_graphs(settings)
    return validate.run(data, shapes, ontology=ontology, inference="rdfs")


def parse_bytes(data: bytes, fmt: str, name: str = "data") -> Graph:
    """Parse client data the way the HTTP service does (no remote contexts, fixed base)."""
    try:
        return safeparse.parse(data, fmt)
    except safeparse.ParseError as exc:
        raise SourceError(f"{name}: {exc}") from None


def validate_files(paths: list[Path], settings: Settings) -> validate.Report:
    """Files given to `narcokg validate`: parsed by the same safe parser as POST /shacl/validate."""
    data = Graph()
    for p in paths:
        fmt = FORMATS_BY_SUFFIX.get(p.suffix.lower(), "turtle")
        if fmt not in safeparse.FORMATS:
            raise SourceError(f"{p}: unsupported format (use .ttl, .nt, .jsonld or .rdf)")
        try:
            raw = p.read_bytes()
        except OSError as exc:
            raise SourceError(f"{p}: {exc.strerror or 'cannot read'}") from None
        data += parse_bytes(raw, fmt, name=str(p))
    return validate_graph(data, settings)
