"""What a client sends to POST /shacl/validate: a raw body (by Content-Type) or a form (a file
or pasted text, and a syntax), read within the size limit; refusals abort with 400/413/415 and
a message in the page's language.

Pasted data is read as the bytes sent, like a file (``BytesFormParser``): werkzeug decodes a form
field that is not UTF-8 with U+FFFD for each bad byte (multipart) or as the text of its escape
(``%FF``, urlencoded), and the parse error then quoted those characters. As bytes, pasted data
that is not UTF-8 gets the message a file gets, naming the byte, its line and column.

A multipart part may declare its own charset (``Content-Type: text/plain; charset=…``); the rule
for a body's charset holds for it too (``querystring.charset_refused``): UTF-8 or US-ASCII is read,
any other is refused with 415 naming the field, where its bytes were read as UTF-8 (or refused as
"not UTF-8") before, and never as the text the client meant.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import parse_qsl

from flask import abort, request
from werkzeug.formparser import FormDataParser, MultiPartParser
from werkzeug.http import parse_options_header

from narcokg.config import Settings
from narcokg.html.i18n import human_size, t
from narcokg.html.labels import choose_lang
from narcokg.shacl.accepts import FORMATS, FORMATS_BY_MEDIA_TYPE, FORMATS_BY_SUFFIX
from narcokg.web.errors import refuse
from narcokg.web.querystring import charset_refused
from narcokg.web.refusals import shown

#: Values of the form field ``syntax`` → rdflib parser ("auto": by file name, then by content).
SYNTAXES = {
    "turtle": "turtle",
    "ttl": "turtle",
    "nt": "nt",
    "ntriples": "nt",
    "n-triples": "nt",
    "json-ld": "json-ld",
    "jsonld": "json-ld",
    "rdfxml": "xml",
    "rdf/xml": "xml",
    "xml": "xml",
}
FORMAT_NAMES = {"turtle": "Turtle", "nt": "N-Triples", "json-ld": "JSON-LD", "xml": "RDF/XML"}

#: Request parameters or form fields that would carry client shapes: refused, never used.
SHAPE_FIELDS = ("shapes", "shapesGraph", "shapes_graph", "shacl")

#: Form fields read once: a repeated one is refused (``file`` has its own message).
SINGLE_FIELDS = ("data", "syntax")

#: Room for multipart boundaries and the small fields around the data.
FORM_OVERHEAD = 64 * 1024


class _BytesMultiPartParser(MultiPartParser):
    """Keeps each field part's bytes, and the charset the part declares (for ``part_charset``)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        #: field name → the charset its part declares (a file part keeps its own headers)
        self.charsets: dict[str, str] = {}

    def get_part_charset(self, headers) -> str:
        charset = parse_options_header(headers.get("Content-Type", ""))[1].get("charset")
        if charset is not None:
            name = parse_options_header(headers.get("Content-Disposition", ""))[1].get("name", "")
            self.charsets.setdefault(name, charset)
        return "latin-1"  # one character per byte, whatever the part declares: nothing is replaced


class BytesFormParser(FormDataParser):
    """Form fields as the bytes sent, each byte one character (Latin-1): ``field_bytes`` gives
    them back, ``field_text`` decodes them as UTF-8."""

    def _parse_multipart(self, stream, mimetype, content_length, options):
        boundary = options.get("boundary", "").encode("ascii")
        if not boundary:
            raise ValueError("Missing boundary")
        parser = _BytesMultiPartParser(
            stream_factory=self.stream_factory,
            max_form_memory_size=self.max_form_memory_size,
            max_form_parts=self.max_form_parts,
            cls=self.cls,
        )
        form, files = parser.parse(stream, boundary, content_length)
        form.part_charsets = parser.charsets  # read by ``part_charset``
        return stream, form, files

    def _parse_urlencoded(self, stream, mimetype, content_length, options):
        text = stream.read().decode("latin-1")
        return stream, self.cls(parse_qsl(text, keep_blank_values=True, encoding="latin-1")), self.cls()


def field_bytes(form, name: str) -> bytes:
    """The bytes sent in form field ``name`` (read by ``BytesFormParser``), or b""."""
    return form.get(name, "").encode("latin-1")


def part_charset(form, files, name: str) -> str | None:
    """The charset the multipart part ``name`` declares (a field's or a file's), or None."""
    upload = files.get(name) if files else None
    if upload is not None:
        return upload.mimetype_params.get("charset")
    return getattr(form, "part_charsets", {}).get(name)


def refused_charset(form, files, name: str) -> str | None:
    """The charset field ``name`` was declared in, the body's or its own part's, when that charset
    is not UTF-8 (``charset_refused``): its bytes are then not the text the client meant."""
    for charset in (request.mimetype_params.get("charset"), part_charset(form, files, name)):
        if charset_refused(charset):
            return charset
    return None


def field_text(form, name: str, default: str = "") -> str:
    """Form field ``name`` as text: its UTF-8, any other byte shown as an escape (\\xff)."""
    raw = field_bytes(form, name)
    return raw.decode("utf-8", "backslashreplace") if raw else default


@dataclass
class Upload:
    data: bytes
    fmt: str
    name: str


