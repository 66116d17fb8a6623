"""Azure storage accounts: retention from the management policy and soft delete, TLS, keys.

* Retention comes from the ``azurerm_storage_management_policy`` of the account (tied by
  ``storage_account_id``, or the configuration's reference when the id is known only after
  apply). Only enabled rules whose filters cover every blob count: no ``prefix_match``, no
  ``match_blob_index_tag``, and ``blob_types`` holding both ``blockBlob`` and ``appendBlob``.
  Their ``base_blob`` ``delete_after_days_since_modification_greater_than`` or
  ``..._since_creation_greater_than`` is the expiry (the shortest wins);
  ``..._since_last_access_time_greater_than`` is no window (reading a blob keeps it). The
  provider writes -1 (v3+) or 0 (v2) for "not set", so neither is a window.
* With versioning (``blob_properties.versioning_enabled``) a deleted blob becomes a previous
  version, kept until a ``version`` ``delete_after_days_since_creation`` rule removes it
  (counted from when that version was written): the window is the longer of the two, and
  ``indefinite`` without a version rule.
* Blob soft delete (``delete_retention_policy.days``) keeps every deleted blob, the lifecycle's
  too, for that many days: added to the window, and the ``deleted_by_user`` window together
  with container soft delete (``container_delete_retention_policy.days``).
* In transit: ``https_traffic_only_enabled`` (provider v4) or ``enable_https_traffic_only``
  (v3) true and ``min_tls_version`` TLS 1.2 or later. Both default to that when unset.
* At rest: always encrypted; ``customer_managed_key`` or an
  ``azurerm_storage_account_customer_managed_key`` makes it ``azure_key_vault``, with the
  rotation of the ``azurerm_key_vault_key`` of the plan; otherwise ``microsoft_managed``.
"""

from __future__ import annotations

from dataclasses import dataclass

from checker.adapters.terraform.cloud_keys import DAY, azure_key_rotation, duration_text
from checker.adapters.terraform.facts import Facts, Unknown, blocks, known, unknown_note, whole
from checker.adapters.terraform.plan import Plan, Resource
from checker.adapters.terraform.reader import Candidate, ResourceReader, known_name
from checker.core.diagnostics import JsonPath

ACCOUNT = "azurerm_storage_account"
POLICY = "azurerm_storage_management_policy"
CUSTOMER_KEY = "azurerm_storage_account_customer_managed_key"
WHOLE_ACCOUNT = frozenset({"blockBlob", "appendBlob"})
MODERN_TLS = frozenset({"TLS1_2", "TLS1_3"})
_BASE_DELETE = (
    "delete_after_days_since_modification_greater_than",
    "delete_after_days_since_creation_greater_than",
)
_ACCESS_DELETE = "delete_after_days_since_last_access_time_greater_than"


@dataclass(frozen=True, slots=True)
class Account:
    """An account of the plan and the resources that configure it."""

    resource: Resource
    policies: list[Resource]
    keys: list[Resource]


@dataclass(frozen=True, slots=True)
class Rule:
    label: str
    path: JsonPath
    scope: str | None
    days: int | None
    days_path: JsonPath
    versions: int | None
    versions_path: JsonPath


def candidates(plan: Plan) -> list[Candidate]:
    accounts = plan.of_type(ACCOUNT)
    groups: dict[int, dict[str, list[Resource]]] = {id(a): {} for a in accounts}
    by_id = {a.get("id"): a for a in reversed(accounts) if a.unknown_at("id") is None}
    for res in plan.of_type(POLICY, CUSTOMER_KEY):
        owner = _owner(plan, res, by_id)
        if owner is not None:
            groups[id(owner)].setdefault(res.type, []).append(res)
    found = []
    for res in accounts:
        name, name_path = known_name(res, ("name",))
        group = groups[id(res)]
        detail = Account(res, group.get(POLICY, []), group.get(CUSTOMER_KEY, []))
        found.append(
            Candidate(
                "azure_storage_account",
                res.address,
                name,
                name_path,
                res.path,
                res,
                (res.address,),
                detail,
            )
        )
    return found


def _owner(plan: Plan, res: Resource, by_id: dict[object, Resource]) -> Resource | None:
    target = res.get("storage_account_id")
    if isinstance(target, str) and res.unknown_at("storage_account_id") is None:
        if target in by_id:
            return by_id[target]
        why = f"names account {target}, which is not in this plan"
    else:
        refs = plan.referenced(res, ("storage_account_id",), ACCOUNT)
        if len(refs) == 1:
            return refs[0]
        why = f"refers to {len(refs)} accounts of this plan" if refs else "is not known"
    plan.note(
        res.unknown_at("storage_account_id") or res.vpath("storage_account_id"),
        f"{res.address}: its storage_account_id {why}; ignored",
        "terraform-unresolved-account",
    )
    return None


