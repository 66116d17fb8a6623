"""Custom-rule expressions of any shape: long paths, huge or deeply nested expressions, and
selections that match nothing. None of them may crash, hang or pass silently."""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from collections.abc import Mapping
from typing import Any

import jmespath.parser
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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
def test_plain_paths_of_any_length_are_recognised(expression: str, path: JsonPath | None) -> None:
    compiled = custom_rules.compile_expression(expression)
    assert compiled.error is None
    assert compiled.path == path


def test_long_paths_validate() -> None:
    clause = rule(for_each="user_rights.export.formats", resource="@", assert_="@ == 'json'")
    assert custom_rules.compile_errors(clause) == []


@pytest.mark.parametrize(
    ("for_each", "snapshot", "evidence"),
    [
        (
            "a.b.c",
            {"a": {"b": {"c": [{"id": "x"}, {"id": "y"}]}}},
            [("a", "b", "c", i) for i in (0, 1)],
        ),
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


# --- expressions too large to parse or evaluate safely ---------------------------------------

AND_990 = " && ".join(["region"] * 990)
NESTED_500 = "(" * 500 + "region" + ")" * 500
AND_150 = " && ".join(["a"] * 150)


def _timed(call: Any) -> tuple[Any, float]:
    started = time.perf_counter()
    value = call()
    return value, time.perf_counter() - started


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        (
            AND_990,
            'the assert expression "region && region && region && region && region && region && '
            'region && region &&…" is too large: it is 9,896 characters long, more than the '
            "4,000 allowed; split the rule or simplify the expression",
        ),
        (
            NESTED_500,
            f'the assert expression "{"(" * 79}…" is too large: it has more than 100 operators '
            "and brackets (the 101st, '(', is at column 101); split the rule or simplify the "
            "expression",
        ),
        (
            AND_150,
            'the assert expression "a && a && a && a && a && a && a && a && a && a && a && a && '
            'a && a && a && a &&…" is too large: it has more than 100 operators and brackets '
            "(the 101st, '&&', is at column 503); split the rule or simplify the expression",
        ),
    ],
    ids=["990-and-terms", "500-nested-parentheses", "150-and-terms"],
)
def test_huge_expressions_are_refused_when_compiled(expression: str, message: str) -> None:
    custom_rules.compile_expression.cache_clear()
    errors, seconds = _timed(lambda: custom_rules.compile_errors(rule(assert_=expression)))
    assert errors == [("assert", message)]
    assert seconds < 0.5


@pytest.mark.parametrize(
    "expression",
    [
        " && ".join(["region"] * 100_000),
        "(" * 100_000 + "region" + ")" * 100_000,
        "!" * 1_000_000 + "region",
        "a" * 1_000_000,
    ],
    ids=["100k-and-terms", "100k-nested-parentheses", "1M-nots", "1M-character-name"],
)
def test_enormous_expressions_are_refused_quickly(expression: str) -> None:
    custom_rules.compile_expression.cache_clear()
    errors, seconds = _timed(lambda: custom_rules.compile_errors(rule(for_each=expression)))
    assert [field for field, _ in errors] == ["for_each"]
    assert "is too large" in errors[0][1]
    assert len(errors[0][1]) < 400  # the message quotes the start of the expression only
    assert seconds < 0.5, f"took {seconds:.3f} s"


def test_a_huge_expression_at_check_time_is_an_error_finding() -> None:
    """``check`` meets the expression even if ``validate`` was skipped: an error, not a crash."""
    snapshot = {"stores": [{"id": "a", "region": "eu"}]}
    [only] = observe(rule(assert_=AND_990), snapshot)
    assert (only.status, only.clause_path, only.actual) == (E, ("assert",), "expression too large")
    assert "is too large" in only.message


# Each shape nests the parser or the interpreter one level deeper per repetition.
SHAPES = {
    "parentheses": lambda n: "(" * n + "a" + ")" * n,
    "nots": lambda n: "!" * n + "a",
    "projections": lambda n: "a" + "[*].a" * n,
    "flattens": lambda n: "a" + "[].a" * n,
    "value-projections": lambda n: "a" + ".*.a" * n,
    "filter-chain": lambda n: "a" + "[?b].a" * n,
    "nested-filters": lambda n: "a[?" * n + "b" + "]" * n,
    "nested-lists": lambda n: "[" * n + "a" + "]" * n,
    "nested-objects": lambda n: "{a: " * n + "a" + "}" * n,
    "nested-calls": lambda n: "abs(" * n + "a" + ")" * n,
    "and-chain": lambda n: " && ".join(["a"] * n),
    "or-chain": lambda n: " || ".join(["a"] * n),
    "pipe-chain": lambda n: " | ".join(["a"] * n),
    "comparison-chain": lambda n: " == ".join(["a"] * n),
    "slices": lambda n: "a" + "[::1]" * n,
    "sort-by-nested-keys": lambda n: "sort_by(a, &" + "abs(" * n + "b" + ")" * n + ")",
}
NESTED_DATA = {"stores": [{"id": "x", "a": [{"a": [{"a": 1, "b": 1}], "b": 1}], "b": 1}]}


