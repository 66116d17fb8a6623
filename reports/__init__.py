"""Reporters: one module per output format, registered by name.

Every reporter renders the same :class:`~checker.core.results.Result` — of ``check`` or of
``validate`` — and writes deterministic output to the stream it is given. Evidence is redacted
before any reporter sees it: :meth:`Reporter.render` hands each reporter's ``write`` a
:class:`Redacted` result, and a run writing several reports redacts once
(:func:`reports.outputs.render`). The CLI's ``--format`` choices come from :data:`REPORTERS`.
"""

from __future__ import annotations

from collections.abc import Mapping

from checker.core.errors import UsageError
from reports.base import Redacted, Reporter
from reports.github import GitHubReporter
from reports.html import HtmlReporter
from reports.json_report import JsonReporter
from reports.junit import JUnitReporter
from reports.markdown import MarkdownReporter
from reports.sarif import SarifReporter
from reports.text import TextReporter

REPORTERS: dict[str, type[Reporter]] = {
    "text": TextReporter,
    "json": JsonReporter,
    "sarif": SarifReporter,
    "junit": JUnitReporter,
    "markdown": MarkdownReporter,
    "github": GitHubReporter,
    "html": HtmlReporter,
}


def get_reporter(name: str) -> Reporter:
    """A reporter by format name; a :class:`UsageError` naming the choices otherwise."""
    try:
        return REPORTERS[name]()
    except KeyError:
        raise UsageError(
            f"unknown output format {name!r}; choose from {', '.join(sorted(REPORTERS))}"
        ) from None


def default_format(environ: Mapping[str, str]) -> str:
    """``github`` inside GitHub Actions (annotations on the offending lines), else ``text``."""
    return "github" if environ.get("GITHUB_ACTIONS") == "true" else "text"


__all__ = ["REPORTERS", "Redacted", "Reporter", "default_format", "get_reporter"]
