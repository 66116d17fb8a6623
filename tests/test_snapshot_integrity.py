"""Every element a snapshot declares is judged: duplicate ids, pipeline sources that name no
store and names no policy knows are errors, in ``validate`` and in ``check``.

Most cases start from the bundled compliant snapshot (which keeps every promise of the 2025
consumer policy) and change it in one place, so that the only thing that can turn the verdict
is the change itself.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from checker.documents import load_document
from checker.evaluation.snapshot import resolve_imports
from tests.conftest import REPO, CliRunner

EXAMPLES = REPO / "policies" / "examples"
COMPLIANT = (EXAMPLES / "compliant" / "snapshot.yaml").read_text(encoding="utf-8")
POLICY = REPO / "policies" / "library" / "anthropic-consumer-2025.yaml"
PLAN = EXAMPLES / "terraform" / "plan.json"
AS_OF = "2026-11-21"


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """The 1-based line of the ``occurrence``-th line containing ``needle``."""
    hits = [i for i, line in enumerate(text.splitlines(), 1) if needle in line]
    return hits[occurrence - 1]


def write(tmp_path: Path, text: str, name: str = "snapshot.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def insert_after(text: str, anchor: str, block: str) -> str:
    """``text`` with ``block`` inserted right after the (unique) ``anchor``."""
    assert text.count(anchor) == 1, anchor
    return text.replace(anchor, anchor + block)


def check(run_cli: CliRunner, snapshot: Path, policy: Path = POLICY) -> tuple[int, str, dict]:
    """Exit code, text output and JSON results of ``check``."""
    text = run_cli(
        "check", "--policy", str(policy), "--snapshot", str(snapshot), "--as-of", AS_OF,
        "--format", "text",
    )  # fmt: skip
    js = run_cli(
        "check", "--policy", str(policy), "--snapshot", str(snapshot), "--as-of", AS_OF,
        "--format", "json",
    )  # fmt: skip
    assert text.code == js.code
    return text.code, text.out, json.loads(js.out)


def statuses(results: dict, clause: str, resource: str) -> list[str]:
    return [
        f["status"]
        for f in results["findings"]
        if f["clause_id"] == clause and f["resource"] == resource
    ]


def test_the_compliant_example_stays_compliant(run_cli: CliRunner, tmp_path: Path) -> None:
    code, out, results = check(run_cli, write(tmp_path, COMPLIANT))
    assert code == 0, out
    assert results["diagnostics"] == []


# --- duplicate ids -----------------------------------------------------------------------------

SECOND_API = "  - id: api\n    training_default: trained\n"
SECOND_PRO = "  - id: pro\n    training_default: trained\n    training_control: {exposed: false}\n"


def test_a_second_api_tier_that_is_trained_fails_the_exclusion(
    run_cli: CliRunner, tmp_path: Path
) -> None:
    text = insert_after(COMPLIANT, "  - id: api\n    training_default: not_trained\n", SECOND_API)
    path = write(tmp_path, text)
    code, out, results = check(run_cli, path)
    first, second = line_of(text, "- id: api"), line_of(text, "- id: api", 2)
    assert code == 1
    assert f"{path}:{second}:9: error: duplicate tier id 'api': the tier at line {first} " in out
    assert "(at $.tiers[8].id)" in out
    assert statuses(results, "business-tiers-never-trained", "tier:api") == ["pass", "fail"]
    failed = [f for f in results["findings"] if f["status"] == "fail"]
    assert failed[0]["evidence_location"]["line"] == second + 1


def test_a_second_pro_tier_with_the_control_hidden_fails_the_consent_promise(
    run_cli: CliRunner, tmp_path: Path
) -> None:
    anchor = "  - id: max\n"
    text = COMPLIANT.replace(anchor, SECOND_PRO + anchor, 1)
    path = write(tmp_path, text)
    code, out, results = check(run_cli, path)
    first, second = line_of(text, "- id: pro"), line_of(text, "- id: pro", 2)
    assert code == 1
    assert f"{path}:{second}:9: error: duplicate tier id 'pro': the tier at line {first} " in out
    assert statuses(results, "consumer-training-default", "tier:pro") == [
        "pass",
        "pass",
        "pass",
        "fail",
    ]


@pytest.mark.parametrize(
    ("section", "anchor", "block", "noun", "ident", "index"),
    [
        (
            "stores",
            "\n# --- Pipelines",
            "  - id: chat-backups\n    data_kinds: [conversations]\n",
            "store",
            "chat-backups",
            11,
        ),
        (
            "pipelines",
            "\n# --- Recipients",
            "  - id: usage-metrics\n    purpose: analytics\n    sources: [chat-transcripts]\n",
            "pipeline",
            "usage-metrics",
            4,
        ),
        (
            "recipients",
            "\n# --- Age gate",
            "  - id: safety-institute\n    kind: processor\n    data_kinds: [conversations]\n"
            "    identifiable: true\n    anonymised: false\n    agreements: []\n    sale: false\n",
            "recipient",
            "safety-institute",
            2,
        ),
    ],
    ids=["stores", "pipelines", "recipients"],
)
def test_duplicate_ids_are_validation_errors(
    run_cli: CliRunner,
    tmp_path: Path,
    section: str,
    anchor: str,
    block: str,
    noun: str,
    ident: str,
    index: int,
) -> None:
    assert COMPLIANT.count(anchor) == 1
    text = COMPLIANT.replace(anchor, block + anchor)
    path = write(tmp_path, text)
    first, second = line_of(text, f"- id: {ident}"), line_of(text, f"- id: {ident}", 2)
    expected = (
        f"{path}:{second}:9: error: duplicate {noun} id '{ident}': the {noun} at line {first} "
        f"already uses it (at $.{section}[{index}].id)"
    )
    result = run_cli("validate", str(path))
    assert result.code == 1
    assert expected in result.out.splitlines()
    code, out, _ = check(run_cli, path)
    assert code == 1
    assert expected in out.splitlines()


def test_a_role_listed_twice_points_at_the_second_and_names_the_first(
    run_cli: CliRunner, tmp_path: Path
) -> None:
    text = "\n".join(
        [
            "snapshot_format: 1",
            "metadata: {system: chat, environment: production, taken_at: '2026-11-01'}",
            "stores:",
            "  - id: chats",
            "    data_kinds: [conversations]",
            "    access:",
            "      roles:",
            "        - model_trainer",
            "        - support_agent",
            "        - model_trainer",
            "",
        ]
    )
    path = write(tmp_path, text)
    result = run_cli("validate", str(path))
    assert result.code == 1
    assert result.out.splitlines() == [
        f"{path}:10:11: error: duplicate 'model_trainer': already listed at line 8 "
        "(at $.stores[0].access.roles[2])"
    ]


# --- duplicates between the snapshot's own stores and imported ones ----------------------------

IMPORTING = """\
snapshot_format: 1
metadata: {{system: chat-storage, environment: production, taken_at: "2026-11-18"}}
stores:
  - id: {own}
    data_kinds: [conversations]
