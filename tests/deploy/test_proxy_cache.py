"""The caches of deploy/haproxy.cfg and deploy/nginx.conf (Debian's haproxy and nginx): a repeated
GET is answered by the proxy, and a cached answer is never given for another representation.

An answer comes from the cache when it comes while every replica is stopped (SIGSTOP): a request
that reached one would wait until the client's timeout.
"""

from __future__ import annotations

import os
import signal
from contextlib import contextmanager

import pytest
import requests

from proxy_helpers import PROXIES, process_tree, start_cluster, stop_cluster

TURTLE = {"Accept": "text/turtle"}
JSONLD = {"Accept": "application/ld+json"}


@pytest.fixture(scope="module", params=PROXIES)
def cluster(request, built, tmp_path_factory):
    c = start_cluster(request.param, built.out_dir, tmp_path_factory.mktemp(f"cache-{request.param}"))
    yield c
    stop_cluster(c)


@contextmanager
def replicas_stopped(cluster):
    pids = [pid for r in cluster.replicas for pid in process_tree(r.proc.pid)]
    for pid in pids:
        os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        for pid in pids:
            os.kill(pid, signal.SIGCONT)


def _get(cluster, path: str, headers: dict, timeout: float = 30) -> requests.Response:
    return requests.get(cluster.base + path, headers=headers, timeout=timeout)


def test_a_repeated_document_get_is_answered_by_the_cache(cluster):
    path = "/data/organisation/bnn.ttl"
    first = _get(cluster, path, TURTLE)
    assert first.status_code == 200 and first.headers["ETag"]
    with replicas_stopped(cluster):
        again = _get(cluster, path, TURTLE, timeout=5)
    assert again.status_code == 200
    assert again.content == first.content and again.headers["ETag"] == first.headers["ETag"]


def test_another_accept_gets_its_own_representation(cluster):
    """/data/{path} without extension is negotiated: a Turtle answer kept for one client is never
    given to a client asking for JSON-LD (haproxy keeps neither: they vary on Accept)."""
    path = "/data/organisation/bnn"
    for _ in range(2):
        turtle = _get(cluster, path, TURTLE)
        jsonld = _get(cluster, path, JSONLD)
        assert turtle.headers["Content-Type"].startswith("text/turtle")
        assert jsonld.headers["Content-Type"].startswith("application/ld+json")
        assert jsonld.json()
    if cluster.kind != "nginx":
        return
    with replicas_stopped(cluster):  # nginx keeps both, each under its own key
        cached = {
            media: _get(cluster, path, h, timeout=5)
            for media, h in (("text/turtle", TURTLE), ("application/ld+json", JSONLD))
        }
    for media, resp in cached.items():
        assert resp.status_code == 200 and resp.headers["Content-Type"].startswith(media)
    assert cached["text/turtle"].content == turtle.content


def test_an_entity_page_is_answered_by_nginx_in_each_language(cluster):
    if cluster.kind != "nginx":
        pytest.skip("haproxy's cache keeps nothing that varies on Accept-Language")
    path = "/page/organisation/bnn"
    html = "text/html"
    pages = {lang: _get(cluster, path, {"Accept": html, "Accept-Language": lang}) for lang in ("en", "id")}
    assert pages["en"].content != pages["id"].content
    with replicas_stopped(cluster):
        cached = {lang: _get(cluster, path, {"Accept": html, "Accept-Language": lang}, timeout=5) for lang in pages}
    assert {lang: r.content for lang, r in cached.items()} == {lang: r.content for lang, r in pages.items()}


def test_a_repeated_sparql_get_is_answered_by_the_cache(cluster):
    params = {"query": "ASK { <https://w3id.org/narcokg/id/state/IDN> ?p ?o }", "format": "json"}
    first = requests.get(cluster.base + "/sparql", params=params, timeout=30)
    assert first.status_code == 200
    with replicas_stopped(cluster):
        again = requests.get(cluster.base + "/sparql", params=params, timeout=5)
    assert again.status_code == 200 and again.content == first.content
