"""Retention windows: ``checker/checks/retention.py``.

Each case is a clause and a snapshot, and the exact observations expected: every store holding
the clause's data kinds (within its tier groups) keeps data of the consent state no longer
than ``max``; missing windows and data no store holds are not evidenced.
"""

from __future__ import annotations

from typing import Any

import pytest

from checker.checks import retention
from checker.checks.base import CheckContext, Vocabulary
from checker.core.results import Observation, Severity
from tests.checks.support import (
    AS_OF,
    POLICY,
    Case,
    Expected,
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


# --- min: a lower bound -----------------------------------------------------------------------

ABUSE_REVIEW: dict[str, Any] = {
    "id": "flagged-kept-30d",
    "statement": "flagged conversations are kept at least 30 days for abuse review",
    "data_kinds": ["conversations"],
    "consent_state": "flagged_for_safety",
    "min": "30d",
}
MIN_CASES = [
    Case(
        "a-window-at-least-min-passes",
        ABUSE_REVIEW,
        {"stores": [chats(retention={"flagged_for_safety": "2y"})]},
        [(P, SC, "store chats keeps flagged_for_safety conversations for 2y")],
    ),
    Case(
        "a-shorter-window-fails",
        ABUSE_REVIEW,
        {"stores": [chats(retention={"flagged_for_safety": "7d"})]},
        [
            (
                F,
                SC,
                "store chats keeps flagged_for_safety conversations for 7d, shorter than the "
                "30d the policy requires",
            )
        ],
    ),
    Case(
        "not-kept-at-all-fails",
        ABUSE_REVIEW,
        {"stores": [chats(retention={"any": "0s"})]},
        [
            (
                F,
                SC,
                "store chats keeps flagged_for_safety conversations for 0s, shorter than the "
                "30d the policy requires",
            )
        ],
    ),
    Case(
        "indefinite-meets-any-min",
        ABUSE_REVIEW,
        {"stores": [chats(retention={"any": "indefinite"})]},
        [(P, SC, "store chats keeps flagged_for_safety conversations for indefinite")],
    ),
    Case(
        "min-and-max-bound-both-ways",
        changed(ABUSE_REVIEW, max="1y"),
        {
            "stores": [
                chats(retention={"flagged_for_safety": "2y"}),
                changed(CHATS, id="logs", retention={"flagged_for_safety": "10d"}),
            ]
        },
        [
            (
                F,
                SC,
                "store chats keeps flagged_for_safety conversations for 2y, longer than the 1y "
                "the policy allows",
            ),
            (
                F,
                "store:logs",
                "store logs keeps flagged_for_safety conversations for 10d, shorter than the "
                "30d the policy requires",
            ),
        ],
    ),
    Case(
        "min-under-any-judges-every-window",
        changed(ABUSE_REVIEW, consent_state="any"),
        {"stores": [chats(retention={"training_allowed": "5y", "any": "1d"})]},
        [
            (P, SC, "store chats keeps training_allowed conversations for 5y"),
            (
                F,
                SC,
                "store chats keeps conversations in any other consent state for 1d, shorter "
                "than the 30d the policy requires",
            ),
        ],
    ),
    Case(
        "a-store-without-the-window-is-not-evidenced",
        ABUSE_REVIEW,
        {"stores": [chats()]},
        [(N, SC, "store chats records no retention window for flagged_for_safety data")],
    ),
]


@pytest.mark.parametrize("case", MIN_CASES, ids=ids(MIN_CASES))
def test_retention_min(case: Case) -> None:
    assert triples(observe(retention.CHECK, case.clause, case.snapshot)) == case.expected


def test_retention_min_points_at_the_window_and_min() -> None:
    snapshot = {"stores": [chats(retention={"flagged_for_safety": "7d"})]}
    [found] = observe(retention.CHECK, ABUSE_REVIEW, snapshot)
    assert pointer(found) == (
        ("stores", 0, "retention", "flagged_for_safety"),
        ("min",),
        "flagged_for_safety data kept at least 30d",
        "flagged_for_safety: 7d",
    )


# --- deletion promises see copies and legal holds ---------------------------------------------

DELETED: dict[str, Any] = {
    "id": "deleted-30d",
    "statement": "deleted conversations are purged within 30 days",
    "data_kinds": ["conversations"],
    "consent_state": "deleted_by_user",
    "max": "30d",
}
SOURCE: dict[str, Any] = {
    "id": "chats",
    "data_kinds": ["conversations"],
    "tiers": ["free", "pro"],
    "retention": {"any": "18mo", "deleted_by_user": "30d"},
}
REVIEWED_COPY: dict[str, Any] = {
    "id": "reviewed",
    "copy_of": ["chats"],
    "deleted_with_source": False,
    "copy_reason": "human review",
    "retention": {"any": "3y"},
}
REVIEWED_EXCEPTION: dict[str, Any] = {
    "id": "human-reviewed-kept",
    "statement": "Human-reviewed chats are kept separately, up to 3 years",
    "kind": "reviewed_copy",
    "data_kinds": ["conversations"],
    "max": "3y",
    "reason": "human review for quality and safety",
}
HOLD_EXCEPTION: dict[str, Any] = {
    "id": "litigation-holds",
    "statement": "Deleted chats may be kept under a court's preservation order",
    "kind": "legal_hold",
    "data_kinds": ["conversations"],
    "reason": "court preservation orders",
}
ACTIVE_HOLD: dict[str, Any] = {
    "id": "nyt",
    "reason": "preservation order",
    "stores": ["chats"],
    "from": "2026-05-13",
    "until": None,
}
SOURCE_PURGED = (P, SC, "store chats keeps deleted_by_user conversations for 30d")
REVIEWED_NAMED = "store reviewed, a copy of chats (human review),"


def deletion(snapshot: dict[str, Any], *exceptions: dict[str, Any]) -> list[Observation]:
    """The deletion promise judged with a policy that declares ``exceptions``."""
    policy = {**POLICY, "deletion_exceptions": list(exceptions)}
    ctx = CheckContext(DELETED, policy, snapshot, Vocabulary.from_policy(policy), AS_OF)
    return list(retention.CHECK.run(ctx))


COPY_CASES: list[tuple[str, dict[str, Any], list[dict[str, Any]], Expected]] = [
    (
        "a-copy-kept-apart-without-an-exception-fails-naming-it",
        {"stores": [SOURCE, REVIEWED_COPY]},
        [],
        [
            SOURCE_PURGED,
            (
                F,
                "store:reviewed",
                f"{REVIEWED_NAMED} is not deleted with its source: it keeps deleted "
                "conversations for 3y, longer than the 30d the policy allows, and no "
                "deletion_exceptions clause allows it",
            ),
        ],
    ),
    (
        "a-copy-allowed-by-an-exception-passes-naming-it",
        {"stores": [SOURCE, REVIEWED_COPY]},
        [HOLD_EXCEPTION, REVIEWED_EXCEPTION],
        [
            SOURCE_PURGED,
            (
                P,
                "store:reviewed",
                f"{REVIEWED_NAMED} is not deleted with its source and keeps deleted "
                "conversations for 3y, as deletion exception human-reviewed-kept allows "
                "(human review for quality and safety)",
            ),
        ],
    ),
    (
        "a-copy-kept-longer-than-its-exception-fails",
        {"stores": [SOURCE, changed(REVIEWED_COPY, retention={"any": "5y"})]},
        [REVIEWED_EXCEPTION],
        [
            SOURCE_PURGED,
            (
                F,
                "store:reviewed",
                f"{REVIEWED_NAMED} is not deleted with its source and keeps deleted "
                "conversations for 5y, longer than the 3y deletion exception "
                "human-reviewed-kept allows",
            ),
        ],
    ),
    (
        "an-exception-for-other-tiers-does-not-cover-the-copy",
        {"stores": [SOURCE, REVIEWED_COPY]},
        [changed(REVIEWED_EXCEPTION, tier_groups=["business"])],
        [
            SOURCE_PURGED,
            (
                F,
                "store:reviewed",
                f"{REVIEWED_NAMED} is not deleted with its source: it keeps deleted "
                "conversations for 3y, longer than the 30d the policy allows, and no "
                "deletion_exceptions clause allows it",
            ),
        ],
    ),
    (
        "an-exception-for-other-data-kinds-does-not-cover-the-copy",
        {"stores": [SOURCE, REVIEWED_COPY]},
        [changed(REVIEWED_EXCEPTION, data_kinds=["preferences"])],
        [
            SOURCE_PURGED,
            (
                F,
                "store:reviewed",
                f"{REVIEWED_NAMED} is not deleted with its source: it keeps deleted "
                "conversations for 3y, longer than the 30d the policy allows, and no "
                "deletion_exceptions clause allows it",
            ),
        ],
    ),
    (
        "a-cache-with-windows-for-other-states-only-goes-with-its-source",
        {
            "stores": [
                SOURCE,
                {
                    "id": "cache",
                    "copy_of": ["chats"],
                    "deleted_with_source": True,
                    "retention": {"training_allowed": "5y"},
                },
            ]
        },
        [],
        [
            SOURCE_PURGED,
            (
                P,
                "store:cache",
                "store cache, a copy of chats, is deleted with its source: deleted data goes "
                "when the source purges it",
            ),
        ],
    ),
    (
        "a-copy-kept-apart-within-the-promise-needs-no-exception",
        {"stores": [SOURCE, changed(REVIEWED_COPY, retention={"any": "7d"})]},
        [],
        [
            SOURCE_PURGED,
            (
                P,
                "store:reviewed",
                f"{REVIEWED_NAMED} keeps conversations at most 7d, within the 30d allowed "
                "after deletion",
            ),
        ],
    ),
    (
        "a-copy-that-does-not-say-whether-it-is-deleted-with-its-source-is-not-evidenced",
        {"stores": [SOURCE, changed(REVIEWED_COPY, ("deleted_with_source",))]},
        [REVIEWED_EXCEPTION],
        [
            SOURCE_PURGED,
            (
                N,
                "store:reviewed",
                f"{REVIEWED_NAMED} does not record whether it is deleted with its source "
                "(deleted_with_source); if not, it keeps deleted conversations for 3y, longer "
                "than the 30d the policy allows",
            ),
        ],
    ),
    (
        "a-copy-kept-apart-without-windows-is-not-evidenced",
        {"stores": [SOURCE, changed(REVIEWED_COPY, ("retention",))]},
        [REVIEWED_EXCEPTION],
        [
            SOURCE_PURGED,
            (
                N,
                "store:reviewed",
                f"{REVIEWED_NAMED} is not deleted with its source, and does not record how "
                "long it keeps conversations in every consent state",
            ),
        ],
    ),
    (
        "a-copy-saying-neither-whether-it-goes-with-its-source-nor-how-long-it-keeps-data",
        {"stores": [SOURCE, {"id": "reviewed", "copy_of": ["chats"]}]},
        [REVIEWED_EXCEPTION],
        [
            SOURCE_PURGED,
            (
                N,
                "store:reviewed",
                "store reviewed, a copy of chats, does not record whether it is deleted with its "
                "source, nor how long it keeps conversations in every consent state",
            ),
        ],
    ),
    (
        "a-cache-deleted-with-its-source-goes-with-it",
        {"stores": [SOURCE, {"id": "cache", "copy_of": ["chats"], "deleted_with_source": True}]},
        [],
        [
            SOURCE_PURGED,
            (
                P,
                "store:cache",
                "store cache, a copy of chats, is deleted with its source: deleted data goes "
                "when the source purges it",
            ),
        ],
    ),
    (
        "a-cache-deleted-with-its-source-is-judged-by-its-own-window-when-it-has-one",
        {
            "stores": [
                SOURCE,
                {
                    "id": "cache",
                    "copy_of": ["chats"],
                    "deleted_with_source": True,
                    "retention": {"deleted_by_user": "90d"},
                },
            ]
        },
        [],
        [
            SOURCE_PURGED,
            (
                F,
                "store:cache",
                "store cache keeps deleted_by_user conversations for 90d, longer than the 30d "
                "the policy allows",
            ),
        ],
    ),
    (
        "a-copy-of-a-copy-holds-the-data-too",
        {
            "stores": [
                SOURCE,
                {"id": "cache", "copy_of": ["chats"], "deleted_with_source": True},
                changed(REVIEWED_COPY, copy_of=["cache"], copy_reason="review"),
            ]
        },
        [],
        [
            SOURCE_PURGED,
            (
                P,
                "store:cache",
                "store cache, a copy of chats, is deleted with its source: deleted data goes "
                "when the source purges it",
            ),
            (
                F,
                "store:reviewed",
                "store reviewed, a copy of cache (review), is not deleted with its source: it "
                "keeps deleted conversations for 3y, longer than the 30d the policy allows, "
                "and no deletion_exceptions clause allows it",
            ),
        ],
    ),
    (
        "a-copy-listing-its-own-data-kinds-holds-only-those",
        {"stores": [SOURCE, changed(REVIEWED_COPY, data_kinds=["preferences"])]},
        [],
        [SOURCE_PURGED],
    ),
]


@pytest.mark.parametrize(
    ("snapshot", "exceptions", "expected"),
    [case[1:] for case in COPY_CASES],
    ids=[case[0] for case in COPY_CASES],
)
def test_deletion_promises_see_every_copy(
    snapshot: dict[str, Any], exceptions: list[dict[str, Any]], expected: Expected
) -> None:
    assert triples(deletion(snapshot, *exceptions)) == expected


HOLD_CASES: list[tuple[str, dict[str, Any], list[dict[str, Any]], Expected]] = [
    (
        "an-active-hold-without-an-exception-fails-the-deletion-promise",
        {"stores": [SOURCE], "legal_holds": [ACTIVE_HOLD]},
        [REVIEWED_EXCEPTION],
        [
            SOURCE_PURGED,
            (
                F,
                SC,
                "legal hold nyt (from 2026-05-13 with no end) suspends deletion of "
                "conversations in store chats, which the deletion promise does not allow, and "
                "no deletion_exceptions clause of kind legal_hold covers conversations",
            ),
        ],
    ),
    (
        "an-active-hold-allowed-by-an-exception-passes",
        {"stores": [SOURCE], "legal_holds": [ACTIVE_HOLD]},
        [HOLD_EXCEPTION],
        [
            SOURCE_PURGED,
            (
                P,
                SC,
                "legal hold nyt (from 2026-05-13 with no end) suspends deletion of "
                "conversations in store chats, as deletion exception litigation-holds allows",
            ),
        ],
    ),
    (
        "a-hold-the-exception-refuses-fails-saying-why",
        {"stores": [SOURCE], "legal_holds": [ACTIVE_HOLD]},
        [changed(HOLD_EXCEPTION, max="1y")],
        [
            SOURCE_PURGED,
            (
                F,
                SC,
                "legal hold nyt (from 2026-05-13 with no end) suspends deletion of "
                "conversations in store chats, which the deletion promise does not allow: it "
                "has no end, and litigation-holds allows holds of at most 1y",
            ),
        ],
    ),
    (
        "an-ended-hold-no-longer-suspends-deletion",
        {"stores": [SOURCE], "legal_holds": [changed(ACTIVE_HOLD, until="2026-09-26")]},
        [],
        [SOURCE_PURGED],
    ),
    (
        "a-hold-on-another-store-does-not-touch-this-one",
        {"stores": [SOURCE], "legal_holds": [changed(ACTIVE_HOLD, stores=["elsewhere"])]},
        [],
        [SOURCE_PURGED],
    ),
]


@pytest.mark.parametrize(
    ("snapshot", "exceptions", "expected"),
    [case[1:] for case in HOLD_CASES],
    ids=[case[0] for case in HOLD_CASES],
)
def test_deletion_promises_see_legal_holds(
    snapshot: dict[str, Any], exceptions: list[dict[str, Any]], expected: Expected
) -> None:
    assert triples(deletion(snapshot, *exceptions)) == expected


def test_other_promises_ignore_copies_and_holds() -> None:
    """Copies and holds keep *deleted* data: the windows of other states are the store's own."""
    snapshot = {"stores": [SOURCE, REVIEWED_COPY], "legal_holds": [ACTIVE_HOLD]}
    clause = changed(DELETED, consent_state="training_allowed", max="5y")
    assert triples(observe(retention.CHECK, clause, snapshot)) == [
        (P, SC, "store chats keeps training_allowed conversations for 18mo"),
        (P, "store:reviewed", "store reviewed keeps training_allowed conversations for 3y"),
    ]


def test_a_copy_kept_apart_points_at_deleted_with_source() -> None:
    found = deletion({"stores": [SOURCE, REVIEWED_COPY]})[1]
    assert pointer(found) == (
        ("stores", 1, "deleted_with_source"),
        ("max",),
        "deleted_by_user data kept at most 30d",
        "deleted_with_source: false, any: 3y",
    )


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
        # "Enterprise ... custom retention, minimum 90 days": a window under it is too short.
        "a-minimum-by-setting-fails-a-shorter-window",
        changed(ZDR, ("max",), setting={"id": "custom_retention", "value": "on"}, min="90d"),
        {
            "stores": [
                changed(
                    API_LOGS,
                    retention_by_setting=[
                        {"setting": "custom_retention", "value": "on", "window": "30d"}
                    ],
                )
            ]
        },
        [
            (
                F,
                AL,
                "store api_logs keeps conversations with custom_retention on for 30d, shorter "
                "than the 90d the policy requires",
            )
        ],
    ),
    Case(
        "a-window-between-minimum-and-maximum-by-setting-passes",
        changed(ZDR, setting={"id": "custom_retention", "value": "on"}, min="90d", max="1y"),
        {
            "stores": [
                changed(
                    API_LOGS,
                    retention_by_setting=[
                        {"setting": "custom_retention", "value": "on", "window": "180d"}
                    ],
                )
            ]
        },
        [(P, AL, "store api_logs keeps conversations with custom_retention on for 180d")],
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
