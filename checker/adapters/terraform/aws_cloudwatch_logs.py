"""CloudWatch log groups: retention from ``retention_in_days``, and encryption at rest.

* ``retention_in_days`` is how long CloudWatch Logs keeps each event: ``retention.<state>`` is
  that many days, and the expiry is the deletion schedule (``deletion_schedule.defined``).
  ``0`` or unset means the events never expire: ``indefinite``. A value known only after apply
  leaves the retention unset, with a warning.
* CloudWatch Logs always encrypts log data at rest: ``encryption.at_rest`` is true. Without
  ``kms_key_id`` the service's own keys are used (``key_manager: aws_owned``); with one, the
  customer key (``aws_kms``, with the key's rotation when it is in the plan).
* ``skip_destroy`` keeps the group (and its events, still under their retention) when
  Terraform destroys it; it changes no window.
"""

from __future__ import annotations

from checker.adapters.terraform import aws_support
from checker.adapters.terraform.facts import (
    Facts,
    Unknown,
    key_rotation,
    known,
    unknown_note,
    whole,
)
from checker.adapters.terraform.plan import Plan, Resource
from checker.adapters.terraform.reader import Candidate, ResourceReader, per_resource

TYPE = "aws_cloudwatch_log_group"


def derive(plan: Plan, candidate: Candidate, state: str) -> Facts:
    """Retention (for the consent state ``state``) and encryption of one log group."""
    group = candidate.resource
    assert group is not None
    facts = Facts()
    facts.use(group)
    aws_support.region(group, facts)
    _retention(plan, group, state, facts)
    _encryption(plan, group, facts)
    return facts


def _retention(plan: Plan, group: Resource, state: str, facts: Facts) -> None:
    where = group.vpath("retention_in_days")
    try:
        raw = known(group, "retention_in_days")
    except Unknown as exc:
        if not plan.unset_by_default(group, "retention_in_days"):
            unknown_note(plan, exc, "the retention")
            return
        raw = None  # unset on a new group: the events never expire
    days = whole(raw)
    if raw not in (None, 0) and days is None:
        plan.note(
            where,
            f"{group.address}: unrecognised retention_in_days {raw!r}; the retention is left unset",
            "terraform-unrecognised-value",
        )
        return
    if days is None:
        cited = where if "retention_in_days" in group.values else group.path
        facts.put(("retention", state), "indefinite", cited)
        return
    facts.put(("retention", state), f"{days}d", where)
    facts.put(("deletion_schedule", "defined"), True, where)


def _encryption(plan: Plan, group: Resource, facts: Facts) -> None:
    where = group.vpath("kms_key_id") if "kms_key_id" in group.values else group.path
    facts.put(("encryption", "at_rest"), True, where)
    if not aws_support.given(plan, group, "kms_key_id"):
        facts.put(("encryption", "key_manager"), "aws_owned", where)
        return
    facts.put(("encryption", "key_manager"), "aws_kms", where)
    key_id = None if group.unknown_at("kms_key_id") is not None else group.get("kms_key_id")
    key_rotation(plan, facts, group, ("kms_key_id",), key_id)


READER = ResourceReader(
    name="Amazon CloudWatch Logs",
    types=frozenset({TYPE}),
    candidates=per_resource({TYPE: "cloudwatch_log_group"}, ("name",)),
    derive=derive,
)
