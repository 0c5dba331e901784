"""Choosing the engine ``narcokg serve`` stands on when ``settings.engine`` names a remote one:
a SPARQL endpoint by URL, or ``oxigraph:DIR`` (Oxigraph server, loaded and supervised here, with
bounded queries read from DIR in this process: ``engine.supervised``).

Like the embedded engine, a remote one holds the data with the IRIs the server publishes: an
Oxigraph store is loaded from the served N-Quads (``data.served_nquads``), and a store loaded
elsewhere must have been loaded for the same public base (``narcokg load --public-base URL``);
its named graphs say which base it holds, and serving refuses a mismatch.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from narcokg.config import Settings
from narcokg.engine import data, oxigraph_server
from narcokg.errors import NarcokgError
from narcokg.engine.remote import DIALECTS, RemoteEngine
from narcokg.engine.supervised import SupervisedOxigraph


class EngineError(Exception):
    """The engine cannot be used: a message for the person starting the server."""


def remote(settings: Settings, say: Callable[[str], None]):
    """(engine, supervisor or None) for ``settings.engine``; raises EngineError."""
    supervisor = None
    if settings.engine.startswith("oxigraph:"):
        location = Path(settings.engine[len("oxigraph:") :])
        if not str(location):
            raise EngineError("--engine oxigraph:DIR needs the folder of the Oxigraph store after the colon")
        try:
            nquads = data.served_nquads(settings)
            oxigraph_server.load(nquads, location, lambda m: say(f"engine: {m}"))
            supervisor = oxigraph_server.OxigraphServer(
                location, timeout_s=settings.query_timeout + 1, quarantine=settings.engine_crash_quarantine_seconds
            ).start()
        except (OSError, RuntimeError) as exc:
            raise EngineError(f"cannot start Oxigraph server on {location.name}: {exc}") from None
        engine = SupervisedOxigraph(
            settings,
            supervisor.url,
            location,
            size=oxigraph_server.quads(location),
            abandoned=supervisor.abandoned,
            nquads=nquads if data.fits_in_memory(nquads, settings) else None,
            crashes=supervisor.crashes,
            quarantined=supervisor.quarantined,
        )
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
    problem = _base_mismatch(engine, graphs, settings)
    if problem:
        if supervisor is not None:
            supervisor.stop()
        raise EngineError(f"the engine at {settings.engine} {problem}")
    say(f"engine: {engine.where} with {len(graphs)} named graphs")
    engine.close()  # connections are made again in each HTTP worker, after the fork
    return engine, supervisor


def _base_mismatch(engine: RemoteEngine, graphs: list[str], settings: Settings) -> str | None:
    """Why the engine does not hold the snapshot under the base this server publishes, or None.

    The snapshot's named graphs are ``BASE graph/…``: a store loaded for another base holds none
    under the served one. An endpoint that lists only ours (Virtuoso) is asked about the canonical
    base directly."""
    served = settings.served_base + "graph/"
    if any(g.startswith(served) for g in graphs):
        return None
    canonical = settings.base + "graph/"
    if settings.served_base != settings.base and _has_graph_under(engine, canonical):
        return (
            f"holds the snapshot with its canonical IRIs ({settings.base}), not under the public base "
            f"{settings.served_base}: load it with `narcokg load --public-base {settings.served_base}`, "
            "or serve without --public-base"
        )
    # Other graphs in an Oxigraph store are a load for another base; Virtuoso and a generic
    # endpoint hold graphs of their own.
    if not graphs and not (engine.dialect == "oxigraph" and engine.other_graphs()):
        return "holds none of the snapshot's named graphs: load it first"
    return (
        f"holds no named graph under {served} (its data was loaded for another base): load it again "
        "with `narcokg load` and the same --public-base as serve"
    )


def _has_graph_under(engine: RemoteEngine, prefix: str) -> bool:
    text = prefix.replace("\\", "\\\\").replace('"', '\\"')
    query = f'SELECT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), "{text}")) }} LIMIT 1'
    try:
        return bool(engine.select(query))
    except NarcokgError:
        return False
