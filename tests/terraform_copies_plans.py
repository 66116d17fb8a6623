"""Small ``terraform show -json`` documents written in tests: a plan with ``resource_changes``
(values unknown until apply marked in ``after_unknown``, expressions in ``configuration``) and
the state with the same resources."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True, slots=True)
class Res:
    """One managed resource: its address, values, the values known only after apply and its
    configuration expressions (``{"bucket": {"references": ["aws_s3_bucket.b.id", ...]}}``)."""

    address: str
    values: dict[str, Any]
    unknown: dict[str, Any] = field(default_factory=dict)
    expressions: dict[str, Any] = field(default_factory=dict)

    @property
    def type(self) -> str:
        return self.address.split(".")[-2]

    @property
    def name(self) -> str:
        return self.address.split(".")[-1]


def plan(*resources: Res) -> dict[str, Any]:
    """A plan creating ``resources`` (all in the root module)."""
    return {
        "format_version": "1.2",
        "terraform_version": "1.9.0",
        "resource_changes": [
            {
                "address": r.address,
                "mode": "managed",
                "type": r.type,
                "name": r.name,
                "provider_name": "registry.terraform.io/hashicorp/aws",
                "change": {
                    "actions": ["create"],
                    "before": None,
                    "after": r.values,
                    "after_unknown": r.unknown,
                },
            }
            for r in resources
        ],
        "configuration": {
            "root_module": {
                "resources": [
                    {
                        "address": r.address,
                        "mode": "managed",
                        "type": r.type,
                        "name": r.name,
                        "expressions": r.expressions,
                    }
                    for r in resources
                ]
            }
        },
    }


def state(*resources: Res) -> dict[str, Any]:
    """The state after applying ``resources`` (every value known)."""
    return {
        "format_version": "1.0",
        "terraform_version": "1.9.0",
        "values": {
            "root_module": {
                "resources": [
                    {
                        "address": r.address,
                        "mode": "managed",
                        "type": r.type,
                        "name": r.name,
                        "provider_name": "registry.terraform.io/hashicorp/aws",
                        "values": r.values,
                    }
                    for r in resources
                ]
            }
        },
    }


def write(tmp_path: Path, document: dict[str, Any], name: str = "plan.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document, indent=1), encoding="utf-8")
    return path
