"""Cloud Storage buckets: retention from lifecycle rules, holds and soft delete; encryption.

Retention is how long an object's data can stay in the bucket (documented in
``docs/adapters/terraform-google.md``):

* only ``Delete`` actions expire data (``SetStorageClass`` and the rest move or keep it);
* a rule covers the whole bucket only when no condition narrows it: ``matches_prefix``,
  ``matches_suffix``, ``matches_storage_class``, ``created_before``, custom-time and
  noncurrent conditions, ``num_newer_versions`` all leave objects outside it. ``age`` 0 and
  ``""`` mean "unset" in the provider's output;
* on a versioned bucket, deleting the live version makes it noncurrent; noncurrent versions
  need a ``Delete`` for ``ARCHIVED`` (or ``ANY``) objects bounded by ``age`` (counted from
  creation) or ``days_since_noncurrent_time``. Without one, or when the rule keeps the newest
  versions (``num_newer_versions``), data stays ``indefinite``;
* ``retention_policy.retention_period`` is a *minimum* hold: objects cannot be deleted before
  it. It is never a maximum, but a hold longer than the ``Delete`` age keeps objects that long;
* soft delete keeps every deleted object, including those the lifecycle deletes, for
  ``soft_delete_policy.retention_duration_seconds`` (0 turns it off). The window therefore
  adds it, and it is also the ``deleted_by_user`` window. Google applies 7 days to buckets
  that set no policy.

Encryption at rest is always on: Google-managed keys, or the Cloud KMS key that
``encryption.default_kms_key_name`` names (``gcp_kms``, its rotation from a
``google_kms_crypto_key`` of the plan). Encryption in transit is not read: the XML API also
answers plain HTTP.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from checker.adapters.terraform.cloud_keys import (
    DAY,
    GOOGLE_KEY,
    duration_text,
    google_key_rotation,
    whole_or_zero,
)
from checker.adapters.terraform.facts import (
    Facts,
    Unknown,
    all_known,
    blocks,
    known,
    unknown_note,
    whole,
)
from checker.adapters.terraform.plan import Plan, Resource
from checker.adapters.terraform.reader import Candidate, ResourceReader, per_resource
from checker.core.diagnostics import JsonPath

TYPE = "google_storage_bucket"
DEFAULT_SOFT_DELETE = 7 * DAY  # Google's default for buckets without a soft delete policy
_NARROWING = (
    "matches_prefix",
    "matches_suffix",
    "matches_storage_class",
    "created_before",
    "custom_time_before",
    "days_since_custom_time",
    "noncurrent_time_before",
)
_BOUNDING = (
    "age",
    "no_age",
    "with_state",
    "is_live",
    "days_since_noncurrent_time",
    "num_newer_versions",
)


@dataclass(frozen=True, slots=True)
class Rule:
    """One ``Delete`` lifecycle rule, read as the objects it covers and when it deletes them."""

    label: str
    path: JsonPath
    scope: str | None  # None: every object of its state; else what narrows it
    live: bool  # whether live objects can match
    noncurrent: bool  # whether noncurrent objects can match
    age: int | None
    age_path: JsonPath
    since_noncurrent: int | None
    keeps_newer: bool


def derive(plan: Plan, candidate: Candidate, state: str) -> Facts:
    """The retention and encryption of one bucket; ``state`` names its window's consent state."""
    bucket = candidate.resource
    assert bucket is not None
    facts = Facts()
    facts.use(bucket)
    location = bucket.get("location")
    if isinstance(location, str) and location:
        facts.put(("region",), location.lower(), bucket.vpath("location"))
    try:
        _retention(plan, bucket, state, facts)
    except Unknown as exc:
        unknown_note(plan, exc, "the retention")
    _encryption(plan, bucket, facts)
    return facts


# --- retention -------------------------------------------------------------------------------


