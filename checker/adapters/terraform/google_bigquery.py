"""BigQuery datasets and tables: table and partition expiration, time travel, encryption.

* A dataset's ``default_table_expiration_ms`` applies only to tables created after it is set,
  and a table's own ``expiration_time`` overrides it. So a dataset's window is evidenced only
  when the plan creates the dataset (no table can predate its default) and no table of the plan
  in that dataset sets its own expiration; otherwise the window is left unset with a warning.
  No default at all: ``indefinite`` (tables without their own expiration are kept).
* A table's ``expiration_time`` is a date (ms since the epoch), not a window. It is read as the
  window ``expiration_time - creation_time`` (no row of the table is older than the table) when
  both are known, as in a state; in a plan that creates the table, an expiration it configures
  is only a date (warning), and one it leaves to the service is the dataset's default when the
  dataset is in the plan. ``time_partitioning.expiration_ms`` bounds the data of tables
  partitioned by ingestion time; a partition of a table partitioned by a column (``field``)
  expires by the column's date, which is no window. The shortest bound wins.
* Deleted or changed data stays readable through time travel (``max_time_travel_hours``,
  default 168) and then 7 days in fail-safe: the ``deleted_by_user`` window.
* BigQuery always encrypts at rest: Google-managed keys, or the Cloud KMS key of
  ``encryption_configuration`` / the dataset's ``default_encryption_configuration``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from checker.adapters.terraform.cloud_keys import (
    DAY,
    GOOGLE_KEY,
    duration_text,
    google_key_rotation,
    whole_or_zero,
)
from checker.adapters.terraform.facts import Facts, Unknown, blocks, known, unknown_note
from checker.adapters.terraform.plan import Plan, Resource
from checker.adapters.terraform.reader import Candidate, ResourceReader, per_resource
from checker.core.diagnostics import JsonPath

DATASET = "google_bigquery_dataset"
TABLE = "google_bigquery_table"
DEFAULT_TIME_TRAVEL_HOURS = 168
FAIL_SAFE = 7 * DAY


@dataclass(frozen=True, slots=True)
class Bound:
    """A limit on how long the table's data lives, in seconds, and the path that sets it."""

    seconds: int
    path: JsonPath


def derive(plan: Plan, candidate: Candidate, state: str) -> Facts:
    res, index = candidate.resource, candidate.detail
    assert res is not None and isinstance(index, Datasets)
    facts = Facts()
    facts.use(res)
    location = res.get("location")
    if isinstance(location, str) and location and res.unknown_at("location") is None:
        facts.put(("region",), location.lower(), res.vpath("location"))
    dataset = res if res.type == DATASET else index.of_table.get(id(res))
    if dataset is not None and dataset is not res:
        facts.use(dataset)
    try:
        if res.type == DATASET:
            _dataset_retention(plan, res, index.tables.get(id(res), []), state, facts)
        else:
            _table_retention(plan, res, dataset, state, facts)
    except Unknown as exc:
        unknown_note(plan, exc, "the retention")
    if dataset is not None:
        _time_travel(plan, dataset, state, facts)
    _encryption(plan, res, dataset, facts)
    return facts


@dataclass(frozen=True, slots=True)
class Datasets:
    """Which dataset of the plan each table belongs to, worked out once per plan."""

    of_table: dict[int, Resource]
    tables: dict[int, list[Resource]]


def candidates(plan: Plan) -> list[Candidate]:
    by_id: dict[str, list[Resource]] = {}
    for dataset in plan.of_type(DATASET):
        name = dataset.get("dataset_id")
        if isinstance(name, str):
            by_id.setdefault(name, []).append(dataset)
    index = Datasets({}, {})
    for table in plan.of_type(TABLE):
        owner = _dataset_of(plan, table, by_id)
        if owner is not None:
            index.of_table[id(table)] = owner
            index.tables.setdefault(id(owner), []).append(table)
    found = [
        *per_resource({DATASET: "bigquery_dataset"}, ("dataset_id",))(plan),
        *per_resource({TABLE: "bigquery_table"}, ("table_id",))(plan),
    ]
    return [replace(c, detail=index) for c in found]


