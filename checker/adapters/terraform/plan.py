"""Reading ``terraform show -json`` output: which resources will exist, and where each value sits.

A plan has two views of the future: ``resource_changes[].change.after`` (with ``after_unknown``
marking values known only after apply) and ``planned_values``. This module trusts
``resource_changes`` and keeps the ``planned_values`` twin of each resource so that the caller
can say when the two disagree. ``planned_values`` is read alone only for resources that
``resource_changes`` lacks (or when a plan has no ``resource_changes`` at all). A state file
(``values.root_module``) has only known values; so does a raw state file, read by
:mod:`~checker.adapters.terraform.raw_state`. ``prior_state`` is the world *before* apply, so
it is never read. Resources whose ``after`` is null (``delete``, ``forget``) and deposed objects
are not part of the future system and are dropped here. Changes Terraform defers to a later plan
(``deferred_changes``, Terraform 1.9 and later) are kept apart in :attr:`Plan.deferred`: this
plan does not say what they will be, so the importer must not judge them as planned.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from checker.core.diagnostics import Diagnostic, JsonPath, Level
from checker.documents.document import Document

_MODULE_STEP = re.compile(r'module\.([A-Za-z0-9_-]+)(?:\[(?:"(?:[^"\\]|\\.)*"|[^\]]*)\])?\.?')
_REFERENCE = re.compile(r"([a-z][a-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_-]*)")
_SKIP_REFERENCE = ("var.", "local.", "data.", "module.", "each.", "count.", "path.", "self.")


@dataclass(frozen=True, slots=True, eq=False)
class Resource:
    """One managed resource instance as it will be after apply (compared by identity)."""

    address: str
    type: str
    name: str
    index: Any
    module: str
    values: dict[str, Any]
    path: JsonPath
    values_path: JsonPath
    unknown: Any = None
    unknown_path: JsonPath | None = None
    action: str = "state"
    twin_values: dict[str, Any] | None = None
    twin_values_path: JsonPath | None = None

    def get(self, *keys: str | int) -> Any:
        """The known value at ``keys`` inside the resource's values, or ``None``."""
        node: Any = self.values
        try:
            for key in keys:
                if isinstance(key, str):
                    node = node.get(key)  # values are JSON: only objects have get()
                elif isinstance(node, list) and -len(node) <= key < len(node):
                    node = node[key]
                else:
                    return None
        except AttributeError:  # a key asked of a list, a string, a number or null
            return None
        return node

    def vpath(self, *keys: str | int) -> JsonPath:
        return (*self.values_path, *keys)

    def unknown_at(self, *keys: str | int) -> JsonPath | None:
        """Path in ``after_unknown`` that marks ``keys`` (or an ancestor) unknown, else ``None``."""
        node: Any = self.unknown
        if not node or self.unknown_path is None:
            return None  # nothing below an empty or false marker is unknown
        for depth, key in enumerate(keys):
            if node is True:
                return (*self.unknown_path, *keys[:depth])
            if isinstance(node, dict):
                if not isinstance(key, str):
                    return None
                node = node.get(key)
                if not node:
                    return None
            elif isinstance(node, list) and isinstance(key, int) and -len(node) <= key < len(node):
                node = node[key]
                if not node:
                    return None
            else:
                return None
        return (*self.unknown_path, *keys) if node is True else None


class Deferred(NamedTuple):
    """A managed resource whose change Terraform put off to a later plan, and why."""

    resource: Resource
    reason: str


