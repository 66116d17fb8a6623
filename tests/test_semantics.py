"""Semantic rules of policies: each rule firing, and not firing, with exact text and position."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from checker.core.diagnostics import Level
from checker.documents import load_document
from checker.documents.document import Document
from checker.validation.policy_rules import REFERENCES, _may_meet, semantic_diagnostics
from tests.policy_support import LIBRARY, clause_definition, clause_sections, schema_errors

# 25 lines: the clauses of each case start on line 26.
BASE = """\
policy_checker: 1
metadata:
  id: example
  title: "Example"
  version: "1.0"
  effective: "2026-01-01"
  owner: "privacy team"
vocabulary:
  tier_groups:
    consumer:
      tiers: [free, pro]
    api:
      tiers: [api]
  data_kinds:
    conversations:
      description: "chat transcripts"
    email:
      description: "email addresses"
      identifiable: true
  sensitive_categories:
    mental_health:
      description: "mental health"
  roles:
    model_trainer:
      description: "model trainers"
"""

# A clause for the cases about the vocabulary and metadata: a policy must promise something.
ONE_CLAUSE = """\
governance:
  - id: review
    statement: "Reviewed."
    activity: internal_review
    every: 1y
"""

Row = tuple[int, int, str, str, str, str]  # line, column, level, code, json path, message


def _load(tmp_path: Path, text: str) -> Document:
    path = tmp_path / "policy.yaml"
    path.write_text(text, encoding="utf-8")
    doc = load_document(path, name="policy.yaml")
    assert schema_errors("policy", doc.data) == [], "semantic cases must be schema-valid"
    return doc


# The base policy in language 2 with two regions, for clauses scoped by region.
REGIONAL = BASE.replace("policy_checker: 1", "policy_checker: 2").replace(
    "vocabulary:\n",
    "vocabulary:\n  regions:\n    eea: {countries: [DE, FR]}\n    us: {countries: [US]}\n",
    1,
)


def _rows(tmp_path: Path, clauses: str, base: str = BASE) -> list[Row]:
    rows = []
    for d in semantic_diagnostics(_load(tmp_path, base + clauses)):
        assert d.location.position is not None
        assert d.location.file == "policy.yaml"
        rows.append((d.location.position.line, d.location.position.column, d.level.value,
                     d.code, d.location.json_path, d.message))  # fmt: skip
    return rows


def test_base_has_25_lines() -> None:
    assert len(BASE.splitlines()) == 25


@pytest.mark.parametrize("path", sorted(LIBRARY.glob("*.yaml")), ids=lambda p: p.stem)
def test_library_policies_are_consistent(path: Path) -> None:
    assert semantic_diagnostics(load_document(path)) == []


def test_every_vocabulary_reference_of_the_schema_is_checked() -> None:
    """A clause field described as naming vocabulary keys must have a reference rule."""

    def naming(properties: dict[str, Any], prefix: str = "") -> set[str]:
        """Fields (``setting.id`` inside the mapping ``setting``) described as naming keys."""
        found = set()
        for name, prop in properties.items():
            text = prop.get("description", "")
            if "keys of vocabulary." in text or "a key of vocabulary." in text:
                found.add(prefix + name)
            if prop.get("type") == "object" and "properties" in prop:
                found |= naming(prop["properties"], f"{prefix}{name}.")
        return found

    described = {
        (section, name)
        for section in clause_sections()
        for name in naming(clause_definition(section)["properties"])
    }
    assert described == {(r.section, r.field) for r in REFERENCES}


# --- semantic-undefined-reference ------------------------------------------------------------

REFERENCING = """\
training_consent:
  - id: consent
    statement: "Consumers opt in."
    tier_groups:
      - consumer
      - consumr
    default: opt_in_required
    user_can_change: true
retention:
  - id: keep
    statement: "Kept a while."
    data_kinds:
      - conversations
      - invoices
    consent_state: any
    max: 1y
    tier_groups:
      - apis
