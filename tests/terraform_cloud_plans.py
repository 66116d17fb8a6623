"""Small hand-made ``terraform show -json`` documents for the resource-family tests: a plan
with ``resource_changes`` (and the ``configuration`` that says what each resource sets) or a
state, built from a few resources."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Res:
    """One resource: its values after apply, which of them are unknown, which are configured."""

    address: str
    values: dict[str, Any]
    unknown: dict[str, Any] = field(default_factory=dict)
    configured: dict[str, Any] | None = None  # expressions; None: every key of ``values``
    action: str = "create"
    module: str = ""

    @property
    def type(self) -> str:
        return self.address.split(".")[-2]

    @property
    def name(self) -> str:
        return self.address.split(".")[-1]

    @property
    def full_address(self) -> str:
        return f"{self.module}.{self.address}" if self.module else self.address


def ref(*targets: str) -> dict[str, Any]:
    """A configuration expression referring to other resources (``google_kms_crypto_key.k.id``)."""
    return {"references": list(targets)}


def plan(tmp_path: Path, *resources: Res, name: str = "plan.json") -> Path:
    """A plan: ``resource_changes`` with ``after``/``after_unknown``, ``planned_values`` and the
    ``configuration`` of every module."""
    changes = []
    modules: dict[str, list[dict[str, Any]]] = {}
    for res in resources:
        entry: dict[str, Any] = {
            "address": res.full_address,
            "mode": "managed",
            "type": res.type,
            "name": res.name,
            "provider_name": "registry.terraform.io/hashicorp/x",
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
        expressions = (
            res.configured
            if res.configured is not None
            else {k: {"constant_value": v} for k, v in res.values.items()}
        )
        modules.setdefault(res.module, []).append(
            {
                "address": res.address,
                "mode": "managed",
                "type": res.type,
                "name": res.name,
                "expressions": expressions,
            }
        )
    root: dict[str, Any] = {"resources": modules.pop("", [])}
    if modules:
        root["module_calls"] = {
            module.split(".")[1]: {"module": {"resources": found}}
            for module, found in modules.items()
        }
    document = {
        "format_version": "1.2",
        "terraform_version": "1.9.0",
        "resource_changes": changes,
        "configuration": {"root_module": root},
    }
    path = tmp_path / name
    path.write_text(json.dumps(document, indent=1), encoding="utf-8")
    return path


def state(tmp_path: Path, *resources: Res, name: str = "state.json") -> Path:
    """A state (``values.root_module``), modules as ``child_modules``."""
    root: dict[str, Any] = {"resources": []}
    children: dict[str, list[dict[str, Any]]] = {}
    for res in resources:
        entry = {
            "address": res.full_address,
            "mode": "managed",
            "type": res.type,
            "name": res.name,
            "provider_name": "registry.terraform.io/hashicorp/x",
            "values": res.values,
        }
        (children.setdefault(res.module, []) if res.module else root["resources"]).append(entry)
    if children:
        root["child_modules"] = [{"address": m, "resources": r} for m, r in children.items()]
    document = {
        "format_version": "1.0",
        "terraform_version": "1.9.0",
        "values": {"root_module": root},
    }
    path = tmp_path / name
    path.write_text(json.dumps(document, indent=1), encoding="utf-8")
    return path
