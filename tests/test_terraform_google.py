"""Google Cloud families of the Terraform adapter: Cloud Storage, BigQuery, Cloud SQL.

Small plans and states written for each case (tests/terraform_plans.py), and real plans from
GoogleCloudPlatform/terraform-validator (tests/data/fixtures/terraform/tfv-*, Apache-2.0, commit
8dd77824970380a5b06cf8073143dc38e6d3402a; see tests/data/SOURCES.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from checker.adapters.base import AdapterResult, Imported
from checker.core.diagnostics import Level
from tests.conftest import CliRunner
from tests.input_samples import AS_OF, POLICY, SNAPSHOT
from tests.terraform_plans import Res, plan, ref, state, write
from tests.test_terraform_adapter import by_id, codes, run

FIXTURES = Path(__file__).resolve().parent / "data" / "fixtures" / "terraform"
EVERYTHING = [{"match": {"address": "*"}, "store": {"data_kinds": ["conversations"]}}]
OPTED_OUT = [
    {
        "match": {"address": "*"},
        "store": {"data_kinds": ["conversations"], "retention_state": "training_not_allowed"},
    }
]
DAY_MS = 86_400_000


def only(result: AdapterResult) -> Imported:
    [store] = result.items
    return store


def delete(age: int | None = None, **condition: Any) -> dict[str, Any]:
    if age is not None:
        condition["age"] = age
    return {"action": [{"type": "Delete", "storage_class": ""}], "condition": [condition]}


def bucket(*rules: dict[str, Any], **values: Any) -> dict[str, Any]:
    return {
        "name": "chat-archive",
        "location": "EU",
        "lifecycle_rule": list(rules),
        "versioning": [],
        "retention_policy": [],
        "encryption": [],
        "soft_delete_policy": [{"retention_duration_seconds": 0}],
        **values,
    }


def gcs(tmp_path: Path, *rules: dict[str, Any], **values: Any) -> AdapterResult:
    path = write(tmp_path, plan(Res("google_storage_bucket.archive", bucket(*rules, **values))))
    return run(path, OPTED_OUT)[1]


# --- Cloud Storage ---------------------------------------------------------------------------


def test_an_unconditioned_delete_rule_is_the_expiry(tmp_path: Path) -> None:
    store = only(result := gcs(tmp_path, delete(30)))
    assert store.data["kind"] == "gcs_bucket"
    assert store.data["region"] == "eu"
    assert store.data["retention"] == {"training_not_allowed": "30d"}
    assert store.data["deletion_schedule"] == {"defined": True}
    assert store.field_origins[("retention", "training_not_allowed")][-5:] == (
        "lifecycle_rule",
        0,
        "condition",
        0,
        "age",
    )
    assert result.diagnostics == []


def test_no_delete_rule_keeps_data_indefinitely(tmp_path: Path) -> None:
    moves = {
        "action": [{"type": "SetStorageClass", "storage_class": "COLDLINE"}],
        "condition": [{"age": 30}],
    }
    assert only(gcs(tmp_path, moves)).data["retention"] == {"training_not_allowed": "indefinite"}
    assert "deletion_schedule" not in only(gcs(tmp_path, moves)).data


def test_retention_policy_is_a_minimum_never_a_maximum(tmp_path: Path) -> None:
    """A 30-day hold with no Delete rule keeps data forever, not 30 days."""
    hold = [{"is_locked": False, "retention_period": 30 * 86_400}]
    store = only(gcs(tmp_path, retention_policy=hold))
    assert store.data["retention"] == {"training_not_allowed": "indefinite"}


def test_a_hold_longer_than_the_delete_age_is_the_window(tmp_path: Path) -> None:
    hold = [{"is_locked": True, "retention_period": 90 * 86_400}]
    assert only(gcs(tmp_path, delete(30), retention_policy=hold)).data["retention"] == {
        "training_not_allowed": "90d"
    }
    short = [{"is_locked": True, "retention_period": 86_400}]
    assert only(gcs(tmp_path, delete(30), retention_policy=short)).data["retention"] == {
        "training_not_allowed": "30d"
    }


def test_soft_delete_keeps_deleted_objects_longer(tmp_path: Path) -> None:
    """Objects the lifecycle deletes are soft-deleted too; users' deletions likewise."""
    soft = [{"retention_duration_seconds": 14 * 86_400}]
    store = only(gcs(tmp_path, delete(30), soft_delete_policy=soft))
    assert store.data["retention"] == {"training_not_allowed": "44d", "deleted_by_user": "14d"}
    assert store.field_origins[("retention", "deleted_by_user")][-1] == (
        "retention_duration_seconds"
    )


