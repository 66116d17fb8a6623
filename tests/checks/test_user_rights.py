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
