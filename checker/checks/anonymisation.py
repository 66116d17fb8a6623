"""Anonymisation: the required filters run before data is trained on, stored or shared.

``applies_to: training`` — every training pipeline's ``filters`` include all of
``required_filters``; ``storage`` — every pipeline's do; ``sharing`` — every recipient is
recorded as receiving ``anonymised: true`` data, and every pipeline it is ``fed_by`` applies
all of ``required_filters`` (a recipient linked to no pipeline is not evidenced: saying the
data is anonymised is not showing how). Missing ``filters`` are not evidenced.

PASS: ``filters: [pii_redaction, anonymisation]`` with ``required_filters: [pii_redaction,
anonymisation]``.
FAIL: a training pipeline with ``filters: [anonymisation]`` — PII redaction is missing; with
``applies_to: sharing``, a research partner ``fed_by: [research-extract]`` whose pipeline
applies ``[anonymisation]`` only.

Serves GDPR Art. 25 (data protection by design), Art. 32(1)(a) (pseudonymisation) and
Recital 26 (anonymous data).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Literal

from checker.checks.base import (
    COUNTED,
    Check,
    CheckContext,
    Clause,
    Schema,
    failed,
    feeding_pipelines,
    named,
    not_evidenced,
    options,
    passed,
    section_missing,
    training_pipelines,
    words,
)
from checker.core.diagnostics import JsonPath
from checker.core.results import Area, Observation, Severity
from checker.diff.ordering import Covers, DiffSpec, Members

# One clause of the section: the model the check reads, and its JSON Schema fragment.
Use = Literal["training", "storage", "sharing"]
Filter = Literal["pii_redaction", "anonymisation", "sensitive_categories", "minors"]


class AnonymisationClause(Clause):
    applies_to: Use
    required_filters: list[Filter]


SCHEMA: Schema = {
    "description": "Filters required before data is used for a purpose.",
    "required": ["applies_to", "required_filters"],
    "properties": {
        "applies_to": {
            "description": (
                "Where the filters are required: training (every training pipeline), storage "
                "(every pipeline) or sharing (every recipient receives anonymised data, from "
                "pipelines it is fed_by that apply the filters)."
            ),
            "enum": options(Use),
        },
        "required_filters": {
            "description": (
                "Filters that must all be applied: pii_redaction (direct identifiers removed), "
                "anonymisation (records unlinkable to users), sensitive_categories, minors."
            ),
            "type": "array",
            "minItems": 1,
            "uniqueItems": True,
            "items": {"description": "A filter name.", "enum": options(Filter)},
        },
    },
}


# How a change of each field reads in `policy-check diff` (checker.diff.ordering).
DIFF = DiffSpec(
    fields={
        # Stored data includes what is trained on and what is shared.
        "applies_to": Covers(includes={"storage": ("training", "sharing")}),
        "required_filters": Members(adding="tightens"),
    },
)


def run(ctx: CheckContext[AnonymisationClause]) -> Iterator[Observation]:
    target = ctx.clause["applies_to"]
    required = list(ctx.clause["required_filters"])
    if target == "sharing":
        yield from _sharing(ctx)
        return
    expected = f"filters {words(required)}"
    absent = section_missing(ctx, "pipelines", expected)
    if absent is not None:
        yield absent
        return
    pipelines = training_pipelines(ctx) if target == "training" else ctx.section("pipelines")
    if not pipelines:
        yield passed(
            "pipelines",
            f"no {'training ' if target == 'training' else ''}pipeline in the snapshot",
            expected,
            "none",
            ("pipelines",),
        )
    for path, pipe in pipelines:
        name = pipe.get("id")
        resource = f"pipeline:{name}"
        if "filters" not in pipe:
            yield not_evidenced(resource, f"pipeline {name} records no filters", expected, path)
            continue
        have = list(pipe["filters"] or ())
        missing = [f for f in required if f not in have]
        if missing:
            yield failed(
                resource,
                f"pipeline {name} does not apply {words(missing)}",
                expected,
                f"filters {words(have)}",
                (*path, "filters"),
                ("required_filters",),
            )
        elif ctx.counting:
            yield named(1, resource) if ctx.naming else COUNTED  # a pass: no message made
        else:
            yield passed(
                resource,
                f"pipeline {name} applies {words(required)}",
                expected,
                f"filters {words(have)}",
                (*path, "filters"),
            )


def _sharing(ctx: CheckContext[AnonymisationClause]) -> Iterator[Observation]:
    expected = "recipients receive anonymised data only"
    absent = section_missing(ctx, "recipients", expected)
    if absent is not None:
        yield absent
        return
    recipients = ctx.section("recipients")
    if not recipients:
        yield passed(
            "recipients",
            "the snapshot records that no third party receives data",
            expected,
            "none",
            ("recipients",),
        )
    for path, rec in recipients:
        yield from _recipient(ctx, path, rec, expected)


def _recipient(
    ctx: CheckContext[AnonymisationClause],
    path: JsonPath,
    rec: Mapping[str, Any],
    expected: str,
) -> Iterator[Observation]:
    """Anonymised as recorded, and made so by every pipeline that feeds the recipient."""
    name = rec.get("id")
    resource = f"recipient:{name}"
    if "anonymised" not in rec:
        yield not_evidenced(
            resource,
            f"recipient {name} does not record whether its data is anonymised",
            expected,
            path,
        )
        return
    if rec["anonymised"] is not True:
        yield failed(
            resource,
            f"recipient {name} receives data that is not anonymised",
            expected,
            "not anonymised",
            (*path, "anonymised"),
            ("applies_to",),
        )
        return
    pipelines = feeding_pipelines(ctx, rec)
    if not pipelines:
        yield not_evidenced(
            resource,
            f"recipient {name} is recorded as receiving anonymised data, but no pipeline in "
            "the snapshot is linked to it (fed_by): how its data is prepared is not recorded",
            expected,
            path,
        )
        return
    required = list(ctx.clause["required_filters"])
    for pipe_path, pipe in pipelines:
        source = pipe.get("id")
        if not isinstance(pipe.get("filters"), list):
            yield not_evidenced(
                resource,
                f"pipeline {source}, which feeds recipient {name}, records no filters",
                expected,
                pipe_path,
            )
            continue
        have = list(pipe["filters"])
        missing = [f for f in required if f not in have]
        if missing:
            yield failed(
                resource,
                f"recipient {name} receives data from pipeline {source}, which does not apply "
                f"{words(missing)}",
                expected,
                f"filters {words(have)}",
                (*pipe_path, "filters"),
                ("required_filters",),
            )
        elif ctx.counting:
            yield named(1, resource) if ctx.naming else COUNTED  # a pass: no message made
        else:
            yield passed(
                resource,
                f"recipient {name} receives anonymised data from pipeline {source}, which "
                f"applies {words(required)}",
                expected,
                f"filters {words(have)}",
                (*pipe_path, "filters"),
            )


CHECK = Check(
    id="anonymisation",
    order=60,
    area=Area("anonymisation", "Anonymisation"),
    title="Anonymisation before use",
    default_severity=Severity.HIGH,
    description="Privacy filters that must run before data is trained on, stored or shared.",
    clause_type=AnonymisationClause,
    schema=SCHEMA,
    remediation=(
        "Add the required privacy filter (PII redaction, anonymisation) to the pipeline before "
        "the step that trains on, stores or shares the data."
    ),
    diff=DIFF,
    run=run,
    doc=__doc__ or "",
    loops_over_stores=False,
)
