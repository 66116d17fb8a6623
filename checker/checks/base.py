"""What a clause section is, and the small helpers every section module shares.

A clause section is one module of this package. Its :class:`Check` record declares what the
policy language says about the section: the check, the clause model (a TypedDict extending
:class:`Clause`, so that a check reads fields mypy knows), the JSON Schema fragment of one
clause, the scorecard area, the vocabulary its fields name, and the documentation (the module
docstring, with PASS and FAIL examples). ``policies/schemas/policy.schema.json`` is generated
from these records (``python -m checker.checks.schema``).

A check reads one policy clause and the snapshot, and yields
:class:`~checker.core.results.Observation` records: the status for one resource, plain-words
message, expected and actual values, and the snapshot path that is the evidence. The engine
turns observations into findings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any, Generic, Literal, NotRequired, TypedDict, TypeVar, get_args

from checker.core.diagnostics import JsonPath
from checker.core.durations import Duration, duration_or_none
from checker.core.results import Area, Observation, PassedResources, Severity, Status
from checker.core.setting_values import chooser
from checker.diff.ordering import DiffSpec
from checker.evaluation.copies import with_inherited
from checker.evaluation.in_step import StoredItems
from checker.evaluation.snapshot import LIST_SECTIONS
from checker.validation.schemas import load_schema

Schema = dict[str, Any]  # a JSON Schema, or a fragment of one, as parsed JSON
IfNotEvidenced = Literal["fail", "warn", "pass"]
SeverityName = Literal["info", "low", "medium", "high", "critical"]  # a Severity's value


SourceKind = Literal["primary", "secondary"]
Confidence = Literal["confirmed", "secondary", "unconfirmed", "conflict"]


class Source(TypedDict):
    """Where a promise was published (``document`` or ``url``, or both)."""

    document: NotRequired[str]
    url: NotRequired[str]
    date: NotRequired[str]
    quote: NotRequired[str]
    kind: NotRequired[SourceKind]


class Clause(TypedDict):
    """The fields every clause has; each section's clause model adds its own."""

    id: str
    statement: str
    severity: NotRequired[SeverityName]
    remediation: NotRequired[str]
    if_not_evidenced: NotRequired[IfNotEvidenced]
    references: NotRequired[list[str]]
    replaces: NotRequired[str]
    regions: NotRequired[list[str]]
    source: NotRequired[Source]
    sources: NotRequired[list[Source]]
    confidence: NotRequired[Confidence]
    effective: NotRequired[str]
    expires: NotRequired[str]


# Schema rules over the fields every clause has: one source field or the other, not both.
CLAUSE_DEPENDENCIES: Schema = {"source": {"not": {"required": ["sources"]}}}


