"""``policy-check check``: policies against snapshots, a verdict and reports.

Everything the command line and the config ask for is checked before any file is read: the
output formats, that no output would overwrite an input or another output, the timestamp.
A folder that yields nothing to check stops the run (exit 2); nothing given is dropped.
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TextIO

from checker.config import Config, find_config, load_config
from checker.diagnostics import Diagnostic
from checker.engine import evaluate
from checker.errors import UsageError
from checker.inputs import Loaded, Source, expand, load_and_validate
from checker.limits_args import limits_from_args
from checker.model import Result, Severity
from checker.outputs import Target, output_problems, render
from checker.snapshot import Snapshot, import_targets, resolve_imports
from reports import default_format


def run(args: argparse.Namespace, out: TextIO, err: TextIO, environ: Mapping[str, str]) -> int:
    config = _config(args)
    policies = _sources(args.policy, "--policy") or (config.policies if config else [])
    snapshots = _sources(args.snapshot, "--snapshot") or (config.snapshots if config else [])
    if not policies or not snapshots:
        raise UsageError(
            "nothing to check: give --policy and --snapshot, or run where a policy-check.yaml "
            "names them (or pass --config FILE)"
        )
    waivers_source = (
        Source(args.waivers, option="--waivers")
        if args.waivers
        else (config.waivers if config else None)
    )
    as_of = args.as_of or (config.as_of if config else None) or dt.date.today()
    fail_on = Severity(args.fail_on or (config.fail_on if config else None) or "low")
    limits = limits_from_args(args)
    stamp = generated_at(args.generated_at, environ)  # a bad SOURCE_DATE_EPOCH stops here
    targets = [*(config.outputs if config else []), *(args.output or ())]

    # Before any work: no report may overwrite an input, or another report.
    expanded = {
        "policy": expand(policies),
        "snapshot": expand(snapshots),
        "waivers": expand([waivers_source] if waivers_source else []),
    }
    inputs = [(kind, e.name, e.path) for kind, ex in expanded.items() for e in ex.entries]
    if config is not None:
        inputs.append(("config", config.path, config.path))
    problems = output_problems(targets, inputs)
    if problems:
        return _stop(problems, err)

    loaded_policies = load_and_validate(expanded["policy"], expect="policy", limits=limits)
    loaded_snapshots = load_and_validate(expanded["snapshot"], expect="snapshot", limits=limits)
    loaded_waivers = (
        load_and_validate(expanded["waivers"], expect="waivers", limits=limits)
        if waivers_source
        else None
    )
    imports = list(_imports(loaded_snapshots))
    problems = output_problems(targets, imports, duplicates=False)
    if problems:
        return _stop(problems, err)
    groups = [g for g in (loaded_policies, loaded_snapshots, loaded_waivers) if g is not None]
    diagnostics: list[Diagnostic] = [d for g in groups for d in g.diagnostics]
    if any(g.usage_errors for g in groups):  # unreadable, or a folder with nothing to check
        return _stop(diagnostics, err)
    if loaded_waivers is not None and waivers_source:
        several = _several_waivers(loaded_waivers, waivers_source)
        if several is not None:
            return _stop([several], err)
    diagnostics += loaded_policies.skipped_notes("policy")
    diagnostics += loaded_snapshots.skipped_notes("snapshot", used=(p for *_, p in imports))
    if loaded_waivers is not None:
        diagnostics += loaded_waivers.skipped_notes("waivers")
    views: list[Snapshot] = []
    for doc, _ in loaded_snapshots.documents:
        view, notes = resolve_imports(doc, limits=limits)
        views.append(view)
        diagnostics.extend(notes)
    unreadable = [d for d in diagnostics if d.code == "import-failed"]
    if unreadable:  # an export named by a snapshot cannot be read: nothing to judge it on
        return _stop(unreadable, err)
    waivers = (
        loaded_waivers.documents[0][0] if loaded_waivers and loaded_waivers.documents else None
    )
    result = evaluate(
        [doc for doc, _ in loaded_policies.documents],
        views,
        as_of=as_of,
        waivers=waivers,
        fail_on=fail_on,
        diagnostics=diagnostics,
        count_passes=args.passes == "count",
    )
    if args.generated_at == "now":
        stamp = generated_at("now", environ)  # when the results are ready
    result.generated_at = stamp
    _render(result, args, out, environ, targets)
    return result.exit_code()


def _stop(diagnostics: Iterable[Diagnostic], err: TextIO) -> int:
    """Print what makes the run impossible; exit code 2."""
    for diagnostic in diagnostics:
        err.write(f"{diagnostic}\n")
    return 2


def _sources(paths: Sequence[str] | None, option: str) -> list[Source]:
    return [Source(path, option=option) for path in paths or ()]


def _imports(loaded: Loaded) -> Iterator[tuple[str, str, str]]:
    """The exports the loaded snapshots import, as inputs that no report may overwrite."""
    for doc in [d for d, _ in loaded.documents] + loaded.invalid:
        for _, name, path in import_targets(doc):
            yield "export", f"{name} (imported by {doc.name})", str(path)


def _several_waivers(loaded: Loaded, source: Source) -> Diagnostic | None:
    """Waivers come in one file: a folder holding several is refused, not half used."""
    if len(loaded.documents) < 2:
        return None
    names = ", ".join(doc.name for doc, _ in loaded.documents)
    where = "this folder" if source.origin is None else f"the folder '{source.name}'"
    named = source.option or "waivers"
    return Diagnostic(
        source.where,
        f"{named} takes one waivers file, and {where} holds {len(loaded.documents)} "
        f"({names}); name the one to use, or merge them",
        "several-waivers",
    )


def _config(args: argparse.Namespace) -> Config | None:
    """The config named by --config (always read: its outputs, waivers, threshold and date
    apply, its paths unless options give them), else ./policy-check.yaml unless the command
    line gives both --policy and --snapshot."""
    if args.config is None and args.policy and args.snapshot:
        return None
    path = find_config(args.config, Path.cwd())
    return load_config(path) if path is not None else None


def _render(
    result: Result,
    args: argparse.Namespace,
    out: TextIO,
    environ: Mapping[str, str],
    targets: Sequence[Target],
) -> None:
    name = args.format or default_format(environ)
    color = bool(getattr(out, "isatty", lambda: False)()) and "NO_COLOR" not in environ
    render(result, out, name, targets, color=color)  # redacted once for every report


def generated_at(option: str | None, environ: Mapping[str, str]) -> str:
    """The report timestamp. None by default, so that the same inputs and ``--as-of`` give the
    same bytes; ``--generated-at now`` (or a fixed value, already checked by the command line)
    or ``SOURCE_DATE_EPOCH`` stamps one. A ``SOURCE_DATE_EPOCH`` that is not a whole number of
    seconds is an error, as the reproducible-builds specification asks."""
    if option == "now":
        return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    if option:
        return option
    epoch = environ.get("SOURCE_DATE_EPOCH", "")
    if not epoch:
        return ""
    try:
        if not (epoch.isascii() and epoch.isdigit()):
            raise ValueError(epoch)
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).isoformat()
    except (ValueError, OverflowError, OSError):
        raise UsageError(
            f"SOURCE_DATE_EPOCH={epoch!r} is not a number of seconds since 1970-01-01 UTC; "
            "fix it or unset it"
        ) from None
