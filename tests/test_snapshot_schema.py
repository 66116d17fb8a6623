"""The snapshot, waivers and config schemas, and the bundled examples that must satisfy them.

Documents are judged by the product's own validation (``checker.validation.validator``, what
``policy-check validate`` runs), formats included. Negative cases mutate a valid document in
one place and expect exactly one problem, named by its code at that place. The bundled
examples also validate with a stock Draft 2020-12 validator (formats as annotations, as other
tools read them by default), so the schemas are shown to work outside the tool too.
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
from checker.core.results import Status
from checker.documents import load_document
from checker.evaluation.engine import evaluate
from checker.evaluation.snapshot import resolve_imports
from checker.validation.validator import validate_document
from tests.policy_support import problems

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


def schema(kind: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SCHEMAS / f"{kind}.schema.json").read_text("utf-8"))
    return data


def load(path: Path) -> Any:
    return load_document(path).data


def found(kind: str, data: Any) -> list[tuple[str, tuple[str | int, ...]]]:
    """Code and path of every problem the product's validation finds in ``data``."""
    return [(d.code, d.location.path) for d in problems(kind, data)]


def stock_errors(kind: str, data: Any) -> list[str]:
    """What a stock Draft 2020-12 validator, with no format checker, finds in ``data``."""
    return [e.message for e in jsonschema.Draft202012Validator(schema(kind)).iter_errors(data)]


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
        if "if" in node or "/if" in where or where.endswith("/then"):
            continue  # a dispatch on one key; each branch is a closed definition of its own
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
def test_example_snapshot_validates_with_a_stock_validator(name: str) -> None:
    assert stock_errors("snapshot", load(SNAPSHOTS[name])) == []


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


def test_example_waivers_validate_with_a_stock_validator() -> None:
    assert stock_errors("waivers", load(EXAMPLES / "waivers.yaml")) == []


def test_project_config_validates_with_a_stock_validator() -> None:
    assert stock_errors("config", load(REPO / "policy-check.yaml")) == []


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


