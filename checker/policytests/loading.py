"""Finding test files and reading them, with everything they name, strictly.

A test file names its policy, and each case its snapshot and waivers, by a path relative to
the test file or (snapshot and waivers) inline. Inline documents are validated against their
own schema like files, and their messages point into the test file, with the full path
(``$.cases[0].snapshot.stores[2]``). Every problem is a :class:`Diagnostic` at its place;
the caller refuses to run when there is one (exit code 2).
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checker.checks import CHECKS
from checker.core.diagnostics import Diagnostic, JsonPath, Level, Location
from checker.core.errors import InputError
from checker.core.results import Status
from checker.documents import DEFAULT_LIMITS, Limits, load_document
from checker.documents.document import Document
from checker.documents.inputs import Source, document_kind, expand, file_key, marker_of
from checker.evaluation.snapshot import Snapshot, resolve_imports
from checker.evaluation.waivers import clause_diagnostics, term_diagnostics
from checker.policytests.model import Case, Expectation, Others, TestFile
from checker.validation.validator import validate_document

KIND = "policytest"


class EmbeddedDocument(Document):
    """A document written inline in another (a snapshot in a test case): its data is a node of
    the host, and its locations are the host's, with the full path from the host's root."""

    host: Document
    prefix: JsonPath

    def __init__(self, host: Document, prefix: JsonPath) -> None:
        surprises = {
            path[len(prefix) :]: surprise
            for path, surprise in host.surprises.items()
            if path[: len(prefix)] == prefix
        }
        Document.__init__(self, host.name, host.get(prefix), host.format, host.positions, surprises)
        self.source = host.source
        self.host = host
        self.prefix = prefix

    def locate(self, path: JsonPath, *, key: bool = False) -> Location:
        return self.host.locate((*self.prefix, *path), key=key)


def clause_sections(policy: Document) -> dict[str, str]:
    """The clause ids of a valid policy, in policy order, with their section."""
    return {
        str(clause["id"]): section
        for section in CHECKS
        for clause in policy.data.get(section) or ()
    }


def find_test_files(
    paths: Iterable[str | Source], limits: Limits = DEFAULT_LIMITS
) -> tuple[list[Document], list[Diagnostic]]:
    """The valid test files named, or found below named folders (documents of other kinds in
    a folder are not tests, and pass quietly); and every problem: a file named that is not a
    test file, a test file that cannot be read or is invalid, a folder with no test file."""
    expansion = expand(paths)
    documents: list[Document] = []
    diagnostics: list[Diagnostic] = []
    found: dict[int, int] = {}
    for entry in expansion.entries:
        try:
            doc = load_document(entry.path, limits=limits, name=entry.name)
        except InputError as exc:
            diagnostics.append(exc.diagnostic)
            continue
        if document_kind(doc) != KIND:
            if entry.folder is None:
                diagnostics.append(
                    Diagnostic(
                        Location(entry.name, doc.locate(()).position),
                        f"not a policy test file: it has no top-level key '{marker_of(KIND)}'",
                        "wrong-kind",
                    )
                )
            continue
        found[id(entry.folder)] = found.get(id(entry.folder), 0) + 1
        problems = validate_document(doc, KIND)
        diagnostics.extend(problems)
        if not any(d.level is Level.ERROR for d in problems):
            documents.append(doc)
    for folder in expansion.folders:
        if not found.get(id(folder)):
            diagnostics.append(
                Diagnostic(
                    folder.source.where,
                    "no policy test file in this folder: test files are .yaml, .yml or .json "
                    f"files with the top-level key '{marker_of(KIND)}'",
                    "no-tests",
                )
            )
    return documents, diagnostics


@dataclass(slots=True)
class Loader:
    """Reads test files and the documents they name; each file named is read once."""

    limits: Limits = DEFAULT_LIMITS
    diagnostics: list[Diagnostic] = field(default_factory=list)
    _files: dict[tuple[str, str], Document | None] = field(default_factory=dict)

    def test_file(self, doc: Document) -> TestFile | None:
        """The test file ``doc`` (schema-valid), or None when its policy cannot be used.
        Problems go to :attr:`diagnostics`."""
        policy = self._named(doc, ("policy",), "policy")
        if policy is None:
            return None
        clauses = clause_sections(policy)
        cases: list[Case] = []
        first: dict[str, int] = {}
        for index, item in enumerate(doc.data["cases"]):
            earlier = first.setdefault(item["name"], index)
            if earlier != index:
                line = doc.locate(("cases", earlier)).position
                self._error(
                    doc.locate(("cases", index, "name")),
                    f"duplicate case name '{item['name']}': the case at line "
                    f"{line.line if line else '?'} already uses it",
                    "test-duplicate-case",
                )
                continue
            case = self._case(doc, index, item, policy, clauses)
            if case is not None:
                cases.append(case)
        return TestFile(doc.name, policy, cases)

    def _case(
        self,
        doc: Document,
        index: int,
        item: dict[str, Any],
        policy: Document,
        clauses: dict[str, str],
    ) -> Case | None:
        here: JsonPath = ("cases", index)
        before = len(self.diagnostics)
        snapshot = self._snapshot(doc, (*here, "snapshot"))
        waivers = self._document(doc, (*here, "waivers"), "waivers") if "waivers" in item else None
        if waivers is not None:
            self.diagnostics.extend(term_diagnostics(waivers, [policy]))
            self.diagnostics.extend(clause_diagnostics(waivers, [policy]))
        written = item.get("as_of", doc.data.get("as_of"))
        if written is None:
            self._error(
                doc.locate((*here, "name")),
                f"case '{item['name']}' has no as_of, and the file gives none: give the date "
                "it is judged on, so that it gives the same answer whatever day it runs",
                "test-no-date",
            )
        expectations = list(self._expectations(doc, here, item.get("expect") or {}, clauses))
        others = (
            Others(Status(item["others"]), doc.locate((*here, "others")))
            if "others" in item
            else None
        )
        if snapshot is None or len(self.diagnostics) > before or written is None:
            return None
        view, notes = snapshot
        return Case(
            name=item["name"],
            location=doc.locate(here),
            snapshot=view,
            waivers=waivers,
            as_of=dt.date.fromisoformat(written),
            expectations=expectations,
            others=others,
            notes=notes,
        )

    def _expectations(
        self, doc: Document, here: JsonPath, expect: dict[str, Any], clauses: dict[str, str]
    ) -> Iterable[Expectation]:
        for clause, value in expect.items():
            at: JsonPath = (*here, "expect", clause)
            if clause not in clauses:
                close = difflib.get_close_matches(clause, list(clauses), n=1, cutoff=0.6)
                hint = f"; did you mean '{close[0]}'?" if close else ""
                self._error(
                    doc.locate(at, key=True),
                    f"the policy has no clause '{clause}'{hint}",
                    "test-unknown-clause",
                )
                continue
            if isinstance(value, str):
                yield Expectation(clause, None, Status(value), doc.locate(at))
                continue
            if "status" in value:
                yield Expectation(
                    clause, None, Status(value["status"]), doc.locate((*at, "status"))
                )
            for resource, status in (value.get("resources") or {}).items():
                where = doc.locate((*at, "resources", resource), key=True)
                yield Expectation(clause, resource, Status(status), where)

    def _snapshot(self, doc: Document, at: JsonPath) -> tuple[Snapshot, list[Diagnostic]] | None:
        snapshot = self._document(doc, at, "snapshot")
        if snapshot is None:
            return None
        view, notes = resolve_imports(snapshot, limits=self.limits)
        self.diagnostics.extend(n for n in notes if n.level is Level.ERROR)
        return view, [n for n in notes if n.level is not Level.ERROR]

    def _document(self, doc: Document, at: JsonPath, kind: str) -> Document | None:
        value = doc.get(at)
        if isinstance(value, str):
            return self._named(doc, at, kind)
        embedded = EmbeddedDocument(doc, at)
        if document_kind(embedded) != kind:
            self._error(
                doc.locate(at),
                f"an inline {kind} needs the top-level key '{marker_of(kind)}'",
                "wrong-kind",
            )
            return None
        return embedded if self._valid(embedded, kind) else None

    def _named(self, doc: Document, at: JsonPath, kind: str) -> Document | None:
        """The ``kind`` document at the path ``doc`` gives at ``at``, relative to ``doc``."""
        relative = str(doc.get(at))
        name = os.path.normpath(Path(doc.name).parent / relative)  # shown: no "x/../"
        disk = str(Path(doc.disk_path).parent / relative)
        key = (kind, file_key(disk))
        if key in self._files:
            return self._files[key]
        self._files[key] = None
        try:
            named = load_document(disk, limits=self.limits, name=name)
        except InputError as exc:
            self._error(
                doc.locate(at),
                f"cannot use the {kind} {relative}: {exc.diagnostic.message}",
                exc.diagnostic.code,
            )
            return None
        found = document_kind(named)
        if found != kind:
            what = f"a {found} document" if found else "no kind marker"
            self._error(
                doc.locate(at),
                f"{relative} is not a {kind} document (top-level key '{marker_of(kind)}'): "
                f"found {what}",
                "wrong-kind",
            )
            return None
        if not self._valid(named, kind):
            self._error(doc.locate(at), f"the {kind} {relative} is invalid", "test-invalid-input")
            return None
        self._files[key] = named
        return named

    def _valid(self, doc: Document, kind: str) -> bool:
        problems = validate_document(doc, kind)
        self.diagnostics.extend(problems)
        return not any(d.level is Level.ERROR for d in problems)

    def _error(self, where: Location, message: str, code: str) -> None:
        self.diagnostics.append(Diagnostic(where, message, code))
