"""Deletion schedules: ``checker/checks/deletion_schedules.py``.

Each case is a clause and a snapshot, and the exact observations expected, as of 2026-11-21:
every store holding the data has a defined schedule and, with ``review_every``, one reviewed
within that period (a year is 365 days).
"""

from __future__ import annotations

from typing import Any

import pytest

from checker.checks import deletion_schedules, retention
from checker.core.results import Severity
from tests.checks.support import (
    Case,
    F,
    N,
    P,
    Where,
    assert_declared,
    changed,
    ids,
    observe,
    pointer,
    triples,
)


def test_declaration() -> None:
    assert_declared(deletion_schedules.CHECK, "deletion_schedules", "retention", Severity.MEDIUM)
    assert deletion_schedules.CHECK.area is retention.CHECK.area  # counted with retention


SCHEDULED: dict[str, Any] = {
    "id": "chats-scheduled",
    "statement": "conversations have a deletion schedule, reviewed every year",
    "data_kinds": ["conversations"],
    "review_every": "1y",
}
UNREVIEWED = changed(SCHEDULED, ("review_every",))
SC = "store:chats"
DEFINED = (P, SC, "store chats has a deletion schedule")


def store(schedule: Any = None, **fields: Any) -> dict[str, Any]:
    """The chats store with ``deletion_schedule`` set to ``schedule`` (absent when None)."""
    base: dict[str, Any] = {"id": "chats", "data_kinds": ["conversations"], **fields}
    if schedule is not None:
        base["deletion_schedule"] = schedule
    return base


def reviewed(last: Any) -> dict[str, Any]:
    return {"stores": [store({"defined": True, "last_reviewed": last})]}


CASES = [
    Case(
        "defined-and-reviewed-this-year-passes",
        SCHEDULED,
        reviewed("2026-06-01"),
        [DEFINED, (P, SC, "the deletion schedule of store chats was reviewed 2026-06-01")],
    ),
    Case(
        "a-review-exactly-a-year-ago-passes",
        SCHEDULED,
        reviewed("2025-11-21"),
        [DEFINED, (P, SC, "the deletion schedule of store chats was reviewed 2025-11-21")],
    ),
    Case(
        "a-review-a-day-over-a-year-ago-fails",
        SCHEDULED,
        reviewed("2025-11-20"),
        [
            DEFINED,
            (
                F,
                SC,
                "the deletion schedule of store chats was last reviewed 2025-11-20, 366 days "
                "before 2026-11-21",
            ),
        ],
    ),
    Case(
        "a-review-dated-after-the-as-of-date-fails",
        SCHEDULED,
        reviewed("2026-12-01"),
        [
            DEFINED,
            (
                F,
                SC,
                "the deletion schedule of store chats is dated after the as-of date 2026-11-21",
            ),
        ],
    ),
    Case(
        "a-review-today-passes",
        SCHEDULED,
        reviewed("2026-11-21"),
        [DEFINED, (P, SC, "the deletion schedule of store chats was reviewed 2026-11-21")],
    ),
    Case(
        "no-review-recorded-is-not-evidenced",
        SCHEDULED,
        {"stores": [store({"defined": True})]},
        [DEFINED, (N, SC, "store chats records no review of its deletion schedule")],
    ),
    Case(
        "a-review-that-is-not-a-date-is-not-evidenced",
        SCHEDULED,
        reviewed("last spring"),
        [DEFINED, (N, SC, "store chats records no review of its deletion schedule")],
    ),
    Case(
        "without-review-every-only-the-schedule-counts",
        UNREVIEWED,
        reviewed("2001-01-01"),
        [DEFINED],
    ),
    Case(
        "an-undefined-schedule-fails-and-its-review-is-not-judged",
        SCHEDULED,
        {"stores": [store({"defined": False, "last_reviewed": "2026-06-01"})]},
        [(F, SC, "store chats holds conversations without a deletion schedule")],
    ),
    Case(
        "no-schedule-is-not-evidenced",
        SCHEDULED,
        {"stores": [store()]},
        [(N, SC, "store chats records no deletion schedule")],
    ),
    Case(
        "a-schedule-without-defined-is-not-evidenced",
        SCHEDULED,
        {"stores": [store({"last_reviewed": "2026-06-01"})]},
        [(N, SC, "store chats records no deletion schedule")],
    ),
    Case(
        "stores-of-other-kinds-are-not-judged",
        UNREVIEWED,
        {"stores": [{"id": "mail", "data_kinds": ["email"]}, store({"defined": True})]},
        [DEFINED],
    ),
    Case(
        "no-store-holding-the-kinds-is-not-evidenced",
        SCHEDULED,
        {"stores": [{"id": "mail", "data_kinds": ["email"]}]},
        [(N, "policy", "no store in the snapshot holds conversations")],
    ),
    Case(
        "the-message-names-the-kinds-held",
        changed(UNREVIEWED, data_kinds=["conversations", "email"]),
        {"stores": [store({"defined": False}, data_kinds=["email", "conversations"])]},
        [(F, SC, "store chats holds conversations and email without a deletion schedule")],
    ),
]


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_deletion_schedules(case: Case) -> None:
    assert triples(observe(deletion_schedules.CHECK, case.clause, case.snapshot)) == case.expected


WHERE = [
    Where(
        "undefined",
        SCHEDULED,
        {"stores": [store({"defined": False})]},
        ("stores", 0, "deletion_schedule", "defined"),
        (),
        "a defined deletion schedule",
        "no schedule",
    ),
    Where(
        "missing",
        SCHEDULED,
        {"stores": [store()]},
        ("stores", 0),
        (),
        "a defined deletion schedule",
        "not recorded in the snapshot",
    ),
    Where(
        "old-review",
        SCHEDULED,
        reviewed("2024-01-01"),
        ("stores", 0, "deletion_schedule", "last_reviewed"),
        ("review_every",),
        "schedule reviewed within 1y of 2026-11-21",
        "last reviewed 2024-01-01",
        {"index": 1},
    ),
    Where(
        "future-review",
        SCHEDULED,
        reviewed("2027-01-01"),
        ("stores", 0, "deletion_schedule", "last_reviewed"),
        ("review_every",),
        "schedule reviewed within 1y of 2026-11-21",
        "last reviewed 2027-01-01",
        {"index": 1},
    ),
    Where(
        "no-review",
        SCHEDULED,
        {"stores": [store({"defined": True})]},
        ("stores", 0, "deletion_schedule"),
        ("review_every",),
        "schedule reviewed within 1y of 2026-11-21",
        "not recorded in the snapshot",
        {"index": 1},
    ),
    Where(
        "nowhere",
        SCHEDULED,
        {"stores": []},
        ("stores",),
        ("data_kinds",),
        "a defined deletion schedule",
        "not recorded in the snapshot",
    ),
]


@pytest.mark.parametrize("case", WHERE, ids=ids(WHERE))
def test_deletion_schedules_points_at_the_evidence(case: Where) -> None:
    found = observe(deletion_schedules.CHECK, case.clause, case.snapshot)
    assert pointer(found[case.extra.get("index", 0)]) == case.pointer
