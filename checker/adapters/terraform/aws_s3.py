"""S3 buckets: retention from lifecycle rules, encryption, and TLS-only bucket policies.

Both AWS provider styles are read: inline blocks on ``aws_s3_bucket`` (provider v3:
``lifecycle_rule``, ``versioning``, ``server_side_encryption_configuration``, ``policy``) and the
separate resources of provider v4+ (``aws_s3_bucket_lifecycle_configuration``,
``aws_s3_bucket_versioning``, ``aws_s3_bucket_server_side_encryption_configuration``,
``aws_s3_bucket_policy``). A separate resource replaces the bucket's whole configuration of
that kind on apply, so when one targets the bucket it wins over the inline block.

Retention is how long an object's data can stay in the bucket:

* only enabled rules count (``enabled: true`` / ``status: Enabled``);
* only rules without a filter (no prefix, tag, ``and`` or object-size bound) cover the whole
  bucket; objects outside filtered rules never expire, so without an unfiltered expiring rule
  the bucket keeps data ``indefinite`` and a warning describes the partial rules;
* when several unfiltered rules expire objects, S3 honours the shortest;
* ``expiration`` with ``days: 0`` (e.g. ``expired_object_delete_marker: true``) only removes
  delete markers: no expiration;
* ``expiration.date`` deletes on a calendar date, which is no retention window: the rule is not
  counted and a warning says so;
* on a versioned bucket (versioning ``Enabled`` or ``Suspended``) expiring the current version
  only makes it noncurrent. The data then lives until ``noncurrent_version_expiration`` removes
  it, counted from when it became noncurrent: retention = current days + noncurrent days, and
  ``indefinite`` when no unfiltered rule expires noncurrent versions or the rule keeps
  ``newer_noncurrent_versions`` (those versions never expire);
* no lifecycle at all: ``indefinite``.

A finite retention also records ``deletion_schedule.defined: true`` (the lifecycle rule is the
schedule). Encryption at rest is recorded only when the plan shows a default encryption rule:
S3 has encrypted new objects with SSE-S3 since January 2023, but a plan that does not show it
is no evidence, so the check reports "not evidenced" instead of this reader guessing.

Replication rules (``aws_s3_bucket_replication_configuration``, inline
``replication_configuration``) are copies of the bucket kept as long as the replica bucket
keeps data (:mod:`~checker.adapters.terraform.copies`); a replica bucket of the plan that no
rule maps becomes a store classified like its source.

Encryption in transit is evidenced by a bucket policy that denies every principal ``s3:*`` when
``aws:SecureTransport`` is false, on both the bucket and all its objects (see
:func:`tls_only_coverage` for the ``Resource`` forms that count).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from checker.adapters.terraform import aws_support
from checker.adapters.terraform.copies import Copy
from checker.adapters.terraform.facts import (
    AWS_MANAGED_KEY_ROTATION,
    Facts,
    Unknown,
    blocks,
    key_rotation,
    known,
    unknown_note,
    whole,
)
from checker.adapters.terraform.plan import Plan, Resource
from checker.adapters.terraform.reader import Candidate, ResourceReader, known_name
from checker.core.diagnostics import JsonPath
from checker.core.durations import DAY, parse_duration

LIFECYCLE = "aws_s3_bucket_lifecycle_configuration"
VERSIONING = "aws_s3_bucket_versioning"
ENCRYPTION = "aws_s3_bucket_server_side_encryption_configuration"
POLICY = "aws_s3_bucket_policy"
REPLICATION = "aws_s3_bucket_replication_configuration"
OBJECT_LOCK = "aws_s3_bucket_object_lock_configuration"
ATTACHMENTS = (LIFECYCLE, VERSIONING, ENCRYPTION, POLICY, REPLICATION, OBJECT_LOCK)
# What keeps data past the lifecycle window: when one of these cannot be tied to its bucket, the
# buckets it may configure keep no evidenced window (the others, ignored, only take evidence away).
LENGTHENING = {
    VERSIONING: "noncurrent versions",
    REPLICATION: "replicas in other buckets",
    OBJECT_LOCK: "locked object versions",
}
KIND = "s3_bucket"
S3_ACTIONS = frozenset({"*", "s3:*"})
PARTITIONS = ("aws", "aws-cn", "aws-us-gov")


@dataclass(frozen=True, slots=True)
class Rule:
    """One lifecycle rule, the same for both provider styles."""

    label: str
    path: JsonPath
    enabled: bool
    scope: str | None  # None: the whole bucket; else which objects it covers
    days: int | None
    days_path: JsonPath
    date: str | None
    noncurrent_days: int | None
    noncurrent_path: JsonPath
    keeps_newer: bool


@dataclass(frozen=True, slots=True)
class Bucket:
    """A bucket of the plan, or one known only through resources that configure it, and the
    buckets its replication rules copy it to."""

    resource: Resource | None
    name: str | None
    attachments: dict[str, list[Resource]]
    replicas: list[Replica] = field(default_factory=list)
    doubts: list[Resource] = field(default_factory=list)  # may be this bucket's: see LENGTHENING


@dataclass(frozen=True, slots=True)
class Replica:
    """An enabled replication rule: where it copies the bucket's objects."""

    label: str
    owner: Resource
    path: JsonPath  # the destination's bucket ARN
    destination: Bucket | None  # None: a bucket outside this plan
    arn: str | None
    delete_markers: bool


