"""Governance: reviews, audits and board meetings happen as often as the policy promises.

The clause names an ``activity`` (``internal_review``, ``external_audit``, ``ethics_review``
or ``oversight_board``) and a cadence ``every``. The snapshot's ``governance.<activity>.last``
date must lie no further back than ``every`` before the ``--as-of`` date, so results do not
depend on the day the check runs. A date's age counts whole days, compared with ``every`` by
the month rule of every duration (``1y`` is 365 days, ``6mo`` 183). A missing activity or date
is *not evidenced*; a date after the as-of date fails, since such evidence cannot be trusted.

PASS::

    # policy                                  # snapshot
    governance:                               governance:
      - id: yearly-review                       internal_review:
        activity: internal_review                 last: "2026-06-01"
        every: 1y                                 by: "privacy team"

    # as of 2026-11-21: 173 days, within a year

FAIL: ``last: "2025-01-10"`` as of 2026-11-21 (680 days, about 22 months, before it).

Serves GDPR Art. 5(2) and Art. 24(1) (accountability: measures reviewed and updated where
necessary) and Art. 35(11) (review of impact assessments).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Literal

from checker.checks.base import (
    Check,
    CheckContext,
    Clause,
    Schema,
    age_of,
    failed,
    nearest,
    not_evidenced,
    options,
    passed,
)
from checker.core.durations import DAY, month_days, parse_duration
from checker.core.results import Area, Observation, Severity
from checker.diff.ordering import DiffSpec, Review, Span

# One clause of the section: the model the check reads, and its JSON Schema fragment.
Activity = Literal["internal_review", "external_audit", "ethics_review", "oversight_board"]


class GovernanceClause(Clause):
    activity: Activity
    every: str


SCHEMA: Schema = {
    "description": "A recurring governance activity.",
    "required": ["activity", "every"],
    "properties": {
        "activity": {
            "description": (
                "The activity: internal_review, external_audit, ethics_review or oversight_board."
            ),
            "enum": options(Activity),
        },
        "every": {
            "description": (
                "Its last occurrence must lie within this period before the as-of date, e.g. '1y'."
            ),
            "$ref": "#/$defs/duration",
        },
    },
}


# How a change of each field reads in `policy-check diff` (checker.diff.ordering).
DIFF = DiffSpec(
    fields={
        "activity": Review(why="a different activity is now promised"),
        "every": Span(larger="loosens"),
    },
    match_on=("activity",),
)


_ACTIVITY_WORDS = {
    "internal_review": "internal review",
    "external_audit": "external audit",
    "ethics_review": "ethics review",
    "oversight_board": "oversight board meeting",
}


def run(ctx: CheckContext[GovernanceClause]) -> Iterator[Observation]:
    activity = str(ctx.clause["activity"])
    what = _ACTIVITY_WORDS.get(activity, activity.replace("_", " "))
    every = parse_duration(str(ctx.clause["every"]))
    resource = f"governance:{activity}"
    expected = f"{what} within {every} before {ctx.as_of}"
    section = ctx.snapshot.get("governance")
    record = section.get(activity) if isinstance(section, Mapping) else None
    path = ("governance", activity)
    if not isinstance(record, Mapping):
        yield not_evidenced(
            resource, f"the snapshot records no {what}", expected, nearest(ctx.snapshot, path)
        )
        return
    last = record.get("last")
    if isinstance(last, dt.date):
        last = last.isoformat()
    age = age_of(last, ctx.as_of)
    if age is None or age.seconds is None:
        yield not_evidenced(
            resource,
            f"the snapshot records no date for the last {what}",
            expected,
            path,
            ("every",),
        )
        return
    evidence = (*path, "last")
    by = record.get("by")
    actual = f"last on {last}" + (f" by {by}" if isinstance(by, str) and by else "")
    if age.seconds < 0:
        yield failed(
            resource,
            f"the last {what} is dated {last}, after the as-of date {ctx.as_of}, "
            "so the record cannot be trusted",
            expected,
            actual,
            evidence,
            ("every",),
        )
    elif age > every:
        yield failed(
            resource,
            f"the last {what} was on {last}, {age_words(age.seconds)} before {ctx.as_of}; "
            f"the policy requires one every {every}",
            expected,
            actual,
            evidence,
            ("every",),
        )
    else:
        yield passed(
            resource,
            f"the last {what} was on {last}, {age_words(age.seconds)} before {ctx.as_of}, "
            f"within the required {every}",
            expected,
            actual,
            evidence,
        )


def age_words(seconds: int) -> str:
    """``1 day``, ``45 days``, ``173 days (about 6 months)``."""
    days = seconds // DAY
    text = "1 day" if days == 1 else f"{days} days"
    if days >= month_days(2):
        text += f" (about {round(days * 12 / 365.2425)} months)"
    return text


CHECK = Check(
    id="governance",
    order=140,
    area=Area("governance", "Governance"),
    title="Governance cadence",
    default_severity=Severity.MEDIUM,
    description="Reviews, audits and boards that must happen on a cadence.",
    clause_type=GovernanceClause,
    schema=SCHEMA,
    remediation=(
        "Hold the review or audit and record its date in the governance configuration; schedule"
        " the next one within the cadence the policy sets."
    ),
    diff=DIFF,
    run=run,
    doc=__doc__ or "",
    loops_over_stores=False,
)
