"""A clause section is one module: its record, its clause model and its schema agree, and
the generated schemas are up to date.

``UPDATE_SCHEMAS=1`` (or ``python -m checker.checks.schema``) rewrites the generated files.
"""

from __future__ import annotations

import os
import sys
from typing import Any, Literal, NotRequired, get_args, get_origin, get_type_hints, is_typeddict

import pytest

from checker.checks import AREAS, CHECKS
from checker.checks.base import Check, CheckContext
from checker.checks.schema import (
    generated,
    main,
    schema_folder,
    stale,
)
from checker.schemas import load_schema
from checker.semantics import REFERENCES, VOCABULARY_NOUNS, Reference, references
from checker.snapshot import LIST_SECTIONS
from tests.conftest import REPO

SECTIONS = list(CHECKS.values())
COMMON = ["id", "statement", "severity", "remediation", "if_not_evidenced", "references"]


# --- the generated files ----------------------------------------------------------------------


def test_generated_schemas_are_up_to_date(capsys: pytest.CaptureFixture[str]) -> None:
    if os.environ.get("UPDATE_SCHEMAS"):
        assert main([]) == 0
    outdated = [path.name for path in stale()]
    assert outdated == [], (
        f"{', '.join(outdated)} differ from what the clause sections produce: "
        "run python -m checker.checks.schema"
    )
    assert main(["--check"]) == 0
    assert capsys.readouterr().out == ""


def test_the_generated_schemas_are_the_shipped_ones() -> None:
    assert schema_folder() == REPO / "policies" / "schemas"
    assert set(generated()) == {
        schema_folder() / f"{kind}.schema.json" for kind in ("policy", "results", "framework")
    }


def test_the_registry_gives_the_order_of_the_schema_and_the_scorecard() -> None:
    schema = load_schema("policy")
    assert [name for name in schema["properties"] if name in CHECKS] == list(CHECKS)
    assert load_schema("results")["$defs"]["area"]["enum"] == list(AREAS)
    served = load_schema("framework")["$defs"]["requirement"]["properties"]["checks"]
    assert served["items"]["enum"] == [c.id for c in SECTIONS if c.in_frameworks]
    assert [c.id for c in SECTIONS if not c.in_frameworks] == ["custom_rules"]
    assert [a.value for a in AREAS.values() if not a.listed_when_empty] == ["custom"]


# --- one section, one contract ----------------------------------------------------------------


def _resolve(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if isinstance(ref, str):
        return _resolve(root["$defs"][ref.rsplit("/", 1)[1]], root)
    return schema


def _assert_model(model: Any, schema: dict[str, Any], root: dict[str, Any], where: str) -> None:
    """A TypedDict states the object schema's fields, which are required, and every enum."""
    hints = get_type_hints(model, include_extras=True)
    assert list(hints) == list(schema["properties"]), where
    optional = {name for name, hint in hints.items() if get_origin(hint) is NotRequired}
    assert set(hints) - optional == set(schema.get("required", ())), where
    for name, hint in hints.items():
        kind = get_args(hint)[0] if name in optional else hint
        prop = _resolve(schema["properties"][name], root)
        if get_origin(kind) is list:
            kind, prop = get_args(kind)[0], _resolve(prop["items"], root)
        if get_origin(kind) is Literal:
            assert list(get_args(kind)) == prop["enum"], f"{where}.{name}"
        elif is_typeddict(kind):
            _assert_model(kind, prop, root, f"{where}.{name}")
        else:
            assert "enum" not in prop, f"{where}.{name}: the model should name the choices"


@pytest.mark.parametrize("check", SECTIONS, ids=lambda c: c.id)
def test_the_clause_model_states_the_clause_schema(check: Check) -> None:
    root = load_schema("policy")
    _assert_model(check.clause_type, root["$defs"][f"{check.id}_clause"], root, check.id)


@pytest.mark.parametrize("check", SECTIONS, ids=lambda c: c.id)
def test_the_check_reads_the_clause_model(check: Check) -> None:
    hints = get_type_hints(check.run)
    assert hints["ctx"] == CheckContext[check.clause_type]


@pytest.mark.parametrize("check", SECTIONS, ids=lambda c: c.id)
def test_the_record_declares_the_section(check: Check) -> None:
    module = sys.modules[f"checker.checks.{check.id}"]
    assert module.CHECK is check
    assert check.doc == module.__doc__
    assert "PASS" in check.doc and "FAIL" in check.doc and "Serves " in check.doc
    assert check.description.endswith(".") and "Default severity" not in check.description


@pytest.mark.parametrize("check", SECTIONS, ids=lambda c: c.id)
def test_vocabulary_fields_are_lists_of_names(check: Check) -> None:
    root = load_schema("policy")
    fields = root["$defs"][f"{check.id}_clause"]["properties"]
    maps = root["$defs"]["vocabulary"]["properties"]
    for name, vocabulary in check.vocabulary.items():
        assert fields[name]["items"]["$ref"] == "#/$defs/identifier", name
        assert f"vocabulary.{vocabulary}" in fields[name]["description"], name
        assert vocabulary in maps and vocabulary in VOCABULARY_NOUNS


def test_the_vocabulary_references_come_from_the_sections() -> None:
    assert references(SECTIONS) == REFERENCES
    assert Reference("access_control", "allowed_roles", "roles", "role") in REFERENCES


def test_every_area_is_declared_once() -> None:
    titles = [area.title for area in AREAS.values()]
    assert len(set(titles)) == len(titles)
    assert CHECKS["deletion_schedules"].area is CHECKS["retention"].area


def test_messages_name_every_list_section_of_the_snapshot() -> None:
    snapshot = load_schema("snapshot")["properties"]
    for name in LIST_SECTIONS:
        assert snapshot[name]["type"] == "array", name
