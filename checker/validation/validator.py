"""Validate documents against their schemas, with errors a person can act on.

Every error names ``file:line:col`` and the JSON path, the most relevant error comes first
(``jsonschema``'s relevance), misspelt keys and enum values get a "did you mean", and YAML 1.1
surprises (``no`` read as false, ``012`` as octal, unquoted dates) are explained where the
schema expects text. Large valid documents take a fast path through ``jsonschema-rs``; the
pure-Python validator only runs to explain a document that is invalid.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
from collections.abc import Callable, Iterable
from functools import cache
from typing import Any

import jsonschema
import jsonschema_rs
from jsonschema.exceptions import ValidationError, relevance

from checker.core.countries import country_problem, is_country
from checker.core.dates import calendar_date
from checker.core.diagnostics import Diagnostic, JsonPath, Level, Position
from checker.core.durations import (
    DURATION_PATTERN,
    DurationError,
    is_duration,
    parse_duration,
)
from checker.documents.document import Document, Surprise
from checker.validation import versions
from checker.validation.schemas import allowed_keys, expects_text, load_schema


def _is_date(value: object) -> bool:
    return not isinstance(value, str) or calendar_date(value) is not None


def _is_datetime(value: object) -> bool:
    if not isinstance(value, str):
        return True
    try:
        dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


FORMATS: dict[str, Callable[[object], bool]] = {
    "duration": is_duration,
    "date": _is_date,
    "date-time": _is_datetime,
    "country": is_country,
}


# The formats the fast path checks with a Python callback: a date is checked by the
# validator's own (RFC 3339 full-date), in Rust, with year 0000 (which it takes and Python's
# calendar does not) refused by a pattern.
_FAST_FORMATS = {name: check for name, check in FORMATS.items() if name != "date"}


@cache
def _fast_validator(kind: str) -> Any:
    """The validator of the fast path: exact for every keyword, but durations and dates are
    checked without a Python callback per value (durations by a pattern: half the time of
    validating a large snapshot; dates by the validator's own format: 50,000 stores in 0.10 s
    instead of 0.12 to 0.15 s). Each accepts only what the full validator accepts, maybe not
    all of it: a document it rejects is judged again by the full validator, with
    :func:`is_duration` and :func:`_is_date`."""
    schema = _fast_schema(kind)
    return jsonschema_rs.validator_for(schema, formats=_FAST_FORMATS, validate_formats=True)


@cache
def _fast_schema(kind: str) -> dict[str, Any]:
    """The schema of ``kind`` as the fast path reads it (see :func:`_fast_validator`)."""
    return dict(_fast_formats(load_schema(kind)))


# Items of a long top-level list are validated this many at a time (see _fast_is_valid).
CHUNK = 5_000


def _fast_is_valid(kind: str, data: Any) -> bool:
    """Whether ``data`` is valid, by the fast path, in bounded memory.

    ``jsonschema-rs`` copies what it validates into values of its own: for a snapshot of a
    million stores, a second copy of the whole document, over a gigabyte. A top-level list whose
    schema only says that it is a list of items of one schema (``stores``, ``pipelines``…) is
    therefore validated a chunk of items at a time, after the document with those lists
    emptied: the same verdict, with a copy of one chunk at a time.
    """
    chunked = _chunked_lists(kind)
    long = (
        [k for k, v in data.items() if k in chunked and isinstance(v, list) and len(v) > CHUNK]
        if isinstance(data, dict)
        else []
    )
    if not _fast_validator(kind).is_valid({**data, **{key: [] for key in long}} if long else data):
        return False
    for key in long:
        items, validator = data[key], _fast_items_validator(kind, key)
        for start in range(0, len(items), CHUNK):
            if not validator.is_valid(items[start : start + CHUNK]):
                return False
    return True


@cache
def _chunked_lists(kind: str) -> frozenset[str]:
    """Top-level members whose schema says only: a list of items of one schema."""
    properties = load_schema(kind).get("properties", {})
    return frozenset(
        key
        for key, node in properties.items()
        if isinstance(node, dict)
        and set(node) - {"description"} == {"type", "items"}
        and node["type"] == "array"
    )


@cache
def _fast_items_validator(kind: str, key: str) -> Any:
    """The fast validator of a list of the items of top-level member ``key``."""
    root = _fast_schema(kind)
    schema = {
        "$schema": root.get("$schema"),
        "$defs": root.get("$defs", {}),
        "type": "array",
        "items": root["properties"][key]["items"],
    }
    return jsonschema_rs.validator_for(schema, formats=_FAST_FORMATS, validate_formats=True)


def store_validator() -> Callable[[list[Any]], bool]:
    """Whether a list of snapshot stores is valid, by the fast path (a store it rejects may
    still be valid: judge the whole document with :func:`validate_document` to know)."""
    is_valid: Callable[[list[Any]], bool] = _fast_items_validator("snapshot", "stores").is_valid
    return is_valid


_NOT_YEAR_ZERO = {"not": {"type": "string", "pattern": "^0000"}}


def _fast_formats(node: Any) -> Any:
    """A copy of the schema ``node`` with ``format: duration`` replaced by its pattern, and
    ``format: date`` held also to a year other than 0000 (see :func:`_fast_validator`)."""
    if isinstance(node, list):
        return [_fast_formats(item) for item in node]
    if not isinstance(node, dict):
        return node
    copy = {key: _fast_formats(value) for key, value in node.items()}
    if copy.get("format") == "duration":
        del copy["format"]
        fast = {"pattern": DURATION_PATTERN, "maxLength": 64}
        if "pattern" in copy or "maxLength" in copy:  # keep both: each must hold
            copy = {"allOf": [copy, fast]}
        else:
            copy.update(fast)
    elif copy.get("format") == "date":
        copy = {"allOf": [copy, _NOT_YEAR_ZERO]}
    return copy


@cache
def _full_validator(kind: str) -> jsonschema.protocols.Validator:
    checker = jsonschema.FormatChecker(formats=())
    for name, func in FORMATS.items():
        checker.checks(name)(func)
    schema = load_schema(kind)
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=checker)


def validate_document(doc: Document, kind: str) -> list[Diagnostic]:
    """All problems of ``doc`` read as a document of ``kind``; empty when it is valid.

    A policy is read with the schema of its language version (:mod:`.versions`)."""
    schema = versions.schema_kind(doc.data) if kind == "policy" else kind
    root = load_schema(schema)
    diagnostics = _surprise_diagnostics(doc, root)
    flagged = {d.location.path for d in diagnostics}
    if not _fast_is_valid(schema, doc.data):
        errors = sorted(_full_validator(schema).iter_errors(doc.data), key=relevance, reverse=True)
        seen: set[tuple[JsonPath, str]] = set()
        for error in _leaves(errors):
            diagnostic = _explain(doc, root, error)
            key = (diagnostic.location.path, diagnostic.message)
            if diagnostic.location.path in flagged or key in seen:
                continue
            seen.add(key)
            diagnostics.append(diagnostic)
        if schema != versions.SCHEMA_KINDS[versions.CURRENT]:
            diagnostics = versions.explain_v2_features(doc, diagnostics, _v2_errors(doc.data))
        elif kind == "policy":
            diagnostics = versions.explain_unknown_version(diagnostics)
    if kind == "policy" and not any(d.level is Level.ERROR for d in diagnostics):
        diagnostics.extend(_policy_semantics(doc))
    if kind == "waivers" and not any(d.level is Level.ERROR for d in diagnostics):
        from checker.evaluation.waivers import waiver_diagnostics

        diagnostics.extend(waiver_diagnostics(doc))
    return _ordered(diagnostics)


def _v2_errors(data: Any) -> list[JsonPath]:
    """Where the current policy schema finds errors in ``data`` read as its version."""
    current = versions.SCHEMA_KINDS[versions.CURRENT]
    upgraded = {**data, "policy_checker": versions.CURRENT}
    return [tuple(e.absolute_path) for e in _full_validator(current).iter_errors(upgraded)]


def _ordered(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """The most relevant first (kept as found), then the rest in file order."""
    if len(diagnostics) < 2:
        return diagnostics
    first, rest = diagnostics[0], diagnostics[1:]
    rest.sort(key=lambda d: (_line_col(d.location.position), d.message))
    return [first, *rest]


def _line_col(position: Position | None) -> tuple[int, int]:
    return (position.line, position.column) if position else (0, 0)


def _leaves(errors: Iterable[ValidationError]) -> Iterable[ValidationError]:
    """Descend into anyOf/oneOf to the error that explains the most (``best_match``)."""
    for error in errors:
        if _one_of_keys(error):
            yield error
        elif error.context and error.validator in ("anyOf", "oneOf"):
            best = jsonschema.exceptions.best_match(error.context)
            yield best if best is not None else error
        else:
            yield error


def _one_of_keys(error: ValidationError) -> list[str]:
    """The keys of an ``anyOf`` whose branches each only require a key ("one of these")."""
    branches: Any = error.validator_value
    if error.validator != "anyOf" or not isinstance(branches, list):
        return []
    keys = []
    for branch in branches:
        if not (isinstance(branch, dict) and set(branch) == {"required"}):
            return []
        keys.extend(branch["required"])
    return keys


IDENTIFIER_HINT = "use lower-case letters, digits, '_' and '-', starting with a letter"
BLANK_PATTERN = r"\S"  # the schemas' way of saying "text that is not blank"


def _explain(doc: Document, root: dict[str, Any], error: ValidationError) -> Diagnostic:
    path: JsonPath = tuple(error.absolute_path)
    validator = error.validator
    instance: Any = error.instance
    schema: Any = error.schema
    value: Any = error.validator_value
    code = f"schema-{validator}"
    message = error.message
    if validator in ("additionalProperties", "unevaluatedProperties"):
        extra = sorted(set(instance) - set(allowed_keys(schema, root)))
        if extra:
            key = extra[0]
            options = allowed_keys(schema, root)
            message = f"unknown key '{key}'" + _did_you_mean(key, options)
            if not _did_you_mean(key, options) and options:
                message += f" (allowed: {', '.join(options)})"
            return Diagnostic(doc.locate((*path, key), key=True), message, "schema-unknown-key")
    elif validator == "required":
        missing = [f"'{k}'" for k in value if k not in instance]
        noun = "key" if len(missing) == 1 else "keys"
        message = f"missing required {noun} {', '.join(missing)}"
    elif validator == "enum":
        options = [str(v) for v in value]
        message = f"{_literal(instance)} is not one of {', '.join(options)}" + _did_you_mean(
            str(instance), options
        )
    elif keys := _one_of_keys(error):
        message = f"needs at least one of {', '.join(repr(k) for k in keys)}"
        if "properties" not in schema and isinstance(schema.get("description"), str):
            message += f": {schema['description']}"  # how to write each (an allOf member's)
        code = "schema-required"
    elif validator == "pattern" and value == BLANK_PATTERN and path:
        message = f"'{path[-1]}' is blank: write it out (spaces alone do not count)"
        code = "schema-blank"
    elif validator == "pattern" and str(value).startswith("^[a-z]"):
        message = f"{instance!r} is not a valid identifier: {IDENTIFIER_HINT}"
        if "propertyNames" in error.schema_path:  # the key itself is at fault: point at it
            return Diagnostic(doc.locate((*path, instance), key=True), message, code)
    elif validator == "not" and "dependentSchemas" in error.schema_path:
        schema_path = list(error.schema_path)
        trigger = schema_path[schema_path.index("dependentSchemas") + 1]
        clash = next((k for k in value.get("required", ()) if k in instance), None)
        if clash is not None:
            message = f"'{clash}' cannot be used together with '{trigger}'; keep one of them"
            return Diagnostic(doc.locate((*path, clash), key=True), message, "schema-conflict")
    elif validator == "format" and value == "date-time":
        message = (
            f"{instance!r} is not a date and time: write ISO 8601, e.g. '2026-11-01T09:30:00Z'"
        )
    elif validator == "const":
        message = f"must be {_literal(value)}, found {_literal(instance)}"
    elif validator == "format" and value == "duration":
        try:
            parse_duration(instance)
        except DurationError as exc:
            message = str(exc)
    elif validator == "format" and value == "country":
        message = country_problem(instance)
    elif validator == "format" and value == "date":
        message = f"{instance!r} is not a date: write YYYY-MM-DD, e.g. '2026-01-31'"
    elif validator == "type":
        message = f"expected {_type_words(value)}, found {_json_type(instance)}"
    elif validator == "uniqueItems" and isinstance(instance, list):
        return _duplicate_item(doc, path, instance) or Diagnostic(doc.locate(path), message, code)
    elif validator == "additionalItems" or validator == "uniqueItems":
        message = error.message
    return Diagnostic(doc.locate(path), message, code)


def _duplicate_item(doc: Document, path: JsonPath, items: list[Any]) -> Diagnostic | None:
    """A list item equal to an earlier one: point at the second, name the first's line."""
    seen: dict[str, int] = {}
    for index, item in enumerate(items):
        key = json.dumps(item, sort_keys=True, default=str)
        first = seen.setdefault(key, index)
        if first == index:
            continue
        earlier = doc.locate((*path, first))
        where = f"line {earlier.position.line}" if earlier.position else earlier.json_path
        shown = repr(item) if isinstance(item, str) else "entry"
        return Diagnostic(
            doc.locate((*path, index)),
            f"duplicate {shown}: already listed at {where}",
            "schema-uniqueItems",
        )
    return None