imports:
  - terraform: {plan}
    rules:
      - match: {{address: "aws_s3_bucket.chat_*"}}
        store:
          data_kinds: [conversations]
"""


def imported_ids(tmp_path: Path) -> list[str]:
    """The store ids the bundled plan yields for every ``aws_s3_bucket.chat_*``."""
    probe = write(tmp_path, IMPORTING.format(own="unrelated", plan=json.dumps(str(PLAN))), "p.yaml")
    view, notes = resolve_imports(load_document(probe))
    assert notes == []
    return [s["id"] for s in view.data["stores"][1:]]


def test_an_imported_store_with_the_id_of_an_own_store_is_an_error(
    run_cli: CliRunner, tmp_path: Path
) -> None:
    ids = imported_ids(tmp_path)
    assert ids, "the bundled plan yields chat buckets"
    text = IMPORTING.format(own=ids[0], plan=json.dumps(str(PLAN)))
    path = write(tmp_path, text)
    plan_text = PLAN.read_text(encoding="utf-8")
    plan = re.escape(str(PLAN))
    pattern = re.compile(
        rf"^{plan}:(\d+):\d+: error: duplicate store id '{re.escape(ids[0])}' of the store "
        rf"imported from {plan}: the store at {re.escape(str(path))}:4:9 already uses it "
        r"\(at \$\.resource_changes\[\d+\]\.change\.after\.bucket\)$",
        re.M,
    )
    result = run_cli("validate", str(path))
    assert result.code == 1
    match = pattern.search(result.out)
    assert match, result.out
    assert f'"{ids[0]}"' in plan_text.splitlines()[int(match.group(1)) - 1]
    code, out, _ = check(run_cli, path)
    assert code == 1
    assert pattern.search(out), out


# --- pipeline sources that name no store -------------------------------------------------------


def test_a_pipeline_source_that_names_no_store_is_an_error(
    run_cli: CliRunner, tmp_path: Path
) -> None:
    # A training pipeline reading a misspelt "accounts": its e-mail is not judged.
    block = (
        "  - id: account-enrichment\n"
        "    purpose: training\n"
        "    sources: [training-dataset, acounts]\n"
        "    tiers: [free, pro, max]\n"
        "    consent_filter: training_allowed_only\n"
        "    filters: [anonymisation, sensitive_categories, minors]\n"
        "    sensitive_categories_filtered: [mental_health, relationships, finances]\n"
    )
    text = COMPLIANT.replace("\n# --- Recipients", block + "\n# --- Recipients")
    path = write(tmp_path, text)
    line = line_of(text, "sources: [training-dataset, acounts]")
    expected = (
        f"{path}:{line}:33: error: pipeline account-enrichment reads store 'acounts', but the "
        "snapshot declares no store with that id; did you mean 'accounts'? "
        "(at $.pipelines[4].sources[1])"
    )
    result = run_cli("validate", str(path))
    assert result.code == 1
    assert result.out.splitlines() == [expected]
    code, out, results = check(run_cli, path)
    assert code == 1
    assert expected in out.splitlines()
    resource = "pipeline:account-enrichment"
    assert statuses(results, "no-direct-identifiers-in-training", resource) == ["not_evidenced"]


# --- recipients fed by no pipeline ------------------------------------------------------------


def test_a_recipient_fed_by_no_pipeline_is_an_error(run_cli: CliRunner, tmp_path: Path) -> None:
    # The lab's extract, misspelt: its filters would not be judged.
    anchor = "    purpose: model_improvement\n    fed_by: [research-extract]\n"
    assert COMPLIANT.count(anchor) == 2
    text = COMPLIANT.replace(
        anchor, "    purpose: model_improvement\n    fed_by: [research-extracts]\n", 1
    )
    path = write(tmp_path, text)
    line = line_of(text, "fed_by: [research-extracts]")
    expected = (
        f"{path}:{line}:14: error: recipient alignment-research-lab is fed by pipeline "
        "'research-extracts', but the snapshot declares no pipeline with that id; did you "
        "mean 'research-extract'? (at $.recipients[0].fed_by[0])"
    )
    result = run_cli("validate", str(path))
    assert result.code == 1
    assert result.out.splitlines() == [expected]
    code, out, results = check(run_cli, path)
    assert code == 1
    assert expected in out.splitlines()
    resource = "recipient:alignment-research-lab"
    assert statuses(results, "third-party-sharing", resource) == ["not_evidenced"]


# --- names no policy knows ---------------------------------------------------------------------

VOCABULARY_POLICY = """\
policy_checker: 1
metadata:
  id: chats-policy
  title: "Chats"
  version: "1.0"
  effective: "2026-01-01"
  owner: "privacy team"
