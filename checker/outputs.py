"""Writing reports to files: several formats from one run."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from checker.errors import UsageError
from checker.model import Result
from reports import REPORTERS, get_reporter


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_outputs(result: Result, targets: Iterable[tuple[str, str]]) -> None:
    """Render ``result`` in each ``(format, path)``; files are replaced atomically."""
    for fmt, path in targets:
        if fmt not in REPORTERS:
            raise UsageError(
                f"unknown output format {fmt!r}; choose from {', '.join(sorted(REPORTERS))}"
            )
        target = Path(path)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as stream:
                get_reporter(fmt).render(result, stream, color=False)
            Path(tmp).chmod(0o666 & ~_umask())  # mkstemp makes 0600; reports are for sharing
            Path(tmp).replace(target)
        except OSError as exc:
            raise UsageError(f"cannot write {fmt} report to {path}: {exc.strerror or exc}") from exc
