"""Notice periods: users are told of a change at least so long before it takes effect.

A clause names a kind of ``change`` (``training_default``, ``retention``, ``terms`` or
``data_use``), the ``tier_groups`` whose users must be told, and the shortest lead ``min_lead``
between the notice and the change. The snapshot's top-level ``notices`` list the notices given:
``{id, change, tiers, notified_on, effective_on}``. Every notice of that change to any of those
tiers must give at least ``min_lead`` from ``notified_on`` to ``effective_on`` (counted in whole
days; ``min_lead`` follows the duration rules, so ``1mo`` is 30 days). A snapshot without
``notices`` is *not evidenced*; an empty list, or one with no notice of that change to those
tiers, passes, saying that no such change was announced.

PASS::

    # policy                                   # snapshot
    notice_periods:                            notices:
      - id: training-notice                      - id: consumer-terms-2025
        change: training_default                   change: training_default
        tier_groups: [consumer]                    tiers: [free, pro]
        min_lead: 15d                              notified_on: "2025-08-28"
                                                   effective_on: "2025-09-28"

FAIL: ``effective_on: "2025-09-05"`` — 8 days after the notice, less than the 15 days promised.

Serves GDPR Art. 13(3) (information given before further processing for another purpose) and
Art. 7(3) (a user told in time can withdraw consent before the change applies).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any, Literal

from checker.checks.base import (
    Check,
    CheckContext,
    Clause,
    Schema,
    failed,
    options,
    passed,
    section_missing,
    words,
)
from checker.core.diagnostics import JsonPath
from checker.core.durations import DAY, Duration, parse_duration
from checker.core.results import Area, Observation, Severity
from checker.diff.ordering import DiffSpec, Review, Scope, Span

# One clause of the section: the model the check reads, and its JSON Schema fragment.
Change = Literal["training_default", "retention", "terms", "data_use"]


class NoticePeriodsClause(Clause):
    change: Change
    tier_groups: list[str]
    min_lead: str


SCHEMA: Schema = {
    "description": "A promise to tell users of a kind of change some time before it applies.",
    "required": ["change", "tier_groups", "min_lead"],
    "properties": {
        "change": {
            "description": (
                "The kind of change announced: training_default (whether data is trained on by "
                "default), retention (how long data is kept), terms (the terms of use) or "
                "data_use (what data is used for)."
            ),
            "enum": options(Change),
        },
        "tier_groups": {
            "description": "Tier groups whose users must be told: keys of vocabulary.tier_groups.",
            "type": "array",
            "uniqueItems": True,
            "items": {"description": "A tier group id.", "$ref": "#/$defs/identifier"},
            "minItems": 1,
        },
        "min_lead": {
            "description": (
                "The shortest time from the notice to the change taking effect, e.g. '15d'."
            ),
            "$ref": "#/$defs/duration",
        },
    },
}


# How a change of each field reads in `policy-check diff` (checker.diff.ordering).
DIFF = DiffSpec(
    fields={
        "change": Review(why="the promise is about another kind of change"),
        "tier_groups": Scope(
            expand="tier_groups",
            facet="tiers",
            gained="{items} users are now told in advance",
            lost="{items} users are no longer promised advance notice",
        ),
        "min_lead": Span(larger="tightens", zero="no advance notice"),
    },
    match_on=("change", "tier_groups"),
)

_CHANGE_WORDS = {
    "training_default": "training default",
    "retention": "retention",
    "terms": "terms",
    "data_use": "data use",
}


def run(ctx: CheckContext[NoticePeriodsClause]) -> Iterator[Observation]:
    clause = ctx.clause
    change = clause["change"]
    what = f"{_CHANGE_WORDS[change]} change"
    tiers = ctx.vocabulary.tiers_of(clause["tier_groups"])
    lead = parse_duration(clause["min_lead"])
    expected = f"{what}s announced to {words(tiers)} at least {lead} ahead"
    absent = section_missing(ctx, "notices", expected)
    if absent is not None:
        yield absent
        return
    judged = 0
    for path, notice in ctx.section("notices"):
        if notice.get("change") != change:
            continue
        told = [t for t in notice.get("tiers") or () if t in tiers]
        if told:
            judged += 1
            yield _judge(notice, path, told, lead, what, expected)
    if not judged:
        yield passed(
            "notices",
            f"no {what} was announced to {words(tiers)}: no notice is due",
            expected,
            f"no {what} notice",
            ("notices",),
        )


def _judge(
    notice: Mapping[str, Any],
    path: JsonPath,
    told: list[str],
    lead: Duration,
    what: str,
    expected: str,
) -> Observation:
    """One notice of the change: its lead, from notification to effect, against ``lead``."""
    name = notice.get("id")
    resource = f"notice:{name}"
    notified = dt.date.fromisoformat(str(notice["notified_on"]))
    effective = dt.date.fromisoformat(str(notice["effective_on"]))
    days = (effective - notified).days
    given = Duration(days * DAY, f"{days} days")
    actual = f"notified {notified}, effective {effective}: {given}"
    about = f"notice {name} of a {what} to {words(told)}"
    if given < lead:
        return failed(
            resource,
            f"{about} gave {given} before it took effect ({notified} to {effective}), "
            f"less than the {lead} promised",
            expected,
            actual,
            (*path, "effective_on"),
            ("min_lead",),
        )
    return passed(
        resource,
        f"{about} gave {given} before it took effect ({notified} to {effective})",
        expected,
        actual,
        (*path, "effective_on"),
    )


CHECK = Check(
    id="notice_periods",
    order=16,
    area=Area("notice", "Notice of changes", listed_when_empty=False),
    title="Notice periods for changes",
    default_severity=Severity.HIGH,
    description=(
        "How long before a change of training default, retention, terms or data use its users "
        "are told of it."
    ),
    clause_type=NoticePeriodsClause,
    schema=SCHEMA,
    vocabulary={"tier_groups": "tier_groups"},
    remediation=(
        "Move the change's effective date so that it takes effect no sooner than the promised "
        "lead after users were notified, or notify them earlier."
    ),
    diff=DIFF,
    run=run,
    doc=__doc__ or "",
    loops_over_stores=False,
)
