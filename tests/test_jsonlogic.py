"""The JsonLogic subset of flagd targeting: values, three-valued conditions, branches."""

from __future__ import annotations

from typing import Any

import pytest

from checker.adapters.flag_rules import Unknown
from checker.adapters.jsonlogic import (
    MAX_BRANCHES,
    Branch,
    Scope,
    branches,
    evaluate,
    loose_equal,
    strict_equal,
    truthy,
)

SCOPE = Scope("plan", "pro", "train-flag", {"is-business": {"in": [{"var": "plan"}, ["team"]]}})
EMAIL = {"var": "email"}


def value(expr: Any) -> Any:
    return evaluate(expr, ("t",), SCOPE)


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ({"var": "plan"}, "pro"),
        ({"var": ["plan"]}, "pro"),
        ({"var": ["plan", "fallback"]}, "pro"),
        ({"var": "$flagd.flagKey"}, "train-flag"),
        ({"==": [{"var": "plan"}, "pro"]}, True),
        ({"==": [1, "1"]}, True),
        ({"==": [True, 1]}, True),
        ({"==": [None, 0]}, False),
        ({"==": ["", 0]}, True),
        ({"==": ["pro", 0]}, False),
        ({"===": [1, "1"]}, False),
        ({"===": [True, 1]}, False),
        ({"===": [{"var": "plan"}, "pro"]}, True),
        ({"!=": [{"var": "plan"}, "free"]}, True),
        ({"!==": [1, 1.0]}, False),
        ({"!": [[]]}, True),
        ({"!": {"var": "plan"}}, False),
        ({"!!": ["0"]}, True),
        ({"!!": [0]}, False),
        ({"in": [{"var": "plan"}, ["free", "pro"]]}, True),
        ({"in": [{"var": "plan"}, ["free", "max"]]}, False),
        ({"in": ["ro", {"var": "plan"}]}, True),
        ({"in": ["x", 3]}, False),
        ({"starts_with": [{"var": "plan"}, "p"]}, True),
        ({"ends_with": [{"var": "plan"}, "ro"]}, True),
        ({"ends_with": [{"var": "plan"}, "x"]}, False),
        ({"and": [True, "a", {"var": "plan"}]}, "pro"),
        ({"and": [True, 0, "a"]}, 0),
        ({"or": [False, "", "b"]}, "b"),
        ({"or": [False, 0]}, 0),
        ({"if": [False, "a", True, "b", "c"]}, "b"),
        ({"if": [False, "a"]}, None),
        ({"?:": [{"var": "plan"}, "yes", "no"]}, "yes"),
        ({"if": ["only"]}, "only"),
        ({"$ref": "is-business"}, False),
        ([{"var": "plan"}, 1], ["pro", 1]),
        ({"not": "an operation", "two": "keys"}, {"not": "an operation", "two": "keys"}),
    ],
)
def test_values(expr: Any, expected: Any) -> None:
    got = value(expr)
    assert strict_equal(got, expected) or got == expected, got
    assert type(got) is type(expected)


@pytest.mark.parametrize(
    ("expr", "reason", "path"),
    [
        (
            EMAIL,
            'it reads "email" from the evaluation context, which the tier alone does not give '
            '(only "plan" is known)',
            ("t", "var"),
        ),
        ({"var": ""}, "it reads the whole evaluation context, which", ("t", "var")),
        ({"var": []}, "var without a name reads the whole context", ("t", "var")),
        (
            {"fractional": [["a", 50], ["b", 50]]},
            "a fractional split (percentage rollout) picks the variant by hashing the context, "
            "which no tier alone decides",
            ("t", "fractional"),
        ),
        ({"sem_ver": [{"var": "v"}, ">", "1.0.0"]}, "sem_ver compares", ("t", "sem_ver")),
        ({"cat": ["a", "b"]}, 'operator "cat" is not evaluated', ("t", "cat")),
        ({"$ref": "nowhere"}, '$ref names "nowhere", which the export', ("t", "$ref")),
        ({"==": [EMAIL, "a@b"]}, "email", ("t", "==", 0, "var")),
        ({"==": ["a"]}, "== needs two operands, not 1", ("t", "==")),
        ({"starts_with": [3, "a"]}, "starts_with compares 3 and", ("t", "starts_with")),
        ({"in": [3, "abc"]}, "in looks for 3, not text, in text", ("t", "in")),
        ({"and": []}, "and without operands", ("t", "and")),
        ({"==": [[1], 1]}, "== compares a list or an object", ("t", "==")),
        ({"!=": [{"a": 1, "b": 2}, "x"]}, "!= compares a list or an object", ("t", "!=")),
        ({"if": [EMAIL, "a", "b"]}, "email", ("t", "if", 0, "var")),
        ({"var": EMAIL}, "email", ("t", "var", "var")),
        ([1, EMAIL], "email", ("t", 1, "var")),
    ],
)
def test_what_the_tier_cannot_decide_is_unknown(expr: Any, reason: str, path: tuple[Any]) -> None:
    got = value(expr)
    assert isinstance(got, Unknown)
    assert reason in got.reason
    assert got.path == path


