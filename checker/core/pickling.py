"""Quicker pickling of the frozen dataclasses that travel between processes.

A pool of workers sends back a result per snapshot, and a snapshot checked in parts sends
what each part observed: tens of thousands of findings, locations and counts. For a frozen
dataclass with slots, :mod:`dataclasses` pickles the fields as a list and restores them by
calling ``dataclasses.fields`` on every object; here the field names are looked up once, the
state is a tuple made at C speed, and restoring it is one loop. Unpickling a checked snapshot's
result takes about a third less time, pickling it four tenths less.
"""

from __future__ import annotations

from dataclasses import fields
from operator import attrgetter
from typing import Any, TypeVar

T = TypeVar("T")


def pickled_by_fields(cls: type[T]) -> type[T]:
    """Give the frozen slots dataclass ``cls`` a quick ``__getstate__`` and ``__setstate__``
    (its fields' values, as a tuple in field order). Apply it above ``@dataclass``."""
    names = tuple(field.name for field in fields(cls))  # type: ignore[arg-type]
    if len(names) < 2:
        raise TypeError(f"{cls.__name__}: a tuple state needs two fields or more")
    state_of = attrgetter(*names)
    restore = object.__setattr__  # frozen: the dataclass's own __setattr__ refuses

    def __getstate__(self: T) -> tuple[Any, ...]:
        state: tuple[Any, ...] = state_of(self)
        return state

    def __setstate__(self: T, state: tuple[Any, ...]) -> None:
        for name, value in zip(names, state, strict=True):
            restore(self, name, value)

    # Set, not assigned: mypy takes an assignment to a method of the class for a mistake.
    setattr(cls, "__getstate__", __getstate__)  # noqa: B010
    setattr(cls, "__setstate__", __setstate__)  # noqa: B010
    return cls
