"""Positions, JSON paths and diagnostics: how every message names its place."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from checker.core.pickling import pickled_by_fields

PathItem = str | int
JsonPath = tuple[PathItem, ...]

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")


@lru_cache(maxsize=4096)
def _member(key: str) -> str:
    if _IDENTIFIER.match(key):
        return f".{key}"
    escaped = key.replace("\\", "\\\\").replace("'", "\\'")
    return f"['{escaped}']"


# A finding's paths are rendered several times (fingerprint, reports, redaction); a plan of
# thousands of resources renders tens of thousands of them.
@lru_cache(maxsize=1 << 16)
def format_json_path(path: JsonPath) -> str:
    """Render a path as JSONPath: ``$.stores[3].retention['odd key']``."""
    return "$" + "".join([f"[{item}]" if isinstance(item, int) else _member(item) for item in path])


@pickled_by_fields
@dataclass(frozen=True, slots=True, order=True)
class Position:
    """A 1-based line and column in a file."""

    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.line}:{self.column}"


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Location:
    """A place in a document: the file, the position (when known) and the JSON path."""

    file: str
    position: Position | None
    path: JsonPath = ()

    @property
    def json_path(self) -> str:
        return format_json_path(self.path)

    def __str__(self) -> str:
        if self.position is None:
            return self.file
        return f"{self.file}:{self.position}"


class Level(StrEnum):
    ERROR = "error"
    WARNING = "warning"


IMPORT_FAILED = "import-failed"

UNREADABLE_CODES = frozenset({IMPORT_FAILED})
"""Codes of diagnostics that mean an input cannot be read at all, though the document naming
it could be (an export a snapshot imports): like a file that cannot be read, exit code 2.
Files that cannot be read or parsed themselves raise :class:`~checker.core.errors.InputError`."""


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One input problem, printed as ``file:line:col: error: message (at $.path)``."""

    location: Location
    message: str
    code: str
    level: Level = Level.ERROR

    @property
    def unreadable(self) -> bool:
        """Whether this says an input cannot be read (see :data:`UNREADABLE_CODES`)."""
        return self.code in UNREADABLE_CODES

    @property
    def names_path(self) -> bool:
        """Whether the JSON path says more than the file: a place inside the document, or the
        document itself when a schema is not met there (``$``, a required key missing)."""
        return bool(self.location.path) or self.code.startswith("schema")

    def __str__(self) -> str:
        text = f"{self.location}: {self.level.value}: {self.message}"
        if self.names_path:
            text += f" (at {self.location.json_path})"
        return printable(text)


def printable(text: str) -> str:
    """Control characters from file names or values shown as escapes, so that one diagnostic
    stays one line and a terminal is never driven by input."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