def _largest_accepted(shape: Any) -> str:
    n = 1
    while custom_rules.compile_expression(shape(n + 1)).error is None:
        n += 1
    return str(shape(n))


def _stack_depth() -> int:
    frame, depth = sys._getframe(), 0
    while frame is not None:
        frame, depth = frame.f_back, depth + 1  # type: ignore[assignment]
    return depth


@pytest.mark.parametrize("shape", SHAPES.values(), ids=SHAPES.keys())
@pytest.mark.parametrize("field", ["for_each", "assert"])
def test_expressions_at_the_limit_run_in_a_bounded_stack(shape: Any, field: str) -> None:
    """The largest expression of each shape that is accepted parses and evaluates with 500
    frames to spare (Python allows 1,000 by default): no RecursionError is reachable."""
    expression = _largest_accepted(shape)
    assert custom_rules.compile_expression(shape(1)).error is None
    custom_rules.compile_expression.cache_clear()
    jmespath.parser.Parser.purge()
    clause = rule(**{"for_each" if field == "for_each" else "assert_": expression})
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(_stack_depth() + 500)
    try:
        observations = observe(clause, NESTED_DATA)
    finally:
        sys.setrecursionlimit(limit)
    assert observations
    assert all("recursion" not in o.message for o in observations)


@pytest.mark.parametrize(
    ("clause", "status", "message"),
    [
        (
            rule(assert_="to_string(@)"),
            E,
            'the assert expression could not be evaluated on item 0 of "stores": the value '
            "is nested too deeply to evaluate",
        ),
        (
            rule(resource="to_string(@)"),
            E,
            'the resource expression "to_string(@)" could not be evaluated on item 0 of '
            '"stores": the value is nested too deeply to evaluate',
        ),
        (
            rule(for_each="to_string(@)"),
            E,
            'the for_each expression "to_string(@)" could not be evaluated: the value is '
            "nested too deeply to evaluate",
        ),
        (rule(resource="@", assert_="@"), P, '(nested too deeply to show) satisfies "@"'),
    ],
    ids=["assert", "resource", "for_each", "shown-value"],
)
def test_data_nested_beyond_the_stack_is_an_error_finding(
    clause: dict[str, Any], status: Status, message: str
) -> None:
    """Input limits refuse such data when it is loaded; should they be raised, evaluating it
    still gives a finding, not a crash."""
    deep: Any = "bottom"
    for _ in range(50_000):  # beyond every supported Python's C stack guard (3.13: ~10k)
        deep = [deep]
    [only] = observe(clause, {"stores": [deep]})
    assert (only.status, only.message) == (status, message)


# --- fuzzing: any expression, any path ----------------------------------------------------------

FRAGMENTS = [
    "a", "b", "id", "@", ".", "[", "]", "[?", "[*]", "[]", "[0]", "[-1]", "[1:]", "(", ")",
    "{", "}", "k: ", ",", " && ", " || ", "!", " | ", " == ", " < ", "'x'", "`1`", "&", "*",
    ":", "abs(", "length(", "sort_by(", "to_string(", "contains(", '"q"', " ",
]  # fmt: skip
RUN_SNAPSHOT = {"stores": [{"id": "s", "a": [1, {"b": 2}], "b": "x"}, "plain", 3, None]}


def _survives(expression: str) -> None:
    """Compiling, validating and checking never raise, whatever the expression."""
    custom_rules.compile_errors(rule(for_each=expression, resource=expression, assert_=expression))
    for field in ("for_each", "resource", "assert_"):
        for observation in observe(rule(**{field: expression}), RUN_SNAPSHOT):
            assert isinstance(observation.status, Status)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=30).map("".join))
def test_any_short_expression_compiles_or_is_refused_without_crashing(expression: str) -> None:
    _survives(expression)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=4).map("".join),
    st.integers(min_value=1, max_value=3000),
    st.lists(st.sampled_from(FRAGMENTS), max_size=4).map("".join),
)
def test_any_repeated_fragment_compiles_or_is_refused_without_crashing(
    fragment: str, times: int, tail: str
) -> None:
    _survives(fragment * times + tail)


_SEGMENT = st.one_of(
    st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,8}", fullmatch=True),
    st.text(min_size=1, max_size=8),  # written as a quoted identifier
    st.integers(min_value=0, max_value=3),
)


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1, max_size=8), st.lists(_SEGMENT, max_size=7))
def test_any_plain_path_points_each_item_at_its_own_place(
    first: str, rest: list[str | int]
) -> None:
    path: tuple[str | int, ...] = (first, *rest)
    expression = "".join(
        f"[{part}]"
        if isinstance(part, int)
        else ("." if index else "") + json.dumps(part, ensure_ascii=False)
        for index, part in enumerate(path)
    )
    items = [{"id": "p"}, {"id": "f"}]
    value: Any = items
    for part in reversed(path):
        value = [*([None] * part), value] if isinstance(part, int) else {part: value}
    assert custom_rules.compile_expression(expression).path == path
    observations = observe(rule(for_each=expression, assert_="id == 'p'"), value)
    assert [(o.status, o.evidence) for o in observations] == [
        (P, (*path, 0)),
        (F, (*path, 1)),
    ]


