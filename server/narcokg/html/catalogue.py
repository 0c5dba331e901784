"""The query catalogue (``queries/*.rq``) as the query page's example questions.

A file's leading ``#`` lines hold its question and notes, labelled "Question:", "Pertanyaan:"
or "Question (id):", "Note:"/"Catatan:" or just "en:"/"id:"; an indented comment line continues
the labelled line above it; the first unlabelled line is the title when none is labelled.
"Performance:" and "Dev:" notes are for maintainers, never shown (not even in the query text).
Each example says which language its title and description are in, so a page in the other
language can mark them (the "EN" marker).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

_LABELLED = re.compile(
    r"^(?:(question|pertanyaan|title|judul|note|catatan|performance|dev)\s*(?:\((en|id)\))?|(en|id))"
    r"\s*[:：]\s*(.*)$",
    re.IGNORECASE,
)
_TITLE_LANG = {"question": "en", "title": "en", "pertanyaan": "id", "judul": "id"}
_HIDDEN = ("performance", "dev")


@dataclass(frozen=True)
class Example:
    name: str
    title: str
    description: str
    query: str
    #: the languages the title and the description are written in ("" when there is none)
    title_lang: str = "en"
    description_lang: str = "en"

    @property
    def href(self) -> str:
        return "/?" + urlencode({"query": self.query})


def _label_of(comment: str) -> str:
    m = _LABELLED.match(comment)
    return (m.group(1) or "").lower() if m else ""


def _header(lines: list[str]) -> tuple[list[str], list[str]]:
    """The leading comments (continuations joined) and the file's lines without hidden notes."""
    comments: list[str] = []
    shown: list[str] = []
    hiding = False
    for n, line in enumerate(lines):
        stripped = line.strip()
        if not stripped and not comments:
            shown.append(line)
            continue
        if not stripped.startswith("#"):
            shown.extend(lines[n:])
            break
        body = stripped[1:]
        comment = body.strip()
        if comments and len(body) - len(body.lstrip()) >= 2 and comment:
            comments[-1] += " " + comment  # continuation of the line above
        elif comment:
            comments.append(comment)
            hiding = _label_of(comment) in _HIDDEN
        if not hiding:
            shown.append(line)
    return comments, shown


def _sort(comments: list[str]) -> tuple[dict[str, str], dict[str, list[str]], list[str]]:
    """Titles by language, notes by language and unlabelled lines."""
    titles: dict[str, str] = {}
    notes: dict[str, list[str]] = {"en": [], "id": []}
    plain: list[str] = []
    for comment in comments:
        m = _LABELLED.match(comment)
        if not m:
            plain.append(comment)
            continue
        label, label_lang, bare_lang, rest = m.groups()
        label = (label or "").lower()
        if label in _HIDDEN:
            continue
        if label in ("note", "catatan"):
            notes[(label_lang or ("id" if label == "catatan" else "en")).lower()].append(rest)
            continue
        titles.setdefault((label_lang or bare_lang or _TITLE_LANG.get(label, "en")).lower(), rest)
    return titles, notes, plain


def parse_example(path: Path, lang: str) -> Example | None:
    """An example from a catalogue file, its question and notes in ``lang`` where written so
    (else in English); None when the file cannot be read."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    comments, shown = _header(text.splitlines())
    titles, notes, plain = _sort(comments)
    title_lang = lang if lang in titles else "en" if "en" in titles else next(iter(titles), "en")
    title = titles.get(title_lang)
    if title is None:
        title = plain.pop(0) if plain else path.stem.replace("-", " ").replace("_", " ")
    note_lang = lang if notes.get(lang) else "en"
    chosen = notes.get(note_lang, []) + plain
    description = " ".join(chosen[:3])
    return Example(
        path.stem,
        title,
        description,
        "\n".join(shown).strip() + "\n",
        title_lang=title_lang,
        description_lang=note_lang if description else "",
    )