def _read_bounded(stream, limit: int) -> bytes:
    """At most ``limit`` bytes from ``stream``; 413 if there are more."""
    chunks, size = [], 0
    while True:
        chunk = stream.read(min(64 * 1024, limit + 1 - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            refuse(413, "shacl.too_large", human_size(limit, choose_lang()))
    return b"".join(chunks)


def _too_large(limit: int):
    refuse(413, "shacl.too_large", human_size(limit, choose_lang()))


def refuse_shapes(names) -> None:
    for key in SHAPE_FIELDS:
        if key in names:
            abort(
                400,
                description=f"client-supplied shapes ({key!r}) are not accepted: data is validated "
                "against the narcokg shapes only",
            )


def _refuse_repeated(form) -> None:
    """400 for a field sent twice: keeping the first would drop the rest silently, so the client
    would believe a second text (or syntax) had been used."""
    for name in SINGLE_FIELDS:
        count = len(form.getlist(name))
        if count > 1:
            refuse(400, "shacl.field_once", name, count)


def _refuse_charsets(form, files) -> None:
    """415 for a part declared in a charset other than UTF-8, as for a body declared so: read as
    UTF-8 anyway, its text would not be the one the client meant."""
    for name in ("data", "syntax", "file"):
        charset = refused_charset(form, files, name)
        if charset is not None:
            refuse(415, "shacl.part_charset", name, shown(charset))


def _sniff(text: bytes) -> str:
    head = text.lstrip()[:200]
    if head[:1] in (b"{", b"["):
        return "json-ld"
    if head.startswith(b"<?xml") or head.startswith(b"<rdf:RDF"):
        return "xml"
    return "turtle"  # N-Triples is Turtle too


def _syntax(form) -> str | None:
    raw = (field_text(form, "syntax") or "auto").strip().lower()
    if raw == "auto":
        return None
    if raw not in SYNTAXES:
        abort(400, description=f"unknown syntax '{shown(raw)}': use auto, turtle, nt, json-ld or rdfxml")
    return SYNTAXES[raw]


def _from_form(settings: Settings, with_files: bool) -> Upload:
    limit = settings.max_validate_bytes
    request.max_content_length = limit + FORM_OVERHEAD
    request.max_form_memory_size = limit
    form = request.form
    files = request.files if with_files else {}
    refuse_shapes(set(form) | set(files))
    _refuse_repeated(form)
    _refuse_charsets(form, files)
    syntax = _syntax(form)
    sent = [f for f in files.getlist("file") if f.filename] if with_files else []
    if len(sent) > 1:
        refuse(400, "shacl.one_file", len(sent))
    upload = files.get("file")
    pasted = field_bytes(form, "data")
    has_file = upload is not None and bool(upload.filename)
    if has_file and pasted.strip():
        refuse(400, "shacl.both")
    if has_file:
        data = _read_bounded(upload.stream, limit)
        name = PurePosixPath(upload.filename.replace("\\", "/")).name[:100] or "upload"
        fmt = syntax or _format_of_file(name, upload.mimetype)
    elif pasted.strip():
        data = pasted  # its bytes, checked as a file's are (UTF-8 for Turtle, N-Triples, JSON-LD)
        if len(data) > limit:
            _too_large(limit)
        name = t("shacl.pasted", choose_lang())
        fmt = syntax or _sniff(data)
    elif with_files and not form and not files and request.content_length:
        # werkzeug drops a multipart body it cannot read (no boundary, no closing delimiter): a
        # body was sent, so "no data" would send the client looking for the wrong mistake.
        refuse(400, "shacl.bad_multipart")
    else:
        refuse(400, "shacl.no_data")
    if not data.strip():
        refuse(400, "shacl.empty", name)
    return Upload(data, fmt, name)


def _format_of_file(name: str, mimetype: str | None) -> str:
    suffix = PurePosixPath(name).suffix.lower()
    fmt = FORMATS_BY_SUFFIX.get(suffix)
    if fmt in FORMATS:
        return fmt
    fmt = FORMATS_BY_MEDIA_TYPE.get((mimetype or "").lower())
    if fmt in FORMATS and mimetype not in ("text/plain", "application/octet-stream"):
        return fmt
    abort(
        415,
        description=f"cannot tell the format of {name!r}: name it .ttl, .nt, .jsonld or .rdf, "
        "or choose the syntax in field 'syntax'",
    )


def read_upload(settings: Settings) -> Upload:
    """The data to validate, from a raw body (by Content-Type) or a form; aborts 400/413/415."""
    limit = settings.max_validate_bytes
    mime = request.mimetype
    is_form = mime in ("multipart/form-data", "application/x-www-form-urlencoded")
    length = request.content_length
    if length is not None and length > limit + (FORM_OVERHEAD if is_form else 0):
        _too_large(limit)
    charset = request.mimetype_params.get("charset")
    if charset_refused(charset):
        # Read as UTF-8 whatever it declared, Latin-1 text was validated as other text.
        refuse(415, "shacl.charset", shown(charset))
    if is_form:
        return _from_form(settings, with_files=mime == "multipart/form-data")
    if not mime:
        abort(
            415,
            description="no Content-Type: send text/turtle, application/n-triples, "
            "application/ld+json or application/rdf+xml",
        )
    fmt = FORMATS_BY_MEDIA_TYPE.get(mime)
    if fmt not in FORMATS:
        abort(
            415,
            description=f"cannot validate {mime!r}: send text/turtle, application/n-triples, "
            "application/ld+json, application/rdf+xml, or a form (multipart/form-data)",
        )
    request.max_content_length = limit
    data = _read_bounded(request.stream, limit)
    if not data.strip():
        abort(400, description="the request body is empty: send the RDF data to validate")
    return Upload(data, fmt, t("shacl.request_body", choose_lang()))
