"""The history database: recording runs, issues over time, migrations, trends, the commands."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from checker.core.errors import UsageError
from checker.core.results import Novelty, Result
from checker.history.database import LATEST, MIGRATIONS, open_database, schema_version
from checker.history.record import record
from checker.history.trends import median, percentile, trends
from checker.pipeline import CheckOptions, run_check
from tests.conftest import REPO, CliRunner

POLICY = REPO / "policies" / "library" / "anthropic-consumer-2025.yaml"
SNAPSHOT = REPO / "policies" / "examples" / "violating" / "snapshot.yaml"
WAIVERS = REPO / "policies" / "examples" / "waivers.yaml"
SESSION_CACHE = "encryption: {at_rest: false, in_transit: true}"
SESSION_CACHE_FIXED = "encryption: {at_rest: true, in_transit: true}"


def _snapshot(folder: Path, system: str, *, fixed: bool = False) -> Path:
    text = SNAPSHOT.read_text(encoding="utf-8").replace(
        "system: claude-consumer", f"system: {system}", 1
    )
    if fixed:
        text = text.replace(SESSION_CACHE, SESSION_CACHE_FIXED, 1)
    path = folder / f"{system}-{'fixed' if fixed else 'broken'}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _run(day: str, *snapshots: Path, waivers: bool = False) -> Result:
    return run_check(
        CheckOptions(
            policies=[str(POLICY)],
            snapshots=[str(s) for s in snapshots],
            waivers=str(WAIVERS) if waivers else None,
            as_of=dt.date.fromisoformat(day),
            count_passes=True,
        )
    )


def _open_findings(result: Result) -> int:
    return sum(1 for f in result.findings if f.status.value != "pass")


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return make_history(tmp_path)


def make_history(tmp_path: Path) -> Path:
    """Four nightly runs of two systems: alpha's session cache is fixed on day 2 and breaks
    again on day 4 (reopened); beta is not scanned on days 3 and 4."""
    path = tmp_path / "runs.sqlite"
    alpha, beta = _snapshot(tmp_path, "alpha"), _snapshot(tmp_path, "beta")
    alpha_fixed = _snapshot(tmp_path, "alpha", fixed=True)
    conn = open_database(path)
    try:
        record(conn, _run("2026-11-01", alpha, beta), "day1.json")
        record(conn, _run("2026-11-02", alpha_fixed, beta), "day2.json")
        record(conn, _run("2026-11-03", alpha_fixed), "day3.json")
        record(conn, _run("2026-11-04", alpha), "day4.json")
    finally:
        conn.close()
    return path


def test_issues_are_opened_fixed_and_reopened(db: Path, tmp_path: Path) -> None:
    with closing(sqlite3.connect(db)) as conn:
        events = conn.execute(
            "SELECT r.as_of, e.event, COUNT(*) FROM issue_events AS e"
            " JOIN runs AS r ON r.id = e.run"
            " GROUP BY r.as_of, e.event ORDER BY r.as_of, e.event"
        ).fetchall()
        day1 = _open_findings(_run("2026-11-01", _snapshot(tmp_path, "alpha")))
        assert events == [
            ("2026-11-01", "new", 2 * day1),
            ("2026-11-02", "fixed", 1),
            ("2026-11-04", "reopened", 1),
        ]
        (issue,) = conn.execute(
            "SELECT resource, requirement, state, reopened, opened_on"
            " FROM issues WHERE reopened > 0"
        ).fetchall()
        assert issue == ("store:session-cache", "encrypted at rest", "open", 1, "2026-11-04")
        assert conn.execute(
            "SELECT open_days FROM issue_events WHERE event = 'fixed'"
        ).fetchall() == [(1,)]


def test_detail_only_for_what_is_not_a_pass(db: Path) -> None:
    with closing(sqlite3.connect(db)) as conn:
        statuses = {row[0] for row in conn.execute("SELECT DISTINCT status FROM findings")}
        assert "pass" not in statuses and "fail" in statuses
        passes = conn.execute("SELECT SUM(passes) FROM pass_counts WHERE run = 1").fetchone()[0]
        assert passes > 0
        assert conn.execute("SELECT COUNT(*) FROM policy_versions").fetchone()[0] == 1


def test_a_system_not_scanned_keeps_its_last_known_state(db: Path) -> None:
    report = trends(str(db))
    assert [d.isoformat() for d in report.days] == [
        "2026-11-01",
        "2026-11-02",
        "2026-11-03",
        "2026-11-04",
    ]
    beta = next(s for s in report.per_system if s.label.startswith("beta"))
    assert [p.carried for p in beta.points] == [0, 0, 1, 1]
    assert beta.points[2].counts == beta.points[1].counts == beta.points[3].counts
    alpha = next(s for s in report.per_system if s.label.startswith("alpha"))
    assert [p.carried for p in alpha.points] == [0, 0, 0, 0]
    assert alpha.points[1].counts.fail == alpha.points[0].counts.fail - 1
    assert [p.carried for p in report.overall.points] == [0, 0, 1, 1]
    assert report.overall.points[2].counts == alpha.points[2].counts + beta.points[2].counts


def test_changes_time_to_fix_and_coverage(db: Path) -> None:
    report = trends(str(db))
    assert (report.last_run_changes.new, report.last_run_changes.reopened) == (0, 1)
    assert report.period_changes.fixed == 1 and report.period_changes.reopened == 1
    assert (report.time_to_fix.fixed, report.time_to_fix.median_days) == (1, 1.0)
    last = report.overall.last
    assert last is not None and last.counts.coverage is not None
    assert 0 < last.counts.coverage < 1
    since = trends(str(db), since=dt.date(2026, 11, 3))
    assert since.period_changes.fixed == 0 and since.period_changes.reopened == 1
    assert [p.carried for p in next(s for s in since.per_system if "beta" in s.label).points] == [
        1,
        1,
    ]


def test_a_system_filter_keeps_to_that_system(db: Path) -> None:
    report = trends(str(db), systems=["beta"])
    assert [s.label for s in report.per_system] == ["beta (production)"]
    assert report.period_changes.fixed == 0 and report.runs == 2
    with pytest.raises(UsageError, match="no run recorded of system 'gamma'"):
        trends(str(db), systems=["gamma"])


def test_policy_versions_are_stored_once_and_changes_listed(tmp_path: Path, db: Path) -> None:
    text = POLICY.read_text(encoding="utf-8")
    reworded = tmp_path / "policy.yaml"
    reworded.write_text(
        text.replace('version: "2.0"', 'version: "2.1"', 1).replace(
            "Stored data is encrypted in storage", "Stored data is always encrypted in storage", 1
        ),
        encoding="utf-8",
    )
    assert reworded.read_text(encoding="utf-8") != text
    result = run_check(
        CheckOptions(
            policies=[str(reworded)],
            snapshots=[str(_snapshot(tmp_path, "alpha"))],
            as_of=dt.date(2026, 11, 5),
        )
    )
    conn = open_database(db)
    record(conn, result, "day5.json")
    conn.close()
    (change,) = trends(str(db), since=dt.date(2026, 11, 5)).policy_changes
    assert (change.version, change.previous_version) == ("2.1", "2.0")
    assert change.reworded == ["stored-data-encrypted"] and not change.added


def test_the_same_results_are_not_recorded_twice_and_order_is_kept(
    tmp_path: Path, db: Path
) -> None:
    conn = open_database(db)
    alpha = _snapshot(tmp_path, "alpha")
    with pytest.raises(UsageError, match="already recorded"):
        record(conn, _run("2026-11-04", alpha), "again.json")
    with pytest.raises(UsageError, match="come before the last recorded run"):
        record(conn, _run("2026-10-30", alpha), "old.json")
    assert conn.execute("SELECT COUNT(*) FROM runs").fetchone()[0] == 4  # nothing half-written
    conn.close()


def test_an_older_database_is_migrated(tmp_path: Path) -> None:
    """A database of schema version 1 (before the per-area counts) gets version 2, its counts
    computed from the runs it already holds."""
    path = tmp_path / "old.sqlite"
    conn = open_database(path, upto=1)
    assert schema_version(conn) == 1
    conn.executescript(
        """
        INSERT INTO systems VALUES (1, 'chat', 'production');
        INSERT INTO promises VALUES (1, 'p', 'retention', 'retention', 'retention');
        INSERT INTO promises VALUES (2, 'p', 'encrypted', 'security', 'security');
        INSERT INTO runs VALUES (1, '2026-01-01', '', '2026-01-01T00:00:00+00:00', 'r.json',
                                 'd1', 'low', 'not_compliant');
        INSERT INTO run_systems VALUES (1, 1, 's.yaml', '');
        INSERT INTO issues VALUES (1, 'pcf1:00000000000000000000000000000001', 1, 1, 'store:a',
                                   'at most 30d', 'open', 1, 1, '2026-01-01', NULL, 0, 'fail',
                                   'high', NULL);
        INSERT INTO issues VALUES (2, 'pcf1:00000000000000000000000000000002', 2, 1, 'store:a',
                                   'encrypted at rest', 'open', 1, 1, '2026-01-01', NULL, 0,
                                   'not_evidenced', 'high', NULL);
        INSERT INTO findings VALUES (1, 1, 'fail', 'high', 'm', 'at most 30d', '90d', 's:1', NULL);
        INSERT INTO findings VALUES (1, 2, 'not_evidenced', 'high', 'm', 'e', '?', 's:2', NULL);
        INSERT INTO pass_counts VALUES (1, 2, 1, 7);
        """
    )
    conn.close()
    migrated = open_database(path)
    assert schema_version(migrated) == LATEST == 2
    versions = migrated.execute("SELECT version FROM schema_version ORDER BY version").fetchall()
    assert versions == [(m.version,) for m in MIGRATIONS]
    rows = migrated.execute(
        "SELECT area, fail, error, not_evidenced, waived, pass FROM run_area_counts ORDER BY area"
    ).fetchall()
    assert rows == [("retention", 1, 0, 0, 0, 0), ("security", 0, 0, 1, 0, 7)]
    report = trends(str(path))
    assert report.overall.points[0].counts.total == 9
    migrated.close()


def test_a_newer_or_foreign_database_is_refused(tmp_path: Path) -> None:
    newer = tmp_path / "newer.sqlite"
    conn = open_database(newer)
    conn.execute("INSERT INTO schema_version VALUES (99, 'future', '')")
    conn.close()
    with pytest.raises(UsageError, match="schema version 99, newer than"):
        open_database(newer)
    foreign = tmp_path / "foreign.sqlite"
    other = sqlite3.connect(foreign)
    other.execute("CREATE TABLE t (x)")
    other.close()
    with pytest.raises(UsageError, match="not a history database"):
        open_database(foreign)
    text = tmp_path / "text.sqlite"
    text.write_text("not a database at all, just some text" * 100, encoding="utf-8")
    with pytest.raises(UsageError, match="not a history database"):
        open_database(text)


def test_percentiles() -> None:
    assert median([]) is None and percentile([], 0.9) is None
    assert median([3, 1, 2]) == 2 and median([1, 2, 3, 10]) == 2.5
    assert percentile(list(range(1, 11)), 0.9) == 9 and percentile([5], 0.9) == 5


# --- The commands ---------------------------------------------------------------------------


def _check_args(snapshot: Path, day: str, *extra: str) -> list[str]:
    return [
        "check",
        "--policy",
        str(POLICY),
        "--snapshot",
        str(snapshot),
        "--as-of",
        day,
        "--format",
        "json",
        *extra,
    ]


def test_check_history_records_and_reports_since_last_run(
    tmp_path: Path, run_cli: CliRunner
) -> None:
    path = tmp_path / "runs.sqlite"
    alpha = _snapshot(tmp_path, "alpha")
    first = run_cli(*_check_args(alpha, "2026-11-01", "--history", str(path)))
    assert first.code == 1, first.err
    data = json.loads(first.out)
    assert data["comparison"]["kind"] == "history" and data["comparison"]["existing"] == 0
    fixed = _snapshot(tmp_path, "alpha", fixed=True)
    second = run_cli(
        *_check_args(fixed, "2026-11-02", "--history", str(path), "--format", "markdown")
    )
    assert second.code == 1  # the last run informs; only a baseline accepts findings
    assert "**Since last run: 0 new, 1 fixed**" in second.out
    assert "<br>**existing**" in second.out
    again = run_cli(*_check_args(fixed, "2026-11-02", "--history", str(path)))
    assert again.code == 1
    notes = [d for d in json.loads(again.out)["diagnostics"] if d["level"] == "warning"]
    assert any(d["code"] == "history-already-recorded" for d in notes)
    older = run_cli(*_check_args(fixed, "2026-10-01", "--history", str(path)))
    assert older.code == 2 and "come before the last recorded run" in older.err


def test_history_record_and_report_commands(tmp_path: Path, run_cli: CliRunner) -> None:
    path = tmp_path / "runs.sqlite"
    results = []
    for day, fixed in (("2026-11-01", False), ("2026-11-02", True)):
        out = tmp_path / f"{day}.json"
        snapshot = _snapshot(tmp_path, "alpha", fixed=fixed)
        run_cli(*_check_args(snapshot, day, "--output", f"json={out}"))
        results.append(str(out))
    recorded = run_cli("history", "--db", str(path), "record", *results)
    assert recorded.code == 0, recorded.err
    assert recorded.out.splitlines()[1].endswith(
        "0 new, 1 fixed, 0 reopened, "
        + str(_open_findings(_run("2026-11-02", _snapshot(tmp_path, "alpha", fixed=True))))
        + " open"
    )
    as_json = run_cli("history", "--db", str(path), "--format", "json")
    assert as_json.code == 0, as_json.err
    data = json.loads(as_json.out)
    assert data["changes"]["last_run"] == {"new": 0, "fixed": 1, "reopened": 0}
    assert data["time_to_fix"]["median_days"] == 1
    markdown = run_cli("history", "--db", str(path), "--since", "2026-11-02")
    assert markdown.code == 0 and "## Privacy compliance trends" in markdown.out
    assert "2026-11-02 to 2026-11-02: 1 run; last run 2 as of 2026-11-02." in markdown.out
    # The areas' last column counts the systems carried (not scanned that day): a number.
    by_area = markdown.out.split("### By area")[1].split("###")[0]
    rows = [line for line in by_area.splitlines() if line.startswith("| ") and "Area" not in line]
    assert rows and all(row.endswith(" | 0 |") for row in rows), rows
    html = tmp_path / "trends.html"
    written = run_cli("history", "--db", str(path), "--format", "html", "--output", str(html))
    assert written.code == 0 and written.out == ""
    assert "<script" not in html.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["history", "--format", "json"], "history needs --db"),
        (["history", "--db", "{missing}"], "no history database there"),
        (["history", "--db", "{db}", "--system", "nope"], "no run recorded of system 'nope'"),
        (["history", "--db", "{db}", "--since", "2030-01-01"], "is after the last recorded run"),
        (["history", "--db", "{db}", "--output", "{db}"], "is the history database"),
        # Places that cannot be written: internal errors (exit 3) before.
        (
            ["history", "--db", "{db}", "--output", "{policy}/trends.html"],
            "cannot write markdown trends to {policy}/trends.html: Not a directory",
        ),
        (
            ["history", "record", "{old}", "--db", "{policy}/runs.sqlite"],
            "{policy}/runs.sqlite: cannot open or create a history database there "
            "(unable to open database file)",
        ),
        (
            ["history", "record", "{policy}", "--db", "{db}"],
            "error: this file is not a policy-checker results file",
        ),
        (["history", "record", "{policy}"], "history record needs --db"),
        (
            ["history", "record", "{old}", "--db", "{db}"],
            "this file was written before findings had ids",
        ),
    ],
)
def test_history_command_errors(
    tmp_path: Path, run_cli: CliRunner, argv: list[str], message: str
) -> None:
    path = tmp_path / "runs.sqlite"
    run_cli(*_check_args(_snapshot(tmp_path, "alpha"), "2026-11-01", "--history", str(path)))
    old = tmp_path / "old.json"
    saved = json.loads(run_cli(*_check_args(_snapshot(tmp_path, "alpha"), "2026-11-02")).out)
    for finding in saved["findings"]:
        del finding["finding_id"]
    old.write_text(json.dumps(saved), encoding="utf-8")
    names = {
        "missing": str(tmp_path / "missing.sqlite"),
        "db": str(path),
        "policy": str(POLICY),
        "old": str(old),
    }
    run = run_cli(*[a.format(**names) for a in argv])
    assert run.code == 2 and message.format(**names) in run.err, run.err


def test_check_with_a_history_database_that_cannot_be_created_is_a_usage_error(
    tmp_path: Path, run_cli: CliRunner
) -> None:
    where = f"{POLICY}/runs.sqlite"  # under a file
    run = run_cli(*_check_args(_snapshot(tmp_path, "alpha"), "2026-11-01", "--history", where))
    assert run.code == 2, run.err
    assert (
        f"{where}: cannot open or create a history database there (unable to open database file)"
    ) in run.err


def test_a_baseline_and_history_together(tmp_path: Path, run_cli: CliRunner) -> None:
    """The baseline decides what blocks; the run is still recorded."""
    path, baseline = tmp_path / "runs.sqlite", tmp_path / "baseline.json"
    alpha = _snapshot(tmp_path, "alpha")
    run_cli(*_check_args(alpha, "2026-11-01", "--output", f"json={baseline}"))
    run = run_cli(
        *_check_args(alpha, "2026-11-02", "--baseline", str(baseline), "--history", str(path))
    )
    assert run.code == 0, run.err
    assert json.loads(run.out)["comparison"]["kind"] == "baseline"
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("SELECT COUNT(*) FROM runs").fetchone()[0] == 1


def test_novelty_round_trips_through_json(tmp_path: Path, db: Path) -> None:
    from reports.json_report import result_from_dict, result_to_dict

    result = run_check(
        CheckOptions(
            policies=[str(POLICY)],
            snapshots=[str(_snapshot(tmp_path, "alpha", fixed=True))],
            as_of=dt.date(2026, 11, 5),
            history=str(db),
        )
    )
    assert result.comparison is not None and len(result.comparison.fixed) == 1
    assert {f.novelty for f in result.findings if f.status.value != "pass"} == {Novelty.EXISTING}
    assert result_from_dict(result_to_dict(result)) == result


def test_end_labels_of_lines_ending_together_do_not_overlap() -> None:
    """Open, not evidenced and waived all at 0 on the last day: three labels, three lines."""
    from itertools import pairwise

    from reports.trends.html_trends import LABEL_GAP, Line, _spread_labels

    lines = [Line(name, "", "", 1.0, 600.0, 176.0, "0") for name in ("a", "b", "c")]
    spread = _spread_labels(lines, 16.0, 180.0)
    ys = sorted(line.label_y for line in spread)
    assert all(b - a >= LABEL_GAP for a, b in pairwise(ys))
    assert ys[0] >= 16.0 and ys[-1] <= 180.0
