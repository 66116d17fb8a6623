"""Two versions of a policy → one row per promise that changed.

Clauses are matched by ``id``; then a clause whose ``replaces`` names a clause of the other
version; then, within a section, by the fields the section's :class:`DiffSpec` says identify
a promise (``match_on``), when that leaves exactly one candidate on each side. A match with
two ids is a rename. What is left is added or removed.

Each matched pair is compared field by field with the orderings the section declares
(:mod:`checker.diff.fields` interprets them); a row's direction is the worst of its changes
in review order, a change of wording alone aside. The vocabulary is compared entry by entry,
and tier groups are expanded with each version's own vocabulary, so a group that gains a tier
widens every clause naming it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from checker.checks import CHECKS
from checker.checks.base import Check
from checker.core.diagnostics import Location
from checker.diff.fields import MISSING, Expander, compare, gloss, scope_items, shown
from checker.diff.model import Change, Note, PolicyDiff, PolicyRef, Row, by_review_order
from checker.diff.ordering import (
    COMMON,
    VOCABULARY,
    WEAKENING,
    DiffSpec,
    Direction,
    Ordering,
    Review,
    Scope,
)
from checker.documents.document import Document

References = Mapping[str, tuple[str, ...]]

UNANNOUNCED = "unannounced-loosening"
UNRELATED = "not-superseded"
REPLACES_NOTHING = "replaces-nothing"


@dataclass(frozen=True, slots=True)
class _Clause:
    section: str
    index: int
    data: Mapping[str, Any]
    doc: Document

    @property
    def id(self) -> str:
        return str(self.data.get("id", ""))

    @property
    def location(self) -> Location:
        return self.doc.locate((self.section, self.index))


def policy_ref(doc: Document) -> PolicyRef:
    meta = doc.data.get("metadata") or {}
    return PolicyRef(
        id=str(meta.get("id", "")),
        title=str(meta.get("title", "")),
        version=str(meta.get("version", "")),
        effective=str(meta.get("effective", "")),
        file=doc.name,
    )


def spec_of(check: Check) -> Mapping[str, Ordering]:
    """Every field's ordering in a section: the common fields', then the section's own."""
    return {**COMMON, **check.diff.fields}


def compare_policies(
    old: Document | None,
    new: Document | None,
    *,
    references: References | None = None,
    checks: Mapping[str, Check] = CHECKS,
) -> PolicyDiff:
    """What changed from ``old`` to ``new`` (either may be ``None``: added or removed)."""
    refs = dict(references or {})
    diff = PolicyDiff(
        old=policy_ref(old) if old is not None else None,
        new=policy_ref(new) if new is not None else None,
    )
    context = _Context(old, new, refs)
    rows: list[Row] = []
    rows += _vocabulary_rows(context)
    for check in checks.values():
        before = _clauses(old, check.id)
        after = _clauses(new, check.id)
        pairs, removed, added = _match(check.diff, before, after)
        diff.pairs += [(check.id, a.id, b.id) for a, b in pairs]
        diff.pairs += [(check.id, a.id, "") for a in removed]
        diff.pairs += [(check.id, "", b.id) for b in added]
        for a, b in pairs:
            row = _compare_pair(check, a, b, context)
            if row is None:
                diff.unchanged += 1
            elif not row.changes:
                diff.renamed.append(row)
            else:
                rows.append(row)
        rows += [_whole(check, c, Direction.REMOVED, context) for c in removed]
        rows += [_whole(check, c, Direction.ADDED, context) for c in added]
    diff.notes += _unrelated(diff, new)
    diff.notes += _dangling_replaces(old, new)
    diff.rows = by_review_order(rows)
    diff.notes += _unannounced(diff, old, new)
    return diff


class _Context:
    """Both versions, their vocabularies, and the regulations of each section."""

    def __init__(self, old: Document | None, new: Document | None, refs: References) -> None:
        self.old, self.new, self.references = old, new, refs
        self.expand_old = _expander(old)
        self.expand_new = _expander(new)


def _expander(doc: Document | None) -> Expander:
    vocabulary = (doc.data.get("vocabulary") or {}) if doc is not None else {}

    def expand(map_name: str, names: Iterable[str]) -> list[str]:
        entries = vocabulary.get(map_name) or {}
        seen: dict[str, None] = {}
        for name in names:
            entry = entries.get(name) or {}
            for item in entry.get("tiers", [name]) if isinstance(entry, Mapping) else [name]:
                seen.setdefault(str(item), None)
        return list(seen)

    return expand


