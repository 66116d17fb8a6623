"""The stores of a snapshot read store by store, and every clause reading them in step.

A snapshot of a million stores is not held whole (:mod:`checker.documents.json_stream`): its
``stores`` are :class:`StoredItems`, a sequence whose items are decoded from the file when
read. Checks read the stores as they always do (``ctx.section("stores")``,
``ctx.by_id("stores")``), unchanged; what changes is who reads when. :meth:`StoredItems.in_step`
runs each clause in a greenlet of its own, and decodes the stores once, a block at a time: a
block is handed to every clause, and let go once each has read it (or finished) before the
next is decoded. Memory holds one block, not the inventory; the file is decoded once, not
once per clause; and each clause sees every store in order, as from a list.

The greenlets are there to let each check keep its own loop over the stores: a check is
written once, for a list, and judged the same way on both. A clause's loop, at the end of a
block, switches back to the reader, which hands the next block to each clause in turn. (Each
clause was first a thread of its own, handed blocks through a condition: the operating
system woke a thread at every hand-over, and the interpreter's lock went from one thread to
the next. A greenlet switch is a function call's cost.) A reader that is not in step (a clause
looping over the stores a second time, a lookup from outside) reads the stores it needs from
the file itself.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from functools import partial
from typing import Any, TypeVar, overload

from greenlet import getcurrent, greenlet

from checker.core.diagnostics import JsonPath
from checker.core.progress import Counted
from checker.documents.json_stream import Store, StoreFile, StoreItem
from checker.evaluation.copies import inherit

T = TypeVar("T")

# Stores decoded at a time: about a hundred kilobytes of JSON. Blocks of 250 to 1,000 stores
# were checked fastest at 100k stores (2.8 s, against 3.0 s for 2,000 and 3.6 s for 10,000):
# likely because a small block is still in the processor's caches when the last clause reads
# it. At 1M stores, in two parts, 250 beat 500 in each of 7 alternating runs (medians 20.9 and
# 22.0 s), 125 did no better, 2,000 was 4 s slower; in one process (two runs each) 34.4 and
# 32.4 s against 34.6 and 37.0 s.
BLOCK = 250
_DECODED = 4_096  # stores read one at a time kept, the latest


class StoredItems(Sequence[Store]):
    """A snapshot's stores, in its file (see the module's docstring)."""

    def __init__(
        self,
        file: StoreFile,
        ids: list[Any],
        unreadable: dict[int, str],
        check: Callable[[list[StoreItem]], None] | None = None,
        block: int | None = None,
        part: range | None = None,
        *,
        index: dict[Any, int] | None = None,
    ) -> None:
        """``check`` is called with each block of the reading in step, before any clause
        sees it; it raises to stop the reading (``checker.evaluation.streamed``). With
        ``part``, a clause's loops over the stores see only those of the part (see
        :meth:`part`). ``index``: where each store is, by id, when already known (then the
        ids are known to be distinct)."""
        self._file = file
        self._part = part
        self._ids = ids
        # Why an imported store's configuration could not be read, by store (``source``).
        self.unreadable = unreadable
        self._block = block or BLOCK
        self._step: _Step | None = None
        self._by_id: _ById | None = None
        self._index = index  # id -> store, made when first needed
        self._check = check
        # Stores read one at a time (the sources a pipeline names), the latest kept.
        self._decoded: OrderedDict[int, Store] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._ids)

    @overload
    def __getitem__(self, index: int) -> Store: ...
    @overload
    def __getitem__(self, index: slice) -> list[Store]: ...
    def __getitem__(self, index: int | slice) -> Store | list[Store]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        with self._lock:
            found = self._decoded.get(index)
            if found is None:
                found = self._decoded[index] = self._file.store(index)
                if len(self._decoded) > _DECODED:
                    self._decoded.popitem(last=False)
            else:
                self._decoded.move_to_end(index)
        return found

    def __iter__(self) -> Iterator[Store]:
        """The stores as written (a copy without what it takes from its sources)."""
        for block in self._file.blocks(self._block):
            for _, store in block:
                yield store

    def part(self, part: range) -> StoredItems:
        """The same stores, for checking the stores of ``part`` (consecutive) apart from the
        others (:mod:`checker.evaluation.parts`): a clause's loop over the stores sees those
        of the part, and says which it is at (:func:`visits`); a loop within such a loop, a
        lookup by id, the length and the ids are still of every store."""
        if part.step != 1 or not 0 <= part.start < part.stop <= len(self):
            raise ValueError(f"not a part of {len(self)} stores: {part}")
        # Where each id is, made once for every part, not once per part: a million ids take
        # 0.45 s and tens of megabytes (workers forked after it was made share it too).
        index = self.index_by_id()
        return StoredItems(
            self._file, self._ids, self.unreadable, self._check, self._block, part, index=index
        )

    def ids(self) -> list[Any]:
        """The ``id`` of every store, in order (read when the file was first read)."""
        return self._ids

    def distinct_ids(self) -> bool:
        """Whether the ids are known to be distinct (once indexed, each is in one place)."""
        return self._index is not None and len(self._index) == len(self._ids)

    def items(self) -> Iterator[StoreItem]:
        """Every store with its path, in order, a copy with what it takes from its sources
        (``checker.evaluation.copies``): in step with the other clauses when called from a
        clause that :meth:`in_step` runs before it moved past the first block, else read from
        the file. Of a part, only the part's stores, unless within such a loop."""
        if self._part is not None:
            if visits().depth:  # a loop within a loop over the part: over every store
                return self._read(0, whole=True)
            return _visit(self._stepped())
        return self._stepped()

    def _stepped(self) -> Iterator[StoreItem]:
        """The stores (of the part, if one) in step, or read from the file."""
        step = self._step
        if step is not None:
            joined = step.join()
            if joined is not None:
                return joined
        return self._read(0)

    def section(self) -> _Section:
        """The stores as ``CheckContext.section("stores")`` gives them: (path, store)."""
        return _Section(self)

    def by_id(self) -> Mapping[Any, list[tuple[JsonPath, Mapping[str, Any]]]]:
        """The stores by id, as ``CheckContext.by_id("stores")`` gives them; a store is
        decoded when looked up."""
        index = self.index_by_id()
        with self._lock:
            if self._by_id is None:
                self._by_id = _ById(self, index)
            return self._by_id

    def index_by_id(self) -> dict[Any, int]:
        """Where each store is in the list, by id (ids are unique: checked when read)."""
        with self._lock:
            if self._index is None:
                self._index = dict(zip(self._ids, range(len(self._ids)), strict=True))
            return self._index

    def in_step(
        self, tasks: Sequence[Callable[[], T]], *, progress: Counted | None = None
    ) -> list[T]:
        """Run each task in a greenlet of its own, every one reading the stores in step, and
        give back what each returned, in order; the first exception a task raised is raised.
        ``progress`` hears how many stores (of the part) every task is past."""
        blocks = self._blocks(0, self._check)
        if progress is not None:
            part = self._part if self._part is not None else range(len(self))
            blocks = _told(blocks, progress, len(part))
        step = _Step(blocks, self._read)
        self._step = step
        try:
            return step.run(tasks)
        finally:
            self._step = None

    def _read(self, first_block: int, *, whole: bool = False) -> Iterator[StoreItem]:
        for block in self._blocks(first_block, whole=whole):
            yield from block

    def _blocks(
        self,
        first: int,
        check: Callable[[list[StoreItem]], None] | None = None,
        *,
        whole: bool = False,
    ) -> Iterator[list[StoreItem]]:
        """The blocks of stores from block ``first`` on (of the part, unless ``whole``), each
        copy with what it inherits; ``check`` sees each block as written first."""
        part = None if whole else self._part
        start, stop = (0, None) if part is None else (part.start, part.stop)
        for block in self._file.blocks(self._block, start + first * self._block, stop):
            if check is not None:
                check(block)
            if any("copy_of" in store for _, store in block):
                block = [(path, self._inherited(path, store)) for path, store in block]
            yield block

    def _inherited(self, path: JsonPath, store: Store) -> Store:
        """``store`` with what it takes from the stores it copies, if it is a copy."""
        if "copy_of" not in store:
            return store
        index = path[1]
        assert isinstance(index, int)
        # ``inherit`` tells a cycle by identity: within one call, a store is one object.
        found = inherit(store, _RawById(self, self.index_by_id(), {index: store}))
        return found if isinstance(found, dict) else dict(found)


