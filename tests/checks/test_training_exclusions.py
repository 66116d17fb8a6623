"""Tiers excluded from training: ``checker/checks/training_exclusions.py``.

Each case is a clause and a snapshot, and the exact observations expected. The clause excludes
the ``business`` (team, enterprise) and ``api`` groups; the consumer tiers may be trained on.
"""

from __future__ import annotations

from typing import Any

import pytest

from checker.checks import training_exclusions
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
    assert_declared(
        training_exclusions.CHECK, "training_exclusions", "excluded_tiers", Severity.CRITICAL
    )


EXCLUDED: dict[str, Any] = {
    "id": "business-never-trained",
    "statement": "business and API data is never used for training",
    "tier_groups": ["business", "api"],
}
API_ONLY = changed(EXCLUDED, tier_groups=["api"])
TIERS = [
    {"id": "free", "training_default": "trained"},
    {"id": "team", "training_default": "not_trained"},
    {"id": "enterprise", "training_default": "not_trained"},
    {"id": "api", "training_default": "not_trained"},
]
API: dict[str, Any] = {"id": "api", "training_default": "not_trained"}
TIERS_OK = [
    (P, "tier:team", "tier team is not trained on"),
    (P, "tier:enterprise", "tier enterprise is not trained on"),
    (P, "tier:api", "tier api is not trained on"),
]
API_OK = (P, "tier:api", "tier api is not trained on")
TRAIN: dict[str, Any] = {
    "id": "train",
    "purpose": "training",
    "sources": ["chats"],
    "tiers": ["free", "pro"],
}
CHATS: dict[str, Any] = {"id": "chats", "data_kinds": ["conversations"], "tiers": ["free", "pro"]}
PT = "pipeline:train"
NOTHING_TRAINED = (P, "pipelines", "no pipeline in the snapshot trains models")


def train(drop: tuple[str, ...] = (), **fields: Any) -> dict[str, Any]:
    return changed(TRAIN, drop, **fields)


def api_snapshot(*pipelines: dict[str, Any], stores: list[Any] | None = None) -> dict[str, Any]:
    return {
        "tiers": [API],
        "stores": [CHATS] if stores is None else stores,
        "pipelines": [*pipelines],
    }


