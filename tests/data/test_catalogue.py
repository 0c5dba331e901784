"""The query catalogue: every competency question in queries/ answers what its expected file says.

Each ``queries/NN-name.rq`` runs on the session build with the endpoint's semantics (default graph
= union of all named graphs) and its SPARQL TSV result is compared with
``queries/NN-name.expected.tsv``, term by term on the TSV text: as a list when the query has an
ORDER BY, as a multiset otherwise. ASK queries expect a file holding ``true`` or ``false``.
The expected answers were derived by hand from the source documents, so a failure means the
query, the expectation or the data disagrees with the sources.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from catalogue_helpers import (
    KNOWN_DATA_DEFECTS,
    MAX_ROWS,
    NAME,
    QUERIES,
    QUERY_FILES,
    Table,
    differences,
    expected_path,
    header_comments,
    is_ordered,
    parse_tsv,
    question,
)


def run(store: ox.Store, sparql: str) -> bool | Table:
    result = store.query(sparql, use_default_graph_as_union=True)
    if isinstance(result, ox.QueryBoolean):
        return bool(result)
    if isinstance(result, ox.QuerySolutions):
        return parse_tsv(result.serialize(format=ox.QueryResultsFormat.TSV).decode("utf-8"))
    raise AssertionError("the catalogue holds only SELECT and ASK queries")


@pytest.fixture(scope="module")
def store(built) -> ox.Store:
    """The session build's N-Quads, loaded as the endpoint loads them."""
    s = ox.Store()
    s.bulk_load(path=str(built.out_dir / "narcokg.nq"), format=ox.RdfFormat.N_QUADS)
    return s


# The catalogue as a whole ---------------------------------------------------------------


def test_catalogue_has_at_least_thirty_questions():
    assert len(QUERY_FILES) >= 30, f"only {len(QUERY_FILES)} queries in queries/"


def test_files_are_numbered_once_each_from_01():
    numbers = []
    for rq in QUERY_FILES:
        m = NAME.match(rq.name)
        assert m, f"{rq.name}: name is not NN-short-name.rq"
        numbers.append(int(m.group(1)))
    assert numbers == list(range(1, len(numbers) + 1))


@pytest.mark.parametrize("rq", QUERY_FILES, ids=lambda p: p.stem)
def test_query_opens_with_its_question_and_has_an_expected_answer(rq: Path):
    text = rq.read_text(encoding="utf-8")
    assert question(text), f"{rq.name}: first line must be '# Question: <the question>'"
    for line in header_comments(text)[1:]:
        assert line.startswith(("# Pertanyaan:", "# Note:", "# Performance:", "#   ")), (
            f"{rq.name}: unexpected header line {line!r}"
        )
    assert expected_path(rq).is_file(), f"{rq.name}: no {expected_path(rq).name}"


@pytest.mark.parametrize("rq", QUERY_FILES, ids=lambda p: p.stem)
def test_question_is_also_asked_in_indonesian(rq: Path):
    """The page in Indonesian shows the question in Indonesian (issue 15: complete Indonesian)."""
    lines = header_comments(rq.read_text(encoding="utf-8"))
    asked = [line for line in lines if line.startswith("# Pertanyaan:")]
    assert len(asked) == 1 and len(asked[0]) > len("# Pertanyaan: ") + 10, f"{rq.name}: no '# Pertanyaan:' line"


def test_questions_are_distinct():
    texts = [question(rq.read_text(encoding="utf-8")) for rq in QUERY_FILES]
    assert len(set(texts)) == len(texts)


def test_known_defects_name_existing_queries():
    assert set(KNOWN_DATA_DEFECTS) <= {rq.stem for rq in QUERY_FILES}


def test_no_expected_file_without_its_query():
    orphans = [
        p.name
        for p in QUERIES.glob("*.expected.tsv")
        if not p.with_name(p.name[: -len(".expected.tsv")] + ".rq").is_file()
    ]
    assert orphans == []


# Each question against the build ------------------------------------------------------


def _with_known_defects(files: list[Path]) -> list:
    return [
        pytest.param(rq, marks=pytest.mark.xfail(reason=KNOWN_DATA_DEFECTS[rq.stem], strict=True))
        if rq.stem in KNOWN_DATA_DEFECTS
        else rq
        for rq in files
    ]


@pytest.mark.parametrize("rq", _with_known_defects(QUERY_FILES), ids=lambda p: p.stem)
def test_query_answers_as_expected(rq: Path, store: ox.Store):
    text = rq.read_text(encoding="utf-8")
    expected_text = expected_path(rq).read_text(encoding="utf-8")
    actual = run(store, text)
    if isinstance(actual, bool):
        assert expected_text.strip() in ("true", "false"), f"{rq.name} is an ASK: expected file must say true or false"
        assert actual == (expected_text.strip() == "true"), f"{rq.name}: ASK answered {str(actual).lower()}"
        return
    expected = parse_tsv(expected_text)
    assert len(expected.rows) <= MAX_ROWS, f"{rq.name}: keep answers small (≤ {MAX_ROWS} rows)"
    assert expected.rows, f"{rq.name}: an empty expected answer cannot tell a broken query from a right one"
    problems = differences(expected, actual, ordered=is_ordered(text))
    assert not problems, f"{rq.name}:\n  " + "\n  ".join(problems)


# The comparison itself can fail --------------------------------------------------------


def _sample() -> Table:
    return Table(("?a", "?n"), (("<x>", "1"), ("<y>", "2"), ("<y>", "2")))


def test_comparison_accepts_the_same_rows_in_another_order_without_order_by():
    reordered = Table(_sample().header, tuple(reversed(_sample().rows)))
    assert differences(_sample(), reordered, ordered=False) == []


def test_comparison_rejects_another_order_with_order_by():
    reordered = Table(_sample().header, tuple(reversed(_sample().rows)))
    assert differences(_sample(), reordered, ordered=True)


@pytest.mark.parametrize(
    "rows",
    [
        (("<x>", "1"), ("<y>", "2")),  # a duplicate row lost
        (("<x>", "1"), ("<y>", "2"), ("<y>", "2"), ("<z>", "3")),  # a row too many
        (("<x>", "1"), ("<y>", '"2"'), ("<y>", "2")),  # same value, other term text
    ],
)
def test_comparison_rejects_a_wrong_multiset(rows):
    assert differences(_sample(), Table(_sample().header, rows), ordered=False)


def test_comparison_rejects_other_variables():
    assert differences(_sample(), Table(("?a", "?m"), _sample().rows), ordered=False)


def test_order_by_in_a_comment_does_not_make_a_query_ordered():
    assert not is_ordered("# Note: no ORDER BY here\nSELECT * WHERE { ?s ?p ?o }")
    assert is_ordered("SELECT * WHERE { ?s ?p ?o }\norder  by ?s")


def test_a_wrong_expectation_fails_on_the_real_build(store: ox.Store):
    """Alter one expected answer and check that the comparison notices."""
    rq = next(p for p in QUERY_FILES if isinstance(run(store, p.read_text(encoding="utf-8")), Table))
    text = rq.read_text(encoding="utf-8")
    expected = parse_tsv(expected_path(rq).read_text(encoding="utf-8"))
    first = expected.rows[0]
    altered = Table(expected.header, ((first[0] + "x",) + first[1:],) + expected.rows[1:])
    actual = run(store, text)
    assert differences(expected, actual, ordered=is_ordered(text)) == []
    assert differences(altered, actual, ordered=is_ordered(text))
