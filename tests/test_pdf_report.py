"""The ``pdf`` format: the HTML report printed by headless Chromium, as ``--output pdf=FILE``
writes it.

In a module of its own: the reporter runs Playwright itself, which cannot start while another
module's browser fixture holds Playwright open.
"""

from __future__ import annotations

import io
import re

import pytest

from checker.core.results import Result
from reports import get_reporter
from tests.report_fixtures import empty_result

pytestmark = pytest.mark.browser


def _pdf_of(result: Result) -> bytes:
    """What ``--output pdf=FILE`` writes for ``result``."""
    stream = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    get_reporter("pdf").render(result, stream)
    stream.flush()
    buffer = stream.buffer
    assert isinstance(buffer, io.BytesIO)
    return buffer.getvalue()


def _readable(pdf: bytes) -> bool:
    """The cross-reference table is where the file says it is: no byte of it has moved."""
    offset = int(re.findall(rb"startxref\s+(\d+)", pdf)[-1])
    return pdf.startswith(b"%PDF") and pdf[offset:].startswith(b"xref")


def test_the_pdf_carries_the_reports_stamp_not_the_time_it_was_printed() -> None:
    """The same inputs give the same bytes: Chromium stamped each PDF with the second it was
    printed, whatever --generated-at said."""
    result = empty_result()
    result.generated_at = ""
    unstamped = _pdf_of(result)
    assert _readable(unstamped)
    assert b"/CreationDate" not in unstamped and b"/ModDate" not in unstamped
    result.generated_at = "2026-11-21T10:30:00+01:00"
    stamped = _pdf_of(result)
    assert _readable(stamped)
    assert b"/CreationDate (D:20261121093000+00'00')" in stamped
    assert b"/ModDate (D:20261121093000+00'00')" in stamped
