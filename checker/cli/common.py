"""What the commands share: the report timestamp from the command line and the environment,
and rendering a result on standard output and into the files asked for."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import TextIO

from checker.cli.color import use_color
from checker.core.errors import UsageError
from checker.core.results import Result
from reports import default_format
from reports.outputs import Target, render


def stamp_option(option: str | None, environ: Mapping[str, str]) -> str:
    """The ``generated_at`` option of a run. None by default, so that the same inputs and
    ``--as-of`` give the same bytes; ``--generated-at now`` (stamped when the result is made)
    or a fixed value (already checked by the command line) or ``SOURCE_DATE_EPOCH`` stamps
    one. A ``SOURCE_DATE_EPOCH`` that is not a whole number of seconds is an error, as the
    reproducible-builds specification asks."""
    if option:
        return option  # NOW, or a timestamp
    epoch = environ.get("SOURCE_DATE_EPOCH", "")
    if not epoch:
        return ""
    try:
        if not (epoch.isascii() and epoch.isdigit()):
            raise ValueError(epoch)
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).isoformat()
    except (ValueError, OverflowError, OSError):
        raise UsageError(
            f"SOURCE_DATE_EPOCH={epoch!r} is not a number of seconds since 1970-01-01 UTC; "
            "fix it or unset it"
        ) from None


def render_result(
    result: Result,
    fmt: str | None,
    out: TextIO,
    environ: Mapping[str, str],
    targets: Sequence[Target] = (),
    color: str = "auto",
) -> None:
    """``result`` on ``out`` in ``fmt`` (by default ``github`` under GitHub Actions, else
    ``text``; colour as :func:`use_color` decides), then in every target: redacted once for
    all of them."""
    painted = use_color(color, out, environ)
    render(result, out, fmt or default_format(environ), targets, color=painted)
