"""The benchmark's query mix: six query shapes researchers send, in our vocabulary.

Every query names only IRIs that the real knowledge graph and the synthetic data of
``scale.py`` both hold (``id/organisation/bnn``, ``id/state/IDN``, the ontology's terms), so the
same text runs, unchanged, on the real dump, on every synthetic size, and on every server
(narcokg, the bare ceiling, rdflib-endpoint). The queries were fixed before any target was
measured and are not tuned to make a figure look good, with one exception stated openly: the
``join`` and ``aggregate`` start from the states, because pyoxigraph 0.5 plans joins close to
the written order: the same join with the state's IRI inside the path ran about 100x slower
at 100k triples, and the same aggregate written agreements-first (as catalogue query 04 was
until it was rewritten) took 5.5 s instead of 0.4 s at 1M. ``join-all`` keeps the unanchored whole-table join in the
mix so that cost stays visible.

Each query declares every prefix it uses (rdflib-endpoint would otherwise inject its own).
"""

from __future__ import annotations

from dataclasses import dataclass

BASE = "https://w3id.org/narcokg/"

PREFIXES = f"""PREFIX nkg: <{BASE}ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""

SELECT_JSON = "application/sparql-results+json"
TURTLE = "text/turtle"


@dataclass(frozen=True)
class Query:
    #: Short key used in tables and on the command line.
    name: str
    #: What the query stands for (printed in the README's table legend).
    what: str
    text: str
    #: Accept header sent with it.
    accept: str

    @property
    def kind(self) -> str:
        return "graph" if self.accept == TURTLE else "solutions"


def _join(state: str) -> str:
    """agreement -> party -> state from the states ``state`` selects, ORDER BY date."""
    return (
        """SELECT ?agreement ?date ?party ?stateLabel WHERE {
  %s ;
         rdfs:label ?stateLabel .
  FILTER (LANG(?stateLabel) = "en")
  ?party org:subOrganizationOf* ?state .
  ?agreement nkg:party ?party ;
             a nkg:Agreement ;
             nkg:signing ?signing .
  ?signing nkg:date ?date .
}
ORDER BY DESC(?date) ?agreement ?party"""
        % state
    )


MIX: list[Query] = [
    Query(
        "lookup",
        "every property of one subject (the MoU Indonesia-Fiji 2015): what an entity page or a "
        "follow-your-nose client asks",
        PREFIXES + f"SELECT ?p ?o WHERE {{ <{BASE}id/agreement/mou-indonesia-fiji-2015> ?p ?o }}",
        SELECT_JSON,
    ),
    Query(
        "label-search",
        "labels containing a word, case-insensitive (FILTER CONTAINS over every rdfs:label), first 50 by subject",
        PREFIXES
        + """SELECT ?s ?label WHERE {
  ?s rdfs:label ?label .
  FILTER (CONTAINS(LCASE(STR(?label)), "narkotika"))
}
ORDER BY ?s ?label
LIMIT 50""",
        SELECT_JSON,
    ),
    Query(
        "join",
        "agreement -> party -> state, anchored on one state (Australia, by ISO code): its agreements, where the "
        "party is the state or any of its agencies (org:subOrganizationOf*), with signing date; ORDER BY date",
        PREFIXES + _join('?state nkg:isoAlpha3 "AUS"'),
        SELECT_JSON,
    ),
    Query(
        "join-all",
        "the same join over every state (a whole-table join: grows with the data), ORDER BY date, first 100 rows",
        PREFIXES + _join("?state a nkg:State") + "\nLIMIT 100",
        SELECT_JSON,
    ),
    Query(
        "aggregate",
        "GROUP BY over every agreement: agreements per party state (the state itself or through its agencies, "
        "org:subOrganizationOf*), COUNT DISTINCT, ORDER BY count (catalogue question 04, states first)",
        PREFIXES
        + """SELECT ?state (COUNT(DISTINCT ?agreement) AS ?agreements) WHERE {
  ?state a nkg:State .
  ?party org:subOrganizationOf* ?state .
  ?agreement nkg:party ?party ;
             a nkg:Agreement .
}
GROUP BY ?state
ORDER BY DESC(?agreements) ?state""",
        SELECT_JSON,
    ),
    Query(
        "path",
        "property path org:subOrganizationOf+ : every organisation under Indonesia at any depth, Indonesian label",
        PREFIXES
        + f"""SELECT ?organisation ?label WHERE {{
  ?organisation org:subOrganizationOf+ <{BASE}id/state/IDN> .
  OPTIONAL {{ ?organisation rdfs:label ?label . FILTER (LANG(?label) = "id") }}
}}
ORDER BY ?organisation""",
        SELECT_JSON,
    ),
    Query(
        "construct",
        "CONSTRUCT as Turtle: the agreements BNN is party to, with their type, labels, title and parties",
        PREFIXES
        + f"""CONSTRUCT {{
  ?agreement a nkg:Agreement ;
             rdfs:label ?label ;
             dcterms:title ?title ;
             nkg:party ?party .
}} WHERE {{
  ?agreement nkg:party <{BASE}id/organisation/bnn> ;
             a nkg:Agreement ;
             rdfs:label ?label ;
             nkg:party ?party .
  OPTIONAL {{ ?agreement dcterms:title ?title }}
}}""",
        TURTLE,
    ),
]

BY_NAME = {q.name: q for q in MIX}


def select(names: list[str] | None) -> list[Query]:
    """The queries named (all when ``names`` is empty or None), in mix order."""
    if not names:
        return list(MIX)
    unknown = [n for n in names if n not in BY_NAME]
    if unknown:
        raise SystemExit(f"unknown queries: {', '.join(unknown)}; known: {', '.join(BY_NAME)}")
    return [q for q in MIX if q.name in names]


if __name__ == "__main__":  # print the mix, e.g. to paste a query into the query page
    for q in MIX:
        print(f"# {q.name}: {q.what}\n# Accept: {q.accept}\n{q.text}\n")
