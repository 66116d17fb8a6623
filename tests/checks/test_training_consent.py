"""Training consent: ``checker/checks/training_consent.py``.

Each case is a clause and a snapshot, and the exact observations expected: every tier of the
clause's groups (``consumer``: free and pro) is judged on its default and, when users may
change it, on the control; with ``consent_filter: required`` so is every training pipeline
that may carry data of those tiers.
"""

from __future__ import annotations

from typing import Any

import pytest

from checker.checks import training_consent
from checker.core.results import Severity
from tests.checks.support import (
    Case,
    F,
    N,
    P,
    Where,
    assert_declared,
    changed,
    ids,
    observe,
    pointer,
    triples,
)


def test_declaration() -> None:
    assert_declared(training_consent.CHECK, "training_consent", "consent", Severity.HIGH)


CONSENT: dict[str, Any] = {
    "id": "consumer-default",
    "statement": "consumer tiers are trained on unless the user opts out, in settings",
    "tier_groups": ["consumer"],
    "default": "trained_unless_opted_out",
    "user_can_change": True,
}
FREE: dict[str, Any] = {
    "id": "free",
    "training_default": "trained",
    "training_control": {"exposed": True, "location": "Settings > Privacy"},
}
PRO: dict[str, Any] = {
    "id": "pro",
    "training_default": "trained",
    "training_control": {"exposed": True},
}
TF, TP = "tier:free", "tier:pro"
FREE_DEFAULT = (P, TF, "tier free defaults to 'trained'")
FREE_CONTROL = (P, TF, "users of tier free can change training consent (Settings > Privacy)")
PRO_DEFAULT = (P, TP, "tier pro defaults to 'trained'")
PRO_CONTROL = (P, TP, "users of tier pro can change training consent")
FIXED = changed(CONSENT, user_can_change=False)


def pro(drop: tuple[str, ...] = (), **fields: Any) -> dict[str, Any]:
    return changed(PRO, drop, **fields)


DEFAULT_CASES = [
    Case(
        "defaults-and-controls-pass",
        CONSENT,
        {"tiers": [FREE, PRO]},
        [FREE_DEFAULT, FREE_CONTROL, PRO_DEFAULT, PRO_CONTROL],
    ),
    Case(
        "tiers-outside-the-groups-are-not-judged",
        CONSENT,
        {"tiers": [{"id": "api", "training_default": "not_trained"}, FREE, PRO]},
        [FREE_DEFAULT, FREE_CONTROL, PRO_DEFAULT, PRO_CONTROL],
    ),
    Case(
        "a-tier-the-snapshot-lacks-is-not-evidenced",
        CONSENT,
        {"tiers": [FREE]},
        [FREE_DEFAULT, FREE_CONTROL, (N, TP, "the snapshot does not record tier pro")],
    ),
    Case(
        "no-tiers-section-leaves-every-tier-not-evidenced",
        CONSENT,
        {"stores": []},
        [
            (N, TF, "the snapshot does not record tier free"),
            (N, TP, "the snapshot does not record tier pro"),
        ],
    ),
    Case(
        "another-default-fails",
        CONSENT,
        {"tiers": [FREE, pro(training_default="opt_in")]},
        [
            FREE_DEFAULT,
            FREE_CONTROL,
            (F, TP, "tier pro defaults to 'opt_in' but the policy promises 'trained'"),
            PRO_CONTROL,
        ],
    ),
    Case(
        "opt-in-required-means-opt-in",
        changed(FIXED, default="opt_in_required"),
        {"tiers": [changed(FREE, training_default="opt_in"), PRO]},
        [
            (P, TF, "tier free defaults to 'opt_in'"),
            (F, TP, "tier pro defaults to 'trained' but the policy promises 'opt_in'"),
        ],
    ),
    Case(
        "never-means-not-trained",
        changed(FIXED, default="never"),
        {"tiers": [changed(FREE, training_default="not_trained"), PRO]},
        [
            (P, TF, "tier free defaults to 'not_trained'"),
            (F, TP, "tier pro defaults to 'trained' but the policy promises 'not_trained'"),
        ],
    ),
    Case(
        "a-tier-without-a-default-is-not-evidenced",
        CONSENT,
        {"tiers": [FREE, pro(("training_default",))]},
        [
            FREE_DEFAULT,
            FREE_CONTROL,
            (N, TP, "tier pro records no training default"),
            PRO_CONTROL,
        ],
    ),
    Case(
        "controls-are-not-judged-when-users-cannot-change",
        FIXED,
        {"tiers": [FREE, pro(training_control={"exposed": False})]},
        [FREE_DEFAULT, PRO_DEFAULT],
    ),
    Case(
        "a-hidden-control-fails",
        CONSENT,
        {"tiers": [FREE, pro(training_control={"exposed": False})]},
        [
            FREE_DEFAULT,
            FREE_CONTROL,
            PRO_DEFAULT,
            (F, TP, "users of tier pro cannot change their training consent"),
        ],
    ),
    Case(
        "a-missing-control-is-not-evidenced",
        CONSENT,
        {"tiers": [FREE, pro(("training_control",))]},
        [
            FREE_DEFAULT,
            FREE_CONTROL,
            PRO_DEFAULT,
            (N, TP, "tier pro records no training control"),
        ],
    ),
    Case(
        "a-control-without-exposed-is-not-evidenced",
        CONSENT,
        {"tiers": [FREE, pro(training_control={"location": "Settings"})]},
        [
            FREE_DEFAULT,
            FREE_CONTROL,
            PRO_DEFAULT,
            (N, TP, "tier pro records no training control"),
        ],
    ),
    Case(
        "every-entry-of-a-repeated-tier-is-judged",
        CONSENT,
        {"tiers": [FREE, PRO, pro(training_control={"exposed": False})]},
        [
            FREE_DEFAULT,
            FREE_CONTROL,
            PRO_DEFAULT,
            PRO_CONTROL,
            PRO_DEFAULT,
            (F, TP, "users of tier pro cannot change their training consent"),
        ],
    ),
]


