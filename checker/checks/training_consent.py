"""Training consent: each tier's default and whether users can change it.

For every tier of the clause's ``tier_groups``, the snapshot tier's ``training_default`` must
match the promised ``default`` (``trained_unless_opted_out`` ↔ ``trained``, ``opt_in_required`` ↔
``opt_in``, ``never`` ↔ ``not_trained``). When ``user_can_change`` is true, the tier's
``training_control.exposed`` must be true. A tier the snapshot does not list is not evidenced.

PASS::

    training_consent:                         tiers:
      - id: consumer-default                    - id: free
        tier_groups: [consumer]                   training_default: trained
        default: trained_unless_opted_out         training_control: {exposed: true}
        user_can_change: true

With ``consent_filter: required``, every training pipeline that may carry data of these tiers
must record ``consent_filter: training_allowed_only`` — the user's choice is honoured where the
data is used, not only where it is set.

FAIL: ``training_control: {exposed: false}`` — users cannot opt out; a training pipeline with
``consent_filter: none``.

Scope in time. ``applies_to_data: {from: 2025-09-28, basis: last_activity}`` ("only new or
resumed chats") requires every training pipeline reading these tiers to record a
``data_window`` whose ``from`` is on or after that date: with basis ``last_activity``, a
``created`` window satisfies it too (data created since a date was active since then), not the
reverse. A pipeline that records no window is not evidenced. ``opt_out_applies: retroactive``
requires each tier's ``training_control.opt_out_applies: retroactive``; ``going_forward`` is
met by either value.

With ``setting`` the clause is about that setting (a separate switch, e.g. for voice) instead
of the tiers' training default: the snapshot's ``settings`` entry must apply to the clause's
tiers and preselect ``off`` (``opt_in_required``, ``never``) or ``on``
(``trained_unless_opted_out``), be ``exposed`` when ``user_can_change``, and with
``consent_filter: required`` every training pipeline carrying those tiers must require the
setting ``on`` of its data (``settings: {live_media_training: "on"}``).

PASS: ``settings: [{id: live_media_training, default: "off", exposed: true}]`` for
``{setting: live_media_training, default: opt_in_required, user_can_change: true}``.
FAIL: the same setting with ``default: "on"``.

Serves GDPR Art. 6/7 (lawful basis and consent) and Art. 21 (right to object).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any, Literal, NotRequired, TypedDict

from checker.checks.base import (
    Check,
    CheckContext,
    Clause,
    Schema,
    Vocabulary,
    data_window,
    failed,
    not_evidenced,
    options,
    passed,
    section_missing,
    setting_exposed,
    training_pipelines,
    words,
)
from checker.core.diagnostics import JsonPath
from checker.core.results import Area, Observation, Severity
from checker.core.setting_values import same_value
from checker.diff.ordering import DiffSpec, Ranked, Review, Scope

# One clause of the section: the model the check reads, and its JSON Schema fragment.
TrainingDefault = Literal["trained_unless_opted_out", "opt_in_required", "never"]
Requirement = Literal["required", "not_required"]
Basis = Literal["created", "last_activity"]
OptOutReach = Literal["going_forward", "retroactive"]

# The data a promise covers, by date ("from" is a keyword, hence the functional form).
AppliesToData = TypedDict("AppliesToData", {"from": str, "basis": Basis})


class TrainingConsentClause(Clause):
    tier_groups: list[str]
    default: TrainingDefault
    user_can_change: bool
    control: NotRequired[str]
    consent_filter: NotRequired[Requirement]
    applies_to_data: NotRequired[AppliesToData]
    opt_out_applies: NotRequired[OptOutReach]
    setting: NotRequired[str]


SCHEMA: Schema = {
    "description": "A training-consent promise for one or more tier groups.",
    "required": ["tier_groups", "default", "user_can_change"],
    "properties": {
        "tier_groups": {
            "description": (
                "Tier groups whose default the clause states: keys of vocabulary.tier_groups."
            ),
            "type": "array",
            "uniqueItems": True,
            "items": {"description": "A tier group id.", "$ref": "#/$defs/identifier"},
            "minItems": 1,
        },
        "default": {
            "description": (
                "The training default: trained_unless_opted_out (used for training until the "
                "user opts out), opt_in_required (used only after the user opts in), never "
                "(never used for training)."
            ),
            "enum": options(TrainingDefault),
        },
        "user_can_change": {
            "description": (
                "Whether the user must be able to change the default: the tiers' training "
                "control must be exposed."
            ),
            "type": "boolean",
        },
        "control": {
            "description": (
                "Where users find the control, e.g. 'Settings > Privacy'. Informational: shown "
                "in reports."
            ),
            "$ref": "#/$defs/text",
        },
        "consent_filter": {
            "description": (
                "Whether training must honour the user's choice: with 'required', every training "
                "pipeline that reads data of these tiers must drop data of users who did not "
                "allow training (snapshot pipeline consent_filter: training_allowed_only). "
                "Default: not_required."
            ),
            "enum": options(Requirement),
        },
        "applies_to_data": {
            "description": (
                "The data the promise covers, by date: only data created (basis 'created') or "
                "last active (basis 'last_activity': new or resumed conversations) on or after "
                "'from'. Every training pipeline reading these tiers must record a data_window "
                "starting on or after it."
            ),
            "type": "object",
            "additionalProperties": False,
            "required": ["from", "basis"],
            "properties": {
                "from": {"description": "The first date of data covered.", "$ref": "#/$defs/date"},
                "basis": {
                    "description": (
                        "Which date of the data counts: created, or last_activity (a "
                        "conversation resumed since counts)."
                    ),
                    "enum": options(Basis),
                },
            },
        },
        "opt_out_applies": {
            "description": (
                "What opting out affects: going_forward (data from then on) or retroactive "
                "(data collected before too). The tiers' training_control.opt_out_applies "
                "must match; going_forward is met by either."
            ),
            "enum": options(OptOutReach),
        },
        "setting": {
            "description": (
                "The setting the promise is about, a key of vocabulary.settings (e.g. a separate "
                "switch for voice training): the snapshot setting's default must be 'off' "
                "(opt_in_required, never) or 'on' (trained_unless_opted_out), exposed when "
                "user_can_change; with consent_filter: required, training pipelines must require "
                "it 'on'. Without it, the clause is about the tiers' training default."
            ),
            "$ref": "#/$defs/identifier",
        },
    },
}


# How a change of each field reads in `policy-check diff` (checker.diff.ordering).
DIFF = DiffSpec(
    fields={
        "tier_groups": Scope(
            expand="tier_groups",
            facet="tiers",
            gained="{items} users are now {default}",
            lost="{items} users are no longer covered by this promise",
        ),
        "default": Ranked(
            order=("never", "opt_in_required", "trained_unless_opted_out"),
            words={
                "never": "never trained on",
                "opt_in_required": "trained on only if they opt in",
                "trained_unless_opted_out": "trained on by default unless they opt out",
            },
        ),
        "user_can_change": Ranked(order=(True, False)),
        "control": Review(absent="", why="users change the setting somewhere else"),
        "consent_filter": Ranked(absent="not_required", order=("required", "not_required")),
        "applies_to_data": Review(
            why="the promise covers data of other dates: check which conversations it spares"
        ),
        "opt_out_applies": Ranked(order=("retroactive", "going_forward")),
        "setting": Review(absent="", why="the promise is now about another setting"),
    },
    match_on=("tier_groups",),
)


SNAPSHOT_DEFAULT: dict[TrainingDefault, str] = {
    "trained_unless_opted_out": "trained",
    "opt_in_required": "opt_in",
    "never": "not_trained",
}


def run(ctx: CheckContext[TrainingConsentClause]) -> Iterator[Observation]:
    if "setting" in ctx.clause:
        yield from _setting(ctx, ctx.clause["setting"])
        if ctx.clause.get("consent_filter") == "required":
            yield from _setting_filters(ctx, ctx.clause["setting"])
        return
    yield from _defaults(ctx)
    if ctx.clause.get("consent_filter") == "required":
        yield from _consent_filters(ctx)
    if "applies_to_data" in ctx.clause:
        yield from _data_windows(ctx, ctx.clause["applies_to_data"])
    if "opt_out_applies" in ctx.clause:
        yield from _opt_out_reach(ctx, ctx.clause["opt_out_applies"])


def _data_windows(
    ctx: CheckContext[TrainingConsentClause], scope: AppliesToData
) -> Iterator[Observation]:
    """Training pipelines reading these tiers read only data of the dates the promise covers."""
    tiers = set(ctx.vocabulary.tiers_of(ctx.clause["tier_groups"]))
    start = dt.date.fromisoformat(scope["from"])
    basis = scope["basis"]
    when = "created" if basis == "created" else "last active"
    expected = f"only data {when} on or after {start}"
    where = ("applies_to_data",)
    absent = section_missing(ctx, "pipelines", expected, where)
    if absent is not None:
        yield absent
        return
    for path, pipe in training_pipelines(ctx):
        carried = _carried(ctx, pipe, tiers)
        if not carried:
            continue
        name = pipe.get("id")
        resource = f"pipeline:{name}"
        window = data_window(pipe)
        reads = f"training pipeline {name} reads {words(sorted(carried))} data"
        if window is None or window.start is None:
            yield not_evidenced(
                resource,
                f"{reads} but records no data window saying from when",
                expected,
                path if window is None else (*path, "data_window"),
                where,
            )
        elif basis == "created" and window.basis != "created":
            yield failed(
                resource,
                f"{reads} {window.dates()}, which may include data created before {start}: "
                "the policy covers only data created since",
                expected,
                window.words(),
                (*path, "data_window", "basis"),
                (*where, "basis"),
            )
        elif window.start < start:
            yield failed(
                resource,
                f"{reads} {window.dates()}, before the {start} the policy covers",
                expected,
                window.words(),
                (*path, "data_window", "from"),
                (*where, "from"),
            )
        else:
            yield passed(
                resource,
                f"{reads} {window.dates()}",
                expected,
                window.words(),
                (*path, "data_window"),
            )


_REACH_WORDS = {
    "going_forward": "data from then on",
    "retroactive": "data collected before too",
}


def _opt_out_reach(
    ctx: CheckContext[TrainingConsentClause], promised: OptOutReach
) -> Iterator[Observation]:
    """Opting out reaches as far back as promised: retroactive needs retroactive; going
    forward is met by either."""
    tiers = ctx.by_id("tiers")
    expected = f"opting out applies to {_REACH_WORDS[promised]}"
    for tier in ctx.vocabulary.tiers_of(ctx.clause["tier_groups"]):
        resource = f"tier:{tier}"
        for path, item in tiers.get(tier, ()):  # a missing tier: reported by _defaults
            control = item.get("training_control")
            actual = control.get("opt_out_applies") if isinstance(control, Mapping) else None
            if actual is None:
                yield not_evidenced(
                    resource,
                    f"tier {tier} does not record what opting out of training applies to",
                    expected,
                    (*path, "training_control") if isinstance(control, Mapping) else path,
                    ("opt_out_applies",),
                )
            elif promised == "retroactive" and actual != "retroactive":
                yield failed(
                    resource,
                    f"opting out in tier {tier} applies only to {_REACH_WORDS[str(actual)]}, "
                    "but the policy promises it reaches data collected before",
                    expected,
                    str(actual),
                    (*path, "training_control", "opt_out_applies"),
                    ("opt_out_applies",),
                )
            else:
                yield passed(
                    resource,
                    f"opting out in tier {tier} applies to {_REACH_WORDS[str(actual)]}",
                    expected,
                    str(actual),
                    (*path, "training_control", "opt_out_applies"),
                )


def _carried(
    ctx: CheckContext[TrainingConsentClause], pipe: Mapping[str, Any], tiers: set[str]
) -> set[str]:
    """Which of ``tiers`` a training pipeline may carry: its tier filter, or else whatever its
    sources hold (a source that names no store, or records no tiers, may hold any)."""
    if "tiers" in pipe:
        return set(pipe["tiers"]) & tiers
    stores = ctx.by_id("stores")
    carried: set[str] = set()
    for source in pipe.get("sources") or ():
        if source not in stores:
            carried |= tiers
        for _, store in stores.get(source, ()):  # every store of that id
            held = store.get("tiers")
            carried |= tiers if held is None else set(held) & tiers
    return carried


def carrying(
    ctx: CheckContext[TrainingConsentClause],
) -> Iterator[tuple[JsonPath, Mapping[str, Any], set[str]]]:
    """Training pipelines that may carry data of the clause's tiers, with those tiers."""
    tiers = set(ctx.vocabulary.tiers_of(ctx.clause["tier_groups"]))
    for path, pipe in training_pipelines(ctx):
        carried = _carried(ctx, pipe, tiers)
        if carried:
            yield path, pipe, carried