sensitive_data:
  - id: sensitive
    statement: "Not kept."
    categories:
      - mental_heath
    retention: never
    training: never
access_control:
  - id: access
    statement: "Trainers only."
    data_kinds:
      - emails
    allowed_roles:
      - model_trainer
      - admin
"""


def test_undefined_references_point_at_the_list_item(tmp_path: Path) -> None:
    assert _rows(tmp_path, REFERENCING) == [
        (31, 9, "error", "semantic-undefined-reference", "$.training_consent[0].tier_groups[1]",
         "tier group 'consumr' is not defined in vocabulary.tier_groups; "
         "did you mean 'consumer'?"),
        (39, 9, "error", "semantic-undefined-reference", "$.retention[0].data_kinds[1]",
         "data kind 'invoices' is not defined in vocabulary.data_kinds "
         "(defined: conversations, email)"),
        (43, 9, "error", "semantic-undefined-reference", "$.retention[0].tier_groups[0]",
         "tier group 'apis' is not defined in vocabulary.tier_groups; did you mean 'api'?"),
        (48, 9, "error", "semantic-undefined-reference", "$.sensitive_data[0].categories[0]",
         "sensitive category 'mental_heath' is not defined in vocabulary.sensitive_categories; "
         "did you mean 'mental_health'?"),
        (55, 9, "error", "semantic-undefined-reference", "$.access_control[0].data_kinds[0]",
         "data kind 'emails' is not defined in vocabulary.data_kinds; did you mean 'email'?"),
        (58, 9, "error", "semantic-undefined-reference", "$.access_control[0].allowed_roles[1]",
         "role 'admin' is not defined in vocabulary.roles (defined: model_trainer)"),
    ]  # fmt: skip


def test_defined_references_pass(tmp_path: Path) -> None:
    fixed = (REFERENCING.replace("consumr", "api").replace("invoices", "email")
             .replace("apis", "api").replace("mental_heath", "mental_health")
             .replace("emails", "email").replace("      - admin\n", ""))  # fmt: skip
    assert _rows(tmp_path, fixed) == []


def test_reference_to_an_empty_vocabulary_says_none_is_defined(tmp_path: Path) -> None:
    base = BASE.replace('  roles:\n    model_trainer:\n      description: "model trainers"\n', "")
    clauses = """\
access_control:
  - id: access
    statement: "Trainers only."
    data_kinds: [conversations]
    allowed_roles: [model_trainer]
"""
    assert _rows(tmp_path, clauses, base) == [
        (27, 21, "error", "semantic-undefined-reference", "$.access_control[0].allowed_roles[0]",
         "role 'model_trainer' is not defined in vocabulary.roles, which defines none"),
    ]  # fmt: skip


# --- semantic-duplicate-id -------------------------------------------------------------------

DUPLICATES = """\
retention:
  - id: yearly
    statement: "Kept a year."
    data_kinds: [conversations]
    consent_state: any
    max: 1y
governance:
  - id: review
    statement: "Reviewed."
    activity: internal_review
    every: 1y
  - id: yearly
    statement: "Audited."
    activity: external_audit
    every: 1y
