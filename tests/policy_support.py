"""Helpers for the policy-language tests: the schemas, validators and a minimal policy."""

from __future__ import annotations

import copy
import datetime as dt
import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

from checker.durations import is_duration

REPO = Path(__file__).resolve().parents[1]
SCHEMAS = REPO / "policies" / "schemas"
LIBRARY = REPO / "policies" / "library"
FRAMEWORKS = REPO / "policies" / "frameworks"
REFERENCE = REPO / "docs" / "policy-language.md"

# The smallest valid policy; tests add clause sections to (a copy of) it.
MINIMAL_POLICY: dict[str, Any] = {
    "policy_checker": 1,
    "metadata": {
        "id": "example",
        "title": "Example policy",
        "version": "1.0",
        "effective": "2026-01-01",
        "owner": "privacy team",
    },
    "vocabulary": {
        "tier_groups": {"consumer": {"tiers": ["free"]}},
        "data_kinds": {"conversations": {"description": "chat transcripts"}},
    },
}


def minimal_policy(**sections: Any) -> dict[str, Any]:
    """A copy of :data:`MINIMAL_POLICY` with top-level keys replaced or added."""
    policy = copy.deepcopy(MINIMAL_POLICY)
    policy.update(sections)
    return policy


def _is_date(value: object) -> bool:
    if not isinstance(value, str):
        return True
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10


@cache
def load_schema(kind: str) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(
        (SCHEMAS / f"{kind}.schema.json").read_text(encoding="utf-8")
    )
    return schema


@cache
def validator(kind: str) -> jsonschema.Draft202012Validator:
    """A 2020-12 validator of ``kind`` that asserts the ``duration`` and ``date`` formats."""
    checker = jsonschema.FormatChecker(formats=())
    checker.checks("duration")(is_duration)
    checker.checks("date")(_is_date)
    schema = load_schema(kind)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=checker)


def clause_sections() -> list[str]:
    """Clause sections of the policy language: its top-level lists, in schema order."""
    properties = load_schema("policy")["properties"]
    return [name for name, prop in properties.items() if prop.get("type") == "array"]


def clause_definition(section: str) -> dict[str, Any]:
    """The ``$defs`` entry describing one clause of ``section``."""
    definition: dict[str, Any] = load_schema("policy")["$defs"][f"{section}_clause"]
    return definition
