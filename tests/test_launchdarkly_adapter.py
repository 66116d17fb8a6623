"""The LaunchDarkly adapter on real SDK flag files (tests/data/fixtures/flags, from
launchdarkly/java-server-sdk, Apache-2.0; see tests/data/SOURCES.md), on REST flag objects
written for this project in the documented shape (tests/data/flags), and on small exports
written here for single cases. Verdicts were decided by reading each file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from checker.adapters.flag_rules import Context, Served, Unknown
from checker.adapters.launchdarkly import ADAPTER, LaunchDarklyFlags
from checker.core.diagnostics import Level
from checker.documents import load_document
from tests.flag_support import WRITTEN, Read, fixture, read, rule, write

REST = WRITTEN / "launchdarkly-rest-training.json"
REST_LIST = WRITTEN / "launchdarkly-rest-flags.json"
SDK_YAML = WRITTEN / "launchdarkly-sdk-training.yaml"
DEFAULTS = {
    "training_default": {"trained": "trained", "opt_in": "opt_in", "not_trained": "not_trained"}
}
BOOLEAN = {"training_default": {"true": "trained", "false": "not_trained"}}
EXPOSED = {"training_control_exposed": {"true": True, "false": False}}


def run(path: Path, rules: list[dict[str, Any]], tmp_path: Path, **entry: Any) -> Read:
    return read(ADAPTER, path, {"rules": rules, **entry}, tmp_path)


def sdk_file(tmp_path: Path, **flags: Any) -> Path:
    return write(tmp_path, "flags.json", {"flags": flags})


def sdk_flag(**fields: Any) -> dict[str, Any]:
    """A boolean SDK flag, on, serving true by default and false when off."""
    return {"on": True, "variations": [True, False], "fallthrough": {"variation": 0},
            "offVariation": 1, **fields}  # fmt: skip


def clause(attribute: str, op: str, values: list[Any], **more: Any) -> dict[str, Any]:
    return {"attribute": attribute, "op": op, "values": values, **more}


# -- real SDK file data source files -----------------------------------------------------------


@pytest.mark.parametrize("name", ["launchdarkly-java-all-properties.json",
                                  "launchdarkly-java-all-properties.yml"])  # fmt: skip
def test_the_sdk_file_data_source(tmp_path: Path, name: str) -> None:
    """``flag1`` is on and falls through to variation 2 (``"on"``); ``flag2`` is the
    ``flagValues`` constant ``"value2"`` for every context."""
    rules = [
        rule("flag1", ["free"], training_default={"on": "trained", "off": "opt_in"}),
        rule("flag2", ["free", "team"], training_control_exposed={"value2": True}),
    ]
    got = run(fixture(name), rules, tmp_path)
    assert got.tiers() == {
        "free": {
            "id": "free",
            "training_default": "trained",
            "training_control": {"exposed": True},
        },
        "team": {"id": "team", "training_control": {"exposed": True}},
    }
    places = {"launchdarkly-java-all-properties.json": ("7:22", "13:14"),
              "launchdarkly-java-all-properties.yml": ("7:18", "13:10")}  # fmt: skip
    assert (
        got.where("free", "training_default"),
        got.where("team", "training_control", "exposed"),
    ) == places[name]
    assert got.lines() == []


def test_flag_values_alone(tmp_path: Path) -> None:
    got = run(fixture("launchdarkly-java-value-only.json"), [rule("flag2", ["free"],
              training_default={"value2": "opt_in"})], tmp_path)  # fmt: skip
    assert got.tiers() == {"free": {"id": "free", "training_default": "opt_in"}}
    assert got.where("free", "training_default") == "4:14"


def test_an_environment_for_an_sdk_file_is_reported_unused(tmp_path: Path) -> None:
    rules = [rule("flag2", ["free"], training_default={"value2": "opt_in"})]
    got = run(fixture("launchdarkly-java-value-only.json"), rules, tmp_path, environment="prod")
    assert got.lines() == [
        "snapshot.json:18:22: warning: environment is not used: an SDK flag file has no "
        "environments (it holds the flags of one) (at $.imports[0].environment)"
    ]
    assert len(got.result.items) == 1


# -- REST flag objects -------------------------------------------------------------------------


def test_a_rest_flag_in_the_environment_named(tmp_path: Path) -> None:
    """production: plans team..api are never trained (rule 1), legacy-* with an .edu address
    are not either (rule 2: a clause on email), everyone else falls through to true."""
    tiers = ["free", "pro", "team", "api", "legacy-pro"]
    got = run(REST, [rule("train-on-conversations", tiers, **BOOLEAN)], tmp_path,
              environment="production")  # fmt: skip
    assert got.tiers() == {
        "free": {"id": "free", "training_default": "trained"},
        "pro": {"id": "pro", "training_default": "trained"},
        "team": {"id": "team", "training_default": "not_trained"},
        "api": {"id": "api", "training_default": "not_trained"},
    }
    assert [got.where(t, "training_default") for t in ("free", "team")] == ["50:36", "30:24"]
    assert got.lines() == [
        'launchdarkly-rest-training.json:44:13: warning: rule 1 (flag "train-on-conversations"), '
        'for tier legacy-pro: not evidenced: training_default is "not_trained" or "trained" '
        "depending on what the export cannot decide for a tier alone (the clause tests attribute "
        '"email" of context kind "user"; only "plan" of kind "user" is known for a tier) '
        "(at $.environments.production.rules[1].clauses[1])"
    ]


def test_a_flag_that_is_off_serves_its_off_variation_and_says_so(tmp_path: Path) -> None:
    """staging: off, so its 50/50 rollout does not matter: every tier gets offVariation 1."""
    got = run(REST, [rule("train-on-conversations", ["free"], **BOOLEAN)], tmp_path,
              environment="staging")  # fmt: skip
    assert got.tiers() == {"free": {"id": "free", "training_default": "not_trained"}}
    assert got.where("free", "training_default") == "70:23"
    assert got.lines() == [
        'launchdarkly-rest-training.json:56:13: warning: flag "train-on-conversations" is off in '
        '"staging": every context gets its offVariation, whatever its targeting says '
        "(at $.environments.staging.on)"
    ]


def test_the_environment_is_required_when_a_flag_has_several(tmp_path: Path) -> None:
    got = run(REST, [rule("train-on-conversations", ["free"], **BOOLEAN)], tmp_path)
    assert got.result.items == []
    assert got.lines() == [
        'launchdarkly-rest-training.json:16:19: error: rule 1 (flag "train-on-conversations"), '
        'for tier free: the flag has several environments ("production", "staging"): name the '
        "one to read with the import's environment (at $.environments)"
    ]
    missing = run(REST, [rule("train-on-conversations", ["free"], **BOOLEAN)], tmp_path,
                  environment="prod")  # fmt: skip
    assert set(missing.codes()) == {"launchdarkly-environment"}
    assert any(
        'the flag has no environment "prod" (it has "production", "staging")' in line
        for line in missing.lines()
    )


def test_an_environment_no_flag_has_is_an_error_at_the_import(tmp_path: Path) -> None:
    """A misspelt environment was said only at each flag of the export, where nothing is
    wrong: the fix goes in the snapshot's import entry, so it is said there first."""
    got = run(REST, [rule("train-on-conversations", ["free"], **BOOLEAN)], tmp_path,
              environment="prodd")  # fmt: skip
    first = got.lines()[0]
    assert first.startswith("snapshot.json:"), first
    assert first.endswith(
        'error: no flag of the export has environment "prodd" (its flags have "production", '
        '"staging") (at $.imports[0].environment)'
    ), first
    known = run(REST, [rule("train-on-conversations", ["free"], **BOOLEAN)], tmp_path,
                environment="production")  # fmt: skip
    assert not any("no flag of the export" in line for line in known.lines())


