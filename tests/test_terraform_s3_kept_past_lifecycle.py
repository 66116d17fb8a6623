"""What an S3 bucket keeps past its lifecycle window, which the lifecycle alone does not show.

Object Lock: a default retention keeps every object version until it ends, whatever the
lifecycle rules say (lifecycle actions do not remove locked versions); the adapter read only the
lifecycle, so a bucket locked for a year passed a 30-day deletion promise. Versioning: a delete
only makes an object noncurrent, so a window the mapping rule gives (the application deleting
within it) is longer by the noncurrent days. Both raise every window of the store, those its
mapping rule gives included, as copies do."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.terraform_plans import Res, plan, state, write
from tests.test_terraform_adapter import by_id, codes, run

RULES = [{"match": {"address": "*"}, "store": {"data_kinds": ["conversations"]}}]
EXPIRE = {
    "id": "expire",
    "status": "Enabled",
    "filter": [{"prefix": ""}],
    "expiration": [{"days": 30, "date": None, "expired_object_delete_marker": None}],
    "noncurrent_version_expiration": [{"noncurrent_days": 1, "newer_noncurrent_versions": None}],
    "abort_incomplete_multipart_upload": [],
    "transition": [],
    "noncurrent_version_transition": [],
}


def locked_bucket(retention: dict[str, Any]) -> list[Res]:
    """Provider v4+: a versioned bucket expiring objects after 30 days (+1 noncurrent day) and
    an object lock configuration with ``retention`` as its default."""
    name = "chat-locked"
    return [
        Res("aws_s3_bucket.chat", {"bucket": name, "object_lock_enabled": True}),
        Res(
            "aws_s3_bucket_versioning.chat",
            {"bucket": name, "versioning_configuration": [{"status": "Enabled"}]},
        ),
        Res("aws_s3_bucket_lifecycle_configuration.chat", {"bucket": name, "rule": [EXPIRE]}),
        Res(
            "aws_s3_bucket_object_lock_configuration.chat",
            {
                "bucket": name,
                "object_lock_enabled": "Enabled",
                "rule": [{"default_retention": [{"mode": "COMPLIANCE", **retention}]}],
            },
        ),
    ]


def test_a_default_lock_longer_than_the_lifecycle_is_the_retention(tmp_path: Path) -> None:
    _, result = run(write(tmp_path, state(*locked_bucket({"days": 365, "years": None}))), RULES)
    store = by_id(result)["chat-locked"]
    assert store.data["retention"] == {"any": "365d"}
    origin = store.field_origins[("retention", "any")]
    assert origin[-3:] == ("default_retention", 0, "days")
    [warning] = [d for d in result.diagnostics if d.code == "terraform-copy"]
    assert "Object Lock" in warning.message and "COMPLIANCE" in warning.message
    assert "retention any 31d becomes 365d" in warning.message
    assert warning.location.path == origin


def test_a_lock_raises_the_windows_the_rule_gives_too(tmp_path: Path) -> None:
    """The rule says deleted conversations go within 30 days; the lock keeps them a year."""
    rules = [
        {
            "match": {"address": "aws_s3_bucket.chat"},
            "store": {
                "data_kinds": ["conversations"],
                "retention_state": "training_not_allowed",
                "retention": {"deleted_by_user": "30d"},
            },
        }
    ]
    _, result = run(write(tmp_path, state(*locked_bucket({"days": 365, "years": None}))), rules)
    assert by_id(result)["chat-locked"].data["retention"] == {
        "training_not_allowed": "365d",
        "deleted_by_user": "365d",
    }


def test_a_lock_in_years_of_a_provider_v3_bucket(tmp_path: Path) -> None:
    inline = {
        "object_lock_enabled": "Enabled",
        "rule": [{"default_retention": [{"mode": "GOVERNANCE", "days": None, "years": 2}]}],
    }
    expiring = {
        "enabled": True,
        "id": "expire",
        "prefix": "",
        "tags": {},
        "abort_incomplete_multipart_upload_days": 0,
        "expiration": [{"days": 30, "date": "", "expired_object_delete_marker": False}],
        "noncurrent_version_expiration": [{"days": 1}],
        "noncurrent_version_transition": [],
        "transition": [],
    }
    bucket = Res(
        "aws_s3_bucket.chat",
        {
            "bucket": "chat-v3",
            "versioning": [{"enabled": True, "mfa_delete": False}],
            "lifecycle_rule": [expiring],
            "object_lock_configuration": [inline],
            "server_side_encryption_configuration": [],
        },
    )
    _, result = run(write(tmp_path, state(bucket)), RULES)
    assert by_id(result)["chat-v3"].data["retention"] == {"any": "730d"}
    assert "terraform-copy" in codes(result)


def test_a_lock_shorter_than_the_lifecycle_changes_nothing(tmp_path: Path) -> None:
    _, result = run(write(tmp_path, state(*locked_bucket({"days": 7, "years": None}))), RULES)
    assert by_id(result)["chat-locked"].data["retention"] == {"any": "31d"}
    [said] = [d.message for d in result.diagnostics if d.code == "terraform-copy"]
    assert "no retention window of the store is raised by it" in said


def test_a_lock_known_only_after_apply_leaves_the_retention_unset(tmp_path: Path) -> None:
    resources = locked_bucket({"days": None, "years": None})
    lock = resources[-1]
    unknown = {"rule": [{"default_retention": [{"days": True}]}]}
    resources[-1] = Res(lock.address, lock.values, unknown=unknown)
    _, result = run(write(tmp_path, plan(*resources)), RULES)
    assert "retention" not in by_id(result)["chat-locked"].data
    [said] = [d.message for d in result.diagnostics if d.code == "terraform-copy-unknown"]
    assert "default_retention[0].days is known only after apply" in said


# --- versioning keeps what the application deletes ---------------------------------------------


def versioned_bucket(noncurrent: list[dict[str, Any]]) -> list[Res]:
    name = "chat-versioned"
    rule = {**EXPIRE, "noncurrent_version_expiration": noncurrent}
    return [
        Res("aws_s3_bucket.chat", {"bucket": name}),
        Res(
            "aws_s3_bucket_versioning.chat",
            {"bucket": name, "versioning_configuration": [{"status": "Enabled"}]},
        ),
        Res("aws_s3_bucket_lifecycle_configuration.chat", {"bucket": name, "rule": [rule]}),
    ]


DELETED_WITHIN_30_DAYS = [
    {
        "match": {"address": "aws_s3_bucket.chat"},
        "store": {
            "data_kinds": ["conversations"],
            "retention_state": "training_not_allowed",
            "retention": {"deleted_by_user": "30d"},
        },
    }
]


def test_a_versioned_bucket_keeps_what_the_application_deletes_as_noncurrent_versions(
    tmp_path: Path,
) -> None:
    """The rule says the application deletes a user's chats within 30 days; in a versioned
    bucket a delete only adds a delete marker, and the chats stay as noncurrent versions for
    the 60 noncurrent days. The lifecycle's own window counts them already (30 + 60)."""
    resources = versioned_bucket([{"noncurrent_days": 60, "newer_noncurrent_versions": None}])
    _, result = run(write(tmp_path, state(*resources)), DELETED_WITHIN_30_DAYS)
    assert by_id(result)["chat-versioned"].data["retention"] == {
        "training_not_allowed": "90d",
        "deleted_by_user": "90d",
    }
    [said] = [d.message for d in result.diagnostics if d.code == "terraform-copy"]
    assert "noncurrent version" in said and "deleted_by_user 30d becomes 90d" in said


def test_without_noncurrent_expiration_deleted_data_stays(tmp_path: Path) -> None:
    _, result = run(write(tmp_path, state(*versioned_bucket([]))), DELETED_WITHIN_30_DAYS)
    assert by_id(result)["chat-versioned"].data["retention"] == {
        "training_not_allowed": "indefinite",
        "deleted_by_user": "indefinite",
    }


def test_an_unversioned_bucket_or_no_rule_window_says_nothing_more(tmp_path: Path) -> None:
    resources = versioned_bucket([{"noncurrent_days": 60, "newer_noncurrent_versions": None}])
    _, result = run(write(tmp_path, state(*resources)), RULES)
    assert by_id(result)["chat-versioned"].data["retention"] == {"any": "90d"}
    assert "terraform-copy" not in codes(result)
