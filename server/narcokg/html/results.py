"""What the query page shows of an answer: table cells with labels, charts of the shown rows,
download links and a syntax error in words with its place marked.

No request handling here (web/querypage.py does that); the SPARQL answer itself is never changed,
labels are shown next to the IRIs.
"""

from __future__ import annotations

import json
import re
from urllib.parse import urlencode

import pyoxigraph as ox

from narcokg import vocab as px
from narcokg.formats import sparql as sparqlformats
from narcokg.html.charts import Series, chart_svg
from narcokg.html.labels import explicit_lang
from narcokg.iris import IriMap
from narcokg.texts import text

#: Most rows the page renders; the download links give the whole answer.
DISPLAY_ROWS = 1000

#: Datatypes whose values the chart view can plot.
NUMERIC = {
    px.XSD + t
    for t in (
        "integer",
        "decimal",
        "double",
        "float",
        "int",
        "long",
        "short",
        "nonNegativeInteger",
        "positiveInteger",
        "unsignedInt",
    )
}
DATES = {px.XSD + t for t in ("date", "dateTime", "gYear", "gYearMonth")}
#: Labels are looked up for at most this many distinct IRIs of the shown page.
MAX_LABELLED = 2000


def break_points(text: str) -> list[str]:
    """``text`` cut after each ``/`` and ``#``: the template joins the parts with ``<wbr>``, so a
    long IRI wraps between its segments, not inside a word."""
    return [p for p in re.split(r"(?<=[/#])", text) if p]


class Cells:
    """Turns result terms into table cells: text, link, label and a kind for styling.

    Labels come from the served store in the page's language (a label service like WDQS's):
    the SPARQL answer itself is unchanged, the label is shown next to the IRI.
    """

    def __init__(self, settings, labels=None):
        self.iris = IriMap(settings)
        self.prefixes = px.all_prefixes(settings.served_base)
        self.labels = labels
        self._labelled = 0

    def _label(self, iri: str) -> str | None:
        if self.labels is None or self._labelled >= MAX_LABELLED:
            return None
        self._labelled += 1
        return self.labels.known(iri)

    def short(self, iri: str) -> str:
        """A CURIE, or for display only ``prefix:a/b`` when a namespace covers the IRI."""
        found = px.curie(iri, self.prefixes)
        if found:
            return found
        best = max(
            (p for p, ns in self.prefixes.items() if iri.startswith(ns) and len(iri) > len(ns)),
            key=lambda p: len(self.prefixes[p]),
            default=None,
        )
        return f"{best}:{iri[len(self.prefixes[best]) :]}" if best else iri

    def iri(self, value: str) -> dict:
        href = self.iris.href(value)
        text = self.short(value)
        label = self._label(value)
        return {
            "kind": "iri",
            "text": text,
            "parts": break_points(text),
            "href": href,
            "title": value,
            "label": label,
            "label_lang": self.labels.language_of(value) if label else "",
        }

    def from_json(self, term: dict | None) -> dict:
        if term is None:
            return {"kind": "empty", "text": ""}
        kind = term.get("type")
        if kind == "uri":
            return self.iri(term["value"])
        if kind == "bnode":
            return {"kind": "bnode", "text": "_:" + term["value"]}
        if kind == "triple":
            inner = term["value"]
            text = " ".join(self.from_json(inner.get(k)).get("text", "") for k in ("subject", "predicate", "object"))
            return {"kind": "triple", "text": "<< " + text + " >>"}
        cell = {"kind": "literal", "text": term.get("value", "")}
        datatype = term.get("datatype")
        if term.get("xml:lang"):
            cell["tag"] = "@" + term["xml:lang"]
        elif datatype:
            cell["tag"] = px.curie(datatype, self.prefixes) or datatype
            cell["datatype"] = datatype
        return cell

    def from_term(self, term) -> dict:
        if isinstance(term, ox.NamedNode):
            return self.iri(term.value)
        if isinstance(term, ox.BlankNode):
            return {"kind": "bnode", "text": "_:" + term.value}
        if isinstance(term, ox.Literal):
            return self.from_json(
                {
                    "type": "literal",
                    "value": term.value,
                    "xml:lang": term.language,
                    "datatype": None if term.language else term.datatype.value,
                }
            )
        return {"kind": "triple", "text": str(term)}


def _number(cell: dict) -> float | None:
    if cell.get("datatype") not in NUMERIC:
        return None
    try:
        return float(cell["text"])
    except ValueError:
        return None


def _year(cell: dict) -> str | None:
    if cell.get("datatype") in DATES:
        m = re.match(r"-?\d{4}", cell["text"])
        return m.group() if m else None
    return None


def _year_span(rows: list[list[dict]], col: int) -> list[str] | None:
    """Every year from the first to the last when column ``col`` holds distinct years (integers
    or xsd:gYear from 1000 to 2999, at most 200 apart), so a chart over years keeps their
    spacing: a year without a row shows as a gap, never as a made-up zero. Else None."""
    years = []
    for r in rows:
        cell = r[col]
        if cell.get("datatype") not in NUMERIC | {px.XSD + "gYear"} or not re.fullmatch(r"[12]\d{3}", cell["text"]):
            return None
        years.append(int(cell["text"]))
    if len(set(years)) != len(years) or max(years) - min(years) > 200:
        return None
    return [str(y) for y in range(min(years), max(years) + 1)]


