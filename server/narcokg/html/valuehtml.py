"""The property rows of an entity page (values, their citations, nested nodes) as HTML.

Written in Python rather than as Jinja macros: a hub's page holds hundreds of values, and one
macro call per value and per citation was half the time of an uncached page. The markup is the
one the macros wrote, byte for byte; every text from the data and the catalogue goes through
``markupsafe.escape``, as Jinja's autoescaping did.
"""

from __future__ import annotations

from typing import Callable

from markupsafe import Markup, escape

from narcokg.html.entitymodel import Row, Value
from narcokg.html.i18n import marked

#: Rows with more values than this fold them into a <details> list.
FOLD_AFTER = 8


def esc(value) -> str:
    """``markupsafe.escape`` as a plain string, without making a Markup object for every text
    (a page escapes hundreds): the same five characters, replaced the same way."""
    if type(value) is str:
        return (
            value.replace("&", "&amp;")
            .replace("<", "&lt;")
            .replace(">", "&gt;")
            .replace("'", "&#39;")
            .replace('"', "&#34;")
        )
    return str(escape(value))


class ValueHtml:
    """Renders ``Row`` and ``Value`` of one page, in one language, with one link rewriter."""

    def __init__(self, t: Callable[[str], str], link: Callable[[str], str], memo: dict | None = None, lang: str = "en"):
        self.link = link
        #: The page's language: a link's label only in another one is marked as such.
        self.lang = lang
        #: Anchors already written, by (href, IRI, text), and the heads of property rows: the
        #: same links and properties recur from page to page.
        #: Shared per process by the server (which bounds its size), for one ``link`` rewriter
        #: (one ``?lang=`` mode).
        self.anchors: dict[tuple, str] = {} if memo is None else memo
        self._inferred = (
            f' <span class="badge inferred" title="{esc(t("entity.inferred_hint"))}">{esc(t("entity.inferred"))}</span>'
        )
        self._source = esc(t("entity.source"))
        self._language = esc(t("entity.language"))
        self._count = t("entity.count")
        self._more = t("entity.more")
        #: The badge and source links of each (inferred, source numbers) met: a page's values
        #: share a handful of them.
        self._cites_memo: dict[tuple, str] = {}

    def cites(self, v: Value) -> Markup:
        """The "inferred" badge and the numbered source links of one value."""
        return Markup(self._cites(v))

    def rows_dl(self, rows: list[Row], cls: str = "props") -> Markup:
        """A <dl> of property rows, nested nodes as nested lists."""
        out: list[str] = []
        self._rows(rows, cls, out)
        return Markup("".join(out))

    def _cites(self, v: Value) -> str:
        key = (v.inferred, *v.cites)
        found = self._cites_memo.get(key)
        if found is None:
            found = self._inferred if v.inferred else ""
            source = self._source
            for n in v.cites:
                n = esc(n)
                found += f'<sup class="cite"><a href="#source-{n}" aria-label="{source} {n}">[{n}]</a></sup>'
            self._cites_memo[key] = found
        return found

    def _value(self, v: Value, out: list[str]) -> None:
        if v.href:
            key = (v.href, v.iri, v.text, v.text_lang, self.lang)
            anchor = self.anchors.get(key)
            if anchor is None:
                anchor = self.anchors[key] = (
                    f'<a href="{esc(self.link(v.href))}" title="{esc(v.iri)}">{marked(v.text, v.text_lang, self.lang)}</a>'
                )
            if not v.nested:  # most values: the anchor and its citations at once
                out.append(anchor + self._cites(v))
                return
            out.append(anchor)
        else:
            if v.lang:
                lang = esc(v.lang)
                out.append(f'<span class="literal" lang="{lang}">{esc(v.text)}</span>')
                out.append(f' <span class="tag" aria-label="{self._language}">@{lang}</span>')
            else:
                out.append(f'<span class="literal">{esc(v.text)}</span>')
            if v.datatype:
                out.append(f' <span class="tag">{esc(v.datatype)}</span>')
        out.append(self._cites(v))
        if v.nested:
            out.append("\n")
            self._rows(v.nested, "nested", out)

    def _rows(self, rows: list[Row], cls: str, out: list[str]) -> None:
        out.append(f'<dl class="{esc(cls)}">\n')
        anchors = self.anchors
        for row in rows:
            key = ("row", row.href, row.prop, row.label)
            head = anchors.get(key)
            if head is None:
                head = anchors[key] = (
                    f'\n<div class="prop-row">\n<dt><a href="{esc(self.link(row.href))}" title="{esc(row.prop)}">'
                    f"{esc(row.label)}</a></dt>\n<dd>"
                )
            out.append(head)
            values = row.values
            if len(values) == 1:
                self._value(values[0], out)
            else:
                if len(values) > FOLD_AFTER:
                    count = esc(self._count % (len(values) + row.more))
                    out.append(f'<details class="long-list"><summary>{count}</summary>')
                out.append('<ul class="values">')
                for v in values:
                    out.append("<li>")
                    self._value(v, out)
                    out.append("</li>")
                out.append("</ul></details>" if len(values) > FOLD_AFTER else "</ul>")
            out.append("\n")
            if row.more:
                out.append(f'<p class="more">{esc(self._more % row.more)}</p>')
            out.append("</dd>\n</div>\n")
        out.append("\n</dl>")
