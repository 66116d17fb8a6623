"""A large JSON snapshot loaded store by store: what a unit of work reads instead of the whole.

A JSON snapshot file of at least ``Limits.stream_from`` bytes is read twice, never held
(:mod:`checker.documents.json_stream`): first to note where each store is and its id, then a
block of stores at a time for the checks, every clause in step
(:mod:`checker.evaluation.in_step`), each block checked as the whole reading would check it
(:class:`StoreChecks`). Memory holds a block of stores, the ids and the findings, instead of
the whole inventory.

Only a snapshot whose stores need nothing more is read this way; any other is read whole, by
the same code as a small one, which says what is wrong where: a file that is not strictly
valid JSON, a store that fails its schema, a duplicate store id, a name no policy defines, a
snapshot with imports, a policy with custom rules (which may read the stores in any way), a
copy of a store the snapshot does not declare, a file changed between the readings. Results
are the same either way, byte for byte (``tests/test_streamed_snapshots.py``).
"""

from __future__ import annotations

import stat
from collections.abc import Sequence
from functools import partial
from pathlib import Path, PurePath
from typing import Any

from checker.core.diagnostics import JsonPath, Position
from checker.core.errors import InputError
from checker.core.gc_pause import collector_paused
from checker.core.progress import Progress
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
    index_stores,
)
from checker.documents.limits import Limits
from checker.documents.source import text_position
from checker.evaluation.in_step import StoredItems
from checker.evaluation.snapshot import Snapshot, import_targets
from checker.validation.snapshot_rules import unknown_names
from checker.validation.validator import store_validator, validate_document

_MIB = 1 << 20


def validate_streamed(entry: Entry, limits: Limits) -> Loaded | None:
    """The snapshot ``entry`` names, loaded store by store and every store validated (what
    ``validate`` does of a snapshot, in bounded memory); ``None`` when it is not to be read this
    way, or any store or the file is found wanting (the whole reading then says what and
    where)."""
    loaded = load_streamed(entry, limits, ())
    if loaded is None:
        return None
    stores = loaded.documents[0][0].data["stores"]
    assert isinstance(stores, StoredItems)
    try:
        stores.in_step([])  # every block read and checked, for no clause
    except (NotStreamed, FileChanged, OSError):
        return None
    return loaded


def load_streamed(
    entry: Entry,
    limits: Limits,
    policies: Sequence[Document],
    *,
    progress: Progress | None = None,
    helped: bool = False,
) -> Loaded | None:
    """The snapshot ``entry`` names, loaded store by store; ``None`` when it is not to be read
    this way (too small, not JSON, or anything the module's docstring lists). The stores are
    checked as they are read for the checks (:class:`StoreChecks`); one that cannot be read
    this way stops that reading with :class:`NotStreamed`. ``progress`` hears how many MiB of
    the file the first reading is past. ``helped``: the first reading may take a second
    process (:func:`index_stores`)."""
    if not may_stream(entry, limits, policies):
        return None
    read = None if progress is None else partial(_read_progress, progress, entry.name)
    try:
        with collector_paused():  # see checker.core.gc_pause
            streamed = index_stores(entry.path, limits, progress=read, helped=helped)
        index = _index_by_id(streamed.ids)
        if index is None:
            return None  # a duplicate store id (or a store whose id is not plain text)
        rest = load_json([streamed.rest.encode()], streamed.rest, entry.name, limits)
        if (
            document_kind(rest) != "snapshot"
            or rest.data.get("stores") != []
            or validate_document(rest, "snapshot")
            or any(True for _ in import_targets(rest))
        ):
            return None
        file = StoreFile(entry.path, streamed.spans, streamed.identity, limits)
        file.check_unchanged()
    except (NotStreamed, InputError, OSError, FileChanged):
        return None
    cut_at = text_position(streamed.rest, streamed.cut.at)
    assert isinstance(rest.positions, JsonPositions)
    positions = StreamedPositions(rest.positions, streamed.cut, cut_at, file)
    data = dict(rest.data)
    checks = StoreChecks(entry.name, streamed.ids, policies)
    data["stores"] = StoredItems(file, streamed.ids, checks.unreadable, checks, index=index)
    doc = Document(entry.name, data, "json", positions)
    if entry.name != entry.path:
        doc.source = entry.path
    return Loaded(documents=[(doc, "snapshot")], files=[(entry.name, doc)])


