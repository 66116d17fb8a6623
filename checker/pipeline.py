"""The pipeline: typed options in, one :class:`~checker.model.Result` out.

:func:`run_check` is the only place that orchestrates a check. It
reads and validates the inputs, refuse inputs the run cannot use (:class:`UnusableInputs`, exit
code 2, with a diagnostic for each), and makes the result. The command parses arguments into
options and renders the result; a library user, a benchmark, a test or a worker calls the
same function, without argparse::

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

A check is: load and validate every input → :func:`check_unit` for each snapshot (the unit of
work: a policy set and one snapshot, independent of the others) → :func:`merge_results`,
which applies the waivers once. Nothing here prints or reads the environment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from checker.diagnostics import Diagnostic
from checker.document import Document
from checker.engine import PolicySet, check_unit, merge_results
from checker.errors import UnusableInputs, UsageError
from checker.frameworks import references_by_check
from checker.inputs import Loaded, Source, expand, load_and_validate
from checker.loader import DEFAULT_LIMITS, Limits
from checker.model import Result, Severity
from checker.outputs import Target, output_problems
from checker.snapshot import Snapshot, import_targets, resolve_imports

__all__ = [
    "NOW",
    "CheckOptions",
    "PolicySet",
    "UnusableInputs",
    "check_unit",
    "merge_results",
    "run_check",
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
    an input, and the run stops before any work if one is.
    """

    policies: Sequence[str | Source]
    snapshots: Sequence[str | Source]
    waivers: str | Source | None = None
    as_of: dt.date = field(default_factory=dt.date.today)
    fail_on: Severity = Severity.LOW
    count_passes: bool = False
    limits: Limits = DEFAULT_LIMITS
    generated_at: str = ""
    outputs: Sequence[Target] = ()
    config: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "policies", _paths(self.policies))
        object.__setattr__(self, "snapshots", _paths(self.snapshots))
        object.__setattr__(self, "outputs", tuple(self.outputs))
        object.__setattr__(self, "fail_on", Severity(self.fail_on))
        if not self.policies or not self.snapshots:
            raise UsageError("nothing to check: give at least one policy and one snapshot")


def timestamp(generated_at: str) -> str:
    """The stamp of a result made now: :data:`NOW` is the current time (UTC, to the second)."""
    if generated_at == NOW:
        return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    return generated_at


# --- check ----------------------------------------------------------------------------------


def run_check(options: CheckOptions) -> Result:
    """Check the policies against every snapshot: a unit per snapshot, merged.

    Raises :class:`UnusableInputs` when an input cannot be read, a folder holds nothing to
    check, a waivers folder holds several files, an export a snapshot imports cannot be read,
    or a report would overwrite an input.
    """
    inputs = _load_check(options)
    policy_set = PolicySet(
        policies=tuple(inputs.policies),
        as_of=options.as_of,
        fail_on=options.fail_on,
        count_passes=options.count_passes,
        references=references_by_check(),  # the framework files, read once per process
    )
    units = [check_unit(policy_set, snapshot) for snapshot in inputs.snapshots]
    return merge_results(
        units,
        diagnostics=inputs.diagnostics,
        waivers=inputs.waivers,
        generated_at=timestamp(options.generated_at),
    )


@dataclass(slots=True)
class _CheckInputs:
    """Everything a check reads, valid: the units' inputs and the run's own diagnostics."""

    policies: list[Document]
    snapshots: list[Snapshot]
    waivers: Document | None
    diagnostics: list[Diagnostic]


def _load_check(options: CheckOptions) -> _CheckInputs:
    waivers_source = _source(options.waivers) if options.waivers is not None else None
    expanded = {
        "policy": expand(options.policies),
        "snapshot": expand(options.snapshots),
        "waivers": expand([waivers_source] if waivers_source else []),
    }
    # Before any work: no report may overwrite an input, or another report.
    inputs = [(kind, e.name, e.path) for kind, ex in expanded.items() for e in ex.entries]
    if options.config is not None:
        inputs.append(("config", options.config, options.config))
    _refuse(output_problems(options.outputs, inputs))

    limits = options.limits
    policies = load_and_validate(expanded["policy"], expect="policy", limits=limits)
    snapshots = load_and_validate(expanded["snapshot"], expect="snapshot", limits=limits)
    waivers = (
        load_and_validate(expanded["waivers"], expect="waivers", limits=limits)
        if waivers_source
        else None
    )
    imports = list(_imports(snapshots))
    _refuse(output_problems(options.outputs, imports, duplicates=False))
    groups = [g for g in (policies, snapshots, waivers) if g is not None]
    diagnostics = [d for g in groups for d in g.diagnostics]
    if any(g.usage_errors for g in groups):  # unreadable, or a folder with nothing to check
        raise UnusableInputs(diagnostics)
    if waivers is not None and waivers_source is not None:
        _refuse(_several_waivers(waivers, waivers_source))
    diagnostics += policies.skipped_notes("policy")
    diagnostics += snapshots.skipped_notes("snapshot", used=(path for *_, path in imports))
    if waivers is not None:
        diagnostics += waivers.skipped_notes("waivers")
    views: list[Snapshot] = []
    for doc, _ in snapshots.documents:
        view, notes = resolve_imports(doc, limits=limits)
        views.append(view)
        diagnostics.extend(notes)
    # An export named by a snapshot cannot be read: nothing to judge it on.
    _refuse([d for d in diagnostics if d.unreadable])
    return _CheckInputs(
        policies=[doc for doc, _ in policies.documents],
        snapshots=views,
        waivers=waivers.documents[0][0] if waivers and waivers.documents else None,
        diagnostics=diagnostics,
    )


def _source(given: str | Source) -> Source:
    return given if isinstance(given, Source) else Source(given)


def _refuse(problems: Sequence[Diagnostic]) -> None:
    """Stop the run (exit code 2) on problems that make it impossible."""
    if problems:
        raise UnusableInputs(problems)


def _imports(loaded: Loaded) -> Iterator[tuple[str, str, str]]:
    """The exports the loaded snapshots import, as inputs that no report may overwrite."""
    for doc in [d for d, _ in loaded.documents] + loaded.invalid:
        for _, name, path in import_targets(doc):
            yield "export", f"{name} (imported by {doc.name})", str(path)


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
