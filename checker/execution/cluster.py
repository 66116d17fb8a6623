"""Running units on a Dask cluster (``pip install 'policy-checker[dask]'``).

Each unit is a Dask task. The :class:`~checker.execution.units.UnitContext` is a task of its
own that every unit depends on: a worker fetches it once and keeps it, so that a task sends
only its snapshot's file name, and when the workers holding it die the scheduler makes it
again (data scattered to workers would be lost with them, and every task after). Results are
gathered as they finish and merged in input order by the pipeline. A task that raises is
retried; one that fails on every try, or whose worker process keeps dying (Dask's
``KilledWorker``, after ``distributed.scheduler.allowed-failures`` deaths), becomes an error
for its snapshot: the run fails and says which snapshot was not checked, never leaving it out.

Workers read the snapshot files themselves: on a cluster they must see them at the same paths
(a shared file system, or absolute paths mounted alike), and have policy-checker installed at
the same version as the machine that submits.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from checker.core.errors import UsageError
from checker.documents.inputs import Entry
from checker.execution.local import Progress, Unit
from checker.execution.units import UnitContext, UnitOutcome, failed_unit

if TYPE_CHECKING:
    import distributed

INSTALL = "pip install 'policy-checker[dask]'"
RETRIES = 2  # tries after the first for a task that raises
KILLED = "every Dask worker process that ran it died (killed, or out of memory)"


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
    one, on a local cluster of ``workers`` single-threaded processes started for the run."""

    scheduler: str | None = None
    workers: int = 1
    retries: int = RETRIES

    def run(
        self, unit: Unit, context: UnitContext, entries: Sequence[Entry], progress: Progress
    ) -> list[UnitOutcome]:
        outcomes: dict[int, UnitOutcome] = {}
        progress(0, len(entries))
        with self._client() as client:
            tasks = _Tasks(client, unit, context, entries, self.retries, outcomes, progress)
            killed = tasks.run(range(len(entries)))
            # Dask blames every task a dying worker held, running or queued: each is run again
            # alone, so that only a task that kills its worker by itself is reported.
            for index in killed:
                if tasks.run([index]):
                    outcomes[index] = failed_unit(context, entries[index], KILLED)
                    progress(len(outcomes), len(entries))
        return [outcomes[index] for index in range(len(entries))]

    @contextmanager
    def _client(self) -> Iterator[distributed.Client]:
        import distributed

        if self.scheduler is not None:
            with distributed.Client(self.scheduler) as client:
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
    """The units of one run as tasks of one client, all depending on one context task."""

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
        self.shared = client.submit(_given, context, key=f"policy-check-{self.run_id}-context")
        self.submitted = 0

    def run(self, indices: Iterable[int]) -> list[int]:
        """Run the units at ``indices`` and record their outcomes; the indices of those whose
        worker died under them (Dask's ``KilledWorker``), not recorded."""
        import distributed

        index_of = {}
        for index in indices:
            self.submitted += 1
            future = self.client.submit(
                self.unit,
                self.shared,
                self.entries[index],
                key=f"policy-check-{self.run_id}-{self.submitted}",
                retries=self.retries,
                pure=False,
            )
            index_of[future.key] = (index, future)
        killed = []
        for future in distributed.as_completed([f for _, f in index_of.values()]):
            index = index_of[future.key][0]
            error = future.exception() if future.status == "error" else None
            if future.status == "finished":
                self.outcomes[index] = future.result()
            elif isinstance(error, distributed.KilledWorker):
                killed.append(index)
            else:  # an error on every try, or "lost"/"cancelled" when the scheduler gave up
                failure = _failure(error, self.retries)
                self.outcomes[index] = failed_unit(self.context, self.entries[index], failure)
            future.release()
            self.progress(len(self.outcomes), len(self.entries))
        return sorted(killed)


def _given(context: UnitContext) -> UnitContext:
    """The context, as the result of a task that the scheduler can run again."""
    return context


def _failure(exc: BaseException | None, retries: int) -> str:
    """Why a task gave no result, for the error that stands for its snapshot."""
    if exc is None:
        return "the Dask scheduler lost its task"
    return (
        f"its Dask task failed on each of {retries + 1} tries, last with "
        f"{type(exc).__name__}: {exc}"
    )
