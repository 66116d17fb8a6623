"""The result model: frozen findings, their statuses and severities, and the run's result.

Checks yield :class:`Observation` (what they saw, and where); the engine stamps policy, clause,
severity, remediation and regulation references onto each and produces a :class:`Finding`.
The :class:`Result` owns the exit policy.
"""

from __future__ import annotations

import datetime as dt
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from itertools import islice
from json.encoder import encode_basestring
from sys import intern
from typing import NamedTuple

from checker.core.diagnostics import Diagnostic, JsonPath, Level, Location
from checker.core.fingerprint import finding_id
from checker.core.pickling import pickled_by_fields
from checker.core.spill import BLOCK, Span, decoded, pair_pieces, spill
from checker.diff.model import PolicyDiff


class Status(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    NOT_EVIDENCED = "not_evidenced"
    WAIVED = "waived"
    ERROR = "error"


class Severity(StrEnum):
    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {s: i for i, s in enumerate(Severity)}


class Novelty(StrEnum):
    """A finding compared with a baseline or the last recorded run (``None``: not compared)."""

    NEW = "new"  # not there before: blocks as usual
    EXISTING = "existing"  # there before, same status, severity not higher: a baseline accepts it
    WORSE = "worse"  # there before, but its severity rose or its status changed: blocks


@dataclass(frozen=True, slots=True, eq=False)
class Area:
    """A scorecard area of the report. The clause section that introduces an area declares it
    (``checker/checks/``); sections sharing it refer to that one object, so areas compare by
    identity. ``checker.checks.AREAS`` lists them in section order."""

    value: str  # as machine-readable results name it, e.g. "retention"
    title: str  # its heading in reports, e.g. "Retention"
    listed_when_empty: bool = True  # a scorecard row even when no finding falls in it

    def __reduce__(self) -> tuple[Callable[[str], Area], tuple[str]]:
        # A copy or an unpickled area is the declared one, since areas compare by identity.
        return _declared_area, (self.value,)


def _declared_area(value: str) -> Area:
    from checker.checks import AREAS  # the registry imports this module: import it late

    return AREAS[value]


class Observation(NamedTuple):
    """What a check saw for one resource. ``evidence`` is a path in the snapshot (or None when
    the snapshot has nothing to point at); ``clause_path`` is relative to the clause.

    A named tuple rather than a frozen dataclass: equally immutable and compared on every
    field, and three times cheaper to build — a large snapshot yields millions of them.
    """

    status: Status
    resource: str
    message: str
    expected: str
    actual: str
    evidence: JsonPath | None = None
    clause_path: JsonPath = ()
    # How many passes this stands for: more than one only for passes a check counts without
    # describing them, when the run counts passes (``checker.checks.base.counted``).
    times: int = 1
    # Whose passes these are, when the run names the resources that pass and this stands for
    # the passes of several (a clause's passes counted in one, ``checker.evaluation.parts``).
    named: PassedResources | None = None


PASSES_TYPECODE = "I"
MAX_PASSES = 2**32 - 1
"""The most passes one resource may make of one promise (a 4-byte number; the results
schema says so too)."""


def added_up(blocks: Iterable[tuple[Sequence[str], Sequence[int]]]) -> dict[str, int]:
    """The passes of each name over ``blocks`` of names and their passes, added up, in the
    order each was first named. A block whose names all have the same few passes (a store
    named in two loops of one promise, one pass each) is counted at C speed: the names
    counted once for each pass, as :class:`collections.Counter` counts what it is given."""
    found: Counter[str] = Counter()
    for names, times in blocks:
        same = times[0] if len(times) else 0
        if 0 < same <= _COUNTED_AS_REPEATS and times.count(same) == len(times):
            for _ in range(same):
                found.update(names)
            continue
        fresh = dict(zip(names, times, strict=True))
        if len(fresh) == len(names) and found.keys().isdisjoint(fresh):
            dict.update(found, fresh)  # each named for the first time: at C speed too
            continue
        get = found.get
        for name, passes in zip(names, times, strict=True):
            found[name] = get(name, 0) + passes
    return dict(found)


_COUNTED_AS_REPEATS = 16
"""The most passes a name of a block may have for the block to be counted name by name."""


_Held = tuple[list[str], "array[int]"]
"""A block of names and their passes merged from a part that held it."""


class PassedResources:
    """The resources that passed one promise, in the order they were checked, each with how
    many passes it made (one per requirement it meets): ``check --passes resources``.

    Two lists rather than a dictionary: a million stores passing a dozen promises are a dozen
    lists of references to one copy of each name (interned), and of 4-byte numbers (at most
    :data:`MAX_PASSES` a resource), not a dozen dictionaries. Where the run writes names to a
    file (:func:`checker.core.spill.spilling`), the lists hold only the last ones taken, and
    :attr:`blocks` where the others are, in order (or, for a block merged from a part that
    held it, the block itself).
    """

    __slots__ = ("blocks", "limit", "names", "once", "times")

    def __init__(self, names: Iterable[str] = (), times: Iterable[int] = ()) -> None:
        self.blocks: list[Span | _Held] = []  # the resources before those in ``names``
        self.names: list[str] = list(names)
        self.times = array(PASSES_TYPECODE, times)
        self.limit = BLOCK  # how many names are held before they are written out
        # How many names there were when each was known to be named once (:meth:`taken_once`).
        self.once: int | None = None
        if len(self.names) != len(self.times):
            raise ValueError("every resource named needs its number of passes")

    def take(self, observation: Observation) -> None:
        """Add the passes ``observation`` stands for, under their resources."""
        named = observation.named
        if named is not None:
            self.extend(named)
            return
        names, resource = self.names, observation.resource
        if names and names[-1] == resource:  # a resource's passes come one after the other
            self.times[-1] += observation.times
        else:
            # Held names are interned: one copy of each for every promise. Once names are
            # written out they are let go a block at a time, and interning a new name (0.4 µs,
            # ten times taking it) would only fill the interpreter's table.
            names.append(resource if self.blocks else intern(resource))
            self.times.append(observation.times)
            if len(names) > self.limit:
                self._spill()

    def add_all(self, names: list[str], times: Sequence[int]) -> None:
        """Add ``names`` with their passes (``times``), as :meth:`take` would each: names
        shared already (the stores', made once for every promise), so not interned. Both are
        copied: the caller may reuse its lists."""
        if not names:
            return
        held = self.names
        if held and held[-1] == names[0]:  # the last resource's passes go on
            self.times[-1] += times[0]
            names, times = names[1:], times[1:]
        held += names
        self.times.extend(times)
        if len(held) > self.limit:
            self._spill()

    def extend(self, other: PassedResources) -> None:
        """Add ``other``'s passes after these (the next part's stores)."""
        if not self.names and not self.blocks and other.once == len(other):
            self.once = other.once  # taken whole: each still named once
        if other.blocks:
            if self.names:
                self.blocks.append((self.names, self.times))
            self.blocks += other.blocks
            self.names, self.times = list(other.names), array(PASSES_TYPECODE, other.times)
        else:
            self.names += other.names
            self.times += other.times
        if len(self.names) > self.limit:
            self._spill()

    def _spill(self) -> None:
        """Write out the names held but the last (whose passes may go on), where the run
        writes them; else hold twice as many before asking again."""
        names, times = self.names, self.times
        span = spill(names[:-1], times[:-1])
        if span is None:
            self.limit *= 2
            return
        self.blocks.append(span)
        self.names, self.times = names[-1:], times[-1:]

    def __len__(self) -> int:
        """How many times a resource is named (more than the resources, where one is named
        apart twice: see :meth:`by_resource`)."""
        held = sum(b.count if isinstance(b, Span) else len(b[0]) for b in self.blocks)
        return held + len(self.names)

    def resources(self) -> Iterator[tuple[list[str], Sequence[int]]]:
        """The names and their passes, a block at a time, in order."""
        for block in self.blocks:
            if isinstance(block, Span):
                encoded, times = block.read(PASSES_TYPECODE)
                yield decoded(encoded), times
            else:
                yield block
        yield self.names, self.times

    def encoded(self) -> Iterator[tuple[list[str], Sequence[int]]]:
        """As :meth:`resources`, each name as a JSON string: a block written out is read
        back as it was written, without decoding it."""
        for block in self.blocks:
            if isinstance(block, Span):
                yield block.read(PASSES_TYPECODE)
            else:
                yield list(map(encode_basestring, block[0])), block[1]
        yield list(map(encode_basestring, self.names)), self.times

    def pair_texts(self, size: int) -> Iterator[str]:
        """The JSON text the results make of these, ``"name": passes`` joined by ``, ``, in
        pieces: a block written out as it was written; names held, ``size`` at a time."""
        for block in (*self.blocks, (self.names, self.times)):
            if isinstance(block, Span):
                yield block.pair_text(self.times.itemsize)
            else:
                yield from pair_pieces(list(map(encode_basestring, block[0])), block[1], size)

    def known_once(self) -> bool:
        """Whether no resource is known to be named twice without reading back names written
        out: names held are looked at; names written out are known to be once only as they
        were taken (:meth:`taken_once`)."""
        if self.once == len(self):  # none taken since
            return True
        if any(isinstance(block, Span) for block in self.blocks):
            return False
        names = [name for names, _ in self.resources() for name in names]
        return len(set(names)) == len(names)

    def taken_once(self) -> None:
        """Say that each resource named so far is named once: known where they were taken
        (each store's passes named after it, store after store, in one loop over the stores:
        ``checker.evaluation.parts``), not read back."""
        self.once = len(self)

    def by_resource(self) -> dict[str, int]:
        """Passes per resource, in the order each was first named."""
        blocks = list(self.resources())  # read back once, whichever way is taken
        found: dict[str, int] = {}
        for names, times in blocks:  # each named once, as stores are: at C speed
            found.update(zip(names, times, strict=True))
        if len(found) == sum(len(names) for names, _ in blocks):
            return found
        return added_up(blocks)

    def renamed(self, changed: Mapping[str, str]) -> PassedResources:
        """These passes, each resource named as ``changed`` says (if it says)."""
        found = PassedResources()
        for names, times in self.resources():
            found.extend(PassedResources([changed.get(name, name) for name in names], times))
        return found

    def head(self, size: int) -> tuple[list[tuple[str, int]], int]:
        """The first ``size`` resources with their passes, and how many resources there are."""
        found = self.by_resource()
        return list(islice(found.items(), size)), len(found)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PassedResources):
            return NotImplemented
        return self.by_resource() == other.by_resource()

    def __hash__(self) -> int:
        # Equal ones must hash alike, and what is held may still grow: every one hashes the
        # same. Few are ever hashed: those merged from parts that said different things.
        return 0

    def __getstate__(self) -> tuple[list[Span | _Held], list[str], array[int], int | None]:
        return self.blocks, self.names, self.times, self.once

    def __setstate__(
        self, state: tuple[list[Span | _Held], list[str], array[int], int | None]
    ) -> None:
        self.blocks, self.names, self.times, self.once = state
        self.limit = BLOCK

    def __repr__(self) -> str:
        return f"PassedResources({len(self)} resources named)"


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Waiver:
    """An accepted exception: what it covers, who approved it, until when."""

    id: str
    check: str | None
    clause: str | None
    resource: str | None
    justification: str
    approver: str
    ticket: str
    expires: dt.date
    location: Location
    approved_on: dt.date | None = None  # None only in results written before it was recorded


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a promise was published: a clause's ``source`` (or one of its ``sources``)."""

    document: str = ""
    url: str = ""
    date: str = ""
    quote: str = ""
    kind: str = ""  # primary | secondary, or "" when not said

    @property
    def label(self) -> str:
        """How a message names it: ``Privacy Policy (2025-09-28)``; its url when untitled."""
        name = self.document or self.url
        return f"{name} ({self.date})" if self.date else name


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Finding:
    """One promise checked against one resource of one snapshot."""

    policy_id: str
    clause_id: str
    check_id: str
    area: Area
    severity: Severity
    status: Status
    message: str
    expected: str
    actual: str
    resource: str
    promise: str
    policy_location: Location
    evidence_location: Location | None
    remediation: str = ""
    references: tuple[str, ...] = ()
    waiver: Waiver | None = None
    system: str = ""  # the snapshot's system and environment: which system the finding is about
    environment: str = ""
    finding_id: str = ""  # made from the fields above unless given (checker.core.fingerprint)
    novelty: Novelty | None = None  # set when the run is compared with an earlier one
    # Where the promise was published and how sure the policy is of it (clause ``source`` or
    # ``sources`` and ``confidence``): shown with the finding, never part of its id.
    sources: tuple[Provenance, ...] = ()
    confidence: str = ""

    def __post_init__(self) -> None:
        if not self.finding_id:
            # Made before redaction and kept by it: an id never depends on what a report shows.
            made = finding_id(
                self.policy_id,
                self.clause_id,
                self.system,
                self.environment,
                self.resource,
                self.expected,
            )
            object.__setattr__(self, "finding_id", made)

    @property
    def rule_id(self) -> str:
        """A stable identifier of the promise: ``<policy>/<clause>``."""
        return f"{self.policy_id}/{self.clause_id}"

    def __str__(self) -> str:
        where = self.evidence_location or self.policy_location
        return (
            f"{where}: [{self.severity.value}] {self.status.value}: {self.message} "
            f"({self.rule_id}, {self.check_id})"
        )


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class PassCount:
    """The passing resources of one promise in one snapshot, counted instead of listed.

    Produced with ``--passes count``: every resource is still checked, but at 100k resources
    a list of passes is an audit log nobody reads, and its cost dominates the run.
    """

    policy_id: str
    clause_id: str
    check_id: str
    area: Area
    severity: Severity
    promise: str
    policy_location: Location
    snapshot: str
    count: int
    # Each resource that passes, with its passes (``--passes resources``); None when counted only.
    resources: PassedResources | None = None

    @property
    def rule_id(self) -> str:
        return f"{self.policy_id}/{self.clause_id}"


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Comparison:
    """What a run was compared with (``check --baseline`` or ``--history``), and what the earlier
    run held that this one no longer finds: fixed, or no longer checked."""

    kind: str  # "baseline" (a results file) or "history" (the last run recorded in a database)
    against: str  # the baseline file, or a description of the run recorded
    fixed: tuple[Finding, ...] = ()
    previous: dict[str, tuple[Status, Severity]] = field(default_factory=dict)
    """For findings that got worse: their status and severity before, by finding id."""

    @property
    def accepts(self) -> bool:
        """Whether existing findings stop blocking: a baseline accepts what it holds; the last
        recorded run only informs ("since last run")."""
        return self.kind == "baseline"


