"""Minors: the age gate, who counts as a minor, stored conversations, preferences, training.

A clause states one promise or several; each is checked only when stated:

* ``minimum_age``: the snapshot's ``age_gate`` is ``enabled`` with ``minimum_age`` at least the
  clause's;
* ``minor_age`` (the age below which a user counts as a minor, by default and per region: a
  country code or a region id of the vocabulary): the snapshot's ``age_gate.minor_age`` counts
  as minors at least everyone the policy does — for each region the policy names, the
  snapshot's age there (its default when it records none; for a region id, the lowest over its
  countries) is at least the policy's, its default is at least the policy's default, and so
  is every other region it records;
* with ``conversations_stored: false`` every store records ``holds_minors_data: false``
  (a store that does not record it is not evidenced);
* with ``preferences: minimised`` every store holding one of the clause's
  ``preference_kinds`` (every store, when the clause names none) records
  ``minors_preferences: minimised`` — a store that does not record it is not evidenced — and
  so does any other store that records it;
* with ``training: never`` every training pipeline applies the ``minors`` filter (under
  ``policy_checker: 1`` a clause that leaves ``training`` out promises it too);
* with ``guardian_resources: true`` the age gate records where guardians find resources
  (``age_gate.guardian_resources``).

PASS: ``age_gate: {enabled: true, minimum_age: 18}`` for ``minimum_age: 18``.
FAIL: ``age_gate: {enabled: true, minimum_age: 13}``; a store with ``holds_minors_data: true``.

PASS: ``age_gate: {enabled: true, minor_age: {default: 18, regions: {DE: 16}}}`` for
``minor_age: {default: 18, regions: {DE: 16, FR: 15}}`` (France falls back to 18).
FAIL: the same snapshot for ``minor_age: {default: 18, regions: {DE: 18}}``.

Serves GDPR Art. 8 (children's consent), COPPA 16 CFR 312.5 and 312.10, CPRA §1798.120(c).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, Literal, NotRequired, TypedDict

from checker.checks.base import (
    COUNTED,
    Check,
    CheckContext,
    Clause,
    Schema,
    Vocabulary,
    counted,
    failed,
    holds_any,
    named,
    not_evidenced,
    options,
    passed,
    section_missing,
    store_namer,
    training_pipelines,
    words,
)
from checker.core.diagnostics import JsonPath
from checker.core.results import Area, Observation, Severity, Status
from checker.diff.ordering import DiffSpec, Ranked, Review, Scope, Span
from checker.evaluation.in_step import as_another_loop

# One clause of the section: the model the check reads, and its JSON Schema fragment.
Preferences = Literal["minimised", "normal"]
Training = Literal["never", "allowed"]


class MinorAge(TypedDict):
    default: int
    regions: NotRequired[dict[str, int]]


class MinorsClause(Clause):
    minimum_age: NotRequired[int]
    conversations_stored: NotRequired[bool]
    preferences: NotRequired[Preferences]
    preference_kinds: NotRequired[list[str]]
    training: NotRequired[Training]
    guardian_resources: NotRequired[bool]
    minor_age: NotRequired[MinorAge]


# The fields that promise something: a clause states at least one.
PROMISES = (
    "minimum_age",
    "conversations_stored",
    "preferences",
    "training",
    "guardian_resources",
    "minor_age",
)


SCHEMA: Schema = {
    "description": "A promise about users below an age.",
    "anyOf": [{"required": [field]} for field in PROMISES],
    "properties": {
        "minimum_age": {
            "description": (
                "The age gate must be enabled and admit no one younger than this, in whole years."
            ),
            "type": "integer",
            "minimum": 0,
            "maximum": 21,
        },
        "conversations_stored": {
            "description": (
                "Whether minors' conversations may be stored; false means no store may hold "
                "minors' data."
            ),
            "type": "boolean",
        },
        "preferences": {
            "description": (
                "minimised: stores keep minors' preferences minimised; normal: no requirement."
            ),
            "enum": options(Preferences),
        },
        "preference_kinds": {
            "description": (
                "The data kinds that are users' preferences: keys of vocabulary.data_kinds. With "
                "preferences: minimised, every store holding one must record minors_preferences; "
                "without this field, every store must."
            ),
            "type": "array",
            "uniqueItems": True,
            "items": {"description": "A data kind id.", "$ref": "#/$defs/identifier"},
            "minItems": 1,
        },
        "training": {
            "description": (
                "never: every training pipeline must filter minors' data out; allowed: no "
                "requirement. Left out: never under policy_checker: 1, no promise under 2."
            ),
            "enum": options(Training),
        },
        "guardian_resources": {
            "description": (
                "Whether parents and guardians must be given resources to protect children's "
                "privacy: the snapshot's age_gate.guardian_resources must say where. Default "
                "false."
            ),
            "type": "boolean",
        },
        "minor_age": {
            "description": (
                "The age below which a user counts as a minor, by default and per region (a "
                "country code such as DE, or a region id): the snapshot's age_gate.minor_age "
                "must count as minors at least everyone this does."
            ),
            "type": "object",
            "additionalProperties": False,
            "required": ["default"],
            "properties": {
                "default": {
                    "description": "Where no region says otherwise, in whole years.",
                    "type": "integer",
                    "minimum": 0,
                    "maximum": 21,
                },
                "regions": {
                    "description": "Ages by region, e.g. {DE: 16, FR: 15, US: 13}.",
                    "type": "object",
                    "minProperties": 1,
                    "propertyNames": {"$ref": "#/$defs/region_key"},
                    "additionalProperties": {"type": "integer", "minimum": 0, "maximum": 21},
                },
            },
        },
    },
    "$defs": {
        "region_key": {
            "description": (
                "A country code (ISO 3166-1 alpha-2, upper case, e.g. DE) or a region id."
            ),
            "type": "string",
            "pattern": "^([A-Z]{2}|[a-z][a-z0-9_-]*)$",
        },
    },
}


# How a change of each field reads in `policy-check diff` (checker.diff.ordering).
DIFF = DiffSpec(
    fields={
        "minimum_age": Span(larger="tightens"),
        "conversations_stored": Ranked(order=(False, True)),
        "preferences": Ranked(order=("minimised", "normal")),
        "preference_kinds": Scope(facet="data kinds"),
        "training": Ranked(absent="never", order=("never", "allowed")),
        "guardian_resources": Ranked(absent=False, order=(True, False)),
        "minor_age": Review(absent="", why="other users count as minors"),
    },
)


def run(ctx: CheckContext[MinorsClause]) -> Iterator[Observation]:
    clause = ctx.clause
    if "minimum_age" in clause:
        yield from _age_gate(ctx, clause["minimum_age"])
    if "minor_age" in clause:
        yield from minor_age(ctx, clause["minor_age"])
    stored = clause.get("conversations_stored") is False
    minimised = clause.get("preferences") == "minimised"
    if stored and minimised:
        yield from _stored_and_preferences(ctx)
    elif stored:
        yield from _stored(ctx)
    elif minimised:
        yield from _preferences(ctx)
    # Language v1 made every clause promise no training of minors unless it said otherwise;
    # from v2 a clause promises only what it states.
    training = clause.get("training", "never" if ctx.policy.get("policy_checker", 1) == 1 else None)
    if training == "never":
        yield from _training(ctx)
    if clause.get("guardian_resources") is True:
        yield from _guardians(ctx)


def _guardians(ctx: CheckContext[MinorsClause]) -> Iterator[Observation]:
    expected = "resources for parents and guardians published"
    gate = ctx.snapshot.get("age_gate")
    where = gate.get("guardian_resources") if isinstance(gate, dict) else None
    if isinstance(where, str) and where.strip():
        yield passed(
            "age_gate",
            f"guardians are pointed to {where}",
            expected,
            where,
            ("age_gate", "guardian_resources"),
        )
    else:
        yield not_evidenced(
            "age_gate",
            "the snapshot records no resources for parents and guardians",
            expected,
            ("age_gate",) if gate else None,
            ("guardian_resources",),
        )


def _age_gate(ctx: CheckContext[MinorsClause], want: int) -> Iterator[Observation]:
    expected = f"age gate enabled, minimum age {want}"
    gate = ctx.snapshot.get("age_gate")
    if not isinstance(gate, dict) or "enabled" not in gate:
        yield not_evidenced("age_gate", "the snapshot records no age gate", expected, None)
    elif gate["enabled"] is not True:
        yield failed(
            "age_gate",
            "the age gate is disabled",
            expected,
            "disabled",
            ("age_gate", "enabled"),
            ("minimum_age",),
        )
    elif "minimum_age" not in gate:
        yield not_evidenced(
            "age_gate", "the age gate records no minimum age", expected, ("age_gate",)
        )
    elif gate["minimum_age"] < want:
        yield failed(
            "age_gate",
            f"the age gate admits users from age {gate['minimum_age']}, below the promised {want}",
            expected,
            f"minimum age {gate['minimum_age']}",
            ("age_gate", "minimum_age"),
            ("minimum_age",),
        )
    else:
        yield passed(
            "age_gate",
            f"the age gate admits users from age {gate['minimum_age']}",
            expected,
            f"minimum age {gate['minimum_age']}",
            ("age_gate", "minimum_age"),
        )


def minor_age(ctx: CheckContext[MinorsClause], promised: MinorAge) -> Iterator[Observation]:
    """The product counts as minors at least everyone the policy does, in every region: the
    snapshot's age for a region the policy names (or, when it records none, its default) is at
    least the policy's, and every other region it records is at least the policy's default."""
    expected = f"minors: under {promised['default']}" + "".join(
        f", under {age} in {region}" for region, age in promised.get("regions", {}).items()
    )
    gate = ctx.snapshot.get("age_gate")
    recorded = gate.get("minor_age") if isinstance(gate, dict) else None
    if not isinstance(recorded, dict) or not isinstance(recorded.get("default"), int):
        yield not_evidenced(
            "age_gate",
            "the snapshot records no age below which users count as minors (age_gate.minor_age)",
            expected,
            ("age_gate",) if isinstance(gate, dict) else None,
            ("minor_age",),
        )
        return
    base: JsonPath = ("age_gate", "minor_age")
    found = recorded.get("regions")
    regions: dict[str, Any] = found if isinstance(found, dict) else {}
    yield _age_compared(
        "by default",
        recorded["default"],
        promised["default"],
        (*base, "default"),
        expected,
        ("minor_age", "default"),
    )
    covered: set[str] = set()
    for region, want in promised.get("regions", {}).items():
        countries = _countries(ctx.policy, region)
        covered |= {region, *countries}
        if region in regions:
            where: JsonPath = (*base, "regions", region)
            ages = [(regions[region], where)]
        elif countries:
            ages = [_regional(regions, recorded, c, base) for c in sorted(countries)]
        else:
            ages = [(recorded["default"], (*base, "default"))]
        age, where = min(ages, key=lambda found: found[0])
        yield _age_compared(
            f"in {region}", age, want, where, expected, ("minor_age", "regions", region)
        )
    for region, age in regions.items():
        if region not in covered:
            yield _age_compared(
                f"in {region}",
                age,
                promised["default"],
                (*base, "regions", region),
                expected,
                ("minor_age", "default"),
            )


def _regional(
    regions: dict[str, Any], recorded: dict[str, Any], country: str, base: JsonPath
) -> tuple[int, JsonPath]:
    """The snapshot's age for a country: its own, else the snapshot's default."""
    if country in regions:
        return regions[country], (*base, "regions", country)
    return recorded["default"], (*base, "default")


def _countries(policy: Mapping[str, Any], region: str) -> set[str]:
    """The country codes of a region id of the policy's vocabulary (nested regions included);
    empty for a country code or a region the vocabulary does not define."""
    defined = policy.get("vocabulary", {}).get("regions")
    if not isinstance(defined, Mapping):
        return set()
    found: set[str] = set()
    pending, seen = [region], set()
    while pending:
        name = pending.pop()
        entry = defined.get(name)
        if name in seen or not isinstance(entry, Mapping):
            continue
        seen.add(name)
        found.update(c for c in entry.get("countries") or () if isinstance(c, str))
        pending.extend(r for r in entry.get("regions") or () if isinstance(r, str))
    return found


def _age_compared(
    where: str, age: Any, want: int, evidence: JsonPath, expected: str, clause_path: JsonPath
) -> Observation:
    if not isinstance(age, int) or age < want:
        return failed(
            "age_gate",
            f"users {where} count as minors only under {age}, not under the promised {want}",
            expected,
            f"minors under {age} {where}",
            evidence,
            clause_path,
        )
    return passed(
        "age_gate",
        f"users {where} count as minors under {age}",
        expected,
        f"minors under {age} {where}",
        evidence,
    )


def _stored(ctx: CheckContext[MinorsClause]) -> Iterator[Observation]:
    absent = section_missing(ctx, "stores", _NOT_STORED)
    if absent is not None:
        yield absent
        return
    counting = ctx.counting
    name_passes = store_namer(ctx) if ctx.naming else None
    for path, store in ctx.section("stores"):
        yield from _judge_stored(path, store, counting, name_passes)


def _stored_and_preferences(ctx: CheckContext[MinorsClause]) -> Iterator[Observation]:
    """Both store promises of a clause, judged in one pass over the stores (a million stores
    are read once, not twice), in the order two passes give: every observation about
    conversations first, then those about preferences, kept until the pass ends (and said
    as a second pass would, for stores checked in parts: ``as_another_loop``). Counting, a
    store's passes are only counted (and named), in no order: said at once, as one (half a
    million stores a part, none kept; and named, each store once)."""
    if "stores" not in ctx.snapshot:
        yield from _stored(ctx)
        yield from _preferences(ctx)
        return
    counting = ctx.counting
    preferences = _Preferences(ctx, None)
    later: list[tuple[int, Observation]] = []
    name_passes = store_namer(ctx) if ctx.naming else None
    both = counted(2)
    for path, store in ctx.section("stores"):
        if (
            counting
            and store.get("holds_minors_data", True) is False
            and store.get("minors_preferences") == "minimised"
        ):  # both met, as the shortcuts of ``_judge_stored`` and ``judge`` tell, at once
            preferences.judged = True
            yield name_passes(store, 2) if name_passes is not None else both
            continue
        passes = 0
        for observation in _judge_stored(path, store, counting, None):
            if counting and observation.status is Status.PASS:
                passes += observation.times
            else:
                yield observation
        for observation in preferences.judge(path, store):
            if counting and observation.status is Status.PASS:
                passes += observation.times
            else:
                later.append((path[1], observation))  # type: ignore[arg-type]  # an index
        if passes:
            yield name_passes(store, passes) if name_passes is not None else counted(passes)
    yield from as_another_loop(later)
    yield from preferences.end()


_NOT_STORED = "minors' conversations not stored"


def _judge_stored(
    path: JsonPath,
    store: Mapping[str, Any],
    counting: bool,
    name_passes: Callable[[Mapping[str, Any], int], Observation] | None,
) -> Iterator[Observation]:
    """Whether ``store`` keeps minors' conversations; when counting, a store that does not
    is one pass, said by ``name_passes`` when the run names passes."""
    if counting and store.get("holds_minors_data", True) is False:
        yield name_passes(store, 1) if name_passes is not None else COUNTED
        return
    name = store.get("id")
    resource = f"store:{name}"
    if "holds_minors_data" not in store:
        yield not_evidenced(
            resource,
            f"store {name} does not record whether it holds minors' data",
            _NOT_STORED,
            path,
        )
    elif store["holds_minors_data"] is True:
        yield failed(
            resource,
            f"store {name} holds minors' conversations",
            _NOT_STORED,
            "holds minors' data",
            (*path, "holds_minors_data"),
            ("conversations_stored",),
        )
    else:
        yield passed(
            resource,
            f"store {name} holds no minors' data",
            _NOT_STORED,
            "no minors' data",
            (*path, "holds_minors_data"),
        )


def _preferences(ctx: CheckContext[MinorsClause]) -> Iterator[Observation]:
    """The stores the promise is about — those holding a data kind of ``preference_kinds``, or
    every store when the clause names none — must record ``minors_preferences``; a store
    recording it is judged whatever it holds."""
    preferences = _Preferences(ctx, store_namer(ctx) if ctx.naming else None)
    for path, store in ctx.section("stores"):
        yield from preferences.judge(path, store)
    yield from preferences.end()


class _Preferences:
    """The preferences promise, one store at a time (see :func:`_preferences`)."""

    expected = "minors' preferences minimised"

    def __init__(
        self,
        ctx: CheckContext[MinorsClause],
        name_passes: Callable[[Mapping[str, Any], int], Observation] | None,
    ) -> None:
        self.ctx = ctx
        self.kinds = ctx.clause.get("preference_kinds")
        self.judged = False
        self.name_passes = name_passes  # a store's pass, when counting: else ``COUNTED``

    def judge(self, path: JsonPath, store: Mapping[str, Any]) -> Iterator[Observation]:
        expected, kinds = self.expected, self.kinds
        if self.ctx.counting and store.get("minors_preferences") == "minimised":
            self.judged = True
            name_passes = self.name_passes
            yield name_passes(store, 1) if name_passes is not None else COUNTED
            return
        name = store.get("id")
        resource = f"store:{name}"
        if "minors_preferences" not in store:
            held = holds_any(store, "data_kinds", kinds) if kinds is not None else None
            if held == []:
                return  # holds no preferences: nothing to minimise
            self.judged = True
            holds = f" holds {words(held)} but" if held else ""
            yield not_evidenced(
                resource,
                f"store {name}{holds} does not record how it keeps minors' preferences "
                "(minors_preferences)",
                expected,
                path,
                ("preferences",),
            )
            return
        self.judged = True
        value = store["minors_preferences"]
        evidence = (*path, "minors_preferences")
        if value == "minimised":
            yield passed(
                resource,
                f"store {name} minimises minors' preferences",
                expected,
                value,
                evidence,
            )
        else:
            yield failed(
                resource,
                f"store {name} keeps minors' preferences in full",
                expected,
                str(value),
                evidence,
                ("preferences",),
            )

    def end(self) -> Iterator[Observation]:
        """What is said once every store is judged."""
        if not self.judged:
            kinds = self.kinds
            yield not_evidenced(
                "stores",
                f"no store in the snapshot holds {words(kinds)}"
                if kinds
                else "no store records how minors' preferences are kept",
                self.expected,
                ("stores",) if "stores" in self.ctx.snapshot else None,
                ("preference_kinds",) if kinds else ("preferences",),
            )


def _training(ctx: CheckContext[MinorsClause]) -> Iterator[Observation]:
    expected = "minors' data filtered out before training"
    absent = section_missing(ctx, "pipelines", expected)
    if absent is not None:
        yield absent
        return
    for path, pipe in training_pipelines(ctx):
        name = pipe.get("id")
        resource = f"pipeline:{name}"
        if "filters" not in pipe:
            yield not_evidenced(resource, f"pipeline {name} records no filters", expected, path)
        elif "minors" not in (pipe["filters"] or ()):
            yield failed(
                resource,
                f"training pipeline {name} does not filter out minors' data",
                expected,
                "no minors filter",
                (*path, "filters"),
                ("training",),
            )
        elif ctx.counting:
            yield named(1, resource) if ctx.naming else COUNTED  # a pass: no message made
        else:
            yield passed(
                resource,
                f"training pipeline {name} filters out minors' data",
                expected,
                "minors filter",
                (*path, "filters"),
            )


def conflicts(a: Mapping[str, Any], b: Mapping[str, Any], vocabulary: Vocabulary) -> str | None:
    """Two minimum ages: who counts as a minor must be one age."""
    first, second = a.get("minimum_age"), b.get("minimum_age")
    if first is None or second is None or first == second:
        return None
    return f"the minimum age is {second} here but {first} there; keep one age"


CHECK = Check(
    id="minors",
    order=80,
    area=Area("minors", "Minors"),
    title="Minors' data",
    default_severity=Severity.CRITICAL,
    description=(
        "Protections for minors: the age gate, stored conversations, preferences and training."
    ),
    clause_type=MinorsClause,
    schema=SCHEMA,
    vocabulary={"preference_kinds": "data_kinds"},
    remediation=(
        "Turn on the age gate and exclude minors' conversations from storage and training, as "
        "the promise says; keep their preferences to the minimum listed."
    ),
    diff=DIFF,
    run=run,
    conflicts=conflicts,
    doc=__doc__ or "",
)
