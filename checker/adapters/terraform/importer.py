"""Stores from ``terraform show -json`` plans and states, with the plan line behind every field.

Which section is trusted: ``resource_changes[].change.after`` — the values apply will produce,
with ``after_unknown`` saying which are known only after apply. ``planned_values`` is read only
for resources ``resource_changes`` lacks (or plans without it); when both describe a resource
used for a store and disagree, a warning names both places and says ``resource_changes`` was
used. A state file is read from ``values.root_module``. Modules are read recursively
(``child_modules``); deleted resources are not part of the future system. Details of each
resource kind live in one module per resource family (:mod:`aws_s3`, :mod:`aws_dynamodb`…,
each exporting ``READER``).

Mapping rules say which resources hold which data (first match wins; unmatched resources are
ignored; a rule that maps no resource is an error, and a selected resource no reader reads is a
store without evidence)::

    - match: {address: "module.chat.aws_s3_bucket.*", name: "chat-*", tags: {DataClass: chats}}
      store: {id: "{name}", data_kinds: [conversations], retention_state: training_not_allowed}

``address`` and ``name`` are globs where only ``*`` and ``?`` are special (brackets are literal,
so ``aws_s3_bucket.b[0]`` is written as-is). ``tags`` must all equal the resource's ``tags`` or
``tags_all``. The rule supplies the classification; retention, encryption, deletion schedule,
region and kind come from the plan. A field the rule also gives is kept where the plan is
silent, overridden (with a warning) where the plan says something else. ``retention_state``
(default ``any``) names the consent state whose window the lifecycle expiration is.

Copies of a store's data that outlive it (AWS Backup recovery points, S3 replicas, DynamoDB
point-in-time recovery) raise its retention windows once the rule is merged
(:mod:`~checker.adapters.terraform.copies`); a replica bucket that no rule maps becomes a store
classified by the rule of the bucket it copies.

A bucket that the plan only configures (e.g. ``aws_s3_bucket_lifecycle_configuration`` naming
a bucket managed elsewhere) becomes a store when a rule matches its name or the configuring
resource's address; its facts come from those resources alone.

Store ids are the rule's ``id`` template (``{name}``, ``{address}``; default ``{name}``, or the
address when the name is unknown), lower-cased with every run of characters outside
``[a-z0-9_-]`` turned into ``-`` so that they are valid snapshot identifiers.
"""

from __future__ import annotations

import functools
import importlib
import marshal
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from checker.adapters import mapping
from checker.adapters.base import AdapterResult, Imported
from checker.adapters.terraform import copies, unread
from checker.adapters.terraform.facts import SUPPORT_TYPES, dotted
from checker.adapters.terraform.plan import Deferred, Plan, Resource, read_plan
from checker.adapters.terraform.reader import Candidate, Copies, ResourceReader, known_name
from checker.core.diagnostics import Diagnostic, JsonPath, Level, Location, format_json_path
from checker.core.patterns import glob
from checker.documents.document import Document

RuleLocator = Callable[[JsonPath], Location]

_DERIVED_ONLY = ("id", "retention_state")
# What a reader derives from the plan; a rule's values for them are no evidence of their own.
_FROM_THE_PLAN = ("retention", "encryption", "deletion_schedule", "region", "kind")
UNUSED_RULE = "terraform-rule-unused"
UNREADABLE = "terraform-unreadable-resource"
NOT_STORES = "terraform-not-stores"
DEFERRED = "terraform-deferred"


@functools.cache
def readers() -> tuple[ResourceReader, ...]:
    """Every resource family of this package: the modules that export ``READER`` (found once
    per process, not once per import)."""
    package = importlib.import_module("checker.adapters.terraform")
    found = []
    for module in pkgutil.iter_modules(package.__path__):
        reader = getattr(
            importlib.import_module(f"{package.__name__}.{module.name}"), "READER", None
        )
        if isinstance(reader, ResourceReader):
            found.append(reader)
    return tuple(sorted(found, key=lambda r: r.name))


