"""SHACL reports as data: the prefixes they are shown and serialized with, readable names of
shapes and focus nodes, and rebasing to the public base. Used by the isolated validation
process and by the report pages (``narcokg.html.report``)."""

from __future__ import annotations

from rdflib import BNode, Graph, Literal, Namespace, URIRef

from narcokg import vocab as px
from narcokg.config import Settings
from narcokg.shacl.results import compact, prefixes

SH = Namespace(px.SH)
RDFS_LABEL = URIRef(px.RDFS.label)

__all__ = ["SH", "bind_prefixes", "compact", "english_labels", "prefixes", "rebase", "shape_label", "shape_names"]


def english_labels(graph: Graph, nodes: set[str]) -> dict[str, str]:
    """English (else untagged) rdfs:label of each node that has one in ``graph``."""
    out: dict[str, str] = {}
    for text in nodes:
        node = URIRef(text) if "://" in text or text.startswith("urn:") else BNode(text)
        best = None
        for label in graph.objects(node, RDFS_LABEL):
            if isinstance(label, Literal) and (label.language or "").lower().startswith("en"):
                best = str(label)
                break
            if isinstance(label, Literal) and not label.language and best is None:
                best = str(label)
        if best:
            out[text] = " ".join(best.split())[:120]
    return out


def bind_prefixes(graph: Graph, settings: Settings) -> None:
    for prefix, ns in prefixes(settings).items():
        graph.bind(prefix, ns, override=True, replace=True)


def rebase(graph: Graph, settings: Settings) -> Graph:
    """The graph with IRIs under ``base`` moved under ``public_base`` (itself when none is set)."""
    if not settings.public_base or settings.public_base == settings.base:
        return graph
    base, public = settings.base, settings.public_base

    def fix(t):
        return URIRef(public + t[len(base) :]) if isinstance(t, URIRef) and t.startswith(base) else t

    out = Graph()
    for s, p, o in graph:
        out.add((fix(s), fix(p), fix(o)))
    for prefix, ns in graph.namespaces():
        out.bind(prefix, fix(URIRef(ns)), override=True, replace=True)
    return out


def labelled(graph: Graph, node, lang: str) -> str | None:
    """The rdfs:label of ``node`` in ``lang``, else in English, else untagged (as /shapes names it)."""
    found: dict[str, str] = {}
    for label in graph.objects(node, RDFS_LABEL):
        if isinstance(label, Literal):
            found.setdefault((label.language or "").lower().split("-")[0], str(label))
    return found.get(lang) or found.get("en") or found.get("")


def shape_label(graph: Graph, node, settings: Settings, depth: int = 0, lang: str = "en") -> str:
    """A shape's label (``Suspect totals add up``); for a property shape without one
    ``<its shape> › path``; else ``shape:X``."""
    parent = graph.value(None, SH.property, node)
    if not isinstance(node, BNode) and not str(node).startswith(settings.base + ".well-known/genid/"):
        own = labelled(graph, node, lang)
        if own or parent is None or graph.value(node, SH.path) is None:
            return own or compact(str(node), settings)
    path = graph.value(node, SH.path)
    if parent is not None and parent != node and depth < 5:
        parent_text = shape_label(graph, parent, settings, depth + 1, lang)
    else:
        parent_text = "(shape)"
    path_text = compact(str(path), settings) if isinstance(path, URIRef) else "(complex path)"
    return f"{parent_text} › {path_text}"


def shape_names(
    shapes_graph: Graph, report_graph: Graph, shapes: set[str], settings: Settings, lang: str = "en"
) -> dict[str, str]:
    """Readable names of the source shapes of a report.

    A report names a blank-node shape by a copy of it (pySHACL copies blank nodes into the
    report), so such a shape is found in ``shapes_graph`` by its description: the shape whose
    constraint values (those that are not blank nodes) are exactly the copy's.
    """
    nodes = {str(n): n for n in set(shapes_graph.subjects()) if str(n) in shapes}
    by_description: dict[frozenset, list] = {}
    for node in set(shapes_graph.subjects(SH.path, None)):
        if isinstance(node, BNode):
            by_description.setdefault(_description(shapes_graph, node), []).append(node)
    names = {}
    for text in shapes:
        if text in nodes:
            names[text] = shape_label(shapes_graph, nodes[text], settings, lang=lang)
            continue
        copy = BNode(text)
        matches = by_description.get(_description(report_graph, copy), [])
        if len(matches) == 1:
            names[text] = shape_label(shapes_graph, matches[0], settings, lang=lang)
        elif report_graph.value(copy, SH.path) is not None:
            names[text] = shape_label(report_graph, copy, settings, lang=lang)
        else:
            names[text] = compact(text, settings)
    return names


def _description(graph: Graph, node) -> frozenset:
    return frozenset((p, o) for p, o in graph.predicate_objects(node) if not isinstance(o, BNode))
