"""Values of a user setting: durations (``18mo``), ``"off"``, ``"on"`` or other identifiers.

A setting offers values and preselects one (its default). The policy and the snapshot write
them as text; two values are the same choice when both are durations that compare equal
(through :class:`~checker.core.durations.Duration`, so ``3y`` and ``36mo`` follow the
duration rules) or, otherwise, when the texts are equal. ``"off"`` is never a duration, so
"activity kept off" is never confused with a window.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from checker.core.durations import Duration, duration_or_none


def as_duration(value: object) -> Duration | None:
    """The duration a setting value stands for, or None for ``"off"``, ``"on"`` and names."""
    return duration_or_none(value)


def same_value(a: object, b: object) -> bool:
    """Whether two setting values are the same choice."""
    left, right = as_duration(a), as_duration(b)
    if left is not None and right is not None:
        return left == right
    return left is None and right is None and a == b


def missing_from(wanted: Iterable[object], offered: Sequence[object]) -> list[object]:
    """The values of ``wanted`` that ``offered`` does not include, in ``wanted``'s order."""
    return [value for value in wanted if not any(same_value(value, o) for o in offered)]


def longest(values: Iterable[object]) -> Duration | None:
    """The longest duration among the values (``indefinite`` included); None when none is one."""
    durations = [d for d in map(as_duration, values) if d is not None]
    return max(durations) if durations else None


def show(values: Iterable[object]) -> str:
    """Values as messages list them: ``3mo, 18mo, 36mo, off``."""
    return ", ".join(str(value) for value in values) or "none"


# Who changes a setting, by its snapshot ``scope``: messages say who can (or cannot) choose.
CHOOSERS = {"account": "users", "project": "project admins", "organisation": "organisation admins"}


def chooser(scope: object) -> str:
    """Who changes a setting of this scope; ``users`` when the snapshot does not say."""
    return CHOOSERS.get(scope, "users") if isinstance(scope, str) else "users"
