"""``policy-check checks``: the registry, with each check's documentation."""

from __future__ import annotations

import argparse
from typing import TextIO

from checker.checks import CHECKS
from checker.evaluation.frameworks import references_by_check


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    references = references_by_check()
    for check in CHECKS.values():
        refs = ", ".join(references.get(check.id, ())) or "none"
        out.write(
            f"{check.id}  [{check.area.value}, default severity "
            f"{check.default_severity.value}]\n    {check.summary}\n    regulations: {refs}\n"
        )
    return 0
