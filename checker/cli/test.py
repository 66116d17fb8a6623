"""``policy-check test [PATH...]``: run the tests of policies.

Finds the test files (files named, or below folders named; ``policies`` by default), reads
them and everything they name, refuses to run on any problem (exit code 2, each problem at its
``file:line:col``), runs every case and writes the outcome like pytest: 0 when every case
passed, 1 when an expectation is not met (or coverage is under ``--coverage-fail-under``), 2
when a case could not be judged.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TextIO

from checker.cli.limit_options import limits_from_args
from checker.core.diagnostics import Diagnostic, Level, Location
from checker.core.errors import UnusableInputs, UsageError
from checker.documents.inputs import Source, expand, file_key
from checker.evaluation.snapshot import import_targets
from checker.policytests.coverage import coverage, percent
from checker.policytests.junit import write_junit
from checker.policytests.loading import Loader, find_test_files
from checker.policytests.model import CaseOutcome, TestFile
from checker.policytests.running import exit_code, run_tests
from checker.policytests.text import write_text

DEFAULT_PATHS = ("policies",)


def run(args: argparse.Namespace, out: TextIO, err: TextIO, environ: Mapping[str, str]) -> int:
    paths = [Source(p) for p in (args.paths or DEFAULT_PATHS)]
    if args.junit:
        _refuse_overwrite(args.junit, [(e.path, "the test file") for e in expand(paths).entries])
    limits = limits_from_args(args)
    documents, diagnostics = find_test_files(paths, limits)
    loader = Loader(limits)
    files = [f for f in (loader.test_file(doc) for doc in documents) if f is not None]
    problems = [*diagnostics, *loader.diagnostics]
    if any(d.level is Level.ERROR for d in problems):
        raise UnusableInputs(problems)
    if args.junit:  # nor anything they name: the policy under test, snapshots, exports, waivers
        _refuse_overwrite(args.junit, [(path, "a test file names") for path in _named(files)])
    outcomes = run_tests(files)
    shown = args.coverage or args.coverage_fail_under is not None
    covered = coverage(files, outcomes) if shown else None
    write_text(outcomes, out, covered)
    if args.junit:
        _write_junit(args.junit, outcomes)
    code = exit_code(outcomes)
    if code == 0 and covered is not None and args.coverage_fail_under is not None:
        reached = percent(covered)
        if reached < args.coverage_fail_under:
            err.write(
                f"policy-check: coverage {reached:.1f}% is under --coverage-fail-under "
                f"{args.coverage_fail_under:g}%\n"
            )
            return 1
    return code


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    parser = sub.add_parser(
        "test",
        help="run the tests of policies: expected statuses per clause and resource",
    )
    parser.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="test files, or folders searched for them (default: policies)",
    )
    parser.add_argument(
        "--coverage",
        action="store_true",
        help="list the clauses no test sees both passing and failing, with totals per section",
    )
    parser.add_argument(
        "--coverage-fail-under",
        type=_percent,
        metavar="PERCENT",
        help="exit 1 when fewer than PERCENT of the clauses are covered (implies --coverage)",
    )
    parser.add_argument("--junit", metavar="FILE", help="also write JUnit XML to FILE")
    return parser


def _percent(text: str) -> float:
    try:
        value = float(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from exc
    if not 0 <= value <= 100:
        raise argparse.ArgumentTypeError(f"must be between 0 and 100, got {text}")
    return value


def _named(files: Sequence[TestFile]) -> Iterator[str]:
    """Every file the test files read besides themselves."""
    for test_file in files:
        yield test_file.policy.disk_path
        for case in test_file.cases:
            yield case.snapshot.document.disk_path
            yield from (str(target.path) for target in import_targets(case.snapshot.document))
            if case.waivers is not None:
                yield case.waivers.disk_path


def _refuse_overwrite(target: str, inputs: Sequence[tuple[str, str]]) -> None:
    """``inputs``: each file's path, and what it is (``the test file``) or who reads it."""
    keys = {file_key(path): (path, what) for path, what in inputs}
    hit = keys.get(file_key(target))
    if hit is not None:
        path, what = hit
        named = f"{what} {path}" if what.startswith("the ") else f"{path}, which {what}"
        raise UnusableInputs(
            [
                Diagnostic(
                    Location(f"--junit {target}", None),
                    f"would overwrite {named}; write JUnit elsewhere",
                    "output-overwrites-input",
                )
            ]
        )


def _write_junit(path: str, outcomes: Sequence[CaseOutcome]) -> None:
    try:
        with Path(path).open("w", encoding="utf-8") as stream:
            write_junit(outcomes, stream)
    except OSError as exc:
        raise UsageError(f"cannot write --junit {path}: {exc.strerror or exc}") from exc
