"""Answers to repeated GET requests, replayed by the HTTP worker's event loop before any thread,
parser or Flask code runs (the fast path of ``gunicorn_worker``).

Why: a served snapshot never changes, so a GET answer that carries an ETag is the same for as
long as the server runs. Through the full stack a repeated lookup still cost about 0.9 ms of CPU
(gunicorn's thread hand-off, its parser, WSGI, Flask, the access log), four times Oxigraph
server's whole answer; replayed from here it costs the parse of the request head and one send.

What is stored is what the app answered, captured at the WSGI boundary (``capturing``): status
200, an ETag, no Set-Cookie, not ``no-store``/``private``, no ``Vary: *``, to a GET without
conditional or range headers. Like a shared HTTP cache (RFC 9111 §4.1), an answer is replayed
only to a request with the same target, the same Host and the same values of every header the
answer's Vary names (and of the headers that set the URL scheme). The fast path reads only a strict subset of HTTP/1.1 (``parse_head``):
anything else, and every miss, goes the normal way, where gunicorn's parser and the app decide;
so this reading can only ever decline, never answer differently from the app. Fair use still
holds on /sparql: a client past its budget is sent the normal way (and gets its 429), and a
replay is charged the time it took.

The workers of one server share what they store (``Shared``): an answer is appended to a file
of a private folder in shared memory (``/dev/shm``), one file per target and Host, so an answer
computed by one worker is replayed by every other; each worker keeps its own recent answers in
memory in front of it. An answer is shared once it has been asked for again (its first replay
from memory), not when first computed: writing a file for every answer cost a unique lookup 14 %
of its CPU (``benchmarks/profile_lookup.py``) and spent each worker's share of the folder on
answers nobody asked for twice.
"""

from __future__ import annotations

import hashlib
import mmap
import os
import re
import struct
import threading
from collections import OrderedDict
from dataclasses import dataclass

