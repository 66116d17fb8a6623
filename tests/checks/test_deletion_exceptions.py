"""Deletion exceptions: ``checker/checks/deletion_exceptions.py``.

A clause allows copies kept apart from their source (any kind but ``legal_hold``) or legal
holds (``legal_hold``); its own findings judge each copy or hold in its scope: a copy's longest
window within ``max``, a hold with a reason and, under a ``max``, an end no further than ``max``
after its start. The deletion promises that need these exceptions are retention's
(``tests/checks/test_retention.py``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from checker.checks import deletion_exceptions
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
    assert_declared(deletion_exceptions.CHECK, "deletion_exceptions", "retention", Severity.HIGH)


REVIEWED: dict[str, Any] = {
    "id": "human-reviewed-kept",
    "statement": "Human-reviewed chats are kept separately, up to 3 years",
    "kind": "reviewed_copy",
    "data_kinds": ["conversations"],
    "max": "3y",
    "reason": "human review for quality and safety",
}
HOLDS: dict[str, Any] = {
    "id": "litigation-holds",
    "statement": "Deleted chats may be kept under a court's preservation order",
    "kind": "legal_hold",
    "data_kinds": ["conversations"],
    "tier_groups": ["consumer"],
    "reason": "court preservation orders",
}
CHATS: dict[str, Any] = {
    "id": "chats",
    "data_kinds": ["conversations"],
    "tiers": ["free", "pro"],
    "retention": {"any": "30d"},
}
COPY: dict[str, Any] = {
    "id": "reviewed",
    "copy_of": ["chats"],
    "deleted_with_source": False,
    "copy_reason": "human review",
    "retention": {"any": "3y"},
}
CACHE: dict[str, Any] = {"id": "cache", "copy_of": ["chats"], "deleted_with_source": True}
HOLD: dict[str, Any] = {
    "id": "nyt",
    "reason": "preservation order of 2025-05-13",
    "stores": ["chats"],
    "from": "2026-05-13",
    "until": "2026-12-26",
}
COPY_NAMED = "store reviewed, a copy of chats (human review),"
HOLD_NAMED = "legal hold nyt (from 2026-05-13 until 2026-12-26)"


def copy(drop: tuple[str, ...] = (), **fields: Any) -> dict[str, Any]:
    return changed(COPY, drop, **fields)


def hold(drop: tuple[str, ...] = (), **fields: Any) -> dict[str, Any]:
    return changed(HOLD, drop, **fields)


def holds(*items: dict[str, Any]) -> dict[str, Any]:
    return {"stores": [CHATS], "legal_holds": list(items)}


COPY_CASES = [
    Case(
        "a-copy-within-the-limit-passes",
        REVIEWED,
        {"stores": [CHATS, COPY, CACHE]},
        [(P, "store:reviewed", f"{COPY_NAMED} keeps conversations for 3y (within the 3y allowed)")],
    ),
    Case(
        "a-copy-kept-longer-fails",
        REVIEWED,
        {"stores": [CHATS, copy(retention={"any": "5y"})]},
        [
            (
                F,
                "store:reviewed",
                f"{COPY_NAMED} keeps conversations for 5y, longer than the 3y the exception allows",
            )
        ],
    ),
    Case(
        "without-max-any-window-passes",
        changed(REVIEWED, ("max",)),
        {"stores": [CHATS, copy(retention={"any": "indefinite"})]},
        [
            (
                P,
                "store:reviewed",
                f"{COPY_NAMED} keeps conversations for indefinite (no limit set)",
            )
        ],
    ),
    Case(
        "a-copy-without-every-window-is-not-evidenced",
        REVIEWED,
        {"stores": [CHATS, copy(retention={"training_allowed": "1y"})]},
        [
            (
                N,
                "store:reviewed",
                f"{COPY_NAMED} does not record how long it keeps conversations in every "
                "consent state",
            )
        ],
    ),
    Case(
        "a-copy-not-saying-whether-it-is-deleted-with-its-source-is-judged",
        REVIEWED,
        {"stores": [CHATS, copy(("deleted_with_source", "copy_reason"))]},
        [
            (
                P,
                "store:reviewed",
                "store reviewed, a copy of chats, keeps conversations for 3y "
                "(within the 3y allowed)",
            )
        ],
    ),
    Case(
        "copies-deleted-with-their-source-need-no-exception",
        REVIEWED,
        {"stores": [CHATS, CACHE]},
        [(P, "stores", "no store keeps a copy of conversations apart from its source")],
    ),
    Case(
        "a-copy-of-other-tiers-is-out-of-scope",
        changed(REVIEWED, tier_groups=["business"]),
        {"stores": [CHATS, COPY]},
        [(P, "stores", "no store keeps a copy of conversations apart from its source")],
    ),
    Case(
        "no-stores-is-not-evidenced",
        REVIEWED,
        {},
        [(N, "stores", "the snapshot does not record its data stores")],
    ),
]


@pytest.mark.parametrize("case", COPY_CASES, ids=ids(COPY_CASES))
def test_copies_kept_apart(case: Case) -> None:
    assert triples(observe(deletion_exceptions.CHECK, case.clause, case.snapshot)) == case.expected


HOLD_CASES = [
    Case(
        "an-active-hold-with-a-reason-passes",
        HOLDS,
        holds(HOLD),
        [(P, "legal_hold:nyt", f"{HOLD_NAMED} is allowed: preservation order of 2025-05-13")],
    ),
    Case(
        "a-hold-without-a-reason-fails",
        HOLDS,
        holds(hold(("reason",))),
        [
            (
                F,
                "legal_hold:nyt",
                f"{HOLD_NAMED} is not allowed by the exception: it records no reason",
            )
        ],
    ),
    Case(
        "an-open-ended-hold-under-a-max-fails",
        changed(HOLDS, max="1y"),
        holds(hold(until=None)),
        [
            (
                F,
                "legal_hold:nyt",
                "legal hold nyt (from 2026-05-13 with no end) is not allowed by the exception: "
                "it has no end, and litigation-holds allows holds of at most 1y",
            )
        ],
    ),
    Case(
        "a-hold-longer-than-max-fails",
        changed(HOLDS, max="90d"),
        holds(HOLD),
        [
            (
                F,
                "legal_hold:nyt",
                f"{HOLD_NAMED} is not allowed by the exception: it lasts 227 days, longer than "
                "the 90d litigation-holds allows",
            )
        ],
    ),
    Case(
        "a-hold-within-max-passes",
        changed(HOLDS, max="1y"),
        holds(HOLD),
        [(P, "legal_hold:nyt", f"{HOLD_NAMED} is allowed: preservation order of 2025-05-13")],
    ),
    Case(
        "a-hold-of-tiers-outside-the-exception-fails",
        HOLDS,
        holds(hold(tiers=["pro", "team"])),
        [
            (
                F,
                "legal_hold:nyt",
                f"{HOLD_NAMED} is not allowed by the exception: it holds team data, which "
                "litigation-holds does not cover",
            )
        ],
    ),
    Case(
        "a-hold-on-stores-of-unknown-tiers-fails-a-tier-bound-exception",
        HOLDS,
        {"stores": [changed(CHATS, ("tiers",))], "legal_holds": [HOLD]},
        [
            (
                F,
                "legal_hold:nyt",
                f"{HOLD_NAMED} is not allowed by the exception: the tiers it holds are not "
                "recorded, and litigation-holds covers only some",
            )
        ],
    ),
    Case(
        "an-ended-hold-is-reported-not-judged",
        HOLDS,
        holds(hold(("reason",), until="2026-09-26")),
        [
            (
                P,
                "legal_hold:nyt",
                "legal hold nyt (from 2026-05-13 until 2026-09-26) does not suspend deletion "
                "on 2026-11-21",
            )
        ],
    ),
    Case(
        "a-hold-of-other-data-is-out-of-scope",
        HOLDS,
        {
            "stores": [CHATS, {"id": "prefs", "data_kinds": ["preferences"]}],
            "legal_holds": [hold(stores=["prefs"])],
        },
        [(P, "legal_holds", "no legal hold suspends deletion of conversations")],
    ),
    Case(
        "no-holds-passes",
        HOLDS,
        holds(),
        [(P, "legal_holds", "no legal hold suspends deletion of conversations")],
    ),
    Case(
        "no-legal-holds-section-is-not-evidenced",
        HOLDS,
        {"stores": [CHATS]},
        [(N, "legal_holds", "the snapshot does not record its legal holds")],
    ),
]


@pytest.mark.parametrize("case", HOLD_CASES, ids=ids(HOLD_CASES))
def test_legal_holds(case: Case) -> None:
    assert triples(observe(deletion_exceptions.CHECK, case.clause, case.snapshot)) == case.expected


def test_the_data_a_hold_keeps_is_named() -> None:
    limited = hold(data_created={"from": "2026-04-01", "to": "2026-09-30"})
    [found] = observe(deletion_exceptions.CHECK, HOLDS, holds(limited))
    assert found.message == (
        "legal hold nyt (from 2026-05-13 until 2026-12-26, on data created from 2026-04-01 "
        "to 2026-09-30) is allowed: preservation order of 2025-05-13"
    )


def test_a_hold_that_has_not_started_is_not_active() -> None:
    [found] = observe(deletion_exceptions.CHECK, HOLDS, holds(HOLD), as_of=dt.date(2026, 1, 1))
    assert (found.status, found.actual) == (P, "not active")


WHERE = [
    Where(
        "a-long-copy-points-at-its-retention-and-the-max",
        REVIEWED,
        {"stores": [CHATS, copy(retention={"any": "5y"})]},
        ("stores", 1, "retention"),
        ("max",),
        "copies of conversations kept apart at most 3y",
        "any: 5y",
    ),
    Where(
        "a-hold-points-at-itself",
        changed(HOLDS, max="90d"),
        holds(HOLD),
        ("legal_holds", 0),
        ("max",),
        "legal holds with a reason, at most 90d long",
        "from 2026-05-13 until 2026-12-26, reason: preservation order of 2025-05-13",
    ),
    Where(
        "a-hold-without-reason-under-no-max-blames-no-field",
        HOLDS,
        holds(hold(("reason",), until=None)),
        ("legal_holds", 0),
        (),
        "legal holds with a reason",
        "from 2026-05-13 until no end, no reason",
    ),
]


@pytest.mark.parametrize("case", WHERE, ids=ids(WHERE))
def test_deletion_exceptions_point_at_the_evidence(case: Where) -> None:
    [found] = observe(deletion_exceptions.CHECK, case.clause, case.snapshot)
    assert pointer(found) == case.pointer