"""


def test_duplicate_clause_ids_across_sections(tmp_path: Path) -> None:
    assert _rows(tmp_path, DUPLICATES) == [
        (37, 9, "error", "semantic-duplicate-id", "$.governance[1].id",
         "duplicate clause id 'yearly': the retention clause at line 27 already uses it"),
    ]  # fmt: skip


def test_distinct_clause_ids_pass(tmp_path: Path) -> None:
    distinct = DUPLICATES.replace(
        'id: yearly\n    statement: "Audited.', 'id: audit\n    statement: "Audited.'
    )
    assert _rows(tmp_path, distinct) == []


# --- semantic-tier-in-two-groups -------------------------------------------------------------


def test_a_tier_in_two_groups(tmp_path: Path) -> None:
    base = BASE.replace("      tiers: [api]\n", "      tiers: [api, pro]\n")
    assert _rows(tmp_path, ONE_CLAUSE, base) == [
        (13, 20, "error", "semantic-tier-in-two-groups", "$.vocabulary.tier_groups.api.tiers[1]",
         "tier 'pro' is already in tier group 'consumer' (line 11); a tier belongs to one group"),
    ]  # fmt: skip


def test_tiers_in_one_group_each_pass(tmp_path: Path) -> None:
    assert _rows(tmp_path, ONE_CLAUSE) == []


# --- semantic-excluded-tier-trained ----------------------------------------------------------

EXCLUDED = """\
training_exclusions:
  - id: api-never-trained
    statement: "API data is never trained on."
    tier_groups: [api]
training_consent:
  - id: api-consent
    statement: "API data is trained on unless customers opt out."
    tier_groups: [consumer, api]
    default: trained_unless_opted_out
    user_can_change: true
"""


def test_an_excluded_tier_group_with_a_training_default(tmp_path: Path) -> None:
    assert _rows(tmp_path, EXCLUDED) == [
        (33, 29, "error", "semantic-excluded-tier-trained",
         "$.training_consent[0].tier_groups[1]",
         "tier group 'api' is excluded from training by clause 'api-never-trained' (line 27) "
         "but its training default here is 'trained_unless_opted_out'"),
    ]  # fmt: skip


def test_an_excluded_tier_group_with_opt_in(tmp_path: Path) -> None:
    rows = _rows(tmp_path, EXCLUDED.replace("trained_unless_opted_out", "opt_in_required"))
    assert [(r[0], r[3]) for r in rows] == [(33, "semantic-excluded-tier-trained")]
    assert rows[0][5].endswith("but its training default here is 'opt_in_required'")


def test_an_excluded_tier_group_that_is_never_trained_passes(tmp_path: Path) -> None:
    assert _rows(tmp_path, EXCLUDED.replace("trained_unless_opted_out", "never")) == []


def test_an_exclusion_and_a_default_in_force_on_no_common_day_agree(tmp_path: Path) -> None:
    ended = EXCLUDED.replace(
        "    user_can_change: true\n", '    user_can_change: true\n    expires: "2026-02-28"\n'
    )
    later = ended.replace(
        "    tier_groups: [api]\n", '    tier_groups: [api]\n    effective: "2026-03-01"\n'
    )
    assert _rows(tmp_path, later) == []
    assert [r[3] for r in _rows(tmp_path, ended)] == ["semantic-excluded-tier-trained"]


def test_an_exclusion_and_a_default_of_other_regions_agree(tmp_path: Path) -> None:
    """API data excluded in the EEA, trained by default elsewhere: no contradiction (it used
    to be reported whatever the regions)."""
    scoped = EXCLUDED.replace(
        "    tier_groups: [api]\n", "    tier_groups: [api]\n    regions: [eea]\n"
    ).replace("    user_can_change: true\n", "    user_can_change: true\n    regions: [us]\n")
    assert _rows(tmp_path, scoped, REGIONAL) == []
    both = scoped.replace("regions: [us]", "regions: [us, eea]")
    assert [r[3] for r in _rows(tmp_path, both, REGIONAL)] == ["semantic-excluded-tier-trained"]


# --- semantic-contradictory-retention --------------------------------------------------------

TWO_WINDOWS = """\
retention:
  - id: opted-in
    statement: "Kept five years."
    data_kinds: [conversations, email]
    consent_state: training_allowed
    max: 5y
    tier_groups: [consumer]
  - id: opted-in-short
    statement: "Kept two years."
    data_kinds: [conversations]
    consent_state: training_allowed
    max: {max}
{scope}"""


def test_two_windows_for_the_same_data_contradict(tmp_path: Path) -> None:
    clauses = TWO_WINDOWS.format(max="2y", scope="    tier_groups: [consumer]\n")
    assert _rows(tmp_path, clauses) == [
        (37, 10, "error", "semantic-contradictory-retention", "$.retention[1].max",
         "retention of training_allowed conversations is 2y here but 5y in clause 'opted-in' "
         "(line 27); one window per data kind and consent state"),
    ]  # fmt: skip


def test_an_unscoped_window_overlaps_every_tier(tmp_path: Path) -> None:
    rows = _rows(tmp_path, TWO_WINDOWS.format(max="2y", scope=""))
    assert [(r[0], r[3]) for r in rows] == [(37, "semantic-contradictory-retention")]


@pytest.mark.parametrize(
    ("max_", "scope"),
    [
        ("P5Y", "    tier_groups: [consumer]\n"),  # the same window, written differently
        ("1826d", ""),  # 5 years: 60 average months, 1826 days
        ("2y", "    tier_groups: [api]\n"),  # other tiers
    ],
)
def test_windows_that_do_not_contradict(tmp_path: Path, max_: str, scope: str) -> None:
    assert _rows(tmp_path, TWO_WINDOWS.format(max=max_, scope=scope)) == []


def test_windows_of_other_regions_do_not_contradict(tmp_path: Path) -> None:
    """30 days in the EEA and 2 years in the US are two promises, not a contradiction."""
    clauses = TWO_WINDOWS.format(max="2y", scope="    regions: [us]\n").replace(
        "    tier_groups: [consumer]\n", "    tier_groups: [consumer]\n    regions: [eea]\n", 1
    )
    assert _rows(tmp_path, clauses, REGIONAL) == []
    assert [r[3] for r in _rows(tmp_path, clauses.replace("[us]", "[us, eea]"), REGIONAL)] == [
        "semantic-contradictory-retention"
    ]


def test_windows_of_different_consent_states_or_kinds_do_not_contradict(tmp_path: Path) -> None:
    clauses = TWO_WINDOWS.format(max="2y", scope="")
    other_state = clauses.replace("training_allowed\n    max: 2y", "feedback\n    max: 2y")
    assert _rows(tmp_path, other_state) == []
    other_kind = clauses.replace("data_kinds: [conversations, email]", "data_kinds: [email]")
    assert _rows(tmp_path, other_kind) == []


# --- semantic-deletion-outlives-opt-out ------------------------------------------------------

DELETION = """\
retention:
  - id: opted-out
    statement: "Kept a month when training is not allowed."
    data_kinds: [conversations]
    consent_state: training_not_allowed
    max: {opted_out}
  - id: deleted
    statement: "Deleted data purged."
    data_kinds: [conversations]
    consent_state: deleted_by_user
    max: {deleted}
