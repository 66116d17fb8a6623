"""ElastiCache replication groups, clusters and serverless caches: encryption and backups.

The public ``terraform show -json`` documents with ElastiCache resources that were found
cannot be copied here: terraform-compliance/user-friendly-features has no licence,
indeni/cloudrail-knowledge added its plans under a licence that allows reading only, and
patrickchugh/terravision's are AGPL-3.0 and wrapped in that tool's own format. So these plans
are written here; their attribute shapes follow the AWS provider's
(``at_rest_encryption_enabled``, ``transit_encryption_mode``, ``snapshot_retention_limit``,
``replication_group_id``). A real raw state of a Memcached cluster, from snyk/driftctl, is read in
``tests/test_terraform_raw_state.py``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from checker.core.diagnostics import Level
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
from tests.test_terraform_opensearch import SNAPSHOT_HEAD

RULE = [{"match": {"address": "*aws_elasticache_*"}, "store": {"data_kinds": ["chats"]}}]
GROUP = "aws_elasticache_replication_group.sessions"


def group(
    address: str = GROUP, *, config: dict[str, Any] | Configured = AS_CONSTANTS, **values: Any
) -> Res:
    settings = {
        "replication_group_id": "chat-sessions",
        "engine": "redis",
        "at_rest_encryption_enabled": True,
        "transit_encryption_enabled": True,
        "snapshot_retention_limit": 5,
        **values,
    }
    unknown: dict[str, Any] = {"arn": True, "id": True, "member_clusters": True}
    for computed in ("kms_key_id", "transit_encryption_mode", "at_rest_encryption_enabled"):
        if settings.get(computed) is None:
            settings.pop(computed, None)
            unknown[computed] = True
    return Res(address, settings, unknown=unknown, config=config)


def test_encrypted_group_with_its_key_and_a_backup_window(tmp_path: Path) -> None:
    sessions = group(kms_key_id=None)
    config = dict(constants(sessions.values), kms_key_id=arn_ref("aws_kms_key.cache"))
    path = write(tmp_path, plan(kms_key(), group(kms_key_id=None, config=config)))
    _, result = run(path, RULE)
    assert result.diagnostics == []
    store = by_id(result)["chat-sessions"]
    assert store.data["kind"] == "elasticache_replication_group"
    assert store.data["encryption"] == {
        "at_rest": True,
        "key_manager": "aws_kms",
        "key_rotation": "365d",
        "in_transit": True,
    }
    assert store.data["retention"] == {"deleted_by_user": "5d"}
    assert store.field_origins[("retention", "deleted_by_user")][-1] == "snapshot_retention_limit"


def test_without_a_key_elasticache_uses_its_aws_owned_key(tmp_path: Path) -> None:
    _, result = run(write(tmp_path, plan(group(kms_key_id=None))), RULE)
    assert result.diagnostics == []
    assert by_id(result)["chat-sessions"].data["encryption"]["key_manager"] == "aws_owned"


def test_preferred_transit_mode_still_accepts_plain_connections(tmp_path: Path) -> None:
    _, result = run(write(tmp_path, plan(group(transit_encryption_mode="preferred"))), RULE)
    store = by_id(result)["chat-sessions"]
    assert store.data["encryption"]["in_transit"] is False
    assert store.field_origins[("encryption", "in_transit")][-1] == "transit_encryption_mode"


def test_required_transit_mode_is_in_transit(tmp_path: Path) -> None:
    _, result = run(write(tmp_path, plan(group(transit_encryption_mode="required"))), RULE)
    assert by_id(result)["chat-sessions"].data["encryption"]["in_transit"] is True


def test_unencrypted_group_without_backups(tmp_path: Path) -> None:
    sessions = group(
        at_rest_encryption_enabled=False,
        transit_encryption_enabled=False,
        snapshot_retention_limit=0,
    )
    _, result = run(write(tmp_path, plan(sessions)), RULE)
    assert result.diagnostics == []
    store = by_id(result)["chat-sessions"]
    assert store.data["encryption"] == {"at_rest": False, "in_transit": False}
    assert "retention" not in store.data  # no backups says nothing about the cache itself


def test_at_rest_left_to_aws_is_not_evidenced(tmp_path: Path) -> None:
    _, result = run(write(tmp_path, plan(group(at_rest_encryption_enabled=None))), RULE)
    store = by_id(result)["chat-sessions"]
    assert "at_rest" not in store.data["encryption"]
    [warning] = result.diagnostics
    assert (warning.code, warning.level) == ("terraform-unknown-value", Level.WARNING)
    assert "at_rest_encryption_enabled is known only after apply" in warning.message


def cluster(address: str, **values: Any) -> Res:
    unknown: dict[str, Any] = {"arn": True, "id": True, "cache_nodes": True}
    if "replication_group_id" not in values:
        unknown["replication_group_id"] = True
    return Res(address, {"cluster_id": address.split(".")[-1], **values}, unknown=unknown)


def test_memcached_has_no_encryption_at_rest(tmp_path: Path) -> None:
    memcached = cluster(
        "aws_elasticache_cluster.prefs", engine="memcached", transit_encryption_enabled=True
    )
    _, result = run(write(tmp_path, plan(memcached)), RULE)
    assert result.diagnostics == []
    store = by_id(result)["prefs"]
    assert store.data["kind"] == "elasticache_cluster"
    assert store.data["encryption"] == {"at_rest": False, "in_transit": True}
    assert store.field_origins[("encryption", "at_rest")][-1] == "engine"
    assert "retention" not in store.data


def test_a_single_redis_node_has_no_encryption_at_rest(tmp_path: Path) -> None:
    redis = cluster("aws_elasticache_cluster.cache", engine="redis", snapshot_retention_limit=3)
    _, result = run(write(tmp_path, plan(redis)), RULE)
    store = by_id(result)["cache"]
    assert store.data["encryption"] == {"at_rest": False}
    assert store.data["retention"] == {"deleted_by_user": "3d"}


def test_a_member_cluster_is_read_as_its_group(tmp_path: Path) -> None:
    member = Res(
        "aws_elasticache_cluster.replica",
        {"cluster_id": "replica"},
        unknown={"replication_group_id": True, "engine": True},
        config={
            "cluster_id": {"constant_value": "replica"},
            "replication_group_id": {"references": [f"{GROUP}.id", GROUP]},
        },
    )
    rules = [
        {"match": {"address": "aws_elasticache_cluster.*"}, "store": {"data_kinds": ["chats"]}},
    ]
    _, result = run(write(tmp_path, plan(group(), member)), rules)
    assert result.diagnostics == []
    store = by_id(result)["replica"]
    assert store.data["encryption"] == {
        "at_rest": True,
        "key_manager": "aws_owned",
        "in_transit": True,
    }
    assert store.field_origins[("encryption", "at_rest")][:2] == ("resource_changes", 0)


def test_a_member_of_a_group_outside_the_plan_is_not_evidenced(tmp_path: Path) -> None:
    member = cluster("aws_elasticache_cluster.replica", replication_group_id="elsewhere")
    _, result = run(write(tmp_path, plan(member)), RULE)
    assert "encryption" not in by_id(result)["replica"].data
    [warning] = result.diagnostics
    assert warning.code == "terraform-outside-resource"
    assert "member of replication group 'elsewhere'" in warning.message


def test_serverless_caches_are_always_encrypted(tmp_path: Path) -> None:
    serverless = Res(
        "aws_elasticache_serverless_cache.chats",
        {"name": "chat-cache", "engine": "valkey", "snapshot_retention_limit": 7},
        unknown={"arn": True, "kms_key_id": True},
    )
    _, result = run(write(tmp_path, plan(serverless)), RULE)
    assert result.diagnostics == []
    store = by_id(result)["chat-cache"]
    assert store.data["kind"] == "elasticache_serverless_cache"
    assert store.data["encryption"] == {
        "at_rest": True,
        "in_transit": True,
        "key_manager": "aws_owned",
    }
    assert store.data["retention"] == {"deleted_by_user": "7d"}


def test_state_of_a_group_in_a_module(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        state(
            group(
                "module.cache.aws_elasticache_replication_group.sessions",
                kms_key_id="",
                transit_encryption_mode="required",
                snapshot_retention_limit=35,
            ),
        ),
    )
    _, result = run(path, RULE)
    assert result.diagnostics == []
    store = by_id(result)["chat-sessions"]
    assert store.data["encryption"]["key_manager"] == "aws_owned"
    assert store.data["retention"] == {"deleted_by_user": "35d"}


def test_a_configured_key_known_only_after_apply_is_said(tmp_path: Path) -> None:
    config = dict(constants(group().values), kms_key_id={"references": ["var.key"]})
    sessions = group(kms_key_id=None, transit_encryption_mode="required", config=config)
    sessions = Res(sessions.address, sessions.values, sessions.unknown, config, action="update")
    _, result = run(write(tmp_path, plan(sessions)), RULE)
    assert codes(result) == []  # var.key names a key: KMS, its rotation not evidenced
    encryption = by_id(result)["chat-sessions"].data["encryption"]
    assert encryption["key_manager"] == "aws_kms" and "key_rotation" not in encryption


@pytest.mark.parametrize(("limit", "code"), [(14, 0), (35, 1)])
def test_check_of_deleted_data_against_the_backup_window(
    tmp_path: Path, run_cli: CliRunner, monkeypatch: pytest.MonkeyPatch, limit: int, code: int
) -> None:
    """ "Deleted chats are purged within 30 days": a 35-day backup window breaks it."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path, plan(group(snapshot_retention_limit=limit)))
    (tmp_path / "policy.yaml").write_text(DELETION_POLICY, encoding="utf-8")
    (tmp_path / "snapshot.yaml").write_text(
        SNAPSHOT_HEAD
        + "imports:\n  - adapter: terraform\n    path: plan.json\n    rules:\n"
        + "      - match: {address: aws_elasticache_replication_group.*}\n"
        + "        store: {data_kinds: [conversations]}\n",
        encoding="utf-8",
    )
    result = run_cli(
        "check", "--policy", "policy.yaml", "--snapshot", "snapshot.yaml", "--as-of", "2026-11-21"
    )
    assert result.code == code, result.out + result.err
    if code:
        assert "chat-sessions" in result.out and "35d" in result.out


DELETION_POLICY = """\
policy_checker: 1
metadata:
  id: deletion-policy
  title: "Deletion policy"
  version: "1.0"
  effective: "2026-01-01"
  owner: "privacy team"
vocabulary:
  tier_groups:
    consumer: {tiers: [free]}
  data_kinds:
    conversations: {description: "chat transcripts"}
retention:
  - id: deleted-purged-30d
    statement: "Deleted conversations are purged within 30 days"
    data_kinds: [conversations]
    consent_state: deleted_by_user
    max: 30d
"""
