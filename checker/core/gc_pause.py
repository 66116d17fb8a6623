"""Pausing the garbage collector while a large, acyclic structure is built."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while many long-lived objects are built.

    A big document is millions of containers, and each full collection walks them all; loading
    a plan or stamping findings triggers one for every quarter more objects kept, which costs
    more than the work itself. Documents and results hold no reference cycles, so the pause
    frees nothing late. On leaving, what was built moves to the oldest generation
    (``gc.freeze`` then ``gc.unfreeze``) instead of being walked by the collections put off.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        if gc.get_freeze_count() == 0:  # leave objects frozen by someone else frozen
            gc.freeze()
            gc.unfreeze()
        gc.enable()