def test_a_list_of_rest_flags(tmp_path: Path) -> None:
    """``training-default-by-plan`` (its prerequisite ``privacy-controls-ready`` is on and
    serves variation 0) and ``show-training-toggle`` (a negated ``in``)."""
    rules = [
        rule("training-default-by-plan", ["free", "max", "team", "api"], **DEFAULTS),
        rule("show-training-toggle", ["free", "api"], **EXPOSED),
    ]
    got = run(REST_LIST, rules, tmp_path, environment="production")
    assert got.tiers() == {
        "free": {
            "id": "free",
            "training_default": "trained",
            "training_control": {"exposed": True},
        },
        "max": {"id": "max", "training_default": "trained"},
        "team": {"id": "team", "training_default": "not_trained"},
        "api": {"id": "api", "training_default": "opt_in", "training_control": {"exposed": False}},
    }
    assert got.where("free") == "3:5"
    assert got.lines() == []


@pytest.mark.parametrize(
    ("flag", "expected"),
    [
        (
            "train-new-signups",
            'launchdarkly-rest-flags.json:73:38: warning: rule 1 (flag "train-new-signups"), '
            "for tier max: not evidenced: the fallthrough (default rule) is a percentage rollout: "
            "which variation a context gets depends on a hash of its key, not on its tier "
            "(at $.items[3].environments.production.fallthrough.rollout)",
        ),
        (
            "legacy-consent",
            'launchdarkly-rest-flags.json:83:19: error: rule 1 (flag "legacy-consent"), for tier '
            "max: the flag is archived: LaunchDarkly serves no value for it, so applications get "
            "the fallback value in their code, which the export does not record "
            "(at $.items[4].archived)",
        ),
        (
            "employee-override",
            'launchdarkly-rest-flags.json:105:23: warning: rule 1 (flag "employee-override"), '
            'for tier max: not evidenced: training_default is "not_trained" or "trained" '
            "depending on what the export cannot decide for a tier alone (targets[0] serves "
            'variation 1 to 2 individual context key(s) of kind "user", and which contexts of a '
            "tier those are is not in the export) "
            "(at $.items[6].environments.production.targets[0])",
        ),
        (
            "segment-gated",
            'launchdarkly-rest-flags.json:122:15: warning: rule 1 (flag "segment-gated"), for '
            'tier max: not evidenced: training_default is "not_trained" or "trained" depending on '
            "what the export cannot decide for a tier alone (the clause tests segment membership, "
            "which depends on context keys and segment rules this reader does not resolve) "
            "(at $.items[7].environments.production.rules[0].clauses[0])",
        ),
        (
            "needs-unexported-flag",
            'launchdarkly-rest-flags.json:138:29: warning: rule 1 (flag "needs-unexported-flag"), '
            'for tier max: not evidenced: prerequisite "not-in-this-export" is not in this export, '
            "so whether it is met cannot be decided "
            "(at $.items[8].environments.production.prerequisites[0])",
        ),
    ],
)
def test_rest_flags_that_a_tier_alone_does_not_decide(
    tmp_path: Path, flag: str, expected: str
) -> None:
    got = run(REST_LIST, [rule(flag, ["max"], **BOOLEAN)], tmp_path, environment="production")
    assert got.result.items == []
    assert got.lines() == [expected]


