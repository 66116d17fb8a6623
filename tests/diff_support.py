"""Policies for the diff tests: built as data, loaded from YAML text so positions are real."""

from __future__ import annotations

import copy
from typing import Any

import yaml

from checker.diff.engine import compare_policies
from checker.diff.model import PolicyDiff, Row
from checker.documents import load_bytes
from checker.documents.document import Document

VOCABULARY: dict[str, Any] = {
    "tier_groups": {
        "consumer": {"tiers": ["free", "pro"]},
        "business": {"tiers": ["team", "enterprise"]},
    },
    "data_kinds": {
        "conversations": {"description": "chats"},
        "email": {"description": "addresses", "identifiable": True},
    },
}


def policy(version: str = "1.0", effective: str = "2024-01-01", **sections: Any) -> dict[str, Any]:
    """A policy with the test vocabulary (``vocabulary=`` replaces it) and ``sections``."""
    data: dict[str, Any] = {
        "policy_checker": 1,
        "metadata": {
            "id": "p",
            "title": "P",
            "version": version,
            "effective": effective,
            "owner": "privacy team",
        },
        "vocabulary": copy.deepcopy(VOCABULARY),
    }
    data.update(copy.deepcopy(sections))
    return data


def document(data: dict[str, Any], name: str = "policy.yaml") -> Document:
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    return load_bytes(text.encode("utf-8"), name)


def diff(old: dict[str, Any] | None, new: dict[str, Any] | None) -> PolicyDiff:
    return compare_policies(
        document(old, "old.yaml") if old is not None else None,
        document(new, "new.yaml") if new is not None else None,
    )


def row(result: PolicyDiff, clause_id: str) -> Row:
    found = [r for r in result.rows if r.clause_id == clause_id]
    assert len(found) == 1, [r.clause_id for r in result.rows]
    return found[0]


def changes(result: PolicyDiff, clause_id: str) -> dict[str, str]:
    """Field → direction of one row's changes."""
    return {c.field: c.direction.value for c in row(result, clause_id).changes}


def retention(clause_id: str = "kept", max_: str = "30d", **extra: Any) -> dict[str, Any]:
    return {
        "id": clause_id,
        "statement": "Kept briefly.",
        "data_kinds": ["conversations"],
        "consent_state": "training_not_allowed",
        "max": max_,
        **extra,
    }
