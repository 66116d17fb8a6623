"""What every flag adapter shares: from a flag's outcomes per tier to tier facts or reasons.

The flag set here is scripted (each tier's outcomes are given), so that the rules are tested
apart from any platform's evaluation; the adapters' own tests read real exports.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from checker.adapters import flagd, launchdarkly
from checker.adapters.flag_rules import (
    Context,
    Outcome,
    Refused,
    Remark,
    Served,
    Unknown,
    describe,
    read_rules,
    value_key,
)
from checker.core.diagnostics import Level
from checker.documents import load_document
from checker.documents.document import Document
from tests.flag_support import rule, write
from tests.policy_support import schema_errors

EXPORT = {"flags": {"train": {"line": 1}, "toggle": {"line": 2}}}
TARGETING = ("flags", "train", "line")
OTHER = ("flags", "toggle", "line")


@dataclass
class Scripted:
    """Flags whose outcomes per tier are given; any tier not scripted is served ``true``."""

    export: Document
    outcomes: dict[tuple[str, str], list[Outcome]]
    remarked: dict[str, list[Remark]] = field(default_factory=dict)
    asked: list[Context] = field(default_factory=list)

    def keys(self) -> list[str]:
        return list(self.export.data["flags"])

    def find(self, key: str) -> tuple[str, str] | None:
        return ("flags", key) if key in self.export.data["flags"] else None

    def evaluate(self, key: str, context: Context) -> list[Outcome]:
        self.asked.append(context)
        default: list[Outcome] = [Served(True, ("flags", key, "line"), "the default")]
        return self.outcomes.get((key, context.value), default)

    def remarks(self, key: str) -> list[Remark]:
        return self.remarked.get(key, [])


def run(
    tmp_path: Path,
    rules: list[dict[str, Any]],
    outcomes: dict[tuple[str, str], list[Outcome]] | None = None,
    remarks: dict[str, list[Remark]] | None = None,
) -> tuple[Scripted, Any, list[str]]:
    export = load_document(write(tmp_path, "flags.json", EXPORT), name="flags.json")
    snapshot = load_document(
        write(tmp_path, "snapshot.json", {"imports": [{"rules": rules}]}), name="snapshot.json"
    )
    flags = Scripted(export, outcomes or {}, remarks or {})
    result = read_rules(flags, {"rules": rules}, lambda p: snapshot.locate(("imports", 0, *p)))
    return flags, result, [str(d) for d in result.diagnostics]


def test_each_tier_is_evaluated_with_its_attribute_alone(tmp_path: Path) -> None:
    flags, result, lines = run(
        tmp_path,
        [{**rule("train", ["free", "team"], "account.plan"), "context_kind": "org"}],
        {("train", "team"): [Served(False, OTHER, "rule 1")]},
    )
    assert flags.asked == [
        Context("account.plan", "free", "org"),
        Context("account.plan", "team", "org"),
    ]
    assert [(i.section, i.data, i.origin, i.field_origins) for i in result.items] == [
        ("tiers", {"id": "free", "training_default": "trained"}, ("flags", "train"),
         {("training_default",): TARGETING}),
        ("tiers", {"id": "team", "training_default": "opt_in"}, ("flags", "train"),
         {("training_default",): OTHER}),
    ]  # fmt: skip
    assert lines == []


def test_two_rules_give_two_fields_of_one_tier(tmp_path: Path) -> None:
    exposed = {"training_control_exposed": {"true": True, "false": False}}
    _, result, lines = run(tmp_path, [rule("train", ["free"]), rule("toggle", ["free"], **exposed)])
    (item,) = result.items
    assert item.data == {
        "id": "free",
        "training_default": "trained",
        "training_control": {"exposed": True},
    }
    assert item.field_origins == {
        ("training_default",): TARGETING,
        ("training_control", "exposed"): OTHER,
        ("training_control",): OTHER,
    }
    assert lines == []


def test_a_fact_two_rules_give_is_an_error_at_the_second(tmp_path: Path) -> None:
    _, result, lines = run(tmp_path, [rule("train", ["free"]), rule("toggle", ["free", "pro"])])
    assert [i.data for i in result.items] == [
        {"id": "free", "training_default": "trained"},
        {"id": "pro", "training_default": "trained"},
    ]
    assert lines == [
        'snapshot.json:23:31: error: rule 2 (flag "toggle"), for tier free: training_default is '
        "already given by rule 1; each fact comes from one rule "
        "(at $.imports[0].rules[1].training_default)"
    ]


def test_a_flag_the_export_lacks_is_an_error_at_the_rule(tmp_path: Path) -> None:
    _, result, lines = run(tmp_path, [rule("trian", ["free"]), rule("nothing-like-it", ["free"])])
    assert result.items == []
    assert lines == [
        'snapshot.json:6:19: error: rule 1: flag "trian" is not in flags.json (it has 2 flags); '
        'did you mean "train"?; no tier gets a fact from this rule (at $.imports[0].rules[0].flag)',
        'snapshot.json:17:19: error: rule 2: flag "nothing-like-it" is not in flags.json (it has '
        "2 flags); no tier gets a fact from this rule (at $.imports[0].rules[1].flag)",
    ]


def test_a_value_the_map_does_not_cover_is_an_error_at_the_map(tmp_path: Path) -> None:
    served = {
        ("train", "max"): [Served("maybe", TARGETING, "rule 3")],
        ("train", "pro"): [Served({"a": 1}, TARGETING, "rule 3")],
    }
    _, result, lines = run(tmp_path, [rule("train", ["free", "max", "pro"])], served)
    assert [i.data["id"] for i in result.items] == ["free"]
    assert lines == [
        'snapshot.json:13:31: error: rule 1 (flag "train"), for tier max: the flag serves '
        '"maybe" (rule 3, at flags.json:4:15), which training_default does not map (it maps '
        '"true", "false") (at $.imports[0].rules[0].training_default)',
        'snapshot.json:13:31: error: rule 1 (flag "train"), for tier pro: the flag serves '
        '{"a": 1} (rule 3, at flags.json:4:15), which training_default does not map (it maps '
        '"true", "false") (at $.imports[0].rules[0].training_default)',
    ]


def test_unknown_outcomes_are_not_evidenced_once_for_all_tiers_they_concern(
    tmp_path: Path,
) -> None:
    rollout = Unknown("a percentage rollout", OTHER)
    outcomes = {("train", t): [rollout] for t in ("free", "pro")}
    _, result, lines = run(tmp_path, [rule("train", ["free", "pro", "max"])], outcomes)
    assert [i.data["id"] for i in result.items] == ["max"]
    assert lines == [
        'flags.json:7:15: warning: rule 1 (flag "train"), for tiers free, pro: not evidenced: '
        "a percentage rollout (at $.flags.toggle.line)"
    ]


def test_refused_outcomes_are_errors_in_the_export(tmp_path: Path) -> None:
    disabled = Refused("the flag is disabled", ("flags", "train"), "flagd-disabled")
    _, result, lines = run(tmp_path, [rule("train", ["free"])], {("train", "free"): [disabled]})
    assert result.items == []
    assert lines == [
        'flags.json:3:14: error: rule 1 (flag "train"), for tier free: the flag is disabled '
        "(at $.flags.train)"
    ]
    assert result.diagnostics[0].code == "flagd-disabled"


def test_undecided_paths_that_agree_are_evidenced(tmp_path: Path) -> None:
    why = Unknown("an individual target", OTHER)
    both = [
        Served(True, OTHER, "targets[0]", (why,)),
        Served(True, TARGETING, "fallthrough", (why,)),
    ]
    _, result, lines = run(tmp_path, [rule("train", ["free"])], {("train", "free"): both})
    assert result.items[0].data == {"id": "free", "training_default": "trained"}
    assert lines == []


def test_undecided_paths_that_disagree_are_not_evidenced(tmp_path: Path) -> None:
    why = Unknown("an individual target", OTHER)
    split = [
        Served(False, OTHER, "targets[0]", (why,)),
        Served(True, TARGETING, "fallthrough", (why,)),
    ]
    _, result, lines = run(tmp_path, [rule("train", ["free"])], {("train", "free"): split})
    assert result.items == []
    assert lines == [
        'flags.json:7:15: warning: rule 1 (flag "train"), for tier free: not evidenced: '
        'training_default is "opt_in" or "trained" depending on what the export cannot decide '
        "for a tier alone (an individual target) (at $.flags.toggle.line)"
    ]


def test_remarks_are_warnings_in_the_export(tmp_path: Path) -> None:
    off = {"train": [Remark(("flags", "train"), "flag is off", "launchdarkly-flag-off")]}
    _, result, lines = run(tmp_path, [rule("train", ["free"])], remarks=off)
    assert lines == ["flags.json:3:14: warning: flag is off (at $.flags.train)"]
    assert [d.level for d in result.diagnostics] == [Level.WARNING]
    assert len(result.items) == 1


@pytest.mark.parametrize(
    ("value", "key"),
    [(True, "true"), (False, "false"), (None, "null"), ("on", "on"), (3, "3"), (1.5, "1.5"),
     ({"a": 1}, None), ([1], None)],
)  # fmt: skip
def test_value_keys(value: Any, key: str | None) -> None:
    assert value_key(value) == key


def test_describe_keeps_one_line_and_shortens() -> None:
    assert describe({"b": "x\ny", "a": 1}) == '{"a": 1, "b": "x\\ny"}'
    assert describe("x" * 100).endswith("…")
    assert len(describe("x" * 100)) == 81


def _entry(adapter: str, **keys: Any) -> dict[str, Any]:
    return {
        "snapshot_format": 1,
        "metadata": {"system": "chat", "environment": "production", "taken_at": "2026-11-01"},
        "imports": [{"adapter": adapter, "path": "flags.json", **keys}],
    }


@pytest.mark.parametrize("adapter", [flagd.ADAPTER.name, launchdarkly.ADAPTER.name])
def test_the_snapshot_schema_holds_flag_entries_to_their_shape(adapter: str) -> None:
    """Entries are judged by the product's validation, with the schema the adapters generate."""
    good = [
        {"rules": [rule("train", ["free", "pro"])]},
        {"rules": [rule("t", ["free"], training_control_exposed={"on": True})]},
    ]
    for keys in good:
        assert schema_errors("snapshot", _entry(adapter, **keys)) == [], keys
    bad = {
        "no rules": ({}, ("schema-required", "$.imports[0]")),
        "empty rules": ({"rules": []}, ("schema-minItems", "$.imports[0].rules")),
        "maps nothing": (
            {"rules": [{"flag": "t", "tier_attribute": "plan", "tiers": ["free"]}]},
            ("schema-required", "$.imports[0].rules[0]"),  # needs training_default or …
        ),
        "no tiers": (
            {"rules": [rule("t", [])]},
            ("schema-minItems", "$.imports[0].rules[0].tiers"),
        ),
        "tier id": (
            {"rules": [rule("t", ["Free"])]},
            ("schema-pattern", "$.imports[0].rules[0].tiers[0]"),
        ),
        "twice": (
            {"rules": [rule("t", ["free", "free"])]},
            ("schema-uniqueItems", "$.imports[0].rules[0].tiers[1]"),
        ),
        "default": (
            {"rules": [rule("t", ["free"], training_default={"true": "sometimes"})]},
            ("schema-enum", "$.imports[0].rules[0].training_default.true"),
        ),
        "exposed": (
            {"rules": [rule("t", ["free"], training_control_exposed={"true": "yes"})]},
            ("schema-type", "$.imports[0].rules[0].training_control_exposed.true"),
        ),
        "unknown key": (
            {"rules": [{**rule("t", ["free"]), "tier": "x"}]},
            ("schema-unknown-key", "$.imports[0].rules[0].tier"),
        ),
    }
    for why, (keys, expected) in bad.items():
        assert expected in schema_errors("snapshot", _entry(adapter, **keys)), why


def test_only_launchdarkly_entries_name_an_environment_and_a_context_kind() -> None:
    ld = {"environment": "production", "rules": [{**rule("t", ["free"]), "context_kind": "org"}]}
    assert schema_errors("snapshot", _entry("launchdarkly", **ld)) == []
    assert schema_errors("snapshot", _entry("flagd", **ld)) != []
