"""``--color`` and the environment variables that colour standard output.

Kept apart from the rendering so that building the command line imports nothing heavy.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from typing import TextIO

COLOR_CHOICES = ("auto", "always", "never")


def add_color_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--color",
        choices=COLOR_CHOICES,
        default="auto",
        help="colour the text on standard output: auto (default: on a terminal, unless "
        "NO_COLOR is set; FORCE_COLOR forces it), always or never",
    )


def use_color(choice: str, out: TextIO, environ: Mapping[str, str]) -> bool:
    """Whether to colour ``out``: ``--color always|never`` decide; ``auto`` follows
    ``NO_COLOR`` when it is set and not empty (no-color.org), then ``FORCE_COLOR`` when it is
    set, not empty and not ``0``, then whether ``out`` is a terminal."""
    if choice != "auto":
        return choice == "always"
    if environ.get("NO_COLOR", ""):
        return False
    if environ.get("FORCE_COLOR", "") not in ("", "0"):
        return True
    return bool(getattr(out, "isatty", lambda: False)())
