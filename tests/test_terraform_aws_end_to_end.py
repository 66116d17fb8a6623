"""The AWS families through ``policy-check``: a snapshot imports a plan with a database, a log
group and a queue, and retention and encryption promises pass or fail on what the plan says."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CliRunner
from tests.input_samples import AS_OF
from tests.terraform_plans import Res, plan, write

POLICY = """\
policy_checker: 1
metadata:
  id: aws-families
  title: "AWS families"
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
  - id: opted-out-30d
    statement: "Conversations of users who opted out are kept at most 30 days"
    data_kinds: [conversations]
    consent_state: training_not_allowed
    max: 30d
security:
  - id: encrypted-at-rest
    statement: "Conversations are encrypted at rest"
    data_kinds: [conversations]
    encryption_at_rest: required
    encryption_in_transit: not_required
"""

SNAPSHOT = """\
snapshot_format: 1
metadata:
  system: chat
  environment: production
  taken_at: "2026-11-01T00:00:00Z"
imports:
  - adapter: terraform
    path: plan.json
    rules:
      - match: {address: "aws_db_instance.*"}
        store: {data_kinds: [conversations], retention: {training_not_allowed: 30d}}
      - match: {address: "aws_cloudwatch_log_group.*"}
        store: {data_kinds: [conversations], retention: {deleted_by_user: 0d}}
      - match: {address: "aws_sqs_queue.*"}
        store: {data_kinds: [conversations], retention: {deleted_by_user: 0d}}
"""


def resources(backup_days: int, log_days: int, encrypted: bool) -> list[Res]:
    return [
        Res(
            "aws_db_instance.chat",
            {
                "identifier": "chat-db",
                "storage_encrypted": encrypted,
                "kms_key_id": "",
                "backup_retention_period": backup_days,
                "skip_final_snapshot": True,
            },
            config=None,
        ),
        Res(
            "aws_cloudwatch_log_group.chat",
            {"name": "chat-transcripts", "retention_in_days": log_days, "kms_key_id": None},
            config=None,
        ),
        Res(
            "aws_sqs_queue.chat",
            {
                "name": "chat-inbox",
                "message_retention_seconds": 1209600,
                "sqs_managed_sse_enabled": True,
                "fifo_queue": False,
            },
            config=None,
        ),
    ]


def check(run_cli: CliRunner, tmp_path: Path, rs: list[Res]) -> Any:
    write(tmp_path, plan(*rs))
    (tmp_path / "policy.yaml").write_text(POLICY, encoding="utf-8")
    (tmp_path / "snapshot.yaml").write_text(SNAPSHOT, encoding="utf-8")
    return run_cli(
        "check", "--policy", "policy.yaml", "--snapshot", "snapshot.yaml", "--as-of", AS_OF
    )


def test_kept_promises_pass(
    run_cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = check(run_cli, tmp_path, resources(backup_days=7, log_days=30, encrypted=True))
    assert result.code == 0, result.out + result.err


@pytest.mark.parametrize(
    ("change", "store", "needle"),
    [
        ({"backup_days": 35}, "chat-db", "backup_retention_period"),
        ({"log_days": 60}, "chat-transcripts", "retention_in_days"),
        ({"encrypted": False}, "chat-db", "storage_encrypted"),
    ],
    ids=["backups-outlive-deletion", "logs-kept-too-long", "unencrypted-database"],
)
def test_a_broken_promise_fails_at_the_plan_line(
    run_cli: CliRunner,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    change: dict[str, Any],
    store: str,
    needle: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    settings = {"backup_days": 7, "log_days": 30, "encrypted": True, **change}
    result = check(run_cli, tmp_path, resources(**settings))
    assert result.code == 1, result.out + result.err
    text = (tmp_path / "plan.json").read_text(encoding="utf-8")
    line = text[: text.index(f'"{needle}"', text.index(f'"{store}"'))].count("\n") + 1
    assert f"plan.json:{line}:" in result.out, result.out
    assert f"store {store} " in result.out
