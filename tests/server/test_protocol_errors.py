"""Requests gunicorn refuses before they reach Flask (malformed framing, request line or headers)
get a 4xx, never a 5xx, with the app's security headers and one line of plain text saying what
is wrong; no HTML page, no echo of more than a bounded, control-free piece of the input."""

from __future__ import annotations

import gzip
import http.client
import socket
import unicodedata
from urllib.parse import urlsplit

import pytest
import requests

from narcokg.web import gunicorn_worker, refusals
from narcokg.web.headers import SECURITY_HEADERS

import rawhttp


def exchange(base: str, raw: bytes, timeout: float = 30) -> rawhttp.Answer:
    """Send ``raw`` bytes exactly as given and read the answer (the server closes after it)."""
    parts = urlsplit(base)
    with socket.create_connection((parts.hostname, parts.port), timeout=timeout) as sock:
        try:
            sock.sendall(raw)
        except (BrokenPipeError, ConnectionResetError):
            pass  # refused before all was read: the answer is still there to read
        resp = http.client.HTTPResponse(sock, method="GET")
        try:
            resp.begin()
            body = resp.read()
        except (http.client.RemoteDisconnected, ConnectionResetError, http.client.IncompleteRead) as exc:
            raise rawhttp.Dropped(f"{raw[:120]!r}: connection dropped ({exc.__class__.__name__})") from None
        return rawhttp.Answer(resp.status, resp.headers, body)


def head(base: str, request_line: bytes, *headers: bytes) -> bytes:
    host = urlsplit(base).netloc.encode()
    return b"\r\n".join([request_line, b"Host: " + host, *headers]) + b"\r\n\r\n"


def query_post(base: str, *headers: bytes) -> bytes:
    """The head of a POST of a SPARQL query to /sparql, with further ``headers``; the body follows."""
    return head(base, b"POST /sparql HTTP/1.1", b"Content-Type: application/sparql-query", *headers)


def check(answer: rawhttp.Answer, status: int, *says: str) -> str:
    """The answer is ``status`` with every security header, plain text, and says ``says``."""
    assert 400 <= answer.status < 500, f"{answer.status}: {answer.text[:300]!r}"
    assert answer.status == status, answer.text[:300]
    for name, value in SECURITY_HEADERS.items():
        assert answer.headers.get(name) == value, f"missing or wrong {name}"
    assert answer.headers.get("X-Content-Type-Options") == "nosniff"
    assert "frame-ancestors 'none'" in answer.headers.get("Content-Security-Policy", "")
    assert answer.headers.get("Content-Type") == "text/plain; charset=utf-8"
    assert answer.headers.get("Connection") == "close"
    text = answer.body.decode("utf-8")
    assert "<html" not in text.lower()
    assert text.startswith(f"{status} {http.client.responses[status]}: "), text[:200]
    assert text.endswith("\n") and text.count("\n") == 1, "one line of text"
    assert not any(unicodedata.category(c).startswith("C") for c in text[:-1]), "control character echoed"
    assert len(text) < 500, "client input echoed without bound"
    assert "Traceback" not in text and "/gunicorn/" not in text and ".py" not in text
    for phrase in says:
        assert phrase in text, f"{phrase!r} not in {text!r}"
    return text


@pytest.mark.parametrize(
    "coding",
    # gunicorn accepted gzip and deflate before chunked and decoded neither: the body was read as plain.
    ["foo", "br, chunked", "gzip, x-custom, chunked", "gzip, chunked", "deflate, chunked", "compress, chunked"],
)
def test_unsupported_transfer_encoding_is_400_not_501(server, coding):
    answer = exchange(server.base, query_post(server.base, b"Transfer-Encoding: " + coding.encode()) + b"0\r\n\r\n")
    check(answer, 400, "unsupported Transfer-Encoding", coding)


