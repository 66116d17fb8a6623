"""The trends report as Markdown: for a review meeting's notes or a scheduled job's summary."""

from __future__ import annotations

from checker.history.trends import Point, Series, Trends
from reports.base import plural
from reports.markdown import code, prose


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _days(value: float | None) -> str:
    return "—" if value is None else f"{value:g} days"


def _delta(first: Point | None, last: Point | None) -> str:
    if first is None or last is None:
        return "—"
    change = last.counts.open - first.counts.open
    return f"{change:+,}"


def _state(point: Point | None) -> str:
    if point is None:
        return "—"
    return "last known state (not scanned that day)" if point.carried else "scanned"


def _series_rows(series: list[Series], carried_is_count: bool) -> list[str]:
    rows = []
    for s in series:
        last = s.last
        if last is None:
            continue
        # A system's state, or for an area the number of its systems carried (not scanned).
        note = f"{last.carried:,}" if carried_is_count else _state(last)
        rows.append(
            f"| {prose(s.label, 120)} | {last.counts.open:,} | {_delta(s.first, last)} | "
            f"{last.counts.not_evidenced:,} | {last.counts.waived:,} | "
            f"{_pct(last.counts.coverage)} | {note} |"
        )
    return rows


def render_markdown(trends: Trends) -> str:
    t = trends
    out = [
        "## Privacy compliance trends",
        "",
        f"{t.since.isoformat()} to {t.until.isoformat()}: {plural(t.runs, 'run')}"
        + (f" of {', '.join(code(s, 60) for s in t.systems_filter)}" if t.systems_filter else "")
        + f"; last {t.last_run}.",
        "",
        "| | new | fixed | reopened |",
        "|---|---|---|---|",
        f"| since the previous run | {t.last_run_changes.new:,} | {t.last_run_changes.fixed:,} | "
        f"{t.last_run_changes.reopened:,} |",
        f"| since {t.since.isoformat()} | {t.period_changes.new:,} | {t.period_changes.fixed:,} | "
        f"{t.period_changes.reopened:,} |",
        "",
        f"**Open issues**: {t.open_issues:,} (waived included). **Time to fix** "
        f"({t.time_to_fix.fixed:,} fixed in the period): median "
        f"{_days(t.time_to_fix.median_days)}, 90th percentile "
        f"{_days(t.time_to_fix.p90_days)}. **Evidence coverage**: "
        f"{_pct(t.overall.last.counts.coverage if t.overall.last else None)} of checks had "
        "evidence.",
        "",
        "### By system",
        "",
        "Open = failing, not evaluated or not evidenced; the change is since the first day of "
        "the period. A system not scanned on the last day shows its last known state.",
        "",
        "| System | Open | Change | Not evidenced | Waived | Coverage | State |",
        "|---|---|---|---|---|---|---|",
        *_series_rows(t.per_system, False),
        "",
        "### By area",
        "",
        "| Area | Open | Change | Not evidenced | Waived | Coverage | Systems carried |",
        "|---|---|---|---|---|---|---|",
        *_series_rows(t.per_area, True),
        "",
        "### Waiver debt",
        "",
        f"{len(t.waivers.active):,} active, {len(t.waivers.expiring):,} expiring within 30 days, "
        f"{len(t.waivers.expired):,} expired, {len(t.waivers.unmatched):,} matching nothing "
        "(as of the last run).",
        "",
    ]
    for title, rows in (
        ("Expired", t.waivers.expired),
        ("Expiring within 30 days", t.waivers.expiring),
        ("Matching nothing", t.waivers.unmatched),
    ):
        if rows:
            out.append(
                f"- {title}: "
                + ", ".join(f"{code(w, 60)} (expires {e}, {m:,} findings)" for w, e, m in rows)
            )
    out += ["", "### Policy changes in the period", ""]
    if not t.policy_changes:
        out.append("No new policy version was recorded in the period.")
    for change in t.policy_changes:
        head = f"- {code(change.policy_id, 80)} version {code(change.version, 40)}, first run "
        head += change.first_seen.isoformat()
        if change.previous_version is None:
            out.append(head + ": first recorded version.")
            continue
        parts = [
            f"{label}: " + ", ".join(code(c, 80) for c in clauses)
            for label, clauses in (
                ("added", change.added),
                ("removed", change.removed),
                ("reworded", change.reworded),
            )
            if clauses
        ]
        out.append(
            head
            + f" (was {code(change.previous_version, 40)}): "
            + ("; ".join(parts) if parts else "same promises")
            + "."
        )
    out += ["", f"### Oldest open issues ({len(t.oldest_open):,} of {t.open_issues:,})", ""]
    if t.oldest_open:
        out += [
            "| Since | Days | System | Promise | Resource | Status | Reopened | Finding id |",
            "|---|---|---|---|---|---|---|---|",
        ]
        out += [
            f"| {i.opened_on.isoformat()} | {i.days_open:,} | {prose(i.system, 80)} | "
            f"{code(i.promise, 100)} | {code(i.resource)} | {i.status}"
            f"{' (waived)' if i.waiver else ''} | {i.reopened:,} | {code(i.finding_id, 40)} |"
            for i in t.oldest_open
        ]
    else:
        out.append("None.")
    return "\n".join(out) + "\n"
