"""Markdown: a compact summary for a pull-request comment or ``$GITHUB_STEP_SUMMARY``.

Verdict, counts per area, then failures first (severity, promise, resource, expected, actual,
where), errors, not-evidenced promises and waivers. Each section shows at most
:data:`MAX_ROWS` rows and says how many more there are; values are cut to a few hundred
characters, so the output stays far below GitHub's 1 MiB step-summary limit whatever the size
of the result. Untrusted text cannot inject markup: values are code spans, prose is escaped
(including ``<`` so no HTML — and no remote image — gets through), and control and
bidirectional characters are shown as escapes.

A validation (``policy-check validate``) is the verdict, a table of the documents and their
status, and the problems.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TextIO

from checker.core.diagnostics import Diagnostic, Level, Location
from checker.core.results import Finding, Novelty, Result, Status
from checker.history.compare import counts as novelty_counts
from reports.base import (
    STATUS_ORDER,
    STATUS_TITLES,
    Redacted,
    Reporter,
    Summary,
    input_problems,
    is_validation,
    not_in_force,
    plural,
    shown,
    shown_place,
    validation_sentence,
    where,
)

MAX_ROWS = 50
_VALUE_LIMIT = 120
_PROSE_LIMIT = 300
_SPECIAL = re.compile(r"([\\`*_\[\]|~])")
_BACKTICKS = re.compile(r"`+")


def prose(text: str, limit: int = _PROSE_LIMIT) -> str:
    """Untrusted text as inert Markdown inside a table cell."""
    text = shown(text, limit)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _SPECIAL.sub(r"\\\1", text)
    # No autolinks ("https://…", "www."), @mentions or #references from untrusted text.
    text = text.replace("#", "&#35;")
    return text.replace("://", ":&#47;&#47;").replace("www.", "www&#46;").replace("@", "&#64;")


def code(text: str, limit: int = _VALUE_LIMIT) -> str:
    """Untrusted text as a code span (CommonMark: a fence longer than any backtick run)."""
    text = shown(text, limit)
    if not text:
        return "—"
    longest = max((len(m) for m in _BACKTICKS.findall(text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith(("`", " ")) or text.endswith("`") else ""
    # Inside a table a pipe ends the cell even in a code span; GitHub honours \| there.
    return f"{fence}{pad}{text.replace('|', chr(92) + '|')}{pad}{fence}"


def _table(header: Iterable[str], rows: list[list[str]]) -> list[str]:
    head = list(header)
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    lines.extend("| " + " | ".join(row) + " |" for row in rows)
    return lines


def _more(total: int, shown_rows: int, noun: str) -> list[str]:
    if total <= shown_rows:
        return []
    return [
        "",
        f"…and {plural(total - shown_rows, 'more ' + noun, 'more ' + noun + 's')} "
        "(see the HTML or JSON report).",
    ]


def _place(location: Location, json_path: bool = True) -> str:
    """``file:line:col``, and under it the JSON path: the line to jump to, the key it holds."""
    cell = code(shown_place(location, 100), 200)
    return f"{cell}<br>{code(location.json_path, 100)}" if json_path else cell


def _finding_rows(findings: list[Finding]) -> list[list[str]]:
    return [
        [
            f.severity.value + (f"<br>**{f.novelty.value}**" if f.novelty else ""),
            prose(f.promise, 160) + f"<br>{code(f.rule_id, 100)}" + _provenance(f),
            code(f.resource),
            code(f.expected),
            code(f.actual),
            _place(where(f)),
        ]
        for f in findings[:MAX_ROWS]
    ]


def _provenance(finding: Finding) -> str:
    """``<br>source: Privacy Policy (2025-09-28)``, and the confidence unless confirmed."""
    out = "".join(f"<br>source: {prose(s.label, 120)}" for s in finding.sources[:3])
    if finding.confidence and finding.confidence != "confirmed":
        out += f"<br>confidence: {prose(finding.confidence, 20)}"
    return out


def _since(result: Result) -> list[str]:
    """ "Since last run: N new, N fixed" when the run was compared with an earlier one."""
    comparison = result.comparison
    if comparison is None:
        return []
    tally = novelty_counts(result.findings)
    since = "the baseline" if comparison.kind == "baseline" else "last run"
    line = (
        f"**Since {since}: {tally[Novelty.NEW]:,} new, {len(comparison.fixed):,} fixed**"
        + (f", {tally[Novelty.WORSE]:,} worse" if tally[Novelty.WORSE] else "")
        + f"; {tally[Novelty.EXISTING]:,} existing "
        f"(compared with {prose(comparison.against, 200)})."
    )
    out = [line, ""]
    if comparison.fixed:
        rows = [
            [code(f.rule_id, 100), code(f.resource), code(f.expected), f.status.value]
            for f in comparison.fixed[:MAX_ROWS]
        ]
        out += ["Fixed or no longer checked:", ""]
        out += _table(["Promise", "Resource", "Expected", "Was"], rows)
        out += _more(len(comparison.fixed), MAX_ROWS, "fixed finding")
        out.append("")
    return out


def _not_in_force(notices: list[Diagnostic]) -> list[str]:
    """Policies and clauses not in force as of the run: checked, their findings info."""
    if not notices:
        return []
    out = [f"### Not in force ({len(notices)})", ""]
    out += [
        f"- {prose(d.message)} ({_place(d.location, d.names_path).replace('<br>', ' ')})"
        for d in notices[:MAX_ROWS]
    ]
    out += _more(len(notices), MAX_ROWS, "notice")
    out.append("")
    return out


def _problems(diagnostics: list[Diagnostic]) -> list[str]:
    if not diagnostics:
        return []
    errors = sum(1 for d in diagnostics if d.level is Level.ERROR)
    warnings = len(diagnostics) - errors
    out = [f"### Input problems ({plural(errors, 'error')}, {plural(warnings, 'warning')})", ""]
    out += _table(
        ["Level", "Where", "Problem"],
        [
            [d.level.value, _place(d.location, d.names_path), prose(d.message)]
            for d in diagnostics[:MAX_ROWS]
        ],
    )
    out += _more(len(diagnostics), MAX_ROWS, "problem")
    out.append("")
    return out


def _validation_lines(summary: Summary) -> list[str]:
    """A validation: the verdict, the documents and their status, then the problems."""
    result = summary.result
    out = [f"## Policy document validation: {summary.verdict}", ""]
    out += [f"**{summary.verdict}**: {validation_sentence(result)}.", ""]
    if result.documents:
        rows = [
            [code(d.file, 100), d.kind, str(d.status or "")] for d in result.documents[:MAX_ROWS]
        ]
        out += _table(["Document", "Kind", "Status"], rows)
        out += _more(len(result.documents), MAX_ROWS, "document")
        out.append("")
    out += _problems(result.diagnostics)
    if result.generated_at:
        out += [f"<sub>policy-checker · generated {prose(result.generated_at, 40)}</sub>"]
    return out


def _changes(result: Result) -> list[str]:
    """What changed since the policy a checked policy supersedes, loosened first."""
    if not result.changes:
        return []
    # Imported here: the diff's Markdown builds on this module's helpers.
    from reports.diff.markdown import policy_lines

    out = ["### What changed since the previous policy", ""]
    for diff in result.changes:
        out += policy_lines(diff, level="####")
    return out


class MarkdownReporter(Reporter):
    """Compact Markdown for pull-request comments and step summaries."""

    name = "markdown"
    order = 50  # place among the --format choices
    extension = ".md"
    description = "compact Markdown for a pull-request comment or GITHUB_STEP_SUMMARY"

    def write(self, redacted: Redacted, stream: TextIO, *, color: bool = False) -> None:
        summary = Summary.of(redacted.result)
        stream.write("\n".join(self.lines(summary)) + "\n")

    def lines(self, summary: Summary) -> list[str]:
        result = summary.result
        if is_validation(result):
            return _validation_lines(summary)
        out = [f"## Privacy policy check: {summary.verdict}", ""]
        inputs = (
            f"{plural(len(summary.policies), 'policy', 'policies')} against "
            f"{plural(len(summary.snapshots), 'snapshot')}"
        )
        out.append(
            f"**{summary.verdict}** as of {result.as_of.isoformat()} "
            f"({inputs}; fail on {result.fail_on.value} and above). "
            f"{prose(summary.verdict_reason)}"
        )
        out.append("")
        out += _since(result)
        if summary.total:
            out.append(f"{summary.counts_sentence()}.")
            out.append("")
            rows = [
                [row.area.title, row.state, *(f"{row.counts[s]:,}" for s in STATUS_ORDER)]
                for row in summary.areas
                if row.total
            ]
            out += _table(["Area", "State", *(STATUS_TITLES[s] for s in STATUS_ORDER)], rows)
            unchecked = [row.area.title for row in summary.areas if not row.total]
            if unchecked:
                out += ["", "Not covered by any promise: " + ", ".join(unchecked) + "."]
            out.append("")
        out += _not_in_force(not_in_force(result.diagnostics))
        out += _problems(input_problems(result.diagnostics))
        out += _changes(result)
        sections = [
            (Status.FAIL, "Failures"),
            (Status.ERROR, "Could not be evaluated"),
            (Status.NOT_EVIDENCED, "Not evidenced"),
            (Status.WAIVED, "Waived findings"),
        ]
        for status, title in sections:
            findings = summary.with_status(status)
            if not findings:
                continue
            out += [f"### {title} ({len(findings):,})", ""]
            out += _table(
                ["Severity", "Promise", "Resource", "Expected", "Actual", "Where"],
                _finding_rows(findings),
            )
            out += _more(len(findings), MAX_ROWS, "finding")
            out.append("")
        if result.waivers:
            buckets = summary.waiver_buckets()
            out += [
                f"### Waivers ({len(buckets.expired)} expired, {len(buckets.expiring)} "
                f"expiring within 30 days, {len(buckets.active)} active)",
                "",
            ]
            rows = []
            for label, states in (
                ("expired", buckets.expired),
                ("expiring soon", buckets.expiring),
                ("active", buckets.active),
            ):
                for state in states:
                    w = state.waiver
                    rows.append(
                        [
                            code(w.id, 60),
                            label,
                            w.expires.isoformat(),
                            w.approved_on.isoformat() if w.approved_on else "—",
                            f"{state.matched:,}",
                            code(w.ticket, 60),
                            prose(w.approver, 60),
                            prose(w.justification, 200),
                        ]
                    )
            out += _table(
                [
                    "Waiver",
                    "State",
                    "Expires",
                    "Granted",
                    "Findings",
                    "Ticket",
                    "Approver",
                    "Justification",
                ],
                rows[:MAX_ROWS],
            )
            out += _more(len(rows), MAX_ROWS, "waiver")
            out.append("")
        passed = summary.counts[Status.PASS]
        if passed:
            out.append(f"{plural(passed, 'finding')} passed.")
        elif not summary.total:
            out.append(
                "No promises were checked: the policies have no clauses that apply to "
                "these snapshots."
            )
        if result.generated_at:
            out += ["", f"<sub>policy-checker · generated {prose(result.generated_at, 40)}</sub>"]
        return out
