"""The RDF of one resource: a symmetric concise bounded description, with graphs kept.

It holds the resource's own statements (asserted and inferred, each in the named graph it
comes from), the statements of the skolemized blank nodes it reaches (n-ary nodes such as a
quantity), its incoming links, and the labels of every IRI it links to or is linked from, so
a client that fetches one document can show it without fetching more.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Callable

import pyoxigraph as ox

from narcokg import release

from narcokg.formats import jsonld
from narcokg import vocab as px
from narcokg.formats.conneg import RdfFormat
from narcokg.iris import GENID, IriMap
from narcokg.engine.base import Engine
from narcokg.engine.lookup import quads

FOAF = "http://xmlns.com/foaf/0.1/"
VOID = "http://rdfs.org/ns/void#"
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


def _nested(
    store: Engine, own: list[ox.Quad], base: str, node: ox.NamedNode, read: Callable[[str], list] | None = None
) -> list[ox.Quad]:
    """Statements of the skolemized nodes ``own`` reaches (n-ary nodes such as a quantity);
    ``read``: a node's statements in ``_ordered``'s order, when the caller has them."""
    out: list[ox.Quad] = []
    seen = {node}
    frontier = [q.object for q in own if _is_genid(q.object, base)]
    while frontier and len(seen) < MAX_NESTED:
        n = frontier.pop()
        if n in seen:
            continue
        seen.add(n)
        for q in read(n.value) if read is not None else _ordered(quads(store, n, None, None, None)):
            out.append(q)
            if _is_genid(q.object, base):
                frontier.append(q.object)
    return out


def _ordered(found) -> list[ox.Quad]:
    """A fixed order (subject, predicate, object, graph): the same document in every worker,
    and each subject's statements together, so Turtle writes one block per subject."""
    return sorted(found, key=lambda q: (str(q.subject), q.predicate.value, str(q.object), str(q.graph_name)))


def _labels(store: Engine, nodes, memo: dict | None = None) -> list[ox.Quad]:
    """The label statements of ``nodes``; ``memo`` (per process, the snapshot being fixed; its
    owner bounds its size) keeps each node's, read once."""
    if memo is None:
        return [q for other in sorted(nodes, key=str) for q in _labels_of(store, other)]
    out = []
    for other in sorted(nodes, key=str):
        found = memo.get(other)
        if found is None:
            found = memo[other] = _labels_of(store, other)
        out.extend(found)
    return out


def _labels_of(store: Engine, node) -> list[ox.Quad]:
    return [q for p in LABELS for q in _ordered(quads(store, node, p, None, None))]


def description(store: Engine, iri: str, base: str, links_in: bool = True, memo: dict | None = None) -> list[ox.Quad]:
    """Quads of the symmetric CBD of ``iri`` (IRIs as served), in reading order: the resource's
    own statements, those of the nodes it reaches, the labels of what it links to, then the
    statements linking to it, each linking resource with its label. Without ``links_in`` the
    linking statements themselves are left out, their resources' labels kept (an entity page's
    JSON-LD: the page lists the links itself). ``memo``: a per-process dict that keeps the
    labels read, for the next request."""
    node = ox.NamedNode(iri)
    own = _ordered(quads(store, node, None, None, None))
    nested = _nested(store, own, base, node)
    incoming = []
    for i, q in enumerate(quads(store, None, None, node, None)):
        if i >= MAX_INCOMING:
            break
        incoming.append(q)
    reached = {node} | {q.subject for q in nested}
    linked = {q.object for q in own + nested if isinstance(q.object, ox.NamedNode)} - reached
    linking = {q.subject for q in incoming} - reached - linked
    if not links_in:
        # _labels lists the resources in the order by_subject would, and each subject's links
        # would come before its labels: leaving them out keeps the labels in the same order.
        return own + nested + _labels(store, linked, memo) + _labels(store, linking, memo)
    by_subject: dict[ox.Term, list[ox.Quad]] = {}
    for q in _ordered(incoming) + _labels(store, linking, memo):
        by_subject.setdefault(q.subject, []).append(q)
    return own + nested + _labels(store, linked, memo) + [q for s in sorted(by_subject, key=str) for q in by_subject[s]]