def _bar_charts(
    columns: list[str], rows: list[list[dict]], numeric: list[int], label_col: int, lang: str
) -> list[dict]:
    """One bar chart per numeric column (at most three), each over the label column (over
    every year of the span when that column holds years)."""
    span = _year_span(rows, label_col)
    xs = span or [(r[label_col].get("label") or r[label_col].get("text") or "–")[:24] for r in rows]
    out = []
    for i in numeric[:3]:
        title = f"?{columns[i]} / ?{columns[label_col]}"
        if span:
            by_year = {r[label_col]["text"]: _number(r[i]) for r in rows}
            values = [by_year.get(y) for y in span]
        else:
            values = [_number(r[i]) for r in rows]
        out.append(
            {
                "title": title,
                "x": columns[label_col],
                "y": columns[i],
                "svg": chart_svg(
                    title,
                    xs,
                    [Series(columns[i], values)],
                    lang,
                    x_label="?" + columns[label_col],
                    y_label="?" + columns[i],
                ),
            }
        )
    return out


def _timeline(columns: list[str], rows: list[list[dict]], i: int, lang: str) -> dict:
    """Rows per year of date column ``i``, years without rows shown as zero."""
    rows_word = text("query.rows_axis", lang)
    counts: dict[str, int] = {}
    for r in rows:
        counts[_year(r[i])] = counts.get(_year(r[i]), 0) + 1
    years = sorted(counts)
    span = [str(y) for y in range(int(years[0]), int(years[-1]) + 1)] if len(years) < 200 else years
    title = f"?{columns[i]}"
    return {
        "title": title,
        "x": columns[i],
        "y": rows_word,
        "timeline": True,
        "svg": chart_svg(
            title,
            span,
            [Series(rows_word, [counts.get(y, 0) for y in span])],
            lang,
            x_label="?" + columns[i],
            y_label=rows_word,
        ),
    }


def chart_view(columns: list[str], rows: list[list[dict]], lang: str) -> list[dict]:
    """Charts of the shown rows: one bar chart per numeric column (one series per panel) over
    the first other column, or a timeline (count per year) of the first date column."""
    if len(rows) < 2 or len(rows) > 120 or not columns:
        return []
    numeric = [i for i in range(len(columns)) if all(_number(r[i]) is not None for r in rows)]
    dates = [i for i in range(len(columns)) if all(_year(r[i]) for r in rows)]
    label_col = next((i for i in range(len(columns)) if i not in numeric), None)
    if label_col is None and len(numeric) >= 2:  # e.g. ?year ?count: the first column is the axis
        label_col, numeric = numeric[0], numeric[1:]
    if numeric and label_col is not None:
        return _bar_charts(columns, rows, numeric, label_col, lang)
    if dates:
        return [_timeline(columns, rows, dates[0], lang)]
    return []


def results(answer, kind: str, settings, labels=None) -> dict:
    cells = Cells(settings, labels)
    if kind == "solutions":
        doc = json.loads(answer.body)
        if "boolean" in doc:
            return {"boolean": bool(doc["boolean"]), "columns": [], "rows": [], "count": 1}
        columns = doc["head"]["vars"]
        bindings = doc["results"]["bindings"]
        rows = [[cells.from_json(b.get(v)) for v in columns] for b in bindings[:DISPLAY_ROWS]]
        return {"columns": columns, "rows": rows, "count": len(bindings), "boolean": None}
    triples = list(ox.parse(answer.body, format=ox.RdfFormat.N_TRIPLES))
    rows = [
        [cells.from_term(t.subject), cells.from_term(t.predicate), cells.from_term(t.object)]
        for t in triples[:DISPLAY_ROWS]
    ]
    return {"columns": ["subject", "predicate", "object"], "rows": rows, "count": len(triples), "boolean": None}


def downloads(query: str, kind: str) -> list[dict]:
    return [
        {
            "name": f.name,
            "label": f.label,
            "media_type": f.media_type,
            "extension": f.extension,
            "href": "/sparql?" + urlencode({"query": query, "format": f.name}),
        }
        for f in sparqlformats.offered(kind)
    ]


def error_view(explanation, query: str, lang: str) -> dict:
    """What the page shows of a syntax error: the sentence, the line with a marker under the
    culprit, and the missing PREFIX lines with a link that adds them and runs again."""
    view = explanation.as_dict(lang)
    if explanation.line:
        lines = query.splitlines() or [""]
        text = lines[explanation.line - 1] if explanation.line <= len(lines) else ""
        col = max((explanation.column or 1) - 1, 0)
        view["excerpt"] = text[:200]
        view["marker"] = " " * min(col, 200) + "^" * max(1, min(explanation.length, 40))
    if explanation.missing:
        params = {"query": "\n".join(explanation.prefix_lines()) + "\n" + query}
        if explicit_lang():
            params["lang"] = explicit_lang()
        view["fix_href"] = "/?" + urlencode(params)
    return view