def test_transfer_encoding_not_ending_in_chunked_is_400(server):
    answer = exchange(server.base, head(server.base, b"POST /sparql HTTP/1.1", b"Transfer-Encoding: gzip"))
    check(answer, 400, "invalid Transfer-Encoding (the last coding must be chunked")


def test_content_length_with_chunked_is_400(server):
    answer = exchange(
        server.base,
        head(server.base, b"POST /sparql HTTP/1.1", b"Content-Length: 5", b"Transfer-Encoding: chunked") + b"0\r\n\r\n",
    )
    check(answer, 400, "invalid Content-Length", "not together with Transfer-Encoding")


@pytest.mark.parametrize(
    "line,says",
    [
        (b"GET /a b HTTP/1.1", "invalid HTTP version: b HTTP/1.1"),
        (b"GET  / HTTP/1.1", "malformed request line"),
        (b"GET", "malformed request line"),
        (b"GET /\x1b[31mred HTTP/1.1", "malformed request line: GET /[31mred HTTP/1.1"),
        (b"G(T / HTTP/1.1", "invalid request method: G(T"),
        (b"GET / HTTP/1.x", "invalid HTTP version: HTTP/1.x"),
        (b"GET / HTTP/3.0", "invalid HTTP version: HTTP/3.0"),
    ],
    ids=[
        "space in target",
        "double space",
        "method only",
        "escape sequence",
        "bad method",
        "bad version",
        "unsupported version",
    ],
)
def test_malformed_request_line_is_400(server, line, says):
    check(exchange(server.base, head(server.base, line)), 400, says)


def test_over_long_request_line_is_414(server):
    line = b"GET /" + b"a" * 9000 + b" HTTP/1.1"
    text = check(exchange(server.base, head(server.base, line)), 414, "request line longer than 8190 bytes")
    assert "aaaa" not in text


def test_too_many_header_fields_is_431(server):
    fields = [b"X-Field-%d: %d" % (i, i) for i in range(120)]
    check(
        exchange(server.base, head(server.base, b"GET /health HTTP/1.1", *fields)), 431, "more than 100 header fields"
    )


def test_over_large_header_field_is_431(server):
    answer = exchange(server.base, head(server.base, b"GET /health HTTP/1.1", b"X-Big: " + b"b" * 9000))
    text = check(answer, 431, "header field longer than 8190 bytes")
    assert "bbbb" not in text


@pytest.mark.parametrize(
    "field,says",
    [
        (b"Bad Name: 1", "invalid header name"),
        (b"X(Y): 1", "invalid header name: X(Y)"),
        (b"X-A\x01: 1", "invalid header name: X-A"),
        (b"no colon here", "invalid, repeated or conflicting header: no colon here"),
        (b"Host: again", "invalid, repeated or conflicting header: Host"),
    ],
    ids=["space", "parenthesis", "control character", "no colon", "second Host"],
)
def test_invalid_header_is_400(server, field, says):
    check(exchange(server.base, head(server.base, b"GET /health HTTP/1.1", field)), 400, says)


def test_obsolete_line_folding_is_400(server):
    answer = exchange(server.base, head(server.base, b"GET /health HTTP/1.1", b"X-A: 1", b" continued"))
    check(answer, 400, "obsolete line folding in header: X-A")


def test_unsupported_expectation_is_417(server):
    answer = exchange(server.base, head(server.base, b"GET /health HTTP/1.1", b"Expect: 200-ok"))
    check(answer, 417, "unsupported Expect", "200-ok")


@pytest.mark.parametrize(
    "body,says",
    [
        (b"zz\r\nASK {}\r\n0\r\n\r\n", "invalid chunk size: zz"),
        (b"6\r\nASK {}XX0\r\n\r\n", "chunk not terminated by CRLF"),
    ],
    ids=["chunk size", "chunk terminator"],
)
def test_bad_chunked_body_is_400(server, body, says):
    answer = exchange(
        server.base,
        query_post(server.base, b"Accept: application/sparql-results+json", b"Transfer-Encoding: chunked") + body,
    )
    check(answer, 400, says)