def _index_by_id(ids: list[Any]) -> dict[Any, int] | None:
    """Where each store is, by id; ``None`` where two stores have the same id, or an id is a
    list or an object (which the schema refuses, in the whole reading's words). Made once
    here, where the ids were once put in a set to tell, then in a dictionary for the lookups,
    then in a set again by the snapshot's rules (a million ids: 1.0 s, now 0.45 s)."""
    try:
        index = dict(zip(ids, range(len(ids)), strict=True))
    except TypeError:  # unhashable: not an id
        return None
    return index if len(index) == len(ids) else None


def may_stream(entry: Entry, limits: Limits, policies: Sequence[Document]) -> bool:
    """Whether :func:`load_streamed` would try to read the snapshot ``entry`` names store by
    store: a regular JSON file of ``limits.stream_from`` bytes or more, for policies without
    custom rules (it may still decline once it has read the file)."""
    return _worth_it(entry.path, limits) and not any(p.data.get("custom_rules") for p in policies)


class StoreChecks:
    """What the whole reading would report about the stores, looked for in each block as the
    stores are read for the checks: a store against its schema, an id other than the one the
    first reading found, a name no policy defines, a copy of a store not declared. Any of them
    raises :class:`NotStreamed` (the file is then read whole, and reported). Notes why each
    imported store could not be read (``source.unreadable``), for its findings."""

    def __init__(self, name: str, ids: list[Any], policies: Sequence[Document]) -> None:
        self._name, self._ids, self._policies = name, ids, policies
        self._known: set[Any] | None = None  # every id, once a copy needs them
        self._valid = store_validator()
        self.unreadable: dict[int, str] = {}

    def __call__(self, items: list[StoreItem]) -> None:
        stores = [store for _, store in items]
        if not self._valid(stores):
            raise NotStreamed
        ids = self._ids
        for (_, index), store in items:
            assert isinstance(index, int)
            if store.get("id") != ids[index]:
                raise NotStreamed
            copied = store.get("copy_of")
            if copied is not None:
                if self._known is None:
                    self._known = set(ids)
                if not self._known.issuperset(copied):
                    raise NotStreamed
            source = store.get("source")
            if source is not None and "unreadable" in source:
                self.unreadable[index] = source["unreadable"]
        block = Document(self._name, {"stores": stores}, "json", _Nowhere())
        if unknown_names(Snapshot.plain(block), self._policies):
            raise NotStreamed


def _read_progress(progress: Progress, name: str, done: int, size: int) -> None:
    """Bytes read of the file, told in whole MiB (rounded up: a small file is 1 MiB)."""
    progress(f"reading {name} (MiB):", -(-done // _MIB), -(-size // _MIB))


def _worth_it(path: str, limits: Limits) -> bool:
    """A regular JSON file of at least ``stream_from`` bytes, within the size the loader reads
    (a pipe or a device cannot be read twice: the whole reading refuses it)."""
    if PurePath(path).suffix.lower() != ".json":
        return False
    try:
        info = Path(path).stat()
    except (OSError, ValueError):
        return False
    return stat.S_ISREG(info.st_mode) and limits.stream_from <= info.st_size <= limits.max_bytes


class _Nowhere:
    """Positions of a block of stores checked for unknown names: not needed (any name found
    sends the file to be read whole, where it is reported at its place)."""

    def value(self, path: JsonPath) -> Position | None:
        return None

    def key(self, path: JsonPath) -> Position | None:
        return None
