"""Full-text search over names, definitions and claims, in both languages, ignoring case and
accents, with the kinds (asserted classes) of every hit for facets.

The index is built once per process from the store (a snapshot does not change while it is
served): the names of entities and ontology terms (rdfs:label, skos:prefLabel, skos:altLabel,
dcterms:title), their definitions (skos:definition, rdfs:comment) and the texts of claims
(nkg:claimText in the source's language, nkg:gloss in English), normalised with NFKD, combining
marks dropped and case folded. A query matches an entity when each of its words is found in one
of its names; failing that, in one of its definitions, then in one of its claim texts. Names
always rank above definitions, definitions above claims.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

import pyoxigraph as ox

from narcokg import vocab as px
from narcokg.engine.lookup import quads

SEARCHED = [px.RDFS.label, px.SKOS.prefLabel, px.SKOS.altLabel, px.DCTERMS.term("title")]
DEFINITIONS = [px.SKOS.definition, px.RDFS.comment]
CLAIMS = ["claimText", "gloss"]  # local names in the ontology's namespace
MAX_QUERY = 200
#: Characters of a definition or claim shown around the first matched word.
SNIPPET = 160
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def normalise(text: str) -> str:
    """Lower-case words without accents, separated by single spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_WORD.findall(stripped.casefold()))


@dataclass
class Entry:
    iri: str
    labels: list[tuple[str, str]] = field(default_factory=list)  # (normalised, original)
    acronyms: set[str] = field(default_factory=set)  # normalised altLabels
    definitions: list[tuple[str, str]] = field(default_factory=list)
    claims: list[tuple[str, str]] = field(default_factory=list)
    #: classes stated (not inferred) for the entry
    types: set[str] = field(default_factory=set)
    #: original text → its language tag ("" when untagged), so a page can mark another language
    langs: dict[str, str] = field(default_factory=dict)
    #: Every normalised text of the entry, one a line: a query word found in none of them
    #: cannot match the entry, which is then passed over without scoring.
    everything: str = ""


@dataclass
class Hit:
    iri: str
    score: int
    matched: str  # the label that matched best, or an excerpt of the text that matched
    #: where the words were found: "name", "definition" or "claim"
    field: str = "name"
    types: tuple[str, ...] = ()
    #: the language of the text that matched ("" when untagged)
    matched_lang: str = ""


@dataclass
class Found:
    """One page of hits, how many there are in all, and how many of each kind (before the kind
    filter, so every kind can be chosen)."""

    hits: list[Hit]
    total: int
    kinds: Counter