@pytest.mark.parametrize(
    "body",
    [b"ffffffffffffffff\r\nASK {}\r\n", b"1000\r\n" + b"#" * 4096 + b"\r\n" + b"ffffff\r\n"],
    ids=["one huge chunk", "past the limit on the second"],
)
def test_chunks_announcing_more_than_any_route_reads_are_413_at_once(server, body):
    """Before, the worker waited for the announced bytes and said 408 after the read timeout (10 s)."""
    answer = exchange(
        server.base,
        query_post(server.base, b"Accept: application/sparql-results+json", b"Transfer-Encoding: chunked") + body,
        timeout=5,
    )
    check(answer, 413, "no route of this server reads more than")


def test_echo_is_bounded(server):
    coding = "x" * 3000
    answer = exchange(
        server.base, head(server.base, b"POST /sparql HTTP/1.1", b"Transfer-Encoding: " + coding.encode())
    )
    text = check(answer, 400, "unsupported Transfer-Encoding")
    assert text.count("x") <= 210


def test_server_still_answers_after_protocol_errors(server):
    exchange(server.base, head(server.base, b"GET / HTTP/1.x"))
    answer = rawhttp.request(server.base, "GET", "/health")
    assert answer.status == 200


# The classification, for errors a test cannot provoke against this deployment (no PROXY
# protocol, no SCRIPT_NAME) and for those a server fault must not be confused with.


def test_every_client_error_gunicorn_defines_is_a_4xx():
    from gunicorn.http import errors

    samples = {
        "InvalidRequestLine": ("GET",),
        "InvalidRequestMethod": ("G(T",),
        "InvalidHTTPVersion": ("1.x",),
        "InvalidHeader": ("X",),
        "InvalidHeaderName": ("X Y",),
        "ObsoleteFolding": ("X",),
        "LimitRequestLine": (9000, 8190),
        "LimitRequestHeaders": ("limit request headers fields",),
        "ExpectationFailed": ("x",),
        "UnsupportedTransferCoding": ("foo",),
        "InvalidChunkSize": (b"zz",),
        "ChunkMissingTerminator": (b"XX",),
        "InvalidChunkExtension": ("bad",),
        "InvalidSchemeHeaders": (),
        "InvalidProxyLine": ("PROXY x",),
        "InvalidProxyHeader": ("bad",),
        "ForbiddenProxyRequest": ("10.0.0.1",),
        "ConfigurationProblem": ("Request path '/x' does not start with SCRIPT_NAME '/y'",),
        "InvalidH2CPreface": (b"x",),
    }
    seen = 0
    for name, args in samples.items():
        cls = getattr(errors, name, None)
        if cls is None:
            continue
        seen += 1
        answer = refusals.client_error(cls(*args))
        assert answer is not None, name
        status, reason, message = answer
        assert 400 <= status < 500, name
        assert reason == http.client.responses[status], name
        assert message and "\n" not in message, name
    assert seen >= 15
    status, _, message = refusals.client_error(errors.ForbiddenProxyRequest("10.0.0.1"))
    assert status == 403 and "10.0.0.1" not in message
    status, _, message = refusals.client_error(errors.ConfigurationProblem("x"))
    assert status == 400 and "SCRIPT_NAME '/y'" not in message


def test_server_faults_are_not_client_errors():
    from gunicorn.http import errors

    assert refusals.client_error(RuntimeError("boom")) is None
    assert refusals.client_error(ValueError("x")) is None
    for name in ("InvalidResponseHeader", "InvalidResponseHeaderName"):
        cls = getattr(errors, name, None)
        if cls is not None:
            assert refusals.client_error(cls("X")) is None, name


