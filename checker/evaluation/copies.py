"""Copies hold what they copy: the data kinds and tiers a store inherits from ``copy_of``.

A snapshot store may be a copy of others (a cache, a backup, human-reviewed chats kept apart):
``copy_of: [store ids]``. A copy that does not list its own ``data_kinds`` (or ``tiers``) holds
those of the stores it copies, so that every check sees the copy as holding that data: a
promise about conversations must judge the reviewed copy of the conversations too. Copies of
copies inherit through the chain; a cycle inherits nothing more than its members give.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from checker.core.diagnostics import JsonPath

# The fields a copy takes from the stores it copies when it does not record them itself.
INHERITED = ("data_kinds", "tiers")

StoreItem = tuple[JsonPath, Mapping[str, Any]]


def copies_of(store: Mapping[str, Any]) -> list[str]:
    """The ids of the stores ``store`` copies (none for a store that is no copy)."""
    value = store.get("copy_of")
    return [name for name in value if isinstance(name, str)] if isinstance(value, list) else []


def with_inherited(stores: list[StoreItem]) -> list[StoreItem]:
    """``stores`` with each copy's missing ``data_kinds`` and ``tiers`` taken from its sources.

    Items that inherit nothing are returned as they are; a copy that inherits is a new dict
    (the snapshot's own data is never changed). A field some source does not record stays
    absent, so a copy of a store whose tiers are unknown has unknown tiers too.
    """
    if not any("copy_of" in store for _, store in stores):
        return stores  # the usual snapshot: no copy, nothing to do
    by_id: dict[Any, list[Mapping[str, Any]]] = {}
    for _, store in stores:
        by_id.setdefault(store.get("id"), []).append(store)
    return [(path, inherit(store, by_id)) for path, store in stores]


def inherit(
    store: Mapping[str, Any], by_id: Mapping[Any, list[Mapping[str, Any]]]
) -> Mapping[str, Any]:
    """``store`` with the fields it takes from the stores it copies (``by_id``: every store of
    the snapshot by id); ``store`` itself when it is no copy or takes nothing."""
    if "copy_of" not in store:
        return store
    inherited = {
        name: values
        for name in INHERITED
        if name not in store and (values := _inherit(store, name, by_id)) is not None
    }
    return {**store, **inherited} if inherited else store


def _inherit(
    store: Mapping[str, Any], name: str, by_id: Mapping[Any, list[Mapping[str, Any]]]
) -> list[str] | None:
    """The union of ``name`` over the stores ``store`` copies, through copies of copies, in
    order of first appearance; ``None`` when a source does not record it (the copy holds
    something nobody recorded, so what it holds is unknown too) or names no store."""
    found: dict[str, None] = {}
    recorded = False
    seen = {id(store)}
    pending = list(copies_of(store))
    while pending:
        ident = pending.pop(0)
        sources = by_id.get(ident)
        if not sources:
            return None  # a copy of a store the snapshot does not declare
        for source in sources:
            if id(source) in seen:
                continue
            seen.add(id(source))
            values = source.get(name)
            if isinstance(values, list):
                recorded = True
                found.update(dict.fromkeys(value for value in values if isinstance(value, str)))
            elif copies_of(source):  # a copy of a copy: what its own sources record
                pending.extend(copies_of(source))
            else:
                return None
    return list(found) if recorded else None