@dataclass(slots=True)
class _Importer:
    plan: Plan
    rules: list[dict[str, Any]]
    locate_rule: RuleLocator | None
    readers: tuple[ResourceReader, ...]
    items: list[Imported] = field(default_factory=list)
    ids: mapping.Ids = field(default_factory=mapping.Ids)
    compared: set[int] = field(default_factory=set)
    copy_finders: list[Copies] = field(init=False)

    def __post_init__(self) -> None:
        # The families that keep copies of other families' stores, asked of every store.
        self.copy_finders = [r.copies for r in self.readers if r.copies is not None]

    def run(self) -> None:
        used: set[int] = set()
        claimed: set[str] = set(SUPPORT_TYPES)
        pairs = self._candidates()
        matches = [self._match(candidate) for _, candidate in pairs]
        by_resource = {
            id(c.resource): m for (_, c), m in zip(pairs, matches, strict=True) if m is not None
        }
        for (reader, candidate), found in zip(pairs, matches, strict=True):
            if found is not None:
                used.add(found[0])
                self._store(reader, candidate, *found)
            else:
                self._replica(reader, candidate, by_resource)
        for reader in self.readers:
            claimed |= reader.types | reader.configures
        others: dict[int, list[Resource]] = {}
        for res in self.plan.resources:
            if res.type in claimed:
                continue
            index = self._selects(res)
            if index is None:
                continue
            used.add(index)
            if res.type in unread.DATA_TYPES or _names_type(self.rules[index], res.type):
                readable = ", ".join(sorted(t for r in self.readers for t in r.types))
                self._cannot_read(
                    index,
                    res,
                    f"{res.address} (type {res.type}), which the Terraform adapter cannot read "
                    f"(it reads {readable})",
                    f"{res.address} is of type {res.type}, which the Terraform adapter cannot read",
                    "describe the store in the snapshot's stores instead, or narrow the rule",
                )
            else:
                others.setdefault(index, []).append(res)
        for index, resources in others.items():
            self._not_stores(index, resources)
        for deferred in self.plan.deferred:
            index = self._deferred(deferred)
            if index is not None:
                used.add(index)
        for index in range(len(self.rules)):
            if index not in used:
                self._unused(index)

    def _selects(self, res: Resource, *, unknown_matches: bool = False) -> int | None:
        """The first rule that selects a resource no reader reads; with ``unknown_matches``,
        a name or tags known only after apply count as matching (the rule may select it)."""
        names = [
            value for attr in unread.NAME_ATTRIBUTES if isinstance(value := res.get(attr), str)
        ]
        # Known only after apply, told once per resource rather than once per rule.
        name_later = _name_unknown(res)
        tags_later = bool(res.unknown_at("tags") or res.unknown_at("tags_all"))
        name_unknown = unknown_matches and (not names or name_later)
        tags_unknown = unknown_matches and tags_later
        for index, rule in enumerate(self.rules):
            match = rule.get("match") or {}
            pattern = match.get("address")
            if pattern is not None and not glob(pattern, res.address):
                continue
            pattern = match.get("name")
            if (
                pattern is not None
                and not name_unknown
                and not any(glob(pattern, name) for name in names)
            ):
                if not names and name_later:
                    self._unknown_match(index, res, "its name is known only after apply")
                continue
            wanted = match.get("tags")
            if wanted and not tags_unknown and not _has_tags(res, wanted):
                if tags_later:
                    self._unknown_match(index, res, "its tags are known only after apply")
                continue
            return index
        return None

    def _unknown_match(self, index: int, res: Resource, why: str) -> None:
        """Said for a type known to hold data, as :meth:`_note_rule` says it for the types the
        readers read; for the rest (IAM, networking) it would be noise."""
        if res.type in unread.DATA_TYPES:
            self.plan.note(
                res.path,
                f"cannot tell whether mapping rule {index + 1} matches {res.address}: {why}; "
                "the rule is skipped for it",
                "terraform-unknown-match",
            )

    def _deferred(self, deferred: Deferred) -> int | None:
        """A resource whose change Terraform put off to a later plan: a store a rule may select
        becomes a store without evidence (this plan does not say what it will be), and one that
        configures stores is said, since what it will set is not in this plan. Returns the index
        of the rule that selects it."""
        res, reason = deferred
        if any(res.type in reader.configures for reader in self.readers):
            self.plan.note(
                res.path,
                f"Terraform deferred the change of {res.address} to a later plan ({reason}): "
                "what it configures is not in this plan, so the stores it configures are judged "
                "without it; apply this plan and check the next one",
                DEFERRED,
            )
            return None
        index = self._selects(res, unknown_matches=True)
        if index is None:
            return None
        stores = any(res.type in reader.types for reader in self.readers)
        if not (
            stores or res.type in unread.DATA_TYPES or _names_type(self.rules[index], res.type)
        ):
            return None
        self._cannot_read(
            index,
            res,
            f"{res.address}, whose change Terraform deferred to a later plan ({reason})",
            f"Terraform deferred the change of {res.address} to a later plan ({reason})",
            "apply this plan and check the next one, or narrow the rule",
        )
        return index

    def _cannot_read(self, index: int, res: Resource, what: str, why: str, advice: str) -> None:
        """A declared store whose configuration cannot be read (``what`` it is, ``why`` not)
        becomes a store all the same, with the rule's classification and nothing the plan should
        have said: every promise about its retention, encryption, deletion schedule or region is
        not evidenced, and says why. Dropping it would let the promise pass on the stores that
        remain."""
        rule = self.rules[index]
        spec = {
            key: value
            for key, value in (rule.get("store") or {}).items()
            if key not in _FROM_THE_PLAN
        }
        name, name_path = known_name(res, unread.NAME_ATTRIBUTES)
        cand = Candidate(res.type, res.address, name, name_path, res.path, res, (res.address,))
        dropped = sorted(set(rule.get("store") or {}) & set(_FROM_THE_PLAN) - {"kind"})
        self.plan.diagnostics.append(
            Diagnostic(
                self.plan.doc.locate(res.path),
                f"mapping rule {index + 1} selects {what}: the data it "
                "holds is declared but its "
                "retention, encryption, deletion schedule and region are not evidenced"
                + (
                    f" (what the rule gives for {', '.join(dropped)} is no evidence)"
                    if dropped
                    else ""
                )
                + f"; {advice}",
                UNREADABLE,
                Level.WARNING,
            )
        )
        data, origins = self._classified(cand, index, spec)
        data["source"]["unreadable"] = why
        self.items.append(Imported("stores", data, cand.origin, origins))

    def _not_stores(self, index: int, resources: list[Resource]) -> None:
        """Resources a broad rule selects whose types hold no user data: said once per rule."""
        counts: dict[str, int] = {}
        for res in resources:
            counts[res.type] = counts.get(res.type, 0) + 1
        listed = ", ".join(f"{t} ({n})" if n > 1 else t for t, n in sorted(counts.items()))
        message = (
            f"mapping rule {index + 1} also selects {len(resources)} resource"
            f"{'s' if len(resources) != 1 else ''} of types that hold no user data ({listed}); "
            "they are not stores. A rule whose address names a type declares its resources stores"
        )
        self.plan.diagnostics.append(
            Diagnostic(self._rule_place(index, ("match",)), message, NOT_STORES, Level.WARNING)
        )

    def _unused(self, index: int) -> None:
        """A rule no store comes from declares data that nothing evidences: an error."""
        message = (
            f"mapping rule {index + 1} maps no resource of {self.plan.doc.name} (none matches "
            "it, or an earlier rule matches first): the data it declares is not evidenced; fix "
            "the rule's address, name or tags, or remove it"
        )
        self.plan.diagnostics.append(
            Diagnostic(self._rule_place(index, ("match",)), message, UNUSED_RULE)
        )

    def _rule_place(self, index: int, sub: JsonPath) -> Location:
        if self.locate_rule is not None:
            return self.locate_rule((index, *sub))
        return self.plan.doc.locate(())

    # -- which resources -----------------------------------------------------------------------

    def _candidates(self) -> list[tuple[ResourceReader, Candidate]]:
        """Every reader's candidates in plan order (ids are handed out in that order), those
        the plan only configures last."""
        position = {id(res): n for n, res in enumerate(self.plan.resources)}
        found = [(r, c) for r in self.readers for c in r.candidates(self.plan)]
        last = len(position)
        return sorted(
            found,
            key=lambda pair: position.get(id(pair[1].resource), last),
        )

    def _match(self, cand: Candidate) -> tuple[int, dict[str, Any]] | None:
        for index, rule in enumerate(self.rules):
            match = rule.get("match") or {}
            pattern = match.get("address")
            if pattern is not None and not any(glob(pattern, a) for a in cand.addresses):
                continue
            pattern = match.get("name")
            if pattern is not None:
                if cand.name is None:
                    self._note_rule(index, cand, "its name is known only after apply")
                    continue
                if not glob(pattern, cand.name):
                    continue
            tags = match.get("tags")
            if tags and not self._tags_match(index, cand, tags):
                continue
            return index, rule
        return None

    def _tags_match(self, index: int, cand: Candidate, wanted: dict[str, Any]) -> bool:
        res = cand.resource
        if res is None:
            return False  # a bucket outside the plan shows no tags
        if _has_tags(res, wanted):
            return True
        if res.unknown_at("tags_all") or res.unknown_at("tags"):
            self._note_rule(index, cand, "its tags are known only after apply")
        return False

    def _note_rule(self, index: int, cand: Candidate, why: str) -> None:
        self.plan.note(
            cand.origin,
            f"cannot tell whether mapping rule {index + 1} matches "
            f"{cand.address}: {why}; the rule is skipped for it",
            "terraform-unknown-match",
        )

    def _replica(
        self,
        reader: ResourceReader,
        cand: Candidate,
        matched: dict[int, tuple[int, dict[str, Any]]],
    ) -> None:
        """A copy of a mapped store that no rule maps holds the same data: it becomes a store
        with the classification of its source's rule."""
        for source in cand.copy_of:
            found = matched.get(id(source))
            if found is not None:
                self.plan.note(
                    cand.origin,
                    f"{cand.address} is a replica of {source.address}, so it holds the same "
                    f"data: it becomes a store classified by mapping rule {found[0] + 1}, the "
                    "rule of its source (map it with a rule of its own to classify it otherwise)",
                    "terraform-replica-store",
                )
                self._store(reader, cand, *found)
                return

    # -- the store -----------------------------------------------------------------------------

    def _store(
        self, reader: ResourceReader, cand: Candidate, index: int, rule: dict[str, Any]
    ) -> None:
        spec = rule.get("store") or {}
        state = str(spec.get("retention_state", "any"))
        if cand.note is not None:
            self.plan.note(cand.origin, cand.note[1], cand.note[0])
        facts = reader.derive(self.plan, cand, state)
        data, origins = self._classified(cand, index, spec)
        mapping.merge(
            data,
            origins,
            facts.values,
            facts.origins,
            spec,
            lambda key, given, derived, origin: self._conflict(index, key, given, derived, origin),
        )
        found = [*facts.copies]
        for copies_of in self.copy_finders:
            found.extend(copies_of(self.plan, cand))
        copies.apply(self.plan, data["id"], data, origins, found)
        self.items.append(Imported("stores", data, cand.origin, origins))
        for res in facts.used:
            self._compare_sections(res)

    def _classified(
        self, cand: Candidate, index: int, spec: dict[str, Any]
    ) -> tuple[dict[str, Any], dict[JsonPath, JsonPath]]:
        """The store as the rule describes it: id, kind, the rule's fields and the source."""
        data: dict[str, Any] = {"id": self._id(cand, index, spec), "kind": cand.kind}
        origins: dict[JsonPath, JsonPath] = {("id",): cand.name_path, ("kind",): cand.origin}
        if cand.resource is not None:
            origins[("kind",)] = (*cand.origin, "type")
        if "kind" in spec and spec["kind"] != cand.kind:
            self._conflict(index, ("kind",), spec["kind"], cand.kind, origins[("kind",)])
        for key, value in spec.items():
            if key not in _DERIVED_ONLY and key != "kind":
                data[key] = _copied(value)
                origins[(key,)] = cand.origin
        data["source"] = {
            "file": self.plan.doc.name,
            "address": cand.address,
            "path": format_json_path(cand.origin),
        }
        origins[("source",)] = cand.origin
        return data, origins

    def _id(self, cand: Candidate, index: int, spec: dict[str, Any]) -> str:
        template = spec.get("id")
        fields = {
            "name": cand.name if cand.name is not None else cand.address,
            "address": cand.address,
        }
        text = fields["name"]
        if isinstance(template, str):
            filled = mapping.fill(template, fields)
            if isinstance(filled, list):
                self._rule_error(
                    index,
                    ("store", "id"),
                    f"mapping rule {index + 1}: unknown "
                    f"placeholder {{{filled[0]}}} in the store id template; use "
                    "{name} or {address}",
                    cand,
                )
            else:
                text = filled
        ident = mapping.identifier(text)
        unique = self.ids.claim(ident)
        if unique != ident:
            self.plan.note(
                cand.origin,
                f"store id {ident!r} is already used by another "
                f"resource of this plan; {cand.address} becomes {unique!r}",
                "terraform-duplicate-id",
            )
        return unique

    def _rule_error(self, index: int, path: JsonPath, message: str, cand: Candidate) -> None:
        where = (
            self.locate_rule((index, *path))
            if self.locate_rule
            else self.plan.doc.locate(cand.origin)
        )
        self.plan.diagnostics.append(Diagnostic(where, message, "terraform-rule", Level.ERROR))

    def _conflict(
        self, index: int, key: tuple[str, ...], given: Any, derived: Any, origin: JsonPath
    ) -> None:
        self.plan.note(
            origin,
            f"mapping rule {index + 1} gives {dotted(key)} = "
            f"{mapping.show(given)}, but the plan says {mapping.show(derived)}; using the plan's "
            "value",
            "terraform-rule-conflict",
        )

    def _compare_sections(self, res: Resource) -> None:
        if res.twin_values is None or res.twin_values_path is None or id(res) in self.compared:
            return
        self.compared.add(id(res))
        diff = _difference(res.values, res.twin_values)
        if diff is None:
            return
        doc = self.plan.doc
        used = doc.locate((*res.values_path, *diff))
        other = doc.locate((*res.twin_values_path, *diff))
        rel = dotted(diff) or "the resource"
        self.plan.diagnostics.append(
            Diagnostic(
                used,
                f"planned_values and resource_changes disagree about {res.address}: {rel} is "
                f"{mapping.show(doc.get((*res.twin_values_path, *diff), None))} in planned_values "
                f"({other}) but {mapping.show(doc.get((*res.values_path, *diff), None))} in "
                f"resource_changes[].change.after ({used}); using resource_changes, the change "
                "apply carries out",
                "terraform-sections-disagree",
                Level.WARNING,
            )
        )


