"""EBS volumes (``aws_ebs_volume``): encryption at rest, with the account-wide default of
``aws_ebs_encryption_by_default``. Documented in ``docs/adapters/terraform-aws-ebs.md``.

* ``encrypted``: ``encryption.at_rest``. EBS encrypts with KMS only (``key_manager: aws_kms``):
  the key ``kms_key_id`` names, else the region's default EBS key, which is ``aws/ebs`` unless
  ``aws_ebs_default_kms_key`` (read when in the plan) or a setting outside it chose another, so
  its rotation is recorded only when the plan shows that key.
* A volume being created whose configuration leaves ``encrypted`` unset is encrypted when
  encryption by default is on for its account and region. Terraform shows neither, so the
  default counts only when the plan enables it (``aws_ebs_encryption_by_default``,
  ``enabled: true``) through the same provider configuration in the same module, which is the
  same account and region. Otherwise the volume's encryption is not evidenced.
* A volume keeps its data until it is deleted: no retention. Snapshots (``aws_ebs_snapshot``)
  and their Data Lifecycle Manager policies are copies that are not read; selecting a snapshot
  is reported as a resource the adapter cannot read.
"""

from __future__ import annotations

from typing import Any

from checker.adapters.terraform.facts import Facts, Unknown, key_rotation, known, unknown_note
from checker.adapters.terraform.plan import Plan, Resource, module_calls
from checker.adapters.terraform.reader import Candidate, ResourceReader, per_resource
from checker.adapters.terraform.switches import left_to_default, put_region, record_key

BY_DEFAULT = "aws_ebs_encryption_by_default"
DEFAULT_KEY = "aws_ebs_default_kms_key"


def derive(plan: Plan, candidate: Candidate, state: str) -> Facts:
    """Encryption of one volume (``state`` is unused: a volume has no retention)."""
    volume = candidate.resource
    assert volume is not None
    facts = Facts()
    facts.use(volume)
    put_region(volume, facts)
    try:
        encrypted = known(volume, "encrypted")
    except Unknown as exc:
        if not (left_to_default(plan, volume, ("encrypted",)) and _by_default(plan, volume, facts)):
            unknown_note(plan, exc, "encryption.at_rest")
        return facts
    if isinstance(encrypted, bool):
        facts.put(("encryption", "at_rest"), encrypted, volume.vpath("encrypted"))
        if encrypted:
            _key(plan, volume, facts)
    return facts


def _by_default(plan: Plan, volume: Resource, facts: Facts) -> bool:
    """Whether the plan turns on encryption by default for the volume's account and region."""
    for default in _same_scope(plan, volume, BY_DEFAULT):
        if default.unknown_at("enabled") is None and default.get("enabled") is True:
            facts.use(default)
            facts.put(("encryption", "at_rest"), True, default.vpath("enabled"))
            _key(plan, volume, facts)
            return True
    return False


def _key(plan: Plan, volume: Resource, facts: Facts) -> None:
    """The volume's KMS key: the one it names, else the region's default EBS key, whose
    rotation is known only when the plan sets it (``aws_ebs_default_kms_key``)."""
    if volume.get("kms_key_id") or not left_to_default(plan, volume, ("kms_key_id",)):
        record_key(plan, facts, volume, ("kms_key_id",), service_key="aws_kms")
        return
    facts.put(("encryption", "key_manager"), "aws_kms", volume.path)
    for default_key in _same_scope(plan, volume, DEFAULT_KEY):
        facts.use(default_key)
        arn = default_key.get("key_arn") if default_key.unknown_at("key_arn") is None else None
        key_rotation(plan, facts, default_key, ("key_arn",), arn)
        return


def _same_scope(plan: Plan, volume: Resource, kind: str) -> list[Resource]:
    """Resources of ``kind`` that use the volume's provider configuration in its module."""
    provider = _provider_key(plan, volume)
    if provider is None:
        return []
    found = []
    for other in plan.of_type(kind):
        if other.module != volume.module or _provider_key(plan, other) != provider:
            continue
        if _region_override(volume) == _region_override(other) != "unknown":
            found.append(other)
    return found


def _region_override(res: Resource) -> str | None:
    """The ``region`` argument of provider v6 (``None`` when there is none, as before v6: the
    provider configuration's region); ``"unknown"`` when it is known only after apply."""
    if res.unknown_at("region") is not None:
        return "unknown"
    region = res.get("region")
    return region if isinstance(region, str) and region else None


def _provider_key(plan: Plan, res: Resource) -> str | None:
    """The configuration's ``provider_config_key`` of ``res`` (``None`` without one)."""
    node: Any = plan.doc.get(("configuration", "root_module"))
    for call in module_calls(res.module):
        calls = node.get("module_calls") if isinstance(node, dict) else None
        entry = calls.get(call) if isinstance(calls, dict) else None
        node = entry.get("module") if isinstance(entry, dict) else None
    entries = node.get("resources") if isinstance(node, dict) else None
    for entry in entries if isinstance(entries, list) else ():
        if isinstance(entry, dict) and entry.get("address") == f"{res.type}.{res.name}":
            key = entry.get("provider_config_key")
            return key if isinstance(key, str) else None
    return None


READER = ResourceReader(
    name="Amazon EBS",
    types=frozenset({"aws_ebs_volume"}),
    candidates=per_resource({"aws_ebs_volume": "ebs_volume"}, ("id",)),
    derive=derive,
    configures=frozenset({BY_DEFAULT, DEFAULT_KEY}),
)