"""


def test_deleted_data_kept_longer_than_opted_out_data_warns(tmp_path: Path) -> None:
    assert _rows(tmp_path, DELETION.format(opted_out="30d", deleted="60d")) == [
        (36, 10, "warning", "semantic-deletion-outlives-opt-out", "$.retention[1].max",
         "deleted conversations may be kept 60d, longer than the 30d allowed for data of users "
         "who did not allow training (clause 'opted-out' (line 27)): deleting would keep data "
         "longer than opting out"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("opted_out", "deleted"),
    [("30d", "30d"), ("30d", "7d"), ("0s", "30d")],  # 0s: opted-out data is never kept
)
def test_deletion_within_the_opt_out_window_passes(
    tmp_path: Path, opted_out: str, deleted: str
) -> None:
    assert _rows(tmp_path, DELETION.format(opted_out=opted_out, deleted=deleted)) == []


# --- semantic-allowed-and-forbidden ----------------------------------------------------------

MINIMISATION = """\
data_minimisation:
  - id: no-email-in-training
    statement: "Email is kept out of training."
    data_kinds: [email]
    forbidden_in: training
  - id: everything-trained
    statement: "Conversations and email feed training."
    data_kinds: [conversations, email]
    allowed_in: {place}
"""


def test_a_kind_allowed_and_forbidden_in_the_same_place(tmp_path: Path) -> None:
    assert _rows(tmp_path, MINIMISATION.format(place="training")) == [
        (33, 33, "error", "semantic-allowed-and-forbidden",
         "$.data_minimisation[1].data_kinds[1]",
         "data kind 'email' is allowed in training here but forbidden in training by clause "
         "'no-email-in-training' (line 27)"),
    ]  # fmt: skip


def test_a_kind_allowed_in_another_place_passes(tmp_path: Path) -> None:
    assert _rows(tmp_path, MINIMISATION.format(place="storage")) == []


@pytest.mark.parametrize(
    ("scope", "reported"),
    [
        ('    expires: "2025-12-31"\n', False),  # the allowing clause starts on 2026-01-01
        ('    expires: "2026-01-01"\n', True),  # both in force on 2026-01-01
        ("    regions: [us]\n", False),
    ],
)
def test_a_kind_allowed_and_forbidden_only_where_both_hold(
    tmp_path: Path, scope: str, reported: bool
) -> None:
    """Clauses in force on no common day, or in no common region, do not contradict each
    other (as semantic-contradiction has it); they used to be reported whatever their scope."""
    clauses = MINIMISATION.format(place="training").replace(
        "    forbidden_in: training\n", "    forbidden_in: training\n" + scope
    )
    clauses += '    effective: "2026-01-01"\n' if "expires" in scope else "    regions: [eea]\n"
    rows = _rows(tmp_path, clauses, REGIONAL)
    codes = [row[3] for row in rows]
    assert ("semantic-allowed-and-forbidden" in codes) is reported, rows


def test_forbidden_after_allowed_points_at_the_forbidding_clause(tmp_path: Path) -> None:
    clauses = """\
