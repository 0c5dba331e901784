"""SHACL as a service: the knowledge graph's report (GET /shacl) and validate-your-data
(POST /shacl/validate).

GET /shacl serves the report the build computed (graph ``graph/validation`` of the served
snapshot, else ``dist/shacl-report.ttl``); nothing is validated per request. POST
/shacl/validate validates a client's data against the project's shapes only, in a killable
child process (``validation_runner``), through the same function as ``narcokg validate``.

This process never loads rdflib: the build's report is summarised once, in a child process
too (``validation_runner.built_report``), from its quads, and both answers come back as plain
data and bytes.
"""

from __future__ import annotations

import re
from dataclasses import replace

from flask import Blueprint, Response, abort, current_app, request
from markupsafe import Markup, escape
from werkzeug.exceptions import HTTPException, ServiceUnavailable

from narcokg.config import Settings
from narcokg.html import report as report_view
from narcokg.html.i18n import human_size, t
from narcokg.html.labels import choose_lang
from narcokg.html.results import break_points
from narcokg.iris import IriMap
from narcokg.shacl import runner as validation_runner
from narcokg.shacl import utf8
from narcokg.formats import registry
from narcokg.web import builtreport
from narcokg.web.context import page_html
from narcokg.web.uploads import (
    FORMAT_NAMES,
    BytesFormParser,
    Upload,
    field_bytes,
    field_text,
    read_upload,
    refuse_shapes,
    refused_charset,
)

blueprint = Blueprint("shacl", __name__)

#: The RDF formats of an answer, in order of preference when Accept allows several.
RDF_FORMATS = (registry.TURTLE, registry.JSONLD, registry.NTRIPLES, registry.RDFXML)
#: Media type of an answer → rdflib serializer (the validation process serializes).
RDF_MEDIA = {f.media_type: f.rdflib for f in RDF_FORMATS}
HTML = registry.HTML_TYPES[0]

#: ``?format=`` values → media type (overrides Accept, for links and browsers).
FORMAT_PARAM = {
    **{key: f.media_type for f in RDF_FORMATS for key in (f.name, f.extension, f.rdflib, *f.file_suffixes)},
    "html": HTML,
}
FORMAT_PARAM.pop("owl")  # a file suffix, not a name a client asks for

#: Most results listed on the HTML page of a client's report (the RDF answer has them all).
MAX_HTML_RESULTS = 2000


@blueprint.before_request
def _forms_as_bytes() -> None:
    """Every form this blueprint reads is read as the bytes sent (``uploads.BytesFormParser``)."""
    request.form_data_parser_class = BytesFormParser


def _settings() -> Settings:
    return current_app.config["NARCOKG"]


def _served(settings: Settings) -> Settings:
    """Settings to read the built report with: its IRIs are the engine's, under the served base
    (a client's report keeps the canonical IRIs of the shapes it was checked against)."""
    return replace(settings, base=settings.served_base)


# Content negotiation ------------------------------------------------------------------


def _one_arg(name: str) -> str | None:
    """URL parameter ``name``, given at most once: as /sparql's query, never the first of several
    silently (this blueprint's pages and links send each parameter once)."""
    given = request.args.getlist(name)
    if len(given) > 1:
        abort(400, description=f"give the {name} parameter once, not {len(given)} times")
    return given[0] if given else None


def negotiate(offers: list[str]) -> str:
    """The media type to answer in: ``?format=`` first, then Accept (q-values), else ``offers[0]``."""
    fmt = _one_arg("format")
    if fmt is not None:
        media = FORMAT_PARAM.get(fmt.strip().lower())
        if media is None or media not in offers:
            abort(
                400,
                description=f"unknown format {fmt!r}: use one of "
                + ", ".join(sorted(k for k, v in FORMAT_PARAM.items() if v in offers)),
            )
        return media
    if not request.headers.get("Accept", "").strip():
        return offers[0]
    best = request.accept_mimetypes.best_match(offers)
    if best is None:
        abort(406, description="cannot answer in any type the Accept header allows; available: " + ", ".join(offers))
    return best


def _alternates(path: str) -> str:
    kinds = [(f.extension, f.media_type) for f in (registry.TURTLE, registry.JSONLD, registry.NTRIPLES)] + [
        ("html", HTML)
    ]
    return ", ".join(f'<{path}?format={k}>; rel="alternate"; type="{t}"' for k, t in kinds)


# The build's report: web/builtreport.py; its page's filters -------------------------


@blueprint.app_template_filter("wbr")
def wbr(text) -> Markup:
    """``text`` with a line-break opportunity after each ``/`` and ``#`` (IRIs wrap between
    their segments, never inside a word)."""
    return Markup("<wbr>").join(escape(p) for p in break_points(str(text or "")))


