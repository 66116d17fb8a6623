"""Redshift clusters (``aws_redshift_cluster``): encryption, TLS through the cluster's parameter
group, and how long snapshots keep deleted data. Documented in
``docs/adapters/terraform-aws-redshift.md``.

* ``encrypted``: ``encryption.at_rest``; with ``kms_key_id`` the key is a KMS key (``aws_kms``,
  rotation from the plan's ``aws_kms_key``). Without one Redshift picks its own key, which the
  plan does not show, so ``key_manager`` stays unset.
* ``encryption.in_transit``: the ``require_ssl`` parameter of the ``aws_redshift_parameter_group``
  that ``cluster_parameter_group_name`` names, when the plan holds that group. A default group,
  a group managed elsewhere or a group without ``require_ssl`` is not evidence: AWS has changed
  the default of new clusters over time, so it is not assumed.
* Snapshots are copies that outlive deletion: ``retention.deleted_by_user`` is the longest of
  ``automated_snapshot_retention_period``, a positive ``manual_snapshot_retention_period`` (the
  default, -1, keeps manual snapshots until someone deletes them; no manual snapshot appears in a
  plan, so it is not counted) and the cross-region ``snapshot_copy[0].retention_period``.
"""

from __future__ import annotations

from typing import Any

from checker.adapters.terraform.facts import Facts, Unknown, known, unknown_note
from checker.adapters.terraform.plan import Plan, Resource
from checker.adapters.terraform.reader import Candidate, ResourceReader, per_resource
from checker.adapters.terraform.switches import days, put_region, record_key, switch
from checker.core.diagnostics import JsonPath

PARAMETER_GROUP = "aws_redshift_parameter_group"


def derive(plan: Plan, candidate: Candidate, state: str) -> Facts:
    """Encryption and snapshot window of one cluster (``state`` is unused)."""
    cluster = candidate.resource
    assert cluster is not None
    facts = Facts()
    facts.use(cluster)
    put_region(cluster, facts)
    encrypted = switch(plan, cluster, ("encrypted",), "encryption.at_rest")
    if encrypted is not None:
        facts.put(("encryption", "at_rest"), encrypted, cluster.vpath("encrypted"))
        if encrypted:
            record_key(plan, facts, cluster, ("kms_key_id",), service_key=None)
    _require_ssl(plan, cluster, facts)
    _snapshots(plan, cluster, facts)
    return facts


def _require_ssl(plan: Plan, cluster: Resource, facts: Facts) -> None:
    group = _parameter_group(plan, cluster)
    if group is None:
        return
    facts.use(group)
    try:
        parameters = known(group, "parameter")
    except Unknown as exc:
        unknown_note(plan, exc, "encryption.in_transit")
        return
    for index, parameter in enumerate(parameters if isinstance(parameters, list) else ()):
        if not isinstance(parameter, dict) or parameter.get("name") != "require_ssl":
            continue
        try:
            value = known(group, "parameter", index, "value")
        except Unknown as exc:
            unknown_note(plan, exc, "encryption.in_transit")
            return
        where = group.vpath("parameter", index, "value")
        text = str(value).strip().lower()
        if text in ("true", "false"):
            facts.put(("encryption", "in_transit"), text == "true", where)
        else:
            plan.note(
                where,
                f"{group.address}: unrecognised require_ssl value {value!r}; "
                "encryption in transit is left unset",
                "terraform-unrecognised-value",
            )
        return


def _parameter_group(plan: Plan, cluster: Resource) -> Resource | None:
    """The plan's parameter group that the cluster uses, by reference or by name."""
    found = plan.referenced(cluster, ("cluster_parameter_group_name",), PARAMETER_GROUP)
    if len(found) == 1:
        return found[0]
    name = cluster.get("cluster_parameter_group_name")
    if not isinstance(name, str) or cluster.unknown_at("cluster_parameter_group_name"):
        return None
    named = [g for g in plan.of_type(PARAMETER_GROUP) if g.get("name") == name]
    return named[0] if len(named) == 1 else None


def _snapshots(plan: Plan, cluster: Resource, facts: Facts) -> None:
    windows: list[tuple[int, JsonPath]] = []
    field = "retention.deleted_by_user (snapshots)"
    for keys in (
        ("automated_snapshot_retention_period",),
        ("manual_snapshot_retention_period",),
        ("snapshot_copy", 0, "retention_period"),
    ):
        kept: Any = days(plan, cluster, keys, field)
        if kept is not None and kept > 0:
            windows.append((kept, cluster.vpath(*keys)))
    if windows:
        kept, where = max(windows, key=lambda window: window[0])
        facts.put(("retention", "deleted_by_user"), f"{kept}d", where)


READER = ResourceReader(
    name="Amazon Redshift",
    types=frozenset({"aws_redshift_cluster"}),
    candidates=per_resource({"aws_redshift_cluster": "redshift_cluster"}, ("cluster_identifier",)),
    derive=derive,
    configures=frozenset({PARAMETER_GROUP}),
)