data_minimisation:
  - id: email-trained
    statement: "Email feeds training."
    data_kinds: [email]
    allowed_in: training
  - id: no-email-in-training
    statement: "Email is kept out of training."
    data_kinds:
      - email
    forbidden_in: training
"""
    assert _rows(tmp_path, clauses) == [
        (34, 9, "error", "semantic-allowed-and-forbidden",
         "$.data_minimisation[1].data_kinds[0]",
         "data kind 'email' is forbidden in training here but allowed in training by clause "
         "'email-trained' (line 27)"),
    ]  # fmt: skip


# --- semantic-self-supersede -----------------------------------------------------------------


def test_a_policy_superseding_itself(tmp_path: Path) -> None:
    base = BASE.replace("  owner:", "  supersedes: example\n  owner:")
    assert _rows(tmp_path, ONE_CLAUSE, base) == [
        (7, 15, "error", "semantic-self-supersede", "$.metadata.supersedes",
         "policy 'example' cannot supersede itself"),
    ]  # fmt: skip


def test_a_policy_superseding_another_passes(tmp_path: Path) -> None:
    base = BASE.replace("  owner:", "  supersedes: old\n  owner:")
    assert _rows(tmp_path, ONE_CLAUSE, base) == []


# --- semantic-replaces -----------------------------------------------------------------------

REPLACING = """\
governance:
  - id: review
    statement: "Reviewed."
    activity: internal_review
    every: 1y
    replaces: {first}
  - id: audit
    statement: "Audited."
    activity: external_audit
    every: 1y
    replaces: {second}
