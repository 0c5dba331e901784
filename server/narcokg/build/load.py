"""Read the project's Turtle files into one rdflib Dataset, one named graph per source.

Layout → graph:
  ontology/*.ttl                      → <BASE graph/ontology>
  shapes/*.ttl                        → <BASE graph/shapes>
  triples/reference/*.ttl, sources.ttl → <BASE graph/reference>
  triples/<slug>.ttl                  → <BASE graph/<slug>>  (one per source document; editorial.ttl
                                         → graph/editorial, statements no source prints)
  triples/ledger/*.ttl                → <BASE graph/ledger>  (passages of the sources → what encodes them)

Blank nodes are replaced by skolem IRIs derived from their content (``treelabels``, or rdflib's
canonical labelling where they do not form trees), so two loads of the same files give the same
IRIs and every dump is byte-for-byte reproducible.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from rdflib import BNode, Dataset, Graph, URIRef
from rdflib.compare import to_canonical_graph

from narcokg.build import treelabels
from narcokg.config import Settings
from narcokg.shacl.files import parse_file


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


def skolem_base(settings: Settings) -> str:
    return settings.base + ".well-known/genid/"


def skolemize(graph: Graph, settings: Settings, salt: str) -> Graph:
    """Replace blank nodes with IRIs that depend only on the graph's content: labelled as trees
    where they are (``treelabels``, as ``[ … ]`` and ``( … )`` write them), else by rdflib's
    canonical labelling."""
    if not any(isinstance(t, BNode) for triple in graph for t in (triple[0], triple[2])):
        return graph
    base = skolem_base(settings)
    tree = treelabels.labels(graph)
    if tree is None:
        canonical = to_canonical_graph(graph)
        source, label = canonical, str
    else:
        source, label = graph, tree.__getitem__

    def fix(term):
        if isinstance(term, BNode):
            digest = hashlib.sha1((salt + label(term)).encode()).hexdigest()[:16]
            return URIRef(base + digest)
        return term

    out = Graph()
    out.addN((fix(s), p, fix(o), out) for s, p, o in source)
    for prefix, ns in graph.namespaces():
        out.bind(prefix, ns, override=True)
    return out


def load(settings: Settings) -> Dataset:
    """All input files as a Dataset of named graphs (default graph empty)."""
    ds = Dataset()
    for gf in graph_files(settings):
        g = skolemize(parse_file(gf.path), settings, salt=gf.path.name)
        named = ds.graph(URIRef(gf.graph))
        named.addN((s, p, o, named) for s, p, o in g)  # straight in: each copy cost ~0.1 s
        for prefix, ns in g.namespaces():
            ds.bind(prefix, ns, override=False)
    return ds