CASES = [
    Case(
        "excluded-tiers-not-trained-and-no-pipeline-passes",
        EXCLUDED,
        {"tiers": TIERS, "pipelines": []},
        [*TIERS_OK, NOTHING_TRAINED],
    ),
    Case(
        "a-tier-the-snapshot-lacks-is-not-evidenced",
        EXCLUDED,
        {"tiers": TIERS[2:], "pipelines": []},
        [
            (N, "tier:team", "the snapshot does not record tier team"),
            *TIERS_OK[1:],
            NOTHING_TRAINED,
        ],
    ),
    Case(
        "an-excluded-tier-trained-by-default-fails",
        API_ONLY,
        {"tiers": [changed(API, training_default="trained")], "pipelines": []},
        [(F, "tier:api", "excluded tier api defaults to 'trained'"), NOTHING_TRAINED],
    ),
    Case(
        "an-excluded-tier-with-opt-in-fails",
        API_ONLY,
        {"tiers": [changed(API, training_default="opt_in")], "pipelines": []},
        [(F, "tier:api", "excluded tier api defaults to 'opt_in'"), NOTHING_TRAINED],
    ),
    Case(
        "a-tier-without-a-default-is-not-evidenced",
        API_ONLY,
        {"tiers": [{"id": "api"}], "pipelines": []},
        [(N, "tier:api", "tier api records no training default"), NOTHING_TRAINED],
    ),
    Case(
        "every-entry-of-a-repeated-tier-is-judged",
        API_ONLY,
        {"tiers": [API, changed(API, training_default="trained")], "pipelines": []},
        [API_OK, (F, "tier:api", "excluded tier api defaults to 'trained'"), NOTHING_TRAINED],
    ),
    Case(
        "no-pipelines-section-is-not-evidenced",
        API_ONLY,
        {"tiers": [API]},
        [API_OK, (N, "pipelines", "the snapshot does not record its data pipelines")],
    ),
    Case(
        "pipelines-that-do-not-train-are-not-judged",
        API_ONLY,
        api_snapshot(train(purpose="analytics", tiers=["api"])),
        [API_OK, NOTHING_TRAINED],
    ),
    Case(
        "a-tier-filter-without-excluded-tiers-passes",
        API_ONLY,
        api_snapshot(TRAIN),
        [API_OK, (P, PT, "training pipeline train admits only free and pro")],
    ),
    Case(
        "a-tier-filter-letting-an-excluded-tier-through-fails",
        EXCLUDED,
        {"tiers": TIERS, "pipelines": [train(tiers=["free", "team", "api"])]},
        [*TIERS_OK, (F, PT, "training pipeline train lets team and api tier data through")],
    ),
    Case(
        "the-tier-filter-is-trusted-over-the-sources",
        API_ONLY,
        api_snapshot(TRAIN, stores=[changed(CHATS, tiers=["free", "api"])]),
        [API_OK, (P, PT, "training pipeline train admits only free and pro")],
    ),
    Case(
        "without-a-tier-filter-sources-without-excluded-tiers-pass",
        API_ONLY,
        api_snapshot(train(("tiers",))),
        [API_OK, (P, PT, "training pipeline train reads only stores without excluded tiers")],
    ),
    Case(
        "without-a-tier-filter-a-source-holding-an-excluded-tier-fails",
        API_ONLY,
        api_snapshot(train(("tiers",)), stores=[changed(CHATS, tiers=["free", "api"])]),
        [
            API_OK,
            (
                F,
                PT,
                "training pipeline train has no tier filter and reads store chats, which holds "
                "api tier data",
            ),
        ],
    ),
    Case(
        "without-a-tier-filter-a-source-naming-no-store-is-not-evidenced",
        API_ONLY,
        api_snapshot(train(("tiers",), sources=["chatz"])),
        [
            API_OK,
            (
                N,
                PT,
                "training pipeline train has no tier filter and its source chatz names no "
                "store in the snapshot",
            ),
        ],
    ),
    Case(
        "without-a-tier-filter-a-source-not-recording-tiers-is-not-evidenced",
        API_ONLY,
        api_snapshot(train(("tiers",)), stores=[changed(CHATS, ("tiers",))]),
        [
            API_OK,
            (
                N,
                PT,
                "training pipeline train has no tier filter and the tiers held by its source "
                "chats are not recorded",
            ),
        ],
    ),
    Case(
        "a-leaking-source-outweighs-an-unknown-one",
        API_ONLY,
        api_snapshot(
            train(("tiers",), sources=["chatz", "chats"]),
            stores=[changed(CHATS, tiers=["api"])],
        ),
        [
            API_OK,
            (
                F,
                PT,
                "training pipeline train has no tier filter and reads store chats, which holds "
                "api tier data",
            ),
        ],
    ),
    Case(
        "every-store-sharing-a-source-id-is-read",
        API_ONLY,
        api_snapshot(train(("tiers",)), stores=[CHATS, changed(CHATS, tiers=["api"])]),
        [
            API_OK,
            (
                F,
                PT,
                "training pipeline train has no tier filter and reads store chats, which holds "
                "api tier data",
            ),
        ],
    ),
    Case(
        "a-pipeline-without-sources-or-tiers-reads-nothing-excluded",
        API_ONLY,
        api_snapshot(train(("tiers", "sources"))),
        [API_OK, (P, PT, "training pipeline train reads only stores without excluded tiers")],
    ),
]


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_training_exclusions(case: Case) -> None:
    assert triples(observe(training_exclusions.CHECK, case.clause, case.snapshot)) == case.expected


WHERE = [
    Where(
        "tier-trained",
        API_ONLY,
        {"tiers": [changed(API, training_default="trained")], "pipelines": []},
        ("tiers", 0, "training_default"),
        ("tier_groups",),
        "not_trained",
        "trained",
    ),
    Where(
        "tier-missing",
        API_ONLY,
        {"pipelines": []},
        ("tiers",),
        (),
        "not_trained",
        "not recorded in the snapshot",
    ),
    Where(
        "tier-filter",
        API_ONLY,
        api_snapshot(train(tiers=["free", "api"])),
        ("pipelines", 0, "tiers"),
        ("tier_groups",),
        "no data of api used for training",
        "tier filter: free and api",
        {"index": 1},
    ),
    Where(
        "leaking-source",
        API_ONLY,
        api_snapshot(
            train(("tiers",)), stores=[{"id": "x", "data_kinds": []}, CHATS | {"tiers": ["api"]}]
        ),
        ("stores", 1, "tiers"),
        ("tier_groups",),
        "no data of api used for training",
        "reads chats (api)",
        {"index": 1},
    ),
    Where(
        "unknown-source",
        API_ONLY,
        api_snapshot(train(("tiers",), sources=["chats", "chatz"])),
        ("pipelines", 0, "sources", 1),
        (),
        "no data of api used for training",
        "not recorded in the snapshot",
        {"index": 1},
    ),
    Where(
        "no-pipelines",
        API_ONLY,
        {"tiers": [API]},
        None,
        (),
        "no data of api used for training",
        "not recorded in the snapshot",
        {"index": 1},
    ),
]


