"""The one interpreter of the orderings: how a field's old and new values compare.

Each ordering kind of :mod:`checker.diff.ordering` has one rule here, the same for every field
that declares it. A value the rule cannot place (an unknown enum value, a duration that does
not parse, items both gained and lost) *needs review*: the tool never guesses a direction.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from checker.core.durations import Duration, DurationError, parse_duration
from checker.diff.ordering import (
    ABSENT,
    EVERYTHING,
    Covers,
    Direction,
    Identity,
    Members,
    Ordering,
    Ranked,
    Review,
    Scope,
    Span,
)

MISSING: Any = object()
"""A field the clause does not set."""

Expander = Callable[[str, Iterable[str]], list[str]]
"""The entries a vocabulary map's names stand for in one version (tier groups → tiers)."""


@dataclass(frozen=True, slots=True)
class Verdict:
    """How one field moved: the direction and the words a reader needs."""

    direction: Direction
    note: str


def shown(value: Any, ordering: Ordering | None = None) -> str:
    """A value as the policy writes it: ``5y``, ``free, pro``, ``true``; ``""`` when not set."""
    if value is MISSING:
        return ""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, list):
        text = ", ".join(shown(item) for item in value) or "(none)"
    elif isinstance(value, Mapping):
        text = "{" + ", ".join(f"{k}: {shown(v)}" for k, v in value.items()) + "}"
    else:
        text = str(value)
    return text


def gloss(value: Any, ordering: Ordering) -> str:
    """What a value means, when the declaration gives words for it."""
    if value is MISSING:
        return ""
    key = value if not isinstance(value, list) else None
    if key is not None and key in ordering.words:
        return ordering.words[key]
    if isinstance(ordering, Span) and ordering.zero:
        span = _span(value, ordering)
        if isinstance(span, Duration) and span.seconds == 0:
            return ordering.zero
    return ""


def compare(
    ordering: Ordering,
    old: Any,
    new: Any,
    expand_old: Expander,
    expand_new: Expander,
) -> Verdict | None:
    """How ``old`` → ``new`` moves the promise; ``None`` when it does not change it."""
    if isinstance(ordering, Identity):
        return None
    old_value = ordering.absent if old is MISSING else old
    new_value = ordering.absent if new is MISSING else new
    if isinstance(ordering, Scope):
        return _scope(ordering, old_value, new_value, expand_old, expand_new)
    if _same(old_value, new_value):
        return None
    if old_value is ABSENT or new_value is ABSENT:
        what = "is now set" if old is MISSING else "is no longer set"
        return Verdict(Direction.NEEDS_REVIEW, f"the field {what}: read what that means")
    if isinstance(ordering, Span):
        return _span_change(ordering, old_value, new_value)
    if isinstance(ordering, Ranked):
        return _ranked(ordering, old_value, new_value)
    if isinstance(ordering, Members):
        return _members(ordering, old_value, new_value)
    if isinstance(ordering, Covers):
        return _covers(ordering, old_value, new_value)
    assert isinstance(ordering, Review), ordering
    return Verdict(Direction.NEEDS_REVIEW, ordering.why or "cannot be ordered: read both")


def _same(old: Any, new: Any) -> bool:
    """Equal as data; lists of sets and scopes are compared by their ``Members`` rule."""
    return _canonical(old) == _canonical(new)


def _canonical(value: Any) -> str:
    if value is ABSENT:
        return "\0absent"
    return json.dumps(value, sort_keys=True, default=str)


def _effect(effect: str, more: bool) -> Direction:
    loosens = (effect == "loosens") == more
    return Direction.LOOSENED if loosens else Direction.TIGHTENED


def _span(value: Any, ordering: Span) -> Duration | int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = ordering.special.get(str(value), str(value))
    try:
        return parse_duration(text)
    except DurationError:
        return None


def _span_change(ordering: Span, old: Any, new: Any) -> Verdict:
    before, after = _span(old, ordering), _span(new, ordering)
    if (
        before is None
        or after is None
        or isinstance(before, int) != isinstance(after, int)
        or before == after
    ):
        if before is not None and before == after:  # 1y and 365d: the same length, rewritten
            return Verdict(Direction.NEEDS_REVIEW, "written differently, the same length")
        return Verdict(Direction.NEEDS_REVIEW, "these values cannot be compared")
    longer = after > before  # type: ignore[operator]  # both durations, or both numbers
    word = "longer" if isinstance(before, Duration) else "larger"
    word = word if longer else {"longer": "shorter", "larger": "smaller"}[word]
    return Verdict(_effect(ordering.larger, longer), f"{word} than before")


