"""The flagd adapter on real flag files (tests/data/fixtures/flags, from open-feature/flagd and
open-feature/python-sdk-contrib, Apache-2.0; see tests/data/SOURCES.md), and on small files
written here for the cases those lack. Verdicts were decided by reading each file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from checker.adapters.flagd import ADAPTER
from checker.core.diagnostics import Level
from tests.flag_support import Read, fixture, read, rule, write

CHEAT_SHEET = "flagd-cheat-sheet-flags.json"
EXAMPLE = "flagd-example-flags.flagd.json"
TIER_FEATURES = {
    "training_default": {
        "basic-features": "trained",
        "premium-features": "opt_in",
        "enterprise-features": "not_trained",
    }
}
EXPOSED = {"training_control_exposed": {"true": True, "false": False}}


def run(name: str, rules: list[dict[str, Any]], tmp_path: Path) -> Read:
    path = Path(name) if Path(name).is_absolute() else fixture(name)
    return read(ADAPTER, path, {"rules": rules}, tmp_path)


def flags_file(tmp_path: Path, flags: dict[str, Any], **extra: Any) -> str:
    return str(write(tmp_path, "flags.flagd.json", {"flags": flags, **extra}))


def boolean_flag(**fields: Any) -> dict[str, Any]:
    return {"state": "ENABLED", "variants": {"on": True, "off": False}, **fields}


def test_a_tier_targeting_picks_each_tiers_variant(tmp_path: Path) -> None:
    """cheat-sheet ``user-tier-flag``: ``===`` on ``tier`` in nested ifs, else null."""
    got = run(CHEAT_SHEET, [rule("user-tier-flag", ["basic", "premium", "enterprise"], "tier",
                                 **TIER_FEATURES)], tmp_path)  # fmt: skip
    assert got.tiers() == {
        "basic": {"id": "basic", "training_default": "trained"},
        "premium": {"id": "premium", "training_default": "opt_in"},
        "enterprise": {"id": "enterprise", "training_default": "not_trained"},
    }
    # basic: targeting ends in null, so defaultVariant "basic" (line 65); the others: the
    # variant name returned by the if (lines 69 and 72); each tier item is the flag (line 58).
    assert [got.where(t, "training_default") for t in ("basic", "premium", "enterprise")] == [
        "65:25",
        "72:13",
        "69:11",
    ]
    assert got.where("basic") == "58:23"
    assert got.lines() == []


def test_a_flag_without_targeting_serves_its_default_variant_to_every_tier(
    tmp_path: Path,
) -> None:
    got = run(CHEAT_SHEET, [rule("simple-boolean", ["free", "pro"], **EXPOSED)], tmp_path)
    assert got.tiers() == {
        "free": {"id": "free", "training_control": {"exposed": True}},
        "pro": {"id": "pro", "training_control": {"exposed": True}},
    }
    assert got.where("free", "training_control", "exposed") == "10:25"


def test_the_code_default_is_not_evidenced(tmp_path: Path) -> None:
    """``defaultVariant: null`` and no defaultVariant: flagd falls back to the code."""
    rules = [rule("code-default-flag", ["free"]), rule("code-default-flag-omitted", ["pro"])]
    got = run(CHEAT_SHEET, rules, tmp_path)
    assert got.result.items == []
    why = (
        "not evidenced: no variant applies and the flag has no defaultVariant: applications get "
        "the default written in their code, which the file does not record"
    )
    assert got.lines() == [
        f'{CHEAT_SHEET}:49:25: warning: rule 1 (flag "code-default-flag"), for tier free: {why} '
        "(at $.flags.code-default-flag.defaultVariant)",
        f'{CHEAT_SHEET}:51:34: warning: rule 2 (flag "code-default-flag-omitted"), for tier pro: '
        f"{why} (at $.flags.code-default-flag-omitted)",
    ]
    assert got.codes() == ["flag-not-evidenced", "flag-not-evidenced"]


def test_targeting_on_another_attribute_is_not_evidenced(tmp_path: Path) -> None:
    """``email-based-feature`` serves on to ``@example.com`` addresses: per tier, on or off."""
    got = run(CHEAT_SHEET, [rule("email-based-feature", ["free", "pro"], **EXPOSED)], tmp_path)
    assert got.result.items == []
    assert got.lines() == [
        f'{CHEAT_SHEET}:87:36: warning: rule 1 (flag "email-based-feature"), for tiers free, pro: '
        "not evidenced: training_control_exposed is true or false depending on what the export "
        'cannot decide for a tier alone (it reads "email" from the evaluation context, which '
        'the tier alone does not give (only "plan" is known)) '
        "(at $.flags.email-based-feature.targeting.if[0].ends_with[0].var)"
    ]


def test_another_attribute_does_not_matter_when_every_path_agrees(tmp_path: Path) -> None:
    exposed_either_way = {"training_control_exposed": {"true": True, "false": True}}
    got = run(CHEAT_SHEET, [rule("email-based-feature", ["free"], **exposed_either_way)], tmp_path)
    assert got.tiers() == {"free": {"id": "free", "training_control": {"exposed": True}}}
    assert got.lines() == []


def test_a_variant_named_by_another_attribute_or_a_constant_is_not_evidenced(
    tmp_path: Path,
) -> None:
    """``or`` serves its first true operand: a context that sets ``training_override`` to
    ``"off"`` gets the ``off`` variant, so ``"on"`` is not what every user of the tier gets."""
    targeting = {"or": [{"var": "training_override"}, "on"]}
    path = flags_file(tmp_path, {"train": boolean_flag(defaultVariant="off", targeting=targeting)})
    got = run(path, [rule("train", ["free"])], tmp_path)
    assert got.result.items == []
    assert got.codes() == ["flag-not-evidenced"]
    assert '"training_override" from the evaluation context' in got.lines()[0]


def test_object_values_are_not_covered_by_any_map(tmp_path: Path) -> None:
    got = run(CHEAT_SHEET, [rule("region-config", ["eu"], "region")], tmp_path)
    assert got.result.items == []
    (line,) = got.lines()
    assert line.startswith("snapshot.json:")
    assert (
        'error: rule 1 (flag "region-config"), for tier eu: the flag serves {"currency": "EUR", '
        '"dateFormat": "DD/MM/YYYY"} (variant "eu" from its targeting, at '
        f"{CHEAT_SHEET}:107:13), which training_default does not map"
    ) in line
    assert got.codes() == ["flag-value-unmapped"]


def test_the_flagd_sample_file(tmp_path: Path) -> None:
    """``isColorYellow`` (``==`` on ``var: ["color"]``), ``fibAlgo`` (``$ref`` to an evaluator
    on ``email``), ``headerColor`` (``fractional``)."""
    fib = {"training_default": {"recursive": "trained", "binet": "opt_in"}}
    rules = [
        rule("isColorYellow", ["yellow", "red"], "color"),
        rule("fibAlgo", ["yellow"], "color", **fib),
        rule("headerColor", ["yellow"], "color", training_default={"#FF0000": "trained"}),
    ]
    got = run(EXAMPLE, rules, tmp_path)
    assert got.tiers() == {
        "yellow": {"id": "yellow", "training_default": "trained"},
        "red": {"id": "red", "training_default": "opt_in"},
    }
    assert [got.where(t, "training_default") for t in ("yellow", "red")] == ["65:11", "66:11"]
    assert got.lines() == [
        f'{EXAMPLE}:127:18: warning: rule 2 (flag "fibAlgo"), for tier yellow: not evidenced: '
        'training_default is "opt_in" or "trained" depending on what the export cannot decide '
        'for a tier alone (it reads "email" from the evaluation context, which the tier alone '
        "does not give (only \"color\" is known)) (at $['$evaluators'].emailWithFaas.in[1].var)",
        f'{EXAMPLE}:104:27: warning: rule 3 (flag "headerColor"), for tier yellow: not '
        "evidenced: a fractional split (percentage rollout) picks the variant by hashing the "
        "context, which no tier alone decides (at $.flags.headerColor.targeting.if[1].fractional)",
    ]


def test_an_evaluator_is_evaluated_with_the_tier_attribute(tmp_path: Path) -> None:
    """``emailWithFaas`` tests ``email``: evaluated per tier when ``email`` names the tier."""
    exposed = {"training_control_exposed": {"recursive": True, "binet": False}}
    got = run(EXAMPLE, [rule("fibAlgo", ["outside"], "email", **exposed)], tmp_path)
    assert got.tiers() == {"outside": {"id": "outside", "training_control": {"exposed": True}}}
    assert got.where("outside", "training_control", "exposed") == "77:25"


def test_a_disabled_flag_is_an_error_never_its_default_variant(tmp_path: Path) -> None:
    got = run("flagd-python-basic-flag-disabled.json", [rule("basic-flag", ["free"])], tmp_path)
    assert got.result.items == []
    assert got.lines() == [
        'flagd-python-basic-flag-disabled.json:4:18: error: rule 1 (flag "basic-flag"), for tier '
        "free: the flag is DISABLED: flagd answers as if it did not exist (FLAG_NOT_FOUND), so "
        "applications get the default written in their code, which the file does not record; "
        "its defaultVariant is not served (at $.flags.basic-flag.state)"
    ]
    assert got.codes() == ["flagd-disabled"]


def test_a_default_variant_that_names_no_variant_is_not_evidenced(tmp_path: Path) -> None:
    got = run(
        "flagd-python-basic-flag-wrong-variant.json", [rule("basic-flag", ["free"])], tmp_path
    )
    assert got.result.items == []
    assert got.lines() == [
        'flagd-python-basic-flag-wrong-variant.json:9:25: warning: rule 1 (flag "basic-flag"), '
        'for tier free: not evidenced: defaultVariant "a-variant" is not one of the flag\'s '
        "variants (at $.flags.basic-flag.defaultVariant)"
    ]


def test_empty_targeting_without_a_default_is_not_evidenced(tmp_path: Path) -> None:
    name = "flagd-python-basic-flag-without-default.json"
    got = run(name, [rule("basic-flag", ["free"])], tmp_path)
    assert got.result.items == []
    assert [d.level for d in got.diagnostics()] == [Level.WARNING]
    assert "no variant applies and the flag has no defaultVariant" in got.lines()[0]


def test_a_yaml_flag_file(tmp_path: Path) -> None:
    got = run("flagd-python-basic-flag.yaml", [rule("basic-flag", ["free"])], tmp_path)
    assert got.tiers() == {"free": {"id": "free", "training_default": "opt_in"}}
    assert got.where("free", "training_default") == "7:21"
    assert got.lines() == []


def test_a_launchdarkly_sdk_file_is_not_read_as_flagd(tmp_path: Path) -> None:
    name = "launchdarkly-java-all-properties.json"
    got = run(name, [rule("flag1", ["free"])], tmp_path)
    assert got.result.readable is False
    assert got.lines() == [
        f"{name}:2:12: error: not a flagd flag file: its flags have variations and no state, as "
        "LaunchDarkly flags do (use the launchdarkly adapter) (at $.flags)"
    ]


def test_a_file_that_is_not_a_flagd_file_is_unreadable(tmp_path: Path) -> None:
    got = run("launchdarkly-java-value-only.json", [rule("flag2", ["free"])], tmp_path)
    assert got.result.readable is False
    assert got.result.items == []
    assert got.lines() == [
        "launchdarkly-java-value-only.json:2:1: error: not a flagd flag file: expected an object "
        "whose 'flags' is an object of flag key -> flag (https://flagd.dev/schema/v0/flags.json) "
        "(at $.flags)"
    ]


@pytest.mark.parametrize(
    ("flag", "level", "message"),
    [
        ("nope", Level.ERROR, "the flag is not an object"),
        (
            {"variants": {"on": True}},
            Level.ERROR,
            "the flag has no state; flagd reads only ENABLED or DISABLED",
        ),
        (boolean_flag(state="off"), Level.ERROR, 'state is "off"; flagd reads only ENABLED or'),
        (boolean_flag(variants={}), Level.ERROR, "the flag has no variants"),
        (boolean_flag(targeting={"if": [True, 7]}), Level.WARNING, "gives 7, not a variant name"),
        (
            boolean_flag(targeting={"if": [True, "maybe"]}),
            Level.WARNING,
            'the targeting picks variant "maybe", which the flag lacks',
        ),
        (
            boolean_flag(targeting={"$ref": "gone"}),
            Level.WARNING,
            '$ref names "gone", which the export\'s $evaluators does not define',
        ),
        (
            boolean_flag(targeting={"sem_ver": [{"var": "version"}, ">", "1.0.0"]}),
            Level.WARNING,
            "sem_ver compares a version from the context",
        ),
    ],
)
def test_flags_that_serve_nothing_from_the_file(
    tmp_path: Path, flag: Any, level: Level, message: str
) -> None:
    got = run(flags_file(tmp_path, {"f": flag}), [rule("f", ["free"])], tmp_path)
    assert got.result.items == []
    (diagnostic,) = got.diagnostics()
    assert diagnostic.level is level
    assert message in diagnostic.message


def test_a_boolean_targeting_result_names_the_variant_true_or_false(tmp_path: Path) -> None:
    flag = {
        "state": "ENABLED",
        "variants": {"true": "trained", "false": "opt_in"},
        "defaultVariant": "false",
        "targeting": {"in": [{"var": "plan"}, ["free", "pro"]]},
    }
    path = flags_file(tmp_path, {"f": flag})
    mapping = {"training_default": {"trained": "trained", "opt_in": "opt_in"}}
    got = run(path, [rule("f", ["free", "team"], **mapping)], tmp_path)
    assert got.tiers() == {
        "free": {"id": "free", "training_default": "trained"},
        "team": {"id": "team", "training_default": "opt_in"},
    }


def test_evaluators_that_are_not_an_object_are_none(tmp_path: Path) -> None:
    flag = boolean_flag(defaultVariant="off", targeting={"if": [{"$ref": "x"}, "on", None]})
    path = flags_file(tmp_path, {"f": flag}, **{"$evaluators": ["x"]})
    got = run(path, [rule("f", ["free"])], tmp_path)
    assert got.result.items == []
    assert '$ref names "x"' in got.lines()[0]
