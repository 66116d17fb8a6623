"""Security: ``checker/checks/security.py``.

Each case is a clause and a snapshot, and the exact observations expected.
"""

from __future__ import annotations

from typing import Any

import pytest

from checker.checks import security
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
    assert_declared(security.CHECK, "security", "security", Severity.HIGH)


SECURITY: dict[str, Any] = {
    "id": "encryption",
    "statement": "encrypted with managed, rotated keys",
    "data_kinds": ["conversations"],
    "encryption_at_rest": "required",
    "encryption_in_transit": "required",
    "key_management": ["aws_kms", "hsm"],
    "key_rotation": "1y",
}
ENCRYPTION: dict[str, Any] = {
    "at_rest": True,
    "in_transit": True,
    "key_manager": "aws_kms",
    "key_rotation": "1y",
}
CHAT: dict[str, Any] = {
    "id": "chat-primary",
    "data_kinds": ["conversations"],
    "encryption": ENCRYPTION,
}
SC = "store:chat-primary"
ALL_GOOD = [
    (P, SC, "store chat-primary is encrypted at rest"),
    (P, SC, "store chat-primary is encrypted in transit"),
    (P, SC, "the encryption keys of store chat-primary are managed by aws_kms"),
    (P, SC, "store chat-primary rotates its encryption keys every 1y"),
]


def chat(**encryption: Any) -> dict[str, Any]:
    """The chat store with some encryption fields changed (None removes the field)."""
    values = {k: v for k, v in {**ENCRYPTION, **encryption}.items() if v is not None}
    return changed(CHAT, encryption=values)


SECURITY_CASES = [
    Case("all-requirements-pass", SECURITY, {"stores": [CHAT]}, ALL_GOOD),
    Case(
        "unencrypted-at-rest-fails",
        SECURITY,
        {"stores": [chat(at_rest=False)]},
        [
            (F, SC, "store chat-primary does not encrypt conversations at rest"),
            *ALL_GOOD[1:],
        ],
    ),
    Case(
        "in-transit-not-recorded",
        SECURITY,
        {"stores": [chat(in_transit=None)]},
        [
            ALL_GOOD[0],
            (N, SC, "store chat-primary does not record whether it is encrypted in transit"),
            *ALL_GOOD[2:],
        ],
    ),
    Case(
        "unencrypted-in-transit-fails",
        SECURITY,
        {"stores": [chat(in_transit=False)]},
        [
            ALL_GOOD[0],
            (F, SC, "store chat-primary does not encrypt conversations in transit"),
            *ALL_GOOD[2:],
        ],
    ),
    Case(
        "key-manager-not-allowed-fails",
        SECURITY,
        {"stores": [chat(key_manager="local_file")]},
        [
            *ALL_GOOD[:2],
            (
                F,
                SC,
                "the encryption keys of store chat-primary are managed by local_file, not by a "
                "key manager the policy allows (aws_kms or hsm)",
            ),
            ALL_GOOD[3],
        ],
    ),
    Case(
        "key-manager-not-recorded",
        SECURITY,
        {"stores": [chat(key_manager=None)]},
        [
            *ALL_GOOD[:2],
            (N, SC, "store chat-primary does not record who manages its encryption keys"),
            ALL_GOOD[3],
        ],
    ),
    Case(
        "rotation-too-slow-fails",
        SECURITY,
        {"stores": [chat(key_rotation="2y")]},
        [
            *ALL_GOOD[:3],
            (
                F,
                SC,
                "store chat-primary rotates its encryption keys every 2y, less "
                "often than the 1y the policy requires",
            ),
        ],
    ),
    Case(
        "rotation-indefinite-fails",
        SECURITY,
        {"stores": [chat(key_rotation="indefinite")]},
        [
            *ALL_GOOD[:3],
            (
                F,
                SC,
                "store chat-primary never rotates its encryption keys; the "
                "policy requires rotation at least every 1y",
            ),
        ],
    ),
    Case(
        "rotation-not-recorded",
        SECURITY,
        {"stores": [chat(key_rotation=None)]},
        [
            *ALL_GOOD[:3],
            (N, SC, "store chat-primary does not record how often its encryption keys are rotated"),
        ],
    ),
    Case(
        "rotation-not-a-duration",
        SECURITY,
        {"stores": [chat(key_rotation="yearly")]},
        [
            *ALL_GOOD[:3],
            (
                N,
                SC,
                "store chat-primary does not record how often its encryption "
                "keys are rotated ('yearly' is not a duration)",
            ),
        ],
    ),
    Case(
        "rotation-equal-in-other-units-passes",
        SECURITY,
        {"stores": [chat(key_rotation="P365D")]},
        [
            *ALL_GOOD[:3],
            (P, SC, "store chat-primary rotates its encryption keys every P365D"),
        ],
    ),
    Case(
        "no-encryption-block-is-one-finding",
        SECURITY,
        {"stores": [changed(CHAT, ("encryption",))]},
        [
            (N, SC, "store chat-primary records no encryption settings"),
        ],
    ),
    Case(
        "no-store-holds-the-kinds",
        SECURITY,
        {"stores": [changed(CHAT, data_kinds=["preferences"])]},
        [
            (N, "policy", "no store in the snapshot holds conversations"),
        ],
    ),
    Case(
        "no-stores-and-no-kinds",
        changed(SECURITY, ("data_kinds",)),
        {},
        [
            (N, "policy", "the snapshot records no data stores"),
        ],
    ),
    Case(
        "without-kinds-every-store-is-in-scope",
        changed(
            SECURITY,
            ("data_kinds", "key_management", "key_rotation"),
            encryption_in_transit="not_required",
        ),
        {
            "stores": [
                CHAT,
                {"id": "prefs", "data_kinds": ["preferences"], "encryption": {"at_rest": False}},
            ]
        },
        [
            ALL_GOOD[0],
            (F, "store:prefs", "store prefs does not encrypt preferences at rest"),
        ],
    ),
    Case(
        "only-stated-requirements-are-checked",
        {
            "id": "rotation",
            "statement": "keys rotated yearly",
            "encryption_at_rest": "not_required",
            "encryption_in_transit": "not_required",
            "key_rotation": "1y",
        },
        {"stores": [chat(at_rest=False, in_transit=False)]},
        [ALL_GOOD[3]],
    ),
    Case(
        "nothing-required-passes-once",
        {
            "id": "none",
            "statement": "no requirement",
            "encryption_at_rest": "not_required",
            "encryption_in_transit": "not_required",
        },
        {"stores": [chat(at_rest=False)]},
        [
            (P, "policy", "this clause requires neither encryption nor key management"),
        ],
    ),
    Case(
        "stores-without-the-kinds-are-skipped",
        SECURITY,
        {"stores": [{"id": "mail", "data_kinds": ["email"]}, CHAT]},
        ALL_GOOD,
    ),
]