# --- selections that match nothing ---------------------------------------------------------

STORES_SNAPSHOT = {
    "stores": [
        {"id": "chats", "region": "eu-west-1", "data_kinds": ["conversations"]},
        {"id": "logs", "region": "eu-central-1", "data_kinds": ["telemetry"]},
    ]
}
TYPO = "stores[?regoin=='us-east-1']"
ALLOW = "set allow_empty: true if the rule may select nothing"


@pytest.mark.parametrize(
    ("clause", "snapshot", "expected"),
    [
        (
            rule(for_each=TYPO),
            STORES_SNAPSHOT,
            (
                N,
                f'"{TYPO}" selects nothing, so there is nothing to judge; no object in the '
                'snapshot has a field "regoin" (did you mean "region"?); check the expression, '
                f"or {ALLOW}",
                ("stores",),
                ("for_each",),
            ),
        ),
        (
            rule(for_each="stores[?region=='us-east-1']"),
            STORES_SNAPSHOT,
            (
                N,
                "\"stores[?region=='us-east-1']\" selects nothing, so there is nothing to judge; "
                f"check the expression, or {ALLOW}",
                ("stores",),
                ("for_each",),
            ),
        ),
        (
            rule(for_each="stores"),
            {"stores": []},
            (
                N,
                '"stores" selects nothing, so there is nothing to judge; check the expression, '
                f"or {ALLOW}",
                ("stores",),
                ("for_each",),
            ),
        ),
        (
            rule(for_each="stores[?region=='us-east-1']", allow_empty=False),
            STORES_SNAPSHOT,
            (
                N,
                "\"stores[?region=='us-east-1']\" selects nothing, so there is nothing to judge; "
                f"check the expression, or {ALLOW}",
                ("stores",),
                ("for_each",),
            ),
        ),
        (
            rule(for_each="stores[?region=='us-east-1']", allow_empty=True),
            STORES_SNAPSHOT,
            (
                P,
                "\"stores[?region=='us-east-1']\" selects nothing, which the rule allows "
                "(allow_empty: true)",
                ("stores",),
                (),
            ),
        ),
        (
            rule(for_each="stores", allow_empty=True),
            {"stores": []},
            (
                P,
                '"stores" selects nothing, which the rule allows (allow_empty: true)',
                ("stores",),
                (),
            ),
        ),
        (
            rule(for_each="sort_by(stores, &id)[?regoin]"),
            STORES_SNAPSHOT,
            (
                N,
                '"sort_by(stores, &id)[?regoin]" selects nothing, so there is nothing to judge; '
                'no object in the snapshot has a field "regoin" (did you mean "region"?); check '
                f"the expression, or {ALLOW}",
                None,
                ("for_each",),
            ),
        ),
        (
            rule(for_each="stores[?data_kind == 'x' || regoin]"),
            STORES_SNAPSHOT,
            (
                N,
                "\"stores[?data_kind == 'x' || regoin]\" selects nothing, so there is "
                'nothing to judge; no object in the snapshot has a field "data_kind" (did you '
                'mean "data_kinds"?) or "regoin" (did you mean "region"?); check the '
                f"expression, or {ALLOW}",
                ("stores",),
                ("for_each",),
            ),
        ),
    ],
    ids=[
        "misspelt-field",
        "no-match",
        "empty-list",
        "allow-empty-false",
        "allow-empty-true",
        "empty-list-allowed",
        "computed-list",
        "two-misspelt-fields",
    ],
)
def test_a_selection_of_nothing_is_not_evidenced_unless_allowed(
    clause: dict[str, Any],
    snapshot: dict[str, Any],
    expected: tuple[Status, str, JsonPath | None, JsonPath],
) -> None:
    [only] = observe(clause, snapshot)
    assert (only.status, only.message, only.evidence, only.clause_path) == expected
    assert (only.resource, only.actual) == ("policy", "no items")


def test_a_path_the_snapshot_lacks_is_not_evidenced_even_when_empty_is_allowed() -> None:
    """allow_empty accepts an empty list; a list the snapshot does not record is no evidence."""
    [only] = observe(rule(for_each="storse", allow_empty=True), STORES_SNAPSHOT)
    assert (only.status, only.message) == (
        N,
        'the snapshot records nothing at "storse", so the rule has nothing to check; no object '
        'in the snapshot has a field "storse" (did you mean "stores"?)',
    )
