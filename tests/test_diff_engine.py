"""The diff engine: how each ordering reads a change, how clauses are matched, what the pair
of versions is told (a loosening without a version bump, a ``replaces`` naming nothing)."""

from __future__ import annotations

from typing import Any

import pytest

from checker.diff.engine import REPLACES_NOTHING, UNANNOUNCED
from checker.diff.ordering import Direction
from tests.diff_support import changes, diff, policy, retention, row

CONSENT = {
    "id": "consent",
    "statement": "Asked first.",
    "tier_groups": ["consumer"],
    "default": "opt_in_required",
    "user_can_change": True,
}


@pytest.mark.parametrize(
    ("old", "new", "direction"),
    [
        ("30d", "90d", "loosened"),
        ("90d", "30d", "tightened"),
        ("0s", "30d", "loosened"),
        ("5y", "indefinite", "loosened"),
        ("1y", "365d", "needs-review"),  # the same length, written differently: said
    ],
)
def test_a_longer_retention_loosens(old: str, new: str, direction: str) -> None:
    result = diff(policy(retention=[retention(max_=old)]), policy(retention=[retention(max_=new)]))
    assert changes(result, "kept") == {"max": direction}


def test_a_zero_window_reads_as_not_kept() -> None:
    result = diff(policy(retention=[retention(max_="0s")]), policy(retention=[retention()]))
    (change,) = row(result, "kept").changes
    assert (change.old, change.new, change.note) == (
        "0s (not kept at all)",
        "30d",
        "longer than before",
    )


def test_a_ranked_default_and_a_group_gaining_a_tier() -> None:
    new_vocabulary = policy()["vocabulary"]
    new_vocabulary["tier_groups"]["consumer"]["tiers"].append("max")
    result = diff(
        policy(training_consent=[CONSENT]),
        policy(
            vocabulary=new_vocabulary,
            training_consent=[{**CONSENT, "default": "trained_unless_opted_out"}],
        ),
    )
    consent = row(result, "consent")
    assert consent.direction is Direction.LOOSENED
    assert changes(result, "consent") == {"tier_groups": "scope-widened", "default": "loosened"}
    widened = next(c for c in consent.changes if c.field == "tier_groups")
    assert widened.note == "Max users are now trained on by default unless they opt out"
    assert (widened.old, widened.new) == ("consumer (free, pro)", "consumer (free, pro, max)")
    assert consent.affected == (("tiers", ("free", "pro", "max")),)
    group = row(result, "tier_groups.consumer")
    assert group.direction is Direction.SCOPE_WIDENED


@pytest.mark.parametrize(
    ("old", "new", "direction"),
    [
        (["model_trainer"], ["model_trainer", "support"], "loosened"),
        (["model_trainer", "support"], ["model_trainer"], "tightened"),
        (["model_trainer"], ["support"], "needs-review"),
    ],
)
def test_members_that_allow_loosen_when_added(
    old: list[str], new: list[str], direction: str
) -> None:
    def access(roles: list[str]) -> dict[str, Any]:
        return {
            "id": "access",
            "statement": "Few.",
            "data_kinds": ["conversations"],
            "allowed_roles": roles,
        }

    result = diff(policy(access_control=[access(old)]), policy(access_control=[access(new)]))
    assert changes(result, "access") == {"allowed_roles": direction}


@pytest.mark.parametrize(
    ("old", "new", "direction"),
    [
        ("storage", "training", "scope-narrowed"),
        ("training", "storage", "scope-widened"),
        ("training", "sharing", "needs-review"),
    ],
)
def test_covering_values_widen_or_narrow(old: str, new: str, direction: str) -> None:
    def anonymise(use: str) -> dict[str, Any]:
        return {
            "id": "anon",
            "statement": "Anonymised.",
            "applies_to": use,
            "required_filters": ["pii_redaction"],
        }

    result = diff(policy(anonymisation=[anonymise(old)]), policy(anonymisation=[anonymise(new)]))
    assert changes(result, "anon") == {"applies_to": direction}


def test_an_unscoped_clause_covers_everything() -> None:
    scoped = retention(tier_groups=["consumer"])
    result = diff(policy(retention=[scoped]), policy(retention=[retention()]))
    assert changes(result, "kept") == {"tier_groups": "scope-widened"}
    result = diff(policy(retention=[retention()]), policy(retention=[scoped]))
    assert changes(result, "kept") == {"tier_groups": "scope-narrowed"}