@pytest.mark.parametrize("case", WHERE, ids=ids(WHERE))
def test_training_exclusions_points_at_the_evidence(case: Where) -> None:
    found = observe(training_exclusions.CHECK, case.clause, case.snapshot)
    assert pointer(found[case.extra.get("index", 0)]) == case.pointer


# --- except: data kinds that may reach training from excluded tiers ---------------------------

FEEDBACK_EXCEPTED = changed(
    API_ONLY,
    **{"except": [{"data_kinds": ["feedback"], "reason": "feedback the user explicitly submits"}]},
)
FEEDBACK: dict[str, Any] = {"id": "feedback", "data_kinds": ["feedback"], "tiers": ["api"]}
FEEDBACK_TRAIN: dict[str, Any] = {
    "id": "train",
    "purpose": "training",
    "sources": ["feedback"],
    "tiers": ["free", "api"],
}
EXCEPTED = (
    P,
    PT,
    "training pipeline train lets api tier data through, but only feedback, which the "
    "exclusion excepts: feedback the user explicitly submits",
)
EXCEPT_CASES = [
    Case(
        "a-pipeline-reading-only-excepted-kinds-passes-naming-the-exception",
        FEEDBACK_EXCEPTED,
        {"tiers": [API], "stores": [FEEDBACK], "pipelines": [FEEDBACK_TRAIN]},
        [API_OK, EXCEPTED],
    ),
    Case(
        "the-pipelines-own-data-kinds-decide",
        FEEDBACK_EXCEPTED,
        {
            "tiers": [API],
            "stores": [CHATS],
            "pipelines": [changed(FEEDBACK_TRAIN, sources=["chats"], data_kinds=["feedback"])],
        },
        [API_OK, EXCEPTED],
    ),
    Case(
        "a-pipeline-reading-other-kinds-too-fails-saying-which",
        FEEDBACK_EXCEPTED,
        {
            "tiers": [API],
            "stores": [FEEDBACK, changed(CHATS, tiers=["api"])],
            "pipelines": [changed(FEEDBACK_TRAIN, sources=["feedback", "chats"])],
        },
        [
            API_OK,
            (
                F,
                PT,
                "training pipeline train lets api tier data through, and it reads "
                "conversations, which the exclusion does not except",
            ),
        ],
    ),
    Case(
        "a-pipeline-whose-reads-are-unknown-fails",
        FEEDBACK_EXCEPTED,
        {"tiers": [API], "stores": [], "pipelines": [FEEDBACK_TRAIN]},
        [
            API_OK,
            (
                F,
                PT,
                "training pipeline train lets api tier data through, and what it reads is not "
                "recorded, so the exception for feedback cannot apply",
            ),
        ],
    ),
    Case(
        "without-a-tier-filter-the-sources-excepted-kinds-pass",
        FEEDBACK_EXCEPTED,
        {
            "tiers": [API],
            "stores": [FEEDBACK],
            "pipelines": [changed(FEEDBACK_TRAIN, ("tiers",))],
        },
        [API_OK, EXCEPTED],
    ),
    Case(
        "without-a-tier-filter-other-kinds-fail",
        FEEDBACK_EXCEPTED,
        {
            "tiers": [API],
            "stores": [changed(CHATS, tiers=["api"])],
            "pipelines": [changed(FEEDBACK_TRAIN, ("tiers",), sources=["chats"])],
        },
        [
            API_OK,
            (
                F,
                PT,
                "training pipeline train has no tier filter and reads store chats, which holds "
                "api tier data, and it reads conversations, which the exclusion does not except",
            ),
        ],
    ),
    Case(
        "a-copy-holds-the-kinds-of-its-source",
        FEEDBACK_EXCEPTED,
        {
            "tiers": [API],
            "stores": [FEEDBACK, {"id": "feedback-copy", "copy_of": ["feedback"]}],
            "pipelines": [changed(FEEDBACK_TRAIN, ("tiers",), sources=["feedback-copy"])],
        },
        [API_OK, EXCEPTED],
    ),
]


