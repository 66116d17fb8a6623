"""Notice periods: ``checker/checks/notice_periods.py``.

Each case is a clause and a snapshot, and the exact observations expected: every notice of the
clause's change to a tier of its groups (``consumer``: free and pro) gives at least
``min_lead`` from notification to effect; no ``notices`` section is not evidenced, and no
notice of the change says no change was announced.
"""

from __future__ import annotations

from typing import Any

import pytest

from checker.checks import notice_periods
from checker.core.results import Severity
from tests.checks.support import (
    Case,
    F,
    N,
    P,
    assert_declared,
    changed,
    ids,
    observe,
    pointer,
    triples,
)


def test_declaration() -> None:
    assert_declared(notice_periods.CHECK, "notice_periods", "notice", Severity.HIGH)


# "Training starts no sooner than 15 days after the user is notified."
FIFTEEN_DAYS: dict[str, Any] = {
    "id": "training-notice",
    "statement": "Training starts no sooner than 15 days after the user is notified.",
    "change": "training_default",
    "tier_groups": ["consumer"],
    "min_lead": "15d",
}
# The 2025 consumer terms: announced 2025-08-28, in force for existing users 2025-09-28.
TERMS_2025: dict[str, Any] = {
    "id": "consumer-terms-2025",
    "change": "training_default",
    "tiers": ["free", "pro"],
    "notified_on": "2025-08-28",
    "effective_on": "2025-09-28",
}
NT = "notice:consumer-terms-2025"
IN_TIME = (
    P,
    NT,
    "notice consumer-terms-2025 of a training default change to free and pro gave 31 days "
    "before it took effect (2025-08-28 to 2025-09-28)",
)
NONE_DUE = (
    P,
    "notices",
    "no training default change was announced to free and pro: no notice is due",
)


def notice(drop: tuple[str, ...] = (), **fields: Any) -> dict[str, Any]:
    return changed(TERMS_2025, drop, **fields)


CASES = [
    Case("a-notice-given-in-time-passes", FIFTEEN_DAYS, {"notices": [TERMS_2025]}, [IN_TIME]),
    Case(
        "exactly-the-lead-passes",
        FIFTEEN_DAYS,
        {"notices": [notice(effective_on="2025-09-12")]},
        [
            (
                P,
                NT,
                "notice consumer-terms-2025 of a training default change to free and pro gave "
                "15 days before it took effect (2025-08-28 to 2025-09-12)",
            )
        ],
    ),
    Case(
        "a-day-short-fails",
        FIFTEEN_DAYS,
        {"notices": [notice(effective_on="2025-09-11")]},
        [
            (
                F,
                NT,
                "notice consumer-terms-2025 of a training default change to free and pro gave "
                "14 days before it took effect (2025-08-28 to 2025-09-11), less than the 15d "
                "promised",
            )
        ],
    ),
    Case(
        "a-month-lead-counts-as-30-days",
        changed(FIFTEEN_DAYS, min_lead="1mo"),
        {"notices": [notice(effective_on="2025-09-27")]},
        [
            (
                P,
                NT,
                "notice consumer-terms-2025 of a training default change to free and pro gave "
                "30 days before it took effect (2025-08-28 to 2025-09-27)",
            )
        ],
    ),
    Case(
        "only-the-tiers-of-the-groups-are-named",
        FIFTEEN_DAYS,
        {"notices": [notice(tiers=["pro", "team"], effective_on="2025-08-30")]},
        [
            (
                F,
                NT,
                "notice consumer-terms-2025 of a training default change to pro gave 2 days "
                "before it took effect (2025-08-28 to 2025-08-30), less than the 15d promised",
            )
        ],
    ),
    Case(
        "notices-of-other-changes-or-tiers-are-not-judged",
        FIFTEEN_DAYS,
        {
            "notices": [
                notice(change="retention", effective_on="2025-08-29"),
                notice(id="team-terms", tiers=["team"], effective_on="2025-08-29"),
            ]
        },
        [NONE_DUE],
    ),
    Case("an-empty-list-says-no-change-was-announced", FIFTEEN_DAYS, {"notices": []}, [NONE_DUE]),
    Case(
        "every-notice-is-judged",
        FIFTEEN_DAYS,
        {"notices": [TERMS_2025, notice(id="later", effective_on="2025-08-28")]},
        [
            IN_TIME,
            (
                F,
                "notice:later",
                "notice later of a training default change to free and pro gave 0 days before "
                "it took effect (2025-08-28 to 2025-08-28), less than the 15d promised",
            ),
        ],
    ),
    Case(
        "no-notices-section-is-not-evidenced",
        FIFTEEN_DAYS,
        {"tiers": []},
        [(N, "notices", "the snapshot does not record the notices of changes given to users")],
    ),
]


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_notice_periods(case: Case) -> None:
    assert triples(observe(notice_periods.CHECK, case.clause, case.snapshot)) == case.expected


def test_a_short_notice_points_at_its_effective_date_and_the_lead() -> None:
    found = observe(
        notice_periods.CHECK, FIFTEEN_DAYS, {"notices": [notice(effective_on="2025-09-01")]}
    )
    assert pointer(found[0]) == (
        ("notices", 0, "effective_on"),
        ("min_lead",),
        "training default changes announced to free and pro at least 15d ahead",
        "notified 2025-08-28, effective 2025-09-01: 4 days",
    )
