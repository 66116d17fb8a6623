"""The HTML report printed to PDF by headless Chromium: the file a review meeting files.

The same document as the ``html`` format, laid out by its print styles: A4, a running header
with the verdict, the systems and the as-of date, page numbers, passes as one compact table
(CSS paged media, which Chromium renders since version 131). No PDF library could render our
HTML and CSS as faithfully as the browser the report is already tested in, so the format uses
Chromium through Playwright when both are present. When either is missing, the run stops
before any work (exit code 2) with a message saying what to install.

PDF is binary: write it to a file (``--output pdf=report.pdf``), not to a terminal.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import TextIO

from checker.core.errors import UsageError
from reports.base import Redacted, Reporter
from reports.html import render_html

# Where Chromium is found when it is not on PATH under one of these names.
BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
KNOWN_PATHS = (
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
    "/snap/bin/chromium",
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
    "/Applications/Chromium.app/Contents/MacOS/Chromium",
)
BROWSER_VARIABLE = "POLICY_CHECK_CHROMIUM"  # a browser elsewhere: its executable's path
LAUNCH_ARGS = ("--disable-gpu", "--no-first-run", "--disable-background-networking")
PRINT_TIMEOUT_MS = 120_000
# The dates Chromium writes into the document information: the moment it printed.
_PRINT_DATES = re.compile(rb"/(CreationDate|ModDate) \(D:[0-9]{14}[^)]*\)")


def find_browser(environ: Mapping[str, str] | None = None) -> Path | None:
    """The Chromium to print with: ``$POLICY_CHECK_CHROMIUM``, then PATH, then known places."""
    env = os.environ if environ is None else environ
    if chosen := env.get(BROWSER_VARIABLE):
        return Path(chosen) if Path(chosen).is_file() else None
    for name in BROWSER_NAMES:
        if found := shutil.which(name):
            return Path(found)
    return next((Path(p) for p in KNOWN_PATHS if Path(p).is_file()), None)


def _playwright_missing() -> bool:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return True
    return False


def html_to_pdf(html: str, browser: Path) -> bytes:
    """``html`` printed by ``browser`` (headless), as the bytes of a PDF file."""
    from playwright.sync_api import Error, sync_playwright

    args = [*LAUNCH_ARGS]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--no-sandbox")  # Chromium refuses to start its sandbox as root
    with tempfile.TemporaryDirectory(prefix="policy-check-pdf-") as folder:
        page_file = Path(folder) / "report.html"
        page_file.write_text(html, encoding="utf-8")
        try:
            with sync_playwright() as playwright:
                instance = playwright.chromium.launch(executable_path=str(browser), args=args)
                try:
                    page = instance.new_page()
                    # Nothing leaves the machine: the report loads nothing (its CSP says so).
                    page.route("**/*", lambda route: _only_the_report(route, page_file))
                    page.goto(page_file.as_uri(), timeout=PRINT_TIMEOUT_MS)
                    return page.pdf(prefer_css_page_size=True, print_background=True)
                finally:
                    instance.close()
        except Error as exc:
            raise UsageError(f"cannot print the report to PDF with {browser}: {exc}") from exc


def stamped(pdf: bytes, generated_at: str) -> bytes:
    """``pdf`` with the report's own stamp (``--generated-at``) as its creation and change
    dates, or none when the report has none, instead of the moment Chromium printed it: the
    same inputs give the same bytes. Each entry keeps its length, padded with spaces (white
    space between the entries of a dictionary), so the cross-reference table, which counts
    bytes, still points at every object."""
    try:
        moment = dt.datetime.fromisoformat(generated_at) if generated_at else None
    except ValueError:  # saved results stamped otherwise: no date rather than a wrong one
        moment = None
    date = b""
    if moment is not None:
        moment = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
        date = moment.astimezone(dt.UTC).strftime("D:%Y%m%d%H%M%S+00'00'").encode()

    def replace(match: re.Match[bytes]) -> bytes:
        entry = b"/" + match.group(1) + b" (" + date + b")" if date else b""
        width = len(match.group(0))
        return entry.ljust(width) if len(entry) <= width else b" " * width

    return _PRINT_DATES.sub(replace, pdf)


def _only_the_report(route: object, page_file: Path) -> None:
    from playwright.sync_api import Route

    assert isinstance(route, Route)
    if route.request.url == page_file.as_uri():
        route.continue_()
    else:
        route.abort()


class PdfReporter(Reporter):
    """The HTML report printed to PDF (A4, running header, page numbers) by headless
    Chromium."""

    name = "pdf"
    order = 75  # after html
    extension = ".pdf"
    binary = True
    renders_validation = False
    description = "the HTML report printed to PDF by headless Chromium (needs Playwright)"

    @classmethod
    def unavailable(cls) -> str | None:
        if _playwright_missing():
            return (
                "PDF output needs Playwright and Chromium: pip install playwright, then "
                "install Chromium (e.g. apt-get install chromium); or write html and print it"
            )
        if find_browser() is None:
            return (
                "PDF output needs Chromium and none was found (looked for "
                f"{', '.join(BROWSER_NAMES)} on PATH and in {', '.join(KNOWN_PATHS[:3])}); "
                f"install it (e.g. apt-get install chromium) or set {BROWSER_VARIABLE} to "
                "its path"
            )
        return None

    def write(self, redacted: Redacted, stream: TextIO, *, color: bool = False) -> None:
        problem = self.unavailable()
        if problem is not None:
            raise UsageError(problem)
        binary = getattr(stream, "buffer", None)
        if binary is None or stream.isatty():
            raise UsageError("PDF is binary: write it to a file with --output pdf=PATH")
        browser = find_browser()
        assert browser is not None  # unavailable() said so
        pdf = stamped(
            html_to_pdf(render_html(redacted.result), browser), redacted.result.generated_at
        )
        stream.flush()
        binary.write(pdf)
        binary.flush()