# (case id, mutation, code of the one problem expected, its path)
SNAPSHOT_CASES: list[tuple[str, Mutation, str, tuple[str | int, ...]]] = [
    (
        "misspelt top-level key",
        _rename(("pipelines",), "pipeline"),
        "schema-unknown-key",
        ("pipeline",),
    ),
    (
        "misspelt store key",
        _rename(("stores", 0, "retention"), "retension"),
        "schema-unknown-key",
        ("stores", 0, "retension"),
    ),
    (
        "misspelt retention state",
        _rename(("stores", 0, "retention", "training_allowed"), "training_alowed"),
        "schema-unknown-key",
        ("stores", 0, "retention", "training_alowed"),
    ),
    (
        "misspelt encryption key",
        _set(("stores", 0, "encryption", "at_rest_enabled"), True),
        "schema-unknown-key",
        ("stores", 0, "encryption", "at_rest_enabled"),
    ),
    (
        "unknown governance activity",
        _set(("governance", "annual_review"), {"last": "2026-01-01"}),
        "schema-unknown-key",
        ("governance", "annual_review"),
    ),
    (
        "unknown user right",
        _set(("user_rights", "portability"), {"exposed": True}),
        "schema-unknown-key",
        ("user_rights", "portability"),
    ),
    (
        "formats outside export",
        _set(("user_rights", "deletion", "formats"), ["json"]),
        "schema-unknown-key",
        ("user_rights", "deletion", "formats"),
    ),
    (
        "bad training default",
        _set(("tiers", 0, "training_default"), "trained_by_default"),
        "schema-enum",
        ("tiers", 0, "training_default"),
    ),
    (
        "bad pipeline purpose",
        _set(("pipelines", 0, "purpose"), "fine_tuning"),
        "schema-enum",
        ("pipelines", 0, "purpose"),
    ),
    (
        "bad filter",
        _set(("pipelines", 0, "filters"), ["pii_redation"]),
        "schema-enum",
        ("pipelines", 0, "filters", 0),
    ),
    (
        "bad consent filter",
        _set(("pipelines", 0, "consent_filter"), "opted_in"),
        "schema-enum",
        ("pipelines", 0, "consent_filter"),
    ),
    (
        "bad recipient kind",
        _set(("recipients", 0, "kind"), "university"),
        "schema-enum",
        ("recipients", 0, "kind"),
    ),
    (
        "bad agreement",
        _set(("recipients", 0, "agreements"), ["contract"]),
        "schema-enum",
        ("recipients", 0, "agreements", 0),
    ),
    (
        "bad minors preferences",
        _set(("stores", 5, "minors_preferences"), "minimized"),
        "schema-enum",
        ("stores", 5, "minors_preferences"),
    ),
    (
        "duration in words",
        _set(("stores", 0, "retention", "training_allowed"), "5 years"),
        "schema-format",
        ("stores", 0, "retention", "training_allowed"),
    ),
    (
        "duration as a number",
        _set(("stores", 0, "retention", "training_allowed"), 30),
        "schema-type",
        ("stores", 0, "retention", "training_allowed"),
    ),
    (
        "bad deadline",
        _set(("user_rights", "deletion", "deadline"), "30 days"),
        "schema-format",
        ("user_rights", "deletion", "deadline"),
    ),
    (
        "bad key rotation",
        _set(("stores", 0, "encryption", "key_rotation"), "P1X"),
        "schema-format",
        ("stores", 0, "encryption", "key_rotation"),
    ),
    (
        "bad breach deadline",
        _set(("incident_response", "notify_users_within"), "72"),
        "schema-format",
        ("incident_response", "notify_users_within"),
    ),
    (
        "bad governance date",
        _set(("governance", "external_audit", "last"), "2026-13-01"),
        "schema-format",
        ("governance", "external_audit", "last"),
    ),
    (
        "bad review date",
        _set(("stores", 0, "deletion_schedule", "last_reviewed"), "June 2026"),
        "schema-format",
        ("stores", 0, "deletion_schedule", "last_reviewed"),
    ),
    (
        "bad taken_at",
        _set(("metadata", "taken_at"), "yesterday"),
        "schema-format",
        ("metadata", "taken_at"),
    ),
    (
        "bad identifier",
        _set(("stores", 0, "id"), "Chat Transcripts"),
        "schema-pattern",
        ("stores", 0, "id"),
    ),
    (
        "store without data kinds",
        _drop(("stores", 0, "data_kinds")),
        "schema-required",
        ("stores", 0),
    ),
    (
        "recipient without sale",
        _drop(("recipients", 0, "sale")),
        "schema-required",
        ("recipients", 0),
    ),
    (
        "pipeline without sources",
        _drop(("pipelines", 0, "sources")),
        "schema-required",
        ("pipelines", 0),
    ),
    (
        "deletion schedule without defined",
        _set(("stores", 0, "deletion_schedule"), {"last_reviewed": "2026-06-15"}),
        "schema-required",
        ("stores", 0, "deletion_schedule"),
    ),
    (
        "training control without exposed",
        _set(("tiers", 0, "training_control"), {}),
        "schema-required",
        ("tiers", 0, "training_control"),
    ),
    (
        "age as text",
        _set(("age_gate", "minimum_age"), "18"),
        "schema-type",
        ("age_gate", "minimum_age"),
    ),
    ("no metadata", _drop(("metadata",)), "schema-required", ()),
    ("wrong version", _set(("snapshot_format",), 2), "schema-const", ("snapshot_format",)),
    (
        "duplicate data kind",
        _set(("stores", 0, "data_kinds"), ["conversations", "conversations"]),
        "schema-uniqueItems",
        ("stores", 0, "data_kinds", 1),
    ),
    ("import without rules", _import(rules=DROP), "schema-required", ("imports", 0)),
    ("import without a plan", _import(terraform=DROP), "schema-required", ("imports", 0)),
    ("import with empty rules", _import(rules=[]), "schema-minItems", ("imports", 0, "rules")),
    (
        "import match without a condition",
        _import(rules=[_rule({})]),
        "schema-minProperties",
        ("imports", 0, "rules", 0, "match"),
    ),
    (
        "import match with a misspelt condition",
        _import(rules=[_rule({"adress": "a.*"})]),
        "schema-unknown-key",
        ("imports", 0, "rules", 0, "match", "adress"),
    ),
    (
        "import match on a tag that is not text",
        _import(rules=[_rule({"tags": {"Backup": True}})]),
        "schema-type",
        ("imports", 0, "rules", 0, "match", "tags", "Backup"),
    ),
    (
        "import store without data kinds",
        _import(rules=[_rule(data_kinds=DROP)]),
        "schema-required",
        ("imports", 0, "rules", 0, "store"),
    ),
    (
        "import store id with an unknown placeholder",
        _import(rules=[_rule(id="{nmae}")]),
        "schema-pattern",
        ("imports", 0, "rules", 0, "store", "id"),
    ),
    (
        "import store with a bad retention state",
        _import(rules=[_rule(retention_state="opted_out")]),
        "schema-enum",
        ("imports", 0, "rules", 0, "store", "retention_state"),
    ),
    (
        "import store with source set by hand",
        _import(rules=[_rule(source={"file": "x"})]),
        "schema-unknown-key",
        ("imports", 0, "rules", 0, "store", "source"),
    ),
]


