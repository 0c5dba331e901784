"""The validate-your-data page keeps what was sent on every answer and says what is wrong in
words, where (line and column), next to the input; the report pages name shapes by their labels
(issue 15, validation)."""

from __future__ import annotations

import html
import re

import requests

BROKEN = "@prefix ex: <http://example.org/> .\nex:a ex:b ex:c ;\n ex:d .\n"
TESTLAND = (
    "@prefix nkg: <https://w3id.org/narcokg/ontology#> .\n"
    "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
    '<https://w3id.org/narcokg/id/state/XXX> a nkg:State ; rdfs:label "Testland"@en .\n'
)


def post_form(server, data: str | bytes, lang: str | None = None, **fields) -> requests.Response:
    url = server.url("/shacl/validate" + (f"?lang={lang}" if lang else ""))
    return requests.post(
        url,
        files={"data": (None, data), **{k: (None, v) for k, v in fields.items()}},
        headers={"Accept": "text/html"},
        timeout=90,
    )


def textarea(page: str) -> str:
    m = re.search(r'<textarea id="v-data"[^>]*>\n?(.*?)</textarea>', page, re.S)
    assert m, "no textarea"
    return html.unescape(m.group(1))


def test_unparseable_form_is_400_with_the_form_the_data_and_the_place(server):
    resp = post_form(server, BROKEN, syntax="turtle")
    assert resp.status_code == 400
    assert "text/html" in resp.headers["Content-Type"]
    assert textarea(resp.text) == BROKEN  # nothing lost
    assert re.search(r'<option value="turtle" selected>', resp.text)
    assert "line 3, column 7" in resp.text  # the "." where the object should be
    assert "an object is missing" in resp.text
    # the line itself, with a marker under the place
    assert '<pre class="excerpt"><code> ex:d .\n<span class="marker">      ^</span>' in resp.text
    # no Python repr of the parser's buffer
    assert "b&#39;" not in resp.text and "b'" not in resp.text and "Bad syntax" not in resp.text


def test_unparseable_body_says_line_and_column_in_words(server):
    resp = requests.post(
        server.url("/shacl/validate"), data=BROKEN.encode(), headers={"Content-Type": "text/turtle"}, timeout=90
    )
    assert resp.status_code == 400
    assert "line 3, column 7: an object is missing" in resp.text
    assert "b'" not in resp.text and "^" not in resp.text


def test_undeclared_prefix_is_named_with_its_fix(server):
    resp = post_form(server, "ex:a ex:b ex:c .\n")
    assert resp.status_code == 400
    assert "line 1, column 1" in resp.text
    assert "prefix `ex:` is not declared" in html.unescape(resp.text)


def test_json_errors_keep_the_data_too(server):
    resp = post_form(server, '{"@id": \n', syntax="json-ld")
    assert resp.status_code == 400
    assert textarea(resp.text) == '{"@id": \n'
    assert "line 2, column 1" in resp.text


def test_pasted_text_with_a_syntax_error_comes_back_exactly_as_sent(server):
    sent = '@prefix ex: <http://example.org/> .\r\nex:café ex:b "señor – ½" ;\r\n ex:d .\r\n'
    resp = post_form(server, sent, syntax="turtle")
    assert resp.status_code == 400
    assert textarea(resp.text) == sent
    assert "\ufffd" not in resp.text and 'id="v-dropped"' not in resp.text


def test_pasted_bytes_that_are_not_utf8_leave_the_field_empty_and_say_why(server):
    """Regression: pasted Latin-1 bytes came back in the field as U+FFFD ("caf\ufffd"), a text
    the client never sent and could submit again unawares. The field is left empty, and the page
    says the text was not UTF-8 and how to send it again (the error names the byte)."""
    latin1 = '@prefix ex: <http://example.org/> .\nex:a ex:b "café" .\n'.encode("latin-1")
    for lang, words in [("en", "Your pasted text is not shown again"), ("id", "tidak ditampilkan kembali")]:
        resp = post_form(server, latin1, lang=lang, syntax="turtle")
        assert resp.status_code == 400
        assert textarea(resp.text) == ""
        assert "\ufffd" not in resp.text
        assert 'id="v-dropped"' in resp.text and words in resp.text
        assert "0xE9" in resp.text