def _dataset_of(plan: Plan, table: Resource, by_id: dict[str, list[Resource]]) -> Resource | None:
    """The table's dataset when the plan has it (by ``dataset_id`` or by reference)."""
    wanted = table.get("dataset_id")
    if isinstance(wanted, str) and table.unknown_at("dataset_id") is None:
        project = table.get("project")
        for dataset in by_id.get(wanted, ()):
            other = dataset.get("project")
            if isinstance(project, str) and isinstance(other, str) and project != other:
                continue
            return dataset
        return None
    found = plan.referenced(table, ("dataset_id",), DATASET)
    return found[0] if len(found) == 1 else None


def _ms(res: Resource, *keys: str | int) -> int | None:
    """A positive millisecond count at ``keys`` in whole seconds (rounded up); 0/null: unset."""
    value = whole_or_zero(known(res, *keys))
    return None if not value else -(-value // 1000)


# --- retention -------------------------------------------------------------------------------


def _dataset_retention(
    plan: Plan, dataset: Resource, tables: list[Resource], state: str, facts: Facts
) -> None:
    where = dataset.vpath("default_table_expiration_ms")
    default = _ms(dataset, "default_table_expiration_ms")
    if default is None:
        facts.put(("retention", state), "indefinite", where)
        return
    name = dataset.get("dataset_id")
    if dataset.action != "create":
        plan.note(
            where,
            f"dataset {name}: default_table_expiration_ms applies only to tables created after "
            "it was set, and this dataset already exists, so its tables are not evidenced by "
            "it; the retention is left unset",
            "terraform-dataset-default",
        )
        return
    for table in tables:
        if _expiration_configured(plan, table):
            plan.note(
                table.vpath("expiration_time"),
                f"dataset {name}: table {table.address} sets its own expiration_time, which "
                "overrides the dataset's default; the dataset's retention is left unset",
                "terraform-dataset-default",
            )
            return
    facts.put(("retention", state), duration_text(default), where)
    facts.put(("deletion_schedule", "defined"), True, where)


def _expiration_configured(plan: Plan, table: Resource) -> bool:
    if plan.configured(table, "expiration_time"):
        return True
    return table.unknown_at("expiration_time") is None and bool(
        whole_or_zero(table.get("expiration_time"))
    )


def _table_retention(
    plan: Plan, table: Resource, dataset: Resource | None, state: str, facts: Facts
) -> None:
    bounds: list[Bound] = []
    pending: list[Unknown | str] = []
    _table_expiration(plan, table, dataset, bounds, pending)
    _partition_expiration(table, bounds)
    if bounds:
        shortest = min(bounds, key=lambda b: b.seconds)
        facts.put(("retention", state), duration_text(shortest.seconds), shortest.path)
        facts.put(("deletion_schedule", "defined"), True, shortest.path)
        return
    for reason in pending:
        if isinstance(reason, Unknown):
            unknown_note(plan, reason, "the retention")
        else:
            plan.note(table.vpath("expiration_time"), reason, "terraform-date-expiration")
    if not pending:
        where = table.vpath("expiration_time") if "expiration_time" in table.values else table.path
        facts.put(("retention", state), "indefinite", where)


def _table_expiration(
    plan: Plan,
    table: Resource,
    dataset: Resource | None,
    bounds: list[Bound],
    pending: list[Unknown | str],
) -> None:
    unknown = table.unknown_at("expiration_time")
    if unknown is not None:
        if not plan.unset_by_default(table, "expiration_time"):
            pending.append(Unknown(unknown, f"{table.address}: expiration_time"))
        elif dataset is None:
            pending.append(
                Unknown(
                    unknown,
                    f"{table.address}: expiration_time (the default of dataset "
                    f"{table.get('dataset_id')}, which is not in this plan)",
                )
            )
        else:
            try:
                default = _ms(dataset, "default_table_expiration_ms")
            except Unknown as exc:
                pending.append(exc)
                return
            if default is not None:
                bounds.append(Bound(default, dataset.vpath("default_table_expiration_ms")))
        return
    expires = whole_or_zero(table.get("expiration_time"))
    if not expires:
        return
    created = (
        whole_or_zero(table.get("creation_time")) if not table.unknown_at("creation_time") else None
    )
    if created and expires > created:
        bounds.append(Bound(-(-(expires - created) // 1000), table.vpath("expiration_time")))
    else:
        pending.append(
            f"{table.address}: expiration_time deletes the table on a date ({expires} ms since "
            "the epoch) and its creation time is known only after apply: a date is not a "
            "retention window, so the retention is left unset"
        )


def _partition_expiration(table: Resource, bounds: list[Bound]) -> None:
    """Partitions by ingestion time expire ``expiration_ms`` after their data arrived."""
    if not blocks(table, "time_partitioning"):
        return
    if known(table, "time_partitioning", 0, "field") not in (None, ""):
        return  # partitioned by a column's date, which the application writes
    seconds = _ms(table, "time_partitioning", 0, "expiration_ms")
    if seconds is not None:
        bounds.append(Bound(seconds, table.vpath("time_partitioning", 0, "expiration_ms")))


def _time_travel(plan: Plan, dataset: Resource, state: str, facts: Facts) -> None:
    """Deleted data stays in time travel, then in fail-safe, before it is gone."""
    if state == "deleted_by_user":
        return
    where = dataset.vpath("max_time_travel_hours")
    try:
        hours = whole_or_zero(known(dataset, "max_time_travel_hours"))
    except Unknown as exc:
        if not plan.unset_by_default(dataset, "max_time_travel_hours"):
            unknown_note(plan, exc, "retention.deleted_by_user")
            return
        hours = None
    if not hours:
        hours, where = DEFAULT_TIME_TRAVEL_HOURS, dataset.path
    window = duration_text(hours * 3600 + FAIL_SAFE)
    facts.put(("retention", "deleted_by_user"), window, where)


# --- encryption ------------------------------------------------------------------------------


def _encryption(plan: Plan, res: Resource, dataset: Resource | None, facts: Facts) -> None:
    facts.put(("encryption", "at_rest"), True, res.path)
    if res.type == TABLE and _customer_key(plan, res, facts, "encryption_configuration"):
        return
    if dataset is None:
        return  # the dataset's default key may apply: not evidenced here
    if res.type == TABLE and res.action != "create":
        return  # an existing table keeps the key it was created with
    if res.type == DATASET and res.action != "create":
        plan.note(
            res.path,
            f"dataset {res.get('dataset_id')} already exists and its default encryption applies "
            "only to tables created later; encryption.key_manager is left unset",
            "terraform-dataset-default",
        )
        return
    if not _customer_key(plan, dataset, facts, "default_encryption_configuration"):
        facts.put(("encryption", "key_manager"), "google_managed", dataset.path)


def _customer_key(plan: Plan, owner: Resource, facts: Facts, block: str) -> bool:
    """Whether ``block`` names a Cloud KMS key (recorded with its rotation)."""
    keys = (block, 0, "kms_key_name")
    try:
        if not blocks(owner, block):
            return False
        name = known(owner, *keys)
    except Unknown as exc:
        if not plan.referenced(owner, keys, GOOGLE_KEY):
            unknown_note(plan, exc, "encryption.key_manager")
            return True
        name = None
    if owner.unknown_at(*keys) is None and name in (None, ""):
        return False
    facts.put(("encryption", "key_manager"), "gcp_kms", owner.vpath(*keys))
    google_key_rotation(plan, facts, owner, keys)
    return True


READER = ResourceReader(
    name="Google BigQuery",
    types=frozenset({DATASET, TABLE}),
    candidates=candidates,
    derive=derive,
)