def _told(
    blocks: Iterator[list[StoreItem]], progress: Counted, total: int
) -> Iterator[list[StoreItem]]:
    """``blocks``, telling ``progress`` how many stores came before each: a block is asked
    for once every task is past the one before."""
    done = 0
    for block in blocks:
        progress(done, total)
        yield block
        done += len(block)
    progress(done, total)


class Visits:
    """Where one clause is in its loops over a part of the stores: how many it began (a loop
    within a loop not counted), how deep it is, and at which store."""

    __slots__ = ("at", "count", "depth")

    def __init__(self) -> None:
        self.begin()

    def begin(self) -> None:
        """A clause begins."""
        self.count = 0
        self.depth = 0
        self.at: int | None = None


class _PerThread(threading.local):
    def __init__(self) -> None:
        self.visits = Visits()


_PER_THREAD = _PerThread()


def visits() -> Visits:
    """Where the clause of this greenlet is (each clause checking a part runs in a greenlet of
    its own; code outside a step, in a thread's own): read after each of its observations, to
    tell what it observed of each store of the part from what it said of the stores as a whole
    (``checker.evaluation.parts``). Read once per loop, not per store: a plain object is
    quicker to read than a greenlet's or a thread's own."""
    found: Visits | None = getattr(getcurrent(), "visits", None)
    return found if found is not None else _PER_THREAD.visits


