"""Custom rules: ``checker/checks/custom_rules.py``.

Each case is a clause and a snapshot, and the exact observations expected; then expressions of
any shape (long paths, huge or deeply nested expressions, selections that match nothing), none
of which may crash, hang or pass silently.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

import jmespath.parser
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.checks import custom_rules
from checker.core.diagnostics import JsonPath
from checker.core.results import Severity, Status
from tests.checks.support import (
    Case,
    E,
    F,
    N,
    P,
    Where,
    assert_declared,
    changed,
    ids,
    observe,
    triples,
)


def test_declaration() -> None:
    assert_declared(custom_rules.CHECK, "custom_rules", "custom", Severity.MEDIUM)


IN_EU: dict[str, Any] = {
    "id": "stores-in-eu",
    "statement": "stores stay in the EU",
    "for_each": "stores",
    "assert": "starts_with(region, 'eu-')",
    "message": "store is outside the EU",
}
STORES: dict[str, Any] = {
    "stores": [
        {"id": "chat-primary", "region": "eu-west-1"},
        {"id": "chat-backups", "region": "us-east-1"},
    ]
}
EU_PASS = (P, "stores:chat-primary", "chat-primary satisfies \"starts_with(region, 'eu-')\"")


def rule(drop: tuple[str, ...] = (), **fields: Any) -> dict[str, Any]:
    """``IN_EU`` changed; ``assert_`` sets ``assert`` (a Python keyword)."""
    if "assert_" in fields:
        fields["assert"] = fields.pop("assert_")
    return changed(IN_EU, drop, **fields)


def values(*items: Any) -> dict[str, Any]:
    return {"items": [{"id": f"v{i}", "value": v} for i, v in enumerate(items)]}


CUSTOM_CASES = [
    Case(
        "assertion-passes-and-fails-with-message",
        IN_EU,
        STORES,
        [
            EU_PASS,
            (F, "stores:chat-backups", "chat-backups: store is outside the EU"),
        ],
    ),
    Case(
        "default-failure-names-the-assertion",
        rule(("message",)),
        STORES,
        [
            EU_PASS,
            (
                F,
                "stores:chat-backups",
                "chat-backups does not satisfy \"starts_with(region, 'eu-')\"",
            ),
        ],
    ),
    Case(
        "resource-expression-names-items",
        rule(resource="region"),
        STORES,
        [
            (P, "stores:eu-west-1", "eu-west-1 satisfies \"starts_with(region, 'eu-')\""),
            (F, "stores:us-east-1", "us-east-1: store is outside the EU"),
        ],
    ),
    Case(
        # Two different stores named "s3": one finding id for both, so a baseline that accepted
        # the failure of one would accept the failure of the other. Neither is judged.
        "one-name-for-different-items-is-an-error",
        rule(resource="kind"),
        {
            "stores": [
                {"id": "a", "kind": "s3", "region": "eu-west-1"},
                {"id": "b", "kind": "sql", "region": "eu-west-1"},
                {"id": "c", "kind": "s3", "region": "us-east-1"},
            ]
        },
        [
            (
                E,
                "stores:[0]",
                'the resource expression "kind" names items 0 and 2 of "stores" both "s3", '
                "so a finding could not say which item it is about; name each item by a "
                "field that differs between them (resource: id)",
            ),
            (P, "stores:sql", "sql satisfies \"starts_with(region, 'eu-')\""),
            (
                E,
                "stores:[2]",
                'the resource expression "kind" names items 0 and 2 of "stores" both "s3", '
                "so a finding could not say which item it is about; name each item by a "
                "field that differs between them (resource: id)",
            ),
        ],
    ),
    Case(
        "one-name-for-equal-items-judges-them-alike",
        {
            "id": "regions",
            "statement": "regions in the EU",
            "for_each": "stores[].region",
            "assert": "starts_with(@, 'eu-')",
        },
        {"stores": [{"id": "a", "region": "eu-west-1"}, {"id": "b", "region": "eu-west-1"}]},
        [
            (P, "eu-west-1", "eu-west-1 satisfies \"starts_with(@, 'eu-')\""),
            (P, "eu-west-1", "eu-west-1 satisfies \"starts_with(@, 'eu-')\""),
        ],
    ),
    Case(
        "unnamed-item-uses-its-position",
        IN_EU,
        {"stores": [{"region": "us-east-1"}]},
        [
            (F, "stores:[0]", 'item 0 of "stores": store is outside the EU'),
        ],
    ),
    Case(
        "jmespath-truthiness",
        {"id": "truthy", "statement": "values are set", "for_each": "items", "assert": "value"},
        values(False, None, [], {}, "", 0, "no", [0], {"a": None}, True),
        [
            (F, "items:v0", 'v0 does not satisfy "value"'),
            (F, "items:v1", 'v1 does not satisfy "value"'),
            (F, "items:v2", 'v2 does not satisfy "value"'),
            (F, "items:v3", 'v3 does not satisfy "value"'),
            (F, "items:v4", 'v4 does not satisfy "value"'),
            (P, "items:v5", 'v5 satisfies "value"'),
            (P, "items:v6", 'v6 satisfies "value"'),
            (P, "items:v7", 'v7 satisfies "value"'),
            (P, "items:v8", 'v8 satisfies "value"'),
            (P, "items:v9", 'v9 satisfies "value"'),
        ],
    ),
    Case(
        "filtered-list",
        rule(
            ("message",), for_each="stores[?region != 'eu-west-1']", assert_="region == 'eu-west-1'"
        ),
        STORES,
        [
            (
                F,
                "chat-backups",
                "chat-backups does not satisfy \"region == 'eu-west-1'\"",
            ),
        ],
    ),
    Case(
        "scalar-items-name-themselves",
        {
            "id": "regions",
            "statement": "regions in the EU",
            "for_each": "stores[].region",
            "assert": "starts_with(@, 'eu-')",
        },
        STORES,
        [
            (P, "eu-west-1", "eu-west-1 satisfies \"starts_with(@, 'eu-')\""),
            (
                F,
                "us-east-1",
                "us-east-1 does not satisfy \"starts_with(@, 'eu-')\"",
            ),
        ],
    ),
    Case(
        "nothing-at-for-each-is-not-evidenced",
        rule(for_each="recipients"),
        STORES,
        [
            (
                N,
                "policy",
                'the snapshot records nothing at "recipients", so the rule has nothing to check; '
                'no object in the snapshot has a field "recipients"',
            ),
        ],
    ),
    Case(
        "empty-list-is-not-evidenced",
        IN_EU,
        {"stores": []},
        [
            (
                N,
                "policy",
                '"stores" selects nothing, so there is nothing to judge; check the expression, '
                "or set allow_empty: true if the rule may select nothing",
            ),
        ],
    ),
    Case(
        "empty-list-passes-once-when-allowed",
        {**IN_EU, "allow_empty": True},
        {"stores": []},
        [
            (P, "policy", '"stores" selects nothing, which the rule allows (allow_empty: true)'),
        ],
    ),
    Case(
        "for-each-not-a-list-is-an-error",
        rule(for_each="metadata"),
        {"metadata": {"system": "claude"}},
        [
            (
                E,
                "policy",
                'the for_each expression "metadata" did not yield a list (it gave an object)',
            ),
        ],
    ),
    Case(
        "for-each-evaluation-error",
        rule(for_each="abs(metadata)"),
        {"metadata": {"system": "claude"}},
        [
            (
                E,
                "policy",
                'the for_each expression "abs(metadata)" could not be evaluated: In '
                "function abs(), invalid type for value: {'system': 'claude'}, expected "
                "one of: ['number'], received: \"object\"",
            ),
        ],
    ),
    Case(
        "assert-type-error-is-an-error-for-that-item",
        {"id": "sizes", "statement": "sizes", "for_each": "stores", "assert": "length(size)"},
        {"stores": [{"id": "a", "size": "abc"}, {"id": "b", "size": 5}]},
        [
            (P, "stores:a", 'a satisfies "length(size)"'),
            (
                E,
                "stores:b",
                "the assert expression could not be evaluated on b: In function "
                "length(), invalid type for value: 5, expected one of: ['string', "
                "'array', 'object'], received: \"number\"",
            ),
        ],
    ),
    Case(
        "resource-type-error-is-an-error-for-that-item",
        rule(resource="abs(id)"),
        {"stores": [{"id": "a", "region": "eu-west-1"}]},
        [
            (
                E,
                "stores:[0]",
                'the resource expression "abs(id)" could not be evaluated on item 0 '
                'of "stores": In function abs(), invalid type for value: a, '
                "expected one of: ['number'], received: \"string\"",
            ),
        ],
    ),
    Case(
        "invalid-expressions-are-errors",
        rule(for_each="stores[", assert_="lenght(region)"),
        STORES,
        [
            (
                E,
                "policy",
                'the for_each expression "stores[" is not valid JMESPath: the '
                "expression ends too early (column 8)",
            ),
            (
                E,
                "policy",
                'the assert expression "lenght(region)" is not valid JMESPath: unknown '
                "function lenght() at column 1; did you mean length()?",
            ),
        ],
    ),
]


@pytest.mark.parametrize("case", CUSTOM_CASES, ids=ids(CUSTOM_CASES))
def test_custom_rules(case: Case) -> None:
    assert triples(observe(custom_rules.CHECK, case.clause, case.snapshot)) == case.expected


CUSTOM_WHERE = [
    Where(
        "plain-path",
        IN_EU,
        STORES,
        ("stores", 1),
        ("assert",),
        "\"starts_with(region, 'eu-')\" is true",
        "false",
        {"index": 1},
    ),
    Where(
        "dotted-path",
        rule(for_each="cloud.stores"),
        {"cloud": STORES},
        ("cloud", "stores", 1),
        ("assert",),
        "\"starts_with(region, 'eu-')\" is true",
        "false",
        {"index": 1},
    ),
    Where(
        "filter-traces-the-item",
        rule(for_each="stores[?region != 'eu-west-1']"),
        STORES,
        ("stores", 1),
        ("assert",),
        "\"starts_with(region, 'eu-')\" is true",
        "false",
    ),
    Where(
        "scalar-projection-has-no-path",
        rule(for_each="stores[].region", assert_="@ == 'x'"),
        STORES,
        None,
        ("assert",),
        "\"@ == 'x'\" is true",
        "false",
    ),
    Where(
        "missing-list-points-at-nearest-parent",
        rule(for_each="cloud.stores"),
        {"cloud": {}},
        ("cloud",),
        ("for_each",),
        'a list at "cloud.stores"',
        "not recorded in the snapshot",
    ),
    Where(
        "not-a-list",
        rule(for_each="metadata"),
        {"metadata": {}},
        ("metadata",),
        ("for_each",),
        "a list of items",
        "error",
    ),
    Where(
        "invalid",
        rule(resource="[?"),
        STORES,
        None,
        ("resource",),
        "a valid JMESPath expression",
        "invalid expression",
    ),
]


@pytest.mark.parametrize("case", CUSTOM_WHERE, ids=ids(CUSTOM_WHERE))
def test_custom_rules_points_at_the_evidence(case: Where) -> None:
    obs = observe(custom_rules.CHECK, case.clause, case.snapshot)[case.extra.get("index", 0)]
    assert (obs.evidence, obs.clause_path, obs.expected, obs.actual) == (
        case.evidence,
        case.clause_path,
        case.expected,
        case.actual,
    )


COMPILE_CASES: list[tuple[str, dict[str, Any], list[tuple[str, str]]]] = [
    (
        "valid",
        {"for_each": "stores[?region]", "resource": "id", "assert": "length(data_kinds) > `0`"},
        [],
    ),
    (
        "unexpected-token",
        {"for_each": "stores[?region==]", "assert": "true"},
        [
            (
                "for_each",
                'the for_each expression "stores[?region==]" is not valid JMESPath: '
                "unexpected ']' at column 17",
            ),
        ],
    ),
    (
        "incomplete",
        {"for_each": "stores", "assert": "region == "},
        [
            (
                "assert",
                'the assert expression "region == " is not valid JMESPath: the expression '
                "ends too early (column 11)",
            ),
        ],
    ),
    (
        "ends-after-dot",
        {"for_each": "stores.", "assert": "true"},
        [
            (
                "for_each",
                'the for_each expression "stores." is not valid JMESPath: the expression '
                "ends too early (column 8)",
            ),
        ],
    ),
    (
        "unknown-token",
        {"for_each": "stores", "assert": "a $ b"},
        [
            (
                "assert",
                'the assert expression "a $ b" is not valid JMESPath: unknown token $ at column 3',
            ),
        ],
    ),
    (
        "unclosed-quote",
        {"for_each": "stores", "assert": "region == 'eu"},
        [
            (
                "assert",
                "the assert expression \"region == 'eu\" is not valid JMESPath: unclosed ' "
                "delimiter at column 11",
            ),
        ],
    ),
    (
        "empty",
        {"for_each": "stores", "resource": "", "assert": "true"},
        [
            (
                "resource",
                'the resource expression "" is not valid JMESPath: the expression is empty',
            ),
        ],
    ),
    (
        "unknown-function",
        {"for_each": "stores", "assert": "region && lenght(id) > `1`"},
        [
            (
                "assert",
                'the assert expression "region && lenght(id) > `1`" is not valid JMESPath: '
                "unknown function lenght() at column 11; did you mean length()?",
            ),
        ],
    ),
    (
        "unknown-function-without-hint",
        {"for_each": "stores", "assert": "frobnicate(@)"},
        [
            (
                "assert",
                'the assert expression "frobnicate(@)" is not valid JMESPath: unknown '
                "function frobnicate() at column 1",
            ),
        ],
    ),
    (
        "wrong-argument-count",
        {"for_each": "stores", "assert": "contains(data_kinds)"},
        [
            (
                "assert",
                'the assert expression "contains(data_kinds)" is not valid JMESPath: '
                "function contains() takes 2 arguments but is given 1 (column 1)",
            ),
        ],
    ),
    (
        "too-few-variadic-arguments",
        {"for_each": "stores", "assert": "region || not_null()"},
        [
            (
                "assert",
                'the assert expression "region || not_null()" is not valid JMESPath: '
                "function not_null() takes at least 1 argument but is given 0 (column 11)",
            ),
        ],
    ),
    (
        "nested-call-checked",
        {"for_each": "sort_by(stores, &length(id, id))", "assert": "true"},
        [
            (
                "for_each",
                'the for_each expression "sort_by(stores, &length(id, id))" is not valid '
                "JMESPath: function length() takes 1 argument but is given 2 (column 18)",
            ),
        ],
    ),
    (
        "obsolete-backtick-string",
        {"for_each": "stores", "assert": "region == `eu`"},
        [
            (
                "assert",
                'the assert expression "region == `eu`" is not valid JMESPath: a string is '
                "written in backticks, an obsolete form; write strings in single quotes, "
                "such as 'eu'",
            ),
        ],
    ),
    (
        "several-fields",
        {"for_each": "[", "resource": "id(", "assert": "true"},
        [
            (
                "for_each",
                'the for_each expression "[" is not valid JMESPath: the expression ends '
                "too early (column 2)",
            ),
            (
                "resource",
                'the resource expression "id(" is not valid JMESPath: the expression ends '
                "too early (column 4)",
            ),
        ],
    ),
    ("non-strings-are-left-to-the-schema", {"for_each": 3, "assert": None}, []),
]


@pytest.mark.parametrize(
    ("clause", "expected"), [c[1:] for c in COMPILE_CASES], ids=[c[0] for c in COMPILE_CASES]
)
def test_custom_rules_compile_errors(
    clause: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    assert custom_rules.compile_errors(clause) == expected


def test_custom_rules_compile_each_expression_once() -> None:
    first = custom_rules.compile_expression("stores[?region == 'eu-central-1']")
    assert custom_rules.compile_expression("stores[?region == 'eu-central-1']") is first
    assert first.path is None
    assert custom_rules.compile_expression('a."odd key"').path == ("a", "odd key")


def test_obsolete_backticks_are_reported_every_time() -> None:
    """The jmespath library caches parses; the warning must not be lost on a second compile."""
    custom_rules.compile_expression.cache_clear()
    expression = "region == `us`"
    assert custom_rules.compile_errors({"assert": expression})
    custom_rules.compile_expression.cache_clear()
    assert custom_rules.compile_errors({"assert": expression})


# --- expressions of any shape -----------------------------------------------------------------


def plain_rule(**fields: Any) -> dict[str, Any]:
    """A rule over ``stores`` that holds for anything; a trailing ``_`` is dropped from a field
    name (``assert_`` sets ``assert``)."""
    clause = {"id": "r", "statement": "s", "for_each": "stores", "assert": "true"}
    clause.update({k.rstrip("_"): v for k, v in fields.items()})
    return clause


# --- paths of any length ----------------------------------------------------------------------


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
    clause = plain_rule(for_each="user_rights.export.formats", resource="@", assert_="@ == 'json'")
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
    observations = observe(
        custom_rules.CHECK, plain_rule(for_each=for_each, assert_="id == 'x'"), snapshot
    )
    assert [(o.status, o.resource, o.evidence) for o in observations] == [
        (P, f"{for_each}:x", evidence[0]),
        (F, f"{for_each}:y", evidence[1]),
    ]


def test_a_long_path_the_snapshot_lacks_points_at_its_nearest_parent() -> None:
    [only] = observe(custom_rules.CHECK, plain_rule(for_each="a.b.c.d"), {"a": {"b": {}}})
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
    errors, seconds = _timed(lambda: custom_rules.compile_errors(plain_rule(assert_=expression)))
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
    errors, seconds = _timed(lambda: custom_rules.compile_errors(plain_rule(for_each=expression)))
    assert [field for field, _ in errors] == ["for_each"]
    assert "is too large" in errors[0][1]
    assert len(errors[0][1]) < 400  # the message quotes the start of the expression only
    assert seconds < 0.5, f"took {seconds:.3f} s"


def test_a_huge_expression_at_check_time_is_an_error_finding() -> None:
    """``check`` meets the expression even if ``validate`` was skipped: an error, not a crash."""
    snapshot = {"stores": [{"id": "a", "region": "eu"}]}
    [only] = observe(custom_rules.CHECK, plain_rule(assert_=AND_990), snapshot)
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
    clause = plain_rule(**{"for_each" if field == "for_each" else "assert_": expression})
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(_stack_depth() + 500)
    try:
        observations = observe(custom_rules.CHECK, clause, NESTED_DATA)
    finally:
        sys.setrecursionlimit(limit)
    assert observations
    assert all("recursion" not in o.message for o in observations)


@pytest.mark.parametrize(
    ("clause", "status", "message"),
    [
        (
            plain_rule(assert_="to_string(@)"),
            E,
            'the assert expression could not be evaluated on item 0 of "stores": the value '
            "is nested too deeply to evaluate",
        ),
        (
            plain_rule(resource="to_string(@)"),
            E,
            'the resource expression "to_string(@)" could not be evaluated on item 0 of '
            '"stores": the value is nested too deeply to evaluate',
        ),
        (
            plain_rule(for_each="to_string(@)"),
            E,
            'the for_each expression "to_string(@)" could not be evaluated: the value is '
            "nested too deeply to evaluate",
        ),
        (plain_rule(resource="@", assert_="@"), P, '(nested too deeply to show) satisfies "@"'),
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
    [only] = observe(custom_rules.CHECK, clause, {"stores": [deep]})
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
    custom_rules.compile_errors(
        plain_rule(for_each=expression, resource=expression, assert_=expression)
    )
    for field in ("for_each", "resource", "assert_"):
        for observation in observe(
            custom_rules.CHECK, plain_rule(**{field: expression}), RUN_SNAPSHOT
        ):
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
    observations = observe(
        custom_rules.CHECK, plain_rule(for_each=expression, assert_="id == 'p'"), value
    )
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
            plain_rule(for_each=TYPO),
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
            plain_rule(for_each="stores[?region=='us-east-1']"),
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
            plain_rule(for_each="stores"),
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
            plain_rule(for_each="stores[?region=='us-east-1']", allow_empty=False),
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
            plain_rule(for_each="stores[?region=='us-east-1']", allow_empty=True),
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
            plain_rule(for_each="stores", allow_empty=True),
            {"stores": []},
            (
                P,
                '"stores" selects nothing, which the rule allows (allow_empty: true)',
                ("stores",),
                (),
            ),
        ),
        (
            plain_rule(for_each="sort_by(stores, &id)[?regoin]"),
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
            plain_rule(for_each="stores[?data_kind == 'x' || regoin]"),
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
    [only] = observe(custom_rules.CHECK, clause, snapshot)
    assert (only.status, only.message, only.evidence, only.clause_path) == expected
    assert (only.resource, only.actual) == ("policy", "no items")


def test_a_path_the_snapshot_lacks_is_not_evidenced_even_when_empty_is_allowed() -> None:
    """allow_empty accepts an empty list; a list the snapshot does not record is no evidence."""
    [only] = observe(
        custom_rules.CHECK, plain_rule(for_each="storse", allow_empty=True), STORES_SNAPSHOT
    )
    assert (only.status, only.message) == (
        N,
        'the snapshot records nothing at "storse", so the rule has nothing to check; no object '
        'in the snapshot has a field "storse" (did you mean "stores"?)',
    )


# --- what for_each yields ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "kind"),
    [(3, "a number"), (2.5, "a number"), ("eu", "a string"), (True, "a boolean")],
    ids=["integer", "float", "string", "boolean"],
)
def test_a_for_each_yielding_a_scalar_names_its_kind(value: Any, kind: str) -> None:
    [only] = observe(
        custom_rules.CHECK, rule(for_each="settings.value"), {"settings": {"value": value}}
    )
    assert (only.status, only.message, only.evidence, only.clause_path) == (
        E,
        f'the for_each expression "settings.value" did not yield a list (it gave {kind})',
        ("settings", "value"),
        ("for_each",),
    )


def test_items_of_a_filtered_selection_point_at_their_own_places() -> None:
    """A filter has no fixed place in the snapshot; each item it keeps is traced back, and
    named by the resource expression alone."""
    snapshot = {
        "stores": [
            {"id": "a", "region": "eu-west-1"},
            {"id": "b"},
            {"id": "c", "region": "us-east-1"},
            {"id": "d", "region": "eu-central-1"},
        ]
    }
    found = observe(custom_rules.CHECK, rule(for_each="stores[?region]", resource="id"), snapshot)
    assert [(o.status, o.resource, o.evidence) for o in found] == [
        (P, "a", ("stores", 0)),
        (F, "c", ("stores", 2)),
        (P, "d", ("stores", 3)),
    ]


# --- durations and dates ----------------------------------------------------------------------

WINDOWS: dict[str, Any] = {
    "taken": "2026-11-20T23:30:00-02:00",
    "stores": [
        {"id": "a", "retention": {"any": "100d"}, "reviewed": "2026-11-01"},
        {"id": "b", "retention": {"any": "30d"}, "reviewed": "2025-01-01"},
        {"id": "c", "retention": {"any": "indefinite"}, "reviewed": "not a date"},
        {"id": "d", "retention": {"any": "P1Y"}},
    ],
}


def _rule(expression: str) -> dict[str, Any]:
    return {"id": "r", "statement": "s", "for_each": "stores", "assert": expression}


@pytest.mark.parametrize(
    ("expression", "outcomes"),
    [
        # "kept at least 90 days": 100d passes where a list of accepted strings would fail it
        ("duration_seconds(retention.any) >= `7776000`", ["true", "false", "null", "true"]),
        ("is_indefinite(retention.any)", ["false", "false", "true", "false"]),
        ("is_indefinite(id)", ["null", "null", "null", "null"]),
        ("duration_le(retention.any, '90d')", ["false", "true", "false", "false"]),
        ("duration_le('365d', retention.any)", ["false", "false", "true", "true"]),
        ("duration_le(retention.any, 'soon')", ["null", "null", "null", "null"]),
        ("date_days(reviewed)", ["20758", "20089", "null", "null"]),
        ("days_between(reviewed, as_of())", ["20", "689", "null", "null"]),
        ("days_between(reviewed, as_of()) <= `365`", ["true", "false", "null", "null"]),
    ],
)
def test_rule_functions_read_durations_and_dates(expression: str, outcomes: list[str]) -> None:
    found = observe(custom_rules.CHECK, _rule(expression), WINDOWS)
    assert [o.actual for o in found] == outcomes


def test_date_days_of_a_date_time_counts_its_utc_date() -> None:
    rule = {**_rule("date_days(`null`)"), "for_each": "[@]", "assert": "date_days(taken)"}
    [found] = observe(custom_rules.CHECK, rule, WINDOWS)
    assert found.actual == "20778"  # 2026-11-21 in UTC: the evening of the 20th at UTC-2


def test_as_of_is_the_runs_date() -> None:
    rule = {**_rule("as_of() == '2026-11-21'"), "for_each": "[@]"}
    assert [o.status for o in observe(custom_rules.CHECK, rule, WINDOWS)] == [P]


def test_a_function_given_a_number_is_an_error_finding() -> None:
    found = observe(custom_rules.CHECK, _rule("duration_seconds(`5`)"), WINDOWS)
    assert {o.status for o in found} == {E}
    assert "duration_seconds()" in found[0].message


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("duration_le(retention.any)",
         "function duration_le() takes 2 arguments but is given 1 (column 1)"),
        ("as_of(id)", "function as_of() takes 0 arguments but is given 1 (column 1)"),
        ("duration_second(retention.any)", "unknown function duration_second() at column 1; "
         "did you mean duration_seconds()?"),
    ],
)  # fmt: skip
def test_rule_function_calls_are_checked_when_compiled(expression: str, message: str) -> None:
    assert custom_rules.compile_errors(_rule(expression)) == [
        ("assert", f'the assert expression "{expression}" is not valid JMESPath: {message}')
    ]