def test_without_a_soft_delete_policy_google_keeps_deleted_objects_7_days(
    tmp_path: Path,
) -> None:
    values = bucket(delete(30))
    del values["soft_delete_policy"]
    unknown = {"soft_delete_policy": True}
    path = write(
        tmp_path,
        plan(
            Res(
                "google_storage_bucket.archive",
                values,
                unknown,
                config={"name": {"constant_value": "chat-archive"}},
            ),
        ),
    )
    store = only(run(path, OPTED_OUT)[1])
    assert store.data["retention"] == {"training_not_allowed": "37d", "deleted_by_user": "7d"}


@pytest.mark.parametrize(
    ("condition", "scope"),
    [
        ({"matches_prefix": ["tmp/"]}, "matches_prefix tmp/"),
        ({"matches_suffix": [".log"]}, "matches_suffix .log"),
        ({"matches_storage_class": ["NEARLINE"]}, "matches_storage_class NEARLINE"),
        ({"created_before": "2024-01-01"}, "created_before 2024-01-01"),
        ({"days_since_custom_time": 3}, "days_since_custom_time 3"),
    ],
)
def test_narrowed_delete_rules_expire_only_part_of_the_bucket(
    tmp_path: Path, condition: dict[str, Any], scope: str
) -> None:
    result = gcs(tmp_path, delete(30, **condition))
    assert only(result).data["retention"] == {"training_not_allowed": "indefinite"}
    [note] = result.diagnostics
    assert note.code == "terraform-partial-lifecycle"
    assert f"rule #1 deletes objects with {scope} after 30d" in note.message


def test_age_zero_is_unset(tmp_path: Path) -> None:
    store = only(gcs(tmp_path, delete(0)))
    assert store.data["retention"] == {"training_not_allowed": "indefinite"}


VERSIONED = {"versioning": [{"enabled": True}]}


def test_versioned_bucket_without_a_noncurrent_delete_keeps_data(tmp_path: Path) -> None:
    result = gcs(tmp_path, delete(30, with_state="LIVE"), **VERSIONED)
    assert only(result).data["retention"] == {"training_not_allowed": "indefinite"}
    assert codes(result) == ["terraform-noncurrent-kept"]


@pytest.mark.parametrize(
    ("rules", "window"),
    [
        (
            [
                delete(30, with_state="LIVE"),
                delete(None, with_state="ARCHIVED", days_since_noncurrent_time=10),
            ],
            "40d",
        ),
        ([delete(30, with_state="ANY")], "30d"),  # noncurrent versions are 30 days old too
        ([delete(30, with_state="LIVE"), delete(60, is_live=False)], "60d"),
        ([delete(30, with_state="LIVE"), delete(5, with_state="ARCHIVED")], "30d"),
    ],
    ids=["days-since-noncurrent", "any-state", "archived-by-age", "archived-younger"],
)
def test_versioned_bucket_counts_the_noncurrent_delete(
    tmp_path: Path, rules: list[dict[str, Any]], window: str
) -> None:
    store = only(gcs(tmp_path, *rules, **VERSIONED))
    assert store.data["retention"] == {"training_not_allowed": window}


def test_noncurrent_delete_that_keeps_newer_versions_keeps_data(tmp_path: Path) -> None:
    rules = [
        delete(30, with_state="LIVE"),
        delete(None, with_state="ARCHIVED", num_newer_versions=3),
    ]
    result = gcs(tmp_path, *rules, **VERSIONED)
    assert only(result).data["retention"] == {"training_not_allowed": "indefinite"}
    [note] = result.diagnostics
    assert "keeps the newest noncurrent versions (num_newer_versions)" in note.message


def test_unknown_age_leaves_the_retention_unset(tmp_path: Path) -> None:
    unknown = {"lifecycle_rule": [{"condition": [{"age": True}]}]}
    path = write(
        tmp_path, plan(Res("google_storage_bucket.archive", bucket(delete(None)), unknown))
    )
    _, result = run(path, OPTED_OUT)
    assert "retention" not in only(result).data
    [note] = result.diagnostics
    assert (note.code, note.level) == ("terraform-unknown-value", Level.WARNING)
    assert note.location.path[-1] == "age"