def test_an_absent_field_reads_as_its_declared_meaning() -> None:
    # consent_filter absent means not_required: adding "required" tightens.
    result = diff(
        policy(training_consent=[CONSENT]),
        policy(training_consent=[{**CONSENT, "consent_filter": "required"}]),
    )
    assert changes(result, "consent") == {"consent_filter": "tightened"}
    # control has no ordering: adding one is read by a person.
    result = diff(
        policy(training_consent=[CONSENT]),
        policy(training_consent=[{**CONSENT, "control": "Settings"}]),
    )
    assert changes(result, "consent") == {"control": "needs-review"}


def test_severity_left_out_is_the_section_default() -> None:
    result = diff(policy(retention=[retention()]), policy(retention=[retention(severity="high")]))
    assert result.rows == [] and result.unchanged == 1  # retention's default is high
    result = diff(policy(retention=[retention()]), policy(retention=[retention(severity="low")]))
    assert changes(result, "kept") == {"severity": "loosened"}


def test_a_reworded_statement_alone_needs_review() -> None:
    result = diff(
        policy(retention=[retention()]), policy(retention=[{**retention(), "statement": "Short."}])
    )
    only = row(result, "kept")
    assert only.direction is Direction.NEEDS_REVIEW
    assert [(c.field, c.wording) for c in only.changes] == [("statement", True)]


def test_wording_does_not_decide_when_something_else_changed() -> None:
    result = diff(
        policy(retention=[retention()]),
        policy(retention=[{**retention(max_="1y"), "statement": "Kept a year."}]),
    )
    assert row(result, "kept").direction is Direction.LOOSENED


# --- matching -------------------------------------------------------------------------------


def test_replaces_pairs_clauses_and_shows_a_rename() -> None:
    result = diff(
        policy(retention=[retention("old-name")]),
        policy(retention=[retention("new-name", max_="60d", replaces="old-name")]),
    )
    renamed = row(result, "new-name")
    assert renamed.renamed_from == "old-name"
    assert renamed.direction is Direction.LOOSENED
    assert renamed.old is not None and renamed.new is not None
    assert (renamed.old.file, renamed.new.file) == ("old.yaml", "new.yaml")


def test_a_rename_alone_is_listed_apart() -> None:
    result = diff(
        policy(retention=[retention("old-name")]),
        policy(retention=[retention("new-name", replaces="old-name")]),
    )
    assert result.rows == []
    assert [(r.renamed_from, r.clause_id) for r in result.renamed] == [("old-name", "new-name")]


def test_section_and_scope_match_one_candidate_each() -> None:
    # Same section and consent state, one on each side: the same promise, renamed.
    result = diff(policy(retention=[retention("a")]), policy(retention=[retention("b", "1y")]))
    assert row(result, "b").renamed_from == "a"


def test_ambiguous_candidates_are_added_and_removed_never_guessed() -> None:
    old = policy(retention=[retention("a"), retention("b", data_kinds=["email"])])
    new = policy(retention=[retention("c"), retention("d", data_kinds=["email"])])
    result = diff(old, new)
    assert sorted((r.clause_id, r.direction.value) for r in result.rows) == [
        ("a", "removed"),
        ("b", "removed"),
        ("c", "added"),
        ("d", "added"),
    ]


def test_a_removed_policy_removes_every_promise() -> None:
    result = diff(policy(retention=[retention()]), None)
    assert [(r.clause_id, r.direction.value) for r in result.rows if r.section != "vocabulary"] == [
        ("kept", "removed")
    ]
    assert row(result, "kept").old is not None and row(result, "kept").new is None


def test_replaces_that_names_nothing_is_said() -> None:
    result = diff(
        policy(retention=[retention("a")]),
        policy(retention=[retention("a"), retention("b", replaces="gone", data_kinds=["email"])]),
    )
    assert [n.code for n in result.notes] == [REPLACES_NOTHING]
    assert "replaces 'gone'" in result.notes[0].message
    assert result.notes[0].location.path == ("retention", 1, "replaces")


# --- notes about the pair -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("version", "effective", "said"),
    [
        ("2.0", "2025-01-01", []),
        ("1.1", "2025-01-01", ["without a major version bump"]),
        ("2.0", "2024-01-01", ["not later"]),
        ("1.1", "2023-01-01", ["without a major version bump", "not later"]),
    ],
)
def test_a_loosening_needs_a_major_bump_and_a_later_date(
    version: str, effective: str, said: list[str]
) -> None:
    result = diff(
        policy(retention=[retention()]),
        policy(version, effective, retention=[retention(max_="90d")]),
    )
    notes = [n for n in result.notes if n.code == UNANNOUNCED]
    assert len(notes) == len(said)
    for note, words in zip(notes, said, strict=True):
        assert words in note.message
        assert note.location.file == "new.yaml" and note.location.position is not None