class Command(StrEnum):
    """The command a :class:`Result` answers: reporters word a validation differently."""

    CHECK = "check"
    VALIDATE = "validate"


class DocumentStatus(StrEnum):
    """What ``validate`` made of an input (``check`` leaves it unset: it refuses to run on
    inputs that are not valid)."""

    VALID = "valid"
    INVALID = "invalid"  # read, but against its schema or its semantics
    UNREADABLE = "unreadable"  # cannot be read or parsed, or an export it imports cannot
    SKIPPED = "skipped"  # no policy-checker marker (found in a folder, or named to validate)
    EMPTY = "empty"  # a folder that holds no document

    @property
    def unusable(self) -> bool:
        """Input the command cannot work with at all: exit code 2, not 1."""
        return self in _UNUSABLE


_UNUSABLE = frozenset({DocumentStatus.UNREADABLE, DocumentStatus.EMPTY})


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class DocumentInfo:
    """What the report says about an input: a policy or a snapshot (with ``validate``, any
    document, and its status)."""

    kind: str  # "policy" | "snapshot" | "waivers"; validate: also "config", "framework",
    # "unknown" (no marker, or not readable) and "folder" (a folder with nothing in it)
    file: str
    id: str
    title: str = ""
    version: str = ""
    date: str = ""  # effective date (policy) or taken-at (snapshot)
    system: str = ""
    environment: str = ""
    status: DocumentStatus | None = None  # set by validate only
    owner: str = ""  # policies: who answers for it, what it says, where it was published
    description: str = ""
    source: str = ""


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class WaiverState:
    """A waiver as the run saw it: how many findings it matched and whether it is still valid."""

    waiver: Waiver
    matched: int
    expired: bool
    expires_in_days: int


