"""One snapshot's stores checked in parts, on several processes or machines, and what each
part observed merged back into what checking every store at once observes.

A clause says two kinds of things of the stores: what it observes of each store, in its loop
over them, and what it concludes of them as a whole once the loop is done ("no store holds
this data kind", "no store keeps a copy apart"). A part's stores are checked by every clause
as usual (:meth:`~checker.evaluation.in_step.StoredItems.part`: a loop over the stores sees
the part's; a lookup by id, a loop within a loop, the length and the ids are of every store),
and each observation is recorded with where the clause was when it made it
(:func:`~checker.evaluation.in_step.visits`): in its *n*-th loop over the part, at a store, or
between loops. Then, clause by clause:

- what was observed within the *n*-th loop is the parts' observations one after the other, in
  the order of the stores, as one loop over every store makes them;
- what was said between loops is what *every* part said there. A conclusion about the stores
  as a whole is drawn when no store contradicts it ("no store holds X" is said only when no
  part has a store holding X), and anything said before the loops (of the rest of the
  snapshot, or of stores looked up by id) every part says alike.

What cannot be merged this way is refused (:class:`NotPartitionable`), and the stores are then
checked at once instead: parts that began a different number of loops, a clause that failed
in one part and not in another, and an observation of a store of the part made outside a
loop (a clause keeping what it saw of each store to say after the loop), and anything but a
conclusion about the stores as a whole said by one part between loops and not by another.

A clause's conclusion about the stores as a whole must hold when no store contradicts it ("no
store holds X"), and be said of the ``policy`` or the ``stores``: such a conclusion drawn from
some store (``3 stores hold X``) cannot be merged this way, and no check draws one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import chain

from checker.checks.base import AT_STORE, counted_passes
from checker.core.diagnostics import JsonPath, Position
from checker.core.results import Observation, PassedResources, Status
from checker.evaluation.in_step import visits

CONCLUSIONS = frozenset({"policy", "stores"})
"""The resources of what a clause concludes of the stores as a whole (``no_store_holds``): the
only observations one part may make between loops and another not."""


class NotPartitionable(Exception):
    """What the parts observed of a clause cannot be merged into what one check observes."""


@dataclass(slots=True)
class Segments:
    """What one clause observed of one part: ``between[n]`` outside its loops over the stores
    once ``n`` had begun, ``within[n]`` in loop ``n + 1``; when counting, the passes within
    loops are only counted (``passes``), and when naming them, ``named[n]`` says whose the
    passes of loop ``n + 1`` are."""

    between: list[list[Observation]] = field(default_factory=lambda: [[]])
    within: list[list[Observation]] = field(default_factory=list)
    passes: int = 0
    named: list[PassedResources] | None = None
    # The clause began no loop over the part's stores, so it said what it says in every part:
    # only the first part sends it (a million stores: 100,000 pipelines judged, not sent twice).
    alike: bool = False
    # Whether the passes of loop ``n + 1`` were each named after the store they were taken at
    # (``store:<id>``, :class:`StoreNames`), store after store: so each was named once, if the
    # ids are distinct, and the results need not read the names back to know it.
    own: list[bool] = field(default_factory=list)

    def sent(self, part: range) -> Segments:
        """What a part sends of this: all of it, unless :attr:`alike` says it need not."""
        if part.start == 0 or self.within:
            return self
        return Segments(alike=True)


@dataclass(slots=True)
class PartObserved:
    """What every clause observed of one part of the stores, in the engine's clause order,
    and why each imported store of the part could not be read (``source.unreadable``)."""

    part: range
    clauses: list[Segments]
    unreadable: dict[int, str] = field(default_factory=dict)
    # Where what was observed of the part's stores is in the file, when it was read store by
    # store (``StreamedPositions.place``): found where the part was checked, alongside the
    # other parts, instead of by the process that makes the findings after them all.
    placed: dict[JsonPath, Position | None] = field(default_factory=dict)


PartRunner = Callable[[int], list[PartObserved]]
"""Checks the stores of a snapshot (how many is given) in parts (:func:`split`), somewhere:
what each part observed, in the parts' order."""


