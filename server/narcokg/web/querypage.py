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
from narcokg.html.labels import choose_lang

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


#: A labelled comment line: "Question: …", "Pertanyaan: …", "Question (id): …", "Note: …", "id: …".
_LABELLED = re.compile(r"^(?:(question|pertanyaan|title|judul|note|catatan)\s*(?:\((en|id)\))?|(en|id))\s*[:：]\s*(.*)$",
                       re.IGNORECASE)
_TITLE_LANG = {"question": "en", "title": "en", "pertanyaan": "id", "judul": "id"}


def parse_example(path: Path, lang: str) -> Example | None:
    """An example from a catalogue file: its leading ``#`` lines hold the question.

    Lines may be labelled ("Question:", "Pertanyaan:" or "Question (id):", "Note:", or just
    "en:"/"id:"); the question in the page's language is the title (English as fallback) and
    the notes are the description. Unlabelled lines: the first is the title.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    comments: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped and not comments:
            continue
        if not stripped.startswith("#"):
            break
        comment = stripped.lstrip("#").strip()
        if comment:
            comments.append(comment)
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
    return Example(path.stem, title, description, text.strip() + "\n")


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


class Cells:
    """Turns result terms into table cells: text, link and a kind for styling."""

    def __init__(self, settings):
        self.iris = IriMap(settings)
        self.prefixes = px.all_prefixes(settings.served_base)

    def iri(self, value: str) -> dict:
        canonical = self.iris.to_canonical(value)
        href = self.iris.href(canonical)
        text = px.curie(value, self.prefixes) or value
        return {"kind": "iri", "text": text, "href": href, "title": value}

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
        if term.get("xml:lang"):
            cell["tag"] = "@" + term["xml:lang"]
        elif term.get("datatype"):
            cell["tag"] = px.curie(term["datatype"], self.prefixes) or term["datatype"]
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


def _results(answer, kind: str, settings) -> dict:
    cells = Cells(settings)
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


@blueprint.route("/", methods=["GET"])
def index():
    settings = current_app.config["NARCOKG"]
    lang = choose_lang()
    words = {k: v[1] if lang == "id" else v[0] for k, v in WORDS.items()}
    examples = catalogue(lang)
    query = request.args.get("query")
    status = 200
    result = error = None
    kind = "solutions"
    headers: dict = {}
    if query is not None:
        try:
            with sparql.fair_use(settings):
                info = sparql.check_query(query, settings)
                kind = info.kind or "solutions"
                fmt = sparqlformats.BY_NAME["json" if kind == "solutions" else "ntriples"]
                answer = sparql.run_query(query, info, fmt, [], [])
            result = _results(answer, kind, settings)
        except errors.NarcokgError as exc:
            status, error = status_of(exc), exc.message
            headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after else {}
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
        examples=examples,
        query=editor_text,
        ran=query is not None,
        result=result,
        error=error,
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