"""


def test_replaces_names_the_previous_version_not_this_one(tmp_path: Path) -> None:
    assert _rows(tmp_path, REPLACING.format(first="audit", second="review")) == [
        (31, 15, "error", "semantic-replaces", "$.governance[0].replaces",
         "clause 'review' replaces 'audit', which is clause 'audit' (line 32) in this same "
         "policy; replaces names a clause of the previous version"),
        (36, 15, "error", "semantic-replaces", "$.governance[1].replaces",
         "clause 'audit' replaces 'review', which is clause 'review' (line 27) in this same "
         "policy; replaces names a clause of the previous version"),
    ]  # fmt: skip


def test_two_clauses_cannot_replace_the_same_one(tmp_path: Path) -> None:
    assert _rows(tmp_path, REPLACING.format(first="old-review", second="old-review")) == [
        (36, 15, "error", "semantic-replaces", "$.governance[1].replaces",
         "clause 'audit' replaces 'old-review', which clause 'review' (line 27) already "
         "replaces; one clause takes over from another"),
    ]  # fmt: skip


def test_replacing_clauses_of_the_previous_version_passes(tmp_path: Path) -> None:
    assert _rows(tmp_path, REPLACING.format(first="old-review", second="old-audit")) == []


# --- semantic-no-clauses ---------------------------------------------------------------------


def test_a_policy_without_clause_sections_promises_nothing(tmp_path: Path) -> None:
    assert _rows(tmp_path, "") == [
        (1, 1, "error", "semantic-no-clauses", "$",
         "policy 'example' makes no promise: it has no clause section; add clauses under at "
         f"least one of {', '.join(clause_sections())}"),
    ]  # fmt: skip


def test_a_policy_whose_clause_sections_are_all_empty_promises_nothing(tmp_path: Path) -> None:
    assert _rows(tmp_path, "sharing: []\nretention: []\n") == [
        (26, 10, "error", "semantic-no-clauses", "$.sharing",
         "policy 'example' makes no promise: every clause section is empty (sharing, retention); "
         "add at least one clause"),
    ]  # fmt: skip


def test_an_empty_section_next_to_a_clause_is_no_error(tmp_path: Path) -> None:
    assert _rows(tmp_path, "sharing: []\n" + ONE_CLAUSE) == []


# --- ordering --------------------------------------------------------------------------------


def test_diagnostics_come_in_file_order_and_all_rules_report(tmp_path: Path) -> None:
    clauses = DUPLICATES + EXCLUDED.replace("id: api-consent", "id: review")
    rows = _rows(tmp_path, clauses)
    assert [(r[0], r[3]) for r in rows] == [
        (37, "semantic-duplicate-id"),
        (46, "semantic-duplicate-id"),
        (48, "semantic-excluded-tier-trained"),
    ]
    assert all(r[2] == Level.ERROR.value for r in rows)


# --- semantic-contradiction: each section's conflicts hook -------------------------------------

TWO_CONSENTS = """\
training_consent:
  - id: consumer-trained
    statement: "Consumer chats are trained on unless users opt out."
    tier_groups: [consumer]
    default: trained_unless_opted_out
    user_can_change: true
  - id: pro-never
    statement: "Pro chats are never trained on."
    tier_groups: [{groups}]
    default: {default}
    user_can_change: {change}