def _consent_filters(ctx: CheckContext[TrainingConsentClause]) -> Iterator[Observation]:
    """Training pipelines that may carry these tiers drop users who did not allow training."""
    expected = "training_allowed_only"
    absent = section_missing(ctx, "pipelines", expected, ("consent_filter",))
    if absent is not None:
        yield absent
        return
    for path, pipe, carried in carrying(ctx):
        name = pipe.get("id")
        resource = f"pipeline:{name}"
        value = pipe.get("consent_filter")
        if value is None:
            yield not_evidenced(
                resource,
                f"training pipeline {name} does not record whether "
                "it honours users' training choice",
                expected,
                path,
                ("consent_filter",),
            )
        elif value == expected:
            yield passed(
                resource,
                f"training pipeline {name} trains only on users who allowed it",
                expected,
                value,
                (*path, "consent_filter"),
            )
        else:
            yield failed(
                resource,
                f"training pipeline {name} trains on {', '.join(sorted(carried))} "
                "data without checking the user's training choice",
                expected,
                str(value),
                (*path, "consent_filter"),
                ("consent_filter",),
            )


# What the snapshot setting must preselect for each promised default, with a clause naming it.
SETTING_DEFAULT: dict[TrainingDefault, str] = {
    "trained_unless_opted_out": "on",
    "opt_in_required": "off",
    "never": "off",
}