@dataclass(slots=True)
class Plan:
    """The future managed resources of one plan or state document."""

    doc: Document
    is_plan: bool
    resources: list[Resource] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    deferred: list[Deferred] = field(default_factory=list)
    _named: dict[tuple[str, str, str], list[Resource]] | None = None
    _configs: dict[tuple[str, ...], dict[str, dict[str, Any]] | None] = field(default_factory=dict)
    _by_type: dict[str, list[Resource]] = field(default_factory=dict)
    _typed: int = -1  # how many resources _by_type indexes

    def note(self, path: JsonPath, message: str, code: str, level: Level = Level.WARNING) -> None:
        self.diagnostics.append(Diagnostic(self.doc.locate(path), message, code, level))

    def of_type(self, *types: str) -> list[Resource]:
        """The resources of ``types``, in plan order (indexed: readers ask once per store)."""
        if self._typed != len(self.resources):
            self._by_type = {}
            for res in self.resources:
                self._by_type.setdefault(res.type, []).append(res)
            self._typed = len(self.resources)
        if len(types) == 1:
            return list(self._by_type.get(types[0], ()))
        if not any(t in self._by_type for t in types):
            return []
        return [r for r in self.resources if r.type in types]

    def expressions(self, res: Resource) -> dict[str, Any] | None:
        """The resource's block in ``configuration`` (``None`` when the plan has none)."""
        calls = tuple(module_calls(res.module))
        if calls not in self._configs:
            self._configs[calls] = _module_config(self.doc, calls)
        blocks = self._configs[calls]
        return None if blocks is None else blocks.get(f"{res.type}.{res.name}")

    def configured(self, res: Resource, attribute: str) -> bool | None:
        """Whether the configuration sets ``attribute`` (``None``: no configuration to ask)."""
        expressions = self.expressions(res)
        return None if expressions is None else attribute in expressions

    def unset_by_default(self, res: Resource, attribute: str) -> bool:
        """An unknown computed attribute that a created resource's configuration leaves unset.

        The provider fills such attributes with its default (no lifecycle rules, versioning off,
        DynamoDB's AWS-owned key), so they carry no setting of their own.
        """
        return res.action == "create" and self.configured(res, attribute) is False

    def referenced(self, res: Resource, keys: tuple[str | int, ...], *types: str) -> list[Resource]:
        """Resources of ``types`` that the configuration expression at ``keys`` refers to."""
        node: Any = self.expressions(res)
        for key in keys:
            if isinstance(node, list) and isinstance(key, int) and -len(node) <= key < len(node):
                node = node[key]
            elif isinstance(node, dict) and isinstance(key, str):
                node = node.get(key)
            else:
                return []
        refs = node.get("references") if isinstance(node, dict) else None
        found: list[Resource] = []
        for ref in refs if isinstance(refs, list) else ():
            if not isinstance(ref, str) or ref.startswith(_SKIP_REFERENCE):
                continue
            match = _REFERENCE.match(ref)
            if match is None or match.group(1) not in types:
                continue
            if self._named is None:
                self._named = {}
                for other in self.resources:
                    self._named.setdefault((other.module, other.type, other.name), []).append(other)
            named = self._named.get((res.module, match.group(1), match.group(2)), [])
            found.extend(other for other in named if other not in found)
        if len(found) > 1:
            same_index = [r for r in found if r.index == res.index]
            if len(same_index) == 1:
                return same_index
        return found


def _module_config(doc: Document, calls: tuple[str, ...]) -> dict[str, dict[str, Any]] | None:
    """``address -> expressions`` of the managed resources of one module's configuration."""
    node = doc.get(("configuration", "root_module"))
    for call in calls:
        node = _child(node, call)
    if not isinstance(node, dict):
        return None
    found: dict[str, dict[str, Any]] = {}
    for entry in node.get("resources") or ():
        if isinstance(entry, dict) and entry.get("mode", "managed") == "managed":
            expressions = entry.get("expressions")
            found.setdefault(
                str(entry.get("address")), expressions if isinstance(expressions, dict) else {}
            )
    return found


def _child(node: Any, call: str) -> Any:
    if not isinstance(node, dict):
        return None
    calls = node.get("module_calls")
    entry = calls.get(call) if isinstance(calls, dict) else None
    return entry.get("module") if isinstance(entry, dict) else None


def module_calls(module_address: str) -> list[str]:
    """``module.a["x"].module.b`` → ``["a", "b"]`` (instance keys dropped)."""
    calls: list[str] = []
    pos = 0
    while pos < len(module_address):
        match = _MODULE_STEP.match(module_address, pos)
        if match is None:
            break
        calls.append(match.group(1))
        pos = match.end()
    return calls


