"""What a SPARQL request is, read from a parse of it before anything executes it.

The endpoint must know a query's form (to negotiate a result format), whether it is an update
(refused), whether it names a dataset with FROM (pyoxigraph's union-default-graph option would
override it) and whether it calls SERVICE (refused: pyoxigraph would open an HTTP connection).
These decisions come from :mod:`narcokg.engine.analysis`, a parser that follows the grammar
pyoxigraph executes (keywords without word boundaries, backtracking choices, prefixes resolved
while parsing), so the text cannot be read one way here and another way there. A text it
rejects raises :class:`AnalysisError` with the line, column and what was expected.

One class of query is recognised further: a *single triple pattern* with at least one constant
term (``SELECT ?p ?o WHERE { <s> ?p ?o }``, the follow-your-nose lookup). Its evaluation is one
index scan that stops after ``max_rows`` + 1 rows, so it cannot explode in time or memory and
the endpoint may run it in the web process instead of a query process (see ``sparql.py``).
Anything else, however harmless it looks, is not ``bounded``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from narcokg.engine import analysis
from narcokg.engine.analysis import AnalysisError, DepthError

__all__ = ["AnalysisError", "DepthError", "QueryInfo", "analyse"]


@dataclass(frozen=True)
class QueryInfo:
    #: SELECT, CONSTRUCT, DESCRIBE or ASK; None for an update.
    form: str | None
    #: The text is a SPARQL Update request.
    update: bool
    #: A SERVICE pattern occurs anywhere in the query.
    service: bool
    #: The query has a dataset clause (FROM or FROM NAMED).
    dataset_clause: bool
    #: PREFIX declarations of the prologue (prefix → namespace IRI).
    prefixes: dict[str, str] = field(default_factory=dict)
    #: SELECT or ASK over one triple pattern with a constant term, optionally LIMIT (SELECT):
    #: nothing else (no DISTINCT, ORDER BY, OFFSET, FILTER, path, group or dataset clause).
    bounded: bool = False
    #: The deepest nesting of groups, parentheses and brackets.
    depth: int = 0
    #: The BASE declaration of the prologue, if any.
    base: str | None = None
    #: A repeated path step (``*``, ``+``, ``?``) inside EXISTS, NOT EXISTS or MINUS (Virtuoso's
    #: remote engine names the dataset differently for these: see ``engine.remote``).
    nested_repetition: bool = False
    #: A GRAPH pattern occurs anywhere (the only way a query reads its named graphs).
    graph_pattern: bool = False
    #: The functions called by IRI that are not XSD casts: an engine's own extensions, refused
    #: (``engine.policy``).
    foreign_functions: tuple[str, ...] = ()

    @property
    def kind(self) -> str | None:
        """``solutions`` (SELECT/ASK), ``graph`` (CONSTRUCT/DESCRIBE) or None."""
        if self.form in ("SELECT", "ASK"):
            return "solutions"
        if self.form in ("CONSTRUCT", "DESCRIBE"):
            return "graph"
        return None


def analyse(text: str, max_depth: int = 100) -> QueryInfo:
    """Classify a query or update text (see :class:`QueryInfo`); :class:`AnalysisError` when
    it is neither, :class:`DepthError` when it nests deeper than ``max_depth``."""
    a = analysis.analyse(text, max_depth)
    return QueryInfo(
        form=a.form,
        update=a.update,
        service=a.service,
        dataset_clause=a.dataset_clause,
        prefixes=dict(a.prefixes),
        bounded=a.bounded,
        depth=a.depth,
        base=a.base,
        nested_repetition=a.nested_repetition,
        graph_pattern=a.graph_pattern,
        foreign_functions=a.foreign_functions,
    )
