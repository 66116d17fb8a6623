"""Moving policies to the current language version, as a textual edit that loses nothing.

A YAML round trip would drop comments, reorder keys and requote scalars: a reviewer would see
a rewritten file instead of a one-line change. The loader knows where the ``policy_checker``
value sits, so the upgrade replaces that scalar, and nothing else, in the file's own text (and
points a ``yaml-language-server`` modeline naming the language 1 schema at the current one).

The result is then read back as the tool reads any policy: it must be a valid policy at the
current version, holding exactly the data of the original apart from the version (so the same
clauses), or nothing is written and the problems are reported. A policy already at the
current version is left alone, so upgrading twice changes nothing.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from checker.core.diagnostics import Diagnostic, Level, Location
from checker.documents import DEFAULT_LIMITS, Limits, load_bytes
from checker.documents.document import Document
from checker.validation.validator import validate_document
from checker.validation.versions import CURRENT, SCHEMA_KINDS, language_version

_BOM = "\ufeff"
# A scalar as the loader's position gives its start: it runs to a space, comment, comma or the
# end of a flow collection (``policy_checker: 1 # v1``, ``{"policy_checker": 1, ...}``).
_SCALAR = re.compile(r"[^\s#,}\]]+")
_MODELINE = re.compile(
    r"^(# yaml-language-server: \$schema=\S*?)"
    + re.escape(f"{SCHEMA_KINDS[1]}.schema.json")
    + r"([ \t]*\r?)$",
    re.MULTILINE,
)
UPGRADE_FAILED = "upgrade-invalid"


class State(StrEnum):
    CURRENT = "current"  # already at the current version: nothing to do
    UPGRADE = "upgrade"  # ``text`` is the upgraded file
    INVALID = "invalid"  # the upgraded policy would not be valid: ``diagnostics`` say why


@dataclass(frozen=True, slots=True)
class Upgrade:
    """What upgrading one policy gives."""

    name: str
    state: State
    old: str = ""  # the file's text, and the upgraded text (only for UPGRADE)
    new: str = ""
    from_version: object = None
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def diff(self) -> str:
        """The change as a unified diff (empty unless there is one)."""
        if self.state is not State.UPGRADE:
            return ""
        return "".join(
            difflib.unified_diff(
                self.old.splitlines(keepends=True),
                self.new.splitlines(keepends=True),
                fromfile=self.name,
                tofile=self.name,
            )
        )


def upgrade(doc: Document, raw: bytes, *, limits: Limits = DEFAULT_LIMITS) -> Upgrade:
    """Upgrade a loaded policy, given the bytes it was read from."""
    version = doc.data.get("policy_checker") if isinstance(doc.data, Mapping) else None
    if language_version(doc.data) == CURRENT:
        return Upgrade(doc.name, State.CURRENT, from_version=version)
    text = raw.decode("utf-8")
    if language_version(doc.data) is None:  # not a version this tool reads: say which it does
        problems = [d for d in validate_document(doc, "policy") if d.level is Level.ERROR]
        return Upgrade(doc.name, State.INVALID, text, from_version=version, diagnostics=problems)
    new = _rewritten(doc, text)
    if new is None:
        where = doc.locate(("policy_checker",))
        problem = Diagnostic(
            where,
            "cannot find the policy_checker value at this place in the text; change it to "
            f"{CURRENT} by hand",
            UPGRADE_FAILED,
        )
        return Upgrade(doc.name, State.INVALID, text, from_version=version, diagnostics=[problem])
    problems = _problems_of(doc, new, limits)
    if problems:
        return Upgrade(doc.name, State.INVALID, text, from_version=version, diagnostics=problems)
    return Upgrade(doc.name, State.UPGRADE, text, new, from_version=version)


def _rewritten(doc: Document, text: str) -> str | None:
    """``text`` with the ``policy_checker`` scalar replaced, or None when the loader's position
    does not hold it (the text is then never guessed at)."""
    position = doc.locate(("policy_checker",)).position
    if position is None:
        return None
    bom = _BOM if text.startswith(_BOM) else ""
    body = text[len(bom) :]
    lines = body.splitlines(keepends=True)
    if not 1 <= position.line <= len(lines):
        return None
    line = lines[position.line - 1]
    start = position.column - 1
    match = _SCALAR.match(line, start)
    if match is None or match.group() not in ("1", "+1"):
        return None
    lines[position.line - 1] = line[:start] + str(CURRENT) + line[match.end() :]
    new = "".join(lines)
    if doc.format == "yaml":
        new = _MODELINE.sub(rf"\g<1>{SCHEMA_KINDS[CURRENT]}.schema.json\g<2>", new)
    return bom + new


def _problems_of(doc: Document, new: str, limits: Limits) -> list[Diagnostic]:
    """Why the upgraded text is not the same policy at the current version (none: it is)."""
    upgraded = load_bytes(new.encode("utf-8"), doc.name, limits=limits)
    problems = [d for d in validate_document(upgraded, "policy") if d.level is Level.ERROR]
    if problems:
        return problems
    expected = {**doc.data, "policy_checker": CURRENT}
    if upgraded.data != expected:  # a textual edit that changed more than the version
        return [
            Diagnostic(
                Location(doc.name, None),
                "the upgraded text would not hold the same policy; nothing was written",
                UPGRADE_FAILED,
            )
        ]
    return []
