"""User rights: the control is offered, requests are honoured on time, confirmed and portable.

The clause names one ``right`` (``training_opt_out``, ``storage_opt_out``, ``deletion``,
``export`` or ``access``); the snapshot's ``user_rights.<right>`` must record:

* ``exposed: true`` — users can exercise the right (when it is ``false`` nothing else about
  the right is checked: the right is not offered at all);
* with ``deadline`` — a ``deadline`` of at most that duration;
* with ``confirmation: true`` — ``confirmation: true`` (the user is told it was done);
* with ``formats`` — at least one of those machine-readable formats among ``formats``;
* with ``tier_groups`` — every tier of those groups among the right's ``tiers`` (a right that
  records no ``tiers`` is offered to every tier);
* with ``not_offered_to`` — no tier of those groups among its ``tiers``; a right offered to
  every tier fails when the snapshot's ``tiers`` has one of them;
* with ``artefact_lifetime`` — an ``artefact_lifetime`` of at most that duration: how long what
  the request produces (the export's download link) stays available.

Each requirement is its own finding for ``user_rights:<right>``; a right or field the snapshot
does not record is *not evidenced*.

PASS::

    # policy                                  # snapshot
    user_rights:                              user_rights:
      - id: deletion-30d                        deletion:
        right: deletion                           exposed: true
        deadline: 30d                             deadline: 30d
        confirmation: true                        confirmation: true

"Export ... within 7 days; the link expires after 24 hours; not offered to Business or
Enterprise"::

    # policy                                  # snapshot
    user_rights:                              user_rights:
      - id: export-consumer-only                export:
        right: export                             exposed: true
        tier_groups: [consumer]                   tiers: [free, plus, pro]
        not_offered_to: [business]                deadline: 7d
        deadline: 7d                              artefact_lifetime: 24h
        artefact_lifetime: 24h

FAIL: ``deadline: 45d`` against a 30-day promise; an export offered only as ``[pdf]`` when the
clause asks for ``[json, csv]``; an export whose ``tiers`` include ``enterprise`` when the
clause says it is not offered to ``business``; a download link valid ``7d`` against ``24h``.

Serves GDPR Art. 12(3) (answer within one month), Art. 15 (access), Art. 17 (erasure),
Art. 20 (portability in a machine-readable format), Art. 21 (objection) and CCPA/CPRA
§1798.130 (45 days to respond).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal, NotRequired

from checker.checks.base import (
    Check,
    CheckContext,
    Clause,
    Schema,
    Vocabulary,
    duration,
    either,
    failed,
    nearest,
    not_evidenced,
    options,
    passed,
    words,
)
from checker.core.diagnostics import JsonPath
from checker.core.durations import Duration, parse_duration
from checker.core.results import Area, Observation, Severity
from checker.diff.ordering import Covers, DiffSpec, Members, Ranked, Scope, Span

# One clause of the section: the model the check reads, and its JSON Schema fragment.
Right = Literal["training_opt_out", "storage_opt_out", "deletion", "export", "access"]


class UserRightsClause(Clause):
    right: Right
    deadline: NotRequired[str]
    confirmation: NotRequired[bool]
    formats: NotRequired[list[str]]
    tier_groups: NotRequired[list[str]]
    not_offered_to: NotRequired[list[str]]
    artefact_lifetime: NotRequired[str]


SCHEMA: Schema = {
    "description": "A promise that a right is offered, and on which terms.",
    "required": ["right"],
    "properties": {
        "right": {
            "description": (
                "The right: training_opt_out, storage_opt_out, deletion, export or access. It "
                "must be exposed to users."
            ),
            "enum": options(Right),
        },
        "deadline": {
            "description": "The right is honoured within this, e.g. '30d'.",
            "$ref": "#/$defs/duration",
        },
        "confirmation": {
            "description": (
                "Whether the user must be sent a confirmation once the request is done."
            ),
            "type": "boolean",
        },
        "formats": {
            "description": (
                "For export: machine-readable formats, at least one of which must be offered, "
                "e.g. [json, csv]."
            ),
            "type": "array",
            "uniqueItems": True,
            "items": {"description": "A format name.", "$ref": "#/$defs/identifier"},
            "minItems": 1,
        },
        "tier_groups": {
            "description": (
                "Tier groups the right is offered to: keys of vocabulary.tier_groups. Without "
                "it, the tiers the right is offered to are not checked."
            ),
            "type": "array",
            "uniqueItems": True,
            "items": {"description": "A tier group id.", "$ref": "#/$defs/identifier"},
            "minItems": 1,
        },
        "not_offered_to": {
            "description": (
                "Tier groups the right is not offered to, e.g. [business] for an export "
                "Business and Enterprise users do not get: keys of vocabulary.tier_groups."
            ),
            "type": "array",
            "uniqueItems": True,
            "items": {"description": "A tier group id.", "$ref": "#/$defs/identifier"},
            "minItems": 1,
        },
        "artefact_lifetime": {
            "description": (
                "What the request produces (an export's download link, a report) stays "
                "available at most this long, e.g. '24h'."
            ),
            "$ref": "#/$defs/duration",
        },
    },
}


# How a change of each field reads in `policy-check diff` (checker.diff.ordering).
DIFF = DiffSpec(
    fields={
        # Not storing a conversation keeps it out of training too.
        "right": Covers(includes={"storage_opt_out": ("training_opt_out",)}),
        "deadline": Span(absent="indefinite", larger="loosens"),
        "confirmation": Ranked(absent=False, order=(True, False)),
        "formats": Members(adding="loosens"),  # any one of them will do
        # Without it the clause promises the right to no tier in particular: none, not all.
        "tier_groups": Scope(
            expand="tier_groups",
            absent=[],
            facet="tiers",
            gained="users of {items} are now promised the right",
            lost="users of {items} are no longer promised the right",
        ),
        # One more tier the right is said not to reach promises less.
        "not_offered_to": Members(absent=[], adding="loosens"),
        "artefact_lifetime": Span(absent="indefinite", larger="loosens"),
    },
    match_on=("right",),
)


_RIGHT_WORDS = {
    "training_opt_out": "opt out of training",
    "storage_opt_out": "opt out of storage",
    "deletion": "delete their data",
    "export": "export their data",
    "access": "access their data",
}


def run(ctx: CheckContext[UserRightsClause]) -> Iterator[Observation]:
    clause = ctx.clause
    right = str(clause["right"])
    act = _RIGHT_WORDS.get(right, f"exercise their {right.replace('_', ' ')} right")
    resource = f"user_rights:{right}"
    rights = ctx.snapshot.get("user_rights")
    settings = rights.get(right) if isinstance(rights, Mapping) else None
    if not isinstance(settings, Mapping):
        yield not_evidenced(
            resource,
            f"the snapshot does not record whether users can {act}",
            f"users can {act}",
            nearest(ctx.snapshot, ("user_rights", right)),
        )
        return
    path: JsonPath = ("user_rights", right)
    exposed = settings.get("exposed")
    expected = f"users can {act}"
    if exposed is False:
        yield failed(
            resource,
            f"users cannot {act}: the control is not offered",
            expected,
            "not offered",
            (*path, "exposed"),
            ("right",),
        )
        return
    if exposed is True:
        yield passed(resource, f"users can {act}", expected, "offered", (*path, "exposed"))
    else:
        yield not_evidenced(
            resource, f"the snapshot does not record whether users can {act}", expected, path
        )
    if "deadline" in clause:
        limit = parse_duration(str(clause["deadline"]))
        yield _within(_DEADLINE, resource, act, settings, path, limit)
    if clause.get("confirmation") is True:
        yield _confirmation(resource, act, settings, path)
    if clause.get("formats") is not None:
        yield _formats(resource, act, settings, path, [str(f) for f in clause["formats"]])
    if "tier_groups" in clause:
        yield _offered(ctx, resource, act, settings, path)
    if "not_offered_to" in clause:
        yield _not_offered(ctx, resource, act, settings, path)
    if "artefact_lifetime" in clause:
        limit = parse_duration(str(clause["artefact_lifetime"]))
        yield _within(_ARTEFACT_LIFETIME, resource, act, settings, path, limit)


def _tier_words(tiers: list[str]) -> str:
    return f"tier {tiers[0]}" if len(tiers) == 1 else f"tiers {words(tiers)}"


def _offered(
    ctx: CheckContext[UserRightsClause],
    resource: str,
    act: str,
    settings: Mapping[str, Any],
    path: JsonPath,
) -> Observation:
    wanted = ctx.vocabulary.tiers_of(ctx.clause.get("tier_groups", ()))
    expected = f"offered to {_tier_words(wanted)}"
    offered = settings.get("tiers")
    if offered is None:  # a right that names no tiers is offered to all of them
        return passed(resource, f"users of every tier can {act}", expected, "every tier", path)
    have = [str(tier) for tier in offered]
    missing = [tier for tier in wanted if tier not in have]
    evidence = (*path, "tiers")
    actual = f"offered to {words(have)}"
    if missing:
        reach = f"only to {words(have)}" if have else "to no tier"
        return failed(
            resource,
            f"users of {_tier_words(missing)} cannot {act}: the right is offered {reach}",
            expected,
            actual,
            evidence,
            ("tier_groups",),
        )
    return passed(resource, f"users of {_tier_words(wanted)} can {act}", expected, actual, evidence)


def _not_offered(
    ctx: CheckContext[UserRightsClause],
    resource: str,
    act: str,
    settings: Mapping[str, Any],
    path: JsonPath,
) -> Observation:
    barred = ctx.vocabulary.tiers_of(ctx.clause.get("not_offered_to", ()))
    expected = f"not offered to {_tier_words(barred)}"
    offered = settings.get("tiers")
    if offered is not None:
        given = [tier for tier in barred if tier in offered]
        evidence = (*path, "tiers")
        actual = f"offered to {words(str(tier) for tier in offered)}"
        if given:
            return failed(
                resource,
                f"users of {_tier_words(given)} can {act}, but the policy says the right is "
                "not offered to them",
                expected,
                actual,
                evidence,
                ("not_offered_to",),
            )
        return passed(
            resource, f"users of {_tier_words(barred)} cannot {act}", expected, actual, evidence
        )
    # Offered to every tier: wrong only for the barred tiers the system has.
    if "tiers" not in ctx.snapshot:
        return not_evidenced(
            resource,
            f"the snapshot records neither the tiers users can {act} in nor the tiers it has",
            expected,
            path,
            ("not_offered_to",),
        )
    known = ctx.by_id("tiers")
    present = [tier for tier in barred if tier in known]
    if present:
        return failed(
            resource,
            f"users of {_tier_words(present)} can {act}: the right is offered to every tier, "
            "but the policy says it is not offered to them",
            expected,
            "every tier",
            path,
            ("not_offered_to",),
        )
    return passed(
        resource,
        f"the right is offered to every tier, and the snapshot has no {_tier_words(barred)}",
        expected,
        "every tier",
        path,
    )


@dataclass(frozen=True, slots=True)
class _Bound:
    """How a right's duration field reads in findings; each text is formatted with ``act``
    (what the user asks to do), ``raw`` (the snapshot's value) and ``limit`` (the promise)."""

    field: str
    expected: str
    unrecorded: str
    endless: str
    endless_actual: str
    over: str
    within: str
    actual: str


_DEADLINE = _Bound(
    field="deadline",
    expected="honoured within {limit}",
    unrecorded="the snapshot does not record how quickly requests to {act} are honoured",
    endless="requests to {act} have no deadline; the policy promises {limit}",
    endless_actual="no deadline",
    over="requests to {act} are honoured within {raw}, later than the {limit} the policy promises",
    within="requests to {act} are honoured within {raw}",
    actual="within {raw}",
)
_ARTEFACT_LIFETIME = _Bound(
    field="artefact_lifetime",
    expected="available at most {limit}",
    unrecorded="the snapshot does not record how long what a request to {act} produces stays "
    "available",
    endless="what a request to {act} produces stays available indefinitely; the policy "
    "promises at most {limit}",
    endless_actual="indefinitely",
    over="what a request to {act} produces stays available {raw}, longer than the {limit} the "
    "policy promises",
    within="what a request to {act} produces stays available {raw}",
    actual="{raw}",
)


def _within(
    bound: _Bound,
    resource: str,
    act: str,
    settings: Mapping[str, Any],
    path: JsonPath,
    limit: Duration,
) -> Observation:
    """The right's ``bound.field`` is at most the promised ``limit``."""
    raw = settings.get(bound.field)
    words_of = {"act": act, "raw": raw, "limit": limit}
    expected = bound.expected.format(**words_of)
    value = duration(raw)
    if value is None:
        recorded = "" if raw is None else f" ({raw!r} is not a duration)"
        return not_evidenced(
            resource,
            bound.unrecorded.format(**words_of) + recorded,
            expected,
            path,
            (bound.field,),
        )
    evidence = (*path, bound.field)
    if value.indefinite:
        return failed(
            resource,
            bound.endless.format(**words_of),
            expected,
            bound.endless_actual,
            evidence,
            (bound.field,),
        )
    actual = bound.actual.format(**words_of)
    if value > limit:
        return failed(
            resource, bound.over.format(**words_of), expected, actual, evidence, (bound.field,)
        )
    return passed(resource, bound.within.format(**words_of), expected, actual, evidence)


def _confirmation(
    resource: str, act: str, settings: Mapping[str, Any], path: JsonPath
) -> Observation:
    expected = "the user is sent a confirmation"
    value = settings.get("confirmation")
    evidence = (*path, "confirmation")
    if value is True:
        return passed(
            resource, f"users who {act} are sent a confirmation", expected, "confirmed", evidence
        )
    if value is False:
        return failed(
            resource,
            f"users who {act} are not sent a confirmation",
            expected,
            "no confirmation",
            evidence,
            ("confirmation",),
        )
    return not_evidenced(
        resource,
        f"the snapshot does not record whether users who {act} are sent a confirmation",
        expected,
        path,
        ("confirmation",),
    )


def _formats(
    resource: str, act: str, settings: Mapping[str, Any], path: JsonPath, wanted: list[str]
) -> Observation:
    expected = f"offered as {either(wanted)}"
    offered = settings.get("formats")
    if not isinstance(offered, list):
        return not_evidenced(
            resource,
            f"the snapshot does not record the formats in which users can {act}",
            expected,
            path,
            ("formats",),
        )
    have = [str(f) for f in offered]
    lowered = {f.lower() for f in have}
    common = [f for f in wanted if f.lower() in lowered]
    evidence = (*path, "formats")
    actual = f"formats: {words(have)}"
    if not have:
        return failed(
            resource,
            f"users can {act} in no format; the policy requires {either(wanted)}",
            expected,
            actual,
            evidence,
            ("formats",),
        )
    if not common:
        return failed(
            resource,
            f"users can {act} only as {words(have)}, not as {either(wanted)} "
            "as the policy requires",
            expected,
            actual,
            evidence,
            ("formats",),
        )
    return passed(resource, f"users can {act} as {words(common)}", expected, actual, evidence)


def conflicts(a: Mapping[str, Any], b: Mapping[str, Any], vocabulary: Vocabulary) -> str | None:
    """The same right honoured within two different deadlines (for the same tiers, when both
    clauses name tier groups)."""
    if a.get("right") != b.get("right"):
        return None
    if "tier_groups" in a and "tier_groups" in b and not vocabulary.shared_tiers(a, b):
        return None
    first, second = duration(a.get("deadline")), duration(b.get("deadline"))
    if first is None or second is None or first == second:
        return None
    right = str(b.get("right"))
    noun = _REQUEST_WORDS.get(right, f"{right.replace('_', ' ')} requests")
    return (
        f"{noun} are honoured within {second} here but {first} there; keep one deadline per right"
    )


# How a message names the requests of each right.
_REQUEST_WORDS = {
    "training_opt_out": "training opt-out requests",
    "storage_opt_out": "storage opt-out requests",
    "deletion": "deletion requests",
    "export": "export requests",
    "access": "access requests",
}


CHECK = Check(
    id="user_rights",
    order=120,
    area=Area("user_rights", "User rights"),
    title="User rights",
    default_severity=Severity.HIGH,
    description="Rights users can exercise: opt-outs, deletion, export, access.",
    clause_type=UserRightsClause,
    schema=SCHEMA,
    vocabulary={"tier_groups": "tier_groups", "not_offered_to": "tier_groups"},
    remediation=(
        "Expose the control the promise gives users, and meet its deadline, confirmation and "
        "export format in the request-handling configuration."
    ),
    diff=DIFF,
    run=run,
    conflicts=conflicts,
    doc=__doc__ or "",
    loops_over_stores=False,
)
