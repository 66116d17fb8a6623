"""The trends report (``policy-check history``) in HTML, JSON and Markdown.

Not reporters of a run's result (those are the modules of ``reports/``): these render
:class:`checker.history.trends.Trends`, what the history database says about many runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from checker.history.trends import Trends

FORMATS = ("html", "json", "markdown")


def render_trends(trends: Trends, fmt: str) -> str:
    """The trends report in ``fmt`` (one of :data:`FORMATS`)."""
    if fmt == "json":
        from reports.trends.json_trends import render_json

        return render_json(trends)
    if fmt == "markdown":
        from reports.trends.markdown_trends import render_markdown

        return render_markdown(trends)
    if fmt == "html":
        from reports.trends.html_trends import render_html

        return render_html(trends)
    raise ValueError(f"no trends format {fmt!r}; choose from {', '.join(FORMATS)}")
