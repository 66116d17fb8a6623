"""The HTML compliance report: one self-contained file for review meetings.

Readable by people who do not read YAML: a verdict banner, what was checked, a scorecard per
area with a chart, then every failure grouped by promise with expected and actual values, the
evidence in both files, what to do and the regulations it touches; then what could not be
evaluated, what is not evidenced, the waivers and their expiry, and the passes, collapsed.

Safe and offline by construction: Jinja2 autoescapes every value; a Content-Security-Policy
forbids scripts and any load from outside the file; the chart is inline SVG; collapsing uses
``<details>``, not JavaScript. Untrusted values are shown with control and bidirectional
characters as escapes and cut to a readable length (the full length is noted).

Bounded for huge results: at most :data:`GROUP_BUDGET` findings per (area, status) are shown
in detail (:data:`PER_PROMISE` per promise); the rest are summarised per promise with counts
and sample resources, so 100,000 findings still make a file of a few megabytes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import TextIO

from jinja2 import Environment, PackageLoader, StrictUndefined

from checker import __version__
from checker.checks import AREAS
from checker.core.diagnostics import Location
from checker.core.results import Area, Finding, PassCount, Result, Severity, Status
from reports.base import (
    EXPIRING_SOON_DAYS,
    STATUS_ORDER,
    STATUS_TITLES,
    AreaRow,
    Redacted,
    Reporter,
    Summary,
    finding_key,
    group_by_clause,
    plural,
    shown,
)
from reports.diff.words import VERDICT_WORDS

CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
    "form-action 'none'"
)
GROUP_BUDGET = 200
PER_PROMISE = 25
PASS_ROWS_PER_AREA = 100
WAIVED_ROWS = 200
DIAGNOSTIC_ROWS = 200
SAMPLE_RESOURCES = 5
TOP_ISSUES = 5
VALUE_LIMIT = 300
TEXT_LIMIT = 1000


_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _fmt_date(day: dt.date) -> str:
    """``1 November 2026``: unambiguous for every reader, independent of the locale."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def _show(value: object, limit: int = VALUE_LIMIT) -> str:
    return shown(str(value), limit)


def _show_text(value: object, limit: int = TEXT_LIMIT) -> str:
    return shown(str(value), limit, keep_newlines=True)


def _num(value: int) -> str:
    return f"{value:,}"


def _where(location: Location | None) -> str:
    return "" if location is None else shown(str(location), 200)


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("reports", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        show=_show, text=_show_text, num=_num, where=_where, plural=plural, date=_fmt_date
    )
    return env


# --- View model -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PromiseCard:
    """One promise (clause) of one status: the shared text once, then its resources."""

    first: Finding
    shown: list[Finding]
    total: int
    anchor: str

    @property
    def hidden(self) -> int:
        return self.total - len(self.shown)


@dataclass(frozen=True, slots=True)
class PromiseLine:
    """A promise summarised in one table row: how many findings, a few sample resources."""

    first: Finding
    total: int
    samples: list[str]


@dataclass(frozen=True, slots=True)
class AreaGroup:
    area: Area
    total: int
    cards: list[PromiseCard]
    summarised: list[PromiseLine]

    @property
    def summarised_total(self) -> int:
        return sum(line.total for line in self.summarised)


@dataclass(frozen=True, slots=True)
class Section:
    status: Status
    anchor: str
    title: str
    intro: str
    groups: list[AreaGroup]

    @property
    def total(self) -> int:
        return sum(g.total for g in self.groups)


@dataclass(frozen=True, slots=True)
class Segment:
    status: Status
    x: float
    width: float
    count: int


@dataclass(frozen=True, slots=True)
class ChartRow:
    row: AreaRow
    y: int
    segments: list[Segment]


@dataclass(frozen=True, slots=True)
class Chart:
    rows: list[ChartRow]
    width: int
    height: int
    label_width: int
    bar_width: int


@dataclass(frozen=True, slots=True)
class PassArea:
    area: Area
    total: int
    rows: list[Finding]
    summarised: list[PromiseLine]
    counted: list[PassCount]


@dataclass(slots=True)
class View:
    summary: Summary
    sections: list[Section] = field(default_factory=list)
    chart: Chart | None = None
    passes: list[PassArea] = field(default_factory=list)

    def top_issues(self, limit: int = TOP_ISSUES) -> list[PromiseCard]:
        """The most severe promises that need action, for the first page."""
        cards = [
            c
            for s in self.sections
            for g in s.groups
            for c in g.cards
            if c.first.severity is not Severity.INFO
        ]
        return sorted(cards, key=lambda c: (-c.first.severity.rank, finding_key(c.first)))[:limit]


