"""The hits of a search page as HTML list items, written in Python: fifty hits, each with its
kinds and its matched text, cost the page's template a macro-like call per value. The markup is
the one the template wrote; every text goes through ``markupsafe.escape``."""

from __future__ import annotations

from typing import Callable

from markupsafe import Markup

from narcokg.html.i18n import marked
from narcokg.html.valuehtml import esc

_WHERE = {"definition": "search.in_definition", "claim": "search.in_claim"}


def hits_html(results: list[dict], lang: str, t: Callable[[str], str], link: Callable[[str], str]) -> Markup:
    """``<li>`` items of ``results`` (the dicts the search view makes), in ``lang``."""
    where = {field: esc(t(key)) for field, key in _WHERE.items()}
    other = esc(t("search.matched"))
    out = []
    for r in results:
        out.append(
            f'<li><a href="{esc(link(r["href"]))}" title="{esc(r["iri"])}">'
            f"{marked(r['label'], r['label_lang'], lang)}</a>\n"
        )
        for kind in r["types"]:
            out.append(f'<span class="tag kind">{esc(kind)}</span> ')
        out.append("\n")
        if r["matched"]:
            label = where.get(r["field"], other)
            out.append(f'<span class="matched">{label}: {marked(r["matched"], r["matched_lang"], lang)}</span>')
        out.append("</li>")
    return Markup("".join(out))
