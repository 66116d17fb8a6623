"""The previous version of a checked policy, for the report's "What changed" section.

A policy whose ``metadata.supersedes`` names another is compared with it when that policy can
be found: among the files given with ``--previous-policy``, then in the policy's own folder,
then in the bundled library. A ``supersedes`` that names nothing found, a previous policy that
is invalid, and a ``--previous-policy`` no checked policy supersedes are each a warning at
their place: never silently left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from importlib import resources
from pathlib import Path

from checker.core.diagnostics import Diagnostic, Level, Location
from checker.core.errors import InputError
from checker.diff.engine import References, compare_policies
from checker.diff.model import PolicyDiff
from checker.documents import DEFAULT_LIMITS, Limits, load_document
from checker.documents.document import Document
from checker.documents.inputs import document_kind, is_document_name
from checker.validation.validator import validate_document

NOT_FOUND = "previous-policy-not-found"
INVALID = "previous-policy-invalid"
UNUSED = "previous-policy-unused"


def _policy_id(doc: Document) -> str:
    meta = doc.data.get("metadata") if isinstance(doc.data, dict) else None
    return str(meta.get("id", "")) if isinstance(meta, dict) else ""


def _supersedes(doc: Document) -> str:
    meta = doc.data.get("metadata") if isinstance(doc.data, dict) else None
    value = meta.get("supersedes") if isinstance(meta, dict) else None
    return str(value) if value else ""


def _siblings(policy: Document, limits: Limits) -> Iterator[Document]:
    """Policy documents beside ``policy`` on disk (unreadable files are not candidates)."""
    folder = Path(policy.disk_path).parent
    if not folder.is_dir():
        return
    for path in sorted(folder.iterdir()):
        if not path.is_file() or path.name.startswith(".") or not is_document_name(path.name):
            continue
        if path.resolve() == Path(policy.disk_path).resolve():
            continue
        yield from _readable(path, str(path), limits)


def _library(limits: Limits) -> Iterator[Document]:
    folder = resources.files("policies").joinpath("library")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if is_document_name(entry.name):
            with resources.as_file(entry) as path:
                lasting = isinstance(entry, Path)  # not extracted for the moment from an archive
                name = _library_name(path) if lasting else f"policies/library/{entry.name}"
                yield from _readable(path, name, limits)


def _library_name(path: Path) -> str:
    """How reports name a policy of the bundled library: where it is, relative to the working
    folder when it lies under it (``policies/library/…`` in a checkout), else in full, so that
    the ``policy-check diff`` command a report suggests can be run as printed."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path.resolve())


def _readable(path: Path, name: str, limits: Limits) -> Iterator[Document]:
    try:
        doc = load_document(path, limits=limits, name=name)
    except InputError:
        return
    if document_kind(doc) == "policy":
        yield doc


def _find(wanted: str, places: Iterable[Document]) -> Document | None:
    return next((doc for doc in places if _policy_id(doc) == wanted), None)


def previous_changes(
    policies: Sequence[Document],
    given: Sequence[Document] = (),
    *,
    references: References | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> tuple[list[PolicyDiff], list[Diagnostic]]:
    """What changed from each superseded policy that can be found to the policy superseding
    it, and a warning for everything that could not be compared."""
    changes: list[PolicyDiff] = []
    notes: list[Diagnostic] = []
    used: set[int] = set()
    for policy in policies:
        wanted = _supersedes(policy)
        if not wanted:
            continue
        previous = (
            _find(wanted, given)
            or _find(wanted, _siblings(policy, limits))
            or _find(wanted, _library(limits))
        )
        where = policy.locate(("metadata", "supersedes"))
        if previous is None:
            notes.append(
                Diagnostic(
                    where,
                    f"supersedes '{wanted}', which is neither given with --previous-policy nor "
                    "in the policy's folder or the library: the report cannot show what changed",
                    NOT_FOUND,
                    Level.WARNING,
                )
            )
            continue
        used.add(id(previous))
        problems = [d for d in validate_document(previous, "policy") if d.level is Level.ERROR]
        if problems:
            notes.append(
                Diagnostic(
                    where,
                    f"the previous policy '{wanted}' ({previous.name}) is invalid, so what changed "
                    f"is not shown: {problems[0]}",
                    INVALID,
                    Level.WARNING,
                )
            )
            continue
        changes.append(compare_policies(previous, policy, references=references))
    for doc in given:
        if id(doc) not in used:
            notes.append(
                Diagnostic(
                    Location(doc.name, doc.locate(()).position),
                    f"--previous-policy {doc.name} ('{_policy_id(doc)}') is superseded by no "
                    "checked policy: not compared",
                    UNUSED,
                    Level.WARNING,
                )
            )
    return changes, notes