def clause_fields(section: str, severity: Severity) -> Schema:
    """The schema of the fields every clause has (:class:`Clause`), for one section."""
    return {
        "id": {
            "description": (
                "Identifier of the clause, unique across the whole policy; findings and waivers "
                "name it as '<policy-id>/<clause-id>'."
            ),
            "$ref": "#/$defs/clause_id",
        },
        "statement": {
            "description": "The promise in plain words, as a reader of the report should see it.",
            "$ref": "#/$defs/statement",
        },
        "severity": {
            "description": (
                f"How serious a failure of this clause is. Default for {section}: {severity}."
            ),
            "$ref": "#/$defs/severity",
        },
        "remediation": {
            "description": "What to do when the clause fails; shown with every failing finding.",
            "$ref": "#/$defs/remediation",
        },
        "if_not_evidenced": {
            "description": (
                "What a promise with no evidence in the snapshot counts as: fail (default), warn "
                "or pass."
            ),
            "$ref": "#/$defs/if_not_evidenced",
        },
        "references": {
            "description": (
                "Extra regulation or standard references, added to those the framework files "
                "give the section."
            ),
            "$ref": "#/$defs/references",
        },
        "replaces": {
            "description": (
                "Id of the clause of the previous policy version this one replaces; "
                "policy-check diff shows the pair as a rename and compares them."
            ),
            "$ref": "#/$defs/clause_id",
        },
        "regions": {
            "description": (
                "Regions where the promise holds, keys of vocabulary.regions; elsewhere it "
                "does not apply. Without it, the promise holds everywhere."
            ),
            "type": "array",
            "uniqueItems": True,
            "minItems": 1,
            "items": {"description": "A region id.", "$ref": "#/$defs/identifier"},
        },
        "source": {
            "description": "Where the promise was published (or sources, for several).",
            "$ref": "#/$defs/source",
        },
        "sources": {
            "description": "Where the promise was published, when several documents say it.",
            "type": "array",
            "minItems": 1,
            "uniqueItems": True,
            "items": {"$ref": "#/$defs/source"},
        },
        "confidence": {
            "description": (
                "How sure the policy is of the promise; conflict (sources disagree) makes the "
                "clause fail, listing its sources, until a person resolves it."
            ),
            "$ref": "#/$defs/confidence",
        },
        "effective": {
            "description": (
                "Date from which this clause applies, YYYY-MM-DD (default: the policy's). "
                "Checked before it, its findings are shown as info, not blocking."
            ),
            "$ref": "#/$defs/date",
        },
        "expires": {
            "description": (
                "Last day this clause applies, YYYY-MM-DD. Checked after it, its findings are "
                "shown as info, not blocking."
            ),
            "$ref": "#/$defs/date",
        },
    }


def options(choices: Any) -> list[str]:
    """The values of a ``Literal`` type, in order: a clause model's choices, for its schema."""
    return list(get_args(choices))


ClauseT = TypeVar("ClauseT")


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """The policy's vocabulary: tier groups, data kinds, categories and roles."""

    tier_groups: Mapping[str, tuple[str, ...]]
    identifiable_kinds: frozenset[str]

    @classmethod
    def from_policy(cls, policy: Mapping[str, Any]) -> Vocabulary:
        vocab = policy.get("vocabulary", {})
        groups = {
            name: tuple(group.get("tiers", ()))
            for name, group in vocab.get("tier_groups", {}).items()
        }
        identifiable = frozenset(
            name for name, kind in vocab.get("data_kinds", {}).items() if kind.get("identifiable")
        )
        return cls(groups, identifiable)

    def shared_tiers(self, a: Mapping[str, Any], b: Mapping[str, Any]) -> list[str]:
        """The tiers two clauses' ``tier_groups`` both cover, in policy order."""
        theirs = set(self.tiers_of(b.get("tier_groups") or ()))
        return [tier for tier in self.tiers_of(a.get("tier_groups") or ()) if tier in theirs]

    def tiers_of(self, groups: Iterable[str]) -> list[str]:
        """The tiers of the named groups, in policy order, without repeats."""
        seen: dict[str, None] = {}
        for group in groups:
            for tier in self.tier_groups.get(group, ()):
                seen.setdefault(tier, None)
        return list(seen)


