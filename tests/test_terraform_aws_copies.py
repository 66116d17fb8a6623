"""Copies that outlive deletion (AWS Backup, S3 replication, DynamoDB point-in-time recovery)
on small plans and states written for each case; the real plans are in
tests/test_terraform_copies_fixtures.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from checker.adapters.terraform.copies import Copy, apply
from checker.adapters.terraform.plan import Plan
from checker.documents import load_document
from tests.conftest import CliRunner
from tests.input_samples import AS_OF, POLICY, SNAPSHOT
from tests.terraform_plans import Res, plan, state, write
from tests.test_terraform_adapter import by_id, codes, run

CHATS = {"data_kinds": ["conversations"], "retention_state": "training_not_allowed"}


def rules(**store: Any) -> list[dict[str, Any]]:
    return [{"match": {"address": "*"}, "store": {**CHATS, **store}}]


def messages(result: Any, code: str) -> list[str]:
    return [d.message for d in result.diagnostics if d.code == code]


# --- the shared rule: how a copy raises a store's windows ---------------------------------------


def _apply(retention: dict[str, str] | None, *found: Copy) -> tuple[dict[str, Any], Plan]:
    target = Plan(EMPTY, is_plan=True)
    data: dict[str, Any] = {"id": "chats"}
    if retention is not None:
        data["retention"] = dict(retention)
    origins: dict[Any, Any] = {
        ("retention",): ("r",),
        **{("retention", k): ("r",) for k in data.get("retention", {})},
    }
    apply(target, "chats", data, origins, list(found))
    data["origins"] = origins
    return data, target


EMPTY = load_document(
    Path(__file__).resolve().parent / "data" / "terraform" / "plan-v4-unknown.json"
)
"""Any plan: the shared rule is applied to a store built in the test, not read from it."""

BACKUP = Copy("backup rule 'daily'", ("b", "delete_after"), 35)


def test_a_copy_lengthens_every_finite_window_by_its_lifetime() -> None:
    data, target = _apply(
        {"training_allowed": "5y", "deleted_by_user": "30d", "any": "indefinite"}, BACKUP
    )
    assert data["retention"] == {
        "training_allowed": "5y35d",
        "deleted_by_user": "65d",
        "any": "indefinite",
    }
    assert data["origins"][("retention", "deleted_by_user")] == ("b", "delete_after")
    assert data["origins"][("retention", "any")] == ("r",)
    [note] = target.diagnostics
    assert note.code == "terraform-copy" and note.location.path == ("b", "delete_after")
    assert note.message == (
        "store chats: backup rule 'daily' keeps a copy for 35 days after it is taken: retention "
        "training_allowed 5y becomes 5y35d; deleted_by_user 30d becomes 65d"
    )


def test_several_copies_give_the_longest_not_the_sum() -> None:
    week = Copy("weekly", ("w",), 7)
    data, target = _apply({"any": "30d"}, week, BACKUP)
    assert data["retention"] == {"any": "65d"}
    assert data["origins"][("retention", "any")] == ("b", "delete_after")
    assert [
        d.message.endswith("no retention window of the store is raised by it")
        for d in target.diagnostics
    ] == [True, False]


def test_a_copy_kept_without_limit_makes_windows_indefinite() -> None:
    data, _ = _apply({"any": "30d"}, Copy("forever", ("f",), None))
    assert data["retention"] == {"any": "indefinite"}


def test_a_copy_of_unknown_lifetime_leaves_the_retention_not_evidenced() -> None:
    data, target = _apply(
        {"any": "30d"}, BACKUP, Copy("outside", ("o",), None, known=False, why="why")
    )
    assert "retention" not in data and ("retention",) not in data["origins"]
    assert codes_of(target) == ["terraform-copy", "terraform-copy-unknown"]
    assert (
        "keeps a copy for a time the plan does not tell (why): retention any 30d is not evidenced"
        in target.diagnostics[1].message
    )


def test_a_store_without_a_window_for_deleted_data_is_told_so() -> None:
    data, target = _apply({"training_not_allowed": "30d"}, BACKUP)
    assert data["retention"] == {"training_not_allowed": "65d"}
    assert "the store gives no window for deleted data" in target.diagnostics[0].message
    data, target = _apply(None, BACKUP)
    assert "retention" not in data
    assert "no retention window of the store is raised by it" in target.diagnostics[0].message


def codes_of(target: Plan) -> list[str]:
    return [d.code for d in target.diagnostics]


# --- DynamoDB point-in-time recovery -------------------------------------------------------------


def table(**values: Any) -> dict[str, Any]:
    return {
        "name": "chats",
        "arn": "arn:aws:dynamodb:eu-west-1:111122223333:table/chats",
        "hash_key": "id",
        "ttl": [{"enabled": True, "attribute_name": "expires"}],
        "server_side_encryption": [],
        "point_in_time_recovery": [{"enabled": True}],
        "replica": [],
        "tags": {},
        **values,
    }


def test_pitr_keeps_deleted_items_35_days_by_default(tmp_path: Path) -> None:
    path = write(tmp_path, state(Res("aws_dynamodb_table.chats", table())))
    doc, result = run(
        path, rules(retention={"training_not_allowed": "30d", "deleted_by_user": "1d"})
    )
    store = by_id(result)["chats"]
    assert store.data["retention"] == {"training_not_allowed": "65d", "deleted_by_user": "36d"}
    origin = store.field_origins[("retention", "deleted_by_user")]
    assert origin[-2:] == (0, "enabled") and doc.get(origin) is True
    [note] = result.diagnostics
    assert note.code == "terraform-copy"
    assert (
        "point-in-time recovery of aws_dynamodb_table.chats keeps a copy for 35 days"
        in note.message
    )
    assert "the default recovery period, 35 days" in note.message


def test_pitr_recovery_period_is_read(tmp_path: Path) -> None:
    pitr = [{"enabled": True, "recovery_period_in_days": 7}]
    path = write(
        tmp_path, state(Res("aws_dynamodb_table.chats", table(point_in_time_recovery=pitr)))
    )
    doc, result = run(path, rules(retention={"any": "30d"}))
    store = by_id(result)["chats"]
    assert store.data["retention"] == {"any": "37d"}
    assert doc.get(store.field_origins[("retention", "any")]) == 7


@pytest.mark.parametrize("pitr", [[], [{"enabled": False}]])
def test_pitr_off_is_no_copy(tmp_path: Path, pitr: list[Any]) -> None:
    path = write(
        tmp_path, state(Res("aws_dynamodb_table.chats", table(point_in_time_recovery=pitr)))
    )
    _, result = run(path, rules(retention={"any": "30d"}))
    assert by_id(result)["chats"].data["retention"] == {"any": "30d"}
    assert result.diagnostics == []


def test_pitr_known_only_after_apply(tmp_path: Path) -> None:
    configured = Res(
        "aws_dynamodb_table.chats",
        table(point_in_time_recovery=[{"enabled": None}]),
        unknown={"point_in_time_recovery": [{"enabled": True}]},
        config={"point_in_time_recovery": [{"enabled": {"references": ["var.pitr"]}}]},
    )
    _, result = run(write(tmp_path, plan(configured)), rules(retention={"any": "30d"}))
    assert "retention" not in by_id(result)["chats"].data
    [note] = messages(result, "terraform-copy-unknown")
    assert "point_in_time_recovery[0].enabled is known only after apply" in note
    unset = Res(
        "aws_dynamodb_table.chats",
        table(point_in_time_recovery=None),
        unknown={"point_in_time_recovery": True},
        config={"name": {"constant_value": "chats"}},
    )
    _, result = run(write(tmp_path, plan(unset)), rules(retention={"any": "30d"}))
    assert by_id(result)["chats"].data["retention"] == {"any": "30d"}  # PITR is off by default


def test_global_table_replicas_name_their_regions(tmp_path: Path) -> None:
    replicas = [
        {"region_name": "us-east-1", "point_in_time_recovery": True},
        {"region_name": "ap-south-1", "point_in_time_recovery": False},
    ]
    chats = Res("aws_dynamodb_table.chats", table(point_in_time_recovery=[], replica=replicas))
    extra = Res(
        "aws_dynamodb_table_replica.eu",
        {
            "global_table_arn": table()["arn"],
            "point_in_time_recovery": False,
            "region": "eu-central-1",
        },
    )
    doc, result = run(write(tmp_path, state(chats, extra)), rules(retention={"any": "30d"}))
    store = by_id(result)["chats"]
    assert store.data["retention"] == {"any": "65d"}  # the us-east-1 replica's recovery
    assert doc.get(store.field_origins[("retention", "any")]) is True
    [regions] = messages(result, "terraform-replica-regions")
    assert "replicated to us-east-1, ap-south-1, eu-central-1" in regions
    assert [s.data["id"] for s in result.items] == ["chats"]  # a replica is no store of its own


def test_a_replica_resource_found_through_the_configuration(tmp_path: Path) -> None:
    chats = Res(
        "aws_dynamodb_table.chats",
        table(point_in_time_recovery=[], arn=None),
        unknown={"arn": True},
        config={},
    )
    replica = Res(
        "aws_dynamodb_table_replica.us",
        {"global_table_arn": None, "point_in_time_recovery": True},
        unknown={"global_table_arn": True},
        config={
            "global_table_arn": {
                "references": ["aws_dynamodb_table.chats.arn", "aws_dynamodb_table.chats"]
            }
        },
    )
    _, result = run(write(tmp_path, plan(chats, replica)), rules(retention={"any": "30d"}))
    assert by_id(result)["chats"].data["retention"] == {"any": "65d"}
    [regions] = messages(result, "terraform-replica-regions")
    assert "the region of aws_dynamodb_table_replica.us's provider" in regions


# --- AWS Backup ---------------------------------------------------------------------------------


def bucket(name: str, days: int | None = 30, **values: Any) -> list[Res]:
    """A provider v4 bucket with a lifecycle expiring objects after ``days``."""
    found = [
        Res(
            f"aws_s3_bucket.{name}",
            {"bucket": name, "arn": f"arn:aws:s3:::{name}", "tags": {}, **values},
            config={},
        )
    ]
    if days is not None:
        rule = {"id": "expire", "status": "Enabled", "filter": [], "expiration": [{"days": days}]}
        found.append(
            Res(
                f"aws_s3_bucket_lifecycle_configuration.{name}",
                {"bucket": name, "rule": [rule]},
                config={},
            )
        )
    return found


def backup_plan(*rule_values: dict[str, Any], plan_id: str = "plan-1") -> Res:
    rule = {"rule_name": "daily", "target_vault_name": "main", "lifecycle": [], "copy_action": []}
    return Res(
        "aws_backup_plan.main",
        {
            "id": plan_id,
            "arn": f"arn:aws:backup:eu-west-1:111122223333:backup-plan:{plan_id}",
            "name": "main",
            "rule": [{**rule, **v} for v in rule_values],
        },
        config={},
    )


def selection(**values: Any) -> Res:
    return Res(
        "aws_backup_selection.chats",
        {
            "name": "chats",
            "plan_id": "plan-1",
            "resources": [],
            "not_resources": [],
            "selection_tag": [],
            "condition": [],
            **values,
        },
        config={},
    )


LIFE_14 = {"lifecycle": [{"delete_after": 14, "cold_storage_after": 0}]}


def test_backup_of_a_selected_bucket_raises_its_window(tmp_path: Path) -> None:
    copy_to_dr = {
        "destination_vault_arn": "arn:aws:backup:us-east-1:111122223333:backup-vault:dr",
        "lifecycle": [{"delete_after": 90, "cold_storage_after": 30}],
    }
    path = write(
        tmp_path,
        state(
            *bucket("chat-logs"),
            *bucket("other"),
            backup_plan({**LIFE_14, "copy_action": [copy_to_dr]}),
            selection(resources=["arn:aws:s3:::chat-*"]),
        ),
    )
    doc, result = run(path, rules())
    stores = by_id(result)
    assert stores["chat-logs"].data["retention"] == {"training_not_allowed": "120d"}
    assert stores["other"].data["retention"] == {"training_not_allowed": "30d"}
    origin = stores["chat-logs"].field_origins[("retention", "training_not_allowed")]
    assert doc.get(origin) == 90 and "copy_action" in origin
    notes = messages(result, "terraform-copy")
    assert len(notes) == 2
    assert "backup rule 'daily' of aws_backup_plan.main keeps a copy for 14 days" in notes[0]
    assert "copy action 1 of backup rule 'daily'" in notes[1] and "becomes 120d" in notes[1]


def test_a_rule_without_lifecycle_keeps_recovery_points_for_ever(tmp_path: Path) -> None:
    path = write(tmp_path, state(*bucket("chat-logs"), backup_plan({}), selection(resources=["*"])))
    _, result = run(path, rules())
    assert by_id(result)["chat-logs"].data["retention"] == {"training_not_allowed": "indefinite"}


@pytest.mark.parametrize(
    ("values", "covered"),
    [
        ({"selection_tag": [{"type": "STRINGEQUALS", "key": "backup", "value": "daily"}]}, True),
        ({"selection_tag": [{"type": "STRINGEQUALS", "key": "backup", "value": "weekly"}]}, False),
        ({}, True),  # nothing named: every supported resource
        (
            {
                "condition": [
                    {
                        "string_equals": [{"key": "aws:ResourceTag/backup", "value": "daily"}],
                        "string_like": [],
                        "string_not_equals": [],
                        "string_not_like": [],
                    }
                ]
            },
            True,
        ),
        (
            {
                "condition": [
                    {
                        "string_equals": [],
                        "string_like": [{"key": "aws:ResourceTag/backup", "value": "d*"}],
                        "string_not_equals": [],
                        "string_not_like": [],
                    }
                ]
            },
            True,
        ),
        (
            {
                "condition": [
                    {
                        "string_equals": [],
                        "string_like": [],
                        "string_not_equals": [{"key": "aws:ResourceTag/backup", "value": "daily"}],
                        "string_not_like": [],
                    }
                ]
            },
            False,
        ),
        ({"resources": ["*"], "not_resources": ["arn:aws:dynamodb:*:*:table/chats"]}, False),
        ({"resources": ["arn:aws:dynamodb:eu-west-1:111122223333:table/*"]}, True),
        ({"resources": ["arn:aws:s3:::*"]}, False),
    ],
)
def test_which_stores_a_selection_covers(
    tmp_path: Path, values: dict[str, Any], covered: bool
) -> None:
    chats = Res(
        "aws_dynamodb_table.chats", table(point_in_time_recovery=[], tags={"backup": "daily"})
    )
    path = write(tmp_path, state(chats, backup_plan(LIFE_14), selection(**values)))
    _, result = run(path, rules(retention={"any": "30d"}))
    assert by_id(result)["chats"].data["retention"] == {"any": "44d" if covered else "30d"}
    assert messages(result, "terraform-backup-selection-unresolved") == []


def test_a_selection_that_cannot_be_resolved_counts_the_store_as_backed_up(tmp_path: Path) -> None:
    chats = Res(
        "aws_dynamodb_table.chats",
        table(point_in_time_recovery=[], arn=None),
        unknown={"arn": True},
        config={},
    )
    chosen = Res(
        "aws_backup_selection.chats",
        {
            "name": "chats",
            "plan_id": None,
            "resources": None,
            "not_resources": [],
            "selection_tag": [],
            "condition": [],
        },
        unknown={"plan_id": True, "resources": True},
        config={
            "plan_id": {"references": ["aws_backup_plan.main.id", "aws_backup_plan.main"]},
            "resources": {"references": ["var.backed_up_arns"]},
        },
    )
    main = backup_plan(LIFE_14)
    _, result = run(write(tmp_path, plan(chats, main, chosen)), rules(retention={"any": "30d"}))
    assert by_id(result)["chats"].data["retention"] == {"any": "44d"}
    [warning] = messages(result, "terraform-backup-selection-unresolved")
    assert (
        "aws_backup_selection.chats may select aws_dynamodb_table.chats "
        "(resources is known only after apply)" in warning
    )


def test_a_selection_naming_other_resources_of_the_plan_does_not_cover_the_store(
    tmp_path: Path,
) -> None:
    chosen = Res(
        "aws_backup_selection.chats",
        {
            "name": "chats",
            "plan_id": "plan-1",
            "resources": None,
            "not_resources": [],
            "selection_tag": [],
            "condition": [],
        },
        unknown={"resources": True},
        config={"resources": {"references": ["aws_s3_bucket.other.arn", "aws_s3_bucket.other"]}},
    )
    path = write(
        tmp_path, plan(*bucket("chat-logs"), *bucket("other"), backup_plan(LIFE_14), chosen)
    )
    _, result = run(path, rules())
    stores = by_id(result)
    assert stores["chat-logs"].data["retention"] == {"training_not_allowed": "30d"}
    assert stores["other"].data["retention"] == {"training_not_allowed": "44d"}


def test_a_backup_plan_outside_the_plan_leaves_the_retention_not_evidenced(tmp_path: Path) -> None:
    path = write(
        tmp_path, state(*bucket("chat-logs"), selection(plan_id="elsewhere", resources=["*"]))
    )
    _, result = run(path, rules())
    assert "retention" not in by_id(result)["chat-logs"].data
    [warning] = messages(result, "terraform-copy-unknown")
    assert (
        "the backup plan of aws_backup_selection.chats" in warning and "not in this plan" in warning
    )


# --- S3 replication ------------------------------------------------------------------------------


def replication(
    source: str, dest_arn: str | None, *, markers: str = "Disabled", **unknown: Any
) -> Res:
    rule = {
        "id": "all",
        "status": "Enabled",
        "filter": [],
        "destination": [{"bucket": dest_arn, "storage_class": "STANDARD"}],
        "delete_marker_replication": [{"status": markers}],
    }
    return Res(
        f"aws_s3_bucket_replication_configuration.{source}",
        {"bucket": source, "role": "r", "rule": [rule]},
        **unknown,
        config={},
    )


def test_a_replica_in_the_plan_is_a_store_with_its_sources_classification(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        state(
            *bucket("chat-logs"),
            *bucket("chat-replica", days=60),
            replication("chat-logs", "arn:aws:s3:::chat-replica"),
        ),
    )
    doc, result = run(
        path, [{"match": {"name": "chat-logs"}, "store": {**CHATS, "tiers": ["free"]}}]
    )
    stores = by_id(result)
    assert stores["chat-logs"].data["retention"] == {"training_not_allowed": "90d"}
    replica = stores["chat-replica"].data
    assert replica["data_kinds"] == ["conversations"] and replica["tiers"] == ["free"]
    assert replica["retention"] == {"training_not_allowed": "60d"}
    [note] = messages(result, "terraform-replica-store")
    assert (
        "aws_s3_bucket.chat-replica is a replica of aws_s3_bucket.chat-logs" in note
        and "mapping rule 1" in note
    )
    [copy] = messages(result, "terraform-copy")
    assert (
        "replication rule 'all' of aws_s3_bucket_replication_configuration.chat-logs "
        "(to bucket chat-replica) keeps a copy for 60 days" in copy
    )
    assert "delete markers are not replicated" in copy
    origin = stores["chat-logs"].field_origins[("retention", "training_not_allowed")]
    assert doc.get(origin) == "arn:aws:s3:::chat-replica"


def test_a_replica_mapped_by_its_own_rule_keeps_it(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        state(
            *bucket("chat-logs"),
            *bucket("chat-replica", days=None),
            replication("chat-logs", "arn:aws:s3:::chat-replica", markers="Enabled"),
        ),
    )
    own = {"match": {"name": "chat-replica"}, "store": {"data_kinds": ["archive"]}}
    _, result = run(path, [own, {"match": {"name": "chat-logs"}, "store": CHATS}])
    stores = by_id(result)
    assert stores["chat-replica"].data["data_kinds"] == ["archive"]
    assert stores["chat-replica"].data["retention"] == {"any": "indefinite"}
    assert stores["chat-logs"].data["retention"] == {"training_not_allowed": "indefinite"}
    assert messages(result, "terraform-replica-store") == []
    assert "delete markers are replicated" in messages(result, "terraform-copy")[0]


def test_a_replica_outside_the_plan_leaves_the_sources_retention_not_evidenced(
    tmp_path: Path,
) -> None:
    path = write(
        tmp_path, state(*bucket("chat-logs"), replication("chat-logs", "arn:aws:s3:::elsewhere"))
    )
    doc, result = run(path, rules())
    assert "retention" not in by_id(result)["chat-logs"].data
    [warning] = result.diagnostics
    assert warning.code == "terraform-copy-unknown"
    assert (
        "(to arn:aws:s3:::elsewhere)" in warning.message and "not in this plan" in warning.message
    )
    assert doc.get(warning.location.path) == "arn:aws:s3:::elsewhere"


def test_inline_v3_replication_found_through_a_reference(tmp_path: Path) -> None:
    inline = [
        {
            "role": "r",
            "rules": [
                {
                    "id": "",
                    "status": "Enabled",
                    "prefix": "",
                    "destination": [{"bucket": None, "storage_class": "STANDARD"}],
                    "delete_marker_replication_status": "Enabled",
                }
            ],
        }
    ]
    source = Res(
        "aws_s3_bucket.chat",
        {
            "bucket": "chat-logs",
            "lifecycle_rule": [],
            "versioning": [{"enabled": True}],
            "replication_configuration": inline,
        },
        unknown={"replication_configuration": [{"rules": [{"destination": [{"bucket": True}]}]}]},
        config={
            "replication_configuration": [
                {
                    "rules": [
                        {
                            "destination": [
                                {
                                    "bucket": {
                                        "references": [
                                            "aws_s3_bucket.replica.arn",
                                            "aws_s3_bucket.replica",
                                        ]
                                    }
                                }
                            ]
                        }
                    ]
                }
            ]
        },
    )
    replica = Res(
        "aws_s3_bucket.replica",
        {"bucket": "chat-replica", "lifecycle_rule": [], "versioning": [{"enabled": True}]},
        config={},
    )
    _, result = run(
        write(tmp_path, plan(source, replica)),
        [{"match": {"name": "chat-logs"}, "store": {**CHATS, "retention": {"any": "1d"}}}],
    )
    stores = by_id(result)
    assert stores["chat-replica"].data["data_kinds"] == ["conversations"]
    # the source keeps every version (no lifecycle): indefinite already; the replica too
    assert stores["chat-logs"].data["retention"] == {
        "any": "indefinite",
        "training_not_allowed": "indefinite",
    }
    copy, versions = messages(result, "terraform-copy")
    assert (
        "replication rule #1 of aws_s3_bucket.chat (to bucket chat-replica) "
        "keeps a copy without limit" in copy
    )
    assert "delete markers are replicated" in copy
    # the replica, versioned, keeps what is deleted from it: the rule's 1d does not stand
    assert versions.startswith("store chat-replica: versioning of bucket chat-replica")
    assert stores["chat-replica"].data["retention"]["any"] == "indefinite"


# --- end to end ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("delete_after", "exit_code"), [(14, 1), (None, 0)])
def test_check_sees_the_backup_of_a_bucket(
    tmp_path: Path,
    run_cli: CliRunner,
    monkeypatch: pytest.MonkeyPatch,
    delete_after: int | None,
    exit_code: int,
) -> None:
    """A 30-day bucket meets "opted-out conversations kept at most 30 days" — until a backup
    keeps its objects 14 days longer."""
    monkeypatch.chdir(tmp_path)
    resources = [*bucket("chat-logs")]
    if delete_after is not None:
        resources += [
            backup_plan({"lifecycle": [{"delete_after": delete_after}]}),
            selection(resources=["arn:aws:s3:::chat-logs"]),
        ]
    write(tmp_path, state(*resources), "state.json")
    (tmp_path / "policy.yaml").write_text(POLICY, encoding="utf-8")
    (tmp_path / "snapshot.yaml").write_text(
        SNAPSHOT
        + "imports:\n  - adapter: terraform\n    path: state.json\n    rules:\n"
        + "      - match: {name: chat-logs}\n"
        + "        store: {data_kinds: [conversations], retention_state: training_not_allowed}\n",
        encoding="utf-8",
    )
    result = run_cli(
        "check",
        "--policy",
        "policy.yaml",
        "--snapshot",
        "snapshot.yaml",
        "--as-of",
        AS_OF,
        "--format",
        "text",
    )
    assert result.code == exit_code, result.out + result.err
    if exit_code:
        assert "chat-logs" in result.out and "44d" in result.out


def test_a_replica_known_only_after_apply_without_a_reference(tmp_path: Path) -> None:
    config = replication("chat-logs", None, unknown={"rule": [{"destination": [{"bucket": True}]}]})
    _, result = run(write(tmp_path, plan(*bucket("chat-logs"), config)), rules())
    assert "retention" not in by_id(result)["chat-logs"].data
    [warning] = messages(result, "terraform-copy-unknown")
    assert "the replica bucket is known only after apply" in warning


def test_a_malformed_window_given_by_the_rule_is_left_to_validation() -> None:
    data, _ = _apply({"any": "thirty days", "training_allowed": "5y"}, BACKUP)
    assert data["retention"] == {"any": "thirty days", "training_allowed": "5y35d"}


def test_a_delete_after_known_only_after_apply_leaves_the_retention_not_evidenced(
    tmp_path: Path,
) -> None:
    main = backup_plan({"lifecycle": [{"delete_after": None}]})
    main = Res(
        main.address,
        main.values,
        unknown={"rule": [{"lifecycle": [{"delete_after": True}]}]},
        config={},
    )
    path = write(tmp_path, plan(*bucket("chat-logs"), main, selection(resources=["*"])))
    _, result = run(path, rules())
    assert "retention" not in by_id(result)["chat-logs"].data
    [warning] = messages(result, "terraform-copy-unknown")
    assert "aws_backup_plan.main: rule[0].lifecycle[0].delete_after is known only after apply" in (
        warning
    )


def test_a_selection_names_its_plan_by_arn_and_delete_after_0_keeps_for_ever(
    tmp_path: Path,
) -> None:
    main = backup_plan({"lifecycle": [{"delete_after": 0, "cold_storage_after": 30}]})
    chosen = selection(plan_id=main.values["arn"], resources=["arn:aws:s3:::chat-logs"])
    _, result = run(write(tmp_path, state(*bucket("chat-logs"), main, chosen)), rules())
    assert by_id(result)["chat-logs"].data["retention"] == {"training_not_allowed": "indefinite"}
    [note] = messages(result, "terraform-copy")
    assert "keeps a copy without limit (no delete_after: kept until deleted)" in note


def test_a_replicas_pitr_known_only_after_apply(tmp_path: Path) -> None:
    chats = Res(
        "aws_dynamodb_table.chats",
        table(point_in_time_recovery=[], replica=[{"region_name": "us-east-1"}]),
        unknown={"replica": [{"point_in_time_recovery": True}]},
        config={"replica": [{"region_name": {"constant_value": "us-east-1"}}]},
    )
    _, result = run(write(tmp_path, plan(chats)), rules(retention={"any": "30d"}))
    assert "retention" not in by_id(result)["chats"].data
    assert codes(result) == ["terraform-replica-regions", "terraform-copy-unknown"]
