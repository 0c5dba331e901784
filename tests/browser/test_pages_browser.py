"""The HTML pages in a real browser (headless Chromium through Playwright) against the real
server: what a reader sees, at desktop and phone width, with screenshots kept for review.

Needs Debian's chromium (`apt-get install chromium`); Playwright's own browser download is
never used."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import RDF, RDFS, Literal, URIRef

from browser_helpers import chromium, open_page, playwright_or_skip  # noqa: E402
from kg_terms import BNN, DATASET, MOU, NKG, QB, B
from conftest import ROOT

playwright_api = playwright_or_skip()


def label(kg, iri, lang="en") -> str:
    for o in kg.objects(iri, RDFS.label):
        if isinstance(o, Literal) and o.language == lang:
            return str(o)
    raise AssertionError(f"{iri} has no label@{lang}")


@pytest.fixture(scope="module")
def browser():
    with chromium(playwright_api) as b:
        yield b


@pytest.fixture
def page(browser, tmp_path):
    """A fresh page that records console errors (a CSP violation would show there)."""
    with open_page(browser) as pg:
        yield pg


def shot(pg, tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"{name}.png"
    pg.screenshot(path=str(path))  # the viewport: a whole phone-width /ontology at 2x took seconds
    assert path.stat().st_size > 1000
    return path


def test_entity_page_shows_label_types_and_sources(server, page, kg, built, tmp_path):
    page.goto(server.url("/page/agreement/mou-indonesia-fiji-2015"))
    heading = page.locator("h1")
    assert heading.is_visible()
    assert heading.inner_text().strip() == label(kg, MOU)
    # the sources section names the documents the statements come from, each one visible
    sources = page.locator(".source-list .source-label")
    names = [sources.nth(i).inner_text().strip() for i in range(sources.count())]
    expected = [
        label(kg, URIRef(B + "id/source/" + str(g.identifier).rsplit("/", 1)[-1]))
        for g in built.dataset.graphs()
        if (MOU, None, None) in g
        and (URIRef(B + "id/source/" + str(g.identifier).rsplit("/", 1)[-1]), None, None) in kg
    ]
    assert expected and all(name in names for name in expected)
    assert page.locator(".source-list").is_visible()
    # a citation mark next to a statement jumps to its source (a plain anchor, no script)
    page.locator("sup.cite a").first.click()
    assert page.url.endswith("#source-1")
    assert page.locator("#source-1").is_visible()
    # parties of the agreement are shown in the summary
    summary = page.locator("section.summary").inner_text()
    for party in kg.objects(MOU, NKG.party):
        assert label(kg, party) in summary
    shot(page, tmp_path, "entity-mou")
    assert page.console_errors == []


def test_entity_page_in_indonesian(server, page, kg, tmp_path):
    page.goto(server.url("/page/organisation/bnn?lang=id"))
    assert page.locator("h1").inner_text().strip() == label(kg, BNN, "id")
    assert page.locator("html").get_attribute("lang") == "id"
    assert page.locator("nav.main-nav").inner_text().find("Jelajahi") >= 0
    # links keep the language
    href = page.locator("section[aria-labelledby=props-title] dd a[title]").first.get_attribute("href")
    assert "lang=id" in href
    shot(page, tmp_path, "entity-bnn-id")


def test_ontology_page_lands_on_the_term(server, page, built, tmp_path):
    onto = built.dataset.graph(URIRef(B + "graph/ontology"))
    page.goto(server.url("/ontology#SigningEvent"))
    term = page.locator("#SigningEvent")
    assert term.is_visible()
    box = term.bounding_box()
    assert box is not None and 0 <= box["y"] < 900, "the anchor scrolled into view"
    assert page.locator("#SigningEvent h3").inner_text().startswith(label(onto, NKG.SigningEvent))
    assert page.locator("h1").inner_text().strip() == label(onto, URIRef(B + "ontology"))
    shot(page, tmp_path, "ontology")
    assert page.console_errors == []


def test_search_form_finds_bnn_and_leads_to_its_page(server, page, kg, tmp_path):
    page.goto(server.url("/search"))
    page.fill("#q", "Badan narkotika")
    page.press("#q", "Enter")
    page.wait_for_url("**/search?**")
    results = page.locator("ol.results li a")
    texts = [results.nth(i).inner_text().strip() for i in range(results.count())]
    assert label(kg, BNN) in texts
    shot(page, tmp_path, "search")
    page.locator("ol.results li a", has_text=label(kg, BNN)).first.click()
    page.wait_for_url("**/page/organisation/bnn")
    assert page.locator("h1").inner_text().strip() == label(kg, BNN)


def test_dataset_page_draws_its_chart(server, page, kg, tmp_path):
    page.goto(server.url("/page/dataset/drug-cases-2018-2023"))
    years = sorted(str(y) for obs in kg.subjects(QB.dataSet, DATASET) for y in kg.objects(obs, NKG.refYear))
    assert len(years) >= 6
    # One panel per measure (each on its own scale): a title, axis labels, one bar per year.
    measures = {
        p
        for obs in kg.subjects(QB.dataSet, DATASET)
        for p in kg.predicates(obs, None)
        if (p, RDF.type, QB.MeasureProperty) in kg
    }
    # The rows a source contradicts (the 2019 suspect sum among them) are marked.
    contradicted = sorted(
        str(y)
        for obs in kg.subjects(QB.dataSet, DATASET)
        if any(kg.subjects(NKG.conflictSubject, obs))
        for y in kg.objects(obs, NKG.refYear)
    )
    assert "2019" in contradicted
    charts = page.locator("svg.chart")
    assert charts.count() == len(measures) >= 2
    titles = page.locator(".chart-figure .chart-title").all_inner_texts()
    assert sorted(titles) == sorted(label(kg, m) for m in measures)
    for i in range(charts.count()):
        chart = charts.nth(i)
        assert chart.is_visible()
        box = chart.bounding_box()
        assert box["width"] > 300 and box["height"] > 150
        axis = chart.locator("text").all_text_contents()
        for y in years:
            assert y in axis
        assert chart.locator("rect.bar").count() == len(years)
        labels = chart.locator("text.axis-label").all_text_contents()
        assert titles[i] in labels and len(labels) == 2
        flagged = chart.locator("rect.bar.flagged title").all_text_contents()
        assert len(flagged) == len(contradicted)
        assert all(any(y in text for text in flagged) for y in contradicted)
    conflict_rows = page.locator("table.data-table tbody tr.conflict-row")
    assert conflict_rows.count() == len(contradicted)
    row_2019 = conflict_rows.filter(has_text="2019")
    assert row_2019.locator("a.badge.conflict").first.get_attribute("href") == "/page/conflict/suspects-2019-sum"
    assert page.locator("table.data-table tbody tr").count() == len(years)
    shot(page, tmp_path, "dataset")
    assert page.console_errors == []


@pytest.mark.parametrize(
    "path",
    [
        "/page/organisation/bnn",
        "/page/dataset/drug-cases-2018-2023",
        "/ontology",
        "/search?q=bnn",
        "/browse",
        "/shacl",
        "/page/agreement/mou-indonesia-fiji-2015",
        "/?query=PREFIX+nkg%3A+%3Chttps%3A%2F%2Fw3id.org%2Fnarcokg%2Fontology%23%3E%0A"
        "SELECT+%3Fa+%3Fp+WHERE+%7B+%3Fa+nkg%3Aparty+%3Fp+%7D+LIMIT+20",
        "/?query=SELECT+%3Fp+WHERE+%7B+%3Fa+nkg%3Aparty+%3Fp+%7D",
    ],
)
def test_usable_at_phone_width(server, browser, tmp_path, path):
    with open_page(browser, width=360, height=740, is_mobile=True, device_scale_factor=2) as pg:
        pg.goto(server.url(path))
        overflow = pg.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{path} scrolls sideways by {overflow}px"
        assert pg.locator("h1").is_visible()
        shot(pg, tmp_path, "phone-" + path.strip("/").replace("/", "-").replace("?", "-"))


def test_skip_link_and_landmarks(server, page):
    page.goto(server.url("/page/state/IDN"))
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.getAttribute('href')")
    assert focused == "#main"
    assert page.locator("header[role=banner]").count() == 1
    assert page.locator("main#main").count() == 1
    assert page.locator("footer[role=contentinfo]").count() == 1
    assert page.locator("nav[aria-label]").count() >= 2


# No internals on entity pages (issue 15) ----------------------------------------------------------


def test_hidden_labels_are_never_shown(server, page, kg):
    hidden = URIRef("http://www.w3.org/2004/02/skos/core#hiddenLabel")
    # Subjects whose hidden label is no other statement's value (a verbatim spelling is shown as such).
    only_hidden = sorted(
        (s, o)
        for s, o in kg.subject_objects(hidden)
        if str(s).startswith(B + "id/") and [p for p in kg.predicates(s, o)] == [hidden]
    )
    assert only_hidden, "the data keeps misspellings as hidden labels"
    for subject, misspelling in only_hidden[:3]:
        page.goto(server.url("/page/" + str(subject)[len(B + "id/") :]))
        assert str(misspelling) not in page.locator("main dd .literal").all_inner_texts()
        assert str(misspelling) != page.locator("h1").inner_text().strip()
        assert "hiddenLabel" not in "".join(page.locator("main dt a").all_inner_texts())


def test_vocabulary_terms_are_named_by_labels(server, page, kg):
    sem_actor = URIRef("http://semanticweb.cs.vu.nl/2009/11/sem/hasActor")
    subject = sorted(s for s in kg.subjects(sem_actor, None) if str(s).startswith(B + "id/"))[0]
    page.goto(server.url("/page/" + str(subject)[len(B + "id/") :]))
    terms = page.locator("main dt a").all_text_contents()
    assert "sem:hasActor" not in terms and "actor" in terms


def test_shape_internals_are_not_incoming_links(server, page):
    page.goto(server.url("/page/scope/regional"))
    hrefs = [a.get_attribute("href") or "" for a in page.locator("main a").all()]
    assert not [h for h in hrefs if "/.well-known/genid/" in h]


def test_long_lists_are_counted_and_collapsed(server, page, kg):
    page.goto(server.url("/page/state/IDN"))
    lists = [d for d in page.locator("details.long-list").all() if d.is_visible()]
    assert lists, "IDN has a property with more than 8 values shown"
    first = lists[0]
    n = int(first.locator("summary").inner_text().split()[0])
    assert n > 8
    assert not first.locator("ul.values").is_visible()
    first.locator("summary").click()
    assert first.locator("ul.values").is_visible()
    assert first.locator("ul.values > li").count() == n


def test_agreements_timeline_by_year_of_signing(server, page):
    """/browse/Agreement draws agreements per year over the whole span; the years the hand-checked
    catalogue answer (query 07, signing dates) lists have its counts."""
    expected = {}
    tsv = ROOT / "queries" / "07-agreements-per-year.expected.tsv"
    for line in tsv.read_text(encoding="utf-8").splitlines()[1:]:
        year, n = line.split("\t")
        expected[year.strip('"').split("^^")[0].strip('"')] = int(n.split("^^")[0].strip('"'))
    page.goto(server.url("/browse/Agreement"))
    figure = page.locator("figure.timeline")
    assert figure.locator("svg[role=img] desc").count() == 1
    assert "Timeline" in figure.locator(".chart-title").inner_text()
    bars = {t.split(": ")[0]: int(t.split(": ")[1]) for t in figure.locator("rect.bar title").all_text_contents()}
    years = sorted(bars)
    assert years == [str(y) for y in range(int(years[0]), int(years[-1]) + 1)]
    for year, n in expected.items():
        assert bars[year] == n, year
    assert bars["2019"] == 0


@pytest.mark.parametrize("js", [True, False])
def test_cite_block_and_class_diagram_at_390px(server, browser, tmp_path, js):
    """The "cite this" block opens without JavaScript and shows the BibTeX; the class diagram
    of /ontology is drawn, fits a 390 px phone with its text alternative, and nothing scrolls
    sideways."""
    with open_page(browser, width=390, height=844, is_mobile=True, device_scale_factor=2, java_script_enabled=js) as pg:
        pg.goto(server.url("/page/agreement/mou-indonesia-fiji-2015"))
        block = pg.locator(".cite-block")
        block.scroll_into_view_if_needed()
        assert block.locator(".citation").is_visible()
        code = block.locator("details.cite-format").first
        code.locator("summary").click()
        assert "@misc{narcokg-agreement-mou-indonesia-fiji-2015," in code.locator("pre").inner_text()
        assert pg.locator(".source-list .citation").first.is_visible()
        assert pg.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1
        shot(pg, tmp_path, f"cite-390-js{int(js)}")

        pg.goto(server.url("/ontology#sec-diagram"))
        svg = pg.locator("svg.class-diagram-svg")
        assert svg.is_visible()
        box = svg.bounding_box()
        assert box["width"] <= 390 and box["height"] > 100
        pg.locator(".diagram-text summary").click()
        assert pg.locator(".diagram-text li").first.is_visible()
        assert pg.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1
        shot(pg, tmp_path, f"diagram-390-js{int(js)}")
