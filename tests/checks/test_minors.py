"""Minors' data: ``checker/checks/minors.py``.

Each case is a clause and a snapshot, and the exact observations expected, part by part: the
age gate, minors' conversations not stored, preferences minimised, no training on minors'
data, and resources for guardians.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from checker.checks import minors
from checker.checks.base import CheckContext, Vocabulary
from checker.core.results import Severity
from tests.checks.support import (
    AS_OF,
    POLICY,
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
from tests.conftest import REPO, CliRunner

EXAMPLES = REPO / "policies" / "examples"
LIBRARY = REPO / "policies" / "library" / "anthropic-consumer-2025.yaml"


def test_declaration() -> None:
    assert_declared(minors.CHECK, "minors", "minors", Severity.CRITICAL)


# A clause that promises only the age gate; the other parts are switched on case by case.
GATED: dict[str, Any] = {
    "id": "adults-only",
    "statement": "users must be 18",
    "minimum_age": 18,
    "conversations_stored": True,
    "preferences": "normal",
    "training": "allowed",
}
GATE: dict[str, Any] = {"enabled": True, "minimum_age": 18}
GATE_OK = (P, "age_gate", "the age gate admits users from age 18")

AGE_GATE_CASES = [
    Case("a-gate-at-the-age-passes", GATED, {"age_gate": GATE}, [GATE_OK]),
    Case(
        "a-gate-above-the-age-passes",
        changed(GATED, minimum_age=16),
        {"age_gate": GATE},
        [GATE_OK],
    ),
    Case(
        "a-gate-below-the-age-fails",
        GATED,
        {"age_gate": changed(GATE, minimum_age=13)},
        [(F, "age_gate", "the age gate admits users from age 13, below the promised 18")],
    ),
    Case(
        "a-disabled-gate-fails",
        GATED,
        {"age_gate": changed(GATE, enabled=False)},
        [(F, "age_gate", "the age gate is disabled")],
    ),
    Case(
        "a-gate-without-a-minimum-age-is-not-evidenced",
        GATED,
        {"age_gate": {"enabled": True}},
        [(N, "age_gate", "the age gate records no minimum age")],
    ),
    Case(
        "no-gate-is-not-evidenced",
        GATED,
        {"stores": []},
        [(N, "age_gate", "the snapshot records no age gate")],
    ),
    Case(
        "a-gate-without-enabled-is-not-evidenced",
        GATED,
        {"age_gate": {"minimum_age": 18}},
        [(N, "age_gate", "the snapshot records no age gate")],
    ),
]


@pytest.mark.parametrize("case", AGE_GATE_CASES, ids=ids(AGE_GATE_CASES))
def test_minors_age_gate(case: Case) -> None:
    assert triples(observe(minors.CHECK, case.clause, case.snapshot)) == case.expected


# --- conversations_stored: false -------------------------------------------------------------

NOT_STORED = changed(GATED, conversations_stored=False)
CHATS: dict[str, Any] = {"id": "chats", "data_kinds": ["conversations"], "holds_minors_data": False}
SC = "store:chats"

STORED_CASES = [
    Case(
        "stores-without-minors-data-pass",
        NOT_STORED,
        {"age_gate": GATE, "stores": [CHATS]},
        [GATE_OK, (P, SC, "store chats holds no minors' data")],
    ),
    Case(
        "a-store-holding-minors-data-fails",
        NOT_STORED,
        {"age_gate": GATE, "stores": [changed(CHATS, holds_minors_data=True)]},
        [GATE_OK, (F, SC, "store chats holds minors' conversations")],
    ),
    Case(
        "a-store-that-does-not-record-it-is-not-evidenced",
        NOT_STORED,
        {"age_gate": GATE, "stores": [changed(CHATS, ("holds_minors_data",))]},
        [GATE_OK, (N, SC, "store chats does not record whether it holds minors' data")],
    ),
    Case(
        "no-stores-section-is-not-evidenced",
        NOT_STORED,
        {"age_gate": GATE},
        [GATE_OK, (N, "stores", "the snapshot does not record its data stores")],
    ),
    Case(
        "stored-conversations-allowed-leave-stores-alone",
        GATED,
        {"age_gate": GATE, "stores": [changed(CHATS, holds_minors_data=True)]},
        [GATE_OK],
    ),
]


@pytest.mark.parametrize("case", STORED_CASES, ids=ids(STORED_CASES))
def test_minors_conversations_not_stored(case: Case) -> None:
    assert triples(observe(minors.CHECK, case.clause, case.snapshot)) == case.expected


# --- preferences: minimised ------------------------------------------------------------------

MINIMISED = changed(GATED, preferences="minimised", preference_kinds=["preferences"])
EVERY_STORE = changed(GATED, preferences="minimised")
PREFS: dict[str, Any] = {
    "id": "prefs",
    "data_kinds": ["preferences"],
    "minors_preferences": "minimised",
}
PREFS_OK = (P, "store:prefs", "store prefs minimises minors' preferences")

PREFERENCE_CASES = [
    Case(
        "a-store-of-preferences-minimising-passes",
        MINIMISED,
        {"age_gate": GATE, "stores": [PREFS, {"id": "chats", "data_kinds": ["conversations"]}]},
        [GATE_OK, PREFS_OK],
    ),
    Case(
        "a-store-keeping-preferences-in-full-fails",
        MINIMISED,
        {"age_gate": GATE, "stores": [changed(PREFS, minors_preferences="normal")]},
        [GATE_OK, (F, "store:prefs", "store prefs keeps minors' preferences in full")],
    ),
    Case(
        "a-store-recording-it-is-judged-whatever-it-holds",
        MINIMISED,
        {
            "age_gate": GATE,
            "stores": [PREFS, {**CHATS, "minors_preferences": "normal"}],
        },
        [GATE_OK, PREFS_OK, (F, SC, "store chats keeps minors' preferences in full")],
    ),
    Case(
        "no-store-holding-the-kinds-is-not-evidenced",
        MINIMISED,
        {"age_gate": GATE, "stores": [{"id": "chats", "data_kinds": ["conversations"]}]},
        [GATE_OK, (N, "stores", "no store in the snapshot holds preferences")],
    ),
    Case(
        "without-kinds-no-store-recording-it-is-not-evidenced",
        EVERY_STORE,
        {"age_gate": GATE, "stores": []},
        [GATE_OK, (N, "stores", "no store records how minors' preferences are kept")],
    ),
    Case(
        "without-kinds-a-store-minimising-passes",
        EVERY_STORE,
        {"age_gate": GATE, "stores": [PREFS]},
        [GATE_OK, PREFS_OK],
    ),
    Case(
        "normal-preferences-leave-stores-alone",
        GATED,
        {"age_gate": GATE, "stores": [changed(PREFS, minors_preferences="normal")]},
        [GATE_OK],
    ),
]


@pytest.mark.parametrize("case", PREFERENCE_CASES, ids=ids(PREFERENCE_CASES))
def test_minors_preferences(case: Case) -> None:
    assert triples(observe(minors.CHECK, case.clause, case.snapshot)) == case.expected


# Evidence gaps: one store recording minors_preferences does not carry the verdict for another.

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


# --- training: never (the default) -----------------------------------------------------------

NOT_TRAINED = changed(GATED, training="never")
TRAIN: dict[str, Any] = {
    "id": "train",
    "purpose": "training",
    "sources": ["chats"],
    "filters": ["pii_redaction", "minors"],
}
PT = "pipeline:train"
FILTERED = (P, PT, "training pipeline train filters out minors' data")

TRAINING_CASES = [
    Case(
        "a-pipeline-with-the-minors-filter-passes",
        NOT_TRAINED,
        {"age_gate": GATE, "pipelines": [TRAIN]},
        [GATE_OK, FILTERED],
    ),
    Case(
        "never-is-the-default",
        changed(GATED, ("training",)),
        {"age_gate": GATE, "pipelines": [TRAIN]},
        [GATE_OK, FILTERED],
    ),
    Case(
        "a-pipeline-without-the-minors-filter-fails",
        NOT_TRAINED,
        {"age_gate": GATE, "pipelines": [changed(TRAIN, filters=["pii_redaction"])]},
        [GATE_OK, (F, PT, "training pipeline train does not filter out minors' data")],
    ),
    Case(
        "null-filters-fail-like-none",
        NOT_TRAINED,
        {"age_gate": GATE, "pipelines": [changed(TRAIN, filters=None)]},
        [GATE_OK, (F, PT, "training pipeline train does not filter out minors' data")],
    ),
    Case(
        "unrecorded-filters-are-not-evidenced",
        NOT_TRAINED,
        {"age_gate": GATE, "pipelines": [changed(TRAIN, ("filters",))]},
        [GATE_OK, (N, PT, "pipeline train records no filters")],
    ),
    Case(
        "pipelines-that-do-not-train-are-not-judged",
        NOT_TRAINED,
        {"age_gate": GATE, "pipelines": [changed(TRAIN, purpose="safety", filters=[])]},
        [GATE_OK],
    ),
    Case(
        "no-pipelines-section-is-not-evidenced",
        NOT_TRAINED,
        {"age_gate": GATE},
        [GATE_OK, (N, "pipelines", "the snapshot does not record its data pipelines")],
    ),
]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_minors_a_store_keeping_only_its_preferences_is_named_where_it_is_checked(
    run_cli: CliRunner, tmp_path: Path, jobs: str
) -> None:
    """Both store promises are judged in one pass over the stores: with ``--passes resources``
    the stores keeping the promise are named in the order of the stores, a store keeping
    only its preferences promise where it is, not after every store keeping the other."""
    text = (EXAMPLES / "violating" / "snapshot.yaml").read_text(encoding="utf-8")
    held = "  - id: workspace-transcripts\n"
    minors = "    holds_minors_data: true\n"
    assert text.count(held) == 1 and text.count(minors) == 1
    path = tmp_path / "snapshot.json"  # JSON, read store by store and in parts with --jobs 2
    data = yaml.safe_load(text.replace(minors, minors + "    minors_preferences: minimised\n"))
    path.write_text(json.dumps(data), encoding="utf-8")
    out = tmp_path / "results.json"
    result = run_cli(
        "check", "--policy", str(LIBRARY), "--snapshot", str(path), "--as-of", "2026-11-21",
        "--passes", "resources", "--stream-from", "0", "--jobs", jobs,
        "--output", f"json={out}",
    )  # fmt: skip
    assert result.code == 1, result.err
    counts = json.loads(out.read_text(encoding="utf-8"))["pass_counts"]
    (kept,) = [p for p in counts if p["clause_id"] == "minors-protected"]
    named = [name for name in kept["resources"] if name.startswith("store:")]
    in_order = [f"store:{store['id']}" for store in data["stores"]]
    assert named == [name for name in in_order if name in named]
    assert kept["resources"]["store:workspace-transcripts"] == 1  # its preferences only
    assert kept["resources"]["store:user-preferences"] == 2  # both


@pytest.mark.parametrize("case", TRAINING_CASES, ids=ids(TRAINING_CASES))
def test_minors_not_trained_on(case: Case) -> None:
    assert triples(observe(minors.CHECK, case.clause, case.snapshot)) == case.expected


# --- guardian_resources: true ----------------------------------------------------------------

GUARDIANS = changed(GATED, guardian_resources=True)
LINK = "https://example.com/parents"
GUARDIAN_CASES = [
    Case(
        "a-published-link-passes",
        GUARDIANS,
        {"age_gate": {**GATE, "guardian_resources": LINK}},
        [GATE_OK, (P, "age_gate", f"guardians are pointed to {LINK}")],
    ),
    Case(
        "no-link-is-not-evidenced",
        GUARDIANS,
        {"age_gate": GATE},
        [GATE_OK, (N, "age_gate", "the snapshot records no resources for parents and guardians")],
    ),
    Case(
        "a-blank-link-is-not-evidenced",
        GUARDIANS,
        {"age_gate": {**GATE, "guardian_resources": "  "}},
        [GATE_OK, (N, "age_gate", "the snapshot records no resources for parents and guardians")],
    ),
    Case(
        "no-gate-is-not-evidenced-twice",
        GUARDIANS,
        {},
        [
            (N, "age_gate", "the snapshot records no age gate"),
            (N, "age_gate", "the snapshot records no resources for parents and guardians"),
        ],
    ),
    Case(
        "guardian-resources-not-promised-are-not-judged",
        changed(GATED, guardian_resources=False),
        {"age_gate": GATE},
        [GATE_OK],
    ),
]


@pytest.mark.parametrize("case", GUARDIAN_CASES, ids=ids(GUARDIAN_CASES))
def test_minors_guardian_resources(case: Case) -> None:
    assert triples(observe(minors.CHECK, case.clause, case.snapshot)) == case.expected


WHERE = [
    Where(
        "gate-below",
        GATED,
        {"age_gate": changed(GATE, minimum_age=13)},
        ("age_gate", "minimum_age"),
        ("minimum_age",),
        "age gate enabled, minimum age 18",
        "minimum age 13",
    ),
    Where(
        "gate-disabled",
        GATED,
        {"age_gate": changed(GATE, enabled=False)},
        ("age_gate", "enabled"),
        ("minimum_age",),
        "age gate enabled, minimum age 18",
        "disabled",
    ),
    Where(
        "gate-without-age",
        GATED,
        {"age_gate": {"enabled": True}},
        ("age_gate",),
        (),
        "age gate enabled, minimum age 18",
        "not recorded in the snapshot",
    ),
    Where(
        "no-gate",
        GATED,
        {},
        None,
        (),
        "age gate enabled, minimum age 18",
        "not recorded in the snapshot",
    ),
    Where(
        "holds-minors-data",
        NOT_STORED,
        {"age_gate": GATE, "stores": [changed(CHATS, holds_minors_data=True)]},
        ("stores", 0, "holds_minors_data"),
        ("conversations_stored",),
        "minors' conversations not stored",
        "holds minors' data",
        {"index": 1},
    ),
    Where(
        "preferences-in-full",
        MINIMISED,
        {"age_gate": GATE, "stores": [changed(PREFS, minors_preferences="normal")]},
        ("stores", 0, "minors_preferences"),
        ("preferences",),
        "minors' preferences minimised",
        "normal",
        {"index": 1},
    ),
    Where(
        "no-preferences-store",
        MINIMISED,
        {"age_gate": GATE, "stores": []},
        ("stores",),
        ("preference_kinds",),
        "minors' preferences minimised",
        "not recorded in the snapshot",
        {"index": 1},
    ),
    Where(
        "no-stores-section-for-preferences",
        EVERY_STORE,
        {"age_gate": GATE},
        None,
        ("preferences",),
        "minors' preferences minimised",
        "not recorded in the snapshot",
        {"index": 1},
    ),
    Where(
        "no-minors-filter",
        NOT_TRAINED,
        {"age_gate": GATE, "pipelines": [changed(TRAIN, filters=[])]},
        ("pipelines", 0, "filters"),
        ("training",),
        "minors' data filtered out before training",
        "no minors filter",
        {"index": 1},
    ),
    Where(
        "guardians",
        GUARDIANS,
        {"age_gate": {**GATE, "guardian_resources": LINK}},
        ("age_gate", "guardian_resources"),
        (),
        "resources for parents and guardians published",
        LINK,
        {"index": 1},
    ),
    Where(
        "no-guardians",
        GUARDIANS,
        {"age_gate": GATE},
        ("age_gate",),
        ("guardian_resources",),
        "resources for parents and guardians published",
        "not recorded in the snapshot",
        {"index": 1},
    ),
    Where(
        "no-gate-for-guardians",
        GUARDIANS,
        {},
        None,
        ("guardian_resources",),
        "resources for parents and guardians published",
        "not recorded in the snapshot",
        {"index": 1},
    ),
]


@pytest.mark.parametrize("case", WHERE, ids=ids(WHERE))
def test_minors_points_at_the_evidence(case: Where) -> None:
    found = observe(minors.CHECK, case.clause, case.snapshot)
    assert pointer(found[case.extra.get("index", 0)]) == case.pointer


# --- language v2: a clause states only the promises it makes ----------------------------------


def observe_v2(clause: dict[str, Any], snapshot: dict[str, Any], **vocabulary: Any) -> Any:
    """Observations of a clause of a ``policy_checker: 2`` policy (vocabulary added to POLICY's)."""
    policy = {"policy_checker": 2, "vocabulary": {**POLICY["vocabulary"], **vocabulary}}
    ctx = CheckContext(clause, policy, snapshot, Vocabulary.from_policy(policy), AS_OF)
    return triples(list(minors.CHECK.run(ctx)))


NO_TRAINING = {"id": "no-training", "statement": "under-18 excluded from training"}


def test_minors_v2_training_is_promised_only_when_stated() -> None:
    snapshot = {"pipelines": [changed(TRAIN, filters=[])]}
    unfiltered = (F, PT, "training pipeline train does not filter out minors' data")
    assert observe_v2({**NO_TRAINING, "training": "never"}, snapshot) == [unfiltered]
    assert observe_v2({**NO_TRAINING, "guardian_resources": False}, snapshot) == []
    # Under language v1 a clause that leaves training out promises it (the v1 default).
    v1 = observe(minors.CHECK, {**NO_TRAINING, "guardian_resources": False}, snapshot)
    assert triples(v1) == [unfiltered]


# "The age below which a user counts as a minor": 18, 16 in Germany, 15 in France, 13 in the US.
AGES: dict[str, Any] = {
    "id": "minor-age",
    "statement": "Users count as minors below 18, 16 in Germany, 15 in France, 13 in the US",
    "minor_age": {"default": 18, "regions": {"DE": 16, "FR": 15, "US": 13}},
}
AG = "age_gate"


def gate(minor_age: Any) -> dict[str, Any]:
    return {"age_gate": {"enabled": True, "minor_age": minor_age}}


MINOR_AGE_CASES = [
    Case(
        "the-same-ages-pass",
        AGES,
        gate({"default": 18, "regions": {"DE": 16, "FR": 15, "US": 13}}),
        [
            (P, AG, "users by default count as minors under 18"),
            (P, AG, "users in DE count as minors under 16"),
            (P, AG, "users in FR count as minors under 15"),
            (P, AG, "users in US count as minors under 13"),
        ],
    ),
    Case(
        "a-region-the-snapshot-does-not-record-falls-back-to-its-default",
        AGES,
        gate({"default": 18}),
        [
            (P, AG, "users by default count as minors under 18"),
            (P, AG, "users in DE count as minors under 18"),
            (P, AG, "users in FR count as minors under 18"),
            (P, AG, "users in US count as minors under 18"),
        ],
    ),
    Case(
        "a-lower-age-in-a-named-region-fails",
        AGES,
        gate({"default": 18, "regions": {"DE": 14}}),
        [
            (P, AG, "users by default count as minors under 18"),
            (F, AG, "users in DE count as minors only under 14, not under the promised 16"),
            (P, AG, "users in FR count as minors under 18"),
            (P, AG, "users in US count as minors under 18"),
        ],
    ),
    Case(
        "a-lower-default-fails-where-the-policy-names-no-region",
        changed(AGES, minor_age={"default": 18, "regions": {"US": 13}}),
        gate({"default": 16, "regions": {"US": 13}}),
        [
            (F, AG, "users by default count as minors only under 16, not under the promised 18"),
            (P, AG, "users in US count as minors under 13"),
        ],
    ),
    Case(
        "a-region-only-the-snapshot-names-is-held-to-the-policy-default",
        changed(AGES, minor_age={"default": 18}),
        gate({"default": 18, "regions": {"GB": 13}}),
        [
            (P, AG, "users by default count as minors under 18"),
            (F, AG, "users in GB count as minors only under 13, not under the promised 18"),
        ],
    ),
    Case(
        "no-minor-age-is-not-evidenced",
        AGES,
        {"age_gate": {"enabled": True}},
        [
            (
                N,
                AG,
                "the snapshot records no age below which users count as minors "
                "(age_gate.minor_age)",
            )
        ],
    ),
    Case(
        "no-age-gate-is-not-evidenced",
        AGES,
        {},
        [
            (
                N,
                AG,
                "the snapshot records no age below which users count as minors "
                "(age_gate.minor_age)",
            )
        ],
    ),
]


@pytest.mark.parametrize("case", MINOR_AGE_CASES, ids=ids(MINOR_AGE_CASES))
def test_minors_minor_age(case: Case) -> None:
    assert observe_v2(case.clause, case.snapshot) == case.expected


def test_minors_minor_age_of_a_region_id_is_the_lowest_of_its_countries() -> None:
    clause = changed(AGES, minor_age={"default": 18, "regions": {"eea": 16}})
    regions = {
        "eea": {"countries": ["AT"], "regions": ["dach"]},
        "dach": {"countries": ["DE", "CH"], "regions": ["eea"]},  # a loop is followed once
    }
    found = observe_v2(
        clause, gate({"default": 18, "regions": {"DE": 16, "AT": 15}}), regions=regions
    )
    assert found == [
        (P, AG, "users by default count as minors under 18"),
        (F, AG, "users in eea count as minors only under 15, not under the promised 16"),
    ]
    # The snapshot may record the region itself.
    found = observe_v2(clause, gate({"default": 18, "regions": {"eea": 16}}), regions=regions)
    assert found == [
        (P, AG, "users by default count as minors under 18"),
        (P, AG, "users in eea count as minors under 16"),
    ]


def test_minors_minor_age_points_at_the_age_at_fault() -> None:
    policy = {"policy_checker": 2, **POLICY}
    snapshot = gate({"default": 18, "regions": {"DE": 14}})
    ctx = CheckContext(AGES, policy, snapshot, Vocabulary.from_policy(policy), AS_OF)
    failure = next(o for o in minors.CHECK.run(ctx) if o.status is F)
    assert pointer(failure) == (
        ("age_gate", "minor_age", "regions", "DE"),
        ("minor_age", "regions", "DE"),
        "minors: under 18, under 16 in DE, under 15 in FR, under 13 in US",
        "minors under 14 in DE",
    )
