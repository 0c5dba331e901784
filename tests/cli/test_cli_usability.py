"""The command line a newcomer meets: --version, help for every option with its default, and a
busy port named with a free one to try, before anything is built or started."""

from __future__ import annotations

import os
import socket

import pytest

from conftest import free_port, run_cli


def test_version():
    out = run_cli("--version")
    assert out.returncode == 0
    assert out.stdout.startswith("narcokg ") and out.stdout.split()[1][0].isdigit()


def test_help_names_every_command_and_every_serve_option_has_a_default():
    out = run_cli("--help")
    assert out.returncode == 0
    for command in ("build", "validate", "query", "serve", "fmt"):
        assert command in out.stdout
    serve = run_cli("serve", "--help").stdout
    assert "(default: 127.0.0.1" in serve and "(default: 5000" in serve
    query = run_cli("query", "--help").stdout
    assert "(default: table)" in query


def test_busy_port_is_named_with_a_free_one(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        out = run_cli("serve", "--host", "127.0.0.1", "--port", str(port), "--no-build")
    assert out.returncode == 2
    assert f"port {port} is in use: try --port " in out.stderr
    suggested = int(out.stderr.rsplit("--port ", 1)[1].split()[0])
    assert suggested > port
    assert "Traceback" not in out.stderr


@pytest.mark.parametrize("store", ["memory", "disk"])
def test_a_dump_that_does_not_parse_is_named_with_its_line_not_a_traceback(tmp_path, store):
    """Regression: `serve --dump` on broken N-Quads ended in a Python traceback (pyoxigraph's
    SyntaxError in memory, a RuntimeError around the store builder's on disk)."""
    dump = tmp_path / "broken.nq"
    dump.write_text("<urn:x:a> <urn:x:b> <urn:x:c> .\n<urn:x:a> <urn:x:b> oops .\n")
    env = dict(os.environ, NARCOKG_MEMORY_STORE_MAX_MB="0" if store == "disk" else "32")
    out = run_cli("serve", "--dump", str(dump), "--port", str(free_port()), env=env, timeout=120)
    assert out.returncode == 2
    assert "Traceback" not in out.stderr
    assert "broken.nq is not valid N-Quads: Parser error at line 2" in out.stderr
    assert not [p for p in tmp_path.iterdir() if p.is_dir()]  # no half-built store left behind
