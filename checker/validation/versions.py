"""Policy language versions: which schema reads a policy, and what a v1 policy cannot say.

A policy names its language version in ``policy_checker``. Version 1 is frozen: its schema,
``policies/schemas/policy.v1.schema.json``, never changes, so a v1 policy means today what it
meant when it was written. Version 2, the current one, is the schema generated from the
clause sections (``policy.schema.json``). Loading picks the schema by the document's version.

A v1 policy that uses something only version 2 has (a field, a section, a value) gets an error
at that place saying so, and how to move the file to version 2 (``policy-check upgrade``),
instead of an "unknown key" that would send its author looking for a typo.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from checker.core.diagnostics import Diagnostic, JsonPath, Level
from checker.documents.document import Document
from checker.validation.schemas import allowed_keys, load_schema, subschemas_at

CURRENT = 2
"""The version ``policy-check init`` and ``upgrade`` write."""

SCHEMA_KINDS = {1: "policy.v1", 2: "policy"}
"""The schema (``policies/schemas/<kind>.schema.json``) of each language version."""

NEEDS_V2 = "language-needs-v2"


def language_version(data: Any) -> int | None:
    """The document's ``policy_checker``, when it is a version this tool reads."""
    version = data.get("policy_checker") if isinstance(data, Mapping) else None
    return version if type(version) is int and version in SCHEMA_KINDS else None


def schema_kind(data: Any) -> str:
    """The schema a policy is read with: its version's, else the current one (whose error
    then says which version is expected)."""
    version = language_version(data)
    return SCHEMA_KINDS[version] if version is not None else SCHEMA_KINDS[CURRENT]


def explain_v2_features(
    doc: Document, diagnostics: Iterable[Diagnostic], v2_error_paths: Iterable[JsonPath]
) -> list[Diagnostic]:
    """The v1 schema's diagnostics, each that version 2 would accept said as such.

    ``v2_error_paths`` are where the current schema finds errors in the same document read
    as version 2. An unknown key the current schema defines at that place, or any other
    problem the current schema does not share, is a version 2 feature.
    """
    current = load_schema(SCHEMA_KINDS[CURRENT])
    still_wrong = list(v2_error_paths)
    upgrade = f"(policy-check upgrade {doc.name})"
    out = []
    for diagnostic in diagnostics:
        path = diagnostic.location.path
        if (
            diagnostic.level is not Level.ERROR
            or not diagnostic.code.startswith("schema-")
            or path in ((), ("policy_checker",))
        ):
            out.append(diagnostic)
        elif diagnostic.code == "schema-unknown-key":
            out.extend(_unknown_keys(doc, diagnostic, current, upgrade))
        elif any(_related(path, other) for other in still_wrong):
            out.append(diagnostic)
        else:
            message = f"{diagnostic.message} in policy language 1; policy_checker: 2 accepts this"
            out.append(Diagnostic(diagnostic.location, f"{message} {upgrade}", NEEDS_V2))
    return out


def _unknown_keys(
    doc: Document, diagnostic: Diagnostic, current: dict[str, Any], upgrade: str
) -> Iterator[Diagnostic]:
    """The schema names one unknown key per mapping: name every version 2 key of the mapping
    (each needs the upgrade), and keep the schema's diagnostic when its key is no version 2
    key either (a misspelling)."""
    parent = diagnostic.location.path[:-1]
    v2_keys = _keys_at(current, parent)
    v1_keys = _keys_at(load_schema(SCHEMA_KINDS[1]), parent)
    node = _at(doc.data, parent)
    extra = [key for key in node if key not in v1_keys] if isinstance(node, Mapping) else []
    for key in extra:
        if key in v2_keys:
            location = doc.locate((*parent, key), key=True)
            yield Diagnostic(location, f"'{key}' needs policy_checker: 2 {upgrade}", NEEDS_V2)
    if diagnostic.location.path[-1] not in v2_keys:
        yield diagnostic
        return
    unknown = [key for key in extra if key not in v2_keys]
    if unknown:  # the schema named a version 2 key: name the misspelling it hid
        close = difflib.get_close_matches(str(unknown[0]), sorted(v1_keys), n=1, cutoff=0.6)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        yield Diagnostic(
            doc.locate((*parent, unknown[0]), key=True),
            f"unknown key '{unknown[0]}'{hint}",
            "schema-unknown-key",
        )


def _at(data: Any, path: JsonPath) -> Any:
    for item in path:
        if isinstance(item, str) and isinstance(data, Mapping):
            data = data.get(item)
        elif isinstance(item, int) and isinstance(data, list) and 0 <= item < len(data):
            data = data[item]
        else:
            return None
    return data


def explain_unknown_version(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """A ``policy_checker`` this tool does not read: say which versions it does."""
    known = " or ".join(map(str, SCHEMA_KINDS))
    return [
        Diagnostic(
            d.location,
            f"{d.message}: policy_checker is the policy language version, {known}",
            d.code,
            d.level,
        )
        if d.location.path == ("policy_checker",) and d.code == "schema-const"
        else d
        for d in diagnostics
    ]


def _keys_at(root: dict[str, Any], path: JsonPath) -> set[str]:
    return {key for schema in subschemas_at(root, path) for key in allowed_keys(schema, root)}


def _related(a: JsonPath, b: JsonPath) -> bool:
    """Whether one path lies within the other."""
    shorter = min(len(a), len(b))
    return a[:shorter] == b[:shorter]