@dataclass
class Embedded:
    """What an entity page embeds as JSON-LD (``embedded``), in ``jsonld.plain_triples`` form."""

    #: The resource's statements and those of the nodes it reaches.
    statements: list[tuple[str, str, tuple]]
    #: The label statements of each resource it links to or is linked from, by ``str`` of the
    #: resource: no other statement here is about these resources.
    labels: list[tuple[str, list[tuple[str, str, tuple]]]]

    def triples(self) -> list[tuple[str, str, tuple]]:
        return self.statements + [t for _key, found in self.labels for t in found]


def embedded(
    store: Engine,
    iri: str,
    base: str,
    memo: dict | None = None,
    read: Callable[[str], list] | None = None,
    links_in: list[ox.Quad] | None = None,
) -> Embedded:
    """What an entity page embeds as JSON-LD: ``description`` without links in, less the links
    back to ``iri`` from the nodes it reaches (the page lists its incoming links itself), in the
    same order. Sets and sorts on plain strings (``str`` of a term) rather than pyoxigraph
    terms; ``memo`` (per process) keeps each resource's label statements in plain form;
    ``read``: the statements about an IRI in ``_ordered``'s order, and ``links_in``: those whose
    object is ``iri`` in the store's order, when the caller has them (the entity page's builder)."""
    node = ox.NamedNode(iri)
    own = read(iri) if read is not None else _ordered(quads(store, node, None, None, None))
    nested = _nested(store, own, base, node, read)
    target = ("i", iri)
    out = [(iri, q.predicate.value, jsonld.plain(q.object)) for q in own]
    for q in nested:
        o = jsonld.plain(q.object)
        if o != target:  # a nested node's subject is never ``iri``
            out.append((jsonld.plain(q.subject)[1], q.predicate.value, o))
    if links_in is None:
        links_in = quads(store, None, None, node, None)
    linked, linking = _neighbours(node, own, nested, links_in)
    labels = []
    for nodes in (linked, linking):
        for key in sorted(nodes):
            found = memo.get(key) if memo is not None else None
            if found is None:
                found = jsonld.plain_triples(_labels_of(store, nodes[key]))
                if memo is not None:
                    memo[key] = found
            labels.append((key, found))
    return Embedded(out, labels)


def _neighbours(node, own, nested, links_in) -> tuple[dict[str, ox.Term], dict[str, ox.Term]]:
    """The resources the description links to and those linking to it (the first
    ``MAX_INCOMING`` links), by ``str``, as ``description`` reads them: neither holds a node
    the description reaches, nor the second one of the first."""
    reached = {str(node)} | {str(q.subject) for q in nested}
    linked = {str(q.object): q.object for q in own + nested if type(q.object) is ox.NamedNode}
    for key in reached:
        linked.pop(key, None)
    linking: dict[str, ox.Term] = {}
    for i, q in enumerate(links_in):
        if i >= MAX_INCOMING:
            break
        subject = q.subject
        key = str(subject)
        if key not in linking and key not in reached and key not in linked:
            linking[key] = subject
    return linked, linking


@dataclass(frozen=True)
class DocumentInfo:
    """What an RDF document says about itself (its IRI, the snapshot, version and licence)."""

    iri: str  # served IRI of the document (``BASE data/{path}``)
    release: release.Release
    base: str

    def quads(self, store: Engine, topic: str, statements: list[ox.Quad]) -> list[ox.Quad]:
        """The document's own metadata: its primary topic, licence, the source documents of its
        statements, the snapshot it was taken from and the snapshot's version and date."""
        doc = ox.NamedNode(self.iri)
        graphs = {q.graph_name.value for q in statements if isinstance(q.graph_name, ox.NamedNode)}
        sources = sorted(
            src
            for g in graphs
            if g.startswith(self.base + "graph/")
            and exists(store, src := self.base + "id/source/" + g[len(self.base + "graph/") :])
        )
        triples = [
            (ox.NamedNode(px.RDF.type), ox.NamedNode(FOAF + "Document")),
            (ox.NamedNode(FOAF + "primaryTopic"), ox.NamedNode(topic)),
            (ox.NamedNode(px.DCTERMS.license), ox.NamedNode(release.LICENCE)),
            *[(ox.NamedNode(px.DCTERMS.source), ox.NamedNode(s)) for s in sources],
            (ox.NamedNode(px.PROV.wasDerivedFrom), ox.NamedNode(self.base + "download/narcokg.nq")),
            (ox.NamedNode(VOID + "inDataset"), ox.NamedNode(self.base + "void#narcokg")),
            (ox.NamedNode(px.OWL.versionInfo), ox.Literal(self.release.version)),
            (
                ox.NamedNode(str(px.DCTERMS) + "modified"),
                ox.Literal(self.release.date, datatype=ox.NamedNode(px.XSD + "date")),
            ),
        ]
        return [ox.Quad(doc, p, o, ox.DefaultGraph()) for p, o in triples]


