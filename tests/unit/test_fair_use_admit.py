"""``Budget.admit``: the budget check and the start of a request's accounting under one hold of
the lock the HTTP workers share (the worker's direct answers in a thread). It must refuse
exactly when ``retry_after`` would, begin exactly what ``begin`` would, and begin nothing when
it refuses."""

from __future__ import annotations

from narcokg.web import fairuse


def spent(budget: fairuse.Budget, client: str, seconds: float) -> None:
    """``client`` ran a request of ``seconds`` (the end of a begun request, back-dated)."""
    token = budget.begin(client)
    budget.end(fairuse.Running(token.keys, token.started - seconds))


def test_a_client_with_budget_is_admitted_and_its_request_counts_while_it_runs():
    budget = fairuse.Budget(1.0, 60.0)
    spent(budget, "c", 0.9)
    running = budget.admit("c")
    assert isinstance(running, fairuse.Running)
    # Back-date the admitted request: 0.2 s running on top of 0.9 s spent is past the budget.
    budget.end(fairuse.Running(running.keys, running.started - 0.2))
    assert budget.retry_after("c") is not None


def test_a_client_past_its_budget_is_told_when_to_retry_and_nothing_is_begun():
    budget = fairuse.Budget(1.0, 60.0)
    spent(budget, "c", 1.0)
    wait = budget.admit("c")
    assert isinstance(wait, int) and 1 <= wait <= 60
    assert wait == budget.retry_after("c")
    assert _running(budget, "c") == 0  # nothing registered: a refused request never ends


def _running(budget: fairuse.Budget, client: str) -> float:
    """The requests of ``client`` registered as running, read from its slot in the shared table."""
    idx = budget._find(budget._key(client), 0.0, create=False)
    return fairuse._SLOT.unpack_from(budget._mem, idx * fairuse._SLOT.size)[3]


def test_every_client_charged_must_have_budget_and_a_proxy_gets_its_factor():
    budget = fairuse.Budget(1.0, 60.0)
    for i in range(12):  # twelve clients behind one proxy, 0.1 s each: the proxy spent 1.2 s
        token = budget.begin(f"10.0.0.{i}", "proxy 127.0.0.1")
        budget.end(fairuse.Running(token.keys, token.started - 0.1))
    assert isinstance(budget.admit("10.0.0.99", "proxy 127.0.0.1", scale=(1.0, 1.0)), int)
    assert isinstance(budget.admit("10.0.0.99", "proxy 127.0.0.1", scale=(1.0, 10.0)), fairuse.Running)


def test_a_disabled_budget_admits_everyone_without_accounting():
    assert fairuse.Budget(0.0, 60.0).admit("c") is None


def test_requests_sent_at_once_hold_the_time_limit_each_until_they_end():
    """Budget 5 s, time limit 2 s: three requests at once may run (they could cost 6 s), the
    fourth waits for one of them, at most the time limit. Before, every request sent at once was
    admitted: nothing was spent yet when each was checked."""
    budget = fairuse.Budget(5.0, 30.0, reserve=2.0)
    running = [budget.admit("c") for _ in range(3)]
    assert all(isinstance(r, fairuse.Running) for r in running)
    wait = budget.admit("c")
    assert isinstance(wait, int) and 1 <= wait <= 2
    assert budget.retry_after("c") == wait
    assert budget.admit("other client") is not None and not isinstance(budget.admit("other client"), int)
    budget.end(fairuse.Running(running[0].keys, running[0].started - 0.1))  # a cheap one ends
    assert isinstance(budget.admit("c"), fairuse.Running)


def test_a_client_one_request_at_a_time_may_spend_its_whole_budget():
    budget = fairuse.Budget(5.0, 30.0, reserve=2.0)
    spent(budget, "c", 4.5)  # less than the time limit left: still admitted, as without reserve
    assert isinstance(budget.admit("c"), fairuse.Running)


def test_the_time_a_request_waited_for_a_query_process_is_not_charged():
    budget = fairuse.Budget(1.0, 60.0)
    token = budget.begin("c")
    charged = budget.end(fairuse.Running(token.keys, token.started - 3.0), waited=2.9)
    assert 0.09 < charged < 0.2  # its own 0.1 s, not the 2.9 s it was queued
    assert budget.retry_after("c") is None
