"""RDS DB instances and Aurora clusters (checker/adapters/terraform/aws_rds.py): backups,
final snapshots, storage encryption and TLS-only parameter groups, on small plans and states
and on real plans from bridgecrewio/checkov (Apache-2.0) and terraform-compliance/cli (MIT);
see tests/data/SOURCES.md."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.terraform_plans import Config, Res, constant, plan, ref, state, write
from tests.test_terraform_adapter import FIXTURES, by_id, codes, run

ALL = [{"match": {"address": "*"}, "store": {"data_kinds": ["chats"]}}]
REAL = FIXTURES / "terraform"


def instance(values: dict[str, Any], config: Config = None, **kw: Any) -> Res:
    """Not in the plan's configuration unless ``config`` says otherwise."""
    base = {
        "identifier": "chat-db",
        "storage_encrypted": True,
        "kms_key_id": "",
        "backup_retention_period": 7,
        "skip_final_snapshot": True,
        "replicate_source_db": None,
        "snapshot_identifier": None,
    }
    return Res("aws_db_instance.chat", {**base, **values}, config=config, **kw)


def cluster(values: dict[str, Any], config: Config = None, **kw: Any) -> Res:
    """Not in the plan's configuration unless ``config`` says otherwise."""
    base = {
        "cluster_identifier": "chat-aurora",
        "engine": "aurora-postgresql",
        "engine_mode": "provisioned",
        "storage_encrypted": True,
        "kms_key_id": "",
        "backup_retention_period": 14,
        "skip_final_snapshot": True,
        "replication_source_identifier": None,
        "snapshot_identifier": None,
    }
    return Res("aws_rds_cluster.chat", {**base, **values}, config=config, **kw)


def imported(
    tmp_path: Path, document: dict[str, Any], rules: list[dict[str, Any]] = ALL
) -> tuple[dict[str, dict[str, Any]], list[str]]:
    _, result = run(write(tmp_path, document), rules)
    return {k: v.data for k, v in by_id(result).items()}, codes(result)


@pytest.mark.parametrize("build", [plan, state], ids=["plan", "state"])
def test_backups_are_the_window_after_deletion(tmp_path: Path, build: Any) -> None:
    stores, said = imported(tmp_path, build(instance({})))
    data = stores["chat-db"]
    assert data["kind"] == "rds_db_instance"
    assert data["retention"] == {"deleted_by_user": "7d"}  # nothing expires live rows
    assert "deletion_schedule" not in data
    assert data["encryption"] == {"at_rest": True, "key_manager": "aws_kms", "key_rotation": "365d"}
    assert said == []


def test_no_backups_keep_nothing_after_deletion(tmp_path: Path) -> None:
    stores, _ = imported(tmp_path, state(instance({"backup_retention_period": 0})))
    assert stores["chat-db"]["retention"] == {"deleted_by_user": "0d"}


def test_a_final_snapshot_keeps_everything_indefinitely(tmp_path: Path) -> None:
    rules = [
        {
            "match": {"address": "*"},
            "store": {"data_kinds": ["c"], "retention_state": "training_allowed"},
        }
    ]
    document = state(
        instance({"skip_final_snapshot": False, "final_snapshot_identifier": "chat-final"})
    )
    doc, result = run(write(tmp_path, document), rules)
    [item] = result.items
    assert item.data["retention"] == {"deleted_by_user": "7d", "training_allowed": "indefinite"}
    assert doc.locate(item.field_origins[("retention", "training_allowed")]).path[-1] == (
        "skip_final_snapshot"
    )


def test_the_final_snapshot_holds_no_deleted_rows(tmp_path: Path) -> None:
    rules = [
        {
            "match": {"address": "*"},
            "store": {"data_kinds": ["c"], "retention_state": "deleted_by_user"},
        }
    ]
    stores, _ = imported(tmp_path, state(instance({"skip_final_snapshot": False})), rules)
    assert stores["chat-db"]["retention"] == {"deleted_by_user": "7d"}


def test_keeping_automated_backups_changes_no_window(tmp_path: Path) -> None:
    stores, _ = imported(tmp_path, state(instance({"delete_automated_backups": False})))
    assert stores["chat-db"]["retention"] == {"deleted_by_user": "7d"}


@pytest.mark.parametrize("encrypted", [False, None], ids=["false", "null"])
def test_unencrypted_by_default(tmp_path: Path, encrypted: bool | None) -> None:
    stores, _ = imported(tmp_path, state(instance({"storage_encrypted": encrypted})))
    assert stores["chat-db"]["encryption"] == {"at_rest": False}


