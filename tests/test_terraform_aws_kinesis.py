"""Kinesis data streams and Firehose delivery streams (checker/adapters/terraform/
aws_kinesis.py) on small plans and states, and Firehose on a real plan from
terraform-compliance/cli (tests/data/fixtures/terraform/tfc-firehose-extended-s3.json, MIT,
commit a97732ae86f3d11b90cc113ecd1537773be583e3; see tests/data/SOURCES.md). No public plan or
state with a data stream (``aws_kinesis_stream``) under a licence that allows copying it was
found, so data streams are tested on the small plans alone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CliRunner
from tests.input_samples import AS_OF
from tests.terraform_plans import (
    Config,
    Res,
    check_beside_export,
    constant,
    plan,
    ref,
    state,
    write,
)
from tests.test_terraform_adapter import FIXTURES, by_id, codes, run

ALL = [{"match": {"address": "*"}, "store": {"data_kinds": ["events"]}}]


def stream(values: dict[str, Any], config: Config = None, **kw: Any) -> Res:
    """Not in the plan's configuration unless ``config`` says otherwise."""
    return Res("aws_kinesis_stream.events", {"name": "chat-events", **values}, config=config, **kw)


def firehose(values: dict[str, Any], config: Config = None, **kw: Any) -> Res:
    """Not in the plan's configuration unless ``config`` says otherwise."""
    return Res(
        "aws_kinesis_firehose_delivery_stream.archive",
        {"name": "chat-archive", **values},
        config=config,
        **kw,
    )


def imported(
    tmp_path: Path, document: dict[str, Any]
) -> tuple[dict[str, dict[str, Any]], list[str], list[str]]:
    _, result = run(write(tmp_path, document), ALL)
    stores = {k: v.data for k, v in by_id(result).items()}
    return stores, codes(result), [d.message for d in result.diagnostics]


@pytest.mark.parametrize("build", [plan, state], ids=["plan", "state"])
def test_stream_retention_in_hours_and_kms(tmp_path: Path, build: Any) -> None:
    values = {"retention_period": 168, "encryption_type": "KMS", "kms_key_id": "alias/aws/kinesis"}
    stores, said, _ = imported(tmp_path, build(stream(values)))
    data = stores["chat-events"]
    assert data["kind"] == "kinesis_stream"
    assert data["retention"] == {"any": "168h"}
    assert data["deletion_schedule"] == {"defined": True}
    assert data["encryption"] == {"at_rest": True, "key_manager": "aws_kms", "key_rotation": "365d"}
    assert said == []


def test_default_stream_keeps_24_hours_unencrypted(tmp_path: Path) -> None:
    stores, _, _ = imported(
        tmp_path, state(stream({"retention_period": 24, "encryption_type": "NONE"}))
    )
    assert stores["chat-events"]["retention"] == {"any": "24h"}
    assert stores["chat-events"]["encryption"] == {"at_rest": False}


def test_stream_key_of_the_plan_gives_its_rotation(tmp_path: Path) -> None:
    key = Res("aws_kms_key.k", {"enable_key_rotation": False}, {"arn": True, "id": True}, {})
    res = stream(
        {"retention_period": 48, "encryption_type": "KMS"},
        unknown={"kms_key_id": True},
        config={"kms_key_id": ref("aws_kms_key.k.arn", "aws_kms_key.k")},
    )
    stores, said, _ = imported(tmp_path, plan(res, key))
    assert stores["chat-events"]["encryption"] == {
        "at_rest": True,
        "key_manager": "aws_kms",
        "key_rotation": "indefinite",
    }
    assert said == []


def test_unknown_stream_retention_is_not_evidenced(tmp_path: Path) -> None:
    res = stream({"encryption_type": "NONE"}, unknown={"retention_period": True}, config={})
    stores, said, _ = imported(tmp_path, plan(res))
    assert "retention" not in stores["chat-events"]
    assert said == ["terraform-unknown-value"]


def test_firehose_records_no_retention_and_names_its_bucket(tmp_path: Path) -> None:
    bucket = Res("aws_s3_bucket.archive", {"bucket": "chat-archive-bucket"}, {"arn": True}, {})
    res = firehose(
        {
            "destination": "extended_s3",
            "extended_s3_configuration": [{"buffering_interval": 300}],
            "server_side_encryption": [{"enabled": True, "key_type": "AWS_OWNED_CMK"}],
        },
        unknown={"extended_s3_configuration": [{"bucket_arn": True}]},
        config={
            "extended_s3_configuration": [
                {"bucket_arn": ref("aws_s3_bucket.archive.arn", "aws_s3_bucket.archive")}
            ]
        },
    )
    _, result = run(
        write(tmp_path, plan(bucket, res)),
        [{"match": {"address": "aws_kinesis_firehose*"}, "store": {"data_kinds": ["events"]}}],
    )
    [item] = result.items
    assert item.data["kind"] == "firehose_delivery_stream"
    assert "retention" not in item.data and "deletion_schedule" not in item.data
    assert item.data["encryption"] == {"at_rest": True, "key_manager": "aws_owned"}
    [note] = result.diagnostics
    assert note.code == "terraform-delivery-destination"
    assert "delivers to extended_s3 (S3 bucket aws_s3_bucket.archive)" in note.message


