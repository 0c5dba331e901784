"""A ``Citation`` as a reader sees it (author–date text), as BibTeX and as CSL-JSON.

Names stay as printed: BibTeX gets them in double braces (a corporate or literal name that no
style splits or abbreviates), CSL-JSON as ``literal`` names. BibTeX has no data set or database
entry type, so the graph and its entities are ``@misc`` with ``version`` and ``url`` (which
biblatex and most styles print); CSL-JSON has ``dataset`` and ``entry``.
"""

from __future__ import annotations

import json
import re

from narcokg import release as rel
from narcokg.html.citation import Citation
from narcokg.texts import text as words

BIBTEX_MEDIA = "application/x-bibtex"
CSL_MEDIA = "application/vnd.citationstyles.csl+json"

_BIB_TYPES = {
    "article": "article",
    "book": "book",
    "webpage": "misc",
    "document": "misc",
    "entry": "misc",
    "dataset": "misc",
}
_CSL_TYPES = {
    "article": "article-journal",
    "book": "book",
    "webpage": "webpage",
    "document": "document",
    "entry": "entry",
    "dataset": "dataset",
}
_BIB_SPECIAL = re.compile(r"[\\&%$#_{}~^]")
_BIB_WORDS = {"\\": "\\textbackslash{}", "~": "\\textasciitilde{}", "^": "\\textasciicircum{}"}


def _title(c: Citation) -> str:
    return f"[{c.title}]" if c.descriptive else c.title


def text(c: Citation, lang: str = "en") -> str:
    """Author (year). Title. Container, volume(issue), pages. Publisher. Version. URL; the few
    words a citation adds ("In:", "Version", "n.d.") in ``lang``."""
    parts = []
    who = "; ".join(c.authors)
    when = f"({c.year or words('cite.no_date', lang)})"
    parts.append(f"{who} {when}." if who else "")
    parts.append(_title(c).rstrip(".") + ".")
    parts.append(_container(c, lang))
    if c.publisher:
        parts.append(c.publisher.rstrip(".") + ".")
    if c.version:
        parts.append(words("cite.version_of", lang) % (c.version, c.date))
    if c.licence:
        parts.append(rel.LICENCE_NAME + ".")
    if c.doi:
        parts.append("https://doi.org/" + c.doi)
    elif c.url:
        parts.append(c.url)
    out = " ".join(p for p in parts if p)
    return out if who else f"{out} {when}" if c.kind != "entry" else out


def _container(c: Citation, lang: str = "en") -> str:
    if not c.container:
        return ""
    out = (words("cite.in", lang) + " " if c.kind == "entry" else "") + c.container
    if c.volume:
        out += f", {c.volume}" + (f"({c.issue})" if c.issue else "")
    elif c.issue:
        out += f", no. {c.issue}"
    if c.pages:
        out += f", {c.pages}"
    return out + "."


def _bib_escape(value: str) -> str:
    """TeX's special characters made literal."""
    return _BIB_SPECIAL.sub(lambda m: _BIB_WORDS.get(m.group(), "\\" + m.group()), value)


def _bib_container(c: Citation) -> tuple[str, str]:
    if c.kind in ("entry", "dataset"):
        inside = f"{c.container}, " if c.container else ""
        return "note", f"{inside}snapshot of {c.date}, {rel.LICENCE_NAME}"
    return {"article": "journal", "webpage": "howpublished"}.get(c.kind, "note"), c.container or ""


def _bib_fields(c: Citation) -> list[tuple[str, str]]:
    names = " and ".join("{" + _bib_escape(a) + "}" if c.literal_authors else _bib_escape(a) for a in c.authors)
    container_field, container = _bib_container(c)
    fields = [
        ("author", names),
        ("title", "{" + _bib_escape(_title(c)) + "}"),  # braces keep the capitals
        ("year", c.year or ""),
        (container_field, _bib_escape(container)),
        ("volume", c.volume or ""),
        ("number", c.issue or ""),
        ("pages", re.sub(r"\s*[-–]+\s*", "--", c.pages or "")),
        ("publisher", _bib_escape(c.publisher or "")),
        ("version", _bib_escape(c.version or "")),
        ("doi", c.doi or ""),
        ("url", c.url or ""),
        ("urldate", c.accessed or ""),
    ]
    return [(k, v) for k, v in fields if v]


def bibtex(c: Citation) -> str:
    body = ",\n".join(f"  {k} = {{{v}}}" for k, v in _bib_fields(c))
    return f"@{_BIB_TYPES[c.kind]}{{{c.key},\n{body}\n}}\n"


def _date_parts(value: str | None) -> dict | None:
    if not value:
        return None
    parts = [int(p) for p in value.split("-")[:3] if p.isdigit()]
    return {"date-parts": [parts]} if parts else None


def csl(c: Citation) -> dict:
    item = {"id": c.key, "type": _CSL_TYPES[c.kind], "title": _title(c)}
    if c.authors:
        item["author"] = [{"literal": a} for a in c.authors]
    issued = _date_parts(
        c.date if c.kind in ("entry", "dataset") or (c.date and c.year and c.date[:4] == c.year) else c.year
    )
    values = {
        "issued": issued,
        "container-title": c.container,
        "volume": c.volume,
        "issue": c.issue,
        "page": c.pages,
        "publisher": c.publisher,
        "version": c.version,
        "DOI": c.doi,
        "URL": c.url,
        "accessed": _date_parts(c.accessed),
        "license": c.licence,
        "language": c.title_lang,
    }
    item.update({k: v for k, v in values.items() if v})
    return item


def csl_json(items: list[Citation]) -> str:
    """A CSL-JSON document: an array of items (what Zotero, Pandoc and citeproc read)."""
    return json.dumps([csl(c) for c in items], ensure_ascii=False, indent=2) + "\n"


def bibtex_file(items: list[Citation]) -> str:
    return "\n".join(bibtex(c) for c in items)