def _clauses(doc: Document | None, section: str) -> list[_Clause]:
    if doc is None:
        return []
    items = doc.data.get(section) or []
    return [
        _Clause(section, i, item, doc) for i, item in enumerate(items) if isinstance(item, dict)
    ]


# --- matching -------------------------------------------------------------------------------


def _match(
    spec: DiffSpec, before: list[_Clause], after: list[_Clause]
) -> tuple[list[tuple[_Clause, _Clause]], list[_Clause], list[_Clause]]:
    """Pairs, then the clauses only in the old version, then those only in the new one."""
    pairs: list[tuple[_Clause, _Clause]] = []
    old_left = {c.id: c for c in before}
    new_left = {c.id: c for c in after}

    def take(a: _Clause, b: _Clause) -> None:
        pairs.append((a, b))
        del old_left[a.id], new_left[b.id]

    for clause_id in [i for i in new_left if i in old_left]:
        take(old_left[clause_id], new_left[clause_id])
    for b in list(new_left.values()):  # the new clause names the one it replaces
        target = b.data.get("replaces")
        if target in old_left:
            take(old_left[target], b)
    for a in list(old_left.values()):  # or the old one names its successor: symmetric
        target = a.data.get("replaces")
        if target in new_left:
            take(a, new_left[target])
    groups: dict[str, tuple[list[_Clause], list[_Clause]]] = {}
    for a in old_left.values():
        groups.setdefault(_key(spec, a), ([], []))[0].append(a)
    for b in new_left.values():
        groups.setdefault(_key(spec, b), ([], []))[1].append(b)
    for olds, news in groups.values():
        if len(olds) == 1 and len(news) == 1:
            take(olds[0], news[0])
    order = {c.id: c.index for c in after}
    pairs.sort(key=lambda pair: order[pair[1].id])
    return pairs, list(old_left.values()), list(new_left.values())


def _key(spec: DiffSpec, clause: _Clause) -> str:
    return shown([clause.data.get(name, "") for name in spec.match_on])


# --- comparing ------------------------------------------------------------------------------


def _compare_pair(check: Check, a: _Clause, b: _Clause, context: _Context) -> Row | None:
    spec = spec_of(check)
    defaults = {"severity": check.default_severity.value}
    changes: list[Change] = []
    for name in [*spec, *(k for k in {**a.data, **b.data} if k not in spec)]:
        ordering = spec.get(name)
        old = a.data.get(name, defaults.get(name, MISSING))
        new = b.data.get(name, defaults.get(name, MISSING))
        if ordering is None:  # a field no declaration knows: never silently equal
            if shown(old) != shown(new):
                changes.append(
                    Change(name, shown(old), shown(new), Direction.NEEDS_REVIEW, "no ordering")
                )
            continue
        verdict = compare(ordering, old, new, context.expand_old, context.expand_new)
        if verdict is None:
            continue
        changes.append(
            _change(name, ordering, old, new, verdict.direction, verdict.note, b, context)
        )
    if not changes and a.id == b.id:
        return None
    return Row(
        section=check.id,
        clause_id=b.id,
        direction=_worst(changes),
        statement=str(b.data.get("statement", "")),
        changes=tuple(changes),
        renamed_from=a.id if a.id != b.id else "",
        affected=_affected(spec, [a, b], context),
        old=a.location,
        new=b.location,
        regulations=_regulations(check.id, [a, b], context),
    )


def _change(
    name: str,
    ordering: Ordering,
    old: Any,
    new: Any,
    direction: Direction,
    note: str,
    clause: _Clause,
    context: _Context,
) -> Change:
    """A change in words: the values as written and, for a scope, who joined or left it."""
    if isinstance(ordering, Scope):
        before = scope_items(
            ordering, ordering.absent if old is MISSING else old, context.expand_old
        )
        after = scope_items(
            ordering, ordering.absent if new is MISSING else new, context.expand_new
        )
        if before is not None and after is not None:
            if direction is Direction.SCOPE_WIDENED and ordering.gained:
                note = _sentence(ordering.gained, [i for i in after if i not in before], clause)
            elif direction is Direction.SCOPE_NARROWED and ordering.lost:
                note = _sentence(ordering.lost, [i for i in before if i not in after], clause)
    return Change(
        name,
        _words(ordering, old, context.expand_old),
        _words(ordering, new, context.expand_new),
        direction,
        note,
        isinstance(ordering, Review) and ordering.wording,
    )


