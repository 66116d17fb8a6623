"""What holds for every check, and for the test modules here.

Each clause section module of ``checker/checks`` has its test module in ``tests/checks``; and,
whatever the snapshot holds, every clause is reported. (How sections are discovered, ordered
and described in the schema is tested in ``tests/test_clause_sections.py``.)
"""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path
from typing import Any

import pytest

from checker.checks import CHECKS, HELPERS
from checker.checks.base import CheckContext, Vocabulary
from checker.documents import load_document
from tests.conftest import REPO

HERE = Path(__file__).resolve().parent
LIBRARY = sorted((REPO / "policies" / "library").glob("*.yaml"))


def test_each_section_has_its_test_module_and_each_test_module_its_code() -> None:
    """Tests mirror the code: a new section comes with tests/checks/test_<section>.py; a
    helper module of the package may have one too (test_base.py); test_registry.py is this,
    and test_counted_passes.py holds every section's counting shortcuts to its full judgement."""
    tests = {p.stem.removeprefix("test_") for p in HERE.glob("test_*.py")}
    assert sorted(set(CHECKS) - tests) == []
    assert sorted(tests - set(CHECKS) - HELPERS - {"registry", "counted_passes"}) == []


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
    (
        "notice_periods",
        {
            "id": "notice",
            "change": "training_default",
            "tier_groups": ["consumer"],
            "min_lead": "15d",
        },
    ),
    (
        "training_consent",
        {
            "id": "in-time",
            "tier_groups": ["consumer"],
            "default": "trained_unless_opted_out",
            "user_can_change": True,
            "applies_to_data": {"from": "2025-09-28", "basis": "last_activity"},
            "opt_out_applies": "going_forward",
        },
    ),
    ("training_exclusions", {"id": "since", "tier_groups": ["commercial"], "since": "2023-03-01"}),
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
