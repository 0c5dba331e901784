"""What a query process's failure means for the client: its answer when it reports an error
(``refusal``), and the cause of its death read from its exit status and last words (``crash``)."""

from __future__ import annotations

import re
import signal

from narcokg import errors
from narcokg.config import Settings


def _memory_failure(settings: Settings) -> errors.NarcokgError:
    mb = settings.process_memory_mb
    return errors.LimitExceeded(
        f"The query was stopped at the memory limit of {mb} MiB per query process (query_memory_mb and "
        "memory_budget_mb, NARCOKG_QUERY_MEMORY_MB / NARCOKG_MEMORY_BUDGET_MB). Make it more selective "
        "(fewer cross products, no ORDER BY over large intermediate results) and try again.",
        limit="query_memory_mb",
    )


def crash(status: int | None, stderr_tail: str, settings: Settings) -> errors.NarcokgError:
    """What to tell the client when the query process died while running its query.

    The exit status and the process's last words name the cause: a failed allocation (the
    memory cap), a panic of the engine (a bug the query triggers: the client's query cannot be
    answered, retrying will not help), a segmentation fault (in practice a stack overflow on a
    deeply nested query). Only a death with no such cause is the server's fault (503).
    """
    panic = re.search(r"panicked at [^\n]*\n([^\n]+)", stderr_tail)
    if "memory allocation of" in stderr_tail or "MemoryError" in stderr_tail:
        return _memory_failure(settings)
    if panic:
        return errors.LimitExceeded(
            f"The query engine failed on this query with an internal error ({panic.group(1).strip()[:200]}). "
            "This is a defect of the engine that this query triggers, not a limit: retrying will not help; "
            "rephrase the query (e.g. ORDER BY over values of mixed kinds can trigger it).",
            limit="engine_error",
        )
    if status == -signal.SIGSEGV:
        return errors.LimitExceeded(
            "The query crashed the query engine (segmentation fault, usually a stack overflow from very deep "
            "nesting). Simplify the query's nesting and try again.",
            limit="engine_crash",
        )
    if status == -signal.SIGABRT:
        return errors.LimitExceeded(
            "The query engine aborted while running this query; simplify the query.", limit="engine_crash"
        )
    return errors.Busy(
        "The query process stopped unexpectedly while running this query; it has been replaced. Try again shortly.",
        retry_after=1,
    )


def refusal(header: dict, settings: Settings) -> errors.NarcokgError:
    """The client's error for a query process's answer that is not ``ok``."""
    error = header.get("error")
    message = header.get("message", "")
    if error == "syntax":
        return errors.QuerySyntaxError(f"Malformed query: {message}", parser_message=message)
    if error == "rows":
        limit = header.get("limit")
        return errors.LimitExceeded(
            f"The answer is too large: {message}; the limit is {limit} (max_rows, NARCOKG_MAX_ROWS). "
            "Add a LIMIT or make the query more selective.",
            limit="max_rows",
        )
    if error == "bytes":  # only a job with ``max_bytes`` asks for this (its caller declines)
        return errors.LimitExceeded(f"The answer is too large to be made here: {message}.", limit="max_bytes")
    if error == "memory":
        return _memory_failure(settings)
    if error == "format":
        return errors.NotAcceptable(message)
    if error == "network":  # the sandbox refused a socket: a fixed text (no port-scan oracle)
        return errors.QueryRejected(message)
    # Well-formed, but the engine cannot evaluate it (e.g. an unsupported custom function).
    return errors.LimitExceeded(f"The query is well-formed but could not be evaluated: {message}", limit="evaluation")
