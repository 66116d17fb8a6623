"""Small valid inputs for the command-line tests of inputs and outputs."""

from __future__ import annotations

from tests.conftest import REPO

AS_OF = "2026-11-21"
PLAN = REPO / "policies/examples/terraform/plan.json"

POLICY = """\
policy_checker: 1
metadata:
  id: case-policy
  title: "Case policy"
  version: "1.0"
  effective: "2026-01-01"
  owner: "privacy team"
vocabulary:
  tier_groups:
    consumer: {tiers: [free]}
  data_kinds:
    conversations: {description: "chat transcripts"}
retention:
  - id: opted-out-30d
    statement: "Conversations of users who opted out are kept at most 30 days"
    data_kinds: [conversations]
    consent_state: training_not_allowed
    max: 30d
"""

# Compliant with POLICY.
SNAPSHOT = """\
snapshot_format: 1
metadata:
  system: chat
  environment: production
  taken_at: "2026-11-01T00:00:00Z"
stores:
  - id: chats
    data_kinds: [conversations]
    retention: {training_not_allowed: 30d}
"""

# Appended to SNAPSHOT: the buckets of PLAN (copied beside it), one of which breaks POLICY.
IMPORTS = """\
imports:
  - terraform: plan.json
    rules:
      - match: {address: "aws_s3_bucket.*"}
        store: {data_kinds: [conversations], retention_state: training_not_allowed}
"""

# Matches nothing when checked with POLICY against SNAPSHOT (a warning, not a failure).
WAIVERS = """\
waivers_format: 1
waivers:
  - id: w-chats
    check: retention
    resource: "store:chats"
    justification: "Being fixed"
    approver: "Dana Example (DPO)"
    ticket: PRIV-12
    approved_on: "2026-10-01"
    expires: "2027-03-31"
"""
