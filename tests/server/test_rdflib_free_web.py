"""rdflib lives in the build and in the validation process, never in the web process: no module of
the web, html, engine or formats rooms loads it, a running server's HTTP workers never import it
whatever they serve (the report pages included), and the SHACL answers are what the web process
made with rdflib before (the same Turtle bytes, the same triples in every other format)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

from conftest import ROOT, start_server, stop_server

PACKAGE = ROOT / "server" / "narcokg"
ROOMS = ("web", "html", "engine", "formats")

RDF_ANSWERS = [
    ("text/turtle", ox.RdfFormat.TURTLE),
    ("application/ld+json", ox.RdfFormat.JSON_LD),
    ("application/n-triples", ox.RdfFormat.N_TRIPLES),
    ("application/rdf+xml", ox.RdfFormat.RDF_XML),
]

BROKEN = """@prefix nkg: <https://w3id.org/narcokg/ontology#> .
<http://x.example/a> a nkg:State .
"""


def _loaded_after_importing(rooms: tuple[str, ...]) -> str:
    code = textwrap.dedent(
        f"""
        import importlib, pkgutil, sys
        import narcokg
        for m in pkgutil.walk_packages(narcokg.__path__, "narcokg."):
            if m.name.split(".")[1] in {rooms!r}:
                importlib.import_module(m.name)
        import narcokg.web.app
        print(sorted(m for m in sys.modules if m == "rdflib" or m.startswith(("rdflib.", "pyshacl"))))
        """
    )
    env = {"PYTHONPATH": str(PACKAGE.parent), "PATH": "/usr/bin:/bin"}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env).stdout


def test_no_module_of_the_web_rooms_loads_rdflib():
    assert _loaded_after_importing(ROOMS).strip() == "[]"


def test_the_import_check_sees_rdflib():
    """The same check over the shacl room finds rdflib (it is not blind)."""
    assert "'rdflib'" in _loaded_after_importing(("shacl",))


SITECUSTOMIZE = """
import os, sys

class _Watch:
    '''Log the process (pid, command line) of every import of rdflib; import nothing itself.'''

    def find_spec(self, name, path=None, target=None):
        if name == "rdflib":
            with open("/proc/self/cmdline", "rb") as f:
                cmd = f.read().replace(b"\\0", b" ").decode("utf-8", "replace")
            with open(os.environ["NARCOKG_TEST_RDFLIB_LOG"], "a") as f:
                f.write(f"{os.getpid()}\\t{cmd}\\n")
        return None

sys.meta_path.insert(0, _Watch())
"""


@pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="needs /proc")
def test_http_workers_never_import_rdflib(built, tmp_path):
    """Every kind of page and both SHACL routes are served; rdflib is imported only by the
    validation processes (the forkserver and its children), never by gunicorn's processes."""
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(SITECUSTOMIZE)
    log = tmp_path / "rdflib-imports.log"
    env = {
        "PYTHONPATH": os.pathsep.join([str(hook), os.environ.get("PYTHONPATH", str(PACKAGE.parent))]),
        "NARCOKG_TEST_RDFLIB_LOG": str(log),
    }
    srv = start_server(built.out_dir, tmp_path, env_extra=env)
    try:
        for path in (
            "/",
            "/sparql",
            "/page/state/IDN",
            "/shacl",
            "/shacl/validate",
            "/shapes",
            "/ontology",
            "/search?q=bnn",
        ):
            resp = requests.get(srv.url(path), headers={"Accept": "text/html"}, timeout=60)
            assert resp.status_code < 500, (path, resp.status_code)
        ask = requests.get(srv.url("/sparql"), params={"query": "ASK { ?s ?p ?o }"}, timeout=60)
        assert ask.status_code == 200
        for media, _fmt in RDF_ANSWERS:
            for _ in range(3):  # every HTTP worker has likely served the report by now
                assert requests.get(srv.url("/shacl"), headers={"Accept": media}, timeout=60).status_code == 200
            resp = requests.post(
                srv.url("/shacl/validate"),
                data=BROKEN.encode(),
                headers={"Content-Type": "text/turtle", "Accept": media},
                timeout=60,
            )
            assert resp.status_code == 200 and resp.headers["X-SHACL-Conforms"] == "false"
        form = requests.post(srv.url("/shacl/validate"), data={"data": BROKEN}, timeout=60)
        assert form.status_code == 200 and "text/html" in form.headers["Content-Type"]
    finally:
        stop_server(srv)
    lines = [line.split("\t", 1) for line in log.read_text().splitlines()] if log.exists() else []
    assert lines, "the hook saw no import of rdflib at all (the validation process imports it)"
    in_web = [cmd for _pid, cmd in lines if "narcokg.cli" in cmd or "multiprocessing.forkserver" not in cmd]
    assert not in_web, f"rdflib imported outside the validation processes: {in_web}"


# --- the answers are those the web process made with rdflib ------------------------------


def _canonical(data: bytes, fmt: ox.RdfFormat) -> set:
    dataset = ox.Dataset(ox.parse(data, format=fmt))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return set(dataset)


def _report_the_old_way(built, settings, media_rdflib: str) -> bytes:
    """What web.shacl served before: the snapshot's graph/validation as an rdflib graph, with the
    report prefixes bound, serialized by rdflib in this process."""
    from rdflib import Graph

    from narcokg.shacl import report as report_view
    from narcokg.shacl.files import rdflib_term

    graph = Graph()
    name = ox.NamedNode(settings.base + "graph/validation")
    for q in ox.parse(path=str(built.out_dir / "narcokg.nq"), format=ox.RdfFormat.N_QUADS):
        if q.graph_name == name:
            graph.add((rdflib_term(q.subject), rdflib_term(q.predicate), rdflib_term(q.object)))
    report_view.bind_prefixes(graph, settings)
    return graph.serialize(format=media_rdflib, encoding="utf-8")


@pytest.mark.parametrize("media,fmt", RDF_ANSWERS, ids=lambda v: str(v))
def test_report_answers_are_the_old_answers(server, built, settings, media, fmt):
    rdflib_name = {"text/turtle": "turtle", "application/ld+json": "json-ld"}.get(media)
    rdflib_name = rdflib_name or {"application/n-triples": "nt", "application/rdf+xml": "xml"}[media]
    old = _report_the_old_way(built, settings, rdflib_name)
    resp = requests.get(server.url("/shacl"), headers={"Accept": media}, timeout=60)
    assert resp.status_code == 200 and resp.headers["Content-Type"].startswith(media)
    if fmt == ox.RdfFormat.TURTLE:
        assert resp.content == old  # rdflib's Turtle is deterministic: the same bytes
    assert _canonical(resp.content, fmt) == _canonical(old, fmt)
    assert len(_canonical(old, fmt)) > 50


@pytest.mark.parametrize("media,fmt", RDF_ANSWERS, ids=lambda v: str(v))
def test_validation_answers_are_the_cli_report(server, settings, media, fmt):
    """POST /shacl/validate answers with the triples `narcokg validate`'s function gives."""
    from narcokg.shacl import report as report_view
    from narcokg.shacl import service

    graph = service.validate_graph(service.parse_bytes(BROKEN.encode(), "turtle"), settings).graph
    report_view.bind_prefixes(graph, settings)
    expected = graph.serialize(format="nt", encoding="utf-8")
    resp = requests.post(
        server.url("/shacl/validate"),
        data=BROKEN.encode(),
        headers={"Content-Type": "text/turtle", "Accept": media},
        timeout=60,
    )
    assert resp.status_code == 200
    assert _canonical(resp.content, fmt) == _canonical(expected, ox.RdfFormat.N_TRIPLES)
