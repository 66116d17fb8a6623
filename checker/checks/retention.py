"""Retention windows: every store holding the data keeps it no longer than the policy allows.

For each store that holds one of the clause's ``data_kinds`` (and, when the clause names
``tier_groups``, holds data of one of those tiers), the store's ``retention`` window for the
clause's ``consent_state`` — or its ``any`` window when that state is not listed — must be at
most ``max``. With ``consent_state: any`` every window of the store must be within ``max``, and
a store that gives no window for some consent state (and no ``any`` window) is *not evidenced*
for those states.
A store that records no window for the state is *not evidenced*; so is a policy whose data
kinds are held by no store at all (the snapshot must say where the data lives).

``min`` is a lower bound ("kept at least 30 days for abuse review"): each window judged must
be at least ``min``; a clause gives ``max``, ``min`` or both.

A ``deleted_by_user`` promise sees every copy and every legal hold: a copy (``copy_of``)
that is not deleted with its source keeps deleted data for its own longest window, which must
be within ``max`` or allowed by a ``deletion_exceptions`` clause (not recording
``deleted_with_source`` is not evidenced); a legal hold active at the as-of date on the store
must be allowed by a ``legal_hold`` deletion exception.

PASS::

    # policy                                  # snapshot
    retention:                                stores:
      - id: opted-out-30d                       - id: chats
        data_kinds: [conversations]               data_kinds: [conversations]
        consent_state: training_not_allowed       retention: {training_not_allowed: 30d}
        max: 30d

FAIL: a backup store with ``retention: {training_not_allowed: 90d}``.

With ``setting: {id, value}`` instead of a ``consent_state``, the window applies to data of
accounts or projects with that setting value: only the stores' ``retention_by_setting``
windows for that setting and value are judged, and a store holding the data kinds that records
none is *not evidenced* ("zero-data-retention projects are not stored": ``max: 0s``).

PASS: ``retention_by_setting: [{setting: zero_data_retention, value: "on", window: 0s}]``.
FAIL: the same with ``window: 30d``.

Serves GDPR Art. 5(1)(e) (storage limitation).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Literal, NotRequired, TypedDict

from checker.checks.base import (
    Check,
    CheckContext,
    Clause,
    Schema,
    counted,
    duration,
    either,
    failed,
    no_store_holds,
    not_evidenced,
    options,
    passed,
    store_namer,
    unwindowed_states,
    words,
)
from checker.checks.deletion import (
    active_holds,
    exceptions_of,
    judge_copy_in_deletion,
    judge_holds_in_deletion,
)
from checker.core.diagnostics import JsonPath
from checker.core.durations import Duration
from checker.core.results import Area, Observation, Severity
from checker.core.setting_values import same_value
from checker.diff.ordering import EVERYTHING, DiffSpec, Review, Scope, Span
from checker.evaluation.copies import copies_of

# One clause of the section: the model the check reads, and its JSON Schema fragment.
ConsentState = Literal[
    "training_allowed",
    "training_not_allowed",
    "deleted_by_user",
    "flagged_for_safety",
    "feedback",
    "any",
]


class SettingValue(TypedDict):
    id: str
    value: str


class RetentionClause(Clause):
    data_kinds: list[str]
    consent_state: NotRequired[ConsentState]
    max: NotRequired[str]
    min: NotRequired[str]
    tier_groups: NotRequired[list[str]]
    setting: NotRequired[SettingValue]


SCHEMA: Schema = {
    "description": (
        "A retention window for some data kinds — a maximum, a minimum or both — in one consent "
        "state, or for accounts or projects with one value of a setting."
    ),
    "required": ["data_kinds"],
    "allOf": [
        {"anyOf": [{"required": ["consent_state"]}, {"required": ["setting"]}]},
        {"anyOf": [{"required": ["max"]}, {"required": ["min"]}]},
    ],
    "dependentSchemas": {"setting": {"not": {"required": ["consent_state"]}}},
    "properties": {
        "data_kinds": {
            "description": "Data kinds the clause speaks about: keys of vocabulary.data_kinds.",
            "type": "array",
            "uniqueItems": True,
            "items": {"description": "A data kind id.", "$ref": "#/$defs/identifier"},
            "minItems": 1,
        },
        "consent_state": {
            "description": (
                "Which data the window applies to: training_allowed (the user allowed training), "
                "training_not_allowed (the user did not), deleted_by_user (the user deleted it), "
                "flagged_for_safety, feedback, or any (every state)."
            ),
            "enum": options(ConsentState),
        },
        "max": {
            "description": (
                "Longest time the data may be kept, e.g. '5y' or '30d'; '0s' means it must not "
                "be kept at all."
            ),
            "$ref": "#/$defs/duration",
        },
        "min": {
            "description": (
                "Shortest time the data must be kept, e.g. '30d' (kept at least 30 days for "
                "abuse review). A clause gives max, min or both."
            ),
            "$ref": "#/$defs/duration",
        },
        "tier_groups": {
            "description": (
                "Restrict the clause to stores holding data of these tier groups: keys of "
                "vocabulary.tier_groups (default: every store holding the data kinds)."
            ),
            "type": "array",
            "uniqueItems": True,
            "items": {"description": "A tier group id.", "$ref": "#/$defs/identifier"},
            "minItems": 1,
        },
        "setting": {
            "description": (
                "Instead of a consent_state: the window applies to data of accounts or projects "
                "whose setting has this value, e.g. {id: zero_data_retention, value: 'on'}; "
                "stores' retention_by_setting windows for it are judged."
            ),
            "type": "object",
            "additionalProperties": False,
            "required": ["id", "value"],
            "properties": {
                "id": {
                    "description": "The setting: a key of vocabulary.settings.",
                    "$ref": "#/$defs/identifier",
                },
                "value": {
                    "description": "The setting's value, e.g. 'on' or '30d'.",
                    "$ref": "#/$defs/setting_value",
                },
            },
        },
    },
}


# How a change of each field reads in `policy-check diff` (checker.diff.ordering).
DIFF = DiffSpec(
    fields={
        "data_kinds": Scope(facet="data kinds", gained="{items} now kept at most {max}"),
        "consent_state": Review(facet="consent states", why="the window applies to other data"),
        "max": Span(larger="loosens", zero="not kept at all", absent="indefinite"),
        "min": Span(larger="tightens", absent="0s"),
        "tier_groups": Scope(
            expand="tier_groups",
            absent=EVERYTHING,
            facet="tiers",
            gained="{items} data in this state is now kept at most {max}",
            lost="{items} data is no longer held to this window",
        ),
        "setting": Review(absent="", why="the window applies to other accounts or projects"),
    },
    match_on=("consent_state",),
)


def run(ctx: CheckContext[RetentionClause]) -> Iterator[Observation]:
    if "setting" in ctx.clause:
        yield from _by_setting(ctx, ctx.clause["setting"])
        return
    clause = ctx.clause
    kinds = list(clause["data_kinds"])
    state = clause["consent_state"]
    limit = duration(clause.get("max"))
    floor = duration(clause.get("min"))
    scope_tiers = set(ctx.vocabulary.tiers_of(clause.get("tier_groups", ())))
    expected = _expected(state, limit, floor)
    # A deletion promise sees copies kept apart and legal holds (checker.checks.deletion).
    deletion = state == "deleted_by_user" and limit is not None
    allowances = exceptions_of(ctx, holds=False) if deletion else []
    holds = active_holds(ctx) if deletion else {}
    matched = False
    counting = ctx.counting and not deletion
    wanted = frozenset(kinds)
    name_passes = store_namer(ctx)
    for path, store in ctx.section("stores"):
        have = store.get("data_kinds") or ()
        if wanted.isdisjoint(have):
            continue
        if scope_tiers:
            store_tiers = store.get("tiers")
            if store_tiers and scope_tiers.isdisjoint(store_tiers):
                continue
        matched = True
        if counting:
            passes = _passes(store.get("retention"), state, limit, floor)
            if passes is not None:
                if passes:  # none when its only window is not a duration (a schema error)
                    yield name_passes(store, passes) if ctx.naming else counted(passes)
                continue
        held = [k for k in kinds if k in have]
        if deletion and limit is not None:
            if (
                "copy_of" in store
                and copies_of(store)
                and store.get("deleted_with_source") is not True
            ):
                yield from judge_copy_in_deletion(store, path, held, limit, allowances)
            else:
                yield from _windows(store, path, held, state, limit, floor, expected)
            if holds and store.get("id") in holds:
                yield from judge_holds_in_deletion(ctx, store, held, limit, holds[store["id"]])
        else:
            yield from _windows(store, path, held, state, limit, floor, expected)
    if not matched:
        yield no_store_holds(kinds, expected)


def _passes(windows: Any, state: str, limit: Duration | None, floor: Duration | None) -> int | None:
    """How many passes :func:`_windows` would yield for the store's ``retention`` when every
    window it judges is within ``max`` and ``min``; ``None`` when any is not, or is missing
    (the store is then judged in full, with its messages)."""
    if not isinstance(windows, dict) or not windows:
        return None
    if state == "any":
        if unwindowed_states(windows):
            return None
        keys: Iterable[str] = windows
    else:
        key = state if state in windows else "any"
        if key not in windows:
            return None
        keys = (key,)
    passes = 0
    for key in keys:
        window = duration(windows[key])
        if window is None:
            continue  # a schema error, reported before checks run: no finding here either
        if (limit is not None and window > limit) or (floor is not None and window < floor):
            return None
        passes += 1
    return passes


def setting_windows(
    store: Mapping[str, Any], path: JsonPath, setting: str
) -> list[tuple[JsonPath, Any, Any]]:
    """The store's ``retention_by_setting`` windows for ``setting``: (path, value, window)."""
    entries = store.get("retention_by_setting")
    if not isinstance(entries, list):
        return []
    return [
        ((*path, "retention_by_setting", i, "window"), entry.get("value"), entry.get("window"))
        for i, entry in enumerate(entries)
        if isinstance(entry, dict) and entry.get("setting") == setting
    ]


