"""Tier availability: ``checker/checks/tier_availability.py``.

Each case is a clause and a snapshot, and the exact observations expected. The policy is the
shared one with regions added: the check reads them from the policy's vocabulary.
"""

from __future__ import annotations

from typing import Any

import pytest

from checker.checks import tier_availability
from checker.checks.base import CheckContext, Vocabulary
from checker.core.results import Observation, Severity
from tests.checks.support import (
    AS_OF,
    POLICY,
    Case,
    F,
    N,
    P,
    Where,
    assert_declared,
    ids,
    triples,
)

REGIONS: dict[str, Any] = {
    "eea": {"countries": ["AT", "DE", "FR", "IS", "LI", "NO"]},
    "uk": {"countries": ["GB"]},
    "ch": {"countries": ["CH"]},
    "europe": {"regions": ["eea", "uk", "ch"]},
}
WITH_REGIONS: dict[str, Any] = {
    "vocabulary": {**POLICY["vocabulary"], "regions": REGIONS},
}


def observe(clause: dict[str, Any], snapshot: dict[str, Any]) -> list[Observation]:
    ctx = CheckContext(clause, WITH_REGIONS, snapshot, Vocabulary.from_policy(WITH_REGIONS), AS_OF)
    return list(tier_availability.CHECK.run(ctx))


def test_declaration() -> None:
    assert_declared(tier_availability.CHECK, "tier_availability", "availability", Severity.HIGH)


# "apps serving the EEA, Switzerland or the UK must use Paid Services" (Gemini API terms).
NOT_IN_EUROPE: dict[str, Any] = {
    "id": "unpaid-api-not-in-europe",
    "statement": "the API tier is not offered in the EEA, Switzerland or the UK",
    "tier_groups": ["api"],
    "not_offered_in": ["eea", "ch", "uk"],
}
NOT_IN_NESTED = {**NOT_IN_EUROPE, "not_offered_in": ["europe"]}


def api_tier(**fields: Any) -> dict[str, Any]:
    return {"id": "api", "training_default": "trained", **fields}


TA = "tier:api"

CASES = [
    Case(
        "offered-outside-europe-passes",
        NOT_IN_EUROPE,
        {"tiers": [api_tier(regions=["US", "JP"])]},
        [(P, TA, "tier api is offered only outside eea, ch and uk: in US and JP")],
    ),
    Case(
        "offered-in-germany-fails",
        NOT_IN_EUROPE,
        {"tiers": [api_tier(regions=["US", "DE"])]},
        [
            (
                F,
                TA,
                "tier api is offered in DE, inside eea, ch or uk where the policy says it is "
                "not offered",
            )
        ],
    ),
    Case(
        "a-nested-region-covers-its-regions",
        NOT_IN_NESTED,
        {"tiers": [api_tier(regions=["GB", "CH", "US"])]},
        [
            (
                F,
                TA,
                "tier api is offered in GB and CH, inside europe where the policy says it is "
                "not offered",
            )
        ],
    ),
    Case(
        "a-tier-without-regions-is-offered-where-the-deployment-serves",
        NOT_IN_EUROPE,
        {"metadata": {"regions": ["US", "FR"]}, "tiers": [api_tier()]},
        [
            (
                F,
                TA,
                "tier api is offered in FR (where the deployment serves users; the tier records "
                "no regions), inside eea, ch or uk where the policy says it is not offered",
            )
        ],
    ),
    Case(
        "a-deployment-serving-only-outside-europe-passes",
        NOT_IN_EUROPE,
        {"metadata": {"regions": ["US"]}, "tiers": [api_tier()]},
        [
            (
                P,
                TA,
                "tier api is offered only outside eea, ch and uk: in US (where the deployment "
                "serves users; the tier records no regions)",
            )
        ],
    ),
    Case(
        "the-tier's-own-regions-come-first",
        NOT_IN_EUROPE,
        {"metadata": {"regions": ["US", "DE"]}, "tiers": [api_tier(regions=["US"])]},
        [(P, TA, "tier api is offered only outside eea, ch and uk: in US")],
    ),
    Case(
        "no-regions-anywhere-is-not-evidenced",
        NOT_IN_EUROPE,
        {"metadata": {"system": "x"}, "tiers": [api_tier()]},
        [(N, TA, "the snapshot does not record where tier api is offered")],
    ),
    Case(
        "a-tier-not-recorded-is-not-evidenced",
        NOT_IN_EUROPE,
        {"tiers": []},
        [(N, TA, "the snapshot does not record tier api")],
    ),
    Case(
        "every-entry-of-a-tier-is-judged",
        NOT_IN_EUROPE,
        {"tiers": [api_tier(regions=["US"]), api_tier(regions=["AT"])]},
        [
            (P, TA, "tier api is offered only outside eea, ch and uk: in US"),
            (
                F,
                TA,
                "tier api is offered in AT, inside eea, ch or uk where the policy says it is "
                "not offered",
            ),
        ],
    ),
]


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_tier_availability(case: Case) -> None:
    assert triples(observe(case.clause, case.snapshot)) == case.expected


WHERE = [
    Where(
        "offered-inside",
        NOT_IN_EUROPE,
        {"tiers": [api_tier(regions=["US", "DE"])]},
        ("tiers", 0, "regions"),
        ("not_offered_in",),
        "not offered in eea, ch or uk",
        "offered in US, DE",
    ),
    Where(
        "from-the-deployment",
        NOT_IN_EUROPE,
        {"metadata": {"regions": ["DE"]}, "tiers": [api_tier()]},
        ("metadata", "regions"),
        ("not_offered_in",),
        "not offered in eea, ch or uk",
        "offered in DE",
    ),
    Where(
        "not-recorded",
        NOT_IN_EUROPE,
        {"tiers": [api_tier()]},
        ("tiers", 0),
        (),
        "not offered in eea, ch or uk",
        "not recorded in the snapshot",
    ),
]


@pytest.mark.parametrize("case", WHERE, ids=ids(WHERE))
def test_tier_availability_points_at_the_evidence(case: Where) -> None:
    obs = observe(case.clause, case.snapshot)[0]
    assert (obs.evidence, obs.clause_path, obs.expected, obs.actual) == case.pointer