def candidates(plan: Plan) -> list[Candidate]:
    """A store candidate per bucket of the plan, with the resources that configure it, and one
    per bucket that the plan only configures (named by resources of :data:`ATTACHMENTS`)."""
    buckets = plan.of_type("aws_s3_bucket")
    by_name: dict[str, Resource] = {}
    for res in buckets:
        for attr in ("bucket", "id"):
            value = res.get(attr)
            if isinstance(value, str) and res.unknown_at(attr) is None:
                by_name.setdefault(value, res)
    attached: dict[int, dict[str, list[Resource]]] = {id(b): {} for b in buckets}
    outside: dict[str, dict[str, list[Resource]]] = {}
    unresolved: list[tuple[Resource, list[Resource]]] = []
    for res in plan.of_type(*ATTACHMENTS):
        target = res.get("bucket")
        if isinstance(target, str) and res.unknown_at("bucket") is None:
            owner = by_name.get(target)
            group = attached[id(owner)] if owner else outside.setdefault(target, {})
        else:
            refs = plan.referenced(res, ("bucket",), "aws_s3_bucket")
            if len(refs) != 1:
                why = "is known only after apply" if res.unknown_at("bucket") else "is unset"
                what = (
                    f"refers to {len(refs)} buckets"
                    if refs
                    else "does not refer to a bucket in this plan"
                )
                effect = (
                    "the buckets it may configure keep no evidenced retention"
                    if res.type in LENGTHENING
                    else "ignored"
                )
                plan.note(
                    res.unknown_at("bucket") or res.vpath("bucket"),
                    f"{res.address}: its bucket {why} and its configuration {what}; {effect}",
                    "terraform-unresolved-bucket",
                )
                unresolved.append((res, refs))
                continue
            group = attached[id(refs[0])]
        group.setdefault(res.type, []).append(res)
    found: list[Candidate] = []
    inside = {
        id(res): Bucket(res, known_name(res, ("bucket",))[0], attached[id(res)]) for res in buckets
    }
    outside_buckets = {name: Bucket(None, name, groups) for name, groups in outside.items()}
    for res, refs in unresolved:
        if res.type not in LENGTHENING:
            continue
        possible = [inside[id(r)] for r in refs] or [*inside.values(), *outside_buckets.values()]
        for bucket in possible:
            if res.type not in bucket.attachments:  # one of its own wins over an unknown one
                bucket.doubts.append(res)
    sources: dict[int, list[Resource]] = {}
    for bucket in [*inside.values(), *outside_buckets.values()]:
        bucket.replicas.extend(_replicas(plan, bucket, by_name, inside))
        for replica in bucket.replicas:
            dest = replica.destination
            if dest is not None and dest.resource is not None and bucket.resource is not None:
                sources.setdefault(id(dest.resource), []).append(bucket.resource)
    for res in buckets:
        name, name_path = known_name(res, ("bucket",))
        found.append(
            Candidate(
                KIND,
                res.address,
                name,
                name_path,
                res.path,
                res,
                (res.address,),
                inside[id(res)],
                copy_of=tuple(sources.get(id(res), ())),
            )
        )
    for name, groups in outside.items():
        members = [r for kind in ATTACHMENTS for r in groups.get(kind, [])]
        first = members[0]
        addresses = tuple(r.address for r in members)
        found.append(
            Candidate(
                KIND,
                first.address,
                name,
                first.vpath("bucket"),
                first.path,
                None,
                addresses,
                outside_buckets[name],
                note=(
                    "terraform-bucket-outside-plan",
                    f"bucket {name} is not managed in this plan; "
                    f"its store is built from {', '.join(addresses)} alone",
                ),
            )
        )
    return found