def test_firehose_bucket_known_by_arn_in_a_state(tmp_path: Path) -> None:
    bucket = Res(
        "aws_s3_bucket.archive",
        {"bucket": "chat-archive-bucket", "arn": "arn:aws:s3:::chat-archive-bucket"},
    )
    res = firehose(
        {
            "destination": "extended_s3",
            "extended_s3_configuration": [{"bucket_arn": "arn:aws:s3:::chat-archive-bucket"}],
            "server_side_encryption": [],
        }
    )
    _, said, messages = imported(tmp_path, state(bucket, res))
    assert said == ["terraform-delivery-destination"]
    assert "(S3 bucket aws_s3_bucket.archive)" in messages[0]


def test_firehose_without_encryption_and_a_bucket_elsewhere(tmp_path: Path) -> None:
    res = firehose(
        {
            "destination": "extended_s3",
            "extended_s3_configuration": [{"bucket_arn": "arn:aws:s3:::someone-elses"}],
            "server_side_encryption": [{"enabled": False, "key_type": "AWS_OWNED_CMK"}],
        }
    )
    stores, _, messages = imported(tmp_path, state(res))
    assert stores["chat-archive"]["encryption"] == {"at_rest": False}
    assert "(S3 bucket someone-elses)" in messages[0]


def test_firehose_with_a_customer_key(tmp_path: Path) -> None:
    sse = [
        {"enabled": True, "key_type": "CUSTOMER_MANAGED_CMK", "key_arn": "arn:aws:kms:x:1:key/k"}
    ]
    res = firehose({"destination": "http_endpoint", "server_side_encryption": sse})
    stores, _, messages = imported(tmp_path, state(res))
    assert stores["chat-archive"]["encryption"] == {"at_rest": True, "key_manager": "aws_kms"}
    assert "delivers to http_endpoint:" in messages[0]


def test_firehose_reading_a_stream_takes_the_streams_encryption(tmp_path: Path) -> None:
    res = firehose(
        {
            "destination": "extended_s3",
            "kinesis_source_configuration": [
                {"kinesis_stream_arn": "arn:aws:kinesis:x:1:stream/s"}
            ],
            "server_side_encryption": [],
        }
    )
    stores, _, _ = imported(tmp_path, state(res))
    assert "encryption" not in stores["chat-archive"]


def test_unrecognised_encryption_type_is_said(tmp_path: Path) -> None:
    stores, said, _ = imported(
        tmp_path, state(stream({"retention_period": 24, "encryption_type": "XOR"}))
    )
    assert "encryption" not in stores["chat-events"]
    assert said == ["terraform-unrecognised-value"]


def test_in_a_module(tmp_path: Path) -> None:
    res = Res(
        "module.ingest.aws_kinesis_stream.events",
        {"name": "chat-events", "retention_period": 72, "encryption_type": "NONE"},
        config={"name": constant("chat-events")},
    )
    _, result = run(
        write(tmp_path, plan(res)),
        [{"match": {"address": "module.ingest.*"}, "store": {"data_kinds": ["e"]}}],
    )
    [item] = result.items
    assert item.data["retention"] == {"any": "72h"}
    assert item.data["source"]["address"] == "module.ingest.aws_kinesis_stream.events"


def test_firehose_of_a_provider_without_server_side_encryption_is_not_evidenced(
    tmp_path: Path,
) -> None:
    """Providers before server-side encryption for Firehose render no
    ``server_side_encryption`` at all: the plan says nothing about it, unlike ``[]``."""
    res = firehose({"destination": "extended_s3", "extended_s3_configuration": []})
    stores, said, _ = imported(tmp_path, state(res))
    assert "encryption" not in stores["chat-archive"]
    assert said == ["terraform-delivery-destination"]


# --- a real plan ------------------------------------------------------------------------------

REAL = FIXTURES / "terraform/tfc-firehose-extended-s3.json"
REAL_STREAM = "module.firehose-for-cloudwatch.aws_kinesis_firehose_delivery_stream.this"
REAL_BUCKET = "module.s3.aws_s3_bucket.s3_bucket_dev[0]"
REAL_RULES = [
    {"match": {"address": REAL_STREAM}, "store": {"data_kinds": ["events"]}},
    {
        "match": {"address": REAL_BUCKET},
        "store": {"data_kinds": ["events"], "retention_state": "training_not_allowed"},
    },
]


