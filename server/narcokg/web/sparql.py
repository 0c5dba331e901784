"""The SPARQL 1.1 Protocol endpoint (/sparql), the VoID description (/void, /.well-known/void)
and, through ``querypage``, the query page (/).

Protocol: GET ``?query=``, POST ``application/x-www-form-urlencoded`` (``query=``) and POST
``application/sparql-query``; ``default-graph-uri`` and ``named-graph-uri`` choose the dataset.
Without them (and without FROM in the query) the default graph is the union of all named
graphs. The endpoint is read-only and closed: updates get 403 (or 400 inside ``query=``),
SERVICE gets 400 before anything runs, and FROM/FROM NAMED/graph parameters only select among
the local graphs. Queries run in the killable, memory-capped processes of ``querypool``,
except bounded ones (one triple pattern with a constant term), which run here.
"""

from __future__ import annotations

import hashlib
import json
import logging
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, redirect, request

from narcokg.web import fairuse


from narcokg.web import handover, resultcache


from narcokg import snapshot

from narcokg.formats import sparql as sparqlformats

from narcokg import errors
from narcokg.config import Settings
from narcokg.engine import policy
from narcokg.engine.base import QueryJob, reset_wait, waited
from narcokg.web.context import MAX_AGE, prefers_html
from narcokg.web.sparqlparams import Params, _client_fd, choose_format, read_params
from narcokg.web.errors import respond
from narcokg.web.selfdescription import endpoint_iri, service_description
from narcokg.engine.syntax import AnalysisError, DepthError, analyse
from narcokg.engine.messages import explain
from narcokg import vocab as px
from narcokg.texts import text

log = logging.getLogger("narcokg.web.sparql")

blueprint = Blueprint("sparql", __name__)


class Malformed(errors.QueryRejected):
    """A syntax error: explained in words (``engine.messages``) for a query short enough, else the
    parser's message alone. The query page marks its position; ``in_lang`` says it on a page in
    Indonesian, as other pages' refusals are (the parser's own words stay as it wrote them)."""

    def __init__(self, explanation=None, *, message: str = "", parser_message: str = ""):
        self.explanation = explanation
        self.parser_message = parser_message
        super().__init__(self._explained("en") if explanation is not None else message)

    def _explained(self, lang: str) -> str:
        return text("sparql.malformed", lang).format(text=self.explanation.text(lang))

    def in_lang(self, lang: str) -> tuple[str, str]:
        """(the message in ``lang``, the parser's words that follow it in English)."""
        if lang == "en":
            return self.message, ""
        if self.explanation is not None:
            return self._explained(lang), ""
        return text("sparql.malformed_parser", lang), self.parser_message


#: Longest query text whose syntax error is explained in words; a longer one gets the parser's
#: own message. The explanation's lexer is superlinear on hostile text (``"`` then ``\"`` × n:
#: 0.08 s at 4 KiB, 0.83 s at 16 KiB), and it runs in the web process.
MAX_EXPLAINED = 4 * 1024


def malformed(query: str, exc: errors.QuerySyntaxError, settings: Settings) -> Malformed:
    if len(query) > MAX_EXPLAINED:
        return Malformed(message=exc.message, parser_message=exc.parser_message or exc.message)
    return Malformed(
        explain(
            query, exc.parser_message or exc.message, exc.line, exc.column, known=px.all_prefixes(settings.served_base)
        )
    )


def _settings() -> Settings:
    return current_app.config["NARCOKG"]


# Setup shared by every worker (built before gunicorn forks) ------------------------------


@blueprint.record_once
def _setup(state) -> None:
    app = state.app
    settings: Settings = app.config["NARCOKG"]
    app.extensions["narcokg.web.fairuse"] = fairuse.Budget(
        settings.client_budget_seconds, settings.client_budget_window, reserve=settings.query_timeout
    )
    app.extensions["narcokg.snapshot_tag"] = snapshot_tag(settings)


