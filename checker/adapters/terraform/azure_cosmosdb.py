"""Azure Cosmos DB: container TTL as the window, backups as copies that outlive deletion.

* An ``azurerm_cosmosdb_sql_container``'s ``default_ttl`` is the window, counted from an
  item's last write: unset, or -1 ("no default expiry, items may set their own"), keeps items
  ``indefinite``; ``n`` deletes them ``n`` seconds after their last write. An item may carry
  its own ``ttl`` that overrides the default; the plan cannot show it. ``analytical_storage_ttl``
  keeps a copy in the analytical store: -1 keeps it forever, ``n`` seconds otherwise; the
  longer of the two is the window.
* An account's own window is not evidenced (its containers decide). Its backups keep deleted
  items: periodic backups for ``backup.retention_in_hours`` (default 8), continuous backups
  for 7 or 30 days (``tier``, default ``Continuous30Days``): the ``deleted_by_user`` window of
  the account and of its containers.
* Cosmos DB accepts only TLS connections: ``in_transit`` is true when ``minimal_tls_version``
  is ``Tls12`` (the default) or later. At rest: always encrypted; ``key_vault_key_id`` makes it
  ``azure_key_vault`` (rotation from the plan's ``azurerm_key_vault_key``), otherwise
  ``microsoft_managed``.
"""

from __future__ import annotations

from dataclasses import replace

from checker.adapters.terraform.cloud_keys import azure_key_rotation, duration_text
from checker.adapters.terraform.facts import Facts, Unknown, blocks, known, unknown_note, whole
from checker.adapters.terraform.plan import Plan, Resource
from checker.adapters.terraform.reader import Candidate, ResourceReader, per_resource

ACCOUNT = "azurerm_cosmosdb_account"
CONTAINER = "azurerm_cosmosdb_sql_container"
DEFAULT_PERIODIC_HOURS = 8
CONTINUOUS_DAYS = {"Continuous7Days": 7, "Continuous30Days": 30}
MODERN_TLS = frozenset({"Tls12", "Tls13"})


def derive(plan: Plan, candidate: Candidate, state: str) -> Facts:
    res = candidate.resource
    assert res is not None
    facts = Facts()
    facts.use(res)
    account = res if res.type == ACCOUNT else candidate.detail
    if res.type == CONTAINER:
        try:
            _ttl(plan, res, state, facts)
        except Unknown as exc:
            unknown_note(plan, exc, "the retention")
        facts.put(("encryption", "at_rest"), True, res.path)
    if account is None:
        return facts
    facts.use(account)
    location = account.get("location")
    if isinstance(location, str) and location:
        facts.put(("region",), location, account.vpath("location"))
    if state != "deleted_by_user":
        try:
            _backups(plan, account, facts)
        except Unknown as exc:
            unknown_note(plan, exc, "retention.deleted_by_user")
    _encryption(plan, account, facts)
    return facts


def candidates(plan: Plan) -> list[Candidate]:
    """Accounts and containers; a container's detail is its account when the plan has it."""
    by_name: dict[object, list[Resource]] = {}
    for account in plan.of_type(ACCOUNT):
        by_name.setdefault(account.get("name"), []).append(account)
    found = per_resource({ACCOUNT: "cosmosdb_account"}, ("name",))(plan)
    for cand in per_resource({CONTAINER: "cosmosdb_container"}, ("name",))(plan):
        assert cand.resource is not None
        found.append(replace(cand, detail=_account_of(plan, cand.resource, by_name)))
    return found


def _account_of(
    plan: Plan, container: Resource, by_name: dict[object, list[Resource]]
) -> Resource | None:
    name = container.get("account_name")
    group = container.get("resource_group_name")
    if isinstance(name, str) and container.unknown_at("account_name") is None:
        for account in by_name.get(name, ()):
            if account.get("resource_group_name") in (group, None):
                return account
        return None
    found = plan.referenced(container, ("account_name",), ACCOUNT)
    return found[0] if len(found) == 1 else None


