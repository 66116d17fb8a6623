"""The command-line options and commands of runs over time: ``check --baseline`` and
``--history``, ``policy-check baseline`` and ``policy-check history [record]``."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from checker.cli.argtypes import date_argument
from reports.trends import FORMATS as TREND_FORMATS


def add_comparison_options(check: argparse.ArgumentParser) -> None:
    """``check --baseline`` and ``check --history``."""
    check.add_argument(
        "--baseline",
        metavar="RESULTS.json",
        help="JSON results of an accepted run: findings it holds unchanged are reported as "
        "existing and do not fail the run; new ones, and ones that got worse, do",
    )
    check.add_argument(
        "--history",
        metavar="DB",
        help="record the run in this history database (SQLite, created if missing), and "
        "report what changed since the last run recorded there",
    )


def add_history_commands(
    sub: Any, add_run_inputs: Callable[[argparse.ArgumentParser], None]
) -> None:
    """``policy-check baseline`` and ``policy-check history [record]``."""
    baseline = sub.add_parser(
        "baseline",
        help="check, and write the results as a baseline for check --baseline",
    )
    add_run_inputs(baseline)
    baseline.add_argument(
        "--output",
        dest="baseline_output",
        metavar="FILE",
        required=True,
        help="where to write the baseline (JSON results, passes counted)",
    )
    baseline.set_defaults(
        output=None,
        passes="count",
        format=None,
        baseline=None,
        history=None,
        previous_policy=None,
        no_config_outputs=True,  # the baseline is its only output
        color="auto",
    )

    history = sub.add_parser(
        "history",
        help="trends from a history database; 'history record' adds saved results to it",
    )
    history.add_argument("--db", metavar="DB", help="the history database (SQLite)")
    history.add_argument(
        "--since",
        type=date_argument,
        metavar="DATE",
        help="the period starts on this date (default: the first recorded run)",
    )
    history.add_argument(
        "--system", action="append", metavar="SYSTEM", help="only this system (repeatable)"
    )
    history.add_argument(
        "--format", choices=TREND_FORMATS, default="markdown", help="default: markdown"
    )
    history.add_argument("--output", metavar="PATH", help="write to a file (default: stdout)")
    actions = history.add_subparsers(dest="history_command", metavar="ACTION")
    record = actions.add_parser("record", help="record saved JSON results of a check")
    record.add_argument("results", metavar="RESULTS.json", nargs="+")
    record.add_argument("--db", dest="record_db", metavar="DB", help="the history database")