def _lines(findings: Sequence[Finding]) -> list[PromiseLine]:
    return [
        PromiseLine(
            group[0], len(group), list(dict.fromkeys(f.resource for f in group))[:SAMPLE_RESOURCES]
        )
        for _, group in group_by_clause(findings)
    ]


def _area_group(area: Area, findings: list[Finding], status: Status) -> AreaGroup:
    budget = GROUP_BUDGET
    cards: list[PromiseCard] = []
    rest: list[Finding] = []
    for _, group in group_by_clause(findings):
        take = min(len(group), PER_PROMISE)
        if rest or (cards and take > budget):
            rest.extend(group)  # keep the order: once a promise does not fit, summarise the rest
            continue
        anchor = f"{status.value}-{area.value}-{len(cards) + 1}"
        cards.append(PromiseCard(group[0], group[:take], len(group), anchor))
        budget -= take
    return AreaGroup(area, len(findings), cards, _lines(rest))


def _section(summary: Summary, status: Status, anchor: str, title: str, intro: str) -> Section:
    by_area: dict[Area, list[Finding]] = {}
    for finding in summary.with_status(status):
        by_area.setdefault(finding.area, []).append(finding)
    groups = [
        _area_group(area, by_area[area], status) for area in AREAS.values() if area in by_area
    ]
    return Section(status, anchor, title, intro, groups)


CHART_ROW = 30
CHART_TOP = 8


def _chart(rows: list[AreaRow]) -> Chart:
    label_width, bar_width, count_width = 190, 440, 150
    chart_rows = []
    for index, row in enumerate(rows):
        x = float(label_width)
        segments = []
        for status in STATUS_ORDER:
            count = row.counts[status]
            if not count:
                continue
            width = bar_width * count / row.total
            segments.append(Segment(status, round(x, 2), round(width, 2), count))
            x += width
        chart_rows.append(ChartRow(row, CHART_TOP + index * CHART_ROW, segments))
    height = CHART_TOP * 2 + CHART_ROW * len(rows)
    return Chart(chart_rows, label_width + bar_width + count_width, height, label_width, bar_width)


def build_view(result: Result) -> View:
    """What the template shows, computed from an (already redacted) result."""
    summary = Summary.of(result)
    view = View(summary)
    view.sections = [
        _section(
            summary,
            Status.FAIL,
            "failures",
            "Failures",
            "Promises the configuration breaks, by area; within an area, most severe first.",
        ),
        _section(
            summary,
            Status.ERROR,
            "errors",
            "Could not be evaluated",
            "The check could not evaluate these promises (for example, an invalid rule). "
            "They count as failures until fixed.",
        ),
        _section(
            summary,
            Status.NOT_EVIDENCED,
            "not-evidenced",
            "Not evidenced",
            "The snapshots hold nothing that shows whether these promises are kept. "
            "A promise without evidence is not a pass.",
        ),
    ]
    if summary.total:
        view.chart = _chart([row for row in summary.areas if row.total])
    by_area: dict[Area, list[Finding]] = {}
    for finding in summary.with_status(Status.PASS):
        by_area.setdefault(finding.area, []).append(finding)
    counted: dict[Area, list[PassCount]] = {}
    for item in summary.pass_counts:
        counted.setdefault(item.area, []).append(item)
    for area in AREAS.values():
        findings = by_area.get(area, [])
        counts = counted.get(area, [])
        if findings or counts:
            view.passes.append(
                PassArea(
                    area,
                    len(findings) + sum(c.count for c in counts),
                    findings[:PASS_ROWS_PER_AREA],
                    _lines(findings[PASS_ROWS_PER_AREA:]),
                    counts,
                )
            )
    return view


def render_html(result: Result) -> str:
    """The report for an (already redacted) result, as one HTML document."""
    view = build_view(result)
    template = environment().get_template("report.html.j2")
    return template.render(
        view=view,
        summary=view.summary,
        result=view.summary.result,
        csp=CSP,
        version=__version__,
        Status=Status,
        Severity=Severity,
        STATUS_ORDER=STATUS_ORDER,
        STATUS_TITLES=STATUS_TITLES,
        EXPIRING_SOON_DAYS=EXPIRING_SOON_DAYS,
        waivers=view.summary.waiver_buckets(),
        waived=view.summary.with_status(Status.WAIVED),
        WAIVED_ROWS=WAIVED_ROWS,
        DIAGNOSTIC_ROWS=DIAGNOSTIC_ROWS,
        verdict_words=VERDICT_WORDS,
    )


class HtmlReporter(Reporter):
    """A self-contained, printable HTML report for people."""

    name = "html"
    order = 70  # place among the --format choices
    extension = ".html"
    description = "self-contained HTML compliance report (works offline, printable)"

    def write(self, redacted: Redacted, stream: TextIO, *, color: bool = False) -> None:
        stream.write(render_html(redacted.result))
