"""A clause section is one module: its record, its clause model and its schema agree, the
generated schemas are up to date, and a new module is all a new section needs.

``UPDATE_SCHEMAS=1`` (or ``python -m checker.checks.schema``) rewrites the generated files.
"""

from __future__ import annotations

import copy
import json
import os
import pickle
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal, NotRequired, get_args, get_origin, get_type_hints, is_typeddict

import jsonschema
import pytest

import checker.checks
from checker.checks import AREAS, CHECKS, areas_of, discover
from checker.checks.base import Check, CheckContext
from checker.checks.schema import (
    dump,
    framework_schema,
    generated,
    main,
    policy_schema,
    results_schema,
    schema_folder,
    stale,
)
from checker.evaluation.snapshot import LIST_SECTIONS
from checker.validation.policy_rules import REFERENCES, VOCABULARY_NOUNS, Reference, references
from checker.validation.schemas import load_schema
from tests.conftest import REPO
from tests.policy_support import COMMON, minimal_policy

SECTIONS = list(CHECKS.values())


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
        schema_folder() / f"{kind}.schema.json"
        for kind in ("policy", "results", "framework", "config", "snapshot")
    }


def test_the_registry_gives_the_order_of_the_schema_and_the_scorecard() -> None:
    schema = load_schema("policy")
    assert [name for name in schema["properties"] if name in CHECKS] == list(CHECKS)
    assert load_schema("results")["$defs"]["area"]["enum"] == list(AREAS)
    served = load_schema("framework")["$defs"]["requirement"]["properties"]["checks"]
    assert served["items"]["enum"] == [c.id for c in SECTIONS if c.in_frameworks]
    assert [c.id for c in SECTIONS if not c.in_frameworks] == ["custom_rules"]
    assert [a.value for a in AREAS.values() if not a.listed_when_empty] == ["notice", "custom"]


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
def test_vocabulary_fields_are_names(check: Check) -> None:
    root = load_schema("policy")
    fields = root["$defs"][f"{check.id}_clause"]["properties"]
    maps = root["$defs"]["vocabulary"]["properties"]
    for name, vocabulary in check.vocabulary.items():
        *outer, last = name.split(".")  # "setting.id": the field id of the mapping setting
        owner = fields
        for key in outer:
            owner = _resolve(owner[key], root)["properties"]
        field = owner[last]
        names = field["items"] if field.get("type") == "array" else field  # a list or one name
        assert names["$ref"] == "#/$defs/identifier", name
        assert f"vocabulary.{vocabulary}" in field["description"], name
        assert vocabulary in maps and vocabulary in VOCABULARY_NOUNS


def test_the_vocabulary_references_come_from_the_sections() -> None:
    assert references(SECTIONS) == REFERENCES
    assert Reference("access_control", "allowed_roles", "roles", "role") in REFERENCES


def test_every_area_is_declared_once() -> None:
    titles = [area.title for area in AREAS.values()]
    assert len(set(titles)) == len(titles)
    assert CHECKS["deletion_schedules"].area is CHECKS["retention"].area
    area = AREAS["retention"]  # compared by identity: a copy is the declared area itself
    assert copy.deepcopy(area) is area and pickle.loads(pickle.dumps(area)) is area


def test_messages_name_every_list_section_of_the_snapshot() -> None:
    snapshot = load_schema("snapshot")["properties"]
    for name in LIST_SECTIONS:
        assert snapshot[name]["type"] == "array", name


# --- a new section is one module --------------------------------------------------------------

