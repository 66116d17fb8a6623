"""A loaded document: plain JSON-compatible data plus the source position of every node.

Loaders (``checker.documents``) build documents; everything downstream reads ``data`` and asks
the document where a path sits in the file, so that every message can name ``file:line:col``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from checker.core.diagnostics import JsonPath, Location, Position


class PositionIndex(Protocol):
    """Answers where a node of the document starts. ``None`` when the path does not exist."""

    def value(self, path: JsonPath) -> Position | None: ...

    def key(self, path: JsonPath) -> Position | None: ...


@dataclass(frozen=True, slots=True)
class Surprise:
    """A plain YAML scalar that YAML 1.1 reads differently from how it looks.

    ``kind`` is one of ``bool`` (``no``, ``on``…), ``octal`` (``012``), ``sexagesimal`` (``1:30``),
    ``date`` (``2024-01-01``) or ``float`` (``1e3``). ``text`` is the scalar as written.
    The schema layer turns a surprise into an error where the schema expects a string.
    """

    text: str
    kind: str
    value: Any


@dataclass(slots=True)
class Document:
    """A parsed input file.

    ``name`` is how messages and reports call it; ``source`` is where it was read from, when
    that differs (a file named in a config is called as the config writes it, wherever the
    command runs). Files it names, such as a snapshot's imports, are relative to ``source``.
    """

    name: str
    data: Any
    format: Literal["yaml", "json"]
    positions: PositionIndex
    surprises: dict[JsonPath, Surprise] = field(default_factory=dict)
    source: str = ""

    @property
    def disk_path(self) -> str:
        """Where the file is on disk."""
        return self.source or self.name

    def locate(self, path: JsonPath, *, key: bool = False) -> Location:
        """Location of ``path``; falls back to the nearest ancestor that exists in the file.

        With ``key=True`` the position of the mapping key is preferred (for unknown-key errors).
        The returned location always carries the full ``path`` asked for.
        """
        if key and path and isinstance(path[-1], str):
            pos = self.positions.key(path)
            if pos is not None:
                return Location(self.name, pos, path)
        probe = path
        while True:
            pos = self.positions.value(probe)
            if pos is not None or not probe:
                return Location(self.name, pos, path)
            probe = probe[:-1]

    def get(self, path: JsonPath, default: Any = None) -> Any:
        """The value at ``path``, or ``default`` when any step is missing."""
        node = self.data
        for item in path:
            try:
                node = node[item]
            except (KeyError, IndexError, TypeError):
                return default
        return node