@dataclass(slots=True)
class Result:
    """Everything one ``check`` or ``validate`` run produced.

    A validation has no findings: its documents carry their status and its diagnostics say
    what is wrong, each at ``file:line:col``.
    """

    as_of: dt.date
    fail_on: Severity = Severity.LOW
    findings: list[Finding] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    documents: list[DocumentInfo] = field(default_factory=list)
    waivers: list[WaiverState] = field(default_factory=list)
    generated_at: str = ""
    pass_counts: list[PassCount] = field(default_factory=list)
    command: Command = Command.CHECK
    # What changed since the policy each checked policy supersedes, when it was found.
    changes: list[PolicyDiff] = field(default_factory=list)
    comparison: Comparison | None = None

    def counts(self) -> Counter[Status]:
        """Findings per status; counted passes included."""
        counter = Counter(f.status for f in self.findings)
        counted = sum(p.count for p in self.pass_counts)
        if counted:
            counter[Status.PASS] += counted
        return counter

    def blocking(self) -> list[Finding]:
        """Findings that make the run fail: fail / not evidenced / error at or above ``fail_on``.

        ``info`` findings never block: they are what a clause marked ``if_not_evidenced: warn``
        produces, and what a team chooses to see without failing its pipeline. Nor do findings
        a baseline holds unchanged (:attr:`Novelty.EXISTING` when the comparison accepts them).
        """
        bad = (Status.FAIL, Status.NOT_EVIDENCED, Status.ERROR)
        floor = max(self.fail_on.rank, Severity.LOW.rank)
        blocking = [f for f in self.findings if f.status in bad and f.severity.rank >= floor]
        if self.comparison is not None and self.comparison.accepts:
            return [f for f in blocking if f.novelty is not Novelty.EXISTING]
        return blocking

    @property
    def compliant(self) -> bool:
        """Nothing blocks, no input has an error and, for a check, something was checked: a
        check with no finding and no counted pass judged no promise (results read back with
        their findings cut out, say), and "compliant" would claim what nobody checked."""
        errors = any(d.level is Level.ERROR for d in self.diagnostics)
        if self.command is Command.CHECK and not self.findings and not self.pass_counts:
            return False
        return not errors and not self.blocking()

    @property
    def unusable(self) -> bool:
        """Whether an input could not be used at all (validate: unreadable, or a folder with
        no document)."""
        return any(d.status is not None and d.status.unusable for d in self.documents)

    def exit_code(self) -> int:
        """0 compliant (or only waived / below-threshold findings), 1 otherwise; 2 when an
        input could not be used at all."""
        if self.unusable:
            return 2
        return 0 if self.compliant else 1
