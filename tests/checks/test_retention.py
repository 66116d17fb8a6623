"""Retention windows: ``checker/checks/retention.py``.

Each case is a clause and a snapshot, and the exact observations expected: every store holding
the clause's data kinds (within its tier groups) keeps data of the consent state no longer
than ``max``; missing windows and data no store holds are not evidenced.
"""

from __future__ import annotations

from typing import Any

import pytest

from checker.checks import retention
from checker.core.results import Severity
from tests.checks.support import (
    Case,
    F,
    N,
    P,
    Where,
    assert_declared,
    by_resource,
    changed,
    ids,
    observe,
    pointer,
    triples,
)


def test_declaration() -> None:
    assert_declared(retention.CHECK, "retention", "retention", Severity.HIGH)


OPTED_OUT: dict[str, Any] = {
    "id": "opted-out-30d",
    "statement": "conversations of users who opted out are kept at most 30 days",
    "data_kinds": ["conversations"],
    "consent_state": "training_not_allowed",
    "max": "30d",
}
CHATS: dict[str, Any] = {
    "id": "chats",
    "data_kinds": ["conversations"],
    "retention": {"training_allowed": "5y", "training_not_allowed": "30d"},
}
SC = "store:chats"
KEPT_30D = (P, SC, "store chats keeps training_not_allowed conversations for 30d")
NOWHERE = (N, "policy", "no store in the snapshot holds conversations")


def chats(drop: tuple[str, ...] = (), **fields: Any) -> dict[str, Any]:
    return changed(CHATS, drop, **fields)


CASES = [
    Case("a-window-within-the-limit-passes", OPTED_OUT, {"stores": [CHATS]}, [KEPT_30D]),
    Case(
        "a-shorter-window-in-other-units-passes",
        OPTED_OUT,
        {"stores": [chats(retention={"training_not_allowed": "P2W"})]},
        [(P, SC, "store chats keeps training_not_allowed conversations for P2W")],
    ),
    Case(
        "days-written-for-months-meet-a-month-bound",
        {**OPTED_OUT, "max": "18mo"},
        {"stores": [chats(retention={"training_not_allowed": "548d"})]},
        [(P, SC, "store chats keeps training_not_allowed conversations for 548d")],
    ),
    Case(
        "years-meet-the-same-number-of-months",
        {**OPTED_OUT, "max": "36mo"},
        {"stores": [chats(retention={"training_not_allowed": "3y"})]},
        [(P, SC, "store chats keeps training_not_allowed conversations for 3y")],
    ),
    Case(
        "a-day-past-the-rounded-months-fails",
        {**OPTED_OUT, "max": "18mo"},
        {"stores": [chats(retention={"training_not_allowed": "549d"})]},
        [
            (
                F,
                SC,
                "store chats keeps training_not_allowed conversations for 549d, longer than "
                "the 18mo the policy allows",
            )
        ],
    ),
    Case(
        "a-longer-window-fails",
        OPTED_OUT,
        {"stores": [chats(retention={"training_not_allowed": "90d"})]},
        [
            (
                F,
                SC,
                "store chats keeps training_not_allowed conversations for 90d, longer than "
                "the 30d the policy allows",
            )
        ],
    ),
    Case(
        "an-indefinite-window-fails",
        OPTED_OUT,
        {"stores": [chats(retention={"training_not_allowed": "indefinite"})]},
        [
            (
                F,
                SC,
                "store chats keeps training_not_allowed conversations for indefinite, longer "
                "than the 30d the policy allows",
            )
        ],
    ),
    Case(
        "the-any-window-stands-in-for-an-unlisted-state",
        OPTED_OUT,
        {"stores": [chats(retention={"training_allowed": "5y", "any": "7d"})]},
        [(P, SC, "store chats keeps training_not_allowed conversations for 7d")],
    ),
    Case(
        "no-window-for-the-state-nor-any-is-not-evidenced",
        OPTED_OUT,
        {"stores": [chats(retention={"training_allowed": "5y"})]},
        [(N, SC, "store chats records no retention window for training_not_allowed data")],
    ),
    Case(
        "no-retention-is-not-evidenced",
        OPTED_OUT,
        {"stores": [chats(("retention",))]},
        [(N, SC, "store chats holds conversations but records no retention window")],
    ),
    Case(
        "an-empty-retention-is-not-evidenced",
        OPTED_OUT,
        {"stores": [chats(retention={})]},
        [(N, SC, "store chats holds conversations but records no retention window")],
    ),
    Case(
        "stores-of-other-kinds-are-not-judged",
        OPTED_OUT,
        {"stores": [{"id": "mail", "data_kinds": ["email"], "retention": {"any": "10y"}}, CHATS]},
        [KEPT_30D],
    ),
    Case("no-store-holding-the-kinds-is-not-evidenced", OPTED_OUT, {"stores": []}, [NOWHERE]),
    Case("no-stores-section-is-not-evidenced", OPTED_OUT, {}, [NOWHERE]),
    Case(
        "the-message-names-the-kinds-held",
        changed(OPTED_OUT, data_kinds=["conversations", "preferences", "email"]),
        {"stores": [chats(data_kinds=["email", "conversations"])]},
        [(P, SC, "store chats keeps training_not_allowed conversations and email for 30d")],
    ),
    Case(
        "an-unparseable-window-is-left-to-the-schema",
        OPTED_OUT,
        {"stores": [chats(retention={"training_not_allowed": "a month"})]},
        [],
    ),
    Case(
        "every-store-holding-the-kinds-is-judged",
        OPTED_OUT,
        {"stores": [CHATS, chats(id="backups", retention={"training_not_allowed": "35d"})]},
        [
            KEPT_30D,
            (
                F,
                "store:backups",
                "store backups keeps training_not_allowed conversations for 35d, longer than "
                "the 30d the policy allows",
            ),
        ],
    ),
]


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_retention(case: Case) -> None:
    assert triples(observe(retention.CHECK, case.clause, case.snapshot)) == case.expected