def _ranked(ordering: Ranked, old: Any, new: Any) -> Verdict:
    order = [_canonical(v) for v in ordering.order]
    try:
        before, after = order.index(_canonical(old)), order.index(_canonical(new))
    except ValueError:
        return Verdict(Direction.NEEDS_REVIEW, "a value the ordering does not rank")
    if after > before:
        return Verdict(Direction.LOOSENED, "less strict than before")
    return Verdict(Direction.TIGHTENED, "stricter than before")


def _items(value: Any) -> dict[str, Any]:
    items = value if isinstance(value, list) else [value]
    return {_canonical(item): item for item in items}


def _members(ordering: Members, old: Any, new: Any) -> Verdict | None:
    before, after = _items(old), _items(new)
    gained = [after[k] for k in after if k not in before]
    lost = [before[k] for k in before if k not in after]
    if not gained and not lost:
        return None  # the same items in another order: a set has no order
    if gained and lost:
        return Verdict(
            Direction.NEEDS_REVIEW,
            f"{_listed(gained)} added and {_listed(lost)} removed: weigh them together",
        )
    if gained:
        return Verdict(_effect(ordering.adding, True), f"{_listed(gained)} added")
    return Verdict(_effect(ordering.adding, False), f"{_listed(lost)} removed")


def _listed(items: Sequence[Any]) -> str:
    return ", ".join(shown(item) for item in items)


def scope_items(ordering: Scope, value: Any, expand: Expander) -> list[str] | None:
    """The entries a scope covers, expanded; ``None`` for everything."""
    if value == EVERYTHING or value is ABSENT:
        return None
    names = [str(v) for v in (value if isinstance(value, list) else [value])]
    return expand(ordering.expand, names) if ordering.expand else names


def _scope(
    ordering: Scope, old: Any, new: Any, expand_old: Expander, expand_new: Expander
) -> Verdict | None:
    if (old is ABSENT) != (new is ABSENT):
        what = "is now set" if old is ABSENT else "is no longer set"
        return Verdict(Direction.NEEDS_REVIEW, f"the field {what}: read what that means")
    before = scope_items(ordering, old, expand_old)
    after = scope_items(ordering, new, expand_new)
    if before is None and after is None:
        return None
    if before is None or after is None:
        if after is None:
            return Verdict(Direction.SCOPE_WIDENED, "now covers everything")
        return Verdict(Direction.SCOPE_NARROWED, f"now covers only {', '.join(after)}")
    gained = [item for item in after if item not in before]
    lost = [item for item in before if item not in after]
    if not gained and not lost:
        return None
    if gained and lost:
        return Verdict(
            Direction.NEEDS_REVIEW,
            f"now covers {', '.join(gained)} and no longer {', '.join(lost)}",
        )
    if gained:
        return Verdict(Direction.SCOPE_WIDENED, f"now also covers {', '.join(gained)}")
    return Verdict(Direction.SCOPE_NARROWED, f"no longer covers {', '.join(lost)}")


def _included(ordering: Covers, value: str) -> set[str]:
    """Everything ``value`` covers, transitively, itself included."""
    seen, todo = {value}, [value]
    while todo:
        for inner in ordering.includes.get(todo.pop(), ()):
            if inner not in seen:
                seen.add(inner)
                todo.append(inner)
    return seen


def _covers(ordering: Covers, old: Any, new: Any) -> Verdict:
    wider = Direction.SCOPE_WIDENED
    narrower = Direction.SCOPE_NARROWED
    if ordering.widening is not None:
        wider, narrower = _effect(ordering.widening, True), _effect(ordering.widening, False)
    if new in _included(ordering, str(old)):
        return Verdict(narrower, f"now only {new}, which {old} included")
    if old in _included(ordering, str(new)):
        return Verdict(wider, f"now {new}, which includes {old}")
    return Verdict(Direction.NEEDS_REVIEW, f"{new} and {old} cover different things")