def document(store: Engine, iri: str, info: DocumentInfo, memo: dict | None = None) -> list[ox.Quad]:
    """The RDF document of ``iri``: its description, then the document's own metadata."""
    statements = description(store, iri, info.base, memo=memo)
    return statements + info.quads(store, iri, statements)


def _graph_data(quads: list[ox.Quad], fmt: RdfFormat) -> list:
    """Triples for a triple format; for a quad format the same triples in the default graph and
    each statement in its named graph beside them, so that a client reading the document's
    default graph (Comunica, any default-graph query) sees what the Turtle says, and provenance
    stays in the named graphs."""
    triples = list(dict.fromkeys(q.triple for q in quads))  # the description's reading order
    if not fmt.quads:
        return triples
    default = ox.DefaultGraph()
    named = list(dict.fromkeys(q for q in quads if q.graph_name != default))
    return [ox.Quad(t.subject, t.predicate, t.object, default) for t in triples] + named


def jsonld_document(quads: list[ox.Quad], fmt: RdfFormat, iris: IriMap, focus: str | None = None) -> dict:
    """``quads`` as compact JSON-LD (a JSON object) with the served IRIs, ``focus``
    first; named graphs are kept when ``fmt`` keeps them."""
    return jsonld.compact(_graph_data(quads, fmt), px.all_prefixes(iris.base), focus=focus)


def embedded_jsonld(found: Embedded, iris: IriMap, focus: str | None = None, memo: dict | None = None) -> str:
    """``embedded``'s statements as compact JSON-LD text (``jsonld_document`` of them as triples,
    dumped without indentation), ``focus`` first; ``memo`` (per process) keeps the text of
    each linked resource's labels."""
    return jsonld.compact_plain_text(
        found.statements, px.all_prefixes(iris.base), focus=focus, apart=found.labels, memo=memo
    )


def serialize(quads: list[ox.Quad], fmt: RdfFormat, iris: IriMap, focus: str | None = None) -> bytes:
    """``quads`` in ``fmt``; triple formats merge the graphs."""
    if fmt.ox_format == ox.RdfFormat.JSON_LD:
        doc = jsonld_document(quads, fmt, iris, focus)
        return json.dumps(doc, ensure_ascii=False, indent=2).encode("utf-8")
    # Prefixes whose local names hold slashes would print escaped ("id:state\\/IDN"): left out.
    prefixes = {k: v for k, v in px.all_prefixes(iris.base).items() if k not in ("id", "graph")}
    data = _graph_data(quads, fmt)
    if fmt.ox_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.RDF_XML):
        return ox.serialize(data, format=fmt.ox_format, prefixes=used_prefixes(data, prefixes, fmt.quads))
    return ox.serialize(data, format=fmt.ox_format)


_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"')
_IRI = re.compile(r"<[^<>\s]*>")


def used_prefixes(data: list, prefixes: dict[str, str], is_quads: bool) -> dict[str, str]:
    """The prefixes a Turtle (or TriG) writing of ``data`` uses: the others would be declared
    for nothing. Found in the writer's own output, with strings and full IRIs taken out."""
    fmt = ox.RdfFormat.TRIG if is_quads else ox.RdfFormat.TURTLE
    text = ox.serialize(data, format=fmt, prefixes=prefixes).decode("utf-8")
    body = "\n".join(line for line in text.splitlines() if not line.startswith(("@prefix", "PREFIX")))
    body = _IRI.sub("<>", _STRING.sub('""', body))
    names = set(re.findall(r"(?:^|[\s;,(\[^{])([A-Za-z][\w.-]*)?:", body, flags=re.M))
    return {k: v for k, v in prefixes.items() if k in names}
