"""Turning command-line paths into loaded, validated documents.

Bad input is data: each file that cannot be read becomes a diagnostic and the others are still
processed; the caller decides the exit code from what came back.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from checker.core.diagnostics import Diagnostic, Level, Location
from checker.core.errors import InputError
from checker.documents import DEFAULT_LIMITS, Limits, load_document
from checker.documents.document import Document
from checker.validation.validator import validate_document

SUFFIXES = (".yaml", ".yml", ".json")  # matched in any case: .YAML, .Yml, .JSON
MARKERS = {
    "policy_checker": "policy",
    "snapshot_format": "snapshot",
    "waivers_format": "waivers",
    "policy_check": "config",
    "framework": "framework",
    "policy_test_format": "policytest",
}
COMPANIONS = frozenset({"policytest"})
"""Kinds of documents kept beside the documents they are about (a policy's tests sit in the
policy library): found in a folder given for another kind, they are passed over and reported
as skipped, not refused."""
SHOWN_NAMES = 5  # file names listed in a message about a folder; the rest are counted


def document_kind(doc: Document) -> str | None:
    """The kind a document declares by its top-level marker key, if any."""
    for key, kind in MARKERS.items():
        if key in doc.data:
            return kind
    return None


def marker_of(kind: str) -> str:
    return next(key for key, value in MARKERS.items() if value == kind)


def is_document_name(name: str) -> bool:
    """Whether a file found in a folder is read: ``.yaml``, ``.yml`` or ``.json``, any case."""
    return name.lower().endswith(SUFFIXES)


@dataclass(frozen=True, slots=True)
class Source:
    """A path the user gave: ``name`` is how messages call it, ``path`` where it is on disk
    (when that differs), and either ``option`` (``--policy``) or ``origin`` (the config entry,
    with its position) says who named it."""

    name: str
    path: str = ""
    option: str = ""
    origin: Location | None = None

    @property
    def disk(self) -> str:
        return self.path or self.name

    @property
    def where(self) -> Location:
        """Where a message about this path points: the config entry, else the path itself."""
        return self.origin if self.origin is not None else Location(self.name, None)


@dataclass(slots=True)
class Folder:
    """A folder the user named, and what was found in it."""

    source: Source
    files: int = 0
    ignored: list[str] = field(default_factory=list)  # not .yaml/.yml/.json, relative names
    hidden: int = 0  # hidden files and folders, not searched


@dataclass(frozen=True, slots=True)
class Entry:
    """One file to load: how messages call it, where it is, and the folder it was found in
    (``None`` when the user named the file itself)."""

    name: str
    path: str
    folder: Folder | None = None
    origin: Location | None = None  # the config entry that names the file, if one does


@dataclass(slots=True)
class Expansion:
    """The files below the paths a user gave, in order, and the folders they came from."""

    entries: list[Entry] = field(default_factory=list)
    folders: list[Folder] = field(default_factory=list)


def expand(paths: Iterable[str | Source]) -> Expansion:
    """Files named directly, and the YAML/JSON files below named folders (sorted, hidden
    entries skipped); what a folder holds besides is counted, so that it can be reported."""
    out = Expansion()
    for given in paths:
        source = given if isinstance(given, Source) else Source(given)
        if shown_name(source.name) != source.name:  # messages show it escaped; disk keeps it
            source = replace(source, name=shown_name(source.name), path=source.disk)
        if not Path(source.disk).is_dir():
            out.entries.append(Entry(source.name, source.disk, origin=source.origin))
            continue
        folder = Folder(source)
        out.folders.append(folder)
        top = Path(source.disk)
        for root, dirs, files in os.walk(top):
            folder.hidden += sum(1 for d in dirs if d.startswith("."))
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            relative = Path(root).relative_to(top)
            for name in sorted(files):
                if name.startswith("."):
                    folder.hidden += 1
                elif not is_document_name(name):
                    folder.ignored.append(str(relative / name))
                else:
                    folder.files += 1
                    out.entries.append(
                        Entry(
                            shown_name(str(Path(source.name) / relative / name)),
                            str(Path(root) / name),
                            folder,
                        )
                    )
    return out


def shown_name(name: str) -> str:
    """A file name as messages and results show it: bytes of the name that are not UTF-8
    (which Python keeps as lone surrogates, which no UTF-8 output can hold) are written as
    escapes, ``snap\\xff.yaml``; the file is still opened by its real name."""
    return os.fsencode(name).decode("utf-8", "backslashreplace")


@dataclass(slots=True)
class Loaded:
    """The outcome of loading a set of files."""

    documents: list[tuple[Document, str]] = field(default_factory=list)
    invalid: list[Document] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    unreadable: int = 0
    skipped: list[str] = field(default_factory=list)
    empty: list[str] = field(default_factory=list)  # named folders that yielded no document
    # of the kind asked for
    skipped_in: list[tuple[Folder, list[Entry]]] = field(default_factory=list)
    files: list[tuple[str, Document | None]] = field(default_factory=list)
    """Every file read (not skipped), in input order, with its document (None: unreadable)."""

    @property
    def empty_folders(self) -> int:
        return len(self.empty)

    @property
    def usage_errors(self) -> bool:
        """Inputs that cannot be read, or folders with nothing in them: exit code 2."""
        return bool(self.unreadable or self.empty_folders)

    def skipped_notes(self, expect: str, used: Iterable[str] = ()) -> list[Diagnostic]:
        """A warning per folder that held files which are not ``expect`` documents, or not
        YAML or JSON at all, except those in ``used`` (disk paths of files read another way,
        e.g. a snapshot's imports)."""
        taken = {file_key(p) for p in used}
        notes = []
        for folder, entries in self.skipped_in:
            names = [_relative(e, folder) for e in entries if file_key(e.path) not in taken]
            others = [
                name
                for name in folder.ignored
                if file_key(Path(folder.source.disk) / name) not in taken
            ]
            parts = []
            if names:
                parts.append(
                    f"{_skipped_words(names, expect)}: not {expect} documents, not checked"
                )
            if others:
                parts.append(
                    f"{_count(len(others), 'file')} not read: not .yaml, .yml or .json "
                    f"({_names(others)})"
                )
            if parts:
                notes.append(
                    Diagnostic(
                        folder.source.where,
                        "; ".join(parts),
                        "skipped-files",
                        Level.WARNING,
                    )
                )
        return notes


def load_and_validate(
    paths: Iterable[str | Source] | Expansion,
    *,
    expect: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Loaded:
    """Load and validate every file; ``expect`` forces a kind (e.g. ``--policy`` files).

    A named folder that yields no document of that kind (of any kind, without ``expect``) is
    an error saying what the folder held instead; files skipped in a folder that did yield
    documents are listed in ``skipped_in``.
    """
    expansion = paths if isinstance(paths, Expansion) else expand(paths)
    parts = [load_entry(entry, expect=expect, limits=limits) for entry in expansion.entries]
    return combine_loaded(expansion, parts, expect=expect)


def load_entry(
    entry: Entry, *, expect: str | None = None, limits: Limits = DEFAULT_LIMITS
) -> Loaded:
    """Load and validate one file of an expansion: what :func:`load_and_validate` does for each,
    so that files can be loaded elsewhere (a worker process) and combined in order.
    ``skipped`` names the file when it is not a policy-checker document."""
    loaded = Loaded()
    if not _load_one(loaded, entry, expect, limits):
        loaded.skipped.append(entry.name)
    return loaded


def combine_loaded(
    expansion: Expansion, parts: Iterable[Loaded], *, expect: str | None = None
) -> Loaded:
    """The outcome of loading ``expansion`` from the outcome of each entry, in entry order:
    everything each part holds, then what each named folder yielded (see
    :func:`load_and_validate`)."""
    loaded = Loaded()
    skipped: dict[int, list[Entry]] = {}
    for entry, part in zip(expansion.entries, parts, strict=True):
        if part.skipped:
            skipped.setdefault(id(entry.folder), []).append(entry)
        loaded.documents += part.documents
        loaded.invalid += part.invalid
        loaded.diagnostics += part.diagnostics
        loaded.unreadable += part.unreadable
        loaded.skipped += part.skipped
        loaded.files += part.files
    for folder in expansion.folders:
        passed_over = skipped.get(id(folder), [])
        if folder.files > len(passed_over):
            if passed_over or folder.ignored:  # said, beside the documents the folder held
                loaded.skipped_in.append((folder, passed_over))
            continue
        loaded.diagnostics.append(_nothing_in(folder, passed_over, expect))
        loaded.empty.append(folder.source.name)
    return loaded


def _at_origin(diagnostic: Diagnostic, entry: Entry) -> Diagnostic:
    """A file a config names that cannot be opened is reported at the config's entry, which
    is where to fix it; a problem at a place inside the file stays there."""
    if entry.origin is None or diagnostic.location.position is not None:
        return diagnostic
    return replace(diagnostic, location=entry.origin, message=f"{entry.name}: {diagnostic.message}")


def refuse_repeated_policy_ids(loaded: Loaded) -> None:
    """In a run that checks several policies, a valid policy whose ``metadata.id`` an earlier
    one already has is made invalid.

    Findings, waivers, baselines and history know a promise by policy and clause id: two
    policies with one id (a copy whose id was not changed, or one file named twice) would give
    each promise two verdicts under one name, and a waiver or baseline entry would match either.
    (``diff`` compares two versions of one policy, which share their id.)
    """
    first: dict[str, Document] = {}
    kept: list[tuple[Document, str]] = []
    for doc, kind in loaded.documents:
        policy_id = (doc.data.get("metadata") or {}).get("id") if kind == "policy" else None
        earlier = first.setdefault(policy_id, doc) if isinstance(policy_id, str) else doc
        if earlier is doc:
            kept.append((doc, kind))
            continue
        if file_key(earlier.disk_path) == file_key(doc.disk_path):
            problem = "this policy file is named twice (as a file or in a folder); name it once"
        else:
            line = earlier.locate(("metadata", "id")).position
            where = f"{earlier.name} (line {line.line})" if line else earlier.name
            problem = (
                f"policy id '{policy_id}' is also the id of the policy {where}: give each "
                "policy its own metadata.id"
            )
        loaded.diagnostics.append(
            Diagnostic(doc.locate(("metadata", "id")), problem, "policy-duplicate-id")
        )
        loaded.invalid.append(doc)
    loaded.documents = kept


def _load_one(loaded: Loaded, entry: Entry, expect: str | None, limits: Limits) -> bool:
    """Load one file into ``loaded``; False when it is skipped: not a policy-checker document.

    Which files are ours is decided by their marker key. A file found in a folder, or named to
    ``validate`` (a pre-commit hook names every YAML and JSON file of a commit), is skipped when
    it has none: a GitHub workflow, a CloudFormation template with ``!Ref``, a two-document
    Kubernetes manifest or a lock file is none of our business, even when our strict loader
    cannot read it. A file that is ours and cannot be read is still an error, and so is a file
    named for a role (``--policy``), whatever it holds.
    """
    skippable = entry.folder is not None or expect is None
    try:
        doc = load_document(entry.path, limits=limits, name=entry.name)
    except InputError as exc:
        if skippable and not _shows_a_marker(entry.path, limits):
            return False
        loaded.diagnostics.append(_at_origin(exc.diagnostic, entry))
        loaded.unreadable += 1
        loaded.files.append((entry.name, None))
        return True
    kind = document_kind(doc)
    companion = kind in COMPANIONS and expect is not None and kind != expect
    if (kind is None and skippable and _misspelt_marker(doc) is None) or (
        companion and entry.folder is not None
    ):
        return False
    loaded.files.append((entry.name, doc))
    if expect is not None and kind != expect:
        found = f"a {kind} document" if kind else "no kind marker"
        loaded.diagnostics.append(
            Diagnostic(
                Location(entry.name, doc.locate(()).position),
                f"expected a {expect} document (top-level key '{marker_of(expect)}'), "
                f"found {found}",
                "wrong-kind",
            )
        )
        loaded.invalid.append(doc)
        return True
    if kind is None:
        keys = ", ".join(f"'{k}'" for k in MARKERS)
        misspelt = _misspelt_marker(doc)
        hint = f"; did you mean '{misspelt[1]}' for '{misspelt[0]}'?" if misspelt else ""
        where = doc.locate((misspelt[0],), key=True) if misspelt else doc.locate(())
        loaded.diagnostics.append(
            Diagnostic(
                Location(entry.name, where.position, where.path),
                f"not a policy-checker document: expected one of the top-level keys {keys}{hint}",
                "unknown-kind",
            )
        )
        loaded.invalid.append(doc)
        return True
    problems = validate_document(doc, kind)
    loaded.diagnostics.extend(problems)
    if any(d.level is Level.ERROR for d in problems):
        loaded.invalid.append(doc)
    else:
        loaded.documents.append((doc, kind))
    return True


# A marker key as the first thing on a line (YAML's top level), or as a quoted JSON key anywhere
# (JSON is often on one line). The distinctive markers count indented or in a list too (a file
# whose top level is a list of our keys is ours, and broken); ``framework``, a common word, only
# at the top level.
_DISTINCT = b"|".join(k.encode() for k in MARKERS if k != "framework")
_MARKER_TEXT = re.compile(
    rb"(?m)^[\"']?framework[\"']?[ \t]*:"
    + rb"|^[ \t-]*[\"']?(?:"
    + _DISTINCT
    + rb")[\"']?[ \t]*:"
    + rb'|"(?:'
    + _DISTINCT
    + rb'|framework)"\s*:'
)


def _shows_a_marker(path: str, limits: Limits) -> bool:
    """Whether a file the loader refused looks like one of ours: it names a marker key.
    A file that cannot be opened at all is reported, never skipped."""
    try:
        with Path(path).open("rb") as fh:
            text = fh.read(max(limits.max_bytes, limits.max_yaml_bytes))
    except OSError:
        return True
    return _MARKER_TEXT.search(text) is not None


def _misspelt_marker(doc: Document) -> tuple[str, str] | None:
    """A top-level key that looks like a misspelt marker (``policy_checkr``) and the marker:
    such a file is meant to be ours and is reported, not skipped."""
    if not isinstance(doc.data, dict):
        return None
    for key in doc.data:
        if isinstance(key, str):
            close = difflib.get_close_matches(key, MARKERS, n=1, cutoff=0.8)
            if close:
                return key, close[0]
    return None


def _nothing_in(folder: Folder, skipped: list[Entry], expect: str | None) -> Diagnostic:
    """The error for a folder that yielded nothing to check: what it held instead, and what
    to do."""
    reasons = []
    if skipped:
        reasons.append(_skipped_words([_relative(e, folder) for e in skipped], expect))
    if folder.ignored:
        reasons.append(
            f"{_count(len(folder.ignored), 'file')} ignored, not .yaml, .yml or .json "
            f"({_names(folder.ignored)})"
        )
    if folder.hidden:
        reasons.append(f"{_count(folder.hidden, 'hidden entry', 'hidden entries')} ignored")
    why = "; ".join(reasons) or "the folder is empty"
    source = folder.source
    if expect is None:
        keys = ", ".join(f"'{k}'" for k in MARKERS)
        message = (
            f"no policy-checker document in this folder: {why}; name .yaml, .yml or .json files "
            f"with one of the top-level keys {keys}, or a folder that holds some"
        )
    else:
        document = f"{expect} document"
        if source.origin is not None:
            message = f"the folder '{source.name}' holds no {document}: {why}"
        else:
            message = (
                f"{source.option or 'this path'} names a folder with no {document} in it: {why}"
            )
        message += (
            f"; name {expect} files (.yaml, .yml or .json with the top-level key "
            f"'{marker_of(expect)}') or a folder that holds some"
        )
    return Diagnostic(source.where, message, "no-documents")


def _skipped_words(names: list[str], expect: str | None) -> str:
    key = (
        f"the top-level key '{marker_of(expect)}'" if expect else "any policy-checker top-level key"
    )
    return f"{_count(len(names), 'file')} skipped, without {key} ({_names(names)})"


def _relative(entry: Entry, folder: Folder) -> str:
    return str(Path(entry.path).relative_to(folder.source.disk))


def _names(names: list[str]) -> str:
    shown = ", ".join(names[:SHOWN_NAMES])
    more = len(names) - SHOWN_NAMES
    return f"{shown} and {more} more" if more > 0 else shown


def _count(count: int, noun: str, nouns: str | None = None) -> str:
    return f"{count:,} {noun if count == 1 else (nouns or noun + 's')}"


def file_key(path: str | os.PathLike[str]) -> str:
    """The same string for two spellings of one file (relative or absolute, via symlinks).

    A path no file system accepts (a NUL byte) is its own key: it names no file to collide with,
    and the loader reports it."""
    try:
        return os.path.normcase(os.path.realpath(path))
    except ValueError:
        return os.fspath(path)