def test_encryption_is_google_managed_without_a_key(tmp_path: Path) -> None:
    assert only(gcs(tmp_path)).data["encryption"] == {
        "at_rest": True,
        "key_manager": "google_managed",
    }


def test_cmek_key_of_the_plan_gives_its_rotation(tmp_path: Path) -> None:
    """The key is created in the same apply: its id is unknown and the reference names it."""
    key = Res(
        "google_kms_crypto_key.chat",
        {
            "name": "chat",
            "key_ring": "projects/p/locations/eu/keyRings/r",
            "rotation_period": "7776000s",
        },
        {"id": True},
    )
    values = bucket(encryption=[{"default_kms_key_name": None}])
    configured = {
        "name": {"constant_value": "chat-archive"},
        "encryption": [
            {
                "default_kms_key_name": ref(
                    "google_kms_crypto_key.chat.id", "google_kms_crypto_key.chat"
                )
            }
        ],
    }
    unknown = {"encryption": [{"default_kms_key_name": True}]}
    path = write(
        tmp_path, plan(key, Res("google_storage_bucket.archive", values, unknown, configured))
    )
    store = only(run(path, OPTED_OUT)[1])
    assert store.data["encryption"] == {
        "at_rest": True,
        "key_manager": "gcp_kms",
        "key_rotation": "90d",
    }


def test_cmek_key_by_name_without_rotation_is_never_rotated(tmp_path: Path) -> None:
    ring = "projects/p/locations/eu/keyRings/r"
    key = Res(
        "google_kms_crypto_key.chat",
        {
            "name": "chat",
            "key_ring": ring,
            "rotation_period": None,
            "id": f"{ring}/cryptoKeys/chat",
        },
        action="no-op",
    )
    values = bucket(encryption=[{"default_kms_key_name": f"{ring}/cryptoKeys/chat"}])
    path = write(tmp_path, state(key, Res("google_storage_bucket.archive", values)))
    store = only(run(path, [{"match": {"name": "chat-*"}, "store": {"data_kinds": ["x"]}}])[1])
    assert store.data["encryption"]["key_rotation"] == "indefinite"
    outside = bucket(encryption=[{"default_kms_key_name": "projects/q/keyRings/s/cryptoKeys/t"}])
    path = write(tmp_path, state(Res("google_storage_bucket.archive", outside)))
    store = only(run(path, EVERYTHING)[1])
    assert store.data["encryption"] == {"at_rest": True, "key_manager": "gcp_kms"}


def test_state_with_a_bucket_in_a_module(tmp_path: Path) -> None:
    res = Res("module.chat.google_storage_bucket.archive", bucket(delete(400)))
    _, result = run(
        write(tmp_path, state(res)),
        [{"match": {"address": "module.chat.*"}, "store": {"data_kinds": ["x"]}}],
    )
    store = only(result)
    assert store.data["source"]["address"] == "module.chat.google_storage_bucket.archive"
    assert store.data["retention"] == {"any": "400d"}


def test_real_bucket_keeps_data_despite_a_hold_and_a_customer_key() -> None:
    """terraform-validator's full bucket: two SetStorageClass-like rules (type "test-type"),
    versioning on, a 42-second locked retention policy, a CMEK named by a string."""
    doc, result = run(FIXTURES / "tfv-full_storage_bucket.tfplan.json", OPTED_OUT)
    store = only(result)
    assert store.data["id"] == "image-store-bucket"
    assert store.data["retention"] == {
        "training_not_allowed": "indefinite",  # no Delete action: the hold is no maximum
        "deleted_by_user": "7d",  # a provider before soft delete: Google's default applies
    }
    assert "deletion_schedule" not in store.data
    assert store.data["encryption"] == {"at_rest": True, "key_manager": "gcp_kms"}
    where = store.field_origins[("encryption", "key_manager")]
    assert doc.get(where) == "test-default_kms_key_name"
    assert result.diagnostics == []


# --- BigQuery --------------------------------------------------------------------------------


def dataset(**values: Any) -> dict[str, Any]:
    return {
        "dataset_id": "chats",
        "project": "p",
        "location": "EU",
        "default_table_expiration_ms": 30 * DAY_MS,
        "default_partition_expiration_ms": None,
        "default_encryption_configuration": [],
        "max_time_travel_hours": "",
        **values,
    }


