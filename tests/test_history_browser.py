"""The trends report and the "since last run" block in headless Chromium: quiet (no script,
no request), readable, and printable in black and white."""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from checker.core.results import Severity, Status
from checker.history.compare import compare
from checker.history.trends import trends
from reports import get_reporter
from reports.trends import render_trends
from tests.report_fixtures import mixed_result
from tests.test_history import make_history
from tests.test_html_browser import ARTIFACTS, CHROMIUM, LAUNCH_ARGS

pytestmark = pytest.mark.browser


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


def _open(browser: Browser, path: Path) -> tuple[Page, list[str], list[str]]:
    page = browser.new_page(viewport={"width": 1200, "height": 1000})
    errors: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(path.as_uri(), wait_until="load")
    return page, errors, requests


def test_the_trends_report_in_the_browser(browser: Browser, tmp_path: Path) -> None:
    path = tmp_path / "trends.html"
    path.write_text(render_trends(trends(str(make_history(tmp_path))), "html"), encoding="utf-8")
    page, errors, requests = _open(browser, path)
    try:
        assert not errors and requests == [path.as_uri()]
        assert page.locator("#over-time svg").count() == 2
        assert page.locator("#over-time svg polyline").first.is_visible()
        # beta was not scanned on the last two days: marked under the charts, said in words.
        assert page.locator("#over-time svg rect.carried").count() == 4  # 2 days, 2 charts
        beta = page.locator("#systems tr", has_text="beta")
        assert "last known state" in beta.inner_text()
        assert page.locator("#systems .spark line.carried").count() == 2
        assert page.locator("#changes").inner_text().count("1") >= 2
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "trends.png"), full_page=True)
        page.emulate_media(media="print")
        page.pdf(path=str(ARTIFACTS / "trends.pdf"), format="A4")
    finally:
        page.close()


def test_the_check_report_says_what_changed_since_the_baseline(
    browser: Browser, tmp_path: Path
) -> None:
    earlier = mixed_result().findings
    fails = [f for f in earlier if f.status is Status.FAIL]
    gone = dataclasses.replace(fails[0], resource="store:removed", finding_id="")
    earlier = [f for f in earlier if f is not fails[1]]  # one new finding
    earlier.append(gone)  # one fixed
    earlier = [  # one worse: its severity was lower
        dataclasses.replace(f, severity=Severity.LOW) if f is fails[2] else f for f in earlier
    ]
    result = compare(mixed_result(), earlier, kind="baseline", against="baseline.json")
    stream = io.StringIO()
    get_reporter("html").render(result, stream)
    path = tmp_path / "report.html"
    path.write_text(stream.getvalue(), encoding="utf-8")
    page, errors, requests = _open(browser, path)
    try:
        assert not errors and requests == [path.as_uri()]
        since = page.locator("#since").inner_text()
        assert "Since the baseline: 1 new, 1 fixed, 1 worse" in since
        assert page.locator("#failures .novelty-new").count() == 1
        assert page.locator("#failures .novelty-worse").count() == 1
        assert "(was fail, low)" in page.locator("#failures").inner_text()
        since_box = page.locator("#since").bounding_box()
        failures = page.locator("#failures").bounding_box()
        assert since_box is not None and failures is not None and since_box["y"] < failures["y"]
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "report-since.png"), full_page=False)
    finally:
        page.close()
