"""Policy rules the schema cannot state: names must be defined, ids unique, promises consistent.

Runs on a policy that already passed its schema. Each rule yields diagnostics that point at the
offending line (for a wrong reference, the list item itself) and name the other line involved,
so an author can fix a contradiction without hunting for its other half.

Rules (diagnostic codes):

* ``semantic-undefined-reference`` — a clause names a tier group, data kind, sensitive category,
  role, setting or region the vocabulary does not define, or a region includes a region it
  does not define (with a "did you mean"); so does a region id (not a country code) of a
  ``minors`` clause's ``minor_age.regions``.
* ``semantic-duplicate-id`` — two clauses share an id (ids are unique across all sections,
  since findings and waivers name clauses as ``<policy>/<clause>``).
* ``semantic-tier-in-two-groups`` — a tier listed in two tier groups: clauses about either
  group would disagree about it.
* ``semantic-excluded-tier-trained`` — a tier group excluded from training also has a training
  default other than ``never`` (in clauses in force on a common day).
* ``semantic-contradictory-retention`` — two retention clauses give the same data kind and
  consent state (for overlapping tiers, in force at the same time) different maximum windows.
* ``semantic-min-above-max`` — a retention clause's ``min`` is longer than its ``max``: no
  window can be both.
* ``semantic-deletion-outlives-opt-out`` (warning) — deleted data may be kept longer than data
  of users who did not allow training, so deleting would keep data longer than opting out.
  Not raised when the opted-out window is zero: such data is never kept, so never deleted.
* ``semantic-allowed-and-forbidden`` — one clause allows a data kind in a place (training or
  storage) that another forbids.
* ``semantic-self-supersede`` — ``metadata.supersedes`` names the policy itself.
* ``semantic-replaces`` — a clause's ``replaces`` names a clause of the same policy (it names
  the previous version's clause), or two clauses replace the same one.
* ``semantic-offered-and-not-offered`` — a user right is offered to a tier (``tier_groups``)
  that the same or another clause of the right says it is not offered to (``not_offered_to``).
* ``semantic-contradiction`` — two clauses of one section that cannot both hold, as the
  section's ``conflicts`` hook says (e.g. two training defaults for one tier, two deadlines for
  one right); reported at the later clause, naming both clauses and their lines. Clauses that
  hold in different regions or at different times (``regions``, ``effective``/``expires``)
  never meet, so never contradict; a clause with ``confidence: conflict`` declares the
  disagreement itself (``check`` fails it), so is not reported again.
* ``semantic-expires-before-effective`` — the policy or a clause expires before it takes effect
  (a clause without ``effective`` takes effect with its policy): it would never be in force.
* ``semantic-default-not-offered`` — a ``retention_choices`` clause preselects a value (its
  ``default``, or the ``default`` of its ``minors``) that is not among the options it offers.
* ``semantic-no-clauses`` — the policy has no clause, either because it has no clause section
  or because every one it has is empty: it promises nothing, so checking it proves nothing.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from checker.checks import CHECKS
from checker.checks.base import Check, Vocabulary
from checker.core.diagnostics import Diagnostic, JsonPath, Level, Position
from checker.core.durations import Duration, DurationError, parse_duration
from checker.core.setting_values import same_value
from checker.documents.document import Document
from checker.evaluation.in_force import Period, period_errors

UNDEFINED = "semantic-undefined-reference"
DUPLICATE_ID = "semantic-duplicate-id"
TIER_IN_TWO_GROUPS = "semantic-tier-in-two-groups"
EXCLUDED_TRAINED = "semantic-excluded-tier-trained"
CONTRADICTORY_RETENTION = "semantic-contradictory-retention"
DELETION_OUTLIVES = "semantic-deletion-outlives-opt-out"
MIN_ABOVE_MAX = "semantic-min-above-max"
ALLOWED_AND_FORBIDDEN = "semantic-allowed-and-forbidden"
SELF_SUPERSEDE = "semantic-self-supersede"
REPLACES = "semantic-replaces"
NO_CLAUSES = "semantic-no-clauses"
OFFERED_AND_NOT_OFFERED = "semantic-offered-and-not-offered"
CONTRADICTION = "semantic-contradiction"
DEFAULT_NOT_OFFERED = "semantic-default-not-offered"


@dataclass(frozen=True, slots=True)
class Reference:
    """A clause field whose items must be keys of a vocabulary map."""

    section: str
    field: str
    vocabulary: str
    noun: str


# What one entry of each vocabulary map is called in messages.
VOCABULARY_NOUNS = {
    "tier_groups": "tier group",
    "data_kinds": "data kind",
    "sensitive_categories": "sensitive category",
    "roles": "role",
    "regions": "region",
    "settings": "setting",
}

# Fields every clause may have that name vocabulary entries: field -> the vocabulary map.
COMMON_REFERENCES = {"regions": "regions"}


def references(checks: Iterable[Check]) -> tuple[Reference, ...]:
    """The fields that name vocabulary entries: those every clause has, in every section,
    then each section's own (its Check's ``vocabulary``)."""
    sections = list(checks)
    common = [(check.id, *item) for check in sections for item in COMMON_REFERENCES.items()]
    own = [(check.id, *item) for check in sections for item in check.vocabulary.items()]
    return tuple(
        Reference(section, field, vocabulary, VOCABULARY_NOUNS[vocabulary])
        for section, field, vocabulary in (*common, *own)
    )


REFERENCES = references(CHECKS.values())

# Vocabulary names inside the items of a list field: (section, list field, field, vocabulary).
NESTED_REFERENCES = (("training_exclusions", "except", "data_kinds", "data_kinds"),)


def clause_sections() -> tuple[str, ...]:
    """The clause sections of the policy language, in order (lists of clauses)."""
    return tuple(CHECKS)


@dataclass(frozen=True, slots=True)
class _Clause:
    section: str
    index: int
    data: Mapping[str, Any]

    @property
    def path(self) -> JsonPath:
        return (self.section, self.index)

    @property
    def id(self) -> str:
        return str(self.data.get("id", ""))

    def items(self, field: str) -> list[tuple[int, str]]:
        """The string items of a list field, with their indexes."""
        value = self.data.get(field)
        if not isinstance(value, Sequence) or isinstance(value, str):
            return []
        return [(i, item) for i, item in enumerate(value) if isinstance(item, str)]

    def names(self, field: str) -> list[tuple[JsonPath, str]]:
        """The names a reference field holds, with their paths in the clause: the items of a
        list, or a single name; ``setting.id`` is the field ``id`` of the mapping ``setting``."""
        *outer, last = field.split(".")
        node: Any = self.data
        for key in outer:
            node = node.get(key) if isinstance(node, Mapping) else None
        value = node.get(last) if isinstance(node, Mapping) else None
        where: JsonPath = (*outer, last)
        if isinstance(value, str):
            return [(where, value)]
        if not isinstance(value, Sequence):
            return []
        return [((*where, i), item) for i, item in enumerate(value) if isinstance(item, str)]


def semantic_diagnostics(doc: Document) -> list[Diagnostic]:
    """Every semantic problem of a schema-valid policy, in file order."""
    data = doc.data if isinstance(doc.data, Mapping) else {}
    clauses = sorted(_clauses(data), key=lambda c: doc.locate(c.path).position or _NOWHERE)
    vocabulary = _vocabulary(data)
    diagnostics = [
        *_no_clauses(doc, data),
        *_self_supersede(doc, data),
        *_tiers_in_two_groups(doc, vocabulary),
        *_undefined_references(doc, vocabulary, clauses),
        *_nested_regions(doc, vocabulary),
        *_offered_and_not_offered(doc, vocabulary, clauses),
        *_duplicate_ids(doc, clauses),
        *_replaces(doc, clauses),
        *_excluded_but_trained(doc, clauses),
        *_retention_rules(doc, vocabulary, clauses),
        *_min_above_max(doc, clauses),
        *_allowed_and_forbidden(doc, clauses),
        *_contradictions(doc, data, clauses),
        *period_errors(doc),
        *_defaults_not_offered(doc, clauses),
        *_undefined_age_regions(doc, vocabulary, clauses),
    ]
    diagnostics.sort(key=lambda d: (d.location.position or _NOWHERE, d.code))
    return diagnostics


_NOWHERE = Position(0, 0)  # sorts first: a place the document cannot locate


def _clauses(data: Mapping[str, Any]) -> Iterator[_Clause]:
    for section in clause_sections():
        items = data.get(section)
        if not isinstance(items, Sequence) or isinstance(items, str):
            continue
        for index, item in enumerate(items):
            if isinstance(item, Mapping):
                yield _Clause(section, index, item)


def _vocabulary(data: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    vocab = data.get("vocabulary")
    if not isinstance(vocab, Mapping):
        return {}
    return {key: value for key, value in vocab.items() if isinstance(value, Mapping)}


def _line(doc: Document, path: JsonPath) -> str:
    """How a message names another place: ``line 12`` (or the JSON path when unknown)."""
    location = doc.locate(path)
    if location.position is None:
        return location.json_path
    return f"line {location.position.line}"


def _clause_ref(doc: Document, clause: _Clause) -> str:
    return f"clause '{clause.id}' ({_line(doc, clause.path)})"


def _no_clauses(doc: Document, data: Mapping[str, Any]) -> Iterator[Diagnostic]:
    sections = clause_sections()
    present = [key for key in data if key in sections]  # in file order
    if any(data[key] for key in present):
        return
    meta = data.get("metadata")
    policy = f"policy '{meta.get('id')}'" if isinstance(meta, Mapping) else "the policy"
    if not present:
        yield Diagnostic(
            doc.locate(()),
            f"{policy} makes no promise: it has no clause section; add clauses under at least "
            f"one of {', '.join(sections)}",
            NO_CLAUSES,
        )
        return
    yield Diagnostic(
        doc.locate((present[0],)),
        f"{policy} makes no promise: every clause section is empty ({', '.join(present)}); "
        "add at least one clause",
        NO_CLAUSES,
    )


def _self_supersede(doc: Document, data: Mapping[str, Any]) -> Iterator[Diagnostic]:
    meta = data.get("metadata")
    if isinstance(meta, Mapping) and "supersedes" in meta and meta["supersedes"] == meta.get("id"):
        yield Diagnostic(
            doc.locate(("metadata", "supersedes")),
            f"policy '{meta.get('id')}' cannot supersede itself",
            SELF_SUPERSEDE,
        )


def _tiers_in_two_groups(
    doc: Document, vocabulary: Mapping[str, Mapping[str, Any]]
) -> Iterator[Diagnostic]:
    owner: dict[str, tuple[str, JsonPath]] = {}
    for group, spec in vocabulary.get("tier_groups", {}).items():
        tiers = spec.get("tiers") if isinstance(spec, Mapping) else None
        if not isinstance(tiers, Sequence) or isinstance(tiers, str):
            continue
        for index, tier in enumerate(tiers):
            path: JsonPath = ("vocabulary", "tier_groups", group, "tiers", index)
            first = owner.setdefault(tier, (group, path))
            if first[0] != group:
                yield Diagnostic(
                    doc.locate(path),
                    f"tier '{tier}' is already in tier group '{first[0]}' "
                    f"({_line(doc, first[1])}); a tier belongs to one group",
                    TIER_IN_TWO_GROUPS,
                )


def _undefined_references(
    doc: Document, vocabulary: Mapping[str, Mapping[str, Any]], clauses: list[_Clause]
) -> Iterator[Diagnostic]:
    fields: dict[str, list[Reference]] = {}
    for ref in REFERENCES:
        fields.setdefault(ref.section, []).append(ref)
    for clause in clauses:
        for ref in fields.get(clause.section, ()):
            defined = list(vocabulary.get(ref.vocabulary, {}))
            for where, name in clause.names(ref.field):
                if name in defined:
                    continue
                yield Diagnostic(
                    doc.locate((*clause.path, *where)),
                    f"{ref.noun} '{name}' is not defined in vocabulary.{ref.vocabulary}"
                    + suggestion(name, defined),
                    UNDEFINED,
                )
        yield from _undefined_nested(doc, vocabulary, clause)


def _undefined_nested(
    doc: Document, vocabulary: Mapping[str, Mapping[str, Any]], clause: _Clause
) -> Iterator[Diagnostic]:
    for section, outer, field, vocab in NESTED_REFERENCES:
        items = clause.data.get(outer) if clause.section == section else None
        if not isinstance(items, Sequence) or isinstance(items, str):
            continue
        defined = list(vocabulary.get(vocab, {}))
        for position, item in enumerate(items):
            names = item.get(field) if isinstance(item, Mapping) else None
            if not isinstance(names, Sequence) or isinstance(names, str):
                continue
            for index, name in enumerate(names):
                if isinstance(name, str) and name not in defined:
                    yield Diagnostic(
                        doc.locate((*clause.path, outer, position, field, index)),
                        f"{VOCABULARY_NOUNS[vocab]} '{name}' is not defined in "
                        f"vocabulary.{vocab}" + suggestion(name, defined),
                        UNDEFINED,
                    )


def _nested_regions(
    doc: Document, vocabulary: Mapping[str, Mapping[str, Any]]
) -> Iterator[Diagnostic]:
    """A region's ``regions`` must name regions the vocabulary defines."""
    regions = vocabulary.get("regions", {})
    defined = list(regions)
    for region, spec in regions.items():
        nested = spec.get("regions") if isinstance(spec, Mapping) else None
        if not isinstance(nested, Sequence) or isinstance(nested, str):
            continue
        for index, name in enumerate(nested):
            if isinstance(name, str) and name not in defined:
                yield Diagnostic(
                    doc.locate(("vocabulary", "regions", region, "regions", index)),
                    f"region '{name}' is not defined in vocabulary.regions"
                    + suggestion(name, defined),
                    UNDEFINED,
                )


