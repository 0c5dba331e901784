"""Language of a page, the words of its chrome, and human labels of IRIs in that language.

English is the default; ``?lang=id`` or an Accept-Language that prefers Indonesian gives
Indonesian. A label falls back from the chosen language to English, then to an untagged or
any other label, then to a CURIE or the IRI's last segment, so every link has a readable text.
"""

from __future__ import annotations

from typing import Iterable

import pyoxigraph as ox
from flask import g, request

from narcokg import vocab as px
from narcokg.html.i18n import TEXT, t
from narcokg.engine.lookup import quads

__all__ = [
    "DEFAULT_LANG",
    "LANGS",
    "Labels",
    "choose_lang",
    "explicit_lang",
    "format_number",
    "local_name",
    "pick_literal",
    "t",
]

LANGS = ("en", "id")
DEFAULT_LANG = "en"

LABEL_PREDICATES = [px.SKOS.prefLabel, px.RDFS.label, px.DCTERMS.term("title"), px.SCHEMA.name]
_LABEL_NODES = [ox.NamedNode(p) for p in LABEL_PREDICATES]
_MISSING = object()


def choose_lang() -> str:
    """The page language of the current request (chosen once: a page asks several times)."""
    chosen = g.get("narcokg_lang")
    if chosen is None:
        chosen = g.narcokg_lang = explicit_lang() or request.accept_languages.best_match(list(LANGS)) or DEFAULT_LANG
    return chosen


def explicit_lang() -> str | None:
    """The ``lang`` query parameter when it names a language we speak (links keep it)."""
    args = request.args
    # ``in`` first: a missing key costs MultiDict.get an exception raised and caught.
    asked = args["lang"] if "lang" in args else ""
    return asked if asked in LANGS else None


def pick_literal(values: Iterable[ox.Literal], lang: str) -> ox.Literal | None:
    """The literal in ``lang``, else English, else untagged, else the first one."""
    values = list(values)
    if not values:
        return None
    for want in (lang, "en", None):
        for v in values:
            tag = (v.language or "").lower() or None
            if tag == want or (want and tag and tag.split("-")[0] == want):
                return v
    return values[0]


def format_number(value: str, lang: str) -> str:
    """An integer with digit grouping in the page's language (1,234 / 1.234); else unchanged."""
    try:
        n = int(value)
    except (TypeError, ValueError):
        return value
    text = f"{n:,}"
    return text.replace(",", ".") if lang == "id" else text


def local_name(iri: str) -> str:
    for sep in ("#", "/"):
        if sep in iri.rstrip(sep):
            tail = iri.rstrip(sep).rsplit(sep, 1)[-1]
            if tail:
                return tail
    return iri


class Labels:
    """Labels of IRIs in one language, fetched from the store once per IRI: per request, or
    per process when the server hands in a ``memo`` of the (unchanging) snapshot, shared by
    every request in that language."""

    def __init__(self, store, lang: str, prefixes: dict[str, str], memo: dict | None = None):
        self.store = store
        self.lang = lang
        self.prefixes = prefixes
        self._cache: dict[str, tuple[str, str] | None] = {} if memo is None else memo

    def _lookup(self, iri: str) -> tuple[str, str] | None:
        """The page's language first across every label property, then the order of the
        properties: an ``rdfs:label`` in Indonesian beats a ``skos:prefLabel`` only in English."""
        node = ox.NamedNode(iri)
        by_pred = [
            sorted(
                {q.object for q in quads(self.store, node, pred, None, None) if isinstance(q.object, ox.Literal)},
                key=str,
            )
            for pred in _LABEL_NODES
        ]
        for want in (self.lang, "en"):
            for lits in by_pred:
                chosen = next((v for v in lits if (v.language or "").lower().split("-")[0] == want), None)
                if chosen is not None:
                    return chosen.value, want
        for lits in by_pred:
            chosen = pick_literal(lits, self.lang)
            if chosen is not None:
                return chosen.value, (chosen.language or "").lower().split("-")[0]
        return None

    def known(self, iri: str) -> str | None:
        """The stored label of ``iri`` in the chosen language, or None if it has none."""
        found = self._cache.get(iri, _MISSING)
        if found is _MISSING:
            found = self._cache[iri] = self._lookup(iri)
        return found[0] if found else None

    def language_of(self, iri: str) -> str:
        """The language tag of the label :meth:`known` gives ("" when untagged or none), so a
        page can mark a label that exists only in the other language."""
        self.known(iri)
        found = self._cache[iri]
        return found[1] if found else ""

    def __call__(self, iri: str) -> str:
        """A readable name for ``iri``: stored label, built-in label, CURIE or last segment."""
        found = self.known(iri)
        if found:
            return found
        builtin = TEXT.get("term:" + iri)
        if builtin:
            return builtin.get(self.lang) or builtin["en"]
        return px.curie(iri, self.prefixes) or local_name(iri)

    def all_of(self, iri: str, predicates: list[str] | None = None) -> list[ox.Literal]:
        """Every label literal of ``iri`` (all languages)."""
        node = ox.NamedNode(iri)
        out = []
        for pred in predicates or LABEL_PREDICATES:
            out.extend(
                q.object
                for q in quads(self.store, node, ox.NamedNode(pred), None, None)
                if isinstance(q.object, ox.Literal)
            )
        return list(dict.fromkeys(out))
