"""Running a flag adapter the way a snapshot's import does, for the flag adapter tests.

The import entry is written into a snapshot file of its own, so that errors in its rules carry
real positions; the export is loaded with :func:`checker.documents.load_document`, as the
snapshot's imports are.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checker.adapters.base import Adapter, AdapterResult, Imported
from checker.core.diagnostics import Diagnostic, Level
from checker.documents import load_document
from checker.documents.document import Document

TESTS = Path(__file__).resolve().parent
FIXTURES = TESTS / "data" / "fixtures" / "flags"  # copied from other projects (SOURCES.md)
WRITTEN = TESTS / "data" / "flags"  # written for this project


@dataclass(frozen=True)
class Read:
    export: Document
    snapshot: Document
    result: AdapterResult

    def tiers(self) -> dict[str, dict[str, Any]]:
        """Each imported tier's data, by id."""
        assert all(item.section == "tiers" for item in self.result.items)
        return {item.data["id"]: item.data for item in self.result.items}

    def item(self, tier: str) -> Imported:
        (found,) = [i for i in self.result.items if i.data["id"] == tier]
        return found

    def where(self, tier: str, *field: str) -> str:
        """``line:col`` in the export of the place behind a tier's field."""
        item = self.item(tier)
        location = self.export.locate(item.field_origins[field] if field else item.origin)
        return str(location.position)

    def lines(self, level: Level | None = None) -> list[str]:
        return [str(d) for d in self.diagnostics(level)]

    def diagnostics(self, level: Level | None = None) -> list[Diagnostic]:
        return [d for d in self.result.diagnostics if level is None or d.level is level]

    def codes(self) -> list[str]:
        return [d.code for d in self.result.diagnostics]


def fixture(name: str) -> Path:
    path = FIXTURES / name
    assert path.is_file(), f"fixture {path} is missing (see tests/data/SOURCES.md)"
    return path


def read(adapter: Adapter, export: Path, entry: dict[str, Any], tmp_path: Path) -> Read:
    """``adapter.read`` on ``export`` with ``entry`` written as ``imports[0]`` of a snapshot."""
    snapshot_path = tmp_path / "snapshot.json"
    full = {"adapter": adapter.name, "path": export.name, **entry}
    snapshot_path.write_text(json.dumps({"imports": [full]}, indent=2), encoding="utf-8")
    snapshot = load_document(snapshot_path, name="snapshot.json")
    loaded = load_document(export, name=export.name)
    result = adapter.read(loaded, entry, lambda sub: snapshot.locate(("imports", 0, *sub)))
    return Read(loaded, snapshot, result)


def write(tmp_path: Path, name: str, data: Any) -> Path:
    """An export written for one test (JSON, indented: one key a line)."""
    path = tmp_path / name
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return path


def rule(flag: str, tiers: list[str], attribute: str = "plan", **fields: Any) -> dict[str, Any]:
    """A rule; ``fields`` default to a boolean flag read as trained / opt_in."""
    mapping = fields or {"training_default": {"true": "trained", "false": "opt_in"}}
    return {"flag": flag, "tier_attribute": attribute, "tiers": tiers, **mapping}