def _words(ordering: Ordering, value: Any, expand: Expander) -> str:
    """The value as the policy writes it, with what it means when the declaration says."""
    if value is MISSING:
        absent = ordering.absent
        return "" if absent is None or absent is MISSING else f"(not set: {shown(absent)})"
    text = shown(value)
    if isinstance(ordering, Scope) and ordering.expand:
        items = scope_items(ordering, value, expand)
        if items is not None and items != [str(v) for v in value]:
            text += f" ({', '.join(items)})"
    meaning = gloss(value, ordering)
    return f"{text} ({meaning})" if meaning else text


def _sentence(template: str, items: list[str], clause: _Clause) -> str:
    names = [item[:1].upper() + item[1:] for item in items]
    fields: dict[str, str] = {}
    spec = {**COMMON, **CHECKS[clause.section].diff.fields} if clause.section in CHECKS else {}
    for key, value in clause.data.items():
        ordering = spec.get(key)
        fields[key] = (gloss(value, ordering) if ordering else "") or shown(value)
    text = template.format_map(_Defaulting(fields, items=_joined(names)))
    return text[:1].upper() + text[1:]


class _Defaulting(dict[str, str]):
    def __init__(self, fields: Mapping[str, str], **extra: str) -> None:
        super().__init__({**fields, **extra})

    def __missing__(self, key: str) -> str:
        return f"{{{key}}}"


