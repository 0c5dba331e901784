"""One catalogue of every sentence the interface shows, in English and Indonesian.

It sits below every room (the engine explains SPARQL errors with it, the SHACL pages and the
HTML chrome render it), so no room keeps a table of its own. Keys are dotted by where they
are used (``chrome.*``, ``query.*``, ``sparql.*``, ``shacl.*``, ``term:<IRI>``). An entry
whose Indonesian is ``None`` is English only on purpose; pages mark it (html/i18n.py).
"""

from __future__ import annotations

from narcokg.texts.table import LANGS, both, english_only
from narcokg.texts import cite, pages, query, shacl, terms

__all__ = ["LANGS", "TEXT", "both", "english_only", "exists_in", "text"]

TEXT: dict[str, dict[str, str | None]] = {**pages.TEXT, **query.TEXT, **shacl.TEXT, **terms.TEXT, **cite.TEXT}


def text(key: str, lang: str) -> str:
    """The sentence ``key`` in ``lang``, else in English; the key itself when unknown."""
    entry = TEXT.get(key)
    if entry is None:
        return key
    return entry.get(lang) or entry["en"] or key


def exists_in(key: str, lang: str) -> bool:
    """Whether ``key`` has its own text in ``lang`` (False: it is shown in English)."""
    entry = TEXT.get(key)
    return bool(entry and entry.get(lang))
