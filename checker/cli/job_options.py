"""Command-line options that say where the snapshots of a run are checked: ``--jobs``,
``--executor`` and ``--scheduler`` (see ``docs/scale.md``)."""

from __future__ import annotations

import argparse

from checker.cli.limit_options import positive
from checker.execution import (
    AUTO_PARTS,
    AUTO_POOL_CORES,
    AUTO_POOL_CORES_FRESH,
    AUTO_POOL_MIN,
    EXECUTORS,
    available_cores,
    forks_workers,
)


def add_job_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("parallel runs")
    group.add_argument(
        "--jobs",
        type=positive,
        metavar="N",
        help="check N snapshots at once, each in a process of its own (default: the number of "
        f"cores, {available_cores()} here, for {AUTO_POOL_MIN} snapshot files or more on "
        f"{AUTO_POOL_CORES if forks_workers() else AUTO_POOL_CORES_FRESH} cores or more; "
        "1 checks them one after the other in this process); "
        "a snapshot read store by store and checked in this process has its stores checked "
        f"in N parts, by N processes (default: up to {AUTO_PARTS} when passes are counted); "
        "the output is the same either way",
    )
    group.add_argument(
        "--executor",
        choices=EXECUTORS,
        default="local",
        help="where the snapshots are checked: processes of this machine (default), or the "
        "workers of a Dask cluster (pip install 'policy-checker[dask]')",
    )
    group.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="with --executor dask, the address of the cluster's scheduler, e.g. "
        "tcp://scheduler:8786 (default: a local cluster of --jobs workers)",
    )


def jobs_from_args(args: argparse.Namespace) -> int | None:
    """The number of jobs asked for; ``None``, the default, lets the run choose."""
    return int(args.jobs) if args.jobs is not None else None