def _by_setting(ctx: CheckContext[RetentionClause], setting: SettingValue) -> Iterator[Observation]:
    """Only the stores' windows for the setting's value are judged (``retention_by_setting``)."""
    clause = ctx.clause
    kinds = list(clause["data_kinds"])
    limit = duration(clause.get("max"))
    floor = duration(clause.get("min"))
    name, value = setting["id"], setting["value"]
    scope_tiers = set(ctx.vocabulary.tiers_of(clause.get("tier_groups", ())))
    expected = _expected(f"data with {name} {value}", limit, floor).replace(" data kept", " kept")
    matched = False
    for path, store in ctx.section("stores"):
        held = [k for k in kinds if k in (store.get("data_kinds") or ())]
        store_tiers = set(store.get("tiers") or ())
        if not held or (scope_tiers and store_tiers and not store_tiers & scope_tiers):
            continue
        matched = True
        ident = store.get("id")
        resource = f"store:{ident}"
        windows = [w for w in setting_windows(store, path, name) if same_value(w[1], value)]
        if not windows:
            yield not_evidenced(
                resource,
                f"store {ident} holds {words(held)} but records no retention window for "
                f"data with {name} {value}",
                expected,
                (*path, "retention_by_setting") if "retention_by_setting" in store else path,
                ("setting",),
            )
        for evidence, _, text in windows:
            window = duration(text)
            if window is None:
                continue  # invalid durations are schema errors, reported before checks run
            kept = f"{words(held)} with {name} {value} for {text}"
            if limit is not None and window > limit:
                yield failed(
                    resource,
                    f"store {ident} keeps {kept}, longer than the {limit} the policy allows",
                    expected,
                    str(text),
                    evidence,
                    ("max",),
                )
            elif floor is not None and window < floor:
                yield failed(
                    resource,
                    f"store {ident} keeps {kept}, shorter than the {floor} the policy requires",
                    expected,
                    str(text),
                    evidence,
                    ("min",),
                )
            else:
                yield passed(resource, f"store {ident} keeps {kept}", expected, str(text), evidence)
    if not matched:
        yield no_store_holds(kinds, expected)


