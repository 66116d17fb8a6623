"""Compare a run's findings with an earlier run's: new, existing, worse, fixed.

Pure: no files. The earlier findings come from a baseline file (:mod:`checker.history.baseline`)
or from the last run recorded in a history database (:mod:`checker.history.database`).

A finding is *existing* only when the earlier run had a finding of the same id with the same
status and a severity at least as high: a baseline accepts what it saw, not anything that later
happens to the same resource. So a finding whose severity rose, or whose status changed (fail to
not evidenced is lost visibility; not evidenced to fail is a failure now shown) is *worse* and
blocks like a new one. Waived findings are not accepted by a baseline — their waiver is, until
it expires: a waived finding whose waiver has lapsed is worse. Ids may repeat (two snapshots of
one system in one run); they are matched one for one, in order.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable, Sequence

from checker.core.results import Comparison, Finding, Novelty, Result, Severity, Status

OPEN = (Status.FAIL, Status.NOT_EVIDENCED, Status.ERROR, Status.WAIVED)
"""Statuses an earlier run is compared on: everything but passes."""


def compare(result: Result, earlier: Iterable[Finding], *, kind: str, against: str) -> Result:
    """``result`` with each open finding marked new, existing or worse than in ``earlier``,
    and the earlier open findings it no longer has listed as fixed (in ``result.comparison``).
    Passes are not marked."""
    pending: dict[str, list[Finding]] = defaultdict(list)
    for finding in earlier:
        if finding.status in OPEN:
            pending[finding.finding_id].append(finding)
    previous: dict[str, tuple[Status, Severity]] = {}
    marked: list[Finding] = []
    for finding in result.findings:
        if finding.status not in OPEN:
            marked.append(finding)
            continue
        matches = pending.get(finding.finding_id)
        before = matches.pop(0) if matches else None
        novelty = _novelty(finding, before)
        if novelty is Novelty.WORSE and before is not None:
            previous[finding.finding_id] = (before.status, before.severity)
        marked.append(dataclasses.replace(finding, novelty=novelty))
    fixed = tuple(f for rest in pending.values() for f in rest)
    result.findings = marked
    result.comparison = Comparison(kind, against, fixed, previous)
    return result


def _novelty(finding: Finding, before: Finding | None) -> Novelty:
    if before is None:
        return Novelty.NEW
    if finding.status is Status.WAIVED:  # covered now, by a waiver: nothing got worse
        return Novelty.EXISTING
    if finding.status is not before.status or finding.severity.rank > before.severity.rank:
        return Novelty.WORSE
    return Novelty.EXISTING


def counts(findings: Sequence[Finding]) -> dict[Novelty, int]:
    """Open findings per novelty, every novelty present."""
    tally = dict.fromkeys(Novelty, 0)
    for finding in findings:
        if finding.novelty is not None:
            tally[finding.novelty] += 1
    return tally
