"""Every field a policy can hold has a declared ordering, and the orderings fit the schema.

A field without one would make ``policy-check diff`` silent about a change; an ordering that
ranks fewer values than the schema allows would leave some change unordered. Both fail here,
naming the section and field.
"""

from __future__ import annotations

from typing import Any

import pytest

from checker.checks import CHECKS
from checker.diff.engine import spec_of
from checker.diff.ordering import ABSENT, COMMON, VOCABULARY, Covers, Ranked, Scope, Span
from checker.validation.schemas import load_schema
from tests.policy_support import clause_definition, clause_sections


@pytest.mark.parametrize("section", clause_sections())
def test_every_clause_field_has_an_ordering(section: str) -> None:
    fields = set(clause_definition(section)["properties"])
    declared = set(spec_of(CHECKS[section]))
    assert fields - declared == set(), f"{section}: no ordering for {sorted(fields - declared)}"
    assert declared - fields == set(), f"{section}: orderings for unknown fields"


def test_the_common_fields_are_declared_once_for_every_section() -> None:
    for check in CHECKS.values():
        assert not set(check.diff.fields) & set(COMMON), check.id


def test_every_vocabulary_field_has_an_ordering() -> None:
    definitions = load_schema("policy")["$defs"]
    vocabulary = definitions["vocabulary"]["properties"]
    assert set(vocabulary) == set(VOCABULARY)
    for name, entry in vocabulary.items():
        ref = entry["additionalProperties"]["$ref"].rsplit("/", 1)[1]
        assert set(definitions[ref]["properties"]) == set(VOCABULARY[name]), name


def _enum(schema: dict[str, Any]) -> list[Any] | None:
    if "enum" in schema:
        return list(schema["enum"])
    if schema.get("type") == "boolean":
        return [True, False]
    ref = schema.get("$ref", "")
    if ref.endswith("/severity"):
        return list(load_schema("policy")["$defs"]["severity"]["enum"])
    if ref.endswith("/if_not_evidenced"):
        return list(load_schema("policy")["$defs"]["if_not_evidenced"]["enum"])
    return None


@pytest.mark.parametrize("section", clause_sections())
def test_ranked_orderings_rank_every_value_the_schema_allows(section: str) -> None:
    properties = clause_definition(section)["properties"]
    for name, ordering in spec_of(CHECKS[section]).items():
        values = _enum(properties[name])
        if isinstance(ordering, Ranked):
            assert values is not None, f"{section}.{name} is ranked but has no closed set"
            assert sorted(map(str, ordering.order)) == sorted(map(str, values)), (
                f"{section}.{name}: ranks {list(ordering.order)}, the schema allows {values}"
            )
        if isinstance(ordering, Covers):
            assert values is not None
            named = set(ordering.includes) | {v for vs in ordering.includes.values() for v in vs}
            assert named <= set(values), f"{section}.{name} covers unknown values"


@pytest.mark.parametrize("section", clause_sections())
def test_scopes_and_spans_fit_their_fields(section: str) -> None:
    properties = clause_definition(section)["properties"]
    for name, ordering in spec_of(CHECKS[section]).items():
        field = properties[name]
        if isinstance(ordering, Scope):
            assert field.get("type") == "array", f"{section}.{name} is a scope but not a list"
            if ordering.expand:
                assert name == ordering.expand, f"{section}.{name} expands {ordering.expand}"
        if isinstance(ordering, Span):
            is_number = field.get("type") == "integer"
            is_duration = "duration" in field.get("$ref", "") or "retention" in name
            assert is_number or is_duration, f"{section}.{name}: a span over {field}"
        if name in clause_definition(section).get("required", ()) and name != "id":
            # A required field is never absent: an absent meaning would be dead data.
            assert ordering.absent is ABSENT or name in COMMON, f"{section}.{name}"
