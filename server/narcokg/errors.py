"""Every failure narcokg reports, as one tree under :class:`NarcokgError`.

The exceptions say what went wrong in the terms of the request, the data and the limits, never
in HTTP terms: the web room maps each class to a status in one table (``narcokg.web.errors``),
the CLI to an exit status. ``message`` is written for the person who sent the input: what is
wrong, where, and how to fix it.
"""

from __future__ import annotations


class NarcokgError(Exception):
    """The base of every error narcokg raises on purpose."""

    def __init__(self, message: str, *, retry_after: int | None = None, limit: str | None = None, seconds: float = 0.0):
        super().__init__(message)
        self.message = message
        #: Seconds after which the same request may succeed (capacity, fair use), if any.
        self.retry_after = retry_after
        #: The name of the setting whose limit was reached (``query_timeout``, ``max_rows`` …).
        self.limit = limit
        #: Query time spent before the failure (charged to the client's fair-use budget).
        self.seconds = seconds


# The sources and the data sent ------------------------------------------------------------


class SourceError(NarcokgError):
    """RDF that does not parse or is refused (a source file or an upload); the message names the
    file and, where known, the line."""


class InconsistencyError(NarcokgError):
    """OWL RL reasoning found the ontology and data inconsistent."""


# The request as sent ---------------------------------------------------------------------------


class RequestError(NarcokgError):
    """The request cannot be answered as sent (a parameter, a header, the query text)."""


class QueryRejected(RequestError):
    """The query text is refused before it runs: malformed, too deep, an update, SERVICE …"""


class QuerySyntaxError(QueryRejected):
    """The query text does not parse; ``line``/``column`` (1-based, 0 when unknown) and the
    parser's own message say where."""

    def __init__(self, message: str, line: int = 0, column: int = 0, parser_message: str | None = None):
        super().__init__(message)
        self.line = line
        self.column = column
        self.parser_message = parser_message


class ReadOnly(RequestError):
    """An update was sent to a read-only service."""


class TooLarge(RequestError):
    """The request (its body or query) is larger than a configured limit."""


class UnsupportedMediaType(RequestError):
    """The request body's media type or character set is not one the service reads."""


class NotAcceptable(RequestError):
    """No format the answer can take fits the request's Accept header or format parameter."""

    def __init__(self, message: str, offered: list[str] | tuple[str, ...] = ()):
        super().__init__(message)
        self.offered = list(offered)


class NotFound(RequestError):
    """Nothing is at the address asked for."""


# Limits and capacity --------------------------------------------------------------------------


class LimitExceeded(NarcokgError):
    """The query is valid but cannot be answered within a limit or by the engine (``limit``
    names it: ``query_timeout``, ``max_rows``, ``query_memory_mb``, ``evaluation``,
    ``engine_error``, ``engine_crash``)."""


class FairUseExceeded(NarcokgError):
    """The client has spent its query time for the current window (``retry_after`` says when)."""


class Busy(NarcokgError):
    """The server cannot take the request now (all processes busy, shutting down, a process that
    died); the same request may succeed after ``retry_after`` seconds."""


class EngineStalled(Busy):
    """A remote engine did not answer a trivial query in time either: the request failed for the
    engine's sake (stopped, hung, overloaded), not for the client's query."""


class SandboxError(NarcokgError):
    """A process could not close its network; it must not run client input."""
