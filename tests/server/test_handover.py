"""The outcome a worker's direct answer hands to the app (``web/handover.py``) answers that very
job only: it spares the client's fair-use check for the query already run and charged, and
for nothing else. The app is called in this thread (Flask's test client), where the hand-over
lives; the HTTP side is tests/server/test_direct_answers.py."""

from __future__ import annotations

import pytest

from narcokg import errors
from narcokg.engine.base import Answer
from narcokg.engine.syntax import analyse
from narcokg.web import handover
from narcokg.web import sparql as sparqlview
from narcokg.web.app import create_app

JSON = "application/sparql-results+json"
LOOKUP = "SELECT ?p ?o WHERE { <https://w3id.org/narcokg/id/state/IDN> ?p ?o } LIMIT 2"


@pytest.fixture
def spent(settings):
    """The app, with the test client's address past its fair-use budget."""
    app = create_app(settings.with_overrides(client_budget_seconds=1.0))
    app.extensions["narcokg.web.fairuse"].charge("127.0.0.1", 60.0)
    yield app
    handover.clear()


def _key(app, query: str) -> bytes:
    return sparqlview.query_job(app.config["NARCOKG"], query, analyse(query), "json", [], []).key()


def test_the_outcome_of_this_job_is_answered_although_the_budget_is_spent(spent):
    handover.give(_key(spent, LOOKUP), Answer("solutions", b'{"handed":"over"}', 1, 0.5, "query process"))
    resp = spent.test_client().get("/sparql", query_string={"query": LOOKUP}, headers={"Accept": JSON})
    assert resp.status_code == 200 and resp.data == b'{"handed":"over"}'


def test_a_handed_failure_is_the_answer(spent):
    failure = errors.LimitExceeded("stopped at the time limit", limit="query_timeout", seconds=1.0)
    handover.give(_key(spent, LOOKUP), failure)
    resp = spent.test_client().get("/sparql", query_string={"query": LOOKUP}, headers={"Accept": JSON})
    assert resp.status_code == 422 and "time limit" in resp.get_data(as_text=True)


def test_an_outcome_for_another_job_spares_no_check(spent):
    """A hand-over that does not match the app's job (another query) must not let the app run
    the query past the budget."""
    handover.give(_key(spent, LOOKUP.replace("LIMIT 2", "LIMIT 3")), errors.QueryRejected("not this job"))
    resp = spent.test_client().get("/sparql", query_string={"query": LOOKUP}, headers={"Accept": JSON})
    assert resp.status_code == 429 and "fair use" in resp.get_data(as_text=True)
