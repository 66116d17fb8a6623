"""The policy and framework schemas, the policy library and the regulation frameworks.

Documents are judged by the product's own validation (``checker.validation.validator``, what
``policy-check validate`` runs). Invalid policies are validate cases,
``tests/cases/validate/<case>/input.yaml``: each a whole policy with one defect and a first
line ``# expect: <code> at <json path>`` naming the one problem it must raise; the case's
``expected.txt`` holds the exact output (tests/test_cases.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from checker.documents import load_document
from checker.validation.validator import validate_document
from tests.policy_support import (
    FRAMEWORKS,
    LIBRARY,
    REPO,
    clause_definition,
    clause_sections,
    load_schema,
    minimal_policy,
    problems,
    schema_errors,
)

VALIDATE_CASES = REPO / "tests" / "cases" / "validate"
LIBRARY_FILES = sorted(LIBRARY.glob("*.yaml"))
FRAMEWORK_FILES = sorted(FRAMEWORKS.glob("*.yaml"))
SEEDS = {
    "anthropic-privacy-2023": "003_303cae28d8c4240b.txt",
    "anthropic-consumer-2025": "000_2c03690bf39f4ccd.txt",
}
# The providers' published policies, each clause citing its sources in the policy itself
# (tests/test_published_library.py).
PUBLISHED = ["anthropic-published", "google-gemini-published", "openai-published"]
SEED_FILES = [path for path in LIBRARY_FILES if path.stem in SEEDS]


def _walk(schema: Any, where: str = "$") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every subschema of ``schema`` with a readable location."""
    if isinstance(schema, dict):
        yield where, schema
        for key, value in schema.items():
            if key in ("properties", "$defs"):
                for name, sub in value.items():
                    yield from _walk(sub, f"{where}/{key}/{name}")
            elif isinstance(value, dict | list):
                yield from _walk(value, f"{where}/{key}")
    elif isinstance(schema, list):
        for index, sub in enumerate(schema):
            yield from _walk(sub, f"{where}/{index}")


# --- the schemas themselves -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "id_"),
    [("policy", "policy/v2"), ("policy.v1", "policy/v1"), ("framework", "framework/v1")],
)
def test_schema_is_draft_2020_12_with_an_id(kind: str, id_: str) -> None:
    schema = load_schema(kind)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == f"https://policy-checker.dev/schemas/{id_}.json"
    jsonschema.Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("kind", ["policy", "framework"])
def test_every_property_has_a_description(kind: str) -> None:
    missing = [
        f"{where}/properties/{name}"
        for where, sub in _walk(load_schema(kind))
        for name, prop in sub.get("properties", {}).items()
        if not prop.get("description")
    ]
    assert missing == []


@pytest.mark.parametrize("kind", ["policy", "framework"])
def test_every_object_rejects_unknown_keys(kind: str) -> None:
    open_objects = [
        where
        for where, sub in _walk(load_schema(kind))
        if "properties" in sub and sub.get("additionalProperties") is not False
    ]
    assert open_objects == []


def test_each_clause_section_has_its_own_definition() -> None:
    schema = load_schema("policy")
    for section in clause_sections():
        prop = schema["properties"][section]
        assert prop["items"] == {"$ref": f"#/$defs/{section}_clause"}
        definition = clause_definition(section)
        assert definition["additionalProperties"] is False
        assert {"id", "statement"} <= set(definition["required"])
        common = ["id", "statement", "severity", "remediation", "if_not_evidenced", "references"]
        assert list(definition["properties"])[:6] == common


def test_the_clause_sections_are_those_of_the_spec() -> None:
    assert clause_sections() == [
        "training_consent", "notice_periods", "training_exclusions", "retention",
        "retention_choices", "deletion_schedules", "deletion_exceptions",
        "data_minimisation", "anonymisation", "sensitive_data", "minors", "sharing",
        "security", "access_control", "user_rights", "tier_availability", "breach_notification",
        "breach_response", "governance",
        "custom_rules",
    ]  # fmt: skip


def test_the_minimal_policy_is_valid() -> None:
    assert schema_errors("policy", minimal_policy()) == []
    # ...and promises nothing, which the product says (a policy needs a clause to be checked)
    assert [d.code for d in problems("policy", minimal_policy())] == ["semantic-no-clauses"]


@pytest.mark.parametrize(
    ("value", "valid"),
    [("30d", True), ("P5Y", True), ("PT72H", True), ("0s", True), ("indefinite", True),
     ("1d12h", True), ("5 years", False), ("P", False), ("30", False), ("-1d", False)],
)  # fmt: skip
def test_durations_are_checked_by_the_duration_format(value: str, valid: bool) -> None:
    clause = {"id": "r", "statement": "s", "data_kinds": ["conversations"],
              "consent_state": "any", "max": value}  # fmt: skip
    errors = schema_errors("policy", minimal_policy(retention=[clause]))
    assert errors == ([] if valid else [("schema-format", "$.retention[0].max")])


