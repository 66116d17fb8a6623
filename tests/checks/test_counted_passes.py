"""Counting passes (``--passes count``) gives the same verdicts as listing them, and naming the
resources that pass (``--passes resources``) names the resources of the listed passes.

When passes are counted, a store check may judge a store that meets every requirement of its
clause through a shortcut that builds no message (``CheckContext.counting``), and judges any
other store in full. A shortcut that passed a store the full judgement would fail would be a
silent pass, so every check is run every way on generated snapshots: the findings must be
the non-passing findings of the listing run, each clause's count its number of passes, and
the resources named with their passes those of the listed passes.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections import Counter
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from checker.checks.base import counted, store_passes
from checker.checks.base import named as named_pass
from checker.core.results import Observation, Result, Status
from checker.documents import load_document
from checker.documents.document import Document
from checker.evaluation.engine import evaluate
from tests.conftest import REPO
from tests.inventories import inventory_text
from tests.policy_support import _Unplaced, minimal_policy, problems

AS_OF = dt.date(2026, 11, 21)

CLAUSES: dict[str, list[dict[str, Any]]] = {
    "retention": [
        {
            "id": "opted-out",
            "data_kinds": ["conversations"],
            "consent_state": "training_not_allowed",
            "max": "30d",
        },
        {
            "id": "any-state",
            "data_kinds": ["conversations"],
            "consent_state": "any",
            "max": "5y",
            "min": "7d",
        },
        {
            "id": "consumer-allowed",
            "data_kinds": ["conversations", "preferences"],
            "consent_state": "training_allowed",
            "max": "1y",
            "tier_groups": ["consumer"],
        },
        {
            "id": "deleted",
            "data_kinds": ["conversations"],
            "consent_state": "deleted_by_user",
            "max": "30d",
        },
        {
            "id": "kept-a-week",
            "data_kinds": ["preferences"],
            "consent_state": "deleted_by_user",
            "min": "7d",
        },
    ],
    "deletion_schedules": [
        {"id": "reviewed", "data_kinds": ["conversations"], "review_every": "1y"},
        {"id": "defined", "data_kinds": ["preferences", "email"]},
    ],
    "security": [
        {
            "id": "everything",
            "encryption_at_rest": "required",
            "encryption_in_transit": "required",
            "key_management": ["aws_kms", "hsm"],
            "key_rotation": "1y",
        },
        {
            "id": "at-rest",
            "data_kinds": ["preferences"],
            "encryption_at_rest": "required",
            "encryption_in_transit": "not_required",
        },
    ],
    "access_control": [
        {
            "id": "trainers",
            "data_kinds": ["conversations"],
            "allowed_roles": ["model_trainer"],
            "need_based": True,
        },
        {
            "id": "analysts",
            "data_kinds": ["preferences"],
            "allowed_roles": ["model_trainer", "data_analyst"],
        },
    ],
    "minors": [
        {"id": "minors", "conversations_stored": False, "preferences": "minimised"},
    ],
    "sensitive_data": [
        {
            "id": "no-health",
            "categories": ["mental_health"],
            "retention": "never",
            "training": "never",
        },
        {"id": "finances-90d", "categories": ["finances"], "retention": "90d", "training": "never"},
    ],
}

POLICY = minimal_policy(
    vocabulary={
        "tier_groups": {"consumer": {"tiers": ["free", "pro"]}, "business": {"tiers": ["team"]}},
        "data_kinds": {
            "conversations": {"description": "chats"},
            "preferences": {"description": "settings"},
            "email": {"description": "e-mail", "identifiable": True},
        },
        "sensitive_categories": {
            "mental_health": {"description": "mental health"},
            "finances": {"description": "finances"},
        },
        "roles": {
            "model_trainer": {"description": "trains"},
            "data_analyst": {"description": "analyses"},
        },
    },
    **{
        section: [{"statement": f"{c['id']} holds", **c} for c in clauses]
        for section, clauses in CLAUSES.items()
    },
)

DURATIONS = st.sampled_from(["1d", "7d", "30d", "90d", "1y", "5y", "indefinite", "soon"])
STATES = ["training_allowed", "training_not_allowed", "deleted_by_user", "feedback", "any"]

# A store meeting every clause above; generated stores are this one with a few values
# changed or removed, so that the edges of every requirement are reached often.
COMPLIANT: dict[str, Any] = {
    "retention": {
        "training_not_allowed": "30d",
        "training_allowed": "1y",
        "any": "30d",
        "deleted_by_user": "7d",
    },
    "deletion_schedule": {"defined": True, "last_reviewed": "2026-06-01"},
    "encryption": {"at_rest": True, "in_transit": True, "key_manager": "hsm", "key_rotation": "1y"},
    "access": {"roles": ["model_trainer"], "need_based": True},
    "holds_minors_data": False,
    "minors_preferences": "minimised",
    "sensitive_categories": [],
}


def _some(values: list[str]) -> st.SearchStrategy[list[str]]:
    return st.lists(st.sampled_from(values), unique=True, max_size=len(values))


# What a changed value may become, per field (a path in the store).
CHANGES: dict[tuple[str, ...], st.SearchStrategy[Any]] = {
    ("retention",): st.dictionaries(st.sampled_from(STATES), DURATIONS, max_size=4),
    **{("retention", state): DURATIONS for state in STATES},
    ("deletion_schedule",): st.just({}),
    ("deletion_schedule", "defined"): st.booleans(),
    ("deletion_schedule", "last_reviewed"): st.sampled_from(
        ["2024-01-01", "2025-11-21", "2025-11-22", "2026-11-21", "2027-01-01", "no date"]
    ),
    ("encryption",): st.just({}),
    ("encryption", "at_rest"): st.sampled_from([True, False, None]),
    ("encryption", "in_transit"): st.sampled_from([True, False, None]),
    ("encryption", "key_manager"): st.sampled_from(["aws_kms", "hsm", "local_file", None]),
    ("encryption", "key_rotation"): DURATIONS,
    ("access",): st.just({}),
    ("access", "roles"): _some(["model_trainer", "data_analyst"]),
    ("access", "need_based"): st.sampled_from([True, False, None]),
    ("holds_minors_data",): st.sampled_from([True, False, None]),
    ("minors_preferences",): st.sampled_from(["minimised", "full"]),
    ("sensitive_categories",): _some(["mental_health", "finances"]),
    ("deleted_with_source",): st.booleans(),
}


@st.composite
def stores(draw: st.DrawFn) -> dict[str, Any]:
    """A compliant store, then up to four fields changed or removed."""
    store = copy.deepcopy(COMPLIANT)
    store["data_kinds"] = draw(_some(["conversations", "preferences", "email"]))
    store["tiers"] = draw(_some(["free", "pro", "team"]))
    for _ in range(draw(st.integers(0, 4))):
        path = draw(st.sampled_from(sorted(CHANGES)))
        *parents, name = path
        parent = store
        for key in parents:
            parent = parent.setdefault(key, {})
        if draw(st.booleans()):
            parent.pop(name, None)
        else:
            parent[name] = draw(CHANGES[path])
    return store


def _check(stores: list[dict[str, Any]], *, count: bool, name: bool = False) -> Result:
    snapshot = {
        "snapshot_format": 1,
        "metadata": {"system": "chat", "environment": "prod", "taken_at": "2026-11-01"},
        "stores": [{"id": f"store-{i}", **store} for i, store in enumerate(stores)],
    }
    return evaluate(
        [Document("policy.yaml", POLICY, "yaml", _Unplaced())],
        [Document("snapshot.yaml", snapshot, "yaml", _Unplaced())],
        as_of=AS_OF,
        count_passes=count,
        name_passes=name,
    )


def _passes_by_resource(listed: Result) -> dict[str, dict[str, int]]:
    """Per clause, how many passes each resource made in a run that lists them."""
    found: dict[str, Counter[str]] = {}
    for f in listed.findings:
        if f.status is Status.PASS:
            found.setdefault(f.clause_id, Counter())[f.resource] += 1
    return {clause: dict(passes) for clause, passes in found.items()}


def _named(run: Result) -> dict[str, dict[str, int]]:
    named = {}
    for p in run.pass_counts:
        assert p.resources is not None
        assert sum(p.resources.times) == p.count
        named[p.clause_id] = p.resources.by_resource()
    return named


def test_the_policy_of_these_tests_is_valid() -> None:
    assert [str(p) for p in problems("policy", POLICY)] == []


@settings(max_examples=300, deadline=None)
@given(st.lists(stores(), min_size=1, max_size=5))
def test_counting_passes_finds_what_listing_them_finds(stores: list[dict[str, Any]]) -> None:
    listed = _check(stores, count=False)
    counted = _check(stores, count=True)
    assert counted.findings == [f for f in listed.findings if f.status is not Status.PASS]
    passes = Counter(f.clause_id for f in listed.findings if f.status is Status.PASS)
    assert {p.clause_id: p.count for p in counted.pass_counts} == dict(passes)
    named = _check(stores, count=False, name=True)
    assert named.findings == counted.findings
    assert _named(named) == _passes_by_resource(listed)


def test_a_store_meeting_every_requirement_is_counted_once_per_requirement() -> None:
    store = {**COMPLIANT, "data_kinds": ["conversations"], "tiers": ["free"]}
    store["retention"] = {"training_not_allowed": "30d", "training_allowed": "1y", "any": "1y"}
    counted = _check([store], count=True)
    # "deleted" fails: with no window of its own, deleted data is kept for the "any" 1y.
    stores = [(f.clause_id, f.status) for f in counted.findings if "store:" in f.resource]
    assert stores == [("deleted", Status.FAIL)]
    assert {p.clause_id: p.count for p in counted.pass_counts} == {
        "opted-out": 1,
        "any-state": 3,
        "consumer-allowed": 1,
        "reviewed": 2,
        "everything": 4,
        "trainers": 2,
        "minors": 2,
        "no-health": 1,
        "finances-90d": 1,
    }


def _generated_inventory(path: Path, stores: int) -> Path:
    """The benchmark's generated inventory: stores, pipelines and recipients, a tenth of them
    breaking a promise."""
    path.write_text(inventory_text(stores, seed=3), encoding="utf-8")
    return path


def test_counting_the_passes_of_pipelines_and_recipients_finds_what_listing_finds(
    tmp_path: Path,
) -> None:
    """Pipelines and recipients meeting a clause are counted without a message too: every
    clause of the benchmark policy, on a generated inventory, counts the passes it lists."""
    policy = load_document(REPO / "benchmarks" / "policy.yaml")
    snapshot = load_document(_generated_inventory(tmp_path / "inventory.json", 300))
    listed = evaluate([policy], [snapshot], as_of=AS_OF, count_passes=False)
    counted = evaluate([policy], [snapshot], as_of=AS_OF, count_passes=True)
    assert counted.findings == [f for f in listed.findings if f.status is not Status.PASS]
    passes = Counter(f.clause_id for f in listed.findings if f.status is Status.PASS)
    assert {p.clause_id: p.count for p in counted.pass_counts} == dict(passes)
    named = evaluate([policy], [snapshot], as_of=AS_OF, name_passes=True)
    assert named.findings == counted.findings
    assert _named(named) == _passes_by_resource(listed)
    # Not vacuous: passes of pipelines and recipients, in the clauses that judge them.
    judged = {
        f.clause_id
        for f in listed.findings
        if f.status is Status.PASS and f.resource.startswith(("pipeline:", "recipient:"))
    }
    assert len(judged) >= 4, judged


def test_passes_counted_for_a_resource_are_the_observation_its_fields_say() -> None:
    made = named_pass(4, "store:a")
    assert type(made) is Observation
    assert made == Observation(Status.PASS, "store:a", "", "", "", times=4)
    assert (made.resource, made.times, made.named, made.evidence) == ("store:a", 4, None, None)
    assert counted(2) is counted(2) and counted(2).resource == ""
    assert store_passes({"id": "a"}, 4) == made
