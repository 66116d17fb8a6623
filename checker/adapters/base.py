"""The adapter seam: one real export in, snapshot facts with their place in the export out.

An adapter is one module exporting ``ADAPTER``. It is given the loaded export, the snapshot's
import entry (already valid against the adapter's ``entry_schema``) and a way to locate keys of
that entry in the snapshot file, and returns the snapshot items it could read, each with the
path in the export behind every field, plus diagnostics located in the export (or at the entry,
for errors in the entry's own rules).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from checker.core.diagnostics import Diagnostic, JsonPath, Location
from checker.documents.document import Document


@dataclass(frozen=True, slots=True)
class Imported:
    """One snapshot item taken from an export."""

    section: str  # "stores" | "tiers" | "pipelines"
    data: dict[str, Any]  # the snapshot item, e.g. {"id": "free", "training_default": "trained"}
    origin: JsonPath  # the item's path inside the export
    field_origins: dict[JsonPath, JsonPath]  # ("training_default",) -> path in the export


@dataclass(frozen=True, slots=True)
class AdapterResult:
    """What one export yields; ``readable`` is false when it is not an export this adapter
    understands at all (its ``diagnostics`` then say why)."""

    items: list[Imported]
    diagnostics: list[Diagnostic]
    readable: bool = True


class Adapter(Protocol):
    """Turns one kind of export into snapshot items."""

    name: str  # the value of imports[].adapter, e.g. "flagd"
    description: str  # one line for docs / `policy-check adapters`
    entry_schema: dict[str, Any]  # JSON Schema (2020-12) of the entry's keys besides adapter, path

    def read(
        self,
        export: Document,
        entry: dict[str, Any],
        locate_entry: Callable[[JsonPath], Location],
    ) -> AdapterResult: ...
