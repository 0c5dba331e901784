"""Read the project's Turtle files into one rdflib Dataset, one named graph per source.

Layout → graph:
  ontology/*.ttl                      → <BASE graph/ontology>
  shapes/*.ttl                        → <BASE graph/shapes>
  triples/reference/*.ttl, sources.ttl → <BASE graph/reference>
  triples/<slug>.ttl                  → <BASE graph/<slug>>  (one per source document)
  triples/ledger/*.ttl                → <BASE graph/ledger>  (passages of the sources → what encodes them)

Blank nodes are replaced by skolem IRIs derived from a canonical labelling, so two loads of
the same files give the same IRIs and every dump is byte-for-byte reproducible.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import to_canonical_graph

from .config import Settings


class SourceError(Exception):
    """A source file that cannot be read; the message names the file and, where known, the line."""


@dataclass(frozen=True)
class GraphFile:
    path: Path
    graph: str  # graph IRI


def graph_files(settings: Settings) -> list[GraphFile]:
    """Every input file with the named graph it belongs to, in a fixed order."""
    g = lambda slug: settings.base + "graph/" + slug  # noqa: E731
    files: list[GraphFile] = []
    files += [GraphFile(p, g("ontology")) for p in sorted(settings.ontology_dir.glob("*.ttl"))]
    files += [GraphFile(p, g("shapes")) for p in sorted(settings.shapes_dir.glob("*.ttl"))]
    files += [GraphFile(p, g("reference")) for p in sorted((settings.triples_dir / "reference").glob("*.ttl"))]
    for p in sorted(settings.triples_dir.glob("*.ttl")):
        slug = "reference" if p.stem == "sources" else p.stem
        files.append(GraphFile(p, g(slug)))
    files += [GraphFile(p, g("ledger")) for p in sorted((settings.triples_dir / "ledger").glob("*.ttl"))]
    return files


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


def skolem_base(settings: Settings) -> str:
    return settings.base + ".well-known/genid/"


def skolemize(graph: Graph, settings: Settings, salt: str) -> Graph:
    """Replace blank nodes with IRIs that depend only on the graph's content."""
    if not any(isinstance(t, BNode) for triple in graph for t in (triple[0], triple[2])):
        return graph
    canonical = to_canonical_graph(graph)
    base = skolem_base(settings)
    out = Graph()

    def fix(term):
        if isinstance(term, BNode):
            digest = hashlib.sha1((salt + str(term)).encode()).hexdigest()[:16]
            return URIRef(base + digest)
        return term

    for s, p, o in canonical:
        out.add((fix(s), p, fix(o)))
    for prefix, ns in graph.namespaces():
        out.bind(prefix, ns, override=True)
    return out


def load(settings: Settings) -> Dataset:
    """All input files as a Dataset of named graphs (default graph empty)."""
    ds = Dataset()
    per_graph: dict[str, Graph] = {}
    for gf in graph_files(settings):
        g = parse_file(gf.path)
        g = skolemize(g, settings, salt=gf.path.name)
        target = per_graph.setdefault(gf.graph, Graph())
        for t in g:
            target.add(t)
        for prefix, ns in g.namespaces():
            ds.bind(prefix, ns, override=False)
    for iri, g in per_graph.items():
        named = ds.graph(URIRef(iri))
        for t in g:
            named.add(t)
    return ds
