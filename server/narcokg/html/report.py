"""Present SHACL results to people: readable names, links, counts, groups and filters.

Shared by GET /shacl (the build's report) and POST /shacl/validate (a client's report) so both
pages read the same way. Nothing here validates or parses, and nothing needs rdflib (the
results come as plain data, ``narcokg.shacl.results``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from narcokg.config import Settings
from narcokg.iris import IriMap
from narcokg.shacl.accepts import UPLOAD_BASE
from narcokg.shacl.results import Result, compact, prefixes

__all__ = ["compact", "prefixes"]


#: Display order of severities.
SEVERITIES = ("Violation", "Warning", "Info")


def local_href(iri: str | None, settings: Settings) -> str | None:
    """Where a page links for ``iri`` (the entity's page, the term's documentation, or the IRI
    itself); None for what has no address (blank nodes, the reserved base of uploaded data)."""
    if not iri or not iri.startswith(("http://", "https://")) or iri.startswith(UPLOAD_BASE):
        return None
    iris = IriMap(settings)
    return iris.href(iris.to_public(iri))  # a report names canonical IRIs


@dataclass(frozen=True)
class Row:
    """One result as shown on a page."""

    severity: str
    focus: str
    #: the focus node's English label where known, else its compact IRI
    focus_label: str
    #: compact IRI of the focus node (``id:state/IDN``)
    focus_id: str
    focus_href: str | None
    path: str | None
    value: str | None
    value_href: str | None
    message: str
    shape: str
    shape_label: str
    shape_href: str | None
    constraint: str | None


def _value_href(value: str | None, settings: Settings, uploaded: bool) -> str | None:
    if not value or "://" not in value:
        return None
    if uploaded and not value.startswith(settings.base + "ontology#"):
        return None  # a client's resource has no page here; only the ontology's terms do
    return local_href(value, settings)


def rows(
    results: list[Result],
    names: dict[str, str],
    settings: Settings,
    labels: dict[str, str] | None = None,
    uploaded: bool = False,
) -> list[Row]:
    """Rows for display; full IRIs (in ``focus`` and ``shape``) as served (under the public base).

    ``labels`` maps focus and value IRIs to a readable label (English rdfs:label), where known.
    ``uploaded``: the results are about a client's data, whose resources have no page on this
    site even when their IRIs look like ours, so focus nodes are not linked."""
    labels = labels or {}
    iris = IriMap(settings)
    out = []
    for r in results:
        out.append(
            Row(
                severity=r.severity,
                focus=iris.to_public(r.focus),
                focus_label=labels.get(r.focus) or compact(r.focus, settings),
                focus_id=compact(r.focus, settings),
                focus_href=None if uploaded else local_href(r.focus, settings),
                path=compact(r.path, settings) if r.path else None,
                value=(labels.get(r.value) or compact(r.value, settings)) if r.value is not None else None,
                value_href=_value_href(r.value, settings, uploaded),
                message=r.message,
                shape=iris.to_public(r.source_shape),
                shape_label=names.get(r.source_shape) or compact(r.source_shape, settings),
                shape_href=local_href(r.source_shape, settings)
                if r.source_shape.startswith(settings.base + "shapes#")
                else None,
                constraint=r.constraint,
            )
        )
    return out


@dataclass
class Group:
    severity: str
    shape: str
    shape_label: str
    shape_href: str | None
    rows: list[Row]


@dataclass
class Summary:
    total: int
    by_severity: list[tuple[str, int]]
    #: (shape IRI, label, href, {severity: count}, total), most results first.
    by_shape: list[tuple[str, str, str | None, dict[str, int], int]]


def summarize(all_rows: list[Row]) -> Summary:
    sev = Counter(r.severity for r in all_rows)
    per_shape: dict[str, Counter] = {}
    first: dict[str, Row] = {}
    for r in all_rows:
        per_shape.setdefault(r.shape, Counter())[r.severity] += 1
        first.setdefault(r.shape, r)
    by_shape = sorted(
        ((s, first[s].shape_label, first[s].shape_href, dict(c), sum(c.values())) for s, c in per_shape.items()),
        key=lambda t: (-t[4], t[1]),
    )
    by_severity = [(s, sev.get(s, 0)) for s in SEVERITIES] + sorted(
        (s, n) for s, n in sev.items() if s not in SEVERITIES
    )
    return Summary(total=len(all_rows), by_severity=by_severity, by_shape=by_shape)


def group(selected: list[Row]) -> list[Group]:
    """Results grouped by severity (Violation first), then by shape."""
    order = {s: i for i, s in enumerate(SEVERITIES)}
    groups: dict[tuple[str, str], Group] = {}
    for r in selected:
        g = groups.get((r.severity, r.shape))
        if g is None:
            g = groups[(r.severity, r.shape)] = Group(r.severity, r.shape, r.shape_label, r.shape_href, [])
        g.rows.append(r)
    return sorted(groups.values(), key=lambda g: (order.get(g.severity, 99), g.shape_label))
