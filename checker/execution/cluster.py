"""Running units on a Dask cluster (``pip install 'policy-checker[dask]'``).

A Dask task checks a batch of snapshot files and carries the
:class:`~checker.execution.units.UnitContext` (the parsed policies: tens of kilobytes) with it,
so that no task depends on data a dying worker could take with it (scattered data, or a task
result, lost with every worker holding it, fails every task after it). Results are gathered
as they finish and merged in input order by the pipeline. A task that raises is
retried; one that fails on every try, or whose worker process keeps dying (Dask's
``KilledWorker``, after ``distributed.scheduler.allowed-failures`` deaths), becomes an error
for its snapshot: the run fails and says which snapshot was not checked, never leaving it out.

Workers read the snapshot files themselves: on a cluster they must see them at the same paths
(a shared file system, or absolute paths mounted alike), and have policy-checker installed at
the same version as the machine that submits.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from checker.core.errors import UsageError
from checker.documents.inputs import Entry
from checker.documents.json_stream import FileChanged, NotStreamed
from checker.documents.limits import Limits
from checker.evaluation.engine import PolicySet
from checker.evaluation.parts import NotPartitionable, PartObserved, split
from checker.evaluation.streamed import may_stream
from checker.execution.local import Progress, Unit
from checker.execution.parts import observe_entry_share
from checker.execution.units import UnitContext, UnitOutcome, failed_unit, run_unit

if TYPE_CHECKING:
    import distributed

INSTALL = "pip install 'policy-checker[dask]'"
RETRIES = 2  # tries after the first for a task that raises
KILLED = "every Dask worker process that ran it died (killed, or out of memory)"
TASKS_PER_WORKER = 4  # batches per worker: enough to balance uneven snapshots
MAX_BATCH = 50  # snapshots per task at most, so that progress and retries stay fine-grained


def require_dask() -> None:
    """Stop with a usage error (exit code 2) saying what to install when Dask is not there."""
    try:
        import distributed  # noqa: F401
    except ImportError as exc:
        raise UsageError(
            f"--executor dask needs Dask and its distributed scheduler, which are not "
            f"installed: {INSTALL}"
        ) from exc


@dataclass(frozen=True, slots=True)
class DaskCluster:
    """Units as tasks on the Dask scheduler at ``scheduler`` (``tcp://host:8786``), or, without
    one, on a local cluster of ``workers`` single-threaded processes started for the run.

    A task checks a batch of ``batch`` snapshots (by default enough tasks for
    :data:`TASKS_PER_WORKER` per worker, of at most :data:`MAX_BATCH` snapshots): a Dask task
    costs milliseconds of scheduling, as much as checking a small snapshot. When a batch's task
    fails, each of its snapshots is checked again as a task of its own, so that an error
    names the one snapshot at fault."""

    scheduler: str | None = None
    workers: int = 1
    retries: int = RETRIES
    batch: int | None = None
    # What the task of a part of a snapshot's stores runs (tests stand in one that fails).
    part_task: PartTask = observe_entry_share

    def run(
        self, unit: Unit, context: UnitContext, entries: Sequence[Entry], progress: Progress
    ) -> list[UnitOutcome]:
        outcomes: dict[int, UnitOutcome] = {}
        progress(0, len(entries))
        # A snapshot read store by store is checked here, its stores in parts on the workers.
        in_parts = [
            index
            for index, entry in enumerate(entries)
            if unit is run_unit and may_stream(entry, context.limits, context.policies.policies)
        ]
        rest = sorted(set(range(len(entries))) - set(in_parts))
        size = self.batch or _batch_size(len(rest), self.workers)
        batches = [rest[i : i + size] for i in range(0, len(rest), size)]
        with self._client() as client:
            for index in in_parts:
                outcomes[index] = self._in_parts(client, context, entries[index])
                progress(len(outcomes), len(entries))
            tasks = _Tasks(client, unit, context, entries, self.retries, outcomes, progress)
            failed = tasks.run(batches)
            # Retried alone: the snapshots of a batch whose task raised, all at once; those of
            # a task whose worker died one by one, since Dask blames every task a dying worker
            # held (running or queued), and only a task that kills its worker alone is at fault.
            raised = [i for i, why in failed.items() if why != KILLED and size > 1]
            failed.update(tasks.run([[index] for index in raised]))
            for index in [i for i, why in failed.items() if why == KILLED]:
                failed.update(tasks.run([[index]]))
            for index in [i for i in failed if i not in outcomes]:
                outcomes[index] = failed_unit(context, entries[index], failed[index])
                progress(len(outcomes), len(entries))
        return [outcomes[index] for index in range(len(entries))]

    def _in_parts(
        self, client: distributed.Client, context: UnitContext, entry: Entry
    ) -> UnitOutcome:
        """The unit of a snapshot read store by store: loaded and its findings made here, its
        stores checked in a part per worker; an error for the snapshot if a part fails on
        every try (or its worker keeps dying)."""

        workers = len(client.scheduler_info().get("workers", ())) or self.workers
        # Sent now: the workers read the file while this process does, not after it.
        parts = _DaskParts(client, self.part_task, context, entry, workers, self.retries)
        try:
            return run_unit(context, entry, parts=lambda entry, view: parts)
        except PartFailed as exc:
            return failed_unit(context, entry, str(exc))
        finally:
            parts.cancel()  # not asked for (the file read whole here, say), or done

    @contextmanager
    def _client(self) -> Iterator[distributed.Client]:
        import distributed

        if self.scheduler is not None:
            try:
                client = distributed.Client(self.scheduler)
            except (OSError, ValueError) as exc:  # unreachable, or not an address
                raise UsageError(
                    f"cannot reach the Dask scheduler at {self.scheduler!r} (--scheduler): {exc}"
                ) from exc
            with client:
                yield client
            return
        with (
            distributed.LocalCluster(
                n_workers=self.workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=":0",  # any free port: no clash with a cluster running here
            ) as cluster,
            distributed.Client(cluster) as client,
        ):
            yield client


class _Tasks:
    """The units of one run, as tasks of one client."""

    def __init__(
        self,
        client: distributed.Client,
        unit: Unit,
        context: UnitContext,
        entries: Sequence[Entry],
        retries: int,
        outcomes: dict[int, UnitOutcome],
        progress: Progress,
    ) -> None:
        self.client, self.unit, self.context, self.entries = client, unit, context, entries
        self.retries, self.outcomes, self.progress = retries, outcomes, progress
        self.run_id = uuid.uuid4().hex  # task keys unique to this run on a shared scheduler
        self.submitted = 0

    def run(self, batches: Iterable[list[int]]) -> dict[int, str]:
        """Run a task per batch of units (indices of ``entries``) and record their outcomes;
        why the units of a task that failed gave none (:data:`KILLED`: their worker died)."""
        import distributed

        batch_of = {}
        for batch in batches:
            self.submitted += 1
            future = self.client.submit(
                _run_batch,
                self.unit,
                self.context,
                [self.entries[index] for index in batch],
                key=f"policy-check-{self.run_id}-{self.submitted}",
                retries=self.retries,
                pure=False,
            )
            batch_of[future.key] = (batch, future)
        failed: dict[int, str] = {}
        for future in distributed.as_completed([f for _, f in batch_of.values()]):
            batch = batch_of[future.key][0]
            error = future.exception() if future.status == "error" else None
            if future.status == "finished":
                self.outcomes.update(zip(batch, future.result(), strict=True))
            elif isinstance(error, distributed.KilledWorker):
                failed.update(dict.fromkeys(batch, KILLED))
            else:  # an error on every try, or "lost"/"cancelled" when the scheduler gave up
                failed.update(dict.fromkeys(batch, _failure(error, self.retries)))
            future.release()
            self.progress(len(self.outcomes), len(self.entries))
        return failed


class PartFailed(Exception):
    """A part of a snapshot's stores was not checked: why, for the error for its snapshot."""


PartTask = Callable[[PolicySet, Limits, Entry, int, int], PartObserved | None]
"""The task of part ``number`` of ``parts`` of a snapshot's stores: what every clause observes
of them, the snapshot read by the worker itself (``None``: fewer stores than parts, none left
for this one)."""


class _DaskParts:
    """The stores of one snapshot, a part per worker, each a task (a :data:`PartRunner`).

    The tasks are sent when this is made, before the snapshot is read here: each worker reads
    the file, at the same time as this process, and takes its share of the stores it finds.
    When asked for the parts of ``stores`` stores, each share must be that part of them."""

    def __init__(
        self,
        client: distributed.Client,
        task: PartTask,
        context: UnitContext,
        entry: Entry,
        workers: int,
        retries: int,
    ) -> None:
        self.client, self.entry, self.workers, self.retries = client, entry, workers, retries
        run_id = uuid.uuid4().hex
        self.futures = [
            client.submit(
                task,
                context.policies,
                context.limits,
                entry,
                number,
                workers,
                key=f"policy-check-part-{run_id}-{number}",
                retries=retries,
                pure=False,
            )
            for number in range(workers)
        ]

    def __call__(self, stores: int) -> list[PartObserved]:
        import distributed

        observed = []
        for future, part in zip(self.futures, split(stores, self.workers), strict=False):
            where = f"the task checking its stores {part.start + 1} to {part.stop} of {stores}"
            try:
                found = future.result()
            except (NotPartitionable, NotStreamed, FileChanged):
                raise  # checked at once here, or the file read whole: it says why
            except distributed.KilledWorker as exc:
                raise PartFailed(f"{where}: {KILLED}") from exc
            except Exception as exc:
                raise PartFailed(f"{where}: {_failure(exc, self.retries)}") from exc
            if found is None or found.part != part:  # the worker found other stores
                raise NotPartitionable(f"a worker read {self.entry.name} otherwise")
            observed.append(found)
        return observed

    def cancel(self) -> None:
        self.client.cancel(self.futures)


def _batch_size(units: int, workers: int) -> int:
    return max(1, min(MAX_BATCH, -(-units // (workers * TASKS_PER_WORKER))))


def _run_batch(unit: Unit, context: UnitContext, entries: list[Entry]) -> list[UnitOutcome]:
    """The task: the units of a batch, in order."""
    return [unit(context, entry) for entry in entries]


def _failure(exc: BaseException | None, retries: int) -> str:
    """Why a task gave no result, for the error that stands for its snapshot."""
    if exc is None:
        return "the Dask scheduler lost its task"
    return (
        f"its Dask task failed on each of {retries + 1} tries, last with "
        f"{type(exc).__name__}: {exc}"
    )