@blueprint.app_template_filter("constraint_name")
def constraint_name(component: str | None) -> str:
    """``sh:MinCountConstraintComponent`` → ``MinCount``: short enough for a phone's column."""
    name = (component or "").rsplit(":", 1)[-1]
    return name[: -len("ConstraintComponent")] if name.endswith("ConstraintComponent") else name


def _severity_filter(raw: str | None) -> str | None:
    if raw is None or raw.strip() == "":
        return None
    for s in report_view.SEVERITIES:
        if raw.strip().lower() in (s.lower(), "sh:" + s.lower()):
            return s
    abort(400, description=f"unknown severity {raw!r}: use Violation, Warning or Info")


@blueprint.get("/shacl")
def report_page():
    """The knowledge graph's validation report: HTML (filterable) or RDF by conneg."""
    settings = _settings()
    media = negotiate([HTML, *RDF_MEDIA])
    report = builtreport.built_report(_settings(), tuple(RDF_MEDIA.values()))
    headers = {"Vary": "Accept", "Link": _alternates("/shacl")}
    if media != HTML:
        return Response(report.data.serialized[RDF_MEDIA[media]], mimetype=media, headers=headers)

    severity = _severity_filter(_one_arg("severity"))
    shape = (_one_arg("shape") or "").strip() or None
    if shape:
        shape = IriMap(settings).to_public(shape)  # the canonical IRI works under a public base too
    rows = report.rows(choose_lang(), _served(settings))
    selected = [
        r
        for r in rows
        if (severity is None or r.severity == severity) and (shape is None or shape in (r.shape, r.shape_label))
    ]
    html = page_html(
        "shacl_report.html",
        report=report,
        summary=report_view.summarize(rows),
        groups=report_view.group(selected),
        selected=len(selected),
        severity=severity,
        shape=shape,
        severities=report_view.SEVERITIES,
    )
    headers["Vary"] = "Accept, Accept-Language"
    return Response(html, mimetype=HTML, headers=headers)


# Validate your data ----------------------------------------------------------------------


def _kept(upload: Upload | None) -> dict:
    """What the client sent, to put back in the form: the pasted text (or a text file's
    content) and the syntax chosen; nothing is lost on any answer.

    Pasted bytes that are not UTF-8 as sent (or a form declared in another charset) are not put
    back: decoded anyway, they came back with U+FFFD in place of the bytes, a text the client never
    sent and might validate again as its own. The field stays empty and ``dropped`` says why."""
    pasted, syntax, form, files = b"", "auto", {}, {}
    try:
        form, files = request.form, request.files
        pasted = field_bytes(form, "data")
        syntax = field_text(form, "syntax", "auto")
    except HTTPException:  # a form too large to read: nothing of it can be kept
        pass
    text = _as_sent(pasted, refused_charset(form, files, "data"))
    from_upload = None
    if upload is not None and not pasted.strip():
        from_upload = _as_sent(upload.data, refused_charset(form, files, "file"))
    if from_upload:  # a file's text; a file that is not text stays on the client's disk
        text, syntax = from_upload, {"xml": "rdfxml"}.get(upload.fmt, upload.fmt)
    return {"data": text or "", "syntax": syntax, "dropped": text is None}


def _as_sent(raw: bytes, refused: str | None) -> str | None:
    """``raw`` as the text the client sent, or None when it cannot be read as UTF-8 (or was
    declared in the ``refused`` charset)."""
    if refused is not None:
        return None if raw.strip() else ""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _said(exc: HTTPException) -> tuple[str, str, str]:
    """What the form says of ``exc``: words in the page's language, then words in another
    (marked with theirs), and that language; the position is shown beside them."""
    if isinstance(exc, _Unparseable):
        return exc.said, exc.detail, exc.detail_lang
    lang = choose_lang()
    in_lang = getattr(exc, "in_lang", None)  # a refusal in the catalogue's words (errors.refuse)
    words, other = in_lang(lang) if in_lang else ("", exc.description or exc.name)
    return words, other, "en"


def _problem(
    message: str, detail: str, detail_lang: str, kept: dict, line: int | None = None, column: int | None = None
) -> dict:
    """An error for the form: the message, where it is, and that line of the data, marked."""
    problem = {"message": message, "detail": detail, "detail_lang": detail_lang, "line": line, "column": column}
    lines = kept["data"].splitlines()
    if line and line <= len(lines):
        col = max((column or 1) - 1, 0)
        text = lines[line - 1]
        start = max(0, col - 60)  # keep the marked place in view on a long line
        problem["excerpt"] = text[start : start + 120]
        problem["marker"] = " " * (col - start) + "^" if column else ""
    return problem


