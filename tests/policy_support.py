"""Helpers for the schema and policy-language tests: the schemas, a minimal policy, and the
product's own validation of a document built in a test.

``problems(kind, data)`` runs :func:`checker.validation.validator.validate_document` — what
``policy-check validate`` runs on every file it loads — on data a test built, so the schema
tests judge documents exactly as users' documents are judged (formats such as ``date`` and
``duration`` included). Positions are not known for such data; the cases under
``tests/cases/validate`` check positions and wording on real files.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from checker.core.diagnostics import Diagnostic, JsonPath, Position
from checker.documents.document import Document
from checker.validation.schemas import load_schema
from checker.validation.validator import validate_document

REPO = Path(__file__).resolve().parents[1]
SCHEMAS = REPO / "policies" / "schemas"
LIBRARY = REPO / "policies" / "library"
FRAMEWORKS = REPO / "policies" / "frameworks"
REFERENCE = REPO / "docs" / "policy-language.md"

__all__ = [
    "FRAMEWORKS",
    "LIBRARY",
    "MINIMAL_POLICY",
    "REFERENCE",
    "REPO",
    "SCHEMAS",
    "clause_definition",
    "clause_sections",
    "load_schema",
    "minimal_policy",
    "problems",
    "schema_errors",
]

# The smallest valid policy; tests add clause sections to (a copy of) it.
MINIMAL_POLICY: dict[str, Any] = {
    "policy_checker": 2,  # the current language: the schema the sections generate
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


class _Unplaced:
    """Positions of data built in a test: there is no file, so none is known."""

    def value(self, path: JsonPath) -> Position | None:
        return None

    def key(self, path: JsonPath) -> Position | None:
        return None


def problems(kind: str, data: Any, name: str = "document.yaml") -> list[Diagnostic]:
    """Every problem the product's validation finds in ``data`` read as a ``kind`` document:
    schema errors and, for a schema-valid policy, the semantic rules."""
    return validate_document(Document(name, data, "yaml", _Unplaced()), kind)


def schema_errors(kind: str, data: Any) -> list[tuple[str, str]]:
    """(code, JSON path) of each schema problem of ``data``, sorted; semantic rules left out."""
    return sorted(
        (d.code, d.location.json_path) for d in problems(kind, data) if d.code.startswith("schema-")
    )


def clause_sections() -> list[str]:
    """Clause sections of the policy language: its top-level lists, in schema order."""
    properties = load_schema("policy")["properties"]
    return [name for name, prop in properties.items() if prop.get("type") == "array"]


def clause_definition(section: str) -> dict[str, Any]:
    """The ``$defs`` entry describing one clause of ``section``."""
    definition: dict[str, Any] = load_schema("policy")["$defs"][f"{section}_clause"]
    return definition


# The fields every clause has, in the order of the schema (checker.checks.base.clause_fields):
# the tests of the generated schema and of the language reference hold both to this list.
COMMON = [
    "id",
    "statement",
    "severity",
    "remediation",
    "if_not_evidenced",
    "references",
    "replaces",
    "regions",
    "source",
    "sources",
    "confidence",
    "effective",
    "expires",
]
