"""Headless Chromium for the browser tests: Debian's chromium, never Playwright's own download,
started with the flags this machine's closed network needs."""

from __future__ import annotations

import shutil
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def playwright_or_skip():
    """Playwright's sync API; the calling test module is skipped without Playwright or Chromium."""
    api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.skip("Debian chromium is not installed (apt-get install -y chromium)", allow_module_level=True)
    return api


@contextmanager
def chromium(api):
    """Chromium started through Playwright's sync ``api`` (from ``playwright_or_skip``), closed after."""
    with api.sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium"), args=ARGS
        )
        yield b
        b.close()


@contextmanager
def open_page(browser, width: int = 1280, height: int = 900, **context):
    """A fresh page in a context of its own (``context``: Playwright's options, such as
    ``is_mobile`` or ``java_script_enabled``) that keeps the console's errors in
    ``page.console_errors``: a CSP violation would show there."""
    ctx = browser.new_context(viewport={"width": width, "height": height}, **context)
    pg = ctx.new_page()
    pg.console_errors = []
    pg.on("console", lambda m: pg.console_errors.append(m.text) if m.type == "error" else None)
    try:
        yield pg
    finally:
        ctx.close()