def test_a_form_in_another_charset_is_not_put_back_read_as_utf8(server):
    """The 415 page for a form declared Latin-1 keeps no text read in a charset it was not sent in."""
    body = '--X\r\nContent-Disposition: form-data; name="data"\r\n\r\nex:a ex:b "café" .\r\n--X--\r\n'.encode()
    resp = requests.post(
        server.url("/shacl/validate"),
        data=body,
        headers={"Content-Type": "multipart/form-data; boundary=X; charset=latin1", "Accept": "text/html"},
        timeout=90,
    )
    assert resp.status_code == 415
    assert textarea(resp.text) == "" and 'id="v-dropped"' in resp.text


def test_a_part_in_another_charset_is_not_put_back_and_is_refused_in_the_page_s_language(server):
    """A pasted part declared Latin-1 is refused as the whole form would be (415), in Indonesian
    on an Indonesian page, and its text is not put back read as UTF-8."""
    text = 'ex:a ex:b "café" .\n'.encode()
    resp = requests.post(
        server.url("/shacl/validate?lang=id"),
        files={"data": (None, text, "text/plain; charset=iso-8859-1")},
        headers={"Accept": "text/html"},
        timeout=90,
    )
    assert resp.status_code == 415
    assert "bidang 'data' dikirim dalam charset iso-8859-1 yang tidak didukung" in html.unescape(resp.text)
    assert textarea(resp.text) == "" and 'id="v-dropped"' in resp.text


def test_the_not_utf8_explanation_on_an_indonesian_form_is_not_badged_english(server):
    """Regression: the explanation of a byte that is not UTF-8 comes from the catalogue, in
    Indonesian on an Indonesian page, yet was marked "EN" (only in English)."""
    latin1 = 'ex:a ex:b "café" .\n'.encode("latin-1")
    said = re.search(r'<span class="problem-message">(.*?)</span></p>', post_form(server, latin1, lang="id").text, re.S)
    assert said and "bukan UTF-8: bita 0xE9" in said.group(1), said
    assert "only-lang" not in said.group(1)


def test_empty_form_is_400_with_the_form(server):
    resp = post_form(server, "  ")
    assert resp.status_code == 400
    assert '<textarea id="v-data"' in resp.text and "no data" in resp.text


def test_a_report_keeps_the_input_and_does_not_link_uploaded_resources(server):
    resp = post_form(server, TESTLAND)
    assert resp.status_code == 200
    assert textarea(resp.text) == TESTLAND
    assert "Testland" in resp.text
    # the client's resource has no page here: shown as text, never linked
    assert not re.search(r'<a [^>]*href="[^"]*state/XXX', resp.text)
    assert 'class="uploaded"' in resp.text


def test_limits_are_written_for_people(server):
    page = requests.get(server.url("/shacl/validate"), timeout=30).text
    assert "5 MiB" in page and "5242880" not in page


def test_indonesian_form_and_report(server):
    resp = post_form(server, TESTLAND, lang="id")
    assert resp.status_code == 200
    assert "Validasi data Anda" in resp.text and "Pelanggaran" in resp.text
    assert textarea(resp.text) == TESTLAND
    # the shapes word their messages in English: marked as such
    assert 'class="only-lang"' in resp.text


def test_report_names_shapes_by_their_labels(server):
    page = requests.get(server.url("/shacl"), timeout=30).text
    assert "Suspect totals add up" in page
    assert ">shape:SuspectSumConsistency<" not in page
    page_id = requests.get(server.url("/shacl?lang=id"), timeout=30).text
    assert "Jumlah tersangka sesuai" in page_id and "Laporan validasi" in page_id
