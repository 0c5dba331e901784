"""The query page at /: without JavaScript (plain HTTP, server-rendered results) and in headless
Chromium (highlighting, prefix help, examples, results table, downloads, shareable URLs)."""

from __future__ import annotations

import html
import re
from pathlib import Path
from urllib.parse import parse_qs, unquote_plus, urlsplit

import pytest
import requests

from conftest import ROOT, start_server, stop_server
from sparql_helpers import BNN, rows

from browser_helpers import ARGS as CHROMIUM_ARGS
from browser_helpers import CHROMIUM as _CHROMIUM

CHROMIUM = Path(_CHROMIUM)
BNN_LABELS = (
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
    f"SELECT ?agency ?label WHERE {{ BIND(<{BNN}> AS ?agency) ?agency rdfs:label ?label }}"
)
BNN_GRAPH = f"CONSTRUCT {{ <{BNN}> ?p ?o }} WHERE {{ <{BNN}> ?p ?o }}"


def catalogue_files(settings) -> list[Path]:
    return sorted(Path(settings.queries_dir).glob("*.rq"))


def page(server, **params) -> requests.Response:
    return requests.get(server.url("/"), params=params, headers={"Accept": "text/html"}, timeout=60)


def hrefs(text: str, cls: str | None = None) -> list[str]:
    pattern = r'<a[^>]*class="%s"[^>]*href="([^"]*)"' % cls if cls else r'<a[^>]*href="([^"]*)"'
    return [html.unescape(h) for h in re.findall(pattern, text)]


# Without JavaScript -----------------------------------------------------------------------------


def test_page_has_a_form_that_works_without_javascript(server):
    resp = page(server)
    assert resp.status_code == 200
    assert resp.headers["Content-Type"].startswith("text/html")
    text = resp.text
    assert re.search(r'<form[^>]*method="get"[^>]*action="/"', text)
    assert re.search(r'<textarea[^>]*name="query"', text)
    for tag in re.findall(r"<script[^>]*>", text):
        assert "src=" in tag  # no inline script (the CSP forbids it)


def test_catalogue_queries_are_one_click_examples(server, settings):
    text = page(server).text
    links = hrefs(text, "example")
    files = catalogue_files(settings)
    assert len(links) == len(files)
    queries = {parse_qs(urlsplit(h).query)["query"][0].strip() for h in links}
    # Maintainers' "Performance:" notes (and their indented continuation lines) are left out.
    without_notes = {
        re.sub(r"^# Performance:.*\n(?:#   .*\n)*", "", f.read_text(encoding="utf-8"), flags=re.M).strip()
        for f in files
    }
    assert queries == without_notes
    if not files:
        assert "No example queries yet" in text


def test_catalogue_titles_are_the_questions(server, settings):
    text = page(server).text
    for f in catalogue_files(settings):
        first = f.read_text(encoding="utf-8").splitlines()[0].lstrip("#").strip()
        question = first.split(":", 1)[1].strip() if first.lower().startswith("question:") else first
        assert html.escape(question, quote=False) in text or question in html.unescape(text)


def test_shared_url_renders_results_with_entity_links(server):
    resp = page(server, query=BNN_LABELS)
    assert resp.status_code == 200
    text = resp.text
    assert '<table class="results-table">' in text
    assert "/page/organisation/bnn" in hrefs(text)
    for row in rows(server, BNN_LABELS):
        assert html.escape(row["label"], quote=False) in text
    downloads = [h for h in hrefs(text) if h.startswith("/sparql?")]
    formats = {parse_qs(urlsplit(h).query)["format"][0] for h in downloads}
    assert formats == {"json", "xml", "csv", "tsv"}
    csv_link = next(h for h in downloads if "format=csv" in h)
    got = requests.get(server.url(csv_link), timeout=60)
    assert got.status_code == 200 and got.headers["Content-Type"].startswith("text/csv")
    assert "National Narcotics Board" in got.text
    assert BNN_LABELS == parse_qs(urlsplit(csv_link).query)["query"][0]


def test_graph_results_render_as_triples(server):
    text = page(server, query=BNN_GRAPH).text
    assert re.search(r'<th scope="col">subject</th><th scope="col">predicate</th><th scope="col">object</th>', text)
    formats = {parse_qs(urlsplit(h).query)["format"][0] for h in hrefs(text) if h.startswith("/sparql?")}
    assert formats == {"turtle", "ntriples", "jsonld", "rdfxml", "nquads", "trig"}


