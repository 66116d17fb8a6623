"""Where each node of a YAML document starts: a tree that mirrors the data.

Positions are kept packed, one integer per node (``pack``), and made ``Position`` objects only
when asked for: building a ``Position`` per node costs more than the rest of placing the node.
"""

from __future__ import annotations

from typing import Any, TypeAlias

from checker.core.diagnostics import JsonPath, Position

# A mapping's mirror: key -> (key position, value position, mirror of the value);
# a list's mirror: [(value position, mirror of the value)]. Scalars have no mirror.
# Positions are packed by ``pack``.
MapMirror: TypeAlias = "dict[str, tuple[int, int, Mirror]]"
SeqMirror: TypeAlias = "list[tuple[int, Mirror]]"
Mirror: TypeAlias = "MapMirror | SeqMirror | None"

SHIFT = 32  # columns are below 2**32: files are bounded far below that


def pack(mark: Any) -> int:
    """A parser mark's 0-based line and column as one integer."""
    return mark.line << SHIFT | mark.column  # type: ignore[no-any-return]


def unpack(packed: int) -> Position:
    """The 1-based position of a packed mark."""
    return Position((packed >> SHIFT) + 1, (packed & 0xFFFFFFFF) + 1)


class YamlPositions:
    """``PositionIndex`` over the mirror tree built while the document was read.

    A path through an alias continues into the anchored node: its positions are those of the
    text the alias names.
    """

    __slots__ = ("_root", "_root_position")

    def __init__(self, root_position: int, root: Mirror) -> None:
        self._root_position = root_position
        self._root = root

    def _walk(self, path: JsonPath) -> tuple[int | None, int, Mirror] | None:
        key_position: int | None = None
        position, mirror = self._root_position, self._root
        for item in path:
            if isinstance(mirror, dict):
                if not isinstance(item, str) or item not in mirror:
                    return None
                key_position, position, mirror = mirror[item]
            elif isinstance(mirror, list):
                if isinstance(item, str | bool) or not 0 <= item < len(mirror):
                    return None
                key_position = None
                position, mirror = mirror[item]
            else:
                return None
        return key_position, position, mirror

    def value(self, path: JsonPath) -> Position | None:
        found = self._walk(path)
        return None if found is None else unpack(found[1])

    def key(self, path: JsonPath) -> Position | None:
        found = self._walk(path)
        return None if found is None or found[0] is None else unpack(found[0])