def split(stores: int, parts: int) -> list[range]:
    """``stores`` in at most ``parts`` consecutive parts of near-equal size, none empty."""
    parts = max(1, min(parts, stores))
    size, extra = divmod(stores, parts)
    found, start = [], 0
    for index in range(parts):
        stop = start + size + (index < extra)
        found.append(range(start, stop))
        start = stop
    return found


class StoreNames:
    """The names checks give the stores of a snapshot, ``store:<id>`` (``None`` for an id that
    is not a string), made a window of stores at a time and shared by the clauses of a part,
    which read the same block of stores in step: once a store, not once a clause."""

    __slots__ = ("_ids", "names", "start")

    WINDOW = 256

    def __init__(self, ids: Sequence[object]) -> None:
        self._ids = ids
        self.start = 0
        self.names: list[str | None] = []

    def window(self, at: int) -> tuple[int, list[str | None]]:
        """The names of the stores from some index to at least ``at``: (that index, them)."""
        if not 0 <= at - self.start < len(self.names):
            self.start = at
            self.names = [
                "store:" + ident if type(ident) is str else None
                for ident in self._ids[at : at + self.WINDOW]
            ]
        return self.start, self.names


def _no_window(at: int) -> tuple[int, list[str | None]]:
    """:meth:`StoreNames.window` where there are none: never asked, as no loop is then own and
    no pass is said of the store the loop is at (only parts that know the names say so)."""
    raise AssertionError("no store names to tell")


def record(
    observations: Iterable[Observation],
    *,
    counting: bool,
    naming: bool = False,
    store_names: StoreNames | None = None,
) -> Segments:
    """The observations of one clause checking a part, as they come, each put where the clause
    was when it made it (:func:`~checker.evaluation.in_step.visits`: it runs in the clause's
    own greenlet); when ``naming`` (and counting), whose the passes within loops are, and
    whether each loop named its passes after their stores (:attr:`Segments.own`, told by
    ``store_names``)."""
    where = visits()
    where.begin()
    found = Segments(named=[] if naming else None)
    between, within, named, owned = found.between, found.within, found.named, found.own
    # Whether this loop's passes so far were each named after their store, the stores in
    # the order of the snapshot: the store last named, and its name (None: not looked up);
    # the names of a window of stores, from ``start`` (kept in locals: a million stores,
    # eleven clauses).
    own, last, expected = False, -1, None
    start, window, width = 0, list[str | None](), 0
    refill = store_names.window if store_names is not None else _no_window
    passed = Status.PASS
    # Between loops, a run of passes named (of what every part judges alike, such as 100,000
    # pipelines) is kept as one count naming them, not an observation each: in order, and
    # compared with the other parts' as the observations would be (the count's names are).
    run, run_passes = None, 0
    passes = 0  # within loops; kept in a local, and the loop's namer bound, a pass is cheap
    take: Callable[[Observation], None] | None = None
    current = PassedResources()  # whose ``take`` it is (none before the first loop)
    # The passes said of the store the loop is at (``passes_at_store``), not yet named: where
    # each store is in ``window``, and its passes; named a window at a time (:func:`_named`).
    at_store = AT_STORE
    pending: list[int] = []
    pending_passes: list[int] = []
    for observation in observations:
        while len(within) < where.count:  # loops begun since the last observation
            if run is not None:
                between[-1].append(counted_passes(run_passes, run))
                run, run_passes = None, 0
            within.append([])
            between.append([])
            if named is not None:
                if pending:
                    _named(current, window, pending, pending_passes)
                if owned:
                    owned[-1] = own
                current = PassedResources()
                named.append(current)
                owned.append(False)
                take = current.take
                own, last, expected = store_names is not None, -1, None
        at = where.at
        if at is None:
            if observation.resource is at_store:
                raise AssertionError("a store's passes said outside a loop over the stores")
            if (
                named is not None
                and observation.status is passed
                and observation.resource not in CONCLUSIONS
            ):
                if run is None:
                    run = PassedResources()
                run.take(observation)
                run_passes += observation.times
                continue
            if run is not None:
                between[-1].append(counted_passes(run_passes, run))
                run, run_passes = None, 0
            between[-1].append(observation)
        elif counting and observation.status is passed:
            passes += observation.times
            if take is None:
                continue
            if observation.resource is at_store:  # named after the store, by the loop's place
                if at != last or not pending:
                    offset = at - start
                    if not 0 <= offset < width:
                        if pending:  # named while their window is at hand
                            _named(current, window, pending, pending_passes)
                        start, window = refill(at)
                        width, offset = len(window), at - start
                    own = own and at >= last
                    last, expected = at, None
                    pending.append(offset)
                    pending_passes.append(observation.times)
                else:  # the same store again
                    pending_passes[-1] += observation.times
                continue
            if pending:  # named first, in the order they were said
                _named(current, window, pending, pending_passes)
            take(observation)
            if own:
                if at != last or expected is None:  # the next store (or own no longer)
                    offset = at - start
                    if not 0 <= offset < width:
                        start, window = refill(at)
                        width, offset = len(window), at - start
                    own = at >= last
                    last, expected = at, window[offset]
                # (a count naming others, ``counted_passes``, names no store: "")
                if observation.resource != expected:
                    own = False
        else:
            within[-1].append(observation)
    if pending:
        _named(current, window, pending, pending_passes)
    if owned:
        owned[-1] = own
    found.passes = passes
    if run is not None:
        between[-1].append(counted_passes(run_passes, run))
    while len(within) < where.count:
        within.append([])
        between.append([])
        if named is not None:
            named.append(PassedResources())
            owned.append(True)  # named nothing
    return found


