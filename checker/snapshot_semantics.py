"""Snapshot rules the schema cannot state: ids unique, pipeline sources real.

They run on the snapshot as the checks see it — its own stores and those imported from real
exports, merged (:class:`~checker.snapshot.Snapshot`) — so a store written by hand and a
bucket imported from a plan cannot share an id unnoticed. Each diagnostic points at the
offending place (for a duplicate, the second occurrence) and names the other place involved.

Rules (diagnostic codes):

* ``snapshot-duplicate-id`` — two tiers, stores, pipelines or recipients share an id. Checks
  look elements up by id; a second element with the same id would be a second, contradicting
  description of the same thing. (The checks still judge both, but the snapshot is invalid.)
* ``snapshot-unknown-source`` — a pipeline's ``sources`` names no store: what it reads is
  unknown, so no promise about what it reads can be evidenced.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from checker.diagnostics import Diagnostic, JsonPath, Location
from checker.semantics import close_match
from checker.snapshot import Snapshot

DUPLICATE_ID = "snapshot-duplicate-id"
UNKNOWN_SOURCE = "snapshot-unknown-source"

# Sections whose items are looked up by id, and what an item is called.
ID_SECTIONS = (
    ("tiers", "tier"),
    ("stores", "store"),
    ("pipelines", "pipeline"),
    ("recipients", "recipient"),
)


def snapshot_diagnostics(view: Snapshot) -> list[Diagnostic]:
    """Duplicate ids and pipeline sources that name no store, in snapshot order."""
    return [*_duplicate_ids(view), *_unknown_sources(view)]


def _items(view: Snapshot, section: str) -> Iterator[tuple[int, Mapping[str, Any]]]:
    items = view.data.get(section)
    if not isinstance(items, list):
        return
    for index, item in enumerate(items):
        if isinstance(item, Mapping):
            yield index, item


def _place(view: Snapshot, path: JsonPath, here: Location) -> str:
    """How a message names another place: ``line 12`` in the same file, else ``file:12:3``."""
    there = view.locate(path)
    if there.position is None:
        return f"{there.file} ({there.json_path})"
    if there.file == here.file:
        return f"line {there.position.line}"
    return f"{there.file}:{there.position}"


def _imported_from(view: Snapshot, section: str, index: int) -> str | None:
    if section == "stores" and index in view.imported:
        return view.imported[index][0].name
    return None


def _duplicate_ids(view: Snapshot) -> Iterator[Diagnostic]:
    for section, noun in ID_SECTIONS:
        first: dict[str, int] = {}
        for index, item in _items(view, section):
            ident = item.get("id")
            if not isinstance(ident, str):
                continue
            earlier = first.setdefault(ident, index)
            if earlier == index:
                continue
            here = view.locate((section, index, "id"))
            label = f"duplicate {noun} id '{ident}'"
            plan = _imported_from(view, section, index)
            if plan is not None:
                label += f" of the {noun} imported from {plan}"
            place = _place(view, (section, earlier, "id"), here)
            how = "imported from" if _imported_from(view, section, earlier) else "at"
            yield Diagnostic(
                here, f"{label}: the {noun} {how} {place} already uses it", DUPLICATE_ID
            )


def _unknown_sources(view: Snapshot) -> Iterator[Diagnostic]:
    stores = [item.get("id") for _, item in _items(view, "stores")]
    known = {s for s in stores if isinstance(s, str)}
    for index, pipe in _items(view, "pipelines"):
        sources = pipe.get("sources")
        if not isinstance(sources, list):
            continue
        for position, source in enumerate(sources):
            if not isinstance(source, str) or source in known:
                continue
            close = close_match(source, sorted(known))
            yield Diagnostic(
                view.locate(("pipelines", index, "sources", position)),
                f"pipeline {pipe.get('id')} reads store '{source}', but the snapshot declares "
                "no store with that id" + (f"; did you mean '{close}'?" if close else ""),
                UNKNOWN_SOURCE,
            )
