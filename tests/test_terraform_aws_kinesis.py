"""Kinesis data streams and Firehose delivery streams (checker/adapters/terraform/
aws_kinesis.py) on small plans and states."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.terraform_plans import Config, Res, constant, plan, ref, state, write
from tests.test_terraform_adapter import by_id, codes, run

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
