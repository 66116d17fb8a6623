"""Flag exports imported by a snapshot, through the command line: tier facts reach the training
consent check, findings point into the flag file, and what a flag cannot evidence fails."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.conftest import CliRunner
from tests.flag_support import WRITTEN, fixture

POLICY = """\
policy_checker: 1
metadata:
  id: flags-policy
  title: "Flags policy"
  version: "1.0"
  effective: "2026-01-01"
  owner: "privacy team"
vocabulary:
  tier_groups:
    consumer: {tiers: [free, max]}
    business: {tiers: [team]}
  data_kinds:
    conversations: {description: "chat transcripts"}
training_consent:
  - id: consumer-default
    statement: "Consumer conversations are trained on unless users opt out, which they can"
    tier_groups: [consumer]
    default: trained_unless_opted_out
    user_can_change: true
  - id: business-never
    statement: "Business tiers are never trained on"
    tier_groups: [business]
    default: never
    user_can_change: false
"""
HEAD = """\
snapshot_format: 1
metadata: {system: chat, environment: production, taken_at: "2026-11-01"}
imports:
"""
LAUNCHDARKLY = """\
  - adapter: launchdarkly
    path: ld.json
    environment: production
    rules:
      - flag: training-default-by-plan
        tier_attribute: plan
        tiers: [free, max, team]
        training_default: {trained: trained, opt_in: opt_in, not_trained: not_trained}
      - flag: show-training-toggle
        tier_attribute: plan
        tiers: [free, max, team]
        training_control_exposed: {"true": true, "false": false}
"""
FLAGD = """\
  - adapter: flagd
    path: flagd.json
    rules:
      - flag: email-based-feature
        tier_attribute: plan
        tiers: [free]
        training_default: {"true": trained, "false": opt_in}
"""


def _setup(tmp_path: Path, entries: str, *, flagd_as_ld: bool = False) -> None:
    (tmp_path / "policy.yaml").write_text(POLICY, encoding="utf-8")
    (tmp_path / "snapshot.yaml").write_text(HEAD + entries, encoding="utf-8")
    shutil.copy(WRITTEN / "launchdarkly-rest-flags.json", tmp_path / "ld.json")
    shutil.copy(fixture("flagd-cheat-sheet-flags.json"), tmp_path / "flagd.json")
    if flagd_as_ld:
        shutil.copy(fixture("flagd-cheat-sheet-flags.json"), tmp_path / "ld.json")


def _check(run_cli: CliRunner, tmp_path: Path, *extra: str) -> tuple[int, str]:
    result = run_cli(
        "check",
        "--policy",
        str(tmp_path / "policy.yaml"),
        "--snapshot",
        str(tmp_path / "snapshot.yaml"),
        "--as-of",
        "2026-11-21",
        *extra,
    )
    return result.code, (result.out + result.err).replace(str(tmp_path) + "/", "")


def test_flags_evidence_every_tier_and_the_policy_holds(run_cli: CliRunner, tmp_path: Path) -> None:
    _setup(tmp_path, LAUNCHDARKLY)
    code, text = _check(run_cli, tmp_path, "--format", "json")
    assert code == 0, text
    findings = json.loads(text)["findings"]
    where = [
        (f["status"], f["resource"], f"{f['evidence_location']['file']}:"
         f"{f['evidence_location']['line']}", f["evidence_location"]["json_path"])
        for f in findings
    ]  # fmt: skip
    rules = "$.items[0].environments.production.rules"
    toggle = "$.items[2].environments.production.rules[0].variation"
    assert where == [
        ("pass", "tier:free", "ld.json:25", f"{rules}[1].variation"),
        ("pass", "tier:free", "ld.json:53", toggle),
        ("pass", "tier:max", "ld.json:25", f"{rules}[1].variation"),
        ("pass", "tier:max", "ld.json:53", toggle),
        ("pass", "tier:team", "ld.json:22", f"{rules}[0].variation"),
    ]


def test_a_tier_a_flag_cannot_evidence_fails_closed(run_cli: CliRunner, tmp_path: Path) -> None:
    """free's default comes from a flagd flag that tests the user's email: not evidenced."""
    _setup(
        tmp_path,
        LAUNCHDARKLY.replace(
            "tiers: [free, max, team]\n        training_default",
            "tiers: [max, team]\n        training_default",
        )
        + FLAGD,
    )
    code, text = _check(run_cli, tmp_path)
    assert code == 1
    lines = text.splitlines()
    assert lines[0].startswith(
        'flagd.json:87:36: warning: rule 1 (flag "email-based-feature"), for tier free: not '
        'evidenced: training_default is "trained" or "opt_in" depending on'
    )
    # free keeps the toggle the LaunchDarkly export gives, and has no default: not evidenced,
    # at the flag of its toggle in ld.json.
    assert "ld.json:43:5: [high] not_evidenced: tier free records no training default" in text
    assert "1 not evidenced" in text


def test_an_export_the_adapter_cannot_read_stops_the_run(
    run_cli: CliRunner, tmp_path: Path
) -> None:
    _setup(tmp_path, LAUNCHDARKLY, flagd_as_ld=True)
    code, text = _check(run_cli, tmp_path)
    assert code == 2
    assert (
        "snapshot.yaml:5:11: error: cannot import ld.json: not a LaunchDarkly flag export: its "
        "flags have state and variants, as flagd flags do (use the flagd adapter) "
        "(at $.imports[0].path)"
    ) in text


def test_validate_reports_a_rule_error_at_the_rule(run_cli: CliRunner, tmp_path: Path) -> None:
    _setup(tmp_path, LAUNCHDARKLY.replace("show-training-toggle", "show-training-togle"))
    result = run_cli("validate", str(tmp_path / "snapshot.yaml"))
    text = (result.out + result.err).replace(str(tmp_path) + "/", "")
    assert result.code == 1
    assert (
        'snapshot.yaml:12:15: error: rule 2: flag "show-training-togle" is not in ld.json (it has '
        '9 flags); did you mean "show-training-toggle"?; no tier gets a fact from this rule '
        "(at $.imports[0].rules[1].flag)"
    ) in text
