"""Redshift clusters: encryption, ``require_ssl`` of the parameter group, snapshot windows.

The only public ``terraform show -json`` documents with a Redshift cluster found
(indeni/cloudrail-knowledge) were added under a licence that allows reading only, so these
plans are written here, in the AWS provider's shapes
(``parameter`` is a set of ``{name, value}`` objects with string values).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CliRunner
from tests.terraform_plans import (
    AS_CONSTANTS,
    Configured,
    Res,
    arn_ref,
    constants,
    kms_key,
    plan,
    state,
    write,
)
from tests.test_terraform_adapter import by_id, codes, run
from tests.test_terraform_elasticache import DELETION_POLICY
from tests.test_terraform_opensearch import SNAPSHOT_HEAD

RULE = [{"match": {"address": "*aws_redshift_cluster.*"}, "store": {"data_kinds": ["chats"]}}]
PARAMETERS = "aws_redshift_parameter_group.tls"


def cluster(*, config: dict[str, Any] | Configured = AS_CONSTANTS, **values: Any) -> Res:
    settings = {
        "cluster_identifier": "chat-warehouse",
        "encrypted": True,
        "automated_snapshot_retention_period": 7,
        "manual_snapshot_retention_period": -1,
        "snapshot_copy": [],
        **values,
    }
    unknown: dict[str, Any] = {"arn": True, "id": True}
    for computed in ("kms_key_id", "cluster_parameter_group_name"):
        if settings.get(computed) is None:
            settings.pop(computed, None)
            unknown[computed] = True
    return Res("aws_redshift_cluster.warehouse", settings, unknown=unknown, config=config)


def parameter_group(require_ssl: str | None = "true", name: str = "chat-tls") -> Res:
    parameters = [{"name": "enable_user_activity_logging", "value": "true"}]
    if require_ssl is not None:
        parameters.append({"name": "require_ssl", "value": require_ssl})
    return Res(PARAMETERS, {"name": name, "family": "redshift-1.0", "parameter": parameters})


def referring(**values: Any) -> Res:
    """A cluster whose key and parameter group are resources of the plan."""
    base = cluster(**values)
    config = dict(
        constants(base.values),
        kms_key_id=arn_ref("aws_kms_key.cache"),
        cluster_parameter_group_name={"references": [f"{PARAMETERS}.name", PARAMETERS]},
    )
    return cluster(config=config, **values)


def test_encrypted_cluster_with_tls_required_and_a_week_of_snapshots(tmp_path: Path) -> None:
    _, result = run(write(tmp_path, plan(kms_key(), parameter_group(), referring())), RULE)
    assert result.diagnostics == []
    store = by_id(result)["chat-warehouse"]
    assert store.data["kind"] == "redshift_cluster"
    assert store.data["encryption"] == {
        "at_rest": True,
        "key_manager": "aws_kms",
        "key_rotation": "365d",
        "in_transit": True,
    }
    assert store.field_origins[("encryption", "in_transit")] == (
        "resource_changes",
        1,
        "change",
        "after",
        "parameter",
        1,
        "value",
    )
    # manual snapshots (-1: kept until deleted) are not in the plan, so not counted
    assert store.data["retention"] == {"deleted_by_user": "7d"}


def test_unencrypted_cluster_with_tls_off_by_parameter_group_name(tmp_path: Path) -> None:
    warehouse = cluster(encrypted=False, cluster_parameter_group_name="chat-tls")
    _, result = run(write(tmp_path, plan(parameter_group("false"), warehouse)), RULE)
    assert result.diagnostics == []
    assert by_id(result)["chat-warehouse"].data["encryption"] == {
        "at_rest": False,
        "in_transit": False,
    }


@pytest.mark.parametrize(
    ("values", "window", "where"),
    [
        ({"manual_snapshot_retention_period": 30}, "30d", "manual_snapshot_retention_period"),
        ({"snapshot_copy": [{"retention_period": 10}]}, "10d", "retention_period"),
        ({"automated_snapshot_retention_period": 0}, None, None),
    ],
    ids=["manual-longer", "cross-region-copy-longer", "no-automated-snapshots"],
)
def test_the_longest_snapshot_window_is_how_long_deleted_data_lives(
    tmp_path: Path, values: dict[str, Any], window: str | None, where: str | None
) -> None:
    _, result = run(write(tmp_path, plan(cluster(kms_key_id="alias/aws/redshift", **values))), RULE)
    store = by_id(result)["chat-warehouse"]
    if window is None:
        assert "retention" not in store.data
    else:
        assert store.data["retention"] == {"deleted_by_user": window}
        assert store.field_origins[("retention", "deleted_by_user")][-1] == where


def test_tls_is_not_evidenced_by_a_default_or_silent_parameter_group(tmp_path: Path) -> None:
    warehouse = cluster(cluster_parameter_group_name="default.redshift-1.0")
    _, result = run(write(tmp_path, plan(parameter_group(None, name="other"), warehouse)), RULE)
    assert "in_transit" not in by_id(result)["chat-warehouse"].data["encryption"]
    warehouse = cluster(cluster_parameter_group_name="chat-tls")
    _, result = run(write(tmp_path, plan(parameter_group(None), warehouse)), RULE)
    assert "in_transit" not in by_id(result)["chat-warehouse"].data["encryption"]


def test_redshift_s_own_key_is_not_named(tmp_path: Path) -> None:
    """Without ``kms_key_id`` Redshift picks a key the plan does not show."""
    _, result = run(write(tmp_path, plan(cluster())), RULE)
    assert by_id(result)["chat-warehouse"].data["encryption"] == {"at_rest": True}
    [warning] = result.diagnostics
    assert warning.code == "terraform-unknown-value"
    assert "kms_key_id is known only after apply" in warning.message


def test_unrecognised_require_ssl_is_said(tmp_path: Path) -> None:
    warehouse = cluster(cluster_parameter_group_name="chat-tls", kms_key_id="alias/aws/redshift")
    _, result = run(write(tmp_path, plan(parameter_group("sometimes"), warehouse)), RULE)
    assert codes(result) == ["terraform-unrecognised-value"]
    assert "in_transit" not in by_id(result)["chat-warehouse"].data["encryption"]


def test_state_of_a_cluster_in_a_module(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        state(
            Res(
                "module.dw.aws_redshift_parameter_group.tls",
                {"name": "chat-tls", "parameter": [{"name": "require_ssl", "value": "TRUE"}]},
            ),
            Res(
                "module.dw.aws_redshift_cluster.warehouse",
                {
                    "cluster_identifier": "chat-warehouse",
                    "encrypted": True,
                    "kms_key_id": "arn:aws:kms:eu-west-1:111122223333:key/k",
                    "cluster_parameter_group_name": "chat-tls",
                    "automated_snapshot_retention_period": 1,
                    "manual_snapshot_retention_period": -1,
                    "region": "eu-west-1",
                },
            ),
        ),
    )
    _, result = run(path, RULE)
    assert result.diagnostics == []
    store = by_id(result)["chat-warehouse"]
    assert store.data["region"] == "eu-west-1"
    assert store.data["encryption"] == {
        "at_rest": True,
        "key_manager": "aws_kms",
        "in_transit": True,
    }
    assert store.data["retention"] == {"deleted_by_user": "1d"}


@pytest.mark.parametrize(("manual", "code"), [(-1, 0), (90, 1)])
def test_check_of_deleted_data_against_manual_snapshots(
    tmp_path: Path, run_cli: CliRunner, monkeypatch: pytest.MonkeyPatch, manual: int, code: int
) -> None:
    monkeypatch.chdir(tmp_path)
    write(
        tmp_path,
        plan(cluster(kms_key_id="alias/aws/redshift", manual_snapshot_retention_period=manual)),
    )
    (tmp_path / "policy.yaml").write_text(DELETION_POLICY, encoding="utf-8")
    (tmp_path / "snapshot.yaml").write_text(
        SNAPSHOT_HEAD
        + "imports:\n  - adapter: terraform\n    path: plan.json\n    rules:\n"
        + "      - match: {address: aws_redshift_cluster.warehouse}\n"
        + "        store: {data_kinds: [conversations]}\n",
        encoding="utf-8",
    )
    result = run_cli(
        "check", "--policy", "policy.yaml", "--snapshot", "snapshot.yaml", "--as-of", "2026-11-21"
    )
    assert result.code == code, result.out + result.err
    if code:
        assert "chat-warehouse" in result.out and "90d" in result.out
