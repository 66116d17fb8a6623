"""Regions: named sets of countries a policy's vocabulary defines, nested ones resolved.

``vocabulary.regions`` maps a region id to its ``countries`` (ISO 3166-1 alpha-2 codes) and,
optionally, other ``regions`` it includes (``europe: {regions: [eea, uk, ch]}``). Clauses
name regions by id; snapshots record countries. Everything that compares the two goes through
:func:`region_countries`, so a nested region means the same to every reader.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


def region_countries(policy: Mapping[str, Any]) -> dict[str, frozenset[str]]:
    """Each region of the policy's vocabulary with every country it covers, nested included.

    A region that includes itself, directly or not, covers the countries of the cycle once;
    a name no region has adds nothing (the policy's validation reports it).
    """
    vocabulary = policy.get("vocabulary")
    defined = vocabulary.get("regions") if isinstance(vocabulary, Mapping) else None
    if not isinstance(defined, Mapping):
        return {}
    resolved: dict[str, frozenset[str]] = {}
    for name in defined:
        countries: set[str] = set()
        seen: set[str] = set()
        pending = [name]
        while pending:
            current = pending.pop()
            if current in seen or not isinstance(defined.get(current), Mapping):
                continue
            seen.add(current)
            entry = defined[current]
            countries.update(c for c in entry.get("countries") or () if isinstance(c, str))
            pending.extend(r for r in entry.get("regions") or () if isinstance(r, str))
        resolved[str(name)] = frozenset(countries)
    return resolved


def countries_of(names: Iterable[str], regions: Mapping[str, frozenset[str]]) -> frozenset[str]:
    """The countries the named regions cover together."""
    return frozenset(country for name in names for country in regions.get(name, ()))
