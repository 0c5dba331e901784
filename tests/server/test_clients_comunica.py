"""Comunica, the Linked Data query engine, against the real server (issue 16): as a Triple
Pattern Fragments client of /fragments, and as a link-traversal client that starts from
/id/state/IDN. Both must find the rows the SPARQL endpoint finds.

Comunica runs under Node from tests/node (``npm ci`` there; .ci/run does it). Its every HTTP
request goes through a fetch that answers 404 to anything outside the server under test, so
nothing leaves the machine (tests/node/query.mjs)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import requests

from conftest import ROOT, start_server, stop_server

NODE_DIR = ROOT / "tests" / "node"
NODE = shutil.which("node")
if NODE is None or not (NODE_DIR / "node_modules" / "@comunica" / "query-sparql").is_dir():
    pytest.skip("Comunica is not installed: run `npm ci` in tests/node (.ci/run does)", allow_module_level=True)

#: Catalogue queries Comunica answers over fragments in a few seconds each (joins, OPTIONAL,
#: FILTER, aggregates, ORDER BY, language tags, typed literals).
TPF_QUERIES = [
    "01-bnn-names",
    "02-indonesian-name-of-un",
    "05-bnn-foreign-agency-partners",
    "07-agreements-per-year",
    "09-suspects-per-year",
    "13-events-in-2018",
    "22-bnn-party-to",
    "25-kinds-of-nps",
    "28-source-conflicts",
]
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def comunica(kind: str, origin: str, source: str, query_file: Path) -> dict:
    proc = subprocess.run(
        [NODE, "query.mjs", kind, origin, source, str(query_file)], cwd=NODE_DIR, capture_output=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")[-2000:]
    return json.loads(proc.stdout)


def rows(bindings: list[dict]) -> set[frozenset]:
    """Solutions as comparable sets of (variable, kind, value, language, datatype)."""
    out = set()
    for b in bindings:
        row = []
        for var, term in b.items():
            datatype = term.get("datatype")
            row.append(
                (
                    var,
                    "literal" if term["type"] == "typed-literal" else term["type"],
                    term["value"],
                    (term.get("xml:lang") or "").lower(),
                    None if datatype == XSD_STRING else datatype,
                )
            )
        out.add(frozenset(row))
    return out


def endpoint_rows(server, query: str) -> set[frozenset]:
    resp = requests.post(
        server.url("/sparql"), data={"query": query}, headers={"Accept": "application/sparql-results+json"}, timeout=60
    )
    assert resp.status_code == 200, resp.text
    return rows(resp.json()["results"]["bindings"])


@pytest.mark.parametrize("name", TPF_QUERIES)
def test_comunica_over_fragments_answers_like_the_endpoint(server, name):
    query_file = ROOT / "queries" / f"{name}.rq"
    answer = comunica("tpf", server.base, server.url("/fragments"), query_file)
    expected = endpoint_rows(server, query_file.read_text())
    assert expected, "the catalogue query has answers"
    assert rows(answer["results"]["bindings"]) == expected
    assert all(url.startswith(server.url("/fragments")) for url in answer["requests"])


@pytest.fixture(scope="module")
def public_server(built, tmp_path_factory):
    """A server whose IRIs are its own address, so a client can follow its nose."""
    from conftest import free_port

    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    srv = start_server(built.out_dir, tmp_path_factory.mktemp("public"), "--public-base", base, port=port)
    yield srv
    stop_server(srv)


def test_link_traversal_from_an_entity_answers_like_the_endpoint(public_server, tmp_path):
    base = public_server.base + "/"
    idn = base + "id/state/IDN"
    query = (
        f"PREFIX nkg: <{base}ontology#>\n"
        f"SELECT ?agreement ?counterpart WHERE {{\n"
        f"  ?agreement nkg:party <{idn}>, ?counterpart .\n"
        f"  FILTER (?counterpart != <{idn}>)\n}}\n"
    )
    query_file = tmp_path / "traversal.rq"
    query_file.write_text(query)
    answer = comunica("traversal", public_server.base, idn, query_file)
    expected = endpoint_rows(public_server, query)
    assert len(expected) >= 5
    assert rows(answer["results"]["bindings"]) == expected
    # it dereferenced the entity and then the agreements it links to, all as documents of this server
    assert answer["requests"][0] == idn
    assert sum("/id/agreement/" in url for url in answer["requests"]) >= 5


def test_default_graph_query_over_the_dereferenced_quad_document(server, tmp_path):
    """Comunica asks for N-Quads first; the document's default graph must hold the data."""
    query = (
        "SELECT ?agreement WHERE { ?agreement <https://w3id.org/narcokg/ontology#party> "
        "<https://w3id.org/narcokg/id/state/IDN> }"
    )
    query_file = tmp_path / "document.rq"
    query_file.write_text(query)
    answer = comunica("tpf", server.base, server.url("/id/state/IDN"), query_file)
    expected = endpoint_rows(server, query)
    assert expected and rows(answer["results"]["bindings"]) == expected
