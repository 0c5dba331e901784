"""Read client XML with expat, refuse entity declarations, and write it back as plain XML.

RDF parsers expand the entities a document declares: ten nested entities of ten references
each turn 500 bytes into gigabytes ("billion laughs"; pyoxigraph expands them when declared,
rdflib appends them one by one). Expat reads the document once, in time linear in its size;
an ``<!ENTITY`` declaration (general or parameter, internal or external) stops it. What it
reads is written back as elements, attributes and text only (no DOCTYPE, no comments, every
character escaped), so the RDF/XML parser that runs next sees no entity it could expand.
Newlines are kept where they were, so its line numbers still point into the client's text.
"""

from __future__ import annotations

from xml.parsers import expat
from narcokg.errors import SourceError

ENTITIES_REFUSED = "RDF/XML with entity declarations (DOCTYPE/ENTITY) is not accepted: write the values out in full"


class XmlRefused(SourceError):
    """XML that is not well-formed or declares entities; ``str()`` names the line."""


def _escape_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


def _escape_attr(text: str) -> str:
    return _escape_text(text).replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;")


class _Writer:
    def __init__(self, parser):
        self.parser = parser
        self.out: list[str] = []
        self.line = 1  # line of the output being written
        self.pending = ""  # the end of the last tag, held back so newlines can go before it
        self.started = False

    def _align(self, line: int | None = None) -> None:
        """Put the output on the input's line: newlines go inside the previous tag."""
        behind = (self.parser.CurrentLineNumber if line is None else line) - self.line
        if behind > 0 and (self.pending or not self.started):  # never inside text: it is data
            self.out.append("\n" * behind)
            self.line += behind
        self.started = True
        self.out.append(self.pending)
        self.pending = ""

    def start(self, name: str, attrs: list[str]) -> None:
        self._align()
        parts = ["<", name]
        for i in range(0, len(attrs), 2):
            parts += [" ", attrs[i], '="', _escape_attr(attrs[i + 1]), '"']
        self.out.append("".join(parts))
        self.pending = ">"

    def end(self, name: str) -> None:
        self._align()
        self.out.append("</" + name)
        self.pending = ">"

    def text(self, data: str) -> None:
        # Text comes in one piece (buffer_text), reported where the next event starts.
        newlines = data.count("\n")
        self._align(self.parser.CurrentLineNumber - newlines)
        self.out.append(_escape_text(data))
        self.line += newlines

    def refuse_entity(self, *_args) -> None:
        raise XmlRefused(f"line {self.parser.CurrentLineNumber}: {ENTITIES_REFUSED}")

    def skipped(self, name: str, _is_parameter: bool) -> None:
        raise XmlRefused(f"line {self.parser.CurrentLineNumber}: undefined entity &{name};")


def rewrite(data: bytes) -> bytes:
    """``data`` re-written as entity-free UTF-8 XML, or XmlRefused."""
    parser = expat.ParserCreate()  # no namespace processing: names and xmlns pass through as written
    parser.ordered_attributes = True
    parser.buffer_text = True
    parser.buffer_size = 1 << 20
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    writer = _Writer(parser)
    parser.StartElementHandler = writer.start
    parser.EndElementHandler = writer.end
    parser.CharacterDataHandler = writer.text
    parser.EntityDeclHandler = writer.refuse_entity
    parser.UnparsedEntityDeclHandler = writer.refuse_entity
    parser.SkippedEntityHandler = writer.skipped
    parser.ExternalEntityRefHandler = lambda *_a: 0  # never read anything a document names
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise XmlRefused(f"line {exc.lineno}, column {exc.offset + 1}: {expat.ErrorString(exc.code)}") from None
    except RecursionError:
        raise XmlRefused("nesting too deep to parse") from None
    writer.out.append(writer.pending)
    return "".join(writer.out).encode("utf-8")
