"""The JsonLogic subset of flagd targeting, evaluated for a context that holds one attribute.

Operators: ``if`` (and ``?:``), ``==``, ``===``, ``!=``, ``!==``, ``!``, ``!!``, ``and``, ``or``,
``in`` (membership in a list, substring of a string), ``var``, flagd's ``starts_with`` and
``ends_with``, and ``$ref`` to the export's ``$evaluators``. Semantics follow json-logic-js, the
reference implementation: ``==`` compares loosely as JavaScript does, ``===`` strictly, an empty
list is false.

Evaluation is three-valued. What the tier alone cannot decide — another attribute of the
context, ``fractional`` (a percentage rollout), an operator not listed above — evaluates to an
:class:`~checker.adapters.flag_rules.Unknown` that names the reason and the place. Where only
truth matters (a condition, the operand of ``!``), ``and`` and ``or`` still decide when a known
operand settles them; as a value (a variant name) they are unknown when an unknown operand comes
first, since ``or`` gives its first true operand and ``and`` its first false one, which the
unknown one may be. :func:`branches` follows both ways of an ``if`` whose condition is unknown,
so that a flag whose every path gives the same variant is still evidenced. Nothing unknown is
ever read as true or false.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from checker.adapters.flag_rules import Unknown, describe
from checker.core.diagnostics import JsonPath
from checker.documents.problems import shown

MAX_DEPTH = 64  # nesting of expressions and $ref chains; beyond it, not evidenced
MAX_BRANCHES = 64  # possible results of one targeting; beyond it, not evidenced

_UNDECIDED_OPERATORS = {
    "fractional": "a fractional split (percentage rollout) picks the variant by hashing the "
    "context, which no tier alone decides",
    "sem_ver": "sem_ver compares a version from the context",
}


@dataclass(frozen=True, slots=True)
class Scope:
    """What an expression may read: the tier attribute, the flag key, the evaluators."""

    attribute: str
    value: str
    flag_key: str
    evaluators: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Branch:
    """One possible result of a targeting expression, where it is written, and the undecided
    conditions on the way to it."""

    value: Any
    path: JsonPath
    assumes: tuple[Unknown, ...] = ()


def truthy(value: Any) -> bool:
    """JsonLogic truth: JavaScript's, except that an empty list is false."""
    if isinstance(value, list):
        return bool(value)
    if isinstance(value, dict):
        return True
    return bool(value)


def branches(expr: Any, path: JsonPath, scope: Scope) -> list[Branch]:
    """Every result ``expr`` may have for the scope's tier (one when all is decided)."""
    found = _Evaluator(scope).branches(expr, path, (), 0)
    if len(found) > MAX_BRANCHES:
        reason = f"the targeting has more than {MAX_BRANCHES} undecided paths"
        return [Branch(Unknown(reason, path), path)]
    return found


def evaluate(expr: Any, path: JsonPath, scope: Scope) -> Any:
    """The value of ``expr``, or an ``Unknown``."""
    return _Evaluator(scope).evaluate(expr, path, 0)


def _operation(expr: Any) -> tuple[str, Any] | None:
    """``(operator, arguments)`` when ``expr`` is an operation (an object with one key)."""
    if isinstance(expr, dict) and len(expr) == 1:
        ((op, args),) = expr.items()
        return op, args
    return None


def _arguments(args: Any, path: JsonPath) -> list[tuple[Any, JsonPath]]:
    """Arguments with their paths; a lone argument may be written without the list."""
    if isinstance(args, list):
        return [(arg, (*path, i)) for i, arg in enumerate(args)]
    return [(args, path)]


def _number(value: Any) -> float | None:
    """JavaScript's ToNumber for the loose comparison, ``None`` for NaN."""
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return 0.0
        try:
            return float(text)
        except ValueError:
            return None
    return None


def loose_equal(a: Any, b: Any) -> bool:
    """JavaScript ``==`` on JSON scalars (lists and objects are not compared loosely here)."""
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, str) and isinstance(b, str):
        return a == b
    x, y = _number(a), _number(b)
    return x is not None and y is not None and x == y


