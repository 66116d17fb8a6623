"""Pieces shared by the AWS resource families beyond S3: region, KMS keys, named references,
windows written in seconds or hours, and TLS-only resource policies.

Not a family itself (no ``READER``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
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

_UNITS = (("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1))


def region(res: Resource, facts: Facts) -> None:
    """``region`` from the resource's own ``region`` (provider v6 and later), when known."""
    value = res.get("region")
    if isinstance(value, str) and value and res.unknown_at("region") is None:
        facts.put(("region",), value, res.vpath("region"))


def window(seconds: int) -> str:
    """A whole number of seconds in the largest unit that divides it (``345600`` → ``4d``)."""
    for unit, size in _UNITS:
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    raise AssertionError("a whole number of seconds always divides by 1")  # pragma: no cover


def kms_key(
    plan: Plan,
    facts: Facts,
    owner: Resource,
    keys: tuple[str | int, ...],
    aws_managed_alias: str,
) -> None:
    """``key_manager: aws_kms`` and the key's rotation for a KMS key named at ``keys``.

    An empty key (or the service's AWS managed alias, e.g. ``alias/aws/sqs``) is the AWS
    managed key, which AWS rotates yearly; a key of the plan gives its own rotation; a key
    outside the plan leaves ``key_rotation`` unset.
    """
    where = owner.vpath(*keys)
    facts.put(("encryption", "key_manager"), "aws_kms", where)
    if owner.unknown_at(*keys) is not None:
        key_rotation(plan, facts, owner, keys, None)
        return
    key_id = owner.get(*keys)
    if key_id in (None, "") or _is_alias(key_id, aws_managed_alias):
        facts.put(("encryption", "key_rotation"), AWS_MANAGED_KEY_ROTATION, where)
    else:
        key_rotation(plan, facts, owner, keys, key_id)


def _is_alias(key_id: Any, alias: str) -> bool:
    return isinstance(key_id, str) and (key_id == alias or key_id.endswith(f":{alias}"))


def by_name(resources: Iterable[Resource], attributes: Iterable[str]) -> dict[str, Resource]:
    """``name -> resource`` for every known value of ``attributes`` (the first resource wins),
    built once so that looking a name up does not scan the plan."""
    attrs = tuple(attributes)
    index: dict[str, Resource] = {}
    for res in resources:
        for attr in attrs:
            value = res.get(attr)
            if isinstance(value, str) and value and res.unknown_at(attr) is None:
                index.setdefault(value, res)
    return index


def named(
    plan: Plan,
    owner: Resource,
    attribute: str,
    index: Mapping[str, Resource],
    types: Iterable[str],
) -> tuple[Resource | None, bool]:
    """The resource that ``owner.attribute`` names, and whether one is named at all.

    A known value is looked up in ``index`` (see :func:`by_name`); one known only after apply
    is followed through the configuration's references to a resource of ``types``.
    ``(None, True)``: a name is given but no resource of this plan has it (e.g. an AWS default
    parameter group).
    """
    if owner.unknown_at(attribute) is None:
        value = owner.get(attribute)
        if not isinstance(value, str) or not value:
            return None, False
        return index.get(value), True
    found = plan.referenced(owner, (attribute,), *types)
    return (found[0] if len(found) == 1 else None), True


def policy_denies_insecure_transport(
    plan: Plan,
    facts: Facts,
    holders: list[Resource],
    test: Callable[[Any], bool],
) -> None:
    """``encryption.in_transit: true`` when a holder's ``policy`` JSON passes ``test``."""
    for res in holders:
        try:
            text = known(res, "policy")
        except Unknown as exc:
            unknown_note(plan, exc, "encryption.in_transit")
            continue
        if not isinstance(text, str) or not text:
            continue
        try:
            document = json.loads(text)
        except ValueError:
            plan.note(
                res.vpath("policy"),
                f"{res.address}: the policy is not valid JSON; encryption in transit is not "
                "evidenced",
                "terraform-malformed",
            )
            continue
        if test(document):
            facts.put(("encryption", "in_transit"), True, res.vpath("policy"))
            return


def denies_insecure_transport(
    policy: Any, actions: frozenset[str], covers: Callable[[Any], bool] | None = None
) -> bool:
    """A statement that denies every principal every action of the service (one of
    ``actions``, e.g. ``s3:*``) when ``aws:SecureTransport`` is false.

    ``covers(resource)`` (optional) says whether the statement's ``Resource`` covers the
    store; without it the statement's resources are not looked at.
    """
    statements = policy.get("Statement") if isinstance(policy, dict) else None
    if isinstance(statements, dict):
        statements = [statements]
    for st in statements if isinstance(statements, list) else ():
        if not isinstance(st, dict) or st.get("Effect") != "Deny":
            continue
        if not _everyone(st.get("Principal")) or not _any_of(st.get("Action"), actions):
            continue
        if covers is not None and not covers(st.get("Resource")):
            continue
        conditions = st.get("Condition")
        for operator in ("Bool", "BoolIfExists"):
            clause = conditions.get(operator) if isinstance(conditions, dict) else None
            for key, value in clause.items() if isinstance(clause, dict) else ():
                values = value if isinstance(value, list) else [value]
                if key.lower() == "aws:securetransport" and any(
                    str(v).lower() == "false" for v in values
                ):
                    return True
    return False


def _everyone(principal: Any) -> bool:
    if principal == "*":
        return True
    aws = principal.get("AWS") if isinstance(principal, dict) else None
    return aws == "*" or aws == ["*"]


def _any_of(action: Any, actions: frozenset[str]) -> bool:
    listed = action if isinstance(action, list) else [action]
    return any(a in actions for a in listed if isinstance(a, str))


def given(plan: Plan, res: Resource, attribute: str) -> bool:
    """Whether ``attribute`` has a value, or one known only after apply that is not the
    provider's default for an attribute the configuration leaves unset."""
    if res.unknown_at(attribute) is not None:
        return not plan.unset_by_default(res, attribute)
    return bool(res.get(attribute))
