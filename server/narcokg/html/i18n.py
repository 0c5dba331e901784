"""Rendering the catalogue (narcokg.texts) in a page: a sentence in the page's language, and the
"EN" marker where a text exists only in the other language.

The sentences themselves live in :mod:`narcokg.texts`, below every room; this module only
knows HTML.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from narcokg.texts import TEXT, exists_in, text

__all__ = ["TEXT", "human_size", "marker", "marked", "t", "tm"]

_NAMES = {
    "en": ("EN", "only in English", "hanya dalam bahasa Inggris"),
    "id": ("ID", "only in Indonesian", "hanya dalam bahasa Indonesia"),
}


def t(key: str, lang: str) -> str:
    """Plain text of ``key`` (for attributes and headers): English where Indonesian is missing."""
    return text(key, lang)


def marker(text_lang: str, page_lang: str) -> Markup:
    """A small badge saying that the text before it is only in ``text_lang`` (empty when the
    page is in that language)."""
    if not text_lang or text_lang == page_lang or text_lang not in _NAMES:
        return Markup("")
    badge, title_en, title_id = _NAMES[text_lang]
    title = title_id if page_lang == "id" else title_en
    return Markup(f'<abbr class="only-lang" lang="en" title="{escape(title)}">{escape(badge)}</abbr>')


def marked(value: str, text_lang: str, page_lang: str) -> Markup:
    """``value`` (escaped) in its own language, followed by the marker when that is not the page's."""
    if not text_lang or text_lang == page_lang:
        return escape(value)
    return Markup(f'<span lang="{escape(text_lang)}">{escape(value)}</span> {marker(text_lang, page_lang)}')


def tm(key: str, lang: str) -> Markup:
    """``key`` for visible text: with the marker when it is shown in English on an Indonesian page."""
    if exists_in(key, lang):
        return Markup(escape(text(key, lang)))
    return marked(text(key, lang), "en", lang)


def human_size(n: int, lang: str = "en") -> str:
    """A size limit as people write it: ``5 MiB``, ``64 KiB``, ``1.5 MiB``, ``2000 bytes``."""
    unit_bytes = "bita" if lang == "id" else "bytes"
    for size, unit in ((1024 * 1024, "MiB"), (1024, "KiB")):
        if n >= size and (n % size == 0 or n >= 10 * size):
            value = f"{n / size:.1f}".rstrip("0").rstrip(".")
            return f"{value.replace('.', ',') if lang == 'id' else value} {unit}"
    return f"{n} {unit_bytes}"
