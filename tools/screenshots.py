"""Screenshots of the workbench pages for review (issue 15): the query page with the answer of a
catalogue question, an agreement, a dataset, /ontology and /shacl, at 1280 px and 390 px.

Starts the real server (``narcokg serve``) on a free loopback port over a built snapshot and
drives Debian's headless Chromium through Playwright (never Playwright's own browser download).
A page is shot whole when that stays under the size budget, else as the first screenful.
With Pillow installed (``pip install -e '.[docs]'``) each shot is stored as a palette PNG (256
colours, no dithering: flat interface colours stay exact), about a third of Chromium's size.

    python tools/screenshots.py [--dist DIST] [--out docs/screenshots]
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
WIDTHS = (1280, 390)
#: Largest PNG kept (bytes; ten shots stay under 2.5 MB); a bigger full-page shot is cut shorter.
BUDGET = 250 * 1024
#: The catalogue question whose answer the query page shows (a table and a timeline chart).
QUESTION = "07-agreements-per-year.rq"


def pages() -> list[tuple[str, str, str]]:
    """(name, path, the element the shot must reach down to when the whole page is too big)."""
    query = (ROOT / "queries" / QUESTION).read_text(encoding="utf-8")
    return [
        ("query", "/?" + urlencode({"query": query}), "#results"),
        ("agreement", "/page/agreement/mou-indonesia-fiji-2015", "h1"),
        ("dataset", "/page/dataset/drug-cases-2018-2023", "table"),
        ("ontology", "/ontology", "#sec-diagram"),
        ("shacl", "/shacl", ".shacl-group"),
    ]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(dist: Path | None, log: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "server"), env.get("PYTHONPATH")]))
    if dist is not None:
        env["NARCOKG_DIST"] = str(dist)
    proc = subprocess.Popen(
        [sys.executable, "-m", "narcokg.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 300  # a first run builds the snapshot
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit("the server exited:\n" + log.read_text(errors="replace")[-2000:])
        try:
            with urllib.request.urlopen(base + "/health", timeout=1) as resp:
                if resp.status == 200:
                    return proc, base
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit("the server did not become healthy:\n" + log.read_text(errors="replace")[-2000:])


def optimise(target: Path) -> int:
    """Rewrites the PNG at ``target`` with a 256-colour palette when Pillow is there (else keeps
    Chromium's file); returns its size in bytes."""
    try:
        from PIL import Image
    except ImportError:
        return target.stat().st_size
    with Image.open(target) as im:
        small = im.convert("RGB").quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    small.save(target, "PNG", optimize=True)
    return target.stat().st_size


def _fit(page, target: Path, focus: str) -> tuple[int, str]:
    """The whole page if its PNG stays under BUDGET, else the top of the page down to the end of
    ``focus`` (at least one screenful), shortened until it does."""
    page.screenshot(path=str(target), full_page=True)
    if optimise(target) <= BUDGET:
        return target.stat().st_size, "full page"
    viewport = page.viewport_size
    box = page.locator(focus).first.bounding_box() if page.locator(focus).count() else None
    height = max(viewport["height"], int(box["y"] + box["height"] + 16) if box else 0)
    while True:
        page.screenshot(
            path=str(target), full_page=True, clip={"x": 0, "y": 0, "width": viewport["width"], "height": height}
        )
        if optimise(target) <= BUDGET or height <= viewport["height"]:
            return target.stat().st_size, f"top {height} px"
        height = max(viewport["height"], int(height * 0.8))


def shoot(browser, base: str, out: Path) -> list[tuple[str, int, str]]:
    made = []
    for width in WIDTHS:
        ctx = browser.new_context(
            viewport={"width": width, "height": 900 if width > 600 else 844}, device_scale_factor=1
        )
        page = ctx.new_page()
        for name, path, focus in pages():
            page.goto(base + path, wait_until="networkidle")
            page.evaluate("document.querySelectorAll('details.chart-view').forEach(d => { d.open = true; })")
            target = out / f"{name}-{width}.png"
            made.append((target.name, *_fit(page, target, focus)))
        ctx.close()
    return made


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dist", type=Path, default=None, help="a built snapshot (default: the server's own)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots", help="where the PNGs go")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    log = args.out / ".server.log"
    proc, base = start_server(args.dist, log)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            try:
                for name, size, how in shoot(browser, base, args.out):
                    print(f"{name}: {size // 1024} KiB ({how})")
            finally:
                browser.close()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