def _literal(value: object) -> str:
    """A value as a document spells it: text quoted, ``true``, ``false``, ``null``, numbers."""
    if isinstance(value, str):
        return repr(value)
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return repr(value)


def _did_you_mean(word: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def _type_words(value: object) -> str:
    names = value if isinstance(value, list) else [value]
    words = {
        "object": "a mapping",
        "array": "a list",
        "string": "text",
        "integer": "a whole number",
        "number": "a number",
        "boolean": "true or false",
        "null": "null",
    }
    return " or ".join(words.get(str(n), str(n)) for n in names)


def _json_type(value: object) -> str:
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "null"
    if isinstance(value, int | float):
        return f"the number {value}"
    return f"the text {value!r}"


_SURPRISE_WORDS = {
    "bool": "the boolean {value}",
    "octal": "the number {value}",
    "sexagesimal": "the number {value} (base 60)",
    "float": "the number {value}",
    "date": "a date",
}


def _surprise_diagnostics(doc: Document, root: dict[str, Any]) -> list[Diagnostic]:
    """YAML 1.1 reads these plain scalars differently from how they look; where the schema
    wants text, say so and show the fix."""
    out = []
    ordered = sorted(doc.surprises.items(), key=lambda kv: _line_col(doc.locate(kv[0]).position))
    for path, surprise in ordered:
        wants_text, wants_date = expects_text(root, path)
        if not wants_text or (surprise.kind == "date" and wants_date):
            continue
        out.append(Diagnostic(doc.locate(path), _surprise_message(surprise), "yaml-1.1-surprise"))
    return out


def _surprise_message(surprise: Surprise) -> str:
    value = str(surprise.value).lower() if isinstance(surprise.value, bool) else surprise.value
    reading = _SURPRISE_WORDS.get(surprise.kind, "a non-text value").format(value=value)
    return (
        f"{surprise.text} is read as {reading} by YAML 1.1, but text is expected here; "
        f'quote it: "{surprise.text}"'
    )


def _policy_semantics(doc: Document) -> list[Diagnostic]:
    """Rules beyond the schema: references, duplicate ids, contradictions, custom rules."""
    from checker.checks.custom_rules import compile_errors
    from checker.validation.policy_rules import semantic_diagnostics

    diagnostics = list(semantic_diagnostics(doc))
    for index, clause in enumerate(doc.data.get("custom_rules") or ()):
        for field, message in compile_errors(clause):
            diagnostics.append(
                Diagnostic(
                    doc.locate(("custom_rules", index, field)), message, "custom-rule-expression"
                )
            )
    return diagnostics
