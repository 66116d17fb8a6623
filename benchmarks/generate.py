#!/usr/bin/env python3
"""Synthetic inputs for the benchmarks: large snapshots and large Terraform plans.

    python benchmarks/generate.py snapshot --stores 100000 --out benchmarks/work/snapshot-100k.json
    python benchmarks/generate.py plan --buckets 1000 --out benchmarks/work/tf-1k/plan.json

``snapshot`` writes a snapshot (SPEC, format 1) with N stores, N/10 pipelines and N/10 recipients,
about 10% of them planted with exactly one breach of ``benchmarks/policy.yaml``. The file is
streamed item by item, so 1M stores (about a gigabyte) need little memory to generate.

``plan`` writes what ``terraform show -json`` prints for a plan creating N ``aws_s3_bucket`` with
provider-v4 ``aws_s3_bucket_lifecycle_configuration`` resources (``planned_values``,
``resource_changes`` and ``configuration``, as Terraform 1.x writes them). About 10% of the
buckets break a 30-day retention limit: half have no lifecycle configuration, half expire
objects later than that. Next to the plan it writes ``snapshot.yaml`` (importing the plan) and
``policy.yaml`` for ``policy-check``. Both commands write ``<out>.truth.json`` with what was
planted, so a run can be checked against the truth, not only one tool against the other.

Output is deterministic for a given ``--seed``.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

CONSUMER = ["free", "pro", "max"]
COMMERCIAL = ["team", "enterprise"]
SENSITIVE = ["mental_health", "relationships", "finances"]
TRAINING_FILTERS = ["pii_redaction", "anonymisation", "sensitive_categories", "minors"]
REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1"]
STORE_KINDS = ["s3_bucket", "postgres", "bigquery_table", "dynamodb_table", "gcs_bucket"]
KEY_MANAGERS = ["aws_kms", "gcp_kms", "hsm"]
REVIEW_DATES = ["2026-01-10", "2026-03-02", "2026-05-19", "2026-08-30", "2026-10-01"]

# One entry per kind of planted breach: (name, clause of benchmarks/policy.yaml it breaks).
STORE_BREACHES = {
    "retention_too_long": "opted-out-30d",
    "no_deletion_schedule": "deletion-schedule",
    "stale_schedule_review": "deletion-schedule",
    "unencrypted_at_rest": "encryption",
    "unapproved_role": "trainers-only",
    "email_stored": "no-email-stored",
    "sensitive_retained": "sensitive-not-retained",
}
PIPELINE_BREACHES = {
    "missing_anonymisation": "anonymise-before-training",
    "missing_minors_filter": "minors-protected",
    "missing_sensitive_filter": "sensitive-not-retained",
}
RECIPIENT_BREACHES = {
    "missing_agreement": "third-party-sharing",
    "not_anonymised": "third-party-sharing",
}


# --------------------------------------------------------------------------- snapshot


def _store(rng: random.Random, index: int, breach: str | None) -> dict[str, Any]:
    consumer = rng.random() < 0.7
    kinds = ["conversations"] if rng.random() < 0.8 else ["conversations", "preferences"]
    if breach == "email_stored":
        kinds = [*kinds, "email"]
    store: dict[str, Any] = {
        "id": f"store-{index:07d}",
        "kind": rng.choice(STORE_KINDS),
        "data_kinds": kinds,
        "sensitive_categories": ["mental_health"] if breach == "sensitive_retained" else [],
        "tiers": CONSUMER if consumer else COMMERCIAL,
        "holds_minors_data": False,
        "minors_preferences": "minimised",
        "retention": {
            "training_allowed": "5y",
            "training_not_allowed": "90d" if breach == "retention_too_long" else "30d",
            "deleted_by_user": "30d",
            "any": "5y",
        },
        "deletion_schedule": {
            "defined": breach != "no_deletion_schedule",
            "last_reviewed": "2024-02-01"
            if breach == "stale_schedule_review"
            else rng.choice(REVIEW_DATES),
        },
        "encryption": {
            "at_rest": breach != "unencrypted_at_rest",
            "in_transit": True,
            "key_manager": rng.choice(KEY_MANAGERS),
            "key_rotation": "1y",
        },
        "access": {
            "roles": ["model_trainer", "data_analyst"]
            if breach == "unapproved_role"
            else ["model_trainer"],
            "need_based": True,
        },
        "region": rng.choice(REGIONS),
    }
    return store


def _pipeline(
    rng: random.Random, index: int, consumer_stores: list[int], breach: str | None
) -> dict[str, Any]:
    sources = sorted({f"store-{rng.choice(consumer_stores):07d}" for _ in range(rng.randint(1, 3))})
    if breach is None and rng.random() < 0.4:
        return {
            "id": f"pipeline-{index:06d}",
            "purpose": rng.choice(["analytics", "safety"]),
            "sources": sources,
            "filters": ["pii_redaction"],
        }
    dropped = {
        "missing_anonymisation": "anonymisation",
        "missing_minors_filter": "minors",
        "missing_sensitive_filter": "sensitive_categories",
    }.get(breach or "")
    filters = [f for f in TRAINING_FILTERS if f != dropped]
    return {
        "id": f"pipeline-{index:06d}",
        "purpose": "training",
        "sources": sources,
        "tiers": CONSUMER,
        "consent_filter": "training_allowed_only",
        "filters": filters,
        "sensitive_categories_filtered": SENSITIVE,
        "data_kinds": ["conversations"],
    }


def _recipient(
    rng: random.Random, index: int, breach: str | None, feeders: list[str]
) -> dict[str, Any]:
    processor = breach is None and rng.random() < 0.3
    if processor:
        return {
            "id": f"recipient-{index:06d}",
            "name": f"Processor {index}",
            "kind": "processor",
            "data_kinds": ["conversations"],
            "identifiable": True,
            "anonymised": False,
            "agreements": ["dpa", "scc"],
            "purpose": "hosting",
            "sale": False,
        }
    return {
        "id": f"recipient-{index:06d}",
        "name": f"Research lab {index}",
        "kind": "research_partner",
        "data_kinds": ["conversations"],
        "identifiable": False,
        "anonymised": breach != "not_anonymised",
        "agreements": [] if breach == "missing_agreement" else ["nda"],
        "purpose": "model_improvement",
        "sale": False,
        # What the lab receives is what this pipeline makes of it (it anonymises): recorded,
        # so the promise of anonymised data is evidenced, not only claimed.
        "fed_by": [feeders[index % len(feeders)]],
    }


def _planted(rng: random.Random, rate: float, kinds: list[str]) -> str | None:
    return rng.choice(kinds) if rng.random() < rate else None


SNAPSHOT_HEAD: dict[str, Any] = {
    "snapshot_format": 1,
    "metadata": {
        "system": "synthetic-benchmark",
        "environment": "production",
        "taken_at": "2026-11-01T00:00:00Z",
        "source": "benchmarks/generate.py",
    },
    "tiers": [
        *(
            {
                "id": t,
                "training_default": "trained",
                "training_control": {"exposed": True, "location": "settings/privacy"},
            }
            for t in CONSUMER
        ),
        *({"id": t, "training_default": "not_trained"} for t in COMMERCIAL),
    ],
    "age_gate": {"enabled": True, "minimum_age": 18},
    "user_rights": {
        "training_opt_out": {"exposed": True},
        "storage_opt_out": {"exposed": True},
        "deletion": {"exposed": True, "deadline": "30d", "confirmation": True},
        "export": {"exposed": True, "deadline": "30d", "formats": ["json", "csv"]},
        "access": {"exposed": True, "deadline": "30d"},
    },
    "incident_response": {"notify_users_within": "72h", "notify_regulators_within": "72h"},
    "governance": {
        "internal_review": {"last": "2026-06-01", "by": "privacy team"},
        "external_audit": {"last": "2026-02-15", "by": "Example Audit LLP"},
    },
}


def write_snapshot(
    out: TextIO, stores: int, *, seed: int, rate: float, indent: int | None
) -> dict[str, Any]:
    """Stream a snapshot to ``out``; return what was planted."""
    rng = random.Random(seed)
    dumps = json.JSONEncoder(indent=indent, ensure_ascii=False).encode
    planted: Counter[str] = Counter()
    by_clause: Counter[str] = Counter()
    consumer_stores: list[int] = []
    anonymising: list[str] = []  # pipelines applying pii_redaction and anonymisation

    def section(name: str, items: Iterator[dict[str, Any]]) -> None:
        out.write(f',\n"{name}": [')
        first = True
        for item in items:
            out.write("\n" if first else ",\n")
            out.write(dumps(item))
            first = False
        out.write("\n]")

    def make_stores() -> Iterator[dict[str, Any]]:
        for i in range(stores):
            breach = _planted(rng, rate, list(STORE_BREACHES))
            store = _store(rng, i, breach)
            if store["tiers"] is CONSUMER:
                consumer_stores.append(i)
            if breach:
                planted[f"store:{breach}"] += 1
                by_clause[STORE_BREACHES[breach]] += 1
            yield store

    def make_pipelines() -> Iterator[dict[str, Any]]:
        for i in range(max(1, stores // 10)):
            breach = _planted(rng, rate, list(PIPELINE_BREACHES))
            pipeline = _pipeline(rng, i, consumer_stores or [0], breach)
            if {"pii_redaction", "anonymisation"} <= set(pipeline["filters"]):
                anonymising.append(pipeline["id"])
            if breach:
                planted[f"pipeline:{breach}"] += 1
                by_clause[PIPELINE_BREACHES[breach]] += 1
            yield pipeline

    def make_recipients() -> Iterator[dict[str, Any]]:
        for i in range(max(1, stores // 10)):
            breach = _planted(rng, rate, list(RECIPIENT_BREACHES))
            if breach:
                planted[f"recipient:{breach}"] += 1
                by_clause[RECIPIENT_BREACHES[breach]] += 1
            yield _recipient(rng, i, breach, anonymising or ["pipeline-000000"])

    head = json.dumps(SNAPSHOT_HEAD, indent=indent, ensure_ascii=False)
    out.write(head[: head.rindex("}")].rstrip())
    section("stores", make_stores())
    section("pipelines", make_pipelines())
    section("recipients", make_recipients())
    out.write("\n}\n")
    return {
        "kind": "snapshot",
        "seed": seed,
        "stores": stores,
        "pipelines": max(1, stores // 10),
        "recipients": max(1, stores // 10),
        "violation_rate": rate,
        "planted": dict(sorted(planted.items())),
        "planted_by_clause": dict(sorted(by_clause.items())),
        "planted_resources": sum(planted.values()),
    }


# --------------------------------------------------------------------------- terraform plan

PROVIDER = "registry.terraform.io/hashicorp/aws"
TF_SNAPSHOT = """\
# Generated by benchmarks/generate.py: every bucket of the plan is a store of chat transcripts
# of users who did not allow training, so the policy's 30-day limit applies to all of them.
snapshot_format: 1
metadata:
  system: synthetic-terraform
  environment: production
  taken_at: "2026-11-01T00:00:00Z"
  source: "terraform show -json (synthetic, {buckets} buckets)"