def derive(plan: Plan, candidate: Candidate, state: str) -> Facts:
    account = candidate.detail
    assert isinstance(account, Account)
    res = account.resource
    facts = Facts()
    for used in (res, *account.policies, *account.keys):
        facts.use(used)
    location = res.get("location")
    if isinstance(location, str) and location:
        facts.put(("region",), location, res.vpath("location"))
    try:
        _retention(plan, account, state, facts)
    except Unknown as exc:
        unknown_note(plan, exc, "the retention")
    try:
        _in_transit(plan, res, facts)
    except Unknown as exc:
        unknown_note(plan, exc, "encryption.in_transit")
    _at_rest(plan, account, facts)
    return facts


def _single(plan: Plan, res: Resource, group: list[Resource], kind: str) -> Resource | None:
    if len(group) > 1:
        plan.note(
            group[1].path,
            f"account {res.get('name')} is configured by several {kind} resources "
            f"({', '.join(r.address for r in group)}); each apply overwrites the others. "
            f"Using {group[0].address}",
            "terraform-conflicting-resources",
        )
    return group[0] if group else None


# --- retention -------------------------------------------------------------------------------


def _retention(plan: Plan, account: Account, state: str, facts: Facts) -> None:
    res = account.resource
    properties = _blob_properties(plan, res)
    policy = _single(plan, res, account.policies, POLICY)
    rules = _rules(plan, policy) if policy is not None else []
    whole_rules = [r for r in rules if r.scope is None and r.days is not None]
    soft, soft_path = _soft_delete(res, properties, "delete_retention_policy")
    containers, containers_path = _soft_delete(res, properties, "container_delete_retention_policy")
    versioned = properties and known(res, "blob_properties", 0, "versioning_enabled") is True
    version_days = [r.versions for r in rules if r.scope is None and r.versions is not None]
    if versioned and not version_days:
        plan.note(
            res.vpath("blob_properties", 0, "versioning_enabled"),
            f"account {res.get('name')} keeps blob versions and no management policy rule for "
            "every blob deletes previous versions: deleted blobs can stay as versions "
            "indefinitely",
            "terraform-noncurrent-kept",
        )
    deleted = max(soft, containers)
    deleted_path = soft_path if soft >= containers else containers_path
    if versioned:
        deleted = max(deleted, min(version_days) * DAY) if version_days else -1
        deleted_path = res.vpath("blob_properties", 0, "versioning_enabled")
    if state != "deleted_by_user" and deleted:
        text = duration_text(deleted) if deleted > 0 else "indefinite"
        facts.put(("retention", "deleted_by_user"), text, deleted_path)
    if not whole_rules or (versioned and not version_days):
        _partial_note(plan, res, rules)
        where = policy.vpath("rule") if policy is not None else res.path
        facts.put(("retention", state), "indefinite", where)
        return
    first = min(whole_rules, key=lambda r: r.days or 0)
    days = first.days or 0
    if versioned:
        days = max(days, min(version_days))
    facts.put(("retention", state), duration_text(days * DAY + soft), first.days_path)
    facts.put(("deletion_schedule", "defined"), True, first.days_path)


def _blob_properties(plan: Plan, res: Resource) -> bool:
    try:
        return bool(blocks(res, "blob_properties"))
    except Unknown:
        if plan.unset_by_default(res, "blob_properties"):
            return False  # Azure's defaults: no soft delete, no versioning
        raise


def _soft_delete(res: Resource, properties: bool, block: str) -> tuple[int, JsonPath]:
    """Seconds a soft delete policy of ``blob_properties`` keeps what was deleted."""
    if not properties or not blocks(res, "blob_properties", 0, block):
        return 0, res.path
    days = whole(known(res, "blob_properties", 0, block, 0, "days"))
    return (days or 7) * DAY, res.vpath("blob_properties", 0, block, 0, "days")


def _rules(plan: Plan, policy: Resource) -> list[Rule]:
    found = []
    for i, rule in enumerate(blocks(policy, "rule")):
        if known(policy, "rule", i, "enabled") is False:
            continue
        label = repr(rule["name"]) if isinstance(rule.get("name"), str) else f"#{i + 1}"
        base: tuple[str | int, ...] = ("rule", i, "actions", 0, "base_blob", 0)
        days, days_path = None, policy.vpath(*base, _BASE_DELETE[0])
        if blocks(policy, "rule", i, "actions") and blocks(policy, *base[:-1]):
            for key in _BASE_DELETE:
                value = whole(known(policy, *base, key))
                if value is not None and (days is None or value < days):
                    days, days_path = value, policy.vpath(*base, key)
            access = whole(known(policy, *base, _ACCESS_DELETE))
            if access is not None and days is None:
                plan.note(
                    policy.vpath(*base, _ACCESS_DELETE),
                    f"rule {label} of {policy.address} deletes blobs not read for {access} days: "
                    "reading a blob keeps it, so this is not a retention window",
                    "terraform-access-time-expiration",
                )
        version: tuple[str | int, ...] = ("rule", i, "actions", 0, "version", 0)
        versions = None
        if blocks(policy, "rule", i, "actions") and blocks(policy, *version[:-1]):
            versions = whole(known(policy, *version, "delete_after_days_since_creation"))
        found.append(
            Rule(
                label=label,
                path=policy.vpath("rule", i),
                scope=_scope(policy, i),
                days=days,
                days_path=days_path,
                versions=versions,
                versions_path=policy.vpath(*version, "delete_after_days_since_creation"),
            )
        )
    return found