def _joined(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _worst(changes: Sequence[Change]) -> Direction:
    """The row's direction: its worst change, in review order; wording alone needs review."""
    decisive = [c.direction for c in changes if not c.wording] or [c.direction for c in changes]
    if not decisive:
        return Direction.NEEDS_REVIEW  # a rename is reported apart; never reached for rows
    return min(decisive, key=lambda d: d.rank)


def _affected(
    spec: Mapping[str, Ordering], clauses: Sequence[_Clause], context: _Context
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Tiers, data kinds, consent states… the promise speaks about, in either version."""
    found: dict[str, dict[str, None]] = {}
    for clause in clauses:
        expand = context.expand_old if clause.doc is context.old else context.expand_new
        for name, ordering in spec.items():
            if not ordering.facet:
                continue
            value = clause.data.get(name, MISSING)
            value = ordering.absent if value is MISSING else value
            bucket = found.setdefault(ordering.facet, {})
            items = (
                scope_items(ordering, value, expand)
                if isinstance(ordering, Scope)
                else [shown(value)]
                if value is not MISSING and value is not None
                else []
            )
            for item in items if items is not None else ["all"]:
                bucket.setdefault(item, None)
    return tuple((facet, tuple(items)) for facet, items in found.items() if items)


def _regulations(section: str, clauses: Sequence[_Clause], context: _Context) -> tuple[str, ...]:
    seen: dict[str, None] = dict.fromkeys(context.references.get(section, ()))
    for clause in clauses:
        for ref in clause.data.get("references") or ():
            seen.setdefault(str(ref), None)
    return tuple(seen)


def _whole(check: Check, clause: _Clause, direction: Direction, context: _Context) -> Row:
    """A clause only one version has: every field it sets, against nothing."""
    spec = spec_of(check)
    changes = []
    for name, value in clause.data.items():
        ordering = spec.get(name)
        if ordering is None or name in ("id", "statement"):
            continue
        expand = context.expand_new if direction is Direction.ADDED else context.expand_old
        text = _words(ordering, value, expand)
        old, new = ("", text) if direction is Direction.ADDED else (text, "")
        changes.append(Change(name, old, new, direction, ""))
    return Row(
        section=check.id,
        clause_id=clause.id,
        direction=direction,
        statement=str(clause.data.get("statement", "")),
        changes=tuple(changes),
        affected=_affected(spec, [clause], context),
        old=clause.location if direction is Direction.REMOVED else None,
        new=clause.location if direction is Direction.ADDED else None,
        regulations=_regulations(check.id, [clause], context),
    )


# --- the vocabulary -------------------------------------------------------------------------


def _vocabulary_rows(context: _Context) -> list[Row]:
    rows: list[Row] = []
    old_vocab = (context.old.data.get("vocabulary") or {}) if context.old else {}
    new_vocab = (context.new.data.get("vocabulary") or {}) if context.new else {}
    for map_name, fields in VOCABULARY.items():
        before = old_vocab.get(map_name) or {}
        after = new_vocab.get(map_name) or {}
        for name in [*after, *(n for n in before if n not in after)]:
            path = ("vocabulary", map_name, name)
            entry_id = f"{map_name}.{name}"
            old_loc = context.old.locate(path) if context.old and name in before else None
            new_loc = context.new.locate(path) if context.new and name in after else None
            if name not in before or name not in after:
                direction = Direction.ADDED if name not in before else Direction.REMOVED
                entry = after.get(name) or before.get(name) or {}
                rows.append(
                    Row(
                        "vocabulary",
                        entry_id,
                        direction,
                        str(entry.get("description", "")),
                        old=old_loc,
                        new=new_loc,
                    )
                )
                continue
            changes = []
            for field_name, ordering in fields.items():
                old = before[name].get(field_name, MISSING)
                new = after[name].get(field_name, MISSING)
                verdict = compare(ordering, old, new, context.expand_old, context.expand_new)
                if verdict is None:
                    continue
                note = verdict.note
                if isinstance(ordering, Scope) and verdict.direction is Direction.SCOPE_WIDENED:
                    gained = [i for i in new if i not in old]
                    items = _joined([g[:1].upper() + g[1:] for g in gained])
                    note = (ordering.gained or "{items} joined the group").format(items=items)
                changes.append(
                    Change(
                        field_name,
                        shown(old),
                        shown(new),
                        verdict.direction,
                        note,
                        isinstance(ordering, Review) and ordering.wording,
                    )
                )
            if changes:
                facet = (("tiers", tuple(str(t) for t in after[name].get("tiers", ()))),)
                rows.append(
                    Row(
                        "vocabulary",
                        entry_id,
                        _worst(changes),
                        str(after[name].get("description", "")),
                        tuple(changes),
                        affected=facet if map_name == "tier_groups" else (),
                        old=old_loc,
                        new=new_loc,
                    )
                )
    return rows


# --- notes about the pair -------------------------------------------------------------------


def _dangling_replaces(old: Document | None, new: Document | None) -> list[Note]:
    """A ``replaces`` that names no clause of the other version: said, never ignored."""
    if old is None or new is None:
        return []
    notes = []
    old_ids = {c.id for s in CHECKS for c in _clauses(old, s)}
    new_ids = {c.id for s in CHECKS for c in _clauses(new, s)}
    for section in CHECKS:
        for clause in _clauses(new, section):
            target = clause.data.get("replaces")
            if clause.id in old_ids:  # paired by its id: what it once replaced is history
                continue
            if target is not None and target not in old_ids and target not in new_ids:
                notes.append(
                    Note(
                        REPLACES_NOTHING,
                        f"clause {clause.id} replaces '{target}', which the previous version "
                        f"({old.name}) does not have",
                        new.locate((section, clause.index, "replaces")),
                    )
                )
    return notes


def _unrelated(diff: PolicyDiff, new: Document | None) -> list[Note]:
    """Two policies with different ids, the new one not saying it supersedes the old: maybe
    the wrong pair of files. Compared all the same, and said."""
    if diff.old is None or diff.new is None or new is None or diff.old.id == diff.new.id:
        return []
    said = str((new.data.get("metadata") or {}).get("supersedes", ""))
    if said == diff.old.id:
        return []
    instead = f"it supersedes '{said}'" if said else "it names no policy it supersedes"
    return [
        Note(
            UNRELATED,
            f"policy '{diff.new.id}' does not say it supersedes '{diff.old.id}' ({instead}): "
            "check that these are two versions of one policy",
            new.locate(("metadata", "supersedes") if said else ("metadata", "id")),
        )
    ]


def _major(version: str) -> int | None:
    head = version.strip().lstrip("vV").split(".")[0]
    return int(head) if head.isdigit() else None


def _unannounced(diff: PolicyDiff, old: Document | None, new: Document | None) -> list[Note]:
    """A loosening must come with a major version bump and a later effective date."""
    if old is None or new is None or diff.old is None or diff.new is None:
        return []
    loosening = [row for row in diff.rows if row.directions & WEAKENING]
    if not loosening:
        return []
    count = f"{len(loosening)} promise{'s' if len(loosening) != 1 else ''} weaken"
    if len(loosening) == 1:
        count = "1 promise weakens"
    notes = []
    before, after = _major(diff.old.version), _major(diff.new.version)
    if before is None or after is None or after <= before:
        notes.append(
            Note(
                UNANNOUNCED,
                f"{count}, but the version goes from {diff.old.version} to "
                f"{diff.new.version} without a major version bump",
                new.locate(("metadata", "version")),
            )
        )
    if not diff.new.effective > diff.old.effective:
        notes.append(
            Note(
                UNANNOUNCED,
                f"{count}, but the effective date ({diff.new.effective}) is not later than "
                f"the previous version's ({diff.old.effective})",
                new.locate(("metadata", "effective")),
            )
        )
    return notes
