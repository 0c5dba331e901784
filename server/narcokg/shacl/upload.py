"""Parse RDF sent by a client, safely and with a message that says where it is wrong.

Client data must never make the server read anything, and must cost time linear in its size:

- JSON-LD is parsed by pyoxigraph, whose parser has no document loader: a remote ``@context``
  (at any depth: arrays, scoped contexts, ``@import``) cannot be fetched, from the network or
  from the disk (rdflib's parser would fetch it). A scan of the JSON refuses such documents
  first, with a clear message; the parser is what makes fetching impossible.
- RDF/XML is read by expat, which refuses any entity declaration (``<!ENTITY``: "billion
  laughs" grows 500 bytes into gigabytes), and re-written as plain XML that pyoxigraph parses
  into RDF (see ``safexml``): rdflib's RDF/XML parser is superlinear on literals.
- Turtle and N-Triples are parsed by pyoxigraph too: rdflib's Turtle parser grows a string
  literal one escape at a time, in quadratic time (5 MB of ``\\"`` in one string outlasted the
  30 s limit of a validation).
- The process that parses uploads has its network closed in the kernel (``sandbox``).

Relative IRIs resolve against a fixed, reserved base (never the server's working directory,
which would leak a local path).
"""

from __future__ import annotations

import json
import logging
import re
from decimal import Decimal

import pyoxigraph as ox
from rdflib import XSD, Graph
from rdflib import term as rdflib_terms

from narcokg.shacl import safexml, utf8
from narcokg.errors import SourceError
from narcokg.shacl.accepts import FORMATS, UPLOAD_BASE

#: The reserved base of relative IRIs and the rdflib parser names this module accepts.
__all__ = ["FORMATS", "UPLOAD_BASE", "ParseError", "parse", "describe", "refuse_remote_contexts"]

NL = b"\n"

#: xsd:decimal's lexical space (XSD 1.1 §3.3.3): no exponent, no NaN or INF, no "_".
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)", re.ASCII)


def _xsd_decimal(lexical: str) -> Decimal:
    """The value of an xsd:decimal literal; ValueError (rdflib: ill-typed) outside its lexical space.

    rdflib read the lexical form with Python's Decimal, which takes "1e999999999", and then wrote
    the value back out in full as the literal's normal form: a billion digits from 30 bytes, a
    MemoryError at the memory cap ("does not parse: MemoryError") or tens of MB per literal below
    it. Such a form is not an xsd:decimal at all (pyoxigraph calls it ill-typed too)."""
    text = lexical.strip(" \t\r\n")
    if not _DECIMAL.fullmatch(text):
        raise ValueError(f"not an xsd:decimal lexical form: {lexical[:40]!r}")
    return Decimal(text)


def _bind_strict_decimals() -> None:
    # Every process that parses client data imports this module (the validation processes, and
    # `narcokg validate` through the same code): from here on each xsd:decimal literal is read so.
    log = logging.getLogger("rdflib.term")
    level = log.level
    log.setLevel(logging.ERROR)  # rdflib warns that xsd:decimal was bound before: on purpose
    try:
        rdflib_terms.bind(
            XSD.decimal, Decimal, constructor=_xsd_decimal, lexicalizer=lambda d: f"{d:f}", datatype_specific=True
        )
    finally:
        log.setLevel(level)


_bind_strict_decimals()


