"""Present SHACL results to people: readable names, links, counts, groups and filters.

Shared by GET /shacl (the build's report) and POST /shacl/validate (a client's report) so both
pages read the same way. Nothing here validates or parses.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from rdflib import BNode, Graph, Literal, Namespace, URIRef

from narcokg import vocab as px
from narcokg.shacl import upload as safeparse
from narcokg.config import Settings
from narcokg.iris import IriMap
from narcokg.shacl.validate import Result

SH = Namespace(px.SH)
RDFS_LABEL = URIRef(px.RDFS + "label")

#: Display order of severities.
SEVERITIES = ("Violation", "Warning", "Info")


def prefixes(settings: Settings) -> dict[str, str]:
    """Prefixes for display and serialization: the project's (plus its skolem IRIs), then the
    vocabularies every document may use."""
    b = settings.base
    return {**px.project(b), "genid": b + ".well-known/genid/", **px.COMMON}


def compact(iri: str, settings: Settings) -> str:
    """``nkg:State`` for a term under a known namespace; the IRI itself otherwise."""
    for prefix, ns in prefixes(settings).items():
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


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
        return URIRef(public + t[len(base):]) if isinstance(t, URIRef) and t.startswith(base) else t

    out = Graph()
    for s, p, o in graph:
        out.add((fix(s), fix(p), fix(o)))
    for prefix, ns in graph.namespaces():
        out.bind(prefix, fix(URIRef(ns)), override=True, replace=True)
    return out


def local_href(iri: str | None, settings: Settings) -> str | None:
    """Where a page links for ``iri`` (the entity's page, the term's documentation, or the IRI
    itself); None for what has no address (blank nodes, the reserved base of uploaded data)."""
    if not iri or not iri.startswith(("http://", "https://")) or iri.startswith(safeparse.UPLOAD_BASE):
        return None
    return IriMap(settings).href(iri)


def shape_label(graph: Graph, node, settings: Settings, depth: int = 0) -> str:
    """``shape:X`` for a named shape; ``shape:X › path`` for an unnamed property shape of X."""
    if not isinstance(node, BNode) and not str(node).startswith(settings.base + ".well-known/genid/"):
        return compact(str(node), settings)
    parent = graph.value(None, SH.property, node)
    path = graph.value(node, SH.path)
    if parent is not None and parent != node and depth < 5:
        parent_text = shape_label(graph, parent, settings, depth + 1)
    else:
        parent_text = "(shape)"
    path_text = compact(str(path), settings) if isinstance(path, URIRef) else "(complex path)"
    return f"{parent_text} › {path_text}"


def shape_names(shapes_graph: Graph, report_graph: Graph, shapes: set[str], settings: Settings) -> dict[str, str]:
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
            names[text] = shape_label(shapes_graph, nodes[text], settings)
            continue
        copy = BNode(text)
        matches = by_description.get(_description(report_graph, copy), [])
        if len(matches) == 1:
            names[text] = shape_label(shapes_graph, matches[0], settings)
        elif report_graph.value(copy, SH.path) is not None:
            names[text] = shape_label(report_graph, copy, settings)
        else:
            names[text] = compact(text, settings)
    return names


def _description(graph: Graph, node) -> frozenset:
    return frozenset((p, o) for p, o in graph.predicate_objects(node) if not isinstance(o, BNode))


@dataclass(frozen=True)
class Row:
    """One result as shown on a page."""

    severity: str
    focus: str
    #: the focus node's English label where known, else its compact IRI
    focus_label: str
    #: compact IRI of the focus node (``id:state/IDN``)
    focus_id: str
    focus_href: str | None
    path: str | None
    value: str | None
    value_href: str | None
    message: str
    shape: str
    shape_label: str
    shape_href: str | None
    constraint: str | None


def rows(results: list[Result], names: dict[str, str], settings: Settings,
         labels: dict[str, str] | None = None) -> list[Row]:
    """Rows for display; full IRIs (in ``focus`` and ``shape``) as served (under the public base).

    ``labels`` maps focus IRIs to a readable label (English rdfs:label), where known."""
    labels = labels or {}
    iris = IriMap(settings)
    out = []
    for r in results:
        out.append(
            Row(
                severity=r.severity,
                focus=iris.to_public(r.focus),
                focus_label=labels.get(r.focus) or compact(r.focus, settings),
                focus_id=compact(r.focus, settings),
                focus_href=local_href(r.focus, settings),
                path=compact(r.path, settings) if r.path else None,
                value=compact(r.value, settings) if r.value is not None else None,
                value_href=local_href(r.value, settings) if r.value and "://" in r.value else None,
                message=r.message,
                shape=iris.to_public(r.source_shape),
                shape_label=names.get(r.source_shape) or compact(r.source_shape, settings),
                shape_href=local_href(r.source_shape, settings)
                if r.source_shape.startswith(settings.base + "shapes#") else None,
                constraint=r.constraint,
            )
        )
    return out


@dataclass
class Group:
    severity: str
    shape: str
    shape_label: str
    shape_href: str | None
    rows: list[Row]


@dataclass
class Summary:
    total: int
    by_severity: list[tuple[str, int]]
    #: (shape IRI, label, href, {severity: count}, total), most results first.
    by_shape: list[tuple[str, str, str | None, dict[str, int], int]]


def summarize(all_rows: list[Row]) -> Summary:
    sev = Counter(r.severity for r in all_rows)
    per_shape: dict[str, Counter] = {}
    first: dict[str, Row] = {}
    for r in all_rows:
        per_shape.setdefault(r.shape, Counter())[r.severity] += 1
        first.setdefault(r.shape, r)
    by_shape = sorted(
        ((s, first[s].shape_label, first[s].shape_href, dict(c), sum(c.values())) for s, c in per_shape.items()),
        key=lambda t: (-t[4], t[1]),
    )
    by_severity = [(s, sev.get(s, 0)) for s in SEVERITIES] + sorted(
        (s, n) for s, n in sev.items() if s not in SEVERITIES
    )
    return Summary(total=len(all_rows), by_severity=by_severity, by_shape=by_shape)


def group(selected: list[Row]) -> list[Group]:
    """Results grouped by severity (Violation first), then by shape."""
    order = {s: i for i, s in enumerate(SEVERITIES)}
    groups: dict[tuple[str, str], Group] = {}
    for r in selected:
        g = groups.get((r.severity, r.shape))
        if g is None:
            g = groups[(r.severity, r.shape)] = Group(r.severity, r.shape, r.shape_label, r.shape_href, [])
        g.rows.append(r)
    return sorted(groups.values(), key=lambda g: (order.get(g.severity, 99), g.shape_label))

