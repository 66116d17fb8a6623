"""Where the units of a check run: in this process, a pool of processes, or a Dask cluster.

Every executor takes the same unit of work (:func:`~checker.execution.units.run_unit`: a
policy set and one snapshot file, from loading to result) and gives back one outcome per file
in input order, so that the pipeline merges them exactly as a serial run does and every output
is the same, byte for byte, however the units ran.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from checker.core.errors import UsageError
from checker.core.pools import available_cores, forks_workers
from checker.documents.inputs import Entry
from checker.execution.local import ProcessPool, Progress, Serial, Unit
from checker.execution.units import UnitContext, UnitOutcome, run_unit

__all__ = [
    "AUTO_PARTS",
    "AUTO_POOL_CORES",
    "AUTO_POOL_CORES_FRESH",
    "AUTO_POOL_MIN",
    "EXECUTORS",
    "Executor",
    "UnitContext",
    "UnitOutcome",
    "available_cores",
    "default_parts",
    "executor_for",
    "forks_workers",
    "run_unit",
]

EXECUTORS = ("local", "dask")


class Executor(Protocol):
    """Runs ``unit`` for every entry; the outcomes in entry order."""

    def run(
        self, unit: Unit, context: UnitContext, entries: Sequence[Entry], progress: Progress
    ) -> list[UnitOutcome]: ...


AUTO_POOL_MIN = 16
"""Snapshot files a run needs before the default number of jobs starts a pool: with fewer,
starting the workers (an interpreter each, the checker imported, the policies sent) costs
about what it saves. ``--jobs N`` given outright starts one for any two files."""

AUTO_POOL_CORES = 2
"""Cores a machine needs before the default number of jobs starts a pool, where the workers
are forked (:func:`forks_workers`): they start in milliseconds, and on 2 cores a pool of two
checked 1,000 small snapshots in 0.71 s against 0.9 s serially, 10,000 in 4.2 s against
6.2 s, and 16 in 0.30 s against 0.27 s (benchmarks/bench_jobs.py, docs/scale.md)."""

AUTO_POOL_CORES_FRESH = 3
"""The same where each worker is a fresh interpreter (not Linux): starting them costs 0.2 s
more, and on 2 cores the process taking their results back competes with them."""


AUTO_PARTS = 2
"""Most parts the default number of jobs checks the stores of a snapshot read store by store
in, when passes are counted (``--jobs N`` given outright splits them in N). Each part's
process holds what it reads of the snapshot: 1M stores (627 MB) counted in two parts took
21.9 s instead of 29.2 s, in 1.77 times the file instead of 1.22 (benchmarks/bench_parts.py,
docs/scale.md); each further part adds about half the file, beyond the 2 times that a
snapshot read store by store is meant to stay within. When every pass is listed, parts do
not pay: the findings are placed, stamped and written by the ``policy-check`` process, and
sending them back costs more than checking the part saved (100k stores: 39.8 s in one
process, 43.9 s in two parts)."""


def default_parts(count_passes: bool) -> int:
    """How many parts the default number of jobs checks a snapshot read store by store in:
    the cores this process may use, at most :data:`AUTO_PARTS`, when passes are counted and
    the workers are forked (Linux); else one. Where a worker is a fresh interpreter, it reads
    the file again before checking its part, which was not measured to pay."""
    if not count_passes or not forks_workers():
        return 1
    return min(available_cores(), AUTO_PARTS)


def executor_for(kind: str, jobs: int | None, units: int, scheduler: str | None = None) -> Executor:
    """The executor for a run of ``units`` snapshot files.

    ``local`` runs them in this process when one job is asked for or one file given (no pool
    to start), else in a pool of ``jobs`` processes (never more than there are files);
    ``jobs`` ``None`` is the number of cores, from :data:`AUTO_POOL_MIN` files on, on a machine
    of :data:`AUTO_POOL_CORES` cores or more (:data:`AUTO_POOL_CORES_FRESH` where workers are
    not forked), else one. ``dask``
    runs them on the scheduler at ``scheduler``, or on a local cluster of ``jobs`` workers.
    """
    if jobs is not None and jobs < 1:
        raise UsageError(f"jobs must be 1 or more, not {jobs}")
    if kind == "dask":
        from checker.execution.cluster import DaskCluster, require_dask

        require_dask()
        workers = jobs if jobs is not None else available_cores()
        return DaskCluster(scheduler=scheduler, workers=max(1, workers))
    if kind != "local":
        raise UsageError(f"unknown executor {kind!r}; choose from {', '.join(EXECUTORS)}")
    if scheduler is not None:
        raise UsageError("a scheduler address is for the dask executor: add --executor dask")
    if jobs is None:
        cores = available_cores()
        needed = AUTO_POOL_CORES if forks_workers() else AUTO_POOL_CORES_FRESH
        jobs = cores if units >= AUTO_POOL_MIN and cores >= needed else 1
    if jobs == 1 or units <= 1:
        return Serial()
    return ProcessPool(min(jobs, units))
