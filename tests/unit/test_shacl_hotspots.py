"""pySHACL's two hot spots made cheaper (``shacl/hotspots.py``) decide nothing differently:
the reports equal pySHACL's own, run in a process where they are not installed."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from pyshacl.errors import ValidationFailure
from pyshacl.helper.sparql_query_helper import SPARQLQueryHelper
from rdflib import Graph
from rdflib.compare import isomorphic

from narcokg.config import load_settings
from narcokg.shacl import hotspots

from conftest import ROOT
from shape_fixtures import shapes_graph, topics

SETTINGS = load_settings()

#: Validates the knowledge graph and every failing fixture, and prints each report as N-Triples
#: between markers; argv[1] == "plain" leaves pySHACL as it is.
SCRIPT = textwrap.dedent(
    """
    import sys
    from narcokg.build import load as loader, pipeline
    from narcokg.config import load_settings
    from narcokg.shacl import hotspots, validate
    from shape_fixtures import fixture, parse, shapes_graph, topics
    if sys.argv[1] == "plain":
        hotspots.install = lambda: None
    settings = load_settings()
    ds = loader.load(settings)
    inferred = pipeline.add_inferred(ds, settings)
    ontology = pipeline.union([pipeline.graph_named(ds, settings, "ontology")])
    shapes = pipeline.union([pipeline.graph_named(ds, settings, "shapes")])
    data = pipeline.union([*pipeline.data_graphs(ds, settings), inferred, ontology])
    runs = [("knowledge graph", data, None, "none")]
    some = topics(shapes_graph(settings))[::6]  # every sixth topic: each costs ~1 s per process
    runs += [(t, parse(fixture(t, "fail.ttl")), ontology, "rdfs") for t in some]
    for name, graph, onto, inference in runs:
        report = validate.run(graph, shapes, ontology=onto, inference=inference)
        sys.stdout.write("### " + name + "\\n" + report.graph.serialize(format="nt") + "\\n")
    import pyshacl.shape
    sys.stdout.write("### installed " + type(getattr(pyshacl.shape, "CONSTRAINT_PARAMS", (None,))[0]).__name__ + "\\n")
    """
)


def _start(mode: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", SCRIPT, mode],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={"PYTHONPATH": f"{ROOT / 'server'}:{ROOT / 'tests'}", "PATH": "/usr/bin:/bin", "PYTHONHASHSEED": "0"},
    )


def _reports(process: subprocess.Popen) -> tuple[dict[str, Graph], str]:
    out, _ = process.communicate(timeout=600)
    assert process.returncode == 0
    reports: dict[str, Graph] = {}
    installed = ""
    for block in out.split("### ")[1:]:
        name, _, body = block.partition("\n")
        if name.startswith("installed "):
            installed = name.split(" ", 1)[1]
        else:
            reports[name] = Graph().parse(data=body, format="nt")
    return reports, installed


def test_every_report_equals_pyshacl_s_own():
    plain_run, fast_run = _start("plain"), _start("fast")
    plain, plain_params = _reports(plain_run)
    fast, fast_params = _reports(fast_run)
    assert plain_params == "list" and fast_params == "Members", "each process ran the pySHACL it was meant to"
    assert set(plain) == set(fast) and len(plain) == 1 + len(topics(shapes_graph(SETTINGS))[::6])
    assert sum(len(g) for g in plain.values()) > 500
    for name in plain:
        assert isomorphic(plain[name], fast[name]), name


MINUS = "SELECT $this WHERE { $this ?p ?o . MINUS { $this a ?c } }"


def test_a_refused_sparql_constraint_is_refused_on_every_call():
    hotspots.install()
    helper = SPARQLQueryHelper.__new__(SPARQLQueryHelper)
    for _ in range(2):
        with pytest.raises(ValidationFailure, match="MINUS"):
            helper.check_invalid_sparql(MINUS)
    assert helper.check_invalid_sparql("SELECT $this WHERE { $this ?p ?o }") is True
    assert helper.check_invalid_sparql("SELECT $this WHERE { $this ?p ?o }") is True


def test_members_keep_the_list_s_order_copies_and_appends():
    members = hotspots.Members(["a", "b"])
    copy = members.copy()
    copy.append("c")
    assert list(copy) == ["a", "b", "c"] and "c" in copy and "c" not in members
    assert isinstance(copy, hotspots.Members)
