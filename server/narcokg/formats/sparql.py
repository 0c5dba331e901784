"""Result formats of the SPARQL endpoint: the table, Accept negotiation, and serializers.

SELECT/ASK answers are solutions (SPARQL JSON, XML, CSV, TSV); CONSTRUCT/DESCRIBE answers are
graphs (Turtle, N-Triples, JSON-LD, RDF/XML, N-Quads, TriG). A ``format`` parameter names one
(short name or media type) and wins over Accept; otherwise Accept picks by q-value and
specificity among the offers, ties going to the earlier offer in the table.

Solutions are serialized here, in Python, because the query process must count rows before
answering (the row limit) and pyoxigraph's own serializer consumes its iterator.
"""

from __future__ import annotations

import csv
import io
import json
from json.encoder import encode_basestring as _quote  # JSON string literal, non-ASCII kept
from typing import TYPE_CHECKING

import pyoxigraph as ox

from narcokg.formats import jsonld, registry  # imported up front: a query process cannot open files once it answers
from narcokg import errors

if TYPE_CHECKING:  # the query processes import this module: keep their start light
    from werkzeug.datastructures import MIMEAccept

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
FORMATS_NS = registry.FORMATS_NS


#: The endpoint's formats are the registry's (one table for every room).
Format = registry.Format
FORMATS: list[Format] = registry.FORMATS
BY_NAME = registry.BY_NAME
offered = registry.offered

#: Names a ``format`` parameter may use besides the table's (what common clients send; a Turtle
#: document is also valid N3, so N3 requests get Turtle).
_FORMAT_ALIASES = {
    **{f.extension: f.name for f in FORMATS},
    "sparql-results+json": "json",
    "n-triples": "ntriples",
    "json-ld": "jsonld",
    "rdf+xml": "rdfxml",
    "n-quads": "nquads",
    "text": "tsv",
    "n3": "turtle",
}
#: A short name that stands for a different format when the answer is a graph.
_GRAPH_EQUIVALENT = {"json": "jsonld", "xml": "rdfxml", "csv": None, "tsv": None}


class NotAcceptable(errors.NotAcceptable):
    """No offered format fits; ``offered`` lists the media types that would."""

    def __init__(self, offered: list[str], reason: str):
        super().__init__(reason, offered)


class UnknownFormat(errors.RequestError):
    pass


def by_param(value: str, kind: str) -> Format:
    """The format a ``format``/``output`` parameter names, for an answer of ``kind``."""
    key = value.strip().lower()
    if "/" in key:  # a media type
        mt = key.split(";")[0].strip()
        for f in offered(kind):
            if mt == f.media_type or mt in f.aliases:
                return f
        if any(mt == f.media_type or mt in f.aliases for f in FORMATS):
            raise NotAcceptable(
                [f.media_type for f in offered(kind)], f"format {mt} is not offered for this query form"
            )
        raise UnknownFormat(f"unknown format {value.strip()!r}")
    key = _FORMAT_ALIASES.get(key, key)
    if key not in BY_NAME:
        names = ", ".join(f.name for f in FORMATS)
        raise UnknownFormat(f"unknown format {value.strip()!r}; use one of: {names}")
    fmt = BY_NAME[key]
    if fmt.kind != kind and kind == "graph" and _GRAPH_EQUIVALENT.get(key):
        fmt = BY_NAME[_GRAPH_EQUIVALENT[key]]
    if fmt.kind != kind:
        raise NotAcceptable(
            [f.media_type for f in offered(kind)], f"format {fmt.name} is not offered for this query form"
        )
    return fmt


def by_accept(accept: MIMEAccept, kind: str, formats: list[Format] | None = None) -> Format:
    """The format Accept prefers for an answer of ``kind`` (among ``formats`` when given); the
    first offer when Accept is absent."""
    formats = formats or offered(kind)
    if not accept:
        return formats[0]
    types: list[tuple[str, Format]] = [(f.media_type, f) for f in formats]
    types += [(alias, f) for f in formats for alias in f.aliases]
    best = accept.best_match([t for t, _ in types])
    if best is None:
        raise NotAcceptable([f.media_type for f in formats], "no offered media type matches the Accept header")
    return dict(types)[best]


