"""Full-text search over labels and acronyms, in both languages, ignoring case and accents.

The index is built once per process from the store (labels do not change while a snapshot is
served): every rdfs:label, skos:prefLabel, skos:altLabel and dcterms:title of the entities and
ontology terms, normalised with NFKD, combining marks dropped and case folded. A query matches
an entity when each of its words is found in one of the entity's labels.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import pyoxigraph as ox

from narcokg import vocab as px
from narcokg.engine.lookup import quads

SEARCHED = [px.RDFS.label, px.SKOS.prefLabel, px.SKOS.altLabel, px.DCTERMS.term("title")]
MAX_QUERY = 200
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


@dataclass
class Hit:
    iri: str
    score: int
    matched: str  # the label that matched best


class SearchIndex:
    def __init__(self, store, base: str):
        self.entries: dict[str, Entry] = {}
        allowed = (base + "id/", base + "ontology#")
        for pred in SEARCHED:
            for q in quads(store, None, ox.NamedNode(pred), None, None):
                s, o = q.subject, q.object
                if not isinstance(s, ox.NamedNode) or not isinstance(o, ox.Literal):
                    continue
                if not s.value.startswith(allowed):
                    continue
                norm = normalise(o.value)
                if not norm:
                    continue
                entry = self.entries.setdefault(s.value, Entry(s.value))
                if (norm, o.value) not in entry.labels:
                    entry.labels.append((norm, o.value))
                if pred == px.SKOS.altLabel:
                    entry.acronyms.add(norm)
        # Labels in one order whatever order the engine lists statements in, so that the label a
        # hit shows (and the order of equally good hits) is the same on every engine.
        for entry in self.entries.values():
            entry.labels.sort()

    def search(self, query: str, limit: int = 50) -> tuple[list[Hit], int]:
        """Best hits first (exact name, acronym, prefix, words) and the total number of hits."""
        words = normalise(query).split()
        if not words:
            return [], 0
        phrase = " ".join(words)
        hits = []
        for entry in self.entries.values():
            best, matched = 0, ""
            for norm, original in entry.labels:
                if all(w in norm for w in words):
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
                if all(w in joined for w in words):
                    best, matched = 10, entry.labels[0][1]
            if best:
                hits.append(Hit(entry.iri, best, matched))
        hits.sort(key=lambda h: (-h.score, h.matched.casefold(), h.iri))
        return hits[:limit], len(hits)
