"""Citations, "cite this", entity RDF documents, "query this" links and /ontology's counts and
diagram, over HTTP against the real server. Expected values come from the session build
(rdflib over its dataset and its VoID), never from hard-coded facts."""

from __future__ import annotations

import json
import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
import rdflib
import requests
from rdflib import OWL, RDF, RDFS, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, FOAF, PROV

from kg_terms import MOU, NKG, B
from narcokg import snapshot

SH = Namespace("http://www.w3.org/ns/shacl#")
NAINGGOLAN = URIRef(B + "id/source/nainggolan-2024")
VOID_DATASET = URIRef(B + "void#narcokg")
CC_BY = URIRef("https://creativecommons.org/licenses/by/4.0/")


def get(server, path, **kw):
    kw.setdefault("timeout", 30)
    return requests.get(server.url(path), **kw)


@pytest.fixture(scope="module")
def void(built) -> rdflib.Graph:
    return rdflib.Graph().parse(data=(built.out_dir / snapshot.VOID_FILE).read_bytes(), format="turtle")


def _one(g, s, p):
    values = list(g.objects(s, p))
    assert len(values) == 1, (s, p, values)
    return values[0]


# Release: version, date and licence in the RDF ----------------------------------------------
def test_void_carries_version_date_and_licence_of_the_manifest(built, void):
    manifest = snapshot.read_manifest(built.out_dir)
    assert str(_one(void, VOID_DATASET, OWL.versionInfo)) == manifest["release"]["version"]
    assert str(_one(void, VOID_DATASET, DCTERMS.modified)) == manifest["release"]["date"]
    assert _one(void, VOID_DATASET, DCTERMS.license) == CC_BY
    assert manifest["release"]["version"].endswith("+" + manifest["inputs"][:12])


# Full citations on entity pages ---------------------------------------------------------------
def test_source_is_cited_in_full_with_location_and_quotes_on_demand(server, kg):
    html = get(server, "/page/agreement/mou-indonesia-fiji-2015").text
    sources = unescape(html[html.index('class="sources"') : html.index('class="cite-block"')])
    author = str(_one(kg, _one(kg, NAINGGOLAN, DCTERMS.creator), RDFS.label))
    for prop in ("year", "journal", "volume", "pages"):
        expected = str(_one(kg, NAINGGOLAN, NKG[prop]))
        assert expected in sources, f"{prop} {expected!r} is not in the citation"
    assert author in sources
    assert f"{_one(kg, NAINGGOLAN, NKG.volume)}({_one(kg, NAINGGOLAN, NKG.issue)})" in sources
    # the ledger's line range of the passage that states the agreement
    passages = list(kg.subjects(NKG.encodes, MOU))
    assert passages
    lines = {f"{_one(kg, p, NKG.startLine)}–{_one(kg, p, NKG.endLine)}" for p in passages}
    assert any(span in sources for span in lines), lines
    # every quote is there, untruncated by the page, inside a <details> (no script needed)
    details = re.search(r'<details class="evidence-list">(.*?)</details>', html, re.S)
    assert details
    for quote in kg.objects(MOU, NKG.evidence):
        assert str(quote) in unescape(details.group(1))
    # the internal file name is not the document's citation
    assert str(_one(kg, NAINGGOLAN, DCTERMS.identifier)) not in sources


# Cite this: BibTeX and CSL-JSON -----------------------------------------------------------------
def test_source_document_citation_as_bibtex_and_csl(server, kg):
    bib = get(server, "/cite/source/nainggolan-2024.bib")
    assert bib.status_code == 200 and bib.headers["Content-Type"].startswith("application/x-bibtex")
    assert bib.text.startswith("@article{nainggolan-2024,")
    assert "journal = {" + str(_one(kg, NAINGGOLAN, NKG.journal)) + "}" in bib.text
    assert "pages = {" + str(_one(kg, NAINGGOLAN, NKG.pages)).replace("-", "--") + "}" in bib.text
    csl = get(server, "/cite/source/nainggolan-2024.json")
    assert csl.headers["Content-Type"].startswith("application/vnd.citationstyles.csl+json")
    item = csl.json()[0]
    assert item["type"] == "article-journal"
    assert item["container-title"] == str(_one(kg, NAINGGOLAN, NKG.journal))
    assert item["issued"] == {"date-parts": [[int(str(_one(kg, NAINGGOLAN, NKG.year)))]]}
    assert item["author"] == [{"literal": str(_one(kg, _one(kg, NAINGGOLAN, DCTERMS.creator), RDFS.label))}]


