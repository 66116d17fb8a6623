"""The policy schema, generated from the clause sections, and the lists other schemas take
from them.

``policies/schemas/policy.schema.json`` is the file users and editors point at, but it is not
edited by hand: :data:`BASE` holds what belongs to no clause section (the top-level keys,
metadata, the vocabulary, shared definitions), and each section's ``CHECK`` record adds the
section's list, its clause definition (the fields every clause has, then the section's
fragment) and the definitions the fragment brings. Two lists of hand-written schemas come from
the sections too: the scorecard areas in ``results.schema.json`` and the sections a framework
file may name in ``framework.schema.json``.

    python -m checker.checks.schema          # rewrite the files that are out of date
    python -m checker.checks.schema --check  # exit 1, naming them, if any is

A test fails when a file differs from what the sections produce.
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from collections.abc import Iterable, Sequence
from importlib import resources
from pathlib import Path

import reports
from checker.adapters import registry
from checker.checks import CHECKS, areas_of
from checker.checks.base import (
    CLAUSE_DEPENDENCIES,
    Check,
    Confidence,
    IfNotEvidenced,
    Schema,
    SourceKind,
    clause_fields,
    options,
)
from checker.core.results import Severity

# The fragment keys the clause definition is built from; any other keyword is copied as is.
_BUILT = ("description", "required", "properties", "$defs")

# The policy schema apart from the clause sections: the top-level keys, metadata, the
# vocabulary and the definitions clauses share. policy_schema() adds the sections.
BASE: Schema = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://policy-checker.dev/schemas/policy/v2.json",
    "title": "policy-checker policy, language v2",
    "description": (
        "Privacy promises as code: a vocabulary of tiers, data kinds, sensitive categories and "
        "roles, and lists of clauses, one list per kind of promise. Each clause is checked "
        "against snapshots of the real system configuration. Documented in "
        "docs/policy-language.md."
    ),
    "type": "object",
    "additionalProperties": False,
    "required": ["policy_checker", "metadata", "vocabulary"],
    "properties": {
        "policy_checker": {
            "description": (
                "Version of the policy language: 2 (policy_checker: 1 documents are read with "
                "the frozen policy.v1.schema.json; policy-check upgrade rewrites them). It also "
                "marks the file as a policy."
            ),
            "const": 2,
        },
        "metadata": {
            "description": "What the policy is, who owns it and since when it applies.",
            "$ref": "#/$defs/metadata",
        },
        "vocabulary": {"description": "The names the clauses use.", "$ref": "#/$defs/vocabulary"},
    },
    "$defs": {
        "identifier": {
            "description": "A lower-case identifier: a letter, then letters, digits, '_' or '-'.",
            "type": "string",
            "pattern": "^[a-z][a-z0-9_-]*$",
        },
        "text": {"description": "Non-empty text.", "type": "string", "minLength": 1},
        "duration": {
            "description": (
                "A duration: '30d', '72h', '5y', '6mo', ISO 8601 'P5Y' or 'PT72H', or "
                "'indefinite'. Years and months compare as months; against days, a month is the "
                "average month (365.2425/12 days), its total rounded to whole days: 18mo = 548d."
            ),
            "type": "string",
            "format": "duration",
        },
        "date": {
            "description": "An ISO 8601 date, YYYY-MM-DD.",
            "type": "string",
            "format": "date",
        },
        "setting_value": {
            "description": (
                "A value of a user setting: a duration ('18mo'), 'off', 'on' or another "
                "identifier. Quote off and on: unquoted, YAML reads them as true and false."
            ),
            "anyOf": [{"$ref": "#/$defs/duration"}, {"$ref": "#/$defs/identifier"}],
        },
        "severity": {
            "description": "A severity: info, low, medium, high or critical.",
            "enum": [severity.value for severity in Severity],
        },
        "clause_id": {
            "description": "A clause identifier, unique across the policy.",
            "$ref": "#/$defs/identifier",
        },
        "statement": {
            "description": "The promise in plain words.",
            "type": "string",
            "minLength": 1,
        },
        "remediation": {
            "description": "What to do when the clause fails.",
            "type": "string",
            "minLength": 1,
        },
        "if_not_evidenced": {
            "description": (
                "What a promise without evidence counts as: fail (default), warn (reported, not "
                "blocking, severity info) or pass."
            ),
            "enum": options(IfNotEvidenced),
        },
        "references": {
            "description": "Regulation or standard references, e.g. 'ISO/IEC 27001 A.8.24'.",
            "type": "array",
            "minItems": 1,
            "uniqueItems": True,
            "items": {"description": "A reference.", "$ref": "#/$defs/text"},
        },
        "source": {
            "description": (
                "Where a promise was published: the document (or its url), when, the words "
                "quoted, and whether it is the provider's own text (primary) or a report of it "
                "(secondary)."
            ),
            "type": "object",
            "additionalProperties": False,
            "anyOf": [{"required": ["document"]}, {"required": ["url"]}],
            "properties": {
                "document": {
                    "description": "Title of the document, e.g. 'Consumer Terms of Service'.",
                    "$ref": "#/$defs/text",
                },
                "url": {"description": "Where the document is published.", "$ref": "#/$defs/text"},
                "date": {
                    "description": "When the document was published or last updated.",
                    "$ref": "#/$defs/date",
                },
                "quote": {
                    "description": "The sentence the clause encodes, word for word.",
                    "$ref": "#/$defs/text",
                },
                "kind": {
                    "description": (
                        "primary: the provider's own text; secondary: a report of it (press, "
                        "analysis)."
                    ),
                    "enum": options(SourceKind),
                },
            },
        },
        "confidence": {
            "description": (
                "How sure the policy is that the provider promises this: confirmed (a primary "
                "source says it), secondary (only secondary sources do), unconfirmed (no source "
                "confirms it yet), conflict (sources disagree: the clause fails until a person "
                "resolves it)."
            ),
            "enum": options(Confidence),
        },
        "metadata": {
            "description": "What the policy is, who owns it and since when it applies.",
            "type": "object",
            "additionalProperties": False,
            "required": ["id", "title", "version", "effective", "owner"],
            "properties": {
                "id": {
                    "description": (
                        "Identifier of the policy; findings name it, waivers and later policies "
                        "refer to it."
                    ),
                    "$ref": "#/$defs/identifier",
                },
                "title": {"description": "Title shown in reports.", "$ref": "#/$defs/text"},
                "version": {
                    "description": 'Version of the policy, as text (quote it: "2.0").',
                    "$ref": "#/$defs/text",
                },
                "effective": {
                    "description": (
                        "Date from which the policy applies, YYYY-MM-DD. Checked before it, the "
                        "policy is not in force: its findings are shown as info, not blocking."
                    ),
                    "$ref": "#/$defs/date",
                },
                "expires": {
                    "description": (
                        "Last day the policy applies, YYYY-MM-DD. Checked after it, the policy "
                        "is no longer in force: its findings are shown as info, not blocking."
                    ),
                    "$ref": "#/$defs/date",
                },
                "supersedes": {
                    "description": (
                        "Identifier of the policy this one replaces; reports show what changed."
                    ),
                    "$ref": "#/$defs/identifier",
                },
                "owner": {
                    "description": "Who answers for the policy: a team or an address.",
                    "$ref": "#/$defs/text",
                },
                "source": {
                    "description": "Where the promises were published: a document or URL.",
                    "$ref": "#/$defs/text",
                },
                "description": {
                    "description": "A longer description shown in reports.",
                    "$ref": "#/$defs/text",
                },
                "waiver_max_term": {
                    "description": (
                        "The longest a waiver of this policy's findings may run, from its "
                        "approval (approved_on) to its expiry. Default: 1y (365 days)."
                    ),
                    "$ref": "#/$defs/duration",
                },
            },
        },
        "tier_group": {
            "description": "A named group of product tiers.",
            "type": "object",
            "additionalProperties": False,
            "required": ["tiers"],
            "properties": {
                "tiers": {
                    "description": (
                        "Tier ids in the group, as the snapshot names them; a tier belongs to "
                        "one group."
                    ),
                    "type": "array",
                    "uniqueItems": True,
                    "items": {"description": "A tier id.", "$ref": "#/$defs/identifier"},
                    "minItems": 1,
                },
                "description": {
                    "description": "What the group is, e.g. 'Claude Free, Pro and Max'.",
                    "$ref": "#/$defs/text",
                },
            },
        },
        "data_kind": {
            "description": "A kind of data the policy speaks about.",
            "type": "object",
            "additionalProperties": False,
            "required": ["description"],
            "properties": {
                "description": {
                    "description": "What the data kind covers.",
                    "$ref": "#/$defs/text",
                },
                "identifiable": {
                    "description": (
                        "Whether the data kind identifies a person directly (default false). "
                        "PII redaction keeps only identifiable kinds out of training."
                    ),
                    "type": "boolean",
                },
            },
        },
        "described": {
            "description": "A vocabulary entry with a description.",
            "type": "object",
            "additionalProperties": False,
            "required": ["description"],
            "properties": {
                "description": {"description": "What the entry means.", "$ref": "#/$defs/text"}
            },
        },
        "country": {
            "description": "An ISO 3166-1 alpha-2 country code, in capitals: 'DE', 'GB', 'US'.",
            "type": "string",
            "format": "country",
        },
        "region": {
            "description": (
                "A named set of countries: its own and those of the regions it includes."
            ),
            "type": "object",
            "additionalProperties": False,
            "anyOf": [{"required": ["countries"]}, {"required": ["regions"]}],
            "properties": {
                "countries": {
                    "description": "Countries of the region, ISO 3166-1 alpha-2 codes.",
                    "type": "array",
                    "uniqueItems": True,
                    "minItems": 1,
                    "items": {"$ref": "#/$defs/country"},
                },
                "regions": {
                    "description": (
                        "Other regions of vocabulary.regions whose countries belong to this one."
                    ),
                    "type": "array",
                    "uniqueItems": True,
                    "minItems": 1,
                    "items": {"description": "A region id.", "$ref": "#/$defs/identifier"},
                },
                "description": {
                    "description": "What the region is, e.g. 'European Economic Area'.",
                    "$ref": "#/$defs/text",
                },
            },
        },
        "vocabulary": {
            "description": (
                "The names the clauses use: tier groups, data kinds, sensitive categories and "
                "roles. Clauses may only refer to names defined here."
            ),
            "type": "object",
            "additionalProperties": False,
            "required": ["tier_groups", "data_kinds"],
            "properties": {
                "tier_groups": {
                    "description": "Tier groups by id, each listing its tiers.",
                    "type": "object",
                    "propertyNames": {"$ref": "#/$defs/identifier"},
                    "additionalProperties": {"$ref": "#/$defs/tier_group"},
                },
                "data_kinds": {
                    "description": "Data kinds by id.",
                    "type": "object",
                    "propertyNames": {"$ref": "#/$defs/identifier"},
                    "additionalProperties": {"$ref": "#/$defs/data_kind"},
                },
                "sensitive_categories": {
                    "description": (
                        "Sensitive categories of conversation by id, e.g. mental_health."
                    ),
                    "type": "object",
                    "propertyNames": {"$ref": "#/$defs/identifier"},
                    "additionalProperties": {"$ref": "#/$defs/described"},
                },
                "roles": {
                    "description": "Roles that may be granted access to data, by id.",
                    "type": "object",
                    "propertyNames": {"$ref": "#/$defs/identifier"},
                    "additionalProperties": {"$ref": "#/$defs/described"},
                },
                "regions": {
                    "description": (
                        "Regions by id, each a set of countries, e.g. eea: {countries: [AT, "
                        "BE, ...]}. Clauses name them in regions and tier_availability."
                    ),
                    "type": "object",
                    "propertyNames": {"$ref": "#/$defs/identifier"},
                    "additionalProperties": {"$ref": "#/$defs/region"},
                },
                "settings": {
                    "description": (
                        "User or admin settings by id, e.g. keep_activity or "
                        "zero_data_retention: the snapshot's settings record what each offers "
                        "and preselects."
                    ),
                    "type": "object",
                    "propertyNames": {"$ref": "#/$defs/identifier"},
                    "additionalProperties": {"$ref": "#/$defs/described"},
                },
            },
        },
    },
}


def policy_schema(checks: Iterable[Check] | None = None) -> Schema:
    """The policy schema: :data:`BASE` plus a list and a clause definition per section."""
    schema = copy.deepcopy(BASE)
    properties, definitions = schema["properties"], schema["$defs"]
    for check in _sections(checks):
        properties[check.id] = {
            "description": f"{check.description} Default severity: {check.default_severity}.",
            "type": "array",
            "items": {"$ref": f"#/$defs/{check.id}_clause"},
        }
        for name, definition in _definitions(check).items():
            if name in definitions:
                raise ValueError(f"section {check.id} defines $defs/{name} a second time")
            definitions[name] = definition
    return schema


def _sections(checks: Iterable[Check] | None) -> Iterable[Check]:
    """The given sections, or the registered ones."""
    return CHECKS.values() if checks is None else checks


def _definitions(check: Check) -> Schema:
    """The clause definition of a section, then the definitions its fragment brings."""
    fragment = copy.deepcopy(check.schema)
    common = clause_fields(check.id, check.default_severity)
    own = fragment.get("properties", {})
    if common.keys() & own.keys():
        twice = ", ".join(sorted(common.keys() & own.keys()))
        raise ValueError(f"section {check.id} redefines {twice}: every clause has them")
    clause = {
        "description": fragment["description"],
        "type": "object",
        "additionalProperties": False,
        "required": ["id", "statement", *fragment.get("required", ())],
        "properties": {**common, **own},
        **{key: value for key, value in fragment.items() if key not in _BUILT},
    }
    clause["dependentSchemas"] = {**CLAUSE_DEPENDENCIES, **clause.get("dependentSchemas", {})}
    return {f"{check.id}_clause": clause, **fragment.get("$defs", {})}


def results_schema(current: Schema, checks: Iterable[Check] | None = None) -> Schema:
    """``current`` with the scorecard areas of the sections as its area list."""
    schema = copy.deepcopy(current)
    areas = areas_of(_sections(checks))
    schema["$defs"]["area"]["enum"] = list(areas)
    return schema


def framework_schema(current: Schema, checks: Iterable[Check] | None = None) -> Schema:
    """``current`` with the sections framework files may name as its list of checks."""
    schema = copy.deepcopy(current)
    served = [check.id for check in _sections(checks) if check.in_frameworks]
    schema["$defs"]["requirement"]["properties"]["checks"]["items"]["enum"] = served
    return schema


def config_schema(current: Schema) -> Schema:
    """``current`` with the report formats as the formats a config's outputs may name."""
    schema = copy.deepcopy(current)
    formats = list(reports.REPORTERS)  # looked up when called: tests register more
    schema["properties"]["outputs"]["items"]["properties"]["format"]["enum"] = formats
    return schema