def _copied(value: Any) -> Any:
    """A copy of a rule's value (data read from YAML or JSON: containers are dicts and lists),
    for each of thousands of stores: ``copy.deepcopy`` costs several times as much."""
    if isinstance(value, dict):
        return {key: _copied(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copied(item) for item in value]
    return value


def _name_unknown(res: Resource) -> bool:
    """Whether an attribute that may hold the resource's name is known only after apply."""
    return any(res.unknown_at(attr) for attr in unread.NAME_ATTRIBUTES)


def _names_type(rule: dict[str, Any], resource_type: str) -> bool:
    """Whether the rule's address pattern names the type itself (``aws_iam_role.*``), which
    declares resources of that type to hold data, unlike a catch-all (``*``)."""
    pattern = (rule.get("match") or {}).get("address")
    if not isinstance(pattern, str):
        return False
    parts = pattern.split(".")
    while len(parts) > 2 and parts[0] == "module":  # past the module.x. steps
        parts = parts[2:]
    return parts[0] == resource_type


def import_terraform(
    doc: Document, rules: list[dict[str, Any]], *, rule_locator: RuleLocator | None = None
) -> AdapterResult:
    """Stores for the resources ``rules`` map, derived from the plan or state ``doc``.

    ``rule_locator`` (optional) turns a path inside the rules list, such as
    ``(2, "store", "id")``, into a location for errors in the rules themselves; without it
    they point at the resource concerned.
    """
    plan = read_plan(doc)
    if any(d.level is Level.ERROR for d in plan.diagnostics):
        return AdapterResult([], list(plan.diagnostics), readable=False)
    importer = _Importer(plan, rules, rule_locator, readers())
    importer.run()
    return AdapterResult(importer.items, list(plan.diagnostics))


def _has_tags(res: Resource, wanted: dict[str, Any]) -> bool:
    """Whether the resource's ``tags`` or ``tags_all`` hold every wanted tag."""
    for attr in ("tags", "tags_all"):
        tags = res.get(attr)
        if isinstance(tags, dict) and all(tags.get(k) == v for k, v in wanted.items()):
            return True
    return False


def first_difference(a: Any, b: Any, path: JsonPath = ()) -> JsonPath | None:
    """The first path where two JSON values differ, or ``None`` when they are equal."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in [*a, *(k for k in b if k not in a)]:
            if key not in a or key not in b:
                return (*path, key)
            found = first_difference(a[key], b[key], (*path, key))
            if found is not None:
                return found
        return None
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return path
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            found = first_difference(x, y, (*path, i))
            if found is not None:
                return found
        return None
    return None if type(a) is type(b) and a == b else path


def _difference(a: Any, b: Any) -> JsonPath | None:
    """``first_difference``, with a quick answer for the usual case of identical twins: values
    that marshal (format 0, which depends on nothing but values, their exact types and key
    order) to the same bytes differ nowhere (NaN, the one value unequal to itself, is refused
    by the loaders)."""
    try:
        if marshal.dumps(a, 0) == marshal.dumps(b, 0):
            return None
    except ValueError:  # a type that marshal does not write
        pass
    return first_difference(a, b)