def test_serve_uses_the_worker_class():
    from narcokg.config import load_settings
    from narcokg.web.server import gunicorn_options

    options = gunicorn_options(load_settings(), 0.0)
    module, _, name = options["worker_class"].rpartition(".")
    assert module == "narcokg.web.gunicorn_worker"
    from gunicorn.workers.gthread import ThreadWorker

    assert issubclass(getattr(gunicorn_worker, name), ThreadWorker)


def test_app_answers_body_framing_errors_400_and_its_own_faults_500():
    """The app's error handler: a gunicorn framing error raised while a view reads the body is the
    client's (400), any other exception a generic 500 named as such."""
    from flask import Flask
    from gunicorn.http import errors

    from narcokg.web import middleware as web

    app = Flask("protocol-errors-test")
    import pyoxigraph as ox

    from narcokg.config import load_settings
    from narcokg.engine.embedded import EmbeddedEngine

    app.extensions["narcokg.engine"] = EmbeddedEngine(load_settings(), ox_store=ox.Store())  # for /health
    web.install(app)

    @app.post("/read")
    def read():
        raise errors.InvalidChunkSize(b"zz")

    @app.get("/fault")
    def fault():
        raise RuntimeError("/secret/path.py")

    client = app.test_client()
    resp = client.post("/read")
    assert resp.status_code == 400
    assert resp.get_data(as_text=True) == "400 Bad Request: invalid chunk size: zz\n"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    resp = client.get("/fault")
    assert resp.status_code == 500
    assert resp.get_data(as_text=True) == "500 Internal Server Error: internal server error: the problem was logged\n"


@pytest.mark.parametrize("coding", ["gzip", "br", "deflate", "GZIP, identity", "zstd;level=<3>"])
@pytest.mark.parametrize("gzipped", [False, True])
def test_a_compressed_request_body_is_415(server, coding, gzipped):
    """No route decodes a request's Content-Encoding: before, a plain body labelled gzip was read
    as plain (200) and a gzipped one was a syntax error (400)."""
    body = gzip.compress(b"ASK {}") if gzipped else b"ASK {}"
    resp = requests.post(
        server.url("/sparql"),
        data=body,
        headers={"Content-Type": "application/sparql-query", "Content-Encoding": coding},
        timeout=30,
    )
    assert resp.status_code == 415, resp.text
    assert "Content-Encoding" in resp.text and "uncompressed" in resp.text and "<3>" not in resp.text


def test_identity_and_bodiless_requests_with_a_content_encoding_are_answered(server):
    ok = requests.post(
        server.url("/sparql"),
        data=b"ASK {}",
        headers={"Content-Type": "application/sparql-query", "Content-Encoding": "identity"},
        timeout=30,
    )
    assert ok.status_code == 200
    assert requests.get(server.url("/health"), headers={"Content-Encoding": "gzip"}, timeout=30).status_code == 200


# Methods and targets that are not a path -----------------------------------------------------

#: What the server as a whole answers to (OPTIONS *, and a CONNECT that names no path of it).
SERVER_METHODS = {"GET", "HEAD", "POST", "OPTIONS"}


def allowed(answer: rawhttp.Answer) -> set[str]:
    return {m.strip() for m in answer.headers.get("Allow", "").split(",") if m.strip()}


@pytest.mark.parametrize("target", ["example.org:443", "[::1]:443", "127.0.0.1:80", "http://example.org:443"])
def test_connect_to_an_authority_is_405_with_allow_not_404(server, target):
    """Regression: ``CONNECT example.org:443`` (the authority form a proxy client sends) got 404
    "no resource at this address": the server is not a proxy, so the method is refused (405)
    and Allow names what the server does answer."""
    answer = rawhttp.request(server.base, "CONNECT", target)
    text = check(answer, 405, f"CONNECT {target}", "not a proxy", "GET /sparql")
    assert allowed(answer) == SERVER_METHODS, text


