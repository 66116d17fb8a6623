"""User rights: ``checker/checks/user_rights.py``.

Each case is a clause and a snapshot, and the exact observations expected.
"""

from __future__ import annotations

from typing import Any

import pytest

from checker.checks import user_rights
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
    triples,
)


def test_declaration() -> None:
    assert_declared(user_rights.CHECK, "user_rights", "user_rights", Severity.HIGH)


DELETION: dict[str, Any] = {
    "id": "deletion-30d",
    "statement": "deleted within 30 days, confirmed",
    "right": "deletion",
    "deadline": "30d",
    "confirmation": True,
}
EXPORT: dict[str, Any] = {
    "id": "export",
    "statement": "export as JSON or CSV",
    "right": "export",
    "formats": ["json", "csv"],
}
RIGHTS: dict[str, Any] = {
    "deletion": {"exposed": True, "deadline": "30d", "confirmation": True},
    "export": {"exposed": True, "formats": ["json", "csv"]},
    "storage_opt_out": {"exposed": True},
}
UD, UX = "user_rights:deletion", "user_rights:export"
CAN_DELETE = (P, UD, "users can delete their data")
ON_TIME = (P, UD, "requests to delete their data are honoured within 30d")
CONFIRMED = (P, UD, "users who delete their data are sent a confirmation")


def rights(right: str, drop: tuple[str, ...] = (), **settings: Any) -> dict[str, Any]:
    return {"user_rights": {**RIGHTS, right: changed(RIGHTS[right], drop, **settings)}}


USER_RIGHTS_CASES = [
    Case(
        "deletion-honoured-passes",
        DELETION,
        {"user_rights": RIGHTS},
        [CAN_DELETE, ON_TIME, CONFIRMED],
    ),
    Case(
        "late-deadline-fails",
        DELETION,
        rights("deletion", deadline="45d"),
        [
            CAN_DELETE,
            (
                F,
                UD,
                "requests to delete their data are honoured within 45d, later than the 30d the "
                "policy promises",
            ),
            CONFIRMED,
        ],
    ),
    Case(
        "deadline-in-other-units-passes",
        DELETION,
        rights("deletion", deadline="P1M"),
        [
            CAN_DELETE,
            (P, UD, "requests to delete their data are honoured within P1M"),
            CONFIRMED,
        ],
    ),
    Case(
        "no-deadline-fails",
        DELETION,
        rights("deletion", deadline="indefinite"),
        [
            CAN_DELETE,
            (F, UD, "requests to delete their data have no deadline; the policy promises 30d"),
            CONFIRMED,
        ],
    ),
    Case(
        "deadline-not-recorded",
        DELETION,
        rights("deletion", ("deadline",)),
        [
            CAN_DELETE,
            (
                N,
                UD,
                "the snapshot does not record how quickly requests to delete their data are "
                "honoured",
            ),
            CONFIRMED,
        ],
    ),
    Case(
        "no-confirmation-fails",
        DELETION,
        rights("deletion", confirmation=False),
        [
            CAN_DELETE,
            ON_TIME,
            (F, UD, "users who delete their data are not sent a confirmation"),
        ],
    ),
    Case(
        "confirmation-not-recorded",
        DELETION,
        rights("deletion", ("confirmation",)),
        [
            CAN_DELETE,
            ON_TIME,
            (
                N,
                UD,
                "the snapshot does not record whether users who delete their data are sent a "
                "confirmation",
            ),
        ],
    ),
    Case(
        "right-not-offered-fails-alone",
        DELETION,
        rights("deletion", exposed=False, deadline="90d"),
        [
            (F, UD, "users cannot delete their data: the control is not offered"),
        ],
    ),
    Case(
        "exposure-not-recorded-still-checks-the-rest",
        DELETION,
        rights("deletion", ("exposed",), deadline="45d"),
        [
            (N, UD, "the snapshot does not record whether users can delete their data"),
            (
                F,
                UD,
                "requests to delete their data are honoured within 45d, later than the 30d the "
                "policy promises",
            ),
            CONFIRMED,
        ],
    ),
    Case(
        "right-not-recorded",
        DELETION,
        {"user_rights": {"export": RIGHTS["export"]}},
        [
            (N, UD, "the snapshot does not record whether users can delete their data"),
        ],
    ),
    Case(
        "no-user-rights-section",
        DELETION,
        {},
        [
            (N, UD, "the snapshot does not record whether users can delete their data"),
        ],
    ),
    Case(
        "export-in-a-listed-format-passes",
        EXPORT,
        rights("export", formats=["pdf", "JSON"]),
        [
            (P, UX, "users can export their data"),
            (P, UX, "users can export their data as json"),
        ],
    ),
    Case(
        "export-only-as-pdf-fails",
        EXPORT,
        rights("export", formats=["pdf"]),
        [
            (P, UX, "users can export their data"),
            (
                F,
                UX,
                "users can export their data only as pdf, not as json or csv as the policy "
                "requires",
            ),
        ],
    ),
    Case(
        "export-in-no-format-fails",
        EXPORT,
        rights("export", formats=[]),
        [
            (P, UX, "users can export their data"),
            (F, UX, "users can export their data in no format; the policy requires json or csv"),
        ],
    ),
    Case(
        "export-formats-not-recorded",
        EXPORT,
        rights("export", ("formats",)),
        [
            (P, UX, "users can export their data"),
            (
                N,
                UX,
                "the snapshot does not record the formats in which users can export their data",
            ),
        ],
    ),
    Case(
        "opt-out-only-needs-the-control",
        {"id": "opt-out", "statement": "users can opt out", "right": "storage_opt_out"},
        {"user_rights": RIGHTS},
        [
            (P, "user_rights:storage_opt_out", "users can opt out of storage"),
        ],
    ),
]


