"""Issue 15's workbench over HTTP against the real server, for what the first round left out:
the results table as shown (labels included) in CSV and JSON. Expected values come from the
session build (rdflib over its dataset), never from hard-coded facts."""

from __future__ import annotations

import csv
import io
import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import requests
from rdflib import RDFS, Literal, URIRef

from kg_terms import NKG

PARTIES = (
    "PREFIX nkg: <https://w3id.org/narcokg/ontology#>\n"
    "SELECT ?agreement ?party ?date WHERE {\n"
    "  ?agreement nkg:party ?party ; nkg:signing/nkg:date ?date .\n"
    "} ORDER BY ?agreement ?party"
)


def get(server, path, **kw):
    kw.setdefault("timeout", 60)
    return requests.get(server.url(path), **kw)


def label_in(kg, iri: URIRef, lang: str) -> str:
    """The rdfs:label of ``iri`` in ``lang`` (falling back to English), from the build."""
    labels = {o.language: str(o) for o in kg.objects(iri, RDFS.label) if isinstance(o, Literal)}
    return labels.get(lang) or labels["en"]


# The table as shown ----------------------------------------------------------------------------
def test_table_as_shown_in_csv_with_labels_in_the_page_language(server, kg):
    r = get(server, "/table.csv", params={"query": PARTIES, "lang": "id"})
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[0] == ["agreement", "agreement_label", "party", "party_label", "date"]
    body = rows[1:]
    expected = {
        (str(a), str(p))
        for a in kg.subjects(NKG.party, None)
        for p in kg.objects(a, NKG.party)
        if any(True for s in kg.objects(a, NKG.signing) for _ in kg.objects(s, NKG.date))
    }
    assert {(row[0], row[2]) for row in body} == expected
    for row in body:
        assert row[1] == label_in(kg, URIRef(row[0]), "id")
        assert row[3] == label_in(kg, URIRef(row[2]), "id")


def test_table_as_shown_in_json_matches_the_csv(server):
    as_csv = list(csv.DictReader(io.StringIO(get(server, "/table.csv", params={"query": PARTIES}).text)))
    r = get(server, "/table.json", params={"query": PARTIES})
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/json")
    doc = r.json()
    assert doc["rows"] == as_csv
    assert doc["shown"] == doc["answer_rows"] == len(as_csv)
    assert doc["lang"] == "en"


def test_table_download_refuses_a_bad_query_in_words(server):
    r = get(server, "/table.csv", params={"query": "SELECT ?s WHERE { ?s ?p }"})
    assert r.status_code == 400
    assert "line 1, column 22" in r.text
    r = get(server, "/table.json")
    assert r.status_code == 400 and "query" in r.text


def test_query_page_links_the_table_as_shown(server):
    html = get(server, "/", params={"query": PARTIES, "lang": "id"}).text
    section = html[html.index('class="table-downloads"') :]
    section = section[: section.index("</p>")]
    hrefs = [unescape(h) for h in re.findall(r'href="([^"]+)"', section)]
    assert [urlsplit(h).path for h in hrefs] == ["/table.csv", "/table.json"]
    for h in hrefs:
        params = parse_qs(urlsplit(h).query)
        assert params["query"] == [PARTIES] and params["lang"] == ["id"]
    assert "Unduh tabel" in section