@pytest.mark.parametrize("case", EXCEPT_CASES, ids=ids(EXCEPT_CASES))
def test_training_exclusions_except(case: Case) -> None:
    found = observe(training_exclusions.CHECK, case.clause, case.snapshot)
    assert triples(found) == case.expected


def test_an_excepted_pipeline_points_at_what_it_reads_and_the_exception() -> None:
    snapshot = {"tiers": [API], "stores": [FEEDBACK], "pipelines": [FEEDBACK_TRAIN]}
    found = observe(training_exclusions.CHECK, FEEDBACK_EXCEPTED, snapshot)[-1]
    assert pointer(found) == (
        ("pipelines", 0, "sources"),
        ("except",),
        "no data of the excluded tiers used for training, except feedback",
        "reads feedback",
    )


# --- since: the exclusion covers data from a date ---------------------------------------------

# "API data is not used for training since 2023-03-01" (openai.com/enterprise-privacy).
SINCE = changed(API_ONLY, since="2023-03-01")
LETS = "training pipeline train lets api tier data through"


def old_data(**bounds: str) -> dict[str, Any]:
    return {"tiers": ["free", "api"], "data_window": {**bounds, "basis": "created"}}


SINCE_CASES = [
    Case(
        "data-created-before-the-date-passes",
        SINCE,
        api_snapshot(train(**old_data(**{"from": "2022-01-01", "to": "2023-02-28"}))),
        [
            API_OK,
            (P, PT, f"{LETS}, but only data created 2022-01-01 to 2023-02-28, before 2023-03-01"),
        ],
    ),
    Case(
        "data-last-active-before-the-date-passes-too",
        SINCE,
        api_snapshot(
            train(tiers=["api"], data_window={"to": "2023-02-28", "basis": "last_activity"})
        ),
        [API_OK, (P, PT, f"{LETS}, but only data last active until 2023-02-28, before 2023-03-01")],
    ),
    Case(
        "data-up-to-the-date-itself-fails",
        SINCE,
        api_snapshot(train(**old_data(to="2023-03-01"))),
        [
            API_OK,
            (
                F,
                PT,
                f"{LETS}, reading data created until 2023-03-01: the policy excludes their data "
                "from 2023-03-01",
            ),
        ],
    ),
    Case(
        "a-window-without-an-end-is-not-evidenced",
        SINCE,
        api_snapshot(train(**old_data(**{"from": "2022-01-01"}))),
        [
            API_OK,
            (
                N,
                PT,
                f"{LETS} and records no data window showing it reads only data from before "
                "2023-03-01",
            ),
        ],
    ),
    Case(
        "no-window-is-not-evidenced",
        SINCE,
        api_snapshot(train(tiers=["api"])),
        [
            API_OK,
            (
                N,
                PT,
                f"{LETS} and records no data window showing it reads only data from before "
                "2023-03-01",
            ),
        ],
    ),
    Case(
        "without-since-an-old-window-still-fails",
        API_ONLY,
        api_snapshot(train(**old_data(to="2023-02-28"))),
        [API_OK, (F, PT, "training pipeline train lets api tier data through")],
    ),
    Case(
        "a-pipeline-without-a-tier-filter-is-judged-by-its-window",
        SINCE,
        api_snapshot(
            train(("tiers",), data_window={"to": "2023-01-31", "basis": "created"}),
            stores=[changed(CHATS, tiers=["api"])],
        ),
        [API_OK, (P, PT, f"{LETS}, but only data created until 2023-01-31, before 2023-03-01")],
    ),
    Case(
        "a-filter-that-keeps-the-tier-out-needs-no-window",
        SINCE,
        api_snapshot(TRAIN),
        [API_OK, (P, PT, "training pipeline train admits only free and pro")],
    ),
]


@pytest.mark.parametrize("case", SINCE_CASES, ids=ids(SINCE_CASES))
def test_training_exclusions_since(case: Case) -> None:
    found = observe(training_exclusions.CHECK, case.clause, case.snapshot)
    assert triples(found) == case.expected


def test_a_late_window_points_at_its_end_and_at_since() -> None:
    snapshot = api_snapshot(train(**old_data(to="2023-03-01")))
    found = observe(training_exclusions.CHECK, SINCE, snapshot)[-1]
    assert pointer(found) == (
        ("pipelines", 0, "data_window", "to"),
        ("since",),
        "no data of api used for training from 2023-03-01",
        "data created until 2023-03-01",
    )
