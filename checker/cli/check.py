"""``policy-check check``: policies against snapshots, a verdict and reports.

The command turns the command line and the config into :class:`~checker.pipeline.CheckOptions`
(:func:`check_options`, the one place where they are merged: the command line wins), runs
:func:`~checker.pipeline.run_check` and renders the result. Everything asked for is checked
before any file is read: the output formats (by the parser), that no output would overwrite an
input or another output (by the pipeline), the timestamp.
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Mapping, Sequence
from contextlib import nullcontext
from dataclasses import replace
from pathlib import Path
from typing import TextIO

from checker.cli import progress
from checker.cli.common import render_result, stamp_option
from checker.cli.job_options import jobs_from_args
from checker.cli.limit_options import limits_from_args
from checker.cli.progress import ProgressLine
from checker.core.errors import UsageError
from checker.core.gc_pause import collector_paused
from checker.core.pools import one_process
from checker.core.results import Result, Severity, Status
from checker.core.spill import spilling
from checker.documents.config import Config, find_config, load_config
from checker.documents.inputs import Source
from checker.pipeline import CheckOptions, run_check
from reports import default_format
from reports.redaction import marked_names


def run(args: argparse.Namespace, out: TextIO, err: TextIO, environ: Mapping[str, str]) -> int:
    options = check_options(args, environ)
    line = ProgressLine(err) if progress.wanted(err, out, _format(args, environ), environ) else None
    # Paused from the first document read to the last report written: a large run keeps
    # millions of findings and report rows alive, and every full collection would walk them.
    # Names of passing resources are written to a file of the run until then, not held, and
    # searched for what redaction may change as they are written (by the checking processes).
    # --jobs 1 keeps the run to one process: no helper forked for its reports either.
    with (
        collector_paused(),
        one_process(options.jobs == 1),
        spilling(marked_names) if options.name_passes else nullcontext(),
    ):
        try:
            result = run_check(replace(options, progress=line))
        finally:
            if line is not None:
                line.clear()  # before any diagnostic or report reaches the terminal
        render_result(result, args.format, out, environ, options.outputs, args.color)
    hint = listing_hint(result)
    if hint is not None:
        err.write(hint)
    return result.exit_code()


# From this many passes listed one by one, a run says how to have them for less. About ten
# thousand stores: listing takes several times as long as counting there, and it grows.
LISTING_HINT_FROM = 100_000


def listing_hint(result: Result) -> str | None:
    """What to say, after a run that listed a great many passes as findings, of the ways
    that name or count them instead (``None`` below :data:`LISTING_HINT_FROM`)."""
    passed = Status.PASS
    listed = sum(1 for finding in result.findings if finding.status is passed)
    if listed < LISTING_HINT_FROM:
        return None
    return (
        f"policy-check: {listed:,} passes were listed, each a finding with its position; "
        "--passes resources names every resource that passes, with its number of passes, "
        "in a fraction of the time and memory, and --passes count counts them "
        "(see docs/scale.md)\n"
    )


def _format(args: argparse.Namespace, environ: Mapping[str, str]) -> str:
    return str(args.format or default_format(environ))


def check_options(args: argparse.Namespace, environ: Mapping[str, str]) -> CheckOptions:
    """The run the command line asks for, over what the config says.

    The config named by ``--config`` is always read (its outputs, waivers, threshold and date
    apply, its paths unless options give them); the nearest ``policy-check.yaml`` (this folder,
    then those above it within the repository) is read unless the command line gives both
    ``--policy`` and ``--snapshot``. Each option given wins over the
    config's value; outputs add up (the config's, then ``--output``'s).
    """
    config = _config(args)
    policies = _sources(args.policy, "--policy") or (config.policies if config else [])
    snapshots = _sources(args.snapshot, "--snapshot") or (config.snapshots if config else [])
    if not policies or not snapshots:
        raise UsageError(
            "nothing to check: give --policy and --snapshot, or run where a policy-check.yaml "
            "(in this folder or one above it) names them, or pass --config FILE"
        )
    waivers = (
        Source(args.waivers, option="--waivers")
        if args.waivers
        else (config.waivers if config else None)
    )
    return CheckOptions(
        policies=policies,
        snapshots=snapshots,
        waivers=waivers,
        as_of=args.as_of or (config.as_of if config else None) or dt.date.today(),
        fail_on=Severity(args.fail_on or (config.fail_on if config else None) or "low"),
        count_passes=args.passes == "count",
        name_passes=args.passes == "resources",
        limits=limits_from_args(args),
        generated_at=stamp_option(args.generated_at, environ),  # a bad SOURCE_DATE_EPOCH stops
        outputs=[
            *(config.outputs if config and not args.no_config_outputs else []),
            *(args.output or ()),
        ],
        config=config.path if config is not None else None,
        previous_policies=_sources(args.previous_policy, "--previous-policy"),
        baseline=args.baseline,
        history=args.history,
        jobs=jobs_from_args(args),
        executor=args.executor,
        scheduler=args.scheduler,
    )


def _sources(paths: Sequence[str] | None, option: str) -> list[Source]:
    return [Source(path, option=option) for path in paths or ()]


def _config(args: argparse.Namespace) -> Config | None:
    if args.config is None and args.policy and args.snapshot:
        return None
    path = find_config(args.config, Path.cwd())
    return load_config(path) if path is not None else None