def _snippet(original: str, folded: str, words: list[str]) -> str:
    """The part of ``original`` around the first of ``words`` it contains (accents ignored;
    ``folded`` is ``normalise(original)``, kept by the index)."""
    if len(original) <= SNIPPET:
        return original
    first = min((folded.find(w) for w in words if w in folded), default=0)
    # normalise() drops punctuation, so map the position back only approximately
    ratio = first / max(len(folded), 1)
    centre = int(ratio * len(original))
    start = max(0, centre - SNIPPET // 3)
    cut = original[start : start + SNIPPET]
    if start > 0:
        cut = "…" + cut[cut.find(" ") + 1 :] if " " in cut else "…" + cut
    return cut.rstrip() + ("…" if start + SNIPPET < len(original) else "")


def _name_score(entry: Entry, words: list[str], phrase: str) -> tuple[int, str, str]:
    best, matched = 0, ""
    for norm, original in entry.labels:
        if not all(w in norm for w in words):
            continue
        padded = " " + norm + " "
        if norm == phrase:
            score = 100 if norm in entry.acronyms else 90
        elif norm.startswith(phrase):
            score = 70
        elif " " + phrase in padded:
            score = 60
        elif all(" " + w in padded for w in words):
            score = 40
        else:
            score = 20
        if score > best:
            best, matched = score, original
    if not best:
        joined = " ".join(n for n, _ in entry.labels)
        if entry.labels and all(w in joined for w in words):
            best, matched = 10, entry.labels[0][1]
    return best, matched, entry.langs.get(matched, "")


def _text_score(
    entry: Entry, texts: list[tuple[str, str]], words: list[str], whole: int, part: int
) -> tuple[int, str, str]:
    """``whole`` when every word is a whole word of one text, ``part`` when inside words."""
    best, matched, lang = 0, "", ""
    for norm, original in texts:
        if all(w in norm for w in words):
            padded = " " + norm + " "
            score = whole if all(f" {w} " in padded for w in words) else part
            if score > best:
                best, matched, lang = score, _snippet(original, norm, words), entry.langs.get(original, "")
    return best, matched, lang


class SearchIndex:
    def __init__(self, store, base: str):
        self.entries: dict[str, Entry] = {}
        allowed = (base + "id/", base + "ontology#")
        nkg = base + "ontology#"
        sources = [(p, "label") for p in SEARCHED] + [(p, "definition") for p in DEFINITIONS]
        sources += [(nkg + p, "claim") for p in CLAIMS]
        for pred, kind in sources:
            for q in quads(store, None, ox.NamedNode(pred), None, None):
                s, o = q.subject, q.object
                if not isinstance(s, ox.NamedNode) or not isinstance(o, ox.Literal):
                    continue
                if not s.value.startswith(allowed):
                    continue
                norm = normalise(o.value)
                if norm:
                    self._add(s.value, kind, norm, o, pred == px.SKOS.altLabel)
        inferred = base + "graph/inferred"
        for q in quads(store, None, ox.NamedNode(px.RDF.type), None, None):
            entry = self.entries.get(q.subject.value) if isinstance(q.subject, ox.NamedNode) else None
            graph = q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else ""
            if entry is not None and isinstance(q.object, ox.NamedNode) and graph != inferred:
                entry.types.add(q.object.value)
        # Texts in one order whatever order the engine lists statements in, so that the text a
        # hit shows (and the order of equally good hits) is the same on every engine.
        for entry in self.entries.values():
            entry.labels.sort()
            entry.definitions.sort()
            entry.claims.sort()
            entry.everything = "\n".join(n for n, _ in entry.labels + entry.definitions + entry.claims)

    def _add(self, iri: str, kind: str, norm: str, literal: ox.Literal, acronym: bool) -> None:
        entry = self.entries.setdefault(iri, Entry(iri))
        original = literal.value
        entry.langs.setdefault(original, (literal.language or "").lower().split("-")[0])
        texts = {"label": entry.labels, "definition": entry.definitions, "claim": entry.claims}[kind]
        if (norm, original) not in texts:
            texts.append((norm, original))
        if acronym:
            entry.acronyms.add(norm)

    def _match(self, entry: Entry, words: list[str], phrase: str) -> Hit | None:
        score, matched, lang = _name_score(entry, words, phrase)
        where = "name"
        if not score:
            score, matched, lang = _text_score(entry, entry.definitions, words, 8, 6)
            where = "definition"
        if not score:
            score, matched, lang = _text_score(entry, entry.claims, words, 4, 2)
            where = "claim"
        if not score:
            return None
        return Hit(entry.iri, score, matched, where, tuple(sorted(entry.types)), lang)

    def find(self, query: str, *, kind: str | None = None, offset: int = 0, limit: int = 50) -> Found:
        """Hits for ``query``, best first (exact name, acronym, name prefix, name words, then
        definitions, then claims), ``limit`` of them from ``offset``, of kind ``kind`` if given."""
        words = normalise(query).split()
        if not words:
            return Found([], 0, Counter())
        phrase = " ".join(words)
        # An entry matches only if each word is in one of its texts (a word holds no space or
        # newline, so it is in the joined texts exactly when it is in one of them).
        candidates = list(self.entries.values())
        for w in words:
            candidates = [e for e in candidates if w in e.everything]
        hits = [h for h in (self._match(e, words, phrase) for e in candidates) if h is not None]
        kinds = Counter(t for h in hits for t in h.types)
        if kind:
            hits = [h for h in hits if kind in h.types]
        hits.sort(key=lambda h: (-h.score, h.matched.casefold(), h.iri))
        return Found(hits[offset : offset + limit], len(hits), kinds)

    def search(self, query: str, limit: int = 50) -> tuple[list[Hit], int]:
        """The first ``limit`` hits and the total number of hits."""
        found = self.find(query, limit=limit)
        return found.hits, found.total
