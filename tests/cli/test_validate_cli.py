"""`narcokg validate FILE` gives the same verdict as POST /shacl/validate on the same file."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import requests
from rdflib import Graph, URIRef

from conftest import run_cli
from shacl_helpers import fail_fixture, pass_fixture, required_property, results


@pytest.fixture(scope="module")
def required(built, settings):
    graph = lambda slug: built.dataset.graph(URIRef(settings.base + "graph/" + slug))  # noqa: E731
    return required_property(graph("shapes"), graph("ontology"))


def cli_validate(*args: str) -> subprocess.CompletedProcess:
    return run_cli("validate", *args)


def http_validate(server, path: Path, media: str) -> tuple[bool, Graph]:
    resp = requests.post(
        server.url("/shacl/validate"),
        data=path.read_bytes(),
        headers={"Content-Type": media, "Accept": "text/turtle"},
        timeout=60,
    )
    assert resp.status_code == 200, resp.text
    return resp.headers["X-SHACL-Conforms"] == "true", Graph().parse(data=resp.content, format="turtle")


def fixtures(tmp_path: Path, required) -> dict[str, Path]:
    cls, path = required
    out = {}
    for name, text in [("fail", fail_fixture(cls)), ("pass", pass_fixture(cls, path))]:
        p = tmp_path / f"{name}.ttl"
        p.write_text(text)
        out[name] = p
    nt = tmp_path / "fail.nt"
    nt.write_text(Graph().parse(data=fail_fixture(cls), format="turtle").serialize(format="nt"))
    out["fail-nt"] = nt
    return out


@pytest.mark.parametrize(
    "name,media", [("fail", "text/turtle"), ("pass", "text/turtle"), ("fail-nt", "application/n-triples")]
)
def test_cli_and_http_give_the_same_verdict(server, tmp_path, required, name, media):
    path = fixtures(tmp_path, required)[name]
    report_file = tmp_path / "report.ttl"
    proc = cli_validate("--report", str(report_file), str(path))
    assert proc.returncode in (0, 1), proc.stderr
    cli_report = Graph().parse(report_file, format="turtle")
    http_conforms, http_report = http_validate(server, path, media)
    assert (proc.returncode == 0) == http_conforms
    assert results(cli_report) == results(http_report)


def test_exit_code_is_0_iff_no_violation(tmp_path, required):
    paths = fixtures(tmp_path, required)
    failing = cli_validate(str(paths["fail"]))
    assert failing.returncode == 1
    assert "Violation" in failing.stdout
    report_file = tmp_path / "pass-report.ttl"
    passing = cli_validate("--report", str(report_file), str(paths["pass"]))
    report = Graph().parse(report_file, format="turtle")
    has_violation = any(r[2] == "Violation" for r in results(report))
    assert passing.returncode == (1 if has_violation else 0)


def test_summary_line_comes_first(tmp_path, required):
    proc = cli_validate(str(fixtures(tmp_path, required)["fail"]))
    first = proc.stdout.splitlines()[0]
    assert first.startswith("conforms=no:")
    assert "violation" in first


def test_unparseable_file_exits_2_with_a_clear_message(tmp_path):
    bad = tmp_path / "broken.ttl"
    bad.write_text("@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:a ex:b ex:c ex:d .\n")
    proc = cli_validate(str(bad))
    assert proc.returncode == 2
    assert "broken.ttl" in proc.stderr
    assert "line 3" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_missing_file_exits_2(tmp_path):
    proc = cli_validate(str(tmp_path / "nope.ttl"))
    assert proc.returncode == 2
    assert "nope.ttl" in proc.stderr
