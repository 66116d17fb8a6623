"""Reporters: one module per output format, registered by name.

Every reporter renders the same :class:`~checker.core.results.Result` — of ``check`` or of
``validate`` — and writes deterministic output to the stream it is given. Evidence is redacted
before any reporter sees it: :meth:`Reporter.render` hands each reporter's ``write`` a
:class:`Redacted` result, and a run writing several reports redacts once
(:func:`reports.outputs.render`). The CLI's ``--format`` choices come from :data:`REPORTERS`.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Mapping

from checker.core.errors import UsageError
from reports.base import Redacted, Reporter

_SUPPORT = frozenset({"base", "diff", "outputs", "redaction"})  # not reporters of results


def discover(package: str = __name__) -> dict[str, type[Reporter]]:
    """Every reporter of the package, by format name, in their declared order: a new format is
    one new module with a :class:`Reporter` subclass (``name``, ``order``, ``extension``,
    ``description``, ``write``)."""
    found: dict[str, type[Reporter]] = {}
    for module in pkgutil.iter_modules(importlib.import_module(package).__path__):
        if module.name in _SUPPORT:
            continue
        loaded = importlib.import_module(f"{package}.{module.name}")
        for _, cls in inspect.getmembers(loaded, inspect.isclass):
            if (
                issubclass(cls, Reporter)
                and cls.__module__ == loaded.__name__
                and not inspect.isabstract(cls)
            ):
                if cls.name in found:
                    raise ValueError(f"two reporters are named {cls.name!r}")
                found[cls.name] = cls
    return dict(sorted(found.items(), key=lambda item: item[1].order))


REPORTERS: dict[str, type[Reporter]] = discover()
TEXT_REPORTERS: dict[str, type[Reporter]] = {n: r for n, r in REPORTERS.items() if not r.binary}


def get_reporter(name: str) -> Reporter:
    """A reporter by format name; a :class:`UsageError` naming the choices otherwise."""
    try:
        return REPORTERS[name]()
    except KeyError:
        raise UsageError(
            f"unknown output format {name!r}; choose from {', '.join(sorted(REPORTERS))}"
        ) from None


def default_format(environ: Mapping[str, str]) -> str:
    """``github`` inside GitHub Actions (annotations on the offending lines), else ``text``."""
    return "github" if environ.get("GITHUB_ACTIONS") == "true" else "text"


__all__ = ["REPORTERS", "TEXT_REPORTERS", "Redacted", "Reporter", "default_format", "get_reporter"]
