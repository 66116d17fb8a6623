"""Small ``terraform show -json`` documents written for the resource-family tests: a plan with
``resource_changes`` (and, when asked, a ``configuration`` section) or a state, from one list
of resources."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Res:
    """One resource: its values, which of them are known only after apply, and the
    configuration's expressions (``None``: leave the resource out of ``configuration``)."""

    type: str
    name: str
    values: dict[str, Any]
    unknown: dict[str, Any] = field(default_factory=dict)
    expressions: dict[str, Any] | None = None
    module: str = ""  # "module.chat", one level deep
    action: str = "create"

    @property
    def address(self) -> str:
        own = f"{self.type}.{self.name}"
        return f"{self.module}.{own}" if self.module else own


def constant(value: Any) -> dict[str, Any]:
    return {"constant_value": value}


def ref(*targets: str) -> dict[str, Any]:
    return {"references": list(targets)}


def plan(*resources: Res) -> dict[str, Any]:
    changes = []
    for res in resources:
        entry: dict[str, Any] = {
            "address": res.address,
            "mode": "managed",
            "type": res.type,
            "name": res.name,
            "provider_name": "registry.terraform.io/hashicorp/aws",
            "change": {
                "actions": [res.action],
                "before": None if res.action == "create" else res.values,
                "after": res.values,
                "after_unknown": res.unknown,
            },
        }
        if res.module:
            entry["module_address"] = res.module
        changes.append(entry)
    document: dict[str, Any] = {
        "format_version": "1.2",
        "terraform_version": "1.9.0",
        "resource_changes": changes,
    }
    configured = [r for r in resources if r.expressions is not None]
    if configured:
        root: dict[str, Any] = {"resources": []}
        for res in configured:
            block = {
                "address": f"{res.type}.{res.name}",
                "mode": "managed",
                "type": res.type,
                "name": res.name,
                "expressions": res.expressions,
            }
            if res.module:
                call = res.module.removeprefix("module.")
                calls = root.setdefault("module_calls", {})
                module = calls.setdefault(
                    call, {"source": f"./{call}", "module": {"resources": []}}
                )
                module["module"]["resources"].append(block)
            else:
                root["resources"].append(block)
        document["configuration"] = {"root_module": root}
    return document


def state(*resources: Res) -> dict[str, Any]:
    root: dict[str, Any] = {"resources": []}
    children: dict[str, dict[str, Any]] = {}
    for res in resources:
        entry = {
            "address": res.address,
            "mode": "managed",
            "type": res.type,
            "name": res.name,
            "provider_name": "registry.terraform.io/hashicorp/aws",
            "values": res.values,
        }
        if res.module:
            children.setdefault(res.module, {"address": res.module, "resources": []})[
                "resources"
            ].append(entry)
        else:
            root["resources"].append(entry)
    if children:
        root["child_modules"] = list(children.values())
    return {"format_version": "1.0", "terraform_version": "1.9.0", "values": {"root_module": root}}


def write(tmp_path: Path, document: dict[str, Any], name: str = "plan.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document, indent=1), encoding="utf-8")
    return path