def _named(
    resources: PassedResources,
    window: list[str | None],
    offsets: list[int],
    passes: list[int],
) -> None:
    """The passes of the stores at ``offsets`` in ``window`` added to ``resources``, named
    after them; ``offsets`` and ``passes`` emptied for the next."""
    names = list(map(window.__getitem__, offsets))
    if None in names:  # ``passes_at_store`` names such a store
        raise AssertionError("a store whose id is not a string said unnamed")
    resources.add_all(names, passes)  # type: ignore[arg-type]  # None is not in it
    offsets.clear()
    passes.clear()


def merge(
    parts: Sequence[PartObserved], *, counting: bool, ids_distinct: bool = False
) -> list[list[Observation]]:
    """Every clause's observations, as checking every store at once gives them (when counting,
    its passes as one count at the end); :class:`NotPartitionable` if they cannot be merged.
    With ``ids_distinct`` (the snapshot's store ids are), passes named in one loop after
    their stores (:attr:`Segments.own`) are known to name each store once."""
    if not parts:
        raise ValueError("no part to merge")
    clauses = len(parts[0].clauses)
    if any(len(p.clauses) != clauses for p in parts):
        raise NotPartitionable("the parts were not checked against the same clauses")
    ranges = [p.part for p in parts]
    return [
        _merged([p.clauses[index] for p in parts], ranges, counting=counting, known=ids_distinct)
        for index in range(clauses)
    ]


