"""The check engine: every clause of every policy against a snapshot, and merging the results.

The unit of work is one snapshot against a :class:`PolicySet` (:func:`check_unit`); a run over
many snapshots is a unit per snapshot, then :func:`merge_results`, which applies the waivers
once over everything (a waiver that matches nothing in one snapshot may match in another).
The units are independent of each other, so they may run anywhere, in any order.

Checks yield observations; the engine stamps each with the policy, clause, severity,
remediation, regulation references and both locations. A check that raises becomes an
``error`` finding for its clause (fail closed), never a crash of the run. The engine reads
nothing from disk: the documents, and the regulation references of the framework files, are
given to it.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from itertools import chain
from typing import Any

from checker.checks import CHECKS
from checker.checks.base import Check, CheckContext, Vocabulary
from checker.core.diagnostics import Diagnostic, JsonPath, Location
from checker.core.gc_pause import collector_paused
from checker.core.progress import Counted, Progress
from checker.core.regions import region_countries
from checker.core.results import (
    DocumentInfo,
    Finding,
    Observation,
    PassCount,
    PassedResources,
    Result,
    Severity,
    Status,
)
from checker.documents.document import Document
from checker.documents.json_stream import StreamedPositions
from checker.evaluation.applicability import region_scope
from checker.evaluation.frameworks import references_by_check
from checker.evaluation.in_force import clause_outside, not_in_force_notices
from checker.evaluation.in_step import StoredItems
from checker.evaluation.parts import (
    NotPartitionable,
    PartObserved,
    PartRunner,
    Segments,
    StoreNames,
    merge,
    passes_counted,
    record,
)
from checker.evaluation.provenance import conflict_observation, in_conflict, provenance
from checker.evaluation.snapshot import Snapshot
from checker.evaluation.waivers import apply_waivers, parse_waivers
from checker.validation.snapshot_rules import snapshot_diagnostics, unknown_names

References = Mapping[str, tuple[str, ...]]
"""Regulation requirements per check id, from the framework files."""


Clauses = dict[tuple[str, int], "_Clause"]
"""What the findings of each clause of one policy share whatever the snapshot, by the clause's
section and its index there: found once for all the snapshots a process checks."""


@dataclass(frozen=True, slots=True)
class PolicySet:
    """What every unit of work shares: schema-valid policies, the date and threshold the run
    judges by, and the regulation references of the framework files."""

    policies: tuple[Document, ...]
    as_of: dt.date
    fail_on: Severity = Severity.LOW
    count_passes: bool = False  # count passes per promise instead of listing them
    references: References = field(default_factory=dict)
    # Name the resources that pass, with each one's passes (``--passes resources``): implies
    # ``count_passes``.
    name_passes: bool = False
    # Each clause's severity, references, dates in force, places in its policy...: found once,
    # not once per snapshot, and its findings in every unit share them (one location per
    # place: a batch of results is pickled and held with one copy of it). One per policy, in
    # the order of ``policies``: two policies may be called alike.
    clauses: tuple[Clauses, ...] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "clauses", tuple({} for _ in self.policies))  # frozen
        object.__setattr__(self, "count_passes", self.count_passes or self.name_passes)

    def clauses_of(self, policy: Document) -> Clauses | None:
        """What is kept of the clauses of ``policy`` (this very document), if one of the set."""
        for index, known in enumerate(self.policies):
            if known is policy:
                return self.clauses[index]
        return None

    @classmethod
    def of(
        cls,
        policies: Iterable[Document],
        *,
        as_of: dt.date,
        fail_on: Severity = Severity.LOW,
        count_passes: bool = False,
        references: References | None = None,
        name_passes: bool = False,
    ) -> PolicySet:
        """A policy set; without ``references``, those of the bundled framework files.
        ``name_passes`` counts passes too, naming the resources that pass."""
        return cls(
            tuple(policies),
            as_of,
            fail_on,
            count_passes,
            references_by_check() if references is None else references,
            name_passes,
        )

    def unit_of_nothing(self) -> Result:
        """The result of a unit when no snapshot could be checked (each was refused): the
        policies alone, so that a run still merges into a verdict, with the refusals it
        carries as diagnostics, instead of having nothing to merge."""
        empty = Result(as_of=self.as_of, fail_on=self.fail_on)
        empty.documents.extend(policy_info(p) for p in self.policies)
        return empty


def check_unit(
    policies: PolicySet,
    snapshot: Snapshot | Document,
    *,
    parts: PartRunner | None = None,
    progress: Progress | None = None,
) -> Result:
    """One snapshot against every policy: the unit of work.

    The result holds the findings (policies in order, then clauses in policy order), the
    snapshot's own problems the schema cannot state (duplicate ids, pipeline sources that name
    no store, names no policy's vocabulary defines: they make the run fail while every element
    is still judged), and the policies and the snapshot as documents. Waivers are not applied
    here but by :func:`merge_results`.

    The stores of a snapshot read store by store are checked in parts by ``parts``, when
    given (:mod:`checker.evaluation.parts`; :func:`observe_part` checks one), else at once;
    ``progress`` hears how far they are, then that the findings are being made.
    """
    view = snapshot if isinstance(snapshot, Snapshot) else Snapshot.plain(snapshot)
    result = Result(as_of=policies.as_of, fail_on=policies.fail_on)
    result.documents.extend(policy_info(p) for p in policies.policies)
    result.documents.append(snapshot_info(view))
    with collector_paused():
        result.diagnostics.extend(snapshot_diagnostics(view))
        result.diagnostics.extend(unknown_names(view, list(policies.policies)))
        stores = view.data.get("stores")
        observe: Observe = _guarded
        if isinstance(stores, StoredItems):
            observe = _observed(policies, view, stores, parts, progress)
        try:
            for policy in policies.policies:
                for item in _check(policies, policy, view, observe):
                    if isinstance(item, PassCount):
                        result.pass_counts.append(item)
                    else:
                        result.findings.append(item)
        finally:
            if isinstance(view.document.positions, StreamedPositions):
                view.document.positions.forget()
    return result


def merge_results(
    results: Sequence[Result],
    *,
    diagnostics: Iterable[Diagnostic] = (),
    waivers: Document | None = None,
    generated_at: str = "",
) -> Result:
    """The result of a run from the results of its units (one per snapshot, in input order).

    The same as checking every snapshot at once: findings and counted passes in policy order,
    then snapshot order, then clause order; the policies listed once, then the snapshots;
    ``diagnostics`` (the run's own, e.g. from loading) before the units'. The waivers are then
    applied once, to every finding, and the result is stamped ``generated_at``.

    Every unit must have been checked as of the same date, with the same threshold and the
    same policies; a :class:`ValueError` says which differs.
    """
    if not results:
        raise ValueError("merge_results needs the result of at least one unit")
    first = results[0]
    policies = [d for d in first.documents if d.kind == "policy"]
    for other in results[1:]:
        if (other.as_of, other.fail_on) != (first.as_of, first.fail_on):
            raise ValueError("the units were not checked as of the same date and threshold")
        if [d for d in other.documents if d.kind == "policy"] != policies:
            raise ValueError("the units were not checked against the same policies")
    order = {d.file: index for index, d in reversed(list(enumerate(policies)))}
    merged = Result(
        as_of=first.as_of,
        fail_on=first.fail_on,
        diagnostics=list(diagnostics),
        documents=list(policies),
        generated_at=generated_at,
    )
    findings: list[Finding] = []
    for result in results:
        merged.documents.extend(d for d in result.documents if d.kind != "policy")
        merged.diagnostics.extend(result.diagnostics)
        findings.extend(result.findings)
        merged.pass_counts.extend(result.pass_counts)
    if len(results) > 1:
        # Units are snapshot-major; a run is policy-major. Sorting is stable: within a policy
        # the snapshots keep their order, and within a snapshot the clauses keep theirs.
        findings.sort(key=lambda f: order.get(f.policy_location.file, 0))
        merged.pass_counts.sort(key=lambda p: order.get(p.policy_location.file, 0))
    if waivers is not None:
        findings, states, notes = apply_waivers(findings, parse_waivers(waivers), first.as_of)
        merged.waivers.extend(states)
        merged.diagnostics.extend(notes)
        merged.documents.append(DocumentInfo("waivers", waivers.name, "waivers"))
    merged.findings = findings
    return merged


def evaluate(
    policies: list[Document],
    snapshots: Sequence[Document | Snapshot],
    *,
    as_of: dt.date,
    waivers: Document | None = None,
    fail_on: Severity = Severity.LOW,
    diagnostics: Iterable[Diagnostic] = (),
    count_passes: bool = False,
    references: References | None = None,
    generated_at: str = "",
    name_passes: bool = False,
) -> Result:
    """Check schema-valid policies against schema-valid snapshots: a unit per snapshot, merged.

    With ``count_passes`` passing resources are counted per promise instead of listed; with
    ``name_passes`` counted and named. Without ``references``, those of the bundled framework
    files (read once per process).
    """
    policy_set = PolicySet.of(
        policies,
        as_of=as_of,
        fail_on=fail_on,
        count_passes=count_passes,
        references=references,
        name_passes=name_passes,
    )
    units = [check_unit(policy_set, snapshot) for snapshot in snapshots]
    if not units:  # nothing to check: the policies and the run's diagnostics still tell
        units = [policy_set.unit_of_nothing()]
    return merge_results(
        units,
        diagnostics=[*diagnostics, *not_in_force_notices(policies, as_of)],
        waivers=waivers,
        generated_at=generated_at,
    )


Observe = Callable[[Check, CheckContext[Any]], Iterator[Observation]]
"""How the engine has a clause checked: its check's observations, as they come."""


def check_policy(
    policy: Document,
    snapshot: Snapshot,
    as_of: dt.date,
    *,
    references: References,
    count_passes: bool = False,
    observe: Observe | None = None,
    clauses: Clauses | None = None,
    name_passes: bool = False,
) -> Iterator[Finding | PassCount]:
    """Findings of one policy against one snapshot, in policy order; with ``count_passes``,
    each clause's passes come as one :class:`PassCount` after its other findings (with
    ``name_passes`` too, naming whose they are).
    ``observe`` checks each clause (by default, the check run there and then); ``clauses``
    keeps what the findings of each clause share, for the next snapshot checked against
    ``policy`` as of ``as_of``."""
    observe = observe or _guarded
    count_passes = count_passes or name_passes  # passes are named as they are counted
    known: Clauses = {} if clauses is None else clauses
    data = policy.data
    vocabulary = Vocabulary.from_policy(data)
    cache: dict[str, Any] = {}  # snapshot indexes shared by every clause
    regions = region_countries(data)
    for section, check in CHECKS.items():
        for index, clause in enumerate(data.get(section) or ()):
            ctx = CheckContext(
                clause,
                data,
                snapshot.data,
                vocabulary,
                as_of,
                cache,
                counting=count_passes,
                naming=name_passes,
            )
            facts = known.get((section, index))
            if facts is None:
                facts = known[section, index] = _Clause(
                    policy, check, clause, (section, index), references.get(section, ()), as_of
                )
            stamp = _Stamp(facts, snapshot)
            scope = region_scope(clause, regions, snapshot.data)
            if scope is not None and not scope.applicable:
                # Said once, instead of the clause's findings: not blocking, and not a pass.
                yield replace(
                    stamp(scope.observation),
                    status=Status.NOT_EVIDENCED,
                    severity=Severity.INFO,
                    message=scope.observation.message,
                )
                continue
            if in_conflict(clause):  # disputed: no reading of it can be checked
                yield stamp.conflict()
                continue
            observations = observe(check, ctx)
            if scope is not None:  # where the snapshot serves users is not recorded
                observations = chain((scope.observation,), observations)
            if not count_passes:
                yield from map(stamp, observations)
                continue
            # Passes are counted as they come: a clause over a million items never holds
            # its observations, only its failures (and, naming them, whose the passes are).
            passes, passed = 0, Status.PASS
            named = PassedResources() if name_passes else None
            for observation in observations:
                if observation.status is passed:
                    passes += observation.times
                    if named is not None:
                        named.take(observation)
                else:
                    yield stamp(observation)
            if passes:
                yield stamp.pass_count(passes, named)


def _check(
    policies: PolicySet, policy: Document, view: Snapshot, observe: Observe
) -> Iterator[Finding | PassCount]:
    return check_policy(
        policy,
        view,
        policies.as_of,
        references=policies.references,
        count_passes=policies.count_passes,
        observe=observe,
        clauses=policies.clauses_of(policy),
        name_passes=policies.name_passes,
    )


def _observed(
    policies: PolicySet,
    view: Snapshot,
    stores: StoredItems,
    parts: PartRunner | None,
    progress: Progress | None,
) -> Observe:
    """Every clause checked at once over stores read a block at a time, in parts when
    ``parts`` is given and what they observed can be merged (else in one step); what each
    clause observed (passes only counted, when counting), given back in the order
    :func:`check_policy` asks for them."""
    counting = policies.count_passes
    observed: deque[list[Observation]] | None = None
    if parts is not None and len(stores) > 1:
        try:
            found = parts(len(stores))
            ids_distinct = stores.distinct_ids()
            observed = deque(merge(found, counting=counting, ids_distinct=ids_distinct))
        except NotPartitionable:  # checked at once instead
            observed = None
        else:
            for part in found:
                stores.unreadable.update(part.unreadable)
                if isinstance(view.document.positions, StreamedPositions):
                    view.document.positions.adopt(part.placed)
    if observed is None:
        clauses = _clauses(policies, view)
        observed = deque(
            stores.in_step(
                [partial(_kept, check, ctx, counting=counting) for check, ctx in clauses],
                progress=stores_progress(progress, view),
            )
        )
    if progress is not None:  # placing and stamping a million findings takes a while
        progress(f"making the findings of {view.name}", 0, 0)
    if isinstance(view.document.positions, StreamedPositions) and not view.imported:
        # Placed store by store now, instead of clause by clause as the findings are made.
        view.document.positions.place(
            obs.evidence for found in observed for obs in found if obs.evidence is not None
        )
    # Each clause's observations are let go once its findings are made.
    return lambda check, ctx: iter(observed.popleft())


def observe_part(
    policies: PolicySet, view: Snapshot, part: range, *, progress: Counted | None = None
) -> PartObserved:
    """What every clause observes of the stores of ``part`` of a snapshot read store by store,
    each observation placed where its clause was (:func:`checker.evaluation.parts.record`);
    ``progress`` hears how many of the part's stores are checked.

    A clause that never loops over the stores (``Check.loops_over_stores``) says the same in
    every part: the first part checks it, and the others send that they said it alike
    (checked when merged) without checking it again."""
    stores = view.data["stores"]
    if not isinstance(stores, StoredItems):
        raise TypeError("only the stores of a snapshot read store by store are checked in parts")
    part_stores = stores.part(part)
    part_view = replace(view, data={**view.data, "stores": part_stores})
    counting = policies.count_passes
    # Shared by the clauses, which read the stores in step: each store's name made once.
    names = StoreNames(stores.ids()) if policies.name_passes else None
    tasks = [
        partial(_recorded, check, _at_store(ctx, names), counting=counting, store_names=names)
        if part.start == 0 or check.loops_over_stores
        else partial(Segments, alike=True)
        for check, ctx in _clauses(policies, part_view)
    ]
    with collector_paused():  # as check_unit does; a Dask worker runs this with it going
        clauses = part_stores.in_step(tasks, progress=progress)
    unreadable = {i: why for i, why in part_stores.unreadable.items() if i in part}
    sent = [c.sent(part) for c in clauses]
    positions = view.document.positions
    placed = {}
    if isinstance(positions, StreamedPositions) and not view.imported:
        # Placed here, alongside the other parts: the process making the findings adopts it.
        positions.place(
            obs.evidence
            for segments in sent
            for loop in segments.within
            for obs in loop
            if obs.evidence is not None
        )
        placed = positions.placed()
    return PartObserved(part, sent, unreadable, placed)


def stores_progress(progress: Progress | None, view: Snapshot, part: str = "") -> Counted | None:
    """How far the stores of ``view`` (or of ``part`` of them, named so) are checked, as a
    stage of ``progress``."""
    if progress is None:
        return None
    stage = f"checking {view.name}, {part}stores:"
    return lambda done, total: progress(stage, done, total)


def _at_store(ctx: CheckContext[Any], names: StoreNames | None) -> CheckContext[Any]:
    """``ctx``, its stores' passes said of the store the loop is at when :func:`record` can
    name them so (it knows the stores' names)."""
    return ctx if names is None or not ctx.naming else replace(ctx, naming_at_store=True)


def _recorded(
    check: Check, ctx: CheckContext[Any], *, counting: bool, store_names: StoreNames | None
) -> Segments:
    return record(
        _guarded(check, ctx), counting=counting, naming=ctx.naming, store_names=store_names
    )


def _clauses(policies: PolicySet, view: Snapshot) -> list[tuple[Check, CheckContext[Any]]]:
    """The clauses :func:`check_policy` will ask to have checked, in its order, each with the
    context it will give."""
    clauses: list[tuple[Check, CheckContext[Any]]] = []

    def note(check: Check, ctx: CheckContext[Any]) -> Iterator[Observation]:
        clauses.append((check, ctx))
        return iter(())

    for policy in policies.policies:
        for _ in _check(policies, policy, view, note):
            pass
    return clauses


def _kept(check: Check, ctx: CheckContext[Any], *, counting: bool) -> list[Observation]:
    """The clause's observations; when counting, its passes as one count at the end (the
    engine adds them up, whatever their order)."""
    if not counting:
        return list(_guarded(check, ctx))
    return passes_counted(_guarded(check, ctx), named=PassedResources() if ctx.naming else None)


def _guarded(check: Check, ctx: CheckContext[Any]) -> Iterator[Observation]:
    """The check's observations as they come; if it raises, what it observed before stays and
    an ``error`` observation for the clause follows (a broken check must not pass silently)."""
    try:
        yield from check.run(ctx)
    except Exception as exc:
        yield Observation(
            Status.ERROR,
            "policy",
            f"check {check.id} could not evaluate this clause: {type(exc).__name__}: {exc}",
            "an evaluable clause",
            "error",
            None,
        )


# What to do about a disputed promise: the snapshot is not at fault, the policy is unsettled.
CONFLICT_REMEDIATION = (
    "Read the sources, decide what is promised, write the clause to say it and set its "
    "confidence to what the sources now support."
)


class _Clause:
    """What the findings of one clause share, whatever the snapshot: its ids, severity,
    promise, remediation, references and sources, whether it is in force as of the run's
    date, and where each of its fields is in the policy."""

    __slots__ = (
        "check",
        "clause",
        "clause_id",
        "confidence",
        "locations",
        "not_in_force",
        "path",
        "policy",
        "policy_id",
        "promise",
        "references",
        "remediation",
        "severity",
        "sources",
    )

    def __init__(
        self,
        policy: Document,
        check: Check,
        clause: Mapping[str, Any],
        path: tuple[str, int],
        references: tuple[str, ...],
        as_of: dt.date,
    ) -> None:
        self.policy, self.check, self.clause, self.path = policy, check, clause, path
        self.policy_id = str(policy.data["metadata"]["id"])
        self.clause_id = str(clause["id"])
        self.remediation = str(clause.get("remediation") or check.remediation)
        self.severity = Severity(clause.get("severity", check.default_severity.value))
        self.references = (*references, *clause.get("references", ()))
        self.promise = str(clause.get("statement", check.title))
        self.sources = provenance(clause)
        self.confidence = str(clause.get("confidence", ""))
        # Findings of a policy or clause not in force as of the run's date are shown, as
        # info (never blocking), their message saying why (checker.evaluation.in_force).
        outside = clause_outside(policy.data, clause, as_of)
        self.not_in_force = outside.reason if outside is not None else ""
        self.locations: dict[JsonPath, Location] = {}

    def location(self, sub: JsonPath) -> Location:
        """Where the clause's field ``sub`` is (the clause itself for ``()``): found once, and
        one location for every finding pointing there."""
        location = self.locations.get(sub)
        if location is None:
            location = self.locations[sub] = self.policy.locate((*self.path, *sub))
        return location


class _Stamp:
    """Turns a check's observations of one snapshot into findings for one clause (whose
    shared fields are ``facts``)."""

    __slots__ = ("environment", "facts", "snapshot", "system")

    def __init__(self, facts: _Clause, snapshot: Snapshot) -> None:
        self.facts, self.snapshot = facts, snapshot
        meta = snapshot.data.get("metadata") or {}
        self.system = str(meta.get("system", ""))
        self.environment = str(meta.get("environment", ""))

    def pass_count(self, count: int, named: PassedResources | None = None) -> PassCount:
        facts = self.facts
        return PassCount(
            policy_id=facts.policy_id,
            clause_id=facts.clause_id,
            check_id=facts.check.id,
            area=facts.check.area,
            severity=facts.severity,
            promise=facts.promise,
            policy_location=facts.location(()),
            snapshot=self.snapshot.name,
            count=count,
            resources=named,
        )

    def conflict(self) -> Finding:
        """The one finding of a clause whose sources disagree: about the policy, so it points
        at the clause's ``confidence``, with no snapshot evidence."""
        return replace(
            self(conflict_observation(self.facts.clause)),
            evidence_location=None,
            remediation=CONFLICT_REMEDIATION,
        )

    def _unreadable(self, evidence: JsonPath | None) -> str | None:
        """Why an imported store has no evidence, when an adapter could not read it."""
        if not evidence or evidence[0] != "stores" or len(evidence) < 2:
            return None
        stores = self.snapshot.data.get("stores")
        index = evidence[1]
        if isinstance(stores, StoredItems):
            return stores.unreadable.get(index) if isinstance(index, int) else None
        if not isinstance(stores, list) or not isinstance(index, int) or index >= len(stores):
            return None
        source = stores[index].get("source") if isinstance(stores[index], dict) else None
        why = source.get("unreadable") if isinstance(source, dict) else None
        return why if isinstance(why, str) else None

    def __call__(self, obs: Observation) -> Finding:
        facts = self.facts
        status, severity, message = obs.status, facts.severity, obs.message
        if status is Status.NOT_EVIDENCED:
            why = self._unreadable(obs.evidence)
            if why:
                message = f"{message} ({why})"
            mode = facts.clause.get("if_not_evidenced", "fail")
            if mode == "warn":
                severity = Severity.INFO
            elif mode == "pass":
                status = Status.PASS
                message = f"{message} (accepted: the policy does not require evidence)"
        if facts.not_in_force:
            severity = Severity.INFO
            message = f"{facts.not_in_force}: {message}"
        return Finding(
            policy_id=facts.policy_id,
            clause_id=facts.clause_id,
            check_id=facts.check.id,
            area=facts.check.area,
            severity=severity,
            status=status,
            message=message,
            expected=obs.expected,
            actual=obs.actual,
            resource=obs.resource,
            promise=facts.promise,
            policy_location=facts.location(obs.clause_path),
            evidence_location=(
                self.snapshot.locate(obs.evidence)
                if obs.evidence is not None
                else self.snapshot.locate(())
            ),
            remediation=facts.remediation,
            references=facts.references,
            system=self.system,
            environment=self.environment,
            sources=facts.sources,
            confidence=facts.confidence,
        )


def policy_info(policy: Document) -> DocumentInfo:
    meta = policy.data.get("metadata", {})
    return DocumentInfo(
        "policy",
        policy.name,
        str(meta.get("id", "")),
        str(meta.get("title", "")),
        str(meta.get("version", "")),
        str(meta.get("effective", "")),
        owner=str(meta.get("owner", "")),
        description=str(meta.get("description", "")),
        source=str(meta.get("source", "")),
    )


def snapshot_info(snapshot: Snapshot | Document) -> DocumentInfo:
    meta = snapshot.data.get("metadata", {})
    return DocumentInfo(
        "snapshot",
        snapshot.name,
        str(meta.get("system", "")),
        "",
        "",
        str(meta.get("taken_at", "")),
        str(meta.get("system", "")),
        str(meta.get("environment", "")),
    )
