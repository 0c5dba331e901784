"""The query page at ``/``: an editor, the query catalogue as examples, results as a table.

Without JavaScript the form submits ``GET /?query=…`` and the results are rendered here, on the
server, through the same checks, limits and query processes as /sparql; so every result view has
a shareable URL. With JavaScript (static/query.js) the editor highlights SPARQL, helps with
prefixes and shows results without leaving the page, keeping the URL in step.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, request

from narcokg import errors
from narcokg import vocab as px
from narcokg.formats import registry
from narcokg.formats import sparql as sparqlformats
from narcokg.html.catalogue import Example, parse_example
from narcokg.html.i18n import human_size
from narcokg.html import shown
from narcokg.html.labels import choose_lang, explicit_lang, format_number
from narcokg.html.results import DISPLAY_ROWS, chart_view, downloads, error_view, results
from narcokg.iris import IriMap
from narcokg.texts import TEXT, text
from narcokg.web import sparql
from narcokg.web.context import page_html
from narcokg.web.errors import status_of
from narcokg.web.sparqlparams import check_charset

blueprint = Blueprint("querypage", __name__)

__all__ = ["Example", "blueprint", "catalogue", "editor_terms", "parse_example"]

MAX_CATALOGUE = 200


def words_in(lang: str) -> dict[str, str]:
    """The query page's sentences (catalogue keys ``query.*``) in ``lang``."""
    return {k[len("query.") :]: text(k, lang) for k in TEXT if k.startswith("query.")}


DEFAULT_QUERY = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>