# Solutions ----------------------------------------------------------------------------

_XML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_XML_ATTR_ESCAPES = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}
)


ITS = "http://www.w3.org/2005/11/its"


def escape(text: str) -> str:
    return text.translate(_XML_ESCAPES)


def quoteattr(text: str) -> str:
    return '"' + text.translate(_XML_ATTR_ESCAPES) + '"'


def _json_text(term) -> str:
    """``term`` as SPARQL JSON text, written directly: building a dict per term and encoding
    them all cost three times as much (a 23-row lookup: 57 µs against ~20 µs)."""
    kind = type(term)
    if kind is ox.NamedNode:
        return '{"type":"uri","value":' + _quote(term.value) + "}"
    if kind is ox.Literal:
        if term.language:
            direction = ',"its:dir":' + _quote(str(term.direction)) if term.direction else ""
            return (
                '{"type":"literal","value":'
                + _quote(term.value)
                + ',"xml:lang":'
                + _quote(term.language)
                + direction
                + "}"
            )
        datatype = term.datatype.value
        if datatype != XSD_STRING:
            return '{"type":"literal","value":' + _quote(term.value) + ',"datatype":' + _quote(datatype) + "}"
        return '{"type":"literal","value":' + _quote(term.value) + "}"
    if kind is ox.BlankNode:
        return '{"type":"bnode","value":' + _quote(term.value) + "}"
    return json.dumps(_json_term(term), ensure_ascii=False, separators=(",", ":"))


def _json_term(term) -> dict:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
            if term.direction:
                out["its:dir"] = str(term.direction)
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):
        return {
            "type": "triple",
            "value": {
                "subject": _json_term(term.subject),
                "predicate": _json_term(term.predicate),
                "object": _json_term(term.object),
            },
        }
    raise TypeError(f"unexpected term {term!r}")


def _xml_term(term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            if term.direction:  # SPARQL 1.2 results: the base direction as ITS 2.0 attributes
                return (
                    f"<literal xml:lang={quoteattr(term.language)} its:dir={quoteattr(str(term.direction))} "
                    f'xmlns:its="{ITS}" its:version="2.0">{escape(term.value)}</literal>'
                )
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != XSD_STRING:
            return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
        return f"<literal>{escape(term.value)}</literal>"
    if isinstance(term, ox.Triple):
        return (
            "<triple><subject>"
            + _xml_term(term.subject)
            + "</subject><predicate>"
            + _xml_term(term.predicate)
            + "</predicate><object>"
            + _xml_term(term.object)
            + "</object></triple>"
        )
    raise TypeError(f"unexpected term {term!r}")


def _csv_term(term) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    if isinstance(term, ox.Triple):
        return str(term)
    return term.value


def _tsv_term(term) -> str:
    """A term in the SPARQL TSV syntax (Turtle/N-Triples terms; a triple term as ``<<( s p o )>>``)."""
    if isinstance(term, ox.Triple):
        return f"<<( {_tsv_term(term.subject)} {_tsv_term(term.predicate)} {_tsv_term(term.object)} )>>"
    return str(term)


def serialize_solutions(variables: list[str], rows: list[tuple], fmt: Format) -> bytes:
    """Serialize SELECT rows (tuples of pyoxigraph terms or None, in ``variables`` order)."""
    if fmt.name == "json":
        names = [_quote(v) + ":" for v in variables]
        bindings = ",".join(
            "{" + ",".join(n + _json_text(t) for n, t in zip(names, row) if t is not None) + "}" for row in rows
        )
        head = json.dumps({"vars": variables}, ensure_ascii=False, separators=(",", ":"))
        return ('{"head":' + head + ',"results":{"bindings":[' + bindings + "]}}").encode("utf-8")
    if fmt.name == "xml":
        out = ['<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>']
        out += [f"<variable name={quoteattr(v)}/>" for v in variables]
        out.append("</head><results>")
        for row in rows:
            out.append("<result>")
            out += [
                f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>"
                for v, t in zip(variables, row)
                if t is not None
            ]
            out.append("</result>")
        out.append("</results></sparql>\n")
        return "".join(out).encode("utf-8")
    if fmt.name == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow(variables)
        for row in rows:
            writer.writerow([_csv_term(t) for t in row])
        return buf.getvalue().encode("utf-8")
    if fmt.name == "tsv":
        lines = ["\t".join("?" + v for v in variables)]
        lines += ["\t".join("" if t is None else _tsv_term(t) for t in row) for row in rows]
        return ("\n".join(lines) + "\n").encode("utf-8")
    raise ValueError(f"{fmt.name} is not a solutions format")


def serialize_boolean(value: bool, fmt: Format) -> bytes:
    word = "true" if value else "false"
    if fmt.name == "json":
        return ('{"head":{},"boolean":%s}' % word).encode()
    if fmt.name == "xml":
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
            f"<head/><boolean>{word}</boolean></sparql>\n"
        ).encode()
    if fmt.name == "csv":
        return f"_askResult\r\n{word}\r\n".encode()
    if fmt.name == "tsv":
        return f"?_askResult\n{word}\n".encode()
    raise ValueError(f"{fmt.name} is not a solutions format")


