"""A query's outcome passed from the worker's direct answer in a thread to the app in the same
thread, so that a query is never run twice.

Why: a direct answer made in a thread (``web.direct``) runs the query first and only then knows
whether it can write the answer itself. When it cannot (the query failed, or the app would
compress the answer), the request goes to the app, which would run the query again: a timed-out
query would take the time limit twice. Instead the thread leaves the outcome here, keyed by the
job's digest, and the app's ``run_query`` takes it for that job only. The thread clears what
is left once the app has answered (``clear``), so nothing outlives its request.
"""

from __future__ import annotations

import threading

_here = threading.local()


def give(key: bytes, outcome) -> None:
    """Leave ``outcome`` (an ``Answer`` or a ``NarcokgError``) for this thread's next request."""
    _here.left = (key, outcome)


def pending() -> bool:
    """Whether an outcome waits in this thread (``take`` then needs the job's digest)."""
    return getattr(_here, "left", None) is not None


def take(key: bytes):
    """The outcome left for the job of digest ``key`` in this thread, once; None otherwise."""
    left = getattr(_here, "left", None)
    if left is None:
        return None
    _here.left = None
    return left[1] if left[0] == key else None


def clear() -> None:
    _here.left = None
