"""Retention choices: ``checker/checks/retention_choices.py``.

Each case is a clause and a snapshot, and the exact observations expected: the setting is
offered to the clause's tiers and exposed, offers exactly the promised options, preselects the
promised default (for minors too), accepts custom values only within the promised bounds, and
the stores holding the data keep it no longer than the longest choice.
"""

from __future__ import annotations

from typing import Any

import pytest

from checker.checks import retention_choices
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
    assert_declared(retention_choices.CHECK, "retention_choices", "retention", Severity.HIGH)


# "Activity kept 18 months by default; the user may choose 3, 18 or 36 months, or off."
CHOICES: dict[str, Any] = {
    "id": "keep-activity-choices",
    "statement": "Activity kept 18 months by default; the user may choose 3, 18 or 36 months",
    "setting": "keep_activity",
    "tier_groups": ["consumer"],
    "options": ["3mo", "18mo", "36mo", "off"],
    "default": "18mo",
}
KEEP: dict[str, Any] = {
    "id": "keep_activity",
    "tiers": ["free", "pro"],
    "scope": "account",
    "exposed": True,
    "options": ["3mo", "18mo", "36mo", "off"],
    "default": "18mo",
}
S = "setting:keep_activity"
EXPOSED = (P, S, "users can change keep_activity")
OFFERED = (P, S, "setting keep_activity offers 3mo, 18mo, 36mo, off")
PRESELECTED = (P, S, "setting keep_activity preselects 18mo")
COMPLIANT = [EXPOSED, OFFERED, PRESELECTED]


def keep(drop: tuple[str, ...] = (), **fields: Any) -> dict[str, Any]:
    return changed(KEEP, drop, **fields)


def clause(drop: tuple[str, ...] = (), **fields: Any) -> dict[str, Any]:
    return changed(CHOICES, drop, **fields)


CASES = [
    Case("the-promised-choices-pass", CHOICES, {"settings": [KEEP]}, COMPLIANT),
    Case(
        "options-in-other-words-pass",
        CHOICES,
        {"settings": [keep(options=["P3M", "P18M", "P36M", "off"], default="P18M")]},
        [
            EXPOSED,
            (P, S, "setting keep_activity offers P3M, P18M, P36M, off"),
            (P, S, "setting keep_activity preselects P18M"),
        ],
    ),
    Case(
        "a-setting-for-every-tier-passes",
        CHOICES,
        {"settings": [keep(drop=("tiers",))]},
        COMPLIANT,
    ),
    Case(
        "a-missing-option-fails",
        CHOICES,
        {"settings": [keep(options=["3mo", "18mo", "off"])]},
        [EXPOSED, (F, S, "setting keep_activity does not offer 36mo"), PRESELECTED],
    ),
    Case(
        "an-extra-option-fails",
        CHOICES,
        {"settings": [keep(options=["3mo", "18mo", "36mo", "5y", "off"])]},
        [
            EXPOSED,
            (F, S, "setting keep_activity also offers 5y, which the policy does not promise"),
            PRESELECTED,
        ],
    ),
    Case(
        "off-is-not-a-duration",
        CHOICES,
        {"settings": [keep(options=["3mo", "18mo", "36mo", "0s"])]},
        [
            EXPOSED,
            (
                F,
                S,
                "setting keep_activity does not offer off and also offers 0s, which the "
                "policy does not promise",
            ),
            PRESELECTED,
        ],
    ),
    Case(
        "another-default-fails",
        CHOICES,
        {"settings": [keep(default="36mo")]},
        [EXPOSED, OFFERED, (F, S, "setting keep_activity preselects 36mo, not the promised 18mo")],
    ),
    Case(
        "a-setting-users-cannot-change-fails",
        CHOICES,
        {"settings": [keep(exposed=False)]},
        [
            (F, S, "users cannot change keep_activity: it is fixed at its default"),
            OFFERED,
            PRESELECTED,
        ],
    ),
    Case(
        "the-scope-says-who-cannot-change-it",
        CHOICES,
        {"settings": [keep(scope="organisation", exposed=False)]},
        [
            (F, S, "organisation admins cannot change keep_activity: it is fixed at its default"),
            OFFERED,
            PRESELECTED,
        ],
    ),
    Case(
        "a-tier-without-the-setting-fails",
        CHOICES,
        {"settings": [keep(tiers=["free"])]},
        [(F, S, "setting keep_activity is not offered to tier pro"), *COMPLIANT],
    ),
    Case(
        "no-settings-section-is-not-evidenced",
        CHOICES,
        {},
        [(N, "settings", "the snapshot does not record the settings users can choose")],
    ),
    Case(
        "a-setting-the-snapshot-lacks-is-not-evidenced",
        CHOICES,
        {"settings": [keep(id="zero_data_retention")]},
        [(N, S, "the snapshot records no setting keep_activity")],
    ),
    Case(
        "unrecorded-fields-are-not-evidenced",
        CHOICES,
        {"settings": [{"id": "keep_activity"}]},
        [
            (N, S, "setting keep_activity does not record whether users can change it"),
            (N, S, "setting keep_activity does not record what it offers"),
            (N, S, "setting keep_activity does not record what it preselects"),
        ],
    ),
    Case(
        "every-entry-of-a-duplicated-setting-is-judged",
        CHOICES,
        {"settings": [KEEP, keep(default="3mo")]},
        [
            *COMPLIANT,
            EXPOSED,
            OFFERED,
            (F, S, "setting keep_activity preselects 3mo, not the promised 18mo"),
        ],
    ),
]


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_retention_choices(case: Case) -> None:
    assert triples(observe(retention_choices.CHECK, case.clause, case.snapshot)) == case.expected