def close_match(name: str, defined: list[str]) -> str | None:
    """The defined name ``name`` most likely misspells, if any."""
    close = difflib.get_close_matches(name, defined, n=1, cutoff=0.6)
    return close[0] if close else None


def suggestion(name: str, defined: list[str]) -> str:
    """``; did you mean 'x'?``, or the defined names when none is close."""
    close = close_match(name, defined)
    if close is not None:
        return f"; did you mean '{close}'?"
    if defined:
        return f" (defined: {', '.join(defined)})"
    return ", which defines none"


def _duplicate_ids(doc: Document, clauses: list[_Clause]) -> Iterator[Diagnostic]:
    first: dict[str, _Clause] = {}
    for clause in clauses:
        if not clause.id:
            continue
        earlier = first.setdefault(clause.id, clause)
        if earlier is not clause:
            yield Diagnostic(
                doc.locate((*clause.path, "id")),
                f"duplicate clause id '{clause.id}': the {earlier.section} clause at "
                f"{_line(doc, earlier.path)} already uses it",
                DUPLICATE_ID,
            )


def _replaces(doc: Document, clauses: list[_Clause]) -> Iterator[Diagnostic]:
    """``replaces`` names the previous version's clause: never one of this policy's, and
    never the same one twice (a diff could pair it with only one)."""
    ids = {clause.id: clause for clause in clauses}
    first: dict[str, _Clause] = {}
    for clause in clauses:
        target = clause.data.get("replaces")
        if not isinstance(target, str):
            continue
        where = doc.locate((*clause.path, "replaces"))
        if target in ids:
            named = "itself" if target == clause.id else _clause_ref(doc, ids[target])
            yield Diagnostic(
                where,
                f"clause '{clause.id}' replaces '{target}', which is {named} in this same "
                "policy; replaces names a clause of the previous version",
                REPLACES,
            )
            continue
        earlier = first.setdefault(target, clause)
        if earlier is not clause:
            yield Diagnostic(
                where,
                f"clause '{clause.id}' replaces '{target}', which {_clause_ref(doc, earlier)} "
                "already replaces; one clause takes over from another",
                REPLACES,
            )


