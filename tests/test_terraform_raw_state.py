"""Raw Terraform state files (``terraform.tfstate``, ``terraform state pull``) are read as
``terraform show -json`` states are: the same facts, with positions in the raw file.

The equivalence test turns the ``show -json`` state of ``tests/data/terraform/state-modules.json``
into the raw format Terraform writes (resources grouped by module, type and name, with
``instances`` and ``attributes``) and imports both with the same rules. The real file is a
state from snyk/driftctl's tests (see ``tests/data/SOURCES.md``).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from checker.adapters.base import AdapterResult
from checker.adapters.terraform.importer import import_terraform
from checker.core.diagnostics import Level
from checker.documents import load_document
from checker.documents.document import Document
from tests.conftest import CliRunner
from tests.input_samples import AS_OF
from tests.terraform_plans import check_beside_export

DATA = Path(__file__).resolve().parent / "data"
SHOWN = DATA / "terraform" / "state-modules.json"
DRIFTCTL_ELASTICACHE = DATA / "fixtures" / "terraform" / "driftctl-elasticache-cluster.tfstate"
EVERYTHING = [{"match": {"address": "*"}, "store": {"data_kinds": ["conversations"]}}]


def _raw(shown: dict[str, Any]) -> dict[str, Any]:
    """The raw state of a ``show -json`` state: one entry per resource, one instance per
    address, in the order Terraform writes them (modules after the root)."""
    entries: dict[tuple[str, str, str, str], dict[str, Any]] = {}

    def walk(module: dict[str, Any], address: str) -> None:
        for res in module.get("resources", []):
            key = (address, res["mode"], res["type"], res["name"])
            entry = entries.setdefault(
                key,
                {
                    **({"module": address} if address else {}),
                    "mode": res["mode"],
                    "type": res["type"],
                    "name": res["name"],
                    "provider": f'provider["{res["provider_name"]}"]',
                    "instances": [],
                },
            )
            instance: dict[str, Any] = {"schema_version": res.get("schema_version", 0)}
            if "index" in res:
                instance["index_key"] = res["index"]
            instance["attributes"] = res["values"]
            instance["sensitive_attributes"] = []
            entry["instances"].append(instance)
        for child in module.get("child_modules", []):
            walk(child, child["address"])

    walk(shown["values"]["root_module"], "")
    return {
        "version": 4,
        "terraform_version": shown["terraform_version"],
        "serial": 7,
        "lineage": "3f1d0c52-0000-4000-8000-000000000000",
        "outputs": {},
        "resources": list(entries.values()),
        "check_results": None,
    }


def _write(tmp_path: Path, data: Any, name: str = "terraform.tfstate") -> Document:
    path = tmp_path / name
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return load_document(path, name=name)


def _facts(result: AdapterResult) -> dict[str, dict[str, Any]]:
    """The facts of each store, without ``source`` (the file and path each came from)."""
    return {
        item.data["id"]: {k: v for k, v in item.data.items() if k != "source"}
        for item in result.items
    }


def test_a_raw_state_gives_the_facts_of_its_show_json_form(tmp_path: Path) -> None:
    shown = load_document(SHOWN, name=SHOWN.name)
    raw = _write(tmp_path, _raw(json.loads(SHOWN.read_text(encoding="utf-8"))))
    from_shown, from_raw = import_terraform(shown, EVERYTHING), import_terraform(raw, EVERYTHING)
    assert from_raw.readable and from_raw.items
    assert _facts(from_raw) == _facts(from_shown)
    assert [d.message for d in from_raw.diagnostics] == [d.message for d in from_shown.diagnostics]


def test_facts_of_a_raw_state_point_at_its_lines(tmp_path: Path) -> None:
    raw = _write(tmp_path, _raw(json.loads(SHOWN.read_text(encoding="utf-8"))))
    result = import_terraform(raw, EVERYTHING)
    [bucket] = [i for i in result.items if i.data["id"] == "chat-transcripts"]
    where = raw.locate(bucket.origin)
    assert where.file == "terraform.tfstate" and where.position is not None
    assert where.json_path.startswith("$.resources[") and "].instances[0]" in where.json_path
    lines = (tmp_path / "terraform.tfstate").read_text(encoding="utf-8").splitlines()
    assert '"bucket": "chat-transcripts"' in "\n".join(lines[where.position.line - 1 :][:4])


@pytest.mark.parametrize(
    ("module", "key", "address"),
    [
        ("", None, "aws_s3_bucket.chats"),
        ("", 2, "aws_s3_bucket.chats[2]"),
        ("module.chat", "eu", 'module.chat.aws_s3_bucket.chats["eu"]'),
        (
            'module.region["eu"].module.chat',
            0,
            'module.region["eu"].module.chat.aws_s3_bucket.chats[0]',
        ),
    ],
)
def test_addresses_are_those_terraform_prints(
    tmp_path: Path, module: str, key: Any, address: str
) -> None:
    instance: dict[str, Any] = {"attributes": {"bucket": "chats", "id": "chats"}}
    if key is not None:
        instance["index_key"] = key
    entry: dict[str, Any] = {"mode": "managed", "type": "aws_s3_bucket", "name": "chats"}
    if module:
        entry["module"] = module
    entry["instances"] = [instance]
    doc = _write(tmp_path, {"version": 4, "resources": [entry]})
    rules = [{"match": {"address": address}, "store": {"data_kinds": ["conversations"]}}]
    result = import_terraform(doc, rules)
    assert [i.data["id"] for i in result.items] == ["chats"]
    assert not [d for d in result.diagnostics if d.level is Level.ERROR]


def test_data_sources_and_deposed_objects_are_not_stores(tmp_path: Path) -> None:
    bucket = {"bucket": "chats", "id": "chats"}
    doc = _write(
        tmp_path,
        {
            "version": 4,
            "resources": [
                {"mode": "data", "type": "aws_s3_bucket", "name": "seen", "instances": [
                    {"attributes": {"bucket": "other", "id": "other"}}]},
                {"mode": "managed", "type": "aws_s3_bucket", "name": "chats", "instances": [
                    {"attributes": bucket},
                    {"deposed": "00aa11bb", "attributes": {**bucket, "id": "old"}}]},
            ],
        },
    )  # fmt: skip
    result = import_terraform(doc, EVERYTHING)
    assert [i.data["id"] for i in result.items] == ["chats"]


def test_flat_attributes_make_the_state_unreadable(tmp_path: Path) -> None:
    doc = _write(
        tmp_path,
        {
            "version": 4,
            "resources": [
                {"mode": "managed", "type": "aws_s3_bucket", "name": "old", "instances": [
                    {"attributes_flat": {"bucket": "old", "id": "old"}}]},
                {"mode": "managed", "type": "aws_s3_bucket", "name": "chats", "instances": [
                    {"attributes": {"bucket": "chats", "id": "chats"}}]},
            ],
        },
    )  # fmt: skip
    result = import_terraform(doc, EVERYTHING)
    # Refused whole, even beside a bucket it could read: no promise is judged on the rest.
    assert result.items == [] and not result.readable
    said = [(d.code, d.level, d.location.json_path, d.message) for d in result.diagnostics]
    assert (
        "terraform-malformed",
        Level.ERROR,
        "$.resources[0].instances[0]",
        "resource aws_s3_bucket.old with only flat attributes (a state written before "
        "Terraform 0.12); refresh the state with a current Terraform: the state cannot be read",
    ) in said


@pytest.mark.parametrize(
    ("resource", "what"),
    [
        (
            {"mode": "managed", "name": "x", "instances": []},
            "a state resource without a string type",
        ),
        (
            {"mode": "managed", "type": "aws_s3_bucket", "name": "x", "instances": ["oops"]},
            "an instance of aws_s3_bucket.x that is not an object",
        ),
        (
            {"mode": "managed", "type": "aws_s3_bucket", "name": "x", "instances": [{}]},
            "resource aws_s3_bucket.x with no attributes object",
        ),
    ],
)
def test_a_malformed_state_is_refused_naming_the_place(
    tmp_path: Path, resource: dict[str, Any], what: str
) -> None:
    doc = _write(tmp_path, {"version": 4, "resources": [resource]})
    result = import_terraform(doc, EVERYTHING)
    assert not result.readable and result.items == []
    [error] = result.diagnostics
    assert error.level is Level.ERROR and error.message.startswith(what)
    assert error.message.endswith(": the state cannot be read")


def test_a_state_of_format_3_is_refused(tmp_path: Path) -> None:
    doc = _write(tmp_path, {"version": 3, "terraform_version": "0.11.14", "modules": []})
    result = import_terraform(doc, EVERYTHING)
    assert result.items == []
    [error] = result.diagnostics
    assert error.level is Level.ERROR
    assert error.message.startswith("a Terraform state of format version 3: only version 4")


# --- a real state: snyk/driftctl's Memcached cluster -------------------------------------------


def _line(needle: str) -> int:
    text = DRIFTCTL_ELASTICACHE.read_text(encoding="utf-8")
    return next(i for i, line in enumerate(text.splitlines(), 1) if re.search(needle, line))


def test_real_state_memcached_cluster() -> None:
    """Read by hand: one Memcached cluster, ``cluster-example``, one cache.t2.micro node,
    ``snapshot_retention_limit: 0`` and no transit encryption attribute (the provider that
    wrote it, in 2022, had none for Memcached). So: not encrypted at rest (Memcached has no
    encryption at rest), encryption in transit not recorded (not evidenced), and no retention
    (no automatic backups, and a cache keeps what the application leaves in it)."""
    doc = load_document(DRIFTCTL_ELASTICACHE, name=DRIFTCTL_ELASTICACHE.name)
    rules = [
        {
            "match": {"address": "aws_elasticache_cluster.*"},
            "store": {"data_kinds": ["conversations"]},
        }
    ]
    result = import_terraform(doc, rules)
    [cache] = result.items
    assert cache.data["id"] == "cluster-example"
    assert cache.data["kind"] == "elasticache_cluster"
    assert cache.data["encryption"] == {"at_rest": False}
    assert "retention" not in cache.data and "in_transit" not in cache.data["encryption"]
    assert cache.data["source"]["address"] == "aws_elasticache_cluster.example"
    engine = doc.locate(cache.field_origins[("encryption", "at_rest")])
    assert engine.position is not None and engine.position.line == _line('"engine": "memcached"')
    assert not [d for d in result.diagnostics if d.level is Level.ERROR]


POLICY = """\
policy_checker: 2
metadata:
  id: session-cache
  title: "Session cache"
  version: "1.0"
  effective: "2026-01-01"
  owner: "privacy team"
