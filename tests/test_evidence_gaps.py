"""Missing evidence on one element is not evidence of compliance.

A clause is about a set of elements (stores holding a data kind, training pipelines…). When one
of them lacks the field the promise needs, that element is *not evidenced*, at its own place and
naming the field — the other elements recording it must not carry the verdict for it. One case
per check where such a gap was found.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from checker.checks import data_minimisation, minors, retention
from checker.checks.base import Check, CheckContext, Vocabulary
from checker.model import Observation, Status
from tests.conftest import REPO, CliRunner

P, F, N = Status.PASS, Status.FAIL, Status.NOT_EVIDENCED
AS_OF = dt.date(2026, 11, 21)
POLICY: dict[str, Any] = {
    "vocabulary": {
        "tier_groups": {"consumer": {"tiers": ["free", "pro"]}},
        "data_kinds": {
            "conversations": {"description": "chat transcripts"},
            "preferences": {"description": "avatar, name, voice"},
            "email": {"description": "account email", "identifiable": True},
        },
        "sensitive_categories": {"mental_health": {"description": "mental health"}},
    }
}
EXAMPLES = REPO / "policies" / "examples"
LIBRARY = REPO / "policies" / "library" / "anthropic-consumer-2025.yaml"


def observe(
    check: Check, clause: Mapping[str, Any], snapshot: Mapping[str, Any]
) -> list[Observation]:
    ctx = CheckContext(clause, POLICY, snapshot, Vocabulary.from_policy(POLICY), AS_OF)
    return list(check.run(ctx))


def by_resource(observations: list[Observation], resource: str) -> list[Observation]:
    return [o for o in observations if o.resource == resource]


# --- minors: preferences ----------------------------------------------------------------------

MINORS: dict[str, Any] = {
    "id": "minors-protected",
    "statement": "minors' preferences are minimised",
    "minimum_age": 13,
    "conversations_stored": True,
    "preferences": "minimised",
    "training": "allowed",
    "preference_kinds": ["preferences"],
}
AGE_GATE = {"enabled": True, "minimum_age": 18}


def test_minors_a_store_of_preferences_that_does_not_record_minors_preferences() -> None:
    snapshot = {
        "age_gate": AGE_GATE,
        "stores": [
            {"id": "prefs", "data_kinds": ["preferences"], "minors_preferences": "minimised"},
            {"id": "prefs-eu", "data_kinds": ["preferences"]},
            {"id": "chats", "data_kinds": ["conversations"]},
        ],
    }
    found = observe(minors.CHECK, MINORS, snapshot)
    assert [(o.status, o.resource) for o in found if o.resource.startswith("store:")] == [
        (P, "store:prefs"),
        (N, "store:prefs-eu"),
    ]
    gap = by_resource(found, "store:prefs-eu")[0]
    assert gap.message == (
        "store prefs-eu holds preferences but does not record how it keeps minors' "
        "preferences (minors_preferences)"
    )
    assert gap.evidence == ("stores", 1)
    assert gap.clause_path == ("preferences",)


def test_minors_without_preference_kinds_every_store_must_record_it() -> None:
    clause = {k: v for k, v in MINORS.items() if k != "preference_kinds"}
    snapshot = {
        "age_gate": AGE_GATE,
        "stores": [
            {"id": "prefs", "data_kinds": ["preferences"], "minors_preferences": "minimised"},
            {"id": "chats", "data_kinds": ["conversations"]},
        ],
    }
    found = observe(minors.CHECK, clause, snapshot)
    gap = by_resource(found, "store:chats")
    assert [(o.status, o.message, o.evidence) for o in gap] == [
        (
            N,
            "store chats does not record how it keeps minors' preferences (minors_preferences)",
            ("stores", 1),
        )
    ]


def test_minors_a_copy_of_user_preferences_without_the_field_fails_the_library_promise(
    run_cli: CliRunner, tmp_path: Path
) -> None:
    text = (EXAMPLES / "compliant" / "snapshot.yaml").read_text(encoding="utf-8")
    copy = (
        "  - id: user-preferences-eu\n"
        "    kind: dynamodb_table\n"
        "    data_kinds: [preferences]\n"
        "    sensitive_categories: []\n"
        "    tiers: [free, pro, max]\n"
        "    holds_minors_data: false\n"
        "    retention: {deleted_by_user: 30d, any: 5y}\n"
        '    deletion_schedule: {defined: true, last_reviewed: "2026-06-15"}\n'
        "    encryption:\n"
        "      {at_rest: true, in_transit: true, key_manager: aws_kms, key_rotation: 1y}\n"
        "    access: {roles: [support_agent], need_based: true}\n"
    )
    text = text.replace("\n# --- Pipelines", copy + "\n# --- Pipelines")
    path = tmp_path / "snapshot.yaml"
    path.write_text(text, encoding="utf-8")
    result = run_cli(
        "check", "--policy", str(LIBRARY), "--snapshot", str(path), "--as-of", "2026-11-21",
        "--format", "json",
    )  # fmt: skip
    assert result.code == 1
    findings = [
        f
        for f in json.loads(result.out)["findings"]
        if f["clause_id"] == "minors-protected" and f["status"] != "pass"
    ]
    line = text.splitlines().index("  - id: user-preferences-eu") + 1
    assert [(f["status"], f["resource"], f["evidence_location"]["line"]) for f in findings] == [
        ("not_evidenced", "store:user-preferences-eu", line)
    ]


# --- retention: consent_state any -------------------------------------------------------------

KEEP_ANY: dict[str, Any] = {
    "id": "chats-1y",
    "statement": "conversations kept at most a year, whatever the consent",
    "data_kinds": ["conversations"],
    "consent_state": "any",
    "max": "1y",
}


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
        (P, "store training-set keeps any conversations for 1y"),
        (P, "store training-set keeps any conversations for 0d"),
        (
            N,
            "store training-set records no retention window for deleted_by_user, "
            "flagged_for_safety or feedback data, nor one for any state",
        ),
    ]
    assert found[-1].evidence == ("stores", 1, "retention")


# --- data_minimisation: allowed_in ------------------------------------------------------------

ALLOWED_IN_STORAGE: dict[str, Any] = {
    "id": "preferences-stored",
    "statement": "preferences are stored for personalisation only",
    "data_kinds": ["preferences"],
    "allowed_in": "storage",
}
PREFS_STORE = {"id": "prefs", "data_kinds": ["preferences"]}


def test_data_minimisation_allowed_in_storage_without_pipelines_or_recipients() -> None:
    found = observe(data_minimisation.CHECK, ALLOWED_IN_STORAGE, {"stores": [PREFS_STORE]})
    assert [(o.status, o.resource, o.message) for o in found] == [
        (P, "store:prefs", "store prefs holds preferences"),
        (N, "pipelines", "the snapshot does not record its data pipelines"),
        (N, "recipients", "the snapshot does not record who receives data"),
    ]


def test_data_minimisation_allowed_in_storage_a_source_that_names_no_store() -> None:
    snapshot = {
        "stores": [PREFS_STORE],
        "pipelines": [{"id": "train", "purpose": "training", "sources": ["prefz"]}],
        "recipients": [],
    }
    found = by_resource(
        observe(data_minimisation.CHECK, ALLOWED_IN_STORAGE, snapshot), "pipeline:train"
    )
    assert [(o.status, o.message, o.evidence) for o in found] == [
        (
            N,
            "training pipeline train reads prefz, which names no store in the snapshot: "
            "whether it reads preferences is not recorded",
            ("pipelines", 0, "sources", 0),
        )
    ]
