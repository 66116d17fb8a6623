"""Trends for review meetings, computed from the history database.

:func:`trends` answers, for a period (``--since`` to the last recorded run) and optionally
some systems: the state per system and per area on each day with a run — a system not scanned
on a day keeps its last known state, marked as carried; new, fixed and reopened issues in the
last run and in the period; median and 90th-percentile time to fix; waiver debt; evidence
coverage (the share of checks that had evidence); policy versions that appeared; and the
oldest open issues. Each part is one query over the tables made for it, so a year of nightly
runs over 20 systems stays well under a second each (``benchmarks/bench_history.py``).
"""

from __future__ import annotations

import datetime as dt
import math
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from checker.checks import AREAS
from checker.core.errors import UsageError
from checker.history.database import open_database

EXPIRING_SOON_DAYS = 30
OLDEST_OPEN = 20
_COLUMNS = ("fail", "error", "not_evidenced", "waived", "pass")


@dataclass(frozen=True, slots=True)
class Counts:
    fail: int = 0
    error: int = 0
    not_evidenced: int = 0
    waived: int = 0
    passed: int = 0

    @property
    def open(self) -> int:
        """What needs action: failing, not evaluated and not evidenced."""
        return self.fail + self.error + self.not_evidenced

    @property
    def total(self) -> int:
        return self.open + self.waived + self.passed

    @property
    def coverage(self) -> float | None:
        """The share of checks that had evidence (None when nothing was checked)."""
        return (self.total - self.not_evidenced) / self.total if self.total else None

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.fail + other.fail,
            self.error + other.error,
            self.not_evidenced + other.not_evidenced,
            self.waived + other.waived,
            self.passed + other.passed,
        )


@dataclass(frozen=True, slots=True)
class Point:
    """A series' state on a day; ``carried`` when not scanned that day (last known state), or
    for a sum, how many of its systems were carried."""

    day: dt.date
    counts: Counts
    carried: int = 0


@dataclass(frozen=True, slots=True)
class Series:
    label: str
    points: list[Point]

    @property
    def last(self) -> Point | None:
        return self.points[-1] if self.points else None

    @property
    def first(self) -> Point | None:
        return self.points[0] if self.points else None


@dataclass(frozen=True, slots=True)
class Changes:
    new: int = 0
    fixed: int = 0
    reopened: int = 0


@dataclass(frozen=True, slots=True)
class TimeToFix:
    fixed: int
    median_days: float | None
    p90_days: float | None


@dataclass(frozen=True, slots=True)
class WaiverDebt:
    active: list[tuple[str, str, int]]  # (waiver, expires, findings matched)
    expiring: list[tuple[str, str, int]]
    expired: list[tuple[str, str, int]]
    unmatched: list[tuple[str, str, int]]


@dataclass(frozen=True, slots=True)
class PolicyChange:
    policy_id: str
    version: str
    first_seen: dt.date
    previous_version: str | None  # None: the first version recorded
    added: list[str]
    removed: list[str]
    reworded: list[str]


@dataclass(frozen=True, slots=True)
class OpenIssue:
    finding_id: str
    system: str
    promise: str  # policy/clause
    resource: str
    requirement: str
    status: str
    severity: str
    opened_on: dt.date
    days_open: int
    reopened: int
    waiver: str | None


@dataclass(slots=True)
class Trends:
    """Everything the trends report shows."""

    database: str
    since: dt.date
    until: dt.date
    systems_filter: tuple[str, ...]
    runs: int
    last_run: str
    days: list[dt.date] = field(default_factory=list)
    per_system: list[Series] = field(default_factory=list)
    per_area: list[Series] = field(default_factory=list)
    overall: Series = field(default_factory=lambda: Series("All systems", []))
    last_run_changes: Changes = field(default_factory=Changes)
    period_changes: Changes = field(default_factory=Changes)
    time_to_fix: TimeToFix = field(default_factory=lambda: TimeToFix(0, None, None))
    waivers: WaiverDebt = field(default_factory=lambda: WaiverDebt([], [], [], []))
    policy_changes: list[PolicyChange] = field(default_factory=list)
    oldest_open: list[OpenIssue] = field(default_factory=list)
    open_issues: int = 0


