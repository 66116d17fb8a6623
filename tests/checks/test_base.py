"""What every check shares: ``checker/checks/base.py``.

The vocabulary, the snapshot sections a check reads (with their paths), and the small helpers
that word messages, parse snapshot durations and dates, and fail closed on missing sections.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest

from checker.checks import base, retention
from checker.checks.base import CheckContext, Vocabulary
from checker.core.durations import parse_duration
from checker.core.results import Status
from tests.checks.support import AS_OF, POLICY


def context(snapshot: dict[str, Any], clause: dict[str, Any] | None = None) -> CheckContext:
    return CheckContext(clause or {}, POLICY, snapshot, Vocabulary.from_policy(POLICY), AS_OF)


# --- the vocabulary ---------------------------------------------------------------------------


def test_vocabulary_reads_tier_groups_and_identifiable_kinds() -> None:
    vocabulary = Vocabulary.from_policy(POLICY)
    assert vocabulary.tier_groups == {
        "consumer": ("free", "pro"),
        "business": ("team", "enterprise"),
        "api": ("api",),
    }
    assert vocabulary.identifiable_kinds == frozenset({"email"})


def test_vocabulary_of_a_policy_without_one_is_empty() -> None:
    vocabulary = Vocabulary.from_policy({})
    assert (vocabulary.tier_groups, vocabulary.identifiable_kinds) == ({}, frozenset())
    assert vocabulary.tiers_of(["consumer"]) == []


def test_tiers_of_keeps_policy_order_without_repeats_and_skips_unknown_groups() -> None:
    vocabulary = Vocabulary({"a": ("x", "y"), "b": ("y", "z")}, frozenset())
    assert vocabulary.tiers_of(["b", "nope", "a"]) == ["y", "z", "x"]


# --- snapshot sections ------------------------------------------------------------------------


def test_section_pairs_items_with_their_paths_and_skips_what_is_not_a_mapping() -> None:
    ctx = context({"stores": [{"id": "a"}, "stray", None, {"id": "b"}]})
    assert ctx.section("stores") == [(("stores", 0), {"id": "a"}), (("stores", 3), {"id": "b"})]


@pytest.mark.parametrize("snapshot", [{}, {"stores": None}, {"stores": []}])
def test_a_missing_or_empty_section_has_no_items(snapshot: dict[str, Any]) -> None:
    assert context(snapshot).section("stores") == []


def test_sections_are_indexed_once_per_snapshot() -> None:
    """The engine passes one cache per snapshot: every clause reuses the same index."""
    shared: dict[str, Any] = {}
    snapshot = {"stores": [{"id": "a"}]}
    first = CheckContext({}, POLICY, snapshot, Vocabulary.from_policy(POLICY), AS_OF, shared)
    second = CheckContext({"x": 1}, POLICY, snapshot, Vocabulary.from_policy(POLICY), AS_OF, shared)
    assert first.section("stores") is second.section("stores")
    assert first.by_id("stores") is second.by_id("stores")


def test_by_id_keeps_every_item_of_a_repeated_id_in_order() -> None:
    ctx = context({"stores": [{"id": "a", "n": 1}, {"id": "b"}, {"id": "a", "n": 2}, {"n": 3}]})
    assert ctx.by_id("stores") == {
        "a": [(("stores", 0), {"id": "a", "n": 1}), (("stores", 2), {"id": "a", "n": 2})],
        "b": [(("stores", 1), {"id": "b"})],
        None: [(("stores", 3), {"n": 3})],
    }


def test_training_pipelines_are_those_whose_purpose_is_training() -> None:
    ctx = context(
        {
            "pipelines": [
                {"id": "t", "purpose": "training"},
                {"id": "a", "purpose": "analytics"},
                {"id": "n"},
            ]
        }
    )
    assert base.training_pipelines(ctx) == [(("pipelines", 0), {"id": "t", "purpose": "training"})]


@pytest.mark.parametrize(
    ("section", "words"),
    [
        ("pipelines", "its data pipelines"),
        ("stores", "its data stores"),
        ("recipients", "who receives data"),
    ],
)
def test_a_missing_section_is_not_evidenced(section: str, words: str) -> None:
    observation = base.section_missing(context({}), section, "expected", ("field",))
    assert observation is not None
    assert (
        observation.status,
        observation.resource,
        observation.message,
        observation.expected,
        observation.actual,
        observation.evidence,
        observation.clause_path,
    ) == (
        Status.NOT_EVIDENCED,
        section,
        f"the snapshot does not record {words}",
        "expected",
        "not recorded in the snapshot",
        None,
        ("field",),
    )


def test_an_empty_section_is_evidence() -> None:
    assert base.section_missing(context({"stores": []}), "stores", "expected") is None


# --- values in the snapshot -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [("30d", "30d"), ("P1Y", "P1Y"), ("indefinite", "indefinite"), (None, None), ("soon", None)],
)
def test_duration_parses_snapshot_values_and_gives_none_for_the_rest(
    value: Any, expected: str | None
) -> None:
    parsed = base.duration(value)
    assert (str(parsed) if parsed is not None else None) == expected
    if expected is not None:
        assert parsed == parse_duration(expected)


@pytest.mark.parametrize(
    ("value", "days"),
    [
        ("2026-11-20", 1),
        ("2026-11-21", 0),
        ("2026-11-22", -1),
        ("2025-11-21", 365),
        ("2026-11-01T09:30:00Z", 20),  # a date-time counts by its date
    ],
)
def test_age_of_counts_whole_days_before_the_as_of_date(value: str, days: int) -> None:
    age = base.age_of(value, AS_OF)
    assert age is not None
    assert (age.seconds, str(age)) == (days * 86_400, f"{days} days")


@pytest.mark.parametrize("value", [None, 20261121, "21/11/2026", "last week", ""])
def test_age_of_something_that_is_not_a_date_is_none(value: Any) -> None:
    assert base.age_of(value, dt.date(2026, 11, 21)) is None


def test_holds_any_lists_the_wanted_items_present_in_wanted_order() -> None:
    store = {"data_kinds": ["email", "conversations"], "tiers": None}
    assert base.holds_any(store, "data_kinds", ["conversations", "email", "x"]) == [
        "conversations",
        "email",
    ]
    assert base.holds_any(store, "tiers", ["free"]) == []
    assert base.holds_any(store, "absent", ["free"]) == []


def test_consent_states_are_the_retention_states_of_the_snapshot_schema() -> None:
    assert base.consent_states() == (
        "training_allowed",
        "training_not_allowed",
        "deleted_by_user",
        "flagged_for_safety",
        "feedback",
    )


def test_unwindowed_states_are_those_without_a_window_unless_any_is_given() -> None:
    assert base.unwindowed_states({"training_allowed": "5y", "feedback": "1y"}) == [
        "training_not_allowed",
        "deleted_by_user",
        "flagged_for_safety",
    ]
    assert base.unwindowed_states({"any": "30d"}) == []
    assert base.unwindowed_states({}) == list(base.consent_states())


@pytest.mark.parametrize(
    ("data", "path", "found"),
    [
        ({"a": {"b": [1, 2]}}, ("a", "b", 1), ("a", "b", 1)),
        ({"a": {"b": [1, 2]}}, ("a", "b", 2), ("a", "b")),
        ({"a": {"b": [1, 2]}}, ("a", "c", "d"), ("a",)),
        ({"a": {"b": [1, 2]}}, ("x",), ()),
        ({"a": [1]}, ("a", "0"), ("a",)),  # a key is not an index
        ({"a": {"0": 1}}, ("a", 0), ("a",)),  # nor an index a key
        ({"a": [1]}, ("a", -1), ("a",)),
    ],
)
def test_nearest_is_the_longest_existing_prefix(
    data: Any, path: tuple[str | int, ...], found: tuple[str | int, ...]
) -> None:
    assert base.nearest(data, path) == found


# --- wording ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("items", "joined", "alternatives"),
    [
        ([], "none", "none"),
        (["a"], "a", "a"),
        (["a", "b"], "a and b", "a or b"),
        (["a", "b", "c"], "a, b and c", "a, b or c"),
    ],
)
def test_words_and_either(items: list[str], joined: str, alternatives: str) -> None:
    assert base.words(items) == joined
    assert base.either(iter(items)) == alternatives


def test_observation_helpers_set_status_and_actual() -> None:
    passed = base.passed("r", "m", "e", "a", ("x",))
    failed = base.failed("r", "m", "e", "a", ("x",), ("f",))
    missing = base.not_evidenced("r", "m", "e", None)
    assert (passed.status, passed.clause_path) == (Status.PASS, ())
    assert (failed.status, failed.clause_path, failed.actual) == (Status.FAIL, ("f",), "a")
    assert (missing.status, missing.actual) == (
        Status.NOT_EVIDENCED,
        "not recorded in the snapshot",
    )


def test_a_check_is_summarised_by_the_first_line_of_its_doc_or_its_title() -> None:
    documented = dataclasses.replace(retention.CHECK, doc="\n  First line.\nMore.\n")
    undocumented = dataclasses.replace(retention.CHECK, doc="  \n")
    assert (documented.summary, undocumented.summary) == ("First line.", retention.CHECK.title)


# --- copies hold what they copy ---------------------------------------------------------------


def test_a_copy_holds_the_data_kinds_and_tiers_of_its_sources() -> None:
    snapshot = {
        "stores": [
            {"id": "chats", "data_kinds": ["conversations"], "tiers": ["free"]},
            {"id": "prefs", "data_kinds": ["preferences", "conversations"]},
            {"id": "both", "copy_of": ["chats", "prefs"]},
            {"id": "own", "copy_of": ["chats"], "data_kinds": ["email"]},
            {"id": "deeper", "copy_of": ["both"]},
        ]
    }
    stores = {item["id"]: item for _, item in context(snapshot).section("stores")}
    # every source records data kinds; prefs does not record its tiers, so both's are unknown
    assert stores["both"]["data_kinds"] == ["conversations", "preferences"]
    assert "tiers" not in stores["both"]
    assert (stores["own"]["data_kinds"], stores["own"]["tiers"]) == (["email"], ["free"])
    assert stores["deeper"]["data_kinds"] == ["conversations", "preferences"]
    assert snapshot["stores"][2] == {"id": "both", "copy_of": ["chats", "prefs"]}  # untouched


def test_copies_in_a_cycle_inherit_only_what_their_members_record() -> None:
    snapshot = {
        "stores": [
            {"id": "a", "copy_of": ["b"]},
            {"id": "b", "copy_of": ["a"]},
            {"id": "c", "copy_of": ["c", "missing"]},
            {"id": "d", "data_kinds": ["email"]},
            {"id": "e", "copy_of": ["d", "e"]},
        ]
    }
    stores = [item for _, item in context(snapshot).section("stores")]
    assert all("data_kinds" not in store and "tiers" not in store for store in stores[:3])
    assert stores[4]["data_kinds"] == ["email"]  # itself among its sources adds nothing


def test_a_store_is_named_by_its_id_whichever_clause_names_it() -> None:
    """Each clause reads a block of stores whole before the next does (in_step): every
    clause names each store by its own id, never by another's."""
    block = [{"id": f"s{i}"} for i in range(250)]
    first = [base.store_passes(store, 1) for store in block]
    second = [base.store_passes(store, 2) for store in block]
    assert [o.resource for o in first] == [f"store:s{i}" for i in range(250)]
    assert [o.resource for o in second] == [o.resource for o in first]
    assert {o.times for o in first} == {1} and {o.times for o in second} == {2}
    copy = dict(block[0])  # equal, but another store: named by its own id
    copy["id"] = "c"
    assert base.store_passes(copy, 2).resource == "store:c"
