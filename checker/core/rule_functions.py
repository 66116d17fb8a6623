"""JMESPath functions for custom rules: durations and dates, compared as the checks compare them.

JMESPath has no notion of a duration or a date, so a rule over ``retention`` windows could only
list the strings it accepts (and ``100d`` would fail a "at least 90 days" rule). These
functions read the product's own duration and date syntax:

* ``duration_seconds(text)`` — a duration in seconds (months by the rule of the policy
  language's "Durations"); ``null`` for text that is no duration and for ``indefinite``, which
  has no number (ask ``is_indefinite``);
* ``is_indefinite(text)`` — true for ``indefinite``, false for a finite duration, ``null`` for
  text that is no duration;
* ``duration_le(a, b)`` — ``a`` is at most ``b``, compared exactly as the checks compare
  (``indefinite`` is longer than any finite duration); ``null`` when either is no duration;
* ``date_days(text)`` — the day number of a date or date-time (days since 1970-01-01; a
  date-time counts by its UTC date); ``null`` for text that is no date;
* ``days_between(a, b)`` — the days from date ``a`` to date ``b`` (negative when ``b`` is
  earlier); ``null`` when either is no date;
* ``as_of()`` — the ``--as-of`` date of the run, ``YYYY-MM-DD``.

A function that cannot read its argument returns ``null``, which is false in an ``assert``:
a rule never passes on a value it could not read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar, cast

from jmespath.functions import Functions, signature

from checker.core.durations import duration_or_none

_EPOCH = dt.date(1970, 1, 1)
_TEXT = {"types": ["string", "null"]}
_Method = TypeVar("_Method", bound=Callable[..., Any])


def _takes(*arguments: dict[str, Any]) -> Callable[[_Method], _Method]:
    """jmespath's ``signature`` decorator (untyped), typed: records the argument types."""
    return cast(Callable[[_Method], _Method], signature(*arguments))


def _day(value: Any) -> int | None:
    """Days since the epoch of an ISO 8601 date or date-time (by its UTC date)."""
    if not isinstance(value, str):
        return None
    try:
        return (dt.date.fromisoformat(value) - _EPOCH).days
    except ValueError:
        pass
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC)
    return (moment.date() - _EPOCH).days


class RuleFunctions(Functions):  # type: ignore[misc]  # jmespath is untyped
    """JMESPath's built-in functions and ours, for one run (``as_of`` is its date)."""

    def __init__(self, as_of: dt.date) -> None:
        super().__init__()
        self.as_of = as_of

    @_takes(_TEXT)
    def _func_duration_seconds(self, text: Any) -> int | None:
        found = duration_or_none(text)
        return None if found is None else found.seconds

    @_takes(_TEXT)
    def _func_is_indefinite(self, text: Any) -> bool | None:
        found = duration_or_none(text)
        return None if found is None else found.indefinite

    @_takes(_TEXT, _TEXT)
    def _func_duration_le(self, first: Any, second: Any) -> bool | None:
        a, b = duration_or_none(first), duration_or_none(second)
        return None if a is None or b is None else a <= b

    @_takes(_TEXT)
    def _func_date_days(self, text: Any) -> int | None:
        return _day(text)

    @_takes(_TEXT, _TEXT)
    def _func_days_between(self, first: Any, second: Any) -> int | None:
        a, b = _day(first), _day(second)
        return None if a is None or b is None else b - a

    @_takes()
    def _func_as_of(self) -> str:
        return self.as_of.isoformat()


# Every function a rule may call, with its signature: what validation checks calls against.
FUNCTION_TABLE: dict[str, dict[str, Any]] = RuleFunctions.FUNCTION_TABLE