def _retention(plan: Plan, bucket: Resource, state: str, facts: Facts) -> None:
    soft, soft_path = _soft_delete(plan, bucket)
    rules = _delete_rules(plan, bucket)
    whole_live = [r for r in rules if r.live and r.scope is None and r.age is not None]
    name = bucket.get("name")
    if not whole_live:
        _partial_note(plan, bucket, rules)
        where = bucket.vpath("lifecycle_rule") if "lifecycle_rule" in bucket.values else bucket.path
        facts.put(("retention", state), "indefinite", where)
        _deleted(facts, state, soft, soft_path)
        return
    first = min(whole_live, key=lambda r: r.age or 0)
    days = first.age or 0
    if _versioned(plan, bucket):
        bounds = [
            max(r.age or 0, days + (r.since_noncurrent or 0))
            for r in rules
            if r.noncurrent and r.scope is None and not r.keeps_newer
            if r.age is not None or r.since_noncurrent is not None
        ]
        if not bounds:
            keepers = [r for r in rules if r.noncurrent and r.scope is None and r.keeps_newer]
            why = (
                f"rule {keepers[0].label} keeps the newest noncurrent versions "
                "(num_newer_versions) whatever their age"
                if keepers
                else "no Delete rule for the whole bucket removes noncurrent versions"
            )
            plan.note(
                keepers[0].path if keepers else bucket.vpath("versioning", 0, "enabled"),
                f"bucket {name} is versioned and {why}: deleted objects can stay as "
                "noncurrent versions indefinitely",
                "terraform-noncurrent-kept",
            )
            facts.put(("retention", state), "indefinite", bucket.vpath("versioning", 0, "enabled"))
            _deleted(facts, state, soft, soft_path)
            return
        days = min(bounds)
    hold = _hold(bucket)
    seconds = max(days * DAY, hold or 0) + soft
    facts.put(("retention", state), duration_text(seconds), first.age_path)
    facts.put(("deletion_schedule", "defined"), True, first.age_path)
    _deleted(facts, state, soft, soft_path)


def _deleted(facts: Facts, state: str, soft: int, where: JsonPath) -> None:
    """Soft-deleted objects stay ``soft`` seconds after anyone deletes them."""
    if soft > 0 and state != "deleted_by_user":
        facts.put(("retention", "deleted_by_user"), duration_text(soft), where)


def _soft_delete(plan: Plan, bucket: Resource) -> tuple[int, JsonPath]:
    """Seconds soft delete keeps a deleted object, and the path to cite."""
    try:
        policy = blocks(bucket, "soft_delete_policy")
    except Unknown:
        if plan.unset_by_default(bucket, "soft_delete_policy"):
            return DEFAULT_SOFT_DELETE, bucket.path
        raise
    if not policy:  # none set, or a provider older than soft delete: Google's default
        where = (
            bucket.vpath("soft_delete_policy")
            if "soft_delete_policy" in bucket.values
            else bucket.path
        )
        return DEFAULT_SOFT_DELETE, where
    keys = ("soft_delete_policy", 0, "retention_duration_seconds")
    try:
        seconds = whole_or_zero(known(bucket, *keys))
    except Unknown:
        if plan.configured(bucket, "soft_delete_policy") is not False:
            raise
        seconds = None
    return (DEFAULT_SOFT_DELETE if seconds is None else seconds), bucket.vpath(*keys)


def _hold(bucket: Resource) -> int | None:
    """The retention policy's minimum hold in seconds: objects live at least that long."""
    if not blocks(bucket, "retention_policy"):
        return None
    return whole(known(bucket, "retention_policy", 0, "retention_period"))


def _versioned(plan: Plan, bucket: Resource) -> bool:
    try:
        versioning = blocks(bucket, "versioning")
    except Unknown:
        if plan.unset_by_default(bucket, "versioning"):
            return False
        raise
    return bool(versioning) and known(bucket, "versioning", 0, "enabled") is True


