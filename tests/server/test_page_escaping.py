"""Texts from the data are escaped wherever a page shows them: an entity's own values, the
incoming links of the resource it points to, its embedded JSON-LD and the search hits. The
values and hits are written in Python rather than by Jinja's autoescaping, so these pages are
checked on a served dump that holds a hostile label, over HTTP."""

from __future__ import annotations

import shutil

import pytest
import requests

from conftest import start_server, stop_server
from narcokg import snapshot

B = "https://w3id.org/narcokg/"
HOSTILE = "<script>alert(1)</script> & \"quoted\" 'single'"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;quoted&#34; &#39;single&#39;"
HTML = {"Accept": "text/html"}
RDFS = "http://www.w3.org/2000/01/rdf-schema#"


@pytest.fixture(scope="module")
def hostile_server(built, tmp_path_factory):
    """`serve --dump` of the build's N-Quads plus a resource whose label, comment and a literal
    value are markup, and which links to BNN."""
    tmp = tmp_path_factory.mktemp("hostile")
    dump = tmp / "served.nq"
    shutil.copyfile(built.out_dir / snapshot.NQ, dump)
    subject, graph = f"<{B}id/organisation/hostile-test>", f"<{B}graph/reference>"
    text = HOSTILE.replace("\\", "\\\\").replace('"', '\\"')
    lines = [
        f'{subject} <{RDFS}label> "{text}"@en {graph} .',
        f'{subject} <{RDFS}comment> "{text}" {graph} .',
        f'{subject} <{B}ontology#note> "{text}" {graph} .',
        f"{subject} <{B}ontology#partner> <{B}id/organisation/bnn> {graph} .",
    ]
    with dump.open("a", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    srv = start_server(built.out_dir, tmp, "--dump", str(dump))
    yield srv
    stop_server(srv)


def _page(server, path: str, **params) -> str:
    resp = requests.get(server.url(path), params=params, headers=HTML, timeout=30)
    assert resp.status_code == 200, (path, resp.status_code)
    return resp.text


@pytest.mark.parametrize("lang", ["en", "id"])
def test_a_hostile_label_is_escaped_on_its_own_page(hostile_server, lang):
    html = _page(hostile_server, "/page/organisation/hostile-test", lang=lang)
    assert "<script>alert(1)" not in html
    assert ESCAPED in html  # the label as a value of rdfs:label, the comment and the literal
    assert html.count(ESCAPED) >= 3


def test_a_hostile_label_is_escaped_among_incoming_links(hostile_server):
    html = _page(hostile_server, "/page/organisation/bnn")
    incoming = html[html.index('id="incoming-title"') :]
    assert f'title="{B}id/organisation/hostile-test">{ESCAPED}</a>' in incoming
    assert "<script>alert(1)" not in html
    # The embedded JSON-LD names the linking resource with its label: no markup in it either.
    start = html.index('<script type="application/ld+json">')
    block = html[start : html.index("</script>", start)]
    assert "alert(1)" in block and "<" not in block[len('<script type="application/ld+json">') :]


def test_a_hostile_label_is_escaped_in_search_hits(hostile_server):
    html = _page(hostile_server, "/search", q="alert")
    assert 'href="/page/organisation/hostile-test"' in html
    assert "<script>alert(1)" not in html and ESCAPED in html
