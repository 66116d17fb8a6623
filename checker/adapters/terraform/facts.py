"""Facts derived from Terraform resources, each with the plan path that justifies it.

Shared by the S3 and DynamoDB readers: the ``Facts`` accumulator, the ``Unknown`` signal for
values known only after apply, and KMS key rotation (best effort: the key must be in the same
plan, found by ARN/id/alias or through the configuration's references).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from checker.adapters.terraform.copies import Copy
from checker.adapters.terraform.plan import Plan, Resource
from checker.core.diagnostics import JsonPath

# AWS rotates AWS managed keys (aws/s3, aws/dynamodb) yearly; 365 days is also the default
# rotation_period_in_days of a customer key with enable_key_rotation.
AWS_MANAGED_KEY_ROTATION = "365d"

# Resources read as evidence about stores (key rotation), never stores themselves.
SUPPORT_TYPES = frozenset(
    {"aws_kms_key", "aws_kms_alias", "google_kms_crypto_key", "azurerm_key_vault_key"}
)


class Unknown(Exception):
    """A value the result depends on is known only after apply; ``path`` marks it."""

    def __init__(self, path: JsonPath, what: str) -> None:
        super().__init__(what)
        self.path = path
        self.what = what


@dataclass(slots=True)
class Facts:
    """Store fields derived from the plan, their origins, the resources that gave them, and
    the copies of the store's data that outlive it (applied once the rule is merged)."""

    values: dict[str, Any] = field(default_factory=dict)
    origins: dict[tuple[str, ...], JsonPath] = field(default_factory=dict)
    used: list[Resource] = field(default_factory=list)
    copies: list[Copy] = field(default_factory=list)

    def put(self, key: tuple[str, ...], value: Any, origin: JsonPath) -> None:
        node = self.values
        for depth in range(1, len(key)):
            part = key[depth - 1]
            if part not in node:  # no empty dict made for each part that is there
                node[part] = {}
            node = node[part]
            self.origins.setdefault(key[:depth], origin)
        node[key[-1]] = value
        self.origins[key] = origin

    def use(self, res: Resource) -> None:
        if all(r is not res for r in self.used):
            self.used.append(res)


def known(res: Resource, *keys: str | int) -> Any:
    """The value at ``keys``; raises :class:`Unknown` when the plan marks it unknown."""
    marker = res.unknown
    if isinstance(marker, dict) and keys and isinstance(keys[0], str) and not marker.get(keys[0]):
        return res.get(*keys)  # the usual case, said at once: nothing under keys[0] is unknown
    unknown = res.unknown_at(*keys)
    if unknown is not None:
        raise Unknown(unknown, f"{res.address}: {dotted(keys)}")
    return res.get(*keys)


def all_known(res: Resource, base: tuple[str | int, ...], names: tuple[str, ...]) -> None:
    """Raise :class:`Unknown` for the first of ``names`` under ``base`` that the plan marks
    unknown, as ``known(res, *base, name)`` for each would, without reading their values."""
    marker = res.unknown
    if isinstance(marker, dict) and base and isinstance(base[0], str) and not marker.get(base[0]):
        return  # the usual case: nothing under base[0] is unknown
    for name in names:
        known(res, *base, name)


def blocks(res: Resource, *keys: str | int) -> list[dict[str, Any]]:
    """A nested block list (Terraform renders every block as a list); non-objects dropped."""
    value = known(res, *keys)
    return [b for b in value if isinstance(b, dict)] if isinstance(value, list) else []


def whole(value: Any) -> int | None:
    """A positive whole number, else ``None`` (0 and null mean "not set" in provider output)."""
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        return None
    return value


def dotted(keys: tuple[str | int, ...]) -> str:
    text = ""
    for key in keys:
        text += f"[{key}]" if isinstance(key, int) else (f".{key}" if text else key)
    return text


def unknown_note(plan: Plan, exc: Unknown, field_name: str) -> None:
    plan.note(
        exc.path,
        f"{exc.what} is known only after apply, so {field_name} is left unset (not evidenced)",
        "terraform-unknown-value",
    )


def key_rotation(
    plan: Plan, facts: Facts, owner: Resource, keys: tuple[str | int, ...], key_id: Any
) -> None:
    """Record ``encryption.key_rotation`` of the KMS key named at ``keys``, if it is in the plan.

    ``key_id`` is the known value (ARN, id or alias), or ``None`` when unknown at plan time, in
    which case the configuration's references name the key.
    """
    key = _find_key(plan, owner, keys, key_id)
    if key is None:
        return
    facts.use(key)
    try:
        enabled = known(key, "enable_key_rotation")
        if plan.unset_by_default(key, "rotation_period_in_days"):
            period = None  # the provider's default period, 365 days
        else:
            period = whole(known(key, "rotation_period_in_days"))
    except Unknown as exc:
        unknown_note(plan, exc, "encryption.key_rotation")
        return
    if enabled is True:
        if period is not None:
            facts.put(
                ("encryption", "key_rotation"), f"{period}d", key.vpath("rotation_period_in_days")
            )
        else:
            facts.put(
                ("encryption", "key_rotation"),
                AWS_MANAGED_KEY_ROTATION,
                key.vpath("enable_key_rotation"),
            )
    elif enabled is False:
        facts.put(("encryption", "key_rotation"), "indefinite", key.vpath("enable_key_rotation"))


def _find_key(
    plan: Plan, owner: Resource, keys: tuple[str | int, ...], key_id: Any
) -> Resource | None:
    if isinstance(key_id, str) and key_id:
        for res in plan.of_type("aws_kms_key", "aws_kms_alias"):
            ids = {res.get(a) for a in ("arn", "id", "key_id", "name")}
            if key_id in ids or (key_id.startswith("arn:") and key_id.split(":", 5)[-1] in ids):
                return _through_alias(plan, res)
        return None
    found = plan.referenced(owner, keys, "aws_kms_key", "aws_kms_alias")
    return _through_alias(plan, found[0]) if len(found) == 1 else None


def _through_alias(plan: Plan, res: Resource) -> Resource | None:
    if res.type == "aws_kms_key":
        return res
    target = res.get("target_key_id")
    if res.unknown_at("target_key_id") is None and isinstance(target, str):
        for key in plan.of_type("aws_kms_key"):
            if target in (key.get("arn"), key.get("id"), key.get("key_id")):
                return key
        return None
    found = plan.referenced(res, ("target_key_id",), "aws_kms_key")
    return found[0] if len(found) == 1 else None
