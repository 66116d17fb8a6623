"""The diff as a pull-request comment (GitHub-flavoured Markdown).

A heading with the counts, then per policy a table of the promises that changed, worst first:
the direction, the promise, what changed old → new, whom it affects and where it is in both
versions. Policy text is inert (no links, mentions or HTML), as in the ``check`` comment.
"""

from __future__ import annotations

from typing import TextIO

from checker.diff.model import DiffResult, PolicyDiff, Row
from checker.diff.ordering import Direction
from reports.diff.words import (
    VERDICT_WORDS,
    affected_words,
    change_words,
    counts_sentence,
    pair_heading,
    place,
    verdict,
)
from reports.markdown import _table, code, prose

_MARKS = {
    Direction.LOOSENED: "🔴",
    Direction.REMOVED: "🔴",
    Direction.SCOPE_NARROWED: "🟠",
    Direction.NEEDS_REVIEW: "🟡",
    Direction.SCOPE_WIDENED: "🔵",
    Direction.ADDED: "🟢",
    Direction.TIGHTENED: "🟢",
}


def write(result: DiffResult, stream: TextIO, color: bool = False) -> None:
    lines = ["## What changed in the privacy policy", "", prose(counts_sentence(result)), ""]
    if result.fail_on:
        lines += [f"**{prose(verdict(result))}**", ""]
    for diff in result.diffs:
        lines += policy_lines(diff)
    if not result.diffs:
        lines.append("No policy file differs.")
    stream.write("\n".join(lines).rstrip("\n") + "\n")


def policy_lines(diff: PolicyDiff, level: str = "###") -> list[str]:
    """One policy's changes: a heading, notes, the table of rows, renames, verdict flips."""
    lines = [f"{level} {prose(pair_heading(diff))}", ""]
    for note in diff.notes:
        at = f" {code(note.location.json_path, 200)}" if note.location.path else ""
        lines.append(f"- ⚠️ {prose(note.message)} ({code(str(note.location), 300)}{at})")
    if diff.notes:
        lines.append("")
    if diff.rows:
        lines += _table(
            ["", "direction", "promise", "what changed", "affects", "old → new"],
            [_cells(row) for row in diff.rows],
        )
        lines.append("")
    else:
        lines += ["No promise changed.", ""]
    for row in diff.renamed:
        lines.append(
            f"- renamed {code(row.renamed_from)} → {code(row.clause_id)}, promise unchanged"
        )
    if diff.flips:
        lines += ["", "**Verdicts that change on the snapshots**", ""]
        lines += _table(
            ["promise", "snapshot", "before", "after"],
            [
                [
                    code(f"{f.section}/{f.clause_id}"),
                    code(f.snapshot, 300),
                    VERDICT_WORDS.get(f.old, prose(f.old)),
                    VERDICT_WORDS.get(f.new, prose(f.new)),
                ]
                for f in diff.flips
            ],
        )
    lines.append("")
    return lines


def _cells(row: Row) -> list[str]:
    name = code(f"{row.section}/{row.clause_id}", 200)
    if row.renamed_from:
        name += f" (was {code(row.renamed_from)})"
    changes = "<br>".join(
        prose(
            ("" if c.direction is row.direction or c.wording else f"[{c.direction.label}] ")
            + change_words(c),
            500,
        )
        for c in row.changes
    )
    return [
        _MARKS[row.direction],
        f"**{row.direction.label}**",
        name,
        changes or "—",
        prose(affected_words(row)) or "—",
        f"{code(place(row.old), 300)} → {code(place(row.new), 300)}",
    ]
