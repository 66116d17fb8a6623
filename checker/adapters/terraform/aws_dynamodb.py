"""DynamoDB tables: TTL as a deletion schedule, and encryption at rest.

* ``ttl[{enabled: true}]`` deletes items whose TTL attribute has passed:
  ``deletion_schedule.defined: true``. The window depends on what the application writes into
  that attribute, so TTL evidences no retention; ``retention`` stays unset unless the mapping
  rule declares it. A table without TTL gets no ``deletion_schedule`` (the application may
  still delete items; absence in the plan is not evidence either way).
* DynamoDB encrypts every table at rest (with an AWS-owned key unless told otherwise), so
  ``encryption.at_rest`` is always true. ``server_side_encryption[{enabled: true}]`` selects a
  KMS key: ``key_manager: aws_kms``, with the AWS managed ``aws/dynamodb`` key (rotated yearly)
  when ``kms_key_arn`` is empty; otherwise ``key_manager: aws_owned``.
"""

from __future__ import annotations

from checker.adapters.terraform.facts import (
    AWS_MANAGED_KEY_ROTATION,
    Facts,
    Unknown,
    blocks,
    key_rotation,
    known,
    unknown_note,
)
from checker.adapters.terraform.plan import Plan, Resource
from checker.adapters.terraform.reader import Candidate, ResourceReader, per_resource


def derive(plan: Plan, candidate: Candidate, state: str) -> Facts:
    """TTL and encryption of one table (``state`` is unused: TTL evidences no window)."""
    table = candidate.resource
    assert table is not None
    facts = Facts()
    facts.use(table)
    region = table.get("region")
    if isinstance(region, str) and region:
        facts.put(("region",), region, table.vpath("region"))
    try:
        ttl = blocks(table, "ttl")
        if ttl and known(table, "ttl", 0, "enabled") is True:
            facts.put(("deletion_schedule", "defined"), True, table.vpath("ttl", 0, "enabled"))
    except Unknown as exc:
        if not plan.unset_by_default(table, "ttl"):
            unknown_note(plan, exc, "the deletion schedule (TTL)")
    _encryption(plan, table, facts)
    return facts


def _encryption(plan: Plan, table: Resource, facts: Facts) -> None:
    sse_path = table.vpath("server_side_encryption")
    where = sse_path if "server_side_encryption" in table.values else table.path
    facts.put(("encryption", "at_rest"), True, where)
    try:
        sse = blocks(table, "server_side_encryption")
        enabled = bool(sse) and known(table, "server_side_encryption", 0, "enabled") is True
    except Unknown as exc:
        if not plan.unset_by_default(table, "server_side_encryption"):
            unknown_note(plan, exc, "encryption.key_manager")
            return
        enabled = False
    if not enabled:
        facts.put(("encryption", "key_manager"), "aws_owned", where)
        return
    where = table.vpath("server_side_encryption", 0, "enabled")
    facts.put(("encryption", "key_manager"), "aws_kms", where)
    keys = ("server_side_encryption", 0, "kms_key_arn")
    if table.unknown_at(*keys) is not None:
        key_rotation(plan, facts, table, keys, None)
    elif table.get(*keys) in (None, ""):
        facts.put(("encryption", "key_rotation"), AWS_MANAGED_KEY_ROTATION, where)
    else:
        key_rotation(plan, facts, table, keys, table.get(*keys))


READER = ResourceReader(
    name="Amazon DynamoDB",
    types=frozenset({"aws_dynamodb_table"}),
    candidates=per_resource({"aws_dynamodb_table": "dynamodb_table"}, ("name",)),
    derive=derive,
)
