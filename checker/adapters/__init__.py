"""Adapters: turn real configuration exports into snapshot facts.

Each adapter is a module (or package) of this package that exports ``ADAPTER``, an object keeping
the :class:`~checker.adapters.base.Adapter` contract; a snapshot names it in
``imports[].adapter``. Adding an adapter is one new module, its page in ``docs/adapters/`` and
its tests: the registry, the snapshot schema's import entries (``python -m
checker.checks.schema``) and the docs' adapter table follow from it.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil

from checker.adapters.base import Adapter

_SUPPORT = frozenset({"base", "mapping"})  # what adapters share, not adapters


@functools.cache
def registry() -> dict[str, Adapter]:
    """Every adapter of this package by name, sorted by name."""
    found: dict[str, Adapter] = {}
    for module in pkgutil.iter_modules(__path__):
        if module.name in _SUPPORT:
            continue
        loaded = importlib.import_module(f"{__name__}.{module.name}")
        adapter = getattr(loaded, "ADAPTER", None)
        if adapter is None:
            continue
        if adapter.name in found:
            raise ValueError(f"two adapters are named {adapter.name!r}")
        found[adapter.name] = adapter
    return dict(sorted(found.items()))
