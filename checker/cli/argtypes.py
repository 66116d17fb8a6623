"""Argument types the commands share, kept apart from the parser so that any option module can
use them without importing the whole command line."""

from __future__ import annotations

import argparse
import datetime as dt

from checker.core.dates import calendar_date


def date_argument(text: str) -> dt.date:
    """An ISO date (YYYY-MM-DD), or a usage error that says what was expected."""
    found = calendar_date(text)
    if found is None:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)")
    return found
