"""A snapshot as the checks see it: the document's data plus stores imported from real exports.

Imports are read by the adapter each entry names (``checker.adapters``). Imported items keep
their origin, so a finding about a Terraform bucket points at the line of the plan file that
justifies it, not at the import rule.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checker.adapters import mapping, registry
from checker.adapters.base import EntryLocator, Imported
from checker.core.diagnostics import (
    IMPORT_FAILED,
    Diagnostic,
    JsonPath,
    Level,
    Location,
    printable,
)
from checker.core.errors import InputError
from checker.core.gc_pause import collector_paused
from checker.documents import DEFAULT_LIMITS, Limits, load_document
from checker.documents.document import Document


@dataclass(frozen=True, slots=True)
class ListSection:
    """A list section of the snapshot whose items have ids, as messages name it."""

    name: str
    item: str  # one item: "duplicate store id …"
    contents: str  # the whole section: "the snapshot does not record its data stores"


LIST_SECTIONS: dict[str, ListSection] = {
    section.name: section
    for section in (
        ListSection("tiers", "tier", "its product tiers"),
        ListSection("stores", "store", "its data stores"),
        ListSection("pipelines", "pipeline", "its data pipelines"),
        ListSection("recipients", "recipient", "who receives data"),
        ListSection("notices", "notice", "the notices of changes given to users"),
        ListSection("settings", "setting", "the settings users can choose"),
        ListSection("legal_holds", "legal hold", "its legal holds"),
    )
}


@dataclass(frozen=True, slots=True)
class Origin:
    """Where an imported item, or the imported fields of an item written by hand, come from."""

    export: Document
    item: Imported
    merged: bool  # fields merged into an item of the snapshot itself, which keeps the rest


@dataclass(slots=True)
class Snapshot:
    """Snapshot data with imports merged in, and a ``locate`` that follows them home."""

    document: Document
    data: dict[str, Any]
    imported: dict[tuple[str, int], Origin] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.document.name

    def locate(self, path: JsonPath) -> Location:
        if not self.imported:  # every path is the document's own (asked for every finding)
            return self.document.locate(path)
        index = path[1] if len(path) >= 2 and isinstance(path[0], str) else None
        origin = self.imported.get((str(path[0]), index)) if isinstance(index, int) else None
        if origin is None:
            return self.document.locate(path)
        rest = path[2:]
        for cut in range(len(rest), 0, -1):
            found = origin.item.field_origins.get(rest[:cut])
            if found is not None:
                return origin.export.locate(found)
        if origin.merged:
            return self.document.locate(path)
        return origin.export.locate(origin.item.origin)

    @classmethod
    def plain(cls, document: Document) -> Snapshot:
        return cls(document, document.data)


@dataclass(frozen=True, slots=True)
class ImportTarget:
    """One entry of a snapshot's ``imports``: which adapter reads which file."""

    index: int
    adapter: str
    key: str  # the entry's key that names the file: "path", or v1's "terraform"
    name: str  # the file as messages name it, relative to the snapshot's name
    path: Path  # the file on disk


def resolve_imports(
    document: Document, *, limits: Limits = DEFAULT_LIMITS
) -> tuple[Snapshot, list[Diagnostic]]:
    """Load what the snapshot's ``imports`` name and merge the items they yield."""
    imports = document.data.get("imports") or []
    if not imports:
        return Snapshot.plain(document), []
    with collector_paused():
        return _resolve(document, imports, limits)


def _resolve(
    document: Document, imports: list[dict[str, Any]], limits: Limits
) -> tuple[Snapshot, list[Diagnostic]]:
    snapshot = Snapshot(document, dict(document.data))
    diagnostics: list[Diagnostic] = []
    adapters = registry()
    for target in import_targets(document):
        entry = imports[target.index]
        where = document.locate(("imports", target.index, target.key))
        adapter = adapters.get(target.adapter)
        if adapter is None:  # the schema names the adapters; this is an invalid snapshot
            continue
        try:
            export = load_document(
                target.path, limits=limits, name=target.name, indexed_lists=adapter.indexed_lists
            )
        except InputError as exc:
            diagnostics.append(_import_failed(where, target.name, _placed(exc.diagnostic)))
            continue
        result = adapter.read(export, entry, _entry_locator(document, target.index))
        if not result.readable:  # read, but not an export this adapter understands
            diagnostics.extend(
                _import_failed(where, target.name, _placed(d, besides=where))
                for d in result.diagnostics
                if d.level is Level.ERROR
            )
            continue
        diagnostics.extend(result.diagnostics)
        for item in result.items:
            diagnostics.extend(_add(snapshot, export, item))
    return snapshot, diagnostics


