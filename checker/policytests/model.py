"""What a test file says, as typed records, and what running it gave."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from checker.core.diagnostics import Diagnostic, Location
from checker.core.results import Finding, Status
from checker.documents.document import Document
from checker.evaluation.snapshot import Snapshot

STATUS_ORDER = (Status.ERROR, Status.FAIL, Status.NOT_EVIDENCED, Status.WAIVED, Status.PASS)
"""Worst first: the status of a clause, or of a resource, is that of its worst finding."""


def worst(statuses: set[Status]) -> Status | None:
    """The worst of ``statuses`` (:data:`STATUS_ORDER`); None when there are none."""
    return next((s for s in STATUS_ORDER if s in statuses), None)


@dataclass(frozen=True, slots=True)
class Expectation:
    """One asserted status: of a clause as a whole (``resource`` None), or of one resource's
    findings under it. ``location`` is the expectation in the test file."""

    clause: str
    resource: str | None
    status: Status
    location: Location

    @property
    def label(self) -> str:
        return self.clause if self.resource is None else f"{self.clause} [{self.resource}]"


@dataclass(frozen=True, slots=True)
class Others:
    """The status every clause a case does not name must have."""

    status: Status
    location: Location


@dataclass(slots=True)
class Case:
    """One case, its inputs loaded and valid."""

    name: str
    location: Location
    snapshot: Snapshot
    waivers: Document | None
    as_of: dt.date
    expectations: list[Expectation]
    others: Others | None
    notes: list[Diagnostic] = field(default_factory=list)  # warnings from loading its inputs


@dataclass(slots=True)
class TestFile:
    """A test file: the policy it tests and its cases."""

    name: str
    policy: Document
    cases: list[Case]

    @property
    def policy_id(self) -> str:
        return str(self.policy.data["metadata"]["id"])


@dataclass(frozen=True, slots=True)
class Mismatch:
    """An expectation the run did not meet: what it saw, and the findings that show it."""

    expectation: Expectation
    actual: Status | None  # None: the clause produced no finding at all
    findings: tuple[Finding, ...]


@dataclass(slots=True)
class CaseOutcome:
    """A case after running: its mismatches, its errors (expectations that match nothing,
    inputs the run found invalid), and the warnings of its run."""

    file: TestFile
    case: Case
    mismatches: list[Mismatch] = field(default_factory=list)
    errors: list[Diagnostic] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)
    seen: dict[str, set[Status]] = field(default_factory=dict)
    """Clause id -> the statuses an expectation that held asserted of it (for coverage)."""

    @property
    def outcome(self) -> str:
        if self.errors:
            return "error"
        return "failed" if self.mismatches else "passed"

    @property
    def test_id(self) -> str:
        return f"{self.file.name}::{self.case.name}"