def strict_equal(a: Any, b: Any) -> bool:
    """JavaScript ``===`` on JSON values (lists and objects only equal themselves)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    if isinstance(a, list | dict) or isinstance(b, list | dict):
        return a is b
    return type(a) is type(b) and a == b


def _text(value: Any) -> str:
    """A value from the file for a message: text quoted, anything else as JSON writes it."""
    if isinstance(value, str):
        return shown(value, 40)
    return describe(value)


@dataclass(frozen=True, slots=True)
class _Evaluator:
    scope: Scope

    # -- branching at the top of a targeting ---------------------------------------------

    def branches(
        self, expr: Any, path: JsonPath, assumes: tuple[Unknown, ...], depth: int
    ) -> list[Branch]:
        if depth > MAX_DEPTH:
            return [Branch(Unknown("the targeting is nested too deeply", path), path, assumes)]
        resolved = self._resolve_ref(expr, path)
        if isinstance(resolved, Unknown):
            return [Branch(resolved, resolved.path, assumes)]
        if resolved is not None:
            return self.branches(*resolved, assumes, depth + 1)
        operation = _operation(expr)
        if operation is None or operation[0] not in ("if", "?:"):
            return [Branch(self.evaluate(expr, path, depth), path, assumes)]
        args = _arguments(operation[1], (*path, operation[0]))
        found: list[Branch] = []
        i = 0
        while i + 1 < len(args):
            condition = self.condition(*args[i], depth + 1)
            if isinstance(condition, Unknown):
                found += self.branches(*args[i + 1], (*assumes, condition), depth + 1)
                assumes = (*assumes, condition)
            elif truthy(condition):
                return found + self.branches(*args[i + 1], assumes, depth + 1)
            i += 2
        if i < len(args):
            return found + self.branches(*args[i], assumes, depth + 1)
        return [*found, Branch(None, path, assumes)]

    def _resolve_ref(self, expr: Any, path: JsonPath) -> tuple[Any, JsonPath] | Unknown | None:
        """What a ``{"$ref": name}`` stands for, with its path in ``$evaluators``."""
        operation = _operation(expr)
        if operation is None or operation[0] != "$ref":
            return None
        name = operation[1]
        if not isinstance(name, str) or name not in self.scope.evaluators:
            reason = f"$ref names {_text(name)}, which the export's $evaluators does not define"
            return Unknown(reason, (*path, "$ref"))
        return self.scope.evaluators[name], ("$evaluators", name)

    # -- values ----------------------------------------------------------------------------

    def evaluate(self, expr: Any, path: JsonPath, depth: int) -> Any:
        if depth > MAX_DEPTH:
            return Unknown("the targeting is nested too deeply", path)
        if isinstance(expr, list):
            items = [self.evaluate(item, (*path, i), depth + 1) for i, item in enumerate(expr)]
            return next((item for item in items if isinstance(item, Unknown)), items)
        operation = _operation(expr)
        if operation is None:
            return expr
        op, raw = operation
        resolved = self._resolve_ref(expr, path)
        if resolved is not None:
            if isinstance(resolved, Unknown):
                return resolved
            return self.evaluate(*resolved, depth + 1)
        args = _arguments(raw, (*path, op))
        where = (*path, op)
        if op in ("if", "?:"):
            return self._if(args, where, depth)
        if op in ("and", "or"):
            return self._and_or(op == "and", args, where, depth, truth=False)
        if op in ("!", "!!"):
            value = self.condition(*args[0], depth + 1) if args else None
            return value if isinstance(value, Unknown) else truthy(value) == (op == "!!")
        if op == "var":
            return self._var(args, where, depth)
        handler = _STRICT_OPERATORS.get(op)
        if handler is None:
            reason = _UNDECIDED_OPERATORS.get(op, f"operator {_text(op)} is not evaluated")
            return Unknown(reason, where)
        values = [self.evaluate(arg, p, depth + 1) for arg, p in args]
        unknown = next((v for v in values if isinstance(v, Unknown)), None)
        if unknown is not None:
            return unknown
        return handler(values, where)

    def condition(self, expr: Any, path: JsonPath, depth: int) -> Any:
        """``expr`` where only its truth matters: an ``and`` or ``or`` there is settled by a
        known operand even beside an unknown one (its value may still be the unknown one's)."""
        if depth > MAX_DEPTH:
            return Unknown("the targeting is nested too deeply", path)
        resolved = self._resolve_ref(expr, path)
        if isinstance(resolved, Unknown):
            return resolved
        if resolved is not None:
            return self.condition(*resolved, depth + 1)
        operation = _operation(expr)
        if operation is None or operation[0] not in ("and", "or"):
            return self.evaluate(expr, path, depth)
        op, raw = operation
        return self._and_or(
            op == "and", _arguments(raw, (*path, op)), (*path, op), depth, truth=True
        )

    def _if(self, args: list[tuple[Any, JsonPath]], where: JsonPath, depth: int) -> Any:
        i = 0
        while i + 1 < len(args):
            condition = self.condition(*args[i], depth + 1)
            if isinstance(condition, Unknown):
                return condition
            if truthy(condition):
                return self.evaluate(*args[i + 1], depth + 1)
            i += 2
        return self.evaluate(*args[i], depth + 1) if i < len(args) else None

    def _and_or(
        self,
        is_and: bool,
        args: list[tuple[Any, JsonPath]],
        where: JsonPath,
        depth: int,
        *,
        truth: bool,
    ) -> Any:
        """``and`` gives its first false operand, ``or`` its first true one, else the last. An
        unknown operand before the one that settles it may be the one given: it is skipped over
        only when just the ``truth`` of the result matters."""
        if not args:
            return Unknown(f"{'and' if is_and else 'or'} without operands", where)
        read = self.condition if truth else self.evaluate
        first_unknown: Unknown | None = None
        value: Any = None
        for arg, path in args:
            value = read(arg, path, depth + 1)
            if isinstance(value, Unknown):
                first_unknown = first_unknown or value
            elif truthy(value) != is_and:
                return value if truth or first_unknown is None else first_unknown
        return first_unknown if first_unknown is not None else value

    def _var(self, args: list[tuple[Any, JsonPath]], where: JsonPath, depth: int) -> Any:
        if not args:
            return Unknown("var without a name reads the whole context", where)
        name = self.evaluate(*args[0], depth + 1)
        if isinstance(name, Unknown):
            return name
        if name == self.scope.attribute:
            return self.scope.value
        if name == "$flagd.flagKey":
            return self.scope.flag_key
        what = (
            "the whole evaluation context"
            if name in ("", None, [])
            else (f"{_text(name)} from the evaluation context")
        )
        return Unknown(
            f"it reads {what}, which the tier alone does not give "
            f"(only {_text(self.scope.attribute)} is known)",
            where,
        )


def _two(values: list[Any], where: JsonPath, op: str) -> tuple[Any, Any] | Unknown:
    if len(values) != 2:
        return Unknown(f"{op} needs two operands, not {len(values)}", where)
    return values[0], values[1]


def _compare(op: str, equal: bool, strict: bool) -> Callable[[list[Any], JsonPath], Any]:
    def compare(values: list[Any], where: JsonPath) -> Any:
        pair = _two(values, where, op)
        if isinstance(pair, Unknown):
            return pair
        if not strict and any(isinstance(v, list | dict) for v in pair):
            return Unknown(f"{op} compares a list or an object, which JavaScript converts", where)
        same = strict_equal(*pair) if strict else loose_equal(*pair)
        return same if equal else not same

    return compare


def _in(values: list[Any], where: JsonPath) -> Any:
    pair = _two(values, where, "in")
    if isinstance(pair, Unknown):
        return pair
    needle, haystack = pair
    if isinstance(haystack, list):
        return any(strict_equal(needle, item) for item in haystack)
    if isinstance(haystack, str) and isinstance(needle, str):
        return needle in haystack
    if isinstance(haystack, str):
        return Unknown(f"in looks for {_text(needle)}, not text, in text", where)
    return False


def _affix(op: str) -> Callable[[list[Any], JsonPath], Any]:
    def affix(values: list[Any], where: JsonPath) -> Any:
        pair = _two(values, where, op)
        if isinstance(pair, Unknown):
            return pair
        text, part = pair
        if not isinstance(text, str) or not isinstance(part, str):
            return Unknown(f"{op} compares {_text(text)} and {_text(part)}, not two texts", where)
        return text.startswith(part) if op == "starts_with" else text.endswith(part)

    return affix


_STRICT_OPERATORS: dict[str, Callable[[list[Any], JsonPath], Any]] = {
    "==": _compare("==", equal=True, strict=False),
    "!=": _compare("!=", equal=False, strict=False),
    "===": _compare("===", equal=True, strict=True),
    "!==": _compare("!==", equal=False, strict=True),
    "in": _in,
    "starts_with": _affix("starts_with"),
    "ends_with": _affix("ends_with"),
}
"""Operators whose operands are all evaluated first (an unknown operand makes them unknown)."""
