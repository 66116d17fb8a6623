"""Durations as people write them, compared exactly.

Accepted forms (case-insensitive units, whole numbers only, so comparisons are exact):

* compact: ``30d``, ``72h``, ``5y``, ``6mo``, ``2w``, ``90m`` (minutes), ``45s``, and sums such as
  ``1d12h``; a capital ``M`` alone (``6M``) is refused as ambiguous: months to most readers and
  in ISO 8601, minutes to a case-insensitive reading;
* ISO 8601: ``P5Y``, ``P30D``, ``PT72H``, ``P1Y2M10DT2H30M``, ``P2W``;
* ``indefinite`` (also ``forever``): longer than any finite duration.

A duration keeps its calendar part: years and months are counted in **months** (``1y`` is
``12mo``), everything else in seconds (a week is 7 days, a day 86 400 seconds). Any two
durations then compare by one rule, exactly and reproducibly:

* made only of months, they compare by months: ``3y`` equals ``36mo``;
* otherwise a month counts as the average Gregorian month, 365.2425 / 12 days, and the month
  part is rounded to whole days (half a day up): ``1mo`` is 30 days, ``6mo`` 183, ``1y`` and
  ``12mo`` 365, ``18mo`` 548, ``3y`` 1096. So ``548d`` is within ``18mo`` and ``549d`` is not.

The two agree: the rounded day count grows with every month, so comparing months and comparing
the rounded totals never disagree (a property test holds it). :attr:`Duration.seconds` is that
total, the one number every comparison uses.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache

SECOND = 1
MINUTE = 60
HOUR = 3600
DAY = 86_400
WEEK = 7 * DAY

# An average Gregorian month is 365.2425 / 12 days = 3 652 425 / 120 000 days: exact integers.
_MONTH_DAYS_NUMERATOR = 3_652_425
_MONTH_DAYS_DENOMINATOR = 120_000

_CALENDAR_UNITS = {"y": 12, "mo": 1}  # in months
_COMPACT_UNITS = {
    "w": WEEK,
    "d": DAY,
    "h": HOUR,
    "m": MINUTE,
    "s": SECOND,
}
_COMPACT = re.compile(r"(\d{1,9})(mo|y|w|d|h|m|s)", re.IGNORECASE)
_ISO = re.compile(
    r"P(?:(?P<y>\d{1,9})Y)?(?:(?P<mo>\d{1,9})M)?(?:(?P<w>\d{1,9})W)?(?:(?P<d>\d{1,9})D)?"
    r"(?:T(?:(?P<h>\d{1,9})H)?(?:(?P<m>\d{1,9})M)?(?:(?P<s>\d{1,9})S)?)?\Z",
    re.IGNORECASE,
)
_INDEFINITE = {"indefinite", "forever"}


class DurationError(ValueError):
    """A string that is not a duration; the message says what is accepted."""


def month_days(months: int) -> int:
    """Whole days ``months`` average Gregorian months make, rounded half up (``18`` → 548)."""
    return (months * _MONTH_DAYS_NUMERATOR + _MONTH_DAYS_DENOMINATOR // 2) // (
        _MONTH_DAYS_DENOMINATOR
    )


@dataclass(frozen=True, slots=True, eq=False)
class Duration:
    """A length of time: whole calendar ``months`` plus an ``exact`` part in seconds.

    ``exact is None`` means indefinite. ``text`` is the duration as written, which messages
    show. Equality and order follow the month rule of the module docstring.
    """

    exact: int | None
    text: str = ""
    months: int = 0
    # What comparisons read, worked out once: a large snapshot compares millions of windows.
    _order: float = field(init=False, repr=False)

    def __post_init__(self) -> None:
        order: float = math.inf if self.exact is None else self.exact
        if self.months and self.exact is not None:
            order = month_days(self.months) * DAY + self.exact
        object.__setattr__(self, "_order", order)

    @property
    def indefinite(self) -> bool:
        return self.exact is None

    @property
    def seconds(self) -> int | None:
        """The comparable length in seconds (months as average months rounded to whole
        days); ``None`` when indefinite."""
        return None if self.exact is None else int(self._order)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Duration):
            return NotImplemented
        return self._order == other._order

    def __hash__(self) -> int:
        return hash(self._order)

    def __lt__(self, other: Duration) -> bool:
        return self._order < other._order

    def __le__(self, other: Duration) -> bool:
        return self._order <= other._order

    def __gt__(self, other: Duration) -> bool:
        return self._order > other._order

    def __ge__(self, other: Duration) -> bool:
        return self._order >= other._order

    def __str__(self) -> str:
        return self.text or humanize(self)


def parse_duration(text: str) -> Duration:
    """Parse ``text``; raise :class:`DurationError` with a helpful message if it is not one."""
    if not isinstance(text, str):
        raise DurationError(f"expected a duration string such as '30d' or 'P5Y', got {text!r}")
    return _parse(text)


@lru_cache(maxsize=4096)
def _parse(text: str) -> Duration:
    # Cached: a large snapshot repeats a handful of windows ("30d", "5y") hundreds of
    # thousands of times, and Duration is immutable.
    raw = text.strip()
    if raw.lower() in _INDEFINITE:
        return Duration(None, raw)
    if raw[:1] in ("P", "p"):
        match = _ISO.match(raw)
        if match is None or raw.upper() in ("P", "PT") or raw.upper().endswith("T"):
            raise DurationError(
                f"{text!r} is not an ISO 8601 duration (examples: 'P5Y', 'P30D', 'PT72H')"
            )
        return _made_of({k: int(v) for k, v in match.groupdict().items() if v is not None}, raw)
    pos = 0
    parts: dict[str, int] = {}
    for match in _COMPACT.finditer(raw):
        unit = match.group(2).lower()
        if match.start() != pos or unit in parts:
            break
        if match.group(2) == "M":  # six months to most readers, and in ISO 8601 (P6M)
            count = match.group(1)
            raise DurationError(
                f"{text!r} is ambiguous: write '{count}mo' for months or '{count}m' for "
                "minutes (a capital M alone is not read as either)"
            )
        parts[unit] = int(match.group(1))
        pos = match.end()
    if pos == 0 or pos != len(raw):
        raise DurationError(
            f"{text!r} is not a duration: write a whole number and a unit "
            "(y, mo, w, d, h, m, s — e.g. '30d', '72h', '5y'), an ISO 8601 duration "
            "('P5Y', 'PT72H') or 'indefinite'"
        )
    return _made_of(parts, raw)


def _made_of(parts: dict[str, int], text: str) -> Duration:
    """The duration of counts per unit (``{"y": 1, "d": 10}``), keeping months apart."""
    months = sum(count * _CALENDAR_UNITS[u] for u, count in parts.items() if u in _CALENDAR_UNITS)
    exact = sum(count * _COMPACT_UNITS[u] for u, count in parts.items() if u in _COMPACT_UNITS)
    return Duration(exact, text, months)


def duration_or_none(value: object) -> Duration | None:
    """The duration ``value`` spells; ``None`` when it is not text or not a duration (a setting
    value such as ``"off"``, an argument of a custom rule, a field the schema reports)."""
    if not isinstance(value, str):
        return None
    try:
        return parse_duration(value)
    except DurationError:
        return None


def is_duration(text: object) -> bool:
    """True when ``text`` parses as a duration (used as a JSON Schema format checker)."""
    if not isinstance(text, str):
        return True  # type errors are the "type" keyword's job
    if len(text) > 64:  # not a duration, and not worth caching
        return False
    try:
        parse_duration(text)
    except DurationError:
        return False
    return True


def _ordered_units(units: list[str]) -> str:
    """A regular expression for one or more of ``units`` (each a whole number and the unit),
    in the order given, each at most once: the first one present is required."""
    number = "[0-9]{1,9}"
    return "|".join(
        f"{number}{unit}" + "".join(f"(?:{number}{later})?" for later in units[i + 1 :])
        for i, unit in enumerate(units)
    )


def _either_case(word: str) -> str:
    return "".join(f"[{c.lower()}{c.upper()}]" for c in word)


_ISO_DATE = _ordered_units([_either_case(u) for u in "ymwd"])
_ISO_TIME = _ordered_units([_either_case(u) for u in "hms"])
DURATION_PATTERN = (
    "^(?:"
    + "|".join(
        [
            *(_either_case(word) for word in sorted(_INDEFINITE)),
            # "m" in lower case only: a capital M alone is ambiguous (months or minutes)
            _ordered_units(
                [*map(_either_case, ("y", "mo", "w", "d", "h")), "m", _either_case("s")]
            ),
            f"[pP](?:(?:{_ISO_DATE})(?:[tT](?:{_ISO_TIME}))?|[tT](?:{_ISO_TIME}))",
        ]
    )
    + ")$"
)
"""Durations as a JSON Schema ``pattern`` (with ``maxLength: 64``): a subset of what
:func:`is_duration` accepts — every form, with compact units written in the order y, mo, w,
d, h, m, s and no space around. Validating a large snapshot with it costs nothing per value,
where a Python format callback costs more than the rest of the validation; a value outside it
is then judged by :func:`is_duration` (``checker.validation.validator``)."""


def humanize(duration: Duration) -> str:
    """Short canonical text: ``5y``, ``18mo``, ``30d``, ``72h``, ``1d12h``, ``indefinite``."""
    if duration.exact is None:
        return "indefinite"
    years, months = divmod(duration.months, 12)
    parts = [f"{count}{unit}" for count, unit in ((years, "y"), (months, "mo")) if count]
    rest = duration.exact
    if rest == 0 and not parts:
        return "0s"
    for unit, size in (("d", DAY), ("h", HOUR), ("m", MINUTE), ("s", SECOND)):
        count, rest = divmod(rest, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts)
