"""A policy diff as plain data and back: the ``policy_diff`` of ``diff.schema.json``.

The diff format (``policy-check diff --format json``) and check results (their ``changes``,
the "What changed since the previous policy" section) share it, and ``policy-check report``
reads it back: :func:`policy_from_json` is the inverse of :func:`policy_to_json`.
"""

from __future__ import annotations

from typing import Any

from checker.core.diagnostics import JsonPath, Level, Location, Position, format_json_path
from checker.diff.model import Change, Flip, Note, PolicyDiff, PolicyRef, Row
from checker.diff.ordering import Direction


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
        "path": list(location.path),
        "json_path": format_json_path(location.path),
    }


def policy_to_json(diff: PolicyDiff) -> dict[str, Any]:
    """One policy's diff, as ``policy_diff`` in the schema (also in check results)."""
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


# --- Reading back (saved check results carry their "What changed" section) ----------------


def _read_place(data: dict[str, Any] | None) -> Location | None:
    if data is None:
        return None
    line, column = data.get("line"), data.get("column")
    position = Position(int(line), int(column)) if line is not None and column is not None else None
    path: JsonPath = tuple(p if isinstance(p, int) else str(p) for p in data.get("path", ()))
    return Location(str(data["file"]), position, path)


def _read_ref(data: dict[str, Any] | None) -> PolicyRef | None:
    if data is None:
        return None
    return PolicyRef(
        str(data["id"]), str(data["title"]), str(data["version"]), str(data["effective"]),
        str(data["file"]),
    )  # fmt: skip


def _read_row(data: dict[str, Any]) -> Row:
    return Row(
        section=str(data["section"]),
        clause_id=str(data["clause"]),
        direction=Direction(data["direction"]),
        statement=str(data.get("statement", "")),
        changes=tuple(
            Change(
                str(c["field"]),
                str(c.get("old") or ""),
                str(c.get("new") or ""),
                Direction(c["direction"]),
                str(c.get("note", "")),
                bool(c.get("wording", False)),
            )
            for c in data.get("changes", ())
        ),
        renamed_from=str(data.get("renamed_from") or ""),
        affected=tuple(
            (str(facet), tuple(str(i) for i in items))
            for facet, items in data.get("affected", {}).items()
        ),
        old=_read_place(data.get("old")),
        new=_read_place(data.get("new")),
        regulations=tuple(str(r) for r in data.get("regulations", ())),
    )


def policy_from_json(data: dict[str, Any]) -> PolicyDiff:
    """The inverse of :func:`policy_to_json`."""
    renamed = [
        Row(
            str(r["section"]),
            str(r["clause"]),
            Direction.NEEDS_REVIEW,
            "",
            renamed_from=str(r["renamed_from"]),
            old=_read_place(r.get("old")),
            new=_read_place(r.get("new")),
        )
        for r in data.get("renamed", ())
    ]
    notes = [
        Note(str(n["code"]), str(n["message"]), _read_place(n["location"]) or Location("", None),
             Level(n["level"]))
        for n in data.get("notes", ())
    ]  # fmt: skip
    flips = [
        Flip(str(f["section"]), str(f["clause"]), str(f["snapshot"]), str(f.get("old") or ""),
             str(f.get("new") or ""), _read_place(f.get("location")))
        for f in data.get("flips", ())
    ]  # fmt: skip
    return PolicyDiff(
        old=_read_ref(data.get("old")),
        new=_read_ref(data.get("new")),
        rows=[_read_row(r) for r in data.get("rows", ())],
        renamed=renamed,
        unchanged=int(data.get("unchanged", 0)),
        notes=notes,
        flips=flips,
    )