@dataclass(frozen=True, slots=True)
class CheckContext(Generic[ClauseT]):
    """Everything a check may read; ``clause`` has the type of the section's clause model."""

    clause: ClauseT
    policy: Mapping[str, Any]
    snapshot: Mapping[str, Any]
    vocabulary: Vocabulary
    as_of: dt.date
    # Shared by every clause checked against the same snapshot (the engine passes one dict
    # per snapshot): indexing 100k stores once instead of once per clause.
    cache: dict[str, Any] = field(default_factory=dict)
    # The run counts passes instead of listing them: a check may then yield ``counted(n)``
    # for an item that meets all n requirements, without building the messages nobody reads.
    counting: bool = False
    # The run names the resources that pass (``--passes resources``): counted passes then say
    # whose they are (``named(n, resource)``, ``store_passes(store, n)``).
    naming: bool = False
    # Whoever takes the observations knows which store a loop over the stores is at (a part
    # of the stores, ``checker.evaluation.parts.record``): a store's passes may then be said
    # of "the store the loop is at", without a name made for each (:func:`store_namer`).
    naming_at_store: bool = False

    def section(self, name: str) -> Sequence[tuple[JsonPath, Mapping[str, Any]]]:
        """The items of a list section of the snapshot (``stores``, ``pipelines``…) with paths.
        The list is shared: callers must not change it. The stores of a snapshot read store
        by store are read from its file as they are iterated (``checker.evaluation.in_step``)."""
        found: Sequence[tuple[JsonPath, Mapping[str, Any]]] | None = self.cache.get(name)
        if found is None:
            items = self.snapshot.get(name) or []
            if isinstance(items, StoredItems):  # read from the file each time it is iterated
                found = items.section()
            else:
                found = [((name, i), item) for i, item in enumerate(items) if type(item) is dict]
                if name == "stores":  # a copy holds what it copies unless it says otherwise
                    found = with_inherited(found)
            self.cache[name] = found
        return found

    def by_id(self, name: str) -> Mapping[Any, list[tuple[JsonPath, Mapping[str, Any]]]]:
        """The items of a section by their ``id``, with paths. Shared too.

        Every item sharing an id is kept, in snapshot order: a duplicate id is an input error
        (reported apart), but each element it names is still judged, never only the first.
        """
        key = f"{name}#id"
        found: Mapping[Any, list[tuple[JsonPath, Mapping[str, Any]]]] | None = self.cache.get(key)
        if found is None:
            items = self.snapshot.get(name)
            if isinstance(items, StoredItems):  # a store is decoded when looked up
                found = items.by_id()
            else:
                index: dict[Any, list[tuple[JsonPath, Mapping[str, Any]]]] = {}
                for path, item in self.section(name):
                    index.setdefault(item.get("id"), []).append((path, item))
                found = index
            self.cache[key] = found
        return found


Conflicts = Callable[[Mapping[str, Any], Mapping[str, Any], Vocabulary], str | None]
"""A section's contradiction rule: (earlier clause, later clause, vocabulary) -> message."""


@dataclass(frozen=True, slots=True, eq=False)
class Check:
    """A clause section, declared by its module as ``CHECK``: the registry finds it there.

    ``run`` reads one clause of section ``id`` and yields observations. The policy schema
    describes the section with ``description`` and ``default_severity``, and one clause with
    ``schema``: the clause's own fields (``properties``, ``required``, any other keyword, and
    ``$defs`` it refers to), to which the fields every clause has are added.
    """

    id: str  # the section's key in a policy, and the name of its module
    order: int  # its place in the schema, the reports and the list of checks
    area: Area  # the scorecard area its findings count towards
    title: str
    default_severity: Severity
    description: str  # what the section's clauses promise, in one sentence
    clause_type: type[Clause]  # the clause model: the schema fragment, for mypy
    schema: Schema  # the JSON Schema fragment of one clause
    run: Callable[[CheckContext[Any]], Iterator[Observation]]
    doc: str  # the module docstring: what is checked, with PASS and FAIL examples
    # How a change of each clause field reads in `policy-check diff`: one ordering per field
    # (checker.diff.ordering); a field without one fails the suite.
    diff: DiffSpec
    # What to do about a finding when its clause gives no ``remediation``: specific to the
    # section, shown on every finding in the reports.
    remediation: str
    # Clause fields whose items must be names the policy's vocabulary defines: field -> the
    # vocabulary map (e.g. {"data_kinds": "data_kinds", "allowed_roles": "roles"}).
    vocabulary: Mapping[str, str] = field(default_factory=dict)
    # Whether framework files may name the section as serving a regulation.
    in_frameworks: bool = True
    # Whether a clause of the section may loop over the snapshot's stores
    # (``ctx.section("stores")``; looking a store up by id is no loop). One that never does
    # says the same in every part when the stores are checked in parts
    # (``checker.evaluation.parts``): it is checked by the first part only, not again by each
    # (a million stores: 100,000 recipients judged once, not once a part). Said wrongly, what
    # the parts observed cannot be merged and the stores are checked at once: slower, never
    # a finding less.
    loops_over_stores: bool = True
    # How two clauses of the section contradict each other: given an earlier and a later
    # clause, a message saying what the later one says "here" against the earlier one
    # "there", or None when they can both hold. ``validate`` reports each contradiction as
    # ``semantic-contradiction`` at the later clause.
    conflicts: Conflicts | None = None

    @property
    def summary(self) -> str:
        return self.doc.strip().splitlines()[0] if self.doc.strip() else self.title


