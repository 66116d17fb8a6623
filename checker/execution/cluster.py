"""Running units on a Dask cluster (``pip install 'policy-checker[dask]'``).

Each unit is a Dask task; the :class:`~checker.execution.units.UnitContext` is scattered once
to every worker, so that a task sends only its snapshot's file name. Results are gathered as
they finish and merged in input order by the pipeline. A task that raises is retried; one
that fails on every try, or whose worker process keeps dying (Dask's ``KilledWorker``, after
``distributed.scheduler.allowed-failures`` deaths), becomes an error for its snapshot: the run
fails and says which snapshot was not checked, never leaving it out.

Workers read the snapshot files themselves: on a cluster they must see them at the same paths
(a shared file system, or absolute paths mounted alike), and have policy-checker installed at
the same version as the machine that submits.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
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
        import distributed

        run = uuid.uuid4().hex  # task keys unique to this run on a shared scheduler
        outcomes: dict[int, UnitOutcome] = {}
        progress(0, len(entries))
        with self._client() as client:
            shared = client.scatter(context, broadcast=True, hash=False)
            futures = [
                client.submit(
                    unit,
                    shared,
                    entry,
                    key=f"policy-check-{run}-{index}",
                    retries=self.retries,
                    pure=False,
                )
                for index, entry in enumerate(entries)
            ]
            index_of = {future.key: index for index, future in enumerate(futures)}
            for future in distributed.as_completed(futures):
                index = index_of[future.key]
                if future.status == "finished":
                    outcomes[index] = future.result()
                else:
                    failure = _failure(future.exception(), self.retries)
                    outcomes[index] = failed_unit(context, entries[index], failure)
                future.release()
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
                dashboard_address=None,
            ) as cluster,
            distributed.Client(cluster) as client,
        ):
            yield client


def _failure(exc: BaseException | None, retries: int) -> str:
    """Why a task gave no result, for the error that stands for its snapshot."""
    from distributed import KilledWorker

    if isinstance(exc, KilledWorker):
        return "every Dask worker process that ran it died (killed, or out of memory)"
    return (
        f"its Dask task failed on each of {retries + 1} tries, last with "
        f"{type(exc).__name__}: {exc}"
    )
