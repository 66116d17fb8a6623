"""The outcome of ``policy-check test`` as text, laid out like pytest's.

One line per case (``file::case PASSED``), then each failed case with a line per unmet
expectation — its ``file:line:col``, expected and actual status, and the findings that show
the actual one — then errors, warnings, coverage when asked, and ``N passed, N failed``.
Values that come from snapshots are redacted, as in every report.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO

from checker.core.diagnostics import Diagnostic, printable
from checker.core.results import Finding
from checker.policytests.coverage import IN_CONFLICT, PolicyCoverage, percent
from checker.policytests.model import CaseOutcome, Mismatch
from reports.redaction import redact

WIDTH = 78
SHOWN_FINDINGS = 5  # findings listed under one unmet expectation; the rest are counted


def banner(title: str, fill: str = "=") -> str:
    text = f" {title} "
    left = max((WIDTH - len(text)) // 2, 3)
    return f"{fill * left}{text}{fill * max(WIDTH - left - len(text), 3)}"


def summary(outcomes: Sequence[CaseOutcome]) -> str:
    """``2 passed, 1 failed, 1 error``: the counts that are not zero (``no tests ran``)."""
    counts = {"passed": 0, "failed": 0, "error": 0}
    for outcome in outcomes:
        counts[outcome.outcome] += 1
    words = [
        f"{n} {'errors' if name == 'error' and n != 1 else name}" for name, n in counts.items() if n
    ]
    return ", ".join(words) or "no tests ran"


def write_text(
    outcomes: Sequence[CaseOutcome],
    out: TextIO,
    coverage: Sequence[PolicyCoverage] | None = None,
) -> None:
    for outcome in outcomes:
        out.write(f"{printable(outcome.test_id)} {outcome.outcome.upper()}\n")
    failed = [o for o in outcomes if o.mismatches]
    if failed:
        out.write(f"\n{banner('FAILURES')}\n")
        for outcome in failed:
            out.write(f"{banner(printable(outcome.test_id), '_')}\n")
            for mismatch in outcome.mismatches:
                out.write(mismatch_text(mismatch))
    broken = [o for o in outcomes if o.errors]
    if broken:
        out.write(f"\n{banner('ERRORS')}\n")
        for outcome in broken:
            out.write(f"{banner(printable(outcome.test_id), '_')}\n")
            out.write("".join(f"{diagnostic_text(d)}\n" for d in outcome.errors))
    warned = [o for o in outcomes if o.warnings]
    if warned:
        out.write(f"\n{banner('warnings')}\n")
        for outcome in warned:
            out.write(
                "".join(
                    f"{printable(outcome.test_id)}: {diagnostic_text(d)}\n"
                    for d in outcome.warnings
                )
            )
    if coverage is not None:
        out.write(f"\n{banner('coverage')}\n")
        write_coverage(coverage, out)
    out.write(f"{banner(summary(outcomes))}\n")


def mismatch_text(mismatch: Mismatch) -> str:
    """``file:line:col: clause [resource]: expected fail, got pass (at $.path)`` and the
    findings behind the actual status."""
    expectation = mismatch.expectation
    where = expectation.location
    got = mismatch.actual.value if mismatch.actual is not None else "no finding"
    lines = [
        printable(
            f"{where}: {redact(expectation.label)}: expected {expectation.status.value}, "
            f"got {got} (at {where.json_path})"
        )
    ]
    shown = mismatch.findings[:SHOWN_FINDINGS]
    lines += [f"    {_finding(f)}" for f in shown]
    if len(mismatch.findings) > len(shown):
        lines.append(f"    … and {len(mismatch.findings) - len(shown)} more findings")
    return "".join(f"{line}\n" for line in lines)


def _finding(finding: Finding) -> str:
    evidence = finding.evidence_location or finding.policy_location
    return printable(
        f"{finding.status.value}: {redact(finding.resource)}: {redact(finding.message)} "
        f"({redact(str(evidence))}; policy {finding.policy_location})"
    )


def diagnostic_text(diagnostic: Diagnostic) -> str:
    return printable(redact(str(diagnostic)))


def write_coverage(policies: Sequence[PolicyCoverage], out: TextIO) -> None:
    """Per policy: each section's covered clauses, then every clause not covered at its line."""
    for policy in policies:
        covered = sum(c.covered for c in policy.clauses)
        conflicts = sum(c.needed == IN_CONFLICT for c in policy.clauses)
        disputed = f" ({conflicts} in conflict: seen failing)" if conflicts else ""
        out.write(
            f"{printable(policy.policy_id)} ({printable(policy.file)}): {covered} of "
            f"{len(policy.clauses)} clauses seen both passing and failing{disputed}\n"
        )
        for section, done, total in policy.sections():
            mark = "" if done == total else "  <"
            out.write(f"    {section:<24} {done}/{total}{mark}\n")
        for clause in policy.clauses:
            if not clause.covered:
                out.write(f"{clause.location}: {printable(clause.clause)}: {clause.missing}\n")
    out.write(f"coverage: {percent(policies):.1f}% of clauses\n")
