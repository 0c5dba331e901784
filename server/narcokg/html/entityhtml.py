"""The entity page as HTML: its title, the <head> additions and the body, written in Python.

The markup is the one ``entity.html`` wrote, byte for byte (the page's chrome, ``base.html``,
stays a template, rendered once per language by ``web.context.chrome``). Written here because
the template's fixed sections cost as much as its data on a small page: hundreds of calls
through Jinja's context for the catalogue's sentences and the link rewriter. Every text from the
data and the catalogue goes through ``esc``, as Jinja's autoescaping did.
"""

from __future__ import annotations

from typing import Callable

from narcokg.html.entitymodel import CiteBlock, DatasetView, EntityPage, Source, Value
from narcokg.html.i18n import marked
from narcokg.html.valuehtml import ValueHtml, esc


class EntityHtml:
    """One page in one language, with the request's link rewriter (``?lang=`` kept)."""

    def __init__(
        self, page: EntityPage, values: ValueHtml, t: Callable[[str], str], link: Callable[[str], str], lang: str
    ):
        self.page = page
        self.values = values
        self.t = t
        self.link = link
        self.lang = lang

    def tt(self, key: str) -> str:
        return esc(self.t(key))

    def href(self, href: str) -> str:
        return esc(self.link(href))

    def title(self) -> str:
        return esc(self.page.title) + " · narcokg"

    def head(self, alternates: list[tuple[str, str, str]], jsonld: str) -> str:
        out = ["\n"]
        for media, href, name in alternates:
            out.append(f'<link rel="alternate" type="{esc(media)}" href="{esc(href)}" title="{esc(name)}">\n')
        for cb in self.page.cites:
            if cb.path:
                path = esc(cb.path)
                out.append(
                    f'<link rel="alternate" type="application/x-bibtex" href="/cite/{path}.bib" title="BibTeX">\n'
                )
                out.append(
                    '<link rel="alternate" type="application/vnd.citationstyles.csl+json" '
                    f'href="/cite/{path}.json" title="CSL-JSON">\n'
                )
        out.append(f'<script type="application/ld+json">{jsonld}</script>\n')
        return "".join(out)

    def content(self, alternates: list[tuple[str, str, str]], fragment: str, query_href: str) -> str:
        out: list[str] = ['\n<article class="entity" aria-labelledby="entity-title">\n']
        self._header(out)
        self._notes(out)
        self._agreement(out)
        if self.page.dataset:
            self._dataset(self.page.dataset, out)
        self._statements(out)
        self._findings(out)
        self._sources(out)
        for cb in self.page.cites:
            self._cite(cb, out)
        out.append(
            '\n\n<section class="query-this" aria-labelledby="query-this-title">\n'
            f'<h2 id="query-this-title">{self.tt("query.this")}</h2>\n'
            f'<p><a class="query-link" href="{self.href(query_href)}">{self.tt("query.entity")}</a></p>\n'
            "</section>\n\n"
            '<section class="formats" aria-labelledby="formats-title">\n'
            f'<h2 id="formats-title">{self.tt("entity.formats")}</h2>\n<ul class="inline">'
        )
        for media, href, name in alternates:
            out.append(f'<li><a href="{esc(href)}" type="{esc(media)}">{esc(name)}</a></li>')
        if fragment:
            out.append(
                f'<li><a href="{esc(fragment)}" type="text/turtle" class="fragment-link">Triple Pattern Fragments</a></li>'
            )
        out.append("</ul>\n</section>\n</article>\n")
        return "".join(out)

    # Sections ----------------------------------------------------------------------
    def _links(self, values: list[Value], title: bool = False) -> str:
        """Links separated by commas (with the IRI as their title where the template gave one)."""
        return ", ".join(
            f'<a href="{self.href(v.href)}" title="{esc(v.iri)}">{esc(v.text)}</a>'
            if title
            else f'<a href="{self.href(v.href)}">{esc(v.text)}</a>'
            for v in values
        )

    def _header(self, out: list[str]) -> None:
        p = self.page
        out.append(
            '<header class="entity-head">\n'
            f'<h1 id="entity-title">{marked(p.title, p.title_lang, self.lang)}</h1>\n'
            f'<p class="iri"><span class="visually-hidden">IRI: </span><code>{esc(p.public_iri)}</code></p>\n'
        )
        if p.types:
            out.append(f'<p class="types"><span class="label">{self.tt("entity.types")}:</span>\n')
            out.append(
                ", ".join(
                    f'<a class="type" href="{self.href(v.href)}" title="{esc(v.iri)}">{esc(v.text)}</a>{self.values.cites(v)}'
                    for v in p.types
                )
            )
            out.append("</p>")
        out.append("\n")
        if p.inferred_types:
            out.append(
                f'<details class="inferred-types"><summary>{self.tt("entity.inferred_types")} '
                f"({len(p.inferred_types)})</summary>\n<p>{self._links(p.inferred_types, title=True)}</p></details>"
            )
        out.append("\n")
        if p.description:
            out.append(f'<p class="description">{esc(p.description)}</p>')
        out.append("\n")
        if p.part_of:
            out.append(f'<p class="part-of">{self.tt("entity.part_of")}: {self._links(p.part_of)}</p>')
        out.append("\n</header>\n\n")

    def _notes(self, out: list[str]) -> None:
        p = self.page
        if p.is_conflict:
            out.append(
                '\n<section class="conflict-box" role="note" aria-labelledby="conflict-self">\n'
                f'<h2 id="conflict-self">{self.tt("entity.is_conflict")}</h2>\n'
                f"<p>{self.tt('entity.is_conflict_hint')}</p>\n</section>\n"
            )
        out.append("\n")
        if p.conflicts:
            out.append(
                '\n<section class="conflict-box" role="note" aria-labelledby="conflicts-title">\n'
                f'<h2 id="conflicts-title"><span aria-hidden="true">⚠ </span>{self.tt("entity.conflicts")}</h2>\n<ul>'
            )
            for c in p.conflicts:
                out.append(f'<li><a href="{self.href(c.href)}"><strong>{esc(c.label)}</strong></a>')
                if c.kinds:
                    out.append(f' <span class="tag">{esc(", ".join(c.kinds))}</span>')
                out.append("\n")
                if c.comment:
                    out.append(f"<p>{esc(c.comment)}</p>")
                out.append("</li>")
            out.append("</ul>\n</section>\n")
        out.append("\n\n")

    def _agreement(self, out: list[str]) -> None:
        p = self.page
        if p.parties or p.signings:
            out.append(
                '\n<section class="summary" aria-labelledby="agreement-title">\n'
                f'<h2 id="agreement-title">{self.tt("entity.agreement")}</h2>\n'
            )
            if p.parties:
                out.append(f'<p><span class="label">{self.tt("entity.parties")}:</span> {self._links(p.parties)}</p>')
            out.append("\n")
            if p.signings:
                out.append('<ul class="signings">')
                for s in p.signings:
                    out.append(f'\n<li><a href="{self.href(s.href)}">{self.tt("entity.signed")}</a>')
                    if s.dates:
                        out.append(f" <time>{esc(', '.join(s.dates))}</time>")
                    if s.places:
                        out.append(f" {self.tt('entity.at')} {self._links(s.places)}")
                    if s.signatories:
                        out.append(f" {self.tt('entity.by')} {self._links(s.signatories)}")
                    out.append("</li>\n")
                out.append("</ul>")
            out.append("\n</section>\n")
        out.append("\n\n")

    def _dataset(self, d: DatasetView, out: list[str]) -> None:
        out.append(
            '\n<section class="dataset" aria-labelledby="dataset-title">\n'
            f'<h2 id="dataset-title">{self.tt("entity.observations")}</h2>\n'
        )
        for panel in d.charts:
            title = esc(panel.title)
            out.append(
                f'<figure class="chart-figure">\n<h3 class="chart-title">{title}</h3>\n'
                f'<div class="chart-scroll" role="region" aria-label="{self.tt("entity.chart")}: {title}" '
                f'tabindex="0">{esc(panel.svg)}</div>\n</figure>'
            )
        out.append("\n")
        if d.charts:
            out.append(f'<p class="chart-note">{self.tt("entity.chart_caption")}')
            if d.has_conflicts:
                out.append(" " + self.tt("entity.chart_conflict"))
            out.append("</p>")
        out.append(
            '\n<div class="table-scroll" role="region" aria-labelledby="dataset-title" tabindex="0">\n'
            f'<table class="data-table">\n<caption>{esc(self.page.title)}</caption>\n'
            f'<thead><tr><th scope="col">{self.tt("entity.observation")}</th>'
        )
        for label, href, numeric in d.columns:
            num = ' class="num"' if numeric else ""
            out.append(f'<th scope="col"{num}><a href="{self.href(href)}">{esc(label)}</a></th>')
        out.append("</tr></thead>\n<tbody>")
        conflicts_text = self.tt("entity.conflicts")
        for obs, cells, conflicts in d.rows:
            out.append('<tr class="conflict-row">' if conflicts else "<tr>")
            out.append(f'<th scope="row"><a href="{self.href(obs.href)}">{esc(obs.text)}</a>')
            for c in conflicts:
                out.append(
                    f' <a class="badge conflict" href="{self.href(c.href)}" title="{esc(c.text)}">! {conflicts_text}</a>'
                )
            out.append("</th>")
            for i, cell in enumerate(cells):
                num = ' class="num"' if d.columns[i][2] else ""
                out.append(f"<td{num}>{esc(cell)}</td>")
            out.append("</tr>")
        out.append("</tbody>\n</table>\n</div>\n</section>\n")

    def _statements(self, out: list[str]) -> None:
        p, v = self.page, self.values
        out.append(
            '\n\n<section aria-labelledby="props-title">\n'
            f'<h2 id="props-title">{self.tt("entity.statements")}</h2>\n{v.rows_dl(p.rows)}\n'
        )
        if p.inferred_rows:
            out.append(
                f'<details class="inferred-rows"><summary>{self.tt("entity.inferred_statements")} '
                f'({len(p.inferred_rows)})</summary>\n<p class="hint">{self.tt("entity.inferred_hint")}</p>\n'
                f"{v.rows_dl(p.inferred_rows)}</details>"
            )
        out.append("\n</section>\n\n")
        if p.incoming or p.inferred_incoming:
            out.append(
                '\n<section aria-labelledby="incoming-title">\n'
                f'<h2 id="incoming-title">{self.tt("entity.incoming")}</h2>\n'
                f'<p class="hint">{self.tt("entity.incoming_hint")}</p>\n{v.rows_dl(p.incoming, "props incoming")}\n'
            )
            if p.inferred_incoming:
                out.append(
                    f'<details class="inferred-rows"><summary>{self.tt("entity.inferred_incoming")} '
                    f'({len(p.inferred_incoming)})</summary>\n<p class="hint">{self.tt("entity.inferred_hint")}</p>\n'
                    f"{v.rows_dl(p.inferred_incoming, 'props incoming')}</details>"
                )
            out.append("\n</section>\n")
        out.append("\n\n")

    def _findings(self, out: list[str]) -> None:
        if self.page.findings:
            out.append(
                '\n<section aria-labelledby="findings-title">\n'
                f'<h2 id="findings-title">{self.tt("entity.validation")}</h2>\n<ul class="findings">'
            )
            for f in self.page.findings:
                out.append(f'<li class="sev-{esc(str(f.severity).lower())}"><strong>{esc(f.severity)}</strong>: ')
                out.append(esc(f.message))
                if f.shape:
                    out.append(f' (<a href="{self.href(f.shape.href)}">{esc(f.shape.text)}</a>)')
                out.append("</li>")
            out.append("</ul>\n</section>\n")
        out.append("\n\n")

    def _sources(self, out: list[str]) -> None:
        if self.page.sources:
            out.append(
                '\n<section class="sources" aria-labelledby="sources-title">\n'
                f'<h2 id="sources-title">{self.tt("entity.sources")}</h2>\n<ol class="source-list">\n'
            )
            for s in self.page.sources:
                self._source(s, out)
            out.append("\n</ol>\n</section>\n")
        out.append("\n\n")

    def _source(self, s: Source, out: list[str]) -> None:
        n = esc(s.number)
        out.append(f'\n<li id="source-{n}" value="{n}" class="source source-{esc(s.kind)}">\n')
        if s.citation_text:
            out.append(
                f'<p class="citation"><span class="visually-hidden">{self.tt("cite.full")}: </span>'
                f'{esc(s.citation_text)}</p>\n<p class="source-links">'
            )
            if s.href:
                out.append(f'<a href="{self.href(s.href)}" class="source-label">{esc(s.label)}</a>')
            out.append("\n")
            if s.cite_path:
                path = esc(s.cite_path)
                out.append(
                    f' · <a href="/cite/{path}.bib" type="application/x-bibtex" download>BibTeX</a> · '
                    f'<a href="/cite/{path}.json" type="application/vnd.citationstyles.csl+json" download>CSL-JSON</a>'
                )
            out.append(f'\n <span class="tag">{self.tt("entity.named_graph")} <code>{esc(s.graph)}</code></span></p>\n')
        elif s.href:
            out.append(f'<a href="{self.href(s.href)}" class="source-label">{esc(s.label)}</a>')
        else:
            out.append(f'<span class="source-label">{esc(s.label)}</span>')
        out.append("\n\n")
        if s.locations:
            out.append(
                f'<p class="location">{self.tt("entity.location")}: {marked("; ".join(s.locations), "en", self.lang)}</p>'
            )
        out.append("\n")
        if s.evidence:
            out.append(
                f'<details class="evidence-list"><summary>{esc(self.t("cite.quotes") % len(s.evidence))}</summary>\n'
            )
            for text, qlang in s.evidence:
                attr = f' lang="{esc(qlang)}"' if qlang else ""
                out.append(f'<blockquote class="evidence"{attr}><p>“{esc(text)}”</p></blockquote>')
            out.append("\n</details>")
        out.append("\n</li>\n")

    def _cite(self, cb: CiteBlock, out: list[str]) -> None:
        out.append(
            '\n<section class="cite-block" aria-labelledby="cite-title">\n'
            f'<h2 id="cite-title">{self.tt(cb.heading_key)}</h2>\n'
            f'<p class="citation">{esc(cb.text)}</p>\n'
            f'<details class="cite-format"><summary>{self.tt("cite.bibtex")}</summary>'
            f'<pre class="code cite-code"><code>{esc(cb.bibtex)}</code></pre></details>\n'
            f'<details class="cite-format"><summary>{self.tt("cite.csl")}</summary>'
            f'<pre class="code cite-code"><code>{esc(cb.csl_json)}</code></pre></details>\n'
            f'<p class="cite-downloads">{self.tt("cite.download")}: '
        )
        if cb.path:
            path = esc(cb.path)
            out.append(
                f'<a href="/cite/{path}.bib" type="application/x-bibtex" download>BibTeX</a> · '
                f'<a href="/cite/{path}.json" type="application/vnd.citationstyles.csl+json" download>CSL-JSON</a> · '
            )
        out.append(f'<a href="{self.href("/cite")}">{self.tt("cite.graph")}</a></p>\n</section>\n')
