"""Stored data kinds: ``checker/checks/data_minimisation.py``.

Each case is a clause and a snapshot, and the exact observations expected, for the clause's
three modes: ``forbidden_in: training`` (no training pipeline emits the kinds or reads them
without PII redaction), ``forbidden_in: storage`` (no store holds them) and ``allowed_in``
(the kinds are kept to their place: held by a store, never trained on when kept for storage,
never shared).
"""

from __future__ import annotations

from typing import Any

import pytest

from checker.checks import data_minimisation
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
    assert_declared(data_minimisation.CHECK, "data_minimisation", "data_kinds", Severity.HIGH)


NO_PIPELINES = (N, "pipelines", "the snapshot does not record its data pipelines")
NO_RECIPIENTS = (N, "recipients", "the snapshot does not record who receives data")
NO_STORES = (N, "stores", "the snapshot does not record its data stores")
PT = "pipeline:train"


# --- forbidden_in: training -------------------------------------------------------------------

NO_EMAIL_IN_TRAINING: dict[str, Any] = {
    "id": "no-email-in-training",
    "statement": "direct identifiers like email are not used for training",
    "data_kinds": ["email"],
    "forbidden_in": "training",
}
# The kind of "temporary chats are never used for training": not an identifier.
NO_CHATS_IN_TRAINING = changed(
    NO_EMAIL_IN_TRAINING, id="no-chats-in-training", data_kinds=["conversations"]
)
ACCOUNTS: dict[str, Any] = {"id": "accounts", "data_kinds": ["email", "preferences"]}
CHATS: dict[str, Any] = {"id": "chats", "data_kinds": ["conversations"]}
TRAIN: dict[str, Any] = {
    "id": "train",
    "purpose": "training",
    "sources": ["chats"],
    "data_kinds": ["conversations"],
}


def train(drop: tuple[str, ...] = (), **fields: Any) -> dict[str, Any]:
    return changed(TRAIN, drop, **fields)


def system(*pipelines: dict[str, Any], **sections: Any) -> dict[str, Any]:
    return {"stores": [CHATS, ACCOUNTS], "pipelines": list(pipelines), **sections}