vocabulary:
  tier_groups:
    consumer: {tiers: [free, pro]}
  data_kinds:
    conversations: {description: "chat transcripts"}
    temporary_chats: {description: "chats the user marked temporary"}
  sensitive_categories:
    mental_health: {description: "mental health"}
  roles:
    model_trainer: {description: "trains models"}
retention:
  - id: temporary-30d
    statement: "Temporary chats are kept at most 30 days"
    data_kinds: [temporary_chats]
    consent_state: any
    max: 30d
data_minimisation:
  - id: temporary-not-trained
    statement: "Temporary chats are never used for training"
    data_kinds: [temporary_chats]
    forbidden_in: training
"""

TYPO_SNAPSHOT = """\
snapshot_format: 1
metadata: {system: chat, environment: production, taken_at: "2026-11-01"}
tiers:
  - id: free
    training_default: trained
stores:
  - id: chats
    data_kinds: [conversations]
    retention: {any: 30d}
  - id: temp
    data_kinds: [temporary_chat]
    tiers: [free, por]
    sensitive_categories: [mental_helth]
    access: {roles: [model_trainers]}
    retention: {any: 5y}
pipelines:
  - id: train
    purpose: training
    sources: [temp]
"""


def test_names_no_policy_knows_are_errors_in_check(run_cli: CliRunner, tmp_path: Path) -> None:
    policy = write(tmp_path, VOCABULARY_POLICY, "policy.yaml")
    path = write(tmp_path, TYPO_SNAPSHOT)
    code, out, results = check(run_cli, path, policy)
    assert code == 1
    of = "of policy chats-policy"
    assert out.splitlines()[:4] == [
        f"{path}:11:18: error: data kind 'temporary_chat' is not defined in "
        f"vocabulary.data_kinds {of}; did you mean 'temporary_chats'? "
        "(at $.stores[1].data_kinds[0])",
        f"{path}:12:19: error: tier 'por' is in no tier group {of}; did you mean 'pro'? "
        "(at $.stores[1].tiers[1])",
        f"{path}:13:28: error: sensitive category 'mental_helth' is not defined in "
        f"vocabulary.sensitive_categories {of}; did you mean 'mental_health'? "
        "(at $.stores[1].sensitive_categories[0])",
        f"{path}:14:22: error: role 'model_trainers' is not defined in vocabulary.roles {of}; "
        "did you mean 'model_trainer'? (at $.stores[1].access.roles[0])",
    ]
    assert results["verdict"] == "not_compliant"


def test_validate_alone_does_not_judge_free_form_names(run_cli: CliRunner, tmp_path: Path) -> None:
    result = run_cli("validate", str(write(tmp_path, TYPO_SNAPSHOT)))
    assert (result.code, result.out) == (0, "")


def test_validate_alone_judges_the_fixed_names_of_the_snapshot_format(
    run_cli: CliRunner, tmp_path: Path
) -> None:
    text = TYPO_SNAPSHOT.replace("purpose: training", "purpose: trainning")
    result = run_cli("validate", str(write(tmp_path, text)))
    assert result.code == 1
    assert "did you mean 'training'?" in result.out


def test_a_name_known_to_one_of_several_policies_is_known(
    run_cli: CliRunner, tmp_path: Path
) -> None:
    fixed = (
        TYPO_SNAPSHOT.replace("temporary_chat]", "temporary_chats]")
        .replace("por]", "pro]")
        .replace("mental_helth", "mental_health")
    )
    other = VOCABULARY_POLICY.replace("id: chats-policy", "id: roles-policy").replace(
        "model_trainer:", "model_trainers:"
    )
    snapshot = write(tmp_path, fixed)
    first = write(tmp_path, VOCABULARY_POLICY, "policy.yaml")
    second = write(tmp_path, other, "other.yaml")
    result = run_cli(
        "check", "--policy", str(first), "--policy", str(second), "--snapshot", str(snapshot),
        "--as-of", AS_OF, "--format", "text",
    )  # fmt: skip
    assert "is not defined" not in result.out
    assert "no tier group" not in result.out


# --- duplicates in the policy ------------------------------------------------------------------
# Clause ids (semantic-duplicate-id, tests/test_semantics.py), a tier in two groups (same file)
# and vocabulary keys (duplicate mapping keys, refused by the loader) were already errors; a
# name listed twice in one list now points at the second and names the first's line too.

TWICE_POLICY = """\
policy_checker: 1
metadata:
  id: twice
  title: "Twice"
  version: "1.0"
  effective: "2026-01-01"
  owner: "privacy team"