@pytest.mark.parametrize("case", DEFAULT_CASES, ids=ids(DEFAULT_CASES))
def test_training_consent_defaults(case: Case) -> None:
    assert triples(observe(training_consent.CHECK, case.clause, case.snapshot)) == case.expected


# --- consent_filter: required -----------------------------------------------------------------

FILTERED = changed(FIXED, consent_filter="required")
TRAIN: dict[str, Any] = {
    "id": "train",
    "purpose": "training",
    "sources": ["chats"],
    "tiers": ["free", "pro"],
    "consent_filter": "training_allowed_only",
}
CHATS: dict[str, Any] = {"id": "chats", "data_kinds": ["conversations"], "tiers": ["free"]}
TIERS = {"tiers": [FREE, PRO]}
DEFAULTS = [FREE_DEFAULT, PRO_DEFAULT]
PT = "pipeline:train"
HONOURS = (P, PT, "training pipeline train trains only on users who allowed it")


def filtered(*pipelines: dict[str, Any], stores: list[dict[str, Any]] | None = None) -> Any:
    return {**TIERS, "stores": [CHATS] if stores is None else stores, "pipelines": list(pipelines)}


def train(drop: tuple[str, ...] = (), **fields: Any) -> dict[str, Any]:
    return changed(TRAIN, drop, **fields)


