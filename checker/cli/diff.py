"""``policy-check diff``: what changed between two versions of a policy.

The command turns its arguments into :class:`~checker.diff.run.DiffOptions`, runs
:func:`~checker.diff.run.run_diff` and renders the result; ``--fail-on`` decides the exit
code (:meth:`~checker.diff.model.DiffResult.exit_code`). Outputs are checked before any file
is read: none may overwrite an input or another output.
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TextIO

from checker.cli.common import stamp_option
from checker.cli.limit_options import limits_from_args
from checker.core.diagnostics import Diagnostic
from checker.core.errors import InputError, UnusableInputs, UsageError
from checker.diff.ordering import Direction
from checker.diff.run import DiffOptions, run_diff
from checker.documents import Limits, load_document
from checker.documents.inputs import document_kind, expand
from checker.pipeline import timestamp
from reports.diff.formats import render_diff
from reports.outputs import Target, output_problems


def run(args: argparse.Namespace, out: TextIO, err: TextIO, environ: Mapping[str, str]) -> int:
    options = diff_options(args, environ)
    inputs = [("policy", p, p) for p in (options.old, options.new) if p]
    inputs += [("snapshot", e.name, e.path) for e in expand(options.snapshots).entries]
    problems = output_problems(args.output or (), inputs)
    if options.git:  # the working tree's policies are the new versions compared
        problems += _over_policies(args.output or (), options.limits)
    if problems:
        raise UnusableInputs(problems)
    result = run_diff(options)
    color = bool(getattr(out, "isatty", lambda: False)()) and "NO_COLOR" not in environ
    render_diff(result, out, args.format, args.output or (), color=color)
    return result.exit_code()


def diff_options(args: argparse.Namespace, environ: Mapping[str, str]) -> DiffOptions:
    paths = list(args.paths)
    if not args.git and len(paths) != 2:
        raise UsageError(
            "diff compares two policy files: policy-check diff OLD NEW "
            "(or --git REV [PATH...] to compare the working tree with a revision)"
        )
    fail_on = frozenset(Direction(name) for names in args.fail_on or () for name in names)
    return DiffOptions(
        old="" if args.git else paths[0],
        new="" if args.git else paths[1],
        git=args.git or "",
        paths=paths if args.git else (),
        snapshots=tuple(args.snapshot or ()),
        fail_on=fail_on,
        as_of=args.as_of or dt.date.today(),
        limits=limits_from_args(args),
        generated_at=timestamp(stamp_option(args.generated_at, environ)),
        cwd=str(Path.cwd()) if args.git else ".",
    )


def _over_policies(targets: Sequence[Target], limits: Limits) -> list[Diagnostic]:
    """Outputs whose file is now a policy: with ``--git`` the policies compared are found in
    the working tree, so they are not known before the comparison; a report must not replace
    one (often the uncommitted version under review)."""
    problems = []
    for target in targets:
        if not Path(target.path).is_file():
            continue
        try:
            doc = load_document(target.path, limits=limits)
        except InputError:
            continue  # not a document of ours: an earlier report, say
        if document_kind(doc) == "policy":
            problems.append(
                Diagnostic(
                    target.where,
                    f"{target.label} would overwrite the policy {target.name or target.path}; "
                    "write the report somewhere else",
                    "output-path",
                )
            )
    return problems
