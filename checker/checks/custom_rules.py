"""Custom rules: your own promise over any snapshot field, written in JMESPath.

``for_each`` is a JMESPath expression evaluated on the whole snapshot; it must yield a list of
items. For each item, ``resource`` (default ``id``) names it and ``assert`` is evaluated on it:
a true value passes, a false one fails with the clause's ``message`` (or a default naming the
assertion). Truth follows JMESPath: ``false``, ``null``, an empty list, an empty object and
an empty string are false; everything else — ``0`` included — is true.

Findings are named ``<for_each>:<resource>`` (``stores:chat-primary``) and point at the item
in the snapshot; different items of one name are errors, not judged (their findings would share
an id). When ``for_each`` finds nothing (``null``) the rule is *not evidenced*; when it
finds something that is not a list, or an expression fails on an item (a function given the
wrong type, say), the finding is an *error* with JMESPath's explanation. An empty list is not
evidenced either (a misspelt field in a filter selects nothing too: the finding names fields no
object of the snapshot has, with a "did you mean"), unless the rule says ``allow_empty: true``.
Besides JMESPath's functions, rules may call ``duration_seconds``, ``is_indefinite``,
``duration_le``, ``date_days``, ``days_between`` and ``as_of`` (durations and dates as the
checks read them: :mod:`checker.core.rule_functions`).
Expressions are compiled once; malformed ones, unknown functions and wrong argument counts are
reported by ``policy-check validate`` with the column at fault, and so are expressions too
large to parse and evaluate safely (more than 4,000 characters, or more than 100 operators and
brackets), before they are parsed.

PASS::

    # policy                                  # snapshot
    custom_rules:                             stores:
      - id: stores-in-eu                        - id: chat-primary
        for_each: "stores"                        region: eu-west-1
        assert: "starts_with(region, 'eu-')"
        message: "store is outside the EU"

FAIL: a store with ``region: us-east-1`` ("chat-primary: store is outside the EU").

Serves whatever requirement the rule's ``references`` name — GDPR Art. 44 (transfers
outside the EU) in the example above.
"""

from __future__ import annotations

import difflib
import functools
import json
import re
import warnings
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, NotRequired, TypedDict

import jmespath
from jmespath import exceptions as jmespath_errors
from jmespath.lexer import Lexer

from checker.checks.base import Check, CheckContext, Clause, Schema, nearest, words
from checker.core.diagnostics import JsonPath, PathItem
from checker.core.results import Area, Observation, Severity, Status
from checker.core.rule_functions import FUNCTION_TABLE, RuleFunctions
from checker.diff.ordering import DiffSpec, Ranked, Review

# One clause of the section: the model the check reads, and its JSON Schema fragment.
# The functional syntax, since ``assert`` is a Python keyword.
_RuleFields = TypedDict(
    "_RuleFields",
    {
        "for_each": str,
        "resource": NotRequired[str],
        "assert": str,
        "message": NotRequired[str],
        "allow_empty": NotRequired[bool],
    },
)


class CustomRulesClause(Clause, _RuleFields):
    """A rule over any snapshot field: what to judge, the assertion, and how findings read."""


SCHEMA: Schema = {
    "description": "A rule judged on each item a JMESPath expression selects from the snapshot.",
    "required": ["for_each", "assert"],
    "properties": {
        "for_each": {
            "description": (
                "JMESPath evaluated on the whole snapshot; must yield a list of resources to judge."
            ),
            "$ref": "#/$defs/text",
        },
        "resource": {
            "description": (
                "JMESPath evaluated on each item, naming it in findings (default: 'id')."
            ),
            "$ref": "#/$defs/text",
        },
        "assert": {
            "description": "JMESPath evaluated on each item; a truthy result passes.",
            "$ref": "#/$defs/text",
        },
        "message": {"description": "Message shown when an item fails.", "$ref": "#/$defs/text"},
        "allow_empty": {
            "description": (
                "Whether for_each may select nothing: when true, an empty list passes; otherwise "
                "(the default) it is not evidenced, since a misspelt field in a filter selects "
                "nothing too. A list the snapshot does not record at all is never evidence."
            ),
            "type": "boolean",
        },
    },
}


# How a change of each field reads in `policy-check diff` (checker.diff.ordering).
DIFF = DiffSpec(
    fields={
        # An expression's meaning cannot be ordered: every change is read by a person.
        "for_each": Review(why="the rule now judges other items"),
        "resource": Review(absent="id", why="findings are named differently"),
        "assert": Review(why="the rule asserts something else"),
        "message": Review(absent="", why="the failure reads differently", wording=True),
        "allow_empty": Ranked(absent=False, order=(False, True)),
    },
    match_on=("for_each", "assert"),
)


