"""RDS DB instances and Aurora clusters: storage encryption, backups, final snapshots and
TLS-only parameter groups.

A database has no expiry: rows stay until the application deletes them, so nothing here
evidences how long live data is kept. What the plan does say:

* **Backups outlive deletion.** Automated backups (``backup_retention_period`` days, 0 = none;
  Aurora keeps at least 1) hold a row for that many days after it is deleted from the
  database, and AWS removes them then: ``retention.deleted_by_user`` is the backup window
  (``0d`` without backups). ``delete_automated_backups: false`` keeps the backups after the
  instance is deleted, still only until their retention period ends, so it changes no window.
* **A final snapshot outlives the database.** Unless ``skip_final_snapshot`` is true, deleting
  the instance or cluster leaves a snapshot of all its data that never expires:
  ``retention.<state>`` (the mapping rule's consent state) is ``indefinite``. With
  ``skip_final_snapshot: true``, and for read replicas (RDS takes no final snapshot of them),
  it is left unset: the database evidences no window.
* **Encryption at rest** is ``storage_encrypted`` (``false`` by default for DB instances and
  provisioned Aurora clusters; serverless v1 clusters are always encrypted). RDS encrypts with
  KMS only (``key_manager: aws_kms``): ``kms_key_id`` empty is the AWS managed ``aws/rds`` key
  (rotated yearly), a key of the plan gives its rotation. A read replica
  (``replicate_source_db`` / ``replication_source_identifier``) or a restore from a snapshot
  (``snapshot_identifier``) inherits its source's encryption, so ``storage_encrypted: false``
  there is not evidence and ``at_rest`` is left unset, with a warning.
* **Encryption in transit** is a parameter of the DB parameter group named by
  ``parameter_group_name`` (``db_cluster_parameter_group_name`` for Aurora), read when that
  group is in the plan: ``rds.force_ssl`` (PostgreSQL, SQL Server) or
  ``require_secure_transport`` (MySQL, MariaDB) set to ``1``/``ON`` is ``in_transit: true``,
  ``0``/``OFF`` is ``false``. A group outside the plan (an AWS ``default.*`` group) or one that
  does not set them leaves ``in_transit`` unset: the engine's default is not in the plan.

``aws_rds_cluster_instance`` resources are compute attached to a cluster's shared storage:
they are read as part of their cluster (a rule naming one selects the cluster), never as stores
of their own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from checker.adapters.terraform import aws_support
from checker.adapters.terraform.facts import Facts, Unknown, known, unknown_note, whole
from checker.adapters.terraform.plan import Plan, Resource
from checker.adapters.terraform.reader import Candidate, ResourceReader, known_name

INSTANCE = "aws_db_instance"
CLUSTER = "aws_rds_cluster"
CLUSTER_INSTANCE = "aws_rds_cluster_instance"
PARAMETER_GROUP = "aws_db_parameter_group"
CLUSTER_PARAMETER_GROUP = "aws_rds_cluster_parameter_group"
KINDS = {INSTANCE: "rds_db_instance", CLUSTER: "rds_cluster"}
_TLS_PARAMETERS = ("rds.force_ssl", "require_secure_transport")
_ON = frozenset({"1", "on", "true"})
_OFF = frozenset({"0", "off", "false"})


@dataclass(frozen=True, slots=True)
class Database:
    """An instance or cluster of the plan (``resource`` None: a cluster known only through its
    instances) with the cluster instances attached to it."""

    resource: Resource | None
    members: tuple[Resource, ...]
    parameter_groups: Mapping[str, Resource]  # the plan's groups of the right type, by name


@dataclass(frozen=True, slots=True)
class _Shape:
    """Where one resource type keeps what this module reads."""

    source: str  # the attribute naming a replica's source
    parameter_group: str
    parameter_group_type: str


_SHAPES = {
    INSTANCE: _Shape("replicate_source_db", "parameter_group_name", PARAMETER_GROUP),
    CLUSTER: _Shape(
        "replication_source_identifier", "db_cluster_parameter_group_name", CLUSTER_PARAMETER_GROUP
    ),
}


def candidates(plan: Plan) -> list[Candidate]:
    """A store per DB instance and per cluster (with its cluster instances), and one per
    cluster that only cluster instances of the plan name."""
    clusters = plan.of_type(CLUSTER)
    by_identifier = aws_support.by_name(clusters, ("cluster_identifier", "id"))
    groups = {
        kind: aws_support.by_name(plan.of_type(kind), ("name", "id"))
        for kind in (PARAMETER_GROUP, CLUSTER_PARAMETER_GROUP)
    }
    members: dict[int, list[Resource]] = {id(c): [] for c in clusters}
    outside: dict[str, list[Resource]] = {}
    for member in plan.of_type(CLUSTER_INSTANCE):
        owner, named = aws_support.named(
            plan, member, "cluster_identifier", by_identifier, (CLUSTER,)
        )
        if owner is not None:
            members[id(owner)].append(member)
        else:
            label = member.get("cluster_identifier") if named else None
            outside.setdefault(label if isinstance(label, str) else member.address, []).append(
                member
            )
    found = []
    for res in plan.of_type(INSTANCE, CLUSTER):
        attached = tuple(members.get(id(res), ()))
        name, name_path = known_name(res, ("identifier", "cluster_identifier"))
        addresses = (res.address, *(m.address for m in attached))
        found.append(
            Candidate(
                KINDS[res.type],
                res.address,
                name,
                name_path,
                res.path,
                res,
                addresses,
                Database(res, attached, groups[_SHAPES[res.type].parameter_group_type]),
            )
        )
    for label, group in outside.items():
        first = group[0]
        name = label if label != first.address else None
        addresses = tuple(m.address for m in group)
        found.append(
            Candidate(
                KINDS[CLUSTER],
                first.address,
                name,
                first.vpath("cluster_identifier") if name else first.path,
                first.path,
                first,
                addresses,
                Database(None, tuple(group), {}),
                note=(
                    "terraform-cluster-outside-plan",
                    f"cluster {label} of {', '.join(addresses)} is not in this plan; its "
                    "storage, backups and encryption are not evidenced",
                ),
            )
        )
    return found


def derive(plan: Plan, candidate: Candidate, state: str) -> Facts:
    """The facts of one instance or cluster (``state``: the consent state the final snapshot's
    indefinite retention stands for)."""
    database = candidate.detail
    assert isinstance(database, Database)
    facts = Facts()
    for member in database.members:
        facts.use(member)
    res = database.resource
    if res is None:
        return facts
    facts.use(res)
    aws_support.region(res, facts)
    _backups(plan, res, facts)
    if state != "deleted_by_user":
        _final_snapshot(plan, res, state, facts)
    _at_rest(plan, res, facts)
    _in_transit(plan, database, res, facts)
    return facts


def _backups(plan: Plan, res: Resource, facts: Facts) -> None:
    where = res.vpath("backup_retention_period")
    try:
        raw = known(res, "backup_retention_period")
    except Unknown as exc:
        unknown_note(plan, exc, "retention.deleted_by_user (the backup window)")
        return
    if raw is None:
        return  # not in the export (a plan without after_unknown hides unknown values so)
    days = 0 if raw == 0 else whole(raw)
    if days is None:
        plan.note(
            where,
            f"{res.address}: unrecognised backup_retention_period {raw!r}; "
            "retention.deleted_by_user is left unset",
            "terraform-unrecognised-value",
        )
        return
    facts.put(("retention", "deleted_by_user"), f"{days}d", where)


def _final_snapshot(plan: Plan, res: Resource, state: str, facts: Facts) -> None:
    if res.type == INSTANCE and res.get("replicate_source_db"):
        return  # RDS takes no final snapshot of a read replica
    try:
        skip = known(res, "skip_final_snapshot")
    except Unknown as exc:
        unknown_note(plan, exc, f"retention.{state} (the final snapshot)")
        return
    if skip is not True:
        cited = (
            res.vpath("skip_final_snapshot") if "skip_final_snapshot" in res.values else res.path
        )
        facts.put(("retention", state), "indefinite", cited)


def _at_rest(plan: Plan, res: Resource, facts: Facts) -> None:
    where = res.vpath("storage_encrypted")
    try:
        encrypted = known(res, "storage_encrypted")
        inherits = _inherited_from(res)
    except Unknown as exc:
        if not plan.unset_by_default(res, "storage_encrypted"):
            unknown_note(plan, exc, "encryption at rest")
            return
        encrypted = None  # unset on a new database: the default below
        try:
            inherits = _inherited_from(res)
        except Unknown as inner:
            unknown_note(plan, inner, "encryption at rest")
            return
    if encrypted is not True and inherits:
        plan.note(
            res.vpath(inherits),
            f"{res.address} takes its encryption from its {inherits}, so storage_encrypted "
            "is not evidence of it; encryption at rest is left unset",
            "terraform-inherited-encryption",
        )
        return
    if encrypted is None:
        try:
            encrypted = res.type == CLUSTER and known(res, "engine_mode") == "serverless"
        except Unknown as exc:
            unknown_note(plan, exc, "encryption at rest")
            return
    cited = where if "storage_encrypted" in res.values else res.path
    facts.put(("encryption", "at_rest"), encrypted is True, cited)
    if encrypted is True:
        aws_support.kms_key(plan, facts, res, ("kms_key_id",), "alias/aws/rds")


def _inherited_from(res: Resource) -> str | None:
    """The attribute naming a source whose encryption the database inherits, if set."""
    for attr in (_SHAPES[res.type].source, "snapshot_identifier"):
        value = known(res, attr)
        if isinstance(value, str) and value:
            return attr
    return None


def _in_transit(plan: Plan, database: Database, res: Resource, facts: Facts) -> None:
    shape = _SHAPES[res.type]
    if res.unknown_at(shape.parameter_group) is not None and plan.unset_by_default(
        res, shape.parameter_group
    ):
        return  # the engine's default group, not in the plan
    group, _ = aws_support.named(
        plan, res, shape.parameter_group, database.parameter_groups, (shape.parameter_group_type,)
    )
    if group is None:
        return
    facts.use(group)
    try:
        parameters = known(group, "parameter")
    except Unknown as exc:
        unknown_note(plan, exc, "encryption.in_transit")
        return
    for index, parameter in enumerate(parameters if isinstance(parameters, list) else ()):
        if not isinstance(parameter, dict) or parameter.get("name") not in _TLS_PARAMETERS:
            continue
        value = str(parameter.get("value", "")).strip().lower()
        where = group.vpath("parameter", index, "value")
        if value in _ON:
            facts.put(("encryption", "in_transit"), True, where)
        elif value in _OFF:
            facts.put(("encryption", "in_transit"), False, where)
        return


READER = ResourceReader(
    name="Amazon RDS and Aurora",
    types=frozenset(KINDS),
    candidates=candidates,
    derive=derive,
    configures=frozenset({CLUSTER_INSTANCE, PARAMETER_GROUP, CLUSTER_PARAMETER_GROUP}),
)