vocabulary:
  tier_groups:
    consumer:
      tiers:
        - free
        - pro
        - free
  data_kinds:
    conversations: {description: "chat transcripts"}
"""


def test_a_tier_listed_twice_in_a_group_points_at_the_second(
    run_cli: CliRunner, tmp_path: Path
) -> None:
    path = write(tmp_path, TWICE_POLICY, "policy.yaml")
    result = run_cli("validate", str(path))
    assert result.code == 1
    assert result.out.splitlines() == [
        f"{path}:14:11: error: duplicate 'free': already listed at line 12 "
        "(at $.vocabulary.tier_groups.consumer.tiers[2])"
    ]


def test_a_tier_group_defined_twice_is_refused(run_cli: CliRunner, tmp_path: Path) -> None:
    text = TWICE_POLICY.replace("        - free\n  data_kinds:", "  data_kinds:").replace(
        "  data_kinds:", "    consumer:\n      tiers: [max]\n  data_kinds:"
    )
    path = write(tmp_path, text, "policy.yaml")
    result = run_cli("validate", str(path))
    assert result.code == 2
    assert f'{path}:14:5: error: duplicate key "consumer" (first defined at line 10)' in (
        result.out + result.err
    )


# --- copies and legal holds name stores --------------------------------------------------------

COPIES = """\
snapshot_format: 1
metadata: {system: chat, environment: production, taken_at: "2026-11-20"}
stores:
  - id: chats
    data_kinds: [conversations]
  - id: reviewed
    copy_of: [chat]
    deleted_with_source: false
legal_holds:
  - id: order
    reason: "a court order"
    stores: [chats, reviewd]
    from: "2026-01-01"
    until: null
  - id: order
    reason: "the same order again"
    stores: [chats]
    from: "2026-01-01"
    until: "2026-12-31"
