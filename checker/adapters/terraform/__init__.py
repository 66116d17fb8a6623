"""The Terraform adapter: stores from ``terraform show -json`` plans and states.

:mod:`~checker.adapters.terraform.plan` reads the export, one module per resource family
(``aws_s3``, ``aws_dynamodb``…) turns resources into facts, and
:mod:`~checker.adapters.terraform.importer` applies the snapshot's mapping rules. Documented
in ``docs/adapters/terraform.md``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from checker.adapters.base import AdapterResult, EntryLocator
from checker.adapters.terraform.importer import import_terraform
from checker.documents.document import Document


class TerraformAdapter:
    """``imports: [{adapter: terraform, path: plan.json, rules: [...]}]``."""

    name = "terraform"
    description = (
        "terraform show -json plans and states: stores from AWS, Google Cloud and Azure "
        "resources selected by mapping rules"
    )
    required = ("rules",)
    indexed_lists = ("resource_changes", "resources")  # a plan's resources; a raw state's
    entry_schema: ClassVar[dict[str, Any]] = {
        "rules": {
            "description": (
                "Which resources of the export are stores, and what they hold. A resource is "
                "taken by the first rule that matches it; a rule that matches nothing, and a "
                "selected resource whose evidence cannot be read, are errors."
            ),
            "type": "array",
            "minItems": 1,
            "items": {"$ref": "#/$defs/importRule"},
        }
    }

    def read(
        self, export: Document, entry: dict[str, Any], locate_entry: EntryLocator
    ) -> AdapterResult:
        return import_terraform(
            export,
            list(entry["rules"]),
            rule_locator=lambda sub: locate_entry(("rules", *sub)),
        )


ADAPTER = TerraformAdapter()

__all__ = ["ADAPTER", "import_terraform"]
