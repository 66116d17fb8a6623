"""Excluded tiers: data of these tiers never reaches training.

Three kinds of evidence are compared for every tier of the clause's ``tier_groups``:

* the tier's ``training_default`` must be ``not_trained``;
* every training pipeline (``purpose: training``) with a tier filter (``tiers``) must not let
  an excluded tier through;
* a training pipeline without a tier filter must read only stores whose recorded ``tiers``
  exclude them (a source store that does not record its tiers is not evidenced).

A snapshot with no ``pipelines`` section is not evidenced; an empty one proves that nothing
is trained.

PASS: ``pipelines: [{id: train, purpose: training, sources: [chats], tiers: [free, pro]}]``
FAIL: the same pipeline with ``tiers: [free, pro, api]``.

Serves GDPR Art. 5(1)(b) (purpose limitation) and Art. 25 (privacy by default).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from checker.checks.base import (
    Check,
    CheckContext,
    Clause,
    Schema,
    failed,
    not_evidenced,
    passed,
    section_missing,
    words,
)
from checker.core.diagnostics import JsonPath
from checker.core.results import Area, Observation, Severity
from checker.diff.ordering import DiffSpec, Scope


# One clause of the section: the model the check reads, and its JSON Schema fragment.
class TrainingExclusionsClause(Clause):
    tier_groups: list[str]


SCHEMA: Schema = {
    "description": "A promise that the data of some tier groups never reaches training.",
    "required": ["tier_groups"],
    "properties": {
        "tier_groups": {
            "description": (
                "Tier groups that are never trained on: keys of vocabulary.tier_groups."
            ),
            "type": "array",
            "uniqueItems": True,
            "items": {"description": "A tier group id.", "$ref": "#/$defs/identifier"},
            "minItems": 1,
        }
    },
}


# How a change of each field reads in `policy-check diff` (checker.diff.ordering).
DIFF = DiffSpec(
    fields={
        "tier_groups": Scope(
            expand="tier_groups",
            facet="tiers",
            gained="{items} conversations are now never used for training",
            lost="{items} conversations are no longer excluded from training",
        ),
    },
)


def run(ctx: CheckContext[TrainingExclusionsClause]) -> Iterator[Observation]:
    excluded = ctx.vocabulary.tiers_of(ctx.clause["tier_groups"])
    excluded_set = set(excluded)
    expected = f"no data of {words(excluded)} used for training"
    tiers = ctx.by_id("tiers")
    for tier in excluded:
        resource = f"tier:{tier}"
        if tier not in tiers:
            yield not_evidenced(
                resource, f"the snapshot does not record tier {tier}", "not_trained", ("tiers",)
            )
            continue
        for path, item in tiers[tier]:  # every entry of the tier id is judged
            actual = item.get("training_default")
            if actual == "not_trained":
                yield passed(
                    resource,
                    f"tier {tier} is not trained on",
                    "not_trained",
                    actual,
                    (*path, "training_default"),
                )
            elif actual is None:
                yield not_evidenced(
                    resource, f"tier {tier} records no training default", "not_trained", path
                )
            else:
                yield failed(
                    resource,
                    f"excluded tier {tier} defaults to '{actual}'",
                    "not_trained",
                    str(actual),
                    (*path, "training_default"),
                    ("tier_groups",),
                )

    absent = section_missing(ctx, "pipelines", expected)
    if absent is not None:
        yield absent
        return
    stores = ctx.by_id("stores")
    training = [
        (p, item) for p, item in ctx.section("pipelines") if item.get("purpose") == "training"
    ]
    if not training:
        yield passed(
            "pipelines",
            "no pipeline in the snapshot trains models",
            expected,
            "no training pipeline",
            ("pipelines",),
        )
    for path, pipe in training:
        resource = f"pipeline:{pipe.get('id')}"
        if "tiers" in pipe:
            leaked = [t for t in pipe["tiers"] if t in excluded_set]
            if leaked:
                yield failed(
                    resource,
                    f"training pipeline {pipe.get('id')} lets {words(leaked)} tier data through",
                    expected,
                    f"tier filter: {words(pipe['tiers'])}",
                    (*path, "tiers"),
                    ("tier_groups",),
                )
            else:
                yield passed(
                    resource,
                    f"training pipeline {pipe.get('id')} admits only {words(pipe['tiers'])}",
                    expected,
                    f"tier filter: {words(pipe['tiers'])}",
                    (*path, "tiers"),
                )
            continue
        yield from _sources_without_filter(pipe, path, stores, excluded_set, expected)


def _sources_without_filter(
    pipe: Mapping[str, Any],
    path: JsonPath,
    stores: dict[Any, list[tuple[JsonPath, Mapping[str, Any]]]],
    excluded: set[str],
    expected: str,
) -> Iterator[Observation]:
    """A pipeline without a tier filter is only as safe as the stores it reads."""
    resource = f"pipeline:{pipe.get('id')}"
    unknown: list[tuple[int, str, str]] = []  # (index, source, why its tiers are unknown)
    leaking: list[tuple[JsonPath, str, list[str]]] = []
    for i, source in enumerate(pipe.get("sources") or ()):
        if source not in stores:
            unknown.append((i, source, f"its source {source} names no store in the snapshot"))
            continue
        for spath, store in stores[source]:  # every store of that id
            if "tiers" not in store:
                unknown.append(
                    (i, source, f"the tiers held by its source {source} are not recorded")
                )
                continue
            hit = [t for t in store["tiers"] if t in excluded]
            if hit:
                leaking.append((spath, source, hit))
    if leaking:
        spath, source, hit = leaking[0]
        yield failed(
            resource,
            f"training pipeline {pipe.get('id')} has no tier filter and reads store {source}, "
            f"which holds {words(hit)} tier data",
            expected,
            f"reads {source} ({words(hit)})",
            (*spath, "tiers"),
            ("tier_groups",),
        )
    elif unknown:
        i, source, why = unknown[0]
        yield not_evidenced(
            resource,
            f"training pipeline {pipe.get('id')} has no tier filter and {why}",
            expected,
            (*path, "sources", i),
        )
    else:
        yield passed(
            resource,
            f"training pipeline {pipe.get('id')} reads only stores without excluded tiers",
            expected,
            "sources hold no excluded tier",
            (*path, "sources"),
        )


CHECK = Check(
    id="training_exclusions",
    order=20,
    area=Area("excluded_tiers", "Excluded tiers"),
    title="Tiers excluded from training",
    default_severity=Severity.CRITICAL,
    description="Tier groups whose data is never used for training.",
    clause_type=TrainingExclusionsClause,
    schema=SCHEMA,
    vocabulary={"tier_groups": "tier_groups"},
    remediation=(
        "Filter the excluded tiers out of every training pipeline's sources and mark those "
        "tiers as never trained on."
    ),
    diff=DIFF,
    run=run,
    doc=__doc__ or "",
)
