"""The HTML report in a real browser: headless Chromium (Debian's ``chromium`` package).

The report is opened from disk as a user would open it. Nothing may be fetched, no script may
run, hostile snapshot values must show as text, and it must print. Screenshots and the PDF are
kept in ``tests/artifacts/`` for people to look at.
"""

from __future__ import annotations

import io
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Dialog, Page, sync_playwright

from checker.core.results import Result
from reports import get_reporter
from tests.report_fixtures import (
    HOSTILE_IMG,
    HOSTILE_JS_URL,
    HOSTILE_SCRIPT,
    empty_result,
    hostile_result,
    huge_result,
    mixed_result,
)

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
A4_CONTENT_WIDTH = 700  # CSS pixels: 210 mm less the print margins, at 96 px per inch


@dataclass
class Opened:
    """A report loaded in a page, with everything the page tried to do."""

    page: Page
    url: str
    console: list[tuple[str, str]] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    load_seconds: float = 0.0


Opener = Callable[..., Opened]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: the HTML report is tested in headless Chromium. "
            "Install Debian's package: apt-get install chromium"
        )
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture
def open_report(browser: Browser, tmp_path: Path) -> Iterator[Opener]:
    pages: list[Page] = []

    def opener(result: Result, name: str, width: int = 1200) -> Opened:
        stream = io.StringIO()
        get_reporter("html").render(result, stream)
        path = tmp_path / f"{name}.html"
        path.write_text(stream.getvalue(), encoding="utf-8")
        page = browser.new_page(viewport={"width": width, "height": 1000})
        pages.append(page)
        opened = Opened(page, path.as_uri())
        page.on("console", lambda m: opened.console.append((m.type, m.text)))
        page.on("pageerror", lambda e: opened.console.append(("error", str(e))))
        page.on("request", lambda r: opened.requests.append(r.url))

        def on_dialog(dialog: Dialog) -> None:
            opened.dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", on_dialog)
        start = time.perf_counter()
        page.goto(opened.url, wait_until="load")
        opened.load_seconds = time.perf_counter() - start
        return opened

    yield opener
    for page in pages:
        page.close()


def _assert_quiet(opened: Opened) -> None:
    errors = [text for kind, text in opened.console if kind == "error"]
    assert not errors, errors
    assert opened.requests == [opened.url], opened.requests
    assert not opened.dialogs


def _screenshot(page: Page, name: str, *, full_page: bool = True) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=full_page)


def test_mixed_report_in_the_browser(open_report: Opener) -> None:
    opened = open_report(mixed_result(), "mixed")
    page = opened.page
    _assert_quiet(opened)
    assert page.locator("#verdict h1").inner_text().endswith("Not compliant")
    assert page.locator("#verdict h1").is_visible()
    failures = page.locator("#failures").bounding_box()
    passes = page.locator("#passes").bounding_box()
    assert failures is not None and passes is not None
    assert failures["y"] < passes["y"]
    details = page.eval_on_selector_all("#passes details", "els => els.map(e => e.open)")
    assert details and not any(details)
    assert not page.locator("#passes details table").first.is_visible()
    assert page.locator("figure.chart svg[role=img]").is_visible()
    assert page.get_by_text("Warehouse migration in progress").is_visible()
    _screenshot(page, "report.png")


def test_hostile_values_stay_inert(open_report: Opener) -> None:
    opened = open_report(hostile_result(), "hostile")
    page = opened.page
    _assert_quiet(opened)
    assert page.evaluate("window.__pwned") is None
    assert page.evaluate("document.scripts.length") == 0
    assert page.evaluate("document.images.length") == 0
    assert page.evaluate("[...document.links].every(a => a.getAttribute('href').startsWith('#'))")
    text = page.locator("main").inner_text()
    for value in (HOSTILE_SCRIPT, HOSTILE_IMG, HOSTILE_JS_URL):
        assert value in text
    assert "invoice\\u202egnp.exe" in text and "\u202e" not in text
    assert "(20,000 characters)" in text
    assert page.get_by_text(HOSTILE_SCRIPT).first.is_visible()
    # Opening every collapsed section runs nothing either.
    page.eval_on_selector_all("details", "els => els.forEach(e => { e.open = true; })")
    assert page.evaluate("window.__pwned") is None
    _assert_quiet(opened)
    _screenshot(page, "report-hostile.png", full_page=False)


def test_empty_report_reads_well(open_report: Opener) -> None:
    opened = open_report(empty_result(), "empty")
    page = opened.page
    _assert_quiet(opened)
    # Nothing checked is never "Compliant" (results cut down to no finding read so).
    assert page.locator("#verdict h1").inner_text().endswith("Not compliant")
    assert page.get_by_text("No promises were checked.").first.is_visible()
    _screenshot(page, "report-empty.png")


