"""Turning command-line paths into loaded, validated documents.

Bad input is data: each file that cannot be read becomes a diagnostic and the others are still
processed; the caller decides the exit code from what came back.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from checker.diagnostics import Diagnostic, Level, Location
from checker.document import Document
from checker.errors import InputError
from checker.loader import DEFAULT_LIMITS, Limits, load_document
from checker.validation import validate_document

SUFFIXES = (".yaml", ".yml", ".json")
MARKERS = {
    "policy_checker": "policy",
    "snapshot_format": "snapshot",
    "waivers_format": "waivers",
    "policy_check": "config",
    "framework": "framework",
}


def document_kind(doc: Document) -> str | None:
    """The kind a document declares by its top-level marker key, if any."""
    for key, kind in MARKERS.items():
        if key in doc.data:
            return kind
    return None


def expand_paths(paths: Iterable[str]) -> Iterator[tuple[str, bool]]:
    """Files named directly, and the YAML/JSON files below named directories (sorted, hidden
    entries skipped). The flag says whether the file was named explicitly."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if name.endswith(SUFFIXES) and not name.startswith("."):
                        yield str(Path(root) / name), False
        else:
            yield raw, True


@dataclass(slots=True)
class Loaded:
    """The outcome of loading a set of files."""

    documents: list[tuple[Document, str]] = field(default_factory=list)
    invalid: list[Document] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    unreadable: int = 0
    skipped: list[str] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        return any(d.level is Level.ERROR for d in self.diagnostics)


def load_and_validate(
    paths: Iterable[str],
    *,
    expect: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Loaded:
    """Load and validate every file; ``expect`` forces a kind (e.g. ``--policy`` files)."""
    loaded = Loaded()
    for name, explicit in expand_paths(paths):
        try:
            doc = load_document(name, limits=limits)
        except InputError as exc:
            loaded.diagnostics.append(exc.diagnostic)
            loaded.unreadable += 1
            continue
        kind = document_kind(doc)
        if expect is not None and kind != expect:
            if kind is None and not explicit:
                loaded.skipped.append(name)
                continue
            found = f"a {kind} document" if kind else "no kind marker"
            marker = next(k for k, v in MARKERS.items() if v == expect)
            loaded.diagnostics.append(
                Diagnostic(
                    Location(name, doc.locate(()).position),
                    f"expected a {expect} document (top-level key '{marker}'), found {found}",
                    "wrong-kind",
                )
            )
            loaded.invalid.append(doc)
            continue
        if kind is None:
            if not explicit:
                loaded.skipped.append(name)
                continue
            keys = ", ".join(f"'{k}'" for k in MARKERS)
            loaded.diagnostics.append(
                Diagnostic(
                    Location(name, doc.locate(()).position),
                    f"not a policy-checker document: expected one of the top-level keys {keys}",
                    "unknown-kind",
                )
            )
            loaded.invalid.append(doc)
            continue
        problems = validate_document(doc, kind)
        loaded.diagnostics.extend(problems)
        if any(d.level is Level.ERROR for d in problems):
            loaded.invalid.append(doc)
        else:
            loaded.documents.append((doc, kind))
    return loaded