def snapshot_schema(current: Schema) -> Schema:
    """``current`` with an import entry per adapter: ``{adapter: <name>, path, ...its keys}``,
    and v1's ``{terraform: plan.json, rules}`` still read."""
    schema = copy.deepcopy(current)
    defs = schema["$defs"]
    adapters = registry()
    defs["import"] = {
        "description": (
            "A real configuration export to read facts from: the adapter that reads it, the "
            "file (relative to the snapshot) and the adapter's own keys. v1's "
            "{terraform: plan.json, rules: [...]} is read as {adapter: terraform, ...}."
        ),
        "type": "object",
        "if": {"required": ["adapter"]},
        "then": {
            "required": ["adapter", "path"],
            "properties": {
                "adapter": {
                    "description": "The adapter that reads the file (docs/adapters/).",
                    "enum": list(adapters),
                }
            },
            "allOf": [
                {
                    "if": {"properties": {"adapter": {"const": name}}},
                    "then": {"$ref": f"#/$defs/import-{name}"},
                }
                for name in adapters
            ],
        },
        "else": {"$ref": "#/$defs/import-terraform-v1"},
    }
    for name, adapter in adapters.items():
        defs[f"import-{name}"] = {
            "description": adapter.description,
            "type": "object",
            "additionalProperties": False,
            "required": ["adapter", "path", *adapter.required],
            "properties": {
                "adapter": {"description": "The adapter that reads the file.", "const": name},
                "path": {
                    "description": "The export's path, relative to the snapshot file.",
                    "$ref": "#/$defs/text",
                },
                **copy.deepcopy(adapter.entry_schema),
            },
        }
    defs["import-terraform-v1"] = {
        "description": "v1's form of a Terraform import: {terraform: plan.json, rules: [...]}.",
        "type": "object",
        "additionalProperties": False,
        "required": ["terraform", "rules"],
        "properties": {
            "terraform": {
                "description": "Path of a 'terraform show -json' plan or state, relative to "
                "the snapshot file.",
                "$ref": "#/$defs/text",
            },
            "rules": copy.deepcopy(adapters["terraform"].entry_schema["rules"]),
        },
    }
    return schema