"""


def _consents(groups: str = "consumer", default: str = "never", change: str = "true") -> str:
    return TWO_CONSENTS.format(groups=groups, default=default, change=change)


def test_two_training_consent_clauses_that_disagree_contradict(tmp_path: Path) -> None:
    assert _rows(tmp_path, _consents()) == [
        (32, 5, "error", "semantic-contradiction", "$.training_consent[1]",
         "clause 'pro-never' (line 32) contradicts clause 'consumer-trained' (line 27): "
         "the training default of tiers free and pro is 'never' here but "
         "'trained_unless_opted_out' there; keep one promise per tier"),
    ]  # fmt: skip


def test_training_consent_clauses_that_disagree_on_the_control_contradict(
    tmp_path: Path,
) -> None:
    rows = _rows(tmp_path, _consents(default="trained_unless_opted_out", change="false"))
    assert [r[5].split(": ", 1)[1] for r in rows] == [
        "users of tiers free and pro cannot change it here but can there; keep one promise per tier"
    ]


@pytest.mark.parametrize(
    ("groups", "default", "change"),
    [
        ("api", "never", "true"),  # other tiers
        ("consumer", "trained_unless_opted_out", "true"),  # the same promise twice
    ],
)
def test_training_consent_clauses_that_agree_or_do_not_meet(
    tmp_path: Path, groups: str, default: str, change: str
) -> None:
    assert _rows(tmp_path, _consents(groups, default, change)) == []


PAIRS = {
    "user_rights": (
        "right: deletion\n    deadline: 30d",
        "right: deletion\n    deadline: 45d",
        "right: export\n    deadline: 45d",
        "deletion requests are honoured within 45d here but 30d there; keep one deadline per right",
    ),
    "minors": (
        "minimum_age: 18\n    conversations_stored: false\n    preferences: minimised",
        "minimum_age: 13\n    conversations_stored: false\n    preferences: minimised",
        "minimum_age: 18\n    conversations_stored: true\n    preferences: normal",
        "the minimum age is 13 here but 18 there; keep one age",
    ),
    "breach_notification": (
        "audience: users\n    within: 72h",
        "audience: users\n    within: 3d",  # the same deadline, written differently
        "audience: regulators\n    within: 24h",
        None,
    ),
}


def _pair(section: str, first: str, second: str) -> str:
    return (
        f'{section}:\n  - id: first\n    statement: "First."\n    {first}\n'
        f'  - id: second\n    statement: "Second."\n    {second}\n'
    )


@pytest.mark.parametrize("section", sorted(PAIRS))
def test_each_section_declares_its_contradictions(tmp_path: Path, section: str) -> None:
    first, clashing, other, message = PAIRS[section]
    rows = _rows(tmp_path, _pair(section, first, clashing))
    if message is None:
        assert rows == []
    else:
        assert [(r[3], r[4], r[5]) for r in rows] == [
            ("semantic-contradiction", f"$.{section}[1]",
             f"clause 'second' (line {rows[0][0]}) contradicts clause 'first' (line 27): "
             + message),
        ]  # fmt: skip
    assert _rows(tmp_path, _pair(section, first, other)) == []


def test_breach_deadlines_that_differ_contradict(tmp_path: Path) -> None:
    rows = _rows(tmp_path, _pair("breach_notification", "audience: users\n    within: 72h",
                                 "audience: users\n    within: 24h"))  # fmt: skip
    assert [r[5].split(": ", 1)[1] for r in rows] == [
        "affected users are notified within 24h here but 72h there; keep one deadline per audience"
    ]


def test_a_declared_conflict_is_no_contradiction(tmp_path: Path) -> None:
    """Two readings of a disputed promise, marked as such: check fails them, validate agrees."""
    clauses = _consents().replace(
        "    user_can_change: true\n  - id: pro-never",
        "    user_can_change: true\n    confidence: conflict\n  - id: pro-never",
    )
    base = BASE.replace("policy_checker: 1", "policy_checker: 2")
    assert "confidence: conflict" in clauses
    assert _rows(tmp_path, clauses, base) == []


@pytest.mark.parametrize(
    ("a", "b", "meet"),
    [
        ({}, {}, True),
        ({"regions": ["eea"]}, {}, True),  # the unscoped clause holds everywhere
        ({"regions": ["eea", "uk"]}, {"regions": ["uk"]}, True),
        ({"regions": ["eea"]}, {"regions": ["us"]}, False),
        # expires is the last day a clause applies: on 2025-09-28 both are in force
        ({"expires": "2025-09-28"}, {"effective": "2025-09-28"}, True),
        ({"expires": "2025-09-27"}, {"effective": "2025-09-28"}, False),  # one after the other
        ({"effective": "2025-09-28"}, {"expires": "2025-09-27"}, False),
        ({"effective": "2025-01-01"}, {"expires": "2025-09-28"}, True),
    ],
)
def test_clauses_of_other_regions_or_periods_never_meet(
    a: dict[str, object], b: dict[str, object], meet: bool
) -> None:
    assert _may_meet(a, b) is meet
