"""SQS queues: message retention, server-side encryption and TLS-only queue policies.

* ``message_retention_seconds`` (default 345600, four days; at most 14 days) is how long SQS
  keeps a message that no consumer deletes: ``retention.<state>``, and the expiry is the
  deletion schedule. A FIFO queue with a dead-letter queue (``redrive_policy``) restarts a
  moved message's clock there, so its window is its own plus the dead-letter queue's (left
  unset when that queue is not in the plan); a standard queue keeps the original clock.
* ``kms_master_key_id`` encrypts with KMS (``aws_kms``; ``alias/aws/sqs`` is the AWS managed
  key, rotated yearly); otherwise ``sqs_managed_sse_enabled: true`` is SSE-SQS
  (``aws_managed``); ``false`` is no encryption at rest. Unknown at plan time (the default of
  recent providers is computed by AWS): unset, with a warning.
* A queue policy (inline ``policy`` or ``aws_sqs_queue_policy``) with a ``Deny`` for every
  principal on ``sqs:*`` when ``aws:SecureTransport`` is false, whose ``Resource`` covers the
  queue, is ``encryption.in_transit: true``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from checker.adapters.terraform import aws_support
from checker.adapters.terraform.facts import Facts, Unknown, known, unknown_note, whole
from checker.adapters.terraform.plan import Plan, Resource
from checker.adapters.terraform.reader import Candidate, ResourceReader, known_name
from checker.core.patterns import glob

QUEUE = "aws_sqs_queue"
POLICY = "aws_sqs_queue_policy"
KIND = "sqs_queue"
DEFAULT_RETENTION_SECONDS = 345_600
SQS_ACTIONS = frozenset({"*", "sqs:*"})


@dataclass(frozen=True, slots=True)
class Queue:
    """A queue of the plan with the ``aws_sqs_queue_policy`` resources attached to it."""

    resource: Resource
    policies: tuple[Resource, ...]
    by_arn: Mapping[str, Resource]  # every queue of the plan, for dead-letter queues


def candidates(plan: Plan) -> list[Candidate]:
    """One store per queue; queue policies are tied to their queue by URL or reference."""
    queues = plan.of_type(QUEUE)
    attached: dict[int, list[Resource]] = {id(q): [] for q in queues}
    for policy in plan.of_type(POLICY):
        owner = _policy_queue(plan, policy, queues)
        if owner is None:
            plan.note(
                policy.unknown_at("queue_url") or policy.vpath("queue_url"),
                f"{policy.address}: its queue_url names no queue of this plan; ignored",
                "terraform-unresolved-queue",
            )
            continue
        attached[id(owner)].append(policy)
    by_arn = aws_support.by_name(queues, ("arn",))
    found = []
    for res in queues:
        name, name_path = known_name(res, ("name",))
        queue = Queue(res, tuple(attached[id(res)]), by_arn)
        found.append(
            Candidate(KIND, res.address, name, name_path, res.path, res, (res.address,), queue)
        )
    return found


def _policy_queue(plan: Plan, policy: Resource, queues: list[Resource]) -> Resource | None:
    url = policy.get("queue_url")
    if policy.unknown_at("queue_url") is None and isinstance(url, str) and url:
        for queue in queues:
            if url in (queue.get("url"), queue.get("id")):
                return queue
        return None
    found = plan.referenced(policy, ("queue_url",), QUEUE)
    return found[0] if len(found) == 1 else None


def derive(plan: Plan, candidate: Candidate, state: str) -> Facts:
    """Retention (for the consent state ``state``), encryption at rest and in transit."""
    queue = candidate.detail
    assert isinstance(queue, Queue)
    res = queue.resource
    facts = Facts()
    facts.use(res)
    for policy in queue.policies:
        facts.use(policy)
    aws_support.region(res, facts)
    _retention(plan, queue, state, facts)
    _at_rest(plan, res, facts)
    holders = list(queue.policies)
    if not holders and aws_support.given(plan, res, "policy"):
        holders = [res]
    aws_support.policy_denies_insecure_transport(
        plan, facts, holders, lambda doc: _denies(doc, res)
    )
    return facts


def _seconds(plan: Plan, res: Resource) -> int | None:
    """The queue's own retention in seconds (``None``: not evidenced, said)."""
    raw = known(res, "message_retention_seconds")
    seconds = DEFAULT_RETENTION_SECONDS if raw is None else whole(raw)
    if seconds is None:
        plan.note(
            res.vpath("message_retention_seconds"),
            f"{res.address}: unrecognised message_retention_seconds {raw!r}; the retention is "
            "left unset",
            "terraform-unrecognised-value",
        )
    return seconds


