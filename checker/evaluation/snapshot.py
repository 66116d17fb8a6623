"""A snapshot as the checks see it: the document's data plus stores imported from real exports.

Imported stores keep their origin, so a finding about a Terraform bucket points at the line of
the plan file that justifies it, not at the import rule.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checker.adapters.terraform import ImportedStore, import_terraform
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
    )
}


@dataclass(slots=True)
class Snapshot:
    """Snapshot data with imports merged in, and a ``locate`` that follows them home."""

    document: Document
    data: dict[str, Any]
    imported: dict[int, tuple[Document, ImportedStore]] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.document.name

    def locate(self, path: JsonPath) -> Location:
        index = path[1] if len(path) >= 2 and path[0] == "stores" else None
        if isinstance(index, int) and index in self.imported:
            plan, store = self.imported[index]
            rest = path[2:]
            for cut in range(len(rest), 0, -1):
                origin = store.field_origins.get(rest[:cut])
                if origin is not None:
                    return plan.locate(origin)
            return plan.locate(store.origin)
        return self.document.locate(path)

    @classmethod
    def plain(cls, document: Document) -> Snapshot:
        return cls(document, document.data)


def resolve_imports(
    document: Document, *, limits: Limits = DEFAULT_LIMITS
) -> tuple[Snapshot, list[Diagnostic]]:
    """Load what the snapshot's ``imports`` name and merge the stores they yield."""
    imports = document.data.get("imports") or []
    if not imports:
        return Snapshot.plain(document), []
    with collector_paused():
        return _resolve(document, imports, limits)


def _resolve(
    document: Document, imports: list[dict[str, Any]], limits: Limits
) -> tuple[Snapshot, list[Diagnostic]]:
    data = dict(document.data)
    stores = list(data.get("stores") or [])
    imported: dict[int, tuple[Document, ImportedStore]] = {}
    diagnostics: list[Diagnostic] = []
    for index, name, path in import_targets(document):
        entry = imports[index]
        where = document.locate(("imports", index, "terraform"))
        try:
            plan = load_document(path, limits=limits, name=name)
        except InputError as exc:
            diagnostics.append(_import_failed(where, name, exc.diagnostic.message))
            continue
        result = import_terraform(
            plan, list(entry["rules"]), rule_locator=_rule_locator(document, index)
        )
        if not result.readable:  # read, but not an export this reader understands
            diagnostics.extend(
                _import_failed(where, name, d.message)
                for d in result.diagnostics
                if d.level is Level.ERROR
            )
            continue
        diagnostics.extend(result.diagnostics)
        for store in result.stores:
            imported[len(stores)] = (plan, store)
            stores.append(store.data)
    data["stores"] = stores
    return Snapshot(document, data, imported), diagnostics


def import_targets(document: Document) -> Iterator[tuple[int, str, Path]]:
    """The exports a snapshot's ``imports`` name: index, name in messages, path on disk.

    Both are relative to the snapshot: its name for the message, where it was read for the disk.
    Tolerates an invalid snapshot (entries that are not mappings are left out).
    """
    data = document.data
    imports = data.get("imports") if isinstance(data, dict) else None
    if not isinstance(imports, list):
        return
    name_base, disk_base = Path(document.name).parent, Path(document.disk_path).parent
    for index, entry in enumerate(imports):
        target = entry.get("terraform") if isinstance(entry, dict) else None
        if isinstance(target, str):
            yield index, str(name_base / target), disk_base / target


def _import_failed(where: Location, target: str, why: str) -> Diagnostic:
    """An export named by the snapshot cannot be used: said at the import entry, which the
    commands treat as input that cannot be read (exit 2)."""
    return Diagnostic(where, f"cannot import {printable(target)}: {why}", IMPORT_FAILED)


def _rule_locator(document: Document, index: int) -> Callable[[JsonPath], Location]:
    """Errors in an import's rules point at the rule in the snapshot file."""

    def locate(sub: JsonPath) -> Location:
        return document.locate(("imports", index, "rules", *sub))

    return locate