"""


def test_copies_and_holds_that_name_no_store_and_duplicate_holds_are_errors(
    run_cli: CliRunner, tmp_path: Path
) -> None:
    path = write(tmp_path, COPIES)
    result = run_cli("validate", str(path))
    assert result.code == 1
    assert result.out.splitlines() == [
        f"{path}:15:9: error: duplicate legal hold id 'order': the legal hold at line 10 "
        "already uses it (at $.legal_holds[1].id)",
        f"{path}:7:15: error: store reviewed copies store 'chat', but the snapshot declares no "
        "store with that id; did you mean 'chats'? (at $.stores[1].copy_of[0])",
        f"{path}:12:21: error: legal hold order holds store 'reviewd', but the snapshot declares "
        "no store with that id; did you mean 'reviewed'? (at $.legal_holds[0].stores[1])",
    ]


SETTINGS_POLICY = """\
policy_checker: 2
metadata:
  id: settings-policy
  title: "Settings"
  version: "1.0"
  effective: "2026-01-01"
  owner: "privacy team"
vocabulary:
  tier_groups:
    consumer: {tiers: [free]}
  data_kinds:
    conversations: {description: "chat transcripts"}
  settings:
    keep_activity: {description: "how long activity is kept"}
    zero_data_retention: {description: "projects whose data is not stored"}
retention:
  - id: zdr-not-stored
    statement: "Zero-data-retention projects are not stored"
    data_kinds: [conversations]
    setting: {id: zero_data_retention, value: "on"}
    max: 0s
"""

SETTINGS_TYPO_SNAPSHOT = """\
snapshot_format: 1
metadata: {system: chat, environment: production, taken_at: "2026-11-01"}
settings:
  - id: keep_activty
    options: [3mo, "off"]
stores:
  - id: chats
    data_kinds: [conversations]
    retention_by_setting:
      - {setting: zero_data_retention, value: "on", window: 0s}
      - {setting: zero_retention, value: "off", window: 30d}
pipelines:
  - id: train
    purpose: training
    sources: [chats]
    settings: {keep_activity: "on", zero_data_retentoin: "off"}
"""


def test_setting_names_no_policy_knows_are_errors_in_check(
    run_cli: CliRunner, tmp_path: Path
) -> None:
    policy = write(tmp_path, SETTINGS_POLICY, "policy.yaml")
    path = write(tmp_path, SETTINGS_TYPO_SNAPSHOT)
    code, out, _ = check(run_cli, path, policy)
    assert code == 1
    of = "of policy settings-policy"
    assert out.splitlines()[:3] == [
        f"{path}:4:9: error: setting 'keep_activty' is not defined in vocabulary.settings {of}; "
        "did you mean 'keep_activity'? (at $.settings[0].id)",
        f"{path}:11:19: error: setting 'zero_retention' is not defined in vocabulary.settings "
        f"{of}; did you mean 'zero_data_retention'? "
        "(at $.stores[0].retention_by_setting[1].setting)",
        f"{path}:16:58: error: setting 'zero_data_retentoin' is not defined in "
        f"vocabulary.settings {of}; did you mean 'zero_data_retention'? "
        "(at $.pipelines[0].settings.zero_data_retentoin)",
    ]


# --- tiers offered where the deployment does not serve users -----------------------------------


def test_a_tier_offered_where_the_deployment_serves_no_one_is_an_error(
    run_cli: CliRunner, tmp_path: Path
) -> None:
    """Which region-scoped promises apply is read from metadata.regions: a tier offered in a
    country missing there would leave that country's promises judged "not applicable"."""
    text = insert_after(COMPLIANT, "metadata:\n", "  regions: [US, GB]\n")
    text = insert_after(text, "  - id: free\n", "    regions: [US, FR]\n")
    path = write(tmp_path, text)
    code, out, results = check(run_cli, path)
    line = line_of(text, "regions: [US, FR]")
    assert code == 1, out
    assert (
        f"{path}:{line}:19: error: tier free is offered in FR, where the snapshot does not "
        "record serving users (metadata.regions: US, GB); add FR to metadata.regions, or take "
        "it out of the tier (at $.tiers[0].regions[1])"
    ) in out
    assert [d["code"] for d in results["diagnostics"]] == ["snapshot-region-not-served"]
    assert run_cli("validate", str(path)).code == 1
    served = text.replace("regions: [US, GB]", "regions: [US, GB, FR]")
    assert check(run_cli, write(tmp_path, served, "served.yaml"))[0] == 0
