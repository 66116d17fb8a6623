"""SQS queues (checker/adapters/terraform/aws_sqs.py): message retention, server-side
encryption and TLS-only queue policies, on small plans and states and on a real plan from
terraform-compliance/cli (MIT; see tests/data/SOURCES.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from checker.adapters.terraform.aws_s3 import denies_insecure_transport as s3_denies
from checker.adapters.terraform.aws_support import denies_insecure_transport
from tests.terraform_plans import Config, Res, constant, plan, ref, state, write
from tests.test_terraform_adapter import FIXTURES, by_id, codes, run

ALL = [{"match": {"address": "*"}, "store": {"data_kinds": ["events"]}}]
ARN = "arn:aws:sqs:eu-west-1:111122223333:chat-events"
URL = "https://sqs.eu-west-1.amazonaws.com/111122223333/chat-events"


def queue(values: dict[str, Any], name: str = "events", config: Config = None, **kw: Any) -> Res:
    """Not in the plan's configuration unless ``config`` says otherwise."""
    base = {"name": "chat-events", "arn": ARN, "url": URL, "id": URL, "fifo_queue": False}
    return Res(f"aws_sqs_queue.{name}", {**base, **values}, config=config, **kw)


def tls_only(resource: Any = ARN, action: Any = "sqs:*") -> str:
    statement = {
        "Effect": "Deny",
        "Principal": "*",
        "Action": action,
        "Resource": resource,
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def imported(
    tmp_path: Path, document: dict[str, Any]
) -> tuple[dict[str, dict[str, Any]], list[str]]:
    _, result = run(write(tmp_path, document), ALL)
    return {k: v.data for k, v in by_id(result).items()}, codes(result)


@pytest.mark.parametrize("build", [plan, state], ids=["plan", "state"])
def test_retention_and_sse_sqs(tmp_path: Path, build: Any) -> None:
    stores, said = imported(
        tmp_path,
        build(queue({"message_retention_seconds": 86400, "sqs_managed_sse_enabled": True})),
    )
    data = stores["chat-events"]
    assert data["kind"] == "sqs_queue"
    assert data["retention"] == {"any": "1d"}
    assert data["deletion_schedule"] == {"defined": True}
    assert data["encryption"] == {"at_rest": True, "key_manager": "aws_managed"}
    assert said == []


@pytest.mark.parametrize(
    ("seconds", "window"),
    [(None, "4d"), (345600, "4d"), (1209600, "14d"), (90000, "25h"), (3660, "61m"), (61, "61s")],
)
def test_windows_are_written_in_the_largest_whole_unit(
    tmp_path: Path, seconds: int | None, window: str
) -> None:
    stores, _ = imported(tmp_path, state(queue({"message_retention_seconds": seconds})))
    assert stores["chat-events"]["retention"] == {"any": window}


def test_sse_disabled_is_no_encryption_at_rest(tmp_path: Path) -> None:
    stores, _ = imported(
        tmp_path, state(queue({"sqs_managed_sse_enabled": False, "kms_master_key_id": ""}))
    )
    assert stores["chat-events"]["encryption"] == {"at_rest": False}


def test_unknown_sse_is_not_evidenced(tmp_path: Path) -> None:
    res = queue({}, unknown={"sqs_managed_sse_enabled": True, "kms_master_key_id": True}, config={})
    stores, said = imported(tmp_path, plan(res))
    assert "encryption" not in stores["chat-events"]
    assert said == ["terraform-unknown-value"]


def test_aws_managed_sqs_key_rotates_yearly(tmp_path: Path) -> None:
    stores, _ = imported(tmp_path, state(queue({"kms_master_key_id": "alias/aws/sqs"})))
    assert stores["chat-events"]["encryption"] == {
        "at_rest": True,
        "key_manager": "aws_kms",
        "key_rotation": "365d",
    }


@pytest.mark.parametrize("where", ["inline", "resource"])
def test_tls_only_policy_is_encryption_in_transit(tmp_path: Path, where: str) -> None:
    resources = [queue({"policy": tls_only()} if where == "inline" else {})]
    if where == "resource":
        resources.append(
            Res("aws_sqs_queue_policy.events", {"queue_url": URL, "policy": tls_only()})
        )
    stores, said = imported(tmp_path, state(*resources))
    assert stores["chat-events"]["encryption"]["in_transit"] is True
    assert said == []


def test_queue_policy_found_through_the_configuration_reference(tmp_path: Path) -> None:
    res = queue(
        {},
        unknown={"arn": True, "url": True, "id": True},
        config={"name": constant("chat-events")},
    )
    attached = Res(
        "aws_sqs_queue_policy.events",
        {"policy": tls_only("*")},
        {"queue_url": True},
        {"queue_url": ref("aws_sqs_queue.events.id", "aws_sqs_queue.events")},
    )
    stores, said = imported(tmp_path, plan(res, attached))
    assert stores["chat-events"]["encryption"]["in_transit"] is True
    assert said == []


@pytest.mark.parametrize(
    ("resource", "action"),
    [
        ("arn:aws:sqs:eu-west-1:111122223333:other-queue", "sqs:*"),  # another queue
        (ARN, "sqs:SendMessage"),  # a single action leaves the others open
        (ARN, "s3:*"),
    ],
    ids=["other-queue", "one-action", "other-service"],
)
def test_policies_that_do_not_cover_the_queue_are_no_evidence(
    tmp_path: Path, resource: str, action: str
) -> None:
    stores, _ = imported(tmp_path, state(queue({"policy": tls_only(resource, action)})))
    assert "in_transit" not in stores["chat-events"].get("encryption", {})


def test_a_queue_policy_for_a_queue_outside_the_plan_is_said(tmp_path: Path) -> None:
    other = Res(
        "aws_sqs_queue_policy.x", {"queue_url": "https://sqs/elsewhere", "policy": tls_only()}
    )
    _, said = imported(tmp_path, state(queue({}), other))
    assert said == ["terraform-unresolved-queue"]


def test_fifo_dead_letter_queue_restarts_the_clock(tmp_path: Path) -> None:
    """A FIFO message moved to the dead-letter queue gets a new enqueue timestamp there."""
    dlq_arn = "arn:aws:sqs:eu-west-1:111122223333:chat-dlq.fifo"
    main = queue(
        {
            "name": "chat.fifo",
            "fifo_queue": True,
            "message_retention_seconds": 345600,
            "redrive_policy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 3}),
        }
    )
    dlq = queue(
        {
            "name": "chat-dlq.fifo",
            "arn": dlq_arn,
            "fifo_queue": True,
            "message_retention_seconds": 1209600,
        },
        name="dlq",
    )
    stores, _ = imported(tmp_path, state(main, dlq))
    assert stores["chat-fifo"]["retention"] == {"any": "18d"}
    assert stores["chat-dlq-fifo"]["retention"] == {"any": "14d"}


def test_standard_queue_keeps_the_original_clock_in_its_dead_letter_queue(tmp_path: Path) -> None:
    main = queue({"redrive_policy": json.dumps({"deadLetterTargetArn": "arn:aws:sqs:x:1:dlq"})})
    stores, said = imported(tmp_path, state(main))
    assert stores["chat-events"]["retention"] == {"any": "4d"}
    assert said == []


def test_fifo_dead_letter_queue_outside_the_plan_is_not_evidenced(tmp_path: Path) -> None:
    main = queue(
        {
            "fifo_queue": True,
            "redrive_policy": json.dumps({"deadLetterTargetArn": "arn:aws:sqs:x:1:dlq"}),
        }
    )
    stores, said = imported(tmp_path, state(main))
    assert "retention" not in stores["chat-events"]
    assert said == ["terraform-dead-letter-queue"]


def test_the_shared_transport_test_keeps_the_s3_behaviour() -> None:
    """S3 ignores the statement's Resource (as before); SQS asks whether it covers the queue."""
    policy = json.loads(tls_only("arn:aws:s3:::bucket", "s3:*"))
    assert s3_denies(policy) is True
    assert denies_insecure_transport(policy, frozenset({"sqs:*"})) is False
    assert denies_insecure_transport(policy, frozenset({"s3:*"}), lambda r: False) is False


# --- a real plan ------------------------------------------------------------------------------


def test_real_plan_queues_encrypted_with_kms_keys() -> None:
    """terraform-compliance tests/functional/test_issue-260 (provider of 2020, no
    ``sqs_managed_sse_enabled``): two new queues of 345600 s. ``failure`` names
    ``aws_kms_key.test`` by reference (its id is unknown until apply; the key rotates, default
    period); ``success`` names the key ``"key"``, which is not in the plan."""
    rules = [
        {
            "match": {"address": "aws_sqs_queue.*"},
            "store": {"data_kinds": ["events"], "id": "{address}"},
        }
    ]
    _, result = run(FIXTURES / "terraform/tfc-sqs-kms.json", rules)
    stores = {k: v.data for k, v in by_id(result).items()}
    assert stores["aws_sqs_queue-failure"]["retention"] == {"any": "4d"}
    assert stores["aws_sqs_queue-failure"]["encryption"] == {
        "at_rest": True,
        "key_manager": "aws_kms",
        "key_rotation": "365d",
    }
    assert stores["aws_sqs_queue-success"]["encryption"] == {
        "at_rest": True,
        "key_manager": "aws_kms",
    }
    assert codes(result) == []
