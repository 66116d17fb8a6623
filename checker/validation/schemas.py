"""The shipped JSON Schemas: loading them from the package, and where a path lands in one."""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from importlib import resources
from typing import Any

from checker.core.diagnostics import JsonPath


@cache
def load_schema(kind: str) -> dict[str, Any]:
    """The schema of a document kind, read from ``policies/schemas/<kind>.schema.json``."""
    schema = _read(kind)
    if kind == "results":
        _with_policy_diffs(schema)
    return schema


def _read(kind: str) -> dict[str, Any]:
    text = (
        resources.files("policies")
        .joinpath("schemas", f"{kind}.schema.json")
        .read_text(encoding="utf-8")
    )
    schema: dict[str, Any] = json.loads(text)
    return schema


def _with_policy_diffs(results: dict[str, Any]) -> None:
    """Results hold what changed since each policy's previous version (``changes``) as the
    diff format writes it: the diff schema's definitions are taken in, so that a saved
    results file is checked whole before it is read back (a change without its field, say,
    is refused at its line rather than met by the reader)."""
    diff = _read("diff")["$defs"]
    defs = results["$defs"]
    clash = set(diff) & set(defs)
    if clash:  # each schema names its definitions: a clash would change one of them
        raise ValueError(f"results and diff schemas both define {sorted(clash)}")
    defs.update(diff)
    changes = results["properties"]["changes"]
    changes["items"] = {
        "description": changes["items"]["description"],
        "$ref": "#/$defs/policy_diff",
    }


def _resolve(root: dict[str, Any], schema: Any) -> Iterator[dict[str, Any]]:
    """Expand local ``$ref`` and the applicators that do not move down the instance."""
    if not isinstance(schema, dict):
        return
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        target: Any = root
        for part in ref[2:].split("/"):
            target = target.get(part, {}) if isinstance(target, dict) else {}
        yield from _resolve(root, target)
    yield schema
    for key in ("allOf", "anyOf", "oneOf"):
        for sub in schema.get(key, ()):
            yield from _resolve(root, sub)
    for key in ("then", "else"):
        if key in schema:
            yield from _resolve(root, schema[key])


def subschemas_at(root: dict[str, Any], path: JsonPath) -> list[dict[str, Any]]:
    """Every subschema that may apply to the instance at ``path`` (an over-approximation)."""
    current = list(_resolve(root, root))
    for item in path:
        nxt: list[dict[str, Any]] = []
        for schema in current:
            if isinstance(item, int):
                if "items" in schema:
                    nxt.extend(_resolve(root, schema["items"]))
                continue
            props = schema.get("properties", {})
            if item in props:
                nxt.extend(_resolve(root, props[item]))
            elif isinstance(schema.get("additionalProperties"), dict):
                nxt.extend(_resolve(root, schema["additionalProperties"]))
            for sub in schema.get("patternProperties", {}).values():
                nxt.extend(_resolve(root, sub))
        current = nxt
    return current


def expects_text(root: dict[str, Any], path: JsonPath) -> tuple[bool, bool]:
    """Whether the schema wants a string at ``path``, and whether that string is a date."""
    text = dated = False
    for schema in subschemas_at(root, path):
        types = schema.get("type")
        if types == "string" or (isinstance(types, list) and "string" in types):
            text = True
            if schema.get("format") in ("date", "date-time"):
                dated = True
    return text, dated


def allowed_keys(schema: dict[str, Any], root: dict[str, Any]) -> list[str]:
    """Property names a mapping may have, for "did you mean" suggestions."""
    keys: dict[str, None] = {}
    for sub in _resolve(root, schema):
        for key in sub.get("properties", {}):
            keys.setdefault(key, None)
    return list(keys)