def test_a_tightening_needs_no_bump() -> None:
    result = diff(
        policy(retention=[retention(max_="90d")]),
        policy("1.0", "2024-01-01", retention=[retention()]),
    )
    assert result.notes == []


def test_the_same_members_in_another_order_are_no_change() -> None:
    def anonymise(filters: list[str]) -> dict[str, Any]:
        return {
            "id": "anon",
            "statement": "Anonymised.",
            "applies_to": "training",
            "required_filters": filters,
        }

    result = diff(
        policy(anonymisation=[anonymise(["pii_redaction", "anonymisation"])]),
        policy(anonymisation=[anonymise(["anonymisation", "pii_redaction"])]),
    )
    assert result.rows == [] and result.unchanged == 1


def test_an_unrelated_pair_is_compared_and_said() -> None:
    other = policy(retention=[retention()])
    other["metadata"]["id"] = "other"
    result = diff(policy(retention=[retention()]), other)
    (note,) = result.notes
    assert note.code == "not-superseded"
    assert note.message.startswith("policy 'other' does not say it supersedes 'p'")
    other["metadata"]["supersedes"] = "p"
    assert diff(policy(retention=[retention()]), other).notes == []


# --- rights per tier and regions (policy language 2) -----------------------------------------

EXPORT = {"id": "export", "statement": "Export.", "right": "export", "tier_groups": ["consumer"]}
REGIONS = {"eea": {"countries": ["DE", "FR"]}, "uk": {"countries": ["GB"]}}


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        # Promising the right to more tiers widens it; a promise made for no tier before is
        # widened by naming some.
        ({}, {"tier_groups": ["consumer", "business"]}, {"tier_groups": "scope-widened"}),
        ({"tier_groups": None}, {}, {"tier_groups": "scope-widened"}),
        # One more tier said not to get the right, or a longer-lived download link, loosens.
        ({}, {"not_offered_to": ["business"]}, {"not_offered_to": "loosened"}),
        (
            {"artefact_lifetime": "24h"},
            {"artefact_lifetime": "7d"},
            {"artefact_lifetime": "loosened"},
        ),
        ({"artefact_lifetime": "24h"}, {}, {"artefact_lifetime": "loosened"}),
    ],
)
def test_rights_per_tier_read_as_their_promise_moved(
    old: dict[str, Any], new: dict[str, Any], expected: dict[str, str]
) -> None:
    def clause(fields: dict[str, Any]) -> dict[str, Any]:
        merged = {**EXPORT, **fields}
        return {k: v for k, v in merged.items() if v is not None}

    result = diff(policy(user_rights=[clause(old)]), policy(user_rights=[clause(new)]))
    assert changes(result, "export") == expected


def test_a_clause_holding_in_more_regions_widens_and_in_fewer_narrows() -> None:
    vocabulary = {**policy()["vocabulary"], "regions": REGIONS}
    clause = {**EXPORT, "regions": ["eea"]}

    def versions(old: dict[str, Any], new: dict[str, Any]) -> dict[str, str]:
        return changes(
            diff(
                policy(vocabulary=vocabulary, user_rights=[old]),
                policy(vocabulary=vocabulary, user_rights=[new]),
            ),
            "export",
        )

    assert versions(clause, {**clause, "regions": ["eea", "uk"]}) == {"regions": "scope-widened"}
    assert versions(clause, EXPORT) == {"regions": "scope-widened"}  # everywhere
    assert versions(EXPORT, clause) == {"regions": "scope-narrowed"}


def test_a_region_gaining_a_country_widens_it() -> None:
    old = {**policy()["vocabulary"], "regions": REGIONS}
    new = {**old, "regions": {**REGIONS, "uk": {"countries": ["GB", "GG", "JE"]}}}
    result = diff(
        policy(vocabulary=old, user_rights=[EXPORT]),
        policy(vocabulary=new, user_rights=[EXPORT]),
    )
    region = row(result, "regions.uk")
    assert region.direction is Direction.SCOPE_WIDENED
    (change,) = region.changes
    assert (change.field, change.note) == ("countries", "GG and JE joined the region")