def _setting(ctx: CheckContext[TrainingConsentClause], name: str) -> Iterator[Observation]:
    """The setting applies to the clause's tiers, preselects the promised value, and is
    exposed when users must be able to change it."""
    clause = ctx.clause
    want = SETTING_DEFAULT[clause["default"]]
    resource = f"setting:{name}"
    expected = f"setting {name} preselects '{want}'"
    absent = section_missing(ctx, "settings", expected, ("setting",))
    if absent is not None:
        yield absent
        return
    if name not in ctx.by_id("settings"):
        yield not_evidenced(
            resource,
            f"the snapshot records no setting {name}",
            expected,
            ("settings",),
            ("setting",),
        )
        return
    for path, setting in ctx.by_id("settings")[name]:
        offered = setting.get("tiers")
        for tier in ctx.vocabulary.tiers_of(clause["tier_groups"]):
            if offered is not None and tier not in offered:
                yield not_evidenced(
                    resource,
                    f"setting {name} does not apply to tier {tier}: nothing records what "
                    f"{tier} users are preselected",
                    expected,
                    (*path, "tiers"),
                    ("tier_groups",),
                )
        actual = setting.get("default")
        if actual is None:
            yield not_evidenced(resource, f"setting {name} records no default", expected, path)
        elif same_value(actual, want):
            yield passed(
                resource,
                f"setting {name} preselects '{actual}'",
                expected,
                str(actual),
                (*path, "default"),
            )
        else:
            yield failed(
                resource,
                f"setting {name} preselects '{actual}' but the policy promises '{want}'",
                expected,
                str(actual),
                (*path, "default"),
                ("default",),
            )
        if clause["user_can_change"]:
            yield setting_exposed(
                name, path, setting, "setting exposed to users", ("user_can_change",)
            )


