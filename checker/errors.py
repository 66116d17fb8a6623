"""The exception hierarchy. Raised ``from`` their cause, caught once in the CLI."""

from __future__ import annotations

from checker.diagnostics import Diagnostic


class CheckerError(Exception):
    """Base of every error the tool expects and explains."""


class UsageError(CheckerError):
    """The command line asks for something impossible (exit code 2)."""


class InputError(CheckerError):
    """An input file cannot be read or parsed (exit code 2). Carries its diagnostic."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(str(diagnostic))
        self.diagnostic = diagnostic