@pytest.mark.parametrize(
    ("value", "valid"), [("2026-01-31", True), ("2026-02-30", False), ("2026-1-31", False),
                         ("2026-01-31T00:00:00", False)],
)  # fmt: skip
def test_dates_are_checked_by_the_date_format(value: str, valid: bool) -> None:
    policy = minimal_policy()
    policy["metadata"]["effective"] = value
    expected = [("schema-format", "$.metadata.effective")]
    assert schema_errors("policy", policy) == ([] if valid else expected)


# --- invalid policies ------------------------------------------------------------------------


def _expectations(path: Path) -> list[tuple[str, str]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    found = []
    for line in lines:
        match = re.fullmatch(r"# expect: ([\w-]+) at (\$\S*)", line)
        if match is None:
            break
        found.append((match.group(1), match.group(2)))
    return found


INVALID = sorted(
    p for p in VALIDATE_CASES.glob("*/input.yaml") if p.read_text("utf-8").startswith("# expect:")
)


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.parent.name)
def test_invalid_policy_is_rejected(path: Path) -> None:
    """The product's validation finds exactly the problem the case's first line names."""
    expected = _expectations(path)
    assert expected, f"{path} must start with '# expect: <code> at <path>'"
    found = validate_document(load_document(path), "policy")
    assert sorted((d.code, d.location.json_path) for d in found) == sorted(expected)


def test_every_clause_section_has_invalid_examples() -> None:
    assert len(INVALID) >= 60
    firsts = [path.read_text(encoding="utf-8").splitlines()[0] for path in INVALID]
    for section in clause_sections():
        assert any(f"$.{section}[0]" in first for first in firsts), section


# --- the policy library ----------------------------------------------------------------------


@pytest.mark.parametrize("path", LIBRARY_FILES, ids=lambda p: p.stem)
def test_library_policy_is_valid(path: Path) -> None:
    doc = load_document(path)
    assert doc.data["metadata"]["id"] == path.stem
    assert [str(d) for d in validate_document(doc, "policy")] == []


def test_library_holds_the_seed_and_the_published_policies() -> None:
    assert [p.stem for p in LIBRARY_FILES] == sorted([*SEEDS, *PUBLISHED])


def _clause_ids(path: Path) -> dict[str, str]:
    data = load_document(path).data
    return {clause["id"]: section for section in clause_sections()
            for clause in data.get(section) or ()}  # fmt: skip


def test_2025_policy_supersedes_2023_and_keeps_its_promises() -> None:
    old = _clause_ids(LIBRARY / "anthropic-privacy-2023.yaml")
    new = _clause_ids(LIBRARY / "anthropic-consumer-2025.yaml")
    data = load_document(LIBRARY / "anthropic-consumer-2025.yaml").data
    assert data["metadata"]["supersedes"] == "anthropic-privacy-2023"
    # Only the two promises the 2025 announcement replaced are gone; the rest carry over.
    assert sorted(set(old) - set(new)) == ["anonymise-stored-data", "storage-opt-out"]
    assert sorted(set(new) - set(old)) == [
        "anonymise-before-training", "business-tiers-never-trained", "training-opt-out",
    ]  # fmt: skip
    assert all(new[clause] == section for clause, section in old.items() if clause in new)


# Sections of policy language 2 that the 2025 seed has no promise for: the published-policy
# library uses them (tier_availability: the Gemini API's unpaid tier, kept out of Europe).
# Custom rules are for promises the language cannot state: the library needs none (the cases
# in tests/cases/check/custom-rule* exercise them).
V2_SECTIONS = {
    "tier_availability", "notice_periods", "retention_choices", "deletion_exceptions",
    "custom_rules",
}  # fmt: skip


def test_2025_policy_uses_every_clause_section() -> None:
    data = load_document(LIBRARY / "anthropic-consumer-2025.yaml").data
    assert [s for s in clause_sections() if not data.get(s) and s not in V2_SECTIONS] == []


def test_2025_policy_states_the_announced_changes() -> None:
    data = load_document(LIBRARY / "anthropic-consumer-2025.yaml").data
    consent = data["training_consent"][0]
    assert consent["tier_groups"] == ["consumer"]
    assert consent["default"] == "trained_unless_opted_out"
    assert data["vocabulary"]["tier_groups"]["consumer"]["tiers"] == ["free", "pro", "max"]
    assert data["training_exclusions"][0]["tier_groups"] == [
        "commercial", "education", "government", "api",
    ]  # fmt: skip
    windows = {c["consent_state"]: c["max"] for c in data["retention"]}
    assert windows == {"training_allowed": "5y", "training_not_allowed": "30d",
                       "deleted_by_user": "30d"}  # fmt: skip