def _setting_filters(ctx: CheckContext[TrainingConsentClause], name: str) -> Iterator[Observation]:
    """Training pipelines that may carry these tiers read only data whose setting is 'on'."""
    expected = f"settings: {{{name}: on}}"
    absent = section_missing(ctx, "pipelines", expected, ("consent_filter",))
    if absent is not None:
        yield absent
        return
    for path, pipe, carried in carrying(ctx):
        pipeline = pipe.get("id")
        resource = f"pipeline:{pipeline}"
        required = pipe.get("settings")
        if not isinstance(required, dict):
            yield not_evidenced(
                resource,
                f"training pipeline {pipeline} does not record which settings it requires of "
                "its data",
                expected,
                path,
                ("consent_filter",),
            )
        elif same_value(required.get(name), "on"):
            yield passed(
                resource,
                f"training pipeline {pipeline} trains only on data with {name} on",
                expected,
                "on",
                (*path, "settings", name),
            )
        else:
            value = required.get(name)
            yield failed(
                resource,
                f"training pipeline {pipeline} trains on {', '.join(sorted(carried))} data "
                f"without requiring {name} on",
                expected,
                "not required" if value is None else str(value),
                (*path, "settings", name) if value is not None else (*path, "settings"),
                ("consent_filter",),
            )


