"""The RDF of one resource: a symmetric concise bounded description, with graphs kept.

It holds the resource's own statements (asserted and inferred, each in the named graph it
comes from), the statements of the skolemized blank nodes it reaches (n-ary nodes such as a
quantity), its incoming links, and the labels of every IRI it links to or is linked from, so
a client that fetches one document can show it without fetching more.
"""
from __future__ import annotations

import json

import pyoxigraph as ox

from narcokg.formats import jsonld
from narcokg import vocab as px
from narcokg.formats.conneg import RdfFormat
from narcokg.iris import GENID, IriMap
from narcokg.engine.base import Engine
from narcokg.engine.lookup import quads

LABELS = [ox.NamedNode(px.RDFS.label), ox.NamedNode(px.SKOS.prefLabel)]
#: Bounds that keep one request small even for a hub resource in a large graph.
MAX_INCOMING = 5000
MAX_NESTED = 200


def exists(store: Engine, iri: str) -> bool:
    node = ox.NamedNode(iri)
    for _ in quads(store, node, None, None, None):
        return True
    for _ in quads(store, None, None, node, None):
        return True
    return False


def _is_genid(term, base: str) -> bool:
    return isinstance(term, ox.NamedNode) and term.value.startswith(base + GENID)


def description(store: Engine, iri: str, base: str) -> list[ox.Quad]:
    """Quads of the symmetric CBD of ``iri`` (canonical IRIs), outgoing first."""
    node = ox.NamedNode(iri)
    out: list[ox.Quad] = list(quads(store, node, None, None, None))
    seen = {node}
    frontier = [q.object for q in out if _is_genid(q.object, base)]
    while frontier and len(seen) < MAX_NESTED:
        n = frontier.pop()
        if n in seen:
            continue
        seen.add(n)
        for q in quads(store, n, None, None, None):
            out.append(q)
            if _is_genid(q.object, base):
                frontier.append(q.object)
    incoming = []
    for i, q in enumerate(quads(store, None, None, node, None)):
        if i >= MAX_INCOMING:
            break
        incoming.append(q)
    linked = {q.object for q in out if isinstance(q.object, ox.NamedNode)} | {q.subject for q in incoming}
    linked -= seen
    labels = []
    for other in linked:
        for p in LABELS:
            labels.extend(quads(store, other, p, None, None))
    return out + incoming + labels


def _public_data(quads: list[ox.Quad], fmt: RdfFormat, iris: IriMap) -> list:
    """Triples for a triple format; for a quad format the same triples in the default graph and
    each statement in its named graph beside them, so that a client reading the document's
    default graph (Comunica, any default-graph query) sees what the Turtle says, and provenance
    stays in the named graphs."""
    mapped = [iris.public_quad(q) for q in quads]
    triples = sorted({q.triple for q in mapped}, key=str)
    if not fmt.quads:
        return triples
    default = ox.DefaultGraph()
    named = sorted({q for q in mapped if q.graph_name != default}, key=str)
    return [ox.Quad(t.subject, t.predicate, t.object, default) for t in triples] + named


def jsonld_document(quads: list[ox.Quad], fmt: RdfFormat, iris: IriMap, focus: str | None = None) -> dict:
    """``quads`` as compact JSON-LD (a JSON object) with public IRIs, ``focus`` (a canonical
    IRI) first; named graphs are kept when ``fmt`` keeps them."""
    expanded = ox.serialize(_public_data(quads, fmt, iris), format=ox.RdfFormat.JSON_LD)
    return jsonld.compact(expanded, px.all_prefixes(iris.public or iris.base),
                          focus=iris.to_public(focus) if focus else None)


def serialize(quads: list[ox.Quad], fmt: RdfFormat, iris: IriMap, focus: str | None = None) -> bytes:
    """``quads`` in ``fmt`` with public IRIs; triple formats merge the graphs."""
    if fmt.ox_format == ox.RdfFormat.JSON_LD:
        doc = jsonld_document(quads, fmt, iris, focus)
        return json.dumps(doc, ensure_ascii=False, indent=2).encode("utf-8")
    # Prefixes whose local names hold slashes would print escaped ("id:state\\/IDN"): left out.
    prefixes = {k: v for k, v in px.all_prefixes(iris.public or iris.base).items() if k not in ("id", "graph")}
    data = _public_data(quads, fmt, iris)
    if fmt.ox_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.RDF_XML):
        return ox.serialize(data, format=fmt.ox_format, prefixes=prefixes)
    return ox.serialize(data, format=fmt.ox_format)
