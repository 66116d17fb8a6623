"""Tier facts from feature flags: what every flag adapter shares.

A flag adapter (flagd, LaunchDarkly) knows how its platform evaluates a flag; this module knows
what the snapshot needs from it. The import entry's ``rules`` name a flag, the context attribute
that carries the tier, the tiers to evaluate it for, and what each value the flag serves means::

    rules:
      - flag: train-on-conversations
        tier_attribute: plan
        tiers: [free, pro, max, team]
        training_default: {"true": trained, "false": opt_in}
        training_control_exposed: {"true": true, "false": true}

The flag is evaluated once per tier, with a context that holds the tier attribute alone. The
adapter answers with every outcome the export allows (:class:`Served`, :class:`Unknown`,
:class:`Refused`): more than one when a condition cannot be decided from the tier (an individual
target, a clause on another attribute) and the evaluation goes on both ways. A tier gets a fact
only when every outcome is served and all of them map to the same fact; anything else is
reported, never guessed:

* an outcome the export cannot decide (a percentage rollout, an attribute other than the
  tier's, an operator not evaluated, an unresolvable prerequisite or segment, an unknown
  variant, a code default): *not evidenced*, a warning at the place in the export;
* the platform serves nothing from the export (a disabled or archived flag, a malformed one): an
  error at the place in the export;
* a flag the export lacks, a served value the rule's map does not cover, a fact two rules give:
  an error at the rule in the snapshot.

Map keys are the served value as text: ``"true"``/``"false"`` for booleans, the string itself,
a number as JSON writes it, ``"null"``. Keys are quoted in YAML (``"true": trained``), because a
bare ``true`` is not text.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from checker.adapters.base import AdapterResult, EntryLocator, Imported
from checker.core.diagnostics import Diagnostic, JsonPath, Level, Location
from checker.documents.document import Document
from checker.documents.problems import shown

TRAINING_DEFAULTS = ("trained", "not_trained", "opt_in")

# Rule key -> the snapshot tier field it gives.
FIELDS: dict[str, JsonPath] = {
    "training_default": ("training_default",),
    "training_control_exposed": ("training_control", "exposed"),
}


@dataclass(frozen=True, slots=True)
class Context:
    """The evaluation context of one tier: its attribute and nothing else."""

    attribute: str
    value: str
    kind: str = "user"  # LaunchDarkly's context kind; flagd has none


@dataclass(frozen=True, slots=True)
class Unknown:
    """An outcome (or a condition on the way to one) the export cannot decide for the tier."""

    reason: str
    path: JsonPath


@dataclass(frozen=True, slots=True)
class Served:
    """A value the flag serves: ``path`` is where the export decides it, ``how`` says which part
    of the flag did (for messages), ``assumes`` are the undecided conditions on the way."""

    value: Any
    path: JsonPath
    how: str
    assumes: tuple[Unknown, ...] = ()


@dataclass(frozen=True, slots=True)
class Refused:
    """The platform serves no value from the export (disabled, archived, malformed flag)."""

    reason: str
    path: JsonPath
    code: str


Outcome = Served | Unknown | Refused


@dataclass(frozen=True, slots=True)
class Remark:
    """Something about a flag as a whole that a reader should know (e.g. it is off)."""

    path: JsonPath
    message: str
    code: str


class FlagSet(Protocol):
    """The flags of one export, as its platform evaluates them."""

    export: Document

    def keys(self) -> list[str]: ...

    def find(self, key: str) -> JsonPath | None: ...

    def evaluate(self, key: str, context: Context) -> list[Outcome]: ...

    def remarks(self, key: str) -> list[Remark]: ...


def value_key(value: Any) -> str | None:
    """A served value as a map key; ``None`` for objects and lists, which no key names."""
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return json.dumps(value)
    return None


def describe(value: Any, limit: int = 80) -> str:
    """A value from an export for a message, as JSON writes it, on one line and shortened."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= limit else text[:limit] + "…"


# -- the import entry's schema --------------------------------------------------------------


