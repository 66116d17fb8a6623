"""A versioning or replication configuration whose bucket cannot be told (its ``bucket`` known
only after apply, and its configuration naming a module variable or several buckets) was
ignored, so a versioned bucket was judged unversioned and its lifecycle window passed a
promise while noncurrent versions stay forever. Its possible buckets keep no retention window."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.terraform_plans import Res, constant, plan, ref, write
from tests.test_terraform_adapter import by_id, codes, run

RULES = [{"match": {"address": "*"}, "store": {"data_kinds": ["conversations"]}}]
EXPIRE_30_DAYS = {
    "id": "expire",
    "status": "Enabled",
    "filter": [{"prefix": ""}],
    "expiration": [{"days": 30, "date": None, "expired_object_delete_marker": None}],
    "noncurrent_version_expiration": [],
    "abort_incomplete_multipart_upload": [],
    "transition": [],
    "noncurrent_version_transition": [],
}
NEW_BUCKET_UNKNOWN = {"id": True, "arn": True, "versioning": True, "lifecycle_rule": True}


def bucket(address: str, name: str) -> list[Res]:
    """A bucket created by the plan (provider v5) with a 30-day lifecycle configuration."""
    module = address.rpartition(".aws_s3_bucket")[0]
    lifecycle = (
        f"{module}.aws_s3_bucket_lifecycle_configuration"
        if module
        else ("aws_s3_bucket_lifecycle_configuration")
    )
    index = address[address.index("[") :] if "[" in address else ""
    return [
        Res(address, {"bucket": name}, NEW_BUCKET_UNKNOWN, {"bucket": constant(name)}),
        Res(f"{lifecycle}.expire{index}", {"bucket": name, "rule": [EXPIRE_30_DAYS]}),
    ]


def versioning(address: str, bucket_expression: dict[str, Any]) -> Res:
    return Res(
        address,
        {"versioning_configuration": [{"status": "Enabled", "mfa_delete": None}]},
        unknown={"bucket": True, "id": True},
        config={
            "bucket": bucket_expression,
            "versioning_configuration": [{"status": constant("Enabled")}],
        },
    )


def test_a_versioning_set_from_another_module_leaves_the_retention_not_evidenced(
    tmp_path: Path,
) -> None:
    document = plan(
        *bucket("module.store.aws_s3_bucket.chat", "chat-transcripts"),
        versioning("module.backup.aws_s3_bucket_versioning.this", ref("var.bucket_id")),
    )
    _, result = run(write(tmp_path, document), RULES)
    store = by_id(result)["chat-transcripts"].data
    assert "retention" not in store
    [warning] = [d for d in result.diagnostics if d.code == "terraform-copy-unknown"]
    assert "module.backup.aws_s3_bucket_versioning.this" in warning.message
    assert "retention any 30d is not evidenced" in warning.message
    assert warning.location.path == ("resource_changes", 2, "change", "after_unknown", "bucket")


def test_a_versioning_referring_to_several_buckets_may_be_any_of_them(tmp_path: Path) -> None:
    document = plan(
        *bucket("aws_s3_bucket.chat[0]", "chat-0"),
        *bucket("aws_s3_bucket.chat[1]", "chat-1"),
        versioning("aws_s3_bucket_versioning.first", ref("aws_s3_bucket.chat[0].id")),
    )
    _, result = run(write(tmp_path, document), RULES)
    stores = by_id(result)
    assert "retention" not in stores["chat-0"].data
    assert "retention" not in stores["chat-1"].data
    assert codes(result).count("terraform-copy-unknown") == 2


def test_a_bucket_with_a_versioning_of_its_own_is_not_in_doubt(tmp_path: Path) -> None:
    own = Res(
        "aws_s3_bucket_versioning.own",
        {"bucket": "chat-own", "versioning_configuration": [{"status": "Disabled"}]},
    )
    document = plan(
        *bucket("aws_s3_bucket.own", "chat-own"),
        own,
        versioning("aws_s3_bucket_versioning.other", ref("var.bucket_id")),
    )
    _, result = run(write(tmp_path, document), RULES)
    assert by_id(result)["chat-own"].data["retention"] == {"any": "30d"}
    assert "terraform-copy-unknown" not in codes(result)
