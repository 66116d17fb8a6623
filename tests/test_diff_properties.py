"""Properties of the diff over generated policies: reading the change backwards swaps every
direction (loosened ↔ tightened, added ↔ removed, scope widened ↔ narrowed; needs review
stays), and a policy compared with itself has no change."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from checker.diff.model import PolicyDiff, Row
from tests.diff_support import diff, policy

DURATIONS = ["0s", "30d", "90d", "1y", "365d", "2y", "5y", "P5Y", "indefinite"]
TIERS = ["free", "pro", "max", "team", "enterprise"]
GROUPS = ["consumer", "business"]


def _maybe(draw: st.DrawFn, key: str, values: st.SearchStrategy[Any]) -> dict[str, Any]:
    return {key: draw(values)} if draw(st.booleans()) else {}


@st.composite
def policies(draw: st.DrawFn) -> dict[str, Any]:
    groups = {
        name: {"tiers": draw(st.lists(st.sampled_from(TIERS), min_size=1, max_size=3, unique=True))}
        for name in GROUPS
    }
    vocabulary = {
        "tier_groups": groups,
        "data_kinds": {
            "conversations": {"description": "chats"},
            "email": {
                "description": draw(st.sampled_from(["addresses", "identifiers"])),
                **_maybe(draw, "identifiable", st.booleans()),
            },
        },
    }
    sections: dict[str, Any] = {"vocabulary": vocabulary}
    group_lists = st.lists(st.sampled_from(GROUPS), min_size=1, max_size=2, unique=True)
    if draw(st.booleans()):
        sections["training_consent"] = [
            {
                "id": "consent",
                "statement": draw(st.sampled_from(["Asked.", "Told."])),
                "tier_groups": draw(group_lists),
                "default": draw(
                    st.sampled_from(["never", "opt_in_required", "trained_unless_opted_out"])
                ),
                "user_can_change": draw(st.booleans()),
                **_maybe(draw, "consent_filter", st.sampled_from(["required", "not_required"])),
                **_maybe(draw, "severity", st.sampled_from(["low", "high", "critical"])),
            }
        ]
    states = draw(
        st.lists(
            st.sampled_from(["training_allowed", "training_not_allowed", "deleted_by_user"]),
            max_size=3,
            unique=True,
        )
    )
    if states:
        sections["retention"] = [
            {
                "id": f"keep-{state}",
                "statement": "Kept.",
                "data_kinds": draw(
                    st.lists(
                        st.sampled_from(["conversations", "email"]),
                        min_size=1,
                        max_size=2,
                        unique=True,
                    )
                ),
                "consent_state": state,
                "max": draw(st.sampled_from(DURATIONS)),
                **_maybe(draw, "tier_groups", group_lists),
                **_maybe(draw, "if_not_evidenced", st.sampled_from(["fail", "warn", "pass"])),
            }
            for state in states
        ]
    if draw(st.booleans()):
        sections["sensitive_data"] = [
            {
                "id": "sensitive",
                "statement": "Not kept.",
                "categories": ["health"],
                "retention": draw(st.sampled_from(["never", "30d", "5y"])),
                "training": draw(st.sampled_from(["never", "allowed"])),
                **_maybe(draw, "exception", st.sampled_from(["none", "explicit_permission"])),
            }
        ]
    if draw(st.booleans()):
        sections["anonymisation"] = [
            {
                "id": "anon",
                "statement": "Anonymised.",
                "applies_to": draw(st.sampled_from(["training", "storage", "sharing"])),
                "required_filters": draw(
                    st.lists(
                        st.sampled_from(["pii_redaction", "anonymisation", "minors"]),
                        min_size=1,
                        unique=True,
                    )
                ),
            }
        ]
    if draw(st.booleans()):
        sections["sharing"] = [
            {
                "id": "share",
                "statement": "Little.",
                "identifiable_data": draw(st.sampled_from(["never", "with_dpa"])),
                "sale": draw(st.sampled_from(["never", "allowed"])),
                "allowed_recipients": draw(
                    st.lists(
                        st.fixed_dictionaries(
                            {
                                "kind": st.sampled_from(["research_partner", "processor"]),
                                "anonymised": st.booleans(),
                                "agreements": st.sampled_from([["nda"], ["dpa"]]),
                            }
                        ),
                        max_size=2,
                        unique_by=lambda r: (r["kind"], r["anonymised"], tuple(r["agreements"])),
                    )
                ),
            }
        ]
    if draw(st.booleans()):
        sections["user_rights"] = [
            {
                "id": "right",
                "statement": "Offered.",
                "right": draw(st.sampled_from(["storage_opt_out", "training_opt_out", "deletion"])),
                **_maybe(draw, "deadline", st.sampled_from(DURATIONS)),
                **_maybe(draw, "confirmation", st.booleans()),
            }
        ]
    return policy(
        draw(st.sampled_from(["1.0", "2.0"])),
        draw(st.sampled_from(["2024-01-01", "2025-01-01"])),
        **sections,
    )


def _key(row: Row) -> tuple[str, frozenset[str]]:
    return row.section, frozenset({row.clause_id, row.renamed_from} - {""})


def _by_key(result: PolicyDiff) -> dict[tuple[str, frozenset[str]], Row]:
    rows = [*result.rows, *result.renamed]
    keyed = {_key(row): row for row in rows}
    assert len(keyed) == len(rows)
    return keyed


@settings(max_examples=100, deadline=None)
@given(policies(), policies())
def test_swapping_old_and_new_swaps_every_direction(
    old: dict[str, Any], new: dict[str, Any]
) -> None:
    forward, backward = _by_key(diff(old, new)), _by_key(diff(new, old))
    assert forward.keys() == backward.keys()
    for key, ahead in forward.items():
        behind = backward[key]
        assert {c.field: c.direction.swapped() for c in ahead.changes} == {
            c.field: c.direction for c in behind.changes
        }, key
        if not ahead.changes or ahead.direction.value in ("added", "removed"):
            assert behind.direction == ahead.direction.swapped()


@settings(max_examples=50, deadline=None)
@given(policies())
def test_a_policy_compared_with_itself_has_no_change(same: dict[str, Any]) -> None:
    result = diff(same, same)
    assert result.rows == [] and result.renamed == [] and result.notes == []