TRAINING_CASES = [
    Case(
        "a-pipeline-reading-no-forbidden-kind-passes",
        NO_EMAIL_IN_TRAINING,
        system(TRAIN),
        [(P, PT, "training pipeline train reads no email")],
    ),
    Case(
        "no-pipelines-section-is-not-evidenced",
        NO_EMAIL_IN_TRAINING,
        {"stores": [CHATS]},
        [NO_PIPELINES],
    ),
    Case(
        "no-training-pipeline-passes",
        NO_EMAIL_IN_TRAINING,
        system(train(purpose="analytics", sources=["accounts"])),
        [(P, "pipelines", "no pipeline in the snapshot trains models")],
    ),
    Case(
        "a-pipeline-emitting-the-kind-fails",
        NO_EMAIL_IN_TRAINING,
        system(train(data_kinds=["conversations", "email"])),
        [(F, PT, "training pipeline train emits email into training data")],
    ),
    Case(
        "a-pipeline-reading-a-store-of-the-kind-without-redaction-fails",
        NO_EMAIL_IN_TRAINING,
        system(train(sources=["chats", "accounts"])),
        [(F, PT, "training pipeline train reads email from store accounts without PII redaction")],
    ),
    Case(
        "pii-redaction-makes-reading-the-kind-pass",
        NO_EMAIL_IN_TRAINING,
        system(train(sources=["accounts"], filters=["pii_redaction"])),
        [(P, PT, "training pipeline train redacts PII from its sources")],
    ),
    Case(
        "pii-redaction-does-not-excuse-reading-a-kind-that-is-not-identifiable",
        NO_CHATS_IN_TRAINING,
        system(train(("data_kinds",), sources=["chats"], filters=["pii_redaction"])),
        [
            (
                F,
                PT,
                "training pipeline train reads conversations from store chats: PII redaction "
                "removes identifiers, not conversations",
            )
        ],
    ),
    Case(
        # Without redaction, a kind that identifies no one is not "missing PII redaction":
        # it is forbidden, and the message must not suggest redaction would make it allowed.
        "reading-a-forbidden-kind-that-is-not-identifiable-names-the-promise-not-redaction",
        NO_CHATS_IN_TRAINING,
        system(train(("data_kinds",), sources=["chats"])),
        [
            (
                F,
                PT,
                "training pipeline train reads conversations from store chats, which the "
                "policy keeps out of training",
            )
        ],
    ),
    Case(
        "pii-redaction-excuses-only-the-identifiable-kinds-of-a-clause",
        changed(NO_CHATS_IN_TRAINING, data_kinds=["email", "conversations"]),
        system(train(("data_kinds",), sources=["accounts", "chats"], filters=["pii_redaction"])),
        [
            (
                F,
                PT,
                "training pipeline train reads conversations from store chats: PII redaction "
                "removes identifiers, not conversations",
            )
        ],
    ),
    Case(
        "pii-redaction-passes-a-mixed-clause-when-only-identifiers-are-read",
        changed(NO_CHATS_IN_TRAINING, data_kinds=["email", "conversations"]),
        system(train(("data_kinds",), sources=["accounts"], filters=["pii_redaction"])),
        [(P, PT, "training pipeline train redacts PII from its sources")],
    ),
    Case(
        "pii-redaction-does-not-cover-a-source-naming-no-store-for-other-kinds",
        NO_CHATS_IN_TRAINING,
        system(train(("data_kinds",), sources=["tmp"], filters=["pii_redaction"])),
        [
            (
                N,
                PT,
                "training pipeline train reads tmp, which names no store in the snapshot: "
                "whether it reads conversations is not recorded",
            )
        ],
    ),
    Case(
        "pii-redaction-does-not-excuse-emitting-the-kind",
        NO_EMAIL_IN_TRAINING,
        system(train(data_kinds=["email"], filters=["pii_redaction"])),
        [(F, PT, "training pipeline train emits email into training data")],
    ),
    Case(
        "other-filters-are-no-redaction",
        NO_EMAIL_IN_TRAINING,
        system(train(sources=["accounts"], filters=["anonymisation"])),
        [(F, PT, "training pipeline train reads email from store accounts without PII redaction")],
    ),
    Case(
        "a-source-naming-no-store-is-not-evidenced",
        NO_EMAIL_IN_TRAINING,
        system(train(sources=["chats", "acounts"])),
        [
            (
                N,
                PT,
                "training pipeline train reads acounts, which names no store in the snapshot: "
                "whether it reads email is not recorded",
            )
        ],
    ),
    Case(
        "pii-redaction-covers-a-source-naming-no-store",
        NO_EMAIL_IN_TRAINING,
        system(train(sources=["acounts"], filters=["pii_redaction"])),
        [(P, PT, "training pipeline train redacts PII from its sources")],
    ),
    Case(
        "a-known-leak-outweighs-an-unknown-source",
        NO_EMAIL_IN_TRAINING,
        system(train(sources=["acounts", "accounts"])),
        [(F, PT, "training pipeline train reads email from store accounts without PII redaction")],
    ),
    Case(
        "every-store-sharing-a-source-id-is-read",
        NO_EMAIL_IN_TRAINING,
        {"stores": [CHATS, changed(CHATS, data_kinds=["email"])], "pipelines": [TRAIN]},
        [(F, PT, "training pipeline train reads email from store chats without PII redaction")],
    ),
    Case(
        "a-pipeline-without-sources-or-kinds-reads-nothing",
        NO_EMAIL_IN_TRAINING,
        system(train(("sources", "data_kinds"))),
        [(P, PT, "training pipeline train reads no email")],
    ),
    Case(
        "forbidden-in-training-is-the-default-mode",
        changed(NO_EMAIL_IN_TRAINING, ("forbidden_in",)),
        system(train(sources=["accounts"])),
        [(F, PT, "training pipeline train reads email from store accounts without PII redaction")],
    ),
]


@pytest.mark.parametrize("case", TRAINING_CASES, ids=ids(TRAINING_CASES))
def test_forbidden_in_training(case: Case) -> None:
    assert triples(observe(data_minimisation.CHECK, case.clause, case.snapshot)) == case.expected


# --- forbidden_in: storage --------------------------------------------------------------------

