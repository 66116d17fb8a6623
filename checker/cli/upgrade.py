"""``policy-check upgrade PATH... [--check] [--diff]``: move policies to the current language.

Reads the policies named, or found below named folders (other documents in a folder are
passed over and counted), and upgrades each as :mod:`checker.upgrade` says: in place, or with
``--check`` only naming the files that would change, or with ``--diff`` printing the change
and writing nothing. A policy that would not be valid after the upgrade is reported at its
``file:line:col`` and left as it is.

Exit codes: 0 nothing is left to upgrade (or everything was upgraded); 1 ``--check`` found
files to upgrade, or a policy could not be upgraded; 2 a file that cannot be read or parsed,
a named file that is not a policy, or a folder with no policy.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import TextIO

from checker.cli.limit_options import limits_from_args
from checker.core.diagnostics import Diagnostic, Location
from checker.core.errors import InputError, UsageError
from checker.documents import Limits, load_document
from checker.documents.document import Document
from checker.documents.inputs import Entry, document_kind, expand, file_key
from checker.upgrade import State, Upgrade, upgrade
from checker.validation.versions import CURRENT


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    parser = sub.add_parser(
        "upgrade",
        help=f"rewrite policies to policy language {CURRENT}, keeping comments and layout",
        description=(
            f"Rewrite policies to policy language {CURRENT} in place: only the policy_checker "
            "value changes (and an editor modeline naming the old schema); the result must "
            "validate with the same clauses, else nothing is written."
        ),
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="policy files or directories")
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1, naming them, when some files would change",
    )
    parser.add_argument(
        "--diff", action="store_true", help="print the changes as a unified diff; write nothing"
    )
    return parser


def run(args: argparse.Namespace, out: TextIO, err: TextIO, environ: Mapping[str, str]) -> int:
    limits = limits_from_args(args)
    expansion = expand(args.paths)
    unusable: list[Diagnostic] = []
    done: list[tuple[Entry, Upgrade]] = []
    skipped = 0
    seen: dict[str, bool] = {}  # each file read, and whether it is a policy
    also: list[Entry] = []  # policies named again (as a file and in its folder): upgraded once
    for entry in expansion.entries:
        key = file_key(entry.path)
        if key in seen:
            if seen[key]:
                also.append(entry)
            continue
        seen[key] = False
        found = _read(entry, limits)
        if isinstance(found, Diagnostic):
            if entry.folder is None or _names_the_marker(entry):
                unusable.append(found)
            else:  # a file of the folder that is none of ours (a workflow, a template…)
                skipped += 1
        elif document_kind(found[0]) == "policy":
            seen[key] = True
            done.append((entry, upgrade(*found, limits=limits)))
        elif entry.folder is None:  # named to be upgraded: it must be a policy
            unusable.append(_not_a_policy(entry))
        else:
            skipped += 1
    for folder in expansion.folders:
        if not any(entry.folder is folder for entry in [*(e for e, _ in done), *also]):
            unusable.append(
                Diagnostic(folder.source.where, "holds no policy to upgrade", "upgrade-no-policy")
            )
    write = not (args.check or args.diff)
    for entry, outcome in done:
        _report(outcome, args, out)
        if write and outcome.state is State.UPGRADE:
            _write(entry.path, outcome.new)
    for diagnostic in unusable:
        out.write(f"{diagnostic}\n")
    outcomes = [outcome for _, outcome in done]
    err.write(_summary(outcomes, skipped, write) + "\n")
    if unusable:
        return 2
    if any(o.state is State.INVALID for o in outcomes):
        return 1
    if args.check and any(o.state is State.UPGRADE for o in outcomes):
        return 1
    return 0


def _read(entry: Entry, limits: Limits) -> tuple[Document, bytes] | Diagnostic:
    """The document and the bytes it was read from, or why it cannot be read."""
    try:
        doc = load_document(entry.path, limits=limits, name=entry.name)
        return doc, Path(entry.path).read_bytes()
    except InputError as exc:
        return exc.diagnostic
    except OSError as exc:  # gone or unreadable since the loader read it
        return Diagnostic(
            Location(entry.name, None), f"cannot read: {exc.strerror or exc}", "input-unreadable"
        )


def _names_the_marker(entry: Entry) -> bool:
    """Whether a file that cannot be loaded looks like a policy (it is then reported)."""
    try:
        return b"policy_checker" in Path(entry.path).read_bytes()
    except OSError:
        return True


def _report(outcome: Upgrade, args: argparse.Namespace, out: TextIO) -> None:
    if outcome.state is State.INVALID:
        for diagnostic in outcome.diagnostics:
            out.write(f"{diagnostic}\n")
        why = (
            f"it would not be a valid policy at language {CURRENT}"
            if outcome.from_version == 1
            else f"policy_checker {outcome.from_version!r} is no language version to upgrade from"
        )
        out.write(f"{outcome.name}: not upgraded: {why}\n")
    elif outcome.state is State.UPGRADE:
        if args.diff:
            out.write(outcome.diff())
        elif args.check:
            out.write(f"{outcome.name}: would upgrade policy_checker 1 to {CURRENT}\n")
        else:
            out.write(f"{outcome.name}: upgraded policy_checker 1 to {CURRENT}\n")


def _write(path: str, text: str) -> None:
    """Replace the file at once (a reader never sees half of it), keeping its permissions;
    a symbolic link keeps pointing at the file, which is the one rewritten."""
    target = Path(path).resolve()
    temporary: Path | None = None
    try:
        mode = target.stat().st_mode
        handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
        temporary = Path(name)
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        temporary.chmod(mode)
        temporary.replace(target)
    except OSError as exc:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from exc


def _summary(outcomes: list[Upgrade], skipped: int, write: bool) -> str:
    count = {state: sum(1 for o in outcomes if o.state is state) for state in State}
    changed = "upgraded" if write else "to upgrade"
    parts = [
        f"{count[State.UPGRADE]} {changed}",
        f"{count[State.CURRENT]} already at language {CURRENT}",
        f"{count[State.INVALID]} not upgraded (invalid)",
    ]
    if skipped:
        parts.append(f"{skipped} other documents skipped (not policies)")
    return ", ".join(parts)


def _not_a_policy(entry: Entry) -> Diagnostic:
    return Diagnostic(
        Location(entry.name, None),
        "not a policy (no top-level key 'policy_checker'): upgrade reads policies only",
        "wrong-kind",
    )
