"""Compact JSON-LD with an @context of the project's prefixes, made from pyoxigraph's terms.

pyoxigraph writes expanded JSON-LD only (full IRIs, every value an array of objects), which is
correct but hard to read. The document here groups nodes as that writer does, and its compaction
is a renaming, not a reinterpretation: IRIs become
``prefix:local`` where a prefix of ``prefixes`` covers them, one-element arrays lose their
brackets, ``rdf:type`` becomes ``@type``, and strings without a language or datatype become
plain JSON strings. Every other literal stays a ``@value`` object with its lexical form as
written (no native numbers or booleans, which could change the lexical form), so the document
means exactly the same triples. Named graphs (``@graph`` inside a node with ``@id``) are kept.
rdflib's own compaction was not used: with a context it turns xsd:integer, xsd:boolean and
xsd:double literals into JSON numbers and booleans, and it needs an rdflib graph built first.
"""

from __future__ import annotations

from json.encoder import encode_basestring

import pyoxigraph as ox

from narcokg import vocab as px

RDF_TYPE = px.RDF.type


#: IRIs a shortening memo keeps before it starts afresh.
MAX_MEMO = 100_000
#: One memo per set of prefixes (a server has one): IRI -> (short form, prefix used or None).
_MEMOS: dict[tuple, dict[str, tuple[str, str | None]]] = {}


def _memo_for(prefixes: dict[str, str]) -> dict[str, tuple[str, str | None]]:
    key = tuple(sorted(prefixes.items()))
    memo = _MEMOS.get(key)
    if memo is None or len(memo) >= MAX_MEMO:
        if len(_MEMOS) >= 8:
            _MEMOS.clear()
        memo = _MEMOS[key] = {}
    return memo


class _Compactor:
    def __init__(self, prefixes: dict[str, str]):
        # Longest namespace first, so the most specific prefix wins.
        self.namespaces = sorted(((ns, p) for p, ns in prefixes.items()), key=lambda x: -len(x[0]))
        self.prefixes = prefixes
        self.used: dict[str, str] = {}
        # Shared by every document with these prefixes: how an IRI shortens never changes.
        self.memo = _memo_for(prefixes)

    def iri(self, iri: str) -> str:
        """``prefix:local`` for ``iri`` when a namespace covers it, else ``iri`` unchanged."""
        found = self.memo.get(iri)
        if found is None:
            found = self.memo[iri] = self._shorten(iri)
        short, prefix = found
        if prefix is not None:
            self.used[prefix] = self.prefixes[prefix]
        return short

    def _shorten(self, iri: str) -> tuple[str, str | None]:
        for ns, prefix in self.namespaces:
            if iri.startswith(ns):
                local = iri[len(ns) :]
                # An empty local name or one that starts with "//" would not read back as this IRI.
                if local and not local.startswith("//"):
                    return f"{prefix}:{local}", prefix
                break
        return iri, None

    def node(self, obj: dict) -> dict:
        """One node of what ``_runs`` gives, compacted."""
        out: dict = {}
        for key, values in obj.items():
            if key == "@id":
                out["@id"] = self.iri(values)
            elif key == "@graph":
                out["@graph"] = [self.node(n) for n in values]
            elif key == RDF_TYPE and all(isinstance(v, ox.NamedNode) for v in values):
                out["@type"] = _one([self.iri(v.value) for v in values])
            else:
                out[self.iri(key)] = _one([self.term(v) for v in values])
        return out

    def term(self, t):
        """A value: a plain string, a language- or datatype-tagged value, or a node reference."""
        if isinstance(t, ox.Literal):
            if t.language:
                return {"@language": t.language, "@value": t.value}
            if t.datatype.value == _XSD_STRING:
                return t.value
            return {"@type": self.iri(t.datatype.value), "@value": t.value}
        return {"@id": self.iri(_node_id(t))}

    # The same document written straight to compact JSON text (``compact_text``) -----------------
    def node_text(self, obj: dict) -> str:
        parts = []
        for key, values in obj.items():
            if key == "@id":
                parts.append('"@id":' + encode_basestring(self.iri(values)))
            elif key == "@graph":
                parts.append('"@graph":[' + ",".join(["{" + self.node_text(n) + "}" for n in values]) + "]")
            elif key == RDF_TYPE and all(isinstance(v, ox.NamedNode) for v in values):
                parts.append('"@type":' + _one_text([encode_basestring(self.iri(v.value)) for v in values]))
            else:
                parts.append(encode_basestring(self.iri(key)) + ":" + _one_text([self.term_text(v) for v in values]))
        return ",".join(parts)

    def term_text(self, t) -> str:
        if isinstance(t, ox.Literal):
            if t.language:
                return f'{{"@language":{encode_basestring(t.language)},"@value":{encode_basestring(t.value)}}}'
            if t.datatype.value == _XSD_STRING:
                return encode_basestring(t.value)
            return f'{{"@type":{encode_basestring(self.iri(t.datatype.value))},"@value":{encode_basestring(t.value)}}}'
        return f'{{"@id":{encode_basestring(self.iri(_node_id(t)))}}}'

    # Plain statements (``plain``'s terms): no pyoxigraph term compared or hashed -------------
    def plain_node_text(self, obj: dict) -> str:
        enc, iri = encode_basestring, self.iri
        parts = ['"@id":' + enc(iri(obj["@id"]))]
        for key, values in obj.items():
            if key == "@id":
                continue
            if key == RDF_TYPE and all(v[0] == "i" for v in values):
                parts.append('"@type":' + _one_text([enc(iri(v[1])) for v in values]))
            else:
                parts.append(enc(iri(key)) + ":" + _one_text([self.plain_text(v) for v in values]))
        return ",".join(parts)

    def plain_text(self, v: tuple) -> str:
        kind = v[0]
        if kind == "s":
            return encode_basestring(v[1])
        if kind == "l":
            return f'{{"@language":{encode_basestring(v[2])},"@value":{encode_basestring(v[1])}}}'
        if kind == "t":
            return f'{{"@type":{encode_basestring(self.iri(v[2]))},"@value":{encode_basestring(v[1])}}}'
        return f'{{"@id":{encode_basestring(self.iri(v[1]))}}}'