# Classes with the most instances
SELECT ?class (COUNT(DISTINCT ?s) AS ?instances) WHERE {
  ?s a ?class .
}
GROUP BY ?class
ORDER BY DESC(?instances)
LIMIT 20
"""


def catalogue(lang: str) -> list[Example]:
    settings = current_app.config["NARCOKG"]
    cache = current_app.extensions.setdefault("narcokg.catalogue", {})
    qdir = Path(settings.queries_dir)
    try:
        files = sorted(qdir.glob("*.rq"))[:MAX_CATALOGUE]
        stamp = tuple((p.name, p.stat().st_mtime_ns) for p in files)
    except OSError:
        return []
    key = (lang, stamp)
    if key not in cache:
        cache.clear()
        cache[key] = [e for e in (parse_example(p, lang) for p in files) if e is not None]
    return cache[key]


def _answer(query: str, settings, labels) -> tuple[dict, str]:
    """The shown results of ``query`` and its kind, through the checks and limits of /sparql."""
    with sparql.fair_use(settings):
        info = sparql.check_query(query, settings)
        kind = info.kind or "solutions"
        fmt = sparqlformats.BY_NAME["json" if kind == "solutions" else "ntriples"]
        answer = sparql.run_query(query, info, fmt, [], [])
    return results(answer, kind, settings, labels), kind


def table_links(query: str, lang: str | None) -> list[dict]:
    """Links to the table as shown (labels included), in CSV and JSON."""
    params = {"query": query, **({"lang": lang} if lang else {})}
    return [
        {
            "label": "CSV",
            "href": "/table.csv?" + urlencode(params),
            "media_type": registry.CSV.media_type,
            "extension": "csv",
        },
        {
            "label": "JSON",
            "href": "/table.json?" + urlencode(params),
            "media_type": "application/json",
            "extension": "json",
        },
    ]


@blueprint.get("/table.csv")
@blueprint.get("/table.json")
def shown_table():
    """The results table as the page shows it (its rows, labels next to IRIs), for download."""
    from narcokg.web.context import ctx

    query = request.args.get("query")
    if not query:
        raise errors.RequestError("give the query whose table to download: /table.csv?query=SELECT…")
    settings = current_app.config["NARCOKG"]
    lang = choose_lang()
    result, _kind = _answer(query, settings, ctx().labels)
    if result.get("boolean") is not None:
        answer = "true" if result["boolean"] else "false"
        result = {"columns": ["boolean"], "rows": [[{"kind": "literal", "text": answer}]], "count": 1}
    if request.path.endswith(".csv"):
        resp = Response(shown.as_csv(result), mimetype=registry.CSV.media_type)
        resp.headers["Content-Disposition"] = 'attachment; filename="table.csv"'
    else:
        resp = Response(shown.as_json(result, lang), mimetype="application/json")
        resp.headers["Content-Disposition"] = 'attachment; filename="table.json"'
    resp.headers["Vary"] = "Accept-Language"
    resp.headers["Cache-Control"] = "no-store"
    return resp


@blueprint.route("/", methods=["GET", "POST"])
def index():
    from narcokg.web.context import ctx

    settings = current_app.config["NARCOKG"]
    lang = choose_lang()
    words = words_in(lang)
    examples = catalogue(lang)
    if request.method == "POST":
        check_charset()  # as /sparql: a form in another charset is refused, not misread
    query = request.form.get("query") if request.method == "POST" else request.args.get("query")
    status = 200
    result = error = problem = None
    lead = ""  # a sentence before an error that is not in the page's language
    kind = "solutions"
    headers: dict = {}
    if query is not None:
        try:
            result, kind = _answer(query, settings, ctx().labels)
            if result.get("boolean") is None:
                result["charts"] = chart_view(result["columns"], result["rows"], lang) if kind == "solutions" else []
        except errors.NarcokgError as exc:
            status, error = status_of(exc), exc.message
            headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after else {}
            explanation = getattr(exc, "explanation", None)
            if explanation is not None:
                problem = error_view(explanation, query, lang)
                error = problem["message"]
            elif hasattr(exc, "in_lang"):  # too long to explain: a lead in the reader's language
                said, parser = exc.in_lang(lang)
                if parser:  # ... then the parser's own words, as it wrote them
                    lead, error = said, parser
    editor_text = query if query is not None else (examples[0].query if examples else DEFAULT_QUERY)
    limits = {
        "timeout": f"{settings.query_timeout:g}",
        "rows": format_number(str(settings.max_rows), lang),
        "bytes": human_size(settings.max_query_bytes, lang),
        "budget": f"{settings.client_budget_seconds:g}",
        "window": f"{settings.client_budget_window:g}",
    }
    html = page_html(
        "query.html",
        words=words,
        lang=lang,
        examples=examples,
        query=editor_text,
        ran=query is not None,
        result=result,
        error=error,
        lead=lead,
        problem=problem,
        status=status,
        kind=kind,
        downloads=downloads(query, kind) if query is not None and not error else [],
        table_links=table_links(query, explicit_lang()) if query is not None and not error else [],
        share="/?" + urlencode({"query": query}) if query is not None else None,
        prefix_table=sorted(px.all_prefixes(settings.served_base).items()),
        served_base=settings.served_base,
        link_root=IriMap(settings).root,
        display_rows=DISPLAY_ROWS,
        limits=limits,
    )
    resp = Response(html, status=status, mimetype="text/html")
    for key, value in headers.items():
        resp.headers[key] = value
    resp.headers["Vary"] = "Accept-Language"
    resp.headers["Cache-Control"] = "no-store" if query is not None else "no-cache"
    return resp


# Terms for the editor's autocompletion ----------------------------------------------------------

_TERMS_QUERY = """
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
SELECT ?term ?kind (SUM(?n) AS ?uses) WHERE {
  { SELECT ?term (COUNT(*) AS ?n) ("class" AS ?kind) WHERE { ?s a ?term } GROUP BY ?term }
  UNION { SELECT ?term (COUNT(*) AS ?n) ("property" AS ?kind) WHERE { ?s ?term ?o } GROUP BY ?term }
  UNION { ?term a ?t . VALUES ?t { owl:Class rdfs:Class } BIND(0 AS ?n) BIND("class" AS ?kind) }
  UNION { ?term a ?t . VALUES ?t { owl:ObjectProperty owl:DatatypeProperty owl:AnnotationProperty rdf:Property }
          BIND(0 AS ?n) BIND("property" AS ?kind) }
  FILTER(isIRI(?term))
} GROUP BY ?term ?kind
"""


def editor_terms(lang: str) -> dict:
    """Prefixes, classes and properties (used in the data or declared by the ontology), with
    their labels in ``lang`` and how often the data uses them; computed once per process."""
    from narcokg.web.context import app_cache, ctx

    cache = app_cache().setdefault("editor_terms", {})
    if lang not in cache:
        settings = current_app.config["NARCOKG"]
        c = ctx()
        prefixes = px.all_prefixes(settings.served_base)
        terms = []
        for row in c.store.select(_TERMS_QUERY):
            iri = row["term"].value
            name = px.curie(iri, prefixes)
            if name is None:
                continue
            terms.append(
                {
                    "curie": name,
                    "iri": iri,
                    "kind": row["kind"].value,
                    "label": c.labels.known(row["term"].value) or "",
                    "uses": int(row["uses"].value),
                }
            )
        terms.sort(key=lambda t: (-t["uses"], t["curie"]))
        cache[lang] = {"prefixes": prefixes, "terms": terms}
    return cache[lang]


@blueprint.get("/sparql/terms.json")
def terms_json():
    """The editor's vocabulary (see :func:`editor_terms`); the same for a whole snapshot."""
    settings = current_app.config["NARCOKG"]
    lang = choose_lang()
    resp = Response(json.dumps(editor_terms(lang), ensure_ascii=False), mimetype="application/json")
    resp.set_etag(f"{sparql.snapshot_tag(settings)[:32]}-{lang}")
    resp.headers["Cache-Control"] = "public, max-age=3600"
    resp.headers["Vary"] = "Accept-Language"
    return resp.make_conditional(request)
