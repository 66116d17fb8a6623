"""The ``policy-check`` command line: argument parsing apart from running, one error handler.

Exit codes: 0 compliant / valid, 1 violations or invalid documents, 2 usage error or input
that cannot be read or parsed, 3 internal error (a traceback only with ``--debug``). A reader
that closes the output early (``policy-check check | head -1``) ends the run quietly with 141,
128 + SIGPIPE, what the shell reports for any tool stopped that way; Ctrl-C gives 130.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import sys
import traceback
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, TextIO, cast

from checker import __version__
from checker.cli.argtypes import date_argument
from checker.cli.color import add_color_option
from checker.cli.history_options import add_comparison_options, add_history_commands
from checker.cli.job_options import add_job_options
from checker.cli.limit_options import add_limit_options
from checker.core.errors import CheckerError, UnusableInputs
from checker.core.results import Severity

if TYPE_CHECKING:
    from reports.outputs import Target

EXIT_USAGE, EXIT_INTERNAL = 2, 3  # 0 and 1 are the verdict: Result.exit_code()
EXIT_INTERRUPTED, EXIT_BROKEN_PIPE = 130, 141  # 128 + SIGINT, 128 + SIGPIPE


def _timestamp(text: str) -> str:
    """``now``, or an ISO 8601 date and time (UTC when it gives no offset), as RFC 3339."""
    if text == "now":
        return text
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if moment is None or not any(sep in text for sep in "Tt "):  # a date alone is no time
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date and time: write ISO 8601, e.g. 2026-11-21T12:00:00Z, or 'now'"
        )
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.isoformat()


def _output(text: str) -> Target:
    """``--output FORMAT=PATH``, checked before any work: the shape and the format."""
    from reports.outputs import parse_output

    try:
        return parse_output(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


VALIDATE_FORMATS = ("text", "json", "sarif", "github", "junit", "markdown")
"""What ``validate`` renders: every format but the HTML report, which is for check results."""


def _validate_output(text: str) -> Target:
    target = _output(text)
    if target.format not in VALIDATE_FORMATS:
        raise argparse.ArgumentTypeError(
            f"validate writes {', '.join(VALIDATE_FORMATS)}, not {target.format} (in {text!r})"
        )
    return target


def _diff_output(text: str) -> Target:
    from reports.diff.formats import FORMATS

    target = _output(text)
    if target.format not in FORMATS:
        raise argparse.ArgumentTypeError(
            f"diff writes {', '.join(FORMATS)}, not {target.format} (in {text!r})"
        )
    return target


def _directions(text: str) -> list[str]:
    """``--fail-on loosened,removed``: directions, checked."""
    from checker.diff.ordering import Direction

    names = [part.strip() for part in text.split(",") if part.strip()]
    known = [d.value for d in Direction]
    for name in names:
        if name not in known:
            raise argparse.ArgumentTypeError(
                f"{name!r} is not a direction; choose from {', '.join(known)}"
            )
    if not names:
        raise argparse.ArgumentTypeError(f"name at least one of {', '.join(known)}")
    return names


def _add_generated_at(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--generated-at",
        type=_timestamp,
        metavar="TIMESTAMP",
        help="stamp reports with this ISO 8601 date and time (UTC unless it gives an offset), "
        "or 'now'; by default none is written, so the same inputs and --as-of give "
        "byte-identical output (SOURCE_DATE_EPOCH is honoured)",
    )


def _add_run_inputs(parser: argparse.ArgumentParser) -> None:
    """What a run checks, as ``check`` and ``baseline`` take it."""
    parser.add_argument(
        "--policy", action="append", metavar="PATH", help="policy file or directory (repeatable)"
    )
    parser.add_argument(
        "--snapshot",
        action="append",
        metavar="PATH",
        help="snapshot file or directory (repeatable)",
    )
    parser.add_argument("--waivers", metavar="PATH", help="waivers file")
    parser.add_argument(
        "--as-of",
        type=date_argument,
        metavar="DATE",
        help="the date review cadences and waiver expiry are judged on (default: today)",
    )
    parser.add_argument(
        "--fail-on",
        choices=[s.value for s in Severity],
        help="lowest severity that fails the run (default: low; info never fails)",
    )
    parser.add_argument(
        "--config",
        metavar="PATH",
        help="project config; --policy, --snapshot and the other options override what it "
        "says (default: the nearest policy-check.yaml in this folder or above it, within the "
        "repository; none when both --policy and --snapshot are given)",
    )
    _add_generated_at(parser)
    add_limit_options(parser, streaming=True)
    add_job_options(parser)


def build_parser() -> argparse.ArgumentParser:
    from reports import REPORTERS

    formats = sorted(REPORTERS)
    parser = argparse.ArgumentParser(
        prog="policy-check",
        description="Check privacy promises written as YAML policies against snapshots of "
        "real system configuration.",
    )
    parser.add_argument("--version", action="version", version=f"policy-check {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    validate = sub.add_parser(
        "validate",
        help="validate policies, snapshots, waivers and config files against their schemas",
    )
    validate.add_argument("paths", nargs="+", metavar="PATH", help="files or directories")
    validate.add_argument(
        "--format",
        choices=VALIDATE_FORMATS,
        default="text",
        help="format on standard output (default: text, one problem per line); sarif and "
        "github put each problem on its line in a pull request",
    )
    validate.add_argument(
        "--output",
        action="append",
        type=_validate_output,
        metavar="FORMAT=PATH",
        help="also write a report to a file (repeatable), e.g. sarif=validate.sarif, or a path "
        "whose extension says the format (validate.sarif)",
    )
    validate.add_argument(
        "--as-of",
        type=date_argument,
        metavar="DATE",
        help=(
            "the date recorded in the results (default: today); a policy or clause not in "
            "force on it gets a warning, nothing else depends on it"
        ),
    )
    _add_generated_at(validate)
    add_color_option(validate)
    add_limit_options(validate, streaming=True)

    check = sub.add_parser("check", help="check policies against snapshots")
    _add_run_inputs(check)
    check.add_argument(
        "--previous-policy",
        action="append",
        metavar="PATH",
        help="the policy a checked policy supersedes (metadata.supersedes), when it is not in "
        "the policy's folder or the library: reports show what changed (repeatable)",
    )
    check.add_argument(
        "--format",
        choices=formats,
        help="format on standard output (default: github under GitHub Actions, else text)",
    )
    check.add_argument(
        "--output",
        action="append",
        type=_output,
        metavar="FORMAT=PATH",
        help="also write a report to a file (repeatable), e.g. html=report.html, or a path whose "
        "extension says the format (report.html)",
    )
    check.add_argument(
        "--no-config-outputs",
        action="store_true",
        help="do not write the reports the config's outputs name (a pre-commit hook must not "
        "write into the work tree); --output still writes",
    )
    check.add_argument(
        "--passes",
        choices=("list", "count", "resources"),
        default="list",
        help="list every pass as a finding (default); count passes per promise; or count "
        "them and name each resource that passes, with its number of passes (in the JSON "
        "results): for very large snapshots",
    )
    add_color_option(check)
    add_comparison_options(check)
    add_history_commands(sub, _add_run_inputs)

    _add_diff(sub)

    report = sub.add_parser(
        "report",
        help="render saved JSON results in another format; exits with their verdict",
    )
    report.add_argument("results", metavar="RESULTS.json")
    report.add_argument("--format", choices=formats, required=True)
    report.add_argument("--output", metavar="PATH", help="write to a file (default: stdout)")
    add_color_option(report)

    sub.add_parser("checks", help="list the checks and what each verifies")

    init = sub.add_parser(
        "init", help="write a starter project (config, policy, snapshot) into an empty folder"
    )
    init.add_argument("folder", nargs="?", default=".", metavar="FOLDER", help="default: .")

    schema = sub.add_parser(
        "schema", help="print the JSON Schema of a document kind, for editors to point at"
    )
    schema.add_argument("kind", choices=_schema_kinds(), metavar="KIND", help="one of %(choices)s")

    completion = sub.add_parser(
        "completion", help="print a shell completion script (bash, zsh or fish)"
    )
    completion.add_argument("shell", choices=SHELLS, metavar="SHELL", help="one of %(choices)s")

    from checker.cli import test, upgrade

    add_limit_options(test.add_parser(sub))
    add_limit_options(upgrade.add_parser(sub))
    return parser


SHELLS = ("bash", "zsh", "fish")  # checker.cli.completion makes a script for each


def _schema_kinds() -> list[str]:
    from checker.cli.schema import kinds

    return kinds()


def _add_diff(sub: Any) -> None:
    from reports.diff.formats import FORMATS

    diff = sub.add_parser(
        "diff",
        help="what changed between two versions of a policy: loosened, tightened, added…",
        description="Compare two versions of a policy promise by promise: OLD NEW files, or "
        "the policy files of the working tree against a git revision (--git REV [PATH...]).",
    )
    diff.add_argument(
        "paths",
        nargs="*",
        metavar="OLD NEW | PATH",
        help="the old and the new policy file; with --git, files or folders of the working "
        "tree to compare (default: the current folder)",
    )
    diff.add_argument(
        "--git",
        metavar="REV",
        help="compare the policy files of the working tree with the same paths at REV "
        "(a commit, branch or tag, e.g. origin/main)",
    )
    diff.add_argument(
        "--snapshot",
        action="append",
        metavar="PATH",
        help="also check both versions against this snapshot file or folder (repeatable) "
        "and list the promises whose verdict changes",
    )
    diff.add_argument(
        "--fail-on",
        type=_directions,
        action="append",
        metavar="DIRECTION[,DIRECTION]",
        help="exit 1 when a promise moves this way (repeatable): loosened, removed, "
        "scope-narrowed, needs-review, scope-widened, added, tightened",
    )
    diff.add_argument(
        "--format",
        choices=list(FORMATS),
        default="text",
        help="format on standard output (default: text)",
    )
    diff.add_argument(
        "--output",
        action="append",
        type=_diff_output,
        metavar="FORMAT=PATH",
        help="also write the diff to a file (repeatable), e.g. markdown=diff.md, or a path whose "
        "extension says the format (diff.md)",
    )
    diff.add_argument(
        "--as-of",
        type=date_argument,
        metavar="DATE",
        help="with --snapshot, the date review cadences are judged on (default: today)",
    )
    _add_generated_at(diff)
    add_limit_options(diff)


def main(
    argv: Sequence[str] | None = None,
    *,
    out: TextIO | None = None,
    err: TextIO | None = None,
    environ: Mapping[str, str] | None = None,
) -> int:
    """Run the command line; returns the exit code."""
    out = out if out is not None else sys.stdout
    err = err if err is not None else sys.stderr
    environ = environ if environ is not None else os.environ
    try:
        # What the commands use of a stream (write, flush, isatty, fileno…), not all of it.
        code = _main(argv, cast(TextIO, _Stdout(out)), err, environ)
        out.flush()  # a reader that has gone shows here, not in the interpreter's last flush
    except BrokenPipeError:
        _discard_unwritable(out, err)
        return EXIT_BROKEN_PIPE
    except (OSError, _StdoutFailed) as exc:  # a full disk, a device error
        # Where the output was sent is at fault, not the tool: one line, exit code 2, and
        # what is still buffered dropped so that the interpreter's last flush says nothing.
        cause = exc.cause if isinstance(exc, _StdoutFailed) else exc
        err.write(f"policy-check: error: cannot write standard output: {cause.strerror or cause}\n")
        _discard_unwritable(out)
        return EXIT_USAGE
    return code


class _StdoutFailed(Exception):
    """Writing standard output failed: raised through the command to :func:`main`, which
    says so, instead of being taken for a bug of the command."""

    def __init__(self, cause: OSError) -> None:
        super().__init__(str(cause))
        self.cause = cause


class _Stdout:
    """Standard output whose failures (other than a reader that has gone) are told apart from
    the command's own errors: an ``OSError`` raised inside a report could otherwise come from
    anywhere."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise _StdoutFailed(exc) from exc

    def flush(self) -> None:
        try:
            self._stream.flush()
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise _StdoutFailed(exc) from exc

    def __getattr__(self, name: str) -> Any:  # isatty, fileno, encoding…
        return getattr(self._stream, name)


