"""SPARQL syntax errors explained in words (engine.messages): from pyoxigraph's real messages,
through the HTTP endpoint, the query page without JavaScript and the CLI."""

from __future__ import annotations

import html
import os
import re

import pyoxigraph as ox
import pytest
import requests

from conftest import run_cli
from narcokg import vocab
from narcokg.engine.messages import explain

KNOWN = vocab.all_prefixes("https://w3id.org/narcokg/")
NKG = "https://w3id.org/narcokg/ontology#"

#: query → (line, column, words the explanation must contain)
CASES = {
    "SELECT ?s WHERE { ?s ?p }": (1, 22, "a triple needs an object after `?p`"),
    "SELECT ?s WHERE { ?s }": (1, 19, "a triple needs a predicate and an object after `?s`"),
    "SELEC ?s WHERE { ?s ?p ?o }": (1, 1, "did you mean `SELECT`?"),
    "SELECT ?s WHERE { ?s nkg:party ?o }": (1, 22, f"prefix `nkg:` is not declared — add `PREFIX nkg: <{NKG}>`"),
    "SELECT ?s WHERE { ?s ?p ?o } LIMT 5": (1, 30, "`LIMT` is not a SPARQL keyword — did you mean `LIMIT`?"),
    'SELECT ?s WHERE { ?s ?p "open }': (1, 25, "string that starts here is not closed"),
    "SELECT ?s WHERE { ?s ?p ?o": (1, 17, "`{` is never closed — add `}`"),
    "SELECT ?s WHERE { ?s ?p ?o } }": (1, 30, "`}` closes nothing"),
    "SELECT ?s WHERE { ?s ?p ?o ?x }": (1, 28, "`?x` starts a new triple — put a `.` before it"),
    "SELECT ?s WHERE {\n  ?s ?p ?o\n  FILTER(?o > )\n}": (3, 13, "`>` needs a value after it"),
    "SELECT ?x WHERE { ?s ?p ?o } GROUP BY ?s": (None, None, "neither grouped nor aggregated"),
}


def engine_message(query: str) -> str:
    with pytest.raises(SyntaxError) as info:
        ox.Store().query(query)
    return str(info.value)


@pytest.mark.parametrize("query", list(CASES))
def test_pyoxigraph_errors_are_explained_at_the_culprit(query):
    line, column, words = CASES[query]
    found = explain(query, engine_message(query), known=KNOWN)
    assert (found.line, found.column) == (line, column), found.text()
    assert words in found.text()
    assert "\\u{" not in found.text() and "[_]" not in found.text()
    if line is not None:
        assert found.text().startswith(f"line {line}, column {column}: ")


def test_every_known_missing_prefix_is_offered_once_and_unknown_ones_are_named():
    query = "SELECT * WHERE { ?s nkg:party ?o ; rdfs:label ?l . ?o skos:prefLabel ?p ; nkg:date ?d . ?s foo:bar ?z }"
    found = explain(query, engine_message(query), known=KNOWN)
    assert found.missing == {"nkg": NKG, "rdfs": vocab.RDFS, "skos": vocab.SKOS}
    assert found.prefix_lines()[0] == f"PREFIX nkg: <{NKG}>"
    # With the offered lines added, the only remaining complaint is the unknown prefix.
    fixed = "\n".join(found.prefix_lines()) + "\n" + query
    again = explain(fixed, engine_message(fixed), known=KNOWN)
    assert "prefix `foo:` is not declared" in again.text() and again.missing == {}


def test_a_parser_reporting_its_own_position_is_honoured():
    """Another parser (engine.analysis) gives a message and a line/column apart: used as given
    when the text shows none of the usual mistakes."""
    query = "SELECT * WHERE { ?s ?p ?o FILTER(REGEX(?o, ?p, ?s, ?o)) }"
    found = explain(query, 'expected one of ")", ","', line=1, column=52)
    assert (found.line, found.column) == (1, 52)
    assert "expected one of: ), ," in found.text()


def test_indonesian_explanation():
    query = "SELECT ?s WHERE { ?s ?p }"
    text = explain(query, engine_message(query), known=KNOWN).text("id")
    assert text == "baris 1, kolom 22: tripel memerlukan objek setelah `?p`"


# Through the server ---------------------------------------------------------------------------


