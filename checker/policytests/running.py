"""Running a case as ``policy-check check`` would, and comparing what came out.

A case is one unit of the check pipeline (:func:`checker.pipeline.check_unit` for the policy
and the case's snapshot, then :func:`checker.pipeline.merge_results`, which applies the
waivers), so a test sees exactly the findings ``check`` would report. The status of a clause,
or of a resource under it, is that of its worst finding (:data:`~.model.STATUS_ORDER`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from checker.core.diagnostics import Diagnostic, Level
from checker.core.results import Finding
from checker.evaluation.frameworks import references_by_check
from checker.pipeline import PolicySet, check_unit, merge_results
from checker.policytests.loading import clause_sections
from checker.policytests.model import (
    STATUS_ORDER,
    CaseOutcome,
    Expectation,
    Mismatch,
    TestFile,
    worst,
)

SHOWN_RESOURCES = 8  # resources named when an expectation matches none


def run_tests(files: Sequence[TestFile]) -> list[CaseOutcome]:
    """Every case of every file, in order."""
    references = references_by_check()
    return [run_case(file, index, references) for file in files for index in range(len(file.cases))]


def run_case(
    file: TestFile, index: int, references: dict[str, tuple[str, ...]] | None = None
) -> CaseOutcome:
    case = file.cases[index]
    policies = PolicySet.of([file.policy], as_of=case.as_of, references=references)
    result = merge_results([check_unit(policies, case.snapshot)], waivers=case.waivers)
    outcome = CaseOutcome(file, case)
    outcome.warnings.extend(case.notes)
    for diagnostic in result.diagnostics:
        # A snapshot the checks can judge but check would still refuse (an id used twice, a
        # tier no group defines): the case's input is invalid, not its expectation wrong.
        (outcome.errors if diagnostic.level is Level.ERROR else outcome.warnings).append(diagnostic)
    by_clause: dict[str, list[Finding]] = {}
    for finding in result.findings:
        by_clause.setdefault(finding.clause_id, []).append(finding)
    named = set()
    for expectation in case.expectations:
        named.add(expectation.clause)
        _compare(outcome, expectation, by_clause.get(expectation.clause, []))
    if case.others is not None:
        for clause in clause_sections(file.policy):
            if clause not in named:
                expectation = Expectation(clause, None, case.others.status, case.others.location)
                _compare(outcome, expectation, by_clause.get(clause, []))
    return outcome


def _compare(outcome: CaseOutcome, expectation: Expectation, findings: list[Finding]) -> None:
    if expectation.resource is not None:
        mine = [f for f in findings if f.resource == expectation.resource]
        if not mine:
            outcome.errors.append(_no_such_resource(expectation, findings))
            return
        findings = mine
    actual = worst({f.status for f in findings})
    if actual is expectation.status:
        outcome.seen.setdefault(expectation.clause, set()).add(actual)
        return
    outcome.mismatches.append(Mismatch(expectation, actual, tuple(_telling(findings, expectation))))


def _telling(findings: Iterable[Finding], expectation: Expectation) -> list[Finding]:
    """The findings that differ from the expectation: worst first, in the order of the run."""
    rank = {status: index for index, status in enumerate(STATUS_ORDER)}
    differing = [f for f in findings if f.status is not expectation.status]
    return sorted(differing, key=lambda f: rank[f.status])


def _no_such_resource(expectation: Expectation, findings: list[Finding]) -> Diagnostic:
    resources = list(dict.fromkeys(f.resource for f in findings))
    shown = ", ".join(resources[:SHOWN_RESOURCES])
    if len(resources) > SHOWN_RESOURCES:
        shown += f" and {len(resources) - SHOWN_RESOURCES} more"
    named = f"its findings name {shown}" if resources else "it has no finding at all"
    return Diagnostic(
        expectation.location,
        f"no finding of clause '{expectation.clause}' names the resource "
        f"'{expectation.resource}': {named}",
        "test-unknown-resource",
    )


def exit_code(outcomes: Sequence[CaseOutcome]) -> int:
    """2 when a case could not be judged (an expectation matches nothing, an input the run
    refuses), 1 when an expectation is not met, 0 when every case passed."""
    if any(o.errors for o in outcomes):
        return 2
    return 1 if any(o.mismatches for o in outcomes) else 0