def _expected(state: str, limit: Duration | None, floor: Duration | None) -> str:
    if floor is None:
        return f"{state} data kept at most {limit}"
    if limit is None:
        return f"{state} data kept at least {floor}"
    return f"{state} data kept at least {floor} and at most {limit}"


def _windows(
    store: Mapping[str, Any],
    path: JsonPath,
    held: list[str],
    state: str,
    limit: Duration | None,
    floor: Duration | None,
    expected: str,
) -> Iterator[Observation]:
    """The store's own windows for ``state`` against ``max`` and ``min``."""
    resource = f"store:{store.get('id')}"
    windows = store.get("retention")
    if not isinstance(windows, dict) or not windows:
        if state == "deleted_by_user" and store.get("deleted_with_source") is True:
            yield _deleted_with_source(store, path, expected)
            return
        yield not_evidenced(
            resource,
            f"store {store.get('id')} holds {words(held)} but records no retention window",
            expected,
            path,
        )
        return
    states = list(windows) if state == "any" else [state if state in windows else "any"]
    unwindowed = unwindowed_states(windows) if state == "any" else []
    for key in states:
        if key not in windows:
            if state == "deleted_by_user" and store.get("deleted_with_source") is True:
                yield _deleted_with_source(store, path, expected)
                continue
            yield not_evidenced(
                resource,
                f"store {store.get('id')} records no retention window for {state} data",
                expected,
                (*path, "retention"),
            )
            continue
        window = duration(windows[key])
        evidence = (*path, "retention", key)
        if window is None:
            continue  # invalid durations are schema errors, reported before checks run
        actual = f"{key}: {windows[key]}"
        # The window at fault, not the clause's "any": every window is judged in turn.
        kept = _kept(key if state == "any" else state, held, others=len(windows) > 1)
        if limit is not None and window > limit:
            yield failed(
                resource,
                f"store {store.get('id')} keeps {kept} for {windows[key]}, "
                f"longer than the {limit} the policy allows",
                expected,
                actual,
                evidence,
                ("max",),
            )
        elif floor is not None and window < floor:
            yield failed(
                resource,
                f"store {store.get('id')} keeps {kept} for {windows[key]}, "
                f"shorter than the {floor} the policy requires",
                expected,
                actual,
                evidence,
                ("min",),
            )
        else:
            yield passed(
                resource,
                f"store {store.get('id')} keeps {kept} for {windows[key]}",
                expected,
                actual,
                evidence,
            )
    if unwindowed:  # data in these states is kept for a time nobody recorded
        yield not_evidenced(
            resource,
            f"store {store.get('id')} records no retention window for "
            f"{either(unwindowed)} data, nor one for any state",
            expected,
            (*path, "retention"),
        )


