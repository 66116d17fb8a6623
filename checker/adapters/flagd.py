"""Tier facts from an OpenFeature flagd flag file (``https://flagd.dev/schema/v0/flags.json``).

Each flag is evaluated as flagd does: a ``DISABLED`` flag does not exist for flagd (the
application gets the default in its own code, which the file does not record) — an error, never
read as its ``defaultVariant``; otherwise the ``targeting`` (JsonLogic, see
:mod:`checker.adapters.jsonlogic`) is evaluated with a context holding the tier attribute alone,
and picks a variant by name. A result of ``null`` (or no targeting) means ``defaultVariant``;
``defaultVariant: null`` or none means the code default: not evidenced. A boolean result names
the variant ``"true"`` or ``"false"``, as flagd reads it.
"""

from __future__ import annotations

from typing import Any, ClassVar

from checker.adapters import flag_rules, jsonlogic
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
from checker.core.diagnostics import Diagnostic, JsonPath
from checker.documents.document import Document
from checker.documents.problems import shown


class FlagdFlags:
    """The flags of one flagd file."""

    def __init__(self, export: Document) -> None:
        self.export = export
        self.flags: dict[str, Any] = export.data["flags"]
        evaluators = export.data.get("$evaluators")
        self.evaluators: dict[str, Any] = evaluators if isinstance(evaluators, dict) else {}

    def keys(self) -> list[str]:
        return list(self.flags)

    def find(self, key: str) -> JsonPath | None:
        return ("flags", key) if key in self.flags else None

    def remarks(self, key: str) -> list[Remark]:
        return []

    def evaluate(self, key: str, context: Context) -> list[Outcome]:
        path: JsonPath = ("flags", key)
        flag = self.flags[key]
        if not isinstance(flag, dict):
            return [Refused("the flag is not an object", path, "flagd-malformed")]
        state = flag.get("state")
        if state == "DISABLED":
            reason = (
                "the flag is DISABLED: flagd answers as if it did not exist (FLAG_NOT_FOUND), "
                "so applications get the default written in their code, which the file does "
                "not record; its defaultVariant is not served"
            )
            return [Refused(reason, (*path, "state"), "flagd-disabled")]
        if state != "ENABLED":
            what = "the flag has no state" if state is None else f"state is {describe(state)}"
            reason = f"{what}; flagd reads only ENABLED or DISABLED"
            return [Refused(reason, (*path, "state"), "flagd-malformed")]
        variants = flag.get("variants")
        if not isinstance(variants, dict) or not variants:
            reason = "the flag has no variants (an object of variant name -> value)"
            return [Refused(reason, (*path, "variants"), "flagd-malformed")]
        targeting = flag.get("targeting")
        if targeting is None or targeting == {}:
            return [self._variant(flag, path, None, path, ())]
        scope = jsonlogic.Scope(context.attribute, context.value, key, self.evaluators)
        return [
            self._variant(flag, path, b.value, b.path, b.assumes)
            for b in jsonlogic.branches(targeting, (*path, "targeting"), scope)
        ]

    def _variant(
        self,
        flag: dict[str, Any],
        path: JsonPath,
        result: Any,
        where: JsonPath,
        assumes: tuple[Unknown, ...],
    ) -> Outcome:
        """The variant a targeting result names, as flagd resolves it."""
        if isinstance(result, Unknown):
            return result
        variants: dict[str, Any] = flag["variants"]
        if result is None:
            default = flag.get("defaultVariant")
            if default is None:
                reason = (
                    "no variant applies and the flag has no defaultVariant: applications get "
                    "the default written in their code, which the file does not record"
                )
                return Unknown(
                    reason, (*path, "defaultVariant") if "defaultVariant" in flag else path
                )
            if not isinstance(default, str) or default not in variants:
                reason = f"defaultVariant {shown(str(default))} is not one of the flag's variants"
                return Unknown(reason, (*path, "defaultVariant"))
            how = f"its defaultVariant {shown(default)}"
            return Served(variants[default], (*path, "defaultVariant"), how, assumes)
        if isinstance(result, bool):
            result = "true" if result else "false"
        if not isinstance(result, str):
            return Unknown(f"the targeting gives {describe(result)}, not a variant name", where)
        if result not in variants:
            return Unknown(
                f"the targeting picks variant {shown(result)}, which the flag lacks", where
            )
        return Served(
            variants[result], where, f"variant {shown(result)} from its targeting", assumes
        )


class FlagdAdapter:
    """The ``flagd`` adapter."""

    name = "flagd"
    description = "OpenFeature flagd flag files: each tier's training default from a flag"
    required = ("rules",)
    indexed_lists = ()  # flags are a mapping, located by name
    entry_schema: ClassVar[dict[str, Any]] = flag_rules.entry_schema({}, {})

    def read(
        self,
        export: Document,
        entry: dict[str, Any],
        locate_entry: EntryLocator,
    ) -> AdapterResult:
        data = export.data
        flags = data.get("flags") if isinstance(data, dict) else None
        if not isinstance(flags, dict) or _launchdarkly_flags(flags):
            message = "not a flagd flag file: " + (
                "its flags have variations and no state, as LaunchDarkly flags do (use the "
                "launchdarkly adapter)"
                if isinstance(flags, dict)
                else "expected an object whose 'flags' is an object of flag key -> flag "
                "(https://flagd.dev/schema/v0/flags.json)"
            )
            where = export.locate(("flags",))
            return AdapterResult([], [Diagnostic(where, message, "flagd-malformed")], False)
        return read_rules(FlagdFlags(export), entry, locate_entry)


def _launchdarkly_flags(flags: dict[str, Any]) -> bool:
    """Whether the flags are a LaunchDarkly SDK file's (``variations``, no ``state``): both
    formats have a top-level ``flags``."""
    return any(
        isinstance(f, dict) and "variations" in f and "state" not in f for f in flags.values()
    )


ADAPTER = FlagdAdapter()
