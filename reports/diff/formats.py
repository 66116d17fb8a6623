"""The formats of ``policy-check diff``: one module per format, registered by name here.

Each format writes a :class:`~checker.diff.model.DiffResult` to the stream it is given,
deterministically. Policy text is shown as written but made visible (control and
bidirectional characters as escapes) and, in HTML, autoescaped: a policy in a pull request is
untrusted input too. Files are written by the same code as the reports of ``check``
(:func:`reports.outputs.write_file`: atomic, ``--output FORMAT=PATH``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import TextIO

from checker.diff.model import DiffResult
from reports.diff import html, json_format, markdown, sarif, text
from reports.outputs import Target, write_file

Writer = Callable[[DiffResult, TextIO, bool], None]

FORMATS: dict[str, Writer] = {
    "text": text.write,
    "json": json_format.write,
    "markdown": markdown.write,
    "html": html.write,
    "sarif": sarif.write,
}
"""Every format of the diff, by name: the command line's choices."""


def render_diff(
    result: DiffResult,
    stream: TextIO,
    fmt: str,
    targets: Iterable[Target] = (),
    *,
    color: bool = False,
) -> None:
    """``result`` in ``fmt`` on ``stream``, then in every target file."""
    FORMATS[fmt](result, stream, color)
    for target in targets:
        write_file(target, functools.partial(_write, FORMATS[target.format], result))


def _write(writer: Writer, result: DiffResult, stream: TextIO) -> None:
    writer(result, stream, False)


__all__ = ["FORMATS", "render_diff"]
