"""The pipeline: typed options in, one :class:`~checker.core.results.Result` out.

:func:`run_check` and :func:`run_validate` are the only places that orchestrate a run. They
read and validate the inputs, refuse inputs the run cannot use (:class:`UnusableInputs`, exit
code 2, with a diagnostic for each), and make the result. The commands parse arguments into
options and render the result; a library user, a benchmark, a test or a worker calls the same
functions, without argparse::

    import datetime as dt
    from checker.pipeline import CheckOptions, run_check

    result = run_check(
        CheckOptions(
            policies=["policies/library/anthropic-consumer-2025.yaml"],
            snapshots=["policies/examples/violating/snapshot.yaml"],
            as_of=dt.date(2026, 11, 21),
        )
    )
    result.exit_code()  # 1: findings block

A check is: load and validate the policies → for each snapshot file, the unit of work
(:func:`~checker.execution.units.run_unit`: load and validate it, then :func:`check_unit`
against the policy set; independent of the others, so run in this process, a pool of processes
or on a Dask cluster, as ``jobs`` and ``executor`` say) → :func:`merge_results`, which applies
the waivers once. However the units ran, the result is the same. Nothing here prints or reads
the environment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import partial

from checker.core.diagnostics import Diagnostic, Level, Location
from checker.core.errors import InvalidWaivers, UnusableInputs, UsageError
from checker.core.progress import Progress, no_progress
from checker.core.results import Command, DocumentInfo, DocumentStatus, Result, Severity
from checker.diff.previous import previous_changes
from checker.documents import DEFAULT_LIMITS, Limits
from checker.documents.document import Document
from checker.documents.inputs import (
    Entry,
    Loaded,
    Source,
    combine_loaded,
    document_kind,
    expand,
    file_key,
    load_and_validate,
    load_entry,
    refuse_repeated_policy_ids,
    shown_name,
)
from checker.evaluation.engine import (
    PolicySet,
    check_unit,
    merge_results,
    policy_info,
    snapshot_info,
)
from checker.evaluation.frameworks import references_by_check
from checker.evaluation.in_force import not_in_force_notices, validation_warnings
from checker.evaluation.snapshot import import_targets, resolve_imports
from checker.evaluation.streamed import validate_streamed
from checker.evaluation.waivers import (
    TERM_TOO_LONG,
    UNKNOWN_CLAUSE,
    clause_diagnostics,
    term_diagnostics,
)
from checker.execution import (
    Executor,
    UnitContext,
    UnitOutcome,
    default_parts,
    executor_for,
    run_unit,
)
from checker.execution.local import Serial
from checker.history.baseline import read_baseline
from checker.history.compare import compare
from checker.history.since import compare_and_record
from checker.validation.snapshot_rules import snapshot_diagnostics
from reports.base import plural
from reports.outputs import Target, output_problems

__all__ = [
    "NOW",
    "CheckOptions",
    "PolicySet",
    "UnusableInputs",
    "ValidateOptions",
    "check_unit",
    "merge_results",
    "run_check",
    "run_validate",
    "timestamp",
]

NOW = "now"
"""``generated_at`` that stamps the result with the time it is made."""


def _paths(value: str | Source | Iterable[str | Source]) -> tuple[str | Source, ...]:
    return (value,) if isinstance(value, str | Source) else tuple(value)


@dataclass(frozen=True, slots=True)
class CheckOptions:
    """What ``policy-check check`` runs: the command line and the config, merged once.

    ``policies`` and ``snapshots`` are files or folders (paths, or :class:`Source` to say who
    named them, for messages); ``waivers`` one file. ``generated_at`` is ``""`` (no timestamp:
    the same inputs give the same bytes), :data:`NOW`, or an RFC 3339 timestamp. ``outputs``
    are the reports the caller will write and ``config`` the config file read: neither may be
    an input, and the run stops before any work if one is. ``jobs`` is how many snapshots are
    checked at once: by processes of this machine (``executor`` ``"local"``; 1, the default,
    in this process; ``None``, the number of cores when there are many snapshot files, and the
    stores of a snapshot read store by store in up to two parts when passes are counted), or by
    the workers of a Dask cluster (``"dask"``: the scheduler at ``scheduler``, or a local
    cluster of ``jobs`` workers when it is ``None``).
    """

    policies: Sequence[str | Source]
    snapshots: Sequence[str | Source]
    waivers: str | Source | None = None
    as_of: dt.date = field(default_factory=dt.date.today)
    fail_on: Severity = Severity.LOW
    count_passes: bool = False
    name_passes: bool = False  # passes counted, and whose named: implies ``count_passes``
    limits: Limits = DEFAULT_LIMITS
    generated_at: str = ""
    outputs: Sequence[Target] = ()
    config: str | None = None
    previous_policies: Sequence[str | Source] = ()
    baseline: str | None = None  # JSON results of an accepted run: only new findings block
    history: str | None = None  # a history database: compare with the last run, record this one
    jobs: int | None = 1
    executor: str = "local"
    scheduler: str | None = None
    # Told (stage, done, total) as the run goes: the command line draws it for people.
    progress: Progress | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "policies", _paths(self.policies))
        object.__setattr__(self, "previous_policies", _paths(self.previous_policies))
        object.__setattr__(self, "snapshots", _paths(self.snapshots))
        object.__setattr__(self, "outputs", tuple(self.outputs))
        object.__setattr__(self, "fail_on", Severity(self.fail_on))
        object.__setattr__(self, "count_passes", self.count_passes or self.name_passes)
        if not self.policies or not self.snapshots:
            raise UsageError("nothing to check: give at least one policy and one snapshot")


@dataclass(frozen=True, slots=True)
class ValidateOptions:
    """What ``policy-check validate`` runs: files and folders of any document kind.

    ``as_of`` is only recorded in the result (validation does not depend on the date);
    ``generated_at`` and ``outputs`` are as for :class:`CheckOptions`.
    """

    paths: Sequence[str | Source]
    limits: Limits = DEFAULT_LIMITS
    as_of: dt.date = field(default_factory=dt.date.today)
    generated_at: str = ""
    outputs: Sequence[Target] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "paths", _paths(self.paths))
        object.__setattr__(self, "outputs", tuple(self.outputs))
        if not self.paths:
            raise UsageError("nothing to validate: give at least one file or folder")


def timestamp(generated_at: str) -> str:
    """The stamp of a result made now: :data:`NOW` is the current time (UTC, to the second)."""
    if generated_at == NOW:
        return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    return generated_at


# --- check ----------------------------------------------------------------------------------


def run_check(options: CheckOptions) -> Result:
    """Check the policies against every snapshot: a unit per snapshot, merged.

    Raises :class:`UnusableInputs` when an input cannot be read, a folder holds nothing to
    check, a snapshot is named twice, a waivers folder holds several files, an export a
    snapshot imports cannot be read, a baseline is not the results of a check of this format,
    or a report would overwrite an input. With a baseline, its findings that are still there
    unchanged do not block.
    """
    inputs = _load_check(options)
    baseline = (
        read_baseline(options.baseline, limits=options.limits)
        if options.baseline is not None
        else None
    )
    changes, notes = previous_changes(
        inputs.policies,
        inputs.previous,
        references=inputs.context.policies.references,
        limits=options.limits,
    )
    result = merge_results(
        inputs.units,
        diagnostics=[
            *inputs.diagnostics,
            *notes,
            *not_in_force_notices(inputs.policies, options.as_of),
        ],
        waivers=inputs.waivers,
        generated_at=timestamp(options.generated_at),
    )
    result.changes = changes
    if baseline is not None and options.baseline is not None:
        compare(result, baseline, kind="baseline", against=shown_name(options.baseline))
    if options.history is not None:
        compare_and_record(options.history, result, keep_comparison=baseline is not None)
    return result


@dataclass(slots=True)
class _CheckInputs:
    """Everything a check reads, valid: the units' inputs and the run's own diagnostics."""

    policies: list[Document]
    context: UnitContext
    units: list[Result]  # a result per snapshot, in input order
    waivers: Document | None
    diagnostics: list[Diagnostic]
    previous: list[Document] = field(default_factory=list)  # --previous-policy


def _load_check(options: CheckOptions) -> _CheckInputs:
    waivers_source = _source(options.waivers) if options.waivers is not None else None
    expanded = {
        "policy": expand(options.policies),
        "snapshot": expand(options.snapshots),
        "waivers": expand([waivers_source] if waivers_source else []),
        "previous policy": expand(options.previous_policies),
    }
    # Before any work: no report may overwrite an input, or another report.
    inputs = [(kind, e.name, e.path) for kind, ex in expanded.items() for e in ex.entries]
    if options.config is not None:
        inputs.append(("config", options.config, options.config))
    if options.baseline is not None:
        inputs.append(("baseline", options.baseline, options.baseline))
    if options.history is not None:
        inputs.append(("history database", options.history, options.history))
    _refuse(output_problems(options.outputs, inputs))
    _refuse(_named_twice(expanded["snapshot"].entries, "--snapshot"))

    limits = options.limits
    progress = options.progress or no_progress
    entries = expanded["snapshot"].entries
    executor = executor_for(options.executor, options.jobs, len(entries), options.scheduler)
    progress(f"reading {plural(len(expanded['policy'].entries), 'policy file')}", 0, 0)
    policies = load_and_validate(expanded["policy"], expect="policy", limits=limits)
    refuse_repeated_policy_ids(policies)
    context = UnitContext(
        PolicySet(
            policies=tuple(doc for doc, _ in policies.documents),
            as_of=options.as_of,
            fail_on=options.fail_on,
            count_passes=options.count_passes,
            references=references_by_check(),  # the framework files, read once per process
            name_passes=options.name_passes,
        ),
        limits,
        tuple(options.outputs),
        _parts(options, executor),
    )
    progress(f"reading {plural(len(entries), 'snapshot file')}", 0, 0)
    outcomes = executor.run(
        # A snapshot checked in this process tells how far its reading and its stores are.
        partial(run_unit, progress=progress) if isinstance(executor, Serial) else run_unit,
        context,
        entries,
        lambda done, total: progress("checking snapshots:", done, total),
    )
    snapshots = combine_loaded(
        expanded["snapshot"], [o.loaded for o in outcomes], expect="snapshot"
    )
    waivers = (
        load_and_validate(expanded["waivers"], expect="waivers", limits=limits)
        if waivers_source
        else None
    )
    previous = load_and_validate(expanded["previous policy"], expect="policy", limits=limits)
    # The exports of valid snapshots, then of invalid ones, as they were listed when read.
    imports = [e for o in outcomes if o.valid for e in o.exports]
    imports += [e for o in outcomes if not o.valid for e in o.exports]
    _refuse(output_problems(options.outputs, imports, duplicates=False))
    groups = [g for g in (policies, snapshots, waivers, previous) if g is not None]
    diagnostics = [d for g in groups for d in g.diagnostics]
    if any(g.usage_errors for g in groups):  # unreadable, or a folder with nothing to check
        raise UnusableInputs(diagnostics)
    if waivers is not None and waivers_source is not None:
        _refuse(_several_waivers(waivers, waivers_source))
        _refuse_invalid_waivers(waivers, [doc for doc, _ in policies.documents], diagnostics)
    diagnostics += policies.skipped_notes("policy")
    diagnostics += snapshots.skipped_notes("snapshot", used=(path for *_, path in imports))
    if waivers is not None:
        diagnostics += waivers.skipped_notes("waivers")
    for outcome in outcomes:
        diagnostics.extend(outcome.notes)
    # An export named by a snapshot cannot be read: nothing to judge it on.
    _refuse([d for d in diagnostics if d.unreadable])
    return _CheckInputs(
        policies=[doc for doc, _ in policies.documents],
        context=context,
        units=_checked(outcomes) or [context.policies.unit_of_nothing()],
        waivers=waivers.documents[0][0] if waivers and waivers.documents else None,
        diagnostics=diagnostics,
        previous=[doc for doc, _ in previous.documents] + previous.invalid,
    )


def _parts(options: CheckOptions, executor: Executor) -> int:
    """How many processes check the stores of a snapshot read store by store, each a part,
    when the snapshots are checked one after the other in this process: the jobs asked for
    outright; by default (``jobs`` ``None``), up to two when passes are counted
    (:func:`~checker.execution.default_parts`). One when a pool or a cluster checks them."""
    if not isinstance(executor, Serial):
        return 1
    if options.jobs is None:
        return default_parts(options.count_passes)
    return options.jobs


def _named_twice(entries: Sequence[Entry], option: str) -> list[Diagnostic]:
    """A file named twice (as a file and in its folder, say) would be checked twice, every
    finding counted twice: said, not done."""
    seen: set[str] = set()
    problems = []
    for entry in entries:
        key = file_key(entry.path)
        if key in seen:
            problems.append(
                Diagnostic(
                    Location(entry.name, None),
                    f"{option} names this file twice (as a file or in a folder); name it once",
                    "named-twice",
                )
            )
        seen.add(key)
    return problems


def _checked(outcomes: Sequence[UnitOutcome]) -> list[Result]:
    """The results of the snapshots that were checked, in input order."""
    return [outcome.result for outcome in outcomes if outcome.result is not None]


def _refuse_invalid_waivers(
    loaded: Loaded, policies: list[Document], diagnostics: list[Diagnostic]
) -> None:
    """Stop (exit code 1) when the waivers file is invalid, a waiver runs longer than the
    policies allow or names a clause its policy does not define: no waiver is ever silently
    dropped."""
    if loaded.documents:
        doc = loaded.documents[0][0]
        diagnostics.extend(term_diagnostics(doc, policies))
        diagnostics.extend(clause_diagnostics(doc, policies))
    if any(d.level is Level.ERROR for d in loaded.diagnostics) or any(
        d.code in (TERM_TOO_LONG, UNKNOWN_CLAUSE) for d in diagnostics
    ):
        raise InvalidWaivers(diagnostics)


def _source(given: str | Source) -> Source:
    return given if isinstance(given, Source) else Source(given)


def _refuse(problems: Sequence[Diagnostic]) -> None:
    """Stop the run (exit code 2) on problems that make it impossible."""
    if problems:
        raise UnusableInputs(problems)


def _imports(loaded: Loaded) -> Iterator[tuple[str, str, str]]:
    """The exports the loaded snapshots import, as inputs that no report may overwrite."""
    for doc in [d for d, _ in loaded.documents] + loaded.invalid:
        for target in import_targets(doc):
            yield "export", f"{target.name} (imported by {doc.name})", str(target.path)


def _several_waivers(loaded: Loaded, source: Source) -> list[Diagnostic]:
    """Waivers come in one file: a folder holding several is refused, not half used."""
    if len(loaded.documents) < 2:
        return []
    names = ", ".join(doc.name for doc, _ in loaded.documents)
    where = "this folder" if source.origin is None else f"the folder '{source.name}'"
    named = source.option or "waivers"
    return [
        Diagnostic(
            source.where,
            f"{named} takes one waivers file, and {where} holds {len(loaded.documents)} "
            f"({names}); name the one to use, or merge them",
            "several-waivers",
        )
    ]


# --- validate -------------------------------------------------------------------------------


def run_validate(options: ValidateOptions) -> Result:
    """Validate every document named, of any kind: the result lists each with its status
    (:class:`~checker.core.results.DocumentStatus`) and the diagnostics say what is wrong, where.

    A snapshot's imports are read and mapped too, and its ids and sources checked: an export
    that cannot be read makes the snapshot unreadable, other problems invalid. The result's
    exit code is 2 when a document is unreadable or a folder holds none. Raises
    :class:`UnusableInputs` only when a report would overwrite an input.
    """
    expansion = expand(options.paths)
    _refuse(
        output_problems(options.outputs, [("input", e.name, e.path) for e in expansion.entries])
    )
    # A large JSON snapshot is validated store by store (checker.evaluation.streamed).
    loaded = combine_loaded(
        expansion,
        [
            validate_streamed(entry, options.limits) or load_entry(entry, limits=options.limits)
            for entry in expansion.entries
        ],
    )
    _refuse(output_problems(options.outputs, list(_imports(loaded)), duplicates=False))
    status = {id(doc): DocumentStatus.VALID for doc, _ in loaded.documents}
    status.update((id(doc), DocumentStatus.INVALID) for doc in loaded.invalid)
    for doc, kind in loaded.documents:
        if kind == "policy":  # valid, but perhaps not (or no longer) in force
            loaded.diagnostics.extend(validation_warnings(doc, options.as_of))
        if kind != "snapshot":
            continue
        view, notes = resolve_imports(doc, limits=options.limits)  # the plans must load and map
        notes = [*notes, *snapshot_diagnostics(view)]  # ids unique, sources real, imports too
        loaded.diagnostics.extend(notes)
        if any(n.unreadable for n in notes):  # as if the snapshot could not be read
            status[id(doc)] = DocumentStatus.UNREADABLE
        elif any(n.level is Level.ERROR for n in notes):
            status[id(doc)] = DocumentStatus.INVALID
    documents = [
        _validated(name, doc, DocumentStatus.UNREADABLE if doc is None else status[id(doc)])
        for name, doc in loaded.files
    ]
    documents += [
        DocumentInfo("unknown", n, "", status=DocumentStatus.SKIPPED) for n in loaded.skipped
    ]
    documents += [DocumentInfo("folder", n, "", status=DocumentStatus.EMPTY) for n in loaded.empty]
    return Result(
        as_of=options.as_of,
        diagnostics=loaded.diagnostics,
        documents=documents,
        generated_at=timestamp(options.generated_at),
        command=Command.VALIDATE,
    )


def _validated(name: str, doc: Document | None, status: DocumentStatus) -> DocumentInfo:
    """What the result says of a validated file: its kind and, when valid, its identity."""
    kind = (document_kind(doc) if doc is not None else None) or "unknown"
    if doc is not None and status is DocumentStatus.VALID:
        if kind == "policy":
            return _with_status(policy_info(doc), status)
        if kind == "snapshot":
            return _with_status(snapshot_info(doc), status)
    return DocumentInfo(kind, name, "", status=status)


def _with_status(info: DocumentInfo, status: DocumentStatus) -> DocumentInfo:
    return replace(info, status=status)
