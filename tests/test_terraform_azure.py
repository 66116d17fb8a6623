"""Azure families of the Terraform adapter: storage accounts and Cosmos DB.

Small plans and states written for each case (tests/terraform_plans.py), and a real plan from
fugue/regula (tests/data/fixtures/terraform/regula-azure-account-secure-transfer.json,
Apache-2.0, commit 259c10a6a746e3c1eb84857d9f548cca463034af; see tests/data/SOURCES.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from checker.adapters.base import AdapterResult, Imported
from tests.conftest import CliRunner
from tests.input_samples import AS_OF, POLICY, SNAPSHOT
from tests.terraform_plans import Res, plan, ref, state, write
from tests.test_terraform_adapter import by_id, codes, run

FIXTURES = Path(__file__).resolve().parent / "data" / "fixtures" / "terraform"
OPTED_OUT = [
    {
        "match": {"address": "*"},
        "store": {"data_kinds": ["conversations"], "retention_state": "training_not_allowed"},
    }
]
ACCOUNT_ID = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/chats"


def only(result: AdapterResult) -> Imported:
    [store] = result.items
    return store


def account(**values: Any) -> dict[str, Any]:
    return {
        "name": "chats",
        "id": ACCOUNT_ID,
        "location": "westeurope",
        "https_traffic_only_enabled": True,
        "min_tls_version": "TLS1_2",
        "blob_properties": [],
        "customer_managed_key": [],
        **values,
    }


def rule(
    days: int = 30,
    *,
    key: str = "delete_after_days_since_modification_greater_than",
    blob_types: tuple[str, ...] = ("blockBlob", "appendBlob"),
    prefix: tuple[str, ...] = (),
    enabled: bool = True,
    version_days: int | None = None,
) -> dict[str, Any]:
    base = {
        "delete_after_days_since_modification_greater_than": -1,
        "delete_after_days_since_creation_greater_than": -1,
        "delete_after_days_since_last_access_time_greater_than": -1,
        key: days,
    }
    actions: dict[str, Any] = {"base_blob": [base], "snapshot": [], "version": []}
    if version_days is not None:
        actions["version"] = [{"delete_after_days_since_creation": version_days}]
    return {
        "name": "expire",
        "enabled": enabled,
        "filters": [
            {
                "blob_types": list(blob_types),
                "prefix_match": list(prefix),
                "match_blob_index_tag": [],
            }
        ],
        "actions": [actions],
    }


def policy(*rules: dict[str, Any]) -> Res:
    return Res(
        "azurerm_storage_management_policy.chats",
        {"storage_account_id": ACCOUNT_ID, "rule": list(rules)},
        action="no-op",
    )


def storage(tmp_path: Path, *rules: dict[str, Any], **values: Any) -> AdapterResult:
    resources = [Res("azurerm_storage_account.chats", account(**values), action="no-op")]
    if rules:
        resources.append(policy(*rules))
    return run(write(tmp_path, state(*resources)), OPTED_OUT)[1]


def soft(days: int = 14, container_days: int | None = None, versioning: bool = False) -> Any:
    return [
        {
            "delete_retention_policy": [{"days": days}] if days else [],
            "container_delete_retention_policy": [{"days": container_days}]
            if container_days
            else [],
            "versioning_enabled": versioning,
        }
    ]


# --- storage accounts ------------------------------------------------------------------------


def test_a_management_policy_for_every_blob_is_the_expiry(tmp_path: Path) -> None:
    store = only(result := storage(tmp_path, rule(30)))
    assert store.data["kind"] == "azure_storage_account"
    assert store.data["retention"] == {"training_not_allowed": "30d"}
    assert store.data["deletion_schedule"] == {"defined": True}
    assert store.field_origins[("retention", "training_not_allowed")][-1] == (
        "delete_after_days_since_modification_greater_than"
    )
    assert result.diagnostics == []


def test_the_shorter_of_creation_and_modification_wins(tmp_path: Path) -> None:
    both = rule(60)
    both["actions"][0]["base_blob"][0]["delete_after_days_since_creation_greater_than"] = 20
    assert only(storage(tmp_path, both)).data["retention"] == {"training_not_allowed": "20d"}


@pytest.mark.parametrize(
    ("narrowed", "scope"),
    [
        (rule(30, prefix=("logs/",)), "prefix logs/"),
        (rule(30, blob_types=("blockBlob",)), "blob types blockBlob"),
    ],
)
def test_filters_narrow_a_rule(tmp_path: Path, narrowed: dict[str, Any], scope: str) -> None:
    result = storage(tmp_path, narrowed)
    assert only(result).data["retention"] == {"training_not_allowed": "indefinite"}
    [note] = result.diagnostics
    assert note.code == "terraform-partial-lifecycle"
    assert f"rule 'expire' deletes {scope} after 30d" in note.message


def test_disabled_rules_and_unset_days_expire_nothing(tmp_path: Path) -> None:
    for rules in ([rule(30, enabled=False)], [rule(-1)], [rule(0)]):
        assert only(storage(tmp_path, *rules)).data["retention"] == {
            "training_not_allowed": "indefinite"
        }


def test_last_access_time_is_no_window(tmp_path: Path) -> None:
    result = storage(
        tmp_path, rule(30, key="delete_after_days_since_last_access_time_greater_than")
    )
    assert only(result).data["retention"] == {"training_not_allowed": "indefinite"}
    assert codes(result) == ["terraform-access-time-expiration"]


def test_no_management_policy_keeps_data(tmp_path: Path) -> None:
    store = only(storage(tmp_path))
    assert store.data["retention"] == {"training_not_allowed": "indefinite"}
    assert "deletion_schedule" not in store.data


def test_soft_delete_adds_to_the_window_and_is_deleted_by_user(tmp_path: Path) -> None:
    store = only(storage(tmp_path, rule(30), blob_properties=soft(14, container_days=21)))
    assert store.data["retention"] == {
        "training_not_allowed": "44d",
        "deleted_by_user": "21d",  # a deleted container keeps its blobs longer
    }


def test_versions_need_their_own_rule(tmp_path: Path) -> None:
    result = storage(tmp_path, rule(30), blob_properties=soft(0, versioning=True))
    assert only(result).data["retention"] == {
        "training_not_allowed": "indefinite",
        "deleted_by_user": "indefinite",
    }
    assert codes(result) == ["terraform-noncurrent-kept"]
    store = only(
        storage(tmp_path, rule(30, version_days=90), blob_properties=soft(0, versioning=True))
    )
    assert store.data["retention"] == {"training_not_allowed": "90d", "deleted_by_user": "90d"}


@pytest.mark.parametrize(
    ("values", "in_transit", "warned"),
    [
        ({}, True, False),
        ({"https_traffic_only_enabled": False}, False, False),
        ({"min_tls_version": "TLS1_1"}, False, True),
        ({"https_traffic_only_enabled": None, "enable_https_traffic_only": True}, True, False),
    ],
    ids=["https-tls12", "http-allowed", "tls11", "provider-v3"],
)
def test_in_transit(tmp_path: Path, values: dict[str, Any], in_transit: bool, warned: bool) -> None:
    if values.get("https_traffic_only_enabled", True) is None:
        values = {k: v for k, v in account(**values).items() if k != "https_traffic_only_enabled"}
    result = storage(tmp_path, **values)
    assert only(result).data["encryption"]["in_transit"] is in_transit
    assert codes(result) == (["terraform-weak-tls"] if warned else [])


def test_new_account_takes_the_providers_defaults(tmp_path: Path) -> None:
    """Unset and unknown at plan time: HTTPS only, TLS 1.2, no soft delete, no versioning."""
    values = {"name": "chats", "location": "westeurope"}
    unknown = {
        "id": True,
        "blob_properties": True,
        "https_traffic_only_enabled": True,
        "min_tls_version": True,
        "customer_managed_key": True,
    }
    acct = Res("azurerm_storage_account.chats", values, unknown)
    pol = Res(
        "azurerm_storage_management_policy.chats",
        {"rule": [rule(30)]},
        {"storage_account_id": True},
        config={"storage_account_id": ref("azurerm_storage_account.chats.id")},
    )
    store = only(run(write(tmp_path, plan(acct, pol)), OPTED_OUT)[1])
    assert store.data["retention"] == {"training_not_allowed": "30d"}
    assert store.data["encryption"] == {
        "in_transit": True,
        "at_rest": True,
        "key_manager": "microsoft_managed",
    }


def test_configured_but_unknown_tls_is_not_evidenced(tmp_path: Path) -> None:
    values = {
        "name": "chats",
        "location": "westeurope",
        "blob_properties": [],
        "customer_managed_key": [],
    }
    acct = Res(
        "azurerm_storage_account.chats",
        values,
        {"min_tls_version": True},
        config={"min_tls_version": ref("var.tls")},
    )
    _, result = run(write(tmp_path, plan(acct)), OPTED_OUT)
    assert "in_transit" not in only(result).data["encryption"]
    assert codes(result) == ["terraform-unknown-value"]


def test_policy_for_an_account_outside_the_plan_is_reported(tmp_path: Path) -> None:
    other = Res(
        "azurerm_storage_management_policy.other",
        {"storage_account_id": "/subscriptions/s/x/storageAccounts/elsewhere", "rule": [rule(30)]},
    )
    _, result = run(write(tmp_path, state(other)), [{"match": {"address": "*"}}])
    assert result.items == []
    assert codes(result) == ["terraform-unresolved-account", "terraform-rule-unused"]


def key(rotation: dict[str, Any] | None) -> Res:
    return Res(
        "azurerm_key_vault_key.chats",
        {
            "name": "chats-key",
            "id": "https://v.vault.azure.net/keys/chats-key/abc",
            "versionless_id": "https://v.vault.azure.net/keys/chats-key",
            "rotation_policy": [rotation] if rotation else [],
        },
    )


@pytest.mark.parametrize(
    ("rotation", "expected"),
    [
        ({"expire_after": "P1Y", "automatic": [{"time_after_creation": "P90D"}]}, "P90D"),
        ({"expire_after": "P1Y", "automatic": []}, "indefinite"),
        (None, "indefinite"),
    ],
)
def test_customer_managed_key_rotation(
    tmp_path: Path, rotation: dict[str, Any] | None, expected: str
) -> None:
    inline = [
        {
            "key_vault_key_id": "https://v.vault.azure.net/keys/chats-key",
            "user_assigned_identity_id": "i",
        }
    ]
    path = write(
        tmp_path,
        state(
            key(rotation),
            Res("azurerm_storage_account.chats", account(customer_managed_key=inline)),
        ),
    )
    store = by_id(run(path, [{"match": {"name": "chats"}, "store": {"data_kinds": ["x"]}}])[1])
    assert store["chats"].data["encryption"] == {
        "in_transit": True,
        "at_rest": True,
        "key_manager": "azure_key_vault",
        "key_rotation": expected,
    }


def test_separate_customer_key_resource_with_a_pinned_version(tmp_path: Path) -> None:
    cmk = Res(
        "azurerm_storage_account_customer_managed_key.chats",
        {
            "storage_account_id": ACCOUNT_ID,
            "key_name": "chats-key",
            "key_version": "abc",
            "key_vault_id": "/subscriptions/s/vaults/v",
        },
    )
    rotating = key({"automatic": [{"time_after_creation": "P30D"}]})
    path = write(tmp_path, state(rotating, Res("azurerm_storage_account.chats", account()), cmk))
    _, result = run(path, [{"match": {"name": "chats"}, "store": {"data_kinds": ["x"]}}])
    store = only(result)
    assert store.data["encryption"]["key_manager"] == "azure_key_vault"
    assert store.data["encryption"]["key_rotation"] == "indefinite"
    assert codes(result) == ["terraform-pinned-key"]
    cmk.values["key_version"] = None
    _, result = run(
        write(tmp_path, state(rotating, Res("azurerm_storage_account.chats", account()), cmk)),
        [{"match": {"name": "chats"}, "store": {"data_kinds": ["x"]}}],
    )
    assert only(result).data["encryption"]["key_rotation"] == "P30D"


def test_real_accounts_https_and_tls() -> None:
    """regula's secure-transfer plan (provider v2): two accounts allow HTTP, the third is
    HTTPS-only but accepts TLS 1.0 (the v2 default); none has a management policy."""
    doc, result = run(
        FIXTURES / "regula-azure-account-secure-transfer.json",
        [
            {
                "match": {"address": "azurerm_storage_account.*"},
                "store": {"data_kinds": ["conversations"]},
            }
        ],
    )
    stores = by_id(result)
    assert sorted(stores) == [
        "invalidstorageaccount1",
        "invalidstorageaccount2",
        "validstorageaccount1",
    ]
    for store in stores.values():
        assert store.data["retention"] == {"any": "indefinite"}
        assert store.data["encryption"]["at_rest"] is True
        assert store.data["encryption"]["key_manager"] == "microsoft_managed"
        assert store.data["encryption"]["in_transit"] is False
    origin = stores["invalidstorageaccount1"].field_origins[("encryption", "in_transit")]
    assert doc.get(origin) is False  # enable_https_traffic_only
    [note] = result.diagnostics
    assert note.code == "terraform-weak-tls"
    assert "validstorageaccount1 accepts TLS1_0" in note.message


# --- Cosmos DB -------------------------------------------------------------------------------


def cosmos(**values: Any) -> Res:
    return Res(
        "azurerm_cosmosdb_account.chats",
        {
            "name": "chats-db",
            "resource_group_name": "rg",
            "location": "westeurope",
            "minimal_tls_version": "Tls12",
            "key_vault_key_id": None,
            "backup": [{"type": "Periodic", "interval_in_minutes": 240, "retention_in_hours": 48}],
            **values,
        },
    )


def container(**values: Any) -> Res:
    return Res(
        "azurerm_cosmosdb_sql_container.messages",
        {
            "name": "messages",
            "account_name": "chats-db",
            "resource_group_name": "rg",
            "database_name": "chat",
            "default_ttl": None,
            "analytical_storage_ttl": None,
            **values,
        },
    )


@pytest.mark.parametrize(
    ("values", "window"),
    [
        ({"default_ttl": 2_592_000}, "30d"),
        ({"default_ttl": None}, "indefinite"),
        ({"default_ttl": -1}, "indefinite"),  # no default: items may set their own
        ({"default_ttl": 86_400, "analytical_storage_ttl": 604_800}, "7d"),
        ({"default_ttl": 86_400, "analytical_storage_ttl": -1}, "indefinite"),
    ],
    ids=["ttl", "unset", "minus-one", "analytical-longer", "analytical-forever"],
)
def test_container_ttl(tmp_path: Path, values: dict[str, Any], window: str) -> None:
    path = write(tmp_path, state(cosmos(), container(**values)))
    stores = by_id(run(path, OPTED_OUT)[1])
    assert stores["messages"].data["kind"] == "cosmosdb_container"
    assert stores["messages"].data["retention"] == {
        "training_not_allowed": window,
        "deleted_by_user": "2d",  # the account's periodic backups, 48 hours
    }
    assert stores["messages"].data["region"] == "westeurope"


@pytest.mark.parametrize(
    ("backup", "window"),
    [
        ([{"type": "Continuous", "tier": "Continuous7Days"}], "7d"),
        ([{"type": "Continuous", "tier": None}], "30d"),
        ([{"type": "Periodic", "retention_in_hours": 36}], "36h"),
        ([], "8h"),
    ],
)
def test_account_backups_keep_deleted_items(tmp_path: Path, backup: list[Any], window: str) -> None:
    store = only(run(write(tmp_path, state(cosmos(backup=backup))), OPTED_OUT)[1])
    assert store.data["kind"] == "cosmosdb_account"
    assert store.data["retention"] == {"deleted_by_user": window}
    assert store.data["encryption"] == {
        "at_rest": True,
        "in_transit": True,
        "key_manager": "microsoft_managed",
    }


def test_cosmos_tls_and_customer_key(tmp_path: Path) -> None:
    vault_key = key({"automatic": [{"time_after_creation": "P180D"}]})
    acct = cosmos(minimal_tls_version="Tls", key_vault_key_id=vault_key.values["versionless_id"])
    _, result = run(write(tmp_path, state(vault_key, acct)), OPTED_OUT)
    store = only(result)
    assert store.data["encryption"] == {
        "at_rest": True,
        "in_transit": False,
        "key_manager": "azure_key_vault",
        "key_rotation": "P180D",
    }
    assert codes(result) == ["terraform-weak-tls"]


def test_container_of_an_account_outside_the_plan(tmp_path: Path) -> None:
    store = only(run(write(tmp_path, state(container(default_ttl=3600))), OPTED_OUT)[1])
    assert store.data["retention"] == {"training_not_allowed": "1h"}
    assert store.data["encryption"] == {"at_rest": True}


def test_unknown_ttl_is_not_evidenced(tmp_path: Path) -> None:
    res = container()
    res.values.pop("default_ttl")
    unknown = Res(
        res.address, res.values, {"default_ttl": True}, config={"default_ttl": ref("var.ttl")}
    )
    _, result = run(write(tmp_path, plan(unknown)), OPTED_OUT)
    assert "retention" not in only(result).data
    assert codes(result) == ["terraform-unknown-value"]


# --- end to end ------------------------------------------------------------------------------


@pytest.mark.parametrize(("ttl", "code"), [(2_592_000, 0), (2_678_400, 1)])
def test_check_reads_a_cosmos_container_ttl(
    tmp_path: Path, run_cli: CliRunner, monkeypatch: pytest.MonkeyPatch, ttl: int, code: int
) -> None:
    """A 30-day TTL keeps the 30-day promise; 31 days breaks it."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path, plan(container(default_ttl=ttl)))
    (tmp_path / "policy.yaml").write_text(POLICY, encoding="utf-8")
    (tmp_path / "snapshot.yaml").write_text(
        SNAPSHOT
        + "imports:\n  - adapter: terraform\n    path: plan.json\n    rules:\n"
        + "      - match: {address: azurerm_cosmosdb_sql_container.messages}\n"
        + "        store: {data_kinds: [conversations], retention_state: training_not_allowed}\n",
        encoding="utf-8",
    )
    result = run_cli(
        "check", "--policy", "policy.yaml", "--snapshot", "snapshot.yaml", "--as-of", AS_OF
    )
    assert result.code == code, result.out + result.err
    if code:
        assert "keeps training_not_allowed conversations for 31d" in result.out
