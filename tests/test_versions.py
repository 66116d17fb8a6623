"""Policy language versions: the frozen v1 schema, the schema each document is read with, and
what a v1 policy using a v2 feature is told."""

from __future__ import annotations

import copy
import hashlib
from typing import Any

import pytest

from checker.validation.versions import language_version, schema_kind
from tests.conftest import REPO, CliRunner
from tests.policy_support import minimal_policy, problems

V1_SCHEMA = REPO / "policies" / "schemas" / "policy.v1.schema.json"


def _v1(**sections: Any) -> dict[str, Any]:
    policy = minimal_policy(**sections)
    policy["policy_checker"] = 1
    return policy


BREACH = {"id": "users-72h", "statement": "Users are told within 72 hours.",
          "audience": "users", "within": "72h"}  # fmt: skip


def _rows(data: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(d.code, d.location.json_path, d.message) for d in problems("policy", data)]


def test_the_v1_schema_is_frozen() -> None:
    """Language 1 means what it meant: its schema is never regenerated or edited."""
    digest = hashlib.sha256(V1_SCHEMA.read_bytes()).hexdigest()
    assert digest == "8f57338e70de3b1152c4fe670ca200f8f5e45ee0fcfb84033108f8de800cf408"


@pytest.mark.parametrize(
    ("value", "version", "kind"),
    [(1, 1, "policy.v1"), (2, 2, "policy"), (3, None, "policy"), (True, None, "policy"),
     ("1", None, "policy"), (None, None, "policy")],
)  # fmt: skip
def test_each_version_is_read_with_its_schema(value: Any, version: int | None, kind: str) -> None:
    data = {"policy_checker": value}
    assert (language_version(data), schema_kind(data)) == (version, kind)


def test_both_versions_of_a_plain_policy_are_valid() -> None:
    assert _rows(_v1(breach_notification=[BREACH])) == []
    assert _rows(minimal_policy(breach_notification=[BREACH])) == []


def test_a_v1_policy_using_v2_fields_is_told_to_upgrade() -> None:
    clause = {**BREACH, "confidence": "confirmed", "source": {"document": "Privacy Policy"}}
    assert _rows(_v1(breach_notification=[clause])) == [
        ("language-needs-v2", "$.breach_notification[0].confidence",
         "'confidence' needs policy_checker: 2 (policy-check upgrade document.yaml)"),
        ("language-needs-v2", "$.breach_notification[0].source",
         "'source' needs policy_checker: 2 (policy-check upgrade document.yaml)"),
    ]  # fmt: skip
    upgraded = _v1(breach_notification=[clause])
    upgraded["policy_checker"] = 2
    assert _rows(upgraded) == []


@pytest.mark.parametrize(
    ("typo", "meant"), [("audiense", "audience"), ("witihn", "within")]
)  # sorted before the v2 key, and after it
def test_a_misspelt_key_beside_a_v2_field_is_still_a_misspelt_key(typo: str, meant: str) -> None:
    clause = {**BREACH, "confidence": "confirmed", typo: "x"}
    rows = _rows(_v1(breach_notification=[clause]))
    assert sorted(rows) == sorted([
        ("language-needs-v2", "$.breach_notification[0].confidence",
         "'confidence' needs policy_checker: 2 (policy-check upgrade document.yaml)"),
        ("schema-unknown-key", f"$.breach_notification[0].{typo}",
         f"unknown key '{typo}'; did you mean '{meant}'?"),
    ])  # fmt: skip


def test_an_error_of_both_versions_is_not_blamed_on_the_version() -> None:
    clause = {**BREACH, "audience": "regulator"}
    assert [(code, path) for code, path, _ in _rows(_v1(breach_notification=[clause]))] == [
        ("schema-enum", "$.breach_notification[0].audience")
    ]


def test_an_unknown_version_names_the_known_ones() -> None:
    policy = minimal_policy(breach_notification=[BREACH])
    policy["policy_checker"] = 3
    assert _rows(policy) == [
        ("schema-const", "$.policy_checker",
         "must be 2, found 3: policy_checker is the policy language version, 1 or 2"),
    ]  # fmt: skip


def test_the_schema_command_prints_both_versions(run_cli: CliRunner) -> None:
    printed = run_cli("schema", "policy.v1")
    assert printed.code == 0
    assert printed.out == V1_SCHEMA.read_text(encoding="utf-8")
    assert '"const": 2' in run_cli("schema", "policy").out


def test_v1_and_v2_policies_are_checked_together(run_cli: CliRunner, tmp_path: Any) -> None:
    """A folder may mix versions: each is read with its own schema, all are checked."""
    import yaml

    old = _v1(breach_notification=[BREACH])
    new = copy.deepcopy(minimal_policy(breach_notification=[{**BREACH, "id": "regulators",
        "audience": "regulators", "confidence": "confirmed"}]))  # fmt: skip
    new["metadata"]["id"] = "newer"
    (tmp_path / "old.yaml").write_text(yaml.safe_dump(old), encoding="utf-8")
    (tmp_path / "new.yaml").write_text(yaml.safe_dump(new), encoding="utf-8")
    (tmp_path / "snapshot.yaml").write_text(
        "snapshot_format: 1\nmetadata: {system: chat, environment: production, "
        'taken_at: "2026-11-01T00:00:00Z"}\nincident_response: '
        "{notify_users_within: 48h, notify_regulators_within: 72h}\n",
        encoding="utf-8",
    )
    assert run_cli("validate", str(tmp_path)).code == 0
    checked = run_cli("check", "--policy", str(tmp_path / "old.yaml"), "--policy",
                      str(tmp_path / "new.yaml"), "--snapshot", str(tmp_path / "snapshot.yaml"),
                      "--as-of", "2026-11-21", "--format", "json")  # fmt: skip
    assert checked.code == 0, checked.out + checked.err
    assert '"clause_id": "users-72h"' in checked.out and '"clause_id": "regulators"' in checked.out
    (tmp_path / "policy-check.yaml").write_text(
        "policy_check: 1\npolicies: [old.yaml, new.yaml]\nsnapshots: [snapshot.yaml]\n"
        'as_of: "2026-11-21"\n',
        encoding="utf-8",
    )
    configured = run_cli("check", "--config", str(tmp_path / "policy-check.yaml"), "--format",
                         "json")  # fmt: skip
    assert configured.code == 0, configured.out + configured.err
    assert configured.out.count('"kind": "policy"') == 2
