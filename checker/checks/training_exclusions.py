"""Excluded tiers: data of these tiers never reaches training.

Three kinds of evidence are compared for every tier of the clause's ``tier_groups``:

* the tier's ``training_default`` must be ``not_trained``;
* every training pipeline (``purpose: training``) with a tier filter (``tiers``) must not let
  an excluded tier through;
* a training pipeline without a tier filter must read only stores whose recorded ``tiers``
  exclude them (a source store that does not record its tiers is not evidenced).

A snapshot with no ``pipelines`` section is not evidenced; an empty one proves that nothing
is trained.

``except`` lists data kinds that may reach training even from the excluded tiers ("never
trained on, except feedback the user explicitly submits"): a training pipeline letting an
excluded tier through passes when every data kind it reads — its ``data_kinds``, else the data
kinds of its source stores — is excepted, and the finding names the exception.

PASS: ``pipelines: [{id: train, purpose: training, sources: [chats], tiers: [free, pro]}]``
FAIL: the same pipeline with ``tiers: [free, pro, api]``.

With ``since: 2023-03-01`` ("API data is not trained on since 2023-03-01") the promise covers
only data from that day: a training pipeline letting an excluded tier through passes when its
``data_window`` ends (``to``) before that day — by creation, or by last activity, which is
stricter. A pipeline that lets the tier through and records no such end is not evidenced.

Serves GDPR Art. 5(1)(b) (purpose limitation) and Art. 25 (privacy by default).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any, NotRequired, TypedDict

from checker.checks.base import (
    COUNTED,
    Check,
    CheckContext,
    Clause,
    Schema,
    data_window,
    failed,
    named,
    not_evidenced,
    passed,
    section_missing,
    words,
)
from checker.core.diagnostics import JsonPath
from checker.core.results import Area, Observation, Severity
from checker.diff.ordering import DiffSpec, Members, Review, Scope


# One clause of the section: the model the check reads, and its JSON Schema fragment.
class ExclusionException(TypedDict):
    data_kinds: list[str]
    reason: str


# The functional syntax, since ``except`` is a Python keyword.
_ExceptFields = TypedDict("_ExceptFields", {"except": NotRequired[list[ExclusionException]]})


class _ExcludedTiers(Clause):
    tier_groups: list[str]
    since: NotRequired[str]


class TrainingExclusionsClause(_ExcludedTiers, _ExceptFields):
    """The excluded tier groups, then the exceptions (the schema's order)."""


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
        },
        "since": {
            "description": (
                "The first day the exclusion covers (default: always). Data of the excluded "
                "tiers from before it may be trained on: a training pipeline letting the tiers "
                "through must record a data_window ending before this day."
            ),
            "$ref": "#/$defs/date",
        },
        "except": {
            "description": (
                "Data kinds that may reach training even from the excluded tiers, each with "
                "the reason: e.g. feedback the user explicitly submits."
            ),
            "type": "array",
            "minItems": 1,
            "items": {
                "description": "An exception to the exclusion.",
                "type": "object",
                "additionalProperties": False,
                "required": ["data_kinds", "reason"],
                "properties": {
                    "data_kinds": {
                        "description": (
                            "Data kinds excepted from the exclusion: keys of vocabulary.data_kinds."
                        ),
                        "type": "array",
                        "uniqueItems": True,
                        "items": {"description": "A data kind id.", "$ref": "#/$defs/identifier"},
                        "minItems": 1,
                    },
                    "reason": {
                        "description": "Why these data kinds may be trained on.",
                        "$ref": "#/$defs/text",
                    },
                },
            },
        },
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
        "since": Review(
            absent="", why="the exclusion covers data from another date: older data may be used"
        ),
        # One more exception lets more data of the excluded tiers into training.
        "except": Members(adding="loosens"),
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
    since = dt.date.fromisoformat(ctx.clause["since"]) if "since" in ctx.clause else None
    for path, pipe in training:
        resource = f"pipeline:{pipe.get('id')}"
        if "tiers" in pipe:
            leaked = [t for t in pipe["tiers"] if t in excluded_set]
            excepted = _excepted(ctx, pipe, path, leaked) if leaked else None
            if excepted is not None:
                yield excepted
            elif leaked and since is not None:
                yield _before(pipe, path, since, leaked, expected)
            elif leaked:
                yield failed(
                    resource,
                    f"training pipeline {pipe.get('id')} lets {words(leaked)} tier data through"
                    + _not_excepted(ctx, pipe),
                    expected,
                    f"tier filter: {words(pipe['tiers'])}",
                    (*path, "tiers"),
                    ("tier_groups",),
                )
            elif ctx.counting:
                yield named(1, resource) if ctx.naming else COUNTED  # a pass: no message made
            else:
                yield passed(
                    resource,
                    f"training pipeline {pipe.get('id')} admits only {words(pipe['tiers'])}",
                    expected,
                    f"tier filter: {words(pipe['tiers'])}",
                    (*path, "tiers"),
                )
            continue
        yield from _sources_without_filter(ctx, pipe, path, stores, excluded_set, expected, since)


