"""How the core tells a listener how far a run is, without printing anything itself."""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[str, int, int], None]
"""A run's progress: ``(stage, done, total)``; ``total`` 0 when a stage is not counted."""

Counted = Callable[[int, int], None]
"""The progress of one counted stage: ``(done, total)``."""


def no_progress(stage: str, done: int, total: int) -> None:
    """Progress that goes nowhere: the core's default, when nobody listens."""