def snapshot_tag(settings: Settings) -> str:
    """A digest that changes whenever the served data may change (ETags derive from it)."""
    h = hashlib.sha256(f"{settings.base}|{settings.public_base}".encode())
    manifest = snapshot.read_manifest(settings.dist) if not settings.dump else None
    if manifest:
        h.update(json.dumps(manifest, sort_keys=True).encode())
    else:
        try:
            st = Path(settings.nquads).stat()
            h.update(f"{st.st_size}|{st.st_mtime_ns}".encode())
        except OSError:
            pass
    return h.hexdigest()


# Running a query ---------------------------------------------------------------------------


#: The analysis of a query text depends on the text alone (engine.analysis caches it).
_analyse = analyse


def _result_cache() -> resultcache.ResultCache:
    cache = current_app.extensions.get("narcokg.web.resultcache")
    if cache is None:
        cache = current_app.extensions.setdefault(
            "narcokg.web.resultcache", resultcache.ResultCache(_settings().result_cache_mb * 1024 * 1024)
        )
    return cache


def charged_clients(settings: Settings) -> tuple[tuple[str, ...], tuple[float, ...]]:
    """Whom this request's time is charged to (``fairuse.charged``)."""
    return fairuse.charged(request.remote_addr or "unknown", request.headers.getlist("X-Forwarded-For"), settings)


@contextmanager
def fair_use(settings: Settings):
    """Refuse (429) a client past its budget; otherwise charge it the time of the block."""
    budget: fairuse.Budget = current_app.extensions["narcokg.web.fairuse"]
    clients, scale = charged_clients(settings)
    wait = budget.retry_after(*clients, scale=scale)
    if wait is not None:
        refusal = errors.FairUseExceeded(
            f"fair use: this client has spent its {settings.client_budget_seconds:g} s of query time for the "
            f"current {settings.client_budget_window:g} s window (client_budget_seconds); retry in {wait} s",
            retry_after=wait,
        )
        if not handover.pending():
            raise refusal
        # The worker ran this request's query already (``handover``), after this same check, and
        # charged it: its outcome is answered, not refused for the time it took. Anything else
        # this request would run is refused (``run_query``).
        request.environ["narcokg.refused"] = refusal
    running = budget.begin(*clients)
    reset_wait()
    try:
        yield
    finally:
        budget.end(running, waited())


def check_query(query: str, settings: Settings, explained: bool = True):
    """Refuse what must never run; the query's analysis otherwise. ``explained=False``: a syntax
    error is refused without its explanation in words (the worker's direct answers only decline,
    and the explanation's lexer is the costly part on hostile text)."""
    size = len(query.encode("utf-8", "surrogatepass"))
    if size > settings.max_query_bytes:
        raise errors.TooLarge(
            f"the query has {size} bytes; at most {settings.max_query_bytes} are accepted (max_query_bytes)"
        )
    if not query.strip():
        raise errors.QueryRejected("the query is empty")
    if "\x00" in query:
        raise errors.QueryRejected("the query contains a NUL character")
    try:
        info = _analyse(query, settings.query_max_depth)
    except DepthError as exc:  # beyond the bound pyoxigraph would crash on; nothing has run
        raise errors.QueryRejected(exc.message) from None
    except AnalysisError as exc:
        # Our parser follows pyoxigraph's grammar: what it rejects, pyoxigraph rejects too.
        raise (malformed(query, exc, settings) if explained else exc) from None
    policy.refuse(info, settings)
    return info


def query_job(
    settings: Settings, query: str, info, fmt_name: str, default_graphs: list[str], named_graphs: list[str]
) -> QueryJob:
    """The job a query text becomes (also the worker's direct answers, ``web.direct``)."""
    dataset = bool(default_graphs or named_graphs)
    # Prefixes only shorten graph answers (Turtle); solutions need none.
    graph = sparqlformats.BY_NAME[fmt_name].kind == "graph"
    prefixes = {**_served_prefixes(settings.served_base), **info.prefixes} if graph else {}
    return QueryJob(
        query=query,
        format=fmt_name,
        union=not dataset and not info.dataset_clause,
        default_graph=tuple(default_graphs) if dataset else None,
        named_graphs=tuple(named_graphs) if dataset else None,
        max_rows=settings.max_rows,
        prefixes=tuple(sorted(prefixes.items())),
        # Relative IRIs in a query resolve against the endpoint's own IRI (SPARQL 1.1 Protocol).
        base_iri=endpoint_iri(settings),
        bounded=info.bounded,
    )


