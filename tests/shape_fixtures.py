"""The shape fixtures of tests/shapes/ and how their verdicts are compared.

A verdict is the SET of (focus node, path, severity, source shape) of a report: what a
validator decides, without its wording. Each topic (the local name of a node shape) has
``<topic>_pass.ttl``, ``<topic>_fail.ttl`` and ``<topic>_fail.expected``; an expected file has
one tab-separated line per result: focus IRI (or a literal in double quotes, for a literal that
RDFS inference turned into a focus node), path IRI or ``-``, severity, source shape IRI.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF

from narcokg.config import Settings
from narcokg.shacl.service import project_graphs, validate_graph

SH = Namespace("http://www.w3.org/ns/shacl#")
NKG = Namespace("https://w3id.org/narcokg/ontology#")
FIXTURES = Path(__file__).resolve().parent / "shapes"
SEVERITIES = {"Violation", "Warning", "Info"}

#: (focus, path or None, severity local name, source shape)
Key = tuple[str, "str | None", str, str]

#: Node-shape predicates that select or describe, as opposed to constraining on their own.
_NOT_CONSTRAINTS = {
    SH.targetClass,
    SH.targetNode,
    SH.targetSubjectsOf,
    SH.targetObjectsOf,
    SH.target,
    SH.property,
    SH.severity,
    SH.message,
    SH.deactivated,
    SH.name,
    SH.description,
    SH.order,
    SH.group,
}


def key(result) -> Key:
    """The verdict part of a narcokg.validate.Result."""
    return (result.focus, result.path, result.severity, result.source_shape)


def keys(results) -> set[Key]:
    return {key(r) for r in results}


def show(found: set[Key]) -> str:
    """Readable lines for assertion messages, sorted."""
    return (
        "\n".join(
            "  " + "\t".join(k if k is not None else "-" for k in row)
            for row in sorted(found, key=lambda r: tuple(x or "" for x in r))
        )
        or "  (none)"
    )


def read_expected(path: Path) -> set[Key]:
    out: set[Key] = set()
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        assert len(fields) == 4, f"{path.name}:{n}: want 4 tab-separated fields, got {len(fields)}"
        focus, rpath, severity, shape = (f.strip() for f in fields)
        assert severity in SEVERITIES, f"{path.name}:{n}: unknown severity {severity!r}"
        if len(focus) >= 2 and focus[0] == focus[-1] == '"':
            focus = focus[1:-1]
        out.add((focus.strip("<>"), None if rpath == "-" else rpath.strip("<>"), severity, shape.strip("<>")))
    return out


def shapes_graph(settings: Settings) -> Graph:
    """The shapes exactly as the validation entry point reads them."""
    return project_graphs(settings)[0]


def node_shapes(shapes: Graph) -> set[URIRef]:
    return {s for s in shapes.subjects(RDF.type, SH.NodeShape) if isinstance(s, URIRef)}


def property_shapes(shapes: Graph) -> set[URIRef]:
    """Named property shapes: typed sh:PropertyShape or used by sh:property."""
    named = set(shapes.subjects(RDF.type, SH.PropertyShape)) | set(shapes.objects(None, SH.property))
    return {s for s in named if isinstance(s, URIRef)}


def own_property_shapes(shapes: Graph, node_shape: URIRef) -> set[URIRef]:
    return {p for p in shapes.objects(node_shape, SH.property) if isinstance(p, URIRef)}


def constrains_itself(shapes: Graph, node_shape: URIRef) -> bool:
    """True when the node shape has constraints of its own (sh:or, sh:sparql, …), not only sh:property."""
    return any(p.startswith(str(SH)) and p not in _NOT_CONSTRAINTS for p in shapes.predicates(node_shape))


def sparql_shapes(shapes: Graph) -> set[URIRef]:
    return {s for s in shapes.subjects(SH.sparql, None) if isinstance(s, URIRef)}


def core_shapes(shapes: Graph) -> Graph:
    """The shapes without the SHACL-SPARQL ones (and the blank nodes only they reach)."""
    drop: set = set()
    todo = list(sparql_shapes(shapes))
    while todo:
        node = todo.pop()
        if node in drop:
            continue
        drop.add(node)
        todo.extend(o for o in shapes.objects(node, None) if isinstance(o, BNode))
    core = Graph()
    for prefix, ns in shapes.namespaces():
        core.bind(prefix, ns)
    for t in shapes:
        if t[0] not in drop:
            core.add(t)
    return core


def local_name(iri: str) -> str:
    return iri.rsplit("#", 1)[-1]


def topics(shapes: Graph) -> list[str]:
    """Every node shape's local name, plus any topic that only has fixture files (a stale fixture)."""
    names = {local_name(str(s)) for s in node_shapes(shapes)}
    for p in FIXTURES.glob("*_*.*"):
        names.add(p.name.rsplit("_", 1)[0])
    return sorted(names)


def fixture(topic: str, kind: str) -> Path:
    return FIXTURES / f"{topic}_{kind}"


def parse(path: Path) -> Graph:
    return Graph().parse(path, format="turtle")


@lru_cache(maxsize=None)
def entry_point_report(path: Path, settings: Settings):
    """The validation entry point's report on a fixture file. Two test modules read each one;
    computed once per session (~1 s each, ~90 files)."""
    return validate_graph(parse(path), settings)


def literal_focus_nodes(report_graph: Graph) -> set[str]:
    """Focus nodes that are literals (RDFS range inference types literal values)."""
    return {str(f) for f in report_graph.objects(None, SH.focusNode) if isinstance(f, Literal)}