def test_errors_are_shown_escaped(server):
    evil = 'SELECT * WHERE { ?s ?p "</textarea><script>alert(1)</script>" . ?s ?p }'
    resp = page(server, query=evil)
    assert resp.status_code == 400
    assert "<script>alert(1)</script>" not in resp.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in resp.text
    assert re.search(r"line 1, column \d+", resp.text)


def test_refusals_keep_their_status(server):
    resp = page(server, query="SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")
    assert resp.status_code == 400
    assert "SERVICE" in resp.text


def test_page_without_catalogue(built, tmp_path):
    root = tmp_path / "root"
    (root / "queries").mkdir(parents=True)
    srv = start_server(built.out_dir, tmp_path, env_extra={"NARCOKG_ROOT": str(root)})
    try:
        resp = page(srv)
        assert resp.status_code == 200
        assert "No example queries yet" in resp.text
        assert hrefs(resp.text, "example") == []
        assert re.search(r'<textarea[^>]*name="query"[^>]*>[^<]*SELECT', resp.text)
    finally:
        stop_server(srv)


# Headless Chromium --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("Chromium is not installed at /usr/bin/chromium (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def tab(browser):
    context = browser.new_context()
    pg = context.new_page()
    problems: list[str] = []
    pg.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    pg.on(
        "console",
        lambda msg: (
            problems.append(msg.text) if msg.type == "error" and "Content Security Policy" in msg.text else None
        ),
    )
    pg.set_default_timeout(30_000)
    yield pg
    context.close()
    assert problems == []


def wait_for_results(tab) -> None:
    """The page marks the results region busy while a query runs (a selector, not an evaluated
    predicate: the page's CSP forbids eval, which Playwright's string predicates need)."""
    tab.wait_for_selector('#results-body[aria-busy="false"]', state="attached")


def run_query(tab, query: str) -> None:
    tab.fill("#query", query)
    tab.click("#run-query")
    wait_for_results(tab)


def test_editor_highlights_sparql(server, tab):
    tab.goto(server.url("/"))
    tab.fill("#query", BNN_LABELS)
    layer = tab.locator("#editor .hl-layer")
    assert layer.count() == 1
    keywords = tab.locator("#editor .hl-layer .tok-keyword").all_inner_texts()
    assert {"PREFIX", "SELECT", "WHERE"} <= set(keywords)
    assert "?agency" in tab.locator("#editor .hl-layer .tok-var").all_inner_texts()
    assert f"<{BNN}>" in tab.locator("#editor .hl-layer .tok-iri").all_inner_texts()
    assert "rdfs:label" in tab.locator("#editor .hl-layer .tok-pname").all_inner_texts()


def test_results_table_links_downloads_and_shareable_url(server, tab):
    tab.goto(server.url("/"))
    run_query(tab, BNN_LABELS)
    table = tab.locator("#results-body table.results-table")
    assert table.count() == 1
    headers = table.locator("thead th").all_inner_texts()
    assert headers == ["?agency", "?label"]
    labels = {r["label"] for r in rows(server, BNN_LABELS)}
    assert labels <= set(table.locator("td.cell-literal").all_inner_texts()) | {
        t.rsplit(" @", 1)[0] for t in table.locator("td.cell-literal").all_inner_texts()
    }
    agency_links = table.locator("td.cell-iri a")
    assert agency_links.first.get_attribute("href") == "/page/organisation/bnn"
    assert agency_links.first.get_attribute("title") == BNN
    assert parse_qs(urlsplit(tab.url).query)["query"] == [BNN_LABELS]
    downloads = tab.locator("#results-links .downloads a")
    assert downloads.count() == 4
    formats = {parse_qs(urlsplit(downloads.nth(i).get_attribute("href")).query)["format"][0] for i in range(4)}
    assert formats == {"json", "xml", "csv", "tsv"}
    share = tab.locator("#share-link").get_attribute("href")
    assert parse_qs(urlsplit(share).query)["query"] == [BNN_LABELS]
    # The shared URL reproduces the table (server-rendered on load).
    tab.goto(server.url(share))
    assert (
        tab.locator("#results-body table.results-table td.cell-iri a").first.get_attribute("href")
        == "/page/organisation/bnn"
    )
    assert tab.input_value("#query") == BNN_LABELS


