"""Breach response plan: a plan for handling a breach is in place, and exercised on a cadence.

The plan is the incident runbook: the snapshot's ``incident_response.runbook`` must say where
it lives (a URL or document name); incident response settings that name none fail, and a
snapshot without ``incident_response`` is *not evidenced*. With ``exercised_every``, the
snapshot's ``incident_response.runbook_exercised`` (the date of the last exercise or test of
the plan) must lie no further back than that before the ``--as-of`` date, by the same rule as
governance cadences; no date is not evidenced, and a date after the as-of date fails, since
such evidence cannot be trusted.

PASS::

    # policy                                  # snapshot
    breach_response:                          incident_response:
      - id: breach-response-plan                runbook: "https://wiki.example/breach"
        plan: required                          runbook_exercised: "2026-06-01"
        exercised_every: 1y

FAIL: incident response settings without a ``runbook`` ("no breach response plan is in
place"), or ``runbook_exercised: "2024-03-01"`` as of 2026-11-21.

Serves GDPR Art. 32(1)(d) (regularly testing the effectiveness of security measures) and
Art. 33(5) (documenting breaches and the action taken).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Literal, NotRequired

from checker.checks.base import (
    Check,
    CheckContext,
    Clause,
    Schema,
    age_of,
    failed,
    not_evidenced,
    passed,
)
from checker.checks.breach_notification import CHECK as NOTIFICATION
from checker.checks.governance import age_words
from checker.core.durations import Duration, parse_duration
from checker.core.results import Observation, Severity
from checker.diff.ordering import DiffSpec, Review, Span


# One clause of the section: the model the check reads, and its JSON Schema fragment.
class BreachResponseClause(Clause):
    plan: Literal["required"]
    exercised_every: NotRequired[str]


SCHEMA: Schema = {
    "description": "A breach response plan in place, and exercised on a cadence.",
    "required": ["plan"],
    "properties": {
        "plan": {
            "description": (
                "required: a breach response plan (the incident runbook) must be recorded in "
                "the snapshot's incident_response.runbook."
            ),
            "enum": ["required"],
        },
        "exercised_every": {
            "description": (
                "The plan's last exercise (incident_response.runbook_exercised) must lie within "
                "this period before the as-of date, e.g. '1y'."
            ),
            "$ref": "#/$defs/duration",
        },
    },
}


# How a change of each field reads in `policy-check diff` (checker.diff.ordering).
DIFF = DiffSpec(
    fields={
        "plan": Review(why="what the plan must be changed"),
        "exercised_every": Span(larger="loosens", absent="indefinite"),
    },
)

_RESOURCE = "incident_response"


def run(ctx: CheckContext[BreachResponseClause]) -> Iterator[Observation]:
    expected = "a breach response plan recorded"
    response = ctx.snapshot.get("incident_response")
    if not isinstance(response, Mapping):
        yield not_evidenced(
            _RESOURCE, "the snapshot records no incident response settings", expected, ()
        )
        return
    runbook = response.get("runbook")
    if not isinstance(runbook, str) or not runbook.strip():
        # The incident-response configuration is there and names no plan: that is evidence
        # of its absence, as much as a deadline it sets is evidence of the deadline.
        yield failed(
            _RESOURCE,
            "no breach response plan is in place: the incident response settings name no runbook",
            expected,
            "no runbook",
            ("incident_response",),
            ("plan",),
        )
    else:
        yield passed(
            _RESOURCE,
            f"the breach response plan is the runbook at {runbook}",
            expected,
            runbook,
            ("incident_response", "runbook"),
        )
    if "exercised_every" in ctx.clause:
        yield from _exercised(ctx, response, parse_duration(ctx.clause["exercised_every"]))


def _exercised(
    ctx: CheckContext[BreachResponseClause], response: Mapping[str, object], every: Duration
) -> Iterator[Observation]:
    """The plan was last exercised within ``every`` before the as-of date."""
    expected = f"the plan exercised within {every} before {ctx.as_of}"
    last = response.get("runbook_exercised")
    age = age_of(last, ctx.as_of)
    if age is None or age.seconds is None:
        yield not_evidenced(
            _RESOURCE,
            "the snapshot records no date on which the breach response plan was last exercised",
            expected,
            ("incident_response",),
            ("exercised_every",),
        )
        return
    evidence = ("incident_response", "runbook_exercised")
    actual = f"last exercised on {last}"
    if age.seconds < 0:
        yield failed(
            _RESOURCE,
            f"the breach response plan's last exercise is dated {last}, after the as-of date "
            f"{ctx.as_of}, so the record cannot be trusted",
            expected,
            actual,
            evidence,
            ("exercised_every",),
        )
    elif age > every:
        yield failed(
            _RESOURCE,
            f"the breach response plan was last exercised on {last}, "
            f"{age_words(age.seconds)} before {ctx.as_of}; the policy requires it every {every}",
            expected,
            actual,
            evidence,
            ("exercised_every",),
        )
    else:
        yield passed(
            _RESOURCE,
            f"the breach response plan was last exercised on {last}, "
            f"{age_words(age.seconds)} before {ctx.as_of}",
            expected,
            actual,
            evidence,
        )


CHECK = Check(
    id="breach_response",
    order=135,
    area=NOTIFICATION.area,
    title="Breach response plan",
    default_severity=Severity.HIGH,
    description="A plan for handling a breach is in place, and exercised on a cadence.",
    clause_type=BreachResponseClause,
    schema=SCHEMA,
    remediation=(
        "Write the breach response plan into the incident runbook, record where it lives in the "
        "incident-response configuration, and exercise it on the cadence the policy sets."
    ),
    diff=DIFF,
    run=run,
    doc=__doc__ or "",
    loops_over_stores=False,
)
