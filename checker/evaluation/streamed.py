"""A large JSON snapshot loaded store by store: what a unit of work reads instead of the whole.

A JSON snapshot file of at least ``Limits.stream_from`` bytes is read a block of stores at a
time (:mod:`checker.documents.json_stream`). The first reading validates each block against
the store schema and notes each store's id and place; the checks then read the stores again,
every clause in step (:mod:`checker.evaluation.in_step`). Memory holds a block of stores, the
ids and the findings, instead of the whole inventory.

Only a snapshot whose stores need nothing more is read this way; any other is read whole, by
the same code as a small one, which says what is wrong where: a file that is not strictly
valid JSON, a store that fails its schema, a duplicate store id, a name no policy defines, a
snapshot with imports, a policy with custom rules (which may read the stores in any way), a copy
of a store the snapshot does not declare. Results are the same either
way, byte for byte (``tests/test_streamed_snapshots.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path, PurePath
from typing import Any

from checker.core.diagnostics import JsonPath, Position
from checker.core.errors import InputError
from checker.core.gc_pause import collector_paused
from checker.documents.document import Document
from checker.documents.inputs import Entry, Loaded, document_kind
from checker.documents.json_loader import load_json
from checker.documents.json_positions import JsonPositions
from checker.documents.json_stream import (
    FileChanged,
    NotStreamed,
    StoreFile,
    StoreItem,
    StreamedPositions,
    stream_stores,
)
from checker.documents.limits import Limits
from checker.documents.source import text_position
from checker.evaluation import in_step
from checker.evaluation.in_step import StoredItems
from checker.evaluation.snapshot import Snapshot, import_targets
from checker.validation.snapshot_rules import unknown_names
from checker.validation.validator import store_validator, validate_document


def load_streamed(entry: Entry, limits: Limits, policies: Sequence[Document]) -> Loaded | None:
    """The snapshot ``entry`` names, loaded store by store; ``None`` when it is not to be read
    this way (too small, not JSON, or anything the module's docstring lists)."""
    if not _worth_it(entry.path, limits) or any(p.data.get("custom_rules") for p in policies):
        return None
    ids: list[Any] = []
    seen: set[Any] = set()
    unreadable: dict[int, str] = {}
    copied: list[Any] = []  # the stores copies name
    valid = store_validator()

    def on_block(items: list[StoreItem]) -> None:
        stores = [store for _, store in items]
        if not valid(stores):
            raise NotStreamed
        for (_, index), store in items:
            ident = store.get("id")
            if ident in seen:
                raise NotStreamed
            seen.add(ident)
            ids.append(ident)
            if "copy_of" in store:
                copied.extend(store["copy_of"])
            source = store.get("source")
            if source is not None and "unreadable" in source:
                unreadable[int(index)] = source["unreadable"]
        block = Document(entry.name, {"stores": stores}, "json", _Nowhere())
        if unknown_names(Snapshot.plain(block), policies):
            raise NotStreamed

    try:
        with collector_paused():  # millions of containers, no cycles: see checker.core.gc_pause
            streamed = stream_stores(entry.path, limits, on_block, block=in_step.BLOCK)
        rest = load_json([streamed.rest.encode()], streamed.rest, entry.name, limits)
        if (
            document_kind(rest) != "snapshot"
            or rest.data.get("stores") != []
            or validate_document(rest, "snapshot")
            or any(True for _ in import_targets(rest))
        ):
            return None
        if not seen.issuperset(copied):  # a copy of a store not declared: said where it is
            return None
        file = StoreFile(entry.path, streamed.spans, streamed.identity)
        file.check_unchanged()
    except (NotStreamed, InputError, OSError, FileChanged):
        return None
    cut_at = text_position(streamed.rest, streamed.cut.at)
    assert isinstance(rest.positions, JsonPositions)
    positions = StreamedPositions(rest.positions, streamed.cut, cut_at, file)
    data = dict(rest.data)
    data["stores"] = StoredItems(file, ids, unreadable, copies=bool(copied))
    doc = Document(entry.name, data, "json", positions)
    if entry.name != entry.path:
        doc.source = entry.path
    return Loaded(documents=[(doc, "snapshot")], files=[(entry.name, doc)])


def _worth_it(path: str, limits: Limits) -> bool:
    """A JSON file of at least ``stream_from`` bytes, within the size the loader reads."""
    if PurePath(path).suffix.lower() != ".json":
        return False
    try:
        size = Path(path).stat().st_size
    except (OSError, ValueError):
        return False
    return limits.stream_from <= size <= limits.max_bytes


class _Nowhere:
    """Positions of a block of stores checked for unknown names: not needed (any name found
    sends the file to be read whole, where it is reported at its place)."""

    def value(self, path: JsonPath) -> Position | None:
        return None

    def key(self, path: JsonPath) -> Position | None:
        return None