def _configuration(
    plan: Plan, bucket: Bucket, kind: str, inline: str, rules: str
) -> tuple[Resource, tuple[str | int, ...]] | None:
    """Where the bucket's configuration of one kind is written, and the path of its rules
    there: its separate resource of ``kind`` (``rule`` blocks), which wins over the bucket's
    own ``inline`` block (provider v3, ``<inline>[0].<rules>``); ``None`` without either.
    Raises :class:`Unknown` when whether the inline block is set is known only after apply."""
    config = _single(plan, bucket, kind)
    if config is not None:
        return config, ("rule",)
    owner = bucket.resource
    if owner is None:
        return None
    try:
        if not blocks(owner, inline):
            return None
    except Unknown:
        if plan.unset_by_default(owner, inline):
            return None
        raise
    return owner, (inline, 0, rules)


def _replicas(
    plan: Plan, bucket: Bucket, by_name: dict[str, Resource], inside: dict[int, Bucket]
) -> list[Replica]:
    """The enabled replication rules of ``bucket`` (a separate resource wins over the inline
    ``replication_configuration``, as for every other kind of configuration)."""
    found: list[Replica] = []
    try:
        found_in = _configuration(plan, bucket, REPLICATION, "replication_configuration", "rules")
        if found_in is None:
            return []
        owner, base = found_in
        marker_keys: tuple[str | int, ...] = (
            ("delete_marker_replication", 0, "status")
            if owner is not bucket.resource
            else ("delete_marker_replication_status",)
        )
        for i in range(len(blocks(owner, *base))):
            rule = (*base, i)
            if known(owner, *rule, "status") != "Enabled":
                continue
            keys = (*rule, "destination", 0, "bucket")
            arn = owner.get(*keys) if owner.unknown_at(*keys) is None else None
            target = _replica_bucket(plan, owner, keys, arn, by_name)
            found.append(
                Replica(
                    label=_label(owner, rule, i),
                    owner=owner,
                    path=owner.unknown_at(*keys) or owner.vpath(*keys),
                    destination=inside[id(target)] if target is not None else None,
                    arn=arn if isinstance(arn, str) else None,
                    delete_markers=owner.get(*rule, *marker_keys) == "Enabled",
                )
            )
    except Unknown as exc:
        unknown_note(plan, exc, "the replication of the bucket")
    return found


def _replica_bucket(
    plan: Plan,
    owner: Resource,
    keys: tuple[str | int, ...],
    arn: Any,
    by_name: dict[str, Resource],
) -> Resource | None:
    """The bucket of this plan that a replication destination names, by ARN or reference."""
    if isinstance(arn, str) and arn:
        for res in plan.of_type("aws_s3_bucket"):
            if res.get("arn") == arn and res.unknown_at("arn") is None:
                return res
        return by_name.get(arn.split(":::", 1)[-1]) if ":s3:::" in arn else None
    found = plan.referenced(owner, keys, "aws_s3_bucket")
    return found[0] if len(found) == 1 else None


def _replication_copies(plan: Plan, bucket: Bucket, facts: Facts) -> None:
    """Each replica is a copy of the bucket kept as long as the replica bucket keeps it."""
    for replica in bucket.replicas:
        facts.use(replica.owner)
        dest = replica.destination
        where = f"bucket {dest.name}" if dest is not None else (replica.arn or "a bucket")
        what = f"replication rule {replica.label} of {replica.owner.address} (to {where})"
        markers = (
            "delete markers are replicated, so a delete without a version id hides the "
            "replica's current version, which then lives as a noncurrent version; a delete of "
            "a version id is never replicated"
            if replica.delete_markers
            else "delete markers are not replicated, so a delete on the source leaves the "
            "replica in place"
        )
        if dest is None:
            place = (
                "is not in this plan"
                if replica.arn
                else "is known only after apply and the configuration names no bucket of this plan"
            )
            why = f"the replica bucket {place}, so its lifecycle is not evidenced; {markers}"
            facts.copies.append(Copy(what, replica.path, None, known=False, why=why))
            continue
        window = _quiet_retention(plan, dest)
        if window is None:
            why = f"the retention of bucket {dest.name} is not evidenced; {markers}"
            facts.copies.append(Copy(what, replica.path, None, known=False, why=why))
        else:
            days = None if window == "indefinite" else int(window.removesuffix("d"))
            facts.copies.append(Copy(what, replica.path, days, why=markers))


