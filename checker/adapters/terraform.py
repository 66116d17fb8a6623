"""Stores from ``terraform show -json`` plans and states, with the plan line behind every field.

Which section is trusted: ``resource_changes[].change.after`` — the values apply will produce,
with ``after_unknown`` saying which are known only after apply. ``planned_values`` is read only
for resources ``resource_changes`` lacks (or plans without it); when both describe a resource
used for a store and disagree, a warning names both places and says ``resource_changes`` was
used. A state file is read from ``values.root_module``. Modules are read recursively
(``child_modules``); deleted resources are not part of the future system. Details of each
resource kind live in :mod:`terraform_s3` and :mod:`terraform_dynamodb`.

Mapping rules say which resources hold which data (first match wins; unmatched resources are
ignored, and a rule that maps no resource is warned about)::

    - match: {address: "module.chat.aws_s3_bucket.*", name: "chat-*", tags: {DataClass: chats}}
      store: {id: "{name}", data_kinds: [conversations], retention_state: training_not_allowed}

``address`` and ``name`` are globs where only ``*`` and ``?`` are special (brackets are literal,
so ``aws_s3_bucket.b[0]`` is written as-is). ``tags`` must all equal the resource's ``tags`` or
``tags_all``. The rule supplies the classification; retention, encryption, deletion schedule,
region and kind come from the plan. A field the rule also gives is kept where the plan is
silent, overridden (with a warning) where the plan says something else. ``retention_state``
(default ``any``) names the consent state whose window the lifecycle expiration is.

A bucket that the plan only configures (e.g. ``aws_s3_bucket_lifecycle_configuration`` naming
a bucket managed elsewhere) becomes a store when a rule matches its name or the configuring
resource's address; its facts come from those resources alone.

Store ids are the rule's ``id`` template (``{name}``, ``{address}``; default ``{name}``, or the
address when the name is unknown), lower-cased with every run of characters outside
``[a-z0-9_-]`` turned into ``-`` so that they are valid snapshot identifiers.
"""

from __future__ import annotations

import copy
import json
import marshal
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from checker.adapters import terraform_dynamodb, terraform_s3, terraform_unread
from checker.adapters.terraform_facts import Facts, dotted
from checker.adapters.terraform_plan import Plan, Resource, read_plan
from checker.core.diagnostics import Diagnostic, JsonPath, Level, Location, format_json_path
from checker.core.durations import DurationError, parse_duration
from checker.core.patterns import glob
from checker.documents.document import Document

RuleLocator = Callable[[JsonPath], Location]

_DERIVED_ONLY = ("id", "retention_state")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


@dataclass(frozen=True, slots=True)
class ImportedStore:
    """A snapshot ``stores[]`` entry and where in the plan each of its fields comes from."""

    data: dict[str, Any]
    origin: JsonPath
    field_origins: dict[JsonPath, JsonPath]


@dataclass(frozen=True, slots=True)
class TerraformImport:
    """The stores an export yields; ``readable`` is false when it is not a Terraform export
    this reader understands at all (its ``diagnostics`` then say why)."""

    stores: list[ImportedStore]
    diagnostics: list[Diagnostic]
    readable: bool = True


@dataclass(frozen=True, slots=True)
class _Candidate:
    """A resource that could hold data: a bucket (maybe outside the plan) or a table."""

    kind: str
    address: str
    name: str | None
    name_path: JsonPath
    origin: JsonPath
    resource: Resource | None
    bucket: terraform_s3.Bucket | None = None
    addresses: tuple[str, ...] = ()