class ParseError(SourceError):
    """Data that does not parse; ``str()`` is a one-line message in words that starts with the
    line (and column) where known; ``line`` and ``column`` are 1-based, or None."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None):
        super().__init__(message)
        self.line, self.column = line, column


def _where(line: int | None, column: int | None) -> str:
    if line and column:
        return f"line {line}, column {column}: "
    return f"line {line}: " if line else ""


def _at(message: str, line: int | None, column: int | None = None) -> ParseError:
    return ParseError(_where(line, column) + message, line, column)


#: What pyoxigraph's Turtle and N-Triples parsers say, and what to do about it, in words.
_PARSER_WHY = [
    (
        re.compile(r"The prefix (\S*): has not been declared"),
        lambda m: f"prefix `{m.group(1)}:` is not declared — add `@prefix {m.group(1)}: <…> .` with its namespace IRI",
    ),
    (
        re.compile(r"Line jumps are not allowed in string literals"),
        lambda m: "a string is not closed before the end of the line — add the closing quote",
    ),
    (re.compile(r"^\. is not a valid RDF object"), lambda m: "an object is missing here (after a property)"),
    (
        re.compile(r"A dot is expected at the end of statements"),
        lambda m: "the statement before this point is not ended — put a `.` after it",
    ),
    (re.compile(r"^Unexpected end( of file)?$"), lambda m: "the data ends in the middle of a statement"),
    (re.compile(r"^\. is not a valid predicate"), lambda m: "a property and an object are expected here"),
]
#: The position pyoxigraph puts before its message (the exception carries it as numbers).
_PARSER_AT = re.compile(
    r"^Parser error (?:at line \d+ (?:column \d+|between columns \d+ and \d+)"
    r"|between line \d+ column \d+ and line \d+ column \d+): "
)


def parse(data: bytes, fmt: str, base: str = UPLOAD_BASE) -> Graph:
    """Parse ``data`` in rdflib format ``fmt`` into a new Graph, or raise ParseError."""
    if fmt not in FORMATS:
        raise ParseError(f"unsupported format {fmt!r}")
    bad = utf8.first_bad_byte(data) if fmt in utf8.UTF8_ONLY else None
    if bad is not None:  # pyoxigraph would say "from index 3" of a buffer of its own
        raise _at(utf8.message(bad), bad.line, bad.column)
    if fmt == "json-ld":
        refuse_remote_contexts(data)
        return _parse_with_oxigraph(data, ox.RdfFormat.JSON_LD, base)
    if fmt == "xml":
        try:
            plain = safexml.rewrite(data)
        except safexml.XmlRefused as exc:
            raise ParseError(str(exc)) from None
        return _parse_with_oxigraph(plain, ox.RdfFormat.RDF_XML, base)
    if fmt == "turtle":
        return _parse_with_oxigraph(data, ox.RdfFormat.TURTLE, base)
    return _parse_with_oxigraph(data, ox.RdfFormat.N_TRIPLES, base)


def _described(exc: BaseException, data: bytes, fmt: str) -> ParseError:
    text = describe(exc, data, fmt)
    m = re.match(r"line (\d+)(?:, column (\d+))?: ", text)
    return ParseError(text, int(m.group(1)), int(m.group(2)) if m.group(2) else None) if m else ParseError(text)


XML_LITERAL = "http://www.w3.org/1999/02/22-rdf-syntax-ns#XMLLiteral"
#: Longest rdf:XMLLiteral value accepted (rdflib's handling of them grows faster than linearly).
MAX_XML_LITERAL = 16 * 1024

REMOTE_CONTEXT = (
    "remote JSON-LD contexts are not loaded: {what} names a context by reference; "
    "inline the context (put its object in the document)"
)


def _parse_with_oxigraph(data: bytes, fmt: ox.RdfFormat, base: str) -> Graph:
    """Every triple of every graph of ``data`` (the client's data is validated as one graph)."""
    from narcokg.shacl.files import rdflib_term

    graph = Graph()
    try:
        for quad in ox.parse(data, format=fmt, base_iri=base):
            s, p, o = quad.subject, quad.predicate, quad.object
            if isinstance(s, ox.Triple) or isinstance(o, ox.Triple):
                raise ParseError("triple terms (RDF-star) are not accepted")
            if isinstance(o, ox.Literal) and o.datatype.value == XML_LITERAL and len(o.value) > MAX_XML_LITERAL:
                # rdflib re-parses XML literals (minidom) in superlinear time.
                raise ParseError(f"an rdf:XMLLiteral value over {MAX_XML_LITERAL} characters is not accepted")
            graph.add((rdflib_term(s), rdflib_term(p), rdflib_term(o)))
    except SyntaxError as exc:
        text = " ".join((getattr(exc, "msg", None) or str(exc)).split())
        if "LoadDocumentCallback" in text:  # pyoxigraph met a remote context (it cannot load one)
            raise ParseError(REMOTE_CONTEXT.format(what="@context")) from None
        text = _PARSER_AT.sub("", text)
        words = next((say(m) for pattern, say in _PARSER_WHY if (m := pattern.search(text))), None)
        raise _at(words or _clip(text, 400), exc.lineno, exc.offset if exc.lineno else None) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise ParseError(_clip(" ".join(str(exc).split()), 400)) from None
    return graph


def describe(exc: BaseException, data: bytes, fmt: str) -> str:
    """One line from a parser error, with the line number wherever it can be found."""
    if isinstance(exc, UnicodeDecodeError):
        bad = utf8.first_bad_byte(data)
        if bad is not None:
            return f"line {bad.line}, column {bad.column}: {utf8.message(bad)}"
    if isinstance(exc, RecursionError):
        return "nesting too deep to parse"
    if isinstance(exc, IndexError) and fmt == "turtle":
        # rdflib's Turtle parser reads past the end of a truncated statement.
        return f"line {data.count(NL) + 1}: unexpected end of input (unfinished statement)"
    text = " ".join((str(exc).strip() or exc.__class__.__name__).split())
    if fmt == "xml":
        m = re.match(r"<[^>]*>:(\d+):(\d+):\s*(.*)", text)
        if m:
            return f"line {m.group(1)}, column {m.group(2)}: {m.group(3)}"
    if fmt == "nt" and text.startswith("Invalid line: "):
        wanted = text[len("Invalid line: ") :].strip()
        for n, line in enumerate(data.decode("utf-8", "replace").splitlines(), 1):
            if line.strip() == wanted:
                return f"line {n}: invalid N-Triples statement: {_clip(wanted)}"
    lines = getattr(exc, "lines", None)
    if lines is not None and "line" not in text.lower():
        text = f"line {lines + 1}: {text}"
    text = re.sub(r"^at line (\d+)(?: of <[^>]*>)?:\s*", r"line \1: ", text)
    return _clip(text, 400)


def _clip(text: str, n: int = 120) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def refuse_remote_contexts(data: bytes) -> None:
    """Raise ParseError if a JSON-LD document names a context by URL (rdflib would fetch it)."""
    try:
        # Numbers are kept as their text: the scan needs no value, and int() refuses more than
        # 4,300 digits, which valid JSON-LD may hold (pyoxigraph reads the number as it is).
        doc = json.loads(data, parse_int=str, parse_float=str, parse_constant=str)
    except UnicodeDecodeError as exc:
        raise _described(exc, data, "json-ld") from None
    except json.JSONDecodeError as exc:
        raise _at(f"not JSON: {exc.msg.lower()}", exc.lineno, exc.colno) from None
    except RecursionError:
        raise ParseError("nesting too deep to parse") from None
    except ValueError as exc:  # e.g. a number with more digits than Python converts
        raise ParseError(_clip(" ".join(str(exc).split()), 200)) from None
    stack = [doc]
    while stack:  # iterative: a deeply nested document must not overflow the stack
        node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "@import" or (key == "@context" and _names_reference(value)):
                    raise ParseError(REMOTE_CONTEXT.format(what=key))
                stack.append(value)
        elif isinstance(node, list):
            stack.extend(node)


def _names_reference(context) -> bool:
    """A string anywhere in a context value that is not inside an object (a context by IRI)."""
    stack = [context]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            return True
        if isinstance(node, list):
            stack.extend(node)
    return False
