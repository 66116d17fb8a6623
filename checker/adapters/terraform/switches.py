"""Settings that the OpenSearch, EBS, ElastiCache and Redshift readers share: on/off switches,
day counts and the KMS key that encrypts a store, each read with the plan's unknown values.

A value known only after apply leaves its fact unset with a ``terraform-unknown-value`` warning,
so the check reports it as not evidenced. That includes a setting the configuration leaves to
AWS (the plan shows it as known after apply): only where the provider's documentation makes the
default certain does a reader count it, and it does so itself (:func:`left_to_default`).
"""

from __future__ import annotations

from typing import Any

from checker.adapters.terraform.facts import (
    AWS_MANAGED_KEY_ROTATION,
    Facts,
    Unknown,
    key_rotation,
    known,
    unknown_note,
)
from checker.adapters.terraform.plan import Plan, Resource
from checker.core.diagnostics import JsonPath


def configured_at(plan: Plan, res: Resource, keys: tuple[str | int, ...]) -> bool | None:
    """Whether the configuration sets the (possibly nested) attribute at ``keys``; ``None`` when
    the document has no configuration to ask. Blocks are lists of objects in both views."""
    node: Any = plan.expressions(res)
    if node is None:
        return None
    for key in keys:
        in_list = isinstance(node, list) and isinstance(key, int) and -len(node) <= key < len(node)
        if not in_list and not (isinstance(node, dict) and isinstance(key, str) and key in node):
            return False
        node = node[key]
    return True


def left_to_default(plan: Plan, res: Resource, keys: tuple[str | int, ...]) -> bool:
    """A resource being created whose configuration leaves ``keys`` (or the block holding it)
    to the provider, which fills it in at apply time."""
    return res.action == "create" and configured_at(plan, res, keys) is False


def setting(plan: Plan, res: Resource, keys: tuple[str | int, ...], field_name: str) -> Any:
    """The known value at ``keys``, or ``None`` when absent or known only after apply (then with
    a warning that ``field_name`` is not evidenced)."""
    try:
        return known(res, *keys)
    except Unknown as exc:
        unknown_note(plan, exc, field_name)
        return None


def switch(plan: Plan, res: Resource, keys: tuple[str | int, ...], field_name: str) -> bool | None:
    """A boolean setting: ``True``/``False`` when the plan says so, else ``None``."""
    value = setting(plan, res, keys, field_name)
    return value if isinstance(value, bool) else None


def days(plan: Plan, res: Resource, keys: tuple[str | int, ...], field_name: str) -> int | None:
    """A whole number of days (0 included: for backup windows it means "no backups")."""
    value = setting(plan, res, keys, field_name)
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value


def record_key(
    plan: Plan,
    facts: Facts,
    res: Resource,
    keys: tuple[str | int, ...],
    *,
    service_key: str | None,
    service_rotation: str | None = None,
) -> None:
    """``encryption.key_manager`` (and rotation) of a store encrypted at rest with the KMS key
    named at ``keys``.

    A key the configuration names is a KMS key (``aws_kms``) whose rotation is read from the
    plan's ``aws_kms_key``. Without one the service's own key is used: ``service_key`` is its
    key manager (``None`` when the service's documentation does not make it certain) and
    ``service_rotation`` its rotation, when AWS states it.
    """
    where = res.vpath(*keys)
    try:
        key_id = known(res, *keys)
    except Unknown as exc:
        if left_to_default(plan, res, keys) and service_key is not None:
            key_id = None
        elif configured_at(plan, res, keys):  # a key this plan creates, found by reference
            facts.put(("encryption", "key_manager"), "aws_kms", where)
            key_rotation(plan, facts, res, keys, None)
            return
        else:
            unknown_note(plan, exc, "encryption.key_manager")
            return
    if isinstance(key_id, str) and key_id:
        facts.put(("encryption", "key_manager"), "aws_kms", where)
        if key_id.startswith("alias/aws/") or ":alias/aws/" in key_id:
            # an AWS managed key (aws/es, aws/ebs...): AWS rotates it every year
            facts.put(("encryption", "key_rotation"), AWS_MANAGED_KEY_ROTATION, where)
        else:
            key_rotation(plan, facts, res, keys, key_id)
        return
    if service_key is not None:
        origin: JsonPath = where if res.get(*keys) is not None else res.path
        facts.put(("encryption", "key_manager"), service_key, origin)
        if service_rotation is not None:
            facts.put(("encryption", "key_rotation"), service_rotation, origin)


def put_region(res: Resource, facts: Facts) -> None:
    """The resource's ``region`` argument (AWS provider v6); older providers leave it to the
    provider configuration, which the plan does not show, so no region is recorded."""
    region = res.get("region")
    if isinstance(region, str) and region and res.unknown_at("region") is None:
        facts.put(("region",), region, res.vpath("region"))


def backup_window(
    plan: Plan, facts: Facts, res: Resource, keys: tuple[str | int, ...], what: str
) -> None:
    """Automatic backups kept ``N`` days: data deleted from the store lives on in them that long,
    so ``retention.deleted_by_user`` is ``Nd``. 0 (no automatic backups) records nothing: it
    says nothing about how soon the store itself forgets deleted data."""
    kept = days(plan, res, keys, f"retention.deleted_by_user ({what})")
    if kept is not None and kept > 0:
        facts.put(("retention", "deleted_by_user"), f"{kept}d", res.vpath(*keys))
