"""docs/policy-language.md is kept in step with the schema and the framework files.

Every clause section has a ``### `section` `` heading whose field tables list exactly the
schema's properties (with the right "required" column and every enum value), its default
severity and the regulations the framework files map to it; every YAML example validates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
import yaml

from checker.validation.policy_rules import NO_CLAUSES
from tests.policy_support import (
    COMMON,
    FRAMEWORKS,
    REFERENCE,
    clause_definition,
    clause_sections,
    load_schema,
    minimal_policy,
    problems,
)

# The names the reference's examples use.
EXAMPLE_VOCABULARY: dict[str, Any] = {
    "tier_groups": {
        "consumer": {"tiers": ["free", "pro", "max"]},
        "commercial": {"tiers": ["team", "enterprise"]},
        "api": {"tiers": ["api"]},
    },
    "data_kinds": {
        "conversations": {"description": "chats"},
        "preferences": {"description": "settings"},
        "email": {"description": "addresses", "identifiable": True},
        "feedback": {"description": "feedback the user submits"},
    },
    "sensitive_categories": {
        "mental_health": {"description": "mental health"},
        "finances": {"description": "finances"},
    },
    "roles": {"model_trainer": {"description": "trainers"}},
    "regions": {
        "eea": {"countries": ["AT", "BE", "DE", "FR", "IS", "LI", "NO"]},
        "uk": {"countries": ["GB"]},
        "ch": {"countries": ["CH"]},
    },
    "settings": {
        "keep_activity": {"description": "how long activity is kept"},
        "live_media_training": {"description": "training on live audio and video"},
        "zero_data_retention": {"description": "projects whose data is not stored"},
    },
}


@dataclass(frozen=True)
class Row:
    field: str
    type: str
    required: str


def _text() -> str:
    return REFERENCE.read_text(encoding="utf-8")


def _section(heading: str) -> str:
    """The text under a ``###`` heading, up to the next heading of level 2 or 3."""
    text = _text()
    marker = f"\n### {heading}\n"
    assert marker in text, f"missing heading: ### {heading}"
    body = text.split(marker, 1)[1]
    return re.split(r"\n##+ ", body, maxsplit=1)[0]