def test_an_off_flag_without_an_off_variation_is_not_evidenced(tmp_path: Path) -> None:
    got = run(REST_LIST, [rule("beta-training-opt-out", ["max"], **BOOLEAN)], tmp_path,
              environment="production")  # fmt: skip
    assert got.result.items == []
    assert [(d.level, d.code) for d in got.diagnostics()] == [
        (Level.WARNING, "launchdarkly-flag-off"),
        (Level.WARNING, "flag-not-evidenced"),
    ]
    assert (
        "the flag is off, and there is no offVariation: applications get the fallback value"
        in (got.lines()[1])
    )


def test_a_project_authored_sdk_yaml_file(tmp_path: Path) -> None:
    rules = [
        rule("training-default", ["free", "team-business", "edu"], **DEFAULTS),
        rule("training-toggle-visible", ["free"], **EXPOSED),
    ]
    got = run(SDK_YAML, rules, tmp_path)
    assert got.tiers() == {
        "free": {
            "id": "free",
            "training_default": "trained",
            "training_control": {"exposed": True},
        },
        "team-business": {"id": "team-business", "training_default": "not_trained"},
        "edu": {"id": "edu", "training_default": "opt_in"},
    }
    assert got.codes() == ["launchdarkly-flag-off"]


def test_an_export_of_another_kind_is_unreadable(tmp_path: Path) -> None:
    got = run(fixture("flagd-cheat-sheet-flags.json"), [rule("simple-boolean", ["free"])],
              tmp_path)  # fmt: skip
    assert got.result.readable is False
    assert got.codes() == ["launchdarkly-malformed"]
    assert got.lines() == [
        "flagd-cheat-sheet-flags.json:1:1: error: not a LaunchDarkly flag export: its flags have "
        "state and variants, as flagd flags do (use the flagd adapter)"
    ]


