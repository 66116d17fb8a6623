"""Access control: ``checker/checks/access_control.py``.

Each case is a clause and a snapshot, and the exact observations expected.
"""

from __future__ import annotations

from typing import Any

import pytest

from checker.checks import access_control
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
    triples,
)


def test_declaration() -> None:
    assert_declared(access_control.CHECK, "access_control", "access", Severity.HIGH)


ACCESS: dict[str, Any] = {
    "id": "trainers-only",
    "statement": "only model trainers, need-based",
    "data_kinds": ["conversations"],
    "allowed_roles": ["model_trainer"],
    "need_based": True,
}
GUARDED: dict[str, Any] = {
    "id": "chat-primary",
    "data_kinds": ["conversations", "preferences"],
    "access": {"roles": ["model_trainer"], "need_based": True},
}
SC = "store:chat-primary"
ROLES_OK = (P, SC, "only model_trainer can access store chat-primary")
NEED_OK = (P, SC, "access to store chat-primary is granted only when needed")


def guarded(drop: tuple[str, ...] = (), **access: Any) -> dict[str, Any]:
    return changed(GUARDED, access=changed(GUARDED["access"], drop, **access))


ACCESS_CASES = [
    Case("allowed-roles-need-based-passes", ACCESS, {"stores": [GUARDED]}, [ROLES_OK, NEED_OK]),
    Case(
        "extra-roles-fail-naming-them",
        ACCESS,
        {"stores": [guarded(roles=["model_trainer", "support", "analyst"])]},
        [
            (
                F,
                SC,
                "roles support and analyst can access store chat-primary, which holds "
                "conversations, but only model_trainer may",
            ),
            NEED_OK,
        ],
    ),
    Case(
        "one-extra-role",
        ACCESS,
        {"stores": [guarded(roles=["support"])]},
        [
            (
                F,
                SC,
                "role support can access store chat-primary, which holds conversations, but "
                "only model_trainer may",
            ),
            NEED_OK,
        ],
    ),
    Case(
        "no-role-is-within-the-allowed-set",
        ACCESS,
        {"stores": [guarded(roles=[])]},
        [
            (P, SC, "no role can access store chat-primary"),
            NEED_OK,
        ],
    ),
    Case(
        "standing-access-fails",
        ACCESS,
        {"stores": [guarded(need_based=False)]},
        [
            ROLES_OK,
            (F, SC, "access to store chat-primary is standing, not granted only when needed"),
        ],
    ),
    Case(
        "need-based-not-recorded",
        ACCESS,
        {"stores": [guarded(("need_based",))]},
        [
            ROLES_OK,
            (
                N,
                SC,
                "store chat-primary does not record whether access is granted only when needed",
            ),
        ],
    ),
    Case(
        "roles-not-recorded",
        ACCESS,
        {"stores": [guarded(("roles",))]},
        [
            (N, SC, "store chat-primary does not record which roles can access it"),
            NEED_OK,
        ],
    ),
    Case(
        "no-access-block-is-one-finding",
        ACCESS,
        {"stores": [changed(GUARDED, ("access",))]},
        [
            (N, SC, "store chat-primary does not record who can access it"),
        ],
    ),
    Case(
        "need-based-only-when-asked",
        changed(ACCESS, ("need_based",)),
        {"stores": [guarded(need_based=False)]},
        [ROLES_OK],
    ),
    Case(
        "only-stores-with-the-kinds",
        ACCESS,
        {
            "stores": [
                {"id": "prefs", "data_kinds": ["preferences"], "access": {"roles": ["support"]}},
                GUARDED,
            ]
        },
        [ROLES_OK, NEED_OK],
    ),
    Case(
        "no-store-holds-the-kinds",
        ACCESS,
        {"stores": []},
        [
            (N, "policy", "no store in the snapshot holds conversations"),
        ],
    ),
]


@pytest.mark.parametrize("case", ACCESS_CASES, ids=ids(ACCESS_CASES))
def test_access_control(case: Case) -> None:
    assert triples(observe(access_control.CHECK, case.clause, case.snapshot)) == case.expected


def test_access_control_points_at_the_roles() -> None:
    failure, _ = observe(access_control.CHECK, ACCESS, {"stores": [guarded(roles=["support"])]})
    assert (failure.evidence, failure.clause_path, failure.expected, failure.actual) == (
        ("stores", 0, "access", "roles"),
        ("allowed_roles",),
        "access only for model_trainer",
        "roles: support",
    )
