"""What every reporter shares: the interface, a stable order, counts, and safe display text.

Reporters write a :class:`Redacted` result: :meth:`Reporter.render`, the only way in, redacts
a result that is not redacted yet, and a reporter only implements :meth:`Reporter.write`. A run
that writes several reports redacts once (``Redacted.of``) and hands the same redacted result
to each. The helpers
here make the human-read formats agree with each other: the same finding order (failures
first, most severe first), the same counts per area, the same verdict wording, and the same
way of making hostile text inert (control and bidirectional characters shown as escapes,
long values cut with their full length noted).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TextIO, final

from checker.checks import AREAS
from checker.core.diagnostics import Diagnostic, Level, Location
from checker.core.results import (
    Area,
    Command,
    DocumentInfo,
    DocumentStatus,
    Finding,
    PassCount,
    Result,
    Severity,
    Status,
    WaiverState,
)
from checker.evaluation.in_force import NOT_IN_FORCE
from reports.redaction import redact_result

EXPIRING_SOON_DAYS = 30
"""A waiver expiring within this many days (as of the run's date) is flagged in reports."""

STATUS_ORDER: tuple[Status, ...] = (
    Status.FAIL,
    Status.ERROR,
    Status.NOT_EVIDENCED,
    Status.WAIVED,
    Status.PASS,
)
"""Display order: what needs action first, passes last."""

STATUS_TITLES: dict[Status, str] = {
    Status.FAIL: "Fail",
    Status.ERROR: "Error",
    Status.NOT_EVIDENCED: "Not evidenced",
    Status.WAIVED: "Waived",
    Status.PASS: "Pass",
}

_STATUS_RANK = {status: index for index, status in enumerate(STATUS_ORDER)}
_AREA_RANK = {area: index for index, area in enumerate(AREAS.values())}


@dataclass(frozen=True, slots=True)
class Redacted:
    """A result whose evidence has been redacted: what every reporter writes.

    Made by :meth:`of`, which redacts only a result that is not redacted yet: a run redacts
    once, then renders the same redacted result in as many formats as it writes.
    """

    result: Result

    @classmethod
    def of(cls, result: Result | Redacted) -> Redacted:
        return result if isinstance(result, Redacted) else cls(redact_result(result))


class Reporter(ABC):
    """One output format. ``render`` writes the whole report to the stream it is given.

    A reporter implements :meth:`write`, which receives a :class:`Redacted` result; it cannot
    override :meth:`render`, the one entry point, which redacts before any output.
    """

    name: str  # the format's name: --format NAME, --output NAME=PATH
    order: int  # place among the formats, in --format choices and docs
    extension: str
    description: str
    # Bytes, not text (``pdf``): written to a file's binary buffer, never to a terminal, and
    # outside the text formats' shared tests (golden files, same bytes, hostile text).
    binary: bool = False
    # Whether the format says something of a validation (``policy-check validate``): the
    # HTML report (and its PDF) is a compliance report, of check results only.
    renders_validation: bool = True
    # Whether the format builds the whole report in memory before writing it (SARIF's JSON
    # document, JUnit's XML tree): its memory grows with the findings. Such a report is not
    # written by a process apart (``reports.outputs``), where that memory would come on top
    # of the copies forking makes of the pages both processes then touch.
    builds_whole: bool = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "render" in cls.__dict__:
            raise TypeError(
                f"{cls.__name__} overrides Reporter.render, which redacts the result before "
                "any output; implement write() instead"
            )

    @classmethod
    def unavailable(cls) -> str | None:
        """Why this format cannot be written on this machine (a tool it needs is missing),
        or ``None``: asked before any work, so a run never fails at its very end."""
        return None

    @final
    def render(self, result: Result | Redacted, stream: TextIO, *, color: bool = False) -> None:
        """Write ``result`` to ``stream``, redacted first unless it already is."""
        self.write(Redacted.of(result), stream, color=color)

    @abstractmethod
    def write(self, redacted: Redacted, stream: TextIO, *, color: bool = False) -> None:
        """Write the redacted result to ``stream``."""


# --- Safe display text -------------------------------------------------------------------------

_INVISIBLE: dict[int, str] = {}
for _code in (*range(0x20), 0x7F, *range(0x80, 0xA0)):
    _INVISIBLE[_code] = f"\\x{_code:02x}"
for _code in (
    0x00AD,  # soft hyphen
    0x061C,  # arabic letter mark
    0x180E,  # mongolian vowel separator
    *range(0x200B, 0x2010),  # zero-width space/joiners, LRM, RLM
    *range(0x2028, 0x202F),  # line/paragraph separators, LRE, RLE, PDF, LRO, RLO
    *range(0x2060, 0x2070),  # word joiner, invisible operators, LRI, RLI, FSI, PDI
    0xFEFF,  # byte order mark / zero-width no-break space
    *range(0xFFF9, 0xFFFC),  # interlinear annotation
    0xFFFE,
    0xFFFF,
    *range(0xD800, 0xE000),  # lone surrogates cannot be written as UTF-8
):
    _INVISIBLE[_code] = f"\\u{_code:04x}"
_INVISIBLE[0x09] = "\\t"
_INVISIBLE[0x0A] = "\\n"
_INVISIBLE[0x0D] = "\\r"

_ONE_LINE = str.maketrans(_INVISIBLE)
_MULTI_LINE = str.maketrans({k: v for k, v in _INVISIBLE.items() if k not in (0x09, 0x0A)})


def visible(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` with control, bidirectional and invisible characters replaced by escapes.

    Snapshot values are untrusted: a U+202E can reorder what a reader sees, a newline can forge
    an extra report line, an ANSI escape can rewrite a terminal. Shown as ``\\u202e``, ``\\n``
    and ``\\x1b`` they are inert and still tell the reader what was there.
    """
    if text.isprintable():  # every character replaced is one ``isprintable`` refuses
        return text
    return text.translate(_MULTI_LINE if keep_newlines else _ONE_LINE)


def truncate(text: str, limit: int) -> str:
    """At most ``limit`` characters of ``text``, noting the full length when it was cut."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text):,} characters)"


def shown_place(location: Location, limit: int) -> str:
    """``file:line:col`` for display in about ``limit`` characters: a long path is cut at its
    start (``…/production/snapshot.yaml:12:5``), never at its end, where the file name and the
    line a reader needs are."""
    suffix = f":{location.position}" if location.position is not None else ""
    file = visible(location.file)
    room = max(limit - len(suffix), 20)
    if len(file) > room:
        file = "…" + file[-(room - 1) :]
    return file + suffix


def shown(text: str, limit: int = 300, *, keep_newlines: bool = False) -> str:
    """Display form of an untrusted value: cut to ``limit``, then made visible."""
    return visible(truncate(text, limit), keep_newlines=keep_newlines)


# --- Order ----------------------------------------------------------------------------------


def _location_key(location: Location | None) -> tuple[str, int, int, str]:
    if location is None:
        return ("", 0, 0, "")
    pos = location.position
    return (
        location.file,
        pos.line if pos else 0,
        pos.column if pos else 0,
        location.json_path,
    )


def finding_key(finding: Finding) -> tuple[object, ...]:
    """Total, stable order: status (failures first), severity (worst first), area, promise,
    resource, then every remaining field so that no tie is left to the input order."""
    return (
        _STATUS_RANK[finding.status],
        -finding.severity.rank,
        _AREA_RANK[finding.area],
        finding.policy_id,
        finding.clause_id,
        finding.resource,
        _location_key(finding.evidence_location),
        _location_key(finding.policy_location),
        finding.check_id,
        finding.message,
        finding.expected,
        finding.actual,
        finding.waiver.id if finding.waiver else "",
    )


def sorted_findings(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(findings, key=finding_key)


def _not_passes(findings: Iterable[Finding]) -> list[Finding]:
    return [f for f in findings if f.status is not Status.PASS]


def pass_count_key(counted: PassCount) -> tuple[object, ...]:
    """Order of counted passes: area, promise, snapshot (then every other field)."""
    return (
        _AREA_RANK[counted.area],
        counted.policy_id,
        counted.clause_id,
        counted.snapshot,
        counted.check_id,
        _location_key(counted.policy_location),
        counted.count,
    )


# --- Summaries ------------------------------------------------------------------------------


def not_in_force(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """The run's notices of policies and clauses not in force (their findings are info)."""
    return [d for d in diagnostics if d.code == NOT_IN_FORCE]


def input_problems(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """The diagnostics that are about the inputs: every one but the not-in-force notices,
    which reports show apart."""
    return [d for d in diagnostics if d.code != NOT_IN_FORCE]


def where(finding: Finding) -> Location:
    """The place a reader should jump to: the evidence, else the promise."""
    return finding.evidence_location or finding.policy_location


def reaches_threshold(finding: Finding, fail_on: Severity) -> bool:
    """Whether ``finding``'s severity is at or above ``fail_on`` (``info`` never is): an open
    finding that does and still does not block is one a baseline accepts
    (:meth:`~checker.core.results.Result.blocking`)."""
    return finding.severity.rank >= max(fail_on.rank, Severity.LOW.rank)


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    return f"{count:,} {noun if count == 1 else (nouns or noun + 's')}"


@dataclass(frozen=True, slots=True)
class AreaRow:
    """One scorecard row."""

    area: Area
    counts: dict[Status, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def state(self) -> str:
        """A one-word reading of the row, for people who skip the numbers."""
        if not self.total:
            return "Not checked"
        if self.counts[Status.FAIL] or self.counts[Status.ERROR]:
            return "Failing"
        if self.counts[Status.NOT_EVIDENCED]:
            return "Not evidenced"
        if self.counts[Status.WAIVED]:
            return "Passing with waivers"
        return "Passing"


@dataclass(frozen=True, slots=True)
class WaiverBuckets:
    active: list[WaiverState]
    expiring: list[WaiverState]
    expired: list[WaiverState]


@dataclass(frozen=True, slots=True)
class Summary:
    """What the human-read formats say about a result, computed once."""

    result: Result
    findings: list[Finding]  # in display order
    pass_counts: list[PassCount]  # passes counted, not listed (``check --passes count``)
    counts: dict[Status, int]
    areas: list[AreaRow]
    blocking: int
    compliant: bool
    input_errors: int
    input_warnings: int

    @classmethod
    def of(cls, result: Result, *, passes: bool = True) -> Summary:
        """The summary of ``result``; with ``passes=False``, ``findings`` leaves out the passes
        (they are still counted): a format that lists no passes does not sort thousands."""
        total: Counter[Status] = Counter()
        per_area: dict[Area, Counter[Status]] = {area: Counter() for area in AREAS.values()}
        for finding in result.findings:
            total[finding.status] += 1
            per_area[finding.area][finding.status] += 1
        listed = result.findings if passes else _not_passes(result.findings)
        findings = sorted_findings(listed)
        pass_counts = sorted(result.pass_counts, key=pass_count_key)
        for counted in pass_counts:
            total[Status.PASS] += counted.count
            per_area[counted.area][Status.PASS] += counted.count
        rows = [
            AreaRow(area, {s: per_area[area][s] for s in STATUS_ORDER})
            for area in AREAS.values()
            if area.listed_when_empty or per_area[area]
        ]
        levels = Counter(d.level for d in result.diagnostics)
        return cls(
            result=result,
            findings=findings,
            pass_counts=pass_counts,
            counts={s: total[s] for s in STATUS_ORDER},
            areas=rows,
            blocking=len(result.blocking()),
            compliant=result.compliant,
            input_errors=levels[Level.ERROR],
            input_warnings=levels[Level.WARNING],
        )

    @property
    def total(self) -> int:
        """Every check made: findings, and passes counted instead of listed."""
        return sum(self.counts.values())

    @property
    def verdict(self) -> str:
        if is_validation(self.result):
            return "Valid" if self.compliant else "Not valid"
        return "Compliant" if self.compliant else "Not compliant"

    @property
    def verdict_reason(self) -> str:
        """Why the verdict is what it is, in one sentence."""
        if not self.total and not self.result.diagnostics:
            return "No promises were checked."
        parts = []
        if self.blocking:
            parts.append(
                f"{plural(self.blocking, 'finding')} at or above "
                f"{self.result.fail_on.value} severity"
            )
        if self.input_errors:
            parts.append(f"{plural(self.input_errors, 'input problem')}")
        if parts:
            return "Not compliant because of " + " and ".join(parts) + "."
        if not self.total:
            return "No promises were checked."
        open_ = sum(self.counts[s] for s in (Status.FAIL, Status.NOT_EVIDENCED, Status.ERROR))
        if open_:
            need = f"{plural(open_, 'finding')} {'needs' if open_ == 1 else 'need'} attention, but"
            threshold = f"the blocking threshold ({self.result.fail_on.value} severity)"
            # Nothing blocks, so an open finding that reaches the threshold is one a baseline
            # accepts (it holds it unchanged); the others are below the threshold.
            accepted = self._at_or_above_threshold()
            if not accepted:
                return f"{need} none reaches {threshold}."
            if accepted == open_:
                return f"{need} the baseline accepts them: none is new or worse."
            return (
                f"{need} none blocks: {accepted:,} accepted by the baseline, "
                f"{open_ - accepted:,} below {threshold}."
            )
        waived = self.counts[Status.WAIVED]
        if waived:
            return f"Every promise checked is kept or covered by a waiver ({waived:,} waived)."
        return "Every promise checked is kept."

    def _at_or_above_threshold(self) -> int:
        """Open findings (fail, not evidenced, error) whose severity reaches ``--fail-on``."""
        open_statuses = (Status.FAIL, Status.NOT_EVIDENCED, Status.ERROR)
        fail_on = self.result.fail_on
        return sum(
            1
            for f in self.result.findings
            if f.status in open_statuses and reaches_threshold(f, fail_on)
        )

    def counts_sentence(self) -> str:
        """``3 failed, 1 not evidenced, 2 waived, 40 passed, 0 errors``."""
        c = self.counts
        return (
            f"{c[Status.FAIL]:,} failed, {c[Status.NOT_EVIDENCED]:,} not evidenced, "
            f"{c[Status.WAIVED]:,} waived, {c[Status.PASS]:,} passed, "
            f"{plural(c[Status.ERROR], 'error')}"
        )

    def with_status(self, *statuses: Status) -> list[Finding]:
        return [f for f in self.findings if f.status in statuses]

    @property
    def policies(self) -> list[DocumentInfo]:
        return [d for d in self.result.documents if d.kind == "policy"]

    @property
    def snapshots(self) -> list[DocumentInfo]:
        return [d for d in self.result.documents if d.kind == "snapshot"]

    @property
    def other_documents(self) -> list[DocumentInfo]:
        return [d for d in self.result.documents if d.kind not in ("policy", "snapshot")]

    def waiver_buckets(self) -> WaiverBuckets:
        states = sorted(self.result.waivers, key=lambda s: (s.waiver.expires, s.waiver.id))
        return WaiverBuckets(
            active=[s for s in states if not s.expired and s.expires_in_days > EXPIRING_SOON_DAYS],
            expiring=[
                s for s in states if not s.expired and s.expires_in_days <= EXPIRING_SOON_DAYS
            ],
            expired=[s for s in states if s.expired],
        )


def document_counts(result: Result) -> dict[DocumentStatus, int]:
    """Documents per status, every status present (``validate``)."""
    counts = Counter(d.status for d in result.documents if d.status is not None)
    return {status: counts[status] for status in DocumentStatus}


def validation_sentence(result: Result) -> str:
    """``3 valid, 1 invalid, 0 unreadable`` (then skipped files and empty folders, if any)."""
    c = document_counts(result)
    text = (
        f"{c[DocumentStatus.VALID]} valid, {c[DocumentStatus.INVALID]} invalid, "
        f"{c[DocumentStatus.UNREADABLE]} unreadable"
    )
    if c[DocumentStatus.SKIPPED]:
        text += f", {c[DocumentStatus.SKIPPED]} skipped (not policy-checker documents)"
    empty = c[DocumentStatus.EMPTY]
    if empty:
        text += f", {empty} folder{'s' if empty > 1 else ''} without documents"
    return text


def is_validation(result: Result) -> bool:
    """Whether ``result`` is a validation (``policy-check validate``), not a check."""
    return result.command is Command.VALIDATE


def group_by_clause(findings: Sequence[Finding]) -> list[tuple[str, list[Finding]]]:
    """Findings grouped by promise (``rule_id``), groups in order of first appearance."""
    groups: dict[str, list[Finding]] = {}
    for finding in findings:
        groups.setdefault(finding.rule_id, []).append(finding)
    return list(groups.items())