def _form_page(
    status: int, *, outcome=None, upload: Upload | None = None, problem: dict | None = None, headers: dict | None = None
) -> Response:
    settings = _settings()
    lang = choose_lang()
    context = {
        "outcome": outcome,
        "upload": upload,
        "problem": problem,
        "kept": _kept(upload),
        "settings": settings,
        "formats": FORMAT_NAMES,
        "sizes": human_sizes(settings, lang),
    }
    if outcome is not None:
        rows = report_view.rows(outcome.results, outcome.names_in(lang), settings, outcome.labels, uploaded=True)
        context.update(
            format_name=FORMAT_NAMES[upload.fmt],
            summary=report_view.summarize(rows),
            groups=report_view.group(rows[:MAX_HTML_RESULTS]),
            truncated=max(0, len(rows) - MAX_HTML_RESULTS),
        )
    resp = Response(page_html("shacl_validate.html", **context), status=status, mimetype=HTML, headers=headers or {})
    resp.headers["Cache-Control"] = "no-store"
    resp.vary.add("Accept-Language")
    return resp


def human_sizes(settings: Settings, lang: str) -> dict:
    return {"limit": human_size(settings.max_validate_bytes, lang), "seconds": f"{settings.validate_timeout:g}"}


@blueprint.get("/shacl/validate")
def validate_form():
    """The upload form and the documentation of the service."""
    return _form_page(200)


def _run(upload: Upload, settings: Settings, media: str):
    """The validation's outcome; its failures as HTTP errors with a message in words."""
    lang = choose_lang()
    said = t("shacl.unparseable", lang) % (upload.name, FORMAT_NAMES[upload.fmt]) + ": "
    bad = utf8.first_bad_byte(upload.data) if upload.fmt in utf8.UTF8_ONLY else None
    if bad is not None:  # said here, in the page's language, before a process is started
        words = utf8.message(bad, lang)
        where = t("shacl.error_at", lang) % (bad.line, bad.column) + ": "
        raise _Unparseable(said + where + words, bad.line, bad.column, said, words, lang)
    try:
        return validation_runner.run(upload.data, upload.fmt, settings, RDF_MEDIA.get(media))
    except validation_runner.Unparseable as exc:
        words = re.sub(r"^line \d+(?:, column \d+)?: ", "", exc.message)
        raise _Unparseable(said + exc.message, exc.line, exc.column, said, words, "en") from None
    except validation_runner.Unvalidatable as exc:
        abort(422, description=f"{upload.name}: {exc}")
    except validation_runner.Overloaded as exc:
        raise ServiceUnavailable(description=str(exc), retry_after=exc.retry_after) from None


class _Unparseable(HTTPException):
    """400 for data that does not parse, remembering where (for the form's marker)."""

    code = 400

    def __init__(self, message: str, line: int | None, column: int | None, said: str, detail: str, detail_lang: str):
        super().__init__(description=message)
        #: the message in two parts without the position, for a page that shows the position
        #: beside it: what happened (in the page's language) and the detail, in ``detail_lang``
        #: (the parser's words are English; a byte that is not UTF-8 is said from the catalogue)
        self.line, self.column, self.said, self.detail, self.detail_lang = line, column, said, detail, detail_lang

    def in_lang(self, lang: str) -> tuple[str, str]:
        """For the error page: all of it in ``lang``, or the lead in it and the parser's words."""
        if self.detail_lang == lang:
            return self.description, ""
        return self.said.rstrip(), self.description[len(self.said) :]


@blueprint.post("/shacl/validate")
def validate_data():
    """Validate the client's data against the project's shapes; 200 whether it conforms or not.
    A form from a browser gets the page back on every answer, errors included, with its input."""
    settings = _settings()
    refuse_shapes(set(request.args))
    is_form = request.mimetype in ("multipart/form-data", "application/x-www-form-urlencoded")
    rdf_offers = list(RDF_MEDIA)
    media = negotiate([HTML, *rdf_offers] if is_form else [*rdf_offers, HTML])
    upload = None
    try:
        upload = read_upload(settings)
        outcome = _run(upload, settings, media)
    except HTTPException as exc:
        if not (is_form and media == HTML):
            raise
        kept = _kept(upload)
        problem = _problem(*_said(exc), kept, getattr(exc, "line", None), getattr(exc, "column", None))
        retry = getattr(exc, "retry_after", None)
        return _form_page(
            exc.code or 400, upload=upload, problem=problem, headers={"Retry-After": str(retry)} if retry else None
        )
    headers = {"Vary": "Accept", "X-SHACL-Conforms": "true" if outcome.conforms else "false"}
    if media != HTML:
        return Response(outcome.rdf, mimetype=media, headers=headers)
    return _form_page(200, outcome=outcome, upload=upload, headers=headers)