@dataclass(slots=True)
class _Importer:
    plan: Plan
    rules: list[dict[str, Any]]
    locate_rule: RuleLocator | None
    stores: list[ImportedStore] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)
    compared: set[int] = field(default_factory=set)

    def run(self) -> None:
        used: set[int] = set()
        for candidate in self._candidates():
            found = self._match(candidate)
            if found is not None:
                used.add(found[0])
                self._store(candidate, *found)
        for res in self.plan.of_type(*terraform_unread.DATA_TYPES):
            index = self._selects(res)
            if index is not None:
                used.add(index)
                self._cannot_read(index, res)
        for index in range(len(self.rules)):
            if index not in used:
                self._unused(index)

    def _selects(self, res: Resource) -> int | None:
        """The first rule that selects a resource of a type this adapter cannot read."""
        names = [
            value
            for attr in terraform_unread.NAME_ATTRIBUTES
            if isinstance(value := res.get(attr), str)
        ]
        for index, rule in enumerate(self.rules):
            match = rule.get("match") or {}
            pattern = match.get("address")
            if pattern is not None and not glob(pattern, res.address):
                continue
            pattern = match.get("name")
            if pattern is not None and not any(glob(pattern, name) for name in names):
                continue
            wanted = match.get("tags")
            if wanted and not _has_tags(res, wanted):
                continue
            return index
        return None

    def _cannot_read(self, index: int, res: Resource) -> None:
        """A declared store whose evidence cannot be read: an error, never silently dropped."""
        message = (
            f"mapping rule {index + 1} selects {res.address} (type {res.type}), which this adapter "
            "cannot read (it reads aws_s3_bucket and aws_dynamodb_table): the data it holds is "
            "declared but not evidenced; describe the store in the snapshot's stores instead, "
            "or narrow the rule"
        )
        self.plan.diagnostics.append(
            Diagnostic(self.plan.doc.locate(res.path), message, "terraform-unreadable-resource")
        )

    def _unused(self, index: int) -> None:
        """A rule no store comes from is said, never silently dropped."""
        message = (
            f"mapping rule {index + 1} maps no resource of {self.plan.doc.name} (none matches "
            "it, or an earlier rule matches first), so no store comes from it"
        )
        where = self.locate_rule((index, "match")) if self.locate_rule else self.plan.doc.locate(())
        self.plan.diagnostics.append(
            Diagnostic(where, message, "terraform-rule-unused", Level.WARNING)
        )

    # -- which resources -----------------------------------------------------------------------

    def _candidates(self) -> list[_Candidate]:
        plan = self.plan
        buckets = plan.of_type("aws_s3_bucket")
        by_name: dict[str, Resource] = {}
        for res in buckets:
            for attr in ("bucket", "id"):
                value = res.get(attr)
                if isinstance(value, str) and res.unknown_at(attr) is None:
                    by_name.setdefault(value, res)
        attached: dict[int, dict[str, list[Resource]]] = {id(b): {} for b in buckets}
        outside: dict[str, dict[str, list[Resource]]] = {}
        for res in plan.of_type(*terraform_s3.ATTACHMENTS):
            target = res.get("bucket")
            if isinstance(target, str) and res.unknown_at("bucket") is None:
                owner = by_name.get(target)
                group = attached[id(owner)] if owner else outside.setdefault(target, {})
            else:
                refs = plan.referenced(res, ("bucket",), "aws_s3_bucket")
                if len(refs) != 1:
                    why = "is known only after apply" if res.unknown_at("bucket") else "is unset"
                    what = (
                        f"refers to {len(refs)} buckets"
                        if refs
                        else "does not refer to a bucket in this plan"
                    )
                    plan.note(
                        res.unknown_at("bucket") or res.vpath("bucket"),
                        f"{res.address}: its bucket {why} and its configuration {what}; ignored",
                        "terraform-unresolved-bucket",
                    )
                    continue
                group = attached[id(refs[0])]
            group.setdefault(res.type, []).append(res)
        found: list[_Candidate] = []
        for res in plan.resources:
            if res.type == "aws_s3_bucket":
                name = _known_str(res, "bucket")
                bucket = terraform_s3.Bucket(res, name, attached[id(res)])
                found.append(
                    _Candidate(
                        "s3_bucket",
                        res.address,
                        name,
                        res.vpath("bucket") if name is not None else res.path,
                        res.path,
                        res,
                        bucket,
                        (res.address,),
                    )
                )
            elif res.type == "aws_dynamodb_table":
                found.append(
                    _Candidate(
                        "dynamodb_table",
                        res.address,
                        _known_str(res, "name"),
                        res.vpath("name") if _known_str(res, "name") is not None else res.path,
                        res.path,
                        res,
                        None,
                        (res.address,),
                    )
                )
        for name, groups in outside.items():
            members = [r for kind in terraform_s3.ATTACHMENTS for r in groups.get(kind, [])]
            first = members[0]
            bucket = terraform_s3.Bucket(None, name, groups)
            found.append(
                _Candidate(
                    "s3_bucket",
                    first.address,
                    name,
                    first.vpath("bucket"),
                    first.path,
                    None,
                    bucket,
                    tuple(r.address for r in members),
                )
            )
        return found

    def _match(self, cand: _Candidate) -> tuple[int, dict[str, Any]] | None:
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

    def _tags_match(self, index: int, cand: _Candidate, wanted: dict[str, Any]) -> bool:
        res = cand.resource
        if res is None:
            return False  # a bucket outside the plan shows no tags
        if _has_tags(res, wanted):
            return True
        if res.unknown_at("tags_all") or res.unknown_at("tags"):
            self._note_rule(index, cand, "its tags are known only after apply")
        return False

    def _note_rule(self, index: int, cand: _Candidate, why: str) -> None:
        self.plan.note(
            cand.origin,
            f"cannot tell whether mapping rule {index + 1} matches "
            f"{cand.address}: {why}; the rule is skipped for it",
            "terraform-unknown-match",
        )

    # -- the store -----------------------------------------------------------------------------

    def _store(self, cand: _Candidate, index: int, rule: dict[str, Any]) -> None:
        spec = rule.get("store") or {}
        state = str(spec.get("retention_state", "any"))
        if cand.bucket is not None:
            if cand.resource is None:
                self.plan.note(
                    cand.origin,
                    f"bucket {cand.name} is not managed in this plan; "
                    f"its store is built from {', '.join(cand.addresses)} alone",
                    "terraform-bucket-outside-plan",
                )
            facts = terraform_s3.derive(self.plan, cand.bucket, state)
        else:
            assert cand.resource is not None
            facts = terraform_dynamodb.derive(self.plan, cand.resource)
        data: dict[str, Any] = {"id": self._id(cand, index, spec), "kind": cand.kind}
        origins: dict[JsonPath, JsonPath] = {("id",): cand.name_path, ("kind",): cand.origin}
        if cand.resource is not None:
            origins[("kind",)] = (*cand.origin, "type")
        if "kind" in spec and spec["kind"] != cand.kind:
            self._conflict(index, ("kind",), spec["kind"], cand.kind, origins[("kind",)])
        for key, value in spec.items():
            if key not in _DERIVED_ONLY and key != "kind":
                data[key] = copy.deepcopy(value)
                origins[(key,)] = cand.origin
        self._merge(data, origins, facts, index, spec)
        data["source"] = {
            "file": self.plan.doc.name,
            "address": cand.address,
            "path": format_json_path(cand.origin),
        }
        origins[("source",)] = cand.origin
        self.stores.append(ImportedStore(data, cand.origin, origins))
        for res in facts.used:
            self._compare_sections(res)

    def _id(self, cand: _Candidate, index: int, spec: dict[str, Any]) -> str:
        template = spec.get("id")
        fields = {
            "name": cand.name if cand.name is not None else cand.address,
            "address": cand.address,
        }
        text = fields["name"]
        if isinstance(template, str):
            bad = [m.group(1) for m in _PLACEHOLDER.finditer(template) if m.group(1) not in fields]
            if bad:
                self._rule_error(
                    index,
                    ("store", "id"),
                    f"mapping rule {index + 1}: unknown "
                    f"placeholder {{{bad[0]}}} in the store id template; use "
                    "{name} or {address}",
                    cand,
                )
            else:
                text = _PLACEHOLDER.sub(lambda m: fields[m.group(1)], template)
        ident = identifier(text)
        unique, n = ident, 1
        while unique in self.ids:
            n += 1
            unique = f"{ident}-{n}"
        if unique != ident:
            self.plan.note(
                cand.origin,
                f"store id {ident!r} is already used by another "
                f"resource of this plan; {cand.address} becomes {unique!r}",
                "terraform-duplicate-id",
            )
        self.ids.add(unique)
        return unique

    def _rule_error(self, index: int, path: JsonPath, message: str, cand: _Candidate) -> None:
        where = (
            self.locate_rule((index, *path))
            if self.locate_rule
            else self.plan.doc.locate(cand.origin)
        )
        self.plan.diagnostics.append(Diagnostic(where, message, "terraform-rule", Level.ERROR))

    def _merge(
        self,
        data: dict[str, Any],
        origins: dict[JsonPath, JsonPath],
        facts: Facts,
        index: int,
        spec: dict[str, Any],
    ) -> None:
        """Plan facts win over the rule's; the rule fills what the plan does not say."""
        for key, derived in facts.values.items():
            given = data.get(key)
            if isinstance(given, dict) and isinstance(derived, dict):
                merged = dict(given)
                for sub, value in derived.items():
                    if sub in given and not _same(given[sub], value):
                        self._conflict(
                            index, (key, sub), given[sub], value, facts.origins[(key, sub)]
                        )
                    merged[sub] = value
                data[key] = merged
            else:
                if key in data and not _same(given, derived):
                    self._conflict(index, (key,), given, derived, facts.origins[(key,)])
                data[key] = derived
        for path, origin in facts.origins.items():
            if len(path) > 1 or not isinstance(spec.get(path[0]), dict):
                origins[path] = origin  # a field the rule gave keeps the resource as its origin

    def _conflict(
        self, index: int, key: tuple[str, ...], given: Any, derived: Any, origin: JsonPath
    ) -> None:
        self.plan.note(
            origin,
            f"mapping rule {index + 1} gives {dotted(key)} = "
            f"{_show(given)}, but the plan says {_show(derived)}; using the plan's "
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
                f"{_show(doc.get((*res.twin_values_path, *diff), None))} in planned_values "
                f"({other}) but {_show(doc.get((*res.values_path, *diff), None))} in "
                f"resource_changes[].change.after ({used}); using resource_changes, the change "
                "apply carries out",
                "terraform-sections-disagree",
                Level.WARNING,
            )
        )


