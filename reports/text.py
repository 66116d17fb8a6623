"""Terminal text: one line per finding that needs attention, then a summary line.

Lines read ``file:line:col: [severity] status: message (at $.path) (policy/clause, check)``,
the shape editors and CI logs turn into links, with the path inside the document. Input
diagnostics come first, then failures, errors, not-evidenced and waived findings (most severe
first); passes are only counted. Colour is used only when the caller asks for it (a
terminal, and ``NO_COLOR`` unset).

A validation (``policy-check validate``) is its diagnostics alone, one per line; the command
prints the counts of documents on standard error.
"""

from __future__ import annotations

from collections import Counter
from typing import TextIO

from checker.core.diagnostics import Diagnostic, Level
from checker.core.results import Finding, Novelty, Result, Status
from checker.diff.model import PolicyDiff
from checker.diff.ordering import Direction
from checker.history.compare import counts as novelty_counts
from reports.base import Redacted, Reporter, Summary, is_validation, plural, shown, visible

_RESET = "\x1b[0m"
_COLORS = {
    Status.FAIL: "\x1b[31m",  # red
    Status.ERROR: "\x1b[35m",  # magenta
    Status.NOT_EVIDENCED: "\x1b[33m",  # yellow
    Status.WAIVED: "\x1b[36m",  # cyan
}
_LEVEL_COLORS = {Level.ERROR: "\x1b[31m", Level.WARNING: "\x1b[33m"}
_BOLD_GREEN = "\x1b[1;32m"
_BOLD_RED = "\x1b[1;31m"
_MESSAGE_LIMIT = 1000  # characters of a message, as in GitHub annotations
_PATH_LIMIT = 300  # characters of a JSON path
_LINES_A_WRITE = 256  # finding lines joined into one write (each write costs a call or two)


def _paint(text: str, code: str | None, color: bool) -> str:
    return f"{code}{text}{_RESET}" if color and code else text


def finding_line(finding: Finding) -> str:
    """``file:line:col: [severity] status: message (at $.path) (policy/clause, check)``: the
    place, as in every message, then the promise. The message is cut to its limit: a snapshot
    value in it may be any length, and the line must still end with the promise it breaks."""
    where = finding.evidence_location or finding.policy_location
    return (
        f"{visible(str(where))}: [{finding.severity.value}] {finding.status.value}: "
        f"{shown(finding.message, _MESSAGE_LIMIT)} (at {shown(where.json_path, _PATH_LIMIT)}) "
        f"({visible(finding.rule_id)}, {finding.check_id})"
    )


def diagnostic_line(diagnostic: Diagnostic) -> str:
    """``file:line:col: level: message (at $.path)``, message and path cut to their limits."""
    where = diagnostic.location
    line = (
        f"{visible(str(where))}: {diagnostic.level.value}: "
        f"{shown(diagnostic.message, _MESSAGE_LIMIT)}"
    )
    if diagnostic.names_path:
        line += f" (at {shown(where.json_path, _PATH_LIMIT)})"
    return line


def changes_line(diff: PolicyDiff) -> str:
    """``what changed since <id> (<file>): 4 loosened, 5 added; policy-check diff …``."""
    assert diff.old is not None and diff.new is not None
    counts = Counter(row.direction for row in diff.rows)
    moved = ", ".join(f"{counts[d]} {d.label}" for d in Direction if counts[d]) or "nothing"
    return (
        f"what changed since {diff.old.id} ({diff.old.file}): {moved}; "
        f"policy-check diff {diff.old.file} {diff.new.file} shows each promise"
    )


def comparison_line(result: Result) -> str:
    """``since the baseline (b.json): 1 new, 0 fixed; 36 existing, accepted by the baseline``:
    what a compared run's verdict rests on, next to a summary that may say "Compliant" over
    failures the baseline holds."""
    comparison = result.comparison
    assert comparison is not None
    tally = novelty_counts(result.findings)
    # A history comparison names the run itself ("the last recorded run (run 4 as of …)").
    since = f"the baseline ({comparison.against})" if comparison.accepts else comparison.against
    worse = f", {tally[Novelty.WORSE]:,} worse" if tally[Novelty.WORSE] else ""
    existing = f"{tally[Novelty.EXISTING]:,} existing"
    if comparison.accepts:
        existing += ", accepted by the baseline"
    return (
        f"since {since}: {tally[Novelty.NEW]:,} new, "
        f"{len(comparison.fixed):,} fixed{worse}; {existing}"
    )


class TextReporter(Reporter):
    """Compact lines for a terminal or a CI log."""

    name = "text"
    order = 10  # place among the --format choices
    extension = ".txt"
    description = "one line per finding and a summary (colour on a terminal)"

    def write(self, redacted: Redacted, stream: TextIO, *, color: bool = False) -> None:
        summary = Summary.of(redacted.result, passes=False)  # passes are counted, not listed
        for diagnostic in summary.result.diagnostics:
            stream.write(
                _paint(diagnostic_line(diagnostic), _LEVEL_COLORS[diagnostic.level], color) + "\n"
            )
        if is_validation(summary.result):  # the diagnostics are the report; counts go to stderr
            return
        lines: list[str] = []  # written some at a time: a large run has 100,000s of lines
        for finding in summary.findings:
            line = finding_line(finding)
            if finding.waiver is not None:
                waiver = finding.waiver
                line += visible(f" — waived by {waiver.id} until {waiver.expires.isoformat()}")
            lines.append(_paint(line, _COLORS.get(finding.status), color) + "\n")
            if len(lines) == _LINES_A_WRITE:
                stream.write("".join(lines))
                lines.clear()
        stream.write("".join(lines))
        for change in summary.result.changes:  # the details are policy-check diff's
            stream.write(visible(changes_line(change)) + "\n")
        if summary.result.comparison is not None:
            stream.write(visible(comparison_line(summary.result)) + "\n")
        stream.write(self.summary_line(summary, color) + "\n")

    @staticmethod
    def summary_line(summary: Summary, color: bool = False) -> str:
        verdict = _paint(summary.verdict, _BOLD_GREEN if summary.compliant else _BOLD_RED, color)
        total = summary.total
        if not total:
            text = f"{verdict}: no promises were checked"
        else:
            text = (
                f"{verdict}: {summary.counts_sentence()} "
                f"({plural(total, 'finding')}, {summary.blocking:,} blocking)"
            )
        text += f"; as of {summary.result.as_of.isoformat()}"
        if summary.input_errors or summary.input_warnings:
            text += (
                f"; inputs: {plural(summary.input_errors, 'error')}, "
                f"{plural(summary.input_warnings, 'warning')}"
            )
        return text
