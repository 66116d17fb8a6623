"""Reading a raw Terraform state file (``terraform.tfstate``, ``terraform state pull``).

State format version 4 (Terraform 0.12 and later) lists ``resources`` by module, type and
name, each with its ``instances``; an instance's ``attributes`` are the same values that
``terraform show -json`` gives a state resource, so each instance becomes the same
:class:`~checker.adapters.terraform.plan.Resource`, and every fact points at its line of the
state file. What a state holds is what exists: every value is known, there is no
configuration to consult, and nothing is planned.

Left out, each for a reason: data sources (``mode: data``) describe nothing Terraform manages;
deposed instances (``deposed``) are objects being replaced, not part of the system; and an
instance with only ``attributes_flat`` (the flat form of states written before 0.12 and never
refreshed since) cannot be read value by value: it is an error, so the import is refused
rather than the promises judged on the rest of the state. A state of
format 3 or older (Terraform 0.11) is refused as a whole.
"""

from __future__ import annotations

import json
from typing import Any

from checker.adapters.terraform.plan import Plan, Resource
from checker.core.diagnostics import JsonPath, Level

RAW_STATE_VERSION = 4


def is_raw_state(data: dict[str, Any]) -> bool:
    """Whether a document without ``format_version`` has the shape of a raw state file."""
    return "version" in data and ("resources" in data or "modules" in data)


def read_raw_state(plan: Plan, data: dict[str, Any]) -> None:
    """Add the managed resource instances of a raw state document to ``plan``."""
    version = data.get("version")
    if version != RAW_STATE_VERSION or not isinstance(data.get("resources"), list):
        plan.note(
            ("version",),
            f"a Terraform state of format version {version!r}: only version 4 (Terraform "
            "0.12 and later) is read; refresh it with a current Terraform, or give "
            "`terraform show -json` output",
            "terraform-unsupported",
            Level.ERROR,
        )
        return
    for index, entry in enumerate(data["resources"]):
        path: JsonPath = ("resources", index)
        if not _well_formed(plan, entry, path) or entry.get("mode", "managed") != "managed":
            continue
        instances = entry.get("instances")
        for number, instance in enumerate(instances if isinstance(instances, list) else ()):
            resource = _instance(plan, entry, instance, (*path, "instances", number))
            if resource is not None:
                plan.resources.append(resource)


def _well_formed(plan: Plan, entry: Any, path: JsonPath) -> bool:
    if (
        isinstance(entry, dict)
        and isinstance(entry.get("type"), str)
        and isinstance(entry.get("name"), str)
    ):
        return True
    _unreadable(plan, path, "a state resource without a string type and name")
    return False


def _instance(plan: Plan, entry: dict[str, Any], instance: Any, path: JsonPath) -> Resource | None:
    given = entry.get("module")
    module = given if isinstance(given, str) else ""
    if not isinstance(instance, dict):
        _unreadable(
            plan, path, f"an instance of {entry['type']}.{entry['name']} that is not an object"
        )
        return None
    key = instance.get("index_key")
    address = _address(module, entry["type"], entry["name"], key)
    if instance.get("deposed"):
        return None  # an object being replaced: not part of the system
    attributes = instance.get("attributes")
    if not isinstance(attributes, dict):
        why = (
            "only flat attributes (a state written before Terraform 0.12); refresh the state "
            "with a current Terraform"
            if "attributes_flat" in instance
            else "no attributes object"
        )
        _unreadable(plan, path, f"resource {address} with {why}")
        return None
    return Resource(
        address=address,
        type=entry["type"],
        name=entry["name"],
        index=key,
        module=module,
        values=attributes,
        path=path,
        values_path=(*path, "attributes"),
    )


def _unreadable(plan: Plan, path: JsonPath, what: str) -> None:
    """An error, not a warning: a mapping rule may have meant to select what cannot be read,
    and no promise may pass on the rest of the state while its data goes unread, so the
    import is refused."""
    plan.note(path, f"{what}: the state cannot be read", "terraform-malformed", Level.ERROR)


def _address(module: str, type_: str, name: str, key: Any) -> str:
    """The resource address Terraform prints: ``module.a[0].aws_s3_bucket.b["x"]``."""
    address = f"{module}.{type_}.{name}" if module else f"{type_}.{name}"
    if isinstance(key, bool) or key is None:
        return address
    if isinstance(key, int):
        return f"{address}[{key}]"
    return f"{address}[{json.dumps(str(key))}]"
