"""Deletion promises and their exceptions: copies kept apart from their source, legal holds.

Shared by the ``retention`` check (a ``deleted_by_user`` promise must see every copy and every
active legal hold) and the ``deletion_exceptions`` section (the clauses that allow them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from checker.checks.base import (
    CheckContext,
    Vocabulary,
    duration,
    failed,
    not_evidenced,
    passed,
    unwindowed_states,
    words,
)
from checker.core.diagnostics import JsonPath
from checker.core.durations import DAY, Duration
from checker.core.results import Observation
from checker.evaluation.copies import copies_of


@dataclass(frozen=True, slots=True)
class ExceptionScope:
    """What an exception clause covers: data kinds, and tiers (``None``: every tier)."""

    id: str
    kind: str
    kinds: frozenset[str]
    tiers: frozenset[str] | None
    max: Duration | None
    reason: str

    @classmethod
    def of(cls, clause: Mapping[str, Any], vocabulary: Vocabulary) -> ExceptionScope:
        groups = clause.get("tier_groups")
        return cls(
            str(clause.get("id")),
            str(clause.get("kind")),
            frozenset(clause.get("data_kinds") or ()),
            frozenset(vocabulary.tiers_of(groups)) if groups else None,
            duration(clause.get("max")),
            str(clause.get("reason", "")),
        )

    def covers(self, kinds: Iterable[str], tiers: Iterable[str] | None) -> bool:
        """Whether data of ``kinds`` and ``tiers`` (``None``: not recorded) is all in scope."""
        if not set(kinds) <= self.kinds:
            return False
        return self.tiers is None or (tiers is not None and set(tiers) <= self.tiers)

    def touches(self, kinds: Iterable[str]) -> bool:
        return bool(self.kinds & set(kinds))


def exceptions_of(ctx: CheckContext[Any], *, holds: bool) -> list[ExceptionScope]:
    """The policy's deletion exceptions for legal holds (``holds``) or for copies."""
    clauses = ctx.policy.get("deletion_exceptions") or ()
    return [
        ExceptionScope.of(clause, ctx.vocabulary)
        for clause in clauses
        if isinstance(clause, Mapping) and (clause.get("kind") == "legal_hold") == holds
    ]


# --- copies ---------------------------------------------------------------------------------


def longest_window(store: Mapping[str, Any]) -> tuple[Duration | None, str]:
    """The longest retention window of a store, as a duration and as the store writes it
    (``None`` when some consent state has no window: how long data lives is not recorded)."""
    windows = store.get("retention")
    if not isinstance(windows, dict) or not windows or unwindowed_states(windows):
        return None, ""
    longest: tuple[Duration, str] | None = None
    for key, text in windows.items():
        window = duration(text)
        if window is None:
            return None, ""
        if longest is None or longest[0] < window:
            longest = (window, f"{key}: {text}")
    assert longest is not None
    return longest


def copy_words(store: Mapping[str, Any]) -> str:
    """``store reviewed-chats, a copy of chats (human review),``: how findings name a copy."""
    reason = store.get("copy_reason")
    why = f" ({reason})" if isinstance(reason, str) and reason else ""
    return f"store {store.get('id')}, a copy of {words(copies_of(store))}{why},"


def judge_copy_in_deletion(
    store: Mapping[str, Any],
    path: JsonPath,
    held: list[str],
    limit: Duration,
    allowed: list[ExceptionScope],
) -> Iterator[Observation]:
    """A ``deleted_by_user`` promise on a copy that is not deleted with its source (or does
    not say): the copy keeps deleted data for its own longest window, which must be within the
    promise or allowed by a deletion exception."""
    resource = f"store:{store.get('id')}"
    expected = f"deleted_by_user data kept at most {limit}"
    window, shown = longest_window(store)
    named = copy_words(store)
    if window is None:
        said = (
            "does not record whether it is deleted with its source, nor"
            if "deleted_with_source" not in store
            else "is not deleted with its source, and does not record"
        )
        yield not_evidenced(
            resource,
            f"{named} {said} how long it keeps {words(held)} in every consent state",
            expected,
            (*path, "retention") if "retention" in store else path,
        )
        return
    evidence = (*path, "retention")
    if not window > limit:
        yield passed(
            resource,
            f"{named} keeps {words(held)} at most {window}, within the {limit} allowed after "
            "deletion",
            expected,
            shown,
            evidence,
        )
        return
    if "deleted_with_source" not in store:
        yield not_evidenced(
            resource,
            f"{named} does not record whether it is deleted with its source "
            f"(deleted_with_source); if not, it keeps deleted {words(held)} for {window}, "
            f"longer than the {limit} the policy allows",
            expected,
            path,
        )
        return
    tiers = store.get("tiers")
    covering = [e for e in allowed if e.covers(held, tiers if isinstance(tiers, list) else None)]
    within = [e for e in covering if e.max is None or not window > e.max]
    where = (*path, "deleted_with_source")
    if within:
        chosen = within[0]
        yield passed(
            resource,
            f"{named} is not deleted with its source and keeps deleted {words(held)} for "
            f"{window}, as deletion exception {chosen.id} allows ({chosen.reason})",
            expected,
            shown,
            evidence,
        )
    elif covering:
        chosen = covering[0]
        yield failed(
            resource,
            f"{named} is not deleted with its source and keeps deleted {words(held)} for "
            f"{window}, longer than the {chosen.max} deletion exception {chosen.id} allows",
            expected,
            shown,
            evidence,
            ("max",),
        )
    else:
        yield failed(
            resource,
            f"{named} is not deleted with its source: it keeps deleted {words(held)} for "
            f"{window}, longer than the {limit} the policy allows, and no deletion_exceptions "
            "clause allows it",
            expected,
            f"deleted_with_source: false, {shown}",
            where,
            ("max",),
        )