def test_http_body_is_explained(server):
    query = "SELECT ?s WHERE { ?s nkg:party ?o }"
    resp = requests.get(server.url("/sparql"), params={"query": query}, timeout=60)
    assert resp.status_code == 400
    assert resp.text.startswith("400 Bad Request: Malformed query: line 1, column 22: prefix `nkg:` is not declared")
    assert f"PREFIX nkg: <{NKG}>" in resp.text
    assert "\\u{" not in resp.text and "Prefix not found" not in resp.text


def error_message(page: str) -> str:
    return html.unescape(re.search(r'<p class="error-message">(.*?)</p>', page, re.S).group(1))


@pytest.mark.parametrize(
    "how", [{"headers": {"Accept-Language": "id"}}, {"params": {"lang": "id"}}], ids=["Accept-Language", "lang"]
)
def test_a_syntax_error_page_in_indonesian_says_it_in_indonesian(server, how):
    """Regression: /sparql's HTML error page for a syntax error was English (marked EN) on an
    Indonesian page. It now leads in Indonesian, with the explanation from the catalogue; the
    line of text for programs stays English."""
    query = "SELECT ?s WHERE { ?s nkg:party ?o }"
    headers = {"Accept": "text/html", **how.get("headers", {})}
    params = {"query": query, **how.get("params", {})}
    resp = requests.get(server.url("/sparql"), params=params, headers=headers, timeout=60)
    assert resp.status_code == 400
    said = error_message(resp.text)
    assert said.startswith("Sintaks kueri tidak sah; perbaiki kueri di tempat berikut lalu kirim lagi"), said
    assert "baris 1, kolom 22: prefiks `nkg:` belum dideklarasikan" in said
    assert "Malformed" not in said and 'class="only-lang"' not in said
    plain = requests.get(server.url("/sparql"), params=params, headers=how.get("headers", {}), timeout=60)
    assert plain.text.startswith("400 Bad Request: Malformed query: line 1, column 22: prefix `nkg:`")


def test_a_long_query_s_syntax_error_in_indonesian_keeps_the_parser_s_words(server):
    """A query too long to explain gets the parser's message; on an Indonesian page it follows an
    Indonesian sentence, as the parser wrote it and marked as English."""
    query = "SELECT * WHERE { ?s ?p ?o #" + "x" * 5000 + "\n FILTER( }"
    headers = {"Accept": "text/html", "Accept-Language": "id"}
    resp = requests.post(server.url("/sparql"), data={"query": query}, headers=headers, timeout=60)
    assert resp.status_code == 400
    said = error_message(resp.text)
    assert said.startswith("Sintaks kueri tidak sah; pesan parser berikut menyebut letak kesalahannya"), said
    assert "(line 2, column 10)" in said and 'lang="en"' in resp.text


def test_the_query_page_s_error_for_a_long_query_leads_in_indonesian(server):
    """Regression: on ``/?lang=id`` a query too long to explain got the parser's message alone, in
    English; it now follows the Indonesian lead the error page gives, the parser's words as written."""
    query = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 4200 + "\nLIMIT x"
    resp = requests.get(server.url("/"), params={"query": query, "lang": "id"}, timeout=60)
    assert resp.status_code == 400
    box = html.unescape(re.search(r'<div class="query-error" role="alert">(.*?)</div>', resp.text, re.S).group(1))
    assert "Sintaks kueri tidak sah; pesan parser berikut menyebut letak kesalahannya" in box, box
    assert '<span lang="en">the query is not valid SPARQL' in box and "(line 2, column 7)" in box, box
    english = requests.get(server.url("/"), params={"query": query}, timeout=60)
    assert "Sintaks" not in english.text and "<pre>the query is not valid SPARQL" in english.text


def test_page_without_javascript_offers_the_prefix_lines_as_a_link_that_runs(server):
    query = "SELECT ?p WHERE { ?a nkg:party ?p } LIMIT 3"
    resp = requests.get(server.url("/"), params={"query": query}, timeout=60)
    assert resp.status_code == 400
    assert 'data-line="1" data-column="22"' in resp.text
    assert f"PREFIX nkg: &lt;{NKG}&gt;" in resp.text
    fix = html.unescape(re.search(r'<a class="fix-prefixes" id="fix-prefixes" href="([^"]+)"', resp.text).group(1))
    fixed = requests.get(server.url(fix), timeout=60)
    assert fixed.status_code == 200
    assert 'class="results-table"' in fixed.text