def _quiet_retention(plan: Plan, bucket: Bucket) -> str | None:
    """The bucket's retention window, without the warnings that its own store already gives."""
    said = len(plan.diagnostics)
    facts = Facts()
    _retention(plan, bucket, "any", facts)
    del plan.diagnostics[said:]
    window = facts.values.get("retention", {}).get("any")
    return window if isinstance(window, str) else None


def _derive(plan: Plan, candidate: Candidate, state: str) -> Facts:
    bucket = candidate.detail
    assert isinstance(bucket, Bucket)
    return derive(plan, bucket, state)


def derive(plan: Plan, bucket: Bucket, state: str) -> Facts:
    """The facts of one bucket; ``state`` is the consent state its expiration stands for."""
    facts = Facts()
    if bucket.resource is not None:
        facts.use(bucket.resource)
        region = bucket.resource.get("region")
        if isinstance(region, str) and region:
            facts.put(("region",), region, bucket.resource.vpath("region"))
    for group in bucket.attachments.values():
        for res in group:
            facts.use(res)
    _retention(plan, bucket, state, facts)
    _encryption(plan, bucket, facts)
    _in_transit(plan, bucket, facts)
    _replication_copies(plan, bucket, facts)
    _lock_copy(plan, bucket, facts)
    _noncurrent_copy(plan, bucket, state, facts)
    for res in bucket.doubts:
        facts.copies.append(
            Copy(
                f"{res.address}, whose bucket cannot be told, so it may be this bucket's,",
                res.unknown_at("bucket") or res.vpath("bucket"),
                None,
                known=False,
                why=LENGTHENING[res.type],
            )
        )
    return facts


def _single(plan: Plan, bucket: Bucket, kind: str) -> Resource | None:
    group = bucket.attachments.get(kind) or []
    if len(group) > 1:
        names = ", ".join(r.address for r in group)
        plan.note(
            group[1].path,
            f"bucket {bucket.name} is configured by several {kind} "
            f"resources ({names}); each apply overwrites the others. Using "
            f"{group[0].address}",
            "terraform-conflicting-resources",
        )
    return group[0] if group else None


# --- retention -------------------------------------------------------------------------------


class _Lock(NamedTuple):
    days: int
    path: JsonPath
    mode: str


