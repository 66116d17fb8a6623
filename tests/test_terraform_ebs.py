"""EBS volumes: ``encrypted``, the volume's KMS key and the account's encryption by default.

The real plan is fugue/regula's ``volume_encrypted_infra.json`` (Apache-2.0, see
tests/data/SOURCES.md): ``aws_ebs_volume.bad`` sets ``encrypted = false``, ``good`` sets it to
true without a key (so ``kms_key_id`` is known only after apply: the region's default EBS key),
and ``missing`` leaves it unset, which ``after_unknown`` marks: AWS decides at apply time,
from an account setting the plan does not hold. TerraGoat's plan (checkov) has such a volume too.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CliRunner
from tests.terraform_plans import Res, arn_ref, kms_key, plan, state, write
from tests.test_terraform_adapter import by_id, codes, fixture, line_of, run
from tests.test_terraform_opensearch import SECURITY_POLICY, SNAPSHOT_HEAD

REGULA = "terraform/regula-ebs-volume-encrypted.json"
RULE = [{"match": {"address": "*aws_ebs_volume.*"}, "store": {"data_kinds": ["chats"]}}]


def volume(address: str = "aws_ebs_volume.chats", **values: Any) -> Res:
    unknown = {"arn": True, "id": True, "kms_key_id": True}
    if "encrypted" not in values:
        unknown["encrypted"] = True
    if values.get("kms_key_id"):
        del unknown["kms_key_id"]
    return Res(address, {"availability_zone": "eu-west-1a", "size": 40, **values}, unknown=unknown)


def by_default(address: str = "aws_ebs_encryption_by_default.on", **values: Any) -> Res:
    return Res(address, {"enabled": True, **values}, unknown={"id": True})


def test_regula_volumes_encrypted_unencrypted_and_left_to_aws() -> None:
    path = fixture(REGULA)
    _, result = run(path, RULE)
    stores = by_id(result)
    assert stores["aws_ebs_volume-bad"].data["encryption"] == {"at_rest": False}
    assert stores["aws_ebs_volume-good"].data["encryption"] == {
        "at_rest": True,
        "key_manager": "aws_kms",
    }
    assert "encryption" not in stores["aws_ebs_volume-missing"].data
    assert stores["aws_ebs_volume-missing"].data["kind"] == "ebs_volume"
    [warning] = result.diagnostics
    assert warning.code == "terraform-unknown-value"
    assert "aws_ebs_volume.missing: encrypted is known only after apply" in warning.message
    assert warning.location.position is not None
    assert warning.location.position.line == line_of(
        path, '"encrypted": true', '"address": "aws_ebs_volume.missing",\n      "mode"'
    )
    origin = stores["aws_ebs_volume-bad"].field_origins[("encryption", "at_rest")]
    assert origin == ("resource_changes", 0, "change", "after", "encrypted")


def test_terragoat_volume_without_encrypted_is_not_evidenced() -> None:
    _, result = run(fixture("terraform/checkov-terragoat-plan.json"), RULE)
    store = by_id(result)["aws_ebs_volume-web_host_storage"]
    assert "encryption" not in store.data
    assert codes(result) == ["terraform-unknown-value"]


def test_encryption_by_default_in_the_plan_covers_volumes_that_leave_it_unset(
    tmp_path: Path,
) -> None:
    _, result = run(write(tmp_path, plan(by_default(), volume())), RULE)
    assert result.diagnostics == []
    store = by_id(result)["aws_ebs_volume-chats"]
    assert store.data["encryption"] == {"at_rest": True, "key_manager": "aws_kms"}
    assert store.field_origins[("encryption", "at_rest")] == (
        "resource_changes",
        0,
        "change",
        "after",
        "enabled",
    )


def test_encryption_by_default_for_the_volume_s_own_region_counts(tmp_path: Path) -> None:
    path = write(tmp_path, plan(by_default(region="eu-west-1"), volume(region="eu-west-1")))
    _, result = run(path, RULE)
    assert by_id(result)["aws_ebs_volume-chats"].data["encryption"]["at_rest"] is True


@pytest.mark.parametrize(
    "default",
    [
        by_default(enabled=False),
        Res("aws_ebs_encryption_by_default.on", {"enabled": True}, provider="aws.west"),
        by_default("module.other.aws_ebs_encryption_by_default.on"),
        by_default(region="us-east-1"),
        by_default(region=None),
    ],
    ids=["disabled", "other-provider", "other-module", "other-region", "provider-region"],
)
def test_encryption_by_default_elsewhere_does_not_count(tmp_path: Path, default: Res) -> None:
    """With provider v6's ``region`` argument, a default for one region says nothing about a
    volume in another, nor about one that follows the provider's region."""
    chats = volume(region="eu-west-1")
    _, result = run(write(tmp_path, plan(default, chats)), RULE)
    assert "encryption" not in by_id(result)["aws_ebs_volume-chats"].data
    assert codes(result) == ["terraform-unknown-value"]


