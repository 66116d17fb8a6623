"""Anonymisation before use: ``checker/checks/anonymisation.py``.

Each case is a clause and a snapshot, and the exact observations expected, for each target:
``training`` (every training pipeline applies the required filters), ``storage`` (every
pipeline does) and ``sharing`` (every recipient receives anonymised data).
"""

from __future__ import annotations

from typing import Any

import pytest

from checker.checks import anonymisation
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
    assert_declared(anonymisation.CHECK, "anonymisation", "anonymisation", Severity.HIGH)


BEFORE_TRAINING: dict[str, Any] = {
    "id": "anonymise-before-training",
    "statement": "training data is anonymised, identifiers removed",
    "applies_to": "training",
    "required_filters": ["pii_redaction", "anonymisation"],
}
BEFORE_STORAGE = changed(BEFORE_TRAINING, id="anonymise-stored-data", applies_to="storage")
BEFORE_SHARING = changed(
    BEFORE_TRAINING,
    id="anonymise-shared-data",
    applies_to="sharing",
    required_filters=["anonymisation"],
)
TRAIN: dict[str, Any] = {
    "id": "train",
    "purpose": "training",
    "sources": ["chats"],
    "filters": ["pii_redaction", "anonymisation", "minors"],
}
METRICS: dict[str, Any] = {"id": "metrics", "purpose": "analytics", "sources": ["chats"]}
PT, PM = "pipeline:train", "pipeline:metrics"
TRAIN_OK = (P, PT, "pipeline train applies pii_redaction and anonymisation")


def train(drop: tuple[str, ...] = (), **fields: Any) -> dict[str, Any]:
    return changed(TRAIN, drop, **fields)


PIPELINE_CASES = [
    Case(
        "a-pipeline-applying-every-filter-passes",
        BEFORE_TRAINING,
        {"pipelines": [TRAIN]},
        [TRAIN_OK],
    ),
    Case(
        "a-missing-filter-fails",
        BEFORE_TRAINING,
        {"pipelines": [train(filters=["anonymisation"])]},
        [(F, PT, "pipeline train does not apply pii_redaction")],
    ),
    Case(
        "no-filters-at-all-fails-naming-each",
        BEFORE_TRAINING,
        {"pipelines": [train(filters=[])]},
        [(F, PT, "pipeline train does not apply pii_redaction and anonymisation")],
    ),
    Case(
        "null-filters-fail-like-none",
        BEFORE_TRAINING,
        {"pipelines": [train(filters=None)]},
        [(F, PT, "pipeline train does not apply pii_redaction and anonymisation")],
    ),
    Case(
        "unrecorded-filters-are-not-evidenced",
        BEFORE_TRAINING,
        {"pipelines": [train(("filters",))]},
        [(N, PT, "pipeline train records no filters")],
    ),
    Case(
        "no-pipelines-section-is-not-evidenced",
        BEFORE_TRAINING,
        {"stores": []},
        [(N, "pipelines", "the snapshot does not record its data pipelines")],
    ),
    Case(
        "no-training-pipeline-passes",
        BEFORE_TRAINING,
        {"pipelines": [METRICS]},
        [(P, "pipelines", "no training pipeline in the snapshot")],
    ),
    Case(
        "for-training-other-pipelines-are-not-judged",
        BEFORE_TRAINING,
        {"pipelines": [METRICS, TRAIN]},
        [TRAIN_OK],
    ),
    Case(
        "for-storage-every-pipeline-is-judged",
        BEFORE_STORAGE,
        {"pipelines": [METRICS, TRAIN]},
        [(N, PM, "pipeline metrics records no filters"), TRAIN_OK],
    ),
    Case(
        "for-storage-a-pipeline-missing-a-filter-fails",
        BEFORE_STORAGE,
        {"pipelines": [changed(METRICS, filters=["pii_redaction"])]},
        [(F, PM, "pipeline metrics does not apply anonymisation")],
    ),
    Case(
        "for-storage-no-pipeline-passes",
        BEFORE_STORAGE,
        {"pipelines": []},
        [(P, "pipelines", "no pipeline in the snapshot")],
    ),
]


@pytest.mark.parametrize("case", PIPELINE_CASES, ids=ids(PIPELINE_CASES))
def test_anonymisation_in_pipelines(case: Case) -> None:
    assert triples(observe(anonymisation.CHECK, case.clause, case.snapshot)) == case.expected


LAB: dict[str, Any] = {
    "id": "lab",
    "kind": "research_partner",
    "data_kinds": ["conversations"],
    "anonymised": True,
    "fed_by": ["extract"],
}
EXTRACT: dict[str, Any] = {
    "id": "extract",
    "purpose": "export",
    "sources": ["chats"],
    "filters": ["pii_redaction", "anonymisation"],
}
RL = "recipient:lab"
LAB_OK = (
    P,
    RL,
    "recipient lab receives anonymised data from pipeline extract, which applies anonymisation",
)


def shared(*recipients: dict[str, Any], pipelines: tuple[Any, ...] = (EXTRACT,)) -> dict[str, Any]:
    return {"pipelines": list(pipelines), "recipients": list(recipients)}


