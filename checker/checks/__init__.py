"""The registry of clause sections: every module of this package is one section.

A section module declares its section in one ``CHECK = Check(...)`` record (see
:mod:`checker.checks.base`). The registry imports each module of the package except the
helpers named in :data:`HELPERS`, and orders the sections by their ``order``: adding a section
is adding a module.
"""

from __future__ import annotations

import importlib
import itertools
import pkgutil
from collections.abc import Iterable

from checker.checks.base import Check
from checker.core.results import Area

# the modules of the package that are not clause sections
HELPERS = frozenset({"base", "deletion", "schema"})


def discover(package: str = __name__) -> dict[str, Check]:
    """The clause sections of ``package`` by id, in order."""
    checks: list[Check] = []
    for module in pkgutil.iter_modules(importlib.import_module(package).__path__):
        if module.name in HELPERS:
            continue
        name = f"{package}.{module.name}"
        check = getattr(importlib.import_module(name), "CHECK", None)
        if not isinstance(check, Check):
            raise TypeError(
                f"{name} declares no CHECK: every module of {package} is a clause section, "
                f"except {', '.join(sorted(HELPERS))}"
            )
        if check.id != module.name:
            raise ValueError(f"{name} declares section {check.id!r}: name the module after it")
        checks.append(check)
    checks.sort(key=lambda check: check.order)
    for earlier, later in itertools.pairwise(checks):
        if earlier.order == later.order:
            raise ValueError(f"sections {earlier.id} and {later.id} share order {later.order}")
    return {check.id: check for check in checks}


def areas_of(checks: Iterable[Check]) -> dict[str, Area]:
    """The scorecard areas of ``checks`` by value, in the order of the first section of each."""
    areas: dict[str, Area] = {}
    for check in checks:
        known = areas.setdefault(check.area.value, check.area)
        if known is not check.area:
            raise ValueError(
                f"section {check.id} declares area {known.value!r} again: "
                "use the Area object of the section that introduces it"
            )
    return areas


CHECKS = discover()
AREAS = areas_of(CHECKS.values())
