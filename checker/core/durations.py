"""Durations as people write them, compared exactly.

Accepted forms (case-insensitive units, whole numbers only, so comparisons are exact):

* compact: ``30d``, ``72h``, ``5y``, ``6mo``, ``2w``, ``90m`` (minutes), ``45s``, and sums such as
  ``1d12h``;
* ISO 8601: ``P5Y``, ``P30D``, ``PT72H``, ``P1Y2M10DT2H30M``, ``P2W``;
* ``indefinite`` (also ``forever``): longer than any finite duration.

Calendar units have fixed lengths so that any two durations compare exactly and reproducibly:
a **year is 365 days** and a **month is 30 days** (a week is 7 days). So ``1y`` equals ``365d``
and ``12mo`` (360 days) is shorter than ``1y``. Policy authors who mean "one calendar year"
including leap days should write ``366d``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache, total_ordering

SECOND = 1
MINUTE = 60
HOUR = 3600
DAY = 86_400
WEEK = 7 * DAY
MONTH = 30 * DAY
YEAR = 365 * DAY

_COMPACT_UNITS = {
    "y": YEAR,
    "mo": MONTH,
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


@total_ordering
@dataclass(frozen=True, slots=True)
class Duration:
    """A length of time in whole seconds; ``seconds is None`` means indefinite."""

    seconds: int | None
    text: str = ""

    @property
    def indefinite(self) -> bool:
        return self.seconds is None

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Duration):
            return NotImplemented
        return self.seconds == other.seconds

    def __hash__(self) -> int:
        return hash(self.seconds)

    def __lt__(self, other: Duration) -> bool:
        if self.seconds is None:
            return False
        if other.seconds is None:
            return True
        return self.seconds < other.seconds

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
        units = {"y": YEAR, "mo": MONTH, "w": WEEK, "d": DAY, "h": HOUR, "m": MINUTE, "s": SECOND}
        total = sum(int(v) * units[k] for k, v in match.groupdict().items() if v is not None)
        return Duration(total, raw)
    pos = 0
    total = 0
    seen: set[str] = set()
    for match in _COMPACT.finditer(raw):
        unit = match.group(2).lower()
        if match.start() != pos or unit in seen:
            break
        seen.add(unit)
        total += int(match.group(1)) * _COMPACT_UNITS[unit]
        pos = match.end()
    if pos == 0 or pos != len(raw):
        raise DurationError(
            f"{text!r} is not a duration: write a whole number and a unit "
            "(y, mo, w, d, h, m, s — e.g. '30d', '72h', '5y'), an ISO 8601 duration "
            "('P5Y', 'PT72H') or 'indefinite'"
        )
    return Duration(total, raw)


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


def humanize(duration: Duration) -> str:
    """Short canonical text: ``5y``, ``30d``, ``72h``, ``1d12h``, ``indefinite``."""
    if duration.seconds is None:
        return "indefinite"
    if duration.seconds == 0:
        return "0s"
    rest = duration.seconds
    parts = []
    for unit, size in (("y", YEAR), ("d", DAY), ("h", HOUR), ("m", MINUTE), ("s", SECOND)):
        count, rest = divmod(rest, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts)