def _excluded_but_trained(doc: Document, clauses: list[_Clause]) -> Iterator[Diagnostic]:
    excluded: dict[str, list[_Clause]] = {}
    for clause in clauses:
        if clause.section == "training_exclusions":
            for _, group in clause.items("tier_groups"):
                excluded.setdefault(group, []).append(clause)
    for clause in clauses:
        default = clause.data.get("default")
        if clause.section != "training_consent" or default == "never":
            continue
        for index, group in clause.items("tier_groups"):
            # Clauses in force on no common day, or in no common region, never disagree.
            exclusions = [c for c in excluded.get(group, ()) if _may_meet(c.data, clause.data)]
            if exclusions:
                yield Diagnostic(
                    doc.locate((*clause.path, "tier_groups", index)),
                    f"tier group '{group}' is excluded from training by "
                    f"{_clause_ref(doc, exclusions[0])} but its training default here is "
                    f"'{default}'",
                    EXCLUDED_TRAINED,
                )


@dataclass(frozen=True, slots=True)
class _Window:
    clause: _Clause
    kinds: frozenset[str]
    state: str
    max: Duration
    tiers: frozenset[str] | None  # None: every tier

    def overlaps(self, other: _Window) -> bool:
        # Clauses in force at different times, or in different regions, never disagree.
        if not self.kinds & other.kinds or not _may_meet(self.clause.data, other.clause.data):
            return False
        return self.tiers is None or other.tiers is None or bool(self.tiers & other.tiers)


