"""Custom-rule expressions of any shape: long paths, huge or deeply nested expressions, and
selections that match nothing. None of them may crash, hang or pass silently."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import pytest

from checker.checks import custom_rules
from checker.checks.base import CheckContext, Vocabulary
from checker.diagnostics import JsonPath
from checker.model import Observation, Status

P, F, N, E = Status.PASS, Status.FAIL, Status.NOT_EVIDENCED, Status.ERROR
POLICY: dict[str, Any] = {"vocabulary": {}}


def observe(clause: Mapping[str, Any], snapshot: Mapping[str, Any]) -> list[Observation]:
    ctx = CheckContext(
        clause, POLICY, snapshot, Vocabulary.from_policy(POLICY), dt.date(2026, 11, 21)
    )
    return list(custom_rules.CHECK.run(ctx))


def rule(**fields: Any) -> dict[str, Any]:
    clause = {"id": "r", "statement": "s", "for_each": "stores", "assert": "true"}
    clause.update({k.rstrip("_"): v for k, v in fields.items()})
    return clause


# --- paths of any length -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "path"),
    [
        ("stores", ("stores",)),
        ("a.b", ("a", "b")),
        ("a.b.c", ("a", "b", "c")),
        ("user_rights.export.formats", ("user_rights", "export", "formats")),
        ("a.b.c.d.e", ("a", "b", "c", "d", "e")),
        ('a."odd key".c', ("a", "odd key", "c")),
        ("a[0].b.c", ("a", 0, "b", "c")),
        ("a.b[2]", ("a", "b", 2)),
        ("a.b[-1]", None),  # counted from the end: no fixed place in the snapshot
        ("a.b[?c].d", None),
        ("a.b | c", None),
        ("a.*.c", None),
    ],
)
def test_plain_paths_of_any_length_are_recognised(
    expression: str, path: JsonPath | None
) -> None:
    compiled = custom_rules.compile_expression(expression)
    assert compiled.error is None
    assert compiled.path == path


def test_long_paths_validate() -> None:
    clause = rule(for_each="user_rights.export.formats", resource="@", assert_="@ == 'json'")
    assert custom_rules.compile_errors(clause) == []


@pytest.mark.parametrize(
    ("for_each", "snapshot", "evidence"),
    [
        ("a.b.c", {"a": {"b": {"c": [{"id": "x"}, {"id": "y"}]}}}, [("a", "b", "c", i) for i in (0, 1)]),
        (
            "w.x.y.z",
            {"w": {"x": {"y": {"z": [{"id": "x"}, {"id": "y"}]}}}},
            [("w", "x", "y", "z", i) for i in (0, 1)],
        ),
        (
            "a[1].b.c",
            {"a": [{"b": {"c": []}}, {"b": {"c": [{"id": "x"}, {"id": "y"}]}}]},
            [("a", 1, "b", "c", i) for i in (0, 1)],
        ),
    ],
    ids=["three-segments", "four-segments", "index-inside"],
)
def test_items_of_a_long_path_point_at_themselves(
    for_each: str, snapshot: dict[str, Any], evidence: list[JsonPath]
) -> None:
    observations = observe(rule(for_each=for_each, assert_="id == 'x'"), snapshot)
    assert [(o.status, o.resource, o.evidence) for o in observations] == [
        (P, f"{for_each}:x", evidence[0]),
        (F, f"{for_each}:y", evidence[1]),
    ]


def test_a_long_path_the_snapshot_lacks_points_at_its_nearest_parent() -> None:
    [only] = observe(rule(for_each="a.b.c.d"), {"a": {"b": {}}})
    assert (only.status, only.evidence, only.clause_path) == (N, ("a", "b"), ("for_each",))