def _scope(policy: Resource, i: int) -> str | None:
    if not blocks(policy, "rule", i, "filters"):
        return "no filters"  # the provider requires blob_types; nothing says what is covered
    base = ("rule", i, "filters", 0)
    scope = []
    prefixes = known(policy, *base, "prefix_match")
    if isinstance(prefixes, list) and prefixes:
        scope.append("prefix " + ", ".join(map(str, prefixes)))
    tags = known(policy, *base, "match_blob_index_tag")
    if isinstance(tags, list) and tags:
        scope.append("blob index tags")
    types = known(policy, *base, "blob_types")
    covered = set(types) if isinstance(types, list) else set()
    if not covered.issuperset(WHOLE_ACCOUNT):
        scope.append("blob types " + ", ".join(sorted(map(str, covered))))
    return " and ".join(scope) or None


def _partial_note(plan: Plan, res: Resource, rules: list[Rule]) -> None:
    partial = [r for r in rules if r.scope is not None and r.days is not None]
    if partial:
        parts = "; ".join(f"rule {r.label} deletes {r.scope} after {r.days}d" for r in partial)
        plan.note(
            partial[0].path,
            f"only part of account {res.get('name')} expires ({parts}); every other blob is "
            "kept indefinitely, so the account's retention is indefinite",
            "terraform-partial-lifecycle",
        )


# --- encryption ------------------------------------------------------------------------------


def _in_transit(plan: Plan, res: Resource, facts: Facts) -> None:
    https = "https_traffic_only_enabled"
    if https not in res.values and res.unknown_at(https) is None:
        https = "enable_https_traffic_only"
    only = _with_default(plan, res, https, True)
    tls = _with_default(plan, res, "min_tls_version", "TLS1_2")
    if only is not True:
        facts.put(("encryption", "in_transit"), False, res.vpath(https))
        return
    if tls not in MODERN_TLS:
        plan.note(
            res.vpath("min_tls_version"),
            f"account {res.get('name')} accepts {tls or 'TLS 1.0'}, a TLS version deprecated "
            "for protecting data in transit, so in_transit is false",
            "terraform-weak-tls",
        )
        facts.put(("encryption", "in_transit"), False, res.vpath("min_tls_version"))
        return
    facts.put(("encryption", "in_transit"), True, res.vpath(https))


def _with_default(plan: Plan, res: Resource, attribute: str, default: object) -> object:
    """The attribute's value; the provider's default when a new resource leaves it unknown."""
    try:
        value = known(res, attribute)
    except Unknown:
        if plan.unset_by_default(res, attribute):
            return default
        raise
    return value


def _at_rest(plan: Plan, account: Account, facts: Facts) -> None:
    res = account.resource
    facts.put(("encryption", "at_rest"), True, res.path)
    separate = _single(plan, res, account.keys, CUSTOMER_KEY)
    keys: tuple[str | int, ...]
    if separate is not None:
        owner, keys = separate, ("key_name",)
        pinned = separate.get("key_version") not in (None, "")
    else:
        try:
            inline = blocks(res, "customer_managed_key")
        except Unknown as exc:
            if plan.unset_by_default(res, "customer_managed_key"):
                inline = []
            else:
                unknown_note(plan, exc, "encryption.key_manager")
                return
        if not inline:
            facts.put(("encryption", "key_manager"), "microsoft_managed", res.path)
            return
        owner, keys = res, ("customer_managed_key", 0, "key_vault_key_id")
        key_id = owner.get(*keys)
        pinned = isinstance(key_id, str) and key_id.rstrip("/").count("/") >= 5
    facts.put(("encryption", "key_manager"), "azure_key_vault", owner.vpath(*keys))
    if pinned:
        plan.note(
            owner.vpath(*keys),
            f"{owner.address} pins a key version: the account keeps using it when the key "
            "rotates, so its key is never rotated",
            "terraform-pinned-key",
        )
        facts.put(("encryption", "key_rotation"), "indefinite", owner.vpath(*keys))
        return
    azure_key_rotation(plan, facts, owner, keys)


READER = ResourceReader(
    name="Azure Storage",
    types=frozenset({ACCOUNT}),
    candidates=candidates,
    derive=derive,
    configures=frozenset({POLICY, CUSTOMER_KEY}),
)
