"""The demo report as a review meeting sees it, in headless Chromium: at 1400 px, on a phone
(390 px) and printed to PDF through the ``pdf`` format. Screenshots and the PDF are kept in
``tests/artifacts/`` for people to look at.
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from checker.cli.main import main
from tests.conftest import REPO
from tests.test_html_browser import ARTIFACTS, CHROMIUM, LAUNCH_ARGS

pytestmark = pytest.mark.browser

# Printed before the report's print styles were reworked, the demo took 25 A4 pages.
PAGES_BEFORE = 25


def _demo(folder: Path, *formats: str) -> dict[str, Path]:
    paths = {fmt: folder / f"demo.{fmt}" for fmt in formats}
    outputs = [arg for fmt, path in paths.items() for arg in ("--output", f"{fmt}={path}")]
    argv = ["check", "--config", str(REPO / "policy-check.yaml"), "--no-config-outputs"]
    code = main([*argv, *outputs], out=io.StringIO(), err=io.StringIO(), environ={})
    assert code == 1  # the demo breaks its policy on purpose
    return paths


@pytest.fixture(scope="module")
def demo_html(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _demo(tmp_path_factory.mktemp("demo"), "html")["html"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            yield instance
        finally:
            instance.close()


def _open(browser: Browser, path: Path, width: int) -> Page:
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(path.as_uri(), wait_until="load")
    return page


# Words of each table header wider than the header's box: a word broken letter by letter.
BROKEN_HEADER_WORDS = """() => {
  const canvas = document.createElement("canvas").getContext("2d");
  const broken = [];
  for (const th of document.querySelectorAll("thead th")) {
    if (!th.offsetParent) continue;  // hidden (print-only)
    const style = getComputedStyle(th);
    canvas.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    const room = th.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    for (const word of th.innerText.split(/\\s+/)) {
      const shown = style.textTransform === "uppercase" ? word.toUpperCase() : word;
      const width = canvas.measureText(shown).width;
      if (word && width > room + 1) broken.push(`${word}: ${width} > ${room}`);
    }
  }
  return broken;
}"""

# Names of a file:line:col path split over lines although the box they are in could hold them
# whole: a path may wrap only after a slash (a name wider than its box has to wrap).
PATHS_BROKEN_MID_NAME = """() => {
  const broken = [];
  for (const seg of document.querySelectorAll("code.path .seg")) {
    if (!seg.offsetParent) continue;
    const range = document.createRange();
    range.selectNodeContents(seg);
    const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
    if (lines.size < 2) continue;
    const probe = seg.cloneNode(true);
    probe.style.cssText = "position:absolute;visibility:hidden;white-space:nowrap;display:inline";
    seg.parentElement.appendChild(probe);
    const whole = probe.getBoundingClientRect().width;
    probe.remove();
    const room = seg.closest("td, dd, li, p, div").clientWidth;
    if (whole < room) broken.push(seg.textContent);
  }
  return broken;
}"""


def test_demo_at_1400_px(browser: Browser, demo_html: Path) -> None:
    page = _open(browser, demo_html, 1400)
    assert page.locator("#verdict .more-issues").is_visible()
    assert page.locator("#sign-off").is_visible()
    assert not page.locator(".passes-print").is_visible()  # print only
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "demo-1400.png"))
    page.screenshot(path=str(ARTIFACTS / "demo-1400-full.png"), full_page=True)
    page.close()


def test_demo_at_390_px_keeps_words_and_paths_whole(browser: Browser, demo_html: Path) -> None:
    page = _open(browser, demo_html, 390)
    page.locator("#passes details").first.evaluate("d => d.open = true")
    assert page.evaluate(BROKEN_HEADER_WORDS) == []
    assert page.evaluate(PATHS_BROKEN_MID_NAME) == []
    assert page.evaluate("document.body.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(ARTIFACTS / "demo-390.png"))
    page.screenshot(path=str(ARTIFACTS / "demo-390-full.png"), full_page=True)
    page.close()


def test_demo_in_print_shows_every_pass_in_one_table(browser: Browser, demo_html: Path) -> None:
    page = _open(browser, demo_html, 718)
    page.emulate_media(media="print")
    assert page.locator(".passes-print").is_visible()
    assert not page.locator("#passes details").first.is_visible()
    rows = page.locator(".passes-print tbody tr").count()
    assert rows == 17  # the 17 promises of the demo that pass somewhere
    assert page.evaluate(PATHS_BROKEN_MID_NAME) == []
    page.screenshot(path=str(ARTIFACTS / "demo-print.png"), full_page=True)
    page.close()


def test_pdf_format_prints_the_demo_compactly(tmp_path: Path) -> None:
    # In a process of its own, as a user runs it (and apart from this module's browser).
    path = tmp_path / "demo.pdf"
    argv = ["check", "--config", str(REPO / "policy-check.yaml"), "--no-config-outputs"]
    run = subprocess.run(
        [sys.executable, "-m", "checker", *argv, "--output", f"pdf={path}"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 1, run.stderr
    pdf = path.read_bytes()
    assert pdf.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
    assert 1 < pages < PAGES_BEFORE, pages
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "demo.pdf").write_bytes(pdf)