@pytest.fixture(scope="module")
def compliant() -> dict[str, Any]:
    data: dict[str, Any] = load(SNAPSHOTS["compliant"])
    return data


@pytest.mark.parametrize(
    ("mutate", "code", "path"),
    [case[1:] for case in SNAPSHOT_CASES],
    ids=[case[0] for case in SNAPSHOT_CASES],
)
def test_snapshot_rejects(
    compliant: dict[str, Any], mutate: Mutation, code: str, path: tuple[str | int, ...]
) -> None:
    doc = copy.deepcopy(compliant)
    mutate(doc)
    assert found("snapshot", doc) == [(code, path)]


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
    assert found("snapshot", doc) == []


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
    assert found("snapshot", doc) == []


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
    assert found("waivers", _waivers()) == []
    assert found("waivers", _waivers(check=DROP)) == []
    assert found("waivers", _waivers(clause=DROP, resource=DROP, all_resources=True)) == []
    assert found("waivers", _waivers(clause="retention-opted-out")) == []


@pytest.mark.parametrize(
    ("changes", "code", "path"),
    [
        ({"approver": DROP}, "schema-required", ("waivers", 0)),
        ({"expires": DROP}, "schema-required", ("waivers", 0)),
        ({"ticket": DROP}, "schema-required", ("waivers", 0)),
        ({"justification": DROP}, "schema-required", ("waivers", 0)),
        ({"approver": ""}, "schema-blank", ("waivers", 0, "approver")),
        ({"approver": "  "}, "schema-blank", ("waivers", 0, "approver")),
        ({"justification": "\t"}, "schema-blank", ("waivers", 0, "justification")),
        ({"ticket": " "}, "schema-blank", ("waivers", 0, "ticket")),
        ({"approved_on": DROP}, "schema-required", ("waivers", 0)),
        ({"approved_on": "2026-13-01"}, "schema-format", ("waivers", 0, "approved_on")),
        ({"check": DROP, "clause": DROP}, "schema-required", ("waivers", 0)),
        ({"resource": DROP}, "schema-required", ("waivers", 0)),
        ({"all_resources": True}, "schema-conflict", ("waivers", 0, "resource")),
        (
            {"resource": DROP, "all_resources": False},
            "schema-const",
            ("waivers", 0, "all_resources"),
        ),
        ({"expires": "31/01/2027"}, "schema-format", ("waivers", 0, "expires")),
        ({"expires": "2027-02-30"}, "schema-format", ("waivers", 0, "expires")),
        ({"clause": "Anthropic 2025 / retention"}, "schema-pattern", ("waivers", 0, "clause")),
        ({"reason": "typo of justification"}, "schema-unknown-key", ("waivers", 0, "reason")),
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
def test_waivers_reject(changes: dict[str, Any], code: str, path: tuple[str | int, ...]) -> None:
    assert found("waivers", _waivers(**changes)) == [(code, path)]


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
    assert found("config", CONFIG) == []
    minimal = {k: CONFIG[k] for k in ("policy_check", "policies", "snapshots")}
    assert found("config", minimal) == []


@pytest.mark.parametrize(
    ("changes", "code", "path"),
    [
        ({"policies": DROP}, "schema-required", ()),
        ({"policies": []}, "schema-minItems", ("policies",)),
        ({"snapshots": "one.yaml"}, "schema-type", ("snapshots",)),
        ({"fail_on": "severe"}, "schema-enum", ("fail_on",)),
        ({"as_of": "21.11.2026"}, "schema-format", ("as_of",)),
        ({"policy_check": 2}, "schema-const", ("policy_check",)),
        ({"output": []}, "schema-unknown-key", ("output",)),
        ({"outputs": [{"format": "html"}]}, "schema-required", ("outputs", 0)),
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
def test_config_rejects(changes: dict[str, Any], code: str, path: tuple[str | int, ...]) -> None:
    assert found("config", _changed(CONFIG, changes)) == [(code, path)]