def _before(
    pipe: Mapping[str, Any], path: JsonPath, since: dt.date, leaked: list[str], expected: str
) -> Observation:
    """A pipeline letting excluded tiers through, judged by the dates of the data it reads:
    only data from before ``since`` may pass."""
    name = pipe.get("id")
    resource = f"pipeline:{name}"
    lets = f"training pipeline {name} lets {words(leaked)} tier data through"
    window = data_window(pipe)
    wanted = f"{expected} from {since}"
    if window is None or window.end is None:
        return not_evidenced(
            resource,
            f"{lets} and records no data window showing it reads only data from before {since}",
            wanted,
            path if window is None else (*path, "data_window"),
            ("since",),
        )
    if window.end >= since:
        return failed(
            resource,
            f"{lets}, reading {window.words()}: the policy excludes their data from {since}",
            wanted,
            window.words(),
            (*path, "data_window", "to"),
            ("since",),
        )
    return passed(
        resource,
        f"{lets}, but only {window.words()}, before {since}",
        wanted,
        window.words(),
        (*path, "data_window", "to"),
    )


def _reads(
    ctx: CheckContext[TrainingExclusionsClause], pipe: Mapping[str, Any]
) -> list[str] | None:
    """The data kinds a pipeline reads: its ``data_kinds``, else its source stores' (``None``
    when a source is unknown or does not record them)."""
    if isinstance(pipe.get("data_kinds"), list):
        return list(pipe["data_kinds"])
    stores = ctx.by_id("stores")
    found: dict[str, None] = {}
    for source in pipe.get("sources") or ():
        if source not in stores:
            return None
        for _, store in stores[source]:
            if not isinstance(store.get("data_kinds"), list):
                return None
            found.update((kind, None) for kind in store["data_kinds"])
    return list(found)


def _exceptions(ctx: CheckContext[TrainingExclusionsClause]) -> dict[str, str]:
    """Each excepted data kind and the reason the clause gives for it."""
    excepted: dict[str, str] = {}
    for item in ctx.clause.get("except") or ():
        for kind in item["data_kinds"]:
            excepted.setdefault(kind, item["reason"])
    return excepted


def _excepted(
    ctx: CheckContext[TrainingExclusionsClause],
    pipe: Mapping[str, Any],
    path: JsonPath,
    leaked: list[str],
) -> Observation | None:
    """A pass when every data kind the pipeline reads is excepted, naming the exception."""
    excepted = _exceptions(ctx)
    kinds = _reads(ctx, pipe) if excepted else None
    if not kinds or any(kind not in excepted for kind in kinds):
        return None
    reasons = list(dict.fromkeys(excepted[kind] for kind in kinds))
    where = "data_kinds" if "data_kinds" in pipe else "sources"
    return passed(
        f"pipeline:{pipe.get('id')}",
        f"training pipeline {pipe.get('id')} lets {words(leaked)} tier data through, but only "
        f"{words(kinds)}, which the exclusion excepts: {'; '.join(reasons)}",
        f"no data of the excluded tiers used for training, except {words(list(excepted))}",
        f"reads {words(kinds)}",
        (*path, where),
        ("except",),
    )


def _not_excepted(ctx: CheckContext[TrainingExclusionsClause], pipe: Mapping[str, Any]) -> str:
    """Why the clause's exceptions do not let the pipeline through, for its failure."""
    excepted = _exceptions(ctx)
    if not excepted:
        return ""
    kinds = _reads(ctx, pipe)
    if kinds is None:
        return (
            f", and what it reads is not recorded, so the exception for {words(list(excepted))} "
            "cannot apply"
        )
    others = [kind for kind in kinds if kind not in excepted]
    return f", and it reads {words(others)}, which the exclusion does not except"


def _sources_without_filter(
    ctx: CheckContext[TrainingExclusionsClause],
    pipe: Mapping[str, Any],
    path: JsonPath,
    stores: Mapping[Any, list[tuple[JsonPath, Mapping[str, Any]]]],
    excluded: set[str],
    expected: str,
    since: dt.date | None,
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
    leaked = list(dict.fromkeys(tier for _, _, hit in leaking for tier in hit))
    excepted = _excepted(ctx, pipe, path, leaked) if leaking else None
    if excepted is not None:
        yield excepted
    elif leaking and since is not None:
        yield _before(pipe, path, since, sorted(leaked), expected)
    elif leaking:
        spath, source, hit = leaking[0]
        yield failed(
            resource,
            f"training pipeline {pipe.get('id')} has no tier filter and reads store {source}, "
            f"which holds {words(hit)} tier data" + _not_excepted(ctx, pipe),
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
    elif ctx.counting:
        yield named(1, resource) if ctx.naming else COUNTED  # a pass: no message made
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
    loops_over_stores=False,
)
