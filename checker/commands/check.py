"""``policy-check check``: policies against snapshots, a verdict and reports."""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import TextIO

from checker.config import Config, find_config, load_config
from checker.diagnostics import Diagnostic
from checker.document import Document
from checker.engine import evaluate
from checker.errors import UsageError
from checker.inputs import Loaded, load_and_validate
from checker.limits_args import limits_from_args
from checker.model import Result, Severity
from checker.outputs import write_outputs
from checker.snapshot import Snapshot, resolve_imports
from checker.waivers import TERM_TOO_LONG, term_diagnostics
from reports import default_format, get_reporter


def run(args: argparse.Namespace, out: TextIO, err: TextIO, environ: Mapping[str, str]) -> int:
    config = _config(args)
    policies = args.policy or (config.policies if config else [])
    snapshots = args.snapshot or (config.snapshots if config else [])
    if not policies or not snapshots:
        raise UsageError(
            "nothing to check: give --policy and --snapshot, or run where a policy-check.yaml "
            "names them (or pass --config FILE)"
        )
    waivers_path = args.waivers or (config.waivers if config else None)
    as_of = args.as_of or (config.as_of if config else None) or dt.date.today()
    fail_on = Severity(args.fail_on or (config.fail_on if config else None) or "low")
    limits = limits_from_args(args)

    loaded_policies = load_and_validate(policies, expect="policy", limits=limits)
    loaded_snapshots = load_and_validate(snapshots, expect="snapshot", limits=limits)
    loaded_waivers = (
        load_and_validate([waivers_path], expect="waivers", limits=limits) if waivers_path else None
    )
    groups = [g for g in (loaded_policies, loaded_snapshots, loaded_waivers) if g is not None]
    diagnostics: list[Diagnostic] = [d for g in groups for d in g.diagnostics]
    if any(g.unreadable for g in groups):
        for diagnostic in diagnostics:
            err.write(f"{diagnostic}\n")
        return 2
    views: list[Snapshot] = []
    for doc, _ in loaded_snapshots.documents:
        view, notes = resolve_imports(doc, limits=limits)
        views.append(view)
        diagnostics.extend(notes)
    unreadable = [d for d in diagnostics if d.code == "import-failed"]
    if unreadable:  # an export named by a snapshot cannot be read: nothing to judge it on
        for diagnostic in unreadable:
            err.write(f"{diagnostic}\n")
        return 2
    waivers = (
        loaded_waivers.documents[0][0] if loaded_waivers and loaded_waivers.documents else None
    )
    if loaded_waivers is not None and _waivers_refused(
        loaded_waivers, waivers, [doc for doc, _ in loaded_policies.documents], diagnostics
    ):
        for diagnostic in diagnostics:
            err.write(f"{diagnostic}\n")
        err.write(
            "policy-check: nothing was checked: fix the waivers above "
            "(an invalid waiver is never skipped)\n"
        )
        return 1
    result = evaluate(
        [doc for doc, _ in loaded_policies.documents],
        views,
        as_of=as_of,
        waivers=waivers,
        fail_on=fail_on,
        diagnostics=diagnostics,
        count_passes=args.passes == "count",
    )
    result.generated_at = generated_at(args.generated_at, environ)
    _render(result, args, out, environ, config)
    return result.exit_code()


def _waivers_refused(
    loaded: Loaded,
    waivers: Document | None,
    policies: list[Document],
    diagnostics: list[Diagnostic],
) -> bool:
    """Whether the waivers file is invalid, or a waiver runs longer than the policies allow
    (added to ``diagnostics``). A run without its waivers would report their findings as if
    nobody had accepted them, and a run with some of them would hide the rest: neither."""
    if waivers is not None:
        diagnostics.extend(term_diagnostics(waivers, policies))
    return loaded.has_errors or any(d.code == TERM_TOO_LONG for d in diagnostics)


def _config(args: argparse.Namespace) -> Config | None:
    if args.policy and args.snapshot:
        return None
    path = find_config(args.config, Path.cwd())
    return load_config(path) if path is not None else None


def _render(
    result: Result,
    args: argparse.Namespace,
    out: TextIO,
    environ: Mapping[str, str],
    config: Config | None,
) -> None:
    name = args.format or default_format(environ)
    color = bool(getattr(out, "isatty", lambda: False)()) and "NO_COLOR" not in environ
    get_reporter(name).render(result, out, color=color)
    targets = list(config.outputs if config else []) + [_split(o) for o in args.output or ()]
    write_outputs(result, targets)


def _split(spec: str) -> tuple[str, str]:
    fmt, sep, path = spec.partition("=")
    if not sep or not path:
        raise UsageError(f"--output expects FORMAT=PATH (e.g. html=report.html), got {spec!r}")
    return fmt, path


def generated_at(option: str | None, environ: Mapping[str, str]) -> str:
    """The report timestamp. None by default, so that the same inputs and ``--as-of`` give the
    same bytes; ``--generated-at now`` (or a fixed value) or ``SOURCE_DATE_EPOCH`` stamps one."""
    if option == "now":
        return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    if option:
        return option
    epoch = environ.get("SOURCE_DATE_EPOCH", "")
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).isoformat()
    return ""
