"""Kinesis Data Streams and Firehose delivery streams.

**Data streams** (``aws_kinesis_stream``) keep every record for ``retention_period`` hours
(24 by default, up to 8760) and then delete it: ``retention.<state>`` is that many hours and
the expiry is the deletion schedule. ``encryption_type: KMS`` encrypts records at rest with
``kms_key_id`` (``alias/aws/kinesis`` is the AWS managed key, rotated yearly); ``NONE`` (the
default) leaves them unencrypted: ``at_rest: false``.

**Firehose** (``aws_kinesis_firehose_delivery_stream``) buffers records on their way to a
destination; it keeps nothing. Its retention is the destination's, so none is recorded here: a
warning names the destination (and the S3 bucket of the plan it delivers to) so that the
bucket can be mapped as the store it is. ``server_side_encryption[{enabled: true}]`` encrypts
the buffered records (``key_type`` ``AWS_OWNED_CMK`` → ``aws_owned``, ``CUSTOMER_MANAGED_CMK``
→ ``aws_kms`` with ``key_arn``); a direct-PUT stream without it (``[]``) does not:
``at_rest: false``. A plan of a provider that predates Firehose server-side encryption has no
``server_side_encryption`` at all and cannot see one set outside Terraform, so ``at_rest`` is
left unset (not evidenced). A stream reading from a Kinesis data stream
(``kinesis_source_configuration``) takes no server-side encryption of its own, so ``at_rest``
is left unset for it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from checker.adapters.terraform import aws_support
from checker.adapters.terraform.facts import (
    Facts,
    Unknown,
    blocks,
    key_rotation,
    known,
    unknown_note,
    whole,
)
from checker.adapters.terraform.plan import Plan, Resource
from checker.adapters.terraform.reader import Candidate, ResourceReader, per_resource

STREAM = "aws_kinesis_stream"
FIREHOSE = "aws_kinesis_firehose_delivery_stream"
KINDS = {STREAM: "kinesis_stream", FIREHOSE: "firehose_delivery_stream"}
# Destination blocks that name an S3 bucket (directly, or as the backup of another destination).
_S3_DESTINATIONS = ("extended_s3_configuration", "s3_configuration")


def candidates(plan: Plan) -> list[Candidate]:
    """One store per stream; delivery streams carry the plan's S3 buckets by ARN, to name the
    bucket they deliver to."""
    found = per_resource(KINDS, ("name",))(plan)
    if not any(c.resource is not None and c.resource.type == FIREHOSE for c in found):
        return found
    buckets = plan.of_type("aws_s3_bucket")
    by_arn = aws_support.by_name(buckets, ("arn",))
    for name, res in aws_support.by_name(buckets, ("bucket",)).items():
        by_arn.setdefault(f"arn:aws:s3:::{name}", res)
    return [
        replace(c, detail=by_arn) if c.resource is not None and c.resource.type == FIREHOSE else c
        for c in found
    ]


def derive(plan: Plan, candidate: Candidate, state: str) -> Facts:
    """The facts of one data stream or delivery stream (``state``: the consent state the
    stream's retention stands for)."""
    res = candidate.resource
    assert res is not None
    facts = Facts()
    facts.use(res)
    aws_support.region(res, facts)
    if res.type == STREAM:
        _stream_retention(plan, res, state, facts)
        _stream_encryption(plan, res, facts)
    else:
        buckets = candidate.detail
        assert isinstance(buckets, dict)
        _destination(plan, res, buckets)
        _firehose_encryption(plan, res, facts)
    return facts


def _stream_retention(plan: Plan, stream: Resource, state: str, facts: Facts) -> None:
    where = stream.vpath("retention_period")
    try:
        raw = known(stream, "retention_period")
    except Unknown as exc:
        unknown_note(plan, exc, "the retention")
        return
    hours = 24 if raw is None else whole(raw)
    if hours is None:
        plan.note(
            where,
            f"{stream.address}: unrecognised retention_period {raw!r}; the retention is left unset",
            "terraform-unrecognised-value",
        )
        return
    cited = where if "retention_period" in stream.values else stream.path
    facts.put(("retention", state), f"{hours}h", cited)
    facts.put(("deletion_schedule", "defined"), True, cited)


def _stream_encryption(plan: Plan, stream: Resource, facts: Facts) -> None:
    where = stream.vpath("encryption_type")
    try:
        kind = known(stream, "encryption_type")
    except Unknown as exc:
        unknown_note(plan, exc, "encryption at rest")
        return
    if kind in (None, "", "NONE"):
        facts.put(("encryption", "at_rest"), False, where if kind else stream.path)
    elif kind == "KMS":
        facts.put(("encryption", "at_rest"), True, where)
        aws_support.kms_key(plan, facts, stream, ("kms_key_id",), "alias/aws/kinesis")
    else:
        plan.note(
            where,
            f"{stream.address}: unrecognised encryption_type {kind!r}; encryption at rest is "
            "left unset",
            "terraform-unrecognised-value",
        )


def _destination(plan: Plan, firehose: Resource, buckets_by_arn: Mapping[str, Resource]) -> None:
    """Say where the delivered data lives: Firehose only passes it on."""
    destination = firehose.get("destination")
    target = destination if isinstance(destination, str) and destination else "its destination"
    buckets: list[str] = []
    for block in _S3_DESTINATIONS:
        try:
            if not blocks(firehose, block):
                continue
            arn = known(firehose, block, 0, "bucket_arn")
        except Unknown:
            arn = None
        bucket = _bucket(plan, firehose, block, arn, buckets_by_arn)
        if bucket is not None:
            buckets.append(bucket)
        elif isinstance(arn, str) and arn:
            buckets.append(arn.rsplit(":", 1)[-1])
    where = f" (S3 bucket {', '.join(buckets)})" if buckets else ""
    plan.note(
        firehose.path,
        f"{firehose.address} delivers to {target}{where}: a delivery stream only buffers data "
        "on its way there, so it records no retention; map the destination as the store that "
        "keeps the data",
        "terraform-delivery-destination",
    )


def _bucket(
    plan: Plan, firehose: Resource, block: str, arn: object, by_arn: Mapping[str, Resource]
) -> str | None:
    """The address of the plan's S3 bucket a destination block names, if any."""
    if isinstance(arn, str) and arn:
        bucket = by_arn.get(arn)
        return bucket.address if bucket is not None else None
    found = plan.referenced(firehose, (block, 0, "bucket_arn"), "aws_s3_bucket")
    return found[0].address if len(found) == 1 else None


def _firehose_encryption(plan: Plan, firehose: Resource, facts: Facts) -> None:
    try:
        if blocks(firehose, "kinesis_source_configuration"):
            return  # the source stream's encryption applies; Firehose takes none of its own
        if "server_side_encryption" not in firehose.values and (
            firehose.unknown_at("server_side_encryption") is None
        ):
            return  # a provider too old to know Firehose SSE: the plan says nothing either way
        sse = blocks(firehose, "server_side_encryption")
        enabled = bool(sse) and known(firehose, "server_side_encryption", 0, "enabled") is True
        key_type = known(firehose, "server_side_encryption", 0, "key_type") if enabled else None
    except Unknown as exc:
        unknown_note(plan, exc, "encryption at rest")
        return
    if not enabled:
        where = firehose.vpath("server_side_encryption", 0, "enabled") if sse else firehose.path
        facts.put(("encryption", "at_rest"), False, where)
        return
    where = firehose.vpath("server_side_encryption", 0, "key_type")
    facts.put(("encryption", "at_rest"), True, where)
    if key_type in (None, "", "AWS_OWNED_CMK"):
        facts.put(("encryption", "key_manager"), "aws_owned", where)
    elif key_type == "CUSTOMER_MANAGED_CMK":
        facts.put(("encryption", "key_manager"), "aws_kms", where)
        keys = ("server_side_encryption", 0, "key_arn")
        key_id = None if firehose.unknown_at(*keys) is not None else firehose.get(*keys)
        key_rotation(plan, facts, firehose, keys, key_id)
    else:
        plan.note(
            where,
            f"{firehose.address}: unrecognised key_type {key_type!r}; the key manager is left "
            "unset",
            "terraform-unrecognised-value",
        )


READER = ResourceReader(
    name="Amazon Kinesis",
    types=frozenset(KINDS),
    candidates=candidates,
    derive=derive,
)