def _default_lock(plan: Plan, bucket: Bucket) -> _Lock | None:
    """The Object Lock default retention of the bucket, from its lock configuration resource
    or (provider v3) its inline block; ``None`` without one. Raises :class:`Unknown`."""
    found = _configuration(plan, bucket, OBJECT_LOCK, "object_lock_configuration", "rule")
    if found is None:
        return None
    owner, base = found
    if not blocks(owner, *base) or not blocks(owner, *base, 0, "default_retention"):
        return None
    where = (*base, 0, "default_retention", 0)
    mode = known(owner, *where, "mode")
    for unit, suffix in (("days", "d"), ("years", "y")):
        count = whole(known(owner, *where, unit))
        if count is not None:
            length = parse_duration(f"{count}{suffix}").seconds or 0
            return _Lock(length // DAY, owner.vpath(*where, unit), str(mode))
    return None


def _lock_copy(plan: Plan, bucket: Bucket, facts: Facts) -> None:
    """An Object Lock default retention keeps every object version until it ends, whatever
    the lifecycle says (lifecycle actions do not remove a locked version): every window of
    the store, the rule's included, is at least that long."""
    what = f"the Object Lock default retention of bucket {bucket.name}"
    try:
        lock = _default_lock(plan, bucket)
    except Unknown as exc:
        why = f"{exc.what} is known only after apply"
        facts.copies.append(Copy(what, exc.path, None, known=False, why=why))
        return
    if lock is not None:
        why = f"{lock.mode} mode; lifecycle actions do not remove a locked version"
        facts.copies.append(Copy(what, lock.path, lock.days, why=why, floor=True))


def _noncurrent_copy(plan: Plan, bucket: Bucket, state: str, facts: Facts) -> None:
    """In a versioned bucket, deleting an object only makes it noncurrent: it stays until the
    noncurrent expiration, or without limit. A window the mapping rule gives (the application
    deleting within it) is that much longer; the lifecycle's own window counts it already.
    Said only when it raises a window (every versioned bucket has this copy)."""
    if bucket.resource is None and VERSIONING not in bucket.attachments:
        return  # a bucket outside the plan: its retention is not evidenced already
    said = len(plan.diagnostics)
    try:
        versioned, vpath = _versioned(plan, bucket)
        found = _rules(plan, bucket) if versioned else None
    except Unknown:
        return  # the lifecycle's window is unset for it, and said; a rule's window stands
    finally:
        del plan.diagnostics[said:]  # the retention says them once
    if not versioned:
        return
    rules = [r for r in (found[0] if found else []) if r.enabled and r.scope is None]
    expiring = [r for r in rules if r.noncurrent_days is not None and not r.keeps_newer]
    first = min(expiring, key=lambda r: r.noncurrent_days or 0) if expiring else None
    own = facts.values.get("retention", {})
    facts.copies.append(
        Copy(
            f"versioning of bucket {bucket.name}",
            first.noncurrent_path if first else vpath,
            first.noncurrent_days if first else None,
            why="an object the application deletes stays as a noncurrent version",
            exempt=(state,) if state in own else (),
            quiet=True,
        )
    )


def _retention(plan: Plan, bucket: Bucket, state: str, facts: Facts) -> None:
    try:
        found = _rules(plan, bucket)
        if found is None:
            return
        rules, where = found
        active = [r for r in rules if r.enabled]
        for rule in active:
            if rule.date:
                plan.note(
                    (*rule.days_path[:-1], "date"),
                    f"lifecycle rule {rule.label} of "
                    f"bucket {bucket.name} expires objects on the date {rule.date}: a date "
                    "is not a retention window, so the rule is not counted",
                    "terraform-date-expiration",
                )
        unfiltered = [r for r in active if r.scope is None and r.days is not None]
        if not unfiltered:
            _indefinite(plan, bucket, state, facts, active, where)
            return
        current = min(unfiltered, key=lambda r: r.days or 0)
        days = current.days or 0
        versioned, vpath = _versioned(plan, bucket)
    except Unknown as exc:
        unknown_note(plan, exc, "the retention")
        return
    if versioned is None:
        plan.note(
            vpath,
            f"bucket {bucket.name} is not in this plan, so whether it keeps "
            "noncurrent versions is not evidenced; its retention is left unset",
            "terraform-bucket-outside-plan",
        )
        return
    if not versioned:
        facts.put(("retention", state), f"{days}d", current.days_path)
        facts.put(("deletion_schedule", "defined"), True, current.days_path)
        return
    noncurrent = [
        r for r in active if r.scope is None and r.noncurrent_days is not None and not r.keeps_newer
    ]
    if not noncurrent:
        keepers = [r for r in active if r.scope is None and r.keeps_newer]
        why = (
            f"rule {keepers[0].label} keeps the newest noncurrent versions "
            "(newer_noncurrent_versions) whatever their age"
            if keepers
            else "no lifecycle rule for the whole bucket expires noncurrent versions"
        )
        facts.put(("retention", state), "indefinite", vpath)
        plan.note(
            keepers[0].noncurrent_path[:-1] if keepers else vpath,
            f"bucket {bucket.name} is versioned and {why}: expired objects can stay as "
            "noncurrent versions indefinitely",
            "terraform-noncurrent-kept",
        )
        return
    extra = min(noncurrent, key=lambda r: r.noncurrent_days or 0)
    facts.put(("retention", state), f"{days + (extra.noncurrent_days or 0)}d", current.days_path)
    facts.put(("deletion_schedule", "defined"), True, current.days_path)


def _indefinite(
    plan: Plan, bucket: Bucket, state: str, facts: Facts, active: list[Rule], where: JsonPath
) -> None:
    """No rule expires the whole bucket: cite the first enabled rule's (absent) expiration."""
    if active:
        where = active[0].days_path[:-2]
    facts.put(("retention", state), "indefinite", where)
    partial = [r for r in active if r.scope is not None and r.days is not None]
    if partial:
        parts = "; ".join(
            f"rule {r.label} expires objects with {r.scope} after {r.days}d" for r in partial
        )
        plan.note(
            partial[0].path,
            f"only part of bucket {bucket.name} expires ({parts}); every "
            "other object is kept indefinitely, so the bucket's retention is indefinite",
            "terraform-partial-lifecycle",
        )


def _rules(plan: Plan, bucket: Bucket) -> tuple[list[Rule], JsonPath] | None:
    """The lifecycle rules in force, and the path to cite; ``None``: nothing to say."""
    config = _single(plan, bucket, LIFECYCLE)
    if config is not None:
        items = blocks(config, "rule")
        return [_v4_rule(config, i) for i in range(len(items))], config.vpath("rule")
    res = bucket.resource
    if res is None:
        return None  # a bucket outside this plan: its lifecycle is not evidenced here
    try:
        items = blocks(res, "lifecycle_rule")
    except Unknown:
        if not plan.unset_by_default(res, "lifecycle_rule"):
            raise
        return [], res.path
    where = res.vpath("lifecycle_rule") if "lifecycle_rule" in res.values else res.path
    return [_v3_rule(res, i) for i in range(len(items))], where


def _v3_rule(res: Resource, i: int) -> Rule:
    base = ("lifecycle_rule", i)
    label = _label(res, base, i)
    scope = []
    prefix = known(res, *base, "prefix")
    if isinstance(prefix, str) and prefix:
        scope.append(f"prefix {prefix!r}")
    tags = known(res, *base, "tags")
    if isinstance(tags, dict) and tags:
        scope.append("tags " + ", ".join(f"{k}={v}" for k, v in tags.items()))
    days, days_path, date = _expiration(res, base)
    nc = blocks(res, *base, "noncurrent_version_expiration")
    return Rule(
        label=label,
        path=res.vpath(*base),
        enabled=known(res, *base, "enabled") is True,
        scope=" and ".join(scope) or None,
        days=days,
        days_path=days_path,
        date=date,
        noncurrent_days=whole(known(res, *base, "noncurrent_version_expiration", 0, "days"))
        if nc
        else None,
        noncurrent_path=res.vpath(*base, "noncurrent_version_expiration", 0, "days"),
        keeps_newer=False,
    )


def _v4_rule(res: Resource, i: int) -> Rule:
    base = ("rule", i)
    scope = []
    prefix = known(res, *base, "prefix")
    if isinstance(prefix, str) and prefix:
        scope.append(f"prefix {prefix!r}")
    if blocks(res, *base, "filter"):
        scope.extend(_filter_scope(known(res, *base, "filter", 0)))
    days, days_path, date = _expiration(res, base)
    nc_days: int | None = None
    keeps_newer = False
    if blocks(res, *base, "noncurrent_version_expiration"):
        nc_days = whole(known(res, *base, "noncurrent_version_expiration", 0, "noncurrent_days"))
        newer = known(res, *base, "noncurrent_version_expiration", 0, "newer_noncurrent_versions")
        keeps_newer = newer not in (None, "", 0, "0")
    return Rule(
        label=_label(res, base, i),
        path=res.vpath(*base),
        enabled=known(res, *base, "status") == "Enabled",
        scope=" and ".join(scope) or None,
        days=days,
        days_path=days_path,
        date=date,
        noncurrent_days=nc_days,
        noncurrent_path=res.vpath(*base, "noncurrent_version_expiration", 0, "noncurrent_days"),
        keeps_newer=keeps_newer,
    )


def _filter_scope(block: Any) -> list[str]:
    """What a ``filter`` (or ``and``) block narrows the rule to; empty: the whole bucket."""
    if not isinstance(block, dict):
        return []
    scope = []
    prefix = block.get("prefix")
    if isinstance(prefix, str) and prefix:
        scope.append(f"prefix {prefix!r}")
    for tag in block.get("tag") or ():
        if isinstance(tag, dict):
            scope.append(f"tag {tag.get('key')}={tag.get('value')}")
        else:
            scope.append(f"tag {tag}")
    tags = block.get("tags")
    if isinstance(tags, dict) and tags:
        scope.append("tags " + ", ".join(f"{k}={v}" for k, v in tags.items()))
    for key, word in (("object_size_greater_than", "size >"), ("object_size_less_than", "size <")):
        size = block.get(key)
        if size not in (None, "", 0, "0"):
            scope.append(f"{word} {size}")
    for inner in block.get("and") or ():
        scope.extend(_filter_scope(inner))
    return scope


def _expiration(
    res: Resource, base: tuple[str | int, ...]
) -> tuple[int | None, JsonPath, str | None]:
    days_path = res.vpath(*base, "expiration", 0, "days")
    if not blocks(res, *base, "expiration"):
        return None, days_path, None
    days = whole(known(res, *base, "expiration", 0, "days"))
    date = known(res, *base, "expiration", 0, "date")
    return days, days_path, date if isinstance(date, str) and date else None


def _label(res: Resource, base: tuple[str | int, ...], index: int) -> str:
    """How messages name a rule: its ``id``, or its position when the id is unset or known
    only after apply (provider v3 computes a missing id; it names the rule, nothing more)."""
    rule_id = res.get(*base, "id") if res.unknown_at(*base, "id") is None else None
    return repr(rule_id) if isinstance(rule_id, str) and rule_id else f"#{index + 1}"


def _versioned(plan: Plan, bucket: Bucket) -> tuple[bool | None, JsonPath]:
    """Whether noncurrent versions can exist (``None``: not evidenced), and the path to cite."""
    config = _single(plan, bucket, VERSIONING)
    if config is not None:
        status = known(config, "versioning_configuration", 0, "status")
        return status in ("Enabled", "Suspended"), config.vpath(
            "versioning_configuration", 0, "status"
        )
    res = bucket.resource
    if res is None:
        return None, bucket.attachments[LIFECYCLE][0].path
    try:
        items = blocks(res, "versioning")
    except Unknown:
        if plan.unset_by_default(res, "versioning"):
            return False, res.path
        raise
    if not items:
        return False, res.vpath("versioning")
    return known(res, "versioning", 0, "enabled") is True, res.vpath("versioning", 0, "enabled")


# --- encryption ------------------------------------------------------------------------------


def _encryption(plan: Plan, bucket: Bucket, facts: Facts) -> None:
    try:
        found = _configuration(
            plan, bucket, ENCRYPTION, "server_side_encryption_configuration", "rule"
        )
        if found is None:
            return
        owner, base = found
        for i, rule in enumerate(blocks(owner, *base)):
            if rule.get("apply_server_side_encryption_by_default"):
                _default_encryption(
                    plan, facts, owner, (*base, i, "apply_server_side_encryption_by_default", 0)
                )
                return
    except Unknown as exc:
        unknown_note(plan, exc, "encryption at rest")


def _default_encryption(
    plan: Plan, facts: Facts, owner: Resource, base: tuple[str | int, ...]
) -> None:
    algorithm = known(owner, *base, "sse_algorithm")
    where = owner.vpath(*base, "sse_algorithm")
    if algorithm == "AES256":
        facts.put(("encryption", "at_rest"), True, where)
        facts.put(("encryption", "key_manager"), "aws_managed", where)
    elif isinstance(algorithm, str) and algorithm.startswith("aws:kms"):
        facts.put(("encryption", "at_rest"), True, where)
        facts.put(("encryption", "key_manager"), "aws_kms", where)
        key_keys = (*base, "kms_master_key_id")
        if owner.unknown_at(*key_keys) is not None:
            key_rotation(plan, facts, owner, key_keys, None)
        elif owner.get(*key_keys) in (None, ""):
            facts.put(("encryption", "key_rotation"), AWS_MANAGED_KEY_ROTATION, where)
        else:
            key_rotation(plan, facts, owner, key_keys, owner.get(*key_keys))
    else:
        plan.note(
            where,
            f"{owner.address}: unrecognised sse_algorithm {algorithm!r}; "
            "encryption at rest is left unset",
            "terraform-unrecognised-value",
        )


# --- in transit ------------------------------------------------------------------------------


def _in_transit(plan: Plan, bucket: Bucket, facts: Facts) -> None:
    holders = bucket.attachments.get(POLICY) or []
    if not holders and bucket.resource is not None:
        res = bucket.resource
        if res.unknown_at("policy") is not None and plan.unset_by_default(res, "policy"):
            return
        if res.unknown_at("policy") is not None or res.get("policy"):
            holders = [res]
    for res in holders:
        try:
            text = known(res, "policy")
            if not isinstance(text, str):
                continue
            try:
                document = json.loads(text)
            except ValueError:
                plan.note(
                    res.vpath("policy"),
                    f"{res.address}: the bucket policy is not valid "
                    "JSON; encryption in transit is not evidenced",
                    "terraform-malformed",
                )
                continue
            if not denies_insecure_transport(document):
                continue
            covered = tls_only_coverage(document, _bucket_arns(bucket))
        except Unknown as exc:
            unknown_note(plan, exc, "encryption.in_transit")
            continue
        if all(covered):
            facts.put(("encryption", "in_transit"), True, res.vpath("policy"))
            return
        plan.note(
            res.vpath("policy"),
            f"{res.address}: the policy denies requests without TLS (aws:SecureTransport "
            f"false), but its statements' Resource covers {_coverage_text(covered)} of bucket "
            f"{bucket.name}: both the bucket and arn:aws:s3:::{bucket.name}/* must be covered, "
            "so encryption in transit is not evidenced",
            "terraform-partial-tls",
        )


def _bucket_arns(bucket: Bucket) -> tuple[str, ...]:
    """The ARNs a policy may name the bucket by: its ``arn`` when known, else one per AWS
    partition built from its name; raises :class:`Unknown` when the name is unknown."""
    res = bucket.resource
    if res is not None:
        arn = res.get("arn")
        if isinstance(arn, str) and arn and res.unknown_at("arn") is None:
            return (arn,)
        name = known(res, "bucket")
    else:
        name = bucket.name
    if not isinstance(name, str) or not name:
        return ()
    return tuple(f"arn:{partition}:s3:::{name}" for partition in PARTITIONS)


def _coverage_text(covered: tuple[bool, bool]) -> str:
    return {
        (False, False): "neither the bucket nor its objects",
        (True, False): "the bucket but not its objects",
        (False, True): "the objects but not the bucket",
    }[covered]


def denies_insecure_transport(policy: Any) -> bool:
    """Whether a statement denies every principal any S3 action when ``aws:SecureTransport``
    is false, whatever resources it names (see :func:`tls_only_coverage` for those)."""
    return aws_support.denies_insecure_transport(policy, S3_ACTIONS)


def tls_only_coverage(policy: Any, bucket_arns: tuple[str, ...]) -> tuple[bool, bool]:
    """Whether the policy's TLS-only statements cover (the bucket, all its objects).

    A ``Resource`` entry counts when it is ``*``, the bucket's exact ARN (for the bucket), or
    ends in a single ``*`` (no other wildcard) after a prefix of the ARN (for the bucket) or of
    ``<ARN>/`` (for every object): ``arn:aws:s3:::b/*``, ``arn:aws:s3:::b*``,
    ``arn:aws:s3:::*``. Anything else — ``?`` or inner wildcards, a key prefix, ``NotResource``,
    a statement without ``Resource`` — is not counted: it may leave objects reachable over
    plain HTTP.
    """
    on_bucket = on_objects = False
    for st in _statements(policy):
        if not _denies_insecure(st):
            continue
        resources = st.get("Resource")
        for pattern in resources if isinstance(resources, list) else [resources]:
            if not isinstance(pattern, str):
                continue
            on_bucket |= any(_covers(pattern, arn) for arn in bucket_arns)
            on_objects |= any(_covers(pattern, f"{arn}/", every_suffix=True) for arn in bucket_arns)
    return on_bucket, on_objects


def _covers(pattern: str, arn: str, *, every_suffix: bool = False) -> bool:
    """Whether ``pattern`` matches ``arn`` (and, with ``every_suffix``, ``arn`` followed by any
    text), reading only the wildcard forms :func:`tls_only_coverage` documents."""
    if "?" in pattern or "*" in pattern[:-1]:
        return False
    if pattern.endswith("*"):
        return arn.startswith(pattern[:-1])
    return not every_suffix and pattern == arn


def _statements(policy: Any) -> list[dict[str, Any]]:
    statements = policy.get("Statement") if isinstance(policy, dict) else None
    if isinstance(statements, dict):
        statements = [statements]
    return [st for st in statements if isinstance(st, dict)] if isinstance(statements, list) else []


def _denies_insecure(st: dict[str, Any]) -> bool:
    """One statement denying every principal any S3 action when ``aws:SecureTransport`` is
    false, whatever resources it names."""
    return aws_support.denies_insecure_transport({"Statement": [st]}, S3_ACTIONS)


READER = ResourceReader(
    name="Amazon S3",
    types=frozenset({"aws_s3_bucket"}),
    candidates=candidates,
    derive=_derive,
    configures=frozenset(ATTACHMENTS),
)