def _visit(items: Iterator[StoreItem]) -> Iterator[StoreItem]:
    """``items``, the part's stores, saying in :func:`visits` which store the clause is at."""
    where = visits()
    where.count += 1
    where.depth += 1
    try:
        for item in items:
            where.at = item[0][1]  # type: ignore[assignment]
            yield item
    finally:
        where.depth -= 1
        where.at = None


def as_another_loop(kept: Iterable[tuple[int, T]]) -> Iterator[T]:
    """What a clause kept of each store (by index) during a loop over the stores, to say once
    the loop ended: said as a second loop over the stores would say it, so that checking the
    stores in parts (``checker.evaluation.parts``) merges it store by store, like the loop's
    own observations."""
    where = visits()
    where.count += 1
    try:
        for index, item in kept:
            where.at = index
            yield item
    finally:
        where.at = None


class _Section(Sequence[StoreItem]):
    """``ctx.section("stores")`` of a snapshot read store by store: iterable as often as
    needed (each time in step, or from the file), with a length; an item is read when asked."""

    __slots__ = ("_stores",)

    def __init__(self, stores: StoredItems) -> None:
        self._stores = stores

    @overload
    def __getitem__(self, index: int) -> StoreItem: ...
    @overload
    def __getitem__(self, index: slice) -> list[StoreItem]: ...
    def __getitem__(self, index: int | slice) -> StoreItem | list[StoreItem]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        store = self._stores[index]
        return (("stores", index % len(self._stores)), store)

    def __iter__(self) -> Iterator[StoreItem]:
        return self._stores.items()

    def __len__(self) -> int:
        return len(self._stores)

    def __bool__(self) -> bool:
        return len(self._stores) > 0


V = TypeVar("V")


class _Lookup(Mapping[Any, V]):
    """Stores by id, decoded when looked up (ids are unique: checked when the file was read);
    each lookup says what it gives for an id (``__getitem__``)."""

    def __init__(self, stores: StoredItems, index: dict[Any, int]) -> None:
        self._stores, self._index = stores, index

    def __contains__(self, ident: object) -> bool:
        return ident in self._index

    def __iter__(self) -> Iterator[Any]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)