def test_2023_policy_does_not_store_by_default() -> None:
    data = load_document(LIBRARY / "anthropic-privacy-2023.yaml").data
    assert list(data["vocabulary"]["tier_groups"]) == ["consumer"]
    assert data["training_consent"][0]["default"] == "opt_in_required"
    windows = {c["consent_state"]: c["max"] for c in data["retention"]}
    assert windows["training_not_allowed"] == "0s"


def _normalise(text: str) -> str:
    return " ".join(text.replace("’", "'").replace("‘", "'").split()).lower()


def _comment_above(lines: list[str], line: int) -> str:
    """The comment lines right above 1-based ``line``, joined."""
    block: list[str] = []
    index = line - 2
    while index >= 0 and lines[index].strip().startswith("#"):
        block.insert(0, lines[index].strip().lstrip("#"))
        index -= 1
    return " ".join(block)


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.stem)
def test_every_library_clause_quotes_the_seed_it_encodes(path: Path, shared_dir: Path) -> None:
    seeds = _normalise(" ".join(
        (shared_dir / "seeds" / name).read_text(encoding="utf-8") for name in SEEDS.values()
    ))  # fmt: skip
    doc = load_document(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    for section in clause_sections():
        for index, clause in enumerate(doc.data.get(section) or ()):
            position = doc.locate((section, index)).position
            assert position is not None
            quotes = re.findall(r'"([^"]+)"', _comment_above(lines, position.line))
            assert quotes, f"{clause['id']} has no comment quoting its source"
            for quote in quotes:
                parts = [_normalise(p) for p in quote.split("...") if p.strip()]
                start = 0
                for part in parts:
                    found = seeds.find(part, start)
                    assert found >= 0, f"{clause['id']}: {quote!r} is not in the seeds"
                    start = found + len(part)


# --- regulation frameworks -------------------------------------------------------------------


@pytest.mark.parametrize("path", FRAMEWORK_FILES, ids=lambda p: p.stem)
def test_framework_is_valid(path: Path) -> None:
    doc = load_document(path)
    assert [str(d) for d in validate_document(doc, "framework")] == []
    assert doc.data["framework"]["id"] == path.stem
    ids = [r["id"] for r in doc.data["requirements"]]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("path", FRAMEWORK_FILES, ids=lambda p: p.stem)
def test_framework_checks_name_real_clause_sections(path: Path) -> None:
    sections = set(clause_sections())
    for requirement in load_document(path).data["requirements"]:
        assert set(requirement["checks"]) <= sections, requirement["id"]


def test_frameworks_are_gdpr_ccpa_and_coppa() -> None:
    assert [p.stem for p in FRAMEWORK_FILES] == ["ccpa", "coppa", "gdpr"]


def test_every_built_in_section_serves_a_regulation() -> None:
    served = {check for path in FRAMEWORK_FILES
              for requirement in load_document(path).data["requirements"]
              for check in requirement["checks"]}  # fmt: skip
    assert [s for s in clause_sections() if s not in served] == ["custom_rules"]


@pytest.mark.parametrize(
    ("framework", "requirement", "checks"),
    [
        ("gdpr", "GDPR Art. 5(1)(e)", ["retention", "deletion_schedules"]),
        ("gdpr", "GDPR Art. 8", ["minors"]),
        ("gdpr", "GDPR Art. 9", ["sensitive_data"]),
        ("gdpr", "GDPR Art. 12(3)", ["user_rights"]),
        ("gdpr", "GDPR Art. 17", ["user_rights", "retention", "deletion_exceptions"]),
        ("gdpr", "GDPR Art. 20", ["user_rights"]),
        ("gdpr", "GDPR Art. 28", ["sharing"]),
        ("gdpr", "GDPR Art. 32", ["security"]),
        ("gdpr", "GDPR Art. 33", ["breach_notification"]),
        ("ccpa", "CCPA §1798.120", ["sharing"]),
        ("ccpa", "CCPA §1798.120(c)", ["minors"]),
        ("ccpa", "CCPA §1798.130(a)(2)", ["user_rights"]),
        ("coppa", "COPPA 16 CFR 312.5", ["minors"]),
        ("coppa", "COPPA 16 CFR 312.10", ["retention"]),
    ],
)
def test_framework_maps_the_articles_of_the_brief(
    framework: str, requirement: str, checks: list[str]
) -> None:
    requirements = {
        r["id"]: r["checks"] for r in load_document(FRAMEWORKS / f"{framework}.yaml").data[
            "requirements"]
    }  # fmt: skip
    assert set(checks) <= set(requirements[requirement])