# --- tier groups ------------------------------------------------------------------------------

CONSUMER = changed(OPTED_OUT, tier_groups=["consumer"])
TIER_CASES = [
    Case(
        "a-store-of-the-groups-tiers-is-judged",
        CONSUMER,
        {"stores": [chats(tiers=["pro"], retention={"training_not_allowed": "60d"})]},
        [
            (
                F,
                SC,
                "store chats keeps training_not_allowed conversations for 60d, longer than "
                "the 30d the policy allows",
            )
        ],
    ),
    Case(
        "a-store-of-other-tiers-only-is-out-of-scope",
        CONSUMER,
        {"stores": [chats(tiers=["api"], retention={"training_not_allowed": "60d"})]},
        [NOWHERE],
    ),
    Case(
        "a-store-that-does-not-record-its-tiers-is-judged",
        CONSUMER,
        {"stores": [chats(("tiers",))]},
        [KEPT_30D],
    ),
]


@pytest.mark.parametrize("case", TIER_CASES, ids=ids(TIER_CASES))
def test_retention_within_tier_groups(case: Case) -> None:
    assert triples(observe(retention.CHECK, case.clause, case.snapshot)) == case.expected


# --- consent_state: any -----------------------------------------------------------------------

KEEP_ANY: dict[str, Any] = {
    "id": "chats-1y",
    "statement": "conversations kept at most a year, whatever the consent",
    "data_kinds": ["conversations"],
    "consent_state": "any",
    "max": "1y",
}


def test_retention_any_judges_every_window_of_a_store() -> None:
    snapshot = {"stores": [chats(retention={"training_allowed": "2y", "any": "30d"})]}
    assert triples(observe(retention.CHECK, KEEP_ANY, snapshot)) == [
        (
            F,
            SC,
            "store chats keeps training_allowed conversations for 2y, longer than the 1y the "
            "policy allows",
        ),
        (P, SC, "store chats keeps conversations in any other consent state for 30d"),
    ]


def test_retention_any_names_a_store_kept_for_any_state_by_its_only_window() -> None:
    snapshot = {"stores": [chats(retention={"any": "2y"})]}
    assert triples(observe(retention.CHECK, KEEP_ANY, snapshot)) == [
        (
            F,
            SC,
            "store chats keeps conversations in any consent state for 2y, longer than the 1y "
            "the policy allows",
        ),
    ]


# Evidence gaps: a store without a window for some consent states is not evidenced for them;
# the windows it does record must not carry the verdict for the others.


def test_retention_any_a_store_without_a_window_for_some_consent_states() -> None:
    snapshot = {
        "stores": [
            {"id": "chats", "data_kinds": ["conversations"], "retention": {"any": "30d"}},
            {
                "id": "training-set",
                "data_kinds": ["conversations"],
                "retention": {"training_allowed": "1y", "training_not_allowed": "0d"},
            },
        ]
    }
    found = by_resource(observe(retention.CHECK, KEEP_ANY, snapshot), "store:training-set")
    assert [(o.status, o.message) for o in found] == [
        (P, "store training-set keeps training_allowed conversations for 1y"),
        (P, "store training-set keeps training_not_allowed conversations for 0d"),
        (
            N,
            "store training-set records no retention window for deleted_by_user, "
            "flagged_for_safety or feedback data, nor one for any state",
        ),
    ]
    assert found[-1].evidence == ("stores", 1, "retention")


