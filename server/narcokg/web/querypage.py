"""The query page at ``/``: an editor, the query catalogue as examples, results as a table.

Without JavaScript the form submits ``GET /?query=…`` and the results are rendered here, on the
server, through the same checks, limits and query processes as /sparql; so every result view has
a shareable URL. With JavaScript (static/query.js) the editor highlights SPARQL, helps with
prefixes and shows results without leaving the page, keeping the URL in step.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, render_template, request

from narcokg import vocab as px
from narcokg.formats import sparql as sparqlformats
from narcokg.iris import IriMap
from narcokg import errors
from narcokg.web import sparql
from narcokg.web.errors import status_of
from narcokg.html.labels import choose_lang, explicit_lang

blueprint = Blueprint("querypage", __name__)

#: Most rows the page renders; the download links give the whole answer.
DISPLAY_ROWS = 1000
MAX_CATALOGUE = 200

WORDS = {
    "title": ("SPARQL query", "Kueri SPARQL"),
    "intro": ("Ask the knowledge graph in SPARQL. The default graph is the union of all named graphs; "
              "use GRAPH to address one source.",
              "Tanyakan graf pengetahuan dengan SPARQL. Graf bawaan adalah gabungan semua graf bernama; "
              "gunakan GRAPH untuk satu sumber."),
    "query": ("Query", "Kueri"),
    "run": ("Run query", "Jalankan kueri"),
    "examples": ("Example questions", "Contoh pertanyaan"),
    "no_examples": ("No example queries yet.", "Belum ada contoh kueri."),
    "prefixes": ("Prefixes", "Prefiks"),
    "prefix_help": ("Known prefixes. Add a declaration to the query, or add every missing one at once.",
                    "Prefiks yang dikenal. Tambahkan deklarasi ke kueri, atau tambahkan semua yang belum ada."),
    "add_missing": ("Add missing prefixes", "Tambahkan prefiks yang kurang"),
    "add": ("add", "tambah"),
    "results": ("Results", "Hasil"),
    "rows": ("%d rows", "%d baris"),
    "shown": ("showing the first %d", "menampilkan %d pertama"),
    "download": ("Download", "Unduh"),
    "share": ("Link to this query", "Tautan ke kueri ini"),
    "error": ("The query could not be answered", "Kueri tidak dapat dijawab"),
    "ask_true": ("Yes (true)", "Ya (true)"),
    "ask_false": ("No (false)", "Tidak (false)"),
    "endpoint": ("Endpoint for your own tools:", "Endpoint untuk alat Anda sendiri:"),
    "limits": ("Limits", "Batas"),
    "shortcuts": ("Shortcuts: Ctrl+Enter (⌘+Enter) runs the query; Ctrl+Space completes a prefix, class, "
                  "property or entity name; Esc closes the suggestions.",
                  "Pintasan: Ctrl+Enter (⌘+Enter) menjalankan kueri; Ctrl+Space melengkapi prefiks, kelas, "
                  "properti atau nama entitas; Esc menutup saran."),
    "show_types": ("Show datatypes and language tags", "Tampilkan tipe data dan tag bahasa"),
    "charts": ("Chart of the shown rows", "Grafik baris yang ditampilkan"),
    "chart_caption": ("?%s for each ?%s (bars); the table holds the exact values.",
                      "?%s untuk setiap ?%s (batang); tabel memuat nilai persisnya."),
    "timeline_caption": ("Timeline: rows per year of ?%s; the table holds the exact values.",
                         "Linimasa: jumlah baris per tahun dari ?%s; tabel memuat nilai persisnya."),
    "missing_prefixes": ("The query uses prefixes it does not declare. Add these lines:",
                         "Kueri memakai prefiks yang tidak dideklarasikan. Tambahkan baris berikut:"),
    "add_and_run": ("Add these PREFIX lines and run again", "Tambahkan baris PREFIX ini dan jalankan lagi"),
    "parser_said": ("The parser's own message", "Pesan asli parser"),
    "history": ("Your recent queries (kept in this browser only)", "Kueri terakhir Anda (hanya disimpan di peramban ini)"),
    "clear_history": ("Clear", "Hapus"),
}

DEFAULT_QUERY = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>

# Classes with the most instances
SELECT ?class (COUNT(DISTINCT ?s) AS ?instances) WHERE {
  ?s a ?class .
}
GROUP BY ?class
ORDER BY DESC(?instances)
LIMIT 20
"""


@dataclass(frozen=True)
class Example:
    name: str
    title: str
    description: str
    query: str

    @property
    def href(self) -> str:
        return "/?" + urlencode({"query": self.query})