LAWFUL_BASIS = '''\
"""Lawful basis: every data kind the clause names has a recorded basis.

PASS: ``stores: [{id: chats, data_kinds: [conversations], lawful_basis: consent}]``
FAIL: the same store without ``lawful_basis``.

Serves GDPR Art. 6(1).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from checker.checks.base import Check, CheckContext, Clause, Schema, options, passed
from checker.core.results import Area, Observation, Severity
from checker.diff.ordering import DiffSpec, Ranked, Scope

Basis = Literal["consent", "contract", "legitimate_interest"]


class LawfulBasisClause(Clause):
    data_kinds: list[str]
    basis: Basis


SCHEMA: Schema = {
    "description": "A lawful basis for some data kinds.",
    "required": ["data_kinds", "basis"],
    "properties": {
        "data_kinds": {
            "description": "Data kinds the clause speaks about: keys of vocabulary.data_kinds.",
            "type": "array",
            "items": {"description": "A data kind id.", "$ref": "#/$defs/identifier"},
        },
        "basis": {"description": "The basis.", "enum": options(Basis)},
    },
}

DIFF = DiffSpec(
    fields={
        "data_kinds": Scope(facet="data kinds"),
        "basis": Ranked(order=("consent", "contract", "legitimate_interest")),
    },
)


def run(ctx: CheckContext[LawfulBasisClause]) -> Iterator[Observation]:
    yield passed("policy", ctx.clause["basis"], "a basis", ctx.clause["basis"], ())


CHECK = Check(
    id="lawful_basis",
    order=145,
    area=Area("lawful_basis", "Lawful basis"),
    title="Lawful basis",
    default_severity=Severity.HIGH,
    description="Why the company may process each kind of data.",
    clause_type=LawfulBasisClause,
    schema=SCHEMA,
    vocabulary={"data_kinds": "data_kinds"},
    diff=DIFF,
    remediation="Record the lawful basis of each data kind.",
    run=run,
    doc=__doc__ or "",
)
'''


