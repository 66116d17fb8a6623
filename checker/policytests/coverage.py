"""Which clauses the tests see both passing and failing.

A clause is seen passing (failing) when an expectation of a passed case asserted ``pass``
(``fail``) of it, as a whole or for one of its resources, and held. What a case merely ran
does not count: coverage is of what the tests assert. A clause is covered when it is seen
both ways: a test that never sees a promise broken cannot tell a check that always passes
from one that works. A clause in conflict (``confidence: conflict``: its sources disagree)
fails whatever the snapshot says until a person settles it, so it is covered when seen failing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from checker.checks import CHECKS
from checker.core.diagnostics import Location
from checker.core.results import Status
from checker.documents.document import Document
from checker.policytests.model import CaseOutcome, TestFile

NEEDED = (Status.PASS, Status.FAIL)
IN_CONFLICT = (Status.FAIL,)  # what a clause in conflict can be seen as


@dataclass(frozen=True, slots=True)
class ClauseCoverage:
    clause: str
    section: str
    location: Location  # the clause in the policy
    seen: frozenset[Status]
    needed: tuple[Status, ...] = NEEDED

    @property
    def covered(self) -> bool:
        return all(status in self.seen for status in self.needed)

    @property
    def missing(self) -> str:
        """What no test sees, in words: ``never seen failing``."""
        words = {Status.PASS: "passing", Status.FAIL: "failing"}
        gaps = [words[s] for s in self.needed if s not in self.seen]
        return "never seen " + " or ".join(gaps)


@dataclass(frozen=True, slots=True)
class PolicyCoverage:
    policy_id: str
    file: str
    clauses: tuple[ClauseCoverage, ...]

    def sections(self) -> list[tuple[str, int, int]]:
        """(section, covered, clauses) for each section the policy uses, in section order."""
        totals: dict[str, list[int]] = {}
        for clause in self.clauses:
            entry = totals.setdefault(clause.section, [0, 0])
            entry[0] += clause.covered
            entry[1] += 1
        return [(s, totals[s][0], totals[s][1]) for s in CHECKS if s in totals]


def coverage(files: Sequence[TestFile], outcomes: Sequence[CaseOutcome]) -> list[PolicyCoverage]:
    """Coverage of each policy tested, in the order the test files name them."""
    policies: dict[str, Document] = {}
    seen: dict[tuple[str, str], set[Status]] = {}
    for file in files:
        policies.setdefault(file.policy.name, file.policy)
    for outcome in outcomes:
        if outcome.outcome != "passed":
            continue
        for clause, statuses in outcome.seen.items():
            seen.setdefault((outcome.file.policy.name, clause), set()).update(statuses)
    out = []
    for name, policy in policies.items():
        clauses = tuple(
            ClauseCoverage(
                str(clause["id"]),
                section,
                policy.locate((section, index)),
                frozenset(seen.get((name, str(clause["id"])), ())),
                IN_CONFLICT if clause.get("confidence") == "conflict" else NEEDED,
            )
            for section in CHECKS
            for index, clause in enumerate(policy.data.get(section) or ())
        )
        out.append(PolicyCoverage(str(policy.data["metadata"]["id"]), name, clauses))
    return out


def percent(policies: Sequence[PolicyCoverage]) -> float:
    """Covered clauses in percent of all clauses of the policies tested (100 when none)."""
    total = sum(len(p.clauses) for p in policies)
    covered = sum(c.covered for p in policies for c in p.clauses)
    return 100.0 if total == 0 else 100.0 * covered / total
