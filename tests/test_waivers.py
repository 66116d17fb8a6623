"""Waivers cannot hide what they waive: an invalid waiver stops the run and says where.

The policy and snapshot are those of ``tests/cases/check/waivers``: store ``backups`` keeps
conversations too long (fail, line 12) and store ``cache`` records no retention (not evidenced,
line 13). Each test writes its own waivers file.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from checker.documents.config import load_config
from reports import REPORTERS
from tests.conftest import REPO, CliRunner, Run

CASE = REPO / "tests/cases/check/waivers"
AS_OF = "2026-11-21"

GOOD = """\
  - id: w-backups
    check: retention
    resource: "store:backups"
    justification: "Backups move to a 30-day bucket in Q1"
    approver: "Dana Example (DPO)"
    ticket: PRIV-12
    approved_on: "2026-10-01"
    expires: "2027-03-31"
"""


@pytest.fixture
def case(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("policy.yaml", "snapshot.yaml"):
        shutil.copy(CASE / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _waivers(case: Path, *items: str) -> Path:
    path = case / "waivers.yaml"
    path.write_text("waivers_format: 1\nwaivers:\n" + "".join(items), encoding="utf-8")
    return path


def _check(run_cli: CliRunner, *extra: str, policy: str = "policy.yaml") -> Run:
    return run_cli(
        "check",
        "--policy",
        policy,
        "--snapshot",
        "snapshot.yaml",
        "--waivers",
        "waivers.yaml",
        "--as-of",
        AS_OF,
        *extra,
    )


def _item(**fields: str) -> str:
    """A waiver list item with the fields given, in the order given (a value of '' drops it)."""
    lines = [f"{key}: {value}" for key, value in fields.items() if value != ""]
    return "  - " + "\n    ".join(lines) + "\n"


def _fields(**changes: str) -> dict[str, str]:
    fields = {
        "id": "w-cache",
        "check": "retention",
        "resource": '"store:cache"',
        "justification": '"Cache retention is being measured"',
        "approver": '"Dana Example (DPO)"',
        "ticket": "PRIV-13",
        "approved_on": '"2026-10-01"',
        "expires": '"2027-01-31"',
    }
    fields.update(changes)
    return fields


def _refused_by_validate_and_check(run_cli: CliRunner, expected: str) -> None:
    """``validate`` reports ``expected`` alone, and ``check`` refuses to run, saying it."""
    validated = run_cli("validate", "waivers.yaml")
    assert validated.code == 1
    assert validated.out == expected + "\n"
    checked = _check(run_cli)
    _stopped(checked)
    assert expected in checked.err


def _stopped(result: Run, fmt: str = "text") -> None:
    """``check`` refused to run: exit 1, why on standard error, and on standard output nothing
    but (with ``--format github``) the same as annotations on the lines."""
    assert result.code == 1, result.err
    if fmt == "github":
        assert result.out and all(line.startswith("::error ") for line in result.out.splitlines())
    else:
        assert result.out == ""
    assert result.err.splitlines()[-1] == (
        "policy-check: nothing was checked: fix the waivers above "
        "(an invalid waiver is never skipped)"
    )


# -- an invalid waiver stops the run --------------------------------------------------------------


@pytest.mark.parametrize("fmt", sorted(REPORTERS))
def test_check_stops_at_an_invalid_waiver(case: Path, run_cli: CliRunner, fmt: str) -> None:
    _waivers(case, GOOD, _item(**_fields(approver="")))
    result = _check(run_cli, "--format", fmt, "--output", f"{fmt}=out/report")
    _stopped(result, fmt)
    assert "waivers.yaml:11:5: error: missing required key 'approver' (at $.waivers[1])" in (
        result.err
    )
    assert not (case / "out").exists()  # no report that says "No waivers were used"


def test_validate_points_at_the_invalid_waiver(case: Path, run_cli: CliRunner) -> None:
    _waivers(case, GOOD, _item(**_fields(approver="")))
    result = run_cli("validate", "waivers.yaml")
    assert result.code == 1
    assert result.out == (
        "waivers.yaml:11:5: error: missing required key 'approver' (at $.waivers[1])\n"
    )


@pytest.mark.parametrize("field", ["justification", "approver", "ticket"])
@pytest.mark.parametrize("blank", ['" "', '"\\t  "', "' '"])
def test_blank_text_is_invalid(case: Path, run_cli: CliRunner, field: str, blank: str) -> None:
    _waivers(case, _item(**_fields(**{field: blank})))
    line = 3 + list(_fields()).index(field)
    column = 5 + len(field) + 2
    expected = (
        f"waivers.yaml:{line}:{column}: error: '{field}' is blank: write it out "
        f"(spaces alone do not count) (at $.waivers[0].{field})"
    )
    _refused_by_validate_and_check(run_cli, expected)


def test_duplicate_waiver_ids_are_errors(case: Path, run_cli: CliRunner) -> None:
    _waivers(case, GOOD, _item(**_fields()), _item(**_fields(id="w-backups")))
    expected = (
        "waivers.yaml:19:9: error: duplicate waiver id 'w-backups': the waiver at line 3 "
        "already uses it; give each waiver its own id (at $.waivers[2].id)"
    )
    _refused_by_validate_and_check(run_cli, expected)


def test_a_waiver_naming_an_unknown_check_is_an_error(case: Path, run_cli: CliRunner) -> None:
    """A misspelt check matched nothing and was only a warning: the waiver silently waived
    nothing, and a run it was meant for still read as a run with waivers."""
    _waivers(case, _item(**_fields(check="retension")))
    expected = (
        "waivers.yaml:4:12: error: unknown check 'retension'; did you mean 'retention'? "
        "(at $.waivers[0].check)"
    )
    _refused_by_validate_and_check(run_cli, expected)


def test_a_waiver_naming_a_clause_its_policy_does_not_define_is_an_error(
    case: Path, run_cli: CliRunner
) -> None:
    """A misspelt (or since removed) clause of a policy the run checks matched nothing and was
    only a warning, the run exiting 0: its findings failed, or passed, with no waiver to show."""
    _waivers(case, _item(**_fields(check="", clause="case-policy/opted-out-03d")))
    result = _check(run_cli)
    _stopped(result)
    assert (
        "waivers.yaml:10:13: error: waiver w-cache names clause 'case-policy/opted-out-03d', "
        "which policy case-policy does not define; did you mean 'case-policy/opted-out-30d'? "
        "(at $.waivers[0].clause)"
    ) in result.err
    # A clause of a policy this run does not check may be another run's: unused, a warning.
    _waivers(case, _item(**_fields(check="", clause="another-policy/opted-out-03d")))
    elsewhere = _check(run_cli)
    assert "names clause" not in elsewhere.out + elsewhere.err
    assert "warning: waiver w-cache matches no finding" in elsewhere.out


# -- a waiver says which resources it covers ------------------------------------------------------


def test_a_waiver_without_resource_must_say_all_resources(case: Path, run_cli: CliRunner) -> None:
    _waivers(case, _item(**_fields(resource="")))
    result = run_cli("validate", "waivers.yaml")
    assert result.code == 1
    assert result.out == (
        "waivers.yaml:3:5: error: needs at least one of 'resource', 'all_resources': "
        'name the resources the waiver covers, e.g. resource: "store:chat-backups" '
        '(wildcards allowed: "store:backup-*"), or write all_resources: true to waive '
        "every resource of its check or clause (at $.waivers[0])\n"
    )
    _stopped(_check(run_cli))


def test_all_resources_waives_every_resource_of_the_check(case: Path, run_cli: CliRunner) -> None:
    _waivers(case, _item(**_fields(resource="", all_resources="true")))
    assert run_cli("validate", "waivers.yaml").code == 0
    result = _check(run_cli, "--format", "text")
    assert result.code == 0, result.out
    assert result.out.count("— waived by w-cache") == 2


def test_resource_and_all_resources_together_are_an_error(case: Path, run_cli: CliRunner) -> None:
    _waivers(case, _item(**_fields(all_resources="true")))
    result = run_cli("validate", "waivers.yaml")
    assert result.code == 1
    assert result.out == (
        "waivers.yaml:5:5: error: 'resource' cannot be used together with 'all_resources'; "
        "keep one of them (at $.waivers[0].resource)\n"
    )


# -- approval date and maximum term ---------------------------------------------------------------


def test_approval_date_is_required(case: Path, run_cli: CliRunner) -> None:
    _waivers(case, _item(**_fields(approved_on="")))
    result = run_cli("validate", "waivers.yaml")
    assert result.code == 1
    assert result.out == (
        "waivers.yaml:3:5: error: missing required key 'approved_on' (at $.waivers[0])\n"
    )


def test_approval_after_expiry_is_an_error(case: Path, run_cli: CliRunner) -> None:
    _waivers(case, _item(**_fields(approved_on='"2027-02-01"', expires='"2027-01-31"')))
    result = run_cli("validate", "waivers.yaml")
    assert result.code == 1
    assert result.out == (
        "waivers.yaml:10:14: error: waiver w-cache expires on 2027-01-31, before it was "
        "approved on 2027-02-01 (at $.waivers[0].expires)\n"
    )


def test_one_year_from_approval_is_the_default_maximum(case: Path, run_cli: CliRunner) -> None:
    _waivers(case, _item(**_fields(approved_on='"2026-01-31"', expires='"2027-01-31"')))
    accepted = _check(run_cli, "--format", "text")  # 365 days
    assert accepted.code == 1  # store backups still fails
    assert "waived by w-cache" in accepted.out
    _waivers(case, _item(**_fields(approved_on='"2026-01-30"', expires='"2027-01-31"')))
    result = _check(run_cli)
    _stopped(result)
    assert (
        "waivers.yaml:10:14: error: waiver w-cache runs 366 days, from its approval on "
        "2026-01-30 to 2027-01-31; case-policy allows waivers of at most 1y (365 days, the "
        "default): set expires to 2027-01-30 or earlier, and renew the waiver when it runs out "
        "(at $.waivers[0].expires)"
    ) in result.err


def _policy_with_term(case: Path, term: str) -> None:
    policy = (case / "policy.yaml").read_text(encoding="utf-8")
    policy = policy.replace(
        '  owner: "privacy team"\n', f'  owner: "privacy team"\n  waiver_max_term: {term}\n'
    )
    (case / "policy.yaml").write_text(policy, encoding="utf-8")


def test_a_policy_sets_its_own_maximum_term(case: Path, run_cli: CliRunner) -> None:
    _waivers(case, _item(**_fields(approved_on='"2026-01-01"', expires='"2027-06-30"')))
    _stopped(_check(run_cli))  # 545 days: more than the default year
    _policy_with_term(case, "2y")
    assert run_cli("validate", "policy.yaml").code == 0
    result = _check(run_cli, "--format", "text")
    assert "— waived by w-cache until 2027-06-30" in result.out


def test_a_shorter_policy_term_refuses_a_waiver(case: Path, run_cli: CliRunner) -> None:
    _policy_with_term(case, "90d")
    _waivers(case, _item(**_fields(approved_on='"2026-10-01"', expires='"2027-01-31"')))
    result = _check(run_cli)
    _stopped(result)
    assert "case-policy allows waivers of at most 90d (90 days): set expires to 2026-12-30" in (
        result.err
    )


def test_the_term_of_a_waiver_naming_a_policy_is_that_policys(
    case: Path, run_cli: CliRunner
) -> None:
    other = (case / "policy.yaml").read_text(encoding="utf-8")
    other = other.replace("id: case-policy", "id: other-policy").replace(
        '  owner: "privacy team"\n', '  owner: "privacy team"\n  waiver_max_term: 30d\n'
    )
    (case / "other.yaml").write_text(other, encoding="utf-8")
    # Named by clause, the waiver answers to case-policy's year, not other-policy's 30 days.
    clause = "case-policy/opted-out-30d"
    _waivers(case, _item(**_fields(check="", clause=clause)))
    both = ["--policy", "other.yaml"]
    assert "waived by w-cache" in _check(run_cli, *both, "--format", "text").out
    # Named by check only, it may cover either policy's findings: the shorter term applies.
    _waivers(case, _item(**_fields()))
    result = _check(run_cli, *both)
    _stopped(result)
    assert "other-policy allows waivers of at most 30d (30 days)" in result.err


def test_waiver_max_term_must_be_a_duration(case: Path, run_cli: CliRunner) -> None:
    _policy_with_term(case, "a-year")
    result = run_cli("validate", "policy.yaml")
    assert result.code == 1
    assert result.out.startswith("policy.yaml:8:20: error: 'a-year' is not a duration: ")
    assert result.out.endswith(" (at $.metadata.waiver_max_term)\n")


# -- waived findings in GitHub annotations --------------------------------------------------------


def test_a_waiver_approved_after_the_run_date_does_not_apply_yet(
    case: Path, run_cli: CliRunner
) -> None:
    # Approved on 2026-12-01, checked as of 2026-11-21: the exception was not agreed then, so
    # a re-run of an earlier date (or a future approval date) must not waive anything.
    _waivers(case, GOOD, _item(**_fields(approved_on='"2026-12-01"', expires='"2027-01-31"')))
    result = _check(run_cli, "--format", "text")
    assert result.code == 1
    assert "waived by w-cache" not in result.out
    assert "[high] not_evidenced: store cache holds conversations" in result.out
    assert (
        "waivers.yaml:11:5: warning: waiver w-cache was approved on 2026-12-01, after the "
        "run's date 2026-11-21: it applies from its approval on"
    ) in result.out
    on_the_day = _check(run_cli, "--format", "text", "--as-of", "2026-12-01")
    assert "waived by w-cache until 2027-01-31" in on_the_day.out


def test_github_annotates_waived_findings_as_notices(case: Path, run_cli: CliRunner) -> None:
    _waivers(case, GOOD)
    result = _check(run_cli, "--format", "github")
    notices = [line for line in result.out.splitlines() if line.startswith("::notice file=")]
    assert notices == [
        "::notice file=snapshot.yaml,line=12,col=22,title=high · waived by w-backups%3A "
        "case-policy/opted-out-30d::"
        "store backups keeps training_not_allowed conversations for 90d, longer than the 30d "
        "the policy allows%0A"
        "Waiver: w-backups until 2027-03-31 (ticket PRIV-12, approved by Dana Example (DPO) "
        "on 2026-10-01): Backups move to a 30-day bucket in Q1%0A"
        "Promise: Conversations of users who opted out are kept at most 30 days%0A"
        "Expected: training_not_allowed data kept at most 30d%0A"
        "Actual: any: 90d%0A"
        "Resource: store:backups at $.stores[1].retention.any%0A"
        "Policy: policy.yaml:20:10 ($.retention[0].max)%0A"
        "Remediation: Shorten the lifecycle rule of the store to 30 days%0A"
        "Regulations: CCPA §1798.100(a)(3); CCPA §1798.105; COPPA 16 CFR 312.10; "
        "GDPR Art. 5(1)(e); GDPR Art. 17"
    ]
    # After the errors and warnings, before the closing summary.
    lines = result.out.splitlines()
    assert lines.index(notices[0]) == len(lines) - 2
    assert not any(line.startswith(("::error", "::warning")) for line in lines[-2:])


# -- the bundled examples follow the rules --------------------------------------------------------


def test_bundled_waivers_and_project_config_still_run(run_cli: CliRunner) -> None:
    config = load_config(REPO / "policy-check.yaml")
    assert config.waivers is not None and config.as_of is not None
    waivers = config.waivers.disk
    assert run_cli("validate", waivers, str(REPO / "policy-check.yaml")).code == 0
    argv = ["check", "--waivers", waivers, "--as-of", config.as_of.isoformat()]
    for policy in config.policies:
        argv += ["--policy", policy.disk]
    for snapshot in config.snapshots:
        argv += ["--snapshot", snapshot.disk]
    result = run_cli(*argv, "--format", "text")
    assert result.code == 1  # the example snapshot breaks promises no waiver covers
    for waiver in ("backup-retention-opted-out", "session-cache-at-rest"):
        assert f"waived by {waiver}" in result.out
    assert "waiver external-audit-postponed expired on 2026-09-30" in result.out


def test_documented_waiver_example_is_valid(tmp_path: Path, run_cli: CliRunner) -> None:
    text = (REPO / "docs/snapshot-format.md").read_text(encoding="utf-8")
    block = text.split("**Waivers**", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    (tmp_path / "waivers.yaml").write_text(block, encoding="utf-8")
    assert "approved_on:" in block
    result = run_cli("validate", str(tmp_path / "waivers.yaml"))
    assert result.code == 0, result.out
