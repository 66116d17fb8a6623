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
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import TextIO

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup, escape

from checker import __version__
from checker.checks import AREAS
from checker.core.diagnostics import Location
from checker.core.results import Area, Finding, PassCount, Result, Severity, Status, Waiver
from checker.evaluation.waivers import matches
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
    input_problems,
    not_in_force,
    plural,
    shown,
    shown_place,
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
WHOLE_NAME = 40  # characters of a path's part kept on one line; a longer part may wrap


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


class FindingAnchors:
    """The element ids of the findings one report shows, ``finding-<digits>``: the digits of
    the finding id, the same across runs, so a link to a finding in last week's report finds
    it in this week's. Two snapshots of one system and environment give their findings the
    same ids; the first shown keeps the plain anchor, the others get ``-2``, ``-3``… so that
    every id stays unique in the page. One instance per report: it counts what it gave."""

    def __init__(self) -> None:
        self._given: Counter[str] = Counter()

    def __call__(self, finding_id: str, prefix: str = "") -> str:
        anchor = f"{prefix}finding-{finding_id.partition(':')[2]}"
        self._given[anchor] += 1
        count = self._given[anchor]
        return anchor if count == 1 else f"{anchor}-{count}"


def _where(location: Location | None) -> str:
    return "" if location is None else shown_place(location, 200)


def _path(value: object, limit: int = 200) -> Markup:
    """A file path (or ``file:line:col``) that wraps only after a ``/``, never mid-name (not
    even at a hyphen): each part is escaped and kept on one line, and a break opportunity
    (``<wbr>``) follows every slash. A part too long for any column may wrap anywhere rather
    than overflow it."""
    parts = shown(str(value), limit).split("/")
    return Markup("/<wbr>").join(
        Markup('<span class="seg">{}</span>').format(part)
        if 0 < len(part) <= WHOLE_NAME
        else escape(part)
        for part in parts
    )


def _web_link(url: object) -> str:
    """A source's url when it is a web address, else "": a ``javascript:`` or ``data:`` url
    from a policy is never made a link (it is still shown as text)."""
    text = str(url)
    return text if text.startswith(("https://", "http://")) and len(text) <= 2000 else ""


def _css_string(value: object, limit: int = 120) -> Markup:
    """``value`` as a quoted CSS string whose every character but letters and digits is a CSS
    escape: untrusted text can neither end the string nor the ``<style>`` element."""
    text = shown(str(value), limit)
    body = "".join(c if c.isascii() and c.isalnum() else f"\\{ord(c):06x}" for c in text)
    return Markup(f'"{body}"')


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
        show=_show,
        text=_show_text,
        num=_num,
        where=_where,
        path=_path,
        css_string=_css_string,
        web_link=_web_link,
        plural=plural,
        date=_fmt_date,
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
    resources: int  # distinct resources (one may fail a promise in several ways)

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
class PassLine:
    """A kept promise in the printed table of passes: the promise once, and its passes."""

    promise: str
    total: int


@dataclass(frozen=True, slots=True)
class PassArea:
    area: Area
    total: int
    rows: list[Finding]
    summarised: list[PromiseLine]
    counted: list[PassCount]
    promises: list[PassLine]


@dataclass(frozen=True, slots=True)
class PromiseTally:
    kept: int  # every check passed
    waived: int  # nothing broken but what a waiver covers
    checked: int


@dataclass(slots=True)
class View:
    summary: Summary
    sections: list[Section] = field(default_factory=list)
    chart: Chart | None = None
    passes: list[PassArea] = field(default_factory=list)

    def needing_attention(self) -> list[PromiseCard]:
        """Every promise that needs action, most severe first (the first page shows a few)."""
        cards = [
            c
            for s in self.sections
            for g in s.groups
            for c in g.cards
            if c.first.severity is not Severity.INFO
        ]
        return sorted(cards, key=lambda c: (-c.first.severity.rank, finding_key(c.first)))

    def top_issues(self, limit: int = TOP_ISSUES) -> list[PromiseCard]:
        """The most severe promises that need action, for the first page."""
        return self.needing_attention()[:limit]

    def expired_waivers(self, card: PromiseCard) -> list[Waiver]:
        """Waivers that covered a failure of the card until they expired: the card says so,
        so a meeting sees that an accepted exception lapsed, not a new failure."""
        if card.first.status is not Status.FAIL:
            return []
        return [
            state.waiver
            for state in self.summary.result.waivers
            if state.expired and any(matches(state.waiver, f) for f in card.shown)
        ]

    @property
    def more_issues(self) -> int:
        """How many promises needing action the first page leaves out ("+N more"): a promise
        both failing and not evidenced somewhere is one promise, not two."""
        shown = {card.first.rule_id for card in self.top_issues()}
        return len({card.first.rule_id for card in self.needing_attention()} - shown)

    @property
    def promises(self) -> PromiseTally:
        """Promises, not findings: a promise is kept when every check of it passed."""
        statuses: dict[str, set[Status]] = {}
        for finding in self.summary.result.findings:
            statuses.setdefault(finding.rule_id, set()).add(finding.status)
        for counted in self.summary.pass_counts:
            statuses.setdefault(counted.rule_id, set()).add(Status.PASS)
        kept = sum(1 for seen in statuses.values() if seen == {Status.PASS})
        waived = sum(1 for seen in statuses.values() if Status.WAIVED in seen and seen <= _KEPT)
        return PromiseTally(kept, waived, len(statuses))


_KEPT = frozenset({Status.PASS, Status.WAIVED})


def distinct_resources(findings: Sequence[Finding]) -> int:
    """Resources, not findings: one recipient failing a promise twice is one resource."""
    return len({(f.system, f.environment, f.resource) for f in findings})


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
        cards.append(
            PromiseCard(group[0], group[:take], len(group), anchor, distinct_resources(group))
        )
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


def _pass_lines(findings: Sequence[Finding], counted: Sequence[PassCount]) -> list[PassLine]:
    lines = [PassLine(group[0].promise, len(group)) for _, group in group_by_clause(findings)]
    by_rule: dict[str, list[PassCount]] = {}
    for item in counted:
        by_rule.setdefault(item.rule_id, []).append(item)
    lines += [PassLine(items[0].promise, sum(i.count for i in items)) for items in by_rule.values()]
    return lines


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
                    _pass_lines(findings, counts),
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
        not_in_force=not_in_force(view.summary.result.diagnostics),
        problems=input_problems(view.summary.result.diagnostics),
        verdict_words=VERDICT_WORDS,
        running_header=running_header(view.summary),
        finding_anchor=FindingAnchors(),
    )


def running_header(summary: Summary) -> str:
    """What each printed page says at its top: the verdict and the systems checked."""
    systems = list(
        dict.fromkeys(
            " ".join(filter(None, (d.system or d.id, d.environment and f"({d.environment})")))
            for d in summary.snapshots
        )
    )
    named = ", ".join(systems[:3]) + (f" +{len(systems) - 3} more" if len(systems) > 3 else "")
    return " · ".join(filter(None, (f"Privacy compliance: {summary.verdict}", named)))


class HtmlReporter(Reporter):
    """A self-contained, printable HTML report for people."""

    name = "html"
    order = 70  # place among the --format choices
    extension = ".html"
    description = "self-contained HTML compliance report (works offline, printable)"
    renders_validation = False

    def write(self, redacted: Redacted, stream: TextIO, *, color: bool = False) -> None:
        stream.write(render_html(redacted.result))
