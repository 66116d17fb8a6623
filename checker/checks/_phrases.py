"""Small wording and path helpers shared by several check modules (not a check itself)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from checker.diagnostics import JsonPath


def either(items: Iterable[str]) -> str:
    """``a, b or c`` for alternatives in messages; ``none`` when empty."""
    seq = list(items)
    if not seq:
        return "none"
    if len(seq) == 1:
        return seq[0]
    return ", ".join(seq[:-1]) + " or " + seq[-1]


def spoken(identifier: str) -> str:
    """An identifier as words: ``internal_review`` -> ``internal review``."""
    return identifier.replace("_", " ")


def nearest(data: Any, path: JsonPath) -> JsonPath:
    """The longest prefix of ``path`` that exists in ``data``: evidence for a missing value."""
    node = data
    for depth, item in enumerate(path):
        if not _has(node, item):
            return path[:depth]
        node = node[item]
    return path


def _has(node: Any, item: str | int) -> bool:
    if isinstance(item, str):
        return isinstance(node, Mapping) and item in node
    return isinstance(node, Sequence) and not isinstance(node, str) and 0 <= item < len(node)
