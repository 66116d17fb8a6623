"""Sensitive categories: ``checker/checks/sensitive_data.py``.

Each case is a clause and a snapshot, and the exact observations expected: every store records
which sensitive categories it holds and keeps them no longer than the clause allows (``never``:
not at all); with ``training: never`` every training pipeline filters every category out.
"""

from __future__ import annotations

from typing import Any

import pytest

from checker.checks import sensitive_data
from checker.core.results import Severity
from tests.checks.support import (
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


def test_declaration() -> None:
    assert_declared(sensitive_data.CHECK, "sensitive_data", "sensitive", Severity.CRITICAL)


NEVER_KEPT: dict[str, Any] = {
    "id": "sensitive-not-kept",
    "statement": "mental health and finances conversations are not retained, nor trained on",
    "categories": ["mental_health", "finances"],
    "retention": "never",
    "training": "never",
}
STORES_ONLY = changed(NEVER_KEPT, training="allowed")
KEPT_30D = changed(STORES_ONLY, retention="30d")
CHATS: dict[str, Any] = {
    "id": "chats",
    "data_kinds": ["conversations"],
    "sensitive_categories": [],
    "retention": {"any": "30d"},
}
TRAIN: dict[str, Any] = {
    "id": "train",
    "purpose": "training",
    "sources": ["chats"],
    "filters": ["sensitive_categories"],
    "sensitive_categories_filtered": ["mental_health", "relationships", "finances"],
}
SC, PT = "store:chats", "pipeline:train"
HOLDS_NONE = (P, SC, "store chats holds no mental_health and finances data")
FILTERS_ALL = (P, PT, "training pipeline train filters mental_health and finances")
NO_TRAINING = (P, "pipelines", "no pipeline in the snapshot trains models")


def chats(drop: tuple[str, ...] = (), **fields: Any) -> dict[str, Any]:
    return changed(CHATS, drop, **fields)


def train(drop: tuple[str, ...] = (), **fields: Any) -> dict[str, Any]:
    return changed(TRAIN, drop, **fields)


STORE_CASES = [
    Case(
        "a-store-holding-no-category-passes",
        STORES_ONLY,
        {"stores": [CHATS, {"id": "mail", "data_kinds": ["email"], "sensitive_categories": []}]},
        [HOLDS_NONE, (P, "store:mail", "store mail holds no mental_health and finances data")],
    ),
    Case(
        "categories-outside-the-clause-are-not-judged",
        STORES_ONLY,
        {"stores": [chats(sensitive_categories=["relationships"])]},
        [HOLDS_NONE],
    ),
    Case(
        "a-store-holding-a-category-fails-when-never-kept",
        STORES_ONLY,
        {"stores": [chats(sensitive_categories=["relationships", "mental_health"])]},
        [(F, SC, "store chats retains mental_health data")],
    ),
    Case(
        "a-store-that-does-not-record-categories-is-not-evidenced",
        STORES_ONLY,
        {"stores": [chats(("sensitive_categories",))]},
        [(N, SC, "store chats does not record which sensitive categories it holds")],
    ),
    Case(
        "no-stores-section-is-not-evidenced",
        STORES_ONLY,
        {"pipelines": []},
        [(N, "stores", "the snapshot does not record its data stores")],
    ),
    Case(
        "no-store-passes-and-says-so",
        STORES_ONLY,
        {"stores": []},
        [(P, "stores", "the snapshot records no data store")],
    ),
    Case(
        "held-within-the-limit-for-every-state-passes",
        KEPT_30D,
        {"stores": [chats(sensitive_categories=["finances"])]},
        [(P, SC, "store chats keeps finances data at most 30d")],
    ),
    Case(
        "held-longer-than-the-limit-fails",
        KEPT_30D,
        {
            "stores": [
                chats(
                    sensitive_categories=["finances"],
                    retention={"training_not_allowed": "30d", "any": "5y"},
                )
            ]
        },
        [(F, SC, "store chats keeps finances data up to 5y")],
    ),
    Case(
        "held-without-a-window-is-not-evidenced",
        KEPT_30D,
        {"stores": [chats(("retention",), sensitive_categories=["finances"])]},
        [(N, SC, "store chats holds finances data and records no retention window")],
    ),
    Case(
        "held-with-only-unparseable-windows-is-not-evidenced",
        KEPT_30D,
        {"stores": [chats(sensitive_categories=["finances"], retention={"any": "a while"})]},
        [(N, SC, "store chats holds finances data and records no retention window")],
    ),
    Case(
        "a-store-holding-no-category-needs-no-window",
        KEPT_30D,
        {"stores": [chats(("retention",))]},
        [HOLDS_NONE],
    ),
]


@pytest.mark.parametrize("case", STORE_CASES, ids=ids(STORE_CASES))
def test_sensitive_data_in_stores(case: Case) -> None:
    assert triples(observe(sensitive_data.CHECK, case.clause, case.snapshot)) == case.expected


TRAINING_CASES = [
    Case(
        "a-pipeline-filtering-every-category-passes",
        NEVER_KEPT,
        {"stores": [CHATS], "pipelines": [TRAIN]},
        [HOLDS_NONE, FILTERS_ALL],
    ),
    Case(
        "training-allowed-leaves-pipelines-alone",
        STORES_ONLY,
        {"stores": [CHATS], "pipelines": [train(("filters",))]},
        [HOLDS_NONE],
    ),
    Case(
        "no-pipelines-section-is-not-evidenced",
        NEVER_KEPT,
        {"stores": [CHATS]},
        [HOLDS_NONE, (N, "pipelines", "the snapshot does not record its data pipelines")],
    ),
    Case(
        "no-training-pipeline-passes-and-says-so",
        NEVER_KEPT,
        {"stores": [CHATS], "pipelines": [train(purpose="analytics", filters=[])]},
        [HOLDS_NONE, NO_TRAINING],
    ),
    Case(
        "empty-stores-and-pipelines-still-report-the-promise",
        NEVER_KEPT,
        {"stores": [], "pipelines": []},
        [(P, "stores", "the snapshot records no data store"), NO_TRAINING],
    ),
    Case(
        "unrecorded-filters-are-not-evidenced",
        NEVER_KEPT,
        {"stores": [CHATS], "pipelines": [train(("filters",))]},
        [HOLDS_NONE, (N, PT, "pipeline train records no filters")],
    ),
    Case(
        "no-sensitive-category-filter-fails",
        NEVER_KEPT,
        {"stores": [CHATS], "pipelines": [train(filters=["pii_redaction"])]},
        [HOLDS_NONE, (F, PT, "training pipeline train has no sensitive-category filter")],
    ),
    Case(
        "null-filters-fail-like-none",
        NEVER_KEPT,
        {"stores": [CHATS], "pipelines": [train(filters=None)]},
        [HOLDS_NONE, (F, PT, "training pipeline train has no sensitive-category filter")],
    ),
    Case(
        "a-filter-missing-a-category-fails",
        NEVER_KEPT,
        {"stores": [CHATS], "pipelines": [train(sensitive_categories_filtered=["mental_health"])]},
        [HOLDS_NONE, (F, PT, "training pipeline train does not filter finances")],
    ),
    Case(
        "an-empty-list-of-filtered-categories-fails-naming-each",
        NEVER_KEPT,
        {"stores": [CHATS], "pipelines": [train(sensitive_categories_filtered=[])]},
        [HOLDS_NONE, (F, PT, "training pipeline train does not filter mental_health and finances")],
    ),
]


@pytest.mark.parametrize("case", TRAINING_CASES, ids=ids(TRAINING_CASES))
def test_sensitive_data_in_training(case: Case) -> None:
    assert triples(observe(sensitive_data.CHECK, case.clause, case.snapshot)) == case.expected


# Evidence gaps: what a store or pipeline does not record is not evidence that it complies.

SENSITIVE: dict[str, Any] = {
    "id": "sensitive",
    "statement": "mental health conversations kept at most 5y, never trained on",
    "categories": ["mental_health"],
    "retention": "5y",
    "training": "never",
}


def test_sensitive_data_a_store_without_a_window_for_some_consent_states() -> None:
    snapshot = {
        "stores": [
            {
                "id": "chats",
                "data_kinds": ["conversations"],
                "sensitive_categories": ["mental_health"],
                "retention": {"training_not_allowed": "30d"},
            }
        ],
        "pipelines": [],
    }
    found = by_resource(observe(sensitive_data.CHECK, SENSITIVE, snapshot), "store:chats")
    assert [(o.status, o.message, o.evidence) for o in found] == [
        (
            N,
            "store chats holds mental_health data and records no retention window for "
            "training_allowed, deleted_by_user, flagged_for_safety or feedback data, "
            "nor one for any state",
            ("stores", 0, "retention"),
        )
    ]


def test_sensitive_data_a_filter_that_does_not_record_its_categories() -> None:
    snapshot = {
        "stores": [],
        "pipelines": [
            {
                "id": "train",
                "purpose": "training",
                "sources": ["chats"],
                "filters": ["sensitive_categories"],
            }
        ],
    }
    found = by_resource(observe(sensitive_data.CHECK, SENSITIVE, snapshot), "pipeline:train")
    assert [(o.status, o.message, o.evidence) for o in found] == [
        (
            N,
            "training pipeline train applies the sensitive-category filter but does not record "
            "which categories it removes (sensitive_categories_filtered)",
            ("pipelines", 0),
        )
    ]


WHERE = [
    Where(
        "retained",
        STORES_ONLY,
        {"stores": [chats(sensitive_categories=["mental_health"])]},
        ("stores", 0, "sensitive_categories"),
        ("retention",),
        "mental_health and finances not retained",
        "holds mental_health",
    ),
    Where(
        "holds-none",
        STORES_ONLY,
        {"stores": [CHATS]},
        ("stores", 0, "sensitive_categories"),
        (),
        "mental_health and finances not retained",
        "none held",
    ),
    Where(
        "categories-unrecorded",
        STORES_ONLY,
        {"stores": [chats(("sensitive_categories",))]},
        ("stores", 0),
        (),
        "mental_health and finances not retained",
        "not recorded in the snapshot",
    ),
    Where(
        "kept-too-long",
        KEPT_30D,
        {"stores": [chats(sensitive_categories=["finances"], retention={"any": "90d"})]},
        ("stores", 0, "retention"),
        ("retention",),
        "mental_health and finances kept at most 30d",
        "up to 90d",
    ),
    Where(
        "kept-within",
        KEPT_30D,
        {"stores": [chats(sensitive_categories=["finances"])]},
        ("stores", 0, "retention"),
        (),
        "mental_health and finances kept at most 30d",
        "up to 30d",
    ),
    Where(
        "no-window",
        KEPT_30D,
        {"stores": [chats(("retention",), sensitive_categories=["finances"])]},
        ("stores", 0, "sensitive_categories"),
        (),
        "mental_health and finances kept at most 30d",
        "not recorded in the snapshot",
    ),
    Where(
        "no-filter",
        NEVER_KEPT,
        {"stores": [], "pipelines": [train(filters=["minors"])]},
        ("pipelines", 0, "filters"),
        ("training",),
        "mental_health and finances filtered out before training",
        "filters minors",
        {"index": 1},
    ),
    Where(
        "category-not-filtered",
        NEVER_KEPT,
        {"stores": [], "pipelines": [train(sensitive_categories_filtered=["finances"])]},
        ("pipelines", 0, "sensitive_categories_filtered"),
        ("categories",),
        "mental_health and finances filtered out before training",
        "filters finances",
        {"index": 1},
    ),
    Where(
        "all-filtered",
        NEVER_KEPT,
        {"stores": [], "pipelines": [TRAIN]},
        ("pipelines", 0, "sensitive_categories_filtered"),
        (),
        "mental_health and finances filtered out before training",
        "filters finances, mental_health and relationships",
        {"index": 1},
    ),
    Where(
        "filtered-categories-unrecorded",
        NEVER_KEPT,
        {"stores": [], "pipelines": [train(("sensitive_categories_filtered",))]},
        ("pipelines", 0),
        ("categories",),
        "mental_health and finances filtered out before training",
        "not recorded in the snapshot",
        {"index": 1},
    ),
    Where(
        "no-store",
        NEVER_KEPT,
        {"stores": [], "pipelines": [TRAIN]},
        ("stores",),
        (),
        "mental_health and finances not retained",
        "no store",
    ),
    Where(
        "no-training-pipeline",
        NEVER_KEPT,
        {"stores": [], "pipelines": []},
        ("pipelines",),
        (),
        "mental_health and finances filtered out before training",
        "no training pipeline",
        {"index": 1},
    ),
]


@pytest.mark.parametrize("case", WHERE, ids=ids(WHERE))
def test_sensitive_data_points_at_the_evidence(case: Where) -> None:
    found = observe(sensitive_data.CHECK, case.clause, case.snapshot)
    assert pointer(found[case.extra.get("index", 0)]) == case.pointer
