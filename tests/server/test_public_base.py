"""``--public-base`` is one rule applied once, where the data enters an engine: every engine (the
web process, the query processes, the on-disk store, Oxigraph server) holds the IRIs the server
publishes. So a bounded query answered in the web process sees them, ``--engine oxigraph:DIR``
serves them, and a store loaded elsewhere must have been loaded for the same base.
"""

from __future__ import annotations

import os

import pytest
import rdflib
import requests
from rdflib import URIRef

from conftest import run_cli, serve_on_endpoint, start_server, stop_server
from sparql_helpers import IDN, sparql
from test_sparql_safety import ran_in

B = "https://w3id.org/narcokg/"
PUBLIC = "http://data.example.org/nkg/"
PUBLIC_IDN = PUBLIC + IDN[len(B) :]
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
HTML = {"Accept": "text/html"}


def _bindings(answer) -> list[dict]:
    assert answer.status_code == 200, answer.text
    return answer.json()["results"]["bindings"]


def _iris(rows: list[dict]) -> set[str]:
    return {cell["value"] for row in rows for cell in row.values() if cell["type"] == "uri"}


@pytest.mark.parametrize("mode", ["memory", "disk"])
def test_a_bounded_query_under_a_public_base_runs_in_the_web_process(built, tmp_path, mode):
    """Regression: the web process held canonical IRIs, so under a public base bounded queries
    were sent to a query process. Now every process holds the public IRIs, in memory and on disk."""
    env = {"NARCOKG_MEMORY_STORE_MAX_MB": "0"} if mode == "disk" else {}
    srv = start_server(built.out_dir, tmp_path, "--public-base", PUBLIC, env_extra=env)
    try:
        bounded = sparql(srv, f"SELECT ?p ?o WHERE {{ <{PUBLIC_IDN}> ?p ?o }}")
        assert ran_in(bounded) == "web process"
        here = _bindings(bounded)
        assert len(here) > 3
        iris = _iris(here)
        assert any(i.startswith(PUBLIC) for i in iris) and not any(i.startswith(B) for i in iris)
        # The same question in a query process (a FILTER makes it unbounded): the same answer.
        there = sparql(srv, f"SELECT ?p ?o WHERE {{ <{PUBLIC_IDN}> ?p ?o FILTER(true) }}")
        assert ran_in(there) == "query process"
        key = sorted(tuple(sorted((k, v["value"]) for k, v in row.items())) for row in here)
        assert sorted(tuple(sorted((k, v["value"]) for k, v in row.items())) for row in _bindings(there)) == key
        assert _bindings(sparql(srv, f"SELECT ?p WHERE {{ <{IDN}> ?p ?o }}")) == []
        page = requests.get(srv.url("/page/state/IDN"), headers=HTML, timeout=30)
        assert page.status_code == 200 and PUBLIC_IDN in page.text and B + "id/" not in page.text
    finally:
        stop_server(srv)


def test_the_served_n_quads_are_made_once_beside_the_snapshot(built, tmp_path):
    """The copy under the public base is what /download/narcokg.nq serves, and a second server
    of the same snapshot and base reuses it rather than writing it again."""
    srv = start_server(built.out_dir, tmp_path, "--public-base", PUBLIC)
    try:
        served = requests.get(srv.url("/download/narcokg.nq"), timeout=60).content
    finally:
        stop_server(srv)
    copies = [p for p in built.out_dir.glob(".served-*.nq") if p.read_bytes() == served]
    assert len(copies) == 1
    canonical = (built.out_dir / "narcokg.nq").read_bytes()
    assert served == canonical.replace(b"<" + B.encode(), b"<" + PUBLIC.encode())
    made = copies[0].stat().st_mtime_ns
    again = start_server(built.out_dir, tmp_path, "--public-base", PUBLIC)
    try:
        assert requests.get(again.url("/download/narcokg.nq"), timeout=60).content == served
    finally:
        stop_server(again)
    assert copies[0].stat().st_mtime_ns == made


# Remote engines ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def oxigraph_public(built, oxigraph_store, tmp_path_factory):
    """`narcokg serve --engine oxigraph:DIR --public-base URL` (narcokg loads DIR itself)."""
    tmp = tmp_path_factory.mktemp("oxigraph-public")
    srv = start_server(
        built.out_dir,
        tmp,
        "--engine",
        f"oxigraph:{tmp / 'store'}",
        "--public-base",
        PUBLIC,
        env_extra={"NARCOKG_WEB_WORKERS": "1"},
    )
    yield srv
    stop_server(srv)