def test_report_prints(open_report: Opener) -> None:
    opened = open_report(hostile_result(), "print", width=A4_CONTENT_WIDTH)
    page = opened.page
    page.emulate_media(media="print")
    overflowing = page.evaluate(
        """() => {
            const width = document.documentElement.clientWidth;
            const wide = [...document.querySelectorAll('table, .card, pre, svg[role=img]')]
                .filter(e => e.getBoundingClientRect().right > width + 1
                          || e.scrollWidth > e.clientWidth + 1);
            const cells = [...document.querySelectorAll('td, th')]
                .filter(c => c.scrollWidth > c.clientWidth + 1);
            return {page: document.documentElement.scrollWidth - width,
                    wide: wide.map(e => e.tagName + '.' + e.className),
                    cells: cells.length};
        }"""
    )
    assert overflowing == {"page": 0, "wide": [], "cells": 0}
    pdf = page.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF")
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "report-hostile.pdf").write_bytes(pdf)
    _screenshot(page, "report-print.png", full_page=False)
    _assert_quiet(opened)


def test_mixed_report_prints_to_pdf(open_report: Opener) -> None:
    opened = open_report(mixed_result(), "mixed-print", width=A4_CONTENT_WIDTH)
    page = opened.page
    page.emulate_media(media="print")
    assert page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )
    pdf = page.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) > 1  # several A4 pages
    (ARTIFACTS / "report.pdf").write_bytes(pdf)


def test_huge_report_opens_fast(open_report: Opener, tmp_path: Path) -> None:
    opened = open_report(huge_result(), "huge")
    size = (tmp_path / "huge.html").stat().st_size
    assert size < 4 * 1024 * 1024, f"{size:,} bytes"
    assert opened.load_seconds < 15, f"{opened.load_seconds:.1f} s to load"
    _assert_quiet(opened)
    assert opened.page.locator("#verdict h1").is_visible()
    _screenshot(opened.page, "report-huge.png", full_page=False)


# --- policy-check diff, and the report's "What changed" section ------------------------------


def _open_file(browser: Browser, path: Path, width: int = 1200) -> Opened:
    page = browser.new_page(viewport={"width": width, "height": 1000})
    opened = Opened(page, path.as_uri())
    page.on("console", lambda m: opened.console.append((m.type, m.text)))
    page.on("pageerror", lambda e: opened.console.append(("error", str(e))))
    page.on("request", lambda r: opened.requests.append(r.url))
    page.goto(opened.url, wait_until="load")
    return opened


SEED_OLD = "policies/library/anthropic-privacy-2023.yaml"
SEED_NEW = "policies/library/anthropic-consumer-2025.yaml"


def test_the_seed_diff_reads_well(browser: Browser, tmp_path: Path) -> None:
    from checker.cli.main import main

    path = tmp_path / "diff.html"
    repo = Path(__file__).resolve().parents[1]
    code = main(
        ["diff", str(repo / SEED_OLD), str(repo / SEED_NEW), "--output", f"html={path}"],
        out=io.StringIO(),
        err=io.StringIO(),
        environ={},
    )
    assert code == 0
    opened = _open_file(browser, path)
    page = opened.page
    try:
        _assert_quiet(opened)
        assert page.locator("#verdict h1").inner_text() == "6 promises weakened"
        rows = page.locator("article.drow")
        first = rows.first
        assert first.locator(".dir").first.inner_text().lower() == "loosened"
        assert first.is_visible()
        # The first thing a reader sees below the banner says what loosened, in words.
        assert page.get_by_text(
            "Max users are now trained on by default unless they opt out"
        ).is_visible()
        # Wording changes are folded away, the ordered changes are not.
        assert not page.locator("details.reworded p").first.is_visible()
        assert page.locator("table.dchanges").first.is_visible()
        _screenshot(page, "diff.png")
        page.set_viewport_size({"width": A4_CONTENT_WIDTH, "height": 1000})
        page.emulate_media(media="print")
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0
        _screenshot(page, "diff-print.png", full_page=False)
    finally:
        page.close()


def test_the_report_opens_with_what_changed(browser: Browser, tmp_path: Path) -> None:
    from checker.cli.main import main

    repo = Path(__file__).resolve().parents[1]
    path = tmp_path / "report.html"
    main(
        [
            "check", "--policy", str(repo / SEED_NEW),
            "--snapshot", str(repo / "policies/examples/violating/snapshot.yaml"),
            "--as-of", "2026-11-21", "--output", f"html={path}", "--format", "json",
        ],
        out=io.StringIO(), err=io.StringIO(), environ={},
    )  # fmt: skip
    opened = _open_file(browser, path)
    page = opened.page
    try:
        _assert_quiet(opened)
        changes = page.locator("#changes").bounding_box()
        tiles = page.locator("ul.tiles").bounding_box()
        assert changes is not None and tiles is not None and changes["y"] < tiles["y"]
        assert (
            page.locator("#changes-title").inner_text() == "What changed since the previous policy"
        )
        assert page.locator("#changes article.drow").count() == 12
        _screenshot(page, "report-changes.png", full_page=False)
    finally:
        page.close()