def entry_schema(rule_extra: dict[str, Any], entry_extra: dict[str, Any]) -> dict[str, Any]:
    """The JSON Schema of a flag adapter's entry keys besides ``adapter`` and ``path``: its
    ``rules`` (with the adapter's own rule keys) and the adapter's own entry keys. It is part of
    the snapshot schema, whose ``$defs`` it refers to."""
    rule = {
        "description": "A flag evaluated once per tier, and what each value it serves means.",
        "type": "object",
        "additionalProperties": False,
        "required": ["flag", "tier_attribute", "tiers"],
        "anyOf": [{"required": [name]} for name in FIELDS],
        "properties": {
            "flag": {"description": "The flag key.", "$ref": "#/$defs/text"},
            "tier_attribute": {
                "description": "The evaluation-context attribute whose value is the tier.",
                "$ref": "#/$defs/text",
            },
            "tiers": {
                "description": "Tier ids; the flag is evaluated once for each, as the value of "
                "tier_attribute.",
                "type": "array",
                "minItems": 1,
                "uniqueItems": True,
                "items": {"$ref": "#/$defs/identifier"},
            },
            "training_default": {
                "description": 'What each value the flag serves (written as text: "true", '
                '"opt-in", "3") means for the tier\'s training_default.',
                "type": "object",
                "minProperties": 1,
                "additionalProperties": {"enum": list(TRAINING_DEFAULTS)},
            },
            "training_control_exposed": {
                "description": "What each value the flag serves (written as text) means for "
                "the tier's training_control.exposed.",
                "type": "object",
                "minProperties": 1,
                "additionalProperties": {"type": "boolean"},
            },
            **rule_extra,
        },
    }
    return {
        "rules": {
            "description": "The flags to read, each for the tiers it names. A flag the export "
            "lacks, a value a map does not cover and a flag that cannot be evaluated for a "
            "tier are reported; the tier then gets no fact from the rule.",
            "type": "array",
            "minItems": 1,
            "items": rule,
        },
        **entry_extra,
    }


# -- from outcomes to tier facts ------------------------------------------------------------


@dataclass(slots=True)
class _Tier:
    data: dict[str, Any]
    origin: JsonPath
    field_origins: dict[JsonPath, JsonPath] = field(default_factory=dict)
    given_by: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Problem:
    """Why a tier gets no fact from a rule: said at ``path`` in the export, or at the rule's
    ``rule_key`` in the snapshot. Tiers with the same problem share one diagnostic."""

    code: str
    level: Level
    message: str
    path: JsonPath | None = None
    rule_key: str | None = None


def _not_evidenced(message: str, path: JsonPath) -> _Problem:
    return _Problem("flag-not-evidenced", Level.WARNING, f"not evidenced: {message}", path)