# "Under-18 users may only choose 3 months."
MINORS = clause(minors={"options": ["3mo"], "default": "3mo"})
MINORS_CASES = [
    Case(
        "minors-offered-the-promised-choice-pass",
        MINORS,
        {"settings": [keep(minors={"options": ["3mo"], "default": "3mo"})]},
        [
            *COMPLIANT,
            (P, S, "setting keep_activity offers 3mo to minors"),
            (P, S, "setting keep_activity preselects 3mo to minors"),
        ],
    ),
    Case(
        "minors-offered-more-fail",
        MINORS,
        {"settings": [keep(minors={"options": ["3mo", "18mo"], "default": "18mo"})]},
        [
            *COMPLIANT,
            (
                F,
                S,
                "setting keep_activity to minors also offers 18mo, which the policy does not "
                "promise",
            ),
            (F, S, "setting keep_activity preselects 18mo to minors, not the promised 3mo"),
        ],
    ),
    Case(
        "minors-not-recorded-are-not-evidenced",
        MINORS,
        {"settings": [KEEP]},
        [*COMPLIANT, (N, S, "setting keep_activity does not record what minors may choose")],
    ),
]


@pytest.mark.parametrize("case", MINORS_CASES, ids=ids(MINORS_CASES))
def test_retention_choices_of_minors(case: Case) -> None:
    assert triples(observe(retention_choices.CHECK, case.clause, case.snapshot)) == case.expected


