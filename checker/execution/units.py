"""The unit of work of a check: a policy set and one snapshot file, from loading to result.

A unit loads and validates its snapshot file, reads the exports the snapshot imports and
checks it against every policy (:func:`~checker.evaluation.engine.check_unit`). It carries
back what the run needs to report exactly as a serial run does: the file's diagnostics, whether
it was skipped or unreadable, the exports it names (no report may overwrite one), and the
result. The parsed snapshot stays where it was checked: only diagnostics and findings travel.

Units depend on nothing but their :class:`UnitContext`, so that they can run in this process,
in a pool of processes or on a cluster, and be merged in input order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from checker.core.diagnostics import Diagnostic, Location, Position
from checker.core.progress import Progress
from checker.core.results import Result
from checker.documents import DEFAULT_LIMITS, Limits
from checker.documents.inputs import Entry, Loaded, load_entry
from checker.documents.json_stream import FileChanged, NotStreamed
from checker.evaluation.engine import PolicySet, check_unit, policy_info
from checker.evaluation.in_step import StoredItems
from checker.evaluation.parts import PartRunner
from checker.evaluation.snapshot import Snapshot, import_targets, resolve_imports
from checker.evaluation.streamed import load_streamed
from checker.execution.parts import local_parts
from reports.outputs import Target, output_problems

Export = tuple[str, str, str]
"""An export a snapshot imports, as an input no report may overwrite: kind, name, disk path."""

UNIT_FAILED = "unit-failed"
"""The code of the error that stands for a snapshot whose unit could not be run to the end."""


@dataclass(frozen=True, slots=True)
class UnitContext:
    """What every unit of a run shares: sent once to each worker, not once per snapshot."""

    policies: PolicySet
    limits: Limits = DEFAULT_LIMITS
    outputs: tuple[Target, ...] = ()  # the reports the run will write: none may be an export
    # Processes that check the stores of a snapshot read store by store, each a part of them
    # (checker.execution.parts); 1 checks them in the unit's own process.
    parts: int = 1


@dataclass(slots=True)
class UnitOutcome:
    """What one unit found, ready to be combined with the others in input order.

    ``loaded`` is the loading of the file without its document (see
    :func:`~checker.documents.inputs.combine_loaded`); ``valid`` whether the snapshot passed
    its schema; ``notes`` what reading its imports said; ``result`` the check, or ``None``
    when the snapshot is not checked (skipped, unreadable, invalid, an import unread, or a
    report of the run would overwrite an import).
    """

    loaded: Loaded
    valid: bool = False
    exports: list[Export] = field(default_factory=list)
    notes: list[Diagnostic] = field(default_factory=list)
    result: Result | None = None


PartsOf = Callable[[Entry, Snapshot], PartRunner]
"""Who checks the stores of a snapshot read store by store in parts (Dask's workers)."""


def run_unit(
    context: UnitContext,
    entry: Entry,
    *,
    parts: PartsOf | None = None,
    progress: Progress | None = None,
) -> UnitOutcome:
    """Load, validate and check one snapshot file; its stores, if read store by store, in
    parts by ``parts``, or by ``context.parts`` processes of this machine. ``progress`` hears
    how far the reading and the stores of a snapshot read store by store are (given only
    where the unit runs in the process that shows it)."""
    policies = context.policies.policies
    # A run in parts on this machine may read the file with a second process too.
    helped = parts is None and context.parts > 1
    loaded = load_streamed(
        entry, context.limits, policies, progress=progress, helped=helped
    ) or load_entry(entry, expect="snapshot", limits=context.limits)
    docs = [doc for doc, _ in loaded.documents] + loaded.invalid
    outcome = UnitOutcome(
        loaded=replace(loaded, documents=[], invalid=[], files=[]),
        valid=bool(loaded.documents),
        exports=[
            ("export", f"{target.name} (imported by {doc.name})", str(target.path))
            for doc in docs
            for target in import_targets(doc)
        ],
    )
    if output_problems(context.outputs, outcome.exports, duplicates=False):
        return outcome  # the run stops before any check: a report would overwrite an export
    if loaded.documents:
        view, outcome.notes = resolve_imports(loaded.documents[0][0], limits=context.limits)
        if not any(note.unreadable for note in outcome.notes):  # else the run stops unchecked
            try:
                outcome.result = check_unit(
                    context.policies,
                    view,
                    parts=_parts(context, entry, view, parts, progress),
                    progress=progress,
                )
            except (NotStreamed, FileChanged, OSError):
                if not isinstance(view.data.get("stores"), StoredItems):
                    raise
                # The stores, read again, are not what the first reading found (or the file changed,
                # or is gone): read it whole, which says why, as it is now.
                whole = replace(context, limits=_whole(context.limits))
                return run_unit(whole, entry, parts=parts, progress=progress)
    return outcome


def _parts(
    context: UnitContext,
    entry: Entry,
    view: Snapshot,
    parts: PartsOf | None,
    progress: Progress | None,
) -> PartRunner | None:
    """Who checks the stores in parts, if they are read store by store: ``parts``, or more
    than one process of this machine."""
    if not isinstance(view.data.get("stores"), StoredItems):
        return None
    if parts is not None:
        return parts(entry, view)
    if context.parts < 2:
        return None
    return local_parts(
        context.policies, context.limits, entry, view, context.parts, progress=progress
    )


def _whole(limits: Limits) -> Limits:
    """``limits`` under which every file is read whole."""
    return replace(limits, stream_from=limits.max_bytes + 1)


def failed_unit(context: UnitContext, entry: Entry, reason: str) -> UnitOutcome:
    """The outcome of a unit that could not be run to the end (its worker died, or the task
    failed on every try): an error at the snapshot file, so that the run fails and says which
    snapshot was not checked, never a snapshot silently missing from the results."""
    error = Diagnostic(
        Location(entry.name, Position(1, 1)),
        f"this snapshot was not checked: {reason}",
        UNIT_FAILED,
    )
    policies = [policy_info(policy) for policy in context.policies.policies]
    result = Result(
        as_of=context.policies.as_of,
        fail_on=context.policies.fail_on,
        documents=policies,
        diagnostics=[error],
    )
    return UnitOutcome(loaded=Loaded(), valid=True, result=result)
