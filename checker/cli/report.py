"""``policy-check report RESULTS.json``: render saved results without checking again, and
exit with their verdict (0 compliant, 1 not; what the run that saved them exited with)."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from typing import TextIO

from checker.cli.color import use_color
from checker.core.diagnostics import Diagnostic, Level
from checker.core.errors import UnusableInputs
from checker.documents import load_document
from checker.documents.inputs import document_kind
from checker.validation.validator import validate_document
from reports.base import is_validation, validation_sentence
from reports.json_report import result_from_dict
from reports.outputs import Target, output_problems, render


def run(args: argparse.Namespace, out: TextIO, err: TextIO, environ: Mapping[str, str]) -> int:
    if args.output:  # the saved results may be the only copy of them
        target = Target(args.format, args.output)
        problems = output_problems([target], [("results", args.results, args.results)])
        if problems:
            raise UnusableInputs(problems)
    doc = load_document(args.results)
    kind = document_kind(doc)
    if kind is not None or not (isinstance(doc.data, dict) and "results_format" in doc.data):
        what = (
            f"a {kind} document, not a results file"
            if kind
            else "not a results file (it has no 'results_format' key)"
        )
        raise UnusableInputs(
            [
                Diagnostic(
                    doc.locate(()),
                    f"this is {what}: report renders the results that "
                    "'policy-check check --format json' (or --output json=FILE) saved",
                    "not-results",
                )
            ]
        )
    problems = [d for d in validate_document(doc, "results") if d.level is Level.ERROR]
    if problems:
        raise UnusableInputs(problems)
    result = result_from_dict(doc.data)
    if args.output:
        render(result, targets=[Target(args.format, args.output)])
    else:
        render(result, out, args.format, color=use_color(args.color, out, environ))
        if args.format == "text" and is_validation(result):  # as validate prints it
            err.write(validation_sentence(result) + "\n")
    return result.exit_code()