def read_plan(doc: Document) -> Plan:
    """Collect the future managed resources of ``doc``; problems become diagnostics."""
    data = doc.data
    plan = Plan(doc, is_plan=False)
    if not isinstance(data, dict):
        plan.note(
            (),
            "not a Terraform JSON document: expected an object at the top level "
            "(the output of `terraform show -json`)",
            "terraform-malformed",
            Level.ERROR,
        )
        return plan
    version = data.get("format_version")
    if not isinstance(version, str):
        # The raw state reader builds this module's Resources: import it here, not above.
        from checker.adapters.terraform.raw_state import is_raw_state, read_raw_state

        if is_raw_state(data):  # terraform.tfstate, or `terraform state pull`
            read_raw_state(plan, data)
            return plan
        plan.note(
            (),
            "no format_version: this does not look like `terraform show -json` output of a "
            "plan or state, nor like a state file",
            "terraform-malformed",
            Level.ERROR,
        )
        return plan
    if version.split(".")[0] not in ("0", "1"):
        plan.note(
            ("format_version",),
            f"unsupported Terraform JSON format_version {version!r}; "
            "this reader understands major versions 0 and 1",
            "terraform-unsupported",
            Level.ERROR,
        )
        return plan
    plan.is_plan = "planned_values" in data or "resource_changes" in data
    if plan.is_plan:
        _read_plan_sections(plan, data)
    else:
        root = data.get("values", {})
        module = root.get("root_module") if isinstance(root, dict) else None
        if module is not None:
            for planned in _walk_module(plan, module, ("values", "root_module"), ""):
                plan.resources.append(planned.resource())
    return plan


def _read_plan_sections(plan: Plan, data: dict[str, Any]) -> None:
    if data.get("errored") is True:
        # Planning stopped at the error: the resources it had not reached are missing, and a
        # promise would pass on those that remain, so nothing of this plan is used.
        where = plan.doc.locate(("errored",))
        plan.note(
            ("errored",),
            f"Terraform reported errors while planning (errored: true at {where}): this plan is "
            "incomplete and may lack resources the rules select, so it is not used; fix the "
            "errors and export a new plan",
            "terraform-errored-plan",
            Level.ERROR,
        )
        return
    if data.get("complete") is False:
        plan.note(
            ("complete",),
            "Terraform marks this plan incomplete: it leaves part of the work (deferred "
            "changes, or resources outside -target) to a later plan and apply, and does not "
            "say what that part will be",
            "terraform-incomplete-plan",
        )
    _read_deferred(plan, data.get("deferred_changes"))
    planned: dict[str, _Planned] = {}
    pv = data.get("planned_values")
    module = pv.get("root_module") if isinstance(pv, dict) else None
    if module is not None:
        for entry in _walk_module(plan, module, ("planned_values", "root_module"), ""):
            planned.setdefault(entry.address, entry)
    changes = data.get("resource_changes")
    if changes is None:
        plan.resources.extend(p.resource() for p in planned.values())
        return
    if not isinstance(changes, list):
        plan.note(
            ("resource_changes",),
            "resource_changes is not a list; reading planned_values instead",
            "terraform-malformed",
        )
        plan.resources.extend(p.resource() for p in planned.values())
        return
    seen: set[str] = set()
    for index, entry in enumerate(changes):
        path: JsonPath = ("resource_changes", index)
        changed = _from_change(plan, entry, path, planned)
        if isinstance(entry, dict) and isinstance(entry.get("address"), str):
            seen.add(entry["address"])
        if changed is not None:
            plan.resources.append(changed)
    plan.resources.extend(p.resource() for a, p in planned.items() if a not in seen)


