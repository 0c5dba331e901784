"""The first byte of data that is not UTF-8, and what to do about it, in words.

Turtle, N-Triples and JSON-LD are UTF-8 by definition. pyoxigraph's parser reports a bad byte as
"Invalid UTF-8: incomplete utf-8 byte sequence from index 3", an index into a buffer of its own
that is neither an offset in the file nor a column: this finds the byte itself, with its offset,
line and column. No rdflib here: the web process checks uploads with it too, in the page's language.
"""

from __future__ import annotations

from dataclasses import dataclass

from narcokg.texts import text

#: The formats (rdflib parser names) that must be UTF-8 (RDF/XML may declare another encoding).
UTF8_ONLY = ("turtle", "nt", "json-ld")


@dataclass(frozen=True)
class BadByte:
    value: int
    offset: int  # 0-based, in bytes
    line: int  # 1-based
    column: int  # 1-based, in characters


def first_bad_byte(data: bytes) -> BadByte | None:
    try:
        data.decode("utf-8")
        return None
    except UnicodeDecodeError as exc:
        offset = exc.start
    start = data.rfind(b"\n", 0, offset) + 1
    column = len(data[start:offset].decode("utf-8")) + 1  # all valid before the first bad byte
    return BadByte(data[offset], offset, data.count(b"\n", 0, offset) + 1, column)


def message(bad: BadByte, lang: str = "en") -> str:
    """What is wrong and how to fix it (the line and column are said by whoever shows them)."""
    return text("shacl.not_utf8", lang).format(byte=f"{bad.value:02X}", offset=bad.offset)