def test_cited_work_with_a_doi(server, kg):
    pubs = [
        p
        for p in kg.subjects(RDF.type, NKG.Publication)
        if any("doi.org/" in str(u) for u in kg.objects(p, URIRef("https://schema.org/url")))
    ]
    assert pubs
    path = str(pubs[0])[len(B + "id/") :]
    item = get(server, f"/cite/{path}.json").json()[0]
    url = str(next(kg.objects(pubs[0], URIRef("https://schema.org/url"))))
    assert item["DOI"] == url.split("doi.org/", 1)[1]
    assert item["author"] == [{"literal": str(_one(kg, pubs[0], NKG.authorsAsPrinted))}]


def test_entity_and_graph_citations_name_version_date_and_licence(server, void):
    version = str(_one(void, VOID_DATASET, OWL.versionInfo))
    date = str(_one(void, VOID_DATASET, DCTERMS.modified))
    entry = get(server, "/cite/agreement/mou-indonesia-fiji-2015.json").json()[0]
    assert entry["type"] == "entry" and entry["URL"] == str(MOU) and entry["version"] == version
    assert entry["issued"] == {"date-parts": [[int(x) for x in date.split("-")]]}
    assert entry["license"] == str(CC_BY)
    graph = get(server, "/cite.json").json()[0]
    assert graph["type"] == "dataset" and graph["version"] == version and graph["URL"] == B
    bib = get(server, "/cite.bib").text
    assert f"version = {{{version}}}" in bib and f"snapshot of {date}" in bib and "CC BY 4.0" in bib
    page = get(server, "/cite").text
    assert version in page and date in page and str(CC_BY) in page
    html = get(server, "/page/agreement/mou-indonesia-fiji-2015").text
    assert 'class="cite-block"' in html and "@misc{narcokg-agreement-mou-indonesia-fiji-2015," in unescape(html)
    assert 'href="/cite/agreement/mou-indonesia-fiji-2015.bib"' in html


@pytest.mark.parametrize(
    "path, status",
    [
        ("/cite/agreement/mou-indonesia-fiji-2015.ris", 404),
        ("/cite/agreement/no-such-thing.bib", 404),
        ("/cite/agreement/a%20b.bib", 400),
        ("/cite.ris", 404),
    ],
)
def test_bad_citation_requests_are_4xx_with_a_message(server, path, status):
    r = requests.get(server.url("") + path, timeout=30, headers={"Accept": "text/plain"})
    assert r.status_code == status and len(r.text) > 20


# Entity RDF documents ----------------------------------------------------------------------
def _subject_blocks(text: str) -> list[str]:
    return [line.split(" ", 1)[0] for line in text.splitlines() if line and not line.startswith(("@prefix", "\t", " "))]


@pytest.mark.parametrize(
    "path", ["agreement/mou-indonesia-fiji-2015", "organisation/bnn", "state/IDN", "dataset/drug-cases-2018-2023"]
)
def test_entity_document_resource_first_used_prefixes_and_metadata(server, void, path):
    text = get(server, f"/data/{path}.ttl").text
    iri = B + "id/" + path
    assert _subject_blocks(text)[0] == f"<{iri}>", "the document must start with the resource's own statements"
    body = "\n".join(line for line in text.splitlines() if not line.startswith("@prefix"))
    body = re.sub(r"<[^>]*>", "<>", re.sub(r'"(?:[^"\\]|\\.)*"', '""', body))
    for prefix in re.findall(r"^@prefix ([A-Za-z][\w.-]*):", text, re.M):
        assert re.search(rf"(^|[\s;,(\[^]){re.escape(prefix)}:", body, re.M), f"prefix {prefix}: declared, never used"
    g = rdflib.Graph().parse(data=text, format="turtle")
    doc = URIRef(B + "data/" + path)
    assert _one(g, doc, FOAF.primaryTopic) == URIRef(iri)
    assert _one(g, doc, DCTERMS.license) == CC_BY
    assert _one(g, doc, PROV.wasDerivedFrom) == URIRef(B + "download/narcokg.nq")
    assert _one(g, doc, OWL.versionInfo) == _one(void, VOID_DATASET, OWL.versionInfo)
    # incoming links come after the resource's and its neighbours' own statements
    incoming = [s for s in g.subjects(None, URIRef(iri)) if s != URIRef(iri)]
    if incoming:
        blocks = _subject_blocks(text)
        assert blocks.index(f"<{iri}>") < min(blocks.index(f"<{s}>") for s in incoming if f"<{s}>" in blocks)