@dataclass(slots=True)
class _Reader:
    flags: FlagSet
    rules: Sequence[dict[str, Any]]
    locate_entry: EntryLocator
    tiers: dict[str, _Tier] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def run(self) -> AdapterResult:
        for index, rule in enumerate(self.rules):
            self._rule(index, rule)
        items = [
            Imported("tiers", tier.data, tier.origin, tier.field_origins)
            for tier in self.tiers.values()
        ]
        return AdapterResult(items, self.diagnostics)

    def _rule(self, index: int, rule: dict[str, Any]) -> None:
        key = rule["flag"]
        flag_path = self.flags.find(key)
        if flag_path is None:
            self._missing_flag(index, key)
            return
        export = self.flags.export
        for remark in self.flags.remarks(key):
            self._note(export.locate(remark.path), remark.message, remark.code, Level.WARNING)
        grouped: dict[_Problem, list[str]] = {}
        for tier in rule["tiers"]:
            context = Context(rule["tier_attribute"], tier, rule.get("context_kind", "user"))
            outcomes = self.flags.evaluate(key, context)
            for problem in self._judge(index, rule, tier, outcomes, flag_path):
                grouped.setdefault(problem, []).append(tier)
        for problem, tiers in grouped.items():
            label = "tier" if len(tiers) == 1 else "tiers"
            text = f"rule {index + 1} (flag {shown(key)}), for {label} {', '.join(tiers)}: "
            if problem.rule_key is not None:
                where = self.locate_entry(("rules", index, problem.rule_key))
            else:
                where = export.locate(problem.path or flag_path)
            self._note(where, text + problem.message, problem.code, problem.level)

    def _judge(
        self,
        index: int,
        rule: dict[str, Any],
        tier: str,
        outcomes: list[Outcome],
        flag_path: JsonPath,
    ) -> list[_Problem]:
        """Problems of one tier's outcomes; records each fact that has none."""
        problems: list[_Problem] = []
        for outcome in outcomes:
            if isinstance(outcome, Refused):
                problems.append(_Problem(outcome.code, Level.ERROR, outcome.reason, outcome.path))
            elif isinstance(outcome, Unknown):
                problems.append(_not_evidenced(outcome.reason, outcome.path))
        if problems:
            return problems
        served = [o for o in outcomes if isinstance(o, Served)]
        for name in FIELDS:
            mapping = rule.get(name)
            if mapping is None:
                continue
            facts: list[tuple[Any, Served]] = []
            for outcome in served:
                text = value_key(outcome.value)
                if text is None or text not in mapping:
                    where = self.flags.export.locate(outcome.path)
                    message = (
                        f"the flag serves {describe(outcome.value)} ({outcome.how}, at {where}), "
                        f"which {name} does not map (it maps {_keys(mapping)})"
                    )
                    problems.append(
                        _Problem("flag-value-unmapped", Level.ERROR, message, rule_key=name)
                    )
                    break
                facts.append((mapping[text], outcome))
            else:
                problem = self._fact(index, tier, name, facts, flag_path)
                if problem is not None:
                    problems.append(problem)
        return problems

    def _fact(
        self,
        index: int,
        tier: str,
        name: str,
        facts: list[tuple[Any, Served]],
        flag_path: JsonPath,
    ) -> _Problem | None:
        """Record the tier's fact for ``name`` when every outcome gives the same one."""
        distinct = list(dict.fromkeys(json.dumps(fact) for fact, _ in facts))
        if len(distinct) > 1:
            assumed = [u for _, served in facts for u in served.assumes]
            reasons = "; ".join(dict.fromkeys(u.reason for u in assumed))
            message = (
                f"{name} is {' or '.join(distinct)} depending on what the export cannot decide "
                f"for a tier alone ({reasons})"
            )
            return _not_evidenced(message, assumed[0].path if assumed else facts[0][1].path)
        value, served = facts[0]
        entry = self.tiers.get(tier)
        if entry is None:
            entry = self.tiers[tier] = _Tier({"id": tier}, flag_path)
        earlier = entry.given_by.get(name)
        if earlier is not None:
            message = (
                f"{name} is already given by rule {earlier + 1}; each fact comes from one rule"
            )
            return _Problem("flag-duplicate-fact", Level.ERROR, message, rule_key=name)
        entry.given_by[name] = index
        target = FIELDS[name]
        node = entry.data
        for step in target[:-1]:
            node = node.setdefault(str(step), {})
        node[str(target[-1])] = value
        entry.field_origins[target] = served.path
        if len(target) > 1:
            entry.field_origins.setdefault(target[:-1], served.path)
        return None

    def _missing_flag(self, index: int, key: str) -> None:
        known = self.flags.keys()
        close = difflib.get_close_matches(key, known, n=1)
        hint = f"; did you mean {shown(close[0])}?" if close else ""
        count = f"{len(known)} flag" + ("" if len(known) == 1 else "s")
        message = (
            f"rule {index + 1}: flag {shown(key)} is not in {self.flags.export.name} "
            f"(it has {count}){hint}; no tier gets a fact from this rule"
        )
        self._note(self.locate_entry(("rules", index, "flag")), message, "flag-missing")

    def _note(self, where: Location, message: str, code: str, level: Level = Level.ERROR) -> None:
        self.diagnostics.append(Diagnostic(where, message, code, level))


def _keys(mapping: dict[str, Any]) -> str:
    return ", ".join(shown(k) for k in mapping)


def read_rules(flags: FlagSet, entry: dict[str, Any], locate_entry: EntryLocator) -> AdapterResult:
    """The tier facts the entry's rules read from ``flags``, with every problem reported."""
    return _Reader(flags, list(entry["rules"]), locate_entry).run()
