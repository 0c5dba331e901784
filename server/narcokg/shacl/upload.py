"""Parse RDF sent by a client, safely and with a message that says where it is wrong.

Client data must never make the server read anything: a JSON-LD ``@context`` or ``@import``
given as a URL would make rdflib fetch it (over HTTP, or from the local disk with ``file:``),
so such documents are refused before parsing. Relative IRIs resolve against a fixed,
reserved base (never the server's working directory, which would leak a local path).
"""
from __future__ import annotations

import json
import re

from rdflib import Graph

#: Base of relative IRIs in uploaded data (``.invalid`` is reserved: it names nothing real).
UPLOAD_BASE = "http://upload.invalid/"

#: rdflib parser names this module accepts.
FORMATS = ("turtle", "nt", "json-ld", "xml")

NL = b"\n"


class ParseError(Exception):
    """Data that does not parse; ``str()`` is a one-line message naming the line where known."""


def parse(data: bytes, fmt: str, base: str = UPLOAD_BASE) -> Graph:
    """Parse ``data`` in rdflib format ``fmt`` into a new Graph, or raise ParseError."""
    if fmt not in FORMATS:
        raise ParseError(f"unsupported format {fmt!r}")
    if fmt == "json-ld":
        refuse_remote_contexts(data)
    graph = Graph()
    try:
        graph.parse(data=data, format=fmt, publicID=base)
    except Exception as exc:  # rdflib raises many types; all mean "does not parse"
        raise ParseError(describe(exc, data, fmt)) from None
    return graph


def describe(exc: BaseException, data: bytes, fmt: str) -> str:
    """One line from a parser error, with the line number wherever it can be found."""
    if isinstance(exc, UnicodeDecodeError):
        line = data[: exc.start].count(NL) + 1
        return f"line {line}: not UTF-8 (byte 0x{data[exc.start]:02x})"
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
        wanted = text[len("Invalid line: "):].strip()
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
        doc = json.loads(data)
    except UnicodeDecodeError as exc:
        raise ParseError(describe(exc, data, "json-ld")) from None
    except json.JSONDecodeError as exc:
        raise ParseError(f"line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    except RecursionError:
        raise ParseError("nesting too deep to parse") from None
    stack = [doc]
    while stack:  # iterative: a deeply nested document must not overflow the stack
        node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "@import" or (key == "@context" and _names_url(value)):
                    raise ParseError(
                        f"remote JSON-LD contexts are not fetched ({key} given as a reference): "
                        "put the context inline in the document"
                    )
                stack.append(value)
        elif isinstance(node, list):
            stack.extend(node)


def _names_url(context) -> bool:
    if isinstance(context, str):
        return True
    if isinstance(context, list):
        return any(isinstance(c, str) for c in context)
    return False