def _delete_rules(plan: Plan, bucket: Resource) -> list[Rule]:
    try:
        items = blocks(bucket, "lifecycle_rule")
    except Unknown:
        if plan.unset_by_default(bucket, "lifecycle_rule"):
            return []
        raise
    rules = []
    for i in range(len(items)):
        actions = blocks(bucket, "lifecycle_rule", i, "action")
        if not any(
            known(bucket, "lifecycle_rule", i, "action", a, "type") == "Delete"
            for a in range(len(actions))
        ):
            continue
        rules.append(_rule(bucket, i))
    return rules


def _rule(bucket: Resource, i: int) -> Rule:
    base = ("lifecycle_rule", i, "condition", 0)
    condition = known(bucket, *base[:-1])
    condition = condition[0] if isinstance(condition, list) and condition else {}
    all_known(bucket, base, (*_NARROWING, *_BOUNDING))  # each narrows or bounds the rule
    scope = [_narrowing(key, condition[key]) for key in _NARROWING if _set(condition.get(key))]
    state = condition.get("with_state") or "ANY"
    if condition.get("is_live") is False and state == "ANY":
        state = "ARCHIVED"
    since_noncurrent = whole(condition.get("days_since_noncurrent_time"))
    keeps_newer = whole(condition.get("num_newer_versions")) is not None
    return Rule(
        label=f"#{i + 1}",
        path=bucket.vpath("lifecycle_rule", i),
        scope=" and ".join(s for s in scope) or None,
        live=state in ("ANY", "LIVE") and since_noncurrent is None and not keeps_newer,
        noncurrent=state in ("ANY", "ARCHIVED"),
        age=None if condition.get("no_age") is True else whole(condition.get("age")),
        age_path=bucket.vpath(*base, "age"),
        since_noncurrent=since_noncurrent,
        keeps_newer=keeps_newer,
    )


def _set(value: Any) -> bool:
    return value not in (None, "", 0, [], False)


def _narrowing(key: str, value: Any) -> str:
    shown = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    return f"{key} {shown}"


def _partial_note(plan: Plan, bucket: Resource, rules: list[Rule]) -> None:
    partial = [r for r in rules if r.live and r.scope is not None and r.age is not None]
    if partial:
        parts = "; ".join(
            f"rule {r.label} deletes objects with {r.scope} after {r.age}d" for r in partial
        )
        plan.note(
            partial[0].path,
            f"only part of bucket {bucket.get('name')} expires ({parts}); every other object "
            "is kept indefinitely, so the bucket's retention is indefinite",
            "terraform-partial-lifecycle",
        )


# --- encryption ------------------------------------------------------------------------------


def _encryption(plan: Plan, bucket: Resource, facts: Facts) -> None:
    where = bucket.vpath("encryption") if "encryption" in bucket.values else bucket.path
    facts.put(("encryption", "at_rest"), True, where)
    keys = ("encryption", 0, "default_kms_key_name")
    try:
        configured = blocks(bucket, "encryption")
    except Unknown as exc:
        if plan.unset_by_default(bucket, "encryption"):
            facts.put(("encryption", "key_manager"), "google_managed", where)
        else:
            unknown_note(plan, exc, "encryption.key_manager")
        return
    unknown = bucket.unknown_at(*keys)
    if unknown is not None:
        # a key created in the same apply: the configuration's reference names it
        if not plan.referenced(bucket, keys, GOOGLE_KEY):
            unknown_note(
                plan,
                Unknown(unknown, f"{bucket.address}: {keys[0]}[0].{keys[2]}"),
                "encryption.key_manager",
            )
            return
    elif not configured or bucket.get(*keys) in (None, ""):
        facts.put(("encryption", "key_manager"), "google_managed", where)
        return
    facts.put(("encryption", "key_manager"), "gcp_kms", bucket.vpath(*keys))
    google_key_rotation(plan, facts, bucket, keys)


READER = ResourceReader(
    name="Google Cloud Storage",
    types=frozenset({TYPE}),
    candidates=per_resource({TYPE: "gcs_bucket"}, ("name",)),
    derive=derive,
)
