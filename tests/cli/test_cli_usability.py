"""The command line a newcomer meets: --version, help for every option with its default, and a
busy port named with a free one to try, before anything is built or started."""

from __future__ import annotations

import socket

from conftest import run_cli


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