def _windows(vocabulary: Mapping[str, Mapping[str, Any]], clauses: list[_Clause]) -> list[_Window]:
    groups = vocabulary.get("tier_groups", {})
    windows = []
    for clause in clauses:
        if clause.section != "retention":
            continue
        try:
            limit = parse_duration(str(clause.data.get("max")))
        except DurationError:
            continue
        tiers: frozenset[str] | None = None
        if "tier_groups" in clause.data:
            tiers = frozenset(
                tier
                for _, group in clause.items("tier_groups")
                if isinstance(groups.get(group), Mapping)
                for tier in groups[group].get("tiers") or ()
            )
        kinds = frozenset(kind for _, kind in clause.items("data_kinds"))
        state = str(clause.data.get("consent_state"))
        setting = clause.data.get("setting")
        if isinstance(setting, Mapping):  # a window for data with a setting's value
            state = f"{setting.get('id')} {setting.get('value')}"
        windows.append(_Window(clause, kinds, state, limit, tiers))
    return windows


def _retention_rules(
    doc: Document, vocabulary: Mapping[str, Mapping[str, Any]], clauses: list[_Clause]
) -> Iterator[Diagnostic]:
    windows = _windows(vocabulary, clauses)
    for later_index, later in enumerate(windows):
        for earlier in windows[:later_index]:
            if later.state != earlier.state or not later.overlaps(earlier):
                continue
            if later.max != earlier.max:
                kinds = ", ".join(sorted(later.kinds & earlier.kinds))
                yield Diagnostic(
                    doc.locate((*later.clause.path, "max")),
                    f"retention of {later.state} {kinds} is {later.max} here but "
                    f"{earlier.max} in {_clause_ref(doc, earlier.clause)}; "
                    "one window per data kind and consent state",
                    CONTRADICTORY_RETENTION,
                )
    for deleted in windows:
        if deleted.state != "deleted_by_user":
            continue
        for opted_out in windows:
            if (
                opted_out.state == "training_not_allowed"
                and opted_out.max.seconds != 0
                and deleted.overlaps(opted_out)
                and deleted.max > opted_out.max
            ):
                kinds = ", ".join(sorted(deleted.kinds & opted_out.kinds))
                yield Diagnostic(
                    doc.locate((*deleted.clause.path, "max")),
                    f"deleted {kinds} may be kept {deleted.max}, longer than the "
                    f"{opted_out.max} allowed for data of users who did not allow training "
                    f"({_clause_ref(doc, opted_out.clause)}): deleting would keep data "
                    "longer than opting out",
                    DELETION_OUTLIVES,
                    Level.WARNING,
                )


