"""Tier availability: a tier is not offered in the regions the policy keeps it out of.

The clause names ``tier_groups`` and the regions (``not_offered_in``, ids of
``vocabulary.regions``) where their tiers are not offered. For every tier of the groups, the
countries the snapshot's tier records in ``regions`` must include none of those regions'
countries. A tier that records no ``regions`` is offered where the deployment serves users
(``metadata.regions``); when neither is recorded, or the snapshot does not record the tier,
the promise is not evidenced.

"Apps serving the EEA, Switzerland or the UK must use Paid Services" (Gemini API terms)::

    # policy                                  # snapshot
    vocabulary:                               tiers:
      regions:                                  - id: api_unpaid
        eea: {countries: [AT, BE, ...]}           training_default: trained
        ch: {countries: [CH]}                     regions: [US, JP, IN]
        uk: {countries: [GB]}
    tier_availability:
      - id: unpaid-api-not-in-europe
        tier_groups: [api_unpaid]
        not_offered_in: [eea, ch, uk]

PASS: the unpaid tier offered in ``[US, JP, IN]``. FAIL: offered in ``[US, DE]``, since
Germany is in the EEA.

Serves GDPR Art. 3(2) (services offered to people in the Union fall under the GDPR).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from checker.checks.base import (
    Check,
    CheckContext,
    Clause,
    Schema,
    either,
    failed,
    not_evidenced,
    passed,
    words,
)
from checker.core.diagnostics import JsonPath
from checker.core.regions import countries_of, region_countries
from checker.core.results import Area, Observation, Severity
from checker.diff.ordering import DiffSpec, Scope


class TierAvailabilityClause(Clause):
    tier_groups: list[str]
    not_offered_in: list[str]


SCHEMA: Schema = {
    "description": "A promise that the tiers of some groups are not offered in some regions.",
    "required": ["tier_groups", "not_offered_in"],
    "properties": {
        "tier_groups": {
            "description": "Tier groups whose tiers are kept out: keys of vocabulary.tier_groups.",
            "type": "array",
            "uniqueItems": True,
            "items": {"description": "A tier group id.", "$ref": "#/$defs/identifier"},
            "minItems": 1,
        },
        "not_offered_in": {
            "description": (
                "Regions where those tiers are not offered: keys of vocabulary.regions, e.g. "
                "[eea, ch, uk]."
            ),
            "type": "array",
            "uniqueItems": True,
            "minItems": 1,
            "items": {"description": "A region id.", "$ref": "#/$defs/identifier"},
        },
    },
}


DIFF = DiffSpec(
    fields={
        "tier_groups": Scope(
            expand="tier_groups",
            facet="tiers",
            gained="{items} are now kept out of those regions",
            lost="{items} are no longer kept out of those regions",
        ),
        "not_offered_in": Scope(
            facet="regions",
            gained="the tiers are now kept out of {items}",
            lost="the tiers are no longer kept out of {items}",
        ),
    },
)


def run(ctx: CheckContext[TierAvailabilityClause]) -> Iterator[Observation]:
    clause = ctx.clause
    names = [str(name) for name in clause["not_offered_in"]]
    barred = countries_of(names, region_countries(ctx.policy))
    expected = f"not offered in {either(names)}"
    tiers = ctx.by_id("tiers")
    metadata = ctx.snapshot.get("metadata")
    served = metadata.get("regions") if isinstance(metadata, Mapping) else None
    for tier in ctx.vocabulary.tiers_of(clause["tier_groups"]):
        resource = f"tier:{tier}"
        if tier not in tiers:
            yield not_evidenced(
                resource, f"the snapshot does not record tier {tier}", expected, ("tiers",)
            )
            continue
        for path, item in tiers[tier]:
            yield _tier(tier, path, item, served, names, barred)


def _tier(
    tier: str,
    path: JsonPath,
    item: Mapping[str, Any],
    served: Any,
    names: list[str],
    barred: frozenset[str],
) -> Observation:
    resource = f"tier:{tier}"
    expected = f"not offered in {either(names)}"
    offered, evidence, whose = item.get("regions"), (*path, "regions"), ""
    if not isinstance(offered, list) and isinstance(served, list):
        # A tier is offered at most where the deployment serves users.
        offered, evidence = served, ("metadata", "regions")
        whose = " (where the deployment serves users; the tier records no regions)"
    if not isinstance(offered, list):
        return not_evidenced(
            resource,
            f"the snapshot does not record where tier {tier} is offered",
            expected,
            path,
        )
    countries = [str(country) for country in offered]
    inside = [country for country in countries if country in barred]
    actual = f"offered in {', '.join(countries)}"
    if inside:
        return failed(
            resource,
            f"tier {tier} is offered in {words(inside)}{whose}, inside "
            f"{either(names)} where the policy says it is not offered",
            expected,
            actual,
            evidence,
            ("not_offered_in",),
        )
    return passed(
        resource,
        f"tier {tier} is offered only outside {words(names)}: in {words(countries)}{whose}",
        expected,
        actual,
        evidence,
    )


CHECK = Check(
    id="tier_availability",
    order=123,
    area=Area("availability", "Tier availability"),
    title="Tier availability by region",
    default_severity=Severity.HIGH,
    description="Where a tier is not offered: regions its users must be served by another tier.",
    clause_type=TierAvailabilityClause,
    schema=SCHEMA,
    vocabulary={"tier_groups": "tier_groups", "not_offered_in": "regions"},
    remediation=(
        "Stop offering the tier in the countries of those regions (sign-up, billing and "
        "access checks by country), or offer users there the tier the policy allows."
    ),
    diff=DIFF,
    run=run,
    doc=__doc__ or "",
    loops_over_stores=False,
)
