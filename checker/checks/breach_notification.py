"""Breach notification: affected users and regulators are told within the promised time.

The clause's ``audience`` picks the snapshot field: ``users`` reads
``incident_response.notify_users_within``, ``regulators`` reads
``incident_response.notify_regulators_within``. That duration must be at most ``within``;
``indefinite`` (no deadline) fails. A snapshot without ``incident_response``, or without the
field, is *not evidenced*.

PASS::

    # policy                                  # snapshot
    breach_notification:                      incident_response:
      - id: notify-users-72h                    notify_users_within: 72h
        audience: users
        within: 72h

FAIL: ``notify_users_within: 96h`` ("affected users are notified of a breach within 96h,
later than the 72h the policy requires").

Serves GDPR Art. 33(1) (notify the supervisory authority within 72 hours) and Art. 34
(tell the people affected without undue delay).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Literal

from checker.checks.base import (
    Check,
    CheckContext,
    Clause,
    Schema,
    Vocabulary,
    duration,
    failed,
    not_evidenced,
    options,
    passed,
)
from checker.core.durations import parse_duration
from checker.core.results import Area, Observation, Severity
from checker.diff.ordering import DiffSpec, Review, Span

# One clause of the section: the model the check reads, and its JSON Schema fragment.
Audience = Literal["users", "regulators"]


class BreachNotificationClause(Clause):
    audience: Audience
    within: str


SCHEMA: Schema = {
    "description": "A breach notification deadline for one audience.",
    "required": ["audience", "within"],
    "properties": {
        "audience": {
            "description": "Who is notified: users or regulators.",
            "enum": options(Audience),
        },
        "within": {
            "description": "Longest time from detection to notification, e.g. '72h'.",
            "$ref": "#/$defs/duration",
        },
    },
}


# How a change of each field reads in `policy-check diff` (checker.diff.ordering).
DIFF = DiffSpec(
    fields={
        "audience": Review(why="the notice now goes to someone else"),
        "within": Span(larger="loosens"),
    },
    match_on=("audience",),
)


_AUDIENCES = {
    "users": ("notify_users_within", "affected users"),
    "regulators": ("notify_regulators_within", "regulators"),
}
_RESOURCE = "incident_response"


def run(ctx: CheckContext[BreachNotificationClause]) -> Iterator[Observation]:
    audience = str(ctx.clause["audience"])
    field, who = _AUDIENCES[audience]
    limit = parse_duration(str(ctx.clause["within"]))
    expected = f"{who} notified within {limit}"
    response = ctx.snapshot.get("incident_response")
    if not isinstance(response, Mapping):
        yield not_evidenced(
            _RESOURCE, "the snapshot records no incident response settings", expected, ()
        )
        return
    raw = response.get(field)
    value = duration(raw)
    if value is None:
        recorded = "" if raw is None else f" ({raw!r} is not a duration)"
        yield not_evidenced(
            _RESOURCE,
            f"the snapshot does not record how quickly {who} are notified of a breach{recorded}",
            expected,
            ("incident_response",),
        )
        return
    evidence = ("incident_response", field)
    if value.indefinite:
        yield failed(
            _RESOURCE,
            f"no deadline is set for notifying {who} of a breach; the policy requires {limit}",
            expected,
            "no deadline",
            evidence,
            ("within",),
        )
    elif value > limit:
        yield failed(
            _RESOURCE,
            f"{who} are notified of a breach within {raw}, "
            f"later than the {limit} the policy requires",
            expected,
            f"within {raw}",
            evidence,
            ("within",),
        )
    else:
        yield passed(
            _RESOURCE,
            f"{who} are notified of a breach within {raw}",
            expected,
            f"within {raw}",
            evidence,
        )


def conflicts(a: Mapping[str, Any], b: Mapping[str, Any], vocabulary: Vocabulary) -> str | None:
    """Two deadlines for notifying the same audience."""
    if a.get("audience") != b.get("audience"):
        return None
    first, second = duration(a.get("within")), duration(b.get("within"))
    if first is None or second is None or first == second:
        return None
    who = _AUDIENCES.get(str(b.get("audience")), ("", str(b.get("audience"))))[1]
    return (
        f"{who} are notified within {second} here but {first} there; keep one deadline per audience"
    )


CHECK = Check(
    id="breach_notification",
    order=130,
    area=Area("breach", "Breach response"),
    title="Breach notification",
    default_severity=Severity.CRITICAL,
    description="Who is told about a breach, and how fast.",
    clause_type=BreachNotificationClause,
    schema=SCHEMA,
    remediation=(
        "Set the incident-response runbook's notification deadline and recipients to what the "
        "policy promises, and record them in the configuration the snapshot reads."
    ),
    diff=DIFF,
    run=run,
    conflicts=conflicts,
    doc=__doc__ or "",
    loops_over_stores=False,
)
