"""A web page on another origin uses narcokg from a real browser (headless Chromium): it
dereferences an entity IRI asking for Turtle (following the 303), fetches a Triple Pattern
Fragment and runs a SPARQL query by POST (which needs a CORS preflight), and reads the headers a
Linked Data client needs. The page is served by a second small HTTP server on another loopback
port, so narcokg's CSP does not apply to it and only CORS decides."""

from __future__ import annotations

import json
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from browser_helpers import chromium, open_page, playwright_or_skip

playwright_api = playwright_or_skip()  # the module is skipped without Playwright or Chromium

PAGE = """<!doctype html>
<meta charset="utf-8">
<title>pending</title>
<link rel="icon" href="data:,">
<pre id="result"></pre>
<script src="client.js"></script>
"""

SCRIPT = r"""
const server = new URLSearchParams(location.search).get('server');
const IDN = 'https://w3id.org/narcokg/id/state/IDN';
async function run() {
  const out = {origin: location.origin};
  const entity = await fetch(server + '/id/state/IDN', {headers: {Accept: 'text/turtle'}});
  out.entity = {status: entity.status, url: entity.url, type: entity.headers.get('Content-Type'),
                etag: entity.headers.get('ETag'), link: entity.headers.get('Link'),
                body: (await entity.text()).includes('<' + IDN + '>')};
  const fragment = await fetch(server + '/fragments?subject=' + encodeURIComponent(IDN),
                               {headers: {Accept: 'application/n-quads'}});
  const nquads = await fragment.text();
  out.fragment = {status: fragment.status, etag: fragment.headers.get('ETag'),
                  triples: nquads.split('\n').filter(l => l.startsWith('<' + IDN + '> ') && l.endsWith('> .')
                                                       && l.split(' ').length >= 4).length,
                  search: nquads.includes('http://www.w3.org/ns/hydra/core#search')};
  const query = 'SELECT ?label WHERE { <' + IDN + '> <http://www.w3.org/2000/01/rdf-schema#label> ?label }';
  const sparql = await fetch(server + '/sparql', {method: 'POST', body: query,
      headers: {'Content-Type': 'application/sparql-query', Accept: 'application/sparql-results+json'}});
  const json = await sparql.json();
  out.sparql = {status: sparql.status, timing: sparql.headers.get('Server-Timing'),
                labels: json.results.bindings.map(b => b.label.value).sort()};
  document.getElementById('result').textContent = JSON.stringify(out);
  document.title = 'done';
}
run().catch(e => { document.getElementById('result').textContent = String(e); document.title = 'failed'; });
"""


@pytest.fixture
def other_origin(tmp_path):
    """A static site on another loopback port (another origin than the server under test)."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text(PAGE)
    (site / "client.js").write_text(SCRIPT)

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(site)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_page_on_another_origin_reads_entity_fragment_and_sparql(server, other_origin):
    with chromium(playwright_api) as browser, open_page(browser) as page:
        page.goto(f"{other_origin}/index.html?server={server.base}")
        page.wait_for_function("document.title !== 'pending'", timeout=30000)
        text = page.locator("#result").inner_text()
        assert page.title() == "done", text
        errors = page.console_errors
    out = json.loads(text)
    assert out["origin"] == other_origin != server.base
    assert out["entity"]["status"] == 200 and out["entity"]["body"]
    assert out["entity"]["url"].endswith("/data/state/IDN.ttl")  # the 303 was followed across origins
    assert out["entity"]["type"].startswith("text/turtle")
    assert out["entity"]["etag"] and out["entity"]["link"]  # exposed to the page
    assert out["fragment"]["status"] == 200 and out["fragment"]["triples"] > 10 and out["fragment"]["search"]
    assert out["fragment"]["etag"]
    assert out["sparql"]["status"] == 200 and out["sparql"]["timing"]
    assert "Indonesia" in out["sparql"]["labels"]
    assert not errors, errors
