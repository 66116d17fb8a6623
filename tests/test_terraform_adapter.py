"""The Terraform adapter on real plans (tests/data/fixtures: from bridgecrewio/checkov,
Apache-2.0, commit 03d5fdad8d6154b1565799a7b1fb8070c158866f; see tests/data/SOURCES.md) and on
small plans written for the cases those lack (tests/data/terraform)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from checker.adapters.base import AdapterResult, Imported
from checker.adapters.mapping import identifier
from checker.adapters.terraform.aws_s3 import denies_insecure_transport
from checker.adapters.terraform.importer import first_difference, import_terraform
from checker.core.diagnostics import JsonPath, Level, Location, Position
from checker.core.patterns import glob
from checker.documents import load_document
from checker.documents.document import Document
from tests import terraform_plans
from tests.conftest import CliRunner
from tests.input_samples import AS_OF, POLICY, SNAPSHOT
from tests.terraform_plans import Res

FIXTURES = Path(__file__).resolve().parent / "data" / "fixtures"
DATA = Path(__file__).resolve().parent / "data" / "terraform"
HCL = "checkov-plan-with-hcl-for-enrichment.json"
FAIL = "checkov-plan-filtered-rule-fail.json"
SUCCESS = "checkov-plan-filtered-rule-success.json"

EVERYTHING = [{"match": {"address": "*"}, "store": {"data_kinds": ["conversations"]}}]


def fixture(name: str) -> Path:
    path = FIXTURES / name
    assert path.is_file(), f"fixture {path} is missing (see tests/data/SOURCES.md)"
    return path


def load(path: Path) -> Document:
    return load_document(path, name=path.name)


def run(path: Path, rules: list[dict[str, Any]]) -> tuple[Document, AdapterResult]:
    doc = load(path)
    return doc, import_terraform(doc, rules)


def by_id(result: AdapterResult) -> dict[str, Imported]:
    return {s.data["id"]: s for s in result.items}


def codes(result: AdapterResult) -> list[str]:
    return [d.code for d in result.diagnostics]


def line_of(path: Path, needle: str, after: str) -> int:
    """1-based line of the first ``needle`` that follows ``after`` in the file."""
    text = path.read_text(encoding="utf-8")
    return text[: text.index(needle, text.index(after))].count("\n") + 1


def leaves(data: Any, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    if isinstance(data, dict) and data:
        return [p for k, v in data.items() for p in leaves(v, (*path, k))]
    return [path]


# --- the real plans ---------------------------------------------------------------------------


def test_hcl_plan_bucket_keeps_data_90_days_for_the_rules_consent_state() -> None:
    path = fixture(HCL)
    rules = [
        {
            "match": {"name": "test-bucket1"},
            "store": {
                "data_kinds": ["conversations"],
                "tiers": ["free", "pro", "max"],
                "retention_state": "training_not_allowed",
            },
        },
        {"match": {"address": "aws_dynamodb_table.*"}, "store": {"data_kinds": ["preferences"]}},
    ]
    doc, result = run(path, rules)
    assert result.diagnostics == []
    bucket = by_id(result)["test-bucket1"]
    assert bucket.data == {
        "id": "test-bucket1",
        "kind": "s3_bucket",
        "data_kinds": ["conversations"],
        "tiers": ["free", "pro", "max"],
        "retention": {"training_not_allowed": "90d"},
        "deletion_schedule": {"defined": True},
        "source": {
            "file": HCL,
            "address": "aws_s3_bucket.test-bucket1",
            "path": "$.resource_changes[2]",
        },
    }
    # server_side_encryption_configuration: [] evidences nothing
    assert "encryption" not in bucket.data
    days = bucket.field_origins[("retention", "training_not_allowed")]
    assert days == (
        "resource_changes",
        2,
        "change",
        "after",
        "lifecycle_rule",
        0,
        "expiration",
        0,
        "days",
    )
    assert doc.get(days) == 90
    where = doc.locate(days)
    assert where.position is not None
    assert where.position.line == line_of(path, '"days": 90', '"resource_changes"')
    assert bucket.origin == ("resource_changes", 2)


def test_hcl_plan_table_has_no_ttl_so_no_deletion_schedule() -> None:
    doc, result = run(
        fixture(HCL),
        [
            {"match": {"name": "CrossEnvironment*"}, "store": {"data_kinds": ["preferences"]}},
        ],
    )
    [table] = result.items
    assert table.data["id"] == "crossenvironmentviolations"
    assert table.data["kind"] == "dynamodb_table"
    assert "deletion_schedule" not in table.data  # ttl: []
    assert "retention" not in table.data  # DynamoDB evidences no window
    # server_side_encryption is unknown in the plan but not configured: the AWS-owned key
    assert table.data["encryption"] == {"at_rest": True, "key_manager": "aws_owned"}
    assert doc.get(table.field_origins[("id",)]) == "CrossEnvironmentViolations"
    assert result.diagnostics == []


def test_catch_all_rule_ignores_resources_that_hold_no_data() -> None:
    _, result = run(fixture(HCL), EVERYTHING)
    assert sorted(s.data["kind"] for s in result.items) == ["dynamodb_table", "s3_bucket"]
    assert all(s.data["source"]["address"] != "aws_iam_policy.policy" for s in result.items)


@pytest.mark.parametrize("name", [FAIL, SUCCESS])
def test_filtered_rule_plans_expire_nothing(name: str) -> None:
    path = fixture(name)
    doc, result = run(
        path, [{"match": {"name": "my_bucket"}, "store": {"data_kinds": ["conversations"]}}]
    )
    [store] = result.items
    assert store.data == {
        "id": "my_bucket",
        "kind": "s3_bucket",
        "data_kinds": ["conversations"],
        "retention": {"any": "indefinite"},
        "source": {
            "file": name,
            "address": "aws_s3_bucket_lifecycle_configuration.this",
            "path": "$.resource_changes[0]",
        },
    }
    origin = store.field_origins[("retention", "any")]
    assert origin == ("resource_changes", 0, "change", "after", "rule", 0, "expiration")
    assert doc.get(origin) == []
    assert doc.get(("resource_changes", 0, "change", "after", "rule", 0, "status")) == "Enabled"
    outside = [d for d in result.diagnostics if d.code == "terraform-bucket-outside-plan"]
    assert len(outside) == 1 and "my_bucket" in outside[0].message


def test_fail_plan_warns_that_its_sections_disagree_and_names_both() -> None:
    path = fixture(FAIL)
    _, result = run(path, [{"match": {"name": "my_bucket"}, "store": {"data_kinds": ["x"]}}])
    assert codes(result) == ["terraform-bucket-outside-plan", "terraform-sections-disagree"]
    warning = result.diagnostics[1]
    assert warning.level is Level.WARNING
    tag = ("rule", 0, "filter", 0, "tag")
    assert warning.location.path == ("resource_changes", 0, "change", "after", *tag)
    used_line = line_of(path, '"tag": []', '"after"')
    planned_line = line_of(path, '"tag": ["my_tag"]', '"planned_values"')
    assert warning.location.position is not None
    assert warning.location.position.line == used_line
    assert f"{FAIL}:{planned_line}:" in warning.message
    assert f"{FAIL}:{used_line}:" in warning.message
    assert '["my_tag"] in planned_values' in warning.message
    assert "using resource_changes" in warning.message


def test_success_plan_sections_agree() -> None:
    _, result = run(
        fixture(SUCCESS), [{"match": {"name": "my_bucket"}, "store": {"data_kinds": ["x"]}}]
    )
    assert codes(result) == ["terraform-bucket-outside-plan"]


def test_configuring_resource_address_can_select_an_outside_bucket() -> None:
    _, result = run(
        fixture(FAIL),
        [
            {
                "match": {"address": "aws_s3_bucket_lifecycle_configuration.this"},
                "store": {"data_kinds": ["x"]},
            },
        ],
    )
    assert [s.data["id"] for s in result.items] == ["my_bucket"]


def test_unmapped_plan_yields_nothing_and_says_nothing() -> None:
    _, result = run(fixture(FAIL), [])
    assert result.items == [] and result.diagnostics == []


def test_falls_back_to_planned_values_without_resource_changes(tmp_path: Path) -> None:
    data = json.loads(fixture(HCL).read_text(encoding="utf-8"))
    del data["resource_changes"]
    path = tmp_path / "planned-only.json"
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    doc, result = run(path, [{"match": {"name": "test-*"}, "store": {"data_kinds": ["x"]}}])
    [store] = result.items
    assert store.data["retention"] == {"any": "90d"}
    origin = store.field_origins[("retention", "any")]
    assert origin[:4] == ("planned_values", "root_module", "resources", 2)
    assert doc.get(origin) == 90


# --- state files, modules, v4 resources --------------------------------------------------------


def test_state_file_with_nested_modules_and_v4_resources() -> None:
    doc, result = run(DATA / "state-modules.json", EVERYTHING)
    stores = by_id(result)
    assert list(stores) == ["chat-transcripts", "chat-archive", "userpreferences"]
    chat = stores["chat-transcripts"]
    assert chat.data == {
        "id": "chat-transcripts",
        "kind": "s3_bucket",
        "data_kinds": ["conversations"],
        "region": "us-east-1",
        # versioned: 30 days current + 7 days noncurrent; the disabled 1-day rule does not count
        "retention": {"any": "37d"},
        "deletion_schedule": {"defined": True},
        # the separate encryption resource wins over the bucket's inline AES256 block
        "encryption": {
            "at_rest": True,
            "key_manager": "aws_kms",
            "key_rotation": "180d",
            "in_transit": True,
        },
        "source": {
            "file": "state-modules.json",
            "address": "module.chat.aws_s3_bucket.transcripts",
            "path": "$.values.root_module.child_modules[0].resources[0]",
        },
    }
    module = ("values", "root_module", "child_modules", 0, "resources")
    origins = chat.field_origins
    assert origins[("retention", "any")] == (
        *module,
        2,
        "values",
        "rule",
        0,
        "expiration",
        0,
        "days",
    )
    assert origins[("encryption", "key_rotation")] == (
        "values",
        "root_module",
        "resources",
        0,
        "values",
        "rotation_period_in_days",
    )
    assert origins[("encryption", "in_transit")] == (*module, 4, "values", "policy")
    assert doc.get(origins[("encryption", "key_manager")]) == "aws:kms"


def test_versioned_bucket_keeping_newer_versions_keeps_data_indefinitely() -> None:
    doc, result = run(DATA / "state-modules.json", EVERYTHING)
    archive = by_id(result)["chat-archive"]
    assert archive.data["retention"] == {"any": "indefinite"}
    assert "deletion_schedule" not in archive.data and "encryption" not in archive.data
    [warning] = result.diagnostics
    assert warning.code == "terraform-noncurrent-kept"
    assert "'keep-three-versions'" in warning.message
    assert doc.get(warning.location.path) == {"newer_noncurrent_versions": 3, "noncurrent_days": 30}


def test_dynamodb_ttl_and_kms_in_a_nested_module() -> None:
    doc, result = run(DATA / "state-modules.json", EVERYTHING)
    table = by_id(result)["userpreferences"]
    assert table.data["deletion_schedule"] == {"defined": True}
    assert table.data["encryption"] == {
        "at_rest": True,
        "key_manager": "aws_kms",
        "key_rotation": "365d",
    }
    assert "retention" not in table.data
    ttl = table.field_origins[("deletion_schedule", "defined")]
    assert ttl[:5] == ("values", "root_module", "child_modules", 0, "child_modules")
    assert doc.get(ttl) is True


def test_rules_match_by_tags_first_match_wins() -> None:
    rules = [
        {"match": {"tags": {"DataClass": "archive"}}, "store": {"id": "cold", "data_kinds": ["a"]}},
        {"match": {"tags": {"Team": "chat"}}, "store": {"data_kinds": ["b"]}},  # via tags_all
        {"match": {"name": "chat-*"}, "store": {"data_kinds": ["never"]}},
    ]
    _, result = run(DATA / "state-modules.json", rules)
    assert {s.data["id"]: s.data["data_kinds"] for s in result.items} == {
        "chat-transcripts": ["b"],
        "cold": ["a"],
    }


def test_rule_retention_is_overridden_by_the_plan_with_a_warning() -> None:
    rules = [
        {
            "match": {"name": "test-bucket1"},
            "store": {
                "data_kinds": ["c"],
                "retention_state": "training_not_allowed",
                "retention": {"training_not_allowed": "30d", "training_allowed": "5y"},
                "deletion_schedule": {"last_reviewed": "2026-06-01"},
            },
        }
    ]
    doc, result = run(fixture(HCL), rules)
    [store] = result.items
    assert store.data["retention"] == {"training_not_allowed": "90d", "training_allowed": "5y"}
    assert store.data["deletion_schedule"] == {"last_reviewed": "2026-06-01", "defined": True}
    [warning] = result.diagnostics
    assert warning.code == "terraform-rule-conflict"
    assert '"30d"' in warning.message and '"90d"' in warning.message
    assert warning.location == doc.locate(
        store.field_origins[("retention", "training_not_allowed")]
    )
    # the rule's own window points at the resource, the plan's at the expiration days
    assert store.field_origins[("retention",)] == store.origin
    assert ("retention", "training_allowed") not in store.field_origins


def test_rule_retention_equal_to_the_plan_is_no_conflict() -> None:
    rules = [
        {
            "match": {"name": "test-bucket1"},
            "store": {"data_kinds": ["c"], "retention": {"any": "P90D"}},
        }
    ]
    _, result = run(fixture(HCL), rules)
    assert result.diagnostics == []
    assert result.items[0].data["retention"] == {"any": "90d"}


def test_rule_retention_stands_for_dynamodb() -> None:
    rules = [
        {
            "match": {"name": "CrossEnvironmentViolations"},
            "store": {"data_kinds": ["c"], "retention": {"any": "30d"}},
        }
    ]
    _, result = run(fixture(HCL), rules)
    assert result.items[0].data["retention"] == {"any": "30d"}
    assert result.diagnostics == []


def edited(tmp_path: Path, source: Path, change: Callable[[Any], None]) -> Path:
    """A copy of ``source`` with ``change`` applied to its data."""
    data = json.loads(source.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / source.name
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    return path


def chat_module(data: Any) -> list[dict[str, Any]]:
    resources: list[dict[str, Any]] = data["values"]["root_module"]["child_modules"][0]["resources"]
    return resources


@pytest.mark.parametrize(
    ("filter_block", "words"),
    [
        ({"prefix": "logs/"}, "prefix 'logs/'"),
        ({"tag": [{"key": "class", "value": "tmp"}]}, "tag class=tmp"),
        ({"object_size_greater_than": 1024}, "size > 1024"),
        (
            {"and": [{"prefix": "drafts/", "tags": {"kind": "draft"}}]},
            "prefix 'drafts/' and tags kind=draft",
        ),
    ],
)
def test_v4_filters_narrow_a_rule_to_part_of_the_bucket(
    tmp_path: Path, filter_block: dict[str, Any], words: str
) -> None:
    def narrow(data: Any) -> None:
        chat_module(data)[2]["values"]["rule"][0]["filter"] = [filter_block]

    _, result = run(edited(tmp_path, DATA / "state-modules.json", narrow), EVERYTHING)
    chat = by_id(result)["chat-transcripts"]
    assert chat.data["retention"] == {"any": "indefinite"}
    assert "deletion_schedule" not in chat.data
    [partial] = [d for d in result.diagnostics if d.code == "terraform-partial-lifecycle"]
    assert f"rule 'expire-all' expires objects with {words} after 30d" in partial.message


def test_kms_key_through_an_alias_without_rotation(tmp_path: Path) -> None:
    def alias(data: Any) -> None:
        root = data["values"]["root_module"]["resources"]
        root[0]["values"]["enable_key_rotation"] = False
        root.append(
            {
                "address": "aws_kms_alias.chat",
                "mode": "managed",
                "type": "aws_kms_alias",
                "name": "chat",
                "values": {"name": "alias/chat", "target_key_id": root[0]["values"]["key_id"]},
            }
        )
        sse = chat_module(data)[3]["values"]["rule"][0]
        sse["apply_server_side_encryption_by_default"][0]["kms_master_key_id"] = "alias/chat"

    doc, result = run(edited(tmp_path, DATA / "state-modules.json", alias), EVERYTHING)
    chat = by_id(result)["chat-transcripts"]
    assert chat.data["encryption"]["key_rotation"] == "indefinite"
    origin = chat.field_origins[("encryption", "key_rotation")]
    assert origin == ("values", "root_module", "resources", 0, "values", "enable_key_rotation")
    assert doc.get(origin) is False


def test_unreadable_policy_and_unknown_algorithm_are_not_evidence(tmp_path: Path) -> None:
    def spoil(data: Any) -> None:
        resources = chat_module(data)
        resources[4]["values"]["policy"] = "{not json"
        sse = resources[3]["values"]["rule"][0]["apply_server_side_encryption_by_default"][0]
        sse["sse_algorithm"] = "aws:fancy"

    _, result = run(edited(tmp_path, DATA / "state-modules.json", spoil), EVERYTHING)
    assert "encryption" not in by_id(result)["chat-transcripts"].data
    assert codes(result)[:2] == ["terraform-unrecognised-value", "terraform-malformed"]


def test_outside_bucket_with_expiration_needs_its_versioning(tmp_path: Path) -> None:
    def expire(data: Any) -> None:
        rule = data["resource_changes"][0]["change"]["after"]["rule"][0]
        rule["expiration"] = [{"date": None, "days": 30, "expired_object_delete_marker": False}]

    _, result = run(edited(tmp_path, fixture(SUCCESS), expire), EVERYTHING)
    [store] = result.items
    assert "retention" not in store.data
    assert codes(result) == [
        "terraform-bucket-outside-plan",
        "terraform-bucket-outside-plan",
        "terraform-sections-disagree",
    ]
    assert "noncurrent versions is not evidenced" in result.diagnostics[1].message


def test_configured_but_unknown_lifecycle_is_a_warning(tmp_path: Path) -> None:
    def hide(data: Any) -> None:
        change = data["resource_changes"][2]["change"]
        del change["after"]["lifecycle_rule"]
        change["after_unknown"]["lifecycle_rule"] = True
        del data["planned_values"]

    _, result = run(edited(tmp_path, fixture(HCL), hide), EVERYTHING)
    assert "retention" not in by_id(result)["test-bucket1"].data
    [warning] = [d for d in result.diagnostics if d.code != "terraform-not-stores"]
    assert warning.code == "terraform-unknown-value"
    assert warning.location.path[-2:] == ("after_unknown", "lifecycle_rule")


# --- S3 lifecycle semantics (provider v3 inline rules) -------------------------------------------

LIFECYCLE_CASES = {
    # bucket: (retention, deletion schedule defined?, warning codes)
    "disabled-rule": ("indefinite", False, []),
    "prefix-only": ("indefinite", False, ["terraform-partial-lifecycle"]),
    "tag-only": ("indefinite", False, ["terraform-partial-lifecycle"]),
    "marker-only": ("indefinite", False, []),
    "multi-days": ("90d", True, []),
    "dated": ("indefinite", False, ["terraform-date-expiration"]),
    "versioned-no-noncurrent": ("indefinite", False, ["terraform-noncurrent-kept"]),
    "versioned": ("90d", True, []),
    "unversioned-noncurrent": ("30d", True, []),
    "sse-s3": ("indefinite", False, []),
    "sse-kms-default": ("indefinite", False, []),
}


@pytest.fixture(scope="module")
def lifecycle() -> tuple[Document, AdapterResult]:
    return run(DATA / "plan-v3-lifecycle.json", EVERYTHING)


@pytest.mark.parametrize("bucket", sorted(LIFECYCLE_CASES))
def test_lifecycle_rules(bucket: str, lifecycle: tuple[Document, AdapterResult]) -> None:
    _, result = lifecycle
    retention, scheduled, warnings = LIFECYCLE_CASES[bucket]
    store = by_id(result)[bucket]
    assert store.data["retention"] == {"any": retention}
    assert ("deletion_schedule" in store.data) is scheduled
    index = int(store.origin[1])
    mine = [
        d.code for d in result.diagnostics if d.location.path[:2] == ("resource_changes", index)
    ]
    assert mine == warnings


def test_lifecycle_warnings_say_what_expires(lifecycle: tuple[Document, AdapterResult]) -> None:
    _, result = lifecycle
    partial = [d.message for d in result.diagnostics if d.code == "terraform-partial-lifecycle"]
    assert len(partial) == 2
    assert "rule 'tmp' expires objects with prefix 'tmp/' after 7d" in partial[0]
    assert "rule 'temp' expires objects with tags class=temp after 14d" in partial[1]
    assert all("kept indefinitely" in m for m in partial)
    dated = [d.message for d in result.diagnostics if d.code == "terraform-date-expiration"]
    assert len(dated) == 1 and "2030-01-01" in dated[0]


def test_marker_only_expiration_is_not_a_zero_day_window(
    lifecycle: tuple[Document, AdapterResult],
) -> None:
    doc, result = lifecycle
    store = by_id(result)["marker-only"]
    origin = store.field_origins[("retention", "any")]
    assert doc.get(origin) == [{"date": None, "days": 0, "expired_object_delete_marker": True}]


def test_versioned_retention_adds_the_noncurrent_window(
    lifecycle: tuple[Document, AdapterResult],
) -> None:
    doc, result = lifecycle
    store = by_id(result)["versioned"]
    assert doc.get(store.field_origins[("retention", "any")]) == 30


def test_deleted_bucket_is_not_in_the_future_system(
    lifecycle: tuple[Document, AdapterResult],
) -> None:
    _, result = lifecycle
    assert "retired" not in by_id(result)
    assert len(result.items) == len(LIFECYCLE_CASES)


def test_encryption_and_transit(lifecycle: tuple[Document, AdapterResult]) -> None:
    doc, result = lifecycle
    stores = by_id(result)
    assert stores["sse-s3"].data["encryption"] == {
        "at_rest": True,
        "key_manager": "aws_managed",
        "in_transit": True,
    }
    assert stores["sse-kms-default"].data["encryption"] == {
        "at_rest": True,
        "key_manager": "aws_kms",
        "key_rotation": "365d",
    }
    assert "encryption" not in stores["versioned"].data
    transit = stores["sse-s3"].field_origins[("encryption", "in_transit")]
    assert transit[-1] == "policy" and "SecureTransport" in doc.get(transit)


# --- values known only after apply -------------------------------------------------------------


@pytest.fixture(scope="module")
def unknown() -> tuple[Document, AdapterResult]:
    rules: list[dict[str, Any]] = [
        {"match": {"name": "scratch-*"}, "store": {"data_kinds": ["never"]}},
        {"match": {"address": "aws_s3_bucket.scratch"}, "store": {"data_kinds": ["scratch"]}},
        {
            "match": {"address": "module.tenant[?].aws_s3_bucket.data"},
            "store": {"id": "{address}", "data_kinds": ["tenant"]},
        },
        {"match": {"address": "*"}, "store": {"data_kinds": ["conversations"]}},
    ]
    return run(DATA / "plan-v4-unknown.json", rules)


def test_unknown_expiration_leaves_retention_unset(
    unknown: tuple[Document, AdapterResult],
) -> None:
    doc, result = unknown
    exports = by_id(result)["exports-bucket"]
    assert "retention" not in exports.data and "deletion_schedule" not in exports.data
    [warning] = [d for d in result.diagnostics if "expiration[0].days" in d.message]
    assert warning.code == "terraform-unknown-value"
    assert "known only after apply" in warning.message
    assert warning.location.path == (
        "resource_changes",
        2,
        "change",
        "after_unknown",
        "rule",
        0,
        "expiration",
        0,
        "days",
    )
    assert doc.get(warning.location.path) is True
    assert warning.location.position is not None


def test_unknown_references_resolved_through_configuration(
    unknown: tuple[Document, AdapterResult],
) -> None:
    _, result = unknown
    exports = by_id(result)["exports-bucket"]
    # the encryption resource's bucket and key id are unknown; configuration names them
    assert exports.data["encryption"] == {
        "at_rest": True,
        "key_manager": "aws_kms",
        "key_rotation": "365d",
    }
    origin = exports.field_origins[("encryption", "key_rotation")]
    assert origin == ("resource_changes", 0, "change", "after", "enable_key_rotation")
    [policy] = [d for d in result.diagnostics if d.location.path[:2] == ("resource_changes", 4)]
    assert policy.code == "terraform-unknown-value" and "in_transit" in policy.message


def test_unknown_name_and_module_instances(unknown: tuple[Document, AdapterResult]) -> None:
    _, result = unknown
    stores = by_id(result)
    scratch = stores["aws_s3_bucket-scratch"]
    assert scratch.data["data_kinds"] == ["scratch"]
    assert scratch.data["retention"] == {"any": "indefinite"}  # no lifecycle configured
    skipped = [d for d in result.diagnostics if d.code == "terraform-unknown-match"]
    assert len(skipped) == 1 and "rule 1" in skipped[0].message
    for i in (0, 1):
        tenant = stores[f"module-tenant-{i}-aws_s3_bucket-data"]
        assert tenant.data["retention"] == {"any": "60d"}
        assert tenant.data["source"]["address"] == f"module.tenant[{i}].aws_s3_bucket.data"
        assert tenant.field_origins[("retention", "any")][:2] == ("resource_changes", 9 + 2 * i)


def test_unresolvable_bucket_reference_and_deleted_resources(
    unknown: tuple[Document, AdapterResult],
) -> None:
    _, result = unknown
    [orphan] = [d for d in result.diagnostics if d.code == "terraform-unresolved-bucket"]
    assert "aws_s3_bucket_lifecycle_configuration.orphan" in orphan.message
    assert all(s.data["source"]["address"] != "aws_s3_bucket.retired" for s in result.items)
    table = by_id(result)["sessions"]
    assert table.data["encryption"]["key_rotation"] == "365d"
    assert table.data["deletion_schedule"] == {"defined": True}


def test_unknown_tags_cannot_match(unknown: tuple[Document, AdapterResult]) -> None:
    doc = unknown[0]
    result = import_terraform(
        doc, [{"match": {"tags": {"DataClass": "exports"}}, "store": {"data_kinds": ["x"]}}]
    )
    assert [s.data["id"] for s in result.items] == ["exports-bucket"]
    assert [d.location.path for d in result.diagnostics if d.code == "terraform-unknown-match"] == [
        ("resource_changes", 5),
        ("resource_changes", 7),
    ]


# --- every field cites the plan ----------------------------------------------------------------

ALL_PLANS = [
    (FIXTURES, HCL),
    (FIXTURES, FAIL),
    (DATA, "state-modules.json"),
    (DATA, "plan-v3-lifecycle.json"),
    (DATA, "plan-v4-unknown.json"),
]


@pytest.mark.parametrize(("folder", "name"), ALL_PLANS)
def test_every_field_has_an_origin_in_the_plan(folder: Path, name: str) -> None:
    path = fixture(name) if folder == FIXTURES else folder / name
    doc, result = run(path, EVERYTHING)
    assert result.items
    for store in result.items:
        for key in store.data:
            assert (key,) in store.field_origins, (store.data["id"], key)
        for part in ("retention", "encryption", "deletion_schedule"):
            for leaf in leaves(store.data.get(part, {}), (part,)):
                if len(leaf) > 1:
                    assert leaf in store.field_origins, (store.data["id"], leaf)
        for origin in (store.origin, *store.field_origins.values()):
            assert doc.locate(origin).position is not None
            assert doc.get(origin, KeyError) is not KeyError, origin
    for diagnostic in result.diagnostics:
        assert diagnostic.location.position is not None


# --- ids, rules and malformed input ------------------------------------------------------------


def test_id_templates_and_duplicates() -> None:
    rules = [{"match": {"name": "*"}, "store": {"id": "chat", "data_kinds": ["x"]}}]
    _, result = run(DATA / "state-modules.json", rules)
    assert [s.data["id"] for s in result.items] == ["chat", "chat-2", "chat-3"]
    assert codes(result).count("terraform-duplicate-id") == 2


def test_bad_template_placeholder_is_an_error_at_the_rule() -> None:
    doc = load(DATA / "state-modules.json")
    seen: list[JsonPath] = []

    def locate(path: JsonPath) -> Location:
        seen.append(path)
        return Location("snapshot.yaml", Position(7, 9), ("imports", 0, "rules", *path))

    result = import_terraform(
        doc,
        [{"match": {"name": "chat-archive"}, "store": {"id": "{bucket}", "data_kinds": ["x"]}}],
        rule_locator=locate,
    )
    [error] = [d for d in result.diagnostics if d.level is Level.ERROR]
    assert error.code == "terraform-rule" and "{bucket}" in error.message
    assert str(error.location) == "snapshot.yaml:7:9" and seen == [(0, "store", "id")]
    assert [s.data["id"] for s in result.items] == ["chat-archive"]


def test_conflicting_configuration_resources_are_reported(tmp_path: Path) -> None:
    data = json.loads((DATA / "state-modules.json").read_text(encoding="utf-8"))
    resources = data["values"]["root_module"]["child_modules"][0]["resources"]
    twin = json.loads(json.dumps(resources[2]))
    twin["address"] = "module.chat.aws_s3_bucket_lifecycle_configuration.again"
    resources.append(twin)
    path = tmp_path / "twice.json"
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    _, result = run(path, [{"match": {"name": "chat-transcripts"}, "store": {"data_kinds": ["x"]}}])
    assert codes(result) == ["terraform-conflicting-resources"]
    assert "several aws_s3_bucket_lifecycle_configuration" in result.diagnostics[0].message


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ({"version": 3, "terraform_version": "0.11.14", "modules": []}, "format version 3"),
        ({"format_version": "2.0", "values": {}}, "unsupported Terraform JSON format_version"),
        ({"planned_values": {}}, "no format_version"),
    ],
)
def test_malformed_documents_are_errors(tmp_path: Path, content: Any, words: str) -> None:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(content), encoding="utf-8")
    _, result = run(path, EVERYTHING)
    assert result.items == []
    [error] = result.diagnostics
    assert error.level is Level.ERROR and words in error.message


def test_non_object_document_is_an_error() -> None:
    doc = load(DATA / "state-modules.json")
    doc.data = [doc.data]
    result = import_terraform(doc, EVERYTHING)
    assert result.items == []
    [error] = result.diagnostics
    assert error.level is Level.ERROR and "expected an object" in error.message


def test_malformed_entries_are_skipped_with_a_warning(tmp_path: Path) -> None:
    plan = {
        "format_version": "1.2",
        "resource_changes": [
            {"type": "aws_s3_bucket"},
            {"address": "aws_s3_bucket.a", "type": "aws_s3_bucket", "change": {"after": "x"}},
            {
                "address": "aws_s3_bucket.b",
                "type": "aws_s3_bucket",
                "mode": "managed",
                "change": {"actions": ["create"], "after": {"bucket": "b"}, "after_unknown": {}},
            },
        ],
    }
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan, indent=1), encoding="utf-8")
    _, result = run(path, EVERYTHING)
    assert [s.data["id"] for s in result.items] == ["b"]
    assert result.items[0].data["retention"] == {"any": "indefinite"}
    assert codes(result) == ["terraform-malformed", "terraform-malformed"]
    assert all(d.level is Level.WARNING for d in result.diagnostics)


# --- helpers -----------------------------------------------------------------------------------


def test_glob_treats_brackets_literally() -> None:
    assert glob("module.tenant[0].aws_s3_bucket.*", "module.tenant[0].aws_s3_bucket.data")
    assert not glob("module.tenant[0].aws_s3_bucket.*", "module.tenant0.aws_s3_bucket.data")
    assert glob("chat-?", "chat-1") and not glob("chat-?", "chat-10")


def test_identifier() -> None:
    assert identifier("CrossEnvironmentViolations") == "crossenvironmentviolations"
    assert identifier("logs.example.com") == "logs-example-com"
    assert identifier("2024-exports") == "s-2024-exports"
    assert identifier("..") == "store"


def test_first_difference() -> None:
    assert first_difference({"a": [1, {"b": 2}]}, {"a": [1, {"b": 2}]}) is None
    assert first_difference({"a": [1, {"b": 2}]}, {"a": [1, {"b": 3}]}) == ("a", 1, "b")
    assert first_difference({"a": 1}, {"a": 1, "c": 2}) == ("c",)
    assert first_difference({"a": [1]}, {"a": [1, 2]}) == ("a",)
    assert first_difference({"a": True}, {"a": 1}) == ("a",)


TLS = {
    "Effect": "Deny",
    "Principal": "*",
    "Action": "s3:*",
    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
}


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        (TLS, True),
        ({**TLS, "Condition": {"BoolIfExists": {"aws:securetransport": ["false"]}}}, True),
        ({**TLS, "Principal": {"AWS": ["*"]}, "Action": ["s3:GetObject", "*"]}, True),
        ({**TLS, "Effect": "Allow"}, False),
        ({**TLS, "Principal": {"AWS": "arn:aws:iam::111122223333:root"}}, False),
        ({**TLS, "Action": "s3:PutObject"}, False),
        ({**TLS, "Condition": {"NumericLessThan": {"s3:TlsVersion": "1.2"}}}, False),
        ({**TLS, "Condition": {"Bool": {"aws:SecureTransport": "true"}}}, False),
    ],
)
def test_tls_only_policies(statement: dict[str, Any], expected: bool) -> None:
    assert denies_insecure_transport({"Statement": [statement]}) is expected


# --- declared resources the adapter cannot read -------------------------------------------------


def _plan_with(tmp_path: Path, *resources: dict[str, Any]) -> Path:
    """A ``terraform show -json`` plan holding ``resources`` (planned values only)."""
    plan = {
        "format_version": "1.2",
        "terraform_version": "1.9.0",
        "planned_values": {
            "root_module": {
                "resources": [
                    {"mode": "managed", "provider_name": "registry.terraform.io/x/y", **r}
                    for r in resources
                ]
            }
        },
    }
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan, indent=1), encoding="utf-8")
    return path


# Types that hold data and that no reader reads (unread.DATA_TYPES lists them).
CHAT_FILES = {
    "address": "aws_efs_file_system.chats",
    "type": "aws_efs_file_system",
    "name": "chats",
    "values": {"name": "chat-files", "encrypted": False, "tags": {"Data": "chats"}},
}
SPANNER = {
    "address": "google_spanner_database.archive",
    "type": "google_spanner_database",
    "name": "archive",
    "values": {"name": "chat-archive", "labels": {}},
}
IAM = {
    "address": "aws_iam_role.reader",
    "type": "aws_iam_role",
    "name": "reader",
    "values": {"name": "chat-reader", "tags": {"Data": "chats"}},
}


@pytest.mark.parametrize(
    ("resource", "match"),
    [
        (CHAT_FILES, {"address": "aws_efs_file_system.chats"}),
        (CHAT_FILES, {"tags": {"Data": "chats"}}),
        (CHAT_FILES, {"name": "chat-*"}),
        (SPANNER, {"name": "chat-archive"}),
        (SPANNER, {"address": "*"}),
    ],
    ids=["efs-by-address", "efs-by-tags", "efs-by-name", "spanner-by-name", "spanner-catch-all"],
)
def test_a_declared_resource_the_adapter_cannot_read_is_a_store_without_evidence(
    tmp_path: Path, resource: dict[str, Any], match: dict[str, Any]
) -> None:
    """Dropping it would let "chat logs are encrypted" pass on the stores that remain: it
    becomes a store with the rule's classification and none of the facts the plan should
    give, even those the rule states, so every promise about them is not evidenced."""
    store = {
        "data_kinds": ["conversations"],
        "tiers": ["free"],
        "encryption": {"at_rest": True},
        "retention": {"any": "30d"},
    }
    _, result = run(_plan_with(tmp_path, resource), [{"match": match, "store": store}])
    [item] = result.items
    assert item.data["kind"] == resource["type"]
    assert item.data["data_kinds"] == ["conversations"] and item.data["tiers"] == ["free"]
    assert "encryption" not in item.data and "retention" not in item.data
    assert item.data["source"]["unreadable"] == (
        f"{resource['address']} is of type {resource['type']}, which the Terraform adapter "
        "cannot read"
    )
    [warning] = result.diagnostics
    assert (warning.code, warning.level) == ("terraform-unreadable-resource", Level.WARNING)
    assert warning.location.path[-1] == 0  # at the resource in the plan
    assert warning.location.position is not None
    assert f"rule 1 selects {resource['address']} (type {resource['type']})" in warning.message
    assert "what the rule gives for encryption, retention is no evidence" in warning.message


@pytest.mark.parametrize(
    "resource_type",
    [
        "aws_dynamodb_global_table",
        "aws_s3_directory_bucket",
        "aws_fsx_windows_file_system",
        "aws_cognito_user_pool",
        "aws_mq_broker",
        "google_compute_disk",
        "google_alloydb_cluster",
        "google_pubsub_subscription",
        "azurerm_managed_disk",
        "azurerm_postgresql_server",
        "azurerm_application_insights",
    ],
)
def test_tagged_stores_of_types_no_reader_reads_are_not_dropped(
    tmp_path: Path, resource_type: str
) -> None:
    """A disk, a user pool or a queue tagged as holding chats holds them: a tags rule that
    selects it declares a store, which was dropped as "holding no user data", so a promise
    passed on the stores that remain."""
    resource = {
        "address": f"{resource_type}.chats",
        "type": resource_type,
        "name": "chats",
        "values": {"name": "chats", "tags": {"Data": "chats"}},
    }
    _, result = run(_plan_with(tmp_path, resource), [{"match": {"tags": {"Data": "chats"}}}])
    assert codes(result) == ["terraform-unreadable-resource"]
    [item] = result.items
    assert item.data["kind"] == resource_type and "unreadable" in item.data["source"]


def test_resources_that_hold_no_data_are_said_not_to_be_stores(tmp_path: Path) -> None:
    _, result = run(_plan_with(tmp_path, IAM), [{"match": {"tags": {"Data": "chats"}}}])
    assert result.items == []
    [note] = result.diagnostics
    assert (note.code, note.level) == ("terraform-not-stores", Level.WARNING)
    assert "rule 1 also selects 1 resource of types that hold no user data (aws_iam_role)" in (
        note.message
    )


def test_a_rule_naming_a_type_that_holds_no_data_declares_a_store(tmp_path: Path) -> None:
    """Naming the type declares that its resources hold data: they cannot be left out."""
    _, result = run(_plan_with(tmp_path, IAM), [{"match": {"address": "aws_iam_role.*"}}])
    [warning] = result.diagnostics
    assert warning.code == "terraform-unreadable-resource"
    assert [item.data["id"] for item in result.items] == ["chat-reader"]


def test_a_rule_that_maps_nothing_is_an_error(tmp_path: Path) -> None:
    """A typo'd address must not leave the promise passing on the other stores."""
    _, result = run(
        _plan_with(tmp_path, CHAT_FILES), [{"match": {"address": "aws_efs_file_sistem.*"}}]
    )
    [error] = result.diagnostics
    assert (error.code, error.level) == ("terraform-rule-unused", Level.ERROR)
    assert "maps no resource" in error.message and "not evidenced" in error.message