def import_terraform(
    doc: Document, rules: list[dict[str, Any]], *, rule_locator: RuleLocator | None = None
) -> TerraformImport:
    """Stores for the resources ``rules`` map, derived from the plan or state ``doc``.

    ``rule_locator`` (optional) turns a path inside the rules list, such as
    ``(2, "store", "id")``, into a location for errors in the rules themselves; without it
    they point at the resource concerned.
    """
    plan = read_plan(doc)
    if any(d.level is Level.ERROR for d in plan.diagnostics):
        return TerraformImport([], list(plan.diagnostics), readable=False)
    importer = _Importer(plan, rules, rule_locator)
    importer.run()
    return TerraformImport(importer.stores, list(plan.diagnostics))


def _has_tags(res: Resource, wanted: dict[str, Any]) -> bool:
    """Whether the resource's ``tags`` or ``tags_all`` hold every wanted tag."""
    for attr in ("tags", "tags_all"):
        tags = res.get(attr)
        if isinstance(tags, dict) and all(tags.get(k) == v for k, v in wanted.items()):
            return True
    return False


def identifier(text: str) -> str:
    """A valid snapshot identifier made from a bucket/table name or address."""
    ident = re.sub(r"[^a-z0-9_-]+", "-", text.lower()).strip("-_")
    if not ident:
        return "store"
    return ident if ident[0].isalpha() else f"s-{ident}"


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
    """``first_difference``, with a quick answer for the usual case of identical twins: equal
    values that marshal (format 0, which depends on nothing but values, their exact types
    and key order) to the same bytes differ nowhere."""
    if a == b:
        try:
            if marshal.dumps(a, 0) == marshal.dumps(b, 0):
                return None
        except ValueError:  # a type that marshal does not write
            pass
    return first_difference(a, b)


def _known_str(res: Resource, attr: str) -> str | None:
    value = res.get(attr)
    return value if isinstance(value, str) and value and res.unknown_at(attr) is None else None


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        try:
            return parse_duration(a) == parse_duration(b)
        except DurationError:
            return a == b
    return bool(type(a) is type(b) and a == b)


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."