SHARING_CASES = [
    Case(
        "an-anonymised-recipient-passes",
        BEFORE_SHARING,
        shared(LAB),
        [LAB_OK],
    ),
    Case(
        "a-recipient-of-data-that-is-not-anonymised-fails",
        BEFORE_SHARING,
        shared(LAB, changed(LAB, id="crm", anonymised=False)),
        [
            LAB_OK,
            (F, "recipient:crm", "recipient crm receives data that is not anonymised"),
        ],
    ),
    Case(
        "only-true-counts-as-anonymised",
        BEFORE_SHARING,
        shared(changed(LAB, anonymised="yes")),
        [(F, RL, "recipient lab receives data that is not anonymised")],
    ),
    Case(
        "an-unrecorded-anonymisation-is-not-evidenced",
        BEFORE_SHARING,
        shared(changed(LAB, ("anonymised",))),
        [(N, RL, "recipient lab does not record whether its data is anonymised")],
    ),
    Case(
        "a-recipient-linked-to-no-pipeline-is-not-evidenced",
        BEFORE_SHARING,
        shared(changed(LAB, ("fed_by",))),
        [
            (
                N,
                RL,
                "recipient lab is recorded as receiving anonymised data, but no pipeline in the "
                "snapshot is linked to it (fed_by): how its data is prepared is not recorded",
            )
        ],
    ),
    Case(
        "a-link-naming-no-pipeline-is-no-link",
        BEFORE_SHARING,
        shared(changed(LAB, fed_by=["extrakt"])),
        [
            (
                N,
                RL,
                "recipient lab is recorded as receiving anonymised data, but no pipeline in the "
                "snapshot is linked to it (fed_by): how its data is prepared is not recorded",
            )
        ],
    ),
    Case(
        "a-feeding-pipeline-without-the-filters-fails",
        BEFORE_SHARING,
        shared(LAB, pipelines=(changed(EXTRACT, filters=["pii_redaction"]),)),
        [
            (
                F,
                RL,
                "recipient lab receives data from pipeline extract, which does not apply "
                "anonymisation",
            )
        ],
    ),
    Case(
        "every-feeding-pipeline-is-judged",
        BEFORE_SHARING,
        shared(
            changed(LAB, fed_by=["extract", "raw-dump"]),
            pipelines=(EXTRACT, changed(EXTRACT, id="raw-dump", filters=[])),
        ),
        [
            LAB_OK,
            (
                F,
                RL,
                "recipient lab receives data from pipeline raw-dump, which does not apply "
                "anonymisation",
            ),
        ],
    ),
    Case(
        "a-feeding-pipeline-without-recorded-filters-is-not-evidenced",
        BEFORE_SHARING,
        shared(LAB, pipelines=(changed(EXTRACT, ("filters",)),)),
        [(N, RL, "pipeline extract, which feeds recipient lab, records no filters")],
    ),
    Case(
        "no-recipients-section-is-not-evidenced",
        BEFORE_SHARING,
        {"pipelines": [TRAIN]},
        [(N, "recipients", "the snapshot does not record who receives data")],
    ),
    Case(
        "no-recipient-passes-and-says-so",
        BEFORE_SHARING,
        {"recipients": []},
        [(P, "recipients", "the snapshot records that no third party receives data")],
    ),
]


@pytest.mark.parametrize("case", SHARING_CASES, ids=ids(SHARING_CASES))
def test_anonymisation_of_shared_data(case: Case) -> None:
    assert triples(observe(anonymisation.CHECK, case.clause, case.snapshot)) == case.expected


WHERE = [
    Where(
        "missing-filter",
        BEFORE_TRAINING,
        {"pipelines": [METRICS, train(filters=["anonymisation"])]},
        ("pipelines", 1, "filters"),
        ("required_filters",),
        "filters pii_redaction and anonymisation",
        "filters anonymisation",
    ),
    Where(
        "filters-applied",
        BEFORE_TRAINING,
        {"pipelines": [TRAIN]},
        ("pipelines", 0, "filters"),
        (),
        "filters pii_redaction and anonymisation",
        "filters pii_redaction, anonymisation and minors",
    ),
    Where(
        "filters-unrecorded",
        BEFORE_TRAINING,
        {"pipelines": [train(("filters",))]},
        ("pipelines", 0),
        (),
        "filters pii_redaction and anonymisation",
        "not recorded in the snapshot",
    ),
    Where(
        "no-training-pipeline",
        BEFORE_TRAINING,
        {"pipelines": []},
        ("pipelines",),
        (),
        "filters pii_redaction and anonymisation",
        "none",
    ),
    Where(
        "not-anonymised",
        BEFORE_SHARING,
        shared(changed(LAB, anonymised=False)),
        ("recipients", 0, "anonymised"),
        ("applies_to",),
        "recipients receive anonymised data only",
        "not anonymised",
    ),
    Where(
        "anonymised",
        BEFORE_SHARING,
        shared(LAB),
        ("pipelines", 0, "filters"),
        (),
        "recipients receive anonymised data only",
        "filters pii_redaction and anonymisation",
    ),
    Where(
        "feeding-pipeline-lacks-a-filter",
        BEFORE_SHARING,
        shared(LAB, pipelines=(changed(EXTRACT, filters=["pii_redaction"]),)),
        ("pipelines", 0, "filters"),
        ("required_filters",),
        "recipients receive anonymised data only",
        "filters pii_redaction",
    ),
    Where(
        "no-feeding-pipeline",
        BEFORE_SHARING,
        shared(changed(LAB, ("fed_by",))),
        ("recipients", 0),
        (),
        "recipients receive anonymised data only",
        "not recorded in the snapshot",
    ),
    Where(
        "anonymisation-unrecorded",
        BEFORE_SHARING,
        shared(changed(LAB, ("anonymised",))),
        ("recipients", 0),
        (),
        "recipients receive anonymised data only",
        "not recorded in the snapshot",
    ),
    Where(
        "no-recipients",
        BEFORE_SHARING,
        {},
        None,
        (),
        "recipients receive anonymised data only",
        "not recorded in the snapshot",
    ),
]


@pytest.mark.parametrize("case", WHERE, ids=ids(WHERE))
def test_anonymisation_points_at_the_evidence(case: Where) -> None:
    [obs] = observe(anonymisation.CHECK, case.clause, case.snapshot)
    assert pointer(obs) == case.pointer