@pytest.fixture
def extra_modules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A folder whose modules count as modules of ``checker.checks``, removed afterwards."""
    monkeypatch.setattr(checker.checks, "__path__", [*checker.checks.__path__, str(tmp_path)])
    before = set(sys.modules)
    yield tmp_path
    for name in set(sys.modules) - before:
        if name.startswith("checker.checks."):
            del sys.modules[name]
            vars(checker.checks).pop(name.rsplit(".", 1)[1], None)


def test_a_new_section_module_is_all_a_new_section_needs(extra_modules: Path) -> None:
    (extra_modules / "lawful_basis.py").write_text(LAWFUL_BASIS, encoding="utf-8")
    checks = discover()
    section = checks["lawful_basis"]
    # The registry finds it and places it by its order, before custom rules.
    assert list(checks)[-3:] == ["governance", "lawful_basis", "custom_rules"]
    assert list(checks) == [*(c for c in CHECKS if c != "custom_rules"), "lawful_basis",
                            "custom_rules"]  # fmt: skip
    # Its area joins the scorecard, the area list of the results schema, and the frameworks'.
    areas = areas_of(checks.values())
    assert list(areas)[-2:] == ["lawful_basis", "custom"]
    assert areas["lawful_basis"].title == "Lawful basis"
    results = results_schema(load_schema("results"), checks.values())
    assert results["$defs"]["area"]["enum"] == list(areas)
    framework = framework_schema(load_schema("framework"), checks.values())
    served = framework["$defs"]["requirement"]["properties"]["checks"]["items"]["enum"]
    assert served[-1] == "lawful_basis"
    # Its vocabulary references are checked.
    assert references(checks.values())[-1] == Reference(
        "lawful_basis", "data_kinds", "data_kinds", "data kind"
    )
    # The policy schema gains the section: its list, and its clause with the common fields.
    schema = policy_schema(checks.values())
    assert schema["properties"]["lawful_basis"] == {
        "description": "Why the company may process each kind of data. Default severity: high.",
        "type": "array",
        "items": {"$ref": "#/$defs/lawful_basis_clause"},
    }
    clause = schema["$defs"]["lawful_basis_clause"]
    assert list(clause["properties"]) == [*COMMON, "data_kinds", "basis"]
    assert clause["required"] == ["id", "statement", "data_kinds", "basis"]
    _assert_model(section.clause_type, clause, schema, "lawful_basis")
    # ... and validates policies that use it, closed to unknown keys like every section.
    validator = jsonschema.Draft202012Validator(schema)
    good = {"id": "basis", "statement": "s", "data_kinds": ["conversations"], "basis": "consent"}
    assert list(validator.iter_errors(minimal_policy(lawful_basis=[good]))) == []
    bad = {**good, "basis": "vibes", "bassis": "consent"}
    errors = sorted(e.validator for e in validator.iter_errors(minimal_policy(lawful_basis=[bad])))
    assert errors == ["additionalProperties", "enum"]
    # Nothing else changed: without the module the sections produce today's files.
    assert dump(policy_schema()) == (schema_folder() / "policy.schema.json").read_text("utf-8")


def test_a_module_that_declares_no_section_is_an_error(extra_modules: Path) -> None:
    (extra_modules / "notes.py").write_text('"""Helpers."""\n', encoding="utf-8")
    with pytest.raises(TypeError, match=r"checker\.checks\.notes declares no CHECK"):
        discover()


def test_a_module_named_apart_from_its_section_is_an_error(extra_modules: Path) -> None:
    text = LAWFUL_BASIS.replace('id="lawful_basis"', 'id="basis"')
    (extra_modules / "lawful_basis.py").write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match="declares section 'basis'"):
        discover()


def test_two_sections_in_one_place_are_an_error(extra_modules: Path) -> None:
    text = LAWFUL_BASIS.replace("order=145", "order=140")
    (extra_modules / "lawful_basis.py").write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match="share order 140"):
        discover()


def test_an_area_declared_twice_is_an_error(extra_modules: Path) -> None:
    text = LAWFUL_BASIS.replace('Area("lawful_basis", "Lawful basis")', 'Area("retention", "R")')
    (extra_modules / "lawful_basis.py").write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match="declares area 'retention' again"):
        areas_of(discover().values())


def test_the_command_rewrites_what_is_out_of_date(tmp_path: Path) -> None:
    for kind in ("policy", "results", "framework", "config", "snapshot"):
        text = (schema_folder() / f"{kind}.schema.json").read_text("utf-8")
        (tmp_path / f"{kind}.schema.json").write_text(text, encoding="utf-8")
    assert stale(tmp_path) == {}
    results = tmp_path / "results.schema.json"
    drifted = json.loads(results.read_text("utf-8"))
    drifted["$defs"]["area"]["enum"].pop()
    results.write_text(dump(drifted), encoding="utf-8")
    assert list(stale(tmp_path)) == [results]


# --- the generator's command line -------------------------------------------------------------


def test_the_generator_reports_and_rewrites_stale_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import shutil

    from checker.checks import schema as generator

    folder = tmp_path / "schemas"
    shutil.copytree(REPO / "policies" / "schemas", folder)
    monkeypatch.setattr(generator, "schema_folder", lambda: folder)
    assert generator.main(["--check"]) == 0
    (folder / "policy.schema.json").write_text("{}\n", encoding="utf-8")
    assert generator.main(["--check"]) == 1
    assert "policy.schema.json is out of date" in capsys.readouterr().out
    assert (folder / "policy.schema.json").read_text(encoding="utf-8") == "{}\n"  # untouched
    assert generator.main([]) == 0
    assert "wrote" in capsys.readouterr().out
    assert generator.stale(folder) == {}


def test_a_section_cannot_redefine_the_common_clause_fields() -> None:
    import dataclasses

    from checker.checks import schema as generator

    retention = CHECKS["retention"]
    fragment = copy.deepcopy(retention.schema)
    fragment["properties"]["severity"] = {"type": "string"}
    with pytest.raises(ValueError, match="section retention redefines severity"):
        generator.policy_schema([dataclasses.replace(retention, schema=fragment)])


def test_two_sections_cannot_define_one_definition() -> None:
    from checker.checks import schema as generator

    with pytest.raises(ValueError, match=r"defines \$defs/sharing_clause a second time"):
        generator.policy_schema([CHECKS["sharing"], CHECKS["sharing"]])
