"""OpenSearch and Elasticsearch domains: encryption at rest and in transit.

The real plan is TerraGoat's, from bridgecrewio/checkov (Apache-2.0, see tests/data/SOURCES.md):
its ``aws_elasticsearch_domain.monitoring-framework`` (Elasticsearch 2.3) sets no encryption
block, so ``encrypt_at_rest``, ``node_to_node_encryption`` and ``domain_endpoint_options`` are
all marked in ``after_unknown``: AWS decides them at apply time, and the plan evidences none.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from checker.core.diagnostics import Level
from tests.conftest import CliRunner
from tests.terraform_plans import Res, arn_ref, kms_key, plan, state, write
from tests.test_terraform_adapter import by_id, codes, fixture, line_of, run

TERRAGOAT = "terraform/checkov-terragoat-plan.json"
RULE = [{"match": {"address": "*search_domain.*"}, "store": {"data_kinds": ["chats"]}}]


def domain(
    address: str = "aws_opensearch_domain.search",
    *,
    at_rest: list[dict[str, object]] | None = None,
    n2n: bool | None = True,
    https: bool | None = True,
    **extra: object,
) -> Res:
    encrypt_at_rest = at_rest if at_rest is not None else [{"enabled": True}]
    values: dict[str, object] = {
        "domain_name": "chat-search",
        "encrypt_at_rest": encrypt_at_rest,
        "node_to_node_encryption": [] if n2n is None else [{"enabled": n2n}],
        "domain_endpoint_options": []
        if https is None
        else [{"enforce_https": https, "tls_security_policy": "Policy-Min-TLS-1-2-2019-07"}],
        **extra,
    }
    unknown: dict[str, object] = {"arn": True, "endpoint": True}
    if not encrypt_at_rest or "kms_key_id" not in encrypt_at_rest[0]:
        unknown["encrypt_at_rest"] = [{"kms_key_id": True}]
    return Res(address, values, unknown=unknown)


def test_terragoat_domain_sets_no_encryption_so_none_is_evidenced() -> None:
    path = fixture(TERRAGOAT)
    _, result = run(path, RULE)
    store = by_id(result)["tg-corp-es"]
    assert store.data == {
        "id": "tg-corp-es",
        "kind": "elasticsearch_domain",
        "data_kinds": ["chats"],
        "source": {
            "file": "checkov-terragoat-plan.json",
            "address": "aws_elasticsearch_domain.monitoring-framework",
            "path": "$.resource_changes[8]",
        },
    }
    assert codes(result) == ["terraform-unknown-value"] * 3
    at_rest, n2n, https = result.diagnostics
    assert "encrypt_at_rest[0].enabled is known only after apply" in at_rest.message
    assert "encryption.at_rest is left unset (not evidenced)" in at_rest.message
    assert at_rest.location.position is not None
    assert at_rest.location.position.line == line_of(
        path, '"encrypt_at_rest": true', '"address": "aws_elasticsearch_domain.monitoring'
    )
    assert "node_to_node_encryption[0].enabled" in n2n.message
    assert "domain_endpoint_options[0].enforce_https" in https.message
    assert all(d.level is Level.WARNING for d in result.diagnostics)


def test_encrypted_domain_with_its_own_rotated_key(tmp_path: Path) -> None:
    search = domain(at_rest=[{"enabled": True, "kms_key_id": None}])
    search = Res(
        search.address,
        search.values,
        unknown={"encrypt_at_rest": [{"kms_key_id": True}]},
        config={
            "domain_name": {"constant_value": "chat-search"},
            "encrypt_at_rest": [
                {"enabled": {"constant_value": True}, "kms_key_id": arn_ref("aws_kms_key.cache")}
            ],
        },
    )
    _, result = run(write(tmp_path, plan(kms_key(), search)), RULE)
    assert result.diagnostics == []
    store = by_id(result)["chat-search"]
    assert store.data["kind"] == "opensearch_domain"
    assert store.data["encryption"] == {
        "at_rest": True,
        "key_manager": "aws_kms",
        "key_rotation": "365d",
        "in_transit": True,
    }
    assert store.field_origins[("encryption", "in_transit")][-3:] == (
        "domain_endpoint_options",
        0,
        "enforce_https",
    )
    assert store.field_origins[("encryption", "key_rotation")][-1] == "enable_key_rotation"


def test_without_a_key_the_aws_managed_es_key_rotates_yearly(tmp_path: Path) -> None:
    _, result = run(write(tmp_path, plan(domain())), RULE)
    assert result.diagnostics == []
    encryption = by_id(result)["chat-search"].data["encryption"]
    assert (encryption["key_manager"], encryption["key_rotation"]) == ("aws_kms", "365d")


@pytest.mark.parametrize(
    ("n2n", "https", "off"),
    [(True, False, "enforce_https"), (False, True, "enabled"), (False, None, "enabled")],
    ids=["http-allowed", "nodes-in-clear", "nodes-in-clear-https-unset"],
)
def test_in_transit_needs_both_node_to_node_and_enforced_https(
    tmp_path: Path, n2n: bool, https: bool | None, off: str
) -> None:
    _, result = run(write(tmp_path, plan(domain(n2n=n2n, https=https))), RULE)
    store = by_id(result)["chat-search"]
    assert store.data["encryption"]["in_transit"] is False
    assert store.field_origins[("encryption", "in_transit")][-1] == off


def test_one_switch_unknown_and_the_other_on_is_not_evidenced(tmp_path: Path) -> None:
    search = domain()
    unknown = dict(search.unknown, node_to_node_encryption=True)
    values = dict(search.values, node_to_node_encryption=[])
    _, result = run(write(tmp_path, plan(Res(search.address, values, unknown=unknown))), RULE)
    assert "in_transit" not in by_id(result)["chat-search"].data["encryption"]
    [warning] = result.diagnostics
    assert warning.code == "terraform-unknown-value"
    assert "node_to_node_encryption[0].enabled" in warning.message


def test_one_switch_unknown_and_the_other_off_is_false_without_a_warning(tmp_path: Path) -> None:
    """The unknown switch cannot change the answer, so nothing is said about it."""
    search = domain(https=False)
    unknown = dict(search.unknown, node_to_node_encryption=True)
    values = dict(search.values, node_to_node_encryption=[])
    _, result = run(write(tmp_path, plan(Res(search.address, values, unknown=unknown))), RULE)
    assert by_id(result)["chat-search"].data["encryption"]["in_transit"] is False
    assert result.diagnostics == []


def test_state_of_a_legacy_domain_in_a_module_without_encryption(tmp_path: Path) -> None:
    legacy = Res(
        "module.search.aws_elasticsearch_domain.logs",
        {
            "domain_name": "chat-logs",
            "encrypt_at_rest": [{"enabled": False, "kms_key_id": ""}],
            "node_to_node_encryption": [{"enabled": False}],
            "domain_endpoint_options": [{"enforce_https": False}],
            "region": "eu-west-1",
        },
    )
    _, result = run(write(tmp_path, state(legacy)), RULE)
    assert result.diagnostics == []
    store = by_id(result)["chat-logs"]
    assert store.data["kind"] == "elasticsearch_domain"
    assert store.data["region"] == "eu-west-1"
    assert store.data["encryption"] == {"at_rest": False, "in_transit": False}
    assert store.field_origins[("encryption", "at_rest")][:5] == (
        "values",
        "root_module",
        "child_modules",
        0,
        "resources",
    )


def test_a_named_key_outside_the_plan_is_kms_without_rotation(tmp_path: Path) -> None:
    arn = "arn:aws:kms:eu-west-1:111122223333:key/abcd"
    search = domain(at_rest=[{"enabled": True, "kms_key_id": arn}])
    _, result = run(write(tmp_path, plan(search)), RULE)
    assert by_id(result)["chat-search"].data["encryption"] == {
        "at_rest": True,
        "key_manager": "aws_kms",
        "in_transit": True,
    }


def test_check_fails_when_the_terragoat_domain_is_declared_to_hold_chats(
    tmp_path: Path, run_cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The domain's encryption is decided by AWS at apply time: "encrypted at rest" is not
    evidenced, so the check fails instead of passing on an empty evidence list."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "plan.json").write_bytes(fixture(TERRAGOAT).read_bytes())
    (tmp_path / "policy.yaml").write_text(SECURITY_POLICY, encoding="utf-8")
    (tmp_path / "snapshot.yaml").write_text(
        SNAPSHOT_HEAD
        + "imports:\n  - adapter: terraform\n    path: plan.json\n    rules:\n"
        + "      - match: {address: aws_elasticsearch_domain.monitoring-framework}\n"
        + "        store: {data_kinds: [conversations]}\n",
        encoding="utf-8",
    )
    result = run_cli(
        "check", "--policy", "policy.yaml", "--snapshot", "snapshot.yaml", "--as-of", "2026-11-21"
    )
    assert result.code == 1, result.out + result.err
    assert "tg-corp-es" in result.out
    assert "not evidenced" in result.out.lower()


SECURITY_POLICY = """\
policy_checker: 1
metadata:
  id: search-policy
  title: "Search policy"
  version: "1.0"
  effective: "2026-01-01"
  owner: "privacy team"
vocabulary:
  tier_groups:
    consumer: {tiers: [free]}
  data_kinds:
    conversations: {description: "chat transcripts"}
security:
  - id: chats-encrypted
    statement: "Chats are encrypted at rest and in transit"
    data_kinds: [conversations]
    encryption_at_rest: required
    encryption_in_transit: required
"""

SNAPSHOT_HEAD = """\
snapshot_format: 1
metadata:
  system: chat
  environment: production
  taken_at: "2026-11-01T00:00:00Z"
"""
