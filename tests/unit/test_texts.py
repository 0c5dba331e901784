"""The one catalogue of interface sentences (narcokg.texts): complete in both languages."""

from __future__ import annotations

import re
import string

from narcokg import texts
from narcokg.html import i18n


def test_every_key_has_both_languages_or_is_marked_english_only():
    for key, entry in texts.TEXT.items():
        assert set(entry) == {"en", "id"}, key
        assert entry["en"], f"{key}: no English"
        # None is the explicit "English only" mark; an empty string would be a silent gap
        assert entry["id"] is None or entry["id"].strip(), f"{key}: empty Indonesian (use english_only())"


def test_both_languages_take_the_same_parameters():
    """A translation that drops or renames a %d or {name} would break the page that fills it."""

    def params(s: str) -> tuple:
        fields = sorted(f for _, f, _, _ in string.Formatter().parse(s) if f)
        return tuple(sorted(re.findall(r"%[ds]", s))), tuple(fields)

    for key, entry in texts.TEXT.items():
        if entry["id"]:
            assert params(entry["en"]) == params(entry["id"]), key


def test_the_rooms_share_one_catalogue():
    # the query page and the SPARQL messages read from it; there is no table of their own
    from narcokg.engine import messages
    from narcokg.web import querypage

    assert not hasattr(querypage, "WORDS")
    assert not hasattr(messages, "TEXT")
    assert querypage.words_in("id")["run"] == texts.TEXT["query.run"]["id"]
    assert i18n.TEXT is texts.TEXT


def test_english_only_text_is_marked_on_an_indonesian_page():
    key = "test.only-english"
    texts.TEXT[key] = texts.english_only("Only in English")
    try:
        shown = str(i18n.tm(key, "id"))
        assert "Only in English" in shown and 'class="only-lang"' in shown and "EN" in shown
        assert 'class="only-lang"' not in str(i18n.tm(key, "en"))
        assert 'class="only-lang"' not in str(i18n.tm("query.run", "id"))
    finally:
        del texts.TEXT[key]
