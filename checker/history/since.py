"""``check --history DB``: compare the run with the last one recorded for its systems, then
record it.

For each system (and environment) the run scans, the last recorded run that scanned it is the
earlier state; a system never recorded has none, and all its findings are new. Without a
baseline, this comparison marks findings new or existing for the reports ("since last run")
but does not change the verdict: only ``--baseline`` accepts findings.
"""

from __future__ import annotations

import sqlite3

from checker.checks import AREAS
from checker.core.diagnostics import Diagnostic, Level, Location
from checker.core.results import Finding, Result, Severity, Status
from checker.history.compare import compare
from checker.history.database import open_database
from checker.history.record import AlreadyRecorded, record

ALREADY_RECORDED = "history-already-recorded"


def compare_and_record(db: str, result: Result, *, keep_comparison: bool = False) -> Result:
    """Mark ``result``'s findings against the last recorded run of its systems and record it.

    With ``keep_comparison`` (a baseline was compared already) the baseline's marks stay;
    the run is still recorded.
    """
    conn = open_database(db)
    try:
        if not keep_comparison:
            earlier, against = previous_findings(conn, result)
            compare(result, earlier, kind="history", against=against)
        try:
            record(conn, result, "policy-check check")
        except AlreadyRecorded:
            result.diagnostics.append(
                Diagnostic(
                    Location(db, None),
                    "these results are already recorded in the history database; "
                    "not recorded again",
                    ALREADY_RECORDED,
                    Level.WARNING,
                )
            )
    finally:
        conn.close()
    return result


def previous_findings(conn: sqlite3.Connection, result: Result) -> tuple[list[Finding], str]:
    """The open findings of the last recorded run of each system ``result`` scans, and a
    description of those runs."""
    systems = {(d.system, d.environment) for d in result.documents if d.kind == "snapshot"}
    findings: list[Finding] = []
    runs: set[tuple[int, str]] = set()
    for system, environment in sorted(systems):
        row = conn.execute(
            "SELECT s.id, MAX(r.run) FROM systems AS s JOIN run_systems AS r ON r.system = s.id"
            " WHERE s.system = ? AND s.environment = ? GROUP BY s.id",
            (system, environment),
        ).fetchone()
        if row is None or row[1] is None:
            continue
        system_id, run = int(row[0]), int(row[1])
        day = conn.execute("SELECT as_of FROM runs WHERE id = ?", (run,)).fetchone()[0]
        runs.add((run, str(day)))
        findings.extend(_findings(conn, run, system_id, system, environment))
    if not runs:
        return [], "the history database (no earlier run of these systems)"
    described = ", ".join(f"run {run} as of {day}" for run, day in sorted(runs))
    return findings, f"the last recorded run ({described})"


def _findings(
    conn: sqlite3.Connection, run: int, system_id: int, system: str, environment: str
) -> list[Finding]:
    rows = conn.execute(
        "SELECT i.finding_id, p.policy_id, p.clause_id, p.check_id, p.area, f.status,"
        " f.severity, f.message, f.expected, f.actual, i.resource, f.evidence,"
        " COALESCE((SELECT c.statement FROM run_policies AS rp"
        "   JOIN policy_clauses AS c ON c.policy_version = rp.policy_version"
        "   WHERE rp.run = f.run AND c.promise = i.promise), '')"
        " FROM findings AS f JOIN issues AS i ON i.id = f.issue"
        " JOIN promises AS p ON p.id = i.promise"
        " WHERE f.run = ? AND i.system = ?",
        (run, system_id),
    )
    found = []
    for (
        finding_id,
        policy_id,
        clause_id,
        check_id,
        area,
        status,
        severity,
        message,
        expected,
        actual,
        resource,
        evidence,
        statement,
    ) in rows:
        where = Location(str(evidence), None)
        found.append(
            Finding(
                policy_id=policy_id,
                clause_id=clause_id,
                check_id=check_id,
                area=AREAS[area],
                severity=Severity(severity),
                status=Status(status),
                message=message,
                expected=expected,
                actual=actual,
                resource=resource,
                promise=statement,
                policy_location=where,
                evidence_location=where,
                system=system,
                environment=environment,
                finding_id=finding_id,
            )
        )
    return found