def test_oxigraph_dir_under_a_public_base_answers_sparql_with_public_iris(oxigraph_public):
    """Regression: a remote engine refused --public-base."""
    labels = {
        r["l"]["value"]
        for r in _bindings(sparql(oxigraph_public, f"SELECT ?l WHERE {{ <{PUBLIC_IDN}> <{RDFS_LABEL}> ?l }}"))
    }
    assert "Indonesia" in labels
    assert _bindings(sparql(oxigraph_public, f"SELECT ?p WHERE {{ <{IDN}> ?p ?o }}")) == []
    graphs = _iris(_bindings(sparql(oxigraph_public, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")))
    assert graphs and all(g.startswith(PUBLIC + "graph/") for g in graphs)


def test_oxigraph_dir_under_a_public_base_serves_public_entity_pages(oxigraph_public):
    html = requests.get(oxigraph_public.url("/page/organisation/bnn"), headers=HTML, timeout=30)
    assert html.status_code == 200
    assert PUBLIC + "id/organisation/bnn" in html.text
    assert f'href="{PUBLIC}id/state/IDN"' in html.text
    assert B + "id/" not in html.text
    turtle = requests.get(oxigraph_public.url("/data/organisation/bnn.ttl"), timeout=30)
    assert turtle.status_code == 200
    g = rdflib.Graph().parse(data=turtle.text, format="turtle")
    me = URIRef(PUBLIC + "id/organisation/bnn")
    assert (me, URIRef("http://www.w3.org/ns/org#subOrganizationOf"), URIRef(PUBLIC_IDN)) in g
    assert not any(str(t).startswith(B) for triple in g for t in triple)


def test_an_engine_holding_canonical_iris_is_refused_under_a_public_base(built, oxigraph_endpoint, tmp_path):
    """A store narcokg does not load: its named graphs show the base it was loaded with."""
    with pytest.raises(RuntimeError) as exc:
        serve_on_endpoint(built.out_dir, tmp_path, oxigraph_endpoint.url, "--public-base", PUBLIC)
    message = str(exc.value)
    assert "canonical IRIs" in message and f"narcokg load --public-base {PUBLIC}" in message


def test_load_with_a_public_base_then_serve_it_by_url(built, tmp_path):
    """`narcokg load --public-base` fills a store that `serve --engine URL --public-base` accepts;
    the same store served without the public base is refused."""
    from narcokg.engine.oxigraph_server import OxigraphServer

    store = tmp_path / "store"
    env = dict(os.environ, NARCOKG_DIST=str(built.out_dir))
    done = run_cli("load", "--engine", "oxigraph", str(store), "--public-base", PUBLIC, env=env)
    assert done.returncode == 0, done.stderr
    endpoint = OxigraphServer(store, timeout_s=5).start()
    try:
        srv = serve_on_endpoint(built.out_dir, tmp_path, endpoint.url, "--public-base", PUBLIC)
        try:
            rows = _bindings(sparql(srv, f"SELECT ?l WHERE {{ <{PUBLIC_IDN}> <{RDFS_LABEL}> ?l }}"))
            assert "Indonesia" in {r["l"]["value"] for r in rows}
            page = requests.get(srv.url("/page/state/IDN"), headers=HTML, timeout=30)
            assert page.status_code == 200 and PUBLIC_IDN in page.text
        finally:
            stop_server(srv)
        with pytest.raises(RuntimeError) as exc:
            serve_on_endpoint(built.out_dir, tmp_path, endpoint.url)
        assert f"holds no named graph under {B}graph/" in str(exc.value)
    finally:
        endpoint.stop()


def test_the_validation_report_page_reads_the_same_under_a_public_base(built, server, tmp_path):
    """The report the engine holds is under the public base: it is shown with the same compact
    names and shape links as without one (names and links were lost when read as canonical)."""
    import re
    from html import unescape

    srv = start_server(built.out_dir, tmp_path, "--public-base", PUBLIC, env_extra={"NARCOKG_WEB_WORKERS": "1"})
    try:
        public = unescape(requests.get(srv.url("/shacl"), headers=HTML, timeout=60).text)
    finally:
        stop_server(srv)
    local = unescape(requests.get(server.url("/shacl"), headers=HTML, timeout=60).text)
    shapes = set(re.findall(r'href="/shapes#([^"]+)"', local))
    assert shapes and set(re.findall(rf'href="{re.escape(PUBLIC)}shapes#([^"]+)"', public)) == shapes
    compacts = sorted(re.findall(r">(?:id|shape|nkg):[^<\s]+<", local))
    assert compacts and sorted(re.findall(r">(?:id|shape|nkg):[^<\s]+<", public)) == compacts