def _min_above_max(doc: Document, clauses: list[_Clause]) -> Iterator[Diagnostic]:
    for clause in clauses:
        if clause.section != "retention" or "min" not in clause.data or "max" not in clause.data:
            continue
        try:
            floor = parse_duration(str(clause.data["min"]))
            limit = parse_duration(str(clause.data["max"]))
        except DurationError:
            continue  # the schema reports a malformed duration
        if floor > limit:
            yield Diagnostic(
                doc.locate((*clause.path, "min")),
                f"clause '{clause.id}' requires keeping data at least {floor} but at most "
                f"{limit}: no window can be both",
                MIN_ABOVE_MAX,
            )


def _allowed_and_forbidden(doc: Document, clauses: list[_Clause]) -> Iterator[Diagnostic]:
    """A data kind both allowed and forbidden in one place, by clauses that hold at once."""
    seen: dict[tuple[str, str, str], list[_Clause]] = {}  # (mode, place, kind) -> clauses
    opposite = {"allowed_in": "forbidden_in", "forbidden_in": "allowed_in"}
    words = {"allowed_in": "allowed", "forbidden_in": "forbidden"}
    for clause in clauses:
        if clause.section != "data_minimisation":
            continue
        for mode in ("allowed_in", "forbidden_in"):
            place = clause.data.get(mode)
            if not isinstance(place, str):
                continue
            for index, kind in clause.items("data_kinds"):
                others = seen.get((opposite[mode], place, kind), [])
                other = next((o for o in others if _may_meet(o.data, clause.data)), None)
                if other is not None:
                    yield Diagnostic(
                        doc.locate((*clause.path, "data_kinds", index)),
                        f"data kind '{kind}' is {words[mode]} in {place} here but "
                        f"{words[opposite[mode]]} in {place} by {_clause_ref(doc, other)}",
                        ALLOWED_AND_FORBIDDEN,
                    )
                seen.setdefault((mode, place, kind), []).append(clause)


