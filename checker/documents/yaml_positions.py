"""Where each node of a YAML document starts: a tree that mirrors the data."""

from __future__ import annotations

from typing import TypeAlias

from checker.core.diagnostics import JsonPath, Position

# A mapping's mirror: key -> (key position, value position, mirror of the value);
# a list's mirror: [(value position, mirror of the value)]. Scalars have no mirror.
MapMirror: TypeAlias = "dict[str, tuple[Position, Position, Mirror]]"
SeqMirror: TypeAlias = "list[tuple[Position, Mirror]]"
Mirror: TypeAlias = "MapMirror | SeqMirror | None"


class YamlPositions:
    """``PositionIndex`` over the mirror tree built while the document was read.

    A path through an alias continues into the anchored node: its positions are those of the
    text the alias names.
    """

    __slots__ = ("_root", "_root_position")

    def __init__(self, root_position: Position, root: Mirror) -> None:
        self._root_position = root_position
        self._root = root

    def _walk(self, path: JsonPath) -> tuple[Position | None, Position, Mirror] | None:
        key_position: Position | None = None
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
        return None if found is None else found[1]

    def key(self, path: JsonPath) -> Position | None:
        found = self._walk(path)
        return None if found is None else found[0]
