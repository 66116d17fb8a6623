"""The history database: SQLite through the standard library, schema migrations versioned.

A database holds the runs recorded into it (``check --history DB``, ``history record``):

- ``runs``: one row per recorded result (as of, when generated, its source, a digest that
  refuses recording the same results twice), with ``run_systems`` (the systems and
  environments its snapshots describe) and ``run_policies``;
- ``policy_versions`` and ``policy_clauses``: each version of a policy once, with its promises;
- ``systems`` and ``promises``: small dictionaries the other tables refer to by number;
- ``findings``: every finding that is not a pass, in detail; passes only as ``pass_counts``
  per promise, system and run (a year of nightly runs is millions of passes);
- ``issues``: one row per finding id — first seen, last seen, open or fixed, how often it was
  reopened, whether it is waived — and ``issue_events`` (new, fixed, reopened, by run and
  day, with how long a fixed issue was open), which the trends count;
- ``run_area_counts``: each run's counts per system and area, what the trend charts read;
- ``run_waivers``: each run's waivers and what became of them.

``schema_version`` lists the migrations applied. :func:`open_database` applies the missing
ones in order, each in one transaction, and refuses a database written by a newer version.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from checker.core.errors import UsageError


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    description: str
    script: str


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "runs, policy versions, findings, pass counts, issues and their events, waivers",
        """
        CREATE TABLE systems (
            id INTEGER PRIMARY KEY,
            system TEXT NOT NULL,
            environment TEXT NOT NULL,
            UNIQUE (system, environment)
        );
        CREATE TABLE promises (
            id INTEGER PRIMARY KEY,
            policy_id TEXT NOT NULL,
            clause_id TEXT NOT NULL,
            check_id TEXT NOT NULL,
            area TEXT NOT NULL,
            UNIQUE (policy_id, clause_id)
        );
        CREATE TABLE policy_versions (
            id INTEGER PRIMARY KEY,
            policy_id TEXT NOT NULL,
            version TEXT NOT NULL,
            title TEXT NOT NULL,
            effective TEXT NOT NULL,
            digest TEXT NOT NULL UNIQUE,
            first_run INTEGER NOT NULL
        );
        CREATE TABLE policy_clauses (
            policy_version INTEGER NOT NULL REFERENCES policy_versions (id),
            promise INTEGER NOT NULL REFERENCES promises (id),
            statement TEXT NOT NULL,
            PRIMARY KEY (policy_version, promise)
        ) WITHOUT ROWID;
        CREATE TABLE runs (
            id INTEGER PRIMARY KEY,
            as_of TEXT NOT NULL,
            generated_at TEXT NOT NULL,
            recorded_at TEXT NOT NULL,
            source TEXT NOT NULL,
            digest TEXT NOT NULL UNIQUE,
            fail_on TEXT NOT NULL,
            verdict TEXT NOT NULL
        );
        CREATE TABLE run_policies (
            run INTEGER NOT NULL REFERENCES runs (id),
            policy_version INTEGER NOT NULL REFERENCES policy_versions (id),
            PRIMARY KEY (run, policy_version)
        ) WITHOUT ROWID;
        CREATE TABLE run_systems (
            run INTEGER NOT NULL REFERENCES runs (id),
            system INTEGER NOT NULL REFERENCES systems (id),
            snapshot TEXT NOT NULL,
            taken_at TEXT NOT NULL,
            PRIMARY KEY (run, system, snapshot)
        ) WITHOUT ROWID;
        CREATE TABLE issues (
            id INTEGER PRIMARY KEY,
            finding_id TEXT NOT NULL UNIQUE,
            promise INTEGER NOT NULL REFERENCES promises (id),
            system INTEGER NOT NULL REFERENCES systems (id),
            resource TEXT NOT NULL,
            requirement TEXT NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('open', 'fixed')),
            first_seen INTEGER NOT NULL REFERENCES runs (id),
            last_seen INTEGER NOT NULL REFERENCES runs (id),
            opened_on TEXT NOT NULL,
            fixed_on TEXT,
            reopened INTEGER NOT NULL DEFAULT 0,
            status TEXT NOT NULL,
            severity TEXT NOT NULL,
            waiver TEXT
        );
        CREATE INDEX issues_by_state ON issues (state, system);
        CREATE TABLE issue_events (
            issue INTEGER NOT NULL REFERENCES issues (id),
            run INTEGER NOT NULL REFERENCES runs (id),
            system INTEGER NOT NULL REFERENCES systems (id),
            day TEXT NOT NULL,
            event TEXT NOT NULL CHECK (event IN ('new', 'fixed', 'reopened')),
            open_days INTEGER
        );
        CREATE INDEX issue_events_by_run ON issue_events (run);
        CREATE TABLE findings (
            run INTEGER NOT NULL REFERENCES runs (id),
            issue INTEGER NOT NULL REFERENCES issues (id),
            status TEXT NOT NULL,
            severity TEXT NOT NULL,
            message TEXT NOT NULL,
            expected TEXT NOT NULL,
            actual TEXT NOT NULL,
            evidence TEXT NOT NULL,
            waiver TEXT
        );
        CREATE INDEX findings_by_run ON findings (run);
        CREATE TABLE pass_counts (
            run INTEGER NOT NULL REFERENCES runs (id),
            promise INTEGER NOT NULL REFERENCES promises (id),
            system INTEGER NOT NULL REFERENCES systems (id),
            passes INTEGER NOT NULL,
            PRIMARY KEY (run, promise, system)
        ) WITHOUT ROWID;
        CREATE TABLE run_waivers (
            run INTEGER NOT NULL REFERENCES runs (id),
            waiver TEXT NOT NULL,
            expires TEXT NOT NULL,
            matched INTEGER NOT NULL,
            expired INTEGER NOT NULL,
            expires_in_days INTEGER NOT NULL,
            PRIMARY KEY (run, waiver)
        ) WITHOUT ROWID;
        """,
    ),
    Migration(
        2,
        "counts per run, system and area for the trend charts; indexes for report queries",
        """
        CREATE TABLE run_area_counts (
            run INTEGER NOT NULL REFERENCES runs (id),
            system INTEGER NOT NULL REFERENCES systems (id),
            area TEXT NOT NULL,
            fail INTEGER NOT NULL,
            error INTEGER NOT NULL,
            not_evidenced INTEGER NOT NULL,
            waived INTEGER NOT NULL,
            pass INTEGER NOT NULL,
            PRIMARY KEY (run, system, area)
        ) WITHOUT ROWID;
        INSERT INTO run_area_counts
        SELECT run, system, area, SUM(fail), SUM(error), SUM(not_evidenced), SUM(waived),
               SUM(pass)
        FROM (
            SELECT f.run AS run, i.system AS system, p.area AS area,
                   f.status = 'fail' AS fail, f.status = 'error' AS error,
                   f.status = 'not_evidenced' AS not_evidenced, f.status = 'waived' AS waived,
                   0 AS pass
            FROM findings AS f
            JOIN issues AS i ON i.id = f.issue
            JOIN promises AS p ON p.id = i.promise
            UNION ALL
            SELECT c.run, c.system, p.area, 0, 0, 0, 0, c.passes
            FROM pass_counts AS c
            JOIN promises AS p ON p.id = c.promise
        )
        GROUP BY run, system, area;
        CREATE INDEX runs_by_day ON runs (as_of, id);
        CREATE INDEX issue_events_by_day ON issue_events (day, system, event, open_days);
        """,
    ),
)
"""Every migration, in order. A change of schema is a new migration, never an edit."""

LATEST = MIGRATIONS[-1].version


def open_database(
    path: str | Path, *, create: bool = True, upto: int = LATEST
) -> sqlite3.Connection:
    """The database at ``path``, migrated to the latest schema (``upto`` is for tests that
    build an older one). A missing file is created unless ``create`` is false; a file that is
    not a history database, or one of a newer schema, is a :class:`UsageError`."""
    target = Path(path)
    if not create and not target.is_file():
        raise UsageError(f"{path}: no history database there (record a run first)")
    try:
        conn = sqlite3.connect(target, isolation_level=None)
    except sqlite3.OperationalError as exc:  # a missing folder, a file in the way, no access
        raise UsageError(
            f"{path}: cannot open or create a history database there ({exc})"
        ) from None
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        migrate(conn, upto=upto, name=str(path))
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise UsageError(f"{path}: not a history database ({exc})") from None
    except BaseException:
        conn.close()  # a refusal of migrate (a newer or foreign schema) leaks nothing
        raise
    return conn


def schema_version(conn: sqlite3.Connection) -> int:
    """The version of the schema, 0 for an empty database."""
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if "schema_version" not in tables:
        if tables:
            raise sqlite3.DatabaseError("it holds tables but no schema_version")
        return 0
    row = conn.execute("SELECT MAX(version) FROM schema_version").fetchone()
    return int(row[0] or 0)


def migrate(
    conn: sqlite3.Connection,
    *,
    upto: int = LATEST,
    name: str = "database",
    migrations: Sequence[Migration] = MIGRATIONS,
) -> list[int]:
    """Apply the migrations the database lacks, up to ``upto``; returns their versions."""
    current = schema_version(conn)
    if current > LATEST:
        raise UsageError(
            f"{name}: the history database has schema version {current}, newer than this "
            f"policy-checker reads ({LATEST}); upgrade policy-checker"
        )
    applied = []
    for migration in migrations:
        if current < migration.version <= upto:
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.execute(
                    "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, "
                    "description TEXT NOT NULL, applied_at TEXT NOT NULL)"
                )
                for statement in _statements(migration.script):
                    conn.execute(statement)
                conn.execute(
                    "INSERT INTO schema_version VALUES (?, ?, ?)",
                    (
                        migration.version,
                        migration.description,
                        dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
                    ),
                )
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
            applied.append(migration.version)
    return applied


def _statements(script: str) -> list[str]:
    """A migration's statements (they hold no semicolon inside a literal)."""
    return [s.strip() for s in script.split(";") if s.strip()]