def test_entity_document_names_its_sources_and_formats_agree(server, kg):
    text = get(server, "/data/agreement/mou-indonesia-fiji-2015.ttl").text
    g = rdflib.Graph().parse(data=text, format="turtle")
    assert NAINGGOLAN in set(g.objects(URIRef(B + "data/agreement/mou-indonesia-fiji-2015"), DCTERMS.source))
    for ext, fmt in {"nt": "nt", "rdf": "xml", "jsonld": "json-ld"}.items():
        other = rdflib.Graph().parse(
            data=get(server, f"/data/agreement/mou-indonesia-fiji-2015.{ext}").text, format=fmt
        )
        assert isomorphic(g, other), ext


# Query this ----------------------------------------------------------------------------------
def _query_of(html: str, cls: str = "query-link") -> str:
    m = re.search(rf'<a class="{cls}" href="([^"]+)"', html)
    assert m, "no query link"
    href = unescape(m.group(1))
    assert urlsplit(href).path == "/"
    return parse_qs(urlsplit(href).query)["query"][0]


def _sparql(server, query: str) -> list[dict]:
    r = requests.post(
        server.url("/sparql"), data={"query": query}, timeout=60, headers={"Accept": "application/sparql-results+json"}
    )
    assert r.status_code == 200, r.text
    return r.json()["results"]["bindings"]


def test_query_this_on_an_entity_page_asks_about_the_entity(server, kg):
    query = _query_of(get(server, "/page/agreement/mou-indonesia-fiji-2015").text)
    rows = _sparql(server, query)
    outgoing = {(r["property"]["value"], r["value"]["value"]) for r in rows if r["direction"]["value"] == "outgoing"}
    assert {(str(p), str(o)) for p, o in kg.predicate_objects(MOU)} <= outgoing
    incoming = {r["value"]["value"] for r in rows if r["direction"]["value"] == "incoming"}
    assert {str(s) for s in kg.subjects(None, MOU)} <= incoming


def test_query_this_on_a_class_page_lists_its_instances(server, kg):
    query = _query_of(get(server, "/browse/State").text)
    found = {r["instance"]["value"] for r in _sparql(server, query)}
    assert found == {str(s) for s in kg.subjects(RDF.type, NKG.State)}
    assert all("label" in r for r in _sparql(server, query))


# /ontology ------------------------------------------------------------------------------------
def test_ontology_counts_instances_links_them_and_their_shapes(server, kg, built):
    html = get(server, "/ontology").text
    n = len(set(kg.subjects(RDF.type, NKG.State)))
    assert re.search(rf'<a href="/browse/State">{n:,}</a>', html), "count of State with a link to its instances"
    shapes_graph = built.dataset.graph(URIRef(B + "graph/shapes"))
    shape = sorted(shapes_graph.subjects(SH.targetClass, NKG.Agreement))[0]
    section = html[html.index('<section class="term" id="Agreement"') :]
    section = section[: section.index("</section>")]
    assert str(shape)[len(B) :] in section, "the shape targeting nkg:Agreement is linked from its class"
    assert "/?query=" in section


def test_ontology_class_diagram_is_svg_with_a_text_alternative(server, kg):
    html = get(server, "/ontology").text
    svg = re.search(r'<svg[^>]*class="class-diagram-svg".*?</svg>', html, re.S)
    assert svg and "<title" in svg.group(0)
    text = unescape(html[html.index('class="diagram-text"') :])
    text = text[: text.index("</details>")]
    label = str(next(o for o in kg.objects(NKG.State, RDFS.label) if isinstance(o, Literal) and o.language == "en"))
    actor = str(next(o for o in kg.objects(NKG.Actor, RDFS.label) if isinstance(o, Literal) and o.language == "en"))
    assert f"{label} — subclass of → {actor}" in text
    assert json.dumps(label)[1:-1] in svg.group(0) or label in unescape(svg.group(0))