#: Request headers that make an answer the client's own (conditional, partial, credentials).
_PERSONAL = frozenset(
    {
        b"if-none-match",
        b"if-modified-since",
        b"if-match",
        b"if-unmodified-since",
        b"if-range",
        b"range",
        b"authorization",
        b"cookie",
    }
)
#: Request headers after which the fast path declines (framing, upgrades, closing).
_DECLINE = frozenset({b"content-length", b"transfer-encoding", b"expect", b"upgrade", b"te", b"trailer"})
#: Response headers written per answer by the worker, never stored.
_PER_ANSWER = frozenset({"date", "server", "connection", "keep-alive", "transfer-encoding", "server-timing"})
#: Request headers an answer may depend on without naming them in Vary: gunicorn takes the URL
#: scheme from them (from a trusted proxy), and absolute links (e.g. /fragments) follow it.
IMPLICIT_VARY = (b"x-forwarded-proto", b"x-forwarded-protocol", b"x-forwarded-ssl", b"forwarded")
#: A target the fast paths take: printable ASCII but '#', which ends the target for gunicorn (what
#: follows is a fragment the app never sees, so a fast path reading it would answer another query).
_TARGET = re.compile(rb"/[\x21\x22\x24-\x7e]*")
_TOKEN = re.compile(rb"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_VALUE = re.compile(rb"[\x20-\x7e\x80-\xff\t]*")


@dataclass(frozen=True)
class Head:
    target: bytes
    headers: dict[bytes, bytes]  # lower-case name -> value (each name once)


def parse_head(buf: bytes | bytearray) -> Head | None:
    """The request head in ``buf`` (one whole GET request, nothing after it) if it is plain
    HTTP/1.1 in every respect the fast path relies on; None otherwise (the normal path decides)."""
    end = buf.find(b"\r\n\r\n")
    if end < 0 or end + 4 != len(buf):
        return None
    lines = bytes(buf[:end]).split(b"\r\n")
    parts = lines[0].split(b" ")
    if len(parts) != 3 or parts[0] != b"GET" or parts[2] != b"HTTP/1.1" or not _TARGET.fullmatch(parts[1]):
        return None
    headers: dict[bytes, bytes] = {}
    for line in lines[1:]:
        name, sep, value = line.partition(b":")
        if not sep or not _TOKEN.fullmatch(name) or not _VALUE.fullmatch(value):
            return None
        name = name.lower()
        if name in headers or name in _DECLINE or name in _PERSONAL or b"_" in name:
            # A name with "_" gunicorn drops, refuses or, from a trusted proxy, obeys (SCRIPT_NAME
            # moves the app's root): which one, only the normal path knows.
            return None
        value = value.strip(b" \t")
        if name == b"connection" and value.lower() != b"keep-alive":
            return None  # close, upgrade, hop-by-hop names: the normal path handles them
        headers[name] = value
    if b"host" not in headers:
        return None
    return Head(parts[1], headers)


@dataclass(frozen=True)
class Stored:
    vary: tuple[bytes, ...]  # lower-case request header names the answer varies on
    values: tuple[bytes, ...]  # their values in the request that produced it
    head: bytes  # "Name: value\r\n" lines of the answer, per-answer ones left out
    body: bytes
    fair_use: bool  # replaying it is charged to the client (the /sparql route)


_RECORD = struct.Struct("<IHBI")  # record length, number of Vary names, fair use, head length
_FIELD = struct.Struct("<HI")  # a Vary name's length, its value's length


class Shared:
    """Answers the workers of one server store for each other: a folder only this user can
    read, made by the master before it forks, one append-only file per (target, Host).

    A record is appended with one ``write`` on a file opened with O_APPEND, which Linux does not
    interleave with another's; a reader that meets a record cut short (a full disk) ignores the
    rest of that file. Each worker writes at most ``max_bytes`` ÷ workers, then stops sharing.

    Most lookups miss (every unique request does), and trying to open a file that is not there
    cost a unique lookup 5 % of its CPU: so the folder also holds ``marks``, one byte per slot
    of the keys' hashes, mapped by every worker and set once a file is written. A key whose
    slot is unset has no file, and no file is tried; a set one may be another key's (then the
    file is tried and not found). A byte is written whole, so no worker undoes another's mark."""

    #: Slots of ``marks`` (a file of this many bytes in the folder, in shared memory).
    SLOTS = 1 << 20

    def __init__(self, folder: str, max_bytes: int):
        self.folder = folder
        self.max_bytes = max_bytes
        self.written = 0
        self._marks = _mapped(os.path.join(folder, "marks"), self.SLOTS)

    def _key(self, target: bytes, host: bytes) -> tuple[str, int]:
        """The file of (target, Host) and its slot in ``marks``."""
        digest = hashlib.sha256(target + b"\0" + host)
        return os.path.join(self.folder, digest.hexdigest()), int.from_bytes(digest.digest()[:4], "little") % self.SLOTS

    def put(self, target: bytes, host: bytes, stored: "Stored") -> None:
        fields = b"".join(_FIELD.pack(len(n), len(v)) + n + v for n, v in zip(stored.vary, stored.values))
        payload = fields + stored.head + stored.body
        record = _RECORD.pack(len(payload), len(stored.vary), int(stored.fair_use), len(stored.head)) + payload
        if self.written + len(record) > self.max_bytes:
            return
        path, slot = self._key(target, host)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        except OSError:
            return
        try:
            os.write(fd, record)
            self.written += len(record)
        except OSError:
            pass
        finally:
            os.close(fd)
        if self._marks is not None:
            self._marks[slot] = 1  # after the record: a worker that sees the mark finds the file

    def variants(self, target: bytes, host: bytes) -> list["Stored"]:
        path, slot = self._key(target, host)
        if self._marks is not None and not self._marks[slot]:
            return []  # never written by any worker
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError:
            return []
        found, pos = [], 0
        while pos + _RECORD.size <= len(data):
            size, count, fair, head_len = _RECORD.unpack_from(data, pos)
            pos += _RECORD.size
            end = pos + size
            if end > len(data):
                break
            names, values = [], []
            for _ in range(count):
                nlen, vlen = _FIELD.unpack_from(data, pos)
                pos += _FIELD.size
                names.append(data[pos : pos + nlen])
                values.append(data[pos + nlen : pos + nlen + vlen])
                pos += nlen + vlen
            found.append(
                Stored(tuple(names), tuple(values), data[pos : pos + head_len], data[pos + head_len : end], bool(fair))
            )
            pos = end
        return found


def _mapped(path: str, size: int) -> mmap.mmap | None:
    """``size`` bytes of the file at ``path`` (made, zeroed, by whichever worker comes first),
    mapped shared; None when that cannot be (then every miss tries its file, as before)."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:
        return None
    try:
        if os.fstat(fd).st_size < size:
            os.ftruncate(fd, size)  # extending keeps what another worker marked meanwhile
        return mmap.mmap(fd, size)
    except (OSError, ValueError):
        return None
    finally:
        os.close(fd)


class AnswerCache:
    """Stored answers of one HTTP worker, least recently used out past ``max_bytes``, in front of
    the answers shared by the server's workers (``shared``, optional)."""

    def __init__(self, max_bytes: int, max_item_bytes: int | None = None, shared: Shared | None = None):
        self.shared = shared
        self.max_bytes = max(0, int(max_bytes))
        self.max_item_bytes = self.max_bytes // 16 if max_item_bytes is None else int(max_item_bytes)
        self._items: OrderedDict[tuple[bytes, bytes], list[Stored]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self._in_shared: set[tuple[bytes, bytes, tuple[bytes, ...]]] = set()  # (target, host, values)
        self.hits = 0

    @property
    def enabled(self) -> bool:
        return self.max_bytes > 0

    def lookup(self, head: Head) -> Stored | None:
        key = (head.target, head.headers[b"host"])
        with self._lock:
            stored = self._match(head, self._items.get(key) or ())
            if stored is not None:
                self._items.move_to_end(key)
                self.hits += 1
        if stored is not None:
            self._share(key, stored)  # asked for again: worth a file the other workers can read
            return stored
        if self.shared is None:
            return None
        stored = self._match(head, self.shared.variants(*key))
        if stored is not None:
            self._in_shared.add((*key, stored.values))
            self._keep(key, stored)  # the next replay of it needs no file
        return stored

    def _share(self, key: tuple[bytes, bytes], stored: Stored) -> None:
        if self.shared is None:
            return
        mark = (*key, stored.values)
        with self._lock:
            if mark in self._in_shared:
                return
            if len(self._in_shared) >= 100_000:
                self._in_shared.clear()  # forgetting costs at most a duplicate record in a file
            self._in_shared.add(mark)
        self.shared.put(key[0], key[1], stored)

    @staticmethod
    def _match(head: Head, variants) -> Stored | None:
        for stored in variants:
            if all(head.headers.get(n, b"") == v for n, v in zip(stored.vary, stored.values)):
                return stored
        return None

    def store(self, target: bytes, host: bytes, stored: Stored) -> None:
        """Keep a freshly computed answer in this worker (shared with the others on its first replay)."""
        self._keep((target, host), stored)

    def _keep(self, key: tuple[bytes, bytes], stored: Stored) -> bool:
        """Keep ``stored`` in this worker's memory; False if it was there already or is too large."""
        size = len(stored.body) + len(stored.head)
        if not self.enabled or size > self.max_item_bytes:
            return False
        with self._lock:
            variants = self._items.setdefault(key, [])
            for old in variants:
                if old.vary == stored.vary and old.values == stored.values:
                    return False  # two threads answered the same request at once: keep the first
            variants.append(stored)
            self._items.move_to_end(key)
            self._bytes += size
            while self._bytes > self.max_bytes and self._items:
                _k, evicted = self._items.popitem(last=False)
                self._bytes -= sum(len(s.body) + len(s.head) for s in evicted)
        return True


def _header(environ: dict, name: bytes) -> bytes:
    if name == b"content-type":
        value = environ.get("CONTENT_TYPE", "")
    else:
        value = environ.get("HTTP_" + name.decode("latin-1").upper().replace("-", "_"), "")
    return value.encode("latin-1")


def _cacheable(environ: dict) -> bool:
    if environ.get("REQUEST_METHOD") != "GET" or environ.get("SERVER_PROTOCOL") != "HTTP/1.1":
        return False
    if environ.get("SCRIPT_NAME", "") != os.environ.get("SCRIPT_NAME", ""):
        # Mounted under a root a proxy's SCRIPT_NAME header chose (gunicorn's forwarder_headers):
        # the answer (its path, its links) is not the one every request for the target gets, and
        # a replay keyed by target and Host would give it to them.
        return False
    names = {k[5:].lower().replace("_", "-").encode() for k in environ if k.startswith("HTTP_")}
    return not (names & _PERSONAL)


def _storable(status: str, headers: list[tuple[str, str]]) -> tuple[bytes, tuple[bytes, ...]] | None:
    """(the stored header lines, the Vary names) of an answer fit for replay, or None."""
    if not status.startswith("200"):
        return None
    etag = False
    vary: list[bytes] = []
    lines = []
    for name, value in headers:
        low = name.lower()
        if low == "set-cookie":
            return None
        if low == "cache-control" and ("no-store" in value or "private" in value):
            return None
        if low == "etag":
            etag = True
        if low == "vary":
            vary += [v.strip().lower().encode("latin-1") for v in value.split(",") if v.strip()]
        if low in _PER_ANSWER:
            continue
        lines.append(f"{name}: {value}\r\n")
    if not etag or b"*" in vary:
        return None
    return "".join(lines).encode("latin-1"), IMPLICIT_VARY + tuple(vary)


def capturing(wsgi_app, cache: AnswerCache):
    """WSGI middleware keeping each replayable answer of ``wsgi_app`` in ``cache``."""
    if not cache.enabled:
        return wsgi_app

    def app(environ, start_response):
        if not _cacheable(environ):
            return wsgi_app(environ, start_response)
        seen: dict = {}

        def start(status, headers, exc_info=None):
            seen["status"], seen["headers"] = status, list(headers)
            return start_response(status, headers, exc_info)

        chunks = wsgi_app(environ, start)
        kept = _storable(seen["status"], seen["headers"]) if "status" in seen else None
        length = next((v for k, v in seen.get("headers", ()) if k.lower() == "content-length"), "")
        if kept is None or not length.isdigit() or int(length) > cache.max_item_bytes:
            return chunks  # not replayable, or streamed (a dump download): passed on untouched
        try:
            body = b"".join(chunks)
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()
        raw = environ.get("RAW_URI", "").encode("latin-1")
        host = environ.get("HTTP_HOST", "").encode("latin-1")
        if raw.startswith(b"/") and host and len(body) == int(length):
            head, vary = kept
            values = tuple(_header(environ, n) for n in vary)
            cache.store(raw, host, Stored(vary, values, head, body, environ.get("PATH_INFO") == "/sparql"))
        return [body]

    return app
