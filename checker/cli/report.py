"""``policy-check report RESULTS.json``: render saved results without checking again."""

from __future__ import annotations

import argparse
from typing import TextIO

from checker.core.diagnostics import Level
from checker.core.errors import UnusableInputs
from checker.documents import load_document
from checker.validation.validator import validate_document
from reports.json_report import result_from_dict
from reports.outputs import Target, render


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    doc = load_document(args.results)
    problems = [d for d in validate_document(doc, "results") if d.level is Level.ERROR]
    if problems:
        raise UnusableInputs(problems)
    result = result_from_dict(doc.data)
    if args.output:
        render(result, targets=[Target(args.format, args.output)])
    else:
        render(result, out, args.format)
    return 0