# -- evaluation, case by case ------------------------------------------------------------------


def evaluate(tmp_path: Path, flags: dict[str, Any], key: str = "f", tier: str = "pro") -> list[Any]:
    export = load_document(sdk_file(tmp_path, **flags), name="flags.json")
    found = LaunchDarklyFlags(export, None)
    found.add_sdk(export.data["flags"], {})
    return found.evaluate(key, Context("plan", tier))


@pytest.mark.parametrize(
    ("op", "values", "negate", "matches"),
    [
        ("in", ["free", "pro"], False, True),
        ("in", ["free"], False, False),
        ("in", ["free"], True, True),
        ("in", [1, True], False, False),
        ("startsWith", ["p"], False, True),
        ("endsWith", ["ro"], False, True),
        ("contains", ["r"], False, True),
        ("contains", ["x"], True, True),
        ("endsWith", ["x"], False, False),
    ],
)
def test_clauses_on_the_tier_attribute(
    tmp_path: Path, op: str, values: list[Any], negate: bool, matches: bool
) -> None:
    rules = [{"variation": 1, "clauses": [clause("plan", op, values, negate=negate)]}]
    (outcome,) = evaluate(tmp_path, {"f": sdk_flag(rules=rules)})
    assert isinstance(outcome, Served)
    assert outcome.value is (not matches)


@pytest.mark.parametrize(
    ("flag_clause", "reason"),
    [
        (clause("plan", "matches", ["^p"]), 'operator "matches" is not evaluated'),
        (clause("/plan", "semVerEqual", ["1.0.0"]), 'operator "semVerEqual" is not evaluated'),
        (clause("plan", "in", ["pro"], contextKind="org"), 'of context kind "org"; only'),
        (clause("country", "in", ["de"]), 'the clause tests attribute "country"'),
        ("not a clause", "the clause is not an object"),
    ],
)
def test_clauses_the_tier_does_not_decide(tmp_path: Path, flag_clause: Any, reason: str) -> None:
    rules = [{"variation": 1, "clauses": [flag_clause]}]
    served_false, served_true = evaluate(tmp_path, {"f": sdk_flag(rules=rules)})
    assert (served_false.value, served_true.value) == (False, True)
    (unknown,) = served_false.assumes
    assert reason in unknown.reason


def test_a_known_mismatch_settles_a_rule_beside_an_unknown_clause(tmp_path: Path) -> None:
    rules = [{"variation": 1, "clauses": [clause("email", "endsWith", ["@x"]),
                                          clause("plan", "in", ["free"])]}]  # fmt: skip
    (outcome,) = evaluate(tmp_path, {"f": sdk_flag(rules=rules)})
    assert isinstance(outcome, Served)
    assert outcome.value is True
    assert outcome.assumes == ()


