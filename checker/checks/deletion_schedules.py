"""Deletion schedules: every store holding the data has one, reviewed on time.

Each store that holds one of the clause's ``data_kinds`` must record
``deletion_schedule.defined: true``. With ``review_every``, the schedule's ``last_reviewed``
date must lie within that period before the ``--as-of`` date.

PASS: ``deletion_schedule: {defined: true, last_reviewed: "2026-06-01"}`` with
``review_every: 1y`` as of 2026-11-21.
FAIL: ``deletion_schedule: {defined: false}``, or a last review in 2024.

Serves GDPR Art. 5(1)(e) (storage limitation) and Art. 5(1)(c) (minimisation).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any, NotRequired

from checker.checks import retention
from checker.checks.base import (
    Check,
    CheckContext,
    Clause,
    Schema,
    age_of,
    counted,
    duration,
    failed,
    no_store_holds,
    not_evidenced,
    passed,
    store_namer,
    words,
)
from checker.core.durations import Duration
from checker.core.results import Observation, Severity
from checker.diff.ordering import DiffSpec, Scope, Span


# One clause of the section: the model the check reads, and its JSON Schema fragment.
class DeletionSchedulesClause(Clause):
    data_kinds: list[str]
    review_every: NotRequired[str]


SCHEMA: Schema = {
    "description": "A promise that every store holding some data kinds has a deletion schedule.",
    "required": ["data_kinds"],
    "properties": {
        "data_kinds": {
            "description": (
                "Every store holding one of these data kinds must declare a deletion schedule: "
                "keys of vocabulary.data_kinds."
            ),
            "type": "array",
            "uniqueItems": True,
            "items": {"description": "A data kind id.", "$ref": "#/$defs/identifier"},
            "minItems": 1,
        },
        "review_every": {
            "description": (
                "The schedule must have been reviewed within this period before the as-of date, "
                "e.g. '1y'."
            ),
            "$ref": "#/$defs/duration",
        },
    },
}


# How a change of each field reads in `policy-check diff` (checker.diff.ordering).
DIFF = DiffSpec(
    fields={
        "data_kinds": Scope(facet="data kinds"),
        "review_every": Span(absent="indefinite", larger="loosens"),
    },
)


def run(ctx: CheckContext[DeletionSchedulesClause]) -> Iterator[Observation]:
    kinds = list(ctx.clause["data_kinds"])
    review = duration(ctx.clause.get("review_every"))
    matched = False
    passes = 1 if review is None else 2
    wanted = frozenset(kinds)
    name_passes = store_namer(ctx)
    for path, store in ctx.section("stores"):
        have = store.get("data_kinds") or ()
        if wanted.isdisjoint(have):
            continue
        matched = True
        if ctx.counting and _meets_all(store, review, ctx.as_of):
            yield name_passes(store, passes) if ctx.naming else counted(passes)
            continue
        held = [k for k in kinds if k in have]
        name = store.get("id")
        resource = f"store:{name}"
        schedule = store.get("deletion_schedule")
        expected = "a defined deletion schedule"
        if not isinstance(schedule, dict) or "defined" not in schedule:
            yield not_evidenced(
                resource, f"store {name} records no deletion schedule", expected, path
            )
            continue
        spath = (*path, "deletion_schedule")
        if schedule["defined"] is not True:
            yield failed(
                resource,
                f"store {name} holds {words(held)} without a deletion schedule",
                expected,
                "no schedule",
                (*spath, "defined"),
            )
            continue
        yield passed(
            resource,
            f"store {name} has a deletion schedule",
            expected,
            "defined",
            (*spath, "defined"),
        )
        if review is None:
            continue
        expected = f"schedule reviewed within {review} of {ctx.as_of}"
        last = schedule.get("last_reviewed")
        age = age_of(last, ctx.as_of)
        if age is None:
            yield not_evidenced(
                resource,
                f"store {name} records no review of its deletion schedule",
                expected,
                spath,
                ("review_every",),
            )
        elif age.seconds is not None and age.seconds < 0:
            yield failed(
                resource,
                f"the deletion schedule of store {name} is dated after the as-of date {ctx.as_of}",
                expected,
                f"last reviewed {last}",
                (*spath, "last_reviewed"),
                ("review_every",),
            )
        elif age > review:
            yield failed(
                resource,
                f"the deletion schedule of store {name} was last reviewed "
                f"{last}, {age} before {ctx.as_of}",
                expected,
                f"last reviewed {last}",
                (*spath, "last_reviewed"),
                ("review_every",),
            )
        else:
            yield passed(
                resource,
                f"the deletion schedule of store {name} was reviewed {last}",
                expected,
                f"last reviewed {last}",
                (*spath, "last_reviewed"),
            )
    if not matched:
        yield no_store_holds(kinds, "a defined deletion schedule")


def _meets_all(store: Mapping[str, Any], review: Duration | None, as_of: dt.date) -> bool:
    """Whether the store's schedule is defined and, when the clause asks, reviewed in time:
    then each is one pass, counted without a message (``ctx.counting``)."""
    schedule = store.get("deletion_schedule")
    if not isinstance(schedule, dict) or schedule.get("defined") is not True:
        return False
    if review is None:
        return True
    age = age_of(schedule.get("last_reviewed"), as_of)
    if age is None or (age.seconds is not None and age.seconds < 0):  # none, or in the future
        return False
    return not age > review


CHECK = Check(
    id="deletion_schedules",
    order=40,
    area=retention.CHECK.area,  # counted with retention windows
    title="Deletion schedules",
    default_severity=Severity.MEDIUM,
    description="Stores must declare a deletion schedule, reviewed on a cadence.",
    clause_type=DeletionSchedulesClause,
    schema=SCHEMA,
    vocabulary={"data_kinds": "data_kinds"},
    remediation=(
        "Declare a deletion schedule on the store and record its last review date; review it "
        "within the cadence the policy sets."
    ),
    diff=DIFF,
    run=run,
    doc=__doc__ or "",
)
