"""The workbench pages of issue 15 in headless Chromium against the real server: validation keeps
the input and fits a phone, search pages and filters by kind, the type-ahead, the "EN" marker on
Indonesian pages; search and validation also with JavaScript off.

Needs Debian's chromium (`apt-get install chromium`); Playwright's own browser download is never used.
"""

from __future__ import annotations

import csv
import re

import pytest

from browser_helpers import chromium, open_page, playwright_or_skip  # noqa: E402

playwright_api = playwright_or_skip()

BROKEN = "@prefix ex: <http://example.org/> .\nex:a ex:b ex:c ;\n ex:d .\n"
#: States of the client's data, with long IRIs, labels and values that must wrap between words.
MANY = (
    "@prefix nkg: <https://w3id.org/narcokg/ontology#> .\n"
    "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
    + "".join(
        f"<https://example.org/a/rather/long/path/of/segments/state-number-{n:05d}> a nkg:State ; "
        f'rdfs:label "Republic of Somewhere Far Away number {n}"@en ; nkg:founded "52858" .\n'
        for n in range(12)
    )
)

#: For each text node in the elements matched, the words (between spaces and <wbr>) that the
#: layout broke across lines: a word split in two has more than one client rectangle.
BROKEN_WORDS = """(selector) => {
  const out = [];
  for (const el of document.querySelectorAll(selector)) {
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent;
      const re = /[^\\s\\-–]+/g;  // a break after a hyphen or dash is a break between words
      let m;
      while ((m = re.exec(text))) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const tops = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
        if (tops.size > 1) out.push(m[0]);
      }
    }
  }
  return out;
}"""


@pytest.fixture(scope="module")
def browser():
    with chromium(playwright_api) as b:
        yield b


def overflow(pg) -> int:
    return pg.evaluate("document.documentElement.scrollWidth - window.innerWidth")


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_failed_validation_keeps_the_input_and_shows_the_place(server, browser, js):
    with open_page(browser, java_script_enabled=js) as pg:
        pg.goto(server.url("/shacl/validate"))
        pg.fill("#v-data", BROKEN)
        pg.select_option("#v-syntax", "turtle")
        pg.click("button[type=submit] >> text=Validate")
        pg.wait_for_selector(".shacl-problem")
        assert pg.input_value("#v-data") == BROKEN
        assert pg.input_value("#v-syntax") == "turtle"
        problem = pg.locator(".shacl-problem")
        assert "line 3, column 7" in problem.inner_text()  # the "." where the object should be
        assert "an object is missing" in problem.inner_text()
        # next to the input: in the same fieldset, right above the text area
        box, area = problem.bounding_box(), pg.locator("#v-data").bounding_box()
        assert 0 <= area["y"] - (box["y"] + box["height"]) < 120
        assert pg.locator("#v-data").get_attribute("aria-describedby") == "v-problem"
        if js:  # the 400 itself is logged by the browser; nothing else may be
            assert [e for e in pg.console_errors if "status of 400" not in e] == []


@pytest.mark.parametrize("width", [390, 1280])
def test_validation_results_fit_and_wrap_between_words(server, browser, width, tmp_path):
    with open_page(browser, width=width) as pg:
        pg.goto(server.url("/shacl/validate"))
        pg.fill("#v-data", MANY)
        pg.click("button[type=submit] >> text=Validate")
        pg.wait_for_selector(".shacl-results")
        assert pg.locator(".shacl-results tbody tr").count() >= 12
        assert overflow(pg) <= 1, f"/shacl/validate results scroll sideways by {overflow(pg)}px at {width}px"
        broken = pg.evaluate(BROKEN_WORDS, ".shacl-results th, .shacl-results td, .shacl-summary, .shacl-group h3")
        assert broken == [], f"words broken across lines at {width}px: {broken[:10]}"
        # the client's resources are text, not links to 404 pages of this site
        assert pg.locator(".shacl-results td.focus a").count() == 0
        assert pg.locator(".shacl-results td.focus .uploaded").count() >= 12
        assert pg.input_value("#v-data") == MANY
        pg.screenshot(path=str(tmp_path / f"validate-{width}.png"), full_page=True)


def test_report_at_phone_width_has_no_broken_words(server, browser):
    with open_page(browser, width=390) as pg:
        pg.goto(server.url("/shacl"))
        assert overflow(pg) <= 1
        broken = pg.evaluate(BROKEN_WORDS, ".shacl-results td, .shacl-results th, .shacl-group h3")
        assert broken == [], broken[:10]
        # shapes by their labels, as /shapes names them
        assert pg.locator(".shacl-group h3", has_text="Suspect totals add up").count() == 1


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_search_pages_and_filters_by_kind(server, browser, js):
    with open_page(browser, java_script_enabled=js) as pg:
        pg.goto(server.url("/search"))
        pg.fill("#q", "bnn")
        pg.click(".search-form button[type=submit]")
        pg.wait_for_selector("#results-h")
        heading = pg.inner_text("#results-h")
        m = re.match(r"Results 1–50 of (\d+)", heading)
        assert m, heading
        total = int(m.group(1))
        pg.click("a[rel=next]")
        pg.wait_for_url(re.compile(r"page=2"))
        assert pg.inner_text("#results-h") == f"Results 51–{min(100, total)} of {total}"
        assert pg.locator("a[rel=prev]").count() == 1
        facet = pg.locator(".facets a", has_text="claim").first
        count = int(facet.locator(".count").inner_text())
        facet.click()
        pg.wait_for_url(re.compile(r"type=nkg%3AClaim"))
        assert pg.inner_text("#results-h") == f"Results 1–{min(50, count)} of {count}"
        kinds = pg.locator(".results li .kind").all_inner_texts()
        assert kinds and all(k == "claim" for k in kinds)
        assert pg.locator(".facets [aria-current=true]").inner_text().startswith("claim")


