"""How every test of ``tests/checks`` runs a check: one clause against one snapshot.

A check is a function of a clause, the policy's vocabulary, a snapshot and the as-of date; the
tests call it directly, without files or the engine, and compare the observations it yields::

    from tests.checks.support import P, F, observe, triples

    found = observe(retention.CHECK, CLAUSE, {"stores": [CHATS]})
    assert triples(found) == [(P, "store:chats", "store chats keeps ...")]

:data:`POLICY` supplies the vocabulary (tier groups, data kinds, categories and roles) every
module shares, so a clause only names what it needs. Two small case records keep tables of
cases readable: :class:`Case` (a clause, a snapshot and the exact status, resource and message
of every observation) and :class:`Where` (where a single observation points: its evidence,
the clause field it blames, and its expected and actual values).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from checker.checks.base import Check, CheckContext, Vocabulary
from checker.core.diagnostics import JsonPath
from checker.core.results import Observation, Severity, Status

P, F, N, E = Status.PASS, Status.FAIL, Status.NOT_EVIDENCED, Status.ERROR
AS_OF = dt.date(2026, 11, 21)
POLICY: dict[str, Any] = {
    "vocabulary": {
        "tier_groups": {
            "consumer": {"tiers": ["free", "pro"]},
            "business": {"tiers": ["team", "enterprise"]},
            "api": {"tiers": ["api"]},
        },
        "data_kinds": {
            "conversations": {"description": "chat transcripts"},
            "preferences": {"description": "avatar, name, voice"},
            "email": {"description": "account email", "identifiable": True},
        },
        "sensitive_categories": {
            "mental_health": {"description": "mental health"},
            "finances": {"description": "finances"},
        },
        "roles": {"model_trainer": {"description": "trains models"}},
    }
}

Expected = list[tuple[Status, str, str]]
Pointer = tuple[JsonPath | None, JsonPath, str, str]


@dataclass(frozen=True)
class Case:
    """A clause and a snapshot, and every observation expected, in order."""

    id: str
    clause: dict[str, Any]
    snapshot: dict[str, Any]
    expected: Expected
    as_of: dt.date = AS_OF


@dataclass(frozen=True)
class Where:
    """Where a single observation points: its evidence, clause field, expected and actual."""

    id: str
    clause: dict[str, Any]
    snapshot: dict[str, Any]
    evidence: JsonPath | None
    clause_path: JsonPath
    expected: str
    actual: str
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def pointer(self) -> Pointer:
        return (self.evidence, self.clause_path, self.expected, self.actual)


def observe(
    check: Check,
    clause: Mapping[str, Any],
    snapshot: Mapping[str, Any],
    as_of: dt.date = AS_OF,
) -> list[Observation]:
    """Everything ``check`` observes for ``clause`` in ``snapshot``, in order."""
    ctx = CheckContext(clause, POLICY, snapshot, Vocabulary.from_policy(POLICY), as_of)
    return list(check.run(ctx))


def triples(observations: Sequence[Observation]) -> Expected:
    """Status, resource and message of each observation."""
    return [(o.status, o.resource, o.message) for o in observations]


def pointer(observation: Observation) -> Pointer:
    """Evidence path, clause path, expected and actual of an observation."""
    o = observation
    return (o.evidence, o.clause_path, o.expected, o.actual)


def by_resource(observations: Sequence[Observation], resource: str) -> list[Observation]:
    return [o for o in observations if o.resource == resource]


def changed(base: Mapping[str, Any], drop: tuple[str, ...] = (), **values: Any) -> dict[str, Any]:
    """A copy of ``base`` without the keys in ``drop`` and with ``values`` set."""
    out = {k: v for k, v in base.items() if k not in drop}
    out.update(values)
    return out


def ids(cases: Sequence[Case] | Sequence[Where]) -> list[str]:
    return [c.id for c in cases]


def assert_declared(check: Check, section: str, area: str, severity: Severity) -> None:
    """The check is declared for ``section``, in the scorecard area named ``area``, at
    ``severity`` by default, and its documentation gives a passing and a failing example and
    the regulations it serves."""
    assert (check.id, check.area.value, check.default_severity) == (section, area, severity)
    assert "PASS" in check.doc and "FAIL" in check.doc and "Serves " in check.doc
    assert check.summary == check.doc.strip().splitlines()[0]