def _ttl(plan: Plan, container: Resource, state: str, facts: Facts) -> None:
    try:
        default = known(container, "default_ttl")
    except Unknown:
        if not plan.unset_by_default(container, "default_ttl"):
            raise
        default = None
    where = container.vpath("default_ttl") if "default_ttl" in container.values else container.path
    seconds = whole(default)
    if seconds is None:  # unset, 0 or -1: items without their own ttl never expire
        facts.put(("retention", state), "indefinite", where)
        return
    try:
        analytical = known(container, "analytical_storage_ttl")
    except Unknown:
        if not plan.unset_by_default(container, "analytical_storage_ttl"):
            raise
        analytical = None
    if analytical == -1:
        facts.put(("retention", state), "indefinite", container.vpath("analytical_storage_ttl"))
        return
    copy = whole(analytical)
    if copy is not None and copy > seconds:
        seconds, where = copy, container.vpath("analytical_storage_ttl")
    facts.put(("retention", state), duration_text(seconds), where)
    facts.put(("deletion_schedule", "defined"), True, where)


def _backups(plan: Plan, account: Resource, facts: Facts) -> None:
    try:
        backup = blocks(account, "backup")
    except Unknown:
        if not plan.unset_by_default(account, "backup"):
            raise
        backup = []
    if not backup:
        where = account.vpath("backup") if "backup" in account.values else account.path
        facts.put(("retention", "deleted_by_user"), f"{DEFAULT_PERIODIC_HOURS}h", where)
        return
    kind = known(account, "backup", 0, "type")
    if kind == "Continuous":
        tier = known(account, "backup", 0, "tier") or "Continuous30Days"
        days = CONTINUOUS_DAYS.get(tier)
        if days is None:
            plan.note(
                account.vpath("backup", 0, "tier"),
                f"{account.address}: unrecognised backup tier {tier!r}; "
                "retention.deleted_by_user is left unset",
                "terraform-unrecognised-value",
            )
            return
        facts.put(("retention", "deleted_by_user"), f"{days}d", account.vpath("backup", 0, "type"))
        return
    hours = whole(known(account, "backup", 0, "retention_in_hours"))
    where = account.vpath("backup", 0, "retention_in_hours")
    facts.put(
        ("retention", "deleted_by_user"),
        duration_text((hours or DEFAULT_PERIODIC_HOURS) * 3600),
        where,
    )


def _encryption(plan: Plan, account: Resource, facts: Facts) -> None:
    facts.put(("encryption", "at_rest"), True, account.path)
    try:
        tls = known(account, "minimal_tls_version")
    except Unknown as exc:
        if plan.unset_by_default(account, "minimal_tls_version"):
            tls = None
        else:
            unknown_note(plan, exc, "encryption.in_transit")
            tls = ""
    if tls != "":
        secure = tls in MODERN_TLS or tls is None
        facts.put(
            ("encryption", "in_transit"),
            secure,
            account.vpath("minimal_tls_version") if tls is not None else account.path,
        )
        if not secure:
            plan.note(
                account.vpath("minimal_tls_version"),
                f"{account.address} accepts {tls}, a TLS version deprecated for protecting "
                "data in transit, so in_transit is false",
                "terraform-weak-tls",
            )
    keys = ("key_vault_key_id",)
    if account.unknown_at(*keys) is None and account.get(*keys) in (None, ""):
        facts.put(("encryption", "key_manager"), "microsoft_managed", account.path)
        return
    if account.unknown_at(*keys) is not None and plan.unset_by_default(account, keys[0]):
        facts.put(("encryption", "key_manager"), "microsoft_managed", account.path)
        return
    facts.put(("encryption", "key_manager"), "azure_key_vault", account.vpath(*keys))
    azure_key_rotation(plan, facts, account, keys)


READER = ResourceReader(
    name="Azure Cosmos DB",
    types=frozenset({ACCOUNT, CONTAINER}),
    candidates=candidates,
    derive=derive,
)
