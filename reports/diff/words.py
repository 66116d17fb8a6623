"""What every diff format says the same way: headings, places, counts, verdict words."""

from __future__ import annotations

from checker.core.diagnostics import Location
from checker.diff.model import Change, DiffResult, PolicyDiff, PolicyRef, Row
from checker.diff.ordering import Direction
from reports.base import plural, shown

VERDICT_WORDS = {
    "pass": "passes",
    "fail": "fails",
    "not_evidenced": "not evidenced",
    "waived": "waived",
    "error": "could not be evaluated",
    "": "not in this version",
}

SECTION_TITLES = {"vocabulary": "Vocabulary"}


def version_label(ref: PolicyRef | None) -> str:
    """``anthropic-privacy-2023 1.0 (effective 2023-01-01)``, or ``(none)``."""
    if ref is None:
        return "(none)"
    return f"{shown(ref.id, 120)} {shown(ref.version, 40)} (effective {shown(ref.effective, 20)})"


def place(location: Location | None) -> str:
    """``file:line`` of a clause, or ``—`` when the version does not have it."""
    if location is None:
        return "—"
    line = f":{location.position.line}" if location.position is not None else ""
    return shown(f"{location.file}{line}", 300)


def row_name(row: Row) -> str:
    """``retention/retention-opted-in`` (renamed from …)."""
    name = f"{row.section}/{row.clause_id}"
    if row.renamed_from:
        name += f" (was {row.renamed_from})"
    return shown(name, 200)


def change_words(change: Change) -> str:
    """``max: 2y → 5y (longer than before)``, in the policy's own words."""
    old = shown(change.old, 200) or "(not set)"
    new = shown(change.new, 200) or "(not set)"
    if change.wording:
        return f"{change.field} reworded"
    if change.direction in (Direction.ADDED, Direction.REMOVED):  # a whole clause: its values
        return f"{change.field}: {shown(change.new or change.old, 200)}"
    text = f"{change.field}: {old} → {new}"
    return f"{text} — {shown(change.note, 300)}" if change.note else text


def affected_words(row: Row) -> str:
    """``tiers free, pro, max; data kinds conversations``."""
    return "; ".join(f"{facet} {', '.join(items)}" for facet, items in row.affected)


def counts_sentence(result: DiffResult) -> str:
    """``4 loosened, 2 scope narrowed, 5 added; 18 unchanged`` (directions with a count)."""
    counts = result.counts()
    parts = [f"{n} {d.label}" for d, n in counts.items() if n]
    unchanged = sum(d.unchanged for d in result.diffs)
    renamed = sum(len(d.renamed) for d in result.diffs)
    tail = [f"{unchanged} unchanged"]
    if renamed:
        tail.append(f"{renamed} renamed only")
    return (", ".join(parts) or "no promise changed") + "; " + ", ".join(tail)


def verdict(result: DiffResult) -> str:
    """The last line: whether ``--fail-on`` fails the run, and why."""
    if not result.fail_on:
        return "no --fail-on given: the diff does not fail the run"
    failing = result.failing()
    names = ", ".join(d.value for d in Direction if d in result.fail_on)
    if not failing:
        return f"--fail-on {names}: nothing moved that way"
    return f"--fail-on {names}: {plural(len(failing), 'promise')} moved that way"


def pair_heading(diff: PolicyDiff) -> str:
    return f"{version_label(diff.old)} → {version_label(diff.new)}"


def files_line(diff: PolicyDiff) -> str:
    old = shown(diff.old.file, 300) if diff.old else "—"
    new = shown(diff.new.file, 300) if diff.new else "—"
    return f"{old} → {new}"
