"""The fast path of the analysis (engine.fastparse) never disagrees with the exact parser: for
generated queries, mutations of the catalogue, of the W3C suites and of the known attacks, the
analysis ``analyse`` gives (fast path first) is the one ``analyse_exactly`` gives, field for field
and error for error; and the fast path does read most valid queries itself."""

from __future__ import annotations

import gzip
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from narcokg.engine import analysis, fastparse
from narcokg.engine.analysis import AnalysisError, analyse_exactly

from test_analysis_golden import GOLDEN
from test_sparql_analysis import HIDDEN_FROM, TOTAL, VALID_REFUSED_BEFORE, _catalogue, _mutate, queries, service_attacks

FUZZ = settings(
    deadline=None,
    database=None,
    max_examples=max(TOTAL // 4, 20),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

#: Words and tokens that meet the fast path's choices: keywords glued or split, SPARQL 1.2 terms,
#: operators that read as IRIs, prefixes never declared.
_TOKENS = [
    " ", "\n", "#c\n", "{", "}", "(", ")", "[", "]", "()", "[]", "<<", ">>", "<<(", ")>>", "{|", "|}", "~",
    "SERVICE", "SILENT", "FROM", "NAMED", "GRAPH", "SELECT", "WHERE", "LIMIT", "OFFSET", "ORDER BY", "GROUP BY",
    "VALUES", "UNDEF", "EXISTS", "NOT", "IN", "MINUS", "OPTIONAL", "UNION", "FILTER", "BIND", "AS", "LATERAL",
    "BNODE", "CONCAT", "COUNT", "DISTINCT", "a", "true", "false", "?x", "$y", "?", "_:b", "ex:", "un:x", ":",
    "<x>", "'s'", '"s"@en', "^^", "1", "-1", "1.5", ".5", "1e3", "^", "|", "/", "*", "+", "-", "!", "!=", "<",
    "<=", "=", "&&", "||", ".", ";", ",", "@en", "\\", "'",
]  # fmt: skip


def _w3c_valid(queries_only: bool = False) -> list[str]:
    """The texts of the W3C suites the exact parser accepts; only the SPARQL 1.0/1.1 queries if
    ``queries_only`` (the fast path declines updates and SPARQL 1.2's new terms)."""
    with gzip.open(GOLDEN, "rt", encoding="utf-8") as f:
        records = json.load(f)
    valid = [r for r in records if r["name"].startswith("w3c ") and "error" not in r["results"]["100"]]
    if queries_only:
        valid = [r for r in valid if r["results"]["100"]["form"] and not r["name"].startswith("w3c sparql12/")]
    return [r["text"] for r in valid]


_SEEDS = _catalogue() + _w3c_valid()


def _outcome(fn, text: str, bound: int):
    try:
        return fn(text, bound)
    except AnalysisError as exc:
        return type(exc).__name__, exc.message, exc.line, exc.column


def _same(text: str, bound: int = 100) -> None:
    assert _outcome(analysis._analyse, text, bound) == _outcome(analyse_exactly, text, bound), text


@st.composite
def _token_mutation(draw, text: str) -> str:
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(text)))
        if draw(st.booleans()):
            text = text[:i] + draw(st.sampled_from(_TOKENS)) + text[i:]
        else:
            text = text[:i] + text[i + draw(st.integers(1, 6)) :]
    return text


@FUZZ
@given(data=st.data())
def test_generated_queries_are_analysed_as_the_exact_parser_does(data):
    text = data.draw(queries()).replace("LISTENER", "http://127.0.0.1:9/")
    if data.draw(st.booleans()):
        text = _mutate(data.draw, text)
    _same(text)


@FUZZ
@given(data=st.data())
def test_mutated_catalogue_and_w3c_queries_are_analysed_as_the_exact_parser_does(data):
    text = data.draw(st.sampled_from(_SEEDS))
    if data.draw(st.booleans()):
        text = data.draw(_token_mutation(text))
    else:
        text = _mutate(data.draw, text)
    _same(text, data.draw(st.sampled_from([100, 100, 5, 2])))


@settings(FUZZ, max_examples=max(TOTAL // 8, 20))
@given(data=st.data())
def test_mutated_attacks_are_analysed_as_the_exact_parser_does(data):
    seeds = service_attacks("http://127.0.0.1:9/") + [HIDDEN_FROM] + VALID_REFUSED_BEFORE
    _same(data.draw(_token_mutation(data.draw(st.sampled_from(seeds)))))


def test_the_fast_path_reads_the_catalogue_and_the_valid_w3c_queries():
    assert all(fastparse.parse(text, 100) is not None for text in _catalogue())
    w3c = _w3c_valid(queries_only=True)
    declined = [text for text in w3c if fastparse.parse(text, 100) is None]
    assert len(w3c) > 750
    assert len(declined) == 1 and "?x<?a&&?b>?y" in declined[0]  # '<?a&&?b>' reads as an IRI here
