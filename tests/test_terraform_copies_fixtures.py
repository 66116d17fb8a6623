"""Copies that outlive deletion on real plans (tests/data/fixtures, from bridgecrewio/checkov,
Apache-2.0, commit 03d5fdad8d6154b1565799a7b1fb8070c158866f; see tests/data/SOURCES.md).

``checkov-plan-tags-variety.json`` creates ``aws_dynamodb_table.basic-dynamodb-table`` (table
``test``) with ``point_in_time_recovery: [{enabled: true}]`` and no ``recovery_period_in_days``
(a plan of Terraform 1.0.7, from before the provider had the attribute), so deleted items stay
restorable for DynamoDB's default 35 days; no TTL; a customer KMS key outside the plan.
``checkov-plan-with-hcl-for-enrichment.json`` configures neither point-in-time recovery (unknown
in the plan but not in the configuration: the provider's default, off) nor S3 replication
(``replication_configuration: []``): no copy."""

from __future__ import annotations

from tests.test_terraform_adapter import HCL, by_id, codes, fixture, run

TAGS_VARIETY = "checkov-plan-tags-variety.json"
TABLE = ("resource_changes", 2, "change", "after")


def test_pitr_of_a_real_table_keeps_deleted_items_35_days() -> None:
    rules = [
        {
            "match": {"address": "aws_dynamodb_table.*"},
            "store": {
                "data_kinds": ["preferences"],
                "retention": {"training_not_allowed": "30d", "deleted_by_user": "0d"},
            },
        }
    ]
    doc, result = run(fixture(TAGS_VARIETY), rules)
    [table] = result.items
    assert table.data == {
        "id": "test",
        "kind": "dynamodb_table",
        "data_kinds": ["preferences"],
        "retention": {"training_not_allowed": "65d", "deleted_by_user": "35d"},
        "encryption": {"at_rest": True, "key_manager": "aws_kms"},
        "source": {
            "file": TAGS_VARIETY,
            "address": "aws_dynamodb_table.basic-dynamodb-table",
            "path": "$.resource_changes[2]",
        },
    }
    pitr = (*TABLE, "point_in_time_recovery", 0, "enabled")
    assert table.field_origins[("retention", "deleted_by_user")] == pitr
    assert doc.get(pitr) is True
    assert codes(result) == ["terraform-copy"]
    [note] = result.diagnostics
    assert note.location.path == pitr
    assert note.message == (
        "store test: point-in-time recovery of aws_dynamodb_table.basic-dynamodb-table keeps a "
        "copy for 35 days after it is taken (the default recovery period, 35 days): retention "
        "training_not_allowed 30d becomes 65d; deleted_by_user 0d becomes 35d"
    )


def test_a_real_plan_without_pitr_or_replication_keeps_no_copy() -> None:
    store = {"data_kinds": ["conversations"], "retention": {"deleted_by_user": "1d"}}
    rules = [
        {"match": {"address": "aws_dynamodb_table.*"}, "store": store},
        {"match": {"address": "aws_s3_bucket.*"}, "store": store},
    ]
    _, result = run(fixture(HCL), rules)
    stores = by_id(result)
    assert stores["crossenvironmentviolations"].data["retention"] == {"deleted_by_user": "1d"}
    assert stores["test-bucket1"].data["retention"] == {"deleted_by_user": "1d", "any": "90d"}
    assert result.diagnostics == []