FILTER_CASES = [
    Case(
        "a-pipeline-that-honours-the-choice-passes", FILTERED, filtered(TRAIN), [*DEFAULTS, HONOURS]
    ),
    Case(
        "no-pipelines-section-is-not-evidenced",
        FILTERED,
        TIERS,
        [*DEFAULTS, (N, "pipelines", "the snapshot does not record its data pipelines")],
    ),
    Case(
        "no-filter-fails-naming-the-tiers",
        FILTERED,
        filtered(train(consent_filter="none")),
        [
            *DEFAULTS,
            (
                F,
                PT,
                "training pipeline train trains on free, pro data without checking the "
                "user's training choice",
            ),
        ],
    ),
    Case(
        "an-unrecorded-filter-is-not-evidenced",
        FILTERED,
        filtered(train(("consent_filter",))),
        [
            *DEFAULTS,
            (
                N,
                PT,
                "training pipeline train does not record whether it honours users' training choice",
            ),
        ],
    ),
    Case(
        "a-pipeline-filtered-to-other-tiers-is-not-judged",
        FILTERED,
        filtered(train(tiers=["api"], consent_filter="none")),
        DEFAULTS,
    ),
    Case(
        "pipelines-that-do-not-train-are-not-judged",
        FILTERED,
        filtered(train(purpose="analytics", consent_filter="none")),
        DEFAULTS,
    ),
    Case(
        "without-a-tier-filter-the-tiers-of-the-sources-count",
        FILTERED,
        filtered(train(("tiers",), consent_filter="none")),
        [
            *DEFAULTS,
            (
                F,
                PT,
                "training pipeline train trains on free data without checking the user's "
                "training choice",
            ),
        ],
    ),
    Case(
        "a-source-holding-only-other-tiers-carries-none-of-these",
        FILTERED,
        filtered(train(("tiers",), consent_filter="none"), stores=[changed(CHATS, tiers=["api"])]),
        DEFAULTS,
    ),
    Case(
        "a-source-that-does-not-record-its-tiers-may-hold-any",
        FILTERED,
        filtered(train(("tiers",), consent_filter="none"), stores=[changed(CHATS, ("tiers",))]),
        [
            *DEFAULTS,
            (
                F,
                PT,
                "training pipeline train trains on free, pro data without checking the "
                "user's training choice",
            ),
        ],
    ),
    Case(
        "a-source-that-names-no-store-may-hold-any",
        FILTERED,
        filtered(train(("tiers",), sources=["chatz"], consent_filter="none")),
        [
            *DEFAULTS,
            (
                F,
                PT,
                "training pipeline train trains on free, pro data without checking the "
                "user's training choice",
            ),
        ],
    ),
    Case(
        "a-pipeline-without-sources-or-tiers-carries-nothing",
        FILTERED,
        filtered(train(("tiers", "sources"), consent_filter="none")),
        DEFAULTS,
    ),
    Case(
        "every-store-sharing-a-source-id-counts",
        FILTERED,
        filtered(
            train(("tiers",), consent_filter="none"),
            stores=[changed(CHATS, tiers=["api"]), changed(CHATS, tiers=["pro"])],
        ),
        [
            *DEFAULTS,
            (
                F,
                PT,
                "training pipeline train trains on pro data without checking the user's "
                "training choice",
            ),
        ],
    ),
]


@pytest.mark.parametrize("case", FILTER_CASES, ids=ids(FILTER_CASES))
def test_training_consent_filters(case: Case) -> None:
    assert triples(observe(training_consent.CHECK, case.clause, case.snapshot)) == case.expected


WHERE = [
    Where(
        "default",
        FIXED,
        {"tiers": [FREE, pro(training_default="opt_in")]},
        ("tiers", 1, "training_default"),
        ("default",),
        "training default 'trained'",
        "opt_in",
        {"index": 1},
    ),
    Where(
        "no-default",
        FIXED,
        {"tiers": [pro(("training_default",))]},
        ("tiers", 0),
        (),
        "training default 'trained'",
        "not recorded in the snapshot",
        {"index": 1, "resource": TP},
    ),
    Where(
        "tier-missing",
        FIXED,
        {"tiers": []},
        ("tiers",),
        (),
        "training default 'trained'",
        "not recorded in the snapshot",
    ),
    Where(
        "control-hidden",
        CONSENT,
        {"tiers": [FREE, pro(training_control={"exposed": False})]},
        ("tiers", 1, "training_control", "exposed"),
        ("user_can_change",),
        "training control exposed to users",
        "not exposed",
        {"index": 3},
    ),
    Where(
        "control-missing",
        CONSENT,
        {"tiers": [FREE, pro(("training_control",))]},
        ("tiers", 1),
        (),
        "training control exposed to users",
        "not recorded in the snapshot",
        {"index": 3},
    ),
    Where(
        "no-consent-filter",
        FILTERED,
        filtered(train(consent_filter="none")),
        ("pipelines", 0, "consent_filter"),
        ("consent_filter",),
        "training_allowed_only",
        "none",
        {"index": 2},
    ),
    Where(
        "consent-filter-unrecorded",
        FILTERED,
        filtered(train(("consent_filter",))),
        ("pipelines", 0),
        ("consent_filter",),
        "training_allowed_only",
        "not recorded in the snapshot",
        {"index": 2},
    ),
    Where(
        "no-pipelines",
        FILTERED,
        TIERS,
        None,
        ("consent_filter",),
        "training_allowed_only",
        "not recorded in the snapshot",
        {"index": 2},
    ),
]


@pytest.mark.parametrize("case", WHERE, ids=ids(WHERE))
def test_training_consent_points_at_the_evidence(case: Where) -> None:
    obs = observe(training_consent.CHECK, case.clause, case.snapshot)[case.extra.get("index", 0)]
    assert pointer(obs) == case.pointer
    assert obs.resource == case.extra.get("resource", obs.resource)


# --- scope in time: applies_to_data and opt_out_applies --------------------------------------