def test_type_ahead_suggests_and_opens_the_entity(server, browser):
    with open_page(browser) as pg:
        pg.goto(server.url("/search"))
        pg.locator("#q").press_sequentially("bnn", delay=40)
        pg.wait_for_selector("#q-suggestions li", state="visible")
        first = pg.locator("#q-suggestions li").first
        assert first.locator("a").inner_text() == "National Narcotics Board"
        assert pg.get_attribute("#q", "aria-expanded") == "true"
        pg.press("#q", "ArrowDown")
        assert first.get_attribute("aria-selected") == "true"
        pg.press("#q", "Enter")
        pg.wait_for_url(re.compile(r"/page/organisation/bnn$"))
        # the header's box has it too, on every page
        pg.locator("#site-q").press_sequentially("fiji", delay=40)
        pg.wait_for_selector("#site-q-suggestions li", state="visible")
        pg.press("#site-q", "Escape")
        assert pg.locator("#site-q-suggestions").is_hidden()
        assert pg.console_errors == []


def test_indonesian_page_marks_english_only_text(server, browser):
    with open_page(browser) as pg:
        pg.goto(server.url("/search?q=birokrasi&lang=id"))
        marker = pg.locator("abbr.only-lang").first
        assert marker.is_visible()
        assert marker.inner_text() == "EN"
        assert marker.get_attribute("title") == "hanya dalam bahasa Inggris"
        # the chrome itself is Indonesian: no marker on it
        assert pg.locator("header abbr.only-lang").count() == 0
        pg.goto(server.url("/?lang=id"))
        assert pg.locator(".example-list a").first.inner_text().startswith("Apa nama Badan Narkotika Nasional")
        assert pg.locator(".example-description abbr.only-lang").first.is_visible()
        pg.goto(server.url("/shacl?lang=id"))
        assert pg.locator(".shacl-results abbr.only-lang").first.is_visible()
        assert "Pelanggaran" in pg.inner_text(".shacl-summary")


PARTIES = (
    "PREFIX nkg: <https://w3id.org/narcokg/ontology#>\n"
    "SELECT ?agreement ?party WHERE { ?agreement nkg:party ?party } ORDER BY ?agreement ?party LIMIT 12"
)


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_table_as_shown_downloads_with_its_labels(server, browser, js, tmp_path):
    """The CSV link under the results gives the rows the page shows, with the labels it shows."""
    with open_page(browser, java_script_enabled=js, accept_downloads=True) as pg:
        pg.goto(server.url("/?lang=id"))
        pg.fill("#query", PARTIES)
        pg.click("#run-query")
        if js:
            pg.wait_for_selector('#results-body[aria-busy="false"]', state="attached")
        else:
            pg.wait_for_load_state()
        shown = [
            [cell.inner_text() for cell in row.locator("td .iri-label").all()]
            for row in pg.locator("#results-body table.results-table tbody tr").all()
        ]
        links = pg.locator("#results-links .table-downloads a")
        assert links.all_inner_texts() == ["CSV", "JSON"]
        with pg.expect_download() as info:
            links.first.click()
        path = tmp_path / "table.csv"
        info.value.save_as(path)
        rows = path.read_text(encoding="utf-8").splitlines()
        assert rows[0] == "agreement,agreement_label,party,party_label"
        body = list(csv.reader(rows[1:]))
        assert len(body) == len(shown) == 12
        for line, labels in zip(body, shown):
            # the page adds an "EN" marker after a label only in English; the download has the label alone
            assert [re.sub(r"\s*EN$", "", x) for x in labels] == [line[1], line[3]]
        assert pg.console_errors == []


def test_history_of_a_long_one_line_query_fits_a_phone(server, browser):
    """A remembered query without a question is listed by its text, which may be one long IRI."""
    query = "SELECT ?s WHERE { ?s a <https://w3id.org/narcokg/ontology#State> } LIMIT 5"
    with open_page(browser, width=390, height=844) as pg:
        pg.goto(server.url("/?lang=id"))
        pg.fill("#query", query)
        pg.click("#run-query")
        pg.wait_for_selector('#results-body[aria-busy="false"]', state="attached")
        pg.goto(server.url("/?lang=id"))
        assert pg.locator("a.history-item").first.inner_text().startswith("SELECT ?s WHERE")
        assert overflow(pg) <= 0
        assert pg.console_errors == []
