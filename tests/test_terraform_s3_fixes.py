"""Two S3 bugs seen on real plans: an inline lifecycle rule whose ``id`` is unknown at plan time
lost its whole retention, and a TLS-only bucket policy counted whatever its ``Resource``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from checker.adapters.terraform.aws_s3 import tls_only_coverage
from tests.terraform_plans import Res, plan, state, write
from tests.test_terraform_adapter import by_id, codes, run

RULES = [{"match": {"address": "*"}, "store": {"data_kinds": ["conversations"]}}]


def v3_bucket(**values: Any) -> dict[str, Any]:
    return {
        "bucket": "chat-logs",
        "force_destroy": False,
        "versioning": [],
        "server_side_encryption_configuration": [],
        "lifecycle_rule": [],
        **values,
    }


RULE = {
    "abort_incomplete_multipart_upload_days": 0,
    "enabled": True,
    "expiration": [{"date": "", "days": 30, "expired_object_delete_marker": False}],
    "noncurrent_version_expiration": [],
    "noncurrent_version_transition": [],
    "prefix": "",
    "tags": {},
    "transition": [],
}


def test_unknown_rule_id_only_changes_the_label(tmp_path: Path) -> None:
    """Provider v3 computes a missing ``lifecycle_rule.id``: unknown in a plan, yet the rule's
    expiration is known and is the bucket's retention."""
    bucket = Res(
        "aws_s3_bucket.chat",
        v3_bucket(lifecycle_rule=[RULE]),
        unknown={"lifecycle_rule": [{"id": True, "expiration": [{}]}], "id": True, "arn": True},
        config={"bucket": {"constant_value": "chat-logs"}, "lifecycle_rule": [{}]},
    )
    doc, result = run(write(tmp_path, plan(bucket)), RULES)
    store = by_id(result)["chat-logs"]
    assert store.data["retention"] == {"any": "30d"}
    assert store.data["deletion_schedule"] == {"defined": True}
    assert doc.get(store.field_origins[("retention", "any")]) == 30
    assert codes(result) == []


def test_unknown_rule_id_of_a_rule_that_only_covers_a_prefix_is_named_by_position(
    tmp_path: Path,
) -> None:
    bucket = Res(
        "aws_s3_bucket.chat",
        v3_bucket(lifecycle_rule=[{**RULE, "prefix": "tmp/"}]),
        unknown={"lifecycle_rule": [{"id": True}]},
        config={"lifecycle_rule": [{}]},
    )
    _, result = run(write(tmp_path, plan(bucket)), RULES)
    assert by_id(result)["chat-logs"].data["retention"] == {"any": "indefinite"}
    [partial] = result.diagnostics
    assert partial.code == "terraform-partial-lifecycle"
    assert "rule #1 expires objects with prefix 'tmp/' after 30d" in partial.message


def test_unknown_expiration_still_leaves_the_retention_unset(tmp_path: Path) -> None:
    bucket = Res(
        "aws_s3_bucket.chat",
        v3_bucket(lifecycle_rule=[{**RULE, "expiration": [{"date": "", "days": None}]}]),
        unknown={"lifecycle_rule": [{"id": True, "expiration": [{"days": True}]}]},
        config={"lifecycle_rule": [{}]},
    )
    _, result = run(write(tmp_path, plan(bucket)), RULES)
    assert "retention" not in by_id(result)["chat-logs"].data
    [warning] = result.diagnostics
    assert warning.code == "terraform-unknown-value"
    assert "lifecycle_rule[0].expiration[0].days is known only after apply" in warning.message


# --- TLS-only bucket policies ------------------------------------------------------------------

DENY = {
    "Effect": "Deny",
    "Principal": "*",
    "Action": "s3:*",
    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
}
BUCKET_ARN = "arn:aws:s3:::chat-logs"