def _merged(
    segments: list[Segments], parts: list[range], *, counting: bool, known: bool
) -> list[Observation]:
    first = segments[0]
    if any(s.alike for s in segments):
        if first.alike or first.within:
            raise NotPartitionable("a part that began no loop is not the first part's alike")
        segments = [first if s.alike else s for s in segments]
    loops = {len(s.within) for s in segments}
    if len(loops) != 1:
        raise NotPartitionable("the parts began a different number of loops over the stores")
    # Passes named in the order checking every store at once names them: what was said
    # before each loop, then the loop's, part after part.
    named = PassedResources() if counting and first.named is not None else None
    # Each resource named once: the stores' passes named in one loop only, each after its
    # store, and what was said between loops named after no store, each once.
    once = named is not None and known
    from_loops = 0  # names the loops took
    said: list[str] = []  # names said between loops
    merged: list[Observation] = []
    for loop in range(loops.pop()):
        said_now = said if once else None  # not read back once it cannot be known
        merged += _naming(_common([s.between[loop] for s in segments], parts), named, said_now)
        merged += chain.from_iterable(s.within[loop] for s in segments)
        if named is not None:
            before = len(named)
            for s in segments:
                named.extend(s.named[loop])  # type: ignore[index]  # each part names alike
                once = once and loop < len(s.own) and s.own[loop]
            if len(named) > before:
                once = once and not from_loops  # a second loop naming stores
                from_loops += len(named) - before
    merged += _naming(
        _common([s.between[-1] for s in segments], parts), named, said if once else None
    )
    if not counting:
        return merged
    kept = passes_counted(merged, sum(s.passes for s in segments))
    if named is not None and kept and kept[-1].status is Status.PASS:  # the count, at the end
        if once and len(named) == from_loops + len(said) and _apart(said):
            named.taken_once()
        kept[-1] = counted_passes(kept[-1].times, named)
    return kept


def _naming(
    said: list[Observation], named: PassedResources | None, names: list[str] | None
) -> list[Observation]:
    """``said``, its passes named in ``named`` (and still counted where they are), their
    names added to ``names`` (if given: a run of them may have been written out)."""
    if named is not None:
        for observation in said:
            if observation.status is Status.PASS:
                named.take(observation)
                if names is None:
                    continue
                taken = observation.named
                if taken is None:
                    names.append(observation.resource)
                else:
                    names += chain.from_iterable(block for block, _ in taken.resources())
    return said


def _apart(said: list[str]) -> bool:
    """Whether names said between loops are each said once, and none after a store (which
    the loops name)."""
    return len(set(said)) == len(said) and not any(n.startswith("store:") for n in said)


def passes_counted(
    observations: Iterable[Observation], passes: int = 0, named: PassedResources | None = None
) -> list[Observation]:
    """``observations`` but their passes, which are counted, with ``passes`` more, as one count
    at the end (the engine adds counts up, whatever their order); with ``named`` (which may
    hold passes already), whose they are."""
    kept: list[Observation] = []
    passed = Status.PASS
    for observation in observations:
        if observation.status is passed:
            passes += observation.times
            if named is not None:
                named.take(observation)
        else:
            kept.append(observation)
    if passes:
        kept.append(counted_passes(passes, named))
    return kept


def _common(said: list[list[Observation]], parts: list[range]) -> list[Observation]:
    """What every part said between the same two loops, in the first part's order."""
    first = said[0]
    if all(other == first for other in said[1:]):  # the usual case, and a quick one
        return first
    common = Counter(first)
    for other in said[1:]:
        common &= Counter(other)
    for observations, part in zip(said, parts, strict=True):
        for extra in Counter(observations) - common:
            if extra.status is Status.ERROR:
                raise NotPartitionable("the clause could not be evaluated in one part")
            evidence = extra.evidence
            if (
                evidence is not None
                and len(evidence) >= 2
                and evidence[0] == "stores"
                and isinstance(evidence[1], int)
                and evidence[1] in part
            ):
                raise NotPartitionable("a store of the part was observed outside a loop")
            if extra.resource not in CONCLUSIONS:
                raise NotPartitionable(f"{extra.resource} was observed by one part only")
    kept = []
    left = Counter(common)
    for observation in first:
        if left[observation]:
            left[observation] -= 1
            kept.append(observation)
    return kept


__all__ = [
    "NotPartitionable",
    "PartObserved",
    "PartRunner",
    "Segments",
    "merge",
    "passes_counted",
    "record",
    "split",
]
