"""Choosing the engine ``narcokg serve`` stands on when ``settings.engine`` names a remote one:
a SPARQL endpoint by URL, or ``oxigraph:DIR`` (Oxigraph server, loaded and supervised here).
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from narcokg.config import Settings
from narcokg.engine import oxigraph_server
from narcokg.errors import NarcokgError
from narcokg.engine.remote import DIALECTS, RemoteEngine


class EngineError(Exception):
    """The engine cannot be used: a message for the person starting the server."""


def remote(settings: Settings, say: Callable[[str], None]):
    """(engine, supervisor or None) for ``settings.engine``; raises EngineError."""
    if settings.public_base and settings.public_base != settings.base:
        raise EngineError(
            "--public-base is served by the embedded engine only; a remote engine answers "
            "with the snapshot's canonical IRIs"
        )
    supervisor = None
    if settings.engine.startswith("oxigraph:"):
        location = Path(settings.engine[len("oxigraph:") :])
        if not str(location):
            raise EngineError("--engine oxigraph:DIR needs the folder of the Oxigraph store after the colon")
        try:
            oxigraph_server.load(settings.nquads, location, lambda m: say(f"engine: {m}"))
            supervisor = oxigraph_server.OxigraphServer(location, timeout_s=settings.query_timeout + 1).start()
        except (OSError, RuntimeError) as exc:
            raise EngineError(f"cannot start Oxigraph server on {location.name}: {exc}") from None
        engine = RemoteEngine(settings, supervisor.url, "oxigraph")
    else:
        if settings.engine_dialect not in DIALECTS:
            raise EngineError(f"unknown --engine-dialect {settings.engine_dialect!r}: use one of {', '.join(DIALECTS)}")
        try:
            engine = RemoteEngine(settings, settings.engine, settings.engine_dialect)
        except ValueError as exc:
            raise EngineError(str(exc)) from None
    try:
        graphs = engine.graphs()
    except NarcokgError as exc:
        if supervisor is not None:
            supervisor.stop()
        raise EngineError(f"the engine at {settings.engine} does not answer: {exc.message}") from None
    if not graphs:
        if supervisor is not None:
            supervisor.stop()
        raise EngineError(f"the engine at {settings.engine} holds none of the snapshot's named graphs: load it first")
    say(f"engine: {engine.where} with {len(graphs)} named graphs")
    engine.close()  # connections are made again in each HTTP worker, after the fork
    return engine, supervisor
