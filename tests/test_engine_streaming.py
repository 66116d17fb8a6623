"""The engine takes a check's observations as they come: what a check saw before it broke is
kept, followed by an error for its clause; passes are counted without being held."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from checker.checks import CHECKS
from checker.checks.base import CheckContext
from checker.core.results import Observation, Status
from checker.documents.document import Document
from checker.evaluation.engine import evaluate
from tests.policy_support import _Unplaced, minimal_policy

CLAUSE = {"id": "api-not-trained", "statement": "API data is never used for training.",
          "tier_groups": ["api"]}  # fmt: skip
SNAPSHOT = {
    "snapshot_format": 1,
    "metadata": {"system": "api", "environment": "prod", "taken_at": "2026-11-01"},
    "tiers": [{"id": "api", "training_default": "trained"}],
    "pipelines": [],
}


def _observation(status: Status, resource: str) -> Observation:
    return Observation(status, resource, f"{resource} is {status.value}", "x", "y", ())


def _breaks_after_two(ctx: CheckContext[Any]) -> Iterator[Observation]:
    yield _observation(Status.FAIL, "tier:first")
    yield _observation(Status.PASS, "tier:second")
    raise RuntimeError("index out of range")


def _run(monkeypatch: pytest.MonkeyPatch, **options: Any) -> list[tuple[str, Status, str]]:
    check = CHECKS["training_exclusions"]
    monkeypatch.setitem(
        CHECKS, "training_exclusions", dataclasses.replace(check, run=_breaks_after_two)
    )
    policy = minimal_policy(
        vocabulary={
            "tier_groups": {"api": {"tiers": ["api"]}},
            "data_kinds": {"conversations": {"description": "chats"}},
        },
        training_exclusions=[CLAUSE],
    )
    result = evaluate(
        [Document("policy.yaml", policy, "yaml", _Unplaced())],
        [Document("snapshot.yaml", SNAPSHOT, "yaml", _Unplaced())],
        as_of=dt.date(2026, 11, 21),
        **options,
    )
    findings = [(f.resource, f.status, f.message) for f in result.findings]
    return findings + [(p.clause_id, Status.PASS, str(p.count)) for p in result.pass_counts]


BROKEN = (
    "policy",
    Status.ERROR,
    "check training_exclusions could not evaluate this clause: RuntimeError: index out of range",
)


def test_what_a_broken_check_saw_before_it_broke_is_kept_with_the_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert _run(monkeypatch) == [
        ("tier:first", Status.FAIL, "tier:first is fail"),
        ("tier:second", Status.PASS, "tier:second is pass"),
        BROKEN,
    ]


def test_counting_passes_keeps_the_failure_the_error_and_the_count(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert _run(monkeypatch, count_passes=True) == [
        ("tier:first", Status.FAIL, "tier:first is fail"),
        BROKEN,
        ("api-not-trained", Status.PASS, "1"),
    ]


def test_passes_are_counted_without_holding_the_observations() -> None:
    """A check's observations are consumed one at a time: the engine never asks for the next
    one while it holds more than the failures it keeps."""
    from checker.evaluation import engine

    seen: list[int] = []

    def many(ctx: CheckContext[Any]) -> Iterator[Observation]:
        for index in range(5):
            seen.append(index)
            yield _observation(Status.PASS, f"tier:{index}")

    check = dataclasses.replace(CHECKS["training_exclusions"], run=many)
    stream = engine._guarded(check, None)  # type: ignore[arg-type]  # the check reads no context
    assert next(stream).resource == "tier:0"
    assert seen == [0]  # the rest is not produced before it is asked for
