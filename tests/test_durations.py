"""Durations parse the way people write them and compare exactly."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from checker.core.durations import (
    DAY,
    HOUR,
    MONTH,
    YEAR,
    Duration,
    DurationError,
    humanize,
    is_duration,
    parse_duration,
)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("30d", 30 * DAY),
        ("72h", 72 * HOUR),
        ("5y", 5 * YEAR),
        ("6mo", 6 * MONTH),
        ("2w", 14 * DAY),
        ("90m", 90 * 60),
        ("45s", 45),
        ("1d12h", 36 * HOUR),
        ("P5Y", 5 * YEAR),
        ("P30D", 30 * DAY),
        ("PT72H", 72 * HOUR),
        ("P2W", 14 * DAY),
        ("P1Y2M10DT2H30M", YEAR + 2 * MONTH + 10 * DAY + 2 * HOUR + 30 * 60),
        ("p1m", MONTH),
        ("PT1M", 60),
        ("0d", 0),
    ],
)
def test_parses(text: str, seconds: int) -> None:
    assert parse_duration(text).seconds == seconds


@pytest.mark.parametrize(
    "text",
    ["", "30", "d", "1.5d", "P", "PT", "P1H", "5 y", "30dd", "1d1d", "-3d", "P1YT", "3 days"],
)
def test_rejects(text: str) -> None:
    with pytest.raises(DurationError, match="duration"):
        parse_duration(text)
    assert not is_duration(text)


def test_calendar_units_are_fixed() -> None:
    assert parse_duration("1y") == parse_duration("365d")
    assert parse_duration("P1Y") == parse_duration("365d")
    assert parse_duration("12mo") < parse_duration("1y")
    assert parse_duration("1mo") == parse_duration("30d")
    assert parse_duration("P1M") == parse_duration("30d")


def test_indefinite_is_longer_than_anything() -> None:
    forever = parse_duration("indefinite")
    assert forever.indefinite
    assert parse_duration("forever") == forever
    assert parse_duration("999999999y") < forever
    assert not forever < parse_duration("1s")
    assert str(forever) == "indefinite"
    assert humanize(Duration(None)) == "indefinite"


units = st.sampled_from(["y", "mo", "w", "d", "h", "m", "s"])


@given(st.integers(min_value=0, max_value=10**6), units)
def test_compact_round_trip(count: int, unit: str) -> None:
    parsed = parse_duration(f"{count}{unit}")
    assert parsed.seconds is not None and parsed.seconds >= 0
    assert parse_duration(humanize(parsed)) == parsed


@given(st.integers(0, 10**4), st.integers(0, 10**4))
def test_order_matches_seconds(a: int, b: int) -> None:
    da, db = parse_duration(f"{a}d"), parse_duration(f"PT{b}H")
    assert (da < db) == (a * 24 < b)
    assert (da == db) == (a * 24 == b)


@given(st.text(max_size=40))
def test_any_text_parses_or_raises_duration_error(text: str) -> None:
    try:
        parsed = parse_duration(text)
    except DurationError:
        return
    assert parsed.indefinite or (parsed.seconds is not None and parsed.seconds >= 0)
