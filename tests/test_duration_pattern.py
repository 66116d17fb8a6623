"""The duration pattern of the validator's fast path accepts only durations (never a value
:func:`is_duration` refuses: that would be a silent acceptance) and every usual form (or large
snapshots would fall back to the slow validator)."""

from __future__ import annotations

import itertools
from typing import Any

import jsonschema_rs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.core.durations import DURATION_PATTERN, is_duration
from checker.validation.validator import _fast_validator

FAST = jsonschema_rs.validator_for({"type": "string", "pattern": DURATION_PATTERN, "maxLength": 64})

# Text shaped like durations, with the mistakes people make: repeated or misordered units,
# an empty ISO part, spaces, upper case, too many digits.
NEAR_MISSES = st.from_regex(
    r"\A\s?(forever|indefinite|FOREVER|Indefinite|[pP]?[tT]?"
    r"([0-9]{0,10}(mo|MO|Mo|mO|y|Y|w|W|d|D|h|H|m|M|s|S|t|T)){0,8})\s?\Z",
    fullmatch=True,
)


@settings(max_examples=2000, deadline=None)
@given(st.one_of(NEAR_MISSES, st.text(max_size=80)))
def test_the_pattern_accepts_only_durations(text: str) -> None:
    if FAST.is_valid(text):
        assert is_duration(text), text


COMPACT = ["y", "mo", "w", "d", "h", "m", "s"]


@pytest.mark.parametrize(
    "units",
    [combo for n in range(1, 4) for combo in itertools.combinations(COMPACT, n)],
)
def test_compact_durations_in_the_usual_order_take_the_fast_path(units: tuple[str, ...]) -> None:
    text = "".join(f"{i + 1}{unit}" for i, unit in enumerate(units))
    assert is_duration(text)
    assert FAST.is_valid(text), text
    if "m" not in units:  # a capital M alone is ambiguous (months or minutes), so refused
        assert FAST.is_valid(text.upper()), text


@pytest.mark.parametrize(
    "text",
    [
        "P5Y",
        "P30D",
        "PT72H",
        "P1Y2M10DT2H30M",
        "P2W",
        "p1y",
        "indefinite",
        "forever",
        "0d",
        "999999999y",
    ],
)
def test_iso_and_indefinite_take_the_fast_path(text: str) -> None:
    assert is_duration(text)
    assert FAST.is_valid(text)


@pytest.mark.parametrize("text", ["P", "PT", "P1YT", "1d1d", "d", "", "30 d", "1234567890d"])
def test_what_is_no_duration_is_refused(text: str) -> None:
    assert not FAST.is_valid(text)


def _snapshot(window: Any) -> dict[str, Any]:
    return {
        "snapshot_format": 1,
        "metadata": {"system": "chat", "environment": "prod", "taken_at": "2026-11-01"},
        "stores": [{"id": "s", "data_kinds": ["chats"], "retention": {"any": window}}],
    }


@pytest.mark.parametrize(
    ("window", "fast", "valid"),
    [("30d", True, True), ("12h1d", False, True), (" 30d", False, True), ("30 days", False, False)],
)
def test_the_fast_path_judges_snapshot_durations_and_leaves_the_rest_to_is_duration(
    window: str, fast: bool, valid: bool
) -> None:
    from tests.policy_support import problems

    assert _fast_validator("snapshot").is_valid(_snapshot(window)) is fast
    assert (problems("snapshot", _snapshot(window)) == []) is valid