NO_EMAIL_STORED = changed(NO_EMAIL_IN_TRAINING, id="no-email-stored", forbidden_in="storage")
STORAGE_CASES = [
    Case(
        "no-store-holding-the-kind-passes",
        NO_EMAIL_STORED,
        {"stores": [CHATS]},
        [(P, "stores", "no store holds email")],
    ),
    Case(
        "an-empty-stores-section-passes",
        NO_EMAIL_STORED,
        {"stores": []},
        [(P, "stores", "no store holds email")],
    ),
    Case("no-stores-section-is-not-evidenced", NO_EMAIL_STORED, {"pipelines": []}, [NO_STORES]),
    Case(
        "every-store-holding-the-kind-fails",
        NO_EMAIL_STORED,
        {"stores": [ACCOUNTS, CHATS, changed(ACCOUNTS, id="crm")]},
        [
            (F, "store:accounts", "store accounts holds email"),
            (F, "store:crm", "store crm holds email"),
        ],
    ),
]


@pytest.mark.parametrize("case", STORAGE_CASES, ids=ids(STORAGE_CASES))
def test_forbidden_in_storage(case: Case) -> None:
    assert triples(observe(data_minimisation.CHECK, case.clause, case.snapshot)) == case.expected


# --- allowed_in -------------------------------------------------------------------------------

ALLOWED_IN_STORAGE: dict[str, Any] = {
    "id": "preferences-stored",
    "statement": "preferences are stored for personalisation only",
    "data_kinds": ["preferences"],
    "allowed_in": "storage",
}
ALLOWED_IN_TRAINING = changed(ALLOWED_IN_STORAGE, id="chats-trained", allowed_in="training")
PREFS_STORE = {"id": "prefs", "data_kinds": ["preferences"]}
PREFS_HELD = (P, "store:prefs", "store prefs holds preferences")
LAB: dict[str, Any] = {"id": "lab", "kind": "research_partner", "data_kinds": ["conversations"]}


def kept(*pipelines: dict[str, Any], recipients: list[Any] | None = None) -> dict[str, Any]:
    return {
        "stores": [PREFS_STORE, CHATS],
        "pipelines": list(pipelines),
        "recipients": [] if recipients is None else recipients,
    }


ALLOWED_CASES = [
    Case(
        "kept-in-storage-only-passes",
        ALLOWED_IN_STORAGE,
        kept(TRAIN, recipients=[LAB]),
        [PREFS_HELD],
    ),
    Case(
        "no-store-holding-the-kind-is-not-evidenced",
        ALLOWED_IN_STORAGE,
        {"stores": [CHATS], "pipelines": [], "recipients": []},
        [(N, "policy", "no store in the snapshot holds preferences")],
    ),
    Case(
        "a-training-pipeline-emitting-the-kind-fails",
        ALLOWED_IN_STORAGE,
        kept(train(data_kinds=["preferences"])),
        [
            PREFS_HELD,
            (
                F,
                PT,
                "training pipeline train trains on preferences, which the policy keeps for "
                "storage only",
            ),
        ],
    ),
    Case(
        "a-training-pipeline-reading-a-store-of-the-kind-fails",
        ALLOWED_IN_STORAGE,
        kept(train(sources=["chats", "prefs"])),
        [
            PREFS_HELD,
            (
                F,
                PT,
                "training pipeline train reads preferences from store prefs, which the policy "
                "keeps for storage only",
            ),
        ],
    ),
    Case(
        "pipelines-that-do-not-train-may-read-the-kind",
        ALLOWED_IN_STORAGE,
        kept(train(purpose="export", sources=["prefs"], data_kinds=["preferences"])),
        [PREFS_HELD],
    ),
    Case(
        "a-recipient-of-the-kind-fails",
        ALLOWED_IN_STORAGE,
        kept(recipients=[LAB, changed(LAB, id="ads", data_kinds=["preferences"])]),
        [
            PREFS_HELD,
            (
                F,
                "recipient:ads",
                "recipient ads receives preferences, which the policy keeps for storage only",
            ),
        ],
    ),
    Case(
        "allowed-in-training-may-be-trained-on",
        ALLOWED_IN_TRAINING,
        kept(train(sources=["prefs"], data_kinds=["preferences"])),
        [PREFS_HELD],
    ),
    Case(
        "allowed-in-training-does-not-need-pipelines",
        ALLOWED_IN_TRAINING,
        {"stores": [PREFS_STORE], "recipients": []},
        [PREFS_HELD],
    ),
    Case(
        "allowed-in-training-is-still-not-shared",
        ALLOWED_IN_TRAINING,
        kept(recipients=[changed(LAB, data_kinds=["preferences"])]),
        [
            PREFS_HELD,
            (
                F,
                "recipient:lab",
                "recipient lab receives preferences, which the policy keeps for training only",
            ),
        ],
    ),
    Case(
        "allowed-in-training-without-recipients-is-not-evidenced",
        ALLOWED_IN_TRAINING,
        {"stores": [PREFS_STORE]},
        [PREFS_HELD, NO_RECIPIENTS],
    ),
]