def test_prerequisites_in_the_same_export(tmp_path: Path) -> None:
    gate = sdk_flag(rules=[{"variation": 1, "clauses": [clause("plan", "in", ["free"])]}])
    flags = {"gate": gate, "f": sdk_flag(prerequisites=[{"key": "gate", "variation": 0}])}
    (met,) = evaluate(tmp_path, flags, tier="pro")
    assert isinstance(met, Served)
    assert (met.value, met.how) == (True, "the fallthrough (default rule)")
    (unmet,) = evaluate(tmp_path, flags, tier="free")
    assert isinstance(unmet, Served)
    assert (unmet.value, unmet.how) == (False, 'its offVariation (prerequisite "gate" is not met)')
    off_gate = {**flags, "gate": sdk_flag(on=False, offVariation=0)}
    (off,) = evaluate(tmp_path, off_gate)
    assert isinstance(off, Served)
    assert off.value is False  # a prerequisite that is off is never met


@pytest.mark.parametrize(
    ("flags", "reason"),
    [
        (
            {"f": sdk_flag(prerequisites=[{"key": "f", "variation": 0}])},
            'prerequisites form a cycle through "f"',
        ),
        (
            {"f": sdk_flag(prerequisites=[{"key": "g", "variation": 0}]),
             "g": sdk_flag(prerequisites=[{"key": "f", "variation": 0}])},
            'prerequisite "g" cannot be decided: prerequisites form a cycle through "f"',
        ),
        (
            {"f": sdk_flag(prerequisites=[{"key": "g", "variation": 0}]),
             "g": sdk_flag(fallthrough={"rollout": {"variations": []}})},
            'prerequisite "g" cannot be decided: the fallthrough (default rule) is a percentage',
        ),
        (
            {"f": sdk_flag(prerequisites=[{"key": "g", "variation": 0}]),
             "g": sdk_flag(targets=[{"values": ["u1"], "variation": 1}])},
            'prerequisite "g" is met for some contexts of the tier only',
        ),
    ],
)  # fmt: skip
def test_prerequisites_that_cannot_be_decided(
    tmp_path: Path, flags: dict[str, Any], reason: str
) -> None:
    (outcome,) = evaluate(tmp_path, flags)
    assert isinstance(outcome, Unknown)
    assert reason in outcome.reason


@pytest.mark.parametrize(
    ("flag", "code", "reason"),
    [
        (sdk_flag(fallthrough={"variation": 5}), "launchdarkly-malformed",
         "variation 5 is not an index of the flag's 2 variations"),
        (sdk_flag(fallthrough={"variation": True}), "launchdarkly-malformed",
         "variation true is not an index"),
        (sdk_flag(fallthrough=None), "launchdarkly-malformed", "the flag has no fallthrough"),
        (sdk_flag(fallthrough={}), "launchdarkly-malformed", "variation null is not an index"),
        (sdk_flag(variations=None), "launchdarkly-malformed", "the flag has no variations"),
        (sdk_flag(rules=["x"]), "launchdarkly-malformed", "the rule is not an object"),
        (sdk_flag(targets=["x"]), "launchdarkly-malformed", "the target is not an object"),
        (sdk_flag(deleted=True), "launchdarkly-archived", "the flag is archived"),
        ([], "launchdarkly-malformed", "the flag is not an object"),
    ],
)  # fmt: skip
def test_flags_the_sdks_would_not_serve(tmp_path: Path, flag: Any, code: str, reason: str) -> None:
    (outcome,) = evaluate(tmp_path, {"f": flag})
    assert outcome.code == code
    assert reason in outcome.reason