def _tables(body: str) -> list[list[Row]]:
    """Field tables (``| Field | Type | Required | Meaning |``) in order, outside code blocks."""
    body = re.sub(r"```.*?```", "", body, flags=re.S)
    tables: list[list[Row]] = []
    current: list[Row] | None = None
    for line in body.splitlines():
        if line.startswith("| Field | Type | Required | Meaning |"):
            current = []
            tables.append(current)
        elif current is not None and line.startswith("| `"):
            cells = [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
            current.append(Row(cells[0].strip("`"), cells[1], cells[2]))
        elif current is not None and not line.startswith("|---"):
            current = None
    return tables


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if isinstance(ref, str):
        return _resolve(load_schema("policy")["$defs"][ref.rsplit("/", 1)[1]])
    return schema


def _enum_values(prop: dict[str, Any]) -> list[str]:
    prop = _resolve(prop)
    values = list(prop.get("enum", ()))
    items = prop.get("items")
    if isinstance(items, dict):
        values += _resolve(items).get("enum", ())
    return [str(v) for v in values]


def _assert_table(rows: list[Row], obj: dict[str, Any], skip: tuple[str, ...] = ()) -> None:
    """A table lists exactly the object's properties, required ones marked, enums spelt out."""
    properties = {k: v for k, v in obj["properties"].items() if k not in skip}
    assert [r.field for r in rows] == list(properties)
    required = set(obj.get("required", ()))
    # Fields of which at least one is required: an anyOf, or several of them under allOf.
    groups = [obj.get("anyOf", ()), *(part.get("anyOf", ()) for part in obj.get("allOf", ()))]
    either: dict[str, str] = {}
    for group in groups:
        names = [name for branch in group for name in branch.get("required", ())]
        for name in names:
            either[name] = "one of the two" if len(names) == 2 else "at least one"
    for row in rows:
        expected = either.get(row.field) or (
            "yes" if row.field in required else "no")  # fmt: skip
        assert row.required == expected, row.field
        for value in _enum_values(properties[row.field]):
            assert f"`{value}`" in row.type, f"{row.field}: enum value {value} not documented"


# --- structure -------------------------------------------------------------------------------


def test_every_clause_section_has_a_heading_and_a_summary_row() -> None:
    text = _text()
    headings = re.findall(r"^### `([a-z_]+)`$", text, flags=re.M)
    assert [h for h in headings if h not in ("metadata", "vocabulary")] == clause_sections()
    summary = re.findall(r"^\| \[`([a-z_]+)`\]\(#\1\) \|", text, flags=re.M)
    assert summary == clause_sections()


def test_top_level_table() -> None:
    root = load_schema("policy")
    body = _text().split("## File shape", 1)[1].split("\n### ", 1)[0]
    fields = ["policy_checker", "metadata", "vocabulary"]
    obj = {"properties": {k: root["properties"][k] for k in fields}, "required": fields}
    (table,) = _tables(body)
    _assert_table(table, obj)


def test_metadata_table() -> None:
    (table,) = _tables(_section("`metadata`"))
    _assert_table(table, load_schema("policy")["$defs"]["metadata"])


def test_vocabulary_tables() -> None:
    defs = load_schema("policy")["$defs"]
    vocabulary, tier_group, data_kind, region = _tables(_section("`vocabulary`"))
    _assert_table(vocabulary, defs["vocabulary"])
    _assert_table(tier_group, defs["tier_group"])
    _assert_table(data_kind, defs["data_kind"])
    _assert_table(region, defs["region"])


def test_common_clause_fields_table() -> None:
    (table,) = _tables(_section("Fields every clause has"))
    for section in clause_sections():
        common = {k: clause_definition(section)["properties"][k] for k in COMMON}
        _assert_table(table, {"properties": common, "required": ["id", "statement"]})


@pytest.mark.parametrize("section", clause_sections())
def test_clause_fields_table(section: str) -> None:
    tables = _tables(_section(f"`{section}`"))
    definition = clause_definition(section)
    _assert_table(tables[0], definition, skip=tuple(COMMON))
    nested = [
        _resolve(prop["items"])
        for name, prop in definition["properties"].items()
        if name not in COMMON  # a common field's items are documented once, with the fields
        and isinstance(prop.get("items"), dict)
        and "properties" in _resolve(prop["items"])
    ]
    assert len(tables) == 1 + len(nested)
    for table, obj in zip(tables[1:], nested, strict=True):
        _assert_table(table, obj)


@pytest.mark.parametrize("section", clause_sections())
def test_default_severity_matches_the_schema(section: str) -> None:
    description = load_schema("policy")["properties"][section]["description"]
    match = re.search(r"Default severity: (\w+)\.", description)
    assert match is not None
    body = " ".join(_section(f"`{section}`").split())
    assert f"Default severity: **{match.group(1)}**" in body
    assert f"| [`{section}`](#{section}) | " in _text()
    row = next(line for line in _text().splitlines() if line.startswith(f"| [`{section}`]"))
    assert row.endswith(f"| {match.group(1)} |")


def _framework_references() -> dict[str, set[str]]:
    refs: dict[str, set[str]] = {}
    for path in sorted(FRAMEWORKS.glob("*.yaml")):
        for requirement in yaml.safe_load(path.read_text(encoding="utf-8"))["requirements"]:
            for check in requirement["checks"]:
                refs.setdefault(check, set()).add(requirement["id"])
    return refs


@pytest.mark.parametrize("section", clause_sections())
def test_regulations_match_the_framework_files(section: str) -> None:
    body = _section(f"`{section}`")
    match = re.search(r"\*\*Regulations:\*\* (.*?)(?:\n\n|\Z)", body, flags=re.S)
    assert match is not None, f"{section}: no **Regulations:** line"
    listed = " ".join(match.group(1).split()).rstrip(".")
    expected = _framework_references().get(section, set())
    if expected:
        assert set(listed.split(", ")) == expected
    else:
        assert listed.startswith("none")


@pytest.mark.parametrize("section", clause_sections())
def test_every_clause_section_has_a_check_description(section: str) -> None:
    assert "**Check.**" in _section(f"`{section}`")


# --- examples --------------------------------------------------------------------------------


def _examples() -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", _text(), flags=re.S)


def _as_policy(example: str) -> dict[str, Any]:
    data = yaml.safe_load(example)
    assert isinstance(data, dict)
    if "policy_checker" in data:
        return data
    return minimal_policy(**{"vocabulary": EXAMPLE_VOCABULARY, **data})


@pytest.mark.parametrize("index", range(len(_examples())))
def test_example_is_valid(index: int) -> None:
    example = _examples()[index]
    if example.startswith("framework:"):
        assert [str(d) for d in problems("framework", yaml.safe_load(example))] == []
        return
    found = problems("policy", _as_policy(example))  # schema, semantics, custom-rule syntax
    if "policy_checker" not in yaml.safe_load(example):  # a fragment need not promise anything
        found = [d for d in found if d.code != NO_CLAUSES]
    assert [str(d) for d in found] == []


@pytest.mark.parametrize("section", clause_sections())
def test_every_clause_section_has_an_example(section: str) -> None:
    body = _section(f"`{section}`")
    blocks = re.findall(r"```yaml\n(.*?)```", body, flags=re.S)
    assert any(section in yaml.safe_load(block) for block in blocks)
    for block in blocks:
        clauses = yaml.safe_load(block)[section]
        used = {field for clause in clauses for field in clause}
        optional = set(clause_definition(section)["properties"]) - set(COMMON)
        if section != "data_minimisation":  # its two modes cannot share one clause
            assert optional <= used, f"{section} example leaves out {optional - used}"