def duration(value: Any) -> Duration | None:
    """Parse a snapshot duration; ``None`` when absent or unparseable (the schema reports it)."""
    if type(value) is str:
        return _duration_of_text(value)
    return None if value is None else duration_or_none(str(value))


@lru_cache(maxsize=4096)
def _duration_of_text(text: str) -> Duration | None:
    # A large snapshot spells the same few windows ("30d", "5y") in every store: one cache
    # lookup instead of the three calls that parse (and cache) them.
    return duration_or_none(text)


def _join(items: Iterable[str], conjunction: str) -> str:
    seq = list(items)
    if not seq:
        return "none"
    if len(seq) == 1:
        return seq[0]
    return ", ".join(seq[:-1]) + f" {conjunction} " + seq[-1]


def words(items: Iterable[str]) -> str:
    """``a, b and c`` for messages; ``none`` when empty."""
    return _join(items, "and")


def either(items: Iterable[str]) -> str:
    """``a, b or c`` for alternatives in messages; ``none`` when empty."""
    return _join(items, "or")


def nearest(data: Any, path: JsonPath) -> JsonPath:
    """The longest prefix of ``path`` that exists in ``data``: evidence for a missing value."""
    node = data
    for depth, item in enumerate(path):
        if isinstance(item, str):
            found = isinstance(node, Mapping) and item in node
        else:
            found = isinstance(node, list) and 0 <= item < len(node)
        if not found:
            return path[:depth]
        node = node[item]
    return path


def passed(
    resource: str,
    message: str,
    expected: str,
    actual: str,
    evidence: JsonPath,
    clause_path: JsonPath = (),
) -> Observation:
    return Observation(Status.PASS, resource, message, expected, actual, evidence, clause_path)


def failed(
    resource: str,
    message: str,
    expected: str,
    actual: str,
    evidence: JsonPath,
    clause_path: JsonPath = (),
) -> Observation:
    return Observation(Status.FAIL, resource, message, expected, actual, evidence, clause_path)


@cache
def counted(passes: int) -> Observation:
    """``passes`` passes, only counted: what a check yields, when the run counts passes
    (``CheckContext.counting``), for an item its shortcut found meeting every requirement, one
    pass per requirement. It is never shown, so it says nothing. A shortcut answers ``None``
    or ``False`` when anything is amiss, and the item is then judged in full, with messages.
    When the run names the resources that pass (``CheckContext.naming``), the check yields
    :func:`named` (or :func:`store_passes`) instead.

    A shortcut must agree with the full judgement (tests/checks/test_counted_passes.py checks that
    counting, naming and listing give the same findings, counts and resources on generated
    snapshots).
    """
    return Observation(Status.PASS, "", "", "", "", times=passes)


def named(passes: int, resource: str) -> Observation:
    """:func:`counted`, saying whose passes they are: ``resource``, the one the full judgement
    would name. Made as a tuple, a third of the time of the named tuple's keywords, once per
    store and promise (the fields in order; tests/checks/test_counted_passes.py compares)."""
    return _new_tuple(Observation, (_PASS, resource, "", "", "", None, (), passes, None))


def store_passes(store: Mapping[str, Any], passes: int) -> Observation:
    """:func:`named` for a store, named as every check names one (``store:<id>``). The name
    is made afresh for each clause: keeping the stores named, to name each once, costs more
    than making the name (and names held are interned: one copy of each)."""
    return _new_tuple(
        Observation, (_PASS, f"store:{store.get('id')}", "", "", "", None, (), passes, None)
    )