def _discard_unwritable(*streams: TextIO) -> None:
    """Point each stream that can no longer be flushed at the null device, as the Python
    documentation advises for SIGPIPE: what it still buffers is dropped quietly at exit
    instead of raising another BrokenPipeError there."""
    for stream in {id(s): s for s in (*streams, sys.stdout, sys.stderr)}.values():
        try:
            stream.flush()
        except (OSError, ValueError):
            try:
                fd = stream.fileno()
            except (OSError, ValueError):
                continue  # not backed by a file descriptor: nothing is flushed at exit
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, fd)
            os.close(devnull)


def _main(argv: Sequence[str] | None, out: TextIO, err: TextIO, environ: Mapping[str, str]) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse has printed usage or --version
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    try:
        return _dispatch(args, out, err, environ)
    except UnusableInputs as exc:  # every diagnostic that says why, each on its line
        for diagnostic in exc.diagnostics:
            err.write(f"{diagnostic}\n")
        if _annotates(args, environ):  # and on its line in the pull request
            from reports.github import annotate

            for diagnostic in exc.diagnostics:
                out.write(annotate(diagnostic) + "\n")
        if exc.closing:
            err.write(f"{exc.closing}\n")
        return exc.exit_code
    except CheckerError as exc:
        err.write(f"policy-check: error: {exc}\n")
        return EXIT_USAGE
    except (BrokenPipeError, _StdoutFailed):
        raise  # standard output is at fault: main says so
    except KeyboardInterrupt:
        err.write("policy-check: interrupted\n")
        return EXIT_INTERRUPTED
    except MemoryError:
        if args.debug:
            traceback.print_exc(file=err)
        err.write(_OUT_OF_MEMORY)
        return EXIT_INTERNAL
    except Exception as exc:
        if args.debug:
            traceback.print_exc(file=err)
        err.write(
            f"policy-check: internal error: {type(exc).__name__}: {exc}\n"
            "This is a bug in policy-check; rerun with --debug for the traceback.\n"
        )
        return EXIT_INTERNAL