def _deleted_with_source(store: Mapping[str, Any], path: JsonPath, expected: str) -> Observation:
    """A copy deleted with its source keeps deleted data no longer than the source does,
    which is judged as a store of its own."""
    return passed(
        f"store:{store.get('id')}",
        f"store {store.get('id')}, a copy of {words(copies_of(store))}, is deleted with its "
        "source: deleted data goes when the source purges it",
        expected,
        "deleted_with_source: true",
        (*path, "deleted_with_source"),
    )


def _kept(state: str, held: list[str], *, others: bool) -> str:
    """The data a window keeps, in words: "training_allowed conversations", or for a store's
    ``any`` window "conversations in any (other) consent state"."""
    if state != "any":
        return f"{state} {words(held)}"
    return f"{words(held)} in any {'other ' if others else ''}consent state"


CHECK = Check(
    id="retention",
    order=30,
    area=Area("retention", "Retention"),
    title="Retention windows",
    default_severity=Severity.HIGH,
    description="How long data may be kept, per consent state.",
    clause_type=RetentionClause,
    schema=SCHEMA,
    vocabulary={"data_kinds": "data_kinds", "tier_groups": "tier_groups", "setting.id": "settings"},
    remediation=(
        "Shorten the store's lifecycle or TTL rule for this consent state to at most the "
        "promised window, and purge data older than it."
    ),
    diff=DIFF,
    run=run,
    doc=__doc__ or "",
)