# "Only new or resumed chats" (privacy.anthropic.com 10023565): from the 2025-09-28 deadline.
RESUMED = changed(FIXED, applies_to_data={"from": "2025-09-28", "basis": "last_activity"})
CREATED = changed(FIXED, applies_to_data={"from": "2025-09-28", "basis": "created"})


def window(start: str | None = "2025-09-28", basis: str = "last_activity", **more: str) -> Any:
    bounds = {"from": start} if start else {}
    return {**bounds, **more, "basis": basis}


def scoped(*pipelines: dict[str, Any]) -> Any:
    return {**TIERS, "stores": [CHATS], "pipelines": list(pipelines)}


READS = "training pipeline train reads free and pro data"
SCOPE_CASES = [
    Case(
        "a-window-from-the-date-passes",
        RESUMED,
        scoped(train(data_window=window())),
        [*DEFAULTS, (P, PT, f"{READS} last active from 2025-09-28")],
    ),
    Case(
        "a-later-window-passes",
        RESUMED,
        scoped(train(data_window=window("2026-01-01", to="2026-06-30"))),
        [*DEFAULTS, (P, PT, f"{READS} last active 2026-01-01 to 2026-06-30")],
    ),
    Case(
        "a-created-window-satisfies-a-last-activity-promise",
        RESUMED,
        scoped(train(data_window=window(basis="created"))),
        [*DEFAULTS, (P, PT, f"{READS} created from 2025-09-28")],
    ),
    Case(
        "a-last-activity-window-does-not-satisfy-a-created-promise",
        CREATED,
        scoped(train(data_window=window())),
        [
            *DEFAULTS,
            (
                F,
                PT,
                f"{READS} last active from 2025-09-28, which may include data created "
                "before 2025-09-28: the policy covers only data created since",
            ),
        ],
    ),
    Case(
        "an-earlier-window-fails",
        RESUMED,
        scoped(train(data_window=window("2025-01-01"))),
        [
            *DEFAULTS,
            (
                F,
                PT,
                f"{READS} last active from 2025-01-01, before the 2025-09-28 the policy covers",
            ),
        ],
    ),
    Case(
        "no-window-is-not-evidenced",
        RESUMED,
        scoped(TRAIN),
        [*DEFAULTS, (N, PT, f"{READS} but records no data window saying from when")],
    ),
    Case(
        "a-window-with-no-start-is-not-evidenced",
        RESUMED,
        scoped(train(data_window=window(None, to="2026-01-01"))),
        [*DEFAULTS, (N, PT, f"{READS} but records no data window saying from when")],
    ),
    Case(
        "pipelines-of-other-tiers-are-not-judged",
        RESUMED,
        scoped(train(tiers=["api"])),
        DEFAULTS,
    ),
    Case(
        "no-pipelines-section-is-not-evidenced",
        RESUMED,
        TIERS,
        [
            *DEFAULTS,
            (N, "pipelines", "the snapshot does not record its data pipelines"),
        ],
    ),
]


@pytest.mark.parametrize("case", SCOPE_CASES, ids=ids(SCOPE_CASES))
def test_training_consent_data_scope(case: Case) -> None:
    assert triples(observe(training_consent.CHECK, case.clause, case.snapshot)) == case.expected


def reach(tier: dict[str, Any], value: str | None) -> dict[str, Any]:
    control = {**tier["training_control"]}
    if value is not None:
        control["opt_out_applies"] = value
    return changed(tier, training_control=control)


RETROACTIVE = changed(FIXED, opt_out_applies="retroactive")
GOING_FORWARD = changed(FIXED, opt_out_applies="going_forward")
FREE_BACK = (P, TF, "opting out in tier free applies to data collected before too")
PRO_AHEAD = (P, TP, "opting out in tier pro applies to data from then on")
REACH_CASES = [
    Case(
        "retroactive-promised-and-recorded-passes",
        RETROACTIVE,
        {"tiers": [reach(FREE, "retroactive"), reach(PRO, "retroactive")]},
        [
            *DEFAULTS,
            FREE_BACK,
            (P, TP, "opting out in tier pro applies to data collected before too"),
        ],
    ),
    Case(
        "going-forward-only-fails-a-retroactive-promise",
        RETROACTIVE,
        {"tiers": [reach(FREE, "retroactive"), reach(PRO, "going_forward")]},
        [
            *DEFAULTS,
            FREE_BACK,
            (
                F,
                TP,
                "opting out in tier pro applies only to data from then on, but the policy "
                "promises it reaches data collected before",
            ),
        ],
    ),
    Case(
        "going-forward-is-met-by-either",
        GOING_FORWARD,
        {"tiers": [reach(FREE, "retroactive"), reach(PRO, "going_forward")]},
        [*DEFAULTS, FREE_BACK, PRO_AHEAD],
    ),
    Case(
        "an-unrecorded-reach-is-not-evidenced",
        GOING_FORWARD,
        {"tiers": [reach(FREE, None), {"id": "pro", "training_default": "trained"}]},
        [
            *DEFAULTS,
            (N, TF, "tier free does not record what opting out of training applies to"),
            (N, TP, "tier pro does not record what opting out of training applies to"),
        ],
    ),
]