def table(**values: Any) -> dict[str, Any]:
    return {
        "dataset_id": "chats",
        "project": "p",
        "table_id": "transcripts",
        "expiration_time": None,
        "time_partitioning": [],
        "encryption_configuration": [],
        **values,
    }


def test_new_dataset_default_is_the_window(tmp_path: Path) -> None:
    path = write(
        tmp_path, plan(Res("google_bigquery_dataset.chats", dataset(max_time_travel_hours="48")))
    )
    store = only(run(path, OPTED_OUT)[1])
    assert store.data["kind"] == "bigquery_dataset"
    assert store.data["retention"] == {"training_not_allowed": "30d", "deleted_by_user": "9d"}
    assert store.data["deletion_schedule"] == {"defined": True}
    assert store.data["encryption"] == {"at_rest": True, "key_manager": "google_managed"}


def test_dataset_without_default_keeps_tables(tmp_path: Path) -> None:
    values = dataset(default_table_expiration_ms=None)
    store = only(
        run(write(tmp_path, plan(Res("google_bigquery_dataset.chats", values))), OPTED_OUT)[1]
    )
    assert store.data["retention"] == {
        "training_not_allowed": "indefinite",
        "deleted_by_user": "14d",  # 7 days of time travel, 7 of fail-safe
    }


def test_existing_dataset_default_does_not_evidence_existing_tables(tmp_path: Path) -> None:
    path = write(tmp_path, state(Res("google_bigquery_dataset.chats", dataset())))
    _, result = run(path, OPTED_OUT)
    store = only(result)
    assert store.data["retention"] == {"deleted_by_user": "14d"}
    assert "key_manager" not in store.data["encryption"]
    assert codes(result) == ["terraform-dataset-default", "terraform-dataset-default"]
    assert "applies only to tables created after it was set" in result.diagnostics[0].message


def test_a_table_that_overrides_the_default_unsets_the_datasets_window(tmp_path: Path) -> None:
    own = table(expiration_time=1_900_000_000_000)
    path = write(
        tmp_path,
        plan(
            Res("google_bigquery_dataset.chats", dataset()),
            Res("google_bigquery_table.transcripts", own, {"creation_time": True}),
        ),
    )
    _, result = run(path, OPTED_OUT)
    stores = by_id(result)
    assert stores["chats"].data["retention"] == {"deleted_by_user": "14d"}
    assert stores["transcripts"].data["retention"] == {"deleted_by_user": "14d"}
    assert codes(result) == ["terraform-dataset-default", "terraform-date-expiration"]
    assert "sets its own expiration_time" in result.diagnostics[0].message
    assert "a date is not a retention window" in result.diagnostics[1].message


def test_a_new_table_takes_its_new_datasets_default(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        plan(
            Res("google_bigquery_dataset.chats", dataset()),
            Res(
                "google_bigquery_table.transcripts",
                table(),
                {"expiration_time": True},
                config={"dataset_id": ref("google_bigquery_dataset.chats.dataset_id")},
            ),
        ),
    )
    store = by_id(run(path, OPTED_OUT)[1])["transcripts"]
    assert store.data["retention"] == {"training_not_allowed": "30d", "deleted_by_user": "14d"}
    assert store.field_origins[("retention", "training_not_allowed")][-1] == (
        "default_table_expiration_ms"
    )


def test_state_table_expiration_is_read_from_its_creation(tmp_path: Path) -> None:
    created = 1_700_000_000_000
    values = table(expiration_time=created + 45 * DAY_MS, creation_time=created)
    store = only(run(write(tmp_path, state(Res("google_bigquery_table.t", values))), OPTED_OUT)[1])
    assert store.data["retention"] == {"training_not_allowed": "45d"}
    assert "key_manager" not in store.data["encryption"]  # the dataset is not in the state


@pytest.mark.parametrize(
    ("partitioning", "window"),
    [
        ([{"type": "DAY", "field": None, "expiration_ms": 7 * DAY_MS}], "7d"),
        ([{"type": "DAY", "field": "sent_at", "expiration_ms": 7 * DAY_MS}], "indefinite"),
        ([{"type": "DAY", "field": "", "expiration_ms": 0}], "indefinite"),
    ],
    ids=["ingestion-time", "by-column", "no-expiration"],
)
def test_partition_expiration(tmp_path: Path, partitioning: list[Any], window: str) -> None:
    values = table(time_partitioning=partitioning, creation_time=1)
    store = only(run(write(tmp_path, state(Res("google_bigquery_table.t", values))), OPTED_OUT)[1])
    assert store.data["retention"] == {"training_not_allowed": window}


