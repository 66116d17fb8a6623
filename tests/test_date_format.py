"""Dates on the validator's fast path are checked by the validator's own format, in Rust, not
by a Python callback per value: it must accept only dates the full validator accepts (never a
value :func:`_is_date` refuses: that would be a silent acceptance), and every usual date (or
large snapshots would fall back to the slow validator)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.validation.validator import _fast_validator, _is_date

# Shaped like dates, with the mistakes people make: year 0000, month 13, day 31 of a short
# month, 29 February of a common year, one digit, a week date, a time or a zone after it.
NEAR_MISSES = st.from_regex(
    r"\A\s?[+-]?[0-9]{1,5}-?(W[0-9]{2}|[0-9]{1,3})-?[0-9]{0,3}([T ][0-9:]{0,8})?Z?\s?\Z",
    fullmatch=True,
)


def _snapshot(reviewed: Any) -> dict[str, Any]:
    return {
        "snapshot_format": 1,
        "metadata": {"system": "chat", "environment": "prod", "taken_at": "2026-11-01"},
        "stores": [
            {
                "id": "s",
                "data_kinds": ["chats"],
                "deletion_schedule": {"defined": True, "last_reviewed": reviewed},
            }
        ],
    }


@settings(max_examples=2000, deadline=None)
@given(st.one_of(NEAR_MISSES, st.dates().map(dt.date.isoformat), st.text(max_size=14)))
def test_the_fast_path_accepts_only_dates_the_full_validator_accepts(text: str) -> None:
    if _fast_validator("snapshot").is_valid(_snapshot(text)):
        assert _is_date(text), text


@settings(max_examples=500, deadline=None)
@given(st.dates())
def test_every_calendar_date_takes_the_fast_path(date: dt.date) -> None:
    assert _fast_validator("snapshot").is_valid(_snapshot(date.isoformat()))


@pytest.mark.parametrize("text", ["2026-W05-3", "2026-W05", "20261130", "2026-11-30T00:00"])
def test_a_date_is_written_year_month_day(text: str) -> None:
    """The schema asks for YYYY-MM-DD; Python's calendar also reads an ISO week date of the
    same length (``2026-W05-3``), which was taken as a date."""
    assert not _is_date(text)


@pytest.mark.parametrize(
    ("reviewed", "fast", "valid"),
    [
        ("2026-11-30", True, True),
        ("2024-02-29", True, True),
        ("2026-02-29", False, False),
        ("0000-01-01", False, False),  # the validator's own format takes year 0000
        # An ISO week date: Python's calendar reads it, and the schema asks for YYYY-MM-DD.
        ("2026-W05-3", False, False),
        ("2026-1-01", False, False),
        (20261130, False, False),
    ],
)
def test_the_fast_path_leaves_what_it_refuses_to_the_full_validator(
    reviewed: Any, fast: bool, valid: bool
) -> None:
    from tests.policy_support import problems

    assert _fast_validator("snapshot").is_valid(_snapshot(reviewed)) is fast
    assert (problems("snapshot", _snapshot(reviewed)) == []) is valid
