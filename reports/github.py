"""GitHub Actions workflow commands: annotations on the offending lines, and a summary.

Chosen by default when ``GITHUB_ACTIONS=true``. Each finding that needs attention becomes
``::error file=…,line=…,col=…,title=…::message`` (or ``::warning``) on the snapshot line that
is its evidence:

- ``error``: findings that make the run fail (fail, not evidenced or error at or above
  ``--fail-on``) and input errors;
- ``warning``: fail or not evidenced below the threshold (including not-evidenced promises a
  policy marks ``warn``), input warnings (expired or unused waivers), and waivers that expire
  within 30 days;
- ``notice``: waived findings, on their evidence line too, titled with the waiver, so that what
  a waiver accepts stays in sight where it is.

GitHub shows a limited number of annotations per step, so the most severe come first (errors,
warnings, then notices) and at most :data:`MAX_ANNOTATIONS` are written; a closing ``::notice``
gives the verdict and counts and says how many annotations were left out. Values are escaped
by GitHub's rules (``%``, CR and LF in messages; also ``:`` and ``,`` in properties), and
control and bidirectional characters are shown as escapes, so a snapshot value can neither end
the command nor start a new one.

A validation (``policy-check validate --format github``) annotates each of its diagnostics, a
schema error in a policy on its line, and closes with the counts of documents.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TextIO

from checker.core.diagnostics import Diagnostic, Level, Location
from checker.core.results import Finding, Status, WaiverState
from reports.base import (
    EXPIRING_SOON_DAYS,
    Redacted,
    Reporter,
    Summary,
    is_validation,
    plural,
    shown,
    shown_place,
    validation_sentence,
    visible,
    where,
)
from reports.text import TextReporter, comparison_line

MAX_ANNOTATIONS = 200
_LIMIT = 1000
_ERROR, _WARNING, _NOTICE = range(3)


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(kind: str, message: str, location: Location | None = None, title: str = "") -> str:
    """One workflow command line (without the newline)."""
    props = []
    if location is not None:
        # Whole, however long: GitHub places the annotation by this path, and a cut one
        # names no file (paths are bounded by the file system, not by the snapshot).
        props.append(f"file={escape_property(visible(location.file))}")
        if location.position is not None:
            props.append(f"line={location.position.line}")
            props.append(f"col={location.position.column}")
    if title:
        props.append(f"title={escape_property(title)}")
    head = f"::{kind} {','.join(props)}" if props else f"::{kind}"
    return f"{head}::{escape_data(message)}"


def _finding_message(finding: Finding) -> str:
    lines = [shown(finding.message, _LIMIT)]
    waiver = finding.waiver
    if finding.status is Status.WAIVED and waiver is not None:
        approved = f" on {waiver.approved_on.isoformat()}" if waiver.approved_on else ""
        lines.append(
            f"Waiver: {shown(waiver.id, 200)} until {waiver.expires.isoformat()} "
            f"(ticket {shown(waiver.ticket, 200)}, approved by {shown(waiver.approver, 200)}"
            f"{approved}): {shown(waiver.justification, _LIMIT)}"
        )
    lines += [
        f"Promise: {shown(finding.promise, _LIMIT)}",
        f"Expected: {shown(finding.expected, _LIMIT)}",
        f"Actual: {shown(finding.actual, _LIMIT)}",
        f"Resource: {shown(finding.resource, 300)} at {shown(where(finding).json_path, 300)}",
        f"Policy: {shown_place(finding.policy_location, 300)} "
        f"({shown(finding.policy_location.json_path, 300)})",
    ]
    if finding.remediation:
        lines.append(f"Remediation: {shown(finding.remediation, _LIMIT)}")
    if finding.references:
        lines.append("Regulations: " + "; ".join(shown(r, 100) for r in finding.references))
    return "\n".join(lines)


def annotate(diagnostic: Diagnostic) -> str:
    """One diagnostic as an annotation on its line (also for inputs a run could not use)."""
    kind = "error" if diagnostic.level is Level.ERROR else "warning"
    title = f"policy-checker: {shown(diagnostic.code, 80) or 'input'}"
    message = shown(diagnostic.message, _LIMIT)
    if diagnostic.names_path:
        message += f" (at {shown(diagnostic.location.json_path, 300)})"
    return command(kind, message, diagnostic.location, title)


def _finding(finding: Finding, is_error: bool) -> str:
    status = finding.status.value.replace("_", " ")
    title = f"{finding.severity.value} · {status}: {shown(finding.rule_id, 200)}"
    kind = "error" if is_error else "warning"
    return command(kind, _finding_message(finding), where(finding), title)


def _waived(finding: Finding) -> str:
    waiver = shown(finding.waiver.id, 200) if finding.waiver else "a waiver"
    title = f"{finding.severity.value} · waived by {waiver}: {shown(finding.rule_id, 200)}"
    return command("notice", _finding_message(finding), where(finding), title)


def _expiring(state: WaiverState) -> str:
    waiver = state.waiver
    message = (
        f"waiver {shown(waiver.id, 200)} expires on {waiver.expires.isoformat()} "
        f"(in {plural(state.expires_in_days, 'day')}; ticket {shown(waiver.ticket, 200)}, "
        f"approved by {shown(waiver.approver, 200)}); it covers "
        f"{plural(state.matched, 'finding')}"
    )
    title = f"Waiver expires within {EXPIRING_SOON_DAYS} days"
    return command("warning", message, waiver.location, title)


class GitHubReporter(Reporter):
    """Workflow commands for GitHub Actions annotations."""

    name = "github"
    order = 60  # place among the --format choices
    extension = ".txt"
    description = "GitHub Actions annotations (default when GITHUB_ACTIONS=true)"

    def write(self, redacted: Redacted, stream: TextIO, *, color: bool = False) -> None:
        summary = Summary.of(redacted.result)
        # (rank: error 0, warning 1, notice 2; how to write the line): lines are only built
        # for what is written.
        pending: list[tuple[int, Callable[[], str]]] = []
        for diagnostic in summary.result.diagnostics:
            rank = _ERROR if diagnostic.level is Level.ERROR else _WARNING
            pending.append((rank, partial(annotate, diagnostic)))
        blocking = {id(f) for f in summary.result.blocking()}
        for finding in summary.findings:
            if finding.status is Status.WAIVED:
                pending.append((_NOTICE, partial(_waived, finding)))
            elif finding.status is not Status.PASS:
                is_error = id(finding) in blocking
                pending.append(
                    (_ERROR if is_error else _WARNING, partial(_finding, finding, is_error))
                )
        for state in summary.waiver_buckets().expiring:
            pending.append((_WARNING, partial(_expiring, state)))
        pending.sort(key=lambda item: item[0])  # stable: errors first, each in report order
        for _, line in pending[:MAX_ANNOTATIONS]:
            stream.write(line() + "\n")
        title = "Privacy policy check"
        closing = TextReporter.summary_line(summary)
        if summary.result.comparison is not None:  # what a "Compliant" over failures rests on
            closing += f" ({comparison_line(summary.result)})"
        if is_validation(summary.result):
            title = "Policy document validation"
            closing = f"{summary.verdict}: {validation_sentence(summary.result)}"
        if len(pending) > MAX_ANNOTATIONS:
            closing += (
                f" ({len(pending) - MAX_ANNOTATIONS:,} more annotations not shown; "
                "see the full report)"
            )
        stream.write(command("notice", closing, title=title) + "\n")
