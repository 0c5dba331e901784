"""Validate client data in a child process that can be killed.

pySHACL has no timeout and client data can be made expensive, so each validation runs in
its own process (forked from a forkserver that has already imported rdflib and pySHACL),
under a wall-clock limit (``settings.validate_timeout``) and an address-space cap
(``settings.query_memory_mb``). Past the limit the child is killed and the caller gets
``Overloaded``; the web process itself never runs client validation.

The child closes its network in the kernel first (``sandbox``: whatever the data names, no
socket can be opened), then parses (``safeparse``) and validates with ``validation_service.validate_graph``,
the function behind ``narcokg validate``, so both always give the same verdict.
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
from dataclasses import dataclass, field

from narcokg.config import Settings
from narcokg.shacl.validate import Result
from narcokg import errors

_CTX = multiprocessing.get_context("forkserver")
_CTX.set_forkserver_preload(["narcokg.shacl.runner", "narcokg.shacl.service", "pyshacl"])

_slots_lock = threading.Lock()
_slots: dict[int, threading.BoundedSemaphore] = {}


class ValidationFailed(errors.NarcokgError):
    """Base of the failures a caller turns into an HTTP error."""


class Unparseable(ValidationFailed, errors.SourceError):
    """The data does not parse; the message names the line where known, and ``line`` and
    ``column`` (1-based) say where, for a page that marks the place in the data."""

    def __init__(self, message: str, *, line: int | None = None, column: int | None = None, **kw):
        super().__init__(message, **kw)
        self.line, self.column = line, column


class Unvalidatable(ValidationFailed, errors.LimitExceeded):
    """The data parses but the validator failed on it (logged in the child with its traceback)."""


class Overloaded(ValidationFailed, errors.Busy):
    """The validation hit a limit (time, memory, concurrency) or its process died."""


@dataclass
class Outcome:
    conforms: bool
    results: list[Result]
    #: source shape (as in ``Result.source_shape``) → readable name, e.g. "shape:State › rdfs:label".
    shape_names: dict[str, str] = field(default_factory=dict)
    #: the report serialized in the format asked for (None when none was asked).
    rdf: bytes | None = None
    triples: int = 0
    #: focus node → its English label in the client's data, for display.
    labels: dict[str, str] = field(default_factory=dict)
    #: the shapes' names in Indonesian (their ``@id`` labels, else as in ``shape_names``).
    shape_names_id: dict[str, str] = field(default_factory=dict)

    def names_in(self, lang: str) -> dict[str, str]:
        return self.shape_names_id if lang == "id" and self.shape_names_id else self.shape_names


def _slot(settings: Settings) -> threading.BoundedSemaphore:
    with _slots_lock:
        return _slots.setdefault(settings.validate_workers, threading.BoundedSemaphore(settings.validate_workers))


def run(data: bytes, fmt: str, settings: Settings, rdf_format: str | None = None) -> Outcome:
    """Parse and validate ``data`` (rdflib format ``fmt``) in a killable child process."""
    slot = _slot(settings)
    if not slot.acquire(blocking=False):
        raise Overloaded(
            f"the validation service is busy ({settings.validate_workers} validations running): retry shortly",
            retry_after=5,
        )
    try:
        return _run_in_child(data, fmt, settings, rdf_format)
    finally:
        slot.release()


def _run_in_child(data: bytes, fmt: str, settings: Settings, rdf_format: str | None) -> Outcome:
    receiver, sender = _CTX.Pipe(duplex=False)
    proc = _CTX.Process(
        target=_child, args=(sender, data, fmt, settings, rdf_format), name="narcokg-validate", daemon=True
    )
    try:
        proc.start()
    except OSError:
        sender.close()
        receiver.close()
        raise Overloaded("cannot start a validation process now: retry shortly", retry_after=5) from None
    sender.close()
    try:
        if not receiver.poll(settings.validate_timeout):
            raise Overloaded(
                f"validation took longer than the limit of {settings.validate_timeout:g} s and was stopped: "
                "send less data"
            )
        try:
            kind, payload = receiver.recv()
        except (EOFError, OSError):
            raise Overloaded("the validation process died (out of memory?): send less data") from None
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join()
        receiver.close()
    if kind == "ok":
        return payload
    if kind == "parse":
        message, line, column = payload if isinstance(payload, tuple) else (payload, None, None)
        raise Unparseable(message, line=line, column=column)
    if kind == "invalid":
        raise Unvalidatable(payload)
    raise Overloaded(payload)


def _limit_memory(mb: int) -> None:
    if mb <= 0:
        return
    try:
        import resource

        cap = mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    except (ImportError, ValueError, OSError):
        pass  # no cap on this platform: the time limit still holds


def _child(conn, data: bytes, fmt: str, settings: Settings, rdf_format: str | None) -> None:
    """Entry point of the child: parse, validate, send ("ok"|"parse"|"invalid"|"limit", payload)."""
    from narcokg.shacl import report as report_view
    from narcokg.shacl import upload as safeparse
    from narcokg.shacl import service as validation_service
    from narcokg import sandbox

    try:
        sandbox.close_network()  # before the client's data is read (see sandbox)
    except sandbox.SandboxError as exc:
        logging.getLogger("narcokg.validate").error("validation process: %s", exc)
        conn.send(("limit", "the validation process could not be isolated from the network; validation is off"))
        conn.close()
        return
    _limit_memory(settings.process_memory_mb)
    try:
        try:
            graph = safeparse.parse(data, fmt)
        except safeparse.ParseError as exc:
            conn.send(("parse", (str(exc), exc.line, exc.column)))
            return
        del data
        report = validation_service.validate_graph(graph, settings)
        shapes_graph, _ = validation_service.project_graphs(settings)
        sources = {r.source_shape for r in report.results}
        names = report_view.shape_names(shapes_graph, report.graph, sources, settings)
        names_id = report_view.shape_names(shapes_graph, report.graph, sources, settings, lang="id")
        rdf = None
        if rdf_format:
            out = report_view.rebase(report.graph, settings)
            report_view.bind_prefixes(out, settings)
            rdf = out.serialize(format=rdf_format, encoding="utf-8")
        labels = report_view.english_labels(graph, {r.focus for r in report.results})
        conn.send(("ok", Outcome(report.conforms, report.results, names, rdf, len(report.graph), labels, names_id)))
    except MemoryError:
        conn.send(
            (
                "limit",
                f"validation needed more than the memory limit of {settings.process_memory_mb} MiB: send less data",
            )
        )
    except RecursionError:
        conn.send(("parse", "data nested too deeply to validate"))
    except Exception as exc:  # the validator failed on this data: say so, keep the details in the log
        logging.getLogger("narcokg.shacl.runner").exception("validation of client data failed")
        conn.send(("invalid", f"the validator could not process this data ({exc.__class__.__name__})"))
    finally:
        conn.close()