@pytest.mark.parametrize("case", USER_RIGHTS_CASES, ids=ids(USER_RIGHTS_CASES))
def test_user_rights(case: Case) -> None:
    assert triples(observe(user_rights.CHECK, case.clause, case.snapshot)) == case.expected


USER_RIGHTS_WHERE = [
    Where(
        "late",
        changed(DELETION, ("confirmation",)),
        rights("deletion", deadline="45d"),
        ("user_rights", "deletion", "deadline"),
        ("deadline",),
        "honoured within 30d",
        "within 45d",
        {"index": 1},
    ),
    Where(
        "not-offered",
        DELETION,
        rights("deletion", exposed=False),
        ("user_rights", "deletion", "exposed"),
        ("right",),
        "users can delete their data",
        "not offered",
    ),
    Where(
        "no-section",
        DELETION,
        {"metadata": {}},
        (),
        (),
        "users can delete their data",
        "not recorded in the snapshot",
    ),
    Where(
        "right-missing",
        DELETION,
        {"user_rights": {}},
        ("user_rights",),
        (),
        "users can delete their data",
        "not recorded in the snapshot",
    ),
    Where(
        "pdf",
        EXPORT,
        rights("export", formats=["pdf"]),
        ("user_rights", "export", "formats"),
        ("formats",),
        "offered as json or csv",
        "formats: pdf",
        {"index": 1},
    ),
]


@pytest.mark.parametrize("case", USER_RIGHTS_WHERE, ids=ids(USER_RIGHTS_WHERE))
def test_user_rights_points_at_the_evidence(case: Where) -> None:
    obs = observe(user_rights.CHECK, case.clause, case.snapshot)[case.extra.get("index", 0)]
    assert (obs.evidence, obs.clause_path, obs.expected, obs.actual) == (
        case.evidence,
        case.clause_path,
        case.expected,
        case.actual,
    )


# --- tiers offered and not offered, and the lifetime of what a request produces -------------