class TripleTermError(ValueError):
    """JSON-LD 1.1 has no form for an RDF 1.2 triple term (pyoxigraph's writer refuses them too:
    "JSON-LD does not support RDF 1.2 yet")."""

    def __init__(self):
        super().__init__(
            "JSON-LD cannot write the RDF 1.2 triple terms in this answer; "
            "ask for Turtle, TriG, N-Triples, N-Quads or RDF/XML instead"
        )


def plain(term) -> tuple:
    """A term as plain strings, equal where the terms are equal: ``("i", iri)``, ``("b", "_:id")``,
    ``("s", text)`` (xsd:string), ``("l", text, language)`` or ``("t", text, datatype)``."""
    kind = type(term)
    if kind is ox.NamedNode:
        return ("i", term.value)
    if kind is ox.Literal:
        language = term.language
        if language:
            return ("l", term.value, language)
        datatype = term.datatype.value
        return ("s", term.value) if datatype == _XSD_STRING else ("t", term.value, datatype)
    if kind is ox.BlankNode:
        return ("b", "_:" + term.value)
    if kind is ox.Triple:
        raise TripleTermError()
    raise TypeError(f"no plain form for {term!r}")


def plain_triples(statements) -> list[tuple[str, str, tuple]]:
    """Quads or triples as (subject id, predicate, ``plain`` object), graphs dropped."""
    return [(plain(q.subject)[1], q.predicate.value, plain(q.object)) for q in statements]


def compact_plain_text(
    triples: list[tuple[str, str, tuple]],
    prefixes: dict[str, str],
    focus: str | None = None,
    apart: list[tuple[str, list[tuple[str, str, tuple]]]] = (),
    memo: dict | None = None,
) -> str:
    """``compact_text`` of triples given as plain strings (``plain_triples``), duplicates
    included (dropped here, as ``compact`` is given them once): what an entity page embeds,
    grouped without comparing or hashing pyoxigraph terms. ``apart``: more triples after
    ``triples``, by resource (key, its triples), when none of them shares a subject with any
    other statement nor is about ``focus`` (an entity page's labels of the resources it links to
    and is linked from); their text is written once
    per key and kept in ``memo`` (per process, for one set of ``prefixes``)."""
    c = _Compactor(prefixes)
    nodes = _plain_runs(dict.fromkeys(triples))
    if focus is not None:
        first = c.iri(focus)
        nodes.sort(key=lambda n: c.iri(n["@id"]) != first)  # stable: the rest keep their order
    written = [c.plain_node_text(n) for n in nodes]  # before the @context: writing finds the prefixes used
    for key, own in apart:
        found = memo.get(key) if memo is not None else None
        if found is None:
            alone = _Compactor(prefixes)
            found = ([alone.plain_node_text(n) for n in _plain_runs(dict.fromkeys(own))], tuple(alone.used))
            if memo is not None:
                memo[key] = found
        written.extend(found[0])
        for prefix in found[1]:
            c.used[prefix] = prefixes[prefix]
    return _document_text(c, written, len(written) == 1)