imports:
  - terraform: {plan}
    rules:
      - match: {{name: "chat-*"}}
        store: {{data_kinds: [conversations], retention_state: training_not_allowed}}
"""
TF_POLICY = """\
# Generated by benchmarks/generate.py: the promise Checkov's CKV2_PRIV_1 also checks.
policy_checker: 1
metadata:
  id: bucket-retention-benchmark
  title: "Chat buckets expire opted-out transcripts within {days} days"
  version: "1"
  effective: "2026-01-01"
  owner: privacy-team@example.com
vocabulary:
  tier_groups:
    consumer: {{tiers: [free, pro, max]}}
  data_kinds:
    conversations: {{description: "chat transcripts"}}
retention:
  - id: opted-out-{days}d
    statement: "Transcripts of users who did not allow training are deleted within {days} days"
    data_kinds: [conversations]
    consent_state: training_not_allowed
    max: {days}d
"""


def _bucket(i: int) -> tuple[str, str]:
    """Terraform resource name and S3 bucket name of bucket ``i``."""
    return f"chat_{i:06d}", f"chat-{i:06d}"


def _bucket_values(bucket: str, i: int) -> dict[str, Any]:
    tags = {"team": f"team-{i % 40:02d}", "data": "conversations"}
    return {
        "bucket": bucket,
        "force_destroy": False,
        "object_lock_enabled": None,
        "tags": tags,
        "tags_all": {**tags, "managed_by": "terraform"},
        "timeouts": None,
    }


_BUCKET_UNKNOWN = {
    "acceleration_status": True,
    "acl": True,
    "arn": True,
    "bucket_domain_name": True,
    "bucket_prefix": True,
    "bucket_regional_domain_name": True,
    "cors_rule": True,
    "grant": True,
    "hosted_zone_id": True,
    "id": True,
    "lifecycle_rule": True,
    "logging": True,
    "object_lock_configuration": True,
    "policy": True,
    "region": True,
    "replication_configuration": True,
    "request_payer": True,
    "server_side_encryption_configuration": True,
    "tags": {},
    "tags_all": {},
    "versioning": True,
    "website": True,
    "website_domain": True,
    "website_endpoint": True,
}


def _lifecycle_values(bucket: str, days: int, transition: bool) -> dict[str, Any]:
    rule: dict[str, Any] = {
        "abort_incomplete_multipart_upload": [{"days_after_initiation": 7}],
        "expiration": [{"date": None, "days": days, "expired_object_delete_marker": False}],
        "filter": [
            {
                "and": [],
                "object_size_greater_than": None,
                "object_size_less_than": None,
                "prefix": "",
                "tag": [],
            }
        ],
        "id": "expire-transcripts",
        "noncurrent_version_expiration": [],
        "noncurrent_version_transition": [],
        "prefix": None,
        "status": "Enabled",
        "transition": (
            [{"date": None, "days": min(days, 7), "storage_class": "STANDARD_IA"}]
            if transition
            else []
        ),
    }
    return {"bucket": bucket, "expected_bucket_owner": None, "rule": [rule], "timeouts": None}


def _lifecycle_sensitive(values: dict[str, Any]) -> dict[str, Any]:
    rule = values["rule"][0]
    return {"rule": [{k: [{} for _ in v] for k, v in rule.items() if isinstance(v, list)}]}


def _planned(
    address: str, kind: str, name: str, values: dict[str, Any], sensitive: dict[str, Any]
) -> dict[str, Any]:
    return {
        "address": address,
        "mode": "managed",
        "type": kind,
        "name": name,
        "provider_name": PROVIDER,
        "schema_version": 0,
        "values": values,
        "sensitive_values": sensitive,
    }


def _change(
    address: str,
    kind: str,
    name: str,
    values: dict[str, Any],
    unknown: dict[str, Any],
    sensitive: dict[str, Any],
) -> dict[str, Any]:
    return {
        "address": address,
        "mode": "managed",
        "type": kind,
        "name": name,
        "provider_name": PROVIDER,
        "change": {
            "actions": ["create"],
            "before": None,
            "after": values,
            "after_unknown": unknown,
            "before_sensitive": False,
            "after_sensitive": sensitive,
        },
    }


def build_plan(
    buckets: int, *, seed: int, rate: float, max_days: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The plan document and what was planted in it."""
    rng = random.Random(seed)
    planned: list[dict[str, Any]] = []
    changes: list[dict[str, Any]] = []
    config: list[dict[str, Any]] = []
    no_lifecycle: list[str] = []
    too_long: list[str] = []
    for i in range(buckets):
        name, bucket = _bucket(i)
        address = f"aws_s3_bucket.{name}"
        values = _bucket_values(bucket, i)
        sensitive: dict[str, Any] = {"tags": {}, "tags_all": {}}
        planned.append(_planned(address, "aws_s3_bucket", name, values, sensitive))
        changes.append(_change(address, "aws_s3_bucket", name, values, _BUCKET_UNKNOWN, sensitive))
        config.append(
            {
                "address": address,
                "mode": "managed",
                "type": "aws_s3_bucket",
                "name": name,
                "provider_config_key": "aws",
                "schema_version": 0,
                "expressions": {
                    "bucket": {"constant_value": bucket},
                    "tags": {"constant_value": values["tags"]},
                },
            }
        )
        roll = rng.random()
        if roll < rate / 2:
            no_lifecycle.append(bucket)
            continue
        if roll < rate:
            days = rng.choice([90, 180, 365, 400])
            too_long.append(bucket)
        else:
            days = rng.choice([d for d in (7, 14, 30, 30) if d <= max_days] or [max_days])
        transition = days > 7 and rng.random() < 0.3
        lc_address = f"aws_s3_bucket_lifecycle_configuration.{name}"
        lc_values = _lifecycle_values(bucket, days, transition)
        lc_sensitive = _lifecycle_sensitive(lc_values)
        planned.append(
            _planned(
                lc_address, "aws_s3_bucket_lifecycle_configuration", name, lc_values, lc_sensitive
            )
        )
        changes.append(
            _change(
                lc_address,
                "aws_s3_bucket_lifecycle_configuration",
                name,
                lc_values,
                {"id": True, "rule": [{}]},
                lc_sensitive,
            )
        )
        rule_expr: dict[str, Any] = {
            "id": {"constant_value": "expire-transcripts"},
            "status": {"constant_value": "Enabled"},
            "filter": [{"prefix": {"constant_value": ""}}],
            "expiration": [{"days": {"constant_value": days}}],
            "abort_incomplete_multipart_upload": [{"days_after_initiation": {"constant_value": 7}}],
        }
        if transition:
            rule_expr["transition"] = [
                {
                    "days": {"constant_value": min(days, 7)},
                    "storage_class": {"constant_value": "STANDARD_IA"},
                }
            ]
        config.append(
            {
                "address": lc_address,
                "mode": "managed",
                "type": "aws_s3_bucket_lifecycle_configuration",
                "name": name,
                "provider_config_key": "aws",
                "schema_version": 0,
                "expressions": {
                    "bucket": {"references": [f"{address}.bucket", address]},
                    "rule": [rule_expr],
                },
            }
        )
    plan = {
        "format_version": "1.2",
        "terraform_version": "1.9.8",
        "planned_values": {"root_module": {"resources": planned}},
        "resource_changes": changes,
        "configuration": {
            "provider_config": {
                "aws": {
                    "name": "aws",
                    "full_name": PROVIDER,
                    "version_constraint": "~> 5.0",
                    "expressions": {"region": {"constant_value": "us-east-1"}},
                }
            },
            "root_module": {"resources": config},
        },
        "timestamp": "2026-11-01T00:00:00Z",
        "errored": False,
    }
    truth = {
        "kind": "terraform_plan",
        "seed": seed,
        "buckets": buckets,
        "lifecycle_configurations": buckets - len(no_lifecycle),
        "max_days": max_days,
        "violation_rate": rate,
        "no_lifecycle": len(no_lifecycle),
        "expiration_too_long": len(too_long),
        "violating_buckets": len(no_lifecycle) + len(too_long),
        "violating": sorted(no_lifecycle + too_long),
    }
    return plan, truth