AT_STORE = "store:<the store the loop is at>"
"""The resource of :func:`passes_at_store`'s observations, told by identity (``is``), never
shown: whoever takes them names the passes after the store its loop over the stores is at."""

_AT_STORE: dict[int, Observation] = {}


def passes_at_store(store: Mapping[str, Any], passes: int) -> Observation:
    """:func:`store_passes`, said of the store the loop over the stores is at rather than
    named: one observation for every store of a run. At a million stores and a dozen promises
    naming them (``--passes resources``), making a name and an observation for each pass, and
    comparing the name with the store's, was about a microsecond a pass, a third of the time
    over counting them. A store whose id is not a string is named: its name is made from
    the id's value (``store:7``), which the store's place in the file does not tell."""
    if type(store.get("id")) is not str:
        return store_passes(store, passes)
    found = _AT_STORE.get(passes)
    if found is None:
        found = _AT_STORE[passes] = _new_tuple(
            Observation, (_PASS, AT_STORE, "", "", "", None, (), passes, None)
        )
    return found


def store_namer(ctx: CheckContext[Any]) -> Callable[[Mapping[str, Any], int], Observation]:
    """How a check naming passes says a store's, in its loop over ``ctx.section("stores")``
    (the outermost: a loop within it is not at the store it names): of the store the loop
    is at where that is known (``ctx.naming_at_store``), else named (:func:`store_passes`)."""
    return passes_at_store if ctx.naming_at_store else store_passes


def counted_passes(passes: int, resources: PassedResources | None) -> Observation:
    """``passes`` passes in one observation, named by ``resources`` when they are."""
    if resources is None:
        return counted(passes)
    return Observation(Status.PASS, "", "", "", "", times=passes, named=resources)


_new_tuple = tuple.__new__
_PASS = Status.PASS
"""Read from the module, not the enum: a member read from its enum costs a tenth of a
microsecond (Python 3.11), once per store and promise here."""


COUNTED = counted(1)


def not_evidenced(
    resource: str,
    message: str,
    expected: str,
    evidence: JsonPath | None,
    clause_path: JsonPath = (),
) -> Observation:
    """The snapshot has no evidence either way: fail closed."""
    return Observation(
        Status.NOT_EVIDENCED,
        resource,
        message,
        expected,
        "not recorded in the snapshot",
        evidence,
        clause_path,
    )


def no_store_holds(
    kinds: Iterable[str], expected: str, evidence: JsonPath | None = ("stores",)
) -> Observation:
    """The clause about stores of ``kinds`` has nothing to judge: no store holds any of them.
    Not evidenced, for the clause as a whole: the snapshot must say where the data lives."""
    return not_evidenced(
        "policy",
        f"no store in the snapshot holds {words(kinds)}",
        expected,
        evidence,
        ("data_kinds",),
    )


@cache
def consent_states() -> tuple[str, ...]:
    """The consent states a store's ``retention`` can name, ``any`` aside (schema order)."""
    windows = load_schema("snapshot")["$defs"]["retention"]["properties"]
    return tuple(state for state in windows if state != "any")


def unwindowed_states(windows: Mapping[str, Any]) -> list[str]:
    """Consent states a store's retention gives no window for: none when it has ``any``."""
    if "any" in windows:
        return []
    return [state for state in consent_states() if state not in windows]


def holds_any(item: Mapping[str, Any], field: str, wanted: Iterable[str]) -> list[str]:
    """Which of ``wanted`` appear in the item's list ``field``."""
    have = item.get(field)
    if not have:
        return []
    if type(have) is not list:  # as a set: a mapping's keys, not a text's substrings
        have = set(have)
    return [w for w in wanted if w in have]


def age_of(value: Any, as_of: dt.date) -> Duration | None:
    """How long before ``as_of`` an ISO date lies (negative when after); None if not a date."""
    return _age_of(value, as_of) if isinstance(value, str) else None