def _read_deferred(plan: Plan, changes: Any) -> None:
    """The managed resources of ``deferred_changes`` that would exist after apply."""
    if changes is None:
        return
    if not isinstance(changes, list):
        plan.note(("deferred_changes",), "deferred_changes is not a list", "terraform-malformed")
        return
    for index, entry in enumerate(changes):
        path: JsonPath = ("deferred_changes", index)
        change = entry.get("resource_change") if isinstance(entry, dict) else None
        found = _from_change(plan, change, (*path, "resource_change"), {})
        if found is not None:
            reason = entry.get("reason")
            plan.deferred.append(Deferred(found, reason if isinstance(reason, str) else "unknown"))


def _from_change(
    plan: Plan, entry: Any, path: JsonPath, planned: dict[str, _Planned]
) -> Resource | None:
    if not _well_formed(plan, entry, path):
        return None
    if entry.get("mode", "managed") != "managed" or entry.get("deposed"):
        return None
    change = entry.get("change")
    if not isinstance(change, dict):
        plan.note(
            path,
            f"resource change {entry['address']} has no change object; skipped",
            "terraform-malformed",
        )
        return None
    after = change.get("after")
    if after is None:
        return None  # deleted or forgotten: not in the future system
    if not isinstance(after, dict):
        plan.note(
            (*path, "change", "after"),
            f"change.after of {entry['address']} is not an object; skipped",
            "terraform-malformed",
        )
        return None
    actions = change.get("actions")
    action = "create" if isinstance(actions, list) and "create" in actions else "update"
    if isinstance(actions, list) and actions == ["no-op"]:
        action = "no-op"
    twin = planned.get(entry["address"])
    return Resource(
        address=entry["address"],
        type=entry["type"],
        name=str(entry.get("name", "")),
        index=entry.get("index"),
        module=entry.get("module_address") or "",
        values=after,
        path=path,
        values_path=(*path, "change", "after"),
        unknown=change.get("after_unknown") or {},
        unknown_path=(*path, "change", "after_unknown"),
        action=action,
        twin_values=twin.values if twin else None,
        twin_values_path=(*twin.path, "values") if twin else None,
    )


def _well_formed(plan: Plan, entry: Any, path: JsonPath) -> bool:
    if (
        isinstance(entry, dict)
        and isinstance(entry.get("address"), str)
        and isinstance(entry.get("type"), str)
    ):
        return True
    plan.note(
        path, "resource entry without a string address and type; skipped", "terraform-malformed"
    )
    return False


class _Planned(NamedTuple):
    """A well-formed managed resource of a module's ``resources``. Most entries of a plan's
    ``planned_values`` only lend their values to the twin in ``resource_changes``: the
    :class:`Resource` is made only for those that are read as resources."""

    entry: dict[str, Any]
    values: dict[str, Any]
    path: JsonPath
    module: str

    @property
    def address(self) -> str:
        return str(self.entry["address"])

    def resource(self) -> Resource:
        entry = self.entry
        return Resource(
            address=entry["address"],
            type=entry["type"],
            name=str(entry.get("name", "")),
            index=entry.get("index"),
            module=self.module,
            values=self.values,
            path=self.path,
            values_path=(*self.path, "values"),
        )


def _walk_module(plan: Plan, module: Any, path: JsonPath, address: str) -> Iterator[_Planned]:
    if not isinstance(module, dict):
        plan.note(path, "module is not an object; skipped", "terraform-malformed")
        return
    resources = module.get("resources") or []
    for index, entry in enumerate(resources if isinstance(resources, list) else ()):
        rpath: JsonPath = (*path, "resources", index)
        if not _well_formed(plan, entry, rpath) or entry.get("mode", "managed") != "managed":
            continue
        if entry.get("deposed_key"):
            continue
        values = entry.get("values")
        if not isinstance(values, dict):
            plan.note(
                rpath,
                f"resource {entry['address']} has no values object; skipped",
                "terraform-malformed",
            )
            continue
        yield _Planned(entry, values, rpath, address)
    children = module.get("child_modules") or []
    for index, child in enumerate(children if isinstance(children, list) else ()):
        cpath: JsonPath = (*path, "child_modules", index)
        child_address = child.get("address") if isinstance(child, dict) else None
        yield from _walk_module(plan, child, cpath, child_address or address)