def _add(snapshot: Snapshot, export: Document, item: Imported) -> list[Diagnostic]:
    """Add an imported item to its section. A tier or pipeline the snapshot already describes
    takes the export's fields (the export wins, and a disagreement is said); an imported store
    is always a store of its own, so a clash of ids is the snapshot rules' duplicate."""
    items = snapshot.data.get(item.section)
    if items is None or items is snapshot.document.data.get(item.section):
        # The first import into this section: a list of its own, the document's left as read.
        items = snapshot.data[item.section] = list(items or [])
    if item.section != "stores":
        for index, mine in enumerate(items):
            if isinstance(mine, dict) and mine.get("id") == item.data.get("id"):
                return _merge_into(snapshot, export, item, index, mine)
    snapshot.imported[(item.section, len(items))] = Origin(export, item, merged=False)
    items.append(item.data)
    return []


def _merge_into(
    snapshot: Snapshot, export: Document, item: Imported, index: int, mine: dict[str, Any]
) -> list[Diagnostic]:
    said: list[Diagnostic] = []
    merged = dict(mine)
    section = LIST_SECTIONS[item.section].item if item.section in LIST_SECTIONS else item.section

    def conflict(key: tuple[str, ...], given: Any, derived: Any, origin: JsonPath) -> None:
        field_name = ".".join(key)
        said.append(
            Diagnostic(
                export.locate(origin),
                f"{section} {printable(str(mine.get('id')))}: the snapshot gives {field_name} = "
                f"{mapping.show(given)} ({snapshot.document.locate((item.section, index, *key))})"
                f", but {export.name} says {mapping.show(derived)}; using the export's value",
                "import-conflict",
                Level.WARNING,
            )
        )

    derived = {k: v for k, v in item.data.items() if k != "id"}
    origins: dict[JsonPath, JsonPath] = {}
    mapping.merge(merged, origins, derived, item.field_origins, {}, conflict)
    snapshot.data[item.section][index] = merged
    snapshot.imported[(item.section, index)] = Origin(
        export, Imported(item.section, merged, item.origin, dict(item.field_origins)), merged=True
    )
    return said


def import_targets(document: Document) -> Iterator[ImportTarget]:
    """The exports a snapshot's ``imports`` name, with the adapter that reads each.

    Both paths are relative to the snapshot: its name for the message, where it was read for the
    disk. Tolerates an invalid snapshot (entries that are not mappings are left out). v1's
    ``{terraform: plan.json}`` is ``{adapter: terraform, path: plan.json}``.
    """
    data = document.data
    imports = data.get("imports") if isinstance(data, dict) else None
    if not isinstance(imports, list):
        return
    name_base, disk_base = Path(document.name).parent, Path(document.disk_path).parent
    for index, entry in enumerate(imports):
        if not isinstance(entry, dict):
            continue
        if "adapter" in entry:
            adapter, key = entry.get("adapter"), "path"
        else:
            adapter, key = "terraform", "terraform"
        target = entry.get(key)
        if isinstance(adapter, str) and isinstance(target, str):
            yield ImportTarget(index, adapter, key, str(name_base / target), disk_base / target)


def _placed(problem: Diagnostic, besides: Location | None = None) -> str:
    """What is wrong with an export, with where in it (``plan.json:2:7``) to jump to it: the
    refusal is said at the import entry, which alone would not say where the export is at
    fault. An adapter's refusal of the export as a whole (at its root), or of a rule of the
    entry (in the snapshot itself), needs no second place."""
    place = problem.location
    if place.position is None:
        return problem.message
    if besides is not None and (place.file == besides.file or not place.path):
        return problem.message
    return f"{problem.message} ({place})"


def _import_failed(where: Location, target: str, why: str) -> Diagnostic:
    """An export named by the snapshot cannot be used: said at the import entry, which the
    commands treat as input that cannot be read (exit 2)."""
    return Diagnostic(where, f"cannot import {printable(target)}: {why}", IMPORT_FAILED)


def _entry_locator(document: Document, index: int) -> EntryLocator:
    """Errors in an import entry (its rules) point at the entry in the snapshot file."""

    def locate(sub: JsonPath) -> Location:
        return document.locate(("imports", index, *sub))

    return locate
