"""Shared by the Google Cloud and Azure readers: windows written as durations, and the rotation
of a customer-managed key found in the same plan (Cloud KMS crypto keys, Key Vault keys).

Like :func:`~checker.adapters.terraform.facts.key_rotation` for AWS, a key outside the plan
leaves ``encryption.key_rotation`` unset: its rotation is not evidenced.
"""

from __future__ import annotations

import re
from typing import Any

from checker.adapters.terraform.facts import Facts, Unknown, known, unknown_note
from checker.adapters.terraform.plan import Plan, Resource

GOOGLE_KEY = "google_kms_crypto_key"
AZURE_KEY = "azurerm_key_vault_key"
DAY = 86_400
_GOOGLE_PERIOD = re.compile(r"(\d+)(?:\.\d+)?s")
_ISO_PERIOD = re.compile(
    r"P(?!\Z)(?:\d+Y)?(?:\d+M)?(?:\d+W)?(?:\d+D)?(?:T(?=\d)(?:\d+H)?(?:\d+M)?(?:\d+S)?)?"
)


def duration_text(seconds: int) -> str:
    """A window in the largest whole unit: ``604800`` → ``7d``, ``7200`` → ``2h``."""
    for unit, size in (("d", DAY), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def whole_or_zero(value: Any) -> int | None:
    """A whole number ≥ 0 (numbers may come as strings, e.g. BigQuery's int64 ``"3600000"``);
    ``None`` for null, ``""`` and anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    if isinstance(value, int) and value >= 0:
        return value
    if isinstance(value, float) and value.is_integer() and value >= 0:
        return int(value)
    return None


def google_key_rotation(
    plan: Plan, facts: Facts, owner: Resource, keys: tuple[str | int, ...]
) -> None:
    """``encryption.key_rotation`` of the Cloud KMS key named at ``keys`` of ``owner``.

    ``rotation_period`` (``"7776000s"``) is the period; an empty one means the key is never
    rotated automatically (``indefinite``)."""
    name = owner.get(*keys) if owner.unknown_at(*keys) is None else None
    key = _find(plan, owner, keys, name, GOOGLE_KEY, _google_ids)
    if key is None:
        return
    facts.use(key)
    try:
        period = known(key, "rotation_period")
    except Unknown as exc:
        if not plan.unset_by_default(key, "rotation_period"):
            unknown_note(plan, exc, "encryption.key_rotation")
            return
        period = None
    where = key.vpath("rotation_period")
    match = _GOOGLE_PERIOD.fullmatch(period) if isinstance(period, str) else None
    if match is not None and int(match.group(1)) > 0:
        facts.put(("encryption", "key_rotation"), duration_text(int(match.group(1))), where)
    elif period in (None, ""):
        facts.put(("encryption", "key_rotation"), "indefinite", where if period == "" else key.path)
    else:
        plan.note(
            where,
            f"{key.address}: unrecognised rotation_period {period!r}; "
            "encryption.key_rotation is left unset",
            "terraform-unrecognised-value",
        )


def azure_key_rotation(
    plan: Plan, facts: Facts, owner: Resource, keys: tuple[str | int, ...]
) -> None:
    """``encryption.key_rotation`` of the Key Vault key named at ``keys`` of ``owner``.

    Key Vault rotates a key only by its ``rotation_policy``'s ``automatic`` block
    (``time_after_creation``, an ISO 8601 duration such as ``P90D``); without one the key is
    never rotated automatically (``indefinite``)."""
    name = owner.get(*keys) if owner.unknown_at(*keys) is None else None
    key = _find(plan, owner, keys, name, AZURE_KEY, _azure_ids)
    if key is None:
        return
    facts.use(key)
    try:
        policy = known(key, "rotation_policy")
        automatic = known(key, "rotation_policy", 0, "automatic") if policy else None
        after = known(key, "rotation_policy", 0, "automatic", 0, "time_after_creation")
    except Unknown as exc:
        unknown_note(plan, exc, "encryption.key_rotation")
        return
    if isinstance(after, str) and _ISO_PERIOD.fullmatch(after):
        where = key.vpath("rotation_policy", 0, "automatic", 0, "time_after_creation")
        facts.put(("encryption", "key_rotation"), after, where)
        return
    if automatic:
        plan.note(
            key.vpath("rotation_policy", 0, "automatic"),
            f"{key.address}: the automatic rotation has no time_after_creation (it rotates "
            "relative to an expiry); encryption.key_rotation is left unset",
            "terraform-unrecognised-value",
        )
        return
    where = key.vpath("rotation_policy") if "rotation_policy" in key.values else key.path
    facts.put(("encryption", "key_rotation"), "indefinite", where)


def _google_ids(key: Resource) -> set[str]:
    ids = {key.get("id")}
    ring, name = key.get("key_ring"), key.get("name")
    if isinstance(ring, str) and isinstance(name, str):
        ids.add(f"{ring}/cryptoKeys/{name}")
    return {i for i in ids if isinstance(i, str) and i}


def _azure_ids(key: Resource) -> set[str]:
    # ``name`` too: azurerm_storage_account_customer_managed_key names its key by key_name
    found = {key.get(a) for a in ("id", "versionless_id", "resource_versionless_id", "name")}
    return {i for i in found if isinstance(i, str) and i}


def _find(
    plan: Plan,
    owner: Resource,
    keys: tuple[str | int, ...],
    name: Any,
    key_type: str,
    ids: Any,
) -> Resource | None:
    if isinstance(name, str) and name:
        for key in plan.of_type(key_type):
            known_ids = ids(key)
            # a key name may pin a version: ".../cryptoKeyVersions/3", ".../keys/k/<version>"
            if any(name == i or name.startswith(f"{i}/") for i in known_ids):
                return key
        return None
    found = plan.referenced(owner, keys, key_type)
    return found[0] if len(found) == 1 else None