#: A labelled comment line: "Question: …", "Pertanyaan: …", "Question (id): …", "Note: …", "id: …";
#: "Performance:"/"Dev:" lines are for maintainers and never shown.
_LABELLED = re.compile(r"^(?:(question|pertanyaan|title|judul|note|catatan|performance|dev)\s*(?:\((en|id)\))?|(en|id))"
                       r"\s*[:：]\s*(.*)$", re.IGNORECASE)
_TITLE_LANG = {"question": "en", "title": "en", "pertanyaan": "id", "judul": "id"}


def parse_example(path: Path, lang: str) -> Example | None:
    """An example from a catalogue file: its leading ``#`` lines hold the question.

    Lines may be labelled ("Question:", "Pertanyaan:" or "Question (id):", "Note:", or just
    "en:"/"id:"); the question in the page's language is the title (English as fallback) and
    the notes are the description. An indented comment line continues the labelled line
    above it. Unlabelled lines: the first is the title. "Performance:" and "Dev:" notes are
    for maintainers, not readers, and are left out.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    comments: list[str] = []
    shown: list[str] = []  # the file's lines without maintainers' notes
    lines = text.splitlines()
    hiding = False
    for n, line in enumerate(lines):
        stripped = line.strip()
        if not stripped and not comments:
            shown.append(line)
            continue
        if not stripped.startswith("#"):
            shown.extend(lines[n:])
            break
        body = stripped[1:]
        comment = body.strip()
        if comments and len(body) - len(body.lstrip()) >= 2 and comment:
            comments[-1] += " " + comment  # continuation of the line above
        elif comment:
            comments.append(comment)
            m = _LABELLED.match(comment)
            hiding = bool(m and (m.group(1) or "").lower() in ("performance", "dev"))
        if not hiding:
            shown.append(line)
    titles: dict[str, str] = {}
    notes: list[str] = []
    plain: list[str] = []
    for comment in comments:
        m = _LABELLED.match(comment)
        if not m:
            plain.append(comment)
            continue
        label, label_lang, bare_lang, rest = m.groups()
        label = (label or "").lower()
        if label in ("performance", "dev"):
            continue
        if label in ("note", "catatan"):
            if (label_lang or ("id" if label == "catatan" else "en")) in (lang, "en"):
                notes.append(rest)
            continue
        code = (label_lang or bare_lang or _TITLE_LANG.get(label, "en")).lower()
        titles.setdefault(code, rest)
    title = titles.get(lang) or titles.get("en") or next(iter(titles.values()), None)
    if title is None:
        title = plain.pop(0) if plain else path.stem.replace("-", " ").replace("_", " ")
    description = " ".join((notes + plain)[:3])
    return Example(path.stem, title, description, "\n".join(shown).strip() + "\n")


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


# Results as table cells ----------------------------------------------------------------------

#: Datatypes whose values the chart view can plot.
NUMERIC = {px.XSD + t for t in ("integer", "decimal", "double", "float", "int", "long", "short",
                                 "nonNegativeInteger", "positiveInteger", "unsignedInt")}
DATES = {px.XSD + t for t in ("date", "dateTime", "gYear", "gYearMonth")}
#: Labels are looked up for at most this many distinct IRIs of the shown page.
MAX_LABELLED = 2000


def break_points(text: str) -> list[str]:
    """``text`` cut after each ``/`` and ``#``: the template joins the parts with ``<wbr>``, so a
    long IRI wraps between its segments, not inside a word."""
    return [p for p in re.split(r"(?<=[/#])", text) if p]


class Cells:
    """Turns result terms into table cells: text, link, label and a kind for styling.

    Labels come from the served store in the page's language (a label service like WDQS's):
    the SPARQL answer itself is unchanged, the label is shown next to the IRI.
    """

    def __init__(self, settings, labels=None):
        self.iris = IriMap(settings)
        self.prefixes = px.all_prefixes(settings.served_base)
        self.labels = labels
        self._labelled = 0

    def _label(self, canonical: str) -> str | None:
        if self.labels is None or self._labelled >= MAX_LABELLED:
            return None
        self._labelled += 1
        return self.labels.known(canonical)

    def short(self, iri: str) -> str:
        """A CURIE, or for display only ``prefix:a/b`` when a namespace covers the IRI."""
        found = px.curie(iri, self.prefixes)
        if found:
            return found
        best = max((p for p, ns in self.prefixes.items() if iri.startswith(ns) and len(iri) > len(ns)),
                   key=lambda p: len(self.prefixes[p]), default=None)
        return f"{best}:{iri[len(self.prefixes[best]):]}" if best else iri

    def iri(self, value: str) -> dict:
        canonical = self.iris.to_canonical(value)
        href = self.iris.href(canonical)
        text = self.short(value)
        return {"kind": "iri", "text": text, "parts": break_points(text), "href": href, "title": value,
                "label": self._label(canonical)}

    def from_json(self, term: dict | None) -> dict:
        if term is None:
            return {"kind": "empty", "text": ""}
        kind = term.get("type")
        if kind == "uri":
            return self.iri(term["value"])
        if kind == "bnode":
            return {"kind": "bnode", "text": "_:" + term["value"]}
        if kind == "triple":
            inner = term["value"]
            text = " ".join(self.from_json(inner.get(k)).get("text", "") for k in ("subject", "predicate", "object"))
            return {"kind": "triple", "text": "<< " + text + " >>"}
        cell = {"kind": "literal", "text": term.get("value", "")}
        datatype = term.get("datatype")
        if term.get("xml:lang"):
            cell["tag"] = "@" + term["xml:lang"]
        elif datatype:
            cell["tag"] = px.curie(datatype, self.prefixes) or datatype
            cell["datatype"] = datatype
        return cell

    def from_term(self, term) -> dict:
        if isinstance(term, ox.NamedNode):
            return self.iri(term.value)
        if isinstance(term, ox.BlankNode):
            return {"kind": "bnode", "text": "_:" + term.value}
        if isinstance(term, ox.Literal):
            return self.from_json({"type": "literal", "value": term.value, "xml:lang": term.language,
                                   "datatype": None if term.language else term.datatype.value})
        return {"kind": "triple", "text": str(term)}


def _number(cell: dict) -> float | None:
    if cell.get("datatype") not in NUMERIC:
        return None
    try:
        return float(cell["text"])
    except ValueError:
        return None


def _year(cell: dict) -> str | None:
    if cell.get("datatype") in DATES:
        m = re.match(r"-?\d{4}", cell["text"])
        return m.group() if m else None
    return None


def chart_view(columns: list[str], rows: list[list[dict]], lang: str) -> list[dict]:
    """Charts of the shown rows: one bar chart per numeric column (one series per panel) over
    the first other column, or a timeline (count per year) of the first date column."""
    from narcokg.html.charts import Series, chart_svg

    if len(rows) < 2 or len(rows) > 120 or not columns:
        return []
    numeric = [i for i in range(len(columns)) if all(_number(r[i]) is not None for r in rows)]
    dates = [i for i in range(len(columns)) if all(_year(r[i]) for r in rows)]
    label_col = next((i for i in range(len(columns)) if i not in numeric), None)
    if label_col is None and len(numeric) >= 2:  # e.g. ?year ?count: the first column is the axis
        label_col, numeric = numeric[0], numeric[1:]
    out = []
    if numeric and label_col is not None:
        xs = [(r[label_col].get("label") or r[label_col].get("text") or "–")[:24] for r in rows]
        for i in numeric[:3]:
            title = f"?{columns[i]} / ?{columns[label_col]}"
            out.append({"title": title, "x": columns[label_col], "y": columns[i],
                        "svg": chart_svg(title, xs, [Series(columns[i], [_number(r[i]) for r in rows])], lang,
                                         x_label="?" + columns[label_col], y_label="?" + columns[i])})
    elif dates:
        i = dates[0]
        counts: dict[str, int] = {}
        for r in rows:
            counts[_year(r[i])] = counts.get(_year(r[i]), 0) + 1
        years = sorted(counts)
        span = [str(y) for y in range(int(years[0]), int(years[-1]) + 1)] if len(years) < 200 else years
        title = f"?{columns[i]}"
        out.append({"title": title, "x": columns[i], "y": "rows", "timeline": True,
                    "svg": chart_svg(title, span, [Series("rows", [counts.get(y, 0) for y in span])], lang,
                                     x_label="?" + columns[i], y_label="rows")})
    return out


def _results(answer, kind: str, settings, labels=None) -> dict:
    cells = Cells(settings, labels)
    if kind == "solutions":
        doc = json.loads(answer.body)
        if "boolean" in doc:
            return {"boolean": bool(doc["boolean"]), "columns": [], "rows": [], "count": 1}
        columns = doc["head"]["vars"]
        bindings = doc["results"]["bindings"]
        rows = [[cells.from_json(b.get(v)) for v in columns] for b in bindings[:DISPLAY_ROWS]]
        return {"columns": columns, "rows": rows, "count": len(bindings), "boolean": None}
    triples = list(ox.parse(answer.body, format=ox.RdfFormat.N_TRIPLES))
    rows = [[cells.from_term(t.subject), cells.from_term(t.predicate), cells.from_term(t.object)]
            for t in triples[:DISPLAY_ROWS]]
    return {"columns": ["subject", "predicate", "object"], "rows": rows, "count": len(triples), "boolean": None}


def downloads(query: str, kind: str) -> list[dict]:
    return [{"name": f.name, "label": f.label, "media_type": f.media_type, "extension": f.extension,
             "href": "/sparql?" + urlencode({"query": query, "format": f.name})}
            for f in sparqlformats.offered(kind)]


def error_view(explanation, query: str, lang: str) -> dict:
    """What the page shows of a syntax error: the sentence, the line with a marker under the
    culprit, and the missing PREFIX lines with a link that adds them and runs again."""
    view = explanation.as_dict(lang)
    if explanation.line:
        lines = query.splitlines() or [""]
        text = lines[explanation.line - 1] if explanation.line <= len(lines) else ""
        col = max((explanation.column or 1) - 1, 0)
        view["excerpt"] = text[:200]
        view["marker"] = " " * min(col, 200) + "^" * max(1, min(explanation.length, 40))
    if explanation.missing:
        params = {"query": "\n".join(explanation.prefix_lines()) + "\n" + query}
        if explicit_lang():
            params["lang"] = explicit_lang()
        view["fix_href"] = "/?" + urlencode(params)
    return view


@blueprint.route("/", methods=["GET", "POST"])
def index():
    from narcokg.web.context import ctx

    settings = current_app.config["NARCOKG"]
    lang = choose_lang()
    words = {k: v[1] if lang == "id" else v[0] for k, v in WORDS.items()}
    examples = catalogue(lang)
    query = request.form.get("query") if request.method == "POST" else request.args.get("query")
    status = 200
    result = error = problem = None
    kind = "solutions"
    headers: dict = {}
    if query is not None:
        try:
            with sparql.fair_use(settings):
                info = sparql.check_query(query, settings)
                kind = info.kind or "solutions"
                fmt = sparqlformats.BY_NAME["json" if kind == "solutions" else "ntriples"]
                answer = sparql.run_query(query, info, fmt, [], [])
            result = _results(answer, kind, settings, ctx().labels)
            if result.get("boolean") is None:
                result["charts"] = chart_view(result["columns"], result["rows"], lang) if kind == "solutions" else []
        except errors.NarcokgError as exc:
            status, error = status_of(exc), exc.message
            headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after else {}
            explanation = getattr(exc, "explanation", None)
            if explanation is not None:
                problem = error_view(explanation, query, lang)
                error = problem["message"]
    editor_text = query if query is not None else (examples[0].query if examples else DEFAULT_QUERY)
    limits = {
        "timeout": f"{settings.query_timeout:g}",
        "rows": settings.max_rows,
        "bytes": settings.max_query_bytes,
        "budget": f"{settings.client_budget_seconds:g}",
        "window": f"{settings.client_budget_window:g}",
    }
    html = render_template(
        "query.html",
        words=words,
        lang=lang,
        examples=examples,
        query=editor_text,
        ran=query is not None,
        result=result,
        error=error,
        problem=problem,
        status=status,
        kind=kind,
        downloads=downloads(query, kind) if query is not None and not error else [],
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
            iri = c.iris.to_public(row["term"].value)
            name = px.curie(iri, prefixes)
            if name is None:
                continue
            terms.append({"curie": name, "iri": iri, "kind": row["kind"].value,
                          "label": c.labels.known(row["term"].value) or "", "uses": int(row["uses"].value)})
        terms.sort(key=lambda t: (-t["uses"], t["curie"]))
        cache[lang] = {"prefixes": prefixes, "terms": terms}
    return cache[lang]


@blueprint.get("/sparql/terms.json")
def terms_json():
    """The editor's vocabulary (see :func:`editor_terms`); the same for a whole snapshot."""
    from narcokg.web import sparql

    settings = current_app.config["NARCOKG"]
    lang = choose_lang()
    resp = Response(json.dumps(editor_terms(lang), ensure_ascii=False), mimetype="application/json")
    resp.set_etag(f"{sparql.snapshot_tag(settings)[:32]}-{lang}")
    resp.headers["Cache-Control"] = "public, max-age=3600"
    resp.headers["Vary"] = "Accept-Language"
    return resp.make_conditional(request)