def test_construct_results(server, tab):
    tab.goto(server.url("/"))
    run_query(tab, BNN_GRAPH)
    headers = tab.locator("#results-body thead th").all_inner_texts()
    assert headers == ["subject", "predicate", "object"]
    n = len(rows(server, f"SELECT DISTINCT ?p ?o WHERE {{ <{BNN}> ?p ?o }}"))
    assert tab.locator("#results-body tbody tr").count() == n
    assert tab.locator("#results-links .downloads a").count() == 6


def test_errors_are_shown(server, tab):
    tab.goto(server.url("/"))
    run_query(tab, "SELECT * WHERE { ?s ?p }")
    error = tab.locator("#results-body .query-error")
    assert error.count() == 1
    assert "400" in error.inner_text()
    assert "line 1, column 21: a triple needs an object after `?p`" in error.inner_text()
    # The culprit is marked in the editor.
    assert tab.locator("#editor .hl-layer .err-mark").inner_text() == "?p"


def test_prefix_help_adds_missing_declarations(server, tab):
    tab.goto(server.url("/"))
    tab.fill("#query", f"SELECT ?l WHERE {{ <{BNN}> rdfs:label ?l . <{BNN}> skos:altLabel ?a }}")
    # The button is in view, not inside the collapsed prefix table.
    assert tab.locator("#add-missing-prefixes").is_visible()
    tab.click("#add-missing-prefixes")
    text = tab.input_value("#query")
    assert "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>" in text
    assert "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>" in text
    assert text.count("PREFIX") == 2
    # Nothing left to add: the button goes, and so do the table's buttons of declared prefixes.
    assert not tab.locator("#add-missing-prefixes").is_visible()
    tab.click("#prefix-help summary")
    assert not tab.locator('#prefix-help tr[data-prefix="rdfs"] button.add-prefix').is_visible()
    assert tab.locator('#prefix-help tr[data-prefix="owl"] button.add-prefix').is_visible()
    run_query(tab, tab.input_value("#query"))
    assert tab.locator("#results-body table.results-table").count() == 1


def test_examples_load_and_run(server, settings, tab):
    files = catalogue_files(settings)
    assert files, "the query catalogue is not empty"
    tab.goto(server.url("/"))
    example = tab.locator("a.example").first
    expected = example.get_attribute("data-query")
    example.click()
    wait_for_results(tab)
    assert tab.input_value("#query") == expected
    assert tab.locator("#results-body .query-error").count() == 0
    assert unquote_plus(urlsplit(tab.url).query).startswith("query=")


def test_page_works_with_javascript_disabled(server, browser):
    context = browser.new_context(java_script_enabled=False)
    try:
        pg = context.new_page()
        pg.goto(server.url("/"))
        assert pg.locator("#editor .hl-layer").count() == 0
        pg.fill("#query", BNN_LABELS)
        pg.click("#run-query")
        pg.wait_for_load_state()
        assert (
            pg.locator("#results-body table.results-table td.cell-iri a").first.get_attribute("href")
            == "/page/organisation/bnn"
        )
        # A submitted form sends line breaks as CRLF.
        assert parse_qs(urlsplit(pg.url).query)["query"][0].replace("\r\n", "\n") == BNN_LABELS
    finally:
        context.close()


# The researcher's workbench (issue 15) ------------------------------------------------------------

NKG = "https://w3id.org/narcokg/ontology#"
PER_YEAR = ROOT / "queries" / "07-agreements-per-year.rq"


def test_missing_prefixes_are_offered_in_view_and_added_with_one_click(server, tab):
    tab.goto(server.url("/"))
    run_query(tab, "SELECT ?p WHERE { ?a nkg:party ?p } LIMIT 3")
    error = tab.locator("#results-body .query-error")
    assert "prefix `nkg:` is not declared" in error.inner_text()
    assert tab.locator("#editor .hl-layer .err-mark").inner_text() == "nkg:"
    fix = tab.locator("#fix-prefixes")
    assert fix.is_visible()
    fix.click()
    wait_for_results(tab)
    assert tab.input_value("#query").startswith(f"PREFIX nkg: <{NKG}>\n")
    assert tab.locator("#results-body table.results-table tbody tr").count() == 3