# Cached: a large snapshot repeats a few review dates hundreds of thousands of times, and a
# Duration is immutable.
@lru_cache(maxsize=4096)
def _age_of(value: str, as_of: dt.date) -> Duration | None:
    try:
        when = dt.date.fromisoformat(value[:10])
    except ValueError:
        return None
    days = (as_of - when).days
    return Duration(days * 86_400, f"{days} days")


@dataclass(frozen=True, slots=True)
class DataWindow:
    """A pipeline's ``data_window``: the dates of the data it reads (both days included; an
    absent bound is open), by creation or by last activity."""

    start: dt.date | None
    end: dt.date | None
    basis: str  # "created" | "last_activity"

    def dates(self) -> str:
        """``last active from 2025-09-28``, ``created 2022-01-01 to 2023-02-28``."""
        when = "created" if self.basis == "created" else "last active"
        if self.start and self.end:
            return f"{when} {self.start} to {self.end}"
        if self.start:
            return f"{when} from {self.start}"
        return f"{when} until {self.end}"

    def words(self) -> str:
        """``data last active from 2025-09-28``."""
        return f"data {self.dates()}"


def data_window(pipe: Mapping[str, Any]) -> DataWindow | None:
    """The pipeline's recorded data window; ``None`` when it records none."""
    window = pipe.get("data_window")
    if not isinstance(window, Mapping):
        return None

    def day(key: str) -> dt.date | None:
        value = window.get(key)
        try:
            return dt.date.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:  # not a date: the schema reports it
            return None

    return DataWindow(day("from"), day("to"), str(window.get("basis", "")))


def setting_exposed(
    name: str,
    path: JsonPath,
    setting: Mapping[str, Any],
    expected: str,
    promise: JsonPath,
    fixed: str = "",
) -> Observation:
    """Whether users (or admins, by the setting's ``scope``) can change a snapshot setting;
    ``promise`` is the clause field at stake, ``fixed`` is added to a failure's message."""
    resource = f"setting:{name}"
    if "exposed" not in setting:
        return not_evidenced(
            resource, f"setting {name} does not record whether users can change it", expected, path
        )
    who = chooser(setting.get("scope"))
    if setting["exposed"] is True:
        return passed(resource, f"{who} can change {name}", expected, "exposed", (*path, "exposed"))
    return failed(
        resource,
        f"{who} cannot change {name}{fixed}",
        expected,
        "not exposed",
        (*path, "exposed"),
        promise,
    )


def training_pipelines(ctx: CheckContext[Any]) -> list[tuple[JsonPath, Mapping[str, Any]]]:
    """Pipelines whose purpose is training."""
    return [(p, item) for p, item in ctx.section("pipelines") if item.get("purpose") == "training"]


# What a recipient's pipelines must apply for the data it receives to count as anonymised:
# identifiers removed and records made unlinkable to a user.
ANONYMISING_FILTERS = ("pii_redaction", "anonymisation")


def feeding_pipelines(
    ctx: CheckContext[Any], recipient: Mapping[str, Any]
) -> list[tuple[JsonPath, Mapping[str, Any]]]:
    """The pipelines a recipient is ``fed_by``, in its order (every pipeline of each id).

    Empty when it names none: then nothing says how its data was prepared. A name that is no
    pipeline's id is a snapshot error, reported apart; it feeds nothing here.
    """
    pipelines = ctx.by_id("pipelines")
    return [found for name in recipient.get("fed_by") or () for found in pipelines.get(name, ())]


def section_missing(
    ctx: CheckContext[Any], section: str, expected: str, clause_path: JsonPath = ()
) -> Observation | None:
    """Fail closed when the snapshot lacks a whole section (an empty list is evidence)."""
    if section in ctx.snapshot:
        return None
    return not_evidenced(
        section,
        f"the snapshot does not record {LIST_SECTIONS[section].contents}",
        expected,
        None,
        clause_path,
    )
