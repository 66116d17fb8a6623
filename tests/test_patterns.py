"""One pattern rule for every name a user writes to match several things: waivers' resources
and Terraform mapping rules alike (``*`` and ``?`` wildcards, everything else literal)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from checker.checks import AREAS
from checker.core.diagnostics import Location
from checker.core.patterns import glob
from checker.core.results import Severity, Status, Waiver
from checker.evaluation.waivers import matches
from tests.report_fixtures import _finding


@pytest.mark.parametrize(
    ("pattern", "text", "matched"),
    [
        ("store:b[0]", "store:b[0]", True),  # brackets are literal, as in Terraform addresses
        ("store:b[01]", "store:b0", False),  # not a character class (fnmatch would match)
        ("store:b[!x]", "store:by", False),
        ("store:backup-*", "store:backup-eu", True),
        ("store:chat-?", "store:chat-1", True),
        ("store:chat-?", "store:chat-10", False),
        ("Store:*", "store:x", False),  # case-sensitive
    ],
)
def test_the_pattern_rule(pattern: str, text: str, matched: bool) -> None:
    assert glob(pattern, text) is matched


def test_a_waiver_resource_with_brackets_matches_that_resource_only() -> None:
    where = Location("s.yaml", None)
    failed = _finding(
        "keep-30d",
        "retention",
        AREAS["retention"],
        Severity.HIGH,
        Status.FAIL,
        resource="store:b[0]",
        message="m",
        expected="e",
        actual="a",
        promise="p",
        policy_location=where,
        evidence=where,
    )
    other = dataclasses.replace(failed, resource="store:b0")
    waiver = Waiver(
        id="w",
        check=failed.check_id,
        clause=None,
        resource="store:b[0]",
        justification="j",
        approver="a",
        ticket="t",
        expires=dt.date(2027, 1, 1),
        location=where,
        approved_on=dt.date(2026, 6, 1),
    )
    assert matches(waiver, failed)
    assert not matches(dataclasses.replace(waiver, resource="store:b[01]"), other)
