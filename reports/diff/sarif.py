"""The diff as SARIF 2.1.0: each changed promise is a result on its line of the new version.

One rule per direction (``policy-diff/loosened``…). A result's level is ``error`` when
``--fail-on`` names its direction, ``warning`` when it weakens a promise (loosened, removed,
scope narrowed) or needs review, else ``note``. A removed promise points at the old version;
with ``--git`` that file is named as the repository path (without the ``REV:`` prefix) so that
code scanning can place it. Notes about the pair (a loosening without a version bump) are
results too.
"""

from __future__ import annotations

import hashlib
from typing import Any, TextIO

from checker import __version__
from checker.core.diagnostics import Location
from checker.diff.model import DiffResult, Row
from checker.diff.ordering import WEAKENING, Direction
from reports.base import shown
from reports.diff.words import change_words, row_name
from reports.json_report import dumps
from reports.sarif import SARIF_SCHEMA, artifact_uri

_WEAKER = WEAKENING | {Direction.NEEDS_REVIEW}  # a warning: a person should look
_DESCRIPTIONS = {
    Direction.LOOSENED: "A promise was loosened: it allows more than before.",
    Direction.REMOVED: "A promise was removed.",
    Direction.SCOPE_NARROWED: "A promise now covers fewer tiers, data kinds or uses.",
    Direction.NEEDS_REVIEW: "A promise changed in a way the tool cannot order: read it.",
    Direction.SCOPE_WIDENED: "A promise now covers more tiers, data kinds or uses.",
    Direction.ADDED: "A promise was added.",
    Direction.TIGHTENED: "A promise was tightened: it allows less than before.",
}
NOTE_RULE = "policy-diff/note"


def write(result: DiffResult, stream: TextIO, color: bool = False) -> None:
    stream.write(dumps(to_sarif(result), row_lists=("results",)))


def _uri(location: Location) -> str:
    file = location.file
    head, sep, rest = file.partition(":")
    if sep and "/" not in head and not (len(head) == 1 and head.isalpha()):  # REV:path
        file = rest
    return artifact_uri(file)


def _physical(location: Location) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": _uri(location)}}
    if location.position is not None:
        physical["region"] = {
            "startLine": location.position.line,
            "startColumn": location.position.column,
        }
    return physical


def _level(row: Row, result: DiffResult) -> str:
    if row.directions & result.fail_on:
        return "error"
    return "warning" if row.directions & _WEAKER else "note"


def _message(row: Row) -> str:
    lines = [f"{row.direction.label}: {row_name(row)}"]
    lines += [change_words(c) for c in row.changes if not c.wording]
    if row.statement:
        lines.append(f"Promise: {shown(row.statement, 1000)}")
    return "\n".join(lines)


def to_sarif(result: DiffResult) -> dict[str, Any]:
    rules = [
        {
            "id": f"policy-diff/{d.value}",
            "name": "".join(part.title() for part in d.value.split("-")),
            "shortDescription": {"text": _DESCRIPTIONS[d]},
            "defaultConfiguration": {"level": "warning" if d in _WEAKER else "note"},
        }
        for d in Direction
    ]
    rules.append(
        {
            "id": NOTE_RULE,
            "name": "PolicyVersionNote",
            "shortDescription": {"text": "Something about the pair of policy versions."},
            "defaultConfiguration": {"level": "warning"},
        }
    )
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    results = []
    for diff in result.diffs:
        for row in diff.rows:
            location = row.new or row.old
            assert location is not None
            rule = f"policy-diff/{row.direction.value}"
            key = f"{diff.label}|{row.section}|{row.clause_id}|{row.direction.value}"
            results.append(
                {
                    "ruleId": rule,
                    "ruleIndex": index[rule],
                    "level": _level(row, result),
                    "message": {"text": _message(row)},
                    "locations": [{"physicalLocation": _physical(location)}],
                    "partialFingerprints": {
                        "policyDiff/v1": hashlib.sha256(key.encode()).hexdigest()
                    },
                }
            )
        for note in diff.notes:
            results.append(
                {
                    "ruleId": NOTE_RULE,
                    "ruleIndex": index[NOTE_RULE],
                    "level": "warning" if note.level.value == "warning" else "error",
                    "message": {"text": shown(note.message, 2000)},
                    "locations": [{"physicalLocation": _physical(note.location)}],
                }
            )
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "policy-check diff",
                        "version": __version__,
                        "rules": rules,
                    }
                },
                "results": results,
            }
        ],
    }
