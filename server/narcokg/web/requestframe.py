"""Is an HTTP/1.1 request complete in a buffer? The question the buffering front of the HTTP
worker asks before it gives a request to a thread (``gunicorn_worker``).

This does not decide what a request means: gunicorn's parser still reads every byte and refuses
what is malformed. Anything this scanner does not find plain (bare LF line ends, odd framing
headers, a bad chunk size) is answered HANDOVER: the request goes to a thread at once, gunicorn
refuses it there, and the socket's receive timeout bounds how long that thread can wait. A
disagreement can only cost a thread for that long, never change how a request is read.
A chunked body whose chunk sizes add up past ``max_body`` is TOO_LARGE at once: the worker says
413 without waiting for bytes no route would read (a chunk of 2^64 - 1 bytes was waited for until
the 408 of the read timeout). A declared Content-Length above ``max_body`` is handed over on
purpose (the app refuses it with 413 from the header alone, without waiting for the body), and so
is any ``Expect`` but one ``100-continue`` on an HTTP/1.1 request with a body: for that one the
worker says ``100 Continue`` itself (``continues``) and reads the body like any other, so that a
client that never sends it holds no thread (handed over, 32 such connections held every thread of
both workers for the 10 s of the receive timeout). gunicorn still reads the header and decides.
"""

from __future__ import annotations

import re

INCOMPLETE = 0  # keep reading
COMPLETE = 1  # the first request in the buffer is whole: give it to a thread
HANDOVER = 2  # not plain enough to judge here: give it to a thread now, gunicorn decides
TOO_LARGE = 3  # a chunked body larger than any route accepts: answer 413 and close

_HEX = re.compile(rb"[0-9A-Fa-f]{1,16}")
#: Longest chunk-size line (with extensions) waited for before handing over.
_MAX_SIZE_LINE = 4096


class FrameScanner:
    """Follows one request's framing as bytes arrive; ``scan`` is linear in the bytes fed."""

    def __init__(self, max_head: int, max_body: int):
        self.max_head = max_head
        self.max_body = max_body
        self.body_start = -1  # index just after the head, once found
        self.need = -1  # Content-Length framing: total bytes of the request
        self.chunked = False
        self.pos = 0  # chunked framing: next chunk-size line starts here
        self.body = 0  # chunked framing: the sizes of the chunks seen so far
        #: The request asks for ``100 Continue`` before its body (one ``Expect: 100-continue``).
        self.continues = False

    def scan(self, buf: bytes | bytearray) -> int:
        if self.body_start < 0:
            state = self._head(buf)
            if state != INCOMPLETE or self.body_start < 0:
                return state
        if self.chunked:
            return self._chunks(buf)
        return COMPLETE if len(buf) >= self.need else INCOMPLETE

    def _head(self, buf) -> int:
        start = 0
        while buf.startswith(b"\r\n", start):  # empty lines before a request line are allowed
            start += 2
        end = buf.find(b"\r\n\r\n", start)
        if end < 0:
            if len(buf) > self.max_head or b"\n\n" in buf or b"\n\r\n" in buf:
                return HANDOVER
            return INCOMPLETE
        lines = bytes(buf[start:end]).split(b"\r\n")
        fields = _framing_fields(lines[1:])
        if fields is None:
            return HANDOVER
        lengths, codings, expects = fields
        http11 = lines[0].endswith(b" HTTP/1.1")
        if expects:
            if expects != [b"100-continue"] or not http11:
                return HANDOVER  # gunicorn answers 417, or ignores it (HTTP/1.0)
            self.continues = True
        self.body_start = end + 4
        if codings:
            return self._chunked_head(codings, lengths, http11)
        if lengths:
            if len(set(lengths)) != 1 or not lengths[0].isdigit() or int(lengths[0]) > self.max_body:
                return HANDOVER
            self.need = self.body_start + int(lengths[0])
            return INCOMPLETE
        self.need = self.body_start
        return INCOMPLETE

    def _chunked_head(self, codings: list, lengths: list, http11: bool) -> int:
        last = b",".join(codings).split(b",")[-1].strip().lower()
        if lengths or last != b"chunked" or not http11:
            return HANDOVER
        self.chunked = True
        self.pos = self.body_start
        return INCOMPLETE

    def _chunks(self, buf) -> int:
        while True:
            eol = buf.find(b"\r\n", self.pos)
            if eol < 0:
                return HANDOVER if len(buf) - self.pos > _MAX_SIZE_LINE else INCOMPLETE
            size_text = bytes(buf[self.pos : eol]).split(b";", 1)[0].strip()
            if not _HEX.fullmatch(size_text):
                return HANDOVER
            size = int(size_text, 16)
            self.body += size
            if self.body > self.max_body:
                return TOO_LARGE
            data = eol + 2
            if size == 0:  # the last chunk, then trailer fields up to an empty line
                if buf.startswith(b"\r\n", data):
                    return COMPLETE
                return COMPLETE if buf.find(b"\r\n\r\n", data) >= 0 else INCOMPLETE
            if len(buf) < data + size + 2:
                return INCOMPLETE
            if buf[data + size : data + size + 2] != b"\r\n":
                return HANDOVER
            self.pos = data + size + 2


def _framing_fields(lines: list) -> tuple[list, list, list] | None:
    """The values of Content-Length, Transfer-Encoding and Expect (lower-cased) among the header
    ``lines``; None for a line that is no field."""
    lengths, codings, expects = [], [], []
    for line in lines:
        name, sep, value = line.partition(b":")
        if not sep:
            return None
        name = name.strip().lower()
        if name == b"content-length":
            lengths.append(value.strip())
        elif name == b"transfer-encoding":
            codings.append(value.strip())
        elif name == b"expect":
            expects.append(value.strip().lower())
    return lengths, codings, expects