def test_unknown_encryption_is_not_evidenced(tmp_path: Path) -> None:
    res = instance(
        {"storage_encrypted": None},
        unknown={"storage_encrypted": True},
        config={"storage_encrypted": ref("var.enc")},
    )
    stores, said = imported(tmp_path, plan(res))
    assert "encryption" not in stores["chat-db"]
    assert said == ["terraform-unknown-value"]


@pytest.mark.parametrize(
    "source",
    [{"replicate_source_db": "chat-primary"}, {"snapshot_identifier": "chat-2026-01-01"}],
    ids=["replica", "restored"],
)
def test_inherited_encryption_is_not_read_from_storage_encrypted(
    tmp_path: Path, source: dict[str, str]
) -> None:
    stores, said = imported(tmp_path, state(instance({"storage_encrypted": False, **source})))
    assert "encryption" not in stores["chat-db"]
    assert said == ["terraform-inherited-encryption"]


def test_customer_key_of_the_plan(tmp_path: Path) -> None:
    key = Res(
        "aws_kms_key.db",
        {"enable_key_rotation": True, "rotation_period_in_days": 180},
        {"arn": True},
        {"rotation_period_in_days": constant(180), "enable_key_rotation": constant(True)},
    )
    res = instance(
        {"kms_key_id": None},
        unknown={"kms_key_id": True},
        config={"kms_key_id": ref("aws_kms_key.db.arn", "aws_kms_key.db")},
    )
    stores, said = imported(tmp_path, plan(res, key))
    assert stores["chat-db"]["encryption"] == {
        "at_rest": True,
        "key_manager": "aws_kms",
        "key_rotation": "180d",
    }
    assert said == []


@pytest.mark.parametrize(
    ("parameter", "value", "expected"),
    [
        ("rds.force_ssl", "1", True),
        ("require_secure_transport", "ON", True),
        ("rds.force_ssl", "0", False),
        ("require_secure_transport", "OFF", False),
    ],
)
def test_parameter_group_forcing_tls(
    tmp_path: Path, parameter: str, value: str, expected: bool
) -> None:
    group = Res(
        "aws_db_parameter_group.tls",
        {
            "name": "chat-tls",
            "parameter": [
                {"name": "log_statement", "value": "all"},
                {"name": parameter, "value": value, "apply_method": "immediate"},
            ],
        },
    )
    stores, _ = imported(tmp_path, state(instance({"parameter_group_name": "chat-tls"}), group))
    assert stores["chat-db"]["encryption"]["in_transit"] is expected


def test_default_parameter_group_is_not_evidence(tmp_path: Path) -> None:
    stores, said = imported(
        tmp_path, state(instance({"parameter_group_name": "default.postgres16"}))
    )
    assert "in_transit" not in stores["chat-db"]["encryption"]
    assert said == []


def test_cluster_parameter_group_by_reference(tmp_path: Path) -> None:
    group = Res(
        "aws_rds_cluster_parameter_group.tls",
        {"name": "chat-tls", "parameter": [{"name": "rds.force_ssl", "value": "1"}]},
        config={"name": constant("chat-tls")},
    )
    res = cluster(
        {},
        unknown={"db_cluster_parameter_group_name": True},
        config={
            "db_cluster_parameter_group_name": ref(
                "aws_rds_cluster_parameter_group.tls.name", "aws_rds_cluster_parameter_group.tls"
            )
        },
    )
    stores, said = imported(tmp_path, plan(res, group))
    data = stores["chat-aurora"]
    assert data["kind"] == "rds_cluster"
    assert data["retention"] == {"deleted_by_user": "14d"}
    assert data["encryption"] == {
        "at_rest": True,
        "in_transit": True,
        "key_manager": "aws_kms",
        "key_rotation": "365d",
    }
    assert said == []


def test_serverless_cluster_is_always_encrypted(tmp_path: Path) -> None:
    stores, _ = imported(
        tmp_path, state(cluster({"engine_mode": "serverless", "storage_encrypted": None}))
    )
    assert stores["chat-aurora"]["encryption"]["at_rest"] is True


def test_cluster_instances_are_part_of_their_cluster(tmp_path: Path) -> None:
    """A rule naming a cluster instance declares the cluster: its storage is the cluster's."""
    member = Res(
        "aws_rds_cluster_instance.one",
        {"identifier": "chat-aurora-1", "cluster_identifier": "chat-aurora"},
    )
    rules = [{"match": {"address": "aws_rds_cluster_instance.*"}, "store": {"data_kinds": ["c"]}}]
    _, result = run(write(tmp_path, state(cluster({}), member)), rules)
    [item] = result.items
    assert item.data["source"]["address"] == "aws_rds_cluster.chat"
    assert item.data["retention"] == {"deleted_by_user": "14d"}
    assert codes(result) == []


