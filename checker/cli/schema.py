"""``policy-check schema KIND``: print a JSON Schema, for editors and other tools to point at.

The schemas are the ones ``validate`` uses, shipped in the package (``policies/schemas``), so
what an editor checks as the user types is what the tool checks.
"""

from __future__ import annotations

import argparse
from importlib import resources
from pathlib import Path
from typing import TextIO


def schema_folder() -> Path:
    """``policies/schemas`` of the installed package (imports nothing else: the command line
    lists the kinds every time it starts)."""
    return Path(str(resources.files("policies").joinpath("schemas")))


def kinds(folder: Path | None = None) -> list[str]:
    """Every schema shipped, by kind: ``policy`` for ``policy.schema.json``."""
    folder = schema_folder() if folder is None else folder
    return sorted(p.name.removesuffix(".schema.json") for p in folder.glob("*.schema.json"))


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    import json

    from checker.validation.schemas import load_schema

    text = (schema_folder() / f"{args.kind}.schema.json").read_text(encoding="utf-8")
    schema = load_schema(args.kind)
    if json.loads(text) != schema:  # results: the diff format's definitions taken in, whole
        text = json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
    out.write(text)
    return 0