# "Enterprise admins may set a custom retention, minimum 90 days."
CUSTOM = clause(custom={"min": "90d"})
CUSTOM_CASES = [
    Case(
        "a-custom-minimum-within-the-promise-passes",
        CUSTOM,
        {"settings": [keep(custom={"min": "90d", "max": "5y"})]},
        [*COMPLIANT, (P, S, "setting keep_activity accepts custom values from 90d")],
    ),
    Case(
        "a-lower-custom-minimum-fails",
        CUSTOM,
        {"settings": [keep(custom={"min": "30d"})]},
        [
            *COMPLIANT,
            (
                F,
                S,
                "setting keep_activity accepts custom values from 30d, shorter than the "
                "promised 90d",
            ),
        ],
    ),
    Case(
        "a-custom-maximum-beyond-the-promise-fails",
        clause(custom={"max": "1y"}),
        {"settings": [keep(custom={"max": "2y"})]},
        [
            *COMPLIANT,
            (
                F,
                S,
                "setting keep_activity accepts custom values up to 2y, longer than the promised 1y",
            ),
        ],
    ),
    Case(
        "an-unrecorded-custom-bound-is-not-evidenced",
        CUSTOM,
        {"settings": [keep(custom={"max": "5y"})]},
        [*COMPLIANT, (N, S, "setting keep_activity records no minimum custom value")],
    ),
    Case(
        "no-custom-value-when-one-is-promised-fails",
        CUSTOM,
        {"settings": [KEEP]},
        [*COMPLIANT, (F, S, "setting keep_activity accepts no custom value")],
    ),
    Case(
        "a-custom-value-the-policy-does-not-promise-fails",
        CHOICES,
        {"settings": [keep(custom={"min": "1d"})]},
        [
            *COMPLIANT,
            (
                F,
                S,
                "setting keep_activity accepts custom values, which the policy does not promise",
            ),
        ],
    ),
]


@pytest.mark.parametrize("case", CUSTOM_CASES, ids=ids(CUSTOM_CASES))
def test_retention_choices_custom(case: Case) -> None:
    assert triples(observe(retention_choices.CHECK, case.clause, case.snapshot)) == case.expected


# With data_kinds, the stores keep the data no longer than the longest choice (36 months).
STORED = clause(data_kinds=["conversations"])
ACTIVITY: dict[str, Any] = {
    "id": "activity",
    "data_kinds": ["conversations"],
    "tiers": ["free", "pro"],
    "retention_by_setting": [
        {"setting": "keep_activity", "value": "3mo", "window": "3mo"},
        {"setting": "keep_activity", "value": "36mo", "window": "36mo"},
    ],
}
A = "store:activity"
STORE_CASES = [
    Case(
        "windows-of-the-setting-within-the-longest-choice-pass",
        STORED,
        {"settings": [KEEP], "stores": [ACTIVITY]},
        [
            *COMPLIANT,
            (P, A, "store activity keeps conversations for 3mo (keep_activity 3mo)"),
            (P, A, "store activity keeps conversations for 36mo (keep_activity 36mo)"),
        ],
    ),
    Case(
        "a-window-beyond-the-longest-choice-fails",
        STORED,
        {
            "settings": [KEEP],
            "stores": [
                changed(
                    ACTIVITY,
                    retention_by_setting=[
                        {"setting": "keep_activity", "value": "36mo", "window": "5y"}
                    ],
                )
            ],
        },
        [
            *COMPLIANT,
            (
                F,
                A,
                "store activity keeps conversations for 5y (keep_activity 36mo), longer than "
                "the longest choice of keep_activity, 36mo",
            ),
        ],
    ),
    Case(
        "a-window-beyond-the-chosen-value-fails",
        STORED,
        {
            "settings": [KEEP],
            "stores": [
                changed(
                    ACTIVITY,
                    retention_by_setting=[
                        {"setting": "keep_activity", "value": "3mo", "window": "18mo"},
                        {"setting": "keep_activity", "value": "off", "window": "72h"},
                    ],
                )
            ],
        },
        [
            *COMPLIANT,
            (
                F,
                A,
                "store activity keeps conversations for 18mo (keep_activity 3mo), longer than "
                "the 3mo its users chose",
            ),
            (P, A, "store activity keeps conversations for 72h (keep_activity off)"),
        ],
    ),
    Case(
        "without-windows-for-the-setting-the-retention-windows-are-judged",
        STORED,
        {
            "settings": [KEEP],
            "stores": [
                changed(ACTIVITY, ("retention_by_setting",), retention={"any": "indefinite"})
            ],
        },
        [
            *COMPLIANT,
            (
                F,
                A,
                "store activity keeps conversations for indefinite (any), longer than the "
                "longest choice of keep_activity, 36mo",
            ),
        ],
    ),
    Case(
        "a-store-without-windows-is-not-evidenced",
        STORED,
        {"settings": [KEEP], "stores": [changed(ACTIVITY, ("retention_by_setting",))]},
        [*COMPLIANT, (N, A, "store activity holds conversations but records no retention window")],
    ),
    Case(
        "stores-of-other-tiers-are-not-judged",
        STORED,
        {"settings": [KEEP], "stores": [ACTIVITY, changed(ACTIVITY, id="api", tiers=["api"])]},
        [
            *COMPLIANT,
            (P, A, "store activity keeps conversations for 3mo (keep_activity 3mo)"),
            (P, A, "store activity keeps conversations for 36mo (keep_activity 36mo)"),
        ],
    ),
    Case(
        "no-store-of-the-data-is-not-evidenced",
        STORED,
        {"settings": [KEEP], "stores": []},
        [*COMPLIANT, (N, "policy", "no store in the snapshot holds conversations")],
    ),
    Case(
        "a-longer-custom-maximum-is-the-bound",
        changed(STORED, custom={"max": "5y"}),
        {
            "settings": [keep(custom={"max": "5y"})],
            "stores": [changed(ACTIVITY, ("retention_by_setting",), retention={"any": "5y"})],
        },
        [
            *COMPLIANT,
            (P, S, "setting keep_activity accepts custom values up to 5y"),
            (P, A, "store activity keeps conversations for 5y (any)"),
        ],
    ),
    Case(
        "options-without-a-duration-bound-nothing",
        changed(STORED, options=["on", "off"], default="on"),
        {"settings": [keep(options=["on", "off"], default="on")]},
        [
            EXPOSED,
            (P, S, "setting keep_activity offers on, off"),
            (P, S, "setting keep_activity preselects on"),
            (
                N,
                "policy",
                "no option of keep_activity is a duration: nothing bounds how long stores "
                "keep conversations",
            ),
        ],
    ),
]


