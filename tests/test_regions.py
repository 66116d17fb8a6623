"""Regions: countries, regions of the vocabulary, and the clauses that hold only in some.

``checker/core/countries.py`` and ``checker/core/regions.py`` (what a region covers),
``checker/evaluation/applicability.py`` and the engine (a clause that does not apply where a
snapshot serves users), and the validation of region names and country codes.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from checker.core.countries import COUNTRIES, country_problem, is_country
from checker.core.regions import countries_of, region_countries
from checker.core.results import Severity, Status
from checker.documents.document import Document
from checker.evaluation.applicability import region_scope
from checker.evaluation.engine import evaluate
from tests.policy_support import _Unplaced, minimal_policy, problems

EEA = ["AT", "BE", "DE", "FR", "IS", "LI", "NO"]
REGIONS: dict[str, Any] = {
    "eea": {"countries": EEA, "description": "European Economic Area (abridged)"},
    "uk": {"countries": ["GB"]},
    "ch": {"countries": ["CH"]},
    "europe": {"regions": ["eea", "uk", "ch"]},
}


# --- countries -------------------------------------------------------------------------------


def test_every_assigned_code_and_nothing_else() -> None:
    assert len(COUNTRIES) == 249
    assert {"DE", "GB", "US", "CH", "NO", "AX", "SS"} <= COUNTRIES
    assert not {"UK", "EU", "EL", "XX", "de"} & COUNTRIES
    assert is_country("GB") and not is_country("UK")
    assert is_country(7)  # the schema's type rule reports non-strings


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("UK", "'UK' is not an ISO 3166-1 alpha-2 country code; did you mean 'GB'?"),
        ("uk", "'uk' is not an ISO 3166-1 alpha-2 country code; did you mean 'GB'?"),
        ("EL", "'EL' is not an ISO 3166-1 alpha-2 country code; did you mean 'GR'?"),
        ("de", "'de' is not an ISO 3166-1 alpha-2 country code: write it in capitals, 'DE'"),
        (
            "EU",
            "'EU' is not an ISO 3166-1 alpha-2 country code: list its countries, or name a "
            "region of vocabulary.regions",
        ),
        ("XX", "'XX' is not an ISO 3166-1 alpha-2 country code, e.g. 'DE', 'GB' or 'US'"),
    ],
)
def test_a_code_no_country_has_says_what_to_write(code: str, message: str) -> None:
    assert country_problem(code) == message


# --- what a region covers --------------------------------------------------------------------


def test_a_region_covers_its_countries_and_those_of_the_regions_it_includes() -> None:
    regions = region_countries({"vocabulary": {"regions": REGIONS}})
    assert regions["uk"] == {"GB"}
    assert regions["europe"] == {*EEA, "GB", "CH"}
    assert countries_of(["uk", "ch"], regions) == {"GB", "CH"}
    assert countries_of(["nowhere"], regions) == frozenset()


def test_regions_that_include_each_other_end() -> None:
    cycle = {
        "a": {"countries": ["DE"], "regions": ["b"]},
        "b": {"countries": ["FR"], "regions": ["a", "missing"]},
    }
    regions = region_countries({"vocabulary": {"regions": cycle}})
    assert regions == {"a": {"DE", "FR"}, "b": {"DE", "FR"}}


def test_a_policy_without_regions_has_none() -> None:
    assert region_countries({"vocabulary": {"tier_groups": {}}}) == {}
    assert region_countries({}) == {}


# --- validation ------------------------------------------------------------------------------

GOVERNANCE = {
    "id": "review",
    "statement": "Reviewed.",
    "activity": "internal_review",
    "every": "1y",
}


def _policy(defined: Any, **clause: Any) -> dict[str, Any]:
    policy = minimal_policy(governance=[{**GOVERNANCE, **clause}])
    policy["policy_checker"] = 2
    policy["vocabulary"]["regions"] = defined
    return policy


def _found(policy: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(d.code, d.location.json_path, d.message) for d in problems("policy", policy)]


def test_regions_of_the_vocabulary_and_clauses_validate() -> None:
    assert _found(_policy(REGIONS, regions=["europe"])) == []


def test_a_region_needs_countries_or_regions() -> None:
    found = _found(_policy({"nowhere": {"description": "empty"}}))
    assert [(code, path) for code, path, _ in found] == [
        ("schema-required", "$.vocabulary.regions.nowhere")
    ]


def test_a_misspelt_country_code_is_refused_with_a_hint() -> None:
    assert _found(_policy({"uk": {"countries": ["UK"]}})) == [
        (
            "schema-format",
            "$.vocabulary.regions.uk.countries[0]",
            "'UK' is not an ISO 3166-1 alpha-2 country code; did you mean 'GB'?",
        )
    ]


def test_a_clause_region_the_vocabulary_does_not_define_is_refused() -> None:
    assert _found(_policy(REGIONS, regions=["eurpe"])) == [
        (
            "semantic-undefined-reference",
            "$.governance[0].regions[0]",
            "region 'eurpe' is not defined in vocabulary.regions; did you mean 'europe'?",
        )
    ]


def test_a_clause_region_without_any_region_defined_is_refused() -> None:
    policy = minimal_policy(governance=[{**GOVERNANCE, "regions": ["eea"]}])
    assert _found(policy) == [
        (
            "semantic-undefined-reference",
            "$.governance[0].regions[0]",
            "region 'eea' is not defined in vocabulary.regions, which defines none",
        )
    ]


def test_a_nested_region_the_vocabulary_does_not_define_is_refused() -> None:
    regions = {**REGIONS, "europe": {"regions": ["eea", "swiss"]}}
    assert _found(_policy(regions)) == [
        (
            "semantic-undefined-reference",
            "$.vocabulary.regions.europe.regions[1]",
            "region 'swiss' is not defined in vocabulary.regions (defined: eea, uk, ch, europe)",
        )
    ]


def test_a_right_offered_and_not_offered_to_a_tier_in_one_clause_is_refused() -> None:
    policy = minimal_policy(
        vocabulary={
            "tier_groups": {"consumer": {"tiers": ["free"]}, "all": {"tiers": ["pro"]}},
            "data_kinds": {"conversations": {"description": "chats"}},
        },
        user_rights=[
            {
                "id": "export",
                "statement": "Export for consumers, not for everyone.",
                "right": "export",
                "tier_groups": ["consumer", "all"],
                "not_offered_to": ["all"],
            }
        ],
    )
    assert _found(policy) == [
        (
            "semantic-offered-and-not-offered",
            "$.user_rights[0].not_offered_to[0]",
            "the export right is not offered to tier 'pro' here (group 'all') but offered to "
            "it by clause 'export' ($.user_rights[0])",
        )
    ]


def test_different_rights_may_reach_different_tiers() -> None:
    policy = minimal_policy(
        user_rights=[
            {"id": "a", "statement": "s", "right": "export", "tier_groups": ["consumer"]},
            {"id": "b", "statement": "s", "right": "deletion", "not_offered_to": ["consumer"]},
        ],
    )
    assert _found(policy) == []


@pytest.mark.parametrize(
    ("where", "code", "message"),
    [
        (
            ("metadata", "regions"),
            "$.metadata.regions[0]",
            "'gb' is not an ISO 3166-1 alpha-2 country code: write it in capitals, 'GB'",
        ),
        (
            ("tiers", 0, "regions"),
            "$.tiers[0].regions[0]",
            "'UK' is not an ISO 3166-1 alpha-2 country code; did you mean 'GB'?",
        ),
    ],
)
def test_snapshot_country_codes_are_validated(
    where: tuple[Any, ...], code: str, message: str
) -> None:
    snapshot: dict[str, Any] = {
        "snapshot_format": 1,
        "metadata": {"system": "s", "environment": "e", "taken_at": "2026-11-01"},
        "tiers": [{"id": "free", "training_default": "trained"}],
    }
    if where[0] == "metadata":
        snapshot["metadata"]["regions"] = ["gb"]
    else:
        snapshot["tiers"][0]["regions"] = ["UK"]
    found = [(d.code, d.location.json_path, d.message) for d in problems("snapshot", snapshot)]
    assert found == [("schema-format", code, message)]


def test_a_snapshot_serving_no_country_is_refused() -> None:
    snapshot = {
        "snapshot_format": 1,
        "metadata": {"system": "s", "environment": "e", "taken_at": "2026-11-01", "regions": []},
    }
    found = [(d.code, d.location.json_path) for d in problems("snapshot", snapshot)]
    assert found == [("schema-minItems", "$.metadata.regions")]


# --- where a clause applies ------------------------------------------------------------------

ALL = region_countries({"vocabulary": {"regions": REGIONS}})
IN_EUROPE = {"id": "c", "statement": "s", "regions": ["eea", "uk"]}


def _meta(**fields: Any) -> dict[str, Any]:
    return {"metadata": {"system": "s", **fields}}


def test_a_clause_without_regions_applies_everywhere() -> None:
    assert region_scope({"id": "c"}, ALL, _meta(regions=["US"])) is None
    assert region_scope({"id": "c"}, ALL, {}) is None


def test_a_clause_applies_where_the_snapshot_serves_one_of_its_countries() -> None:
    assert region_scope(IN_EUROPE, ALL, _meta(regions=["US", "GB"])) is None


def test_a_clause_does_not_apply_where_the_snapshot_serves_none_of_its_countries() -> None:
    scope = region_scope(IN_EUROPE, ALL, _meta(regions=["US", "CH"]))
    assert scope is not None and not scope.applicable
    obs = scope.observation
    assert (obs.status, obs.resource, obs.message) == (
        Status.NOT_EVIDENCED,
        "metadata.regions",
        "not applicable: the clause holds in eea, uk; the snapshot serves US, CH",
    )
    assert (obs.evidence, obs.clause_path, obs.actual) == (
        ("metadata", "regions"),
        ("regions",),
        "serves US, CH",
    )
    assert obs.expected == "a deployment serving eea, uk"


def test_where_the_snapshot_serves_users_unrecorded_is_not_evidenced_and_checked() -> None:
    scope = region_scope(IN_EUROPE, ALL, _meta())
    assert scope is not None and scope.applicable
    obs = scope.observation
    assert (obs.status, obs.message, obs.evidence, obs.clause_path) == (
        Status.NOT_EVIDENCED,
        "the snapshot does not record where it serves users (metadata.regions); the clause "
        "holds in eea, uk",
        ("metadata",),
        ("regions",),
    )
    without_metadata = region_scope(IN_EUROPE, ALL, {})
    assert without_metadata is not None and without_metadata.observation.evidence == ()


# --- the engine ------------------------------------------------------------------------------

EXCLUSION = {
    "id": "api-not-trained-in-europe",
    "statement": "API data of apps serving Europe is never used for training.",
    "tier_groups": ["api"],
    "regions": ["eea", "ch", "uk"],
}
TRAINED_API = {
    "tiers": [{"id": "api", "training_default": "trained"}],
    "pipelines": [],
}


def _run(
    clause: dict[str, Any], served: list[str] | None, **options: Any
) -> list[tuple[str, Status, Severity, str]]:
    policy = minimal_policy(
        policy_checker=2,
        vocabulary={
            "tier_groups": {"api": {"tiers": ["api"]}},
            "data_kinds": {"conversations": {"description": "chats"}},
            "regions": REGIONS,
        },
        training_exclusions=[clause],
    )
    metadata: dict[str, Any] = {"system": "api", "environment": "prod", "taken_at": "2026-11-01"}
    if served is not None:
        metadata["regions"] = served
    snapshot = {"snapshot_format": 1, "metadata": metadata, **TRAINED_API}
    result = evaluate(
        [Document("policy.yaml", policy, "yaml", _Unplaced())],
        [Document("snapshot.yaml", snapshot, "yaml", _Unplaced())],
        as_of=dt.date(2026, 11, 21),
        **options,
    )
    return [(f.resource, f.status, f.severity, f.message) for f in result.findings]


NOT_APPLICABLE = (
    "metadata.regions",
    Status.NOT_EVIDENCED,
    Severity.INFO,
    "not applicable: the clause holds in eea, ch, uk; the snapshot serves US, JP",
)
TRAINED = [
    ("tier:api", Status.FAIL, Severity.CRITICAL, "excluded tier api defaults to 'trained'"),
    ("pipelines", Status.PASS, Severity.CRITICAL, "no pipeline in the snapshot trains models"),
]


def test_a_clause_that_does_not_apply_is_reported_once_instead_of_its_findings() -> None:
    assert _run(EXCLUSION, ["US", "JP"]) == [NOT_APPLICABLE]


def test_not_applicable_is_never_a_pass_nor_blocking_whatever_the_clause_says() -> None:
    for mode in ("fail", "warn", "pass"):
        assert _run({**EXCLUSION, "if_not_evidenced": mode}, ["US", "JP"]) == [NOT_APPLICABLE]
    assert _run(EXCLUSION, ["US", "JP"], count_passes=True) == [NOT_APPLICABLE]


def test_a_clause_that_applies_is_checked() -> None:
    assert _run(EXCLUSION, ["US", "DE"]) == TRAINED


def test_without_the_regions_served_the_clause_is_checked_and_not_evidenced() -> None:
    unrecorded = (
        "metadata.regions",
        Status.NOT_EVIDENCED,
        Severity.CRITICAL,
        "the snapshot does not record where it serves users (metadata.regions); the clause "
        "holds in eea, ch, uk",
    )
    assert _run(EXCLUSION, None) == [unrecorded, *TRAINED]


def test_a_clause_without_regions_is_checked_wherever_the_snapshot_serves() -> None:
    clause = {k: v for k, v in EXCLUSION.items() if k != "regions"}
    assert _run(clause, ["US"]) == TRAINED
    assert _run(clause, None) == TRAINED


def test_the_not_applicable_finding_does_not_block(tmp_path: Path) -> None:
    policy = minimal_policy(
        policy_checker=2,
        vocabulary={
            "tier_groups": {"api": {"tiers": ["api"]}},
            "data_kinds": {"conversations": {"description": "chats"}},
            "regions": REGIONS,
        },
        training_exclusions=[EXCLUSION],
    )
    snapshot = {
        "snapshot_format": 1,
        "metadata": {
            "system": "a",
            "environment": "p",
            "taken_at": "2026-11-01",
            "regions": ["US"],
        },
        **TRAINED_API,
    }
    result = evaluate(
        [Document("policy.yaml", policy, "yaml", _Unplaced())],
        [Document("snapshot.yaml", snapshot, "yaml", _Unplaced())],
        as_of=dt.date(2026, 11, 21),
    )
    assert result.exit_code() == 0
