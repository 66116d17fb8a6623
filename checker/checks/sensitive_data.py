"""Sensitive categories: not retained, and kept out of training.

For ``retention: never`` no store may hold any of the clause's ``categories``; with a duration,
every retention window of a store that holds them must be within it, and a store that gives no
window for some consent state (and no ``any`` window) is not evidenced. Each store must record
its ``sensitive_categories`` (an empty list is evidence of none); a store that does not is not
evidenced. For ``training: never`` every training pipeline must apply the
``sensitive_categories`` filter and list every category in ``sensitive_categories_filtered``
(a pipeline that applies the filter without that list is not evidenced).

PASS: ``sensitive_categories: []`` on every store, and a training pipeline with
``filters: [sensitive_categories]`` and ``sensitive_categories_filtered: [mental_health, …]``.
FAIL: ``stores: [{id: support-tickets, sensitive_categories: [mental_health]}]``.

Serves GDPR Art. 9 (special categories) and CPRA §1798.121 (sensitive personal information).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Literal, NotRequired

from checker.checks.base import (
    COUNTED,
    Check,
    CheckContext,
    Clause,
    Schema,
    duration,
    either,
    failed,
    holds_any,
    named,
    not_evidenced,
    options,
    passed,
    section_missing,
    store_namer,
    training_pipelines,
    unwindowed_states,
    words,
)
from checker.core.results import Area, Observation, Severity
from checker.diff.ordering import DiffSpec, Ranked, Scope, Span

# One clause of the section: the model the check reads, and its JSON Schema fragment.
Training = Literal["never", "allowed"]
ExceptionKind = Literal["none", "explicit_permission"]


class SensitiveDataClause(Clause):
    categories: list[str]
    retention: str  # "never", or a duration
    training: Training
    exception: NotRequired[ExceptionKind]


SCHEMA: Schema = {
    "description": "A promise about some sensitive categories.",
    "required": ["categories", "retention", "training"],
    "properties": {
        "categories": {
            "description": (
                "Sensitive categories the clause covers: keys of vocabulary.sensitive_categories."
            ),
            "type": "array",
            "uniqueItems": True,
            "items": {"description": "A sensitive category id.", "$ref": "#/$defs/identifier"},
            "minItems": 1,
        },
        "retention": {
            "description": (
                "'never' (no store may hold these categories) or the longest window a store "
                "holding them may keep any data, e.g. '30d'."
            ),
            "type": "string",
            "if": {"const": "never"},
            "else": {"$ref": "#/$defs/duration"},
        },
        "training": {
            "description": (
                "'never': every training pipeline must filter these categories out; 'allowed': "
                "no training requirement."
            ),
            "enum": options(Training),
        },
        "exception": {
            "description": (
                "Documented exception: none, or explicit_permission (only with the user's "
                "explicit permission). Informational."
            ),
            "enum": options(ExceptionKind),
        },
    },
}


# How a change of each field reads in `policy-check diff` (checker.diff.ordering).
DIFF = DiffSpec(
    fields={
        "categories": Scope(facet="categories"),
        "retention": Span(larger="loosens", special={"never": "0s"}, zero="not retained"),
        "training": Ranked(order=("never", "allowed")),
        "exception": Ranked(absent="none", order=("none", "explicit_permission")),
    },
)


def run(ctx: CheckContext[SensitiveDataClause]) -> Iterator[Observation]:
    categories = list(ctx.clause["categories"])
    yield from _stores(ctx, categories)
    if ctx.clause["training"] == "never":
        yield from _training(ctx, categories)


def _stores(ctx: CheckContext[SensitiveDataClause], categories: list[str]) -> Iterator[Observation]:
    rule = ctx.clause["retention"]
    limit = None if rule == "never" else duration(rule)
    expected = (
        f"{words(categories)} not retained"
        if limit is None
        else f"{words(categories)} kept at most {limit}"
    )
    absent = section_missing(ctx, "stores", expected)
    if absent is not None:
        yield absent
        return
    stores = ctx.section("stores")
    if not stores:
        yield passed(
            "stores", "the snapshot records no data store", expected, "no store", ("stores",)
        )
    counting = ctx.counting
    unwanted = frozenset(categories)
    name_passes = store_namer(ctx)
    for path, store in stores:
        if counting and _holds_none(store, unwanted):
            yield name_passes(store, 1) if ctx.naming else COUNTED
            continue
        name = store.get("id")
        resource = f"store:{name}"
        if "sensitive_categories" not in store:
            yield not_evidenced(
                resource,
                f"store {name} does not record which sensitive categories it holds",
                expected,
                path,
            )
            continue
        held = holds_any(store, "sensitive_categories", categories)
        evidence = (*path, "sensitive_categories")
        if not held:
            yield passed(
                resource,
                f"store {name} holds no {words(categories)} data",
                expected,
                "none held",
                evidence,
            )
            continue
        if limit is None:
            yield failed(
                resource,
                f"store {name} retains {words(held)} data",
                expected,
                f"holds {words(held)}",
                evidence,
                ("retention",),
            )
            continue
        windows = store.get("retention") or {}
        longest = max((d for d in map(duration, windows.values()) if d is not None), default=None)
        unwindowed = unwindowed_states(windows)
        if longest is None:
            yield not_evidenced(
                resource,
                f"store {name} holds {words(held)} data and records no retention window",
                expected,
                evidence,
            )
        elif longest > limit:
            yield failed(
                resource,
                f"store {name} keeps {words(held)} data up to {longest}",
                expected,
                f"up to {longest}",
                (*path, "retention"),
                ("retention",),
            )
        elif unwindowed:  # data in these states is kept for a time nobody recorded
            yield not_evidenced(
                resource,
                f"store {name} holds {words(held)} data and records no retention window for "
                f"{either(unwindowed)} data, nor one for any state",
                expected,
                (*path, "retention"),
            )
        else:
            yield passed(
                resource,
                f"store {name} keeps {words(held)} data at most {longest}",
                expected,
                f"up to {longest}",
                (*path, "retention"),
            )


def _holds_none(store: Mapping[str, Any], categories: frozenset[str]) -> bool:
    """Whether the store records that it holds none of ``categories``: one pass, counted
    without a message (``ctx.counting``)."""
    if "sensitive_categories" not in store:
        return False
    return categories.isdisjoint(store["sensitive_categories"] or ())


def _training(
    ctx: CheckContext[SensitiveDataClause], categories: list[str]
) -> Iterator[Observation]:
    expected = f"{words(categories)} filtered out before training"
    absent = section_missing(ctx, "pipelines", expected)
    if absent is not None:
        yield absent
        return
    pipelines = training_pipelines(ctx)
    if not pipelines:
        yield passed(
            "pipelines",
            "no pipeline in the snapshot trains models",
            expected,
            "no training pipeline",
            ("pipelines",),
        )
    for path, pipe in pipelines:
        name = pipe.get("id")
        resource = f"pipeline:{name}"
        if "filters" not in pipe:
            yield not_evidenced(resource, f"pipeline {name} records no filters", expected, path)
            continue
        if "sensitive_categories" not in (pipe["filters"] or ()):
            yield failed(
                resource,
                f"training pipeline {name} has no sensitive-category filter",
                expected,
                f"filters {words(pipe['filters'] or ())}",
                (*path, "filters"),
                ("training",),
            )
            continue
        if "sensitive_categories_filtered" not in pipe:
            yield not_evidenced(
                resource,
                f"training pipeline {name} applies the sensitive-category filter but does not "
                "record which categories it removes (sensitive_categories_filtered)",
                expected,
                path,
                ("categories",),
            )
            continue
        covered = set(pipe.get("sensitive_categories_filtered") or ())
        missing = [c for c in categories if c not in covered]
        if missing:
            yield failed(
                resource,
                f"training pipeline {name} does not filter {words(missing)}",
                expected,
                f"filters {words(sorted(covered))}",
                (*path, "sensitive_categories_filtered"),
                ("categories",),
            )
        elif ctx.counting:
            yield named(1, resource) if ctx.naming else COUNTED  # a pass: no message made
        else:
            yield passed(
                resource,
                f"training pipeline {name} filters {words(categories)}",
                expected,
                f"filters {words(sorted(covered))}",
                (*path, "sensitive_categories_filtered"),
            )


CHECK = Check(
    id="sensitive_data",
    order=70,
    area=Area("sensitive", "Sensitive data"),
    title="Sensitive categories",
    default_severity=Severity.CRITICAL,
    description=(
        "Sensitive categories of conversation: how long they may be kept and whether they may be "
        "trained on."
    ),
    clause_type=SensitiveDataClause,
    schema=SCHEMA,
    vocabulary={"categories": "sensitive_categories"},
    remediation=(
        "Classify and filter the sensitive categories in the ingestion and training pipelines, "
        "and keep them no longer than the promise allows."
    ),
    diff=DIFF,
    run=run,
    doc=__doc__ or "",
)
