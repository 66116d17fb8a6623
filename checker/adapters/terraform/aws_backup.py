"""AWS Backup: recovery points of a store outlive it by the backup rule's lifecycle.

No store of its own: ``aws_backup_selection`` assigns resources to an ``aws_backup_plan``, and
each rule of that plan keeps a recovery point ``lifecycle[0].delete_after`` days after it is
taken (without a lifecycle, or with ``delete_after`` 0/unset, for ever); each ``copy_action``
keeps a copy in another vault by its own ``lifecycle`` (without one, for ever). Each is a
:class:`~checker.adapters.terraform.copies.Copy` of every store the selection covers, taken at
any time. ``cold_storage_after`` moves a recovery point, it deletes nothing, so it is not read.

Which stores a selection covers (AWS Backup's own rules: ``resources`` and ``selection_tag``
add resources, every ``condition`` must hold, ``not_resources`` removes; nothing at all selects
every supported resource):

* ``resources`` / ``not_resources``: ARNs, ``*`` and ``?`` wildcards, compared with the store's
  ARN when the plan knows it (an S3 bucket's ARN follows from its name); when the list is known
  only after apply, the ``configuration`` references (``aws_s3_bucket.chat.arn``) name them;
* ``selection_tag`` (``STRINGEQUALS``) and ``condition`` (``string_equals``, ``string_like``,
  ``string_not_equals``, ``string_not_like`` on ``aws:ResourceTag/<key>``) against the store's
  ``tags``/``tags_all``.

When a selection cannot be resolved for a store (an ARN or tags known only after apply, a list
built from a variable), the store is counted as covered and a warning at the selection says so:
raising a window by a copy that may not exist still gives a true maximum, while leaving it out
could pass a promise the backup breaks. A selection whose plan is not in this plan (or whose
rule's lifecycle is unknown) gives a copy of unknown lifetime: the retention is not evidenced.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from checker.adapters.terraform.copies import Copy
from checker.adapters.terraform.facts import Facts, Unknown, blocks, known, whole
from checker.adapters.terraform.plan import Plan, Resource
from checker.adapters.terraform.reader import Candidate, ResourceReader
from checker.core.patterns import glob

PLAN = "aws_backup_plan"
SELECTION = "aws_backup_selection"
UNRESOLVED = "terraform-backup-selection-unresolved"
PARTITIONS = ("aws", "aws-cn", "aws-us-gov")
TAG_KEY = "aws:ResourceTag/"

Maybe = bool | None
"""True, False, or None when the plan cannot tell."""


def copies(plan: Plan, candidate: Candidate) -> list[Copy]:
    """The recovery points AWS Backup keeps of ``candidate``'s store."""
    found: list[Copy] = []
    for selection in plan.of_type(SELECTION):
        covered, why = _covers(plan, selection, candidate)
        if covered is False:
            continue
        if covered is None:
            plan.note(
                selection.path,
                f"{selection.address} may select {candidate.address} ({why}); it is counted "
                "as backed up, so the store's windows are raised by the backup's lifetime",
                UNRESOLVED,
            )
        found.extend(_plan_copies(plan, selection))
    return found


# --- the copies a backup plan keeps -----------------------------------------------------------


def _plan_copies(plan: Plan, selection: Resource) -> list[Copy]:
    backup = _backup_plan(plan, selection)
    if backup is None:
        where = selection.unknown_at("plan_id") or selection.vpath("plan_id")
        what = f"the backup plan of {selection.address}"
        why = "the plan it names is not in this plan, so its lifecycle is not evidenced"
        return [Copy(what, where, None, known=False, why=why)]
    try:
        rules = blocks(backup, "rule")
    except Unknown as exc:
        return [Copy(f"{backup.address}", exc.path, None, known=False, why=_later(exc))]
    found = []
    for i, rule in enumerate(rules):
        label = rule.get("rule_name")
        name = f"backup rule {label!r}" if isinstance(label, str) and label else f"rule {i + 1}"
        base = ("rule", i)
        found.append(_lifecycle(backup, base, f"{name} of {backup.address}"))
        try:
            actions = blocks(backup, *base, "copy_action")
        except Unknown as exc:
            found.append(
                Copy(f"the copies of {name}", exc.path, None, known=False, why=_later(exc))
            )
            continue
        for j in range(len(actions)):
            found.append(
                _lifecycle(
                    backup,
                    (*base, "copy_action", j),
                    f"copy action {j + 1} of {name} of {backup.address}",
                )
            )
    return found


def _lifecycle(backup: Resource, base: tuple[str | int, ...], what: str) -> Copy:
    """A recovery point (or its copy) kept ``delete_after`` days; without one, for ever."""
    try:
        if not blocks(backup, *base, "lifecycle"):
            return Copy(what, backup.vpath(*base), None, why="no lifecycle: kept until deleted")
        days = whole(known(backup, *base, "lifecycle", 0, "delete_after"))
    except Unknown as exc:
        return Copy(what, exc.path, None, known=False, why=_later(exc))
    where = backup.vpath(*base, "lifecycle", 0, "delete_after")
    if days is None:
        return Copy(what, where, None, why="no delete_after: kept until deleted")
    return Copy(what, where, days)


def _backup_plan(plan: Plan, selection: Resource) -> Resource | None:
    plan_id = selection.get("plan_id")
    if selection.unknown_at("plan_id") is None and isinstance(plan_id, str):
        for backup in plan.of_type(PLAN):
            if plan_id in (backup.get("id"), backup.get("arn")):
                return backup
    found = plan.referenced(selection, ("plan_id",), PLAN)
    return found[0] if len(found) == 1 else None


def _later(exc: Unknown) -> str:
    return f"{exc.what} is known only after apply"


# --- which stores a selection covers ----------------------------------------------------------


