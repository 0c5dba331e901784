"""The build: load → reason → validate → snapshot. Run once; the server only reads its output."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from rdflib import Dataset, Graph, URIRef

from narcokg import release, snapshot
from narcokg.build import aside, dumps
from narcokg.build import load as loader
from narcokg.build import reason
from narcokg.config import Settings
from narcokg.engine import void
from narcokg.shacl import validate
from narcokg.shacl.oxqueries import OxigraphQueries

#: Named graphs that hold data about the world (not the ontology, shapes or report).
NON_DATA = {"ontology", "shapes", "inferred", "validation"}


@dataclass
class BuildResult:
    dataset: Dataset
    report: validate.Report
    out_dir: Path
    timings: dict[str, float] = field(default_factory=dict)


def _progress(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def graph_named(ds: Dataset, settings: Settings, slug: str) -> Graph:
    return ds.graph(URIRef(settings.base + "graph/" + slug))


def data_graphs(ds: Dataset, settings: Settings) -> list[Graph]:
    prefix = settings.base + "graph/"
    return [
        g
        for g in ds.graphs()
        if str(g.identifier).startswith(prefix) and str(g.identifier)[len(prefix) :] not in NON_DATA and len(g)
    ]


def union(graphs: list[Graph], into: Graph | None = None) -> Graph:
    out = Graph() if into is None else into
    for g in graphs:
        for t in g:
            out.add(t)
    return out


def input_paths(settings: Settings) -> list[Path]:
    return [gf.path for gf in loader.graph_files(settings)]


def is_fresh(settings: Settings) -> bool:
    """True when dist/ holds a snapshot built from exactly the current inputs and code."""
    manifest = snapshot.read_manifest(settings.dist)
    if not manifest or not (settings.dist / snapshot.NQ).exists():
        return False
    return manifest.get("inputs") == snapshot.inputs_digest(input_paths(settings))


def add_inferred(ds: Dataset, settings: Settings) -> Graph:
    """OWL RL over ontology + asserted data; the new triples go into graph/inferred."""
    graphs = [graph_named(ds, settings, "ontology"), *data_graphs(ds, settings)]
    inferred = reason.infer({t for g in graphs for t in g})  # a set: copying into a graph cost 0.2 s
    target = graph_named(ds, settings, "inferred")
    target.addN((s, p, o, target) for s, p, o in inferred)
    return inferred


def add_validation(ds: Dataset, settings: Settings, inferred: Graph) -> validate.Report:
    """The shapes over asserted + inferred data (already closed: no inference in pySHACL);
    the report, skolemized, goes into graph/validation. pyoxigraph screens the SPARQL-based
    constraints (shacl/oxqueries.py): rdflib evaluates only the focus nodes it finds at fault."""
    ontology = graph_named(ds, settings, "ontology")
    data = union([*data_graphs(ds, settings), inferred, ontology], into=OxigraphQueries())
    # A copy: pySHACL adds axioms of its own to the shapes graph it is given (e.g. owl:Class
    # rdfs:subClassOf rdfs:Class), which are not ours to publish.
    shapes = union([graph_named(ds, settings, "shapes")])
    report = validate_split(data, shapes)
    report.graph = loader.skolemize(report.graph, settings, salt="validation")
    target = graph_named(ds, settings, "validation")
    for t in report.graph:
        target.add(t)
    return report


def validate_split(data: Graph, shapes: Graph) -> validate.Report:
    """pySHACL over half of the shapes here and the other half in a child forked now
    (build/aside.py), the two reports merged into one (``validate.split_shapes`` says when that
    is the report of one run over all the shapes; otherwise there is one run). Validation was half
    of the build. tests/unit/test_split_validation.py compares the two ways."""
    halves = validate.split_shapes(shapes)
    if halves is None:
        return validate.run(data, shapes, ontology=None, inference="none")
    ours, theirs = halves
    child = aside.Aside(lambda: _report_ntriples(data, shapes, theirs))
    try:
        report = validate.run(data, shapes, ontology=None, inference="none", use_shapes=ours)
    except BaseException:
        child.cancel()
        raise
    other = Graph().parse(data=child.result(), format="nt")
    return validate.merge(report, validate.Report(conforms=True, graph=other))


def _report_ntriples(data: Graph, shapes: Graph, use_shapes: list[str]) -> bytes:
    report = validate.run(data, shapes, ontology=None, inference="none", use_shapes=use_shapes)
    return report.graph.serialize(format="nt", encoding="utf-8")


def validate_knowledge_graph(settings: Settings) -> validate.Report:
    """The knowledge graph (asserted + OWL RL inferred) against the shapes, exactly as the build does."""
    ds = loader.load(settings)
    return add_validation(ds, settings, add_inferred(ds, settings))


def bind_snapshot_prefixes(ds: Dataset, settings: Settings) -> None:
    """The project's own prefixes, which every file of the snapshot writes with."""
    for prefix, ns in [
        ("nkg", settings.base + "ontology#"),
        ("id", settings.base + "id/"),
        ("shape", settings.base + "shapes#"),
    ]:
        ds.bind(prefix, ns, override=True)