def _offered_and_not_offered(
    doc: Document, vocabulary: Mapping[str, Mapping[str, Any]], clauses: list[_Clause]
) -> Iterator[Diagnostic]:
    """A right cannot be both offered and not offered to a tier by clauses that hold at once:
    one side can never pass."""
    groups = vocabulary.get("tier_groups", {})
    seen: dict[tuple[str, str, str], list[_Clause]] = {}  # (right, field, tier) -> clauses
    opposite = {"tier_groups": "not_offered_to", "not_offered_to": "tier_groups"}
    for clause in clauses:
        if clause.section != "user_rights":
            continue
        right = str(clause.data.get("right"))
        for field in ("tier_groups", "not_offered_to"):
            for index, group in clause.items(field):
                spec = groups.get(group)
                tiers = spec.get("tiers") if isinstance(spec, Mapping) else None
                for tier in tiers if isinstance(tiers, Sequence) else ():
                    others = seen.get((right, opposite[field], tier), [])
                    other = next((o for o in others if _may_meet(o.data, clause.data)), None)
                    if other is not None:
                        yield Diagnostic(
                            doc.locate((*clause.path, field, index)),
                            f"the {right} right is {_OFFER_WORDS[field]} tier '{tier}' here "
                            f"(group '{group}') but {_OFFER_WORDS[opposite[field]]} it by "
                            f"{_clause_ref(doc, other)}",
                            OFFERED_AND_NOT_OFFERED,
                        )
                        break
                    mine = seen.setdefault((right, field, tier), [])
                    if clause not in mine:
                        mine.append(clause)


