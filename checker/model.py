"""The result model: frozen findings, their statuses and severities, and the run's result.

Checks yield :class:`Observation` (what they saw, and where); the engine stamps policy, clause,
severity, remediation and regulation references onto each and produces a :class:`Finding`.
The :class:`Result` owns the exit policy.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum
from typing import NamedTuple

from checker.diagnostics import Diagnostic, JsonPath, Level, Location


class Status(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    NOT_EVIDENCED = "not_evidenced"
    WAIVED = "waived"
    ERROR = "error"


class Severity(StrEnum):
    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {s: i for i, s in enumerate(Severity)}


class Area(StrEnum):
    """The scorecard areas of the report, in display order."""

    CONSENT = "consent"
    EXCLUDED_TIERS = "excluded_tiers"
    RETENTION = "retention"
    DATA_KINDS = "data_kinds"
    ANONYMISATION = "anonymisation"
    SENSITIVE = "sensitive"
    MINORS = "minors"
    SHARING = "sharing"
    SECURITY = "security"
    ACCESS = "access"
    USER_RIGHTS = "user_rights"
    BREACH = "breach"
    GOVERNANCE = "governance"
    CUSTOM = "custom"

    @property
    def title(self) -> str:  # type: ignore[override]  # the area's heading, not str.title()
        return _AREA_TITLES[self]


_AREA_TITLES = {
    Area.CONSENT: "Training consent",
    Area.EXCLUDED_TIERS: "Excluded tiers",
    Area.RETENTION: "Retention",
    Area.DATA_KINDS: "Stored data kinds",
    Area.ANONYMISATION: "Anonymisation",
    Area.SENSITIVE: "Sensitive data",
    Area.MINORS: "Minors",
    Area.SHARING: "Third-party sharing",
    Area.SECURITY: "Security",
    Area.ACCESS: "Access control",
    Area.USER_RIGHTS: "User rights",
    Area.BREACH: "Breach response",
    Area.GOVERNANCE: "Governance",
    Area.CUSTOM: "Custom rules",
}


class Observation(NamedTuple):
    """What a check saw for one resource. ``evidence`` is a path in the snapshot (or None when
    the snapshot has nothing to point at); ``clause_path`` is relative to the clause.

    A named tuple rather than a frozen dataclass: equally immutable and compared on every
    field, and three times cheaper to build — a large snapshot yields millions of them.
    """

    status: Status
    resource: str
    message: str
    expected: str
    actual: str
    evidence: JsonPath | None = None
    clause_path: JsonPath = ()


@dataclass(frozen=True, slots=True)
class Waiver:
    """An accepted exception: what it covers, who approved it, until when."""

    id: str
    check: str | None
    clause: str | None
    resource: str | None
    justification: str
    approver: str
    ticket: str
    expires: dt.date
    location: Location
    approved_on: dt.date | None = None  # None only in results written before it was recorded


@dataclass(frozen=True, slots=True)
class Finding:
    """One promise checked against one resource of one snapshot."""

    policy_id: str
    clause_id: str
    check_id: str
    area: Area
    severity: Severity
    status: Status
    message: str
    expected: str
    actual: str
    resource: str
    promise: str
    policy_location: Location
    evidence_location: Location | None
    remediation: str = ""
    references: tuple[str, ...] = ()
    waiver: Waiver | None = None

    @property
    def rule_id(self) -> str:
        """A stable identifier of the promise: ``<policy>/<clause>``."""
        return f"{self.policy_id}/{self.clause_id}"

    def __str__(self) -> str:
        where = self.evidence_location or self.policy_location
        return (
            f"{where}: [{self.severity.value}] {self.status.value}: {self.message} "
            f"({self.rule_id}, {self.check_id})"
        )


@dataclass(frozen=True, slots=True)
class PassCount:
    """The passing resources of one promise in one snapshot, counted instead of listed.

    Produced with ``--passes count``: every resource is still checked, but at 100k resources
    a list of passes is an audit log nobody reads, and its cost dominates the run.
    """

    policy_id: str
    clause_id: str
    check_id: str
    area: Area
    severity: Severity
    promise: str
    policy_location: Location
    snapshot: str
    count: int

    @property
    def rule_id(self) -> str:
        return f"{self.policy_id}/{self.clause_id}"


@dataclass(frozen=True, slots=True)
class DocumentInfo:
    """What the report says about an input: a policy or a snapshot."""

    kind: str  # "policy" | "snapshot" | "waivers"
    file: str
    id: str
    title: str = ""
    version: str = ""
    date: str = ""  # effective date (policy) or taken-at (snapshot)
    system: str = ""
    environment: str = ""


@dataclass(frozen=True, slots=True)
class WaiverState:
    """A waiver as the run saw it: how many findings it matched and whether it is still valid."""

    waiver: Waiver
    matched: int
    expired: bool
    expires_in_days: int


@dataclass(slots=True)
class Result:
    """Everything one ``check`` run produced."""

    as_of: dt.date
    fail_on: Severity = Severity.LOW
    findings: list[Finding] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    documents: list[DocumentInfo] = field(default_factory=list)
    waivers: list[WaiverState] = field(default_factory=list)
    generated_at: str = ""
    pass_counts: list[PassCount] = field(default_factory=list)

    def counts(self) -> Counter[Status]:
        """Findings per status; counted passes included."""
        counter = Counter(f.status for f in self.findings)
        counted = sum(p.count for p in self.pass_counts)
        if counted:
            counter[Status.PASS] += counted
        return counter

    def blocking(self) -> list[Finding]:
        """Findings that make the run fail: fail / not evidenced / error at or above ``fail_on``.

        ``info`` findings never block: they are what a clause marked ``if_not_evidenced: warn``
        produces, and what a team chooses to see without failing its pipeline.
        """
        bad = (Status.FAIL, Status.NOT_EVIDENCED, Status.ERROR)
        floor = max(self.fail_on.rank, Severity.LOW.rank)
        return [f for f in self.findings if f.status in bad and f.severity.rank >= floor]

    @property
    def compliant(self) -> bool:
        errors = any(d.level is Level.ERROR for d in self.diagnostics)
        return not errors and not self.blocking()

    def exit_code(self) -> int:
        """0 compliant (or only waived / below-threshold findings), 1 otherwise."""
        return 0 if self.compliant else 1
