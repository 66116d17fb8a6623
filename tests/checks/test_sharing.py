"""Third-party sharing: ``checker/checks/sharing.py``.

Each case is a clause and a snapshot, and the exact observations expected.
"""

from __future__ import annotations

from typing import Any

import pytest

from checker.checks import sharing
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
    assert_declared(sharing.CHECK, "sharing", "sharing", Severity.CRITICAL)


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
    "fed_by": ["extract"],
    "sale": False,
}
# The export pipeline that prepares what the lab receives.
EXTRACT: dict[str, Any] = {
    "id": "extract",
    "purpose": "export",
    "sources": ["chats"],
    "consent_filter": "training_allowed_only",
    "filters": ["pii_redaction", "anonymisation"],
}
AD_NET = changed(LAB, id="ad-net", kind="advertiser", purpose="ads")
RL = "recipient:research-lab"
LAB_LABEL = "research partner research-lab"

SHARING_CASES = [
    Case(
        "lab-under-nda-passes",
        SHARING,
        {"pipelines": [EXTRACT], "recipients": [LAB]},
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
        {"pipelines": [EXTRACT], "recipients": []},
        [
            (P, "recipients", "the snapshot records that no third party receives data"),
        ],
    ),
    Case(
        "missing-nda-fails",
        SHARING,
        {"pipelines": [EXTRACT], "recipients": [changed(LAB, agreements=[])]},
        [
            (F, RL, f"{LAB_LABEL} receives conversations without an NDA"),
        ],
    ),
    Case(
        "not-anonymised-and-no-nda-fails-once-naming-both",
        SHARING,
        {
            "pipelines": [EXTRACT],
            "recipients": [changed(LAB, anonymised=False, agreements=["dpa"])],
        },
        [
            (F, RL, f"{LAB_LABEL} receives conversations without anonymisation and without an NDA"),
        ],
    ),
    Case(
        "purpose-not-allowed-fails",
        SHARING,
        {"pipelines": [EXTRACT], "recipients": [changed(LAB, purpose="marketing")]},
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
        {"pipelines": [EXTRACT], "recipients": [changed(LAB, sale=True)]},
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
        {"pipelines": [EXTRACT], "recipients": [changed(LAB, sale=True)]},
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
        {"pipelines": [EXTRACT], "recipients": [changed(LAB, identifiable=True)]},
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
        {
            "pipelines": [EXTRACT],
            "recipients": [changed(LAB, data_kinds=["conversations", "email"])],
        },
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
        {"pipelines": [EXTRACT], "recipients": [changed(LAB, identifiable=True)]},
        [
            (F, RL, f"{LAB_LABEL} receives identifiable data without a DPA"),
        ],
    ),
    Case(
        "identifiable-with-dpa-passes",
        changed(SHARING, identifiable_data="with_dpa"),
        {
            "pipelines": [EXTRACT],
            "recipients": [changed(LAB, identifiable=True, agreements=["nda", "dpa"])],
        },
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
        {"pipelines": [EXTRACT], "recipients": [AD_NET]},
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
        {"pipelines": [EXTRACT], "recipients": [LAB]},
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
        {"pipelines": [EXTRACT], "recipients": [changed(AD_NET, sale=True, identifiable=True)]},
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
        {"pipelines": [EXTRACT], "recipients": [changed(LAB, ("anonymised",))]},
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
        {"pipelines": [EXTRACT], "recipients": [changed(LAB, ("sale", "agreements"))]},
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
        {"pipelines": [EXTRACT], "recipients": [changed(LAB, ("purpose",))]},
        [
            (N, RL, f"the snapshot does not record its purpose for {LAB_LABEL}"),
        ],
    ),
    Case(
        "kind-and-identifiable-not-recorded",
        SHARING,
        {"pipelines": [EXTRACT], "recipients": [changed(LAB, ("kind", "identifiable"))]},
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
        {"pipelines": [EXTRACT], "recipients": [changed(LAB, ("anonymised",), sale=True)]},
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
        {"pipelines": [EXTRACT], "recipients": [changed(LAB, ("anonymised",))]},
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
        {"pipelines": [EXTRACT], "recipients": [changed(LAB, agreements=["dpa"])]},
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
        {"pipelines": [EXTRACT], "recipients": [changed(LAB, agreements=["nda"])]},
        [
            (F, RL, f"{LAB_LABEL} receives conversations without standard contractual clauses"),
        ],
    ),
    Case(
        "one-observation-per-recipient-in-order",
        SHARING,
        {
            "pipelines": [EXTRACT],
            "recipients": [changed(LAB, data_kinds=[], purpose="model_improvement"), AD_NET],
        },
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
        {"pipelines": [EXTRACT], "recipients": [changed(LAB, agreements=[])]},
        ("recipients", 0, "agreements"),
        ("allowed_recipients", 0, "agreements"),
        "research partner receives anonymised data under an NDA for model_improvement",
        "anonymised; agreements: none; purpose: model_improvement",
    ),
    Where(
        "two-gaps",
        SHARING,
        {"pipelines": [EXTRACT], "recipients": [changed(LAB, anonymised=False, agreements=[])]},
        ("recipients", 0),
        ("allowed_recipients", 0),
        "research partner receives anonymised data under an NDA for model_improvement",
        "not anonymised; agreements: none; purpose: model_improvement",
    ),
    Where(
        "sale",
        SHARING,
        {"pipelines": [EXTRACT], "recipients": [changed(LAB, sale=True)]},
        ("recipients", 0, "sale"),
        ("sale",),
        "no sale of data",
        "data sold",
    ),
    Where(
        "identifiable-kind",
        SHARING,
        {"pipelines": [EXTRACT], "recipients": [changed(LAB, data_kinds=["email"])]},
        ("recipients", 0, "data_kinds"),
        ("identifiable_data",),
        "no identifiable data shared",
        "identifiable data (email)",
    ),
    Where(
        "without-dpa",
        changed(SHARING, identifiable_data="with_dpa"),
        {"pipelines": [EXTRACT], "recipients": [changed(LAB, identifiable=True)]},
        ("recipients", 0, "agreements"),
        ("identifiable_data",),
        "identifiable data only under a DPA",
        "agreements: NDA",
    ),
    Where(
        "kind",
        SHARING,
        {"pipelines": [EXTRACT], "recipients": [AD_NET]},
        ("recipients", 0, "kind"),
        ("allowed_recipients",),
        "a recipient of kind research_partner",
        "kind advertiser",
    ),
    Where(
        "nobody-allowed",
        changed(SHARING, allowed_recipients=[]),
        {"pipelines": [EXTRACT], "recipients": [LAB]},
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
        {"pipelines": [EXTRACT], "recipients": [changed(LAB, ("purpose",))]},
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


# --- terms of entries and recipients that leave fields out -----------------------------------

PROCESSORS = changed(SHARING, allowed_recipients=[{"kind": "processor"}])
PROCESSOR = changed(LAB, ("purpose",), id="mailer", kind="processor", anonymised=False)
PM = "recipient:mailer"

TERMS_CASES = [
    Case(
        "an-entry-with-kind-only-allows-any-terms",
        PROCESSORS,
        {"pipelines": [EXTRACT], "recipients": [changed(PROCESSOR, agreements=[])]},
        [(P, PM, "processor mailer receives conversations, as the policy allows")],
    ),
    Case(
        "an-entry-without-anonymisation-or-purposes-asks-only-its-agreements",
        changed(SHARING, allowed_recipients=[{"kind": "research_partner", "agreements": ["nda"]}]),
        {"pipelines": [EXTRACT], "recipients": [changed(LAB, anonymised=False)]},
        [
            (
                P,
                RL,
                f"{LAB_LABEL} receives conversations under an NDA, as the policy allows",
            )
        ],
    ),
    Case(
        "a-purpose-that-is-not-text-is-left-out-when-no-purpose-is-required",
        changed(SHARING, allowed_recipients=[{"kind": "research_partner"}]),
        {"pipelines": [EXTRACT], "recipients": [changed(LAB, purpose=3)]},
        [
            (
                P,
                RL,
                f"{LAB_LABEL} receives conversations anonymised, under an NDA, as the policy "
                "allows",
            )
        ],
    ),
    Case(
        "identifiable-data-with-a-dpa-needs-recorded-agreements",
        changed(PROCESSORS, identifiable_data="with_dpa"),
        {
            "pipelines": [EXTRACT],
            "recipients": [changed(PROCESSOR, ("agreements",), identifiable=True)],
        },
        [(N, PM, "the snapshot does not record its agreements for processor mailer")],
    ),
]


@pytest.mark.parametrize("case", TERMS_CASES, ids=ids(TERMS_CASES))
def test_sharing_terms(case: Case) -> None:
    assert triples(observe(sharing.CHECK, case.clause, case.snapshot)) == case.expected


TERMS_WHERE = [
    Where(
        "kind-only",
        PROCESSORS,
        {"pipelines": [EXTRACT], "recipients": [changed(PROCESSOR, agreements=[])]},
        ("recipients", 0),
        (),
        "processor receives data",
        "not anonymised; agreements: none",
    ),
    Where(
        "agreements-unrecorded",
        changed(PROCESSORS, identifiable_data="with_dpa"),
        {
            "pipelines": [EXTRACT],
            "recipients": [changed(PROCESSOR, ("agreements",), identifiable=True)],
        },
        ("recipients", 0),
        (),
        "recorded agreements",
        "not recorded in the snapshot",
    ),
    Where(
        "sale-unrecorded",
        PROCESSORS,
        {"pipelines": [EXTRACT], "recipients": [changed(PROCESSOR, ("sale",), agreements=[])]},
        ("recipients", 0),
        (),
        "recorded sale",
        "not recorded in the snapshot",
    ),
]


@pytest.mark.parametrize("case", TERMS_WHERE, ids=ids(TERMS_WHERE))
def test_sharing_terms_point_at_the_recipient(case: Where) -> None:
    [obs] = observe(sharing.CHECK, case.clause, case.snapshot)
    assert pointer(obs) == case.pointer


# --- the pipelines that feed a recipient ------------------------------------------------------
# What a recipient receives is what its export pipelines make of it: an entry that asks for
# anonymised or consented data is met only when every pipeline the recipient is fed_by applies
# the filters, and not evidenced when the snapshot links no pipeline to it.

CONSENTED = changed(
    SHARING,
    allowed_recipients=[changed(SHARING["allowed_recipients"][0], consent_filter="required")],
)
LAB_PASSES = (
    P,
    RL,
    f"{LAB_LABEL} receives conversations anonymised, under an NDA, for model_improvement, "
    "as the policy allows",
)


def fed(*pipelines: dict[str, Any], lab: dict[str, Any] = LAB) -> dict[str, Any]:
    return {"pipelines": list(pipelines), "recipients": [lab]}


FEEDING_CASES = [
    Case(
        "an-anonymising-consenting-pipeline-passes",
        CONSENTED,
        fed(EXTRACT),
        [LAB_PASSES],
    ),
    Case(
        "a-feeding-pipeline-without-anonymisation-fails",
        SHARING,
        fed(changed(EXTRACT, filters=["pii_redaction"])),
        [
            (
                F,
                RL,
                f"{LAB_LABEL} receives conversations from pipeline extract, which does not "
                "apply anonymisation",
            )
        ],
    ),
    Case(
        "a-feeding-pipeline-without-privacy-filters-fails-naming-both",
        SHARING,
        fed(changed(EXTRACT, filters=[])),
        [
            (
                F,
                RL,
                f"{LAB_LABEL} receives conversations from pipeline extract, which does not "
                "apply pii_redaction and anonymisation",
            )
        ],
    ),
    Case(
        "a-feeding-pipeline-without-the-consent-filter-fails",
        CONSENTED,
        fed(changed(EXTRACT, consent_filter="none")),
        [
            (
                F,
                RL,
                f"{LAB_LABEL} receives conversations from pipeline extract, which does not "
                "drop the data of users who did not allow training",
            )
        ],
    ),
    Case(
        "the-consent-filter-is-not-asked-unless-the-entry-requires-it",
        SHARING,
        fed(changed(EXTRACT, consent_filter="none")),
        [LAB_PASSES],
    ),
    Case(
        "a-recipient-linked-to-no-pipeline-is-not-evidenced",
        SHARING,
        fed(EXTRACT, lab=changed(LAB, ("fed_by",))),
        [(N, RL, f"the snapshot does not record which pipeline feeds it for {LAB_LABEL}")],
    ),
    Case(
        "a-link-naming-no-pipeline-feeds-nothing",
        CONSENTED,
        fed(EXTRACT, lab=changed(LAB, fed_by=["extrakt"])),
        [(N, RL, f"the snapshot does not record which pipeline feeds it for {LAB_LABEL}")],
    ),
    Case(
        "unrecorded-filters-of-a-feeding-pipeline-are-not-evidenced",
        CONSENTED,
        fed(changed(EXTRACT, ("filters", "consent_filter"))),
        [
            (
                N,
                RL,
                "the snapshot does not record the filters of pipeline extract and the "
                f"consent_filter of pipeline extract for {LAB_LABEL}",
            )
        ],
    ),
    Case(
        "a-recipient-said-not-anonymised-is-not-judged-by-its-pipeline-for-it",
        SHARING,
        fed(changed(EXTRACT, filters=[]), lab=changed(LAB, anonymised=False)),
        [(F, RL, f"{LAB_LABEL} receives conversations without anonymisation")],
    ),
    Case(
        "no-link-is-needed-when-the-entry-asks-neither",
        changed(SHARING, allowed_recipients=[{"kind": "research_partner", "agreements": ["nda"]}]),
        fed(lab=changed(LAB, ("fed_by",))),
        [
            (
                P,
                RL,
                f"{LAB_LABEL} receives conversations anonymised, under an NDA, as the policy "
                "allows",
            )
        ],
    ),
]


@pytest.mark.parametrize("case", FEEDING_CASES, ids=ids(FEEDING_CASES))
def test_sharing_judges_the_pipelines_that_feed_a_recipient(case: Case) -> None:
    assert triples(observe(sharing.CHECK, case.clause, case.snapshot)) == case.expected


FEEDING_WHERE = [
    Where(
        "missing-filter",
        SHARING,
        fed(changed(EXTRACT, filters=["pii_redaction"])),
        ("pipelines", 0, "filters"),
        ("allowed_recipients", 0, "anonymised"),
        "research partner receives anonymised data under an NDA for model_improvement",
        "pipeline extract: filters pii_redaction",
    ),
    Where(
        "no-filter-at-all",
        SHARING,
        fed(changed(EXTRACT, filters=[])),
        ("pipelines", 0, "filters"),
        ("allowed_recipients", 0, "anonymised"),
        "research partner receives anonymised data under an NDA for model_improvement",
        "pipeline extract: filters none",
    ),
    Where(
        "missing-consent-filter",
        CONSENTED,
        fed(changed(EXTRACT, consent_filter="none")),
        ("pipelines", 0, "consent_filter"),
        ("allowed_recipients", 0, "consent_filter"),
        "research partner receives anonymised data of users who allowed training under an NDA "
        "for model_improvement",
        "pipeline extract: consent_filter none",
    ),
]


@pytest.mark.parametrize("case", FEEDING_WHERE, ids=ids(FEEDING_WHERE))
def test_a_feeding_pipeline_failure_points_at_the_pipeline(case: Where) -> None:
    [obs] = observe(sharing.CHECK, case.clause, case.snapshot)
    assert pointer(obs) == case.pointer
