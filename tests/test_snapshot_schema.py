"""The snapshot, waivers and config schemas, and the bundled examples that must satisfy them.

The examples are loaded the way the tool loads them (``checker.loader.load_document``) and
validated with a plain Draft 2020-12 validator, so the schemas are shown to work outside the
tool too. Negative cases mutate a valid document in one place and expect the schema to name
that place.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from checker.checks import CHECKS
from checker.durations import is_duration
from checker.engine import evaluate
from checker.loader import load_document
from checker.model import Status
from checker.snapshot import resolve_imports
from checker.validation import validate_document

REPO = Path(__file__).resolve().parents[1]
SCHEMAS = REPO / "policies" / "schemas"
EXAMPLES = REPO / "policies" / "examples"
LIBRARY = REPO / "policies" / "library" / "anthropic-consumer-2025.yaml"
AS_OF = dt.date(2026, 11, 21)

SNAPSHOTS = {
    "compliant": EXAMPLES / "compliant" / "snapshot.yaml",
    "violating": EXAMPLES / "violating" / "snapshot.yaml",
    "terraform": EXAMPLES / "terraform" / "snapshot.yaml",
}
OWN_SCHEMAS = ("snapshot", "waivers", "config")


def _is_datetime(value: object) -> bool:
    if not isinstance(value, str):
        return True
    try:
        dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return "T" in value


def format_checker() -> jsonschema.FormatChecker:
    """jsonschema's own checkers (``date`` among them) plus ours for ``duration``.

    ``date-time`` is registered here because jsonschema only checks it when an optional
    package is installed; without it a bad timestamp would pass unnoticed.
    """
    checker = jsonschema.FormatChecker()
    checker.checks("duration")(is_duration)
    checker.checks("date-time")(_is_datetime)
    return checker


def schema(kind: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SCHEMAS / f"{kind}.schema.json").read_text("utf-8"))
    return data


def validator(kind: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(schema(kind), format_checker=format_checker())


def load(path: Path) -> Any:
    return load_document(path).data


def errors(kind: str, data: Any) -> list[jsonschema.ValidationError]:
    return list(validator(kind).iter_errors(data))


# -- the schemas themselves ---------------------------------------------------------------------


def _subschemas(node: Any, where: str = "#") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        yield where, node
        for key, value in node.items():
            yield from _subschemas(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _subschemas(value, f"{where}/{index}")


@pytest.mark.parametrize("kind", OWN_SCHEMAS)
def test_schema_is_valid_draft_2020_12(kind: str) -> None:
    data = schema(kind)
    assert data["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(data)


def test_snapshot_schema_id() -> None:
    assert schema("snapshot")["$id"] == "https://policy-checker.dev/schemas/snapshot/v1.json"


@pytest.mark.parametrize("kind", OWN_SCHEMAS)
def test_every_object_is_closed_and_every_property_described(kind: str) -> None:
    problems = []
    for where, node in _subschemas(schema(kind)):
        if where.endswith("/properties"):
            continue  # the mapping of property names, not a schema
        properties = node.get("properties")
        if isinstance(properties, dict):
            for name, sub in properties.items():
                if not isinstance(sub, dict) or not sub.get("description"):
                    problems.append(f"{where}/properties/{name}: no description")
        if node.get("type") == "object" or isinstance(properties, dict):
            closed = node.get("additionalProperties")
            if closed is not False and not isinstance(closed, dict):
                problems.append(f"{where}: additionalProperties is not false")
            if isinstance(closed, dict) and isinstance(properties, dict):
                problems.append(f"{where}: fixed properties and open keys mixed")
    assert problems == []


# -- the bundled examples -------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(SNAPSHOTS))
def test_example_snapshot_validates(name: str) -> None:
    assert [e.message for e in errors("snapshot", load(SNAPSHOTS[name]))] == []


@pytest.mark.parametrize(
    ("kind", "path"),
    [
        *[("snapshot", p) for p in SNAPSHOTS.values()],
        ("waivers", EXAMPLES / "waivers.yaml"),
        ("config", REPO / "policy-check.yaml"),
    ],
    ids=["compliant", "violating", "terraform", "waivers", "config"],
)
def test_example_passes_the_tools_own_validation(kind: str, path: Path) -> None:
    """No schema error and no YAML 1.1 surprise (unquoted dates, ``no``…) either."""
    assert [str(d) for d in validate_document(load_document(path), kind)] == []


def test_example_waivers_validate() -> None:
    assert [e.message for e in errors("waivers", load(EXAMPLES / "waivers.yaml"))] == []


def test_project_config_validates() -> None:
    assert [e.message for e in errors("config", load(REPO / "policy-check.yaml"))] == []


def test_project_config_names_existing_files() -> None:
    config = load(REPO / "policy-check.yaml")
    named = [*config["policies"], *config["snapshots"], config["waivers"]]
    assert [p for p in named if not (REPO / p).exists()] == []
    assert config["outputs"] == [{"format": "html", "path": "out/report.html"}]


def test_terraform_import_points_at_the_bundled_plan() -> None:
    snapshot = load(SNAPSHOTS["terraform"])
    plan = SNAPSHOTS["terraform"].parent / snapshot["imports"][0]["terraform"]
    data = load(plan)
    assert data["format_version"] == "1.2"
    types = {r["type"] for r in data["planned_values"]["root_module"]["resources"]}
    assert {
        "aws_s3_bucket",
        "aws_s3_bucket_lifecycle_configuration",
        "aws_s3_bucket_server_side_encryption_configuration",
    } <= types


def _findings(snapshot_path: Path) -> dict[str, set[Status]]:
    policy = load_document(LIBRARY)
    snapshot, notes = resolve_imports(load_document(snapshot_path))
    assert [str(n) for n in notes] == []
    result = evaluate([policy], [snapshot], as_of=AS_OF)
    statuses: dict[str, set[Status]] = {}
    for finding in result.findings:
        statuses.setdefault(finding.clause_id, set()).add(finding.status)
    return statuses


def _clause_ids() -> dict[str, str]:
    """Clause id -> section, for every clause of the library policy."""
    policy = load(LIBRARY)
    return {c["id"]: section for section in CHECKS for c in policy.get(section) or ()}


def test_compliant_example_keeps_every_promise() -> None:
    statuses = _findings(SNAPSHOTS["compliant"])
    assert set(statuses) == set(_clause_ids())
    assert {c: s for c, s in statuses.items() if s != {Status.PASS}} == {}


def test_violating_example_breaks_every_promise() -> None:
    statuses = _findings(SNAPSHOTS["violating"])
    assert set(statuses) == set(_clause_ids())
    kept = {c for c, s in statuses.items() if not s & {Status.FAIL, Status.NOT_EVIDENCED}}
    assert kept == set()


def test_example_waivers_match_the_policy_and_the_violating_snapshot() -> None:
    waivers = load(EXAMPLES / "waivers.yaml")["waivers"]
    clauses = _clause_ids()
    snapshot = load(SNAPSHOTS["violating"])
    resources = {f"store:{s['id']}" for s in snapshot["stores"]}
    resources |= {f"governance:{a}" for a in snapshot["governance"]}
    for waiver in waivers:
        if "clause" in waiver:
            policy_id, _, clause = waiver["clause"].rpartition("/")
            assert clause in clauses, waiver["id"]
            assert policy_id in ("", "anthropic-consumer-2025"), waiver["id"]
        if "check" in waiver:
            assert waiver["check"] in CHECKS, waiver["id"]
        assert waiver["resource"] in resources, waiver["id"]
    days = sorted((dt.date.fromisoformat(w["expires"]) - AS_OF).days for w in waivers)
    assert days[0] < 0 < days[1] <= 30 < days[-1]


# -- negative cases: snapshots --------------------------------------------------------------------

Mutation = Callable[[dict[str, Any]], None]

DROP = object()


def _changed(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """``base`` with ``changes`` applied; a change to ``DROP`` removes the key."""
    return {k: v for k, v in {**base, **changes}.items() if v is not DROP}


def _set(path: tuple[str | int, ...], value: Any) -> Mutation:
    def mutate(doc: dict[str, Any]) -> None:
        node: Any = doc
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value

    return mutate


def _drop(path: tuple[str | int, ...]) -> Mutation:
    def mutate(doc: dict[str, Any]) -> None:
        node: Any = doc
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]

    return mutate


def _rename(path: tuple[str | int, ...], new: str) -> Mutation:
    def mutate(doc: dict[str, Any]) -> None:
        node: Any = doc
        for key in path[:-1]:
            node = node[key]
        node[new] = node.pop(path[-1])

    return mutate


def _import(**entry: Any) -> Mutation:
    """Give the snapshot one import entry: a valid one, with ``entry`` replacing its keys."""
    valid: dict[str, Any] = {"terraform": "plan.json", "rules": [_rule()]}
    return _set(("imports",), [_changed(valid, entry)])


def _rule(match: Any = None, **store: Any) -> dict[str, Any]:
    """A mapping rule: ``match`` (default: an address glob) and ``store`` fields over a valid
    store template."""
    template = {"id": "{name}", "data_kinds": ["conversations"]}
    return {
        "match": {"address": "aws_s3_bucket.*"} if match is None else match,
        "store": _changed(template, store),
    }


# (case id, mutation, expected JSON Schema keyword, path of the error)
SNAPSHOT_CASES: list[tuple[str, Mutation, str, tuple[str | int, ...]]] = [
    ("misspelt top-level key", _rename(("pipelines",), "pipeline"), "additionalProperties", ()),
    (
        "misspelt store key",
        _rename(("stores", 0, "retention"), "retension"),
        "additionalProperties",
        ("stores", 0),
    ),
    (
        "misspelt retention state",
        _rename(("stores", 0, "retention", "training_allowed"), "training_alowed"),
        "additionalProperties",
        ("stores", 0, "retention"),
    ),
    (
        "misspelt encryption key",
        _set(("stores", 0, "encryption", "at_rest_enabled"), True),
        "additionalProperties",
        ("stores", 0, "encryption"),
    ),
    (
        "unknown governance activity",
        _set(("governance", "annual_review"), {"last": "2026-01-01"}),
        "additionalProperties",
        ("governance",),
    ),
    (
        "unknown user right",
        _set(("user_rights", "portability"), {"exposed": True}),
        "additionalProperties",
        ("user_rights",),
    ),
    (
        "formats outside export",
        _set(("user_rights", "deletion", "formats"), ["json"]),
        "additionalProperties",
        ("user_rights", "deletion"),
    ),
    (
        "bad training default",
        _set(("tiers", 0, "training_default"), "trained_by_default"),
        "enum",
        ("tiers", 0, "training_default"),
    ),
    (
        "bad pipeline purpose",
        _set(("pipelines", 0, "purpose"), "fine_tuning"),
        "enum",
        ("pipelines", 0, "purpose"),
    ),
    (
        "bad filter",
        _set(("pipelines", 0, "filters"), ["pii_redation"]),
        "enum",
        ("pipelines", 0, "filters", 0),
    ),
    (
        "bad consent filter",
        _set(("pipelines", 0, "consent_filter"), "opted_in"),
        "enum",
        ("pipelines", 0, "consent_filter"),
    ),
    (
        "bad recipient kind",
        _set(("recipients", 0, "kind"), "university"),
        "enum",
        ("recipients", 0, "kind"),
    ),
    (
        "bad agreement",
        _set(("recipients", 0, "agreements"), ["contract"]),
        "enum",
        ("recipients", 0, "agreements", 0),
    ),
    (
        "bad minors preferences",
        _set(("stores", 5, "minors_preferences"), "minimized"),
        "enum",
        ("stores", 5, "minors_preferences"),
    ),
    (
        "duration in words",
        _set(("stores", 0, "retention", "training_allowed"), "5 years"),
        "format",
        ("stores", 0, "retention", "training_allowed"),
    ),
    (
        "duration as a number",
        _set(("stores", 0, "retention", "training_allowed"), 30),
        "type",
        ("stores", 0, "retention", "training_allowed"),
    ),
    (
        "bad deadline",
        _set(("user_rights", "deletion", "deadline"), "30 days"),
        "format",
        ("user_rights", "deletion", "deadline"),
    ),
    (
        "bad key rotation",
        _set(("stores", 0, "encryption", "key_rotation"), "P1X"),
        "format",
        ("stores", 0, "encryption", "key_rotation"),
    ),
    (
        "bad breach deadline",
        _set(("incident_response", "notify_users_within"), "72"),
        "format",
        ("incident_response", "notify_users_within"),
    ),
    (
        "bad governance date",
        _set(("governance", "external_audit", "last"), "2026-13-01"),
        "format",
        ("governance", "external_audit", "last"),
    ),
    (
        "bad review date",
        _set(("stores", 0, "deletion_schedule", "last_reviewed"), "June 2026"),
        "format",
        ("stores", 0, "deletion_schedule", "last_reviewed"),
    ),
    (
        "bad taken_at",
        _set(("metadata", "taken_at"), "yesterday"),
        "anyOf",
        ("metadata", "taken_at"),
    ),
    (
        "bad identifier",
        _set(("stores", 0, "id"), "Chat Transcripts"),
        "pattern",
        ("stores", 0, "id"),
    ),
    ("store without data kinds", _drop(("stores", 0, "data_kinds")), "required", ("stores", 0)),
    ("recipient without sale", _drop(("recipients", 0, "sale")), "required", ("recipients", 0)),
    ("pipeline without sources", _drop(("pipelines", 0, "sources")), "required", ("pipelines", 0)),
    (
        "deletion schedule without defined",
        _set(("stores", 0, "deletion_schedule"), {"last_reviewed": "2026-06-15"}),
        "required",
        ("stores", 0, "deletion_schedule"),
    ),
    (
        "training control without exposed",
        _set(("tiers", 0, "training_control"), {}),
        "required",
        ("tiers", 0, "training_control"),
    ),
    ("age as text", _set(("age_gate", "minimum_age"), "18"), "type", ("age_gate", "minimum_age")),
    ("no metadata", _drop(("metadata",)), "required", ()),
    ("wrong version", _set(("snapshot_format",), 2), "const", ("snapshot_format",)),
    (
        "duplicate data kind",
        _set(("stores", 0, "data_kinds"), ["conversations", "conversations"]),
        "uniqueItems",
        ("stores", 0, "data_kinds"),
    ),
    ("import without rules", _import(rules=DROP), "required", ("imports", 0)),
    ("import without a plan", _import(terraform=DROP), "required", ("imports", 0)),
    ("import with empty rules", _import(rules=[]), "minItems", ("imports", 0, "rules")),
    (
        "import match without a condition",
        _import(rules=[_rule({})]),
        "minProperties",
        ("imports", 0, "rules", 0, "match"),
    ),
    (
        "import match with a misspelt condition",
        _import(rules=[_rule({"adress": "a.*"})]),
        "additionalProperties",
        ("imports", 0, "rules", 0, "match"),
    ),
    (
        "import match on a tag that is not text",
        _import(rules=[_rule({"tags": {"Backup": True}})]),
        "type",
        ("imports", 0, "rules", 0, "match", "tags", "Backup"),
    ),
    (
        "import store without data kinds",
        _import(rules=[_rule(data_kinds=DROP)]),
        "required",
        ("imports", 0, "rules", 0, "store"),
    ),
    (
        "import store id with an unknown placeholder",
        _import(rules=[_rule(id="{nmae}")]),
        "pattern",
        ("imports", 0, "rules", 0, "store", "id"),
    ),
    (
        "import store with a bad retention state",
        _import(rules=[_rule(retention_state="opted_out")]),
        "enum",
        ("imports", 0, "rules", 0, "store", "retention_state"),
    ),
    (
        "import store with source set by hand",
        _import(rules=[_rule(source={"file": "x"})]),
        "additionalProperties",
        ("imports", 0, "rules", 0, "store"),
    ),
]


@pytest.fixture(scope="module")
def compliant() -> dict[str, Any]:
    data: dict[str, Any] = load(SNAPSHOTS["compliant"])
    return data


@pytest.mark.parametrize(
    ("mutate", "keyword", "path"),
    [case[1:] for case in SNAPSHOT_CASES],
    ids=[case[0] for case in SNAPSHOT_CASES],
)
def test_snapshot_rejects(
    compliant: dict[str, Any], mutate: Mutation, keyword: str, path: tuple[str | int, ...]
) -> None:
    doc = copy.deepcopy(compliant)
    mutate(doc)
    found = [(e.validator, tuple(e.absolute_path)) for e in errors("snapshot", doc)]
    assert (keyword, path) in found


def test_snapshot_accepts_every_duration_form(compliant: dict[str, Any]) -> None:
    doc = copy.deepcopy(compliant)
    doc["stores"][0]["retention"] = {
        "training_allowed": "P5Y",
        "training_not_allowed": "720h",
        "deleted_by_user": "1mo",
        "any": "indefinite",
    }
    doc["incident_response"]["notify_users_within"] = "PT72H"
    doc["metadata"]["taken_at"] = "2026-11-20"
    assert errors("snapshot", doc) == []


def test_snapshot_import_store_takes_store_fields() -> None:
    doc = {
        "snapshot_format": 1,
        "metadata": {"system": "s", "environment": "e", "taken_at": "2026-11-20T00:00:00+01:00"},
        "imports": [
            {
                "terraform": "../terraform/plan.json",
                "rules": [
                    {
                        "match": {
                            "address": "aws_s3_bucket.chat*",
                            "name": "chat-*",
                            "tags": {"DataClass": "conversations"},
                        },
                        "store": {
                            "id": "chat-{name}",
                            "data_kinds": ["conversations"],
                            "tiers": ["free"],
                            "sensitive_categories": [],
                            "holds_minors_data": False,
                            "minors_preferences": "minimised",
                            "retention_state": "training_allowed",
                            "retention": {"deleted_by_user": "30d"},
                            "encryption": {"in_transit": True},
                            "deletion_schedule": {"last_reviewed": "2026-01-01"},
                            "access": {"roles": ["model_trainer"]},
                            "region": "eu-west-1",
                        },
                    }
                ],
            }
        ],
    }
    assert errors("snapshot", doc) == []


# -- negative cases: waivers and config ----------------------------------------------------------

WAIVER = {
    "id": "w-backups",
    "check": "retention",
    "clause": "anthropic-consumer-2025/retention-opted-out",
    "resource": "store:chat-backups",
    "justification": "Backups move to a 30-day rotation in Q1.",
    "approver": "Jane Doe (DPO)",
    "ticket": "PRIV-123",
    "approved_on": "2026-11-02",
    "expires": "2027-01-31",
}


def _waivers(**changes: Any) -> dict[str, Any]:
    return {"waivers_format": 1, "waivers": [_changed(WAIVER, changes)]}


def test_waiver_fixture_is_valid() -> None:
    assert errors("waivers", _waivers()) == []
    assert errors("waivers", _waivers(check=DROP)) == []
    assert errors("waivers", _waivers(clause=DROP, resource=DROP, all_resources=True)) == []
    assert errors("waivers", _waivers(clause="retention-opted-out")) == []


@pytest.mark.parametrize(
    ("changes", "keyword", "path"),
    [
        ({"approver": DROP}, "required", ("waivers", 0)),
        ({"expires": DROP}, "required", ("waivers", 0)),
        ({"ticket": DROP}, "required", ("waivers", 0)),
        ({"justification": DROP}, "required", ("waivers", 0)),
        ({"approver": ""}, "minLength", ("waivers", 0, "approver")),
        ({"approver": "  "}, "pattern", ("waivers", 0, "approver")),
        ({"justification": "\t"}, "pattern", ("waivers", 0, "justification")),
        ({"ticket": " "}, "pattern", ("waivers", 0, "ticket")),
        ({"approved_on": DROP}, "required", ("waivers", 0)),
        ({"approved_on": "2026-13-01"}, "format", ("waivers", 0, "approved_on")),
        ({"check": DROP, "clause": DROP}, "anyOf", ("waivers", 0)),
        ({"resource": DROP}, "anyOf", ("waivers", 0)),
        ({"all_resources": True}, "not", ("waivers", 0)),
        ({"resource": DROP, "all_resources": False}, "const", ("waivers", 0, "all_resources")),
        ({"expires": "31/01/2027"}, "format", ("waivers", 0, "expires")),
        ({"expires": "2027-02-30"}, "format", ("waivers", 0, "expires")),
        ({"clause": "Anthropic 2025 / retention"}, "pattern", ("waivers", 0, "clause")),
        ({"reason": "typo of justification"}, "additionalProperties", ("waivers", 0)),
    ],
    ids=[
        "no approver",
        "no expiry",
        "no ticket",
        "no justification",
        "empty approver",
        "blank approver",
        "blank justification",
        "blank ticket",
        "no approval date",
        "approval not a date",
        "neither check nor clause",
        "neither resource nor all_resources",
        "resource and all_resources",
        "all_resources false",
        "expiry not ISO",
        "expiry not a date",
        "bad clause id",
        "misspelt key",
    ],
)
def test_waivers_reject(changes: dict[str, Any], keyword: str, path: tuple[str | int, ...]) -> None:
    found = [(e.validator, tuple(e.absolute_path)) for e in errors("waivers", _waivers(**changes))]
    assert (keyword, path) in found


CONFIG = {
    "policy_check": 1,
    "policies": ["policies/library/anthropic-consumer-2025.yaml"],
    "snapshots": ["policies/examples/violating/snapshot.yaml"],
    "waivers": "policies/examples/waivers.yaml",
    "fail_on": "info",
    "as_of": None,
    "outputs": [{"format": "html", "path": "reports/out/report.html"}],
}


def test_config_accepts_the_documented_example() -> None:
    assert errors("config", CONFIG) == []
    minimal = {k: CONFIG[k] for k in ("policy_check", "policies", "snapshots")}
    assert errors("config", minimal) == []


@pytest.mark.parametrize(
    ("changes", "keyword", "path"),
    [
        ({"policies": DROP}, "required", ()),
        ({"policies": []}, "minItems", ("policies",)),
        ({"snapshots": "one.yaml"}, "type", ("snapshots",)),
        ({"fail_on": "severe"}, "enum", ("fail_on",)),
        ({"as_of": "21.11.2026"}, "format", ("as_of",)),
        ({"policy_check": 2}, "const", ("policy_check",)),
        ({"output": []}, "additionalProperties", ()),
        ({"outputs": [{"format": "html"}]}, "required", ("outputs", 0)),
    ],
    ids=[
        "no policies",
        "empty policies",
        "snapshots not a list",
        "bad fail_on",
        "bad as_of",
        "wrong version",
        "misspelt outputs",
        "output without path",
    ],
)
def test_config_rejects(changes: dict[str, Any], keyword: str, path: tuple[str | int, ...]) -> None:
    found = [
        (e.validator, tuple(e.absolute_path)) for e in errors("config", _changed(CONFIG, changes))
    ]
    assert (keyword, path) in found
