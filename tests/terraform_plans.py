"""Small ``terraform show -json`` documents written for the resource-family tests: a plan
(``resource_changes`` with ``after_unknown``, and the ``configuration`` that says what each
resource sets) or a state with the same values, built from a few resources, and ``write`` to
put one in a file."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any, Final


class Configured(Enum):
    """A configuration written from the resource's own values instead of given expressions."""

    AS_CONSTANTS = "as constants"


AS_CONSTANTS: Final = Configured.AS_CONSTANTS

# What a resource's configuration holds: expressions, its values as constants, or nothing
# (``None``: the resource is not in the configuration).
Config = dict[str, Any] | Configured | None


@dataclass(frozen=True)
class Res:
    """One managed resource of a plan or a state.

    ``address`` is the whole address, modules included (``module.chat.aws_s3_bucket.logs``);
    ``values`` are the values apply leaves and ``unknown`` the ``after_unknown`` markers.
    ``config`` says what the configuration holds: the expressions given (a dict, ``{}`` for
    none), ``AS_CONSTANTS`` (every known value set as a constant, see ``constants``) or
    ``None`` (the resource is not in the configuration). ``provider`` is the
    ``provider_config_key`` (by default the provider of the type: ``aws``, ``google``, …).
    """

    address: str
    values: dict[str, Any]
    unknown: dict[str, Any] = field(default_factory=dict)
    config: Config = AS_CONSTANTS
    action: str = "create"
    provider: str = ""

    @property
    def module(self) -> str:
        """``module.a.module.b`` of ``module.a.module.b.aws_s3_bucket.logs`` (``""``: root)."""
        head, _, _ = self.address.rpartition(".")
        return head.rpartition(".")[0] if head.count(".") else ""

    @property
    def type(self) -> str:
        return self.address.split(".")[-2]

    @property
    def name(self) -> str:
        return self.address.split(".")[-1].split("[")[0]

    @property
    def provider_key(self) -> str:
        return self.provider or self.type.split("_")[0]

    @property
    def expressions(self) -> dict[str, Any] | None:
        """The resource's expressions in the configuration (``None``: it is not there)."""
        return constants(self.values) if self.config is AS_CONSTANTS else self.config


def constant(value: Any) -> dict[str, Any]:
    """A configuration expression setting ``value``."""
    return {"constant_value": value}


def constants(values: dict[str, Any]) -> dict[str, Any]:
    """Configuration expressions setting ``values`` as Terraform writes them: nested blocks as
    lists of expressions, and neither null values nor the attributes a provider computes."""
    found: dict[str, Any] = {}
    for key, value in values.items():
        if value is None or key in ("id", "arn", "tags_all"):
            continue
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            found[key] = [constants(v) for v in value]
        else:
            found[key] = constant(value)
    return found


def ref(*targets: str) -> dict[str, Any]:
    """A configuration expression referring to ``targets`` (``google_kms_crypto_key.k.id``)."""
    return {"references": list(targets)}


def arn_ref(*resources: str) -> dict[str, Any]:
    """A configuration expression referring to the ARN of ``resources``: Terraform lists the
    attribute and the resource (``aws_kms_key.cache.arn``, ``aws_kms_key.cache``)."""
    return ref(*(target for res in resources for target in (f"{res}.arn", res)))


def _provider_name(res: Res) -> str:
    return f"registry.terraform.io/hashicorp/{res.provider_key.split('.')[0]}"


def plan(*resources: Res) -> dict[str, Any]:
    """A plan: ``resource_changes`` and, when a resource is configured, the ``configuration``
    of its module (``module_calls`` nested as the modules are)."""
    changes = []
    root: dict[str, Any] = {"resources": []}
    configured = False
    for res in resources:
        entry: dict[str, Any] = {
            "address": res.address,
            "mode": "managed",
            "type": res.type,
            "name": res.name,
            "provider_name": _provider_name(res),
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
        expressions = res.expressions
        if expressions is None:
            continue
        configured = True
        node = root
        calls = res.module.split(".")[1::2] if res.module else []
        for call in calls:
            module_call = node.setdefault("module_calls", {}).setdefault(
                call, {"source": f"./{call}", "module": {}}
            )
            node = module_call["module"]
        key = f"{calls[-1]}:{res.provider_key}" if calls else res.provider_key
        node.setdefault("resources", []).append(
            {
                "address": f"{res.type}.{res.name}",
                "mode": "managed",
                "type": res.type,
                "name": res.name,
                "provider_config_key": key,
                "expressions": expressions,
            }
        )
    document: dict[str, Any] = {
        "format_version": "1.2",
        "terraform_version": "1.9.0",
        "resource_changes": changes,
    }
    if configured:
        document["configuration"] = {"root_module": root}
    return document


def state(*resources: Res) -> dict[str, Any]:
    """A state (``values.root_module``), each module's resources in a ``child_modules`` entry."""
    root: dict[str, Any] = {"resources": []}
    children: dict[str, dict[str, Any]] = {}
    for res in resources:
        node = root
        if res.module:
            node = children.get(res.module) or {"address": res.module, "resources": []}
            children[res.module] = node
        node["resources"].append(
            {
                "address": res.address,
                "mode": "managed",
                "type": res.type,
                "name": res.name,
                "provider_name": _provider_name(res),
                "values": res.values,
            }
        )
    if children:
        root["child_modules"] = list(children.values())
    return {"format_version": "1.0", "terraform_version": "1.9.0", "values": {"root_module": root}}


def write(tmp_path: Path, document: dict[str, Any], name: str = "") -> Path:
    """``document`` as ``tmp_path/name`` (by default ``state.json`` or ``plan.json``)."""
    path = tmp_path / (name or ("state.json" if "values" in document else "plan.json"))
    path.write_text(json.dumps(document, indent=1), encoding="utf-8")
    return path


def kms_key(name: str = "cache", *, rotation: bool = True) -> Res:
    """A customer managed key created by the plan (its ARN known only after apply)."""
    return Res(
        f"aws_kms_key.{name}",
        {"enable_key_rotation": rotation, "rotation_period_in_days": None},
        unknown={"arn": True, "id": True, "key_id": True},
        config={"enable_key_rotation": constant(rotation)},
    )


def check_beside_export(
    folder: Path, run_cli: Any, export: Path, policy: str, snapshot: str, as_of: str
) -> tuple[int, list[str], str]:
    """``policy-check check`` of ``snapshot`` (which imports ``export`` by its file name) and
    ``policy``, written to ``folder`` beside a copy of the export, run from that folder so
    that every message names the files as written: the exit code, the finding lines of the
    text output, and the whole output."""
    (folder / export.name).write_bytes(export.read_bytes())
    (folder / "policy.yaml").write_text(policy, encoding="utf-8")
    (folder / "snapshot.yaml").write_text(snapshot, encoding="utf-8")
    cwd = Path.cwd()
    os.chdir(folder)
    try:
        result = run_cli(
            "check", "--policy", "policy.yaml", "--snapshot", "snapshot.yaml", "--as-of", as_of
        )
    finally:
        os.chdir(cwd)
    findings = [line for line in result.out.splitlines() if "] " in line]
    return result.code, findings, result.out + result.err
