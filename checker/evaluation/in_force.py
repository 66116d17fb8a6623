"""When a policy, or one of its clauses, is in force.

A policy applies from ``metadata.effective`` and, when it gives ``metadata.expires``, up to and
including that day; a clause may narrow its own period with ``effective`` and ``expires``. A
``check`` as of a day outside that period still evaluates the clauses and shows every finding,
so that a team sees ahead of time what a coming policy will demand, but no finding of it
blocks: each is made ``info`` and its message says why ("not in force until 2027-01-01: …").
The run says so once per policy or clause (:func:`not_in_force_notices`), and ``validate``
warns about it (:func:`validation_warnings`). A run in which no clause at all is in force is
not compliant: it judged nothing that binds (``nothing-in-force``, an error).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from checker.core.diagnostics import Diagnostic, JsonPath, Level
from checker.documents.document import Document

NOT_IN_FORCE = "not-in-force"  # check: a policy or clause outside its period (a notice)
NOTHING_IN_FORCE = "nothing-in-force"  # check: no clause of any policy is in force (an error)
NOT_YET_IN_FORCE = "semantic-not-yet-in-force"  # validate: effective after the as-of date
NO_LONGER_IN_FORCE = "semantic-no-longer-in-force"  # validate: expired before the as-of date
PERIOD_ENDS_BEFORE_START = "semantic-expires-before-effective"  # validate: an empty period


@dataclass(frozen=True, slots=True)
class Period:
    """The days something is in force: from ``effective`` to ``expires``, both included; an
    absent bound is open."""

    effective: dt.date | None = None
    expires: dt.date | None = None

    @classmethod
    def of(cls, fields: Mapping[str, Any]) -> Period:
        """The period a mapping's ``effective`` and ``expires`` give (the schema checked them)."""
        return cls(_date(fields.get("effective")), _date(fields.get("expires")))

    def overlaps(self, other: Period) -> bool:
        """Whether some day lies in both periods."""
        starts_after = (
            self.effective is not None
            and other.expires is not None
            and self.effective > other.expires
        )
        ends_before = (
            self.expires is not None
            and other.effective is not None
            and self.expires < other.effective
        )
        return not (starts_after or ends_before)

    def outside(self, as_of: dt.date) -> Outside | None:
        """Why ``as_of`` is outside the period, or ``None`` when it is in force then."""
        if self.effective is not None and as_of < self.effective:
            return Outside(f"not in force until {self.effective}", "effective")
        if self.expires is not None and as_of > self.expires:
            return Outside(f"no longer in force after {self.expires}", "expires")
        return None


@dataclass(frozen=True, slots=True)
class Outside:
    """Why something is not in force: the words findings are prefixed with, and the field
    that says it (``effective`` or ``expires``)."""

    reason: str
    field: str


def _date(value: Any) -> dt.date | None:
    if not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:  # not a date: the schema reports it
        return None


def policy_period(policy: Mapping[str, Any]) -> Period:
    metadata = policy.get("metadata")
    return Period.of(metadata if isinstance(metadata, Mapping) else {})


def clause_outside(
    policy: Mapping[str, Any], clause: Mapping[str, Any], as_of: dt.date
) -> Outside | None:
    """Why a clause is not in force as of ``as_of``: its policy's period first, then its own."""
    return policy_period(policy).outside(as_of) or Period.of(clause).outside(as_of)


def _clauses(data: Mapping[str, Any]) -> Iterator[tuple[JsonPath, Mapping[str, Any]]]:
    from checker.checks import CHECKS  # the registry imports the engine: import it late

    for section in CHECKS:
        items = data.get(section)
        if isinstance(items, list):
            for index, clause in enumerate(items):
                if isinstance(clause, Mapping):
                    yield (section, index), clause


def not_in_force_notices(policies: Sequence[Document], as_of: dt.date) -> list[Diagnostic]:
    """What a check says once: each policy not in force as of ``as_of``, and each clause not in
    force of a policy that is (warnings: they do not fail the run; the findings are ``info``).

    When no clause of any policy is in force, an error follows: the run judged no promise
    that binds on that day, and "compliant" would claim what nothing was checked for.
    """
    found = _outside_notices(policies, as_of)
    if found and not any(
        clause_outside(policy.data, clause, as_of) is None
        for policy in policies
        for _, clause in _clauses(policy.data)
    ):
        first = found[0]
        found.append(
            Diagnostic(
                first.location,
                f"no promise is in force as of {as_of}: every policy and clause checked is "
                "outside its period, so this run judges nothing that binds then and is not "
                "compliant; check as of a day they are in force (--as-of), or name the "
                "policies in force",
                NOTHING_IN_FORCE,
            )
        )
    return found


def _outside_notices(policies: Sequence[Document], as_of: dt.date) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    for policy in policies:
        data = policy.data
        policy_id = str(data.get("metadata", {}).get("id", ""))
        outside = policy_period(data).outside(as_of)
        if outside is not None:
            found.append(
                Diagnostic(
                    policy.locate(("metadata", outside.field)),
                    f"policy {policy_id} is {outside.reason} (as of {as_of}): its findings are "
                    "shown as info and do not block",
                    NOT_IN_FORCE,
                    Level.WARNING,
                )
            )
            continue
        for path, clause in _clauses(data):
            outside = Period.of(clause).outside(as_of)
            if outside is not None:
                found.append(
                    Diagnostic(
                        policy.locate((*path, outside.field)),
                        f"clause {clause.get('id')} of policy {policy_id} is {outside.reason} "
                        f"(as of {as_of}): its findings are shown as info and do not block",
                        NOT_IN_FORCE,
                        Level.WARNING,
                    )
                )
    return found


def validation_warnings(policy: Document, as_of: dt.date) -> list[Diagnostic]:
    """``validate``'s warnings: the policy, or a clause, is not in force as of ``as_of``."""
    data = policy.data
    found: list[Diagnostic] = []
    policy_id = data.get("metadata", {}).get("id")
    periods: list[tuple[JsonPath, str, Period]] = [
        (("metadata",), f"policy {policy_id}", policy_period(data))
    ]
    periods += [(path, f"clause {c.get('id')}", Period.of(c)) for path, c in _clauses(data)]
    for path, what, period in periods:
        outside = period.outside(as_of)
        if outside is None:
            continue
        code = NOT_YET_IN_FORCE if outside.field == "effective" else NO_LONGER_IN_FORCE
        found.append(
            Diagnostic(
                policy.locate((*path, outside.field)),
                f"{what} is {outside.reason}: check shows its findings as info, not blocking",
                code,
                Level.WARNING,
            )
        )
    return found


def period_errors(policy: Document) -> Iterator[Diagnostic]:
    """A period that ends before it starts: nothing would ever be in force."""
    data = policy.data
    policy_times = policy_period(data)
    periods: list[tuple[JsonPath, str, Period]] = [(("metadata",), "the policy", policy_times)]
    periods += [(path, f"clause {c.get('id')}", Period.of(c)) for path, c in _clauses(data)]
    for path, what, period in periods:
        start = period.effective or (policy_times.effective if path[0] != "metadata" else None)
        if start is not None and period.expires is not None and period.expires < start:
            yield Diagnostic(
                policy.locate((*path, "expires")),
                f"{what} expires on {period.expires}, before it takes effect on {start}: it "
                "would never be in force",
                PERIOD_ENDS_BEFORE_START,
            )
