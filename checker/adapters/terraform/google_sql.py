"""Cloud SQL instances: backups that outlive deletion, TLS, encryption at rest.

* How long rows live is the application's business: the instance evidences no retention
  window of its own. Its automated backups are copies: a row deleted today stays in the daily
  backups for ``backup_retention_settings.retained_backups`` days (``retention_unit`` COUNT;
  default 7, 15 on ``ENTERPRISE_PLUS``), and in the transaction logs kept for point-in-time
  recovery for ``transaction_log_retention_days``. With ``backup_configuration.enabled`` the
  longer of the two is the ``deleted_by_user`` window; without backups nothing is recorded.
* In transit: ``ip_configuration.ssl_mode`` ``ENCRYPTED_ONLY`` or
  ``TRUSTED_CLIENT_CERTIFICATE_REQUIRED`` (or the older ``require_ssl: true``) refuse
  unencrypted connections: ``in_transit: true``; ``ALLOW_UNENCRYPTED_AND_ENCRYPTED``, or
  neither set (Cloud SQL's default), allows them: ``in_transit: false``.
* At rest: always encrypted, with Google-managed keys or the Cloud KMS key of
  ``encryption_key_name`` (``gcp_kms``, rotation from a ``google_kms_crypto_key`` of the plan).
"""

from __future__ import annotations

from checker.adapters.terraform.cloud_keys import (
    GOOGLE_KEY,
    duration_text,
    google_key_rotation,
    whole_or_zero,
)
from checker.adapters.terraform.facts import Facts, Unknown, blocks, known, unknown_note
from checker.adapters.terraform.plan import Plan, Resource
from checker.adapters.terraform.reader import Candidate, ResourceReader, per_resource

TYPE = "google_sql_database_instance"
DAY = 86_400
SECURE_MODES = frozenset({"ENCRYPTED_ONLY", "TRUSTED_CLIENT_CERTIFICATE_REQUIRED"})


def derive(plan: Plan, candidate: Candidate, state: str) -> Facts:
    """Backups, TLS and encryption of one instance (``state`` is unused: no window of its own)."""
    instance = candidate.resource
    assert instance is not None
    facts = Facts()
    facts.use(instance)
    region = instance.get("region")
    if isinstance(region, str) and region and instance.unknown_at("region") is None:
        facts.put(("region",), region, instance.vpath("region"))
    try:
        _backups(plan, instance, facts)
    except Unknown as exc:
        unknown_note(plan, exc, "retention.deleted_by_user")
    try:
        _in_transit(instance, facts)
    except Unknown as exc:
        unknown_note(plan, exc, "encryption.in_transit")
    _at_rest(plan, instance, facts)
    return facts


def _backups(plan: Plan, instance: Resource, facts: Facts) -> None:
    base = ("settings", 0, "backup_configuration", 0)
    if not blocks(instance, "settings") or not blocks(instance, *base[:-1]):
        return
    if known(instance, *base, "enabled") is not True:
        return
    plus = known(instance, "settings", 0, "edition") == "ENTERPRISE_PLUS"
    days, where = (15 if plus else 7), instance.vpath(*base, "enabled")
    retention = ("backup_retention_settings", 0)
    if blocks(instance, *base, retention[0]):
        unit = known(instance, *base, *retention, "retention_unit")
        count = whole_or_zero(known(instance, *base, *retention, "retained_backups"))
        if unit not in (None, "", "COUNT"):
            plan.note(
                instance.vpath(*base, *retention, "retention_unit"),
                f"{instance.address}: unrecognised retention_unit {unit!r}; "
                "retention.deleted_by_user is left unset",
                "terraform-unrecognised-value",
            )
            return
        if count:
            days, where = count, instance.vpath(*base, *retention, "retained_backups")
    logs = whole_or_zero(known(instance, *base, "transaction_log_retention_days"))
    if logs and logs > days:
        days, where = logs, instance.vpath(*base, "transaction_log_retention_days")
    facts.put(("retention", "deleted_by_user"), duration_text(days * DAY), where)


def _in_transit(instance: Resource, facts: Facts) -> None:
    base = ("settings", 0, "ip_configuration", 0)
    if not blocks(instance, "settings"):
        return
    ip = blocks(instance, *base[:-1])
    mode = known(instance, *base, "ssl_mode") if ip else None
    if isinstance(mode, str) and mode:
        facts.put(
            ("encryption", "in_transit"), mode in SECURE_MODES, instance.vpath(*base, "ssl_mode")
        )
        return
    require = known(instance, *base, "require_ssl") if ip else None
    where = instance.vpath(*base, "require_ssl") if ip else instance.vpath("settings", 0)
    facts.put(("encryption", "in_transit"), require is True, where)


def _at_rest(plan: Plan, instance: Resource, facts: Facts) -> None:
    facts.put(("encryption", "at_rest"), True, instance.path)
    keys = ("encryption_key_name",)
    unknown = instance.unknown_at(*keys)
    if unknown is not None:
        if plan.unset_by_default(instance, keys[0]):
            facts.put(("encryption", "key_manager"), "google_managed", instance.path)
        elif plan.referenced(instance, keys, GOOGLE_KEY):
            facts.put(("encryption", "key_manager"), "gcp_kms", instance.vpath(*keys))
            google_key_rotation(plan, facts, instance, keys)
        else:
            unknown_note(
                plan,
                Unknown(unknown, f"{instance.address}: encryption_key_name"),
                "encryption.key_manager",
            )
        return
    if instance.get(*keys) in (None, ""):
        facts.put(("encryption", "key_manager"), "google_managed", instance.path)
        return
    facts.put(("encryption", "key_manager"), "gcp_kms", instance.vpath(*keys))
    google_key_rotation(plan, facts, instance, keys)


READER = ResourceReader(
    name="Google Cloud SQL",
    types=frozenset({TYPE}),
    candidates=per_resource({TYPE: "cloud_sql_instance"}, ("name",)),
    derive=derive,
)
