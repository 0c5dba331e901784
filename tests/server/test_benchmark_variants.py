"""The attack benchmark's server variants (``benchmarks/serve_variant.py``) start and answer:
the benchmark compares HTTP servers through them, so one that cannot start hides every figure
(a regression: the buffered and gthread variants failed at start once ``gunicorn_options`` took
the engine as a third argument)."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
import requests

from conftest import ROOT, free_port


@pytest.mark.parametrize("variant", ["buffered", "gthread"])
def test_a_gunicorn_variant_starts_and_answers(built, tmp_path, variant):
    port = free_port()
    env = dict(os.environ, NARCOKG_DIST=str(built.out_dir), NARCOKG_WEB_WORKERS="1", PYTHONUNBUFFERED="1")
    log = tmp_path / "variant.log"
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "benchmarks" / "serve_variant.py"), variant, "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        status = None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                status = requests.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code
                break
            except requests.ConnectionError:
                time.sleep(0.2)
        assert status == 200, log.read_text(errors="replace")[-2000:]
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