_FIELDS = ("for_each", "resource", "assert")
_FUNCTIONS: Mapping[str, Mapping[str, Any]] = FUNCTION_TABLE  # built-in and ours
_SHOWN = 60  # longest value shown in a finding's "actual"
_SHOWN_EXPRESSION = 80  # longest expression quoted whole in a message

# Expressions are parsed and evaluated by recursion, a few interpreter frames per operator, so
# their size is bounded before they are parsed: a clear error instead of a RecursionError.
# A hundred operators allow some twenty-five conditions in one rule; beyond that, split it.
MAX_EXPRESSION_LENGTH = 4000
MAX_EXPRESSION_OPERATORS = 100
_OPERATOR_TOKENS = frozenset(
    {
        "lparen", "lbracket", "lbrace", "filter", "flatten", "star", "expref",
        "and", "or", "not", "pipe", "eq", "ne", "lt", "lte", "gt", "gte",
    }
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Compiled:
    """A compiled expression, or why it does not compile.

    ``path`` is set when the expression is a plain field path (``stores``, ``a.b``): the
    snapshot path of its value, used as evidence.
    """

    source: str
    parsed: Any = None
    error: str | None = None
    path: JsonPath | None = None
    too_large: bool = False

    def search(self, data: Any, options: Any = None) -> Any:
        return self.parsed.search(data, options=options)

    def problem(self, field: str) -> str:
        """Why the ``field`` expression cannot be used, as a message for the user."""
        quoted = _quote(self.source)
        if self.too_large:
            return f"the {field} expression {quoted} is too large: {self.error}"
        return f"the {field} expression {quoted} is not valid JMESPath: {self.error}"


@functools.lru_cache(maxsize=512)
def compile_expression(expression: str) -> Compiled:
    """Compile once per distinct expression; errors are returned, not raised."""
    if len(expression) > MAX_EXPRESSION_LENGTH:
        return _too_large(
            expression,
            f"it is {len(expression):,} characters long, more than the "
            f"{MAX_EXPRESSION_LENGTH:,} allowed",
        )
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            # jmespath caches parses; tokenising anew surfaces the warning on every compile
            operators = 0
            for token in Lexer().tokenize(expression):
                if token["type"] in _OPERATOR_TOKENS:
                    operators += 1
                    if operators > MAX_EXPRESSION_OPERATORS:
                        return _too_large(
                            expression,
                            f"it has more than {MAX_EXPRESSION_OPERATORS} operators and brackets "
                            f"(the {_ordinal(operators)}, {token['value']!r}, is at column "
                            f"{int(token['start']) + 1})",
                        )
            parsed = jmespath.compile(expression)
    except jmespath_errors.JMESPathError as exc:
        return Compiled(expression, error=_syntax_problem(expression, exc))
    if any(issubclass(w.category, PendingDeprecationWarning) for w in caught):
        return Compiled(
            expression,
            error="a string is written in backticks, an obsolete form; "
            "write strings in single quotes, such as 'eu'",
        )
    problem = _function_problem(expression, parsed.parsed)
    if problem is not None:
        return Compiled(expression, error=problem)
    return Compiled(expression, parsed=parsed, path=_field_path(parsed.parsed))


def _too_large(expression: str, why: str) -> Compiled:
    return Compiled(
        expression,
        error=f"{why}; split the rule or simplify the expression",
        too_large=True,
    )


def compile_errors(clause: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``(field, message)`` for each expression of a custom rule that does not compile."""
    errors = []
    for field in _FIELDS:
        source = clause.get(field)
        if not isinstance(source, str):
            continue  # absent or of the wrong type: the schema reports it
        compiled = compile_expression(source)
        if compiled.error is not None:
            errors.append((field, compiled.problem(field)))
    return errors


def run(ctx: CheckContext[CustomRulesClause]) -> Iterator[Observation]:
    clause = ctx.clause
    for_each = compile_expression(str(clause["for_each"]))
    naming = compile_expression(str(clause.get("resource", "id")))
    assertion = compile_expression(str(clause["assert"]))
    broken = False
    for field, compiled in zip(_FIELDS, (for_each, naming, assertion), strict=True):
        if compiled.error is not None:
            broken = True
            yield Observation(
                Status.ERROR,
                "policy",
                compiled.problem(field),
                "a valid JMESPath expression",
                "expression too large" if compiled.too_large else "invalid expression",
                None,
                (field,),
            )
    if broken:
        return
    source = for_each.source
    base = for_each.path
    # Durations, dates and the run's as-of date (checker.core.rule_functions).
    functions = jmespath.Options(custom_functions=RuleFunctions(ctx.as_of))
    try:
        items = for_each.search(ctx.snapshot, functions)
    except (ValueError, TypeError, RecursionError) as exc:  # JMESPathError: ValueError
        yield _error(
            "policy",
            f'the for_each expression "{source}" could not be evaluated: {_why(exc)}',
            "a list of items",
            None,
            ("for_each",),
        )
        return
    if items is None:
        yield Observation(
            Status.NOT_EVIDENCED,
            "policy",
            f'the snapshot records nothing at "{source}", so the rule has nothing to check'
            + _unknown_fields(for_each, ctx.snapshot),
            f'a list at "{source}"',
            "not recorded in the snapshot",
            nearest(ctx.snapshot, base) if base is not None else None,
            ("for_each",),
        )
        return
    if not isinstance(items, list):
        yield _error(
            "policy",
            f'the for_each expression "{source}" did not yield a list (it gave {_kind(items)})',
            "a list of items",
            base,
            ("for_each",),
        )
        return
    expected = f'"{assertion.source}" is true'
    if not items:
        yield _selects_nothing(for_each, ctx.snapshot, clause.get("allow_empty") is True)
        return
    locate = _Locator(ctx.snapshot, base, items)
    message = clause.get("message")
    names: list[str | Exception | None] = []
    for item in items:
        try:
            names.append(_name(naming.search(item, functions), item))
        except (ValueError, TypeError, RecursionError) as exc:
            names.append(exc)
    shared = _shared_names(items, names)
    for index, (item, name) in enumerate(zip(items, names, strict=True)):
        evidence = locate(index, item)
        if isinstance(name, Exception):
            yield _error(
                f"{source}:[{index}]",
                f'the resource expression "{naming.source}" '
                f'could not be evaluated on item {index} of "{source}": {_why(name)}',
                "a name for the item",
                evidence,
                ("resource",),
            )
            continue
        if index in shared:
            yield _error(
                f"{source}:[{index}]",
                f'the resource expression "{naming.source}" names items '
                f'{words(str(i) for i in shared[index])} of "{source}" '
                f'{"both" if len(shared[index]) == 2 else "all"} "{name}", so a finding could '
                "not say which item it is about; name each item by a field that differs "
                "between them (resource: id)",
                "a name for the item that no other item has",
                evidence,
                ("resource",),
            )
            continue
        label = name if name is not None else f'item {index} of "{source}"'
        # A plain path names its items after it ("stores:chats"); a computed list's items are
        # named by the resource expression alone.
        prefix = f"{source}:" if base is not None else ""
        resource = f"{prefix}{name}" if name is not None else f"{source}:[{index}]"
        try:
            outcome = assertion.search(item, functions)
        except (ValueError, TypeError, RecursionError) as exc:
            yield _error(
                resource,
                f"the assert expression could not be evaluated on {label}: {_why(exc)}",
                expected,
                evidence,
                ("assert",),
            )
            continue
        if _truthy(outcome):
            yield Observation(
                Status.PASS,
                resource,
                f'{label} satisfies "{assertion.source}"',
                expected,
                _show(outcome),
                evidence,
                (),
            )
        else:
            text = (
                f"{label}: {message}"
                if isinstance(message, str) and message
                else f'{label} does not satisfy "{assertion.source}"'
            )
            yield Observation(
                Status.FAIL, resource, text, expected, _show(outcome), evidence, ("assert",)
            )


def _selects_nothing(for_each: Compiled, snapshot: Any, allowed: bool) -> Observation:
    """An empty selection is no evidence unless the rule says it may be empty: a misspelt
    field in a filter selects nothing, and must not pass for a rule that holds."""
    source = for_each.source
    origin = for_each.path or _source_path(for_each.parsed.parsed)
    evidence = nearest(snapshot, origin) if origin is not None else None
    if allowed:
        return Observation(
            Status.PASS,
            "policy",
            f'"{source}" selects nothing, which the rule allows (allow_empty: true)',
            "items, or none (allow_empty: true)",
            "no items",
            evidence,
            (),
        )
    return Observation(
        Status.NOT_EVIDENCED,
        "policy",
        f'"{source}" selects nothing, so there is nothing to judge'
        f"{_unknown_fields(for_each, snapshot)}; check the expression, "
        "or set allow_empty: true if the rule may select nothing",
        "at least one item (or allow_empty: true)",
        "no items",
        evidence,
        ("for_each",),
    )


def _source_path(node: Any) -> JsonPath | None:
    """The plain path a filter, projection or pipe starts from: ``stores`` for
    ``stores[?region == 'eu'].id``."""
    while isinstance(node, Mapping) and node.get("type") in _FROM_LEFT:
        node = (node.get("children") or [None])[0]
    return _field_path(node)


_FROM_LEFT = frozenset({"filter_projection", "projection", "value_projection", "flatten", "pipe"})


def _unknown_fields(compiled: Compiled, snapshot: Any) -> str:
    """``; no object in the snapshot has a field "regoin" (did you mean "region"?)`` for the
    field names of an expression that no object of the snapshot has, or ``""``."""
    names = list(dict.fromkeys(_field_names(compiled.parsed.parsed)))
    if not names:
        return ""
    keys = _all_keys(snapshot)
    missing = [name for name in names if name not in keys]
    if not missing:
        return ""
    shown = []
    for name in missing:
        close = difflib.get_close_matches(name, sorted(keys), n=1)
        shown.append(f'"{name}" (did you mean "{close[0]}"?)' if close else f'"{name}"')
    return f"; no object in the snapshot has a field {' or '.join(shown)}"


def _field_names(node: Any) -> Iterator[str]:
    pending = [node]
    while pending:
        current = pending.pop()
        if not isinstance(current, Mapping):
            continue
        if current.get("type") == "field":
            yield str(current["value"])
        pending.extend(reversed(current.get("children") or ()))


def _all_keys(data: Any) -> set[str]:
    keys: set[str] = set()
    pending = [data]
    while pending:
        node = pending.pop()
        if isinstance(node, Mapping):
            keys.update(str(k) for k in node)
            pending.extend(v for v in node.values() if isinstance(v, (Mapping, list)))
        elif isinstance(node, list):
            pending.extend(v for v in node if isinstance(v, (Mapping, list)))
    return keys


class _Locator:
    """The snapshot path of each item ``for_each`` yields, when there is one."""

    __slots__ = ("base", "data", "index", "items")

    def __init__(self, data: Any, base: JsonPath | None, items: list[Any]) -> None:
        self.data = data
        self.base = base
        self.items = items
        self.index: dict[int, JsonPath] | None = None

    def __call__(self, position: int, item: Any) -> JsonPath | None:
        if self.base is not None:
            return (*self.base, position)
        if not isinstance(item, (Mapping, list)):
            return None  # scalars have no identity to trace back
        if self.index is None:
            wanted = {id(i) for i in self.items if isinstance(i, (Mapping, list))}
            self.index = _paths_by_identity(self.data, wanted)
        return self.index.get(id(item))


def _paths_by_identity(data: Any, wanted: set[int]) -> dict[int, JsonPath]:
    """Where the wanted objects sit in the snapshot: filters and projections hand back the
    snapshot's own objects, so an item can be traced by identity. Breadth first, stopping
    once all are found, so items near the top cost little even in a huge snapshot."""
    index: dict[int, JsonPath] = {}
    queue: deque[tuple[JsonPath, Any]] = deque([((), data)])
    while queue and len(index) < len(wanted):
        path, node = queue.popleft()
        if isinstance(node, Mapping):
            children: Iterable[tuple[PathItem, Any]] = ((str(k), v) for k, v in node.items())
        elif isinstance(node, list):
            children = enumerate(node)
        else:
            continue
        if id(node) in wanted:
            index.setdefault(id(node), path)
        queue.extend(
            ((*path, key), value) for key, value in children if isinstance(value, (Mapping, list))
        )
    return index


def _error(
    resource: str,
    message: str,
    expected: str,
    evidence: JsonPath | None,
    clause_path: JsonPath,
) -> Observation:
    return Observation(Status.ERROR, resource, message, expected, "error", evidence, clause_path)


def _ordinal(number: int) -> str:
    if number % 100 in (11, 12, 13):
        return f"{number}th"
    return f"{number}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(number % 10, 'th') }"


def _quote(source: str) -> str:
    """An expression in double quotes, its start only when it is long."""
    if len(source) <= _SHOWN_EXPRESSION:
        return f'"{source}"'
    return f'"{source[: _SHOWN_EXPRESSION - 1]}…"'


def _syntax_problem(expression: str, exc: Exception) -> str:
    if isinstance(exc, jmespath_errors.EmptyExpressionError):
        return "the expression is empty"
    if isinstance(exc, jmespath_errors.IncompleteExpressionError):
        return f"the expression ends too early (column {len(expression) + 1})"
    if isinstance(exc, jmespath_errors.LexerError):
        text = str(exc.message)
        return f"{text[:1].lower()}{text[1:]} at column {int(exc.lexer_position) + 1}"
    if isinstance(exc, jmespath_errors.ParseError):
        column = int(exc.lex_position) + 1
        if exc.token_type == "EOF":
            return f"the expression ends too early (column {column})"
        return f"unexpected {exc.token_value!r} at column {column}"
    return str(exc)


def _function_problem(expression: str, node: Any) -> str | None:
    """Unknown functions and wrong argument counts, which jmespath only finds when it runs."""
    for name, given in _calls(node):
        column = _column_of_call(expression, name)
        spec = _FUNCTIONS.get(name)
        if spec is None:
            close = difflib.get_close_matches(name, list(_FUNCTIONS), n=1)
            hint = f"; did you mean {close[0]}()?" if close else ""
            return f"unknown function {name}() at column {column}{hint}"
        signature = spec["signature"]
        wanted = len(signature)
        variadic = bool(signature) and bool(signature[-1].get("variadic"))
        if (given < wanted) if variadic else (given != wanted):
            least = "at least " if variadic else ""
            noun = "argument" if wanted == 1 else "arguments"
            return (
                f"function {name}() takes {least}{wanted} {noun} but is given {given} "
                f"(column {column})"
            )
    return None


def _calls(node: Any) -> Iterator[tuple[str, int]]:
    if not isinstance(node, Mapping):
        return
    if node.get("type") == "function_expression":
        yield str(node["value"]), len(node["children"])
    for child in node.get("children") or ():
        yield from _calls(child)


def _column_of_call(expression: str, name: str) -> int:
    match = re.search(rf"(?<![\w]){re.escape(name)}\s*\(", expression)
    return match.start() + 1 if match else 1


def _field_path(node: Any) -> JsonPath | None:
    """The snapshot path a plain path expression reads, or None for anything else.

    ``stores`` -> ("stores",); ``user_rights.export.formats`` -> ("user_rights", "export",
    "formats"); ``a[0].b`` -> ("a", 0, "b"). Indexes counted from the end, filters,
    projections, pipes and functions have no single place in the snapshot."""
    if not isinstance(node, Mapping):
        return None
    kind = node.get("type")
    if kind == "field":
        return (str(node["value"]),)
    if kind == "index" and isinstance(node.get("value"), int) and node["value"] >= 0:
        return (int(node["value"]),)
    if kind in ("subexpression", "index_expression"):
        path: JsonPath = ()
        for child in node.get("children") or ():
            part = _field_path(child)
            if part is None:
                return None
            path = (*path, *part)
        return path or None
    return None


def _shared_names(items: list[Any], names: list[str | Exception | None]) -> dict[int, list[int]]:
    """The items whose name another, different item has, each with every item of that name.

    Findings, waivers and baselines know a resource by its name: two items of one name would
    share a finding id, and a baseline accepting one's failure would accept the other's. Equal
    items (a region listed twice) are judged alike, so they may share their name.
    """
    by_name: dict[str, list[int]] = {}
    for index, name in enumerate(names):
        if isinstance(name, str):
            by_name.setdefault(name, []).append(index)
    shared: dict[int, list[int]] = {}
    for indices in by_name.values():
        if any(items[i] != items[indices[0]] for i in indices[1:]):
            shared.update((i, indices) for i in indices)
    return shared


def _truthy(value: Any) -> bool:
    """JMESPath truth: false, null, and empty strings, lists and objects are false."""
    if value is None or value is False:
        return False
    return not (isinstance(value, (str, list, Mapping)) and len(value) == 0)


def _name(value: Any, item: Any) -> str | None:
    """The item's name: the resource expression's value, or a scalar item itself."""
    if value is None:
        value = item if isinstance(item, (str, int, float)) else None
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return _show(value)


def _why(exc: Exception) -> str:
    if isinstance(exc, RecursionError):
        return "the value is nested too deeply to evaluate"
    return str(exc)


def _show(value: Any) -> str:
    try:
        text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    except RecursionError:
        return "(nested too deeply to show)"
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"


def _kind(value: Any) -> str:
    """The JMESPath type name of a value, for messages."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, Mapping):
        return "an object"
    return f"a {type(value).__name__}"


CHECK = Check(
    id="custom_rules",
    order=150,
    area=Area("custom", "Custom rules", listed_when_empty=False),
    title="Custom rules",
    default_severity=Severity.MEDIUM,
    description="Company rules over any snapshot field, written in JMESPath.",
    clause_type=CustomRulesClause,
    schema=SCHEMA,
    in_frameworks=False,  # user-written rules: no regulation is known to them
    remediation=(
        "Change the snapshot field the rule selects to the value the rule requires, or fix the "
        "rule if it selects the wrong field."
    ),
    diff=DIFF,
    run=run,
    doc=__doc__ or "",
)
