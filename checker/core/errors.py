"""The exception hierarchy. Raised ``from`` their cause, caught once in the CLI."""

from __future__ import annotations

from collections.abc import Sequence

from checker.core.diagnostics import Diagnostic


class CheckerError(Exception):
    """Base of every error the tool expects and explains."""


class UsageError(CheckerError):
    """The command line asks for something impossible (exit code 2)."""


class UnusableInputs(CheckerError):
    """The run cannot start on these inputs (exit code 2): files that cannot be read, folders
    with nothing to check, reports that would overwrite an input. Carries every diagnostic
    that says why, each naming its place."""

    exit_code = 2
    closing = ""  # a last line after the diagnostics, if any

    def __init__(self, diagnostics: Sequence[Diagnostic]) -> None:
        super().__init__("\n".join(str(d) for d in diagnostics))
        self.diagnostics = tuple(diagnostics)


class InvalidWaivers(UnusableInputs):
    """The waivers file is invalid, or a waiver runs longer than the policies allow (exit code
    1, like any invalid document): nothing is checked, because a run without its waivers would
    report their findings as if nobody had accepted them, and a run with some of them would
    hide the rest."""

    exit_code = 1
    closing = (
        "policy-check: nothing was checked: fix the waivers above "
        "(an invalid waiver is never skipped)"
    )


class InputError(UnusableInputs):
    """An input file cannot be read or parsed (exit code 2). Carries its diagnostic."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__([diagnostic])
        self.diagnostic = diagnostic


class InvalidDocuments(UnusableInputs):
    """A document the command needs is invalid (exit code 1, as ``validate`` gives it): the
    command stops after listing every problem, since a half-understood document would give a
    half-true answer."""

    exit_code = 1

    def __init__(self, diagnostics: Sequence[Diagnostic], done: str) -> None:
        super().__init__(diagnostics)
        self.closing = f"policy-check: nothing was {done}: fix the documents above"