# --- legal holds ----------------------------------------------------------------------------


def parse_date(value: Any) -> dt.date | None:
    if not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def is_active(hold: Mapping[str, Any], as_of: dt.date) -> bool:
    """A hold suspends deletion from its start to its end (an open-ended one until lifted)."""
    start, end = parse_date(hold.get("from")), parse_date(hold.get("until"))
    return start is not None and start <= as_of and (end is None or as_of <= end)


def period(hold: Mapping[str, Any]) -> str:
    until = hold.get("until")
    text = f"from {hold.get('from')} " + (f"until {until}" if until else "with no end")
    created = hold.get("data_created")
    if isinstance(created, Mapping):
        bounds = [f"from {created['from']}"] if "from" in created else []
        bounds += [f"to {created['to']}"] if "to" in created else []
        text += f", on data created {' '.join(bounds)}"
    return text


def hold_problem(
    hold: Mapping[str, Any], tiers: list[str] | None, allowed: ExceptionScope
) -> str | None:
    """Why the legal-hold exception ``allowed`` does not allow ``hold`` (of data of ``tiers``,
    ``None`` when unknown), or ``None`` when it does. The data kinds are the caller's."""
    if allowed.tiers is not None:
        if tiers is None:
            return f"the tiers it holds are not recorded, and {allowed.id} covers only some"
        outside = [t for t in tiers if t not in allowed.tiers]
        if outside:
            return f"it holds {words(outside)} data, which {allowed.id} does not cover"
    if not hold.get("reason"):
        return "it records no reason"
    if allowed.max is None:
        return None
    start, end = parse_date(hold.get("from")), parse_date(hold.get("until"))
    if end is None or start is None:
        return f"it has no end, and {allowed.id} allows holds of at most {allowed.max}"
    length = Duration((end - start).days * DAY, f"{(end - start).days} days")
    if length > allowed.max:
        return f"it lasts {length}, longer than the {allowed.max} {allowed.id} allows"
    return None


def hold_tiers(ctx: CheckContext[Any], hold: Mapping[str, Any]) -> list[str] | None:
    """The tiers a hold keeps: its own ``tiers``, else those its stores hold (``None`` when
    some store does not record them)."""
    if isinstance(hold.get("tiers"), list):
        return list(hold["tiers"])
    found: dict[str, None] = {}
    stores = ctx.by_id("stores")
    for name in hold.get("stores") or ():
        for _, store in stores.get(name, ()):
            if not isinstance(store.get("tiers"), list):
                return None
            found.update((t, None) for t in store["tiers"])
    return list(found)


def active_holds(ctx: CheckContext[Any]) -> dict[str, list[tuple[JsonPath, Mapping[str, Any]]]]:
    """The legal holds active at the as-of date, by the id of each store they hold (computed
    once per snapshot: a deletion promise asks for every store)."""
    key = f"legal_holds#active#{ctx.as_of}"
    found: dict[str, list[tuple[JsonPath, Mapping[str, Any]]]] | None = ctx.cache.get(key)
    if found is None:
        found = {}
        for path, hold in ctx.section("legal_holds"):
            if is_active(hold, ctx.as_of):
                for name in dict.fromkeys(hold.get("stores") or ()):
                    found.setdefault(name, []).append((path, hold))
        ctx.cache[key] = found
    return found


def judge_holds_in_deletion(
    ctx: CheckContext[Any],
    store: Mapping[str, Any],
    held: list[str],
    limit: Duration,
    holds: list[tuple[JsonPath, Mapping[str, Any]]],
) -> Iterator[Observation]:
    """A ``deleted_by_user`` promise on a store under legal holds (``holds``, those of
    :func:`active_holds` naming it): each must be allowed by a ``legal_hold`` deletion
    exception covering the data."""
    name = store.get("id")
    resource = f"store:{name}"
    allowed = exceptions_of(ctx, holds=True)
    for path, hold in holds:
        # A requirement of its own, apart from the store's window: one id per hold.
        expected = (
            f"deleted_by_user data kept at most {limit}, unless a legal_hold exception "
            f"allows {hold.get('id')}"
        )
        tiers = hold_tiers(ctx, hold)
        covering = [e for e in allowed if set(held) <= e.kinds]
        problems = [(e, hold_problem(hold, tiers, e)) for e in covering]
        fine = [e for e, problem in problems if problem is None]
        label = f"legal hold {hold.get('id')} ({period(hold)})"
        if fine:
            yield passed(
                resource,
                f"{label} suspends deletion of {words(held)} in store {name}, as deletion "
                f"exception {fine[0].id} allows",
                expected,
                f"held under {hold.get('id')}",
                path,
            )
            continue
        why = (
            f": {problems[0][1]}"
            if problems
            else f", and no deletion_exceptions clause of kind legal_hold covers {words(held)}"
        )
        yield failed(
            resource,
            f"{label} suspends deletion of {words(held)} in store {name}, which the deletion "
            f"promise does not allow{why}",
            expected,
            f"held under {hold.get('id')}",
            path,
            ("max",),
        )
