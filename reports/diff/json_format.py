"""The diff as JSON, versioned: ``policies/schemas/diff.schema.json`` describes it.

Deterministic: keys in a fixed order, rows in review order (worst first), no timestamp unless
asked for. Places are objects (``file``, ``line``, ``column``, ``path``, ``json_path``) so
that a program can jump to either version of a promise.
"""

from __future__ import annotations

from typing import Any, TextIO

from checker.diff.model import VERSION, DiffResult
from checker.diff.ordering import Direction
from checker.diff.serial import policy_to_json
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
        "policies": [policy_to_json(diff) for diff in result.diffs],
    }