def test_targets_without_keys_are_skipped_and_a_rule_match_after_them_is_final(
    tmp_path: Path,
) -> None:
    flag = sdk_flag(
        targets=[{"values": [], "variation": 1}],
        contextTargets=[{"values": ["org-1"], "variation": 0, "contextKind": "org"}],
        rules=[{"_id": "r1", "variation": 1, "clauses": [clause("plan", "in", ["pro"])]}],
    )
    outcomes = evaluate(tmp_path, {"f": flag})
    assert [(o.value, o.how) for o in outcomes] == [
        (True, "individual contextTargets[0]"),
        (False, 'rule 1 ("r1")'),
    ]
    assert [len(o.assumes) for o in outcomes] == [1, 1]


def test_duplicate_keys_are_malformed(tmp_path: Path) -> None:
    path = write(tmp_path, "flags.json", {"flags": {"f": sdk_flag()}, "flagValues": {"f": 1}})
    got = run(path, [rule("f", ["free"])], tmp_path)
    assert got.codes() == ["launchdarkly-malformed"]
    assert 'flag "f" is in both flags and flagValues' in got.lines()[0]
    items = [{"key": "f", "variations": [{"value": True}], "environments": {"p": {}}}] * 2
    listed = run(write(tmp_path, "list.json", {"items": items}), [rule("f", ["free"])], tmp_path)
    assert 'flag "f" appears more than once' in listed.lines()[0]


def test_the_summary_form_of_an_on_flag_is_an_error(tmp_path: Path) -> None:
    """``GET /flags/{project}`` without ``summary=0`` leaves out targets, rules and
    prerequisites: reading the rest would serve the fallthrough to every tier."""
    environments = {
        "production": {"on": True, "fallthrough": {"variation": 0}, "offVariation": 1},
        "staging": {"on": False, "fallthrough": {"variation": 0}, "offVariation": 1},
    }
    item = {"key": "f", "variations": [{"value": True}, {"value": False}],
            "environments": environments}  # fmt: skip
    path = write(tmp_path, "list.json", {"items": [item]})
    got = run(path, [rule("f", ["free"], **BOOLEAN)], tmp_path, environment="production")
    assert got.result.items == []
    assert got.codes() == ["launchdarkly-summary"]
    assert (
        "it is the API's summary form, which leaves them out (list flags with summary=0"
        in (got.lines()[0])
    )
    off = run(path, [rule("f", ["free"], **BOOLEAN)], tmp_path, environment="staging")
    assert off.tiers() == {"free": {"id": "free", "training_default": "not_trained"}}


def test_a_rest_item_without_a_key_is_no_flag(tmp_path: Path) -> None:
    export = load_document(write(tmp_path, "list.json", {"items": [{"variations": []}]}), name="l")
    found = LaunchDarklyFlags(export, None)
    found.add_rest(export.data["items"][0], ("items", 0))
    assert found.keys() == []


@pytest.mark.parametrize(
    ("item", "reason"),
    [
        ({"key": "f", "variations": [{"value": 1}]}, "the flag has no environments"),
        ({"key": "f", "variations": [{"value": 1}], "environments": {"p": 3}},
         "the environment is not an object"),
        ({"key": "f", "variations": [{"value": 1}], "environments": {"p": {"archived": True}}},
         "the flag is archived"),
        ({"key": "f", "environments": {"p": {}}}, "the flag has no variations"),
        ({"key": "f", "variations": [{"name": "x"}], "environments": {"p": {}}},
         "a variation has no value"),
    ],
)  # fmt: skip
def test_malformed_rest_items(tmp_path: Path, item: dict[str, Any], reason: str) -> None:
    export = load_document(write(tmp_path, "list.json", {"items": [item]}), name="list.json")
    found = LaunchDarklyFlags(export, None)
    found.add_rest(item, ("items", 0))
    (key,) = found.keys()
    (outcome,) = found.evaluate(key, Context("plan", "free"))
    assert reason in outcome.reason