def test_error_fix_works_without_javascript(server, browser):
    context = browser.new_context(java_script_enabled=False)
    try:
        pg = context.new_page()
        pg.goto(server.url("/"))
        pg.fill("#query", "SELECT ?p WHERE { ?a nkg:party ?p } LIMIT 3")
        pg.click("#run-query")
        pg.wait_for_load_state()
        assert "line 1, column 22" in pg.locator(".query-error").inner_text()
        assert pg.locator(".error-marker").inner_text().strip() == "^" * 4
        pg.click("#fix-prefixes")
        pg.wait_for_load_state()
        assert pg.locator("#results-body table.results-table tbody tr").count() == 3
        assert pg.locator("#shortcuts").is_visible()
    finally:
        context.close()


def test_terms_json_lists_prefixes_classes_and_properties(server):
    resp = requests.get(server.url("/sparql/terms.json"), timeout=60)
    assert resp.status_code == 200 and resp.headers["Content-Type"].startswith("application/json")
    assert "public" in resp.headers["Cache-Control"]
    doc = resp.json()
    assert doc["prefixes"]["nkg"] == NKG
    by_name = {t["curie"]: t for t in doc["terms"]}
    assert by_name["nkg:Agreement"]["kind"] == "class" and by_name["nkg:Agreement"]["uses"] > 0
    assert by_name["nkg:party"]["kind"] == "property"
    assert by_name["rdfs:label"]["kind"] == "property"
    again = requests.get(server.url("/sparql/terms.json"), headers={"If-None-Match": resp.headers["ETag"]}, timeout=60)
    assert again.status_code == 304


def test_autocompletion_of_terms_adds_the_prefix(server, tab):
    tab.goto(server.url("/"))
    tab.fill("#query", "SELECT ?a WHERE { ?a a ")
    tab.locator("#query").press("End")
    tab.locator("#query").press_sequentially("nkg:Agre")
    tab.wait_for_selector("#completions li", state="visible")
    options = tab.locator("#completions li").all_inner_texts()
    assert any(o.startswith("nkg:Agreement") for o in options)
    tab.locator("#query").press("Enter")
    text = tab.input_value("#query")
    assert text.startswith(f"PREFIX nkg: <{NKG}>\n")
    assert "?a a nkg:Agreement" in text


def test_autocompletion_of_entities_by_label(server, tab):
    tab.goto(server.url("/"))
    tab.fill("#query", "SELECT ?p ?o WHERE { BNN")
    tab.locator("#query").press("End")
    tab.locator("#query").press("Control+Space")
    tab.wait_for_selector(f'#completions li:has-text("<{BNN}>")', state="visible")


def test_history_and_ctrl_enter(server, tab):
    tab.goto(server.url("/"))
    assert "Ctrl+Enter" in tab.locator("#shortcuts").inner_text()
    tab.fill("#query", BNN_LABELS)
    tab.locator("#query").press("Control+Enter")
    wait_for_results(tab)
    assert tab.locator("#results-body table.results-table").count() == 1
    tab.goto(server.url("/"))
    assert tab.locator("#history").is_visible()
    first = tab.locator("#history-list a").first
    assert "SELECT ?agency ?label" in first.inner_text()
    first.click()
    assert tab.input_value("#query") == BNN_LABELS


def test_results_show_labels_and_datatypes_on_demand(server, tab):
    tab.goto(server.url("/"))
    run_query(tab, PER_YEAR.read_text(encoding="utf-8"))
    assert not tab.locator("#results-body .lit-tag").first.is_visible()
    tab.click("label[for=show-types]")
    assert tab.locator("#results-body .lit-tag").first.inner_text() == "xsd:integer"
    # A chart of the shown rows, server-rendered SVG with a text alternative.
    tab.click("#chart-view summary")
    svg = tab.locator("#chart-view svg[role=img]")
    assert svg.count() == 1 and svg.locator("desc").count() == 1
    run_query(tab, BNN_LABELS)
    link = tab.locator("#results-body td.cell-iri a").first
    labels = {r["label"] for r in rows(server, BNN_LABELS)}
    assert link.locator(".iri-label").inner_text() in labels
    assert link.locator(".iri-name").inner_text() == "id:organisation/bnn"


def test_catalogue_descriptions_hold_no_developer_notes(server):
    text = page(server).text
    assert "synthetic triples" not in text and "0.16 s" not in text