def test_a_cluster_instance_whose_cluster_is_elsewhere_is_a_store_without_evidence(
    tmp_path: Path,
) -> None:
    member = Res(
        "aws_rds_cluster_instance.one",
        {"identifier": "x-1", "cluster_identifier": "shared-aurora"},
    )
    _, result = run(write(tmp_path, state(member)), ALL)
    [item] = result.items
    assert item.data["id"] == "shared-aurora"
    assert set(item.data) == {"id", "kind", "data_kinds", "source"}  # nothing evidenced
    assert codes(result) == ["terraform-cluster-outside-plan"]


def test_a_database_in_a_module(tmp_path: Path) -> None:
    res = Res("module.data.aws_db_instance.chat", instance({}).values, config={})
    stores, _ = imported(tmp_path, plan(res))
    assert stores["chat-db"]["source"]["address"] == "module.data.aws_db_instance.chat"


def test_unknown_backup_window_is_not_evidenced(tmp_path: Path) -> None:
    res = instance(
        {"backup_retention_period": None}, unknown={"backup_retention_period": True}, config={}
    )
    stores, said = imported(tmp_path, plan(res))
    assert "retention" not in stores["chat-db"]
    assert said == ["terraform-unknown-value"]


# --- real plans -------------------------------------------------------------------------------


def test_real_plan_the_unencrypted_chat_database_of_the_issue() -> None:
    """checkov tests/terraform/runner/resources/plan/tfplan.json: ``aws_db_instance.default``
    with ``storage_encrypted: false``, ``backup_retention_period: 0``,
    ``skip_final_snapshot: true`` and a parameter group of the plan that sets only character
    sets. Before this reader it was dropped and "encrypted at rest" passed."""
    rules = [{"match": {"address": "aws_db_instance.default"}, "store": {"data_kinds": ["c"]}}]
    _, result = run(REAL / "checkov-terragoat-plan.json", rules)
    [item] = result.items
    assert item.data["id"] == "rds-123456789123-acme-corp"
    assert item.data["encryption"] == {"at_rest": False}
    assert item.data["retention"] == {"deleted_by_user": "0d"}
    assert codes(result) == []


def test_real_plan_mysql_instance_with_default_parameter_group() -> None:
    """terraform-compliance tests/functional/test_issue_401: a new MySQL instance without
    ``storage_encrypted`` (null: unencrypted), ``skip_final_snapshot: false``, the
    ``backup_retention_period`` computed by AWS (unknown) and ``default.mysql5.7``."""
    _, result = run(REAL / "tfc-rds-instance-mysql.json", ALL)
    [item] = result.items
    assert item.data["id"] == "aws_db_instance-default"  # identifier unknown until apply
    assert item.data["encryption"] == {"at_rest": False}
    assert item.data["retention"] == {"any": "indefinite"}
    assert codes(result) == ["terraform-unknown-value"]


@pytest.mark.parametrize(
    ("name", "days"),
    [("tfc-aurora-cluster-mysql.json", "5d"), ("tfc-aurora-cluster-unknown-encryption.json", "1d")],
)
def test_real_plan_aurora_clusters_without_storage_encryption(name: str, days: str) -> None:
    """terraform-compliance tests/functional/test_issue-120 and test_issue-438: provisioned
    Aurora clusters that do not set ``storage_encrypted`` (null in one, computed and unknown in
    the other: the provider's default for provisioned clusters is false), with a final
    snapshot and 5 and 1 days of backups."""
    _, result = run(REAL / name, ALL)
    [item] = result.items
    assert item.data["id"] == "aurora-cluster-demo"
    assert item.data["encryption"] == {"at_rest": False}
    assert item.data["retention"] == {"deleted_by_user": days, "any": "indefinite"}
    assert codes(result) == []


def test_a_backup_window_missing_from_the_export_is_not_zero(tmp_path: Path) -> None:
    """planned_values alone leave out values known only after apply: absent is not "no
    backups"."""
    stores, _ = imported(tmp_path, state(instance({"backup_retention_period": None})))
    assert "deleted_by_user" not in stores["chat-db"].get("retention", {})


def test_a_read_replica_leaves_no_final_snapshot(tmp_path: Path) -> None:
    replica = instance({"replicate_source_db": "chat-primary", "skip_final_snapshot": False})
    stores, _ = imported(tmp_path, state(replica))
    assert stores["chat-db"]["retention"] == {"deleted_by_user": "7d"}