WHERE = [
    Where(
        "too-long",
        OPTED_OUT,
        {"stores": [chats(retention={"training_not_allowed": "90d"})]},
        ("stores", 0, "retention", "training_not_allowed"),
        ("max",),
        "training_not_allowed data kept at most 30d",
        "training_not_allowed: 90d",
    ),
    Where(
        "any-window",
        OPTED_OUT,
        {"stores": [chats(retention={"any": "7d"})]},
        ("stores", 0, "retention", "any"),
        (),
        "training_not_allowed data kept at most 30d",
        "any: 7d",
    ),
    Where(
        "no-window-for-the-state",
        OPTED_OUT,
        {"stores": [chats(retention={"training_allowed": "5y"})]},
        ("stores", 0, "retention"),
        (),
        "training_not_allowed data kept at most 30d",
        "not recorded in the snapshot",
    ),
    Where(
        "no-retention",
        OPTED_OUT,
        {"stores": [chats(("retention",))]},
        ("stores", 0),
        (),
        "training_not_allowed data kept at most 30d",
        "not recorded in the snapshot",
    ),
    Where(
        "nowhere",
        OPTED_OUT,
        {"stores": []},
        ("stores",),
        ("data_kinds",),
        "training_not_allowed data kept at most 30d",
        "not recorded in the snapshot",
    ),
]


@pytest.mark.parametrize("case", WHERE, ids=ids(WHERE))
def test_retention_points_at_the_evidence(case: Where) -> None:
    [obs] = observe(retention.CHECK, case.clause, case.snapshot)
    assert pointer(obs) == case.pointer


# --- windows by setting: "zero-data-retention projects are not stored" -------------------------

ZDR: dict[str, Any] = {
    "id": "zdr-not-stored",
    "statement": "Data of projects with zero data retention is not stored",
    "data_kinds": ["conversations"],
    "setting": {"id": "zero_data_retention", "value": "on"},
    "max": "0s",
}
API_LOGS: dict[str, Any] = {
    "id": "api_logs",
    "data_kinds": ["conversations"],
    "retention": {"any": "30d"},
    "retention_by_setting": [
        {"setting": "zero_data_retention", "value": "off", "window": "30d"},
        {"setting": "zero_data_retention", "value": "on", "window": "0s"},
    ],
}
AL = "store:api_logs"
NOT_KEPT = (P, AL, "store api_logs keeps conversations with zero_data_retention on for 0s")

SETTING_CASES = [
    Case("no-window-for-the-setting-value-passes", ZDR, {"stores": [API_LOGS]}, [NOT_KEPT]),
    Case(
        "a-window-for-the-setting-value-fails",
        ZDR,
        {
            "stores": [
                changed(
                    API_LOGS,
                    retention_by_setting=[
                        {"setting": "zero_data_retention", "value": "on", "window": "30d"}
                    ],
                )
            ]
        },
        [
            (
                F,
                AL,
                "store api_logs keeps conversations with zero_data_retention on for 30d, longer "
                "than the 0s the policy allows",
            )
        ],
    ),
    Case(
        "the-consent-state-windows-are-not-read",
        ZDR,
        {"stores": [changed(API_LOGS, retention={"any": "5y"})]},
        [NOT_KEPT],
    ),
    Case(
        "a-store-without-a-window-for-the-value-is-not-evidenced",
        ZDR,
        {"stores": [changed(API_LOGS, retention_by_setting=API_LOGS["retention_by_setting"][:1])]},
        [
            (
                N,
                AL,
                "store api_logs holds conversations but records no retention window for data "
                "with zero_data_retention on",
            )
        ],
    ),
    Case(
        "a-store-without-windows-by-setting-is-not-evidenced",
        ZDR,
        {"stores": [changed(API_LOGS, ("retention_by_setting",))]},
        [
            (
                N,
                AL,
                "store api_logs holds conversations but records no retention window for data "
                "with zero_data_retention on",
            )
        ],
    ),
    Case(
        "duration-values-compare-as-durations",
        changed(ZDR, setting={"id": "keep_activity", "value": "P3M"}, max="3mo"),
        {
            "stores": [
                changed(
                    API_LOGS,
                    retention_by_setting=[
                        {"setting": "keep_activity", "value": "3mo", "window": "90d"}
                    ],
                )
            ]
        },
        [(P, AL, "store api_logs keeps conversations with keep_activity P3M for 90d")],
    ),
    Case(
        "stores-of-other-tiers-are-not-judged",
        changed(ZDR, tier_groups=["api"]),
        {"stores": [changed(API_LOGS, tiers=["free"]), changed(API_LOGS, tiers=["api"])]},
        [NOT_KEPT],
    ),
    Case(
        "no-store-of-the-data-is-not-evidenced",
        ZDR,
        {"stores": []},
        [(N, "policy", "no store in the snapshot holds conversations")],
    ),
]


@pytest.mark.parametrize("case", SETTING_CASES, ids=ids(SETTING_CASES))
def test_retention_by_setting(case: Case) -> None:
    assert triples(observe(retention.CHECK, case.clause, case.snapshot)) == case.expected


def test_retention_by_setting_points_at_the_window() -> None:
    window = [{"setting": "zero_data_retention", "value": "on", "window": "1d"}]
    found = observe(
        retention.CHECK, ZDR, {"stores": [changed(API_LOGS, retention_by_setting=window)]}
    )
    assert pointer(found[0]) == (
        ("stores", 0, "retention_by_setting", 0, "window"),
        ("max",),
        "data with zero_data_retention on kept at most 0s",
        "1d",
    )
