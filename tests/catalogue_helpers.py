"""The query catalogue's files and how an answer is compared with its expected TSV: shared by
tests/data/test_catalogue.py (the embedded engine) and tests/engines (the remote engines)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from conftest import ROOT

QUERIES = ROOT / "queries"
QUERY_FILES = sorted(QUERIES.glob("*.rq"))
NAME = re.compile(r"^(\d{2})-[a-z0-9]+(?:-[a-z0-9]+)*\.rq$")
ORDER_BY = re.compile(r"\bORDER\s+BY\b", re.IGNORECASE)
MAX_ROWS = 30

#: Questions whose hand-derived answer the data does not give yet, with the data defect behind it.
#: Strict: once the data is fixed the test passes, the xfail turns into a failure, and the entry
#: must be removed here.
KNOWN_DATA_DEFECTS: dict[str, str] = {}


@dataclass(frozen=True)
class Table:
    """A SELECT result as TSV text: the header and the rows, each a tuple of term texts."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def expected_path(rq: Path) -> Path:
    return rq.with_name(rq.stem + ".expected.tsv")


def header_comments(text: str) -> list[str]:
    """The comment lines that open a query file."""
    lines = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        lines.append(line)
    return lines


def question(text: str) -> str:
    first = text.splitlines()[0] if text else ""
    return first[len("# Question:") :].strip() if first.startswith("# Question:") else ""


def body(text: str) -> str:
    """The query without its comment lines, so a word in a comment cannot change the verdict."""
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


def is_ordered(text: str) -> bool:
    return bool(ORDER_BY.search(body(text)))


def parse_tsv(text: str) -> Table:
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines:
        raise ValueError("empty TSV: no header line")
    header = tuple(lines[0].split("\t"))
    rows = tuple(tuple(line.split("\t")) for line in lines[1:])
    for i, row in enumerate(rows, start=2):
        if len(row) != len(header):
            raise ValueError(f"line {i}: {len(row)} fields for {len(header)} variables")
    return Table(header, rows)


def differences(expected: Table, actual: Table, ordered: bool) -> list[str]:
    """What separates two results; empty when they agree (in order, if ``ordered``)."""
    if expected.header != actual.header:
        return [f"variables differ: expected {expected.header}, got {actual.header}"]
    if ordered:
        if expected.rows == actual.rows:
            return []
        out = []
        for i in range(max(len(expected.rows), len(actual.rows))):
            e = expected.rows[i] if i < len(expected.rows) else None
            a = actual.rows[i] if i < len(actual.rows) else None
            if e != a:
                out.append(f"row {i + 1}: expected {e}, got {a}")
        return out
    want, got = Counter(expected.rows), Counter(actual.rows)
    missing, extra = want - got, got - want
    return [f"missing {r} ×{n}" for r, n in sorted(missing.items())] + [
        f"unexpected {r} ×{n}" for r, n in sorted(extra.items())
    ]