vocabulary:
  tier_groups:
    consumer: {tiers: [free]}
  data_kinds:
    sessions: {description: "conversation sessions"}
security:
  - id: encrypted
    statement: "Sessions are encrypted at rest and in transit"
    data_kinds: [sessions]
    encryption_at_rest: required
    encryption_in_transit: required
"""

SNAPSHOT = f"""\
snapshot_format: 1
metadata:
  system: chat
  environment: production
  taken_at: "2026-11-01T00:00:00Z"
imports:
  - adapter: terraform
    path: {DRIFTCTL_ELASTICACHE.name}
    rules:
      - match: {{address: "aws_elasticache_cluster.*"}}
        store: {{data_kinds: [sessions]}}
"""


ENGINE_PATH = "$.resources[0].instances[0].attributes.engine"


def test_real_state_checked_end_to_end(tmp_path: Path, run_cli: CliRunner) -> None:
    """The cache fails encryption at rest at its ``engine`` line (Memcached) and does not
    evidence encryption in transit, with positions in the state file."""
    code, findings, output = check_beside_export(
        tmp_path, run_cli, DRIFTCTL_ELASTICACHE, POLICY, SNAPSHOT, AS_OF
    )
    assert code == 1, output
    name, engine = DRIFTCTL_ELASTICACHE.name, _line('"engine": "memcached"')
    assert findings == [
        f"{name}:{engine}:23: [high] fail: store cluster-example does not encrypt sessions at "
        f"rest (at {ENGINE_PATH}) (session-cache/encrypted, security)",
        f"{name}:{engine}:23: [high] not_evidenced: store "
        "cluster-example does not record whether it is encrypted in transit "
        f"(at {ENGINE_PATH}) (session-cache/encrypted, security)",
    ]