def test_page_explains_in_indonesian_and_the_fix_keeps_the_language(server):
    resp = requests.get(
        server.url("/"), params={"query": "SELECT ?p WHERE { ?a nkg:party ?p }", "lang": "id"}, timeout=60
    )
    assert resp.status_code == 400
    assert "baris 1, kolom 22: prefiks `nkg:` belum dideklarasikan" in resp.text
    fix = html.unescape(re.search(r'<a class="fix-prefixes" id="fix-prefixes" href="([^"]+)"', resp.text).group(1))
    assert "lang=id" in fix


def test_cli_explains_and_lists_the_prefix_lines(built):
    env = dict(os.environ, NARCOKG_DIST=str(built.out_dir))
    out = run_cli("query", "SELECT * WHERE { ?s nkg:party ?o ; rdfs:label ?l }", env=env)
    assert out.returncode == 2
    assert "malformed query: line 1, column 21: prefix `nkg:` is not declared" in out.stderr
    assert f"  PREFIX rdfs: <{vocab.RDFS}>" in out.stderr
    assert "\\u{" not in out.stderr


from hypothesis import given, settings as hsettings, strategies as st  # noqa: E402

_PIECES = st.sampled_from(
    [
        "SELECT",
        "WHERE",
        "{",
        "}",
        "(",
        ")",
        "?s",
        "?p",
        "nkg:x",
        "foo:",
        "<urn:a>",
        '"a',
        "'b'",
        ".",
        ";",
        ",",
        "FILTER",
        ">",
        "LIMT",
        "\n",
        " ",
        "#c\n",
        "PREFIX",
        "a",
        "VALUES",
        "1",
        "@en",
    ]
)


@hsettings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=30).map(" ".join), st.integers(1, 5), st.integers(0, 80))
def test_explain_never_fails(query, line, column):
    """Whatever the text and position, an explanation (the endpoint must not answer 500)."""
    try:
        ox.Store().query(query)
        message = "error at %d:%d: expected something" % (line, column)
    except SyntaxError as exc:
        message = str(exc)
    except (OSError, ValueError, RuntimeError):
        return
    found = explain(query, message, known=KNOWN)
    assert found.text() and found.text("id")
    if found.line is not None:
        assert found.line >= 1 and (found.column or 1) >= 1


@pytest.mark.parametrize(
    "query, column, says",
    [
        ("SELECT\u00a0* WHERE { ?s ?p ?o }", 7, "no-break space (U+00A0) where SPARQL needs an ordinary space"),
        ("ASK\u3000{}", 4, "ideographic space (U+3000) where SPARQL needs an ordinary space"),
        ("SELECT * WHERE { ?s ?p ?o }\u200b LIMIT 1", 28, "an invisible zero width space (U+200B) — delete it"),
        ("\ufeffASK {}", 1, "an invisible byte order mark (U+FEFF) — delete it"),
        (
            "ASK { ?s ?p \u201chello\u201d }",
            13,
            "a typographic quote \u201c (U+201C) — SPARQL strings take straight quotes",
        ),
    ],
)
def test_a_character_that_only_looks_like_a_space_or_a_quote_is_named_where_it_stands(server, query, column, says):
    """Regression: the error fell on the next token ("the query cannot continue with `*` here"
    after a no-break space) or showed the invisible character between backticks (`\u200b`)."""
    resp = requests.get(server.url("/sparql"), params={"query": query}, timeout=30)
    assert resp.status_code == 400
    assert f"line 1, column {column}: {says}" in resp.text, resp.text
    indonesian = requests.get(
        server.url("/sparql"), params={"query": query}, headers={"Accept-Language": "id"}, timeout=30
    )
    code = says.split("(U+")[1][:4]
    assert indonesian.status_code == 400 and f"(U+{code})" in indonesian.text, indonesian.text


def test_a_lookalike_inside_a_string_a_comment_or_an_iri_is_data(server):
    query = 'ASK { ?s ?p "a\u00a0\u201cb\u201d" . ?s ?p <http://example.org/a\u00a0b> } # \u200b'
    resp = requests.get(server.url("/sparql"), params={"query": query}, timeout=30)
    assert resp.status_code == 200, resp.text