def policy_state(tmp_path: Path, *statements: dict[str, Any]) -> Path:
    document = json.dumps({"Version": "2012-10-17", "Statement": list(statements)})
    return write(
        tmp_path,
        state(
            Res("aws_s3_bucket.chat", v3_bucket(arn=BUCKET_ARN, id="chat-logs")),
            Res("aws_s3_bucket_policy.chat", {"bucket": "chat-logs", "policy": document}),
        ),
    )


@pytest.mark.parametrize(
    "resource",
    [
        [BUCKET_ARN, f"{BUCKET_ARN}/*"],
        "*",
        "arn:aws:s3:::*",
        ["arn:aws:s3:::chat-*"],
        ["arn:aws:s3:::chat-logs*"],
    ],
)
def test_a_deny_covering_the_bucket_and_its_objects_is_tls_only(
    tmp_path: Path, resource: Any
) -> None:
    _, result = run(policy_state(tmp_path, {**DENY, "Resource": resource}), RULES)
    store = by_id(result)["chat-logs"]
    assert store.data["encryption"] == {"in_transit": True}
    assert store.field_origins[("encryption", "in_transit")][-1] == "policy"
    assert codes(result) == []


def test_the_bucket_and_its_objects_may_be_covered_by_two_statements(tmp_path: Path) -> None:
    path = policy_state(
        tmp_path, {**DENY, "Resource": BUCKET_ARN}, {**DENY, "Resource": f"{BUCKET_ARN}/*"}
    )
    _, result = run(path, RULES)
    assert by_id(result)["chat-logs"].data["encryption"] == {"in_transit": True}


@pytest.mark.parametrize(
    ("resource", "covered"),
    [
        ("arn:aws:s3:::/*", "neither the bucket nor its objects"),
        (BUCKET_ARN, "the bucket but not its objects"),
        (f"{BUCKET_ARN}/*", "the objects but not the bucket"),
        (f"{BUCKET_ARN}/private/*", "neither the bucket nor its objects"),
        ("arn:aws:s3:::other-bucket/*", "neither the bucket nor its objects"),
        ("arn:aws:s3:::chat-?ogs/*", "neither the bucket nor its objects"),
    ],
)
def test_a_deny_that_misses_the_bucket_or_its_objects_is_not_tls_only(
    tmp_path: Path, resource: str, covered: str
) -> None:
    _, result = run(policy_state(tmp_path, {**DENY, "Resource": resource}), RULES)
    assert "encryption" not in by_id(result)["chat-logs"].data
    [warning] = result.diagnostics
    assert warning.code == "terraform-partial-tls"
    assert f"covers {covered}" in warning.message
    assert warning.location.path[-1] == "policy"


def test_not_resource_and_a_missing_resource_never_count() -> None:
    targets = (BUCKET_ARN,)
    assert tls_only_coverage({"Statement": {**DENY, "NotResource": "x"}}, targets) == (
        False,
        False,
    )
    assert tls_only_coverage({"Statement": [DENY]}, targets) == (False, False)
    assert tls_only_coverage({"Statement": [{**DENY, "Resource": "*"}]}, targets) == (True, True)
    assert tls_only_coverage({"Statement": [{**DENY, "Resource": "*"}]}, ()) == (False, False)


def test_a_bucket_named_only_after_apply_cannot_be_matched_by_resource(tmp_path: Path) -> None:
    document = json.dumps({"Statement": [{**DENY, "Resource": "arn:aws:s3:::chat-logs/*"}]})
    bucket = Res(
        "aws_s3_bucket.chat",
        v3_bucket(bucket=None, bucket_prefix="chat-", policy=document),
        unknown={"bucket": True, "arn": True, "id": True},
        config={"bucket_prefix": {"constant_value": "chat-"}, "policy": {}},
    )
    _, result = run(write(tmp_path, plan(bucket)), RULES)
    [store] = result.items
    assert "encryption" not in store.data
    [warning] = result.diagnostics
    assert warning.code == "terraform-unknown-value"
    assert "aws_s3_bucket.chat: bucket is known only after apply" in warning.message
    assert "encryption.in_transit" in warning.message
