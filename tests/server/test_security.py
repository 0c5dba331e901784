"""Web security over HTTP: security headers on every answer, escaping of echoed values, short
error answers without tracebacks or local paths, no path traversal, long URLs refused."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
import requests

import rawhttp
from conftest import ROOT

XSS = "<script>alert(1)</script>"
HTML = {"Accept": "text/html"}

#: (method, path, extra headers) over the app's routes, answers of every kind (2xx, 3xx, 4xx).
REQUESTS = [
    ("GET", "/", HTML),
    ("GET", "/health", {}),
    ("GET", "/sparql?query=ASK%20%7B%7D", {"Accept": "application/sparql-results+json"}),
    ("GET", "/sparql?query=NOT%20SPARQL", {}),
    ("GET", "/search?q=bnn", HTML),
    ("GET", "/id/state/IDN", HTML),
    ("GET", "/page/state/IDN", HTML),
    ("GET", "/data/state/IDN.ttl", {}),
    ("GET", "/ontology", HTML),
    ("GET", "/browse", HTML),
    ("GET", "/download", HTML),
    ("GET", "/shacl", HTML),
    ("GET", "/shacl", {"Accept": "text/turtle"}),
    ("GET", "/shacl/validate", HTML),
    ("POST", "/shacl/validate", {"Content-Type": "image/png"}),
    ("GET", "/static/style.css", {}),
    ("GET", "/no/such/page", HTML),
    ("GET", "/no/such/page", {}),
    ("PUT", "/shacl", {}),
    ("DELETE", "/sparql", {}),
]


@pytest.mark.parametrize("method,path,headers", REQUESTS, ids=[f"{m} {p} {h}" for m, p, h in REQUESTS])
def test_security_headers_on_every_answer(server, method, path, headers):
    resp = requests.request(method, server.url(path), headers=headers, allow_redirects=False, timeout=30)
    csp = resp.headers.get("Content-Security-Policy", "")
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "object-src 'none'" in csp
    assert "frame-ancestors 'none'" in csp
    assert resp.headers.get("X-Content-Type-Options") == "nosniff"
    assert resp.headers.get("Referrer-Policy") in ("no-referrer", "strict-origin-when-cross-origin")
    assert resp.headers.get("X-Frame-Options") == "DENY"


HTML_PAGES = [
    "/",
    "/search?q=bnn",
    "/page/state/IDN",
    "/ontology",
    "/browse",
    "/download",
    "/shacl",
    "/shacl/validate",
    "/no/such/page",
]


@pytest.mark.parametrize("path", HTML_PAGES)
def test_pages_have_no_inline_script_or_style(server, path):
    """The CSP forbids inline script and style; a page that used them would break."""
    resp = requests.get(server.url(path), headers=HTML, timeout=30)
    assert resp.headers["Content-Type"].startswith("text/html")
    html = resp.text
    # Executable inline script is forbidden; a JSON-LD data block is data (never run), but its
    # content must not be able to close the element.
    for attrs, content in re.findall(r"<script\b([^>]*)>(.*?)</script>", html, re.I | re.S):
        if "src=" in attrs:
            assert not content.strip(), "script with src and inline content"
        else:
            assert re.search(r'type="application/(ld\+)?json"', attrs), "inline executable <script>"
            assert "<" not in content, "unescaped '<' inside a JSON data block"
    assert not re.search(r"\son[a-z]+\s*=", html, re.I), "inline event handler"
    assert not re.search(r"<style\b", html, re.I), "inline <style>"
    assert not re.search(r"\sstyle\s*=", html, re.I), "inline style attribute"
    assert "javascript:" not in html.lower()


ECHOES = [
    ("/search", {"q": XSS}),
    ("/search", {"q": '"><img src=x onerror=alert(1)>'}),
    ("/shacl", {"shape": XSS}),
    ("/shacl", {"severity": XSS}),
    ("/sparql", {"query": "SELECT * WHERE { ?s ?p '" + XSS + "' }"}),
    ("/sparql", {"query": XSS}),
    ("/browse", {"class": XSS}),
]


@pytest.mark.parametrize("path,params", ECHOES)
def test_echoed_query_parameters_are_escaped(server, path, params):
    for headers in (HTML, {}):
        resp = requests.get(server.url(path), params=params, headers=headers, timeout=30)
        assert resp.status_code < 500
        if resp.headers.get("Content-Type", "").startswith("text/html"):
            assert XSS not in resp.text
            assert "<img src=x" not in resp.text


@pytest.mark.parametrize(
    "path",
    [
        "/page/" + XSS,
        "/id/" + XSS,
        "/data/" + XSS + ".ttl",
        "/" + XSS,
        "/static/" + XSS,
        "/download/" + XSS,
        "/page/state/" + XSS,
    ],
)
def test_echoed_paths_are_escaped(server, path):
    for headers in (HTML, {"Accept": "*/*"}):
        resp = requests.get(server.url(path), headers=headers, allow_redirects=False, timeout=30)
        assert 400 <= resp.status_code < 500
        assert resp.text.strip(), "an error must say what is wrong"
        assert XSS not in resp.text


def _leaks(body: str) -> list[str]:
    """Signs of internals: a traceback, or a path of this machine (repo, interpreter, home)."""
    marks = [
        "Traceback (most recent call last)",
        'File "',
        '.py", line',
        "site-packages",
        str(ROOT),
        sys.prefix,
        sys.base_prefix,
    ]
    home = str(Path.home())
    if home not in ("/", ""):
        marks.append(home)
    return [m for m in marks if m and m in body]


BAD_REQUESTS = [
    ("GET", "/no/such/page", {}, None),
    ("PUT", "/shacl", {}, None),
    ("PATCH", "/sparql", {}, None),
    ("GET", "/shacl", {"Accept": "image/png"}, None),
    ("GET", "/shacl?severity=nope", {}, None),
    ("POST", "/shacl/validate", {"Content-Type": "text/turtle"}, b"@prefix : <x> .\n:a :b"),
    ("POST", "/shacl/validate", {"Content-Type": "application/ld+json"}, b'{"@context": "file:///etc/passwd"}'),
    ("POST", "/shacl/validate", {"Content-Type": "application/x-nope"}, b"x"),
    ("GET", "/sparql?query=SELECT%20%7B", {}, None),
    ("POST", "/sparql", {"Content-Type": "application/sparql-query"}, b"SELECT * WHERE { ?s ?p }"),
    ("GET", "/data/state/IDN.exe", {}, None),
    ("GET", "/page/..%2f..%2fetc%2fpasswd", {}, None),
]


@pytest.mark.parametrize("method,path,headers,body", BAD_REQUESTS)
def test_errors_are_short_messages_without_internals(server, method, path, headers, body):
    for accept in ({"Accept": "text/html"}, {"Accept": "*/*"}):
        resp = requests.request(method, server.url(path), headers={**accept, **headers}, data=body, timeout=30)
        assert 400 <= resp.status_code < 500, (resp.status_code, resp.text[:300])
        assert resp.text.strip(), "an error must say what is wrong"
        assert not _leaks(resp.text), _leaks(resp.text)


def test_error_format_follows_accept(server):
    html = requests.get(server.url("/no/such/page"), headers=HTML, timeout=30)
    assert html.status_code == 404
    assert html.headers["Content-Type"].startswith("text/html")
    assert "<h1>" in html.text
    text = requests.get(server.url("/no/such/page"), headers={"Accept": "*/*"}, timeout=30)
    assert text.status_code == 404
    assert text.headers["Content-Type"].startswith("text/plain")
    assert text.text.startswith("404")


def test_405_says_which_methods_are_allowed(server):
    resp = requests.put(server.url("/shacl"), timeout=30)
    assert resp.status_code == 405
    assert "GET" in resp.headers.get("Allow", "")
    assert resp.text.strip()


TRAVERSALS = [
    "/static/../server/narcokg/config.py",
    "/static/../../pyproject.toml",
    "/static/%2e%2e/%2e%2e/pyproject.toml",
    "/static/..%2f..%2f..%2fpyproject.toml",
    "/static/%2e%2e%2f%2e%2e%2fconfig.py",
    "/static//etc/passwd",
    "/static/..\\..\\config.py",
    "/data/../../../../etc/passwd",
    "/data/..%2f..%2f..%2fetc%2fpasswd",
    "/data/%2e%2e/%2e%2e/pyproject.toml",
    "/data/state/..%2f..%2f..%2fpyproject.toml",
    "/download/../../pyproject.toml",
    "/download/%2e%2e%2f%2e%2e%2fpyproject.toml",
    "/download/..%2fmanifest.json",
    "/download/%2fetc%2fpasswd",
    "/download/....//....//etc/passwd",
    "/page/../../../etc/passwd",
    "/id/%2e%2e/%2e%2e/etc/passwd",
]
SECRETS = ["root:x:0:0", "[build-system]", "def load_settings", "dataclass", "import "]


@pytest.mark.parametrize("target", TRAVERSALS)
def test_no_path_traversal(server, target):
    answer = rawhttp.request(server.base, "GET", target)
    assert answer.status in (301, 302, 303, 307, 308, 400, 403, 404), (answer.status, answer.text[:200])
    for secret in SECRETS:
        assert secret not in answer.text
    location = answer.headers.get("Location", "")
    assert ".." not in location


def test_over_long_url_is_414(server):
    resp = requests.get(server.url("/search"), params={"q": "a" * 9000}, timeout=30)
    assert resp.status_code == 414
    assert resp.text.strip()


def test_url_just_under_the_limit_is_not_414(server):
    resp = requests.get(
        server.url("/shacl"), params={"severity": "Warning", "pad": "a" * 3000}, headers=HTML, timeout=30
    )
    assert resp.status_code == 200


def test_head_and_options_answer_without_error(server):
    head = requests.head(server.url("/shacl"), timeout=30)
    assert head.status_code == 200
    assert head.headers.get("X-Frame-Options") == "DENY"
    options = requests.options(server.url("/shacl/validate"), timeout=30)
    assert options.status_code in (200, 204)
    assert "POST" in options.headers.get("Allow", "")