def test_an_explicit_false_is_read_as_false_even_with_the_default_on(tmp_path: Path) -> None:
    """AWS would encrypt it anyway; reading the plan's false can only fail, never falsely pass."""
    _, result = run(write(tmp_path, plan(by_default(), volume(encrypted=False))), RULE)
    assert by_id(result)["aws_ebs_volume-chats"].data["encryption"] == {"at_rest": False}


def test_the_default_key_of_the_plan_gives_the_rotation(tmp_path: Path) -> None:
    default_key = Res(
        "aws_ebs_default_kms_key.chats",
        {"key_arn": None},
        unknown={"key_arn": True, "id": True},
        config={"key_arn": arn_ref("aws_kms_key.cache")},
    )
    path = write(tmp_path, plan(kms_key(rotation=False), default_key, volume(encrypted=True)))
    _, result = run(path, RULE)
    assert result.diagnostics == []
    assert by_id(result)["aws_ebs_volume-chats"].data["encryption"] == {
        "at_rest": True,
        "key_manager": "aws_kms",
        "key_rotation": "indefinite",
    }


@pytest.mark.parametrize(
    ("key", "rotation"),
    [("alias/aws/ebs", "365d"), ("arn:aws:kms:eu-west-1:111122223333:key/other", None)],
    ids=["aws-managed", "outside-the-plan"],
)
def test_a_named_key(tmp_path: Path, key: str, rotation: str | None) -> None:
    _, result = run(write(tmp_path, plan(volume(encrypted=True, kms_key_id=key))), RULE)
    encryption = by_id(result)["aws_ebs_volume-chats"].data["encryption"]
    assert encryption["key_manager"] == "aws_kms"
    assert encryption.get("key_rotation") == rotation


def test_a_key_created_by_the_plan_is_found_by_reference(tmp_path: Path) -> None:
    chats = volume(encrypted=True)
    chats = Res(
        chats.address,
        chats.values,
        unknown=chats.unknown,
        config={
            "encrypted": {"constant_value": True},
            "kms_key_id": arn_ref("aws_kms_key.cache"),
        },
    )
    _, result = run(write(tmp_path, plan(kms_key(), chats)), RULE)
    assert by_id(result)["aws_ebs_volume-chats"].data["encryption"]["key_rotation"] == "365d"


def test_state_of_volumes_in_a_module(tmp_path: Path) -> None:
    arn = "arn:aws:kms:eu-west-1:111122223333:key/k1"
    path = write(
        tmp_path,
        state(
            Res(
                "aws_kms_key.k1",
                {
                    "arn": arn,
                    "key_id": "k1",
                    "enable_key_rotation": True,
                    "rotation_period_in_days": 90,
                },
            ),
            Res(
                "module.data.aws_ebs_volume.chats",
                {"id": "vol-0123", "encrypted": True, "kms_key_id": arn, "region": "eu-west-1"},
            ),
        ),
    )
    _, result = run(path, RULE)
    assert result.diagnostics == []
    store = by_id(result)["vol-0123"]
    assert store.data["region"] == "eu-west-1"
    assert store.data["encryption"] == {
        "at_rest": True,
        "key_manager": "aws_kms",
        "key_rotation": "90d",
    }


@pytest.mark.parametrize(
    ("address", "code"), [("aws_ebs_volume.good", 0), ("aws_ebs_volume.bad", 1)]
)
def test_check_passes_or_fails_on_regula_volumes(
    tmp_path: Path,
    run_cli: CliRunner,
    monkeypatch: pytest.MonkeyPatch,
    address: str,
    code: int,
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "plan.json").write_bytes(fixture(REGULA).read_bytes())
    (tmp_path / "policy.yaml").write_text(
        SECURITY_POLICY.replace(
            "encryption_in_transit: required", "encryption_in_transit: not_required"
        ),
        encoding="utf-8",
    )
    (tmp_path / "snapshot.yaml").write_text(
        SNAPSHOT_HEAD
        + "imports:\n  - adapter: terraform\n    path: plan.json\n    rules:\n"
        + f"      - match: {{address: {address}}}\n"
        + "        store: {data_kinds: [conversations]}\n",
        encoding="utf-8",
    )
    result = run_cli(
        "check", "--policy", "policy.yaml", "--snapshot", "snapshot.yaml", "--as-of", "2026-11-21"
    )
    assert result.code == code, result.out + result.err
    if code:
        assert "aws_ebs_volume-bad" in result.out and "at rest" in result.out
