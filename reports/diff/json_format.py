"""The diff as JSON, versioned: ``policies/schemas/diff.schema.json`` describes it.

Deterministic: keys in a fixed order, rows in review order (worst first), no timestamp unless
asked for. Places are objects (``file``, ``line``, ``column``, ``path``) so that a program can
jump to either version of a promise.
"""

from __future__ import annotations

from typing import Any, TextIO

from checker.core.diagnostics import Location, format_json_path
from checker.diff.model import VERSION, Change, DiffResult, Flip, Note, PolicyDiff, PolicyRef, Row
from checker.diff.ordering import Direction
from reports.json_report import dumps

SCHEMA_ID = "https://policy-checker.dev/schemas/diff/v1.json"


def write(result: DiffResult, stream: TextIO, color: bool = False) -> None:
    stream.write(dumps(to_json(result)))


def to_json(result: DiffResult) -> dict[str, Any]:
    return {
        "$schema": SCHEMA_ID,
        "diff_format": VERSION,
        "generated_at": result.generated_at or None,
        "fail_on": [d.value for d in Direction if d in result.fail_on],
        "exit_code": result.exit_code(),
        "counts": {d.value: n for d, n in result.counts().items()},
        "snapshots": list(result.snapshots),
        "policies": [_policy(diff) for diff in result.diffs],
    }


def _ref(ref: PolicyRef | None) -> dict[str, Any] | None:
    if ref is None:
        return None
    return {
        "id": ref.id,
        "title": ref.title,
        "version": ref.version,
        "effective": ref.effective,
        "file": ref.file,
    }


def place(location: Location | None) -> dict[str, Any] | None:
    if location is None:
        return None
    return {
        "file": location.file,
        "line": location.position.line if location.position else None,
        "column": location.position.column if location.position else None,
        "path": format_json_path(location.path),
    }


def _policy(diff: PolicyDiff) -> dict[str, Any]:
    return {
        "old": _ref(diff.old),
        "new": _ref(diff.new),
        "unchanged": diff.unchanged,
        "rows": [_row(row) for row in diff.rows],
        "renamed": [
            {
                "section": r.section,
                "clause": r.clause_id,
                "renamed_from": r.renamed_from,
                "old": place(r.old),
                "new": place(r.new),
            }
            for r in diff.renamed
        ],
        "notes": [_note(note) for note in diff.notes],
        "flips": [_flip(flip) for flip in diff.flips],
    }


def _row(row: Row) -> dict[str, Any]:
    return {
        "direction": row.direction.value,
        "section": row.section,
        "clause": row.clause_id,
        "renamed_from": row.renamed_from or None,
        "statement": row.statement,
        "old": place(row.old),
        "new": place(row.new),
        "changes": [_change(change) for change in row.changes],
        "affected": {facet: list(items) for facet, items in row.affected},
        "regulations": list(row.regulations),
    }


def _change(change: Change) -> dict[str, Any]:
    return {
        "field": change.field,
        "old": change.old or None,
        "new": change.new or None,
        "direction": change.direction.value,
        "note": change.note,
        "wording": change.wording,
    }


def _note(note: Note) -> dict[str, Any]:
    return {
        "code": note.code,
        "level": note.level.value,
        "message": note.message,
        "location": place(note.location),
    }


def _flip(flip: Flip) -> dict[str, Any]:
    return {
        "section": flip.section,
        "clause": flip.clause_id,
        "snapshot": flip.snapshot,
        "old": flip.old or None,
        "new": flip.new or None,
        "location": place(flip.location),
    }
