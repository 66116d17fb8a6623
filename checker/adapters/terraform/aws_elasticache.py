"""ElastiCache: replication groups, clusters and serverless caches. Documented in
``docs/adapters/terraform-aws-elasticache.md``.

* Replication groups (``aws_elasticache_replication_group``, Redis OSS and Valkey):
  ``at_rest_encryption_enabled`` is ``encryption.at_rest``, with the key ``kms_key_id`` names
  (``aws_kms``) or ElastiCache's own AWS owned key (``aws_owned``). ``transit_encryption_enabled``
  is ``encryption.in_transit``, unless ``transit_encryption_mode`` is ``preferred``, which still
  accepts unencrypted connections (false).
* Clusters (``aws_elasticache_cluster``): a member of a replication group
  (``replication_group_id``) is read as that group when the plan holds it. A standalone cluster
  has no encryption at rest: Memcached has none, and the provider (like the CreateCacheCluster
  API) offers no at-rest setting for a single Redis OSS/Valkey node, so ``at_rest: false``.
  ``transit_encryption_enabled`` is read as for groups.
* Serverless caches (``aws_elasticache_serverless_cache``) are always encrypted at rest and in
  transit; ``kms_key_id`` picks the key as above.
* ``snapshot_retention_limit`` days of automatic backups: data deleted from the cache lives on in
  them that long, ``retention.deleted_by_user``. A cache keeps what it holds until the
  application deletes it or it expires by a TTL the application sets: no other retention.
"""

from __future__ import annotations

from checker.adapters.terraform.facts import Facts, Unknown, known, unknown_note
from checker.adapters.terraform.plan import Plan, Resource
from checker.adapters.terraform.reader import Candidate, ResourceReader, per_resource
from checker.adapters.terraform.switches import (
    backup_window,
    left_to_default,
    put_region,
    record_key,
    setting,
    switch,
)

GROUP = "aws_elasticache_replication_group"
CLUSTER = "aws_elasticache_cluster"
SERVERLESS = "aws_elasticache_serverless_cache"
KINDS = {
    GROUP: "elasticache_replication_group",
    CLUSTER: "elasticache_cluster",
    SERVERLESS: "elasticache_serverless_cache",
}
# Each type keeps its name in its own attribute (a member cluster also has the group's id).
NAME_OF = {GROUP: "replication_group_id", CLUSTER: "cluster_id", SERVERLESS: "name"}


def candidates(plan: Plan) -> list[Candidate]:
    """Every group, cluster and serverless cache, each named by its own attribute."""
    return [
        found
        for kind, name in NAME_OF.items()
        for found in per_resource({kind: KINDS[kind]}, (name,))(plan)
    ]


def derive(plan: Plan, candidate: Candidate, state: str) -> Facts:
    """Encryption and backup window of one cache (``state`` is unused)."""
    res = candidate.resource
    assert res is not None
    facts = Facts()
    facts.use(res)
    put_region(res, facts)
    if res.type == GROUP:
        _group(plan, res, facts)
    elif res.type == SERVERLESS:
        _serverless(plan, res, facts)
    else:
        _cluster(plan, res, facts)
    return facts


def _group(plan: Plan, group: Resource, facts: Facts) -> None:
    at_rest = switch(plan, group, ("at_rest_encryption_enabled",), "encryption.at_rest")
    if at_rest is not None:
        facts.put(("encryption", "at_rest"), at_rest, group.vpath("at_rest_encryption_enabled"))
        if at_rest:
            record_key(plan, facts, group, ("kms_key_id",), service_key="aws_owned")
    _in_transit(plan, group, facts)
    backup_window(plan, facts, group, ("snapshot_retention_limit",), "automatic backups")


def _cluster(plan: Plan, cluster: Resource, facts: Facts) -> None:
    member = _member_of(plan, cluster)
    if member is not None:
        if isinstance(member, Resource):
            facts.use(member)
            _group(plan, member, facts)
        return
    engine = setting(plan, cluster, ("engine",), "encryption.at_rest")
    if isinstance(engine, str) and engine:
        # Neither Memcached nor a standalone Redis OSS/Valkey node can be encrypted at rest.
        facts.put(("encryption", "at_rest"), False, cluster.vpath("engine"))
    _in_transit(plan, cluster, facts)
    if engine != "memcached":
        backup_window(plan, facts, cluster, ("snapshot_retention_limit",), "automatic backups")


def _member_of(plan: Plan, cluster: Resource) -> Resource | bool | None:
    """The replication group the cluster belongs to; ``True`` when it belongs to one that cannot
    be read (said in a warning); ``None`` for a standalone cluster."""
    keys = ("replication_group_id",)
    try:
        group_id = known(cluster, *keys)
    except Unknown as exc:
        if left_to_default(plan, cluster, keys):
            return None  # left unset: a standalone cluster
        groups = plan.referenced(cluster, keys, GROUP)
        if len(groups) == 1:
            return groups[0]
        unknown_note(plan, exc, "the encryption of the cluster's replication group")
        return True
    if not isinstance(group_id, str) or not group_id:
        return None
    groups = plan.referenced(cluster, keys, GROUP) or [
        g for g in plan.of_type(GROUP) if g.get("replication_group_id") == group_id
    ]
    if len(groups) == 1:
        return groups[0]
    plan.note(
        cluster.vpath(*keys),
        f"{cluster.address} is a member of replication group {group_id!r}, which this plan "
        "does not hold: its encryption and backups are the group's and are not evidenced",
        "terraform-outside-resource",
    )
    return True


def _serverless(plan: Plan, cache: Resource, facts: Facts) -> None:
    where = cache.vpath("engine") if "engine" in cache.values else cache.path
    facts.put(("encryption", "at_rest"), True, where)
    facts.put(("encryption", "in_transit"), True, where)
    record_key(plan, facts, cache, ("kms_key_id",), service_key="aws_owned")
    backup_window(plan, facts, cache, ("snapshot_retention_limit",), "automatic backups")


def _in_transit(plan: Plan, res: Resource, facts: Facts) -> None:
    enabled = switch(plan, res, ("transit_encryption_enabled",), "encryption.in_transit")
    if enabled is None:
        return
    if enabled:
        try:
            mode = known(res, "transit_encryption_mode")
        except Unknown as exc:
            if not left_to_default(plan, res, ("transit_encryption_mode",)):
                unknown_note(plan, exc, "encryption.in_transit")
                return
            mode = None  # AWS requires TLS when it is switched on without a mode
        if mode == "preferred":
            facts.put(("encryption", "in_transit"), False, res.vpath("transit_encryption_mode"))
            return
    facts.put(("encryption", "in_transit"), enabled, res.vpath("transit_encryption_enabled"))


READER = ResourceReader(
    name="Amazon ElastiCache",
    types=frozenset(KINDS),
    candidates=candidates,
    derive=derive,
)
