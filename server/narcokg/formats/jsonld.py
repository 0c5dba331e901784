"""Compact JSON-LD with an @context of the project's prefixes, from pyoxigraph's expanded output.

pyoxigraph writes expanded JSON-LD only (full IRIs, every value an array of objects), which is
correct but hard to read. Compacting it here is a renaming, not a reinterpretation: IRIs become
``prefix:local`` where a prefix of ``prefixes`` covers them, one-element arrays lose their
brackets, ``rdf:type`` becomes ``@type``, and strings without a language or datatype become
plain JSON strings. Every other literal stays a ``@value`` object with its lexical form as
written (no native numbers or booleans, which could change the lexical form), so the document
means exactly the same triples. Named graphs (``@graph`` inside a node with ``@id``) are kept.
rdflib's own compaction was not used: with a context it turns xsd:integer, xsd:boolean and
xsd:double literals into JSON numbers and booleans, and it needs an rdflib graph built first.
"""

from __future__ import annotations

import json

from narcokg import vocab as px

RDF_TYPE = px.RDF.type


class _Compactor:
    def __init__(self, prefixes: dict[str, str]):
        # Longest namespace first, so the most specific prefix wins.
        self.namespaces = sorted(((ns, p) for p, ns in prefixes.items()), key=lambda x: -len(x[0]))
        self.used: dict[str, str] = {}
        self.memo: dict[str, str] = {}

    def iri(self, iri: str) -> str:
        """``prefix:local`` for ``iri`` when a namespace covers it, else ``iri`` unchanged."""
        short = self.memo.get(iri)
        if short is not None:
            return short
        short = iri
        for ns, prefix in self.namespaces:
            if iri.startswith(ns):
                local = iri[len(ns) :]
                # An empty local name or one that starts with "//" would not read back as this IRI.
                if local and not local.startswith("//"):
                    short = f"{prefix}:{local}"
                    self.used[prefix] = ns
                break
        self.memo[iri] = short
        return short

    def node(self, obj: dict) -> dict:
        out: dict = {}
        for key, values in obj.items():
            if key == "@id":
                out["@id"] = self.iri(values)
            elif key == "@graph":
                out["@graph"] = [self.node(n) for n in values]
            elif key.startswith("@"):
                out[key] = values
            elif key == RDF_TYPE and all(set(v) == {"@id"} and not v["@id"].startswith("_:") for v in values):
                out["@type"] = _one([self.iri(v["@id"]) for v in values])
            else:
                out[self.iri(key)] = _one([self.value(v) for v in values])
        return out

    def value(self, v: dict):
        if "@value" in v:
            if len(v) == 1 and isinstance(v["@value"], str):
                return v["@value"]
            if "@type" in v:
                return {**v, "@type": self.iri(v["@type"])}
            return v
        if set(v) == {"@id"}:
            return {"@id": self.iri(v["@id"])}
        return self.node(v)


def _one(items: list):
    return items[0] if len(items) == 1 else items


def compact(expanded: bytes | str, prefixes: dict[str, str], focus: str | None = None) -> dict:
    """The compact form of the expanded JSON-LD document ``expanded``; ``focus`` (an IRI as it
    appears in the document) is listed first when present. The @context holds only the
    prefixes the document uses."""
    c = _Compactor(prefixes)
    nodes = [c.node(n) for n in json.loads(expanded)]
    if focus is not None:
        first = c.iri(focus)
        nodes.sort(key=lambda n: n.get("@id") != first)  # stable: the rest keep their order
    doc: dict = {"@context": dict(sorted(c.used.items()))}
    if len(nodes) == 1 and "@graph" not in nodes[0]:
        doc.update(nodes[0])
    else:
        doc["@graph"] = nodes
    return doc