@pytest.mark.parametrize("case", SECURITY_CASES, ids=ids(SECURITY_CASES))
def test_security(case: Case) -> None:
    assert triples(observe(security.CHECK, case.clause, case.snapshot)) == case.expected


SECURITY_WHERE = [
    Where(
        "at-rest",
        changed(SECURITY, ("key_management", "key_rotation"), encryption_in_transit="not_required"),
        {"stores": [chat(at_rest=False)]},
        ("stores", 0, "encryption", "at_rest"),
        ("encryption_at_rest",),
        "encrypted at rest",
        "not encrypted",
    ),
    Where(
        "rotation-missing",
        changed(
            SECURITY,
            ("key_management",),
            encryption_at_rest="not_required",
            encryption_in_transit="not_required",
        ),
        {"stores": [chat(key_rotation=None)]},
        ("stores", 0, "encryption"),
        ("key_rotation",),
        "keys rotated at least every 1y",
        "not recorded in the snapshot",
    ),
    Where(
        "indefinite",
        changed(
            SECURITY,
            ("key_management",),
            encryption_at_rest="not_required",
            encryption_in_transit="not_required",
        ),
        {"stores": [chat(key_rotation="indefinite")]},
        ("stores", 0, "encryption", "key_rotation"),
        ("key_rotation",),
        "keys rotated at least every 1y",
        "never rotated",
    ),
    Where(
        "no-block",
        SECURITY,
        {"stores": [changed(CHAT, ("encryption",))]},
        ("stores", 0),
        (),
        "encrypted at rest; encrypted in transit; keys managed by aws_kms or hsm; keys rotated "
        "at least every 1y",
        "not recorded in the snapshot",
    ),
    Where(
        "no-stores",
        SECURITY,
        {},
        (),
        ("data_kinds",),
        "encrypted at rest; encrypted in transit; keys managed by aws_kms or hsm; keys rotated "
        "at least every 1y",
        "not recorded in the snapshot",
    ),
]


@pytest.mark.parametrize("case", SECURITY_WHERE, ids=ids(SECURITY_WHERE))
def test_security_points_at_the_evidence(case: Where) -> None:
    [obs] = observe(security.CHECK, case.clause, case.snapshot)
    assert (obs.evidence, obs.clause_path, obs.expected, obs.actual) == (
        case.evidence,
        case.clause_path,
        case.expected,
        case.actual,
    )