def _defaults(ctx: CheckContext[TrainingConsentClause]) -> Iterator[Observation]:
    clause = ctx.clause
    want = SNAPSHOT_DEFAULT[clause["default"]]
    tiers = ctx.by_id("tiers")
    for tier in ctx.vocabulary.tiers_of(clause["tier_groups"]):
        resource = f"tier:{tier}"
        expected = f"training default '{want}'"
        if tier not in tiers:
            yield not_evidenced(
                resource, f"the snapshot does not record tier {tier}", expected, ("tiers",)
            )
            continue
        for path, item in tiers[tier]:
            yield from _tier(ctx, tier, path, item)


def _tier(
    ctx: CheckContext[TrainingConsentClause], tier: str, path: JsonPath, item: Mapping[str, Any]
) -> Iterator[Observation]:
    """One snapshot entry of a tier (every entry of a tier id is judged)."""
    clause = ctx.clause
    want = SNAPSHOT_DEFAULT[clause["default"]]
    resource = f"tier:{tier}"
    expected = f"training default '{want}'"
    actual = item.get("training_default")
    if actual is None:
        yield not_evidenced(resource, f"tier {tier} records no training default", expected, path)
    elif actual == want:
        yield passed(
            resource,
            f"tier {tier} defaults to '{actual}'",
            expected,
            str(actual),
            (*path, "training_default"),
        )
    else:
        yield failed(
            resource,
            f"tier {tier} defaults to '{actual}' but the policy promises '{want}'",
            expected,
            str(actual),
            (*path, "training_default"),
            ("default",),
        )
    if not clause["user_can_change"]:
        return
    control = item.get("training_control")
    expected = "training control exposed to users"
    if not isinstance(control, dict) or "exposed" not in control:
        yield not_evidenced(resource, f"tier {tier} records no training control", expected, path)
    elif control["exposed"] is True:
        where = f" ({control['location']})" if control.get("location") else ""
        yield passed(
            resource,
            f"users of tier {tier} can change training consent{where}",
            expected,
            "exposed",
            (*path, "training_control", "exposed"),
        )
    else:
        yield failed(
            resource,
            f"users of tier {tier} cannot change their training consent",
            expected,
            "not exposed",
            (*path, "training_control", "exposed"),
            ("user_can_change",),
        )


def conflicts(a: Mapping[str, Any], b: Mapping[str, Any], vocabulary: Vocabulary) -> str | None:
    """Two promises for the same tier (and the same setting, if any) that differ."""
    if a.get("setting") != b.get("setting"):
        return None  # one is about a setting, the other about the tier's default
    shared = vocabulary.shared_tiers(a, b)
    if not shared:
        return None
    tiers = f"tier{'s' if len(shared) > 1 else ''} {words(shared)}"
    if a.get("default") != b.get("default"):
        return (
            f"the training default of {tiers} is '{b.get('default')}' here but "
            f"'{a.get('default')}' there; keep one promise per tier"
        )
    if bool(a.get("user_can_change")) != bool(b.get("user_can_change")):
        here, there = ("can", "cannot") if b.get("user_can_change") else ("cannot", "can")
        return (
            f"users of {tiers} {here} change it here but {there} there; keep one promise per tier"
        )
    return None


CHECK = Check(
    id="training_consent",
    order=10,
    area=Area("consent", "Training consent"),
    title="Training consent defaults",
    default_severity=Severity.HIGH,
    description=(
        "What happens to a tier's conversations when the user has chosen nothing, and whether "
        "the user can change it."
    ),
    clause_type=TrainingConsentClause,
    schema=SCHEMA,
    vocabulary={"tier_groups": "tier_groups", "setting": "settings"},
    remediation=(
        "Set the tier's default training consent to what the promise says and expose the "
        "training control in the users' privacy settings."
    ),
    diff=DIFF,
    run=run,
    conflicts=conflicts,
    doc=__doc__ or "",
    loops_over_stores=False,
)