def test_real_dataset_with_a_one_hour_default() -> None:
    """terraform-validator's dataset: created, default_table_expiration_ms 3600000, no key."""
    _, result = run(FIXTURES / "tfv-example_bigquery_dataset.tfplan.json", OPTED_OUT)
    store = only(result)
    assert store.data["retention"] == {"training_not_allowed": "1h", "deleted_by_user": "14d"}
    assert store.data["encryption"] == {"at_rest": True, "key_manager": "google_managed"}
    assert result.diagnostics == []


def test_real_table_in_a_dataset_outside_the_plan_is_not_evidenced() -> None:
    """terraform-validator's table: no expiration of its own (unknown, not configured) in
    dataset "dataset", which the plan does not hold: the default is not evidenced."""
    _, result = run(FIXTURES / "tfv-example_bigquery_table.tfplan.json", OPTED_OUT)
    store = only(result)
    assert store.data["id"] == "table"
    assert "retention" not in store.data
    assert store.data["encryption"] == {"at_rest": True}
    [note] = result.diagnostics
    assert note.code == "terraform-unknown-value"
    assert "dataset dataset, which is not in this plan" in note.message


# --- Cloud SQL -------------------------------------------------------------------------------


def instance(backup: dict[str, Any], ip: dict[str, Any], **values: Any) -> dict[str, Any]:
    return {
        "name": "chat-db",
        "region": "europe-west1",
        "encryption_key_name": None,
        "settings": [
            {"backup_configuration": [backup], "ip_configuration": [ip], "edition": "ENTERPRISE"}
        ],
        **values,
    }


@pytest.mark.parametrize(
    ("backup", "window"),
    [
        (
            {
                "enabled": True,
                "backup_retention_settings": [{"retained_backups": 30, "retention_unit": "COUNT"}],
                "transaction_log_retention_days": 7,
            },
            "30d",
        ),
        (
            {
                "enabled": True,
                "backup_retention_settings": [{"retained_backups": 7, "retention_unit": "COUNT"}],
                "transaction_log_retention_days": 14,
            },
            "14d",
        ),
        (
            {"enabled": True, "backup_retention_settings": [], "transaction_log_retention_days": 0},
            "7d",
        ),
        (
            {
                "enabled": False,
                "backup_retention_settings": [{"retained_backups": 30, "retention_unit": "COUNT"}],
            },
            None,
        ),
    ],
    ids=["backups", "logs-longer", "defaults", "disabled"],
)
def test_backups_keep_deleted_rows(
    tmp_path: Path, backup: dict[str, Any], window: str | None
) -> None:
    values = instance(backup, {"ssl_mode": "ENCRYPTED_ONLY"})
    store = only(
        run(write(tmp_path, state(Res("google_sql_database_instance.db", values))), OPTED_OUT)[1]
    )
    assert store.data["kind"] == "cloud_sql_instance"
    expected = {"deleted_by_user": window} if window else None
    assert store.data.get("retention") == expected


@pytest.mark.parametrize(
    ("ip", "in_transit"),
    [
        ({"ssl_mode": "ENCRYPTED_ONLY"}, True),
        ({"ssl_mode": "TRUSTED_CLIENT_CERTIFICATE_REQUIRED", "require_ssl": False}, True),
        ({"ssl_mode": "ALLOW_UNENCRYPTED_AND_ENCRYPTED", "require_ssl": True}, False),
        ({"ssl_mode": "", "require_ssl": True}, True),
        ({"ssl_mode": "", "require_ssl": False}, False),
    ],
)
def test_tls_from_ssl_mode(tmp_path: Path, ip: dict[str, Any], in_transit: bool) -> None:
    values = instance({"enabled": False}, ip)
    store = only(
        run(write(tmp_path, state(Res("google_sql_database_instance.db", values))), OPTED_OUT)[1]
    )
    assert store.data["encryption"]["in_transit"] is in_transit


