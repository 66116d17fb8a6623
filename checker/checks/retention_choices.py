"""Retention choices: the retention values users may choose, and which one is preselected.

The snapshot's setting named by ``setting`` (its ``settings`` entry with that id) must:

* be offered to every tier of the clause's ``tier_groups`` (its ``tiers``; a setting that
  lists none is offered to every tier) and be ``exposed`` (users can change it);
* offer exactly the clause's ``options`` — a missing option fails, and so does an extra one —
  and preselect its ``default``. Duration options compare as durations (``P36M`` is
  ``36mo``; months and years compare as the policy language's "Durations" says), other
  values (``"off"``) as written;
* with ``minors``, offer and preselect exactly those to users counted as minors (the
  setting's ``minors``);
* with ``custom``, let admins set a custom value no shorter than ``custom.min`` and no longer
  than ``custom.max`` (the setting's ``custom`` bounds within the clause's); without it, a
  setting that accepts custom values offers more than the policy promises, and fails.

With ``data_kinds``, every store holding those data kinds (of the clause's tiers, when the
store records tiers) honours the longest choice: each of its windows for the setting
(``retention_by_setting``), or else each of its ``retention`` windows, is at most the longest
duration option (or ``custom.max``, when longer), and a window for a duration value at most
that value (users who chose 3 months have their data kept at most 3 months). A setting,
option, default or window the snapshot does not record is *not evidenced*.

PASS::

    # policy                                   # snapshot
    retention_choices:                         settings:
      - id: keep-activity-choices                - id: keep_activity
        setting: keep_activity                     tiers: [free, pro]
        tier_groups: [consumer]                    exposed: true
        options: [3mo, 18mo, 36mo, "off"]          options: [3mo, 18mo, P36M, "off"]
        default: 18mo                              default: 18mo

FAIL: ``default: 36mo`` (another value is preselected); ``options: [3mo, 18mo, "off"]``
(36 months is not offered); a store of conversations keeping them ``5y``.

Serves GDPR Art. 5(1)(e) (storage limitation) and Art. 25(2) (data protection by default).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, NotRequired, TypedDict

from checker.checks import retention
from checker.checks.base import (
    Check,
    CheckContext,
    Clause,
    Schema,
    failed,
    no_store_holds,
    not_evidenced,
    passed,
    section_missing,
    setting_exposed,
    words,
)
from checker.core.diagnostics import JsonPath
from checker.core.durations import Duration
from checker.core.results import Observation, Severity
from checker.core.setting_values import (
    as_duration,
    longest,
    missing_from,
    same_value,
    show,
)
from checker.diff.ordering import EVERYTHING, DiffSpec, Review, Scope


class Choices(TypedDict):
    options: list[str]
    default: str


class CustomBounds(TypedDict):
    min: NotRequired[str]
    max: NotRequired[str]


class RetentionChoicesClause(Clause):
    setting: str
    tier_groups: list[str]
    options: list[str]
    default: str
    minors: NotRequired[Choices]
    custom: NotRequired[CustomBounds]
    data_kinds: NotRequired[list[str]]


_OPTIONS: Schema = {
    "description": (
        "Every value users may choose, e.g. [3mo, 18mo, 36mo, 'off']: exactly these must be "
        "offered."
    ),
    "type": "array",
    "uniqueItems": True,
    "minItems": 1,
    "items": {"description": "A setting value.", "$ref": "#/$defs/setting_value"},
}

SCHEMA: Schema = {
    "description": "The retention values users may choose for a setting, and the preselected one.",
    "required": ["setting", "tier_groups", "options", "default"],
    "properties": {
        "setting": {
            "description": "The setting users choose with: a key of vocabulary.settings.",
            "$ref": "#/$defs/identifier",
        },
        "tier_groups": {
            "description": (
                "Tier groups whose users have the choice: keys of vocabulary.tier_groups."
            ),
            "type": "array",
            "uniqueItems": True,
            "items": {"description": "A tier group id.", "$ref": "#/$defs/identifier"},
            "minItems": 1,
        },
        "options": _OPTIONS,
        "default": {
            "description": "The value preselected until the user chooses; one of the options.",
            "$ref": "#/$defs/setting_value",
        },
        "minors": {
            "description": "What users counted as minors may choose instead, and their default.",
            "type": "object",
            "additionalProperties": False,
            "required": ["options", "default"],
            "properties": {
                "options": {**_OPTIONS, "description": "Every value minors may choose."},
                "default": {
                    "description": "The value preselected for minors; one of their options.",
                    "$ref": "#/$defs/setting_value",
                },
            },
        },
        "custom": {
            "description": (
                "Admins may set a custom value instead of an option, within these bounds, "
                "e.g. {min: 90d}. Without it, the setting must accept no custom value."
            ),
            "type": "object",
            "additionalProperties": False,
            "minProperties": 1,
            "properties": {
                "min": {
                    "description": "The shortest custom value admins may set.",
                    "$ref": "#/$defs/duration",
                },
                "max": {
                    "description": "The longest custom value admins may set.",
                    "$ref": "#/$defs/duration",
                },
            },
        },
        "data_kinds": {
            "description": (
                "Data kinds the setting governs: keys of vocabulary.data_kinds. Every store "
                "holding them must keep them no longer than the longest option."
            ),
            "type": "array",
            "uniqueItems": True,
            "items": {"description": "A data kind id.", "$ref": "#/$defs/identifier"},
            "minItems": 1,
        },
    },
}


DIFF = DiffSpec(
    fields={
        "setting": Review(why="the promise is now about another setting"),
        "tier_groups": Scope(
            expand="tier_groups",
            facet="tiers",
            gained="{items} users now have the choice",
            lost="{items} users no longer have the promised choice",
        ),
        "options": Review(why="users are offered other values"),
        "default": Review(why="another value is preselected"),
        "minors": Review(absent="", why="minors are offered other values"),
        "custom": Review(absent="", why="admins may set other custom values"),
        "data_kinds": Scope(absent=EVERYTHING, facet="data kinds"),
    },
    match_on=("setting",),
)


def run(ctx: CheckContext[RetentionChoicesClause]) -> Iterator[Observation]:
    clause = ctx.clause
    name = clause["setting"]
    expected = f"setting {name} offers {show(clause['options'])}"
    absent = section_missing(ctx, "settings", expected, ("setting",))
    if absent is not None:
        yield absent
    elif name not in ctx.by_id("settings"):
        yield not_evidenced(
            f"setting:{name}",
            f"the snapshot records no setting {name}",
            expected,
            ("settings",),
            ("setting",),
        )
    else:
        for path, setting in ctx.by_id("settings")[name]:
            yield from _setting(ctx, path, setting)
    if "data_kinds" in clause:
        yield from _stores(ctx)


def _setting(
    ctx: CheckContext[RetentionChoicesClause], path: JsonPath, setting: Mapping[str, Any]
) -> Iterator[Observation]:
    clause = ctx.clause
    name = clause["setting"]
    resource = f"setting:{name}"
    yield from _offered_to_tiers(ctx, name, path, setting, ctx.clause["tier_groups"])
    yield setting_exposed(
        name,
        path,
        setting,
        "users can change the setting",
        ("options",),
        ": it is fixed at its default",
    )
    yield from _choices(resource, name, "", clause, setting, path, ())
    if "minors" in clause:
        minors = setting.get("minors")
        if not isinstance(minors, dict):
            yield not_evidenced(
                resource,
                f"setting {name} does not record what minors may choose",
                f"minors offered {show(clause['minors']['options'])}",
                path,
                ("minors",),
            )
        else:
            yield from _choices(
                resource,
                name,
                " to minors",
                clause["minors"],
                minors,
                (*path, "minors"),
                ("minors",),
            )
    yield from _custom(ctx, resource, path, setting)


def _offered_to_tiers(
    ctx: CheckContext[Any],
    name: str,
    path: JsonPath,
    setting: Mapping[str, Any],
    groups: Sequence[str],
) -> Iterator[Observation]:
    """Fail for each tier of ``groups`` the setting is not offered to (no ``tiers``: all)."""
    offered = setting.get("tiers")
    if offered is None:
        return
    for tier in ctx.vocabulary.tiers_of(groups):
        if tier not in offered:
            yield failed(
                f"setting:{name}",
                f"setting {name} is not offered to tier {tier}",
                f"setting offered to tier {tier}",
                f"tiers: {', '.join(offered) or 'none'}",
                (*path, "tiers"),
                ("tier_groups",),
            )


def _choices(
    resource: str,
    name: str,
    who: str,
    promised: Mapping[str, Any],
    setting: Mapping[str, Any],
    path: JsonPath,
    clause_path: JsonPath,
) -> Iterator[Observation]:
    """The offered options are exactly the promised ones, and the default is the promised one."""
    want = list(promised["options"])
    expected = f"options {show(want)}{who}"
    offered = setting.get("options")
    if not isinstance(offered, list):
        yield not_evidenced(
            resource, f"setting {name} does not record what it offers{who}", expected, path
        )
    else:
        missing, extra = missing_from(want, offered), missing_from(offered, want)
        problems = []
        if missing:
            problems.append(f"does not offer {show(missing)}")
        if extra:
            problems.append(f"also offers {show(extra)}, which the policy does not promise")
        evidence = (*path, "options")
        if problems:
            yield failed(
                resource,
                f"setting {name}{who} " + " and ".join(problems),
                expected,
                show(offered),
                evidence,
                (*clause_path, "options"),
            )
        else:
            yield passed(
                resource,
                f"setting {name} offers {show(offered)}{who}",
                expected,
                show(offered),
                evidence,
            )
    default = promised["default"]
    expected = f"default {default}{who}"
    if "default" not in setting:
        yield not_evidenced(
            resource, f"setting {name} does not record what it preselects{who}", expected, path
        )
    elif same_value(setting["default"], default):
        yield passed(
            resource,
            f"setting {name} preselects {setting['default']}{who}",
            expected,
            str(setting["default"]),
            (*path, "default"),
        )
    else:
        yield failed(
            resource,
            f"setting {name} preselects {setting['default']}{who}, not the promised {default}",
            expected,
            str(setting["default"]),
            (*path, "default"),
            (*clause_path, "default"),
        )


def _custom(
    ctx: CheckContext[RetentionChoicesClause],
    resource: str,
    path: JsonPath,
    setting: Mapping[str, Any],
) -> Iterator[Observation]:
    """Custom values only when promised, and only within the promised bounds."""
    name = ctx.clause["setting"]
    bounds = ctx.clause.get("custom")
    custom = setting.get("custom")
    if bounds is None:
        if isinstance(custom, dict):
            yield failed(
                resource,
                f"setting {name} accepts custom values, which the policy does not promise",
                "no custom value",
                f"custom: {show(f'{k} {v}' for k, v in custom.items())}",
                (*path, "custom"),
                ("options",),
            )
        return
    if not isinstance(custom, dict):
        yield failed(
            resource,
            f"setting {name} accepts no custom value",
            "custom values accepted",
            "no custom value",
            path,
            ("custom",),
        )
        return
    promised = (("min", bounds.get("min")), ("max", bounds.get("max")))
    for bound, text in promised:
        if text is None:
            continue
        limit = as_duration(text)
        shortest = bound == "min"
        expected = f"custom values {'at least' if shortest else 'at most'} {text}"
        if bound not in custom:
            yield not_evidenced(
                resource,
                f"setting {name} records no {bound}imum custom value",
                expected,
                (*path, "custom"),
                ("custom", bound),
            )
            continue
        value = custom[bound]
        actual = as_duration(value)
        if limit is None or actual is None:
            continue  # not durations: schema errors, reported before checks run
        evidence = (*path, "custom", bound)
        if actual < limit if shortest else actual > limit:
            span = f"from {value}, shorter" if shortest else f"up to {value}, longer"
            yield failed(
                resource,
                f"setting {name} accepts custom values {span} than the promised {text}",
                expected,
                str(value),
                evidence,
                ("custom", bound),
            )
        else:
            span = f"from {value}" if shortest else f"up to {value}"
            yield passed(
                resource,
                f"setting {name} accepts custom values {span}",
                expected,
                str(value),
                evidence,
            )


def _stores(ctx: CheckContext[RetentionChoicesClause]) -> Iterator[Observation]:
    """Every store holding the data kinds keeps them no longer than the longest choice."""
    clause = ctx.clause
    name = clause["setting"]
    kinds = clause["data_kinds"]
    bound = longest(clause["options"])
    custom_max = as_duration(clause.get("custom", CustomBounds()).get("max"))
    if custom_max is not None and (bound is None or custom_max > bound):
        bound = custom_max
    if bound is None:
        yield not_evidenced(
            "policy",
            f"no option of {name} is a duration: nothing bounds how long stores keep "
            f"{words(kinds)}",
            "a duration option",
            None,
            ("options",),
        )
        return
    expected = f"{words(kinds)} kept at most {bound} (the longest choice)"
    scope = set(ctx.vocabulary.tiers_of(clause["tier_groups"]))
    matched = False
    for path, store in ctx.section("stores"):
        held = [k for k in kinds if k in (store.get("data_kinds") or ())]
        store_tiers = set(store.get("tiers") or ())
        if not held or (store_tiers and not store_tiers & scope):
            continue
        matched = True
        yield from _store(store, path, name, held, bound, expected)
    if not matched:
        yield no_store_holds(kinds, expected)


def _store(
    store: Mapping[str, Any],
    path: JsonPath,
    name: str,
    held: list[str],
    bound: Duration,
    expected: str,
) -> Iterator[Observation]:
    """One store's windows for the setting (else its retention windows) against the bound.

    A window for a duration value is held to that value too: data of users who chose 3
    months is kept at most 3 months."""
    ident = store.get("id")
    resource = f"store:{ident}"
    windows = [
        (evidence, f"{name} {value}", window, as_duration(value))
        for evidence, value, window in retention.setting_windows(store, path, name)
    ]
    if not windows:
        plain = store.get("retention")
        if isinstance(plain, dict):
            windows = [
                ((*path, "retention", key), key, value, None) for key, value in plain.items()
            ]
    if not windows:
        yield not_evidenced(
            resource,
            f"store {ident} holds {words(held)} but records no retention window",
            expected,
            path,
        )
        return
    for evidence, label, value, chosen in windows:
        window = as_duration(value)
        if window is None:
            continue  # invalid durations are schema errors, reported before checks run
        actual = f"{label}: {value}"
        # Each window is a requirement of its own: one id per window (checker.core.fingerprint).
        required = f"{expected}, for {label}"
        if window > bound:
            yield failed(
                resource,
                f"store {ident} keeps {words(held)} for {value} ({label}), longer than the "
                f"longest choice of {name}, {bound}",
                required,
                actual,
                evidence,
                ("options",),
            )
        elif chosen is not None and window > chosen:
            yield failed(
                resource,
                f"store {ident} keeps {words(held)} for {value} ({label}), longer than the "
                f"{chosen} its users chose",
                f"{words(held)} kept at most {chosen} when {chosen} is chosen",
                actual,
                evidence,
                ("options",),
            )
        else:
            yield passed(
                resource,
                f"store {ident} keeps {words(held)} for {value} ({label})",
                required,
                actual,
                evidence,
            )


CHECK = Check(
    id="retention_choices",
    order=33,
    area=retention.CHECK.area,
    title="Retention choices",
    default_severity=Severity.HIGH,
    description=(
        "The retention values users may choose for their data, and which one is preselected."
    ),
    clause_type=RetentionChoicesClause,
    schema=SCHEMA,
    vocabulary={"setting": "settings", "tier_groups": "tier_groups", "data_kinds": "data_kinds"},
    remediation=(
        "Offer exactly the promised retention choices in the setting, preselect the promised "
        "default, and shorten the stores' windows to the longest choice."
    ),
    diff=DIFF,
    run=run,
    doc=__doc__ or "",
)
