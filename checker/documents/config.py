"""The project config file, ``policy-check.yaml``: what ``policy-check check`` runs when it is
given no paths.

Paths in it are relative to the file, and messages and reports call them as the file writes
them, so that a run gives the same bytes wherever it starts and however the config is named.
Each path remembers the entry that named it, so that a problem with it points at that line.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from checker.core.errors import UsageError
from checker.documents import load_document
from checker.documents.inputs import Source
from checker.validation.validator import validate_document
from reports.outputs import Target

DEFAULT_NAME = "policy-check.yaml"


@dataclass(frozen=True, slots=True)
class Config:
    path: str
    policies: list[Source]
    snapshots: list[Source]
    waivers: Source | None = None
    fail_on: str | None = None
    as_of: dt.date | None = None
    outputs: list[Target] = field(default_factory=list)


def find_config(explicit: str | None, cwd: Path) -> Path | None:
    """The config to read: the one named, else the nearest ``policy-check.yaml`` in ``cwd`` or
    a folder above it, looking no higher than the repository ``cwd`` is in (a folder holding
    ``.git``), so that running from a subfolder of a project behaves as from its root.

    The path is relative to ``cwd`` (``../../policy-check.yaml``), so that every path in
    messages stays relative to where the user stands."""
    if explicit is not None:
        return Path(explicit)
    folder = cwd.resolve()
    for up, candidate in enumerate((folder, *folder.parents)):
        if (candidate / DEFAULT_NAME).is_file():
            return Path(*([".."] * up), DEFAULT_NAME)
        if (candidate / ".git").exists():
            return None
    return None


def load_config(path: Path) -> Config:
    """Read and validate a config file; a problem raises with every diagnostic in the text."""
    doc = load_document(path)
    problems = validate_document(doc, "config")
    if problems:
        raise UsageError("invalid config file:\n" + "\n".join(str(p) for p in problems))
    data = doc.data
    base = path.parent

    def source(*where: str | int) -> Source:
        value = str(doc.get(where))
        return Source(value, str(base / value), origin=doc.locate(where))

    as_of = data.get("as_of")
    return Config(
        path=str(path),
        policies=[source("policies", i) for i in range(len(data["policies"]))],
        snapshots=[source("snapshots", i) for i in range(len(data["snapshots"]))],
        waivers=source("waivers") if data.get("waivers") else None,
        fail_on=data.get("fail_on"),
        as_of=dt.date.fromisoformat(as_of) if as_of else None,
        outputs=[
            Target(
                o["format"],
                str(base / o["path"]),
                o["path"],
                doc.locate(("outputs", i, "path")),
            )
            for i, o in enumerate(data.get("outputs", []))
        ],
    )