class _ById(_Lookup[list[tuple[JsonPath, Mapping[str, Any]]]]):
    """Stores by id with their paths, as ``ctx.by_id`` gives them."""

    def __getitem__(self, ident: Any) -> list[tuple[JsonPath, Mapping[str, Any]]]:
        index = self._index[ident]
        path: JsonPath = ("stores", index)
        return [(path, self._stores._inherited(path, self._stores[index]))]


class _RawById(_Lookup[list[Mapping[str, Any]]]):
    """Stores as written by id, for what one copy inherits (``checker.evaluation.copies``):
    each looked up once, so that it is one object throughout."""

    def __init__(self, stores: StoredItems, index: dict[Any, int], seen: dict[int, Store]) -> None:
        super().__init__(stores, index)
        self._seen = seen

    def __getitem__(self, ident: Any) -> list[Mapping[str, Any]]:
        at = self._index[ident]
        found = self._seen.get(at)
        if found is None:
            found = self._seen[at] = self._stores[at]
        return [found]


class _Task(greenlet):  # type: ignore[misc]  # greenlet is not typed for subclassing
    """A task of a step, in a greenlet of its own, with where its clause is (:func:`visits`)."""

    def __init__(self, run: Callable[[], None], parent: greenlet) -> None:
        super().__init__(run, parent)
        self.visits = Visits()


class _Step:
    """Blocks handed to every task in turn (see :meth:`StoredItems.in_step`).

    Each task runs in a greenlet of its own until it waits for the next block or ends; the
    reader (the greenlet that called :meth:`run`) then resumes the next task, and decodes the
    next block once every task waits or has ended, so that a block is let go once every task
    is past it."""

    def __init__(
        self,
        blocks: Iterator[list[StoreItem]],
        read_from: Callable[[int], Iterator[StoreItem]],
    ) -> None:
        self._blocks = blocks
        self._read_from = read_from  # the stores from a block on, read from the file
        self._number = -1  # the block being read
        self._block: list[StoreItem] = []
        self._finished = False  # every block has been handed out
        self._reader: greenlet | None = None
        self._tasks: set[greenlet] = set()
        self._waiting: list[greenlet] = []  # the tasks waiting for the next block, in order

    def run(self, tasks: Sequence[Callable[[], T]]) -> list[T]:
        results: list[Any] = [None] * len(tasks)
        errors: list[Exception] = []

        def work(index: int, task: Callable[[], T]) -> None:
            try:
                results[index] = task()
            except Exception as exc:  # handed to the caller, which raises it
                errors.append(exc)
            # Anything else (Ctrl-C) goes on to the reader, which stops at once.

        self._reader = getcurrent()
        started = [_Task(partial(work, i, task), self._reader) for i, task in enumerate(tasks)]
        self._tasks = set(started)
        try:
            self._resume(started)  # each runs until it waits for the first block, or ends
            try:
                for block in self._blocks:
                    self._block = block
                    self._number += 1
                    self._resume(self._waiting)
            except Exception:  # the file could not be read again: the tasks end, then it is said
                self._end()
                raise
            self._end()
        finally:
            self._tasks = set()
        if errors:
            raise errors[0]
        return results

    def _resume(self, tasks: list[greenlet]) -> None:
        """Resume each of ``tasks`` in turn, until it waits again or ends."""
        self._waiting = []
        for task in tasks:
            task.switch()

    def _end(self) -> None:
        """Tell every task the stores are read: each ends."""
        self._finished = True
        self._resume(self._waiting)

    def join(self) -> Iterator[StoreItem] | None:
        """The stores in step, for a task of this step that has not missed the first block."""
        if self._number > 0 or getcurrent() not in self._tasks:
            return None
        return self._in_step()

    def _in_step(self) -> Iterator[StoreItem]:
        number = 0
        reader = self._reader
        assert reader is not None
        while True:
            if self._number < number and not self._finished:
                self._waiting.append(getcurrent())
                reader.switch()  # back when block ``number`` is out, or the stores are read
            if self._finished and self._number < number:
                return
            if self._number != number or self._finished:
                # fell behind (a loop within a loop): read on from the file
                yield from self._read_from(number)
                return
            yield from self._block
            number += 1


__all__ = ["BLOCK", "StoredItems", "Visits", "as_another_loop", "visits"]