# "Export ... within 7 days; the link expires after 24 hours; not offered to Business or
# Enterprise" (help.openai.com, article 7260999): here consumer is free and pro, business is
# team and enterprise.
EXPORT_PER_TIER: dict[str, Any] = {
    "id": "export-consumer-only",
    "statement": "consumers can export, within 7 days, through a link valid 24 hours",
    "right": "export",
    "tier_groups": ["consumer"],
    "not_offered_to": ["business"],
    "artefact_lifetime": "24h",
}
TIERS = [
    {"id": tier, "training_default": "trained"} for tier in ("free", "pro", "team", "enterprise")
]
CAN_EXPORT = (P, UX, "users can export their data")
CONSUMERS_CAN = (P, UX, "users of tiers free and pro can export their data")
BUSINESS_CANNOT = (P, UX, "users of tiers team and enterprise cannot export their data")
LINK_24H = (P, UX, "what a request to export their data produces stays available 24h")


def export(
    drop: tuple[str, ...] = (), snapshot_tiers: list[Any] | None = None, **settings: Any
) -> dict[str, Any]:
    base = {"exposed": True, "tiers": ["free", "pro"], "artefact_lifetime": "24h"}
    snapshot: dict[str, Any] = {"user_rights": {"export": changed(base, drop, **settings)}}
    if snapshot_tiers is not None:
        snapshot["tiers"] = snapshot_tiers
    return snapshot


PER_TIER_CASES = [
    Case(
        "offered-to-consumers-only-passes",
        EXPORT_PER_TIER,
        export(),
        [CAN_EXPORT, CONSUMERS_CAN, BUSINESS_CANNOT, LINK_24H],
    ),
    Case(
        "a-consumer-tier-left-out-fails",
        EXPORT_PER_TIER,
        export(tiers=["free"]),
        [
            CAN_EXPORT,
            (
                F,
                UX,
                "users of tier pro cannot export their data: the right is offered only to free",
            ),
            (P, UX, "users of tiers team and enterprise cannot export their data"),
            LINK_24H,
        ],
    ),
    Case(
        "offered-to-no-tier-fails",
        EXPORT_PER_TIER,
        export(tiers=[]),
        [
            CAN_EXPORT,
            (
                F,
                UX,
                "users of tiers free and pro cannot export their data: the right is offered to "
                "no tier",
            ),
            BUSINESS_CANNOT,
            LINK_24H,
        ],
    ),
    Case(
        "offered-to-a-business-tier-fails",
        EXPORT_PER_TIER,
        export(tiers=["free", "pro", "enterprise"]),
        [
            CAN_EXPORT,
            CONSUMERS_CAN,
            (
                F,
                UX,
                "users of tier enterprise can export their data, but the policy says the right "
                "is not offered to them",
            ),
            LINK_24H,
        ],
    ),
    Case(
        "offered-to-every-tier-fails-when-business-tiers-exist",
        EXPORT_PER_TIER,
        export(("tiers",), snapshot_tiers=TIERS),
        [
            CAN_EXPORT,
            (P, UX, "users of every tier can export their data"),
            (
                F,
                UX,
                "users of tiers team and enterprise can export their data: the right is offered "
                "to every tier, but the policy says it is not offered to them",
            ),
            LINK_24H,
        ],
    ),
    Case(
        "offered-to-every-tier-passes-when-no-business-tier-exists",
        EXPORT_PER_TIER,
        export(("tiers",), snapshot_tiers=TIERS[:2]),
        [
            CAN_EXPORT,
            (P, UX, "users of every tier can export their data"),
            (
                P,
                UX,
                "the right is offered to every tier, and the snapshot has no tiers team and "
                "enterprise",
            ),
            LINK_24H,
        ],
    ),
    Case(
        "offered-to-every-tier-of-unknown-tiers-is-not-evidenced",
        EXPORT_PER_TIER,
        export(("tiers",)),
        [
            CAN_EXPORT,
            (P, UX, "users of every tier can export their data"),
            (
                N,
                UX,
                "the snapshot records neither the tiers users can export their data in nor the "
                "tiers it has",
            ),
            LINK_24H,
        ],
    ),
    Case(
        "a-link-valid-a-week-fails",
        EXPORT_PER_TIER,
        export(artefact_lifetime="7d"),
        [
            CAN_EXPORT,
            CONSUMERS_CAN,
            BUSINESS_CANNOT,
            (
                F,
                UX,
                "what a request to export their data produces stays available 7d, longer than "
                "the 24h the policy promises",
            ),
        ],
    ),
    Case(
        "a-link-valid-in-other-units-passes",
        EXPORT_PER_TIER,
        export(artefact_lifetime="PT12H"),
        [
            CAN_EXPORT,
            CONSUMERS_CAN,
            BUSINESS_CANNOT,
            (P, UX, "what a request to export their data produces stays available PT12H"),
        ],
    ),
    Case(
        "a-link-that-never-expires-fails",
        EXPORT_PER_TIER,
        export(artefact_lifetime="indefinite"),
        [
            CAN_EXPORT,
            CONSUMERS_CAN,
            BUSINESS_CANNOT,
            (
                F,
                UX,
                "what a request to export their data produces stays available indefinitely; "
                "the policy promises at most 24h",
            ),
        ],
    ),
    Case(
        "a-lifetime-not-recorded-is-not-evidenced",
        EXPORT_PER_TIER,
        export(("artefact_lifetime",)),
        [
            CAN_EXPORT,
            CONSUMERS_CAN,
            BUSINESS_CANNOT,
            (
                N,
                UX,
                "the snapshot does not record how long what a request to export their data "
                "produces stays available",
            ),
        ],
    ),
    Case(
        "a-lifetime-that-is-no-duration-is-not-evidenced",
        EXPORT_PER_TIER,
        export(artefact_lifetime="a day"),
        [
            CAN_EXPORT,
            CONSUMERS_CAN,
            BUSINESS_CANNOT,
            (
                N,
                UX,
                "the snapshot does not record how long what a request to export their data "
                "produces stays available ('a day' is not a duration)",
            ),
        ],
    ),
    Case(
        "a-right-not-offered-at-all-is-not-judged-per-tier",
        EXPORT_PER_TIER,
        export(exposed=False),
        [(F, UX, "users cannot export their data: the control is not offered")],
    ),
]