def test_and_or_are_settled_by_a_known_operand_beside_an_unknown_one() -> None:
    """As conditions: a known false ``and`` operand, or a known true ``or`` one, settles the
    truth whatever the unknown operand holds."""
    is_free = {"==": [{"var": "plan"}, "free"]}
    assert value({"if": [{"and": [EMAIL, is_free]}, "a", "b"]}) == "b"
    assert value({"if": [{"or": [EMAIL, {"!": is_free}]}, "a", "b"]}) == "a"
    assert value({"!": {"or": [EMAIL, {"!": is_free}]}}) is False
    assert value({"!!": {"and": [{"or": [EMAIL, True]}, {"and": [EMAIL, False]}]}}) is False
    assert value({"and": [is_free, EMAIL]}) is False  # settled before the unknown operand
    assert isinstance(value({"and": [EMAIL, {"!": is_free}]}), Unknown)
    assert isinstance(value({"or": [EMAIL, is_free]}), Unknown)


@pytest.mark.parametrize(
    "expr",
    [
        {"or": [{"var": "override"}, "on"]},
        {"and": [EMAIL, False]},
        {"or": [{"or": [EMAIL, "x"]}, "on"]},
    ],
)
def test_and_or_values_after_an_unknown_operand_are_unknown(expr: Any) -> None:
    """``or`` gives its first true operand and ``and`` its first false one: an unknown operand
    before the known one that settles the truth may be that operand (``"off"`` in
    ``override``, ``""`` or null in ``email``), so as a value (a variant name) it is unknown."""
    got = value(expr)
    assert isinstance(got, Unknown), got
    assert "from the evaluation context" in got.reason


def test_a_reference_resolves_to_the_evaluator_and_its_place() -> None:
    scope = Scope("plan", "team", "f", {"biz": {"in": [{"var": "plan"}, ["team"]]}})
    assert branches({"if": [{"$ref": "biz"}, "off", "on"]}, ("targeting",), scope) == [
        Branch("off", ("targeting", "if", 1))
    ]
    unknown = Scope("plan", "team", "f", {"who": {"==": [EMAIL, "x"]}})
    (branch,) = branches({"$ref": "who"}, ("targeting",), unknown)
    assert isinstance(branch.value, Unknown)
    assert branch.value.path == ("$evaluators", "who", "==", 0, "var")


def test_reference_cycles_end_as_unknown() -> None:
    scope = Scope("plan", "pro", "f", {"a": {"$ref": "b"}, "b": {"$ref": "a"}})
    (branch,) = branches({"$ref": "a"}, ("targeting",), scope)
    assert isinstance(branch.value, Unknown)
    assert "nested too deeply" in branch.value.reason
    assert isinstance(evaluate({"!": {"$ref": "a"}}, ("t",), scope), Unknown)


def test_branches_follow_both_ways_of_an_undecided_condition() -> None:
    targeting = {"if": [{"ends_with": [EMAIL, "@corp"]}, "staff", {"var": "plan"}, "plan", None]}
    found = branches(targeting, ("targeting",), SCOPE)
    assert [b.value for b in found] == ["staff", "plan"]
    assert [b.path for b in found] == [("targeting", "if", 1), ("targeting", "if", 3)]
    assert [len(b.assumes) for b in found] == [1, 1]
    assert found[0].assumes[0].path == ("targeting", "if", 0, "ends_with", 0, "var")


def test_branches_stop_at_the_first_true_condition_and_end_with_null() -> None:
    decided = {"if": [{"==": [{"var": "plan"}, "pro"]}, "a", EMAIL, "b"]}
    assert branches(decided, (), SCOPE) == [Branch("a", ("if", 1))]
    no_else = {"if": [{"==": [{"var": "plan"}, "max"]}, "a"]}
    assert branches(no_else, (), SCOPE) == [Branch(None, ())]
    nested = {"if": [False, "a", {"if": [{"var": "plan"}, "inner", "x"]}]}
    assert branches(nested, (), SCOPE) == [Branch("inner", ("if", 2, "if", 1))]


def test_too_many_undecided_paths_are_not_evidenced() -> None:
    targeting: Any = "last"
    for i in range(MAX_BRANCHES + 1):
        targeting = {"if": [{"==": [EMAIL, f"user{i}"]}, f"v{i}", targeting]}
    (branch,) = branches(targeting, ("targeting",), SCOPE)
    assert isinstance(branch.value, Unknown)
    assert "more than 64 undecided paths" in branch.value.reason


def test_deep_nesting_is_unknown_not_a_crash() -> None:
    expr: Any = {"var": "plan"}
    for _ in range(200):
        expr = {"!": [expr]}
    assert isinstance(value(expr), Unknown)


def test_truth_and_equality_follow_javascript() -> None:
    assert [truthy(v) for v in ([], [0], {}, "", "0", 0, 0.0, None, False)] == [
        False,
        True,
        True,
        False,
        True,
        False,
        False,
        False,
        False,
    ]
    assert loose_equal("1.0", 1)
    assert not loose_equal("abc", float("nan"))
    assert not strict_equal({}, {})
    assert strict_equal(None, None)
