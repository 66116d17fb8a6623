"""``policy-check diff``: load two versions of the policies, compare, and check both.

The versions are two files (``OLD NEW``), or the policy files of the working tree against the
same paths at a git revision (``--git REV``, read with ``git show REV:path``: positions in
messages are those of the file at that revision). Policies are validated exactly as
``validate`` does: an unreadable file stops the run with exit code 2, an invalid one with
exit code 1, each problem at its ``file:line:col``. With snapshots, both versions are checked
against each, and the promises whose verdict differs are listed.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from checker.core.diagnostics import Diagnostic, Level, Location
from checker.core.errors import InputError, InvalidDocuments, UnusableInputs, UsageError
from checker.core.results import Result, Status
from checker.diff.engine import compare_policies
from checker.diff.model import DiffResult, Flip, Note, PolicyDiff
from checker.diff.ordering import Direction
from checker.documents import DEFAULT_LIMITS, Limits, load_bytes, load_document
from checker.documents.document import Document
from checker.documents.inputs import (
    Source,
    document_kind,
    expand,
    is_document_name,
    load_and_validate,
)
from checker.evaluation.engine import PolicySet, check_unit
from checker.evaluation.frameworks import references_by_check
from checker.evaluation.snapshot import Snapshot, resolve_imports
from checker.validation.validator import validate_document


@dataclass(frozen=True, slots=True)
class DiffOptions:
    """What ``policy-check diff`` runs: ``old`` and ``new`` files, or ``git`` (a revision)
    with ``paths`` (files or folders of the working tree; default ``.``)."""

    old: str = ""
    new: str = ""
    git: str = ""
    paths: Sequence[str] = ()
    snapshots: Sequence[str] = ()
    fail_on: frozenset[Direction] = frozenset()
    as_of: dt.date = field(default_factory=dt.date.today)
    limits: Limits = DEFAULT_LIMITS
    generated_at: str = ""
    cwd: str = "."

    def __post_init__(self) -> None:
        if self.git and (self.old or self.new):
            raise UsageError("give OLD and NEW files, or --git REV with paths, not both")
        if not self.git and not (self.old and self.new):
            raise UsageError("give two policy files (OLD NEW), or --git REV to compare with git")


def run_diff(options: DiffOptions) -> DiffResult:
    """Compare the versions; raises :class:`UnusableInputs` (exit code 2) or
    :class:`InvalidDocuments` (exit code 1) on inputs that cannot be compared."""
    pairs = _git_pairs(options) if options.git else _file_pair(options)
    snapshots = _snapshots(options) if options.snapshots else []
    references = references_by_check()
    diffs = []
    for old, new, notes in pairs:
        diff = compare_policies(old, new, references=references)
        diff.notes[:0] = notes
        if snapshots:
            diff.flips = _flips(diff, old, new, snapshots, options.as_of)
        diffs.append(diff)
    return DiffResult(
        diffs=diffs,
        fail_on=options.fail_on,
        snapshots=tuple(view.document.name for view in snapshots),
        generated_at=options.generated_at,
    )


Pair = tuple[Document | None, Document | None, list[Note]]


def _file_pair(options: DiffOptions) -> list[Pair]:
    sources = [Source(options.old, option="OLD"), Source(options.new, option="NEW")]
    for source in sources:
        if Path(source.disk).is_dir():
            raise UsageError(
                f"{source.option} is a folder ({source.name}); give a policy file, or use --git"
            )
    loaded = load_and_validate(sources, expect="policy", limits=options.limits)
    _refuse(loaded.diagnostics, unreadable=loaded.usage_errors, invalid=bool(loaded.invalid))
    (old, _), (new, _) = loaded.documents
    return [(old, new, _notes(loaded.diagnostics))]


def _refuse(diagnostics: Sequence[Diagnostic], *, unreadable: bool, invalid: bool) -> None:
    if unreadable:
        raise UnusableInputs(diagnostics)
    if invalid or any(d.level is Level.ERROR for d in diagnostics):
        raise InvalidDocuments(diagnostics, "compared")


def _notes(diagnostics: Iterable[Diagnostic]) -> list[Note]:
    """Warnings of valid policies go with the diff: said, never dropped."""
    return [Note(d.code, d.message, d.location, d.level) for d in diagnostics]


# --- git ------------------------------------------------------------------------------------


def _git(args: Sequence[str], cwd: str) -> bytes:
    try:
        done = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, check=False, timeout=120
        )
    except FileNotFoundError:
        raise UsageError("--git needs the git command, which is not installed") from None
    if done.returncode != 0:
        raise _GitFailed(done.stderr.decode("utf-8", "replace").strip())
    return done.stdout


class _GitFailed(Exception):
    pass


def _git_pairs(options: DiffOptions) -> list[Pair]:
    cwd, rev = options.cwd, options.git
    try:
        root = Path(_git(["rev-parse", "--show-toplevel"], cwd).decode().strip())
    except _GitFailed as exc:
        raise UsageError(
            f"--git compares with a revision, but {Path(cwd).resolve()} is not in "
            f"a git repository ({exc})"
        ) from None
    if rev.startswith("-"):
        raise UsageError(f"--git {rev}: a revision cannot start with '-'")
    try:  # resolved once: every file is read at the same commit, even if the branch moves
        commit = _git(
            ["rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"], cwd
        )
    except _GitFailed:
        raise UsageError(f"--git {rev}: no such revision in {root}") from None
    paths = list(options.paths) or ["."]
    current = _working_tree(paths, options, root)
    previous = _at_revision(paths, options, root, commit.decode().strip())
    if not current and not previous:
        raise UsageError(
            f"no policy document under {', '.join(paths)}, in the working tree or at {rev}"
        )
    versions = [*current.values(), *previous.values()]
    _refuse(
        [d for version in versions for d in version.diagnostics],
        unreadable=any(version.doc is None for version in versions),
        invalid=any(not version.valid for version in versions),
    )
    moved = _moved(previous, current)
    pairs: list[Pair] = []
    for key in sorted((current.keys() | previous.keys()) - set(moved.values())):
        old, new = previous.get(key, _NONE), current.get(moved.get(key, key), _NONE)
        if old.doc is not None and new.doc is not None and old.doc.data == new.doc.data:
            continue  # the same promises: nothing to say about this file
        pairs.append((old.doc, new.doc, _notes([*new.diagnostics, *old.diagnostics])))
    return pairs


def _moved(previous: Found, current: Found) -> dict[str, str]:
    """Policies that moved: the old path of each removed policy whose ``metadata.id`` one
    added policy has, mapped to the new path. A move is then compared promise by promise, not
    shown as every promise removed and added, which no ``--fail-on loosened`` would catch."""
    removed = _by_id({k: v for k, v in previous.items() if k not in current})
    added = _by_id({k: v for k, v in current.items() if k not in previous})
    moved: dict[str, str] = {}
    for policy_id, old_path in removed.items():
        new_path = added.get(policy_id)
        if new_path is not None:
            moved[old_path] = new_path
    return moved


def _by_id(found: Found) -> dict[str, str]:
    """Path of each policy by its ``metadata.id``, for ids that only one of them has."""
    paths: dict[str, list[str]] = {}
    for key, version in found.items():
        metadata = version.doc.data.get("metadata") if version.doc is not None else None
        if isinstance(metadata, dict) and isinstance(metadata.get("id"), str):
            paths.setdefault(metadata["id"], []).append(key)
    return {policy_id: keys[0] for policy_id, keys in paths.items() if len(keys) == 1}


@dataclass(frozen=True, slots=True)
class _Version:
    """A policy file in one version: its document (None: unreadable), whether it is valid,
    and what validation said."""

    doc: Document | None
    valid: bool = True
    diagnostics: tuple[Diagnostic, ...] = ()


_NONE = _Version(None)  # the version does not have the file
Found = dict[str, _Version]  # repository-relative path → the file in one version


def _working_tree(paths: Sequence[str], options: DiffOptions, root: Path) -> Found:
    found: Found = {}
    expansion = expand([str(Path(options.cwd) / p) for p in paths])
    for entry in expansion.entries:
        path = Path(entry.path)
        key = _repository_path(path, root)
        name = os.path.relpath(path, options.cwd)
        if entry.folder is None and not path.exists():
            continue  # deleted from the working tree: the revision says whether it was a policy
        try:
            doc = load_document(path, limits=options.limits, name=name)
        except InputError as exc:
            if entry.folder is None:  # named by the user: it must be readable
                found[key] = _Version(None, False, (exc.diagnostic,))
            continue
        _keep_policy(found, key, doc, explicit=entry.folder is None)
    return found


def _repository_path(path: Path, root: Path) -> str:
    try:
        return str(PurePosixPath(path.resolve().relative_to(root.resolve())))
    except ValueError:
        raise UsageError(
            f"--git compares files of the repository {root}; {path} is outside it"
        ) from None


def _at_revision(paths: Sequence[str], options: DiffOptions, root: Path, commit: str) -> Found:
    found: Found = {}
    prefix = [_repository_path(Path(options.cwd, p), root) for p in paths]
    listing = _git(["ls-tree", "-r", "-z", "--name-only", commit, "--", *prefix], str(root))
    for key in sorted(filter(None, listing.decode("utf-8", "surrogateescape").split("\0"))):
        if not is_document_name(PurePosixPath(key).name) or any(
            part.startswith(".") for part in PurePosixPath(key).parts
        ):
            continue
        name = f"{options.git}:{key}"
        try:
            raw = _git(["show", f"{commit}:{key}"], str(root))
            doc = load_bytes(raw, name, limits=options.limits)
        except (_GitFailed, InputError):
            continue  # not a policy we can read at that revision: only policies are compared
        _keep_policy(found, key, doc, explicit=False)
    return found


def _keep_policy(found: Found, key: str, doc: Document, *, explicit: bool) -> None:
    if document_kind(doc) != "policy":
        if explicit:
            where = Location(doc.name, doc.locate(()).position)
            problem = Diagnostic(
                where,
                "expected a policy document (top-level key 'policy_checker')",
                "wrong-kind",
            )
            found[key] = _Version(doc, False, (problem,))  # invalid: exit code 1
        return
    problems = validate_document(doc, "policy")
    valid = not any(d.level is Level.ERROR for d in problems)
    found[key] = _Version(doc, valid, tuple(problems))


# --- snapshots ------------------------------------------------------------------------------


def _snapshots(options: DiffOptions) -> list[Snapshot]:
    sources = [Source(path, option="--snapshot") for path in options.snapshots]
    loaded = load_and_validate(expand(sources), expect="snapshot", limits=options.limits)
    _refuse(loaded.diagnostics, unreadable=loaded.usage_errors, invalid=bool(loaded.invalid))
    views = []
    for doc, _ in loaded.documents:
        view, notes = resolve_imports(doc, limits=options.limits)
        if any(n.unreadable or n.level is Level.ERROR for n in notes):
            raise UnusableInputs(notes)
        views.append(view)
    return views


_WORST = (Status.ERROR, Status.FAIL, Status.NOT_EVIDENCED, Status.WAIVED, Status.PASS)


def verdicts(result: Result) -> dict[str, Status]:
    """Each clause's verdict on one snapshot: its worst finding (passes counted included)."""
    seen: dict[str, set[Status]] = {}
    for finding in result.findings:
        seen.setdefault(finding.clause_id, set()).add(finding.status)
    for count in result.pass_counts:
        seen.setdefault(count.clause_id, set()).add(Status.PASS)
    return {clause: next(s for s in _WORST if s in statuses) for clause, statuses in seen.items()}