def schema_folder() -> Path:
    """``policies/schemas`` of the installed (or checked-out) package."""
    return Path(str(resources.files("policies").joinpath("schemas")))


def dump(schema: Schema) -> str:
    """A schema as the files hold it."""
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def generated(folder: Path | None = None) -> dict[Path, str]:
    """The text each file must hold that the sections produce, in whole or in part."""
    folder = schema_folder() if folder is None else folder
    policy = folder / "policy.schema.json"
    results = folder / "results.schema.json"
    framework = folder / "framework.schema.json"
    config = folder / "config.schema.json"
    snapshot = folder / "snapshot.schema.json"
    return {
        snapshot: dump(snapshot_schema(_read(snapshot))),
        policy: dump(policy_schema()),
        results: dump(results_schema(_read(results))),
        framework: dump(framework_schema(_read(framework))),
        config: dump(config_schema(_read(config))),
    }


def _read(path: Path) -> Schema:
    schema: Schema = json.loads(path.read_text(encoding="utf-8"))
    return schema


def stale(folder: Path | None = None) -> dict[Path, str]:
    """The generated files whose text differs from what the sections produce, with that text."""
    return {
        path: text
        for path, text in generated(folder).items()
        if not path.exists() or path.read_text(encoding="utf-8") != text
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m checker.checks.schema",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--check", action="store_true", help="only report files out of date")
    args = parser.parse_args(argv)
    outdated = stale()
    for path, text in outdated.items():
        if args.check:
            print(f"{path} is out of date: run python -m checker.checks.schema")
        else:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path}")
    return 1 if args.check and outdated else 0


if __name__ == "__main__":
    sys.exit(main())
