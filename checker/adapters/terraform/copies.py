"""Copies that outlive deletion: backups, point-in-time recovery, replicas.

A store's retention says how long its data can exist; a copy of that data made elsewhere lives
on after the store deletes it, so a deletion promise must see it. The snapshot has no place for
copies, so a copy is recorded by its effect on the store's ``retention`` windows (every consent
state the store gives, ``deleted_by_user`` included), with the copy's plan path as the origin
of each window it raises and a warning saying which copy raised which window:

* a copy kept ``B`` after it is taken (an AWS Backup recovery point, a point-in-time-recovery
  log, an S3 replica) turns every finite window ``W`` into ``W + B``: a copy taken just before
  the data expires — or just before a user deletes it — lives ``B`` longer. Replication
  usually copies an object when it is written, but existing-object and batch replication (and
  retries) copy it later, so no earlier start is assumed;
* a copy kept **without limit** turns every window into ``indefinite``;
* a lock that keeps the data ``L`` after it is written whatever the store deletes (an S3
  Object Lock default retention) turns every window ``W`` shorter than ``L`` into ``L``;
* a copy whose lifetime **cannot be told** from the plan (a replica bucket or backup plan
  outside it, a value known only after apply) removes every window: the retention is not
  evidenced, which the checks report and block on, rather than a guess.

Several copies of one store are each taken from the store itself, so a window becomes the
longest any copy gives, not their sum. ``deleted_by_user`` falls back to ``any`` in the checks,
so raising ``any`` raises it too; a store that gives neither keeps ``deleted_by_user`` unset
(its own window for deleted data is not evidenced) and the warning says how long the copy keeps
deleted data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from checker.adapters.terraform.plan import Plan
from checker.core.diagnostics import JsonPath
from checker.core.durations import DAY, Duration, DurationError, humanize, parse_duration

CODE = "terraform-copy"
UNKNOWN_CODE = "terraform-copy-unknown"


@dataclass(frozen=True, slots=True)
class Copy:
    """A copy of a store's data kept apart from it.

    ``days`` is how long a copy is kept after it is taken (``None``: without limit);
    ``known`` is false when that cannot be told from the plan; ``why`` says why, or adds what
    the warning should tell (a default applied, the regions of replicas).
    ``origin`` is the plan path that sets the lifetime (a ``delete_after``, a destination).
    ``floor`` marks a lock on the data itself rather than a copy: kept ``days`` after it is
    written, so a window becomes at least that long instead of that much longer. ``exempt``
    names the consent states whose window already counts the copy, and a ``quiet`` copy is said
    only when it raises a window.
    """

    what: str
    origin: JsonPath
    days: int | None
    known: bool = True
    why: str = ""
    floor: bool = False
    exempt: tuple[str, ...] = ()
    quiet: bool = False

    @property
    def lifetime(self) -> str:
        if not self.known:
            return "for a time the plan does not tell"
        if self.floor:
            return f"for {self.days} days after it is written"
        return "without limit" if self.days is None else f"for {self.days} days after it is taken"


def apply(
    plan: Plan,
    store: str,
    data: dict[str, Any],
    origins: dict[JsonPath, JsonPath],
    found: list[Copy],
) -> None:
    """Raise ``data``'s retention windows (the store ``store``, already merged with its mapping
    rule) for each copy in ``found``, and say so at each copy."""
    if not found:
        return
    retention = data.get("retention")
    windows: dict[str, Any] = dict(retention) if isinstance(retention, dict) else {}
    changes: dict[int, list[str]] = {}
    for state, text in list(windows.items()):
        try:
            own = parse_duration(text)
        except DurationError:
            continue  # the snapshot's validation reports a rule's malformed window
        longest: Duration | None = own
        by: int | None = None
        for index, copy in enumerate(found):
            if state in copy.exempt:
                continue
            after = _after(own, copy)
            if after is None:
                longest, by = None, index
                break
            if longest is not None and longest < after:
                longest, by = after, index
        if by is None:
            continue
        key = ("retention", state)
        if longest is None:
            del windows[state]
            origins.pop(key, None)
            changes.setdefault(by, []).append(f"{state} {text} is not evidenced")
        else:
            windows[state] = humanize(longest)
            origins[key] = found[by].origin
            changes.setdefault(by, []).append(f"{state} {text} becomes {windows[state]}")
    if windows:
        data["retention"] = windows
    elif "retention" in data:
        del data["retention"]
        origins.pop(("retention",), None)
    for index, copy in enumerate(found):
        if index in changes or not copy.quiet:
            _say(plan, store, copy, changes.get(index, []), windows)


def _after(own: Duration, copy: Copy) -> Duration | None:
    """How long the data can exist given ``copy`` (``None``: not evidenced)."""
    if not copy.known:
        return None
    if copy.floor and copy.days is not None:
        return max(own, Duration(copy.days * DAY))
    if own.exact is None or copy.days is None:
        return Duration(None)
    return Duration(own.exact + copy.days * DAY, months=own.months)


def _say(plan: Plan, store: str, copy: Copy, changes: list[str], windows: dict[str, Any]) -> None:
    kept = "every object version" if copy.floor else "a copy"
    text = f"store {store}: {copy.what} keeps {kept} {copy.lifetime}"
    if copy.why:
        text += f" ({copy.why})"
    if changes:
        text += ": retention " + "; ".join(changes)
    else:
        text += ": no retention window of the store is raised by it"
    if copy.known and "deleted_by_user" not in windows and "any" not in windows:
        text += (
            "; data a user deletes stays in the copy after deletion, and the store gives no "
            "window for deleted data (retention.deleted_by_user or any), so it is not evidenced"
        )
    plan.note(copy.origin, text, CODE if copy.known else UNKNOWN_CODE)
