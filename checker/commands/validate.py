"""``policy-check validate PATH...``: schema and semantic validation of any document kind."""

from __future__ import annotations

import argparse
import json
from typing import TextIO

from checker.diagnostics import Level
from checker.inputs import load_and_validate
from checker.limits_args import limits_from_args
from checker.snapshot import resolve_imports
from checker.snapshot_semantics import snapshot_diagnostics

FORMAT_VERSION = 1


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    limits = limits_from_args(args)
    loaded = load_and_validate(args.paths, limits=limits)
    for doc, kind in list(loaded.documents):
        if kind != "snapshot":
            continue
        view, notes = resolve_imports(doc, limits=limits)  # the plans must load and map too
        notes = [*notes, *snapshot_diagnostics(view)]  # ids unique, sources real, imports too
        loaded.diagnostics.extend(notes)
        if any(n.code == "import-failed" for n in notes):  # as if the snapshot were unreadable
            loaded.documents.remove((doc, kind))
            loaded.unreadable += 1
        elif any(n.level is Level.ERROR for n in notes):
            loaded.documents.remove((doc, kind))
            loaded.invalid.append(doc)
    errors = [d for d in loaded.diagnostics if d.level is Level.ERROR]
    if args.format == "json":
        payload = {
            "validate_format": FORMAT_VERSION,
            "valid": [doc.name for doc, _ in loaded.documents],
            "skipped": loaded.skipped,
            "diagnostics": [
                {
                    "file": d.location.file,
                    "line": d.location.position.line if d.location.position else None,
                    "column": d.location.position.column if d.location.position else None,
                    "path": d.location.json_path,
                    "level": d.level.value,
                    "code": d.code,
                    "message": d.message,
                }
                for d in loaded.diagnostics
            ],
        }
        out.write(json.dumps(payload, indent=2, sort_keys=True) + "\n")
    else:
        for diagnostic in loaded.diagnostics:
            out.write(f"{diagnostic}\n")
        invalid = len(loaded.invalid)
        err.write(
            f"{len(loaded.documents)} valid, {invalid} invalid, {loaded.unreadable} unreadable"
            + (
                f", {len(loaded.skipped)} skipped (not policy-checker documents)"
                if loaded.skipped
                else ""
            )
            + (
                f", {loaded.empty_folders} folder{'s' if loaded.empty_folders > 1 else ''} "
                "without documents"
                if loaded.empty_folders
                else ""
            )
            + "\n"
        )
    if loaded.usage_errors:  # unreadable, or nothing validated: not "all valid"
        return 2
    return 1 if errors else 0
