"""What a policy diff is made of: frozen records the engine builds and the formats render."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from checker.core.diagnostics import Level, Location
from checker.diff.ordering import Direction

VERSION = 1
"""Version of the JSON diff format (``policies/schemas/diff.schema.json``)."""


@dataclass(frozen=True, slots=True)
class Change:
    """One field of one promise, old → new in the policy's own words (``""``: not set)."""

    field: str
    old: str
    new: str
    direction: Direction
    note: str  # the change in plain words
    wording: bool = False  # prose only (statement, description): shown, but never decisive


@dataclass(frozen=True, slots=True)
class Row:
    """One promise that changed: a clause (or a vocabulary entry) in either version."""

    section: str
    clause_id: str  # the new version's id; the old one's for a removed clause
    direction: Direction
    statement: str
    changes: tuple[Change, ...] = ()
    renamed_from: str = ""
    affected: tuple[tuple[str, tuple[str, ...]], ...] = ()  # facet → items, e.g. tiers → (free,)
    old: Location | None = None
    new: Location | None = None
    regulations: tuple[str, ...] = ()

    @property
    def directions(self) -> frozenset[Direction]:
        """The row's direction and those of each of its changes, rewording aside (a new
        statement for the same promise is shown, but fails no ``--fail-on``)."""
        return frozenset({self.direction, *(c.direction for c in self.changes if not c.wording)})


@dataclass(frozen=True, slots=True)
class Note:
    """Something about the pair of policies rather than one promise (e.g. a loosening with
    no major version bump), at a place in one of them."""

    code: str
    message: str
    location: Location
    level: Level = Level.WARNING


@dataclass(frozen=True, slots=True)
class Flip:
    """A promise whose verdict on a snapshot differs between the two versions."""

    section: str
    clause_id: str
    snapshot: str
    old: str  # a status ("pass", "fail", "not_evidenced", "error"), or "" when absent
    new: str
    location: Location | None


@dataclass(frozen=True, slots=True)
class PolicyRef:
    """One version of a policy: its identity and where it was read from."""

    id: str
    title: str
    version: str
    effective: str
    file: str


@dataclass(slots=True)
class PolicyDiff:
    """Two versions of one policy (either may be missing: a policy added or removed)."""

    old: PolicyRef | None
    new: PolicyRef | None
    rows: list[Row] = field(default_factory=list)
    renamed: list[Row] = field(default_factory=list)  # renamed, promise unchanged
    unchanged: int = 0
    notes: list[Note] = field(default_factory=list)
    flips: list[Flip] = field(default_factory=list)
    # Every clause in either version as (section, old id, new id), "" for a side without it.
    pairs: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def label(self) -> str:
        ref = self.new or self.old
        assert ref is not None
        return ref.id


@dataclass(slots=True)
class DiffResult:
    """Every policy compared, and the directions that fail the run."""

    diffs: list[PolicyDiff]
    fail_on: frozenset[Direction] = frozenset()
    snapshots: tuple[str, ...] = ()
    generated_at: str = ""

    def rows(self) -> Iterator[tuple[PolicyDiff, Row]]:
        for diff in self.diffs:
            for row in diff.rows:
                yield diff, row

    def failing(self) -> list[Row]:
        """Rows with a direction, or a change, that ``--fail-on`` names."""
        return [row for _, row in self.rows() if row.directions & self.fail_on]

    def counts(self) -> dict[Direction, int]:
        """Rows per direction, every direction present (zero included), in review order."""
        counted = dict.fromkeys(Direction, 0)
        for _, row in self.rows():
            counted[row.direction] += 1
        return counted

    def exit_code(self) -> int:
        """1 when a row moves in a direction ``--fail-on`` names, else 0."""
        return 1 if self.failing() else 0


def by_review_order(rows: Iterable[Row]) -> list[Row]:
    """Loosened first, then removed, narrowed, to review, widened, added, tightened; within a
    direction, in policy order (a stable sort)."""
    return sorted(rows, key=lambda row: row.direction.rank)
