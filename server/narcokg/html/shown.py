"""The results table as the query page shows it, for download: the rows on the page (at most
``results.DISPLAY_ROWS``), each IRI with the label the page shows next to it, in CSV or JSON.

The SPARQL formats (/sparql?format=…) give the answer itself; this gives what a reader saw,
labels included, ready for a spreadsheet.
"""

from __future__ import annotations

import csv
import io
import json

__all__ = ["table", "as_csv", "as_json"]


def _value(cell: dict) -> str:
    """The full value of a cell: an IRI in full (the page shows it shortened), else its text."""
    return cell.get("title") if cell.get("kind") == "iri" else cell.get("text", "")


def table(result: dict) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the shown table: each column, followed by ``{column}_label`` when the
    column holds an IRI (empty where the page shows no label)."""
    columns = result["columns"]
    rows = result["rows"]
    labelled = [any(r[i].get("kind") == "iri" for r in rows) for i in range(len(columns))]
    header: list[str] = []
    for name, has_label in zip(columns, labelled):
        header += [name, name + "_label"] if has_label else [name]
    out = []
    for r in rows:
        line: list[str] = []
        for cell, has_label in zip(r, labelled):
            line.append(_value(cell))
            if has_label:
                line.append(cell.get("label") or "")
        out.append(line)
    return header, out


def as_csv(result: dict) -> str:
    """The shown table as CSV (RFC 4180: CRLF line ends, quotes where needed)."""
    header, rows = table(result)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def as_json(result: dict, lang: str) -> str:
    """The shown table as JSON: the columns, one object per row, and how many rows the answer
    has in all (more than the rows here when the page showed only the first ones)."""
    header, rows = table(result)
    doc = {
        "columns": header,
        "rows": [dict(zip(header, r)) for r in rows],
        "shown": len(rows),
        "answer_rows": result["count"],
        "lang": lang,
    }
    return json.dumps(doc, ensure_ascii=False, indent=1)