def test_a_rule_that_selects_nothing_unreadable_is_untouched(tmp_path: Path) -> None:
    _, result = run(_plan_with(tmp_path, CHAT_FILES), [{"match": {"name": "other-*"}}])
    assert codes(result) == ["terraform-rule-unused"]


def test_check_is_not_compliant_when_a_declared_store_cannot_be_read(
    tmp_path: Path, run_cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The false pass of a real plan: the chat database mapped by a rule, unencrypted, and the
    promise passing on the remaining stores with exit 0. The store is judged, not evidenced,
    and the finding says why; validate shows the warning."""
    monkeypatch.chdir(tmp_path)
    _plan_with(tmp_path, CHAT_FILES)
    (tmp_path / "policy.yaml").write_text(POLICY, encoding="utf-8")
    (tmp_path / "snapshot.yaml").write_text(
        SNAPSHOT
        + "imports:\n  - terraform: plan.json\n    rules:\n"
        + "      - match: {address: aws_efs_file_system.chats}\n"
        + "        store: {data_kinds: [conversations], encryption: {at_rest: true}}\n",
        encoding="utf-8",
    )
    checked = run_cli(
        "check", "--policy", "policy.yaml", "--snapshot", "snapshot.yaml", "--as-of", AS_OF
    )
    assert checked.code == 1, checked.out + checked.err
    assert (
        "not_evidenced: store chat-files holds conversations but records no retention window "
        "(aws_efs_file_system.chats is of type aws_efs_file_system, which the Terraform adapter "
        "cannot read)"
    ) in checked.out
    validated = run_cli("validate", "snapshot.yaml")
    assert validated.code == 0, validated.out + validated.err
    assert "selects aws_efs_file_system.chats (type aws_efs_file_system)" in validated.out


# --- deferred changes (Terraform 1.9+, plans that defer part of the work to a later round) ----


def deferred_plan(*deferred: Res, reason: str = "instance_count_unknown") -> dict[str, Any]:
    """A plan with one bucket planned and ``deferred`` resources whose changes Terraform put
    off to a later plan (``deferred_changes``, which ``resource_changes`` does not list)."""
    planned = Res(
        "aws_s3_bucket.chat",
        {"bucket": "chat", "tags": {"DataClass": "chats"}, "lifecycle_rule": []},
        config=None,
    )
    document = terraform_plans.plan(planned, *deferred)
    later = document["resource_changes"][1:]
    document["resource_changes"] = document["resource_changes"][:1]
    document["complete"] = False
    document["deferred_changes"] = [{"reason": reason, "resource_change": c} for c in later]
    return document


ARCHIVE = Res(
    "aws_s3_bucket.chat_archive[*]",
    {"tags": {"DataClass": "chats"}},
    unknown={"bucket": True, "id": True},
    config=None,
)


@pytest.mark.parametrize(
    "match",
    [{"address": "aws_s3_bucket.chat*"}, {"name": "chat*"}, {"tags": {"DataClass": "chats"}}],
)
def test_a_deferred_store_is_declared_but_not_evidenced(
    tmp_path: Path, match: dict[str, Any]
) -> None:
    """A rule that selects the planned bucket also selects the deferred one (its name unknown):
    dropping it would let every promise pass on the planned bucket alone."""
    path = terraform_plans.write(tmp_path, deferred_plan(ARCHIVE))
    doc, result = run(path, [{"match": match, "store": {"data_kinds": ["conversations"]}}])
    stores = by_id(result)
    assert sorted(stores) == ["aws_s3_bucket-chat_archive", "chat"]
    archive = stores["aws_s3_bucket-chat_archive"]
    assert "retention" not in archive.data and "encryption" not in archive.data
    assert "to a later plan" in archive.data["source"]["unreadable"]
    assert archive.origin == ("deferred_changes", 0, "resource_change")
    [warning] = [d for d in result.diagnostics if d.code == "terraform-unreadable-resource"]
    assert str(warning.location.position) == str(doc.locate(archive.origin).position)
    assert "instance_count_unknown" in warning.message
    assert "terraform-incomplete-plan" in codes(result)


def test_a_deferred_resource_no_rule_selects_is_ignored(tmp_path: Path) -> None:
    path = terraform_plans.write(tmp_path, deferred_plan(ARCHIVE))
    rules = [{"match": {"address": "aws_s3_bucket.chat"}, "store": {"data_kinds": ["chats"]}}]
    _, result = run(path, rules)
    assert sorted(by_id(result)) == ["chat"]
    assert "terraform-unreadable-resource" not in codes(result)


def test_a_deferred_configuring_resource_is_a_warning(tmp_path: Path) -> None:
    """A lifecycle or replication configuration put off to a later plan may change what the
    planned bucket keeps: said at the deferred change."""
    lifecycle = Res(
        "aws_s3_bucket_lifecycle_configuration.chat",
        {"bucket": "chat", "rule": []},
        config=None,
    )
    path = terraform_plans.write(
        tmp_path, deferred_plan(lifecycle, reason="provider_config_unknown")
    )
    _, result = run(path, [{"match": {"name": "chat"}, "store": {"data_kinds": ["conversations"]}}])
    [warning] = [d for d in result.diagnostics if d.code == "terraform-deferred"]
    assert "aws_s3_bucket_lifecycle_configuration.chat" in warning.message
    assert "provider_config_unknown" in warning.message


def test_a_plan_terraform_could_not_finish_is_refused(
    tmp_path: Path, run_cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``errored: true``: Terraform stopped planning at an error, so the plan may lack resources
    a rule selects, and the promises would pass on the rest. The import is refused (exit 2) at
    the line of ``errored``, as an export that cannot be used."""
    monkeypatch.chdir(tmp_path)
    bucket = Res("aws_s3_bucket.chat", {"bucket": "chat", "lifecycle_rule": []}, config=None)
    document = terraform_plans.plan(bucket)
    document["errored"] = True
    terraform_plans.write(tmp_path, document)
    (tmp_path / "policy.yaml").write_text(POLICY, encoding="utf-8")
    (tmp_path / "snapshot.yaml").write_text(
        SNAPSHOT
        + "imports:\n  - terraform: plan.json\n    rules:\n"
        + "      - match: {address: 'aws_s3_bucket.*'}\n"
        + "        store: {data_kinds: [conversations]}\n",
        encoding="utf-8",
    )
    checked = run_cli(
        "check", "--policy", "policy.yaml", "--snapshot", "snapshot.yaml", "--as-of", AS_OF
    )
    said = checked.out + checked.err
    assert checked.code == 2, said
    line = 1 + json.dumps(document, indent=1).split('"errored"')[0].count("\n")
    assert f"plan.json:{line}:" in said and "errors while planning" in said, said


def test_an_unread_store_whose_name_is_known_only_after_apply_is_said(tmp_path: Path) -> None:
    """A DocumentDB cluster named by ``cluster_identifier_prefix``: a ``name`` rule cannot
    tell whether it matches. The families the adapter reads say so (terraform-unknown-match);
    this one was passed over without a word."""
    cluster = {
        "address": "aws_docdb_cluster.chats",
        "type": "aws_docdb_cluster",
        "name": "chats",
        "change": {
            "actions": ["create"],
            "before": None,
            "after": {"cluster_identifier_prefix": "chat-", "tags": {}},
            "after_unknown": {"cluster_identifier": True, "id": True},
        },
    }
    path = tmp_path / "plan.json"
    document = {"format_version": "1.2", "resource_changes": [cluster]}
    path.write_text(json.dumps(document, indent=1), encoding="utf-8")
    rules = [{"match": {"name": "chat-*"}, "store": {"data_kinds": ["conversations"]}}]
    _, result = run(path, rules)
    assert codes(result) == ["terraform-unknown-match", "terraform-rule-unused"]
    [note] = [d for d in result.diagnostics if d.code == "terraform-unknown-match"]
    assert "cannot tell whether mapping rule 1 matches aws_docdb_cluster.chats" in note.message
    assert note.location.path == ("resource_changes", 0)


def test_an_unread_store_whose_tags_are_known_only_after_apply_is_said(tmp_path: Path) -> None:
    """Tags computed at apply (from another resource's attribute) cannot be compared either."""
    volume = {
        "address": "aws_efs_file_system.chats",
        "type": "aws_efs_file_system",
        "name": "chats",
        "change": {
            "actions": ["create"],
            "before": None,
            "after": {"creation_token": "chats"},
            "after_unknown": {"tags": True, "tags_all": True, "id": True},
        },
    }
    path = tmp_path / "plan.json"
    path.write_text(
        json.dumps({"format_version": "1.2", "resource_changes": [volume]}, indent=1),
        encoding="utf-8",
    )
    rules = [{"match": {"tags": {"Data": "chats"}}, "store": {"data_kinds": ["conversations"]}}]
    _, result = run(path, rules)
    assert codes(result) == ["terraform-unknown-match", "terraform-rule-unused"]
    assert "its tags are known only after apply" in result.diagnostics[0].message
