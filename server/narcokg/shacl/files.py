"""The project's own RDF files and pyoxigraph terms, as rdflib graphs for pySHACL and owlrl.

Turtle is read by the serving engine's parser (pyoxigraph): it is strict where rdflib lets
errors through (an IRI with a space, a relative IRI resolved against the local path), and its
line numbers are exact where rdflib's drift after multi-line literals.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef

from narcokg.errors import SourceError


def parse_file(path: Path, fmt: str = "turtle", data: bytes | None = None) -> Graph:
    """Parse one file; a syntax error becomes a SourceError naming file and line.

    Turtle is read once, by the serving engine's parser (pyoxigraph): it is strict where rdflib
    lets errors through (an IRI with a space, a relative IRI resolved against the local path),
    and its line numbers are exact where rdflib's drift after multi-line literals. Other syntaxes
    go through rdflib.
    """
    if fmt == "turtle":
        return _parse_turtle(path, data)
    graph = Graph()
    try:
        if data is None:
            graph.parse(path, format=fmt)
        else:
            graph.parse(data=data, format=fmt)
    except Exception as exc:  # rdflib raises many types; all mean "does not parse"
        raise SourceError(f"{path}: {describe_parse_error(exc)}") from None
    return graph


def _parse_turtle(path: Path, data: bytes | None) -> Graph:
    graph = Graph()
    try:
        if data is None:
            parser = ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)
        else:
            parser = ox.parse(data, format=ox.RdfFormat.TURTLE)
        for q in parser:
            graph.add((rdflib_term(q.subject), URIRef(q.predicate.value), rdflib_term(q.object)))
    except SyntaxError as exc:
        raise SourceError(f"{path}: " + " ".join((getattr(exc, "msg", None) or str(exc)).split())) from None
    except OSError as exc:
        raise SourceError(f"{path}: {exc.strerror or 'cannot read'}") from None
    for prefix, ns in parser.prefixes.items():
        graph.bind(prefix, ns, override=True)
    return graph


def rdflib_term(t):
    """An rdflib term from a pyoxigraph one (no RDF-star in our data)."""
    if isinstance(t, ox.NamedNode):
        return URIRef(t.value)
    if isinstance(t, ox.BlankNode):
        return BNode(t.value)
    if t.language:
        return Literal(t.value, lang=t.language)
    datatype = t.datatype.value
    if datatype == "http://www.w3.org/2001/XMLSchema#string":
        return Literal(t.value)
    return Literal(t.value, datatype=URIRef(datatype))


def describe_parse_error(exc: Exception) -> str:
    """A one-paragraph message from any rdflib parser error, with the line where known."""
    text = str(exc).strip() or exc.__class__.__name__
    lines = getattr(exc, "lines", None)
    if lines is not None and "line" not in text.lower():
        text = f"line {lines + 1}: {text}"
    return " ".join(text.split())