@pytest.mark.parametrize("case", STORE_CASES, ids=ids(STORE_CASES))
def test_retention_choices_bound_the_stores(case: Case) -> None:
    assert triples(observe(retention_choices.CHECK, case.clause, case.snapshot)) == case.expected


WHERE = [
    Where(
        "a-missing-option-points-at-the-options",
        CHOICES,
        {"settings": [keep(options=["3mo"])]},
        ("settings", 0, "options"),
        ("options",),
        "options 3mo, 18mo, 36mo, off",
        "3mo",
        {"index": 1},
    ),
    Where(
        "another-default-of-minors-points-at-the-minors-default",
        MINORS,
        {"settings": [keep(minors={"options": ["3mo"], "default": "18mo"})]},
        ("settings", 0, "minors", "default"),
        ("minors", "default"),
        "default 3mo to minors",
        "18mo",
        {"index": 4},
    ),
    Where(
        "a-missing-tier-points-at-the-tiers",
        CHOICES,
        {"settings": [keep(tiers=["free"])]},
        ("settings", 0, "tiers"),
        ("tier_groups",),
        "setting offered to tier pro",
        "tiers: free",
        {"index": 0},
    ),
    Where(
        "a-long-window-points-at-the-window",
        STORED,
        {
            "settings": [KEEP],
            "stores": [
                changed(
                    ACTIVITY,
                    retention_by_setting=[
                        {"setting": "keep_activity", "value": "off", "window": "5y"}
                    ],
                )
            ],
        },
        ("stores", 0, "retention_by_setting", 0, "window"),
        ("options",),
        "conversations kept at most 36mo (the longest choice), for keep_activity off",
        "keep_activity off: 5y",
        {"index": 3},
    ),
]


@pytest.mark.parametrize("case", WHERE, ids=ids(WHERE))
def test_retention_choices_point_at_the_evidence(case: Where) -> None:
    found = observe(retention_choices.CHECK, case.clause, case.snapshot)
    assert pointer(found[case.extra["index"]]) == case.pointer
