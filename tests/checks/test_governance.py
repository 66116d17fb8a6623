"""Governance: ``checker/checks/governance.py``.

Each case is a clause and a snapshot, and the exact observations expected.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from checker.checks import governance
from checker.core.results import Severity
from tests.checks.support import (
    Case,
    F,
    N,
    P,
    Where,
    assert_declared,
    ids,
    observe,
    triples,
)


def test_declaration() -> None:
    assert_declared(governance.CHECK, "governance", "governance", Severity.MEDIUM)


REVIEW: dict[str, Any] = {
    "id": "internal-review",
    "statement": "reviewed every year",
    "activity": "internal_review",
    "every": "1y",
}
GI = "governance:internal_review"


def reviewed(last: Any, **more: str) -> dict[str, Any]:
    return {"governance": {"internal_review": {"last": last, **more}}}


GOVERNANCE_CASES = [
    Case(
        "recent-review-passes",
        REVIEW,
        reviewed("2026-06-01", by="privacy team"),
        [
            (
                P,
                GI,
                "the last internal review was on 2026-06-01, 173 days (about 6 months) before "
                "2026-11-21, within the required 1y",
            ),
        ],
    ),
    Case(
        "old-review-fails",
        REVIEW,
        reviewed("2025-01-10"),
        [
            (
                F,
                GI,
                "the last internal review was on 2025-01-10, 680 days (about 22 months) before "
                "2026-11-21; the policy requires one every 1y",
            ),
        ],
    ),
    Case(
        "exactly-one-year-passes",
        REVIEW,
        reviewed("2025-11-21"),
        [
            (
                P,
                GI,
                "the last internal review was on 2025-11-21, 365 days (about 12 months) before "
                "2026-11-21, within the required 1y",
            ),
        ],
    ),
    Case(
        "one-day-over-fails",
        REVIEW,
        reviewed("2025-11-20"),
        [
            (
                F,
                GI,
                "the last internal review was on 2025-11-20, 366 days (about 12 months) before "
                "2026-11-21; the policy requires one every 1y",
            ),
        ],
    ),
    Case(
        "yesterday-passes",
        REVIEW,
        reviewed("2026-11-20"),
        [
            (
                P,
                GI,
                "the last internal review was on 2026-11-20, 1 day before 2026-11-21, within "
                "the required 1y",
            ),
        ],
    ),
    Case(
        "future-date-fails",
        REVIEW,
        reviewed("2026-12-01"),
        [
            (
                F,
                GI,
                "the last internal review is dated 2026-12-01, after the as-of date 2026-11-21, "
                "so the record cannot be trusted",
            ),
        ],
    ),
    Case(
        "as-of-date-decides",
        REVIEW,
        reviewed("2026-06-01"),
        [
            (
                F,
                GI,
                "the last internal review was on 2026-06-01, 395 days (about 13 months) before "
                "2027-07-01; the policy requires one every 1y",
            ),
        ],
        as_of=dt.date(2027, 7, 1),
    ),
    Case(
        "date-object-is-read",
        REVIEW,
        reviewed(dt.date(2026, 11, 1)),
        [
            (
                P,
                GI,
                "the last internal review was on 2026-11-01, 20 days before 2026-11-21, within "
                "the required 1y",
            ),
        ],
    ),
    Case(
        "not-a-date",
        REVIEW,
        reviewed("last spring"),
        [
            (N, GI, "the snapshot records no date for the last internal review"),
        ],
    ),
    Case(
        "no-date",
        REVIEW,
        {"governance": {"internal_review": {"by": "privacy team"}}},
        [
            (N, GI, "the snapshot records no date for the last internal review"),
        ],
    ),
    Case(
        "activity-not-recorded",
        REVIEW,
        {"governance": {"external_audit": {"last": "2026-01-01"}}},
        [
            (N, GI, "the snapshot records no internal review"),
        ],
    ),
    Case(
        "no-governance-section",
        REVIEW,
        {},
        [
            (N, GI, "the snapshot records no internal review"),
        ],
    ),
    Case(
        "six-monthly-board",
        {
            "id": "board",
            "statement": "board meets twice a year",
            "activity": "oversight_board",
            "every": "6mo",
        },
        {"governance": {"oversight_board": {"last": "2026-05-01"}}},
        [
            (
                F,
                "governance:oversight_board",
                "the last oversight board meeting was on 2026-05-01, "
                "204 days (about 7 months) before 2026-11-21; the "
                "policy requires one every 6mo",
            ),
        ],
    ),
]


@pytest.mark.parametrize("case", GOVERNANCE_CASES, ids=ids(GOVERNANCE_CASES))
def test_governance(case: Case) -> None:
    found = observe(governance.CHECK, case.clause, case.snapshot, case.as_of)
    assert triples(found) == case.expected


GOVERNANCE_WHERE = [
    Where(
        "old",
        REVIEW,
        reviewed("2025-01-10", by="privacy team"),
        ("governance", "internal_review", "last"),
        ("every",),
        "internal review within 1y before 2026-11-21",
        "last on 2025-01-10 by privacy team",
    ),
    Where(
        "no-date",
        REVIEW,
        {"governance": {"internal_review": {}}},
        ("governance", "internal_review"),
        ("every",),
        "internal review within 1y before 2026-11-21",
        "not recorded in the snapshot",
    ),
    Where(
        "no-activity",
        REVIEW,
        {"governance": {}},
        ("governance",),
        (),
        "internal review within 1y before 2026-11-21",
        "not recorded in the snapshot",
    ),
]


@pytest.mark.parametrize("case", GOVERNANCE_WHERE, ids=ids(GOVERNANCE_WHERE))
def test_governance_points_at_the_evidence(case: Where) -> None:
    [obs] = observe(governance.CHECK, case.clause, case.snapshot)
    assert (obs.evidence, obs.clause_path, obs.expected, obs.actual) == (
        case.evidence,
        case.clause_path,
        case.expected,
        case.actual,
    )
