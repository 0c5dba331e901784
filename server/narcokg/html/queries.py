"""Ready queries behind the "query this" links of entity and class pages.

They use the IRIs as the server shows them (the query processes hold the data under the public
base), and each starts with a comment saying what it asks, so the query page explains itself.
"""

from __future__ import annotations

from urllib.parse import urlencode

from narcokg import vocab as px
from narcokg.texts import text


def _comment(words: str) -> str:
    return "# " + " ".join(words.split())


def about_entity(public_iri: str, label: str, lang: str) -> str:
    """Everything about one resource: its own statements first, then the links to it."""
    return "\n".join(
        [
            _comment(text("query.comment_entity", lang) % label),
            "SELECT ?direction ?property ?value WHERE {",
            f'  {{ <{public_iri}> ?property ?value . BIND("outgoing" AS ?direction) }}',
            "  UNION",
            f'  {{ ?value ?property <{public_iri}> . BIND("incoming" AS ?direction) }}',
            "}",
            "ORDER BY DESC(?direction) ?property ?value",
            "LIMIT 1000",
        ]
    )


def instances_of(public_class: str, label: str, lang: str) -> str:
    """The instances of a class with their labels in the page's language (English otherwise)."""
    return "\n".join(
        [
            f"PREFIX rdfs: <{px.RDFS}>",
            _comment(text("query.comment_class", lang) % label),
            "SELECT ?instance ?label WHERE {",
            f"  ?instance a <{public_class}> .",
            f'  OPTIONAL {{ ?instance rdfs:label ?label_here FILTER(LANG(?label_here) = "{lang}") }}',
            '  OPTIONAL { ?instance rdfs:label ?label_en FILTER(LANG(?label_en) = "en") }',
            "  BIND(COALESCE(?label_here, ?label_en) AS ?label)",
            "}",
            "ORDER BY LCASE(STR(?label)) ?instance",
            "LIMIT 1000",
        ]
    )


def query_href(root: str, query: str) -> str:
    """The query page with ``query`` in its editor (and its results below)."""
    return root + "?" + urlencode({"query": query})