def asserted_graphs(ds: Dataset, settings: Settings) -> list[str]:
    """The graphs of the snapshot's TriG: the asserted data graphs, the ontology and the shapes."""
    graphs = [str(g.identifier) for g in data_graphs(ds, settings)]
    return graphs + [settings.base + "graph/ontology", settings.base + "graph/shapes"]


def loaded_blocks(ds: Dataset, settings: Settings) -> dumps.Blocks:
    """The TriG blocks, which depend on the load alone: reasoning and validation add graphs the
    TriG leaves out, and no prefix."""
    bind_snapshot_prefixes(ds, settings)
    return dumps.trig_blocks(ds, asserted_graphs(ds, settings))


def run(settings: Settings, progress: Callable[[str], None] = _progress) -> BuildResult:
    timings: dict[str, float] = {}

    def step(name: str, fn):
        progress(f"[build] {name} …")
        t0 = time.perf_counter()
        value = fn()
        timings[name] = time.perf_counter() - t0
        progress(f"[build] {name} done in {timings[name]:.2f} s")
        return value

    def load():  # and the TriG started beside reasoning (build/aside.py)
        ds = loader.load(settings)
        return ds, aside.Aside(lambda: loaded_blocks(ds, settings))

    ds, trig = step("load", load)
    try:
        inferred = step("reason (OWL RL)", lambda: add_inferred(ds, settings))
    except BaseException:
        trig.cancel()
        raise
    # Taken before validation forks its own child, so that no thread of the first child's pool
    # is left in this process at that fork; the TriG is written by then (it takes less time than
    # reasoning).
    trig_blocks = trig.result()
    report = step("validate (SHACL)", lambda: add_validation(ds, settings, inferred))

    def do_snapshot():
        bind_snapshot_prefixes(ds, settings)
        report_graph = Graph()
        for prefix, ns in ds.namespaces():
            report_graph.bind(prefix, ns, override=True)
        for t in report.graph:
            report_graph.add(t)
        files = {
            snapshot.NQ: dumps.sorted_nquads(ds),
            snapshot.TRIG: dumps.trig_join(trig_blocks),
            snapshot.REPORT: dumps.turtle(report_graph),
        }
        # Counted over the snapshot itself, with the queries a server uses for a bare dump.
        digest = snapshot.inputs_digest(input_paths(settings))
        rel = release.of_build(digest, input_paths(settings))
        files[snapshot.VOID_FILE] = void.serialize(
            void.of_nquads(files[snapshot.NQ], settings.base, snapshot.DUMPS, rel)
        )
        manifest = {
            "inputs": digest,
            "release": rel.as_dict(),
            "base": settings.base,
            "violations": report.violations,
            "warnings": report.warnings,
            "quads": sum(len(g) for g in ds.graphs()),
        }
        snapshot.write(settings.dist, files, manifest)

    step("snapshot", do_snapshot)
    progress(f"[build] {report.summary()}; wrote {settings.dist}")
    return BuildResult(dataset=ds, report=report, out_dir=settings.dist, timings=timings)
