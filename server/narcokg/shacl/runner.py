"""Validate client data in a child process that can be killed.

pySHACL has no timeout and client data can be made expensive, so each validation runs in
its own process (forked from a forkserver that has already imported rdflib and pySHACL),
under a wall-clock limit (``settings.validate_timeout``) and an address-space cap
(``settings.query_memory_mb``). Past the limit the child is killed and the caller gets
``Overloaded``; the web process itself never runs client validation.

The child closes its network in the kernel first (``sandbox``: whatever the data names, no
socket can be opened), then parses (``safeparse``) and validates with ``validation_service.validate_graph``,
the function behind ``narcokg validate``, so both always give the same verdict.

The knowledge graph's own report (GET /shacl) is summarised in such a child too (``built``), so
that the web process, which imports this module, never loads rdflib: every module that needs
rdflib is imported inside a child's entry point, and what comes back is plain data
(``results``).
"""

from __future__ import annotations

import logging
import multiprocessing
import threading

from narcokg.config import Settings
from narcokg.shacl.results import BuiltReport, Outcome, Result
from narcokg import errors

_CTX = multiprocessing.get_context("forkserver")
_CTX.set_forkserver_preload(["narcokg.shacl.runner", "narcokg.shacl.service", "narcokg.shacl.built", "pyshacl"])

__all__ = ["BuiltReport", "Outcome", "Overloaded", "Result", "Unparseable", "Unvalidatable", "built_report", "run"]

#: Wall-clock limit of summarising the knowledge graph's own report (small, and ours: the limit
#: on a client's validation does not apply).
REPORT_TIMEOUT = 120.0

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
    late = f"validation took longer than the limit of {settings.validate_timeout:g} s and was stopped: send less data"
    kind, payload = _in_child(_child, (data, fmt, settings, rdf_format), settings.validate_timeout, late)
    if kind == "ok":
        return payload
    if kind == "parse":
        message, line, column = payload if isinstance(payload, tuple) else (payload, None, None)
        raise Unparseable(message, line=line, column=column)
    if kind == "invalid":
        raise Unvalidatable(payload)
    raise Overloaded(payload)


def built_report(report_quads, shapes_quads, label_quads, settings: Settings, formats: tuple[str, ...]) -> BuiltReport:
    """The knowledge graph's own report as plain data (``built.summarise``), made in a child
    process so that the web process never loads rdflib; quads are pyoxigraph's (they pickle)."""
    args = (list(report_quads), list(shapes_quads), list(label_quads), settings, formats)
    kind, payload = _in_child(_report_child, args, REPORT_TIMEOUT, "summarising the validation report took too long")
    if kind != "ok":
        raise Overloaded(payload)
    return payload


def _in_child(target, args: tuple, timeout: float, late: str) -> tuple[str, object]:
    """Run ``target(conn, *args)`` in a child process; its one message (kind, payload), or
    Overloaded if it cannot start, takes longer than ``timeout`` seconds (``late`` says so) or dies."""
    receiver, sender = _CTX.Pipe(duplex=False)
    proc = _CTX.Process(target=target, args=(sender, *args), name="narcokg-validate", daemon=True)
    try:
        proc.start()
    except OSError:
        sender.close()
        receiver.close()
        raise Overloaded("cannot start a validation process now: retry shortly", retry_after=5) from None
    sender.close()
    try:
        if not receiver.poll(timeout):
            raise Overloaded(late)
        try:
            return receiver.recv()
        except (EOFError, OSError):
            raise Overloaded("the validation process died (out of memory?): send less data") from None
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join()
        receiver.close()


def _report_child(conn, report_quads, shapes_quads, label_quads, settings: Settings, formats) -> None:
    """Entry point of the child that summarises the knowledge graph's own report (no client data:
    no sandbox). rdflib is imported here, in the child, never in the web process."""
    from narcokg.shacl import built

    _limit_memory(settings.process_memory_mb)
    try:
        conn.send(("ok", built.summarise(report_quads, shapes_quads, label_quads, settings, formats)))
    except MemoryError:
        conn.send(("limit", "summarising the validation report needed more than the memory limit"))
    except Exception as exc:
        logging.getLogger("narcokg.shacl.runner").exception("summarising the validation report failed")
        conn.send(("invalid", f"the validation report could not be read ({exc.__class__.__name__})"))
    finally:
        conn.close()


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
    # An ill-typed literal ("x"^^xsd:integer) is client data, not a fault, and SHACL reports it
    # (sh:datatype): rdflib logs each with a traceback, so one request could fill the log.
    logging.getLogger("rdflib.term").setLevel(logging.ERROR)
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
        labels = report_view.english_labels(
            graph, {r.focus for r in report.results} | {r.value for r in report.results if r.value and "://" in r.value}
        )
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
