"""Argument types the commands share, kept apart from the parser so that any option module can
use them without importing the whole command line."""

from __future__ import annotations

import argparse
import datetime as dt


def date_argument(text: str) -> dt.date:
    """An ISO date (YYYY-MM-DD), or a usage error that says what was expected."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from exc
