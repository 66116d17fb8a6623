"""What every adapter's mapping rules share: store ids from templates, and rule values merged
with what the export says.

A mapping rule supplies what an export cannot know (which data a bucket holds); the export
supplies what the rule must not guess (its retention, its encryption). Where both say something
the export wins and the disagreement is reported, so a rule written months ago cannot quietly
contradict the real configuration.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from checker.core.diagnostics import JsonPath
from checker.core.durations import DurationError, parse_duration

PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_NOT_IDENTIFIER = re.compile(r"[^a-z0-9_-]+")

Conflict = Callable[[tuple[str, ...], Any, Any, JsonPath], None]
"""Called with the field, the rule's value, the export's value and the export's path."""


def identifier(text: str, fallback: str = "store") -> str:
    """A valid snapshot identifier made from a name or address: lower-cased, every run of
    characters outside ``[a-z0-9_-]`` turned into ``-``, a leading digit prefixed with ``s-``."""
    ident = _NOT_IDENTIFIER.sub("-", text.lower()).strip("-_")
    if not ident:
        return fallback
    return ident if ident[0].isalpha() else f"s-{ident}"


def fill(template: str, fields: Mapping[str, str]) -> str | list[str]:
    """``template`` with its ``{placeholders}`` replaced; the unknown placeholders' names (a list)
    when there are any."""
    bad = [m.group(1) for m in PLACEHOLDER.finditer(template) if m.group(1) not in fields]
    if bad:
        return bad
    return PLACEHOLDER.sub(lambda m: fields[m.group(1)], template)


class Ids:
    """Hands out unique ids: a second ``chat`` becomes ``chat-2``."""

    def __init__(self) -> None:
        self.taken: set[str] = set()

    def claim(self, ident: str) -> str:
        unique, n = ident, 1
        while unique in self.taken:
            n += 1
            unique = f"{ident}-{n}"
        self.taken.add(unique)
        return unique


def merge(
    data: dict[str, Any],
    origins: dict[JsonPath, JsonPath],
    derived: Mapping[str, Any],
    derived_origins: Mapping[tuple[Any, ...], JsonPath],
    given: Mapping[str, Any],
    conflict: Conflict,
) -> None:
    """Merge ``derived`` (the export's facts) into ``data`` (the rule's values), one level deep.

    The export wins; ``conflict`` is told of each field both give differently. A field the
    rule gave keeps its own origin unless the export overrode it.
    """
    for key, value in derived.items():
        mine = data.get(key)
        if isinstance(mine, dict) and isinstance(value, dict):
            merged = dict(mine)
            for sub, sub_value in value.items():
                if sub in mine and not same(mine[sub], sub_value):
                    conflict((key, sub), mine[sub], sub_value, derived_origins[(key, sub)])
                merged[sub] = sub_value
            data[key] = merged
        else:
            if key in data and not same(mine, value):
                conflict((key,), mine, value, derived_origins[(key,)])
            data[key] = value
    for path, origin in derived_origins.items():
        if len(path) > 1 or not isinstance(given.get(path[0]), dict):
            origins[path] = origin  # a field the rule gave keeps the resource as its origin


def same(a: Any, b: Any) -> bool:
    """Equal values, durations compared by length (``30d`` is ``P30D``)."""
    if isinstance(a, str) and isinstance(b, str):
        try:
            return parse_duration(a) == parse_duration(b)
        except DurationError:
            return a == b
    return bool(type(a) is type(b) and a == b)


def show(value: Any) -> str:
    """A value as a message quotes it, cut to 60 characters."""
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."
