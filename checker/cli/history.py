"""``policy-check baseline`` and ``policy-check history [record]``."""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import TextIO

from checker.cli.check import check_options
from checker.core.diagnostics import Level
from checker.core.errors import UsageError
from checker.pipeline import run_check
from reports.outputs import Target, render


def run(args: argparse.Namespace, out: TextIO, err: TextIO, environ: Mapping[str, str]) -> int:
    if args.command == "baseline":
        return _baseline(args, out, err, environ)
    if args.history_command == "record":
        from checker.history.record import record_files

        db = args.record_db or args.db
        if not db:
            raise UsageError("history record needs --db DB: the database to record into")
        for line in record_files(db, args.results):
            out.write(f"{line}\n")
        return 0
    if not args.db:
        raise UsageError("history needs --db DB: the database runs were recorded in")
    if args.output and Path(args.output).resolve() == Path(args.db).resolve():
        raise UsageError(f"--output {args.output} is the history database: name another file")
    from checker.history.trends import trends
    from reports.trends import render_trends

    text = render_trends(trends(args.db, since=args.since, systems=args.system or ()), args.format)
    if args.output:
        try:
            Path(args.output).write_text(text, encoding="utf-8", newline="\n")
        except OSError as exc:
            raise UsageError(
                f"cannot write {args.format} trends to {args.output}: {exc.strerror or exc}"
            ) from None
    else:
        out.write(text)
    return 0


def _baseline(
    args: argparse.Namespace, out: TextIO, err: TextIO, environ: Mapping[str, str]
) -> int:
    """Check, and write every finding of the run to a JSON results file (passes counted, since
    a baseline only needs what is not kept); exit 0: the run is being accepted.

    A run with input errors (an invalid snapshot, a policy that cannot be used) is not
    accepted: its findings cover only part of what was given, and a baseline of it would hide
    the rest. The errors are printed, nothing is written, exit 1."""
    target = Target("json", args.baseline_output)
    options = dataclasses.replace(check_options(args, environ), outputs=[target])
    result = run_check(options)
    errors = [d for d in result.diagnostics if d.level is Level.ERROR]
    if errors:
        for diagnostic in errors:
            err.write(f"{diagnostic}\n")
        err.write(
            f"policy-check: no baseline written: {len(errors):,} input "
            f"error{'s' if len(errors) != 1 else ''}; a baseline accepts the findings of a run "
            "that could check everything it was given\n"
        )
        return 1
    render(result, targets=[target])
    open_ = sum(1 for f in result.findings if f.status.value != "pass")
    out.write(
        f"policy-check: baseline of {open_:,} open finding{'s' if open_ != 1 else ''} "
        f"written to {args.baseline_output}\n"
    )
    return 0
