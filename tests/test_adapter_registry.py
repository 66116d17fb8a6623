"""The adapter seam: every adapter is found, documented, and gets an import entry in the schema."""

from __future__ import annotations

import re
from pathlib import Path

from checker.adapters import registry
from checker.adapters.terraform.importer import readers
from checker.validation.schemas import load_schema

DOCS = Path(__file__).resolve().parent.parent / "docs" / "adapters"


def test_every_adapter_has_a_page_and_a_row_in_the_table() -> None:
    index = (DOCS / "README.md").read_text(encoding="utf-8")
    for name in registry():
        assert (DOCS / f"{name}.md").is_file(), name
        assert re.search(rf"^\| `{re.escape(name)}` \|", index, re.M), name


def test_the_snapshot_schema_has_an_import_entry_per_adapter() -> None:
    defs = load_schema("snapshot")["$defs"]
    assert defs["import"]["then"]["properties"]["adapter"]["enum"] == list(registry())
    for name in registry():
        assert defs[f"import-{name}"]["properties"]["adapter"]["const"] == name


def test_terraform_readers_claim_distinct_types() -> None:
    seen: set[str] = set()
    for reader in readers():
        claimed = reader.types | reader.configures
        assert not claimed & seen, reader.name
        seen |= claimed
    assert {"aws_s3_bucket", "aws_dynamodb_table"} <= seen