def percentile(values: Sequence[int], share: float) -> float | None:
    """The nearest-rank percentile (``share`` in 0..1) of ``values``; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return float(ordered[rank - 1])


def median(values: Sequence[int]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[middle])
    return (ordered[middle - 1] + ordered[middle]) / 2


def trends(db: str, *, since: dt.date | None = None, systems: Sequence[str] = ()) -> Trends:
    """The trends of the runs recorded in ``db`` (see the module docstring)."""
    conn = open_database(db, create=False)
    try:
        return TrendQueries(conn, db, since, tuple(systems)).trends()
    finally:
        conn.close()


class TrendQueries:
    """The queries of the trends report, one method each (the benchmark times them one by one)."""

    def __init__(
        self, conn: sqlite3.Connection, db: str, since: dt.date | None, systems: tuple[str, ...]
    ) -> None:
        self.conn, self.db, self.filter = conn, db, systems
        self.names: dict[int, str] = {}
        for system_id, system, environment in conn.execute(
            "SELECT id, system, environment FROM systems ORDER BY system, environment"
        ):
            label = f"{system} ({environment})" if environment else system
            if not systems or system in systems or label in systems:
                self.names[int(system_id)] = label
        if systems:
            known = {row[0] for row in conn.execute("SELECT DISTINCT system FROM systems")}
            unknown = [s for s in systems if s not in known and s not in self.names.values()]
            if unknown:
                raise UsageError(
                    f"{db}: no run recorded of system {', '.join(map(repr, unknown))}; "
                    f"recorded: {', '.join(sorted(known)) or 'none'}"
                )
        first = conn.execute("SELECT MIN(as_of), MAX(as_of) FROM runs").fetchone()
        if first[0] is None:
            raise UsageError(f"{db}: no run is recorded in this history database")
        self.since = since or dt.date.fromisoformat(first[0])
        self.until = dt.date.fromisoformat(first[1])
        if self.since > self.until:
            raise UsageError(
                f"--since {self.since.isoformat()} is after the last recorded run "
                f"({self.until.isoformat()})"
            )
        self.marks = ",".join("?" * len(self.names))
        self.ids = sorted(self.names)

    def trends(self) -> Trends:
        runs = self.runs()
        last = runs[-1] if runs else None
        result = Trends(
            database=self.db,
            since=self.since,
            until=self.until,
            systems_filter=self.filter,
            runs=len(runs),
            last_run=f"run {last[0]} as of {last[1].isoformat()}" if last else "none",
        )
        self.series(result, runs)
        if last is not None:
            result.last_run_changes = self.changes_in_run(last[0])
        result.period_changes = self.changes_since(self.since)
        result.time_to_fix = self.time_to_fix()
        result.waivers = self.waivers(last[0] if last else None)
        result.policy_changes = self.policy_changes()
        result.oldest_open, result.open_issues = self.open_issues()
        return result

    def runs(self) -> list[tuple[int, dt.date]]:
        """Runs of the period that scanned a selected system, in order."""
        rows = self.conn.execute(
            "SELECT DISTINCT r.id, r.as_of FROM runs AS r JOIN run_systems AS s ON s.run = r.id"
            f" WHERE r.as_of >= ? AND s.system IN ({self.marks}) ORDER BY r.as_of, r.id",
            (self.since.isoformat(), *self.ids),
        )
        return [(int(run), dt.date.fromisoformat(day)) for run, day in rows]

    def series(self, result: Trends, runs: list[tuple[int, dt.date]]) -> None:
        """Per system and per area, a point per day with a run; carried states marked.

        Totals are kept up to date as systems are scanned (subtract the old state, add the new)
        rather than summed again each day: a year of 20 systems is 7,300 updates, not 100,000
        additions.
        """
        conn = self.conn
        # The last state of each system before the period, carried into its first days.
        carry_in: dict[int, int] = {}
        for system, run in conn.execute(
            "SELECT s.system, MAX(s.run) FROM run_systems AS s JOIN runs AS r ON r.id = s.run"
            f" WHERE r.as_of < ? AND s.system IN ({self.marks}) GROUP BY s.system",
            (self.since.isoformat(), *self.ids),
        ):
            carry_in[int(system)] = int(run)
        scanned: dict[int, list[int]] = defaultdict(list)
        counts: dict[tuple[int, int], dict[str, tuple[int, ...]]] = defaultdict(dict)

        def load(where: str, values: Sequence[int]) -> None:
            for run, system in conn.execute(
                f"SELECT run, system FROM run_systems WHERE {where} AND system IN ({self.marks})",
                (*values, *self.ids),
            ):
                scanned[int(run)].append(int(system))
            for run, system, area, *numbers in conn.execute(
                "SELECT run, system, area, fail, error, not_evidenced, waived, pass FROM "
                f"run_area_counts WHERE {where} AND system IN ({self.marks})",
                (*values, *self.ids),
            ):
                counts[(int(run), int(system))][str(area)] = tuple(numbers)

        if runs:  # runs are recorded in date order: the period is every run from its first
            load("run >= ?", (runs[0][0],))
        for chunk in _chunks(sorted(set(carry_in.values())), 500):
            load(f"run IN ({','.join('?' * len(chunk))})", chunk)
        state = {system: counts.get((run, system), {}) for system, run in carry_in.items()}
        system_total = {system: _sum(areas.values()) for system, areas in state.items()}
        area_total: dict[str, list[int]] = defaultdict(lambda: [0] * len(_COLUMNS))
        for areas in state.values():
            for area, numbers in areas.items():
                _add(area_total[area], numbers, 1)
        by_day: dict[dt.date, list[int]] = defaultdict(list)
        for run, day in runs:
            by_day[day].append(run)
        system_points: dict[int, list[Point]] = defaultdict(list)
        area_points: dict[str, list[Point]] = defaultdict(list)
        overall: list[Point] = []
        for day in sorted(by_day):
            fresh: set[int] = set()
            for run in by_day[day]:  # the last run of the day wins
                for system in scanned[run]:
                    for area, numbers in state.get(system, {}).items():
                        _add(area_total[area], numbers, -1)
                    state[system] = counts.get((run, system), {})
                    for area, numbers in state[system].items():
                        _add(area_total[area], numbers, 1)
                    system_total[system] = _sum(state[system].values())
                    fresh.add(system)
            carried = [system for system in state if system not in fresh]
            area_carried = Counter(area for system in carried for area in state[system])
            for system, total in system_total.items():
                system_points[system].append(Point(day, Counts(*total), int(system not in fresh)))
            overall.append(Point(day, Counts(*_sum(system_total.values())), len(carried)))
            for area, total in area_total.items():
                area_points[area].append(Point(day, Counts(*total), area_carried[area]))
        result.days = sorted(by_day)
        result.per_system = [
            Series(self.names[s], system_points[s]) for s in self.ids if system_points.get(s)
        ]
        result.per_area = [
            Series(area.title, area_points[area.value])
            for area in AREAS.values()
            if area.value in area_points
        ]
        result.overall = Series("All systems", overall)

    def changes_in_run(self, run: int) -> Changes:
        """New, fixed and reopened issues in one run."""
        return self._changes("run = ?", (run,))

    def changes_since(self, day: dt.date) -> Changes:
        """New, fixed and reopened issues in the runs as of ``day`` or later."""
        return self._changes("day >= ?", (day.isoformat(),))

    def _changes(self, where: str, values: tuple[object, ...]) -> Changes:
        tally = dict.fromkeys(("new", "fixed", "reopened"), 0)
        for event, count in self.conn.execute(
            "SELECT event, COUNT(*) FROM issue_events"
            f" WHERE {where} AND system IN ({self.marks}) GROUP BY event",
            (*values, *self.ids),
        ):
            tally[str(event)] = int(count)
        return Changes(**tally)

    def time_to_fix(self) -> TimeToFix:
        days = [
            int(row[0])
            for row in self.conn.execute(
                "SELECT open_days FROM issue_events"
                f" WHERE day >= ? AND system IN ({self.marks}) AND event = 'fixed'",
                (self.since.isoformat(), *self.ids),
            )
        ]
        return TimeToFix(len(days), median(days), percentile(days, 0.9))

    def waivers(self, run: int | None) -> WaiverDebt:
        buckets: dict[str, list[tuple[str, str, int]]] = defaultdict(list)
        if run is not None:
            for waiver, expires, matched, expired, in_days in self.conn.execute(
                "SELECT waiver, expires, matched, expired, expires_in_days FROM run_waivers"
                " WHERE run = ? ORDER BY expires, waiver",
                (run,),
            ):
                row = (str(waiver), str(expires), int(matched))
                if expired:
                    buckets["expired"].append(row)
                elif in_days <= EXPIRING_SOON_DAYS:
                    buckets["expiring"].append(row)
                else:
                    buckets["active"].append(row)
                if not matched and not expired:
                    buckets["unmatched"].append(row)
        return WaiverDebt(
            buckets["active"], buckets["expiring"], buckets["expired"], buckets["unmatched"]
        )

    def policy_changes(self) -> list[PolicyChange]:
        conn = self.conn
        changes = []
        versions = conn.execute(
            "SELECT v.id, v.policy_id, v.version, r.as_of FROM policy_versions AS v"
            " JOIN runs AS r ON r.id = v.first_run WHERE r.as_of >= ? ORDER BY r.as_of, v.id",
            (self.since.isoformat(),),
        ).fetchall()
        for version_id, policy_id, version, day in versions:
            before = conn.execute(
                "SELECT id, version FROM policy_versions WHERE policy_id = ? AND id < ?"
                " ORDER BY id DESC LIMIT 1",
                (policy_id, version_id),
            ).fetchone()
            now = self._clauses(int(version_id))
            old = self._clauses(int(before[0])) if before else {}
            changes.append(
                PolicyChange(
                    policy_id=str(policy_id),
                    version=str(version),
                    first_seen=dt.date.fromisoformat(day),
                    previous_version=str(before[1]) if before else None,
                    added=sorted(now.keys() - old.keys()) if before else [],
                    removed=sorted(old.keys() - now.keys()),
                    reworded=sorted(c for c in now.keys() & old.keys() if now[c] != old[c]),
                )
            )
        return changes

    def _clauses(self, version: int) -> dict[str, str]:
        return {
            str(clause): str(statement)
            for clause, statement in self.conn.execute(
                "SELECT p.clause_id, c.statement FROM policy_clauses AS c"
                " JOIN promises AS p ON p.id = c.promise WHERE c.policy_version = ?",
                (version,),
            )
        }

    def open_issues(self) -> tuple[list[OpenIssue], int]:
        total = self.conn.execute(
            f"SELECT COUNT(*) FROM issues WHERE state = 'open' AND system IN ({self.marks})",
            self.ids,
        ).fetchone()[0]
        rows = self.conn.execute(
            "SELECT i.finding_id, i.system, p.policy_id || '/' || p.clause_id, i.resource,"
            " i.requirement, i.status, i.severity, i.opened_on, i.reopened, i.waiver"
            " FROM issues AS i JOIN promises AS p ON p.id = i.promise"
            f" WHERE i.state = 'open' AND i.system IN ({self.marks})"
            " ORDER BY i.opened_on, i.id LIMIT ?",
            (*self.ids, OLDEST_OPEN),
        )
        issues = []
        for (
            finding_id,
            system,
            promise,
            resource,
            req,
            status,
            sev,
            opened,
            reopened,
            waiver,
        ) in rows:
            opened_on = dt.date.fromisoformat(opened)
            issues.append(
                OpenIssue(
                    str(finding_id),
                    self.names[int(system)],
                    str(promise),
                    str(resource),
                    str(req),
                    str(status),
                    str(sev),
                    opened_on,
                    (self.until - opened_on).days,
                    int(reopened),
                    waiver,
                )
            )
        return issues, int(total)


def _add(total: list[int], numbers: Sequence[int], sign: int) -> None:
    for index, number in enumerate(numbers):
        total[index] += sign * number


def _sum(rows: Iterable[Sequence[int]]) -> list[int]:
    total = [0] * len(_COLUMNS)
    for numbers in rows:
        _add(total, numbers, 1)
    return total


def _chunks(values: list[int], size: int) -> list[list[int]]:
    return [values[i : i + size] for i in range(0, len(values), size)]