def run_query(query: str, info, fmt: sparqlformats.Format, default_graphs: list[str], named_graphs: list[str]):
    """Execute in the pool under the limits and the client's fair-use budget; an Answer.

    The snapshot a server answers from never changes, so an answer computed once is reused for
    the same job (query, format, dataset, limits) without crossing to a query process again.
    """
    settings = _settings()
    job = query_job(settings, query, info, fmt.name, default_graphs, named_graphs)
    cache = _result_cache()
    key = job.key() if cache.enabled or handover.pending() else b""
    cached = cache.lookup(key)
    if cached is not None:
        return cached
    try:
        # The worker's direct answer may have run this very job already in this thread.
        answer = handover.take(key) if key else None
        if isinstance(answer, errors.NarcokgError):
            raise answer
        if answer is None:
            refused = request.environ.get("narcokg.refused")
            if refused is not None:
                raise refused
            answer = current_app.extensions["narcokg.engine"].execute(job, client=_client_fd())
    except errors.QuerySyntaxError as exc:
        raise malformed(query, exc, settings) from None
    cache.store(key, answer)
    return answer


@lru_cache(maxsize=4)
def _served_prefixes(base: str) -> dict[str, str]:
    from narcokg import vocab as prefixes

    return prefixes.all_prefixes(base)


def _etag(params: Params, fmt: sparqlformats.Format) -> str:
    tag = current_app.extensions.get("narcokg.snapshot_tag", "")
    return etag_of(tag, params.query or "", fmt.name, params.default_graphs, params.named_graphs)


def etag_of(tag: str, query: str, fmt_name: str, default_graphs, named_graphs) -> str:
    """The ETag of an answer: the snapshot's tag, the query, the format and the dataset."""
    h = hashlib.sha256(
        "\x1f".join([tag, query, fmt_name, *default_graphs, "|", *named_graphs]).encode("utf-8", "surrogatepass")
    )
    return h.hexdigest()[:32]


@blueprint.route("/sparql", methods=["GET", "POST"])  # OPTIONS and others: ``methods``
def endpoint():
    settings = _settings()
    try:
        with fair_use(settings):  # from here to the answer, reading and analysis included
            return _answer(settings)
    except errors.NarcokgError as exc:
        return respond(exc)


def _answer(settings: Settings) -> Response:
    try:
        params = read_params(settings)
        if params.query is None:
            if request.method == "POST":
                raise errors.RequestError("missing query parameter")
            return service_description(settings)
        info = check_query(params.query, settings)
        if request.method == "GET" and not params.fmt and prefers_html():
            return redirect("/?" + urlencode({"query": params.query}), 303)
        fmt = choose_format(params, info.kind or "solutions")
        # What the worker's direct answers need to answer the next query of this kind alike.
        request.environ["narcokg.direct"] = (fmt.name, info.kind or "solutions")
        etag = None
        if request.method in ("GET", "HEAD"):
            etag = _etag(params, fmt)
            if request.if_none_match.contains_weak(etag):
                # The 200's type, for the Vary it would carry (middleware.vary_like_the_200).
                return _cacheable(Response(status=304, content_type=fmt.content_type), params, etag)
        answer = run_query(params.query, info, fmt, params.default_graphs, params.named_graphs)
    except errors.NarcokgError as exc:
        return respond(exc)
    resp = Response(answer.body, status=200, content_type=fmt.content_type)
    resp.headers["Server-Timing"] = f'query;dur={answer.seconds * 1000:.1f};desc="{answer.where}"'
    return _cacheable(resp, params, etag)


def _cacheable(resp: Response, params: Params, etag: str | None) -> Response:
    """Caching headers of an answer. The data never changes while the server runs, so a GET's
    answer may be kept like a document's: a caching proxy in front answers repeated queries, and
    the ETag, derived from the snapshot, revalidates them after a new one. Named by ``format=``,
    the answer does not depend on Accept."""
    if not params.fmt:
        resp.headers["Vary"] = "Accept"
    if etag:
        resp.set_etag(etag)
        resp.headers["Cache-Control"] = f"public, max-age={MAX_AGE}"
    return resp