def _flips(
    diff: PolicyDiff,
    old: Document | None,
    new: Document | None,
    snapshots: Sequence[Snapshot],
    as_of: dt.date,
) -> list[Flip]:
    flips = []
    for view in snapshots:
        before = _verdicts(old, view, as_of)
        after = _verdicts(new, view, as_of)
        for section, old_id, new_id in diff.pairs:
            was = before.get(old_id, "") if old_id else ""
            now = after.get(new_id, "") if new_id else ""
            if was == now:
                continue
            doc, clause_id = (new, new_id) if new_id else (old, old_id)
            assert doc is not None
            flips.append(
                Flip(
                    section,
                    clause_id,
                    view.document.name,
                    str(was),
                    str(now),
                    _where(doc, section, clause_id),
                )
            )
    return flips


def _verdicts(doc: Document | None, view: Snapshot, as_of: dt.date) -> dict[str, Status]:
    if doc is None:
        return {}
    return verdicts(check_unit(PolicySet.of([doc], as_of=as_of), view))


def _where(doc: Document, section: str, clause_id: str) -> Location:
    for index, clause in enumerate(doc.data.get(section) or []):
        if isinstance(clause, dict) and clause.get("id") == clause_id:
            return doc.locate((section, index))
    return doc.locate((section,))
