#!/usr/bin/env python3
"""How fast the history database records runs and answers the trends report's queries.

    python benchmarks/bench_history.py                     # 365 nightly runs x 20 systems
    python benchmarks/bench_history.py --days 30 --html benchmarks/work/trends.html

A year of synthetic nightly runs is recorded into a fresh database, each night one result
covering 20 systems (snapshots), as ``policy-check history record`` records a saved result:

* every system holds about 195 open findings among 450 (30 promises, two per clause
  section, on 15 resources); each night about 3% of them are fixed, as many new ones appear,
  and a tenth of the new ones are old issues coming back (reopened); some findings are
  waived, some not evidenced; passes are counted per promise (``check --passes count``);
* one system in seven is not scanned every fifth night, so the trends carry its last known
  state; the policy gets a new version on day 200; the waivers file has waivers that expire,
  expire soon and match nothing.

About 1.4 million findings in all (the exact count is in the results). Timed: recording each
run (``checker.history.record.record``: redaction, the digest, every insert, in one
transaction), then each query of the trends report on the full database, every query
``--repeat`` times (medians), with and without a ``--system`` filter, and the whole report
(``checker.history.trends.trends``) rendered as HTML. Results go to ``results/history.json``
and ``results/latest.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchlib import (
    RESULTS,
    ROOT,
    WORK,
    code_fingerprint,
    command_line,
    git_commit,
    machine,
    now,
    write_json,
    write_latest,
)

sys.path.insert(0, str(ROOT))

from checker.checks import AREAS, CHECKS
from checker.core.diagnostics import Location, Position
from checker.core.results import (
    DocumentInfo,
    Finding,
    PassCount,
    Result,
    Severity,
    Status,
    Waiver,
    WaiverState,
)
from checker.history import trends as trends_module
from checker.history.database import open_database
from checker.history.record import record
from reports.trends import render_trends

START = dt.date(2025, 11, 21)
SYSTEMS = 20
RESOURCES = 60
OPEN_PER_SYSTEM = 195
FIX_RATE = 0.03
REOPEN_SHARE = 0.1
POLICY_ID = "anthropic-consumer-2025"
POLICY_FILE = "policies/library/anthropic-consumer-2025.yaml"


def _clauses() -> list[tuple[str, str, str]]:
    """(clause id, check id, area) of a policy with a few clauses of every section."""
    out = []
    for section, check in CHECKS.items():
        for n in range(2):
            out.append((f"{section.replace('_', '-')}-{n + 1}", section, check.area.value))
    return out


class Nightly:
    """The synthetic state of every system, advanced one night at a time."""

    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)
        self.clauses = _clauses()
        self.keys = [
            (clause, f"store:res-{r:02d}")
            for clause in range(len(self.clauses))
            for r in range(RESOURCES // 4)
        ]
        self.open: list[dict[tuple[int, str], Status]] = []
        self.fixed: list[list[tuple[int, str]]] = []
        for _ in range(SYSTEMS):
            chosen = self.random.sample(self.keys, OPEN_PER_SYSTEM)
            self.open.append({key: self._status() for key in chosen})
            self.fixed.append([])
        self.waivers = [
            Waiver(
                f"waiver-{n}",
                None,
                f"{POLICY_ID}/{self.clauses[n][0]}",
                None,
                "Synthetic waiver for the benchmark.",
                "DPO",
                f"PRIV-{n}",
                START + dt.timedelta(days=60 * (n + 1)),
                Location("waivers.yaml", Position(3 + n * 8, 5), ("waivers", n)),
                START,
            )
            for n in range(8)
        ]

    def _status(self) -> Status:
        roll = self.random.random()
        if roll < 0.15:
            return Status.NOT_EVIDENCED
        if roll < 0.2:
            return Status.WAIVED
        return Status.FAIL

    def advance(self) -> None:
        for system in range(SYSTEMS):
            open_, fixed = self.open[system], self.fixed[system]
            gone = [key for key in open_ if self.random.random() < FIX_RATE]
            for key in gone:
                del open_[key]
                fixed.append(key)
            while len(open_) < OPEN_PER_SYSTEM:  # as many new as fixed: a steady state
                if fixed and self.random.random() < REOPEN_SHARE:
                    key = fixed.pop(self.random.randrange(len(fixed)))
                else:
                    key = self.random.choice(self.keys)
                if key not in open_:
                    open_[key] = self._status()

    def result(self, day: int) -> Result:
        as_of = START + dt.timedelta(days=day)
        version = "2.0" if day < 200 else "2.1"
        result = Result(as_of=as_of, fail_on=Severity.LOW, generated_at=f"{as_of}T03:00:00+00:00")
        result.documents.append(
            DocumentInfo(
                "policy", POLICY_FILE, POLICY_ID, "Consumer promises", version, "2025-09-28"
            )
        )
        for system in range(SYSTEMS):
            if system % 7 == 3 and day % 5 == 4:
                continue  # not scanned tonight: the trends carry its last known state
            name, snapshot = f"system-{system:02d}", f"snapshots/system-{system:02d}.yaml"
            result.documents.append(
                DocumentInfo(
                    "snapshot", snapshot, name, "", "", f"{as_of}T02:00:00Z", name, "production"
                )
            )
            where = Location(snapshot, Position(10, 3), ("stores", 0))
            for (clause, resource), status in self.open[system].items():
                clause_id, check_id, area = self.clauses[clause]
                result.findings.append(
                    Finding(
                        policy_id=POLICY_ID,
                        clause_id=clause_id,
                        check_id=check_id,
                        area=AREAS[area],
                        severity=Severity.HIGH,
                        status=status,
                        message=f"{resource} breaks {clause_id}",
                        expected=f"requirement of {clause_id}",
                        actual="something else",
                        resource=resource,
                        promise=f"The promise of {clause_id}" + (" (v2.1)" if day >= 200 else ""),
                        policy_location=Location(POLICY_FILE, Position(clause + 5, 5)),
                        evidence_location=where,
                        waiver=self.waivers[0] if status is Status.WAIVED else None,
                        system=name,
                        environment="production",
                    )
                )
            for clause_id, check_id, area in self.clauses:
                result.pass_counts.append(
                    PassCount(
                        POLICY_ID,
                        clause_id,
                        check_id,
                        AREAS[area],
                        Severity.HIGH,
                        f"The promise of {clause_id}",
                        Location(POLICY_FILE, Position(5, 5)),
                        snapshot,
                        RESOURCES // 2,
                    )
                )
        result.waivers = [
            WaiverState(w, 0 if n == 7 else 3, w.expires < as_of, (w.expires - as_of).days)
            for n, w in enumerate(self.waivers)
        ]
        return result


def _timed(call: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, value = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        value = call()
        times.append(time.perf_counter() - start)
    return statistics.median(times), value


def _measure(
    db: str, systems: tuple[str, ...], repeat: int
) -> tuple[dict[str, float], trends_module.Trends]:
    """Each query of the trends report, then the whole report and its HTML: medians."""
    conn = open_database(db, create=False)
    query = trends_module.TrendQueries(conn, db, None, systems)
    runs_time, runs = _timed(query.runs, repeat)
    last = runs[-1][0]
    report = trends_module.Trends(db, query.since, query.until, systems, len(runs), "")
    measured = {
        "runs of the period": runs_time,
        "series per system and area (carried states)": _timed(
            lambda: query.series(report, runs), repeat
        )[0],
        "new / fixed / reopened in the last run": _timed(
            lambda: query.changes_in_run(last), repeat
        )[0],
        "new / fixed / reopened since a date": _timed(
            lambda: query.changes_since(query.since), repeat
        )[0],
        "time to fix (median, p90)": _timed(query.time_to_fix, repeat)[0],
        "waiver debt": _timed(lambda: query.waivers(last), repeat)[0],
        "policy changes": _timed(query.policy_changes, repeat)[0],
        "oldest open issues": _timed(query.open_issues, repeat)[0],
    }
    conn.close()
    whole, built = _timed(lambda: trends_module.trends(db, systems=systems), repeat)
    measured["whole report, every query"] = whole
    measured["HTML rendering"] = _timed(lambda: render_trends(built, "html"), repeat)[0]
    return measured, built


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--db", type=Path, default=WORK / "history.sqlite")
    parser.add_argument("--html", type=Path, help="also write the trends report here")
    parser.add_argument("--no-save", action="store_true", help="do not write results/")
    args = parser.parse_args(argv)

    args.db.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{args.db}{suffix}").unlink(missing_ok=True)
    conn = open_database(args.db)
    nightly = Nightly(args.seed)
    ingest: list[float] = []
    findings = 0
    for day in range(args.days):
        if day:
            nightly.advance()
        result = nightly.result(day)
        findings += len(result.findings)
        start = time.perf_counter()
        record(conn, result, f"night-{day:03d}.json")
        ingest.append(time.perf_counter() - start)
        if day % 50 == 0:
            print(f"day {day}: {findings:,} findings, last run {ingest[-1]:.3f} s", flush=True)
    conn.close()
    size_mb = (
        sum(
            Path(f"{args.db}{s}").stat().st_size
            for s in ("", "-wal")
            if Path(f"{args.db}{s}").exists()
        )
        / 1e6
    )

    db = str(args.db)
    queries: dict[str, float] = {}
    for label, systems in (("all systems", ()), ("one system", ("system-03",))):
        measured, built = _measure(db, systems, args.repeat)
        queries.update((f"{name} ({label})", seconds) for name, seconds in measured.items())
        if args.html and not systems:
            args.html.parent.mkdir(parents=True, exist_ok=True)
            args.html.write_text(render_trends(built, "html"), encoding="utf-8")
    data = {
        "generated": now(),
        "commit": git_commit(),
        "code": code_fingerprint(),
        "command": command_line(),
        "machine": machine(),
        "days": args.days,
        "systems": SYSTEMS,
        "runs": args.days,
        "findings": findings,
        "database_mb": round(size_mb, 1),
        "ingest": {
            "total_s": round(sum(ingest), 3),
            "median_run_s": round(statistics.median(ingest), 4),
            "max_run_s": round(max(ingest), 4),
            "findings_per_s": round(findings / sum(ingest)),
        },
        "queries_median_s": {k: round(v, 6) for k, v in queries.items()},
        "repeat": args.repeat,
    }
    print(
        f"{findings:,} findings in {args.days} runs; ingest {sum(ingest):.1f} s "
        f"(median {statistics.median(ingest) * 1000:.0f} ms per run); database {size_mb:.0f} MB"
    )
    for name, seconds in queries.items():
        print(f"  {seconds * 1000:8.1f} ms  {name}")
    if not args.no_save:
        write_json(RESULTS / "history.json", data)
        print(f"wrote {RESULTS / 'history.json'} and {write_latest()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