# --------------------------------------------------------------------------- command line


def _size(text: str) -> int:
    value = text.lower().replace("_", "")
    for suffix, factor in (("k", 1_000), ("m", 1_000_000)):
        if value.endswith(suffix):
            return int(float(value[:-1]) * factor)
    return int(value)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    sub = parser.add_subparsers(dest="command", required=True)
    snap = sub.add_parser(
        "snapshot", help="a snapshot with N stores, N/10 pipelines, N/10 recipients"
    )
    snap.add_argument("--stores", type=_size, required=True, help="e.g. 1000, 10k, 1M")
    snap.add_argument("--indent", type=int, default=None, help="pretty-print (default: compact)")
    plan = sub.add_parser("plan", help="a terraform show -json plan with N buckets")
    plan.add_argument("--buckets", type=_size, required=True, help="e.g. 1000, 10k")
    plan.add_argument("--max-days", type=int, default=30, help="the policy's limit (default 30)")
    for p in (snap, plan):
        p.add_argument("--out", type=Path, required=True)
        p.add_argument("--seed", type=int, default=20261121)
        p.add_argument("--violation-rate", type=float, default=0.10)
    args = parser.parse_args(argv)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    if args.command == "snapshot":
        with args.out.open("w", encoding="utf-8", newline="\n") as out:
            truth = write_snapshot(
                out, args.stores, seed=args.seed, rate=args.violation_rate, indent=args.indent
            )
    else:
        document, truth = build_plan(
            args.buckets, seed=args.seed, rate=args.violation_rate, max_days=args.max_days
        )
        with args.out.open("w", encoding="utf-8", newline="\n") as out:
            json.dump(document, out, separators=(",", ":"))
        folder = args.out.parent
        (folder / "snapshot.yaml").write_text(
            TF_SNAPSHOT.format(buckets=args.buckets, plan=args.out.name), encoding="utf-8"
        )
        (folder / "policy.yaml").write_text(TF_POLICY.format(days=args.max_days), encoding="utf-8")
    truth["file"] = str(args.out)
    truth["bytes"] = args.out.stat().st_size
    truth_path = args.out.with_name(args.out.name + ".truth.json")
    truth_path.write_text(json.dumps(truth, indent=2) + "\n", encoding="utf-8")
    print(f"{args.out}: {truth['bytes'] / 1e6:.1f} MB; truth in {truth_path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