@pytest.mark.parametrize("case", ALLOWED_CASES, ids=ids(ALLOWED_CASES))
def test_allowed_in(case: Case) -> None:
    assert triples(observe(data_minimisation.CHECK, case.clause, case.snapshot)) == case.expected


# Evidence gaps: a snapshot that does not say where the kinds go is not evidence that they stay.


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


WHERE = [
    Where(
        "emits",
        NO_EMAIL_IN_TRAINING,
        system(train(data_kinds=["conversations", "email"])),
        ("pipelines", 0, "data_kinds"),
        ("forbidden_in",),
        "email kept out of training data",
        "conversations and email",
    ),
    Where(
        "reads-without-redaction",
        NO_EMAIL_IN_TRAINING,
        system(train(sources=["accounts"])),
        ("stores", 1, "data_kinds"),
        ("forbidden_in",),
        "email kept out of training data",
        "accounts holds email",
    ),
    Where(
        "redacts",
        NO_EMAIL_IN_TRAINING,
        system(train(sources=["accounts"], filters=["pii_redaction"])),
        ("pipelines", 0, "filters"),
        (),
        "email kept out of training data",
        "redacts PII from its sources",
    ),
    Where(
        "reads-none",
        NO_EMAIL_IN_TRAINING,
        system(TRAIN),
        ("pipelines", 0, "sources"),
        (),
        "email kept out of training data",
        "reads no email",
    ),
    Where(
        "unknown-source",
        NO_EMAIL_IN_TRAINING,
        system(train(sources=["chats", "acounts"])),
        ("pipelines", 0, "sources", 1),
        (),
        "email kept out of training data",
        "not recorded in the snapshot",
    ),
    Where(
        "stored",
        NO_EMAIL_STORED,
        {"stores": [CHATS, ACCOUNTS]},
        ("stores", 1, "data_kinds"),
        ("forbidden_in",),
        "email not stored",
        "email and preferences",
    ),
    Where(
        "not-stored",
        NO_EMAIL_STORED,
        {"stores": [CHATS]},
        ("stores",),
        (),
        "email not stored",
        "not stored",
    ),
    Where(
        "no-stores-section",
        NO_EMAIL_STORED,
        {},
        None,
        (),
        "email not stored",
        "not recorded in the snapshot",
    ),
    Where(
        "held",
        ALLOWED_IN_STORAGE,
        kept(),
        ("stores", 0, "data_kinds"),
        (),
        "preferences used only for storage",
        "preferences",
    ),
    Where(
        "held-nowhere",
        ALLOWED_IN_STORAGE,
        {"stores": [CHATS], "pipelines": [], "recipients": []},
        ("stores",),
        ("data_kinds",),
        "preferences used only for storage",
        "not recorded in the snapshot",
    ),
    Where(
        "trained-on",
        ALLOWED_IN_STORAGE,
        kept(train(data_kinds=["preferences"])),
        ("pipelines", 0, "data_kinds"),
        ("allowed_in",),
        "preferences used only for storage",
        "emits preferences",
        {"index": 1},
    ),
    Where(
        "read-by-training",
        ALLOWED_IN_STORAGE,
        kept(train(sources=["chats", "prefs"])),
        ("pipelines", 0, "sources"),
        ("allowed_in",),
        "preferences used only for storage",
        "reads prefs",
        {"index": 1},
    ),
    Where(
        "shared",
        ALLOWED_IN_STORAGE,
        kept(recipients=[changed(LAB, data_kinds=["preferences"])]),
        ("recipients", 0, "data_kinds"),
        ("allowed_in",),
        "preferences used only for storage",
        "receives preferences",
        {"index": 1},
    ),
]


@pytest.mark.parametrize("case", WHERE, ids=ids(WHERE))
def test_data_minimisation_points_at_the_evidence(case: Where) -> None:
    found = observe(data_minimisation.CHECK, case.clause, case.snapshot)
    assert pointer(found[case.extra.get("index", 0)]) == case.pointer
