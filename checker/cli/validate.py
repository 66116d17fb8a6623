"""``policy-check validate PATH...``: schema and semantic validation of any document kind.

The command turns its arguments into :class:`~checker.pipeline.ValidateOptions`, runs
:func:`~checker.pipeline.run_validate` and renders the result like any other: in text, one
diagnostic per line (and the counts of documents on standard error); in JSON, the results
format; in SARIF and as GitHub annotations, each diagnostic on its line.
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Mapping
from typing import TextIO

from checker.cli.common import render_result, stamp_option
from checker.cli.limit_options import limits_from_args
from checker.pipeline import ValidateOptions, run_validate
from reports.base import validation_sentence


def run(args: argparse.Namespace, out: TextIO, err: TextIO, environ: Mapping[str, str]) -> int:
    options = validate_options(args, environ)
    result = run_validate(options)
    render_result(result, args.format, out, environ, options.outputs, args.color)
    if args.format == "text":
        err.write(validation_sentence(result) + "\n")
    return result.exit_code()


def validate_options(args: argparse.Namespace, environ: Mapping[str, str]) -> ValidateOptions:
    return ValidateOptions(
        paths=args.paths,
        limits=limits_from_args(args),
        as_of=args.as_of or dt.date.today(),
        generated_at=stamp_option(args.generated_at, environ),
        outputs=args.output or (),
    )
