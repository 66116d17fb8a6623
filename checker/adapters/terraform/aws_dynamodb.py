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
* ``point_in_time_recovery[{enabled: true, recovery_period_in_days}]`` keeps every item
  restorable for the recovery period (1 to 35 days; 35 when unset or 0): an item deleted, by a
  user or by TTL, can still be restored that long. It is a copy taken at any time and kept that
  many days (:mod:`~checker.adapters.terraform.copies`).
* Global table replicas (``replica`` blocks, ``aws_dynamodb_table_replica``) hold the same items
  in other regions; deletes and TTL expiry replicate, so they raise no window, but their
  regions are named in a warning, and a replica's own point-in-time recovery (35 days, the
  default; the provider sets no period for a replica) is a copy like the table's.
"""

from __future__ import annotations

from checker.adapters.terraform.copies import Copy
from checker.adapters.terraform.facts import (
    AWS_MANAGED_KEY_ROTATION,
    Facts,
    Unknown,
    blocks,
    key_rotation,
    known,
    unknown_note,
    whole,
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
    _point_in_time_recovery(plan, table, facts)
    _replicas(plan, table, facts)
    return facts


REPLICA = "aws_dynamodb_table_replica"
PITR_DEFAULT_DAYS = 35  # DynamoDB's default recovery period, also its maximum


def _point_in_time_recovery(plan: Plan, table: Resource, facts: Facts) -> None:
    what = f"point-in-time recovery of {table.address}"
    try:
        pitr = blocks(table, "point_in_time_recovery")
        if not pitr or known(table, "point_in_time_recovery", 0, "enabled") is not True:
            return
    except Unknown as exc:
        if not plan.unset_by_default(table, "point_in_time_recovery"):
            why = f"whether it is enabled: {exc.what} is known only after apply"
            facts.copies.append(Copy(what, exc.path, None, known=False, why=why))
        return
    keys = ("point_in_time_recovery", 0, "recovery_period_in_days")
    unknown = table.unknown_at(*keys)
    if unknown is not None and not plan.unset_by_default(table, "point_in_time_recovery"):
        why = f"{table.address}: {keys[0]}[0].{keys[2]} is known only after apply"
        facts.copies.append(Copy(what, unknown, None, known=False, why=why))
        return
    days = whole(table.get(*keys)) if unknown is None else None
    where = table.vpath(*keys) if days else table.vpath("point_in_time_recovery", 0, "enabled")
    why = "" if days else f"the default recovery period, {PITR_DEFAULT_DAYS} days"
    facts.copies.append(Copy(what, where, days or PITR_DEFAULT_DAYS, why=why))


def _replicas(plan: Plan, table: Resource, facts: Facts) -> None:
    """Global table replicas: their regions in a warning, their point-in-time recovery as
    copies."""
    regions: list[str] = []
    try:
        inline = blocks(table, "replica")
    except Unknown as exc:
        if not plan.unset_by_default(table, "replica"):
            unknown_note(plan, exc, "the table's replicas")
        inline = []
    for i, block in enumerate(inline):
        region = block.get("region_name")
        regions.append(region if isinstance(region, str) and region else "an unknown region")
        _replica_pitr(table, ("replica", i), f"replica {i + 1} of {table.address}", facts)
    for res in _replica_resources(plan, table):
        facts.use(res)
        region = res.get("region")
        known_region = isinstance(region, str) and region and res.unknown_at("region") is None
        regions.append(str(region) if known_region else f"the region of {res.address}'s provider")
        _replica_pitr(res, (), res.address, facts)
    if regions:
        plan.note(
            table.vpath("replica") if inline else table.path,
            f"{table.address} is a global table replicated to {', '.join(regions)}: the same "
            "items are kept there (deletes and TTL expiry replicate), so the store's data also "
            "lives in those regions",
            "terraform-replica-regions",
        )


def _replica_pitr(owner: Resource, base: tuple[str | int, ...], what: str, facts: Facts) -> None:
    keys = (*base, "point_in_time_recovery")
    unknown = owner.unknown_at(*keys)
    if unknown is not None:
        why = f"whether it is enabled is known only after apply ({owner.address})"
        facts.copies.append(
            Copy(f"point-in-time recovery of {what}", unknown, None, False, why=why)
        )
    elif owner.get(*keys) is True:
        facts.copies.append(
            Copy(
                f"point-in-time recovery of {what}",
                owner.vpath(*keys),
                PITR_DEFAULT_DAYS,
                why=f"the default recovery period, {PITR_DEFAULT_DAYS} days",
            )
        )


def _replica_resources(plan: Plan, table: Resource) -> list[Resource]:
    arn = table.get("arn") if table.unknown_at("arn") is None else None
    found = []
    for res in plan.of_type(REPLICA):
        target = res.get("global_table_arn")
        if res.unknown_at("global_table_arn") is None and isinstance(target, str):
            if target == arn:
                found.append(res)
        elif table in plan.referenced(res, ("global_table_arn",), "aws_dynamodb_table"):
            found.append(res)
    return found


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
    configures=frozenset({REPLICA}),
)
