"""Turning a problem with an input file into the one-line error the user sees."""

from __future__ import annotations

import json

from checker.core.diagnostics import Diagnostic, JsonPath, Location, Position
from checker.core.errors import InputError

# Characters that would break a one-line message even inside JSON quotes.
_LINE_BREAKS = str.maketrans({"\u0085": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def input_error(
    name: str, code: str, message: str, position: Position | None = None, path: JsonPath = ()
) -> InputError:
    """The error for ``name``; ``position`` is 1-based, ``None`` when there is no place to
    name; ``path`` is where in the document, when it is known."""
    return InputError(Diagnostic(Location(name, position, path), message, code))


def number_label(text: str) -> str:
    """A number as written, shortened for a message (numbers are one line by construction)."""
    return text if len(text) <= 20 else text[:20] + "…"


def too_many_digits(text: str, limit: int) -> str:
    return f"number {number_label(text)} has more than {limit} digits"


def unreadable(text: str) -> str:
    return f"number {number_label(text)} cannot be read"


def too_large(text: str) -> str:
    return f"number {number_label(text)} is too large"


def not_finite(text: str) -> str:
    return f"{number_label(text)} is not allowed: JSON data has no NaN or infinity"


def shown(text: str, limit: int = 60) -> str:
    """User text quoted for a message: on one line, escaped and shortened."""
    if len(text) > limit:
        text = text[:limit] + "…"
    return json.dumps(text, ensure_ascii=False).translate(_LINE_BREAKS)