# Not a bug: the machine's limit. Most often met by listing the passes of a huge inventory.
_OUT_OF_MEMORY = (
    "policy-check: error: out of memory: the run needed more memory than the machine gave it.\n"
    "A run that lists every pass holds a finding for each passing resource; --passes resources\n"
    "keeps only the failures and the name of each resource that passes, and --passes count\n"
    "a count per promise (see docs/scale.md).\n"
)


def _annotates(args: argparse.Namespace, environ: Mapping[str, str]) -> bool:
    """Whether standard output takes GitHub annotations: ``--format github``, or no format
    under GitHub Actions."""
    fmt = getattr(args, "format", None)
    return fmt == "github" or (fmt is None and environ.get("GITHUB_ACTIONS") == "true")


def _dispatch(
    args: argparse.Namespace, out: TextIO, err: TextIO, environ: Mapping[str, str]
) -> int:
    if args.command == "validate":
        from checker.cli import validate

        return validate.run(args, out, err, environ)
    if args.command == "check":
        from checker.cli import check

        return check.run(args, out, err, environ)
    if args.command == "diff":
        from checker.cli import diff

        return diff.run(args, out, err, environ)
    if args.command in ("baseline", "history"):
        from checker.cli import history

        return history.run(args, out, err, environ)
    if args.command == "report":
        from checker.cli import report

        return report.run(args, out, err, environ)
    if args.command == "init":
        from checker.cli import init

        return init.run(args, out, err)
    if args.command == "schema":
        from checker.cli import schema

        return schema.run(args, out, err)
    if args.command == "completion":
        from checker.cli import completion

        return completion.run(args, out, build_parser())
    if args.command == "test":
        from checker.cli import test

        return test.run(args, out, err, environ)
    if args.command == "upgrade":
        from checker.cli import upgrade

        return upgrade.run(args, out, err, environ)
    from checker.cli import list_checks

    return list_checks.run(args, out, err)


def main_entry() -> None:
    """Console-script entry point."""
    code = main()
    # What the run kept is let go as the process ends, not walked by the collection the
    # interpreter makes on its way out (a million stores: 0.25 s, then 0.06 s). Frozen objects
    # are still freed as usual; they are only left out of that collection.
    gc.freeze()
    sys.exit(code)