def test_real_plan_firehose_buffers_for_a_bucket_of_the_plan() -> None:
    """terraform-compliance tests/functional/test_filtering_01 (Terraform 0.12.5, 2019): among
    67 unchanged (no-op) resources, a direct-PUT delivery stream to ``extended_s3``, whose
    ``bucket_arn`` is the ARN of ``module.s3.aws_s3_bucket.s3_bucket_dev[0]``. The provider of
    the plan predates Firehose server-side encryption (no ``server_side_encryption`` in the
    values), so encryption at rest is not evidenced, never read as off."""
    doc, result = run(REAL, REAL_RULES)
    stream = by_id(result)["edf-rap-firehose-cloudwatch-control-plane-delivery-stream"]
    assert stream.data["kind"] == "firehose_delivery_stream"
    assert stream.data["source"]["address"] == REAL_STREAM
    assert not {"retention", "deletion_schedule", "encryption"} & set(stream.data)
    [note] = result.diagnostics
    assert note.code == "terraform-delivery-destination"
    assert note.message.startswith(
        f"{REAL_STREAM} delivers to extended_s3 (S3 bucket {REAL_BUCKET}): "
    )
    assert note.location == doc.locate(stream.field_origins[("source",)])


def test_real_plan_destination_bucket_keeps_data_with_a_rotating_key() -> None:
    """The bucket the stream delivers to: two lifecycle rules, both disabled and transitions
    only (no expiration), so the data is kept indefinitely; SSE-KMS with the plan's
    ``module.s3.aws_kms_key.key[0]``, ``enable_key_rotation: true``."""
    doc, result = run(REAL, REAL_RULES)
    bucket = by_id(result)["edf-cloudwatch-from-firehose-control-plane-885215942479"]
    assert bucket.data["retention"] == {"training_not_allowed": "indefinite"}
    assert bucket.data["encryption"] == {
        "at_rest": True,
        "key_manager": "aws_kms",
        "key_rotation": "365d",
    }
    assert doc.get(bucket.field_origins[("encryption", "key_rotation")]) is True


CHECK_POLICY = """\
policy_checker: 1
metadata:
  id: firehose-archive
  title: "Events archive"
  version: "1.0"
  effective: "2026-01-01"
  owner: "privacy team"
vocabulary:
  tier_groups:
    consumer: {tiers: [free]}
  data_kinds:
    events: {description: "product events"}
retention:
  - id: opted-out-30d
    statement: "Events of users who opted out are kept at most 30 days"
    data_kinds: [events]
    consent_state: training_not_allowed
    max: 30d
security:
  - id: encrypted-at-rest
    statement: "Events are encrypted at rest"
    data_kinds: [events]
    encryption_at_rest: required
    encryption_in_transit: not_required
"""

CHECK_SNAPSHOT = f"""\
snapshot_format: 1
metadata:
  system: events
  environment: production
  taken_at: "2026-11-01T00:00:00Z"
imports:
  - adapter: terraform
    path: {REAL.name}
    rules:
      - match: {{address: "{REAL_STREAM}"}}
        store: {{data_kinds: [events]}}
      - match: {{address: "{REAL_BUCKET}"}}
        store: {{data_kinds: [events], retention_state: training_not_allowed}}
"""


def test_real_plan_checked_end_to_end(tmp_path: Path, run_cli: CliRunner) -> None:
    """Per store and promise: the bucket breaks the 30-day promise (kept indefinitely) at its
    ``lifecycle_rule`` and keeps the encryption promise; the stream, a buffer mapped as a store,
    evidences neither its retention nor its encryption. The plan is one line, so every finding
    points at line 1 and the column of the value."""
    code, findings, output = check_beside_export(
        tmp_path, run_cli, REAL, CHECK_POLICY, CHECK_SNAPSHOT, AS_OF
    )
    assert code == 1, output
    doc, imported_stores = run(REAL, REAL_RULES)
    stores = by_id(imported_stores)
    stream = stores["edf-rap-firehose-cloudwatch-control-plane-delivery-stream"]
    bucket = stores["edf-cloudwatch-from-firehose-control-plane-885215942479"]
    stream_source = doc.locate(stream.field_origins[("source",)])
    at_stream = stream_source.position
    at_lifecycle = doc.locate(bucket.field_origins[("retention", "training_not_allowed")])
    assert findings == [
        f"{REAL.name}:{at_lifecycle.position}: [high] fail: store {bucket.data['id']} keeps "
        "training_not_allowed events for indefinite, longer than the 30d the policy allows "
        f"(at {at_lifecycle.json_path}) (firehose-archive/opted-out-30d, retention)",
        f"{REAL.name}:{at_stream}: [high] not_evidenced: store {stream.data['id']} holds events "
        f"but records no retention window (at {stream_source.json_path}) "
        "(firehose-archive/opted-out-30d, retention)",
        f"{REAL.name}:{at_stream}: [high] not_evidenced: store {stream.data['id']} records no "
        f"encryption settings (at {stream_source.json_path}) "
        "(firehose-archive/encrypted-at-rest, security)",
    ]
    assert at_lifecycle.path[-1] == "lifecycle_rule"
    assert "1 failed, 2 not evidenced, 0 waived, 1 passed, 0 errors" in output
