"""/openapi.json describes every route of the app, and the real server keeps to it: schemathesis
generates requests from the description (a bounded number per operation) and checks that none
gets a 5xx and that statuses and media types are the documented ones."""

from __future__ import annotations

import re

import requests
import schemathesis
from hypothesis import HealthCheck, given, settings as hsettings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, status_code_conformance

from narcokg.web.app import create_app


def test_every_route_and_method_is_described(server, settings):
    doc = requests.get(server.url("/openapi.json"), timeout=60).json()
    assert doc["openapi"].startswith("3.1")
    app = create_app(settings)
    for rule in app.url_map.iter_rules():
        path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule)
        if path.endswith("/") and path != "/":
            continue  # /id/, /page/, /data/ only redirect or refuse without a path
        assert path in doc["paths"], f"{rule.rule} is not described"
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert method.lower() in doc["paths"][path], f"{method} {rule.rule} is not described"
    described = {p for p in doc["paths"]}
    served = {re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", r.rule) for r in app.url_map.iter_rules()}
    assert described <= served, f"described but not served: {described - served}"


def test_footer_links_the_description(server):
    text = requests.get(server.url("/browse"), timeout=60).text
    assert 'href="/openapi.json"' in text


def test_the_server_keeps_to_its_description(server):
    """Every operation with a few generated requests (derandomized: the same ones each run)."""
    api = schemathesis.openapi.from_url(server.url("/openapi.json"))
    operations = [result.ok() for result in api.get_all_operations()]
    assert len(operations) >= 30
    statuses: list[int] = []

    for operation in operations:

        @given(case=operation.as_strategy())
        @hsettings(
            max_examples=4, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None
        )
        def check(case):
            response = case.call_and_validate(
                base_url=server.base,
                checks=[not_a_server_error, status_code_conformance, content_type_conformance],
                timeout=60,
            )
            statuses.append(response.status_code)

        check()
    assert len(statuses) >= 2 * len(operations)
    assert 200 in statuses and any(400 <= s < 500 for s in statuses)