_OFFER_WORDS = {"tier_groups": "offered to", "not_offered_to": "not offered to"}


def _contradictions(
    doc: Document, data: Mapping[str, Any], clauses: list[_Clause]
) -> Iterator[Diagnostic]:
    """Each pair of clauses of a section whose ``conflicts`` hook finds them contradictory."""
    vocabulary = Vocabulary.from_policy(data)
    by_section: dict[str, list[_Clause]] = {}
    for clause in clauses:
        by_section.setdefault(clause.section, []).append(clause)
    for section, members in by_section.items():
        hook = CHECKS[section].conflicts
        if hook is None:
            continue
        for later_index, later in enumerate(members):
            for earlier in members[:later_index]:
                if not _may_meet(earlier.data, later.data):
                    continue
                if "conflict" in (earlier.data.get("confidence"), later.data.get("confidence")):
                    continue  # a disagreement the policy declares: check reports it as such
                message = hook(earlier.data, later.data, vocabulary)
                if message is not None:
                    yield Diagnostic(
                        doc.locate(later.path),
                        f"{_clause_ref(doc, later)} contradicts {_clause_ref(doc, earlier)}: "
                        f"{message}",
                        CONTRADICTION,
                    )


def _may_meet(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """Whether two clauses surely hold at once somewhere: not when both name regions and no
    region is named by both (regions may nest, but only a shared name is surely shared), nor
    when their periods in force (``effective`` to ``expires``, both days included) share no
    day."""
    regions_a, regions_b = a.get("regions"), b.get("regions")
    if (
        isinstance(regions_a, list)
        and isinstance(regions_b, list)
        and not set(map(str, regions_a)) & set(map(str, regions_b))
    ):
        return False
    return Period.of(a).overlaps(Period.of(b))


def _defaults_not_offered(doc: Document, clauses: list[_Clause]) -> Iterator[Diagnostic]:
    """A preselected value is one the user could have chosen."""
    for clause in clauses:
        if clause.section != "retention_choices":
            continue
        for where in ((), ("minors",)):
            choices = clause.data.get(where[0]) if where else clause.data
            if not isinstance(choices, Mapping) or not isinstance(choices.get("options"), list):
                continue
            default, offered = choices.get("default"), choices["options"]
            if "default" in choices and not any(same_value(default, o) for o in offered):
                who = " to minors" if where else ""
                yield Diagnostic(
                    doc.locate((*clause.path, *where, "default")),
                    f"clause '{clause.id}' preselects {default}{who}, which is not among the "
                    f"options it offers{who} ({', '.join(map(str, offered))})",
                    DEFAULT_NOT_OFFERED,
                )


def _undefined_age_regions(
    doc: Document, vocabulary: Mapping[str, Mapping[str, Any]], clauses: list[_Clause]
) -> Iterator[Diagnostic]:
    """A region id of ``minor_age.regions`` names a region of ``vocabulary.regions``; country
    codes (``DE``) need no definition."""
    defined = list(vocabulary.get("regions", {}))
    for clause in clauses:
        ages = clause.data.get("minor_age") if clause.section == "minors" else None
        regions = ages.get("regions") if isinstance(ages, Mapping) else None
        if not isinstance(regions, Mapping):
            continue
        for region in regions:
            if not isinstance(region, str) or region.isupper() or region in defined:
                continue
            yield Diagnostic(
                doc.locate((*clause.path, "minor_age", "regions", region)),
                f"region '{region}' is not defined in vocabulary.regions"
                + suggestion(region, defined),
                UNDEFINED,
            )
