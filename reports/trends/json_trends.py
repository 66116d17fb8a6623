"""The trends report as JSON: every figure of :class:`~checker.history.trends.Trends`."""

from __future__ import annotations

import json
from typing import Any

from checker.history.trends import Counts, Point, Series, Trends

TRENDS_FORMAT = 1


def _counts(counts: Counts) -> dict[str, Any]:
    return {
        "open": counts.open,
        "fail": counts.fail,
        "error": counts.error,
        "not_evidenced": counts.not_evidenced,
        "waived": counts.waived,
        "pass": counts.passed,
        "total": counts.total,
        "coverage": None if counts.coverage is None else round(counts.coverage, 4),
    }


def _point(point: Point) -> dict[str, Any]:
    return {"day": point.day.isoformat(), **_counts(point.counts), "carried": point.carried}


def _series(series: Series) -> dict[str, Any]:
    return {"label": series.label, "points": [_point(p) for p in series.points]}


def trends_to_dict(trends: Trends) -> dict[str, Any]:
    waivers = trends.waivers
    return {
        "trends_format": TRENDS_FORMAT,
        "database": trends.database,
        "since": trends.since.isoformat(),
        "until": trends.until.isoformat(),
        "systems": list(trends.systems_filter),
        "runs": trends.runs,
        "last_run": trends.last_run,
        "changes": {
            "last_run": vars_of(trends.last_run_changes),
            "period": vars_of(trends.period_changes),
        },
        "time_to_fix": {
            "fixed": trends.time_to_fix.fixed,
            "median_days": trends.time_to_fix.median_days,
            "p90_days": trends.time_to_fix.p90_days,
        },
        "waivers": {
            name: [{"waiver": w, "expires": e, "matched": m} for w, e, m in rows]
            for name, rows in (
                ("active", waivers.active),
                ("expiring", waivers.expiring),
                ("expired", waivers.expired),
                ("unmatched", waivers.unmatched),
            )
        },
        "coverage": None
        if trends.overall.last is None or trends.overall.last.counts.coverage is None
        else round(trends.overall.last.counts.coverage, 4),
        "overall": _series(trends.overall),
        "per_system": [_series(s) for s in trends.per_system],
        "per_area": [_series(s) for s in trends.per_area],
        "policy_changes": [
            {
                "policy_id": c.policy_id,
                "version": c.version,
                "first_seen": c.first_seen.isoformat(),
                "previous_version": c.previous_version,
                "added": c.added,
                "removed": c.removed,
                "reworded": c.reworded,
            }
            for c in trends.policy_changes
        ],
        "open_issues": trends.open_issues,
        "oldest_open": [
            {
                "finding_id": i.finding_id,
                "system": i.system,
                "promise": i.promise,
                "resource": i.resource,
                "requirement": i.requirement,
                "status": i.status,
                "severity": i.severity,
                "opened_on": i.opened_on.isoformat(),
                "days_open": i.days_open,
                "reopened": i.reopened,
                "waiver": i.waiver,
            }
            for i in trends.oldest_open
        ],
    }


def vars_of(changes: Any) -> dict[str, int]:
    return {"new": changes.new, "fixed": changes.fixed, "reopened": changes.reopened}


def render_json(trends: Trends) -> str:
    return json.dumps(trends_to_dict(trends), ensure_ascii=False, indent=1) + "\n"
