"""Recording a run in the history database.

A run is recorded whole, in one transaction, and only once (the digest of its results). Runs
are recorded in the order they were made: a result as of a date before the last recorded run
is refused, since issues would be fixed and reopened out of order. What a run says of a
system it did not scan says nothing: only issues of the systems it scanned, under the
policies it checked, can be fixed by it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from checker.core.errors import UsageError
from checker.core.fingerprint import requirement
from checker.core.results import Finding, PassCount, Result, Status
from checker.history.compare import OPEN
from checker.history.database import open_database

_STATUS_COLUMNS = {
    Status.FAIL: 0,
    Status.ERROR: 1,
    Status.NOT_EVIDENCED: 2,
    Status.WAIVED: 3,
    Status.PASS: 4,
}


@dataclass(frozen=True, slots=True)
class Recorded:
    """What recording a run did."""

    run: int
    new: int
    fixed: int
    reopened: int
    open: int

    def sentence(self, source: str) -> str:
        return (
            f"recorded {source} as run {self.run}: {self.new:,} new, {self.fixed:,} fixed, "
            f"{self.reopened:,} reopened, {self.open:,} open"
        )


def record_files(db: str, paths: Iterable[str]) -> Iterator[str]:
    """Record saved JSON results of checks, in the order given; a line for each."""
    from checker.history.baseline import read_check_results

    conn = open_database(db)
    try:
        for path in paths:
            yield record(conn, read_check_results(path), path).sentence(path)
    finally:
        conn.close()


def record(conn: sqlite3.Connection, result: Result, source: str) -> Recorded:
    """Record ``result`` (made from ``source``) in one transaction."""
    from reports.base import Redacted
    from reports.json_report import result_to_dict

    redacted = Redacted.of(result).result  # the database is an archive: evidence redacted too
    data = result_to_dict(redacted)
    # The same results compared with another run are still the same results.
    data.pop("comparison", None)
    for finding in data["findings"]:
        finding.pop("novelty", None)
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass"))
    conn.execute("BEGIN IMMEDIATE")
    try:
        recorded = _Recorder(conn, redacted, source, digest.hexdigest()).run()
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return recorded


class AlreadyRecorded(UsageError):
    """These results are in the database already: recording them again would count every
    finding twice."""


class _Recorder:
    def __init__(self, conn: sqlite3.Connection, result: Result, source: str, digest: str) -> None:
        self.conn, self.result, self.source, self.digest = conn, result, source, digest
        self.day = result.as_of.isoformat()
        self.systems: dict[tuple[str, str], int] = {}
        self.promises: dict[tuple[str, str], int] = {}

    def run(self) -> Recorded:
        conn, result = self.conn, self.result
        if conn.execute("SELECT 1 FROM runs WHERE digest = ?", (self.digest,)).fetchone():
            raise AlreadyRecorded(f"{self.source}: these results are already recorded")
        last = conn.execute("SELECT MAX(as_of) FROM runs").fetchone()[0]
        if last is not None and self.day < last:
            raise UsageError(
                f"{self.source}: results as of {self.day} come before the last recorded run "
                f"(as of {last}); record runs in the order they were made"
            )
        verdict = "compliant" if result.compliant else "not_compliant"
        run = self._insert(
            "INSERT INTO runs (as_of, generated_at, recorded_at, source, digest, fail_on, verdict)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                self.day,
                result.generated_at,
                dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
                self.source,
                self.digest,
                result.fail_on.value,
                verdict,
            ),
        )
        scanned = self._systems(run)
        policies = self._policies(run)
        recorded = self._issues(run, scanned, policies)
        self._counts(run)
        conn.executemany(
            "INSERT INTO run_waivers VALUES (?, ?, ?, ?, ?, ?)",
            [
                (
                    run,
                    s.waiver.id,
                    s.waiver.expires.isoformat(),
                    s.matched,
                    int(s.expired),
                    s.expires_in_days,
                )
                for s in result.waivers
            ],
        )
        return recorded

    def _insert(self, sql: str, values: tuple[object, ...]) -> int:
        cursor = self.conn.execute(sql, values)
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def system(self, system: str, environment: str) -> int:
        key = (system, environment)
        found = self.systems.get(key)
        if found is None:
            self.conn.execute(
                "INSERT OR IGNORE INTO systems (system, environment) VALUES (?, ?)", key
            )
            row = self.conn.execute(
                "SELECT id FROM systems WHERE system = ? AND environment = ?", key
            ).fetchone()
            found = self.systems[key] = int(row[0])
        return found

    def promise(self, policy_id: str, clause_id: str, check_id: str, area: str) -> int:
        key = (policy_id, clause_id)
        found = self.promises.get(key)
        if found is None:
            self.conn.execute(
                "INSERT OR IGNORE INTO promises (policy_id, clause_id, check_id, area) "
                "VALUES (?, ?, ?, ?)",
                (policy_id, clause_id, check_id, area),
            )
            row = self.conn.execute(
                "SELECT id FROM promises WHERE policy_id = ? AND clause_id = ?", key
            ).fetchone()
            found = self.promises[key] = int(row[0])
        return found

    def _systems(self, run: int) -> set[int]:
        """The systems the run's snapshots describe: the only ones it can say anything of."""
        scanned = set()
        for doc in self.result.documents:
            if doc.kind == "snapshot":
                system = self.system(doc.system, doc.environment)
                scanned.add(system)
                self.conn.execute(
                    "INSERT OR IGNORE INTO run_systems VALUES (?, ?, ?, ?)",
                    (run, system, doc.file, doc.date),
                )
        return scanned

    def _policies(self, run: int) -> set[str]:
        """Each policy version once, with its promises (as the run's findings state them)."""
        clauses: dict[str, dict[str, tuple[str, str, str]]] = defaultdict(dict)
        items: list[Finding | PassCount] = [*self.result.findings, *self.result.pass_counts]
        for item in items:
            clauses[item.policy_id].setdefault(
                item.clause_id, (item.check_id, item.area.value, item.promise)
            )
        checked = set()
        for doc in self.result.documents:
            if doc.kind != "policy":
                continue
            checked.add(doc.id)
            promises = sorted(clauses[doc.id].items())
            text = repr((doc.id, doc.version, doc.title, doc.date, promises))
            digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
            row = self.conn.execute(
                "SELECT id FROM policy_versions WHERE digest = ?", (digest,)
            ).fetchone()
            if row is None:
                version = self._insert(
                    "INSERT INTO policy_versions (policy_id, version, title, effective, digest,"
                    " first_run) VALUES (?, ?, ?, ?, ?, ?)",
                    (doc.id, doc.version, doc.title, doc.date, digest, run),
                )
                self.conn.executemany(
                    "INSERT INTO policy_clauses VALUES (?, ?, ?)",
                    [
                        (version, self.promise(doc.id, clause, check, area), statement)
                        for clause, (check, area, statement) in promises
                    ],
                )
            else:
                version = int(row[0])
            self.conn.execute("INSERT OR IGNORE INTO run_policies VALUES (?, ?)", (run, version))
        return checked

    def _issues(self, run: int, scanned: set[int], policies: set[str]) -> Recorded:
        """Open, reopen and fix issues; store the run's open findings in detail."""
        conn, day = self.conn, self.day
        current: dict[str, Finding] = {}
        for finding in self.result.findings:
            if finding.status in OPEN:
                current.setdefault(finding.finding_id, finding)
        open_before: dict[str, tuple[int, str, int]] = {}
        if scanned:
            marks = ",".join("?" * len(scanned))
            for issue, finding_id, opened_on, system, policy_id in conn.execute(
                "SELECT i.id, i.finding_id, i.opened_on, i.system, p.policy_id FROM issues AS i "
                "JOIN promises AS p ON p.id = i.promise "
                f"WHERE i.state = 'open' AND i.system IN ({marks})",
                sorted(scanned),
            ):
                if policy_id in policies:
                    open_before[finding_id] = (issue, opened_on, system)
        events: list[tuple[int, int, int, str, str, int | None]] = []
        ids: dict[str, int] = {}
        new = reopened = 0
        seen: list[tuple[object, ...]] = []  # issues still open: one statement for all
        for finding_id, finding in current.items():
            known = open_before.pop(finding_id, None)
            waiver = finding.waiver.id if finding.waiver else None
            if known is not None:
                ids[finding_id] = known[0]
                seen.append((run, finding.status.value, finding.severity.value, waiver, known[0]))
                continue
            row = conn.execute(
                "SELECT id, state, system FROM issues WHERE finding_id = ?", (finding_id,)
            ).fetchone()
            if row is not None and row[1] == "open":  # open, though not where expected
                ids[finding_id] = int(row[0])
                seen.append((run, finding.status.value, finding.severity.value, waiver, row[0]))
                continue
            if row is None:
                system = self.system(finding.system, finding.environment)
                issue = self._insert(
                    "INSERT INTO issues (finding_id, promise, system, resource, requirement, "
                    "state, first_seen, last_seen, opened_on, status, severity, waiver) "
                    "VALUES (?, ?, ?, ?, ?, 'open', ?, ?, ?, ?, ?, ?)",
                    (
                        finding_id,
                        self.promise(
                            finding.policy_id,
                            finding.clause_id,
                            finding.check_id,
                            finding.area.value,
                        ),
                        system,
                        finding.resource,
                        requirement(finding.expected),
                        run,
                        run,
                        day,
                        finding.status.value,
                        finding.severity.value,
                        waiver,
                    ),
                )
                events.append((issue, run, system, day, "new", None))
                new += 1
            else:
                issue = int(row[0])
                conn.execute(
                    "UPDATE issues SET state = 'open', last_seen = ?, opened_on = ?, "
                    "fixed_on = NULL, reopened = reopened + 1, status = ?, severity = ?, "
                    "waiver = ? WHERE id = ?",
                    (run, day, finding.status.value, finding.severity.value, waiver, issue),
                )
                events.append((issue, run, int(row[2]), day, "reopened", None))
                reopened += 1
            ids[finding_id] = issue
        for issue, opened_on, system in open_before.values():  # open before, not now: fixed
            conn.execute(
                "UPDATE issues SET state = 'fixed', fixed_on = ? WHERE id = ?", (day, issue)
            )
            days = (self.result.as_of - dt.date.fromisoformat(opened_on)).days
            events.append((issue, run, system, day, "fixed", days))
        conn.executemany(
            "UPDATE issues SET last_seen = ?, status = ?, severity = ?, waiver = ? WHERE id = ?",
            seen,
        )
        conn.executemany("INSERT INTO issue_events VALUES (?, ?, ?, ?, ?, ?)", events)
        conn.executemany(
            "INSERT INTO findings VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    run,
                    ids[f.finding_id],
                    f.status.value,
                    f.severity.value,
                    f.message,
                    f.expected,
                    f.actual,
                    str(f.evidence_location or f.policy_location),
                    f.waiver.id if f.waiver else None,
                )
                for f in self.result.findings
                if f.status in OPEN
            ],
        )
        return Recorded(run, new, len(open_before), reopened, len(current))

    def _counts(self, run: int) -> None:
        """Passes per promise and system, and every status per system and area."""
        result = self.result
        by_file = {
            d.file: (d.system, d.environment) for d in result.documents if d.kind == "snapshot"
        }
        passes: Counter[tuple[int, int]] = Counter()
        areas: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
        for finding in result.findings:
            system = self.system(finding.system, finding.environment)
            areas[(system, finding.area.value)][_STATUS_COLUMNS[finding.status]] += 1
            if finding.status is Status.PASS:
                promise = self.promise(
                    finding.policy_id, finding.clause_id, finding.check_id, finding.area.value
                )
                passes[(promise, system)] += 1
        for counted in result.pass_counts:
            system = self.system(*by_file.get(counted.snapshot, ("", "")))
            promise = self.promise(
                counted.policy_id, counted.clause_id, counted.check_id, counted.area.value
            )
            passes[(promise, system)] += counted.count
            areas[(system, counted.area.value)][_STATUS_COLUMNS[Status.PASS]] += counted.count
        self.conn.executemany(
            "INSERT INTO pass_counts VALUES (?, ?, ?, ?)",
            [(run, promise, system, n) for (promise, system), n in passes.items()],
        )
        self.conn.executemany(
            "INSERT INTO run_area_counts VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [(run, system, area, *counts) for (system, area), counts in areas.items()],
        )