@pytest.mark.parametrize("case", PER_TIER_CASES, ids=ids(PER_TIER_CASES))
def test_user_rights_per_tier(case: Case) -> None:
    assert triples(observe(user_rights.CHECK, case.clause, case.snapshot)) == case.expected


PER_TIER_WHERE = [
    Where(
        "tier-left-out",
        EXPORT_PER_TIER,
        export(tiers=["free"]),
        ("user_rights", "export", "tiers"),
        ("tier_groups",),
        "offered to tiers free and pro",
        "offered to free",
        {"index": 1},
    ),
    Where(
        "business-tier-offered",
        EXPORT_PER_TIER,
        export(tiers=["free", "pro", "team"]),
        ("user_rights", "export", "tiers"),
        ("not_offered_to",),
        "not offered to tiers team and enterprise",
        "offered to free, pro and team",
        {"index": 2},
    ),
    Where(
        "every-tier",
        EXPORT_PER_TIER,
        export(("tiers",), snapshot_tiers=TIERS),
        ("user_rights", "export"),
        ("not_offered_to",),
        "not offered to tiers team and enterprise",
        "every tier",
        {"index": 2},
    ),
    Where(
        "long-link",
        EXPORT_PER_TIER,
        export(artefact_lifetime="2d"),
        ("user_rights", "export", "artefact_lifetime"),
        ("artefact_lifetime",),
        "available at most 24h",
        "2d",
        {"index": 3},
    ),
    Where(
        "lifetime-missing",
        EXPORT_PER_TIER,
        export(("artefact_lifetime",)),
        ("user_rights", "export"),
        ("artefact_lifetime",),
        "available at most 24h",
        "not recorded in the snapshot",
        {"index": 3},
    ),
]


@pytest.mark.parametrize("case", PER_TIER_WHERE, ids=ids(PER_TIER_WHERE))
def test_user_rights_per_tier_points_at_the_evidence(case: Where) -> None:
    obs = observe(user_rights.CHECK, case.clause, case.snapshot)[case.extra.get("index", 0)]
    assert (obs.evidence, obs.clause_path, obs.expected, obs.actual) == case.pointer
