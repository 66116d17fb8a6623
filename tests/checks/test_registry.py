"""The registry of checks, ``checker/checks/__init__.py``, and what holds for every check.

One module per clause section, each registered under the section's name, each with its own
test module here; and whatever the snapshot holds, every clause is reported.
"""

from __future__ import annotations

import datetime as dt
import importlib
import itertools
import pkgutil
from pathlib import Path
from typing import Any

import pytest

import checker.checks
from checker.checks import CHECKS
from checker.checks.base import CheckContext, Vocabulary
from checker.loader import load_document
from checker.schemas import load_schema
from tests.conftest import REPO

HERE = Path(__file__).resolve().parent
MODULES = sorted(
    info.name for info in pkgutil.iter_modules(checker.checks.__path__) if info.name != "base"
)
LIBRARY = sorted((REPO / "policies" / "library").glob("*.yaml"))


def test_every_clause_section_has_a_check_in_schema_order() -> None:
    sections = [
        name
        for name, prop in load_schema("policy")["properties"].items()
        if prop.get("type") == "array"
    ]
    assert list(CHECKS) == sections


@pytest.mark.parametrize("module", MODULES)
def test_each_module_is_registered_under_its_name(module: str) -> None:
    assert CHECKS[module] is importlib.import_module(f"checker.checks.{module}").CHECK


def test_each_module_has_its_test_module_and_nothing_else_is_here() -> None:
    """Tests mirror the code: a new check comes with tests/checks/test_<section>.py."""
    tests = sorted(p.stem.removeprefix("test_") for p in HERE.glob("test_*.py"))
    assert sorted([*MODULES, "base", "registry"]) == tests


# Sections of a snapshot that a check may find missing, empty or filled.
LISTS = ("tiers", "stores", "pipelines", "recipients")
MAPPINGS = ("user_rights", "incident_response", "governance", "age_gate")


def _sparse_snapshots() -> list[dict[str, Any]]:
    """Every combination of the list sections present but empty, with and without the
    mappings present but empty: the snapshots most likely to leave a check nothing to say."""
    found: list[dict[str, Any]] = []
    for size in range(len(LISTS) + 1):
        for lists in itertools.combinations(LISTS, size):
            for mappings in ((), MAPPINGS):
                found.append({**{s: [] for s in lists}, **{m: {} for m in mappings}})
    return found


def _clauses() -> list[Any]:
    out = []
    for path in LIBRARY:
        policy = load_document(path).data
        for section in CHECKS:
            for clause in policy.get(section) or ():
                out.append(pytest.param(section, clause, policy, id=f"{path.stem}/{clause['id']}"))
    policy = load_document(REPO / "policies" / "library" / "anthropic-consumer-2025.yaml").data
    for section, clause in MODES_THE_LIBRARY_LEAVES_OUT:
        out.append(pytest.param(section, clause, policy, id=f"{section}/{clause['id']}"))
    return out


MODES_THE_LIBRARY_LEAVES_OUT: list[tuple[str, dict[str, Any]]] = [
    (
        "anonymisation",
        {"id": "for-sharing", "applies_to": "sharing", "required_filters": ["anonymisation"]},
    ),
    (
        "anonymisation",
        {"id": "for-storage", "applies_to": "storage", "required_filters": ["pii_redaction"]},
    ),
    ("data_minimisation", {"id": "not-stored", "data_kinds": ["email"], "forbidden_in": "storage"}),
    (
        "data_minimisation",
        {"id": "trained", "data_kinds": ["conversations"], "allowed_in": "training"},
    ),
    (
        "sensitive_data",
        {"id": "never", "categories": ["finances"], "retention": "never", "training": "allowed"},
    ),
    (
        "minors",
        {
            "id": "gate-only",
            "minimum_age": 13,
            "conversations_stored": True,
            "preferences": "normal",
            "training": "allowed",
        },
    ),
    (
        "retention",
        {
            "id": "any",
            "data_kinds": ["conversations"],
            "consent_state": "any",
            "max": "1y",
            "tier_groups": ["consumer"],
        },
    ),
    (
        "custom_rules",
        {"id": "may-be-empty", "for_each": "stores", "assert": "true", "allow_empty": True},
    ),
]


@pytest.mark.parametrize(("section", "clause", "policy"), _clauses())
def test_every_clause_is_reported_whatever_the_snapshot_holds(
    section: str, clause: dict[str, Any], policy: dict[str, Any]
) -> None:
    """A clause that yields no observation vanishes from every report: "Compliant: no
    promises were checked" for a policy that made them. Each library clause, checked against
    snapshots with sections missing or empty, yields at least one observation."""
    vocabulary = Vocabulary.from_policy(policy)
    silent = [
        sorted(snapshot)
        for snapshot in _sparse_snapshots()
        if not list(
            CHECKS[section].run(
                CheckContext(clause, policy, snapshot, vocabulary, dt.date(2026, 11, 21))
            )
        )
    ]
    assert silent == []
