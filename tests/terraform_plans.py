"""Small ``terraform show -json`` documents written for the resource family tests: a plan with
``resource_changes``, ``after_unknown`` and ``configuration``, or a state with the same values."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Res:
    """One resource: ``values`` as apply will leave them, ``unknown`` the ``after_unknown``
    markers, ``config`` the configuration's expressions (by default every known value given as
    a constant, so that unknown values are not configured)."""

    address: str
    values: dict[str, Any]
    unknown: dict[str, Any] = field(default_factory=dict)
    config: dict[str, Any] | None = None
    action: str = "create"
    provider: str = "aws"

    @property
    def module(self) -> str:
        head, _, _ = self.address.rpartition(".")
        return head.rpartition(".")[0] if head.count(".") else ""

    @property
    def type(self) -> str:
        return self.address.split(".")[-2]

    @property
    def name(self) -> str:
        return self.address.split(".")[-1].split("[")[0]


def constants(values: dict[str, Any]) -> dict[str, Any]:
    """Configuration expressions setting ``values`` (blocks stay lists of objects)."""
    found: dict[str, Any] = {}
    for key, value in values.items():
        if value is None or key in ("id", "arn", "tags_all"):
            continue
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            found[key] = [constants(v) for v in value]
        else:
            found[key] = {"constant_value": value}
    return found


def write_plan(tmp_path: Path, *resources: Res, name: str = "plan.json") -> Path:
    changes = []
    root: dict[str, Any] = {"resources": []}
    for res in resources:
        entry: dict[str, Any] = {
            "address": res.address,
            "mode": "managed",
            "type": res.type,
            "name": res.name,
            "provider_name": "registry.terraform.io/hashicorp/aws",
            "change": {
                "actions": [res.action] if res.action != "no-op" else ["no-op"],
                "before": None if res.action == "create" else res.values,
                "after": res.values,
                "after_unknown": res.unknown,
            },
        }
        if res.module:
            entry["module_address"] = res.module
        changes.append(entry)
        node = root
        calls = res.module.split(".")[1::2] if res.module else []
        for call in calls:
            node = node.setdefault("module_calls", {}).setdefault(call, {"module": {}})["module"]
        key = f"{calls[-1]}:{res.provider}" if calls else res.provider
        node.setdefault("resources", []).append(
            {
                "address": f"{res.type}.{res.name}",
                "mode": "managed",
                "type": res.type,
                "name": res.name,
                "provider_config_key": key,
                "expressions": res.config if res.config is not None else constants(res.values),
            }
        )
    document = {
        "format_version": "1.2",
        "terraform_version": "1.9.0",
        "resource_changes": changes,
        "configuration": {"root_module": root},
    }
    path = tmp_path / name
    path.write_text(json.dumps(document, indent=1), encoding="utf-8")
    return path


def write_state(tmp_path: Path, *resources: Res, name: str = "state.json") -> Path:
    root: dict[str, Any] = {"resources": []}
    for res in resources:
        node = root
        if res.module:
            children: list[dict[str, Any]] = root.setdefault("child_modules", [])
            same = [c for c in children if c["address"] == res.module]
            node = same[0] if same else {"address": res.module, "resources": []}
            if not same:
                children.append(node)
        node["resources"].append(
            {
                "address": res.address,
                "mode": "managed",
                "type": res.type,
                "name": res.name,
                "provider_name": "registry.terraform.io/hashicorp/aws",
                "values": res.values,
            }
        )
    document = {
        "format_version": "1.0",
        "terraform_version": "1.9.0",
        "values": {"root_module": root},
    }
    path = tmp_path / name
    path.write_text(json.dumps(document, indent=1), encoding="utf-8")
    return path


def kms_key(name: str = "cache", *, rotation: bool = True) -> Res:
    """A customer managed key created by the plan (its ARN known only after apply)."""
    return Res(
        f"aws_kms_key.{name}",
        {"enable_key_rotation": rotation, "rotation_period_in_days": None},
        unknown={"arn": True, "id": True, "key_id": True},
        config={"enable_key_rotation": {"constant_value": rotation}},
    )


def reference(*targets: str) -> dict[str, Any]:
    """A configuration expression that refers to other resources (``aws_kms_key.cache.arn``)."""
    return {"references": [p for t in targets for p in (f"{t}.arn", t)]}
