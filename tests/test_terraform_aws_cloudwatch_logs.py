"""CloudWatch log groups (checker/adapters/terraform/aws_cloudwatch_logs.py): retention from
``retention_in_days`` and encryption, on small plans and states and on real plans from
terraform-compliance/cli (MIT; see tests/data/SOURCES.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.terraform_plans import Config, Res, constant, plan, ref, state, write
from tests.test_terraform_adapter import FIXTURES, by_id, codes, run

ALL = [{"match": {"address": "*"}, "store": {"data_kinds": ["logs"]}}]
KEY = Res(
    "aws_kms_key.logs",
    {"enable_key_rotation": True, "rotation_period_in_days": 90},
    {"arn": True, "id": True, "key_id": True},
    {"enable_key_rotation": constant(True), "rotation_period_in_days": constant(90)},
)


def group(values: dict[str, Any], config: Config = None, **kw: Any) -> Res:
    """Not in the plan's configuration unless ``config`` says otherwise."""
    return Res("aws_cloudwatch_log_group.app", {"name": "/chat/app", **values}, config=config, **kw)


def store(
    tmp_path: Path, *resources: Res, as_state: bool = False
) -> tuple[dict[str, Any], list[str]]:
    document = state(*resources) if as_state else plan(*resources)
    _, result = run(write(tmp_path, document), ALL)
    [item] = result.items
    return item.data, codes(result)


@pytest.mark.parametrize("as_state", [False, True], ids=["plan", "state"])
def test_retention_in_days_is_the_window_and_the_schedule(tmp_path: Path, as_state: bool) -> None:
    data, said = store(
        tmp_path, group({"retention_in_days": 30, "kms_key_id": None}), as_state=as_state
    )
    assert data["retention"] == {"any": "30d"}
    assert data["deletion_schedule"] == {"defined": True}
    assert data["encryption"] == {"at_rest": True, "key_manager": "aws_owned"}
    assert data["kind"] == "cloudwatch_log_group"
    assert said == []


@pytest.mark.parametrize("days", [0, None], ids=["zero", "null"])
def test_zero_or_unset_retention_never_expires(tmp_path: Path, days: int | None) -> None:
    data, _ = store(tmp_path, group({"retention_in_days": days}))
    assert data["retention"] == {"any": "indefinite"}
    assert "deletion_schedule" not in data


def test_unknown_retention_is_not_evidenced(tmp_path: Path) -> None:
    res = group(
        {}, unknown={"retention_in_days": True}, config={"retention_in_days": ref("var.days")}
    )
    data, said = store(tmp_path, res)
    assert "retention" not in data
    assert said == ["terraform-unknown-value"]


def test_unknown_but_unconfigured_retention_is_the_default_never(tmp_path: Path) -> None:
    res = group({}, unknown={"retention_in_days": True}, config={"name": constant("/chat/app")})
    data, said = store(tmp_path, res)
    assert data["retention"] == {"any": "indefinite"}
    assert said == []


def test_customer_key_of_the_plan_gives_its_rotation(tmp_path: Path) -> None:
    res = group(
        {"retention_in_days": 14},
        unknown={"kms_key_id": True},
        config={"kms_key_id": ref("aws_kms_key.logs.arn", "aws_kms_key.logs")},
    )
    data, said = store(tmp_path, res, KEY)
    assert data["encryption"] == {"at_rest": True, "key_manager": "aws_kms", "key_rotation": "90d"}
    assert said == []


def test_customer_key_outside_the_plan_has_no_rotation(tmp_path: Path) -> None:
    arn = "arn:aws:kms:eu-west-1:111122223333:key/abcd"
    data, _ = store(tmp_path, group({"retention_in_days": 14, "kms_key_id": arn}), as_state=True)
    assert data["encryption"] == {"at_rest": True, "key_manager": "aws_kms"}


def test_in_a_module_with_the_rules_retention_state(tmp_path: Path) -> None:
    res = Res(
        "module.chat.aws_cloudwatch_log_group.app",
        {"name": "chat", "retention_in_days": 7},
        config=None,
    )
    rules = [
        {
            "match": {"address": "module.chat.aws_cloudwatch_log_group.*"},
            "store": {"data_kinds": ["logs"], "retention_state": "training_not_allowed"},
        }
    ]
    doc, result = run(write(tmp_path, plan(res)), rules)
    [item] = result.items
    assert item.data["retention"] == {"training_not_allowed": "7d"}
    assert doc.locate(item.field_origins[("retention", "training_not_allowed")]).path[-1] == (
        "retention_in_days"
    )


def test_unrecognised_retention_is_said(tmp_path: Path) -> None:
    data, said = store(tmp_path, group({"retention_in_days": -1}))
    assert "retention" not in data
    assert said == ["terraform-unrecognised-value"]


# --- real plans -------------------------------------------------------------------------------


def test_real_plan_three_lambda_log_groups_kept_90_days() -> None:
    """terraform-compliance tests/functional/test-it_must_be_in-fail: three groups with
    ``retention_in_days: 90`` and ``kms_key_id: null``, next to IAM roles and Lambdas."""
    _, result = run(FIXTURES / "terraform/tfc-cloudwatch-log-groups-90d.json", ALL)
    stores = by_id(result)
    assert sorted(stores) == [
        "lambda_function_name1",
        "lambda_function_name2",
        "lambda_function_name3",
    ]
    for item in stores.values():
        assert item.data["retention"] == {"any": "90d"}
        assert item.data["encryption"] == {"at_rest": True, "key_manager": "aws_owned"}
    assert codes(result) == ["terraform-not-stores"]


def test_real_plan_unchanged_group_of_14_days_with_an_empty_key() -> None:
    """terraform-compliance tests/functional/test_issue_522: a ``no-op`` group,
    ``retention_in_days: 14``, ``kms_key_id: ""`` (no customer key)."""
    rules = [
        {"match": {"address": "aws_cloudwatch_log_group.*"}, "store": {"data_kinds": ["logs"]}}
    ]
    _, result = run(FIXTURES / "terraform/tfc-cloudwatch-log-group-noop.json", rules)
    [item] = result.items
    assert item.data["id"] == "aws-lambda-metrics-lambda-primary-lambda"
    assert item.data["retention"] == {"any": "14d"}
    assert item.data["encryption"] == {"at_rest": True, "key_manager": "aws_owned"}


def test_real_plan_group_that_never_expires_with_a_rotating_key() -> None:
    """fugue/regula rego/tests/lib/inputs/resource_view_05_tf_v1_0_infra.json (Terraform
    1.0.8): ``retention_in_days: 0`` (never expire) and ``kms_key_id`` unknown until apply,
    naming ``aws_kms_key.cloudwatch`` (``enable_key_rotation: true``, default period)."""
    _, result = run(FIXTURES / "terraform/regula-cloudwatch-log-group-kms.json", ALL)
    [item] = result.items
    assert item.data["id"] == "ecs-fargate-task-definition"
    assert item.data["retention"] == {"any": "indefinite"}
    assert "deletion_schedule" not in item.data
    assert item.data["encryption"] == {
        "at_rest": True,
        "key_manager": "aws_kms",
        "key_rotation": "365d",
    }
    assert codes(result) == []
