"""OpenSearch domains (``aws_opensearch_domain``, legacy ``aws_elasticsearch_domain``):
encryption at rest and in transit. Documented in ``docs/adapters/terraform-aws-opensearch.md``.

* ``encrypt_at_rest[0].enabled``: ``encryption.at_rest``. Encrypted domains use KMS
  (``key_manager: aws_kms``): the key ``kms_key_id`` names, whose rotation is read from the
  plan's ``aws_kms_key``, or, when it is unset, the AWS managed ``aws/es`` key, rotated yearly.
* ``encryption.in_transit`` is true only when both ``node_to_node_encryption[0].enabled`` and
  ``domain_endpoint_options[0].enforce_https`` are: without enforced HTTPS clients may talk to
  the domain in plain HTTP, and without node-to-node encryption every document a client sends
  over TLS travels in the clear between the domain's nodes. Either one off makes it false.
* No retention: index expiry lives in Index State Management policies inside the domain, which
  are not resources of the AWS provider, so the plan shows none.
"""

from __future__ import annotations

from checker.adapters.terraform.facts import (
    AWS_MANAGED_KEY_ROTATION,
    Facts,
    Unknown,
    known,
    unknown_note,
)
from checker.adapters.terraform.plan import Plan, Resource
from checker.adapters.terraform.reader import Candidate, ResourceReader, per_resource
from checker.adapters.terraform.switches import put_region, record_key, switch
from checker.core.diagnostics import JsonPath

KINDS = {
    "aws_opensearch_domain": "opensearch_domain",
    "aws_elasticsearch_domain": "elasticsearch_domain",
}


def derive(plan: Plan, candidate: Candidate, state: str) -> Facts:
    """Encryption of one domain (``state`` is unused: the plan shows no retention)."""
    domain = candidate.resource
    assert domain is not None
    facts = Facts()
    facts.use(domain)
    put_region(domain, facts)
    _at_rest(plan, domain, facts)
    _in_transit(plan, domain, facts)
    return facts


def _at_rest(plan: Plan, domain: Resource, facts: Facts) -> None:
    keys = ("encrypt_at_rest", 0, "enabled")
    enabled = switch(plan, domain, keys, "encryption.at_rest")
    if enabled is None:
        return
    facts.put(("encryption", "at_rest"), enabled, domain.vpath(*keys))
    if enabled:
        record_key(
            plan,
            facts,
            domain,
            ("encrypt_at_rest", 0, "kms_key_id"),
            service_key="aws_kms",
            service_rotation=AWS_MANAGED_KEY_ROTATION,
        )


def _in_transit(plan: Plan, domain: Resource, facts: Facts) -> None:
    """True when both switches are on, false as soon as one is known to be off; a switch known
    only after apply is said only when the answer depends on it."""
    values: list[tuple[bool | Unknown | None, JsonPath]] = []
    for keys in (
        ("node_to_node_encryption", 0, "enabled"),
        ("domain_endpoint_options", 0, "enforce_https"),
    ):
        try:
            value = known(domain, *keys)
        except Unknown as exc:
            values.append((exc, domain.vpath(*keys)))
        else:
            values.append((value if isinstance(value, bool) else None, domain.vpath(*keys)))
    for value, where in values:
        if value is False:
            facts.put(("encryption", "in_transit"), False, where)
            return
    if all(value is True for value, _ in values):
        facts.put(("encryption", "in_transit"), True, values[1][1])
        return
    for value, _ in values:
        if isinstance(value, Unknown):
            unknown_note(plan, value, "encryption.in_transit")


READER = ResourceReader(
    name="Amazon OpenSearch Service",
    types=frozenset(KINDS),
    candidates=per_resource(KINDS, ("domain_name",)),
    derive=derive,
)