@pytest.mark.parametrize("case", REACH_CASES, ids=ids(REACH_CASES))
def test_training_consent_opt_out_reach(case: Case) -> None:
    assert triples(observe(training_consent.CHECK, case.clause, case.snapshot)) == case.expected


SCOPE_WHERE = [
    Where(
        "an-earlier-window-points-at-its-start",
        RESUMED,
        scoped(train(data_window=window("2025-01-01"))),
        ("pipelines", 0, "data_window", "from"),
        ("applies_to_data", "from"),
        "only data last active on or after 2025-09-28",
        "data last active from 2025-01-01",
    ),
    Where(
        "a-wrong-basis-points-at-the-basis",
        CREATED,
        scoped(train(data_window=window())),
        ("pipelines", 0, "data_window", "basis"),
        ("applies_to_data", "basis"),
        "only data created on or after 2025-09-28",
        "data last active from 2025-09-28",
    ),
    Where(
        "a-missing-reach-points-at-the-control",
        GOING_FORWARD,
        {"tiers": [reach(FREE, None), reach(PRO, "going_forward")]},
        ("tiers", 0, "training_control"),
        ("opt_out_applies",),
        "opting out applies to data from then on",
        "not recorded in the snapshot",
    ),
]


@pytest.mark.parametrize("case", SCOPE_WHERE, ids=ids(SCOPE_WHERE))
def test_training_consent_scope_points_at_the_evidence(case: Where) -> None:
    after_defaults = observe(training_consent.CHECK, case.clause, case.snapshot)[2]
    assert pointer(after_defaults) == case.pointer


# --- consent per setting: a separate switch instead of the tier's default -----------------------

# "Gemini Live audio for training: separate, off by default."
LIVE: dict[str, Any] = {
    "id": "live-audio-opt-in",
    "statement": "Live audio and video are used for training only if the user turns it on",
    "setting": "live_media_training",
    "tier_groups": ["consumer"],
    "default": "opt_in_required",
    "user_can_change": True,
}
SWITCH: dict[str, Any] = {
    "id": "live_media_training",
    "tiers": ["free", "pro"],
    "scope": "account",
    "exposed": True,
    "options": ["on", "off"],
    "default": "off",
}
SL = "setting:live_media_training"
OFF = (P, SL, "setting live_media_training preselects 'off'")
CHANGEABLE = (P, SL, "users can change live_media_training")
LIVE_TRAIN: dict[str, Any] = {
    "id": "train",
    "purpose": "training",
    "sources": ["chats"],
    "tiers": ["free"],
    "settings": {"live_media_training": "on"},
}
REQUIRED = changed(LIVE, consent_filter="required")
REQUIRES_ON = (P, PT, "training pipeline train trains only on data with live_media_training on")


def switch(drop: tuple[str, ...] = (), **fields: Any) -> dict[str, Any]:
    return changed(SWITCH, drop, **fields)


