"""The contract every adapter keeps: one real export in, snapshot facts out, each with its place.

An adapter reads one file a snapshot's ``imports`` names (a Terraform plan, a flag export…) and
turns it into snapshot items — stores, tiers, pipelines — as :class:`Imported`, each field
remembering the path in the export that justifies it, so a finding points at the line of the
export and not at the import entry. Adapters are modules of :mod:`checker.adapters` that export
``ADAPTER``; :data:`checker.adapters.ADAPTERS` finds them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from checker.core.diagnostics import Diagnostic, JsonPath, Location
from checker.documents.document import Document

EntryLocator = Callable[[JsonPath], Location]
"""Turns a path inside the snapshot's import entry, such as ``("rules", 2, "match")``, into the
place of that key in the snapshot file: where errors in the entry itself are reported."""


@dataclass(frozen=True, slots=True)
class Imported:
    """One snapshot item read from an export, and where in the export each field comes from."""

    section: str  # "stores" | "tiers" | "pipelines"
    data: dict[str, Any]
    origin: JsonPath
    field_origins: dict[JsonPath, JsonPath]


@dataclass(frozen=True, slots=True)
class AdapterResult:
    """What an export yields. ``readable`` is false when the file is not an export the adapter
    understands at all; its error ``diagnostics`` then say why and the snapshot cannot be used."""

    items: list[Imported]
    diagnostics: list[Diagnostic]
    readable: bool = True


class Adapter(Protocol):
    """Reads one kind of export. ``entry_schema`` holds the JSON Schema of the import entry's
    own keys besides ``adapter`` and ``path`` (its mapping rules, an environment…); the snapshot
    schema is generated from it, so ``read`` gets an entry that is already valid."""

    @property
    def name(self) -> str:
        """The value of ``imports[].adapter``."""
        ...

    @property
    def description(self) -> str:
        """One line: what the adapter reads."""
        ...

    @property
    def entry_schema(self) -> dict[str, Any]: ...

    @property
    def required(self) -> tuple[str, ...]:
        """Keys of the entry that must be given besides ``adapter`` and ``path``."""
        ...

    @property
    def indexed_lists(self) -> tuple[str, ...]:
        """Top-level lists of the export whose items the findings point into throughout: where
        each item starts is noted as the export is read (``load_document(indexed_lists=)``),
        at the cost of some memory, so that locating evidence passes over nothing again."""
        ...

    def read(
        self, export: Document, entry: dict[str, Any], locate_entry: EntryLocator
    ) -> AdapterResult: ...