def _covers(plan: Plan, selection: Resource, cand: Candidate) -> tuple[Maybe, str]:
    """Whether ``selection`` selects the candidate's store, and why it cannot tell."""
    doubts: list[str] = []
    tags = _tags(cand.resource)
    listed, doubt = _listed(plan, selection, "resources", cand)
    doubts.extend([doubt] if doubt else [])
    tag_blocks = _known_blocks(selection, "selection_tag", doubts)
    by_tag: Maybe = False
    for tag in tag_blocks:
        by_tag = _either(by_tag, _tag_is(tags, tag.get("key"), tag.get("value")))
    if tag_blocks and tags is None:
        doubts.append("its tags are known only after apply")
    names_some = (
        selection.unknown_at("resources") is not None
        or bool(selection.get("resources"))
        or bool(tag_blocks)
    )
    included = _either(listed, by_tag) if names_some else True
    for block in _known_blocks(selection, "condition", doubts):
        for operator, test in _CONDITIONS.items():
            for entry in block.get(operator) or ():
                key = entry.get("key") if isinstance(entry, dict) else None
                value = entry.get("value") if isinstance(entry, dict) else None
                name = key.removeprefix(TAG_KEY) if isinstance(key, str) else ""
                if not name or name == key or not isinstance(value, str) or tags is None:
                    included = _both(included, None)
                    doubts.append(f"condition {operator} on {key} cannot be compared before apply")
                else:
                    included = _both(included, test(tags.get(name), value))
    if included is False:
        return False, ""
    excluded, doubt = _listed(plan, selection, "not_resources", cand)
    if excluded is True:
        return False, ""
    doubts.extend([doubt] if doubt and excluded is None else [])
    return (True, "") if included is True and not doubts else (None, "; ".join(doubts))


def _listed(
    plan: Plan, selection: Resource, attr: str, cand: Candidate
) -> tuple[Maybe, str | None]:
    """Whether the ARN list ``attr`` names the candidate (and why it cannot tell)."""
    res = cand.resource
    if res is not None and res in plan.referenced(selection, (attr,), res.type):
        return True, None
    if selection.unknown_at(attr) is not None:
        refs = _references(plan, selection, attr)
        if refs and all(r.split(".")[0].startswith("aws_") for r in refs):
            return False, None  # every reference is to a resource of the plan, not this one
        return None, f"{attr} is known only after apply"
    patterns = selection.get(attr)
    result: Maybe = False
    doubt = None
    for pattern in patterns if isinstance(patterns, list) else ():
        if not isinstance(pattern, str):
            continue
        matched = _arn_matches(pattern, cand)
        if matched is None:
            doubt = f"{attr} entry {pattern!r} cannot be compared before apply"
        result = _either(result, matched)
    return result, doubt


def _arn_matches(pattern: str, cand: Candidate) -> Maybe:
    if pattern == "*":
        return True
    arns = _arns(cand)
    if arns:
        return any(glob(pattern, arn) for arn in arns)
    return None


def _arns(cand: Candidate) -> tuple[str, ...]:
    """The store's ARN when the plan knows it (an S3 bucket's follows from its name)."""
    res = cand.resource
    if res is not None:
        arn = res.get("arn")
        if isinstance(arn, str) and arn and res.unknown_at("arn") is None:
            return (arn,)
    if cand.kind == "s3_bucket" and cand.name is not None:
        return tuple(f"arn:{p}:s3:::{cand.name}" for p in PARTITIONS)
    return ()


def _references(plan: Plan, res: Resource, attr: str) -> list[str]:
    expressions = plan.expressions(res) or {}
    node = expressions.get(attr)
    refs = node.get("references") if isinstance(node, dict) else None
    return [r for r in refs if isinstance(r, str)] if isinstance(refs, list) else []


def _known_blocks(selection: Resource, attr: str, doubts: list[str]) -> list[dict[str, Any]]:
    try:
        return blocks(selection, attr)
    except Unknown as exc:
        doubts.append(_later(exc))
        return []


def _tags(res: Resource | None) -> dict[str, Any] | None:
    """The resource's tags (``tags_all`` includes the provider's default tags); ``None`` when
    they are known only after apply or the resource is outside the plan."""
    if res is None:
        return None
    for attr in ("tags_all", "tags"):
        if res.unknown_at(attr) is not None:
            return None
    merged: dict[str, Any] = {}
    for attr in ("tags", "tags_all"):
        value = res.get(attr)
        if isinstance(value, dict):
            merged.update(value)
    return merged


def _tag_is(tags: dict[str, Any] | None, key: Any, value: Any) -> Maybe:
    if tags is None:
        return None
    return bool(tags.get(key) == value)


def _either(a: Maybe, b: Maybe) -> Maybe:
    if a is True or b is True:
        return True
    return None if a is None or b is None else False


def _both(a: Maybe, b: Maybe) -> Maybe:
    if a is False or b is False:
        return False
    return None if a is None or b is None else True


_CONDITIONS: dict[str, Callable[[Any, str], bool]] = {
    "string_equals": lambda actual, value: actual == value,
    "string_not_equals": lambda actual, value: actual != value,
    "string_like": lambda actual, value: isinstance(actual, str) and glob(value, actual),
    "string_not_like": lambda actual, value: not (isinstance(actual, str) and glob(value, actual)),
}


def _no_candidates(plan: Plan) -> list[Candidate]:
    return []


def _no_facts(plan: Plan, candidate: Candidate, state: str) -> Facts:
    raise AssertionError("AWS Backup has no stores of its own")


READER = ResourceReader(
    name="AWS Backup",
    types=frozenset(),
    candidates=_no_candidates,
    derive=_no_facts,
    configures=frozenset({PLAN, SELECTION}),
    copies=copies,
)
