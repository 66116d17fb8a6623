"""The diff as terminal text: per policy, one block per promise, worst first.

Each block opens with ``direction  section/clause`` and both places (``file:line``), then one
line per changed field (``max: 2y → 5y — longer than before``), the tiers, data kinds and
consent states it affects, and the regulations it serves. Notes about the pair (a loosening
without a major version bump) read ``file:line:col: warning: …``; verdict flips on snapshots
follow; the last lines count the rows and say what ``--fail-on`` decided.
"""

from __future__ import annotations

from typing import TextIO

from checker.core.diagnostics import printable
from checker.diff.model import DiffResult, PolicyDiff, Row
from checker.diff.ordering import Direction
from reports.diff.words import (
    VERDICT_WORDS,
    affected_words,
    change_words,
    counts_sentence,
    files_line,
    pair_heading,
    place,
    row_name,
    verdict,
)

_RESET = "\x1b[0m"
_COLORS = {
    Direction.LOOSENED: "\x1b[1;31m",
    Direction.REMOVED: "\x1b[31m",
    Direction.SCOPE_NARROWED: "\x1b[33m",
    Direction.NEEDS_REVIEW: "\x1b[35m",
    Direction.TIGHTENED: "\x1b[32m",
    Direction.ADDED: "\x1b[32m",
    Direction.SCOPE_WIDENED: "\x1b[36m",
}
_WIDTH = max(len(d.label) for d in Direction)


def _paint(text: str, direction: Direction, color: bool) -> str:
    return f"{_COLORS[direction]}{text}{_RESET}" if color else text


def write(result: DiffResult, stream: TextIO, color: bool = False) -> None:
    for index, diff in enumerate(result.diffs):
        if index:
            stream.write("\n")
        _policy(diff, stream, color)
    if not result.diffs:
        stream.write("no policy file differs\n")
    stream.write("\n" + counts_sentence(result) + "\n")
    stream.write(verdict(result) + "\n")


def _policy(diff: PolicyDiff, stream: TextIO, color: bool) -> None:
    stream.write(printable(pair_heading(diff)) + "\n")
    stream.write(printable(files_line(diff)) + "\n")
    for note in diff.notes:
        at = f" (at {note.location.json_path})" if note.location.path else ""
        stream.write(printable(f"{note.location}: {note.level.value}: {note.message}{at}") + "\n")
    if not diff.rows and not diff.renamed:
        stream.write("no promise changed\n")
    for row in diff.rows:
        _row(row, stream, color)
    for row in diff.renamed:
        stream.write(
            printable(
                f"\n{'renamed':<{_WIDTH}}  {row_name(row)}, promise unchanged: "
                f"{place(row.old)} → {place(row.new)}"
            )
            + "\n"
        )
    if diff.flips:
        stream.write("\nverdicts that change on the snapshots:\n")
        for flip in diff.flips:
            old, new = VERDICT_WORDS.get(flip.old, flip.old), VERDICT_WORDS.get(flip.new, flip.new)
            stream.write(
                printable(f"  {flip.section}/{flip.clause_id} on {flip.snapshot}: {old} → {new}")
                + "\n"
            )


def _row(row: Row, stream: TextIO, color: bool) -> None:
    head = _paint(f"{row.direction.label:<{_WIDTH}}", row.direction, color)
    stream.write(f"\n{head}  {printable(row_name(row))}\n")
    indent = " " * (_WIDTH + 2)
    stream.write(printable(f"{indent}{place(row.old)} → {place(row.new)}") + "\n")
    for change in row.changes:
        label = (
            ""
            if change.direction is row.direction and not change.wording
            else (f"[{change.direction.label}] " if not change.wording else "")
        )
        stream.write(printable(f"{indent}{label}{change_words(change)}") + "\n")
    if row.affected:
        stream.write(printable(f"{indent}affects: {affected_words(row)}") + "\n")
    if row.regulations:
        stream.write(printable(f"{indent}regulations: {', '.join(row.regulations)}") + "\n")
