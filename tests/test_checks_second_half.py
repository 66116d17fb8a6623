"""Checks for sharing, security, access control, user rights, breach notification, governance
and custom rules: each case is a clause and a snapshot, and the exact observations expected."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest

from checker.checks import (
    access_control,
    breach_notification,
    custom_rules,
    governance,
    security,
    sharing,
    user_rights,
)
from checker.checks.base import Check, CheckContext, Vocabulary
from checker.diagnostics import JsonPath
from checker.model import Observation, Severity, Status

P, F, N, E = Status.PASS, Status.FAIL, Status.NOT_EVIDENCED, Status.ERROR
AS_OF = dt.date(2026, 11, 21)
POLICY: dict[str, Any] = {
    "vocabulary": {
        "tier_groups": {"consumer": {"tiers": ["free", "pro"]}},
        "data_kinds": {
            "conversations": {"description": "chat transcripts"},
            "preferences": {"description": "avatar, name, voice"},
            "email": {"description": "account email", "identifiable": True},
        },
        "roles": {"model_trainer": {"description": "trains models"}},
    }
}

Expected = list[tuple[Status, str, str]]


@dataclass(frozen=True)
class Case:
    id: str
    clause: dict[str, Any]
    snapshot: dict[str, Any]
    expected: Expected
    as_of: dt.date = AS_OF


@dataclass(frozen=True)
class Where:
    """Where a single observation points: its evidence, clause field, expected and actual."""

    id: str
    clause: dict[str, Any]
    snapshot: dict[str, Any]
    evidence: JsonPath | None
    clause_path: JsonPath
    expected: str
    actual: str
    extra: dict[str, Any] = field(default_factory=dict)


def observe(
    check: Check, clause: Mapping[str, Any], snapshot: Mapping[str, Any], as_of: dt.date = AS_OF
) -> list[Observation]:
    ctx = CheckContext(clause, POLICY, snapshot, Vocabulary.from_policy(POLICY), as_of)
    return list(check.run(ctx))


def triples(observations: list[Observation]) -> Expected:
    return [(o.status, o.resource, o.message) for o in observations]


def changed(base: Mapping[str, Any], drop: tuple[str, ...] = (), **values: Any) -> dict[str, Any]:
    """A copy of ``base`` without the keys in ``drop`` and with ``values`` set."""
    out = {k: v for k, v in base.items() if k not in drop}
    out.update(values)
    return out


def ids(cases: list[Case] | list[Where]) -> list[str]:
    return [c.id for c in cases]


# --- sharing -----------------------------------------------------------------------------------

SHARING: dict[str, Any] = {
    "id": "third-party-sharing",
    "statement": "anonymised data only to research partners under NDA, never sold",
    "identifiable_data": "never",
    "sale": "never",
    "allowed_recipients": [
        {
            "kind": "research_partner",
            "anonymised": True,
            "agreements": ["nda"],
            "purposes": ["model_improvement"],
        },
    ],
}
LAB: dict[str, Any] = {
    "id": "research-lab",
    "kind": "research_partner",
    "data_kinds": ["conversations"],
    "identifiable": False,
    "anonymised": True,
    "agreements": ["nda"],
    "purpose": "model_improvement",
    "sale": False,
}
AD_NET = changed(LAB, id="ad-net", kind="advertiser", purpose="ads")
RL = "recipient:research-lab"
LAB_LABEL = "research partner research-lab"

SHARING_CASES = [
    Case(
        "lab-under-nda-passes",
        SHARING,
        {"recipients": [LAB]},
        [
            (
                P,
                RL,
                f"{LAB_LABEL} receives conversations anonymised, under an NDA, for "
                "model_improvement, as the policy allows",
            ),
        ],
    ),
    Case(
        "no-recipients-key-not-evidenced",
        SHARING,
        {"stores": []},
        [
            (N, "recipients", "the snapshot does not record who receives data"),
        ],
    ),
    Case(
        "empty-recipients-passes",
        SHARING,
        {"recipients": []},
        [
            (P, "recipients", "the snapshot records that no third party receives data"),
        ],
    ),
    Case(
        "missing-nda-fails",
        SHARING,
        {"recipients": [changed(LAB, agreements=[])]},
        [
            (F, RL, f"{LAB_LABEL} receives conversations without an NDA"),
        ],
    ),
    Case(
        "not-anonymised-and-no-nda-fails-once-naming-both",
        SHARING,
        {"recipients": [changed(LAB, anonymised=False, agreements=["dpa"])]},
        [
            (F, RL, f"{LAB_LABEL} receives conversations without anonymisation and without an NDA"),
        ],
    ),
    Case(
        "purpose-not-allowed-fails",
        SHARING,
        {"recipients": [changed(LAB, purpose="marketing")]},
        [
            (
                F,
                RL,
                f"{LAB_LABEL} receives conversations for marketing, a purpose the policy does "
                "not allow (only model_improvement)",
            ),
        ],
    ),
    Case(
        "sale-fails",
        SHARING,
        {"recipients": [changed(LAB, sale=True)]},
        [
            (
                F,
                RL,
                f"{LAB_LABEL} receives conversations as a sale, but the policy forbids "
                "selling data",
            ),
        ],
    ),
    Case(
        "sale-allowed-by-clause-passes",
        changed(SHARING, sale="allowed"),
        {"recipients": [changed(LAB, sale=True)]},
        [
            (
                P,
                RL,
                f"{LAB_LABEL} receives conversations anonymised, under an NDA, for "
                "model_improvement, as the policy allows",
            ),
        ],
    ),
    Case(
        "identifiable-flag-fails",
        SHARING,
        {"recipients": [changed(LAB, identifiable=True)]},
        [
            (
                F,
                RL,
                f"{LAB_LABEL} receives identifiable data, but the policy forbids sharing "
                "identifiable data",
            ),
        ],
    ),
    Case(
        "identifiable-kind-from-vocabulary-fails",
        SHARING,
        {"recipients": [changed(LAB, data_kinds=["conversations", "email"])]},
        [
            (
                F,
                RL,
                f"{LAB_LABEL} receives identifiable data (email), but the policy forbids "
                "sharing identifiable data",
            ),
        ],
    ),
    Case(
        "identifiable-with-dpa-missing-dpa-fails",
        changed(SHARING, identifiable_data="with_dpa"),
        {"recipients": [changed(LAB, identifiable=True)]},
        [
            (F, RL, f"{LAB_LABEL} receives identifiable data without a DPA"),
        ],
    ),
    Case(
        "identifiable-with-dpa-passes",
        changed(SHARING, identifiable_data="with_dpa"),
        {"recipients": [changed(LAB, identifiable=True, agreements=["nda", "dpa"])]},
        [
            (
                P,
                RL,
                f"{LAB_LABEL} receives conversations anonymised, under an NDA and a DPA, for "
                "model_improvement, as the policy allows",
            ),
        ],
    ),
    Case(
        "kind-not-allowed-fails",
        SHARING,
        {"recipients": [AD_NET]},
        [
            (
                F,
                "recipient:ad-net",
                "advertiser ad-net receives conversations, but recipient kind "
                "advertiser is not allowed to receive data",
            ),
        ],
    ),
    Case(
        "nobody-allowed-fails",
        changed(SHARING, allowed_recipients=[]),
        {"recipients": [LAB]},
        [
            (
                F,
                RL,
                f"{LAB_LABEL} receives conversations, but recipient kind research_partner is "
                "not allowed to receive data",
            ),
        ],
    ),
    Case(
        "several-broken-terms-are-separate-failures",
        SHARING,
        {"recipients": [changed(AD_NET, sale=True, identifiable=True)]},
        [
            (
                F,
                "recipient:ad-net",
                "advertiser ad-net receives conversations as a sale, but the "
                "policy forbids selling data",
            ),
            (
                F,
                "recipient:ad-net",
                "advertiser ad-net receives identifiable data, but the policy "
                "forbids sharing identifiable data",
            ),
            (
                F,
                "recipient:ad-net",
                "advertiser ad-net receives conversations, but recipient kind "
                "advertiser is not allowed to receive data",
            ),
        ],
    ),
    Case(
        "anonymisation-not-recorded",
        SHARING,
        {"recipients": [changed(LAB, ("anonymised",))]},
        [
            (
                N,
                RL,
                "the snapshot does not record whether the data it receives is anonymised for "
                f"{LAB_LABEL}",
            ),
        ],
    ),
    Case(
        "sale-and-agreements-not-recorded",
        SHARING,
        {"recipients": [changed(LAB, ("sale", "agreements"))]},
        [
            (
                N,
                RL,
                "the snapshot does not record whether data is sold to it and its agreements "
                f"for {LAB_LABEL}",
            ),
        ],
    ),
    Case(
        "purpose-not-recorded",
        SHARING,
        {"recipients": [changed(LAB, ("purpose",))]},
        [
            (N, RL, f"the snapshot does not record its purpose for {LAB_LABEL}"),
        ],
    ),
    Case(
        "kind-and-identifiable-not-recorded",
        SHARING,
        {"recipients": [changed(LAB, ("kind", "identifiable"))]},
        [
            (
                N,
                RL,
                "the snapshot does not record whether the data it receives is identifiable "
                "and its kind for recipient research-lab",
            ),
        ],
    ),
    Case(
        "a-failure-does-not-hide-missing-evidence",
        SHARING,
        {"recipients": [changed(LAB, ("anonymised",), sale=True)]},
        [
            (
                F,
                RL,
                f"{LAB_LABEL} receives conversations as a sale, but the policy forbids "
                "selling data",
            ),
            (
                N,
                RL,
                "the snapshot does not record whether the data it receives is anonymised for "
                f"{LAB_LABEL}",
            ),
        ],
    ),
    Case(
        "known-gap-in-one-entry-unknown-in-another-is-not-evidenced",
        changed(
            SHARING,
            allowed_recipients=[
                {"kind": "research_partner", "anonymised": False, "agreements": ["scc"]},
                {"kind": "research_partner", "anonymised": True, "agreements": []},
            ],
        ),
        {"recipients": [changed(LAB, ("anonymised",))]},
        [
            (
                N,
                RL,
                "the snapshot does not record whether the data it receives is anonymised for "
                f"{LAB_LABEL}",
            ),
        ],
    ),
    Case(
        "any-allowed-entry-of-the-kind-suffices",
        changed(
            SHARING,
            allowed_recipients=[
                {"kind": "research_partner", "anonymised": True, "agreements": ["nda", "scc"]},
                {"kind": "research_partner", "anonymised": True, "agreements": ["dpa"]},
            ],
        ),
        {"recipients": [changed(LAB, agreements=["dpa"])]},
        [
            (
                P,
                RL,
                f"{LAB_LABEL} receives conversations anonymised, under a DPA, as the policy allows",
            ),
        ],
    ),
    Case(
        "closest-entry-names-the-gap",
        changed(
            SHARING,
            allowed_recipients=[
                {"kind": "research_partner", "anonymised": True, "agreements": ["nda", "scc"]},
                {"kind": "research_partner", "anonymised": False, "agreements": ["dpa"]},
            ],
        ),
        {"recipients": [changed(LAB, agreements=["nda"])]},
        [
            (F, RL, f"{LAB_LABEL} receives conversations without standard contractual clauses"),
        ],
    ),
    Case(
        "one-observation-per-recipient-in-order",
        SHARING,
        {"recipients": [changed(LAB, data_kinds=[], purpose="model_improvement"), AD_NET]},
        [
            (
                P,
                RL,
                f"{LAB_LABEL} receives data anonymised, under an NDA, for model_improvement, "
                "as the policy allows",
            ),
            (
                F,
                "recipient:ad-net",
                "advertiser ad-net receives conversations, but recipient kind "
                "advertiser is not allowed to receive data",
            ),
        ],
    ),
]


@pytest.mark.parametrize("case", SHARING_CASES, ids=ids(SHARING_CASES))
def test_sharing(case: Case) -> None:
    assert triples(observe(sharing.CHECK, case.clause, case.snapshot)) == case.expected


SHARING_WHERE = [
    Where(
        "missing-nda",
        SHARING,
        {"recipients": [changed(LAB, agreements=[])]},
        ("recipients", 0, "agreements"),
        ("allowed_recipients", 0, "agreements"),
        "research partner receives anonymised data under an NDA for model_improvement",
        "anonymised; agreements: none; purpose: model_improvement",
    ),
    Where(
        "two-gaps",
        SHARING,
        {"recipients": [changed(LAB, anonymised=False, agreements=[])]},
        ("recipients", 0),
        ("allowed_recipients", 0),
        "research partner receives anonymised data under an NDA for model_improvement",
        "not anonymised; agreements: none; purpose: model_improvement",
    ),
    Where(
        "sale",
        SHARING,
        {"recipients": [changed(LAB, sale=True)]},
        ("recipients", 0, "sale"),
        ("sale",),
        "no sale of data",
        "data sold",
    ),
    Where(
        "identifiable-kind",
        SHARING,
        {"recipients": [changed(LAB, data_kinds=["email"])]},
        ("recipients", 0, "data_kinds"),
        ("identifiable_data",),
        "no identifiable data shared",
        "identifiable data (email)",
    ),
    Where(
        "without-dpa",
        changed(SHARING, identifiable_data="with_dpa"),
        {"recipients": [changed(LAB, identifiable=True)]},
        ("recipients", 0, "agreements"),
        ("identifiable_data",),
        "identifiable data only under a DPA",
        "agreements: NDA",
    ),
    Where(
        "kind",
        SHARING,
        {"recipients": [AD_NET]},
        ("recipients", 0, "kind"),
        ("allowed_recipients",),
        "a recipient of kind research_partner",
        "kind advertiser",
    ),
    Where(
        "nobody-allowed",
        changed(SHARING, allowed_recipients=[]),
        {"recipients": [LAB]},
        ("recipients", 0, "kind"),
        ("allowed_recipients",),
        "nobody receives data",
        "kind research_partner",
    ),
    Where(
        "no-recipients",
        SHARING,
        {},
        (),
        (),
        "no sale; no identifiable data; only the recipients the policy allows",
        "not recorded in the snapshot",
    ),
    Where(
        "field-missing",
        SHARING,
        {"recipients": [changed(LAB, ("purpose",))]},
        ("recipients", 0),
        (),
        "recorded purpose",
        "not recorded in the snapshot",
    ),
]


@pytest.mark.parametrize("case", SHARING_WHERE, ids=ids(SHARING_WHERE))
def test_sharing_points_at_the_evidence(case: Where) -> None:
    [obs] = observe(sharing.CHECK, case.clause, case.snapshot)
    assert (obs.evidence, obs.clause_path, obs.expected, obs.actual) == (
        case.evidence,
        case.clause_path,
        case.expected,
        case.actual,
    )


# --- security ----------------------------------------------------------------------------------

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


# --- access control ----------------------------------------------------------------------------

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


# --- user rights -------------------------------------------------------------------------------

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


# --- breach notification -----------------------------------------------------------------------

USERS_72H: dict[str, Any] = {
    "id": "notify-users-72h",
    "statement": "users told within 72 hours",
    "audience": "users",
    "within": "72h",
}
REGULATORS_72H = changed(USERS_72H, id="notify-regulators", audience="regulators")
IR = "incident_response"


def response(**fields: str) -> dict[str, Any]:
    return {"incident_response": fields}


BREACH_CASES = [
    Case(
        "on-time-passes",
        USERS_72H,
        response(notify_users_within="72h"),
        [
            (P, IR, "affected users are notified of a breach within 72h"),
        ],
    ),
    Case(
        "same-time-other-units-passes",
        USERS_72H,
        response(notify_users_within="P3D"),
        [
            (P, IR, "affected users are notified of a breach within P3D"),
        ],
    ),
    Case(
        "late-fails",
        USERS_72H,
        response(notify_users_within="96h"),
        [
            (
                F,
                IR,
                "affected users are notified of a breach within 96h, later than the 72h the "
                "policy requires",
            ),
        ],
    ),
    Case(
        "no-deadline-fails",
        USERS_72H,
        response(notify_users_within="indefinite"),
        [
            (
                F,
                IR,
                "no deadline is set for notifying affected users of a breach; the policy "
                "requires 72h",
            ),
        ],
    ),
    Case(
        "audience-picks-the-field",
        REGULATORS_72H,
        response(notify_users_within="24h", notify_regulators_within="5d"),
        [
            (
                F,
                IR,
                "regulators are notified of a breach within 5d, later than the 72h the policy "
                "requires",
            ),
        ],
    ),
    Case(
        "field-not-recorded",
        REGULATORS_72H,
        response(notify_users_within="24h"),
        [
            (N, IR, "the snapshot does not record how quickly regulators are notified of a breach"),
        ],
    ),
    Case(
        "field-not-a-duration",
        USERS_72H,
        response(notify_users_within="asap"),
        [
            (
                N,
                IR,
                "the snapshot does not record how quickly affected users are notified of a "
                "breach ('asap' is not a duration)",
            ),
        ],
    ),
    Case(
        "no-incident-response",
        USERS_72H,
        {},
        [
            (N, IR, "the snapshot records no incident response settings"),
        ],
    ),
]


@pytest.mark.parametrize("case", BREACH_CASES, ids=ids(BREACH_CASES))
def test_breach_notification(case: Case) -> None:
    assert triples(observe(breach_notification.CHECK, case.clause, case.snapshot)) == case.expected


BREACH_WHERE = [
    Where(
        "late",
        USERS_72H,
        response(notify_users_within="96h"),
        ("incident_response", "notify_users_within"),
        ("within",),
        "affected users notified within 72h",
        "within 96h",
    ),
    Where(
        "missing-field",
        USERS_72H,
        response(),
        ("incident_response",),
        (),
        "affected users notified within 72h",
        "not recorded in the snapshot",
    ),
    Where(
        "missing-section",
        USERS_72H,
        {},
        (),
        (),
        "affected users notified within 72h",
        "not recorded in the snapshot",
    ),
]


@pytest.mark.parametrize("case", BREACH_WHERE, ids=ids(BREACH_WHERE))
def test_breach_notification_points_at_the_evidence(case: Where) -> None:
    [obs] = observe(breach_notification.CHECK, case.clause, case.snapshot)
    assert (obs.evidence, obs.clause_path, obs.expected, obs.actual) == (
        case.evidence,
        case.clause_path,
        case.expected,
        case.actual,
    )


# --- governance --------------------------------------------------------------------------------

REVIEW: dict[str, Any] = {
    "id": "internal-review",
    "statement": "reviewed every year",
    "activity": "internal_review",
    "every": "1y",
}
GI = "governance:internal_review"


def reviewed(last: Any, **more: str) -> dict[str, Any]:
    return {"governance": {"internal_review": {"last": last, **more}}}


GOVERNANCE_CASES = [
    Case(
        "recent-review-passes",
        REVIEW,
        reviewed("2026-06-01", by="privacy team"),
        [
            (
                P,
                GI,
                "the last internal review was on 2026-06-01, 173 days (about 6 months) before "
                "2026-11-21, within the required 1y",
            ),
        ],
    ),
    Case(
        "old-review-fails",
        REVIEW,
        reviewed("2025-01-10"),
        [
            (
                F,
                GI,
                "the last internal review was on 2025-01-10, 680 days (about 23 months) before "
                "2026-11-21; the policy requires one every 1y",
            ),
        ],
    ),
    Case(
        "exactly-one-year-passes",
        REVIEW,
        reviewed("2025-11-21"),
        [
            (
                P,
                GI,
                "the last internal review was on 2025-11-21, 365 days (about 12 months) before "
                "2026-11-21, within the required 1y",
            ),
        ],
    ),
    Case(
        "one-day-over-fails",
        REVIEW,
        reviewed("2025-11-20"),
        [
            (
                F,
                GI,
                "the last internal review was on 2025-11-20, 366 days (about 12 months) before "
                "2026-11-21; the policy requires one every 1y",
            ),
        ],
    ),
    Case(
        "yesterday-passes",
        REVIEW,
        reviewed("2026-11-20"),
        [
            (
                P,
                GI,
                "the last internal review was on 2026-11-20, 1 day before 2026-11-21, within "
                "the required 1y",
            ),
        ],
    ),
    Case(
        "future-date-fails",
        REVIEW,
        reviewed("2026-12-01"),
        [
            (
                F,
                GI,
                "the last internal review is dated 2026-12-01, after the as-of date 2026-11-21, "
                "so the record cannot be trusted",
            ),
        ],
    ),
    Case(
        "as-of-date-decides",
        REVIEW,
        reviewed("2026-06-01"),
        [
            (
                F,
                GI,
                "the last internal review was on 2026-06-01, 395 days (about 13 months) before "
                "2027-07-01; the policy requires one every 1y",
            ),
        ],
        as_of=dt.date(2027, 7, 1),
    ),
    Case(
        "date-object-is-read",
        REVIEW,
        reviewed(dt.date(2026, 11, 1)),
        [
            (
                P,
                GI,
                "the last internal review was on 2026-11-01, 20 days before 2026-11-21, within "
                "the required 1y",
            ),
        ],
    ),
    Case(
        "not-a-date",
        REVIEW,
        reviewed("last spring"),
        [
            (N, GI, "the snapshot records no date for the last internal review"),
        ],
    ),
    Case(
        "no-date",
        REVIEW,
        {"governance": {"internal_review": {"by": "privacy team"}}},
        [
            (N, GI, "the snapshot records no date for the last internal review"),
        ],
    ),
    Case(
        "activity-not-recorded",
        REVIEW,
        {"governance": {"external_audit": {"last": "2026-01-01"}}},
        [
            (N, GI, "the snapshot records no internal review"),
        ],
    ),
    Case(
        "no-governance-section",
        REVIEW,
        {},
        [
            (N, GI, "the snapshot records no internal review"),
        ],
    ),
    Case(
        "six-monthly-board",
        {
            "id": "board",
            "statement": "board meets twice a year",
            "activity": "oversight_board",
            "every": "6mo",
        },
        {"governance": {"oversight_board": {"last": "2026-05-01"}}},
        [
            (
                F,
                "governance:oversight_board",
                "the last oversight board meeting was on 2026-05-01, "
                "204 days (about 7 months) before 2026-11-21; the "
                "policy requires one every 6mo",
            ),
        ],
    ),
]


@pytest.mark.parametrize("case", GOVERNANCE_CASES, ids=ids(GOVERNANCE_CASES))
def test_governance(case: Case) -> None:
    found = observe(governance.CHECK, case.clause, case.snapshot, case.as_of)
    assert triples(found) == case.expected


GOVERNANCE_WHERE = [
    Where(
        "old",
        REVIEW,
        reviewed("2025-01-10", by="privacy team"),
        ("governance", "internal_review", "last"),
        ("every",),
        "internal review within 1y before 2026-11-21",
        "last on 2025-01-10 by privacy team",
    ),
    Where(
        "no-date",
        REVIEW,
        {"governance": {"internal_review": {}}},
        ("governance", "internal_review"),
        ("every",),
        "internal review within 1y before 2026-11-21",
        "not recorded in the snapshot",
    ),
    Where(
        "no-activity",
        REVIEW,
        {"governance": {}},
        ("governance",),
        (),
        "internal review within 1y before 2026-11-21",
        "not recorded in the snapshot",
    ),
]


@pytest.mark.parametrize("case", GOVERNANCE_WHERE, ids=ids(GOVERNANCE_WHERE))
def test_governance_points_at_the_evidence(case: Where) -> None:
    [obs] = observe(governance.CHECK, case.clause, case.snapshot)
    assert (obs.evidence, obs.clause_path, obs.expected, obs.actual) == (
        case.evidence,
        case.clause_path,
        case.expected,
        case.actual,
    )


# --- custom rules ------------------------------------------------------------------------------

IN_EU: dict[str, Any] = {
    "id": "stores-in-eu",
    "statement": "stores stay in the EU",
    "for_each": "stores",
    "assert": "starts_with(region, 'eu-')",
    "message": "store is outside the EU",
}
STORES: dict[str, Any] = {
    "stores": [
        {"id": "chat-primary", "region": "eu-west-1"},
        {"id": "chat-backups", "region": "us-east-1"},
    ]
}
EU_PASS = (P, "stores:chat-primary", "chat-primary satisfies \"starts_with(region, 'eu-')\"")


def rule(drop: tuple[str, ...] = (), **fields: Any) -> dict[str, Any]:
    """``IN_EU`` changed; ``assert_`` sets ``assert`` (a Python keyword)."""
    if "assert_" in fields:
        fields["assert"] = fields.pop("assert_")
    return changed(IN_EU, drop, **fields)


def values(*items: Any) -> dict[str, Any]:
    return {"items": [{"id": f"v{i}", "value": v} for i, v in enumerate(items)]}


CUSTOM_CASES = [
    Case(
        "assertion-passes-and-fails-with-message",
        IN_EU,
        STORES,
        [
            EU_PASS,
            (F, "stores:chat-backups", "chat-backups: store is outside the EU"),
        ],
    ),
    Case(
        "default-failure-names-the-assertion",
        rule(("message",)),
        STORES,
        [
            EU_PASS,
            (
                F,
                "stores:chat-backups",
                "chat-backups does not satisfy \"starts_with(region, 'eu-')\"",
            ),
        ],
    ),
    Case(
        "resource-expression-names-items",
        rule(resource="region"),
        STORES,
        [
            (P, "stores:eu-west-1", "eu-west-1 satisfies \"starts_with(region, 'eu-')\""),
            (F, "stores:us-east-1", "us-east-1: store is outside the EU"),
        ],
    ),
    Case(
        "unnamed-item-uses-its-position",
        IN_EU,
        {"stores": [{"region": "us-east-1"}]},
        [
            (F, "stores:[0]", 'item 0 of "stores": store is outside the EU'),
        ],
    ),
    Case(
        "jmespath-truthiness",
        {"id": "truthy", "statement": "values are set", "for_each": "items", "assert": "value"},
        values(False, None, [], {}, "", 0, "no", [0], {"a": None}, True),
        [
            (F, "items:v0", 'v0 does not satisfy "value"'),
            (F, "items:v1", 'v1 does not satisfy "value"'),
            (F, "items:v2", 'v2 does not satisfy "value"'),
            (F, "items:v3", 'v3 does not satisfy "value"'),
            (F, "items:v4", 'v4 does not satisfy "value"'),
            (P, "items:v5", 'v5 satisfies "value"'),
            (P, "items:v6", 'v6 satisfies "value"'),
            (P, "items:v7", 'v7 satisfies "value"'),
            (P, "items:v8", 'v8 satisfies "value"'),
            (P, "items:v9", 'v9 satisfies "value"'),
        ],
    ),
    Case(
        "filtered-list",
        rule(
            ("message",), for_each="stores[?region != 'eu-west-1']", assert_="region == 'eu-west-1'"
        ),
        STORES,
        [
            (
                F,
                "chat-backups",
                "chat-backups does not satisfy \"region == 'eu-west-1'\"",
            ),
        ],
    ),
    Case(
        "scalar-items-name-themselves",
        {
            "id": "regions",
            "statement": "regions in the EU",
            "for_each": "stores[].region",
            "assert": "starts_with(@, 'eu-')",
        },
        STORES,
        [
            (P, "eu-west-1", "eu-west-1 satisfies \"starts_with(@, 'eu-')\""),
            (
                F,
                "us-east-1",
                "us-east-1 does not satisfy \"starts_with(@, 'eu-')\"",
            ),
        ],
    ),
    Case(
        "nothing-at-for-each-is-not-evidenced",
        rule(for_each="recipients"),
        STORES,
        [
            (
                N,
                "policy",
                'the snapshot records nothing at "recipients", so the rule has nothing to check; '
                'no object in the snapshot has a field "recipients"',
            ),
        ],
    ),
    Case(
        "empty-list-is-not-evidenced",
        IN_EU,
        {"stores": []},
        [
            (
                N,
                "policy",
                '"stores" selects nothing, so there is nothing to judge; check the expression, '
                "or set allow_empty: true if the rule may select nothing",
            ),
        ],
    ),
    Case(
        "empty-list-passes-once-when-allowed",
        {**IN_EU, "allow_empty": True},
        {"stores": []},
        [
            (P, "policy", '"stores" selects nothing, which the rule allows (allow_empty: true)'),
        ],
    ),
    Case(
        "for-each-not-a-list-is-an-error",
        rule(for_each="metadata"),
        {"metadata": {"system": "claude"}},
        [
            (
                E,
                "policy",
                'the for_each expression "metadata" did not yield a list (it gave an object)',
            ),
        ],
    ),
    Case(
        "for-each-evaluation-error",
        rule(for_each="abs(metadata)"),
        {"metadata": {"system": "claude"}},
        [
            (
                E,
                "policy",
                'the for_each expression "abs(metadata)" could not be evaluated: In '
                "function abs(), invalid type for value: {'system': 'claude'}, expected "
                "one of: ['number'], received: \"object\"",
            ),
        ],
    ),
    Case(
        "assert-type-error-is-an-error-for-that-item",
        {"id": "sizes", "statement": "sizes", "for_each": "stores", "assert": "length(size)"},
        {"stores": [{"id": "a", "size": "abc"}, {"id": "b", "size": 5}]},
        [
            (P, "stores:a", 'a satisfies "length(size)"'),
            (
                E,
                "stores:b",
                "the assert expression could not be evaluated on b: In function "
                "length(), invalid type for value: 5, expected one of: ['string', "
                "'array', 'object'], received: \"number\"",
            ),
        ],
    ),
    Case(
        "resource-type-error-is-an-error-for-that-item",
        rule(resource="abs(id)"),
        {"stores": [{"id": "a", "region": "eu-west-1"}]},
        [
            (
                E,
                "stores:[0]",
                'the resource expression "abs(id)" could not be evaluated on item 0 '
                'of "stores": In function abs(), invalid type for value: a, '
                "expected one of: ['number'], received: \"string\"",
            ),
        ],
    ),
    Case(
        "invalid-expressions-are-errors",
        rule(for_each="stores[", assert_="lenght(region)"),
        STORES,
        [
            (
                E,
                "policy",
                'the for_each expression "stores[" is not valid JMESPath: the '
                "expression ends too early (column 8)",
            ),
            (
                E,
                "policy",
                'the assert expression "lenght(region)" is not valid JMESPath: unknown '
                "function lenght() at column 1; did you mean length()?",
            ),
        ],
    ),
]


@pytest.mark.parametrize("case", CUSTOM_CASES, ids=ids(CUSTOM_CASES))
def test_custom_rules(case: Case) -> None:
    assert triples(observe(custom_rules.CHECK, case.clause, case.snapshot)) == case.expected


CUSTOM_WHERE = [
    Where(
        "plain-path",
        IN_EU,
        STORES,
        ("stores", 1),
        ("assert",),
        "\"starts_with(region, 'eu-')\" is true",
        "false",
        {"index": 1},
    ),
    Where(
        "dotted-path",
        rule(for_each="cloud.stores"),
        {"cloud": STORES},
        ("cloud", "stores", 1),
        ("assert",),
        "\"starts_with(region, 'eu-')\" is true",
        "false",
        {"index": 1},
    ),
    Where(
        "filter-traces-the-item",
        rule(for_each="stores[?region != 'eu-west-1']"),
        STORES,
        ("stores", 1),
        ("assert",),
        "\"starts_with(region, 'eu-')\" is true",
        "false",
    ),
    Where(
        "scalar-projection-has-no-path",
        rule(for_each="stores[].region", assert_="@ == 'x'"),
        STORES,
        None,
        ("assert",),
        "\"@ == 'x'\" is true",
        "false",
    ),
    Where(
        "missing-list-points-at-nearest-parent",
        rule(for_each="cloud.stores"),
        {"cloud": {}},
        ("cloud",),
        ("for_each",),
        'a list at "cloud.stores"',
        "not recorded in the snapshot",
    ),
    Where(
        "not-a-list",
        rule(for_each="metadata"),
        {"metadata": {}},
        ("metadata",),
        ("for_each",),
        "a list of items",
        "error",
    ),
    Where(
        "invalid",
        rule(resource="[?"),
        STORES,
        None,
        ("resource",),
        "a valid JMESPath expression",
        "invalid expression",
    ),
]


@pytest.mark.parametrize("case", CUSTOM_WHERE, ids=ids(CUSTOM_WHERE))
def test_custom_rules_points_at_the_evidence(case: Where) -> None:
    obs = observe(custom_rules.CHECK, case.clause, case.snapshot)[case.extra.get("index", 0)]
    assert (obs.evidence, obs.clause_path, obs.expected, obs.actual) == (
        case.evidence,
        case.clause_path,
        case.expected,
        case.actual,
    )


COMPILE_CASES: list[tuple[str, dict[str, Any], list[tuple[str, str]]]] = [
    (
        "valid",
        {"for_each": "stores[?region]", "resource": "id", "assert": "length(data_kinds) > `0`"},
        [],
    ),
    (
        "unexpected-token",
        {"for_each": "stores[?region==]", "assert": "true"},
        [
            (
                "for_each",
                'the for_each expression "stores[?region==]" is not valid JMESPath: '
                "unexpected ']' at column 17",
            ),
        ],
    ),
    (
        "incomplete",
        {"for_each": "stores", "assert": "region == "},
        [
            (
                "assert",
                'the assert expression "region == " is not valid JMESPath: the expression '
                "ends too early (column 11)",
            ),
        ],
    ),
    (
        "ends-after-dot",
        {"for_each": "stores.", "assert": "true"},
        [
            (
                "for_each",
                'the for_each expression "stores." is not valid JMESPath: the expression '
                "ends too early (column 8)",
            ),
        ],
    ),
    (
        "unknown-token",
        {"for_each": "stores", "assert": "a $ b"},
        [
            (
                "assert",
                'the assert expression "a $ b" is not valid JMESPath: unknown token $ at column 3',
            ),
        ],
    ),
    (
        "unclosed-quote",
        {"for_each": "stores", "assert": "region == 'eu"},
        [
            (
                "assert",
                "the assert expression \"region == 'eu\" is not valid JMESPath: unclosed ' "
                "delimiter at column 11",
            ),
        ],
    ),
    (
        "empty",
        {"for_each": "stores", "resource": "", "assert": "true"},
        [
            (
                "resource",
                'the resource expression "" is not valid JMESPath: the expression is empty',
            ),
        ],
    ),
    (
        "unknown-function",
        {"for_each": "stores", "assert": "region && lenght(id) > `1`"},
        [
            (
                "assert",
                'the assert expression "region && lenght(id) > `1`" is not valid JMESPath: '
                "unknown function lenght() at column 11; did you mean length()?",
            ),
        ],
    ),
    (
        "unknown-function-without-hint",
        {"for_each": "stores", "assert": "frobnicate(@)"},
        [
            (
                "assert",
                'the assert expression "frobnicate(@)" is not valid JMESPath: unknown '
                "function frobnicate() at column 1",
            ),
        ],
    ),
    (
        "wrong-argument-count",
        {"for_each": "stores", "assert": "contains(data_kinds)"},
        [
            (
                "assert",
                'the assert expression "contains(data_kinds)" is not valid JMESPath: '
                "function contains() takes 2 arguments but is given 1 (column 1)",
            ),
        ],
    ),
    (
        "too-few-variadic-arguments",
        {"for_each": "stores", "assert": "region || not_null()"},
        [
            (
                "assert",
                'the assert expression "region || not_null()" is not valid JMESPath: '
                "function not_null() takes at least 1 argument but is given 0 (column 11)",
            ),
        ],
    ),
    (
        "nested-call-checked",
        {"for_each": "sort_by(stores, &length(id, id))", "assert": "true"},
        [
            (
                "for_each",
                'the for_each expression "sort_by(stores, &length(id, id))" is not valid '
                "JMESPath: function length() takes 1 argument but is given 2 (column 18)",
            ),
        ],
    ),
    (
        "obsolete-backtick-string",
        {"for_each": "stores", "assert": "region == `eu`"},
        [
            (
                "assert",
                'the assert expression "region == `eu`" is not valid JMESPath: a string is '
                "written in backticks, an obsolete form; write strings in single quotes, "
                "such as 'eu'",
            ),
        ],
    ),
    (
        "several-fields",
        {"for_each": "[", "resource": "id(", "assert": "true"},
        [
            (
                "for_each",
                'the for_each expression "[" is not valid JMESPath: the expression ends '
                "too early (column 2)",
            ),
            (
                "resource",
                'the resource expression "id(" is not valid JMESPath: the expression ends '
                "too early (column 4)",
            ),
        ],
    ),
    ("non-strings-are-left-to-the-schema", {"for_each": 3, "assert": None}, []),
]


@pytest.mark.parametrize(
    ("clause", "expected"), [c[1:] for c in COMPILE_CASES], ids=[c[0] for c in COMPILE_CASES]
)
def test_custom_rules_compile_errors(
    clause: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    assert custom_rules.compile_errors(clause) == expected


def test_custom_rules_compile_each_expression_once() -> None:
    first = custom_rules.compile_expression("stores[?region == 'eu-central-1']")
    assert custom_rules.compile_expression("stores[?region == 'eu-central-1']") is first
    assert first.path is None
    assert custom_rules.compile_expression('a."odd key"').path == ("a", "odd key")


def test_obsolete_backticks_are_reported_every_time() -> None:
    """The jmespath library caches parses; the warning must not be lost on a second compile."""
    custom_rules.compile_expression.cache_clear()
    expression = "region == `us`"
    assert custom_rules.compile_errors({"assert": expression})
    custom_rules.compile_expression.cache_clear()
    assert custom_rules.compile_errors({"assert": expression})


# --- the checks as registered ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("check", "section", "area", "severity"),
    [
        (sharing.CHECK, "sharing", "sharing", Severity.CRITICAL),
        (security.CHECK, "security", "security", Severity.HIGH),
        (access_control.CHECK, "access_control", "access", Severity.HIGH),
        (user_rights.CHECK, "user_rights", "user_rights", Severity.HIGH),
        (breach_notification.CHECK, "breach_notification", "breach", Severity.CRITICAL),
        (governance.CHECK, "governance", "governance", Severity.MEDIUM),
        (custom_rules.CHECK, "custom_rules", "custom", Severity.MEDIUM),
    ],
    ids=lambda v: v.id if isinstance(v, Check) else None,
)
def test_check_declarations(check: Check, section: str, area: str, severity: Severity) -> None:
    assert (check.id, check.area.value, check.default_severity) == (section, area, severity)
    assert "PASS" in check.doc and "FAIL" in check.doc and "Serves " in check.doc
    assert check.summary == check.doc.strip().splitlines()[0]