def serialize_triples(triples: list, fmt: Format, prefixes: dict[str, str] | None = None) -> bytes:
    """Serialize CONSTRUCT/DESCRIBE triples; quad formats put them in the default graph.
    ``errors.NotAcceptable`` when ``fmt`` cannot write them (JSON-LD and RDF 1.2 triple terms)."""
    if fmt.name == "jsonld" and any(type(t.object) is ox.Triple for t in triples):
        raise errors.NotAcceptable(str(jsonld.TripleTermError()))
    if fmt.name in ("nquads", "trig"):
        items = [ox.Quad(t.subject, t.predicate, t.object) for t in triples]
    else:
        items = triples
    if fmt.name == "jsonld" and prefixes:
        return _compact_jsonld(items, prefixes)
    use_prefixes = _used_prefixes(triples, prefixes) if prefixes and fmt.name in ("turtle", "trig", "rdfxml") else None
    return ox.serialize(items, format=fmt.rdf_format, prefixes=use_prefixes) or b""


#: JSON-LD 1.1 expands ``p:local`` through a simple term only when the term's IRI ends with
#: one of these (a "gen-delim"); other namespaces would read back as IRIs with scheme ``p``.
_GEN_DELIMS = tuple(":/?#[]@")


def _compact_jsonld(items: list, prefixes: dict[str, str]) -> bytes:
    """JSON-LD with an @context of the answer's prefixes (the query's and the served ones),
    like the data documents, instead of pyoxigraph's expanded form; the same triples."""
    usable = {name: ns for name, ns in prefixes.items() if name and ns.endswith(_GEN_DELIMS)}
    doc = jsonld.compact(items, usable)
    return json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8")


def _used_prefixes(triples: list, prefixes: dict[str, str]) -> dict[str, str]:
    """Only the prefixes whose namespace some IRI of ``triples`` starts with, sorted by name."""
    iris = set()
    for t in triples:
        for term in (t.subject, t.predicate, t.object):
            if isinstance(term, ox.NamedNode):
                iris.add(term.value)
            elif isinstance(term, ox.Literal):
                iris.add(term.datatype.value)
    namespaces = {ns for ns in prefixes.values() if any(i.startswith(ns) for i in iris)}
    return {name: ns for name, ns in sorted(prefixes.items()) if ns in namespaces}