def _retention(plan: Plan, queue: Queue, state: str, facts: Facts) -> None:
    res = queue.resource
    where = res.vpath("message_retention_seconds")
    cited = where if "message_retention_seconds" in res.values else res.path
    try:
        seconds = _seconds(plan, res)
        if seconds is None:
            return
        if known(res, "fifo_queue") is True:
            extra = _dead_letter_seconds(plan, queue)
            if extra is None:
                return
            seconds += extra
    except Unknown as exc:
        unknown_note(plan, exc, "the retention")
        return
    facts.put(("retention", state), aws_support.window(seconds), cited)
    facts.put(("deletion_schedule", "defined"), True, cited)


def _dead_letter_seconds(plan: Plan, queue: Queue) -> int | None:
    """How long a FIFO queue's dead-letter queue keeps a moved message (its clock restarts
    there); 0 without one, ``None`` when the dead-letter queue is not in the plan."""
    fifo = queue.resource
    text = known(fifo, "redrive_policy")
    if not isinstance(text, str) or not text:
        return 0
    try:
        target = json.loads(text).get("deadLetterTargetArn")
    except (ValueError, AttributeError):
        target = None
    dead: Resource | None = None
    if isinstance(target, str) and target:
        dead = queue.by_arn.get(target)
    else:
        found = plan.referenced(fifo, ("redrive_policy",), QUEUE)
        dead = found[0] if len(found) == 1 else None
    if dead is None:
        plan.note(
            fifo.vpath("redrive_policy"),
            f"{fifo.address} is a FIFO queue whose dead-letter queue is not in this plan; "
            "a moved message starts a new retention period there, so the retention is left "
            "unset (not evidenced)",
            "terraform-dead-letter-queue",
        )
        return None
    return _seconds(plan, dead)


def _at_rest(plan: Plan, res: Resource, facts: Facts) -> None:
    key_path = res.vpath("kms_master_key_id")
    if aws_support.given(plan, res, "kms_master_key_id"):
        facts.put(("encryption", "at_rest"), True, key_path)
        aws_support.kms_key(plan, facts, res, ("kms_master_key_id",), "alias/aws/sqs")
        return
    where = res.vpath("sqs_managed_sse_enabled")
    try:
        managed = known(res, "sqs_managed_sse_enabled")
    except Unknown as exc:
        unknown_note(plan, exc, "encryption at rest")
        return
    if managed is True:
        facts.put(("encryption", "at_rest"), True, where)
        facts.put(("encryption", "key_manager"), "aws_managed", where)
    elif managed is False:
        facts.put(("encryption", "at_rest"), False, where)
    # absent: a provider too old to know SSE-SQS; the plan says nothing either way


def _denies(document: Any, queue: Resource) -> bool:
    arn = queue.get("arn") if queue.unknown_at("arn") is None else None
    return aws_support.denies_insecure_transport(
        document, SQS_ACTIONS, lambda resource: _covers(resource, arn)
    )


def _covers(resource: Any, arn: Any) -> bool:
    """Whether a statement's ``Resource`` covers the queue: ``*``, or a pattern matching its
    ARN (when the ARN is known)."""
    listed = resource if isinstance(resource, list) else [resource]
    for item in listed:
        if item == "*":
            return True
        if isinstance(item, str) and isinstance(arn, str) and glob(item, arn):
            return True
    return False


READER = ResourceReader(
    name="Amazon SQS",
    types=frozenset({QUEUE}),
    candidates=candidates,
    derive=derive,
    configures=frozenset({POLICY}),
)