@pytest.mark.parametrize(
    "target", ["http://example.org:443", "https://evil.example", "HTTP://EXAMPLE.ORG", "http://example.org?lang=en"]
)
def test_an_absolute_form_target_with_an_empty_path_is_answered_as_the_root(server, target):
    """RFC 9112 §3.2.2: a server must accept the absolute form; §3.3: an empty path is ``/``.
    Regression: ``GET http://example.org:443`` was a 308 to ``/`` on the Host header with
    werkzeug's HTML "Redirecting..." page; it is answered as ``GET /`` is, never redirected."""
    _, question, query = target.partition("?")
    root = rawhttp.request(server.base, "GET", "/" + question + query)
    answer = rawhttp.request(server.base, "GET", target)
    assert answer.status == root.status == 200, answer.text[:300]
    assert "Location" not in answer.headers
    assert answer.headers["Content-Type"] == root.headers["Content-Type"]
    assert answer.body == root.body
    assert b"Redirecting" not in answer.body


def test_options_star_says_what_the_whole_server_allows(server):
    """Regression: ``OPTIONS *`` (RFC 9110 §9.3.7: the server in general) got 404."""
    answer = rawhttp.request(server.base, "OPTIONS", "*")
    assert answer.status == 204 and answer.body == b""
    assert allowed(answer) == SERVER_METHODS


@pytest.mark.parametrize(
    "path",
    [
        "/sparql",
        "/void",
        "/",
        "/shacl/validate",
        "/id/state/IDN",
        "/page/state/IDN",
        "/data/state/IDN.ttl",
        "/fragments",
        "/cite/state/IDN",
        "/health",
        "/static/no-such-file.css",
    ],
)
def test_options_on_every_route_is_204_with_the_allow_of_its_405_in_the_same_order(server, path):
    """Regression: Flask's automatic OPTIONS answered 200 with ``Allow: OPTIONS, GET, HEAD`` (a
    set's order) where /sparql's own answered 204 ``GET, HEAD, POST, OPTIONS``. One answer on
    every route: 204, no body, the 405's Allow header byte for byte, and the CORS headers."""
    options = rawhttp.request(server.base, "OPTIONS", path)
    refused = rawhttp.request(server.base, "PUT", path)
    assert options.status == 204 and options.body == b"", (options.status, options.text[:300])
    assert refused.status == 405, refused.text[:300]
    assert options.headers["Allow"] == refused.headers["Allow"]
    assert options.headers["Allow"].startswith("GET, HEAD, ") and options.headers["Allow"].endswith(", OPTIONS")
    assert "Content-Type" not in options.headers
    assert options.headers["Access-Control-Allow-Origin"] == "*"
    assert "Allow" in options.headers["Access-Control-Expose-Headers"]


@pytest.mark.parametrize("path", ["/sparql", "/data/state/IDN.ttl", "/page/state/IDN", "/shacl/validate", "/"])
@pytest.mark.parametrize("method", ["CONNECT", "TRACE", "PUT", "DELETE", "PROPFIND", "BREW"])
def test_a_method_a_route_does_not_serve_is_405_with_that_routes_allow_known_method_or_not(server, path, method):
    """One rule, never 501 nor 404: a method the route does not serve, registered with IANA or
    not (BREW), is 405 with the Allow its OPTIONS gives and a message naming method and path.
    Regression: /sparql's Allow listed PUT, DELETE and PATCH (it refused them itself, so it
    registered them) to CONNECT and TRACE, and the message said only "not allowed here"."""
    options = rawhttp.request(server.base, "OPTIONS", path)
    assert options.status == 204 and "GET" in allowed(options)
    answer = rawhttp.request(server.base, method, path)
    assert answer.status == 405, answer.text[:300]
    assert allowed(answer) == allowed(options)
    assert method not in allowed(answer)
    assert answer.text.startswith(f"405 Method Not Allowed: {method} is not allowed on {path}; it answers GET"), (
        answer.text
    )
