"""A snapshot read store by store, its stores checked in parts by processes of this machine.

Each part is checked by every clause in a process of its own (:func:`observe_part`), and
what the parts observed is merged (:mod:`checker.evaluation.parts`): the findings are those of
checking every store at once, byte for byte. Where the system can fork a process with no
other thread running, the workers are forked from the process that read the snapshot and
inherit what it noted (where each store is, and the rest of the snapshot), so a part costs only
its checks; elsewhere each worker reads the file again for itself, as a Dask worker does.

A worker that dies, or parts whose observations cannot be merged, leave the stores to be
checked at once in this process: never a part left out.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from multiprocessing.connection import Connection
from typing import Any

from checker.core.pools import (
    Worker,
    WorkerDied,
    answer,
    ignore_interrupts,
    mp_context,
    start_method,
)
from checker.core.progress import Progress
from checker.documents.inputs import Entry
from checker.documents.limits import Limits
from checker.evaluation.engine import PolicySet, observe_part, stores_progress
from checker.evaluation.in_step import StoredItems
from checker.evaluation.parts import NotPartitionable, PartObserved, PartRunner, split
from checker.evaluation.snapshot import Snapshot
from checker.evaluation.streamed import load_streamed

_Inherited = tuple[Entry, Snapshot]
_inherited: _Inherited | None = None  # the snapshot being checked, for workers forked now


def local_parts(
    policies: PolicySet,
    limits: Limits,
    entry: Entry,
    view: Snapshot,
    workers: int,
    *,
    progress: Progress | None = None,
) -> PartRunner:
    """Checks the stores of ``view`` (read from ``entry``) in ``workers`` parts: the first in
    this process, each other in a worker process of its own. ``progress`` hears how far the
    first part is (a worker tells nobody: it may share the terminal, not the line)."""

    def run(stores: int) -> list[PartObserved]:
        global _inherited
        first, *others = split(stores, workers)
        if not others:
            return [observe_part(policies, view, first, progress=stores_progress(progress, view))]
        here = stores_progress(progress, view, f"part 1 of {len(others) + 1}, ")
        mp = mp_context(start_method())
        _inherited = (entry, view)
        stores = view.data["stores"]
        if isinstance(stores, StoredItems):  # where each id is: made once, before forking
            stores.index_by_id()
        started: list[Worker] = []
        try:
            for part in others:
                args = (observe_entry_part, (policies, limits, entry, part))
                started.append(Worker.start(mp, _check_part, args, others=started))
            # The first part is checked here meanwhile: one process fewer to hold the snapshot.
            mine = observe_part(policies, view, first, progress=here)
            if progress is not None:
                progress(f"checking {view.name}, {_the_others(len(others) + 1)}", 0, 0)
            return [mine, *(_observed(worker) for worker in started)]
        except BaseException:  # Ctrl-C, or a part that raised: stop the workers now
            for worker in started:
                worker.stop()
            raise
        finally:
            for worker in started:
                worker.close()
            _inherited = None

    return run


def _check_part(
    answers: Connection, observe: Callable[..., PartObserved], args: tuple[Any, ...]
) -> None:
    """In a worker: check a part and send back what was observed, or what was raised."""
    ignore_interrupts()
    answer(answers, partial(observe, *args))
    answers.close()


def _observed(worker: Worker) -> PartObserved:
    try:
        observed: PartObserved = worker.receive()
    except WorkerDied as exc:
        raise NotPartitionable("a process checking a part of the stores died") from exc
    return observed


def _the_others(parts: int) -> str:
    return "part 2 of 2" if parts == 2 else f"parts 2 to {parts} of {parts}"


def observe_entry_part(
    policies: PolicySet, limits: Limits, entry: Entry, part: range
) -> PartObserved:
    """What every clause observes of ``part`` of the stores of the snapshot ``entry`` names:
    the snapshot inherited from the process that forked this one, or read here."""
    inherited = _inherited
    if inherited is not None and inherited[0] == entry:
        view = inherited[1]
    else:
        view = _load(policies, limits, entry)
    return observe_part(policies, view, part)


def observe_entry_share(
    policies: PolicySet, limits: Limits, entry: Entry, number: int, parts: int
) -> PartObserved | None:
    """What every clause observes of part ``number`` of ``parts`` (as :func:`split` makes
    them) of the stores of the snapshot ``entry`` names, read here; ``None`` when there are
    fewer stores than parts and none is left for this one. Sent before the process that asks
    has read the file, so that both read it at the same time: the part is known once it is
    read."""
    view = _load(policies, limits, entry)
    shares = split(len(view.data["stores"]), parts)
    return observe_part(policies, view, shares[number]) if number < len(shares) else None


def _load(policies: PolicySet, limits: Limits, entry: Entry) -> Snapshot:
    loaded = load_streamed(entry, limits, policies.policies)
    if loaded is None:  # changed since, or not readable store by store here
        raise NotPartitionable(f"{entry.name} could not be read store by store by a worker")
    return Snapshot.plain(loaded.documents[0][0])
