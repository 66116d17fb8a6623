"""Tier facts from LaunchDarkly flag exports: REST flag objects and the SDK file data source.

Three shapes are read:

* a flag object of the REST API (``GET /api/v2/flags/{project}/{key}``), with its
  ``environments``; or a list of them (``GET /api/v2/flags/{project}``, ``{"items": [...]}``).
  The import's ``environment`` names the environment to read; it may be left out only when
  every flag has exactly one;
* the SDK file data source: ``flags`` (the same flag shape, without environments, whose
  ``variations`` are the values themselves) and ``flagValues`` (one value for every context).

A flag is evaluated as the SDKs do: an archived flag is not served at all (an error: the
application gets the fallback in its code); a flag that is off serves its ``offVariation`` (none:
the code fallback, not evidenced); otherwise prerequisites (resolved within the same export),
individual ``targets`` and ``contextTargets``, ``rules`` in order, then the ``fallthrough``.
Clauses on the tier attribute are decided with ``in``, ``startsWith``, ``endsWith`` and
``contains`` (and ``negate``); a clause on another attribute or context kind, another operator,
a segment, a percentage rollout or individual targets cannot be decided from the tier alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from checker.adapters import flag_rules
from checker.adapters.base import AdapterResult, EntryLocator
from checker.adapters.flag_rules import (
    Context,
    Outcome,
    Refused,
    Remark,
    Served,
    Unknown,
    describe,
    read_rules,
)
from checker.core.diagnostics import Diagnostic, JsonPath, Level
from checker.documents.document import Document
from checker.documents.problems import shown

MALFORMED = "launchdarkly-malformed"
# What the REST API's summary form of a flag leaves out of each environment; without them the
# targeting cannot be evaluated (an on flag would seem to serve its fallthrough to everyone).
_TARGETING = ("targets", "rules", "prerequisites")

_CLAUSE_OPERATORS: dict[str, Callable[[str, Any], bool]] = {
    "in": lambda tier, value: isinstance(value, str) and tier == value,
    "startsWith": lambda tier, value: isinstance(value, str) and tier.startswith(value),
    "endsWith": lambda tier, value: isinstance(value, str) and tier.endswith(value),
    "contains": lambda tier, value: isinstance(value, str) and value in tier,
}


@dataclass(frozen=True, slots=True)
class _Flag:
    """One flag as the SDKs see it in the chosen environment."""

    key: str
    path: JsonPath  # the flag object
    config: dict[str, Any]  # on, targets, rules, fallthrough, offVariation, prerequisites
    config_path: JsonPath
    values: list[tuple[Any, JsonPath]]  # variation index -> value and its place
    constant: bool = False  # a flagValues entry: its one value, served to every context
    summary: bool = False  # a REST object without its targeting (the API's summary form)
    environment: str | None = None


@dataclass(frozen=True, slots=True)
class _Pick:
    """A variation the evaluation serves; ``on`` says whether the flag was on (prerequisites
    are met only by a flag that is on)."""

    flag: _Flag
    index: int
    path: JsonPath
    how: str
    assumes: tuple[Unknown, ...]
    on: bool = True


_Result = _Pick | Unknown | Refused


@dataclass(slots=True)
class LaunchDarklyFlags:
    """The flags of one export, in one environment."""

    export: Document
    environment: str | None
    flags: dict[str, _Flag | Refused] = field(default_factory=dict)
    paths: dict[str, JsonPath] = field(default_factory=dict)
    # Every environment a REST flag of the export has, in order: a name none of them has is
    # a mistake of the import entry, said there.
    environments: dict[str, None] = field(default_factory=dict)

    def keys(self) -> list[str]:
        return list(self.flags)

    def find(self, key: str) -> JsonPath | None:
        return self.paths.get(key)

    def remarks(self, key: str) -> list[Remark]:
        flag = self.flags[key]
        if isinstance(flag, Refused) or flag.constant or flag.config.get("on") is True:
            return []
        where = f" in {shown(flag.environment)}" if flag.environment else ""
        path = (*flag.config_path, "on") if "on" in flag.config else flag.config_path
        message = (
            f"flag {shown(key)} is off{where}: every context gets its offVariation, "
            "whatever its targeting says"
        )
        return [Remark(path, message, "launchdarkly-flag-off")]

    def evaluate(self, key: str, context: Context) -> list[Outcome]:
        return [self._served(r) for r in self._results(key, context, ())]

    # -- reading the export ------------------------------------------------------------------

    def add_rest(self, item: Any, path: JsonPath) -> None:
        """A REST flag object; one without a key is no flag a rule can name, so it is left
        out (a rule naming a flag the export lacks is an error of its own)."""
        key = item.get("key") if isinstance(item, dict) else None
        if isinstance(key, str):
            self._add(key, path, self._rest_flag(key, item, path))

    def _rest_flag(self, key: str, item: dict[str, Any], path: JsonPath) -> _Flag | Refused:
        if item.get("archived") is True:
            return _archived((*path, "archived"))
        environments = item.get("environments")
        if not isinstance(environments, dict) or not environments:
            return Refused("the flag has no environments", path, MALFORMED)
        where = (*path, "environments")
        self.environments.update(dict.fromkeys(environments))
        names = ", ".join(shown(n) for n in environments)
        if self.environment is None:
            if len(environments) > 1:
                reason = (
                    f"the flag has several environments ({names}): name the one to read with "
                    "the import's environment"
                )
                return Refused(reason, where, "launchdarkly-environment")
            (environment,) = environments
        elif self.environment not in environments:
            reason = f"the flag has no environment {shown(self.environment)} (it has {names})"
            return Refused(reason, where, "launchdarkly-environment")
        else:
            environment = self.environment
        config = environments[environment]
        config_path = (*where, environment)
        if not isinstance(config, dict):
            return Refused("the environment is not an object", config_path, MALFORMED)
        if config.get("archived") is True:
            return _archived((*config_path, "archived"))
        variations = item.get("variations")
        if not isinstance(variations, list):
            return Refused("the flag has no variations", path, MALFORMED)
        values = []
        for i, variation in enumerate(variations):
            if not isinstance(variation, dict) or "value" not in variation:
                return Refused("a variation has no value", (*path, "variations", i), MALFORMED)
            values.append((variation["value"], (*path, "variations", i, "value")))
        summary = any(part not in config for part in _TARGETING)
        return _Flag(
            key, path, config, config_path, values, environment=environment, summary=summary
        )

    def add_sdk(self, flags: dict[str, Any], values: dict[str, Any]) -> None:
        for key, flag in flags.items():
            path: JsonPath = ("flags", key)
            self._add(key, path, self._sdk_flag(key, flag, path))
        for key, value in values.items():
            path = ("flagValues", key)
            if key in self.flags:
                reason = f"flag {shown(key)} is in both flags and flagValues"
                self.flags[key] = Refused(reason, path, MALFORMED)
                continue
            self._add(key, path, _Flag(key, path, {}, path, [(value, path)], constant=True))

    @staticmethod
    def _sdk_flag(key: str, flag: Any, path: JsonPath) -> _Flag | Refused:
        if not isinstance(flag, dict):
            return Refused("the flag is not an object", path, MALFORMED)
        if flag.get("deleted") is True or flag.get("archived") is True:
            return _archived((*path, "deleted" if flag.get("deleted") is True else "archived"))
        variations = flag.get("variations")
        if not isinstance(variations, list):
            return Refused("the flag has no variations", path, MALFORMED)
        values = [(v, (*path, "variations", i)) for i, v in enumerate(variations)]
        return _Flag(key, path, flag, path, values)

    def _add(self, key: str, path: JsonPath, flag: _Flag | Refused) -> None:
        if key in self.flags:
            flag = Refused(f"flag {shown(key)} appears more than once", path, MALFORMED)
        self.flags[key] = flag
        self.paths.setdefault(key, path)

    # -- evaluation --------------------------------------------------------------------------

    def _results(self, key: str, context: Context, seen: tuple[str, ...]) -> list[_Result]:
        flag = self.flags[key]
        if isinstance(flag, Refused):
            return [flag]
        config, where = flag.config, flag.config_path
        if flag.constant:
            how = "its flagValues entry, one value for every context"
            return [_Pick(flag, 0, flag.path, how, ())]
        if config.get("on") is not True:
            return [self._off(flag, (), "the flag is off")]
        if flag.summary:
            reason = (
                "the flag is on, but the export has no targets, rules or prerequisites for it: "
                "it is the API's summary form, which leaves them out (list flags with "
                "summary=0 to export them)"
            )
            return [Refused(reason, where, "launchdarkly-summary")]
        for j, prerequisite in enumerate(_list(config, "prerequisites")):
            met = self._prerequisite(
                flag, prerequisite, (*where, "prerequisites", j), context, seen
            )
            if isinstance(met, Unknown | Refused):
                return [met]
            if not met:
                why = f"prerequisite {shown(str(prerequisite.get('key')))} is not met"
                return [self._off(flag, (), why)]
        found: list[_Result] = []
        assumes: tuple[Unknown, ...] = ()
        for name in ("targets", "contextTargets"):
            for j, target in enumerate(_list(config, name)):
                path = (*where, name, j)
                if not isinstance(target, dict):
                    return [Refused("the target is not an object", path, MALFORMED)]
                keys = target.get("values") or []
                if not keys:
                    continue
                undecided = Unknown(
                    f"{name}[{j}] serves variation {describe(target.get('variation'))} to "
                    f"{len(keys)} individual context key(s) of kind "
                    f"{shown(str(target.get('contextKind') or 'user'))}, and which contexts of "
                    "a tier those are is not in the export",
                    path,
                )
                how = f"individual {name}[{j}]"
                found.append(self._variation(flag, target, path, how, (*assumes, undecided)))
                assumes = (*assumes, undecided)
        for j, rule in enumerate(_list(config, "rules")):
            path = (*where, "rules", j)
            if not isinstance(rule, dict):
                return [Refused("the rule is not an object", path, MALFORMED)]
            match = self._rule_matches(rule, path, context)
            if match is False:
                continue
            rule_id = rule.get("_id") or rule.get("id")
            how = f"rule {j + 1}" + (f" ({shown(str(rule_id))})" if rule_id else "")
            if match is True:
                return [*found, self._serve(flag, rule, path, how, assumes)]
            found.append(self._serve(flag, rule, path, how, (*assumes, match)))
            assumes = (*assumes, match)
        fallthrough = config.get("fallthrough")
        path = (*where, "fallthrough")
        if not isinstance(fallthrough, dict):
            return [*found, Refused("the flag has no fallthrough", where, MALFORMED)]
        return [
            *found,
            self._serve(flag, fallthrough, path, "the fallthrough (default rule)", assumes),
        ]

    def _prerequisite(
        self,
        flag: _Flag,
        prerequisite: Any,
        path: JsonPath,
        context: Context,
        seen: tuple[str, ...],
    ) -> bool | Unknown | Refused:
        """Whether a prerequisite is met: its flag, in the same export, is on and serves the
        variation asked for, for every context of the tier."""
        if not isinstance(prerequisite, dict):
            return Refused("the prerequisite is not an object", path, MALFORMED)
        key = prerequisite.get("key")
        if key == flag.key or key in seen:
            return Unknown(f"prerequisites form a cycle through {shown(str(key))}", path)
        if not isinstance(key, str) or key not in self.flags:
            reason = (
                f"prerequisite {shown(str(key))} is not in this export, so whether it is met "
                "cannot be decided"
            )
            return Unknown(reason, path)
        results = self._results(key, context, (*seen, flag.key))
        for result in results:
            if isinstance(result, Unknown | Refused):
                reason = f"prerequisite {shown(key)} cannot be decided: {result.reason}"
                return Unknown(reason, result.path)
        met = {
            r.on and r.index == prerequisite.get("variation")
            for r in results
            if isinstance(r, _Pick)
        }
        if len(met) > 1:
            reason = f"prerequisite {shown(key)} is met for some contexts of the tier only"
            return Unknown(reason, path)
        return met.pop()

    @staticmethod
    def _rule_matches(rule: dict[str, Any], path: JsonPath, context: Context) -> bool | Unknown:
        """All clauses must match; a known mismatch settles it even beside an unknown one."""
        undecided: Unknown | None = None
        for k, clause in enumerate(_list(rule, "clauses")):
            match = _clause_matches(clause, (*path, "clauses", k), context)
            if match is False:
                return False
            if isinstance(match, Unknown):
                undecided = undecided or match
        return undecided or True

    def _off(self, flag: _Flag, assumes: tuple[Unknown, ...], why: str) -> _Result:
        config, where = flag.config, flag.config_path
        if config.get("offVariation") is None:
            reason = (
                f"{why}, and there is no offVariation: applications get the fallback value in "
                "their code, which the export does not record"
            )
            return Unknown(reason, (*where, "on") if "on" in config else where)
        pick = self._variation(
            flag, config, where, f"its offVariation ({why})", assumes, "offVariation"
        )
        return (
            _Pick(pick.flag, pick.index, pick.path, pick.how, assumes, on=False)
            if isinstance(pick, _Pick)
            else pick
        )

    def _serve(
        self,
        flag: _Flag,
        holder: dict[str, Any],
        path: JsonPath,
        how: str,
        assumes: tuple[Unknown, ...],
    ) -> _Result:
        """The variation a rule or the fallthrough serves (a rollout serves none for sure)."""
        if "rollout" in holder and holder.get("variation") is None:
            reason = (
                f"{how} is a percentage rollout: which variation a context gets depends on a hash "
                "of its key, not on its tier"
            )
            return Unknown(reason, (*path, "rollout"))
        return self._variation(flag, holder, path, how, assumes)

    @staticmethod
    def _variation(
        flag: _Flag,
        holder: dict[str, Any],
        path: JsonPath,
        how: str,
        assumes: tuple[Unknown, ...],
        key: str = "variation",
    ) -> _Pick | Refused:
        index = holder.get(key)
        if (
            isinstance(index, bool)
            or not isinstance(index, int)
            or not 0 <= index < len(flag.values)
        ):
            reason = (
                f"{key} {describe(index)} is not an index of the flag's "
                f"{len(flag.values)} variations"
            )
            return Refused(reason, (*path, key) if key in holder else path, MALFORMED)
        return _Pick(flag, index, (*path, key), how, assumes)

    @staticmethod
    def _served(result: _Result) -> Outcome:
        if not isinstance(result, _Pick):
            return result
        value, _ = result.flag.values[result.index]
        return Served(value, result.path, result.how, result.assumes)


def _clause_matches(clause: Any, path: JsonPath, context: Context) -> bool | Unknown:
    if not isinstance(clause, dict):
        return Unknown("the clause is not an object", path)
    op = clause.get("op")
    if op == "segmentMatch":
        return Unknown(
            "the clause tests segment membership, which depends on context keys and segment "
            "rules this reader does not resolve",
            path,
        )
    attribute = clause.get("attribute")
    kind = clause.get("contextKind") or "user"
    if attribute not in (context.attribute, "/" + context.attribute) or kind != context.kind:
        return Unknown(
            f"the clause tests attribute {shown(str(attribute))} of context kind {shown(kind)}; "
            f"only {shown(context.attribute)} of kind {shown(context.kind)} is known for a tier",
            path,
        )
    test = _CLAUSE_OPERATORS.get(op) if isinstance(op, str) else None
    if test is None:
        return Unknown(f"operator {shown(str(op))} is not evaluated", (*path, "op"))
    values = clause.get("values")
    matched = isinstance(values, list) and any(test(context.value, v) for v in values)
    return matched != (clause.get("negate") is True)


def _list(holder: dict[str, Any], key: str) -> list[Any]:
    value = holder.get(key)
    return value if isinstance(value, list) else []


def _archived(path: JsonPath) -> Refused:
    reason = (
        "the flag is archived: LaunchDarkly serves no value for it, so applications get the "
        "fallback value in their code, which the export does not record"
    )
    return Refused(reason, path, "launchdarkly-archived")


class LaunchDarklyAdapter:
    """The ``launchdarkly`` adapter."""

    name = "launchdarkly"
    description = (
        "LaunchDarkly REST flag objects and SDK flag files: each tier's training default "
        "from a flag"
    )
    required = ("rules",)
    indexed_lists = ()
    entry_schema: ClassVar[dict[str, Any]] = flag_rules.entry_schema(
        {
            "context_kind": {
                "description": "The context kind whose attribute names the tier (default user).",
                "$ref": "#/$defs/text",
            }
        },
        {
            "environment": {
                "description": (
                    "The environment to read from REST flag objects (required when a flag has "
                    "several)."
                ),
                "$ref": "#/$defs/text",
            }
        },
    )

    def read(
        self,
        export: Document,
        entry: dict[str, Any],
        locate_entry: EntryLocator,
    ) -> AdapterResult:
        data = export.data
        environment = entry.get("environment")
        flags = LaunchDarklyFlags(export, environment)
        notes: list[Diagnostic] = []
        if isinstance(data, dict) and isinstance(data.get("items"), list):
            for i, item in enumerate(data["items"]):
                flags.add_rest(item, ("items", i))
        elif isinstance(data, dict) and "environments" in data and "variations" in data:
            flags.add_rest(data, ())
        elif isinstance(data, dict) and _sdk_file(data):
            flags.add_sdk(data.get("flags") or {}, data.get("flagValues") or {})
            if environment is not None:
                message = (
                    "environment is not used: an SDK flag file has no environments "
                    "(it holds the flags of one)"
                )
                notes.append(
                    Diagnostic(
                        locate_entry(("environment",)),
                        message,
                        "launchdarkly-environment",
                        Level.WARNING,
                    )
                )
        else:
            message = "not a LaunchDarkly flag export: " + (
                "its flags have state and variants, as flagd flags do (use the flagd adapter)"
                if isinstance(data, dict) and _flagd_file(data)
                else "expected a REST flag object (with variations and environments), a list of "
                "them under items, or an SDK flag file (flags, flagValues, segments)"
            )
            return AdapterResult([], [Diagnostic(export.locate(()), message, MALFORMED)], False)
        if environment is not None and flags.environments and environment not in flags.environments:
            known = ", ".join(shown(str(n)) for n in flags.environments)
            message = (
                f"no flag of the export has environment {shown(str(environment))} "
                f"(its flags have {known})"
            )
            notes.append(
                Diagnostic(locate_entry(("environment",)), message, "launchdarkly-environment")
            )
        result = read_rules(flags, entry, locate_entry)
        return AdapterResult(result.items, notes + result.diagnostics)


def _sdk_file(data: dict[str, Any]) -> bool:
    parts = [data[k] for k in ("flags", "flagValues", "segments") if k in data]
    return bool(parts) and all(isinstance(p, dict) for p in parts) and not _flagd_file(data)


def _flagd_file(data: dict[str, Any]) -> bool:
    """Whether the ``flags`` are flagd's (``state`` and ``variants``, no ``variations``): both
    formats have a top-level ``flags``, and reading one as the other would only say that
    every flag is malformed."""
    flags = data.get("flags")
    return isinstance(flags, dict) and any(
        isinstance(f, dict) and "variants" in f and "state" in f and "variations" not in f
        for f in flags.values()
    )


ADAPTER = LaunchDarklyAdapter()