def test_sql_customer_key_and_unknown_ssl(tmp_path: Path) -> None:
    key = Res(
        "google_kms_crypto_key.db",
        {"name": "db", "key_ring": "r", "rotation_period": "31536000s"},
        {"id": True},
    )
    values = instance({"enabled": False}, {"ssl_mode": None})
    configured = {
        "encryption_key_name": ref("google_kms_crypto_key.db.id"),
        "settings": [{"ip_configuration": [{"ssl_mode": ref("var.mode")}]}],
    }
    unknown = {
        "encryption_key_name": True,
        "settings": [{"ip_configuration": [{"ssl_mode": True}]}],
    }
    path = write(
        tmp_path, plan(key, Res("google_sql_database_instance.db", values, unknown, configured))
    )
    _, result = run(path, OPTED_OUT)
    store = by_id(result)["chat-db"]
    assert store.data["encryption"] == {
        "at_rest": True,
        "key_manager": "gcp_kms",
        "key_rotation": "365d",
    }
    assert codes(result) == ["terraform-unknown-value"]
    assert "encryption.in_transit" in result.diagnostics[0].message


def test_real_sql_instance_requires_ssl_and_keeps_backups_7_days() -> None:
    """terraform-validator's full instance: backups enabled without retention settings (a
    provider before them: Cloud SQL keeps 7), require_ssl true, no customer key."""
    _, result = run(
        FIXTURES / "tfv-full_sql_database_instance.tfplan.json",
        [
            {
                "match": {"address": "google_sql_database_instance.*"},
                "store": {"data_kinds": ["conversations"]},
            }
        ],
    )
    store = only(result)
    assert store.data["region"] == "us-central1"
    assert store.data["retention"] == {"deleted_by_user": "7d"}
    assert store.data["encryption"] == {
        "in_transit": True,
        "at_rest": True,
        "key_manager": "google_managed",
    }
    assert result.diagnostics == []


# --- end to end ------------------------------------------------------------------------------


@pytest.mark.parametrize(("age", "code"), [(23, 0), (30, 1)])
def test_check_counts_soft_delete_in_the_bucket_window(
    tmp_path: Path, run_cli: CliRunner, monkeypatch: pytest.MonkeyPatch, age: int, code: int
) -> None:
    """30 days of lifecycle plus Google's default 7 days of soft delete break a 30-day
    promise; 23 days keep it."""
    monkeypatch.chdir(tmp_path)
    values = bucket(delete(age))
    del values["soft_delete_policy"]
    write(tmp_path, plan(Res("google_storage_bucket.archive", values)))
    (tmp_path / "policy.yaml").write_text(POLICY, encoding="utf-8")
    (tmp_path / "snapshot.yaml").write_text(
        SNAPSHOT
        + "imports:\n  - adapter: terraform\n    path: plan.json\n    rules:\n"
        + "      - match: {address: google_storage_bucket.archive}\n"
        + "        store: {data_kinds: [conversations], retention_state: training_not_allowed}\n",
        encoding="utf-8",
    )
    result = run_cli(
        "check", "--policy", "policy.yaml", "--snapshot", "snapshot.yaml", "--as-of", AS_OF
    )
    assert result.code == code, result.out + result.err
    if code:
        assert "keeps training_not_allowed conversations for 37d" in result.out


@pytest.mark.parametrize(
    "name",
    [
        "tfv-full_storage_bucket.tfplan.json",
        "tfv-example_bigquery_dataset.tfplan.json",
        "tfv-example_bigquery_table.tfplan.json",
        "tfv-full_sql_database_instance.tfplan.json",
    ],
)
def test_every_field_cites_the_real_plan(name: str) -> None:
    doc, result = run(FIXTURES / name, EVERYTHING)
    assert result.items
    for store in result.items:
        for key in store.data:
            assert (key,) in store.field_origins, (store.data["id"], key)
        for part in ("retention", "encryption", "deletion_schedule"):
            for leaf in store.data.get(part, {}):
                origin = store.field_origins[(part, leaf)]
                assert doc.get(origin, KeyError) is not KeyError, origin
                assert doc.locate(origin).position is not None


def test_a_soft_delete_policy_configured_but_unknown_is_not_evidenced(tmp_path: Path) -> None:
    values = bucket(delete(30))
    del values["soft_delete_policy"]
    configured = {
        "name": {"constant_value": "chat-archive"},
        "soft_delete_policy": [{"retention_duration_seconds": ref("var.soft")}],
    }
    res = Res("google_storage_bucket.archive", values, {"soft_delete_policy": True}, configured)
    _, result = run(write(tmp_path, plan(res)), OPTED_OUT)
    assert "retention" not in only(result).data
    assert codes(result) == ["terraform-unknown-value"]