def _plain_runs(triples) -> list[dict]:
    """``_runs`` of plain triples (all in the default graph)."""
    top: list[dict] = []
    subject = predicate = None
    node: dict = {}
    values: list = []
    for s, p, o in triples:
        if s != subject:
            subject, predicate = s, None
            node = {"@id": s}
            top.append(node)
        if p != predicate:
            predicate = p
            if p in node:  # the writer starts the subject's node again
                node = {"@id": s}
                top.append(node)
            values = node[p] = []
        values.append(o)
    return top


def _document_text(c: _Compactor, written: list[str], single: bool) -> str:
    context = ",".join(f"{encode_basestring(p)}:{encode_basestring(ns)}" for p, ns in sorted(c.used.items()))
    if single:
        return f'{{"@context":{{{context}}},{written[0]}}}'
    return f'{{"@context":{{{context}}},"@graph":[' + ",".join("{" + w + "}" for w in written) + "]}"


def _one_text(items: list[str]) -> str:
    return items[0] if len(items) == 1 else "[" + ",".join(items) + "]"


def _one(items: list):
    return items[0] if len(items) == 1 else items


def compact(statements: list, prefixes: dict[str, str], focus: str | None = None) -> dict:
    """``statements`` (quads or triples) as a compact JSON-LD document, the nodes grouped as
    pyoxigraph's writer groups them; ``focus`` (an IRI) is listed first when present. The
    @context holds only the prefixes the document uses. Made from the terms directly: writing
    pyoxigraph's expanded JSON-LD and reading it back was a third of an entity page's time."""
    c = _Compactor(prefixes)
    return _document(c, [c.node(n) for n in _runs(statements)], focus)


def compact_text(statements: list, prefixes: dict[str, str], focus: str | None = None) -> str:
    """``compact``'s document as compact JSON text (``json.dumps(..., ensure_ascii=False,
    separators=(",", ":"))``, the same characters), written from the nodes in one pass: an entity
    page embeds it, and building the dicts to dump them was most of its cost."""
    c = _Compactor(prefixes)
    nodes = _runs(statements)
    if focus is not None:
        first = c.iri(focus)
        nodes.sort(key=lambda n: c.iri(n["@id"]) != first)  # stable: the rest keep their order
    written = [c.node_text(n) for n in nodes]  # before the @context: writing finds the prefixes used
    return _document_text(c, written, len(nodes) == 1 and "@graph" not in nodes[0])


def _document(c: _Compactor, nodes: list[dict], focus: str | None) -> dict:
    if focus is not None:
        first = c.iri(focus)
        nodes.sort(key=lambda n: n.get("@id") != first)  # stable: the rest keep their order
    doc: dict = {"@context": dict(sorted(c.used.items()))}
    if len(nodes) == 1 and "@graph" not in nodes[0]:
        doc.update(nodes[0])
    else:
        doc["@graph"] = nodes
    return doc


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_NOTHING = object()
_DEFAULT = ox.DefaultGraph()


def _node_id(term) -> str:
    if isinstance(term, ox.Triple):
        raise TripleTermError()
    return term.value if isinstance(term, ox.NamedNode) else "_:" + term.value


def _runs(statements) -> list[dict]:
    """The nodes of pyoxigraph's expanded JSON-LD of ``statements``, values left as terms, as its
    writer makes them: one node per run of statements with the same graph and subject (a new one
    for the same subject when a predicate comes back after another), one key per run of the same
    predicate, each run of a named graph's statements inside ``{"@id": graph, "@graph": [...]}``."""
    top: list[dict] = []
    container = top
    graph = subject = predicate = _NOTHING
    node: dict = {}
    values: list = []
    for q in statements:
        g = q.graph_name if isinstance(q, ox.Quad) else _DEFAULT
        if graph is _NOTHING or g != graph:
            graph, subject = g, _NOTHING
            if isinstance(g, ox.DefaultGraph):
                container = top
            else:
                wrapper = {"@id": _node_id(g), "@graph": []}
                top.append(wrapper)
                container = wrapper["@graph"]
        if subject is _NOTHING or q.subject != subject:
            subject, predicate = q.subject, _NOTHING
            node = {"@id": _node_id(subject)}
            container.append(node)
        if predicate is _NOTHING or q.predicate != predicate:
            predicate = q.predicate
            if predicate.value in node:  # the writer starts the subject's node again
                node = {"@id": node["@id"]}
                container.append(node)
            values = node[predicate.value] = []
        values.append(q.object)
    return top
