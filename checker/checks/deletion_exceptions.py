"""Deletion exceptions: the declared cases where deleted data is kept, and no others.

A deletion promise (a ``retention`` clause for ``deleted_by_user``) holds for every store
that holds the data — copies included. Two things keep data past a user's deletion, and each
must be declared here, or the deletion promise fails naming it:

* **a copy kept on its own schedule**: a store with ``copy_of`` and
  ``deleted_with_source: false`` (human-reviewed chats kept apart, say). A clause of any
  ``kind`` but ``legal_hold`` covering its data kinds (and tiers, with ``tier_groups``)
  allows it; the copy's longest retention window must then be within the clause's ``max``.
* **a legal hold**: an entry of the snapshot's ``legal_holds`` active at the ``--as-of``
  date. Only a ``kind: legal_hold`` clause covering the data allows it, and only when the
  hold records its ``reason``, and — when the clause gives a ``max`` — when the hold has an end
  (``until``) no further than ``max`` after its start.

This section's own findings judge each copy or hold in its scope against the clause: a copy
kept longer than ``max``, a hold without a reason, an open-ended or too long hold, a hold of
tiers the clause does not name fail. A snapshot that records no ``legal_holds`` (for a
``legal_hold`` clause) or no ``stores`` is not evidenced; ``legal_holds: []`` says there is
none.

PASS::

    # policy                                        # snapshot
    deletion_exceptions:                            stores:
      - id: human-reviewed-kept                       - id: reviewed-chats
        kind: reviewed_copy                             copy_of: [chats]
        data_kinds: [conversations]                     deleted_with_source: false
        max: 3y                                         copy_reason: "human review"
        reason: "human review for quality"              retention: {any: 3y}

FAIL: the same copy with ``retention: {any: 5y}``; a hold with ``until: null`` under a clause
with ``max``.

Serves GDPR Art. 17(3) (exceptions to erasure) and Art. 5(1)(e) (storage limitation).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Literal, NotRequired

from checker.checks import retention
from checker.checks.base import (
    Check,
    CheckContext,
    Clause,
    Schema,
    failed,
    not_evidenced,
    options,
    passed,
    section_missing,
    words,
)
from checker.checks.deletion import (
    ExceptionScope,
    copy_words,
    hold_problem,
    hold_tiers,
    is_active,
    longest_window,
    period,
)
from checker.core.results import Observation, Severity
from checker.diff.ordering import EVERYTHING, DiffSpec, Review, Scope, Span
from checker.evaluation.copies import copies_of

# One clause of the section: the model the check reads, and its JSON Schema fragment.
ExceptionKind = Literal["reviewed_copy", "legal_hold", "safety", "legal_obligation"]


class DeletionExceptionsClause(Clause):
    kind: ExceptionKind
    data_kinds: list[str]
    tier_groups: NotRequired[list[str]]
    max: NotRequired[str]
    reason: str


SCHEMA: Schema = {
    "description": (
        "A declared exception to deletion: data the user deleted that is kept anyway, in a "
        "separate copy or under a legal hold, and for how long at most."
    ),
    "required": ["kind", "data_kinds", "reason"],
    "properties": {
        "kind": {
            "description": (
                "What keeps the data: reviewed_copy (a copy kept apart, e.g. human-reviewed "
                "chats), safety (kept for trust and safety), legal_obligation (kept because a "
                "law requires it) — each allows copies not deleted with their source — or "
                "legal_hold (allows the snapshot's legal holds)."
            ),
            "enum": options(ExceptionKind),
        },
        "data_kinds": {
            "description": "Data kinds the exception covers: keys of vocabulary.data_kinds.",
            "type": "array",
            "uniqueItems": True,
            "items": {"description": "A data kind id.", "$ref": "#/$defs/identifier"},
            "minItems": 1,
        },
        "tier_groups": {
            "description": (
                "Restrict the exception to data of these tier groups: keys of "
                "vocabulary.tier_groups (default: every tier)."
            ),
            "type": "array",
            "uniqueItems": True,
            "items": {"description": "A tier group id.", "$ref": "#/$defs/identifier"},
            "minItems": 1,
        },
        "max": {
            "description": (
                "Longest the kept data may live: a copy's longest retention window, or a legal "
                "hold's length from its start to its end (an open-ended hold then fails). "
                "Without it, the exception sets no limit."
            ),
            "$ref": "#/$defs/duration",
        },
        "reason": {
            "description": "Why the data is kept, as the policy says it.",
            "$ref": "#/$defs/text",
        },
    },
}


# How a change of each field reads in `policy-check diff` (checker.diff.ordering).
DIFF = DiffSpec(
    fields={
        "kind": Review(why="the exception now allows something else to keep deleted data"),
        "data_kinds": Scope(
            facet="data kinds",
            gained="deleted {items} may now be kept ({kind})",
            lost="deleted {items} may no longer be kept ({kind})",
        ),
        "tier_groups": Scope(
            expand="tier_groups",
            absent=EVERYTHING,
            facet="tiers",
            gained="deleted data of {items} may now be kept ({kind})",
            lost="deleted data of {items} may no longer be kept ({kind})",
        ),
        "max": Span(absent="indefinite", larger="loosens"),
        "reason": Review(why="the exception gives another reason", wording=True),
    },
    match_on=("kind",),
)


# --- the section's own check ----------------------------------------------------------------


def run(ctx: CheckContext[DeletionExceptionsClause]) -> Iterator[Observation]:
    scope = ExceptionScope.of(ctx.clause, ctx.vocabulary)
    if scope.kind == "legal_hold":
        yield from _holds(ctx, scope)
    else:
        yield from _copies(ctx, scope)


def _in_scope(scope: ExceptionScope, store: Mapping[str, Any]) -> list[str]:
    """The clause's data kinds a store holds, when its tiers meet the clause's (if any)."""
    held = [k for k in store.get("data_kinds") or () if k in scope.kinds]
    tiers = store.get("tiers")
    if (
        held
        and scope.tiers is not None
        and isinstance(tiers, list)
        and not scope.tiers & set(tiers)
    ):
        return []
    return held


def _copies(ctx: CheckContext[Any], scope: ExceptionScope) -> Iterator[Observation]:
    expected = (
        f"copies of {words(sorted(scope.kinds))} kept apart at most {scope.max}"
        if scope.max is not None
        else f"copies of {words(sorted(scope.kinds))} kept apart"
    )
    absent = section_missing(ctx, "stores", expected)
    if absent is not None:
        yield absent
        return
    found = False
    for path, store in ctx.section("stores"):
        if not copies_of(store) or store.get("deleted_with_source") is True:
            continue
        held = _in_scope(scope, store)
        if not held:
            continue
        found = True
        resource = f"store:{store.get('id')}"
        named = copy_words(store)
        window, shown = longest_window(store)
        if window is None:
            yield not_evidenced(
                resource,
                f"{named} does not record how long it keeps {words(held)} in every consent state",
                expected,
                (*path, "retention") if "retention" in store else path,
            )
        elif scope.max is not None and window > scope.max:
            yield failed(
                resource,
                f"{named} keeps {words(held)} for {window}, longer than the {scope.max} "
                "the exception allows",
                expected,
                shown,
                (*path, "retention"),
                ("max",),
            )
        else:
            limit = f"within the {scope.max} allowed" if scope.max is not None else "no limit set"
            yield passed(
                resource,
                f"{named} keeps {words(held)} for {window} ({limit})",
                expected,
                shown,
                (*path, "retention"),
            )
    if not found:
        yield passed(
            "stores",
            f"no store keeps a copy of {words(sorted(scope.kinds))} apart from its source",
            expected,
            "no such copy",
            ("stores",),
        )


def _holds(ctx: CheckContext[Any], scope: ExceptionScope) -> Iterator[Observation]:
    expected = (
        f"legal holds with a reason, at most {scope.max} long"
        if scope.max is not None
        else "legal holds with a reason"
    )
    absent = section_missing(ctx, "legal_holds", expected)
    if absent is not None:
        yield absent
        return
    stores = ctx.by_id("stores")
    found = False
    for path, hold in ctx.section("legal_holds"):
        kinds = [
            kind
            for name in hold.get("stores") or ()
            for _, store in stores.get(name, ())
            for kind in store.get("data_kinds") or ()
        ]
        if not scope.touches(kinds):
            continue
        found = True
        resource = f"legal_hold:{hold.get('id')}"
        label = f"legal hold {hold.get('id')} ({period(hold)})"
        if not is_active(hold, ctx.as_of):
            yield passed(
                resource,
                f"{label} does not suspend deletion on {ctx.as_of}",
                expected,
                "not active",
                path,
            )
            continue
        problem = hold_problem(hold, hold_tiers(ctx, hold), scope)
        if problem is None:
            yield passed(
                resource,
                f"{label} is allowed: {hold.get('reason')}",
                expected,
                f"reason: {hold.get('reason')}",
                path,
            )
        else:
            yield failed(
                resource,
                f"{label} is not allowed by the exception: {problem}",
                expected,
                _hold_actual(hold),
                path,
                ("max",) if "max" in ctx.clause else (),
            )
    if not found:
        yield passed(
            "legal_holds",
            f"no legal hold suspends deletion of {words(sorted(scope.kinds))}",
            expected,
            "no such hold",
            ("legal_holds",),
        )


def _hold_actual(hold: Mapping[str, Any]) -> str:
    reason = hold.get("reason")
    return f"from {hold.get('from')} until {hold.get('until') or 'no end'}" + (
        f", reason: {reason}" if reason else ", no reason"
    )


CHECK = Check(
    id="deletion_exceptions",
    order=45,
    area=retention.CHECK.area,  # counted with retention windows
    title="Deletion exceptions",
    default_severity=Severity.HIGH,
    description="The declared cases where deleted data is kept: separate copies, legal holds.",
    clause_type=DeletionExceptionsClause,
    schema=SCHEMA,
    vocabulary={"data_kinds": "data_kinds", "tier_groups": "tier_groups"},
    remediation=(
        "Delete the copy with its source or shorten its retention to the exception's limit; "
        "record a reason and an end date for every legal hold."
    ),
    diff=DIFF,
    run=run,
    doc=__doc__ or "",
)