SETTING_CASES = [
    Case("a-switch-off-by-default-passes", LIVE, {"settings": [SWITCH]}, [OFF, CHANGEABLE]),
    Case(
        "a-switch-on-by-default-fails",
        LIVE,
        {"settings": [switch(default="on")]},
        [
            (F, SL, "setting live_media_training preselects 'on' but the policy promises 'off'"),
            CHANGEABLE,
        ],
    ),
    Case(
        "trained-unless-opted-out-wants-on",
        changed(LIVE, default="trained_unless_opted_out"),
        {"settings": [switch(default="on")]},
        [(P, SL, "setting live_media_training preselects 'on'"), CHANGEABLE],
    ),
    Case(
        "a-hidden-switch-fails",
        LIVE,
        {"settings": [switch(exposed=False)]},
        [OFF, (F, SL, "users cannot change live_media_training")],
    ),
    Case(
        "the-scope-says-who-can-change-it",
        LIVE,
        {"settings": [switch(scope="project")]},
        [OFF, (P, SL, "project admins can change live_media_training")],
    ),
    Case(
        "a-fixed-promise-does-not-look-at-exposure",
        changed(LIVE, default="never", user_can_change=False),
        {"settings": [switch(exposed=False)]},
        [OFF],
    ),
    Case(
        "the-tiers-training-default-is-not-read",
        LIVE,
        {"settings": [SWITCH], "tiers": [changed(FREE, training_default="trained")]},
        [OFF, CHANGEABLE],
    ),
    Case(
        "a-tier-the-switch-does-not-apply-to-is-not-evidenced",
        LIVE,
        {"settings": [switch(tiers=["free"])]},
        [
            (
                N,
                SL,
                "setting live_media_training does not apply to tier pro: nothing records what "
                "pro users are preselected",
            ),
            OFF,
            CHANGEABLE,
        ],
    ),
    Case(
        "unrecorded-default-and-exposure-are-not-evidenced",
        LIVE,
        {"settings": [{"id": "live_media_training"}]},
        [
            (N, SL, "setting live_media_training records no default"),
            (N, SL, "setting live_media_training does not record whether users can change it"),
        ],
    ),
    Case(
        "no-such-setting-is-not-evidenced",
        LIVE,
        {"settings": []},
        [(N, SL, "the snapshot records no setting live_media_training")],
    ),
    Case(
        "no-settings-section-is-not-evidenced",
        LIVE,
        {"tiers": [FREE, PRO]},
        [(N, "settings", "the snapshot does not record the settings users can choose")],
    ),
]


@pytest.mark.parametrize("case", SETTING_CASES, ids=ids(SETTING_CASES))
def test_training_consent_per_setting(case: Case) -> None:
    assert triples(observe(training_consent.CHECK, case.clause, case.snapshot)) == case.expected


def live(*pipelines: dict[str, Any]) -> dict[str, Any]:
    return {"settings": [SWITCH], "stores": [CHATS], "pipelines": list(pipelines)}


SETTING_FILTER_CASES = [
    Case(
        "a-pipeline-requiring-the-switch-on-passes",
        REQUIRED,
        live(LIVE_TRAIN),
        [OFF, CHANGEABLE, REQUIRES_ON],
    ),
    Case(
        "a-pipeline-ignoring-the-switch-fails",
        REQUIRED,
        live(changed(LIVE_TRAIN, settings={"keep_activity": "on"})),
        [
            OFF,
            CHANGEABLE,
            (
                F,
                PT,
                "training pipeline train trains on free data without requiring "
                "live_media_training on",
            ),
        ],
    ),
    Case(
        "a-pipeline-requiring-off-fails",
        REQUIRED,
        live(changed(LIVE_TRAIN, settings={"live_media_training": "off"})),
        [
            OFF,
            CHANGEABLE,
            (
                F,
                PT,
                "training pipeline train trains on free data without requiring "
                "live_media_training on",
            ),
        ],
    ),
    Case(
        "the-consent-filter-alone-is-not-enough",
        REQUIRED,
        live(changed(LIVE_TRAIN, ("settings",), consent_filter="training_allowed_only")),
        [
            OFF,
            CHANGEABLE,
            (
                N,
                PT,
                "training pipeline train does not record which settings it requires of its data",
            ),
        ],
    ),
    Case(
        "pipelines-of-other-tiers-are-not-judged",
        REQUIRED,
        live(changed(LIVE_TRAIN, tiers=["api"], settings={"other": "on"})),
        [OFF, CHANGEABLE],
    ),
    Case(
        "no-pipelines-section-is-not-evidenced",
        REQUIRED,
        {"settings": [SWITCH]},
        [OFF, CHANGEABLE, (N, "pipelines", "the snapshot does not record its data pipelines")],
    ),
]


@pytest.mark.parametrize("case", SETTING_FILTER_CASES, ids=ids(SETTING_FILTER_CASES))
def test_training_consent_per_setting_filters(case: Case) -> None:
    assert triples(observe(training_consent.CHECK, case.clause, case.snapshot)) == case.expected


def test_training_consent_per_setting_points_at_the_pipeline_value() -> None:
    found = observe(
        training_consent.CHECK,
        REQUIRED,
        live(changed(LIVE_TRAIN, settings={"live_media_training": "off"})),
    )
    assert pointer(found[-1]) == (
        ("pipelines", 0, "settings", "live_media_training"),
        ("consent_filter",),
        "settings: {live_media_training: on}",
        "off",
    )
