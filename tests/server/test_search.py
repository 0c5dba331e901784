"""Search over names, definitions and claims, with paging, kinds as facets and the JSON the
type-ahead reads (issue 15, findability), on the real server."""

from __future__ import annotations

import re

import pytest
import requests


def get_json(server, **params) -> dict:
    resp = requests.get(server.url("/search.json"), params=params, timeout=30)
    assert resp.status_code == 200, resp.text
    return resp.json()


def test_definitions_are_searched(server):
    # "suffix" is only in the skos:definition of an ambiguity's kind, not in any name
    doc = get_json(server, q="suffix")
    hit = next(r for r in doc["results"] if r["iri"].endswith("/citation-fits-two-works"))
    assert hit["field"] == "definition" and "suffix" in hit["matched"]


def test_claim_texts_are_searched(server):
    # "birokrasi" is a word of the Indonesian claim texts only (nkg:claimText)
    doc = get_json(server, q="birokrasi")
    assert doc["total"] >= 1
    assert all(r["field"] == "claim" and "/id/claim/" in r["iri"] for r in doc["results"])
    assert all("birokrasi" in r["matched"].lower() for r in doc["results"])


def test_names_rank_above_definitions_and_claims(server):
    doc = get_json(server, q="bnn", limit=50)
    fields = [r["field"] for r in doc["results"]]
    assert fields[0] == "name"
    assert fields == sorted(fields, key=["name", "definition", "claim"].index)


def test_json_keeps_its_fields_and_pages(server):
    first = get_json(server, q="bnn", limit=5)
    assert {"query", "total", "results"} <= set(first)
    assert {"iri", "label", "matched", "url", "types"} <= set(first["results"][0])
    assert first["page"] == 1 and first["previous"] is None and first["first"] == 1 and first["last"] == 5
    second = requests.get(server.url(first["next"]), timeout=30).json()
    assert second["page"] == 2 and second["first"] == 6
    assert not {r["iri"] for r in first["results"]} & {r["iri"] for r in second["results"]}
    assert second["total"] == first["total"]


def test_kind_facet_filters_and_counts(server):
    doc = get_json(server, q="bnn")
    claims = next(f for f in doc["facets"] if f["curie"] == "nkg:Claim")
    only = get_json(server, q="bnn", type="nkg:Claim", limit=50)
    assert only["total"] == claims["count"] > 0
    assert all("/id/claim/" in r["iri"] for r in only["results"])
    # the facets still count every kind, so another can be chosen
    assert {f["curie"] for f in only["facets"]} == {f["curie"] for f in doc["facets"]}


def test_html_pages_with_counts_and_links(server):
    total = get_json(server, q="bnn")["total"]
    assert total > 50, "the data should give more than one page for 'bnn'"
    page1 = requests.get(server.url("/search?q=bnn"), timeout=30).text
    assert f"Results 1–50 of {total}" in page1
    assert 'rel="next" href="/search?q=bnn&amp;page=2"' in page1 and 'rel="prev"' not in page1
    page2 = requests.get(server.url("/search?q=bnn&page=2"), timeout=30).text
    assert f"Results 51–{total} of {total}" in page2 and 'rel="prev"' in page2
    assert '<ol class="results" start="51">' in page2


def test_html_facet_links_filter(server):
    page = requests.get(server.url("/search?q=bnn"), timeout=30).text
    m = re.search(
        r'<a href="(/search\?q=bnn&amp;type=nkg%3AClaim)" title="nkg:Claim">claim <span class="count">(\d+)</span>',
        page,
    )
    assert m, "no facet link for claims"
    filtered = requests.get(server.url(m.group(1).replace("&amp;", "&")), timeout=30).text
    assert f"of {m.group(2)}</h2>" in filtered or f"{m.group(2)} results" in filtered
    assert '<strong aria-current="true">claim' in filtered
    assert '<input type="hidden" name="type" value="nkg:Claim">' in filtered


@pytest.mark.parametrize(
    "params", [{"page": "0"}, {"page": "x"}, {"page": "²"}, {"page": "9" * 30}, {"type": "nope:Thing"}, {"limit": "51"}]
)
def test_bad_paging_or_kind_is_400_in_words(server, params):
    resp = requests.get(server.url("/search.json"), params={"q": "bnn", **params}, timeout=30)
    assert resp.status_code == 400
    assert "must be" in resp.text or "neither an IRI" in resp.text


def test_a_page_past_the_end_is_empty_not_an_error(server):
    doc = get_json(server, q="bnn", page=999)
    assert doc["results"] == [] and doc["total"] > 0 and doc["next"] is None


def test_browse_shows_each_class_definition_and_marks_english_only_ones(server):
    page = requests.get(server.url("/browse"), timeout=30).text
    # the definition in words (the ontology's rdfs:comment), not only the class's CURIE
    assert "Anyone or anything that acts in the field of drug control" in page
    page_id = requests.get(server.url("/browse?lang=id"), timeout=30).text
    row = re.search(r'<a href="/browse/Actor\?lang=id">aktor</a>.*?</tr>', page_id, re.S).group()
    assert '<span lang="en">Anyone or anything' in row and 'class="only-lang"' in row
