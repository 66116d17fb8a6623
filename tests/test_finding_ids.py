"""Finding ids (checker.core.fingerprint): stable under refactoring, changed by what matters."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import re
import unicodedata
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.core import fingerprint
from checker.core.fingerprint import finding_id, is_finding_id, requirement
from checker.core.results import Status
from checker.documents import load_document
from checker.pipeline import CheckOptions, run_check
from tests.conftest import REPO
from tests.report_fixtures import mixed_result

POLICY = REPO / "policies" / "library" / "anthropic-consumer-2025.yaml"
SNAPSHOT = REPO / "policies" / "examples" / "violating" / "snapshot.yaml"
AS_OF = dt.date(2026, 11, 21)


def _data(path: Path) -> Any:
    return json.loads(json.dumps(load_document(str(path)).data, default=str))


def _write(path: Path, data: Any, *, flow: bool = False) -> Path:
    """``data`` as YAML laid out differently from the original: sorted keys, another
    indentation, or flow style."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(data, sort_keys=True, indent=4, default_flow_style=flow, width=70)
    path.write_text(text, encoding="utf-8")
    return path


def _ids(policy: Path, snapshot: Path) -> dict[tuple[str, str, str, str], str]:
    """Each finding's id, by what it is about (promise, resource, requirement)."""
    result = run_check(CheckOptions(policies=[str(policy)], snapshots=[str(snapshot)], as_of=AS_OF))
    ids = {
        (f.clause_id, f.resource, f.expected, f.status.value): f.finding_id for f in result.findings
    }
    assert len(ids) == len(result.findings)
    assert all(is_finding_id(i) for i in ids.values())
    return ids


def test_ids_survive_moving_reformatting_and_rewording(tmp_path: Path) -> None:
    before = _ids(POLICY, SNAPSHOT)
    policy = _data(POLICY)
    for clauses in policy.values():
        if isinstance(clauses, list):
            for clause in clauses:
                if isinstance(clause, dict) and "statement" in clause:
                    clause["statement"] = f"Reworded: {clause['statement']}"
                    clause["remediation"] = "Reworded remediation."
    snapshot = _data(SNAPSHOT)
    snapshot["stores"].reverse()  # list positions are not part of an id
    moved_policy = _write(tmp_path / "elsewhere" / "promises.yml", policy, flow=True)
    moved_snapshot = _write(tmp_path / "other" / "deep" / "prod.yaml", snapshot)
    after = _ids(moved_policy, moved_snapshot)
    assert after == before


def test_ids_change_with_the_resource_and_the_clause(tmp_path: Path) -> None:
    before = _ids(POLICY, SNAPSHOT)
    policy = _data(POLICY)
    policy["retention"][0]["id"] = "retention-renamed"
    snapshot = _data(SNAPSHOT)
    old_store = snapshot["stores"][0]["id"]
    snapshot["stores"][0]["id"] = "renamed-store"
    for pipeline in snapshot.get("pipelines", []):  # keep the snapshot consistent
        pipeline["sources"] = [
            "renamed-store" if s == old_store else s for s in pipeline.get("sources", [])
        ]
    after = _ids(_write(tmp_path / "p.yaml", policy), _write(tmp_path / "s.yaml", snapshot))
    clause = _data(POLICY)["retention"][0]["id"]
    renamed = {k: v for k, v in before.items() if k[0] == clause or k[1] == f"store:{old_store}"}
    assert renamed, "the example touches the renamed clause and store"
    assert not set(renamed.values()) & set(after.values())
    kept = {k: v for k, v in before.items() if k not in renamed}
    assert {k: after[k] for k in kept} == kept


def test_ids_change_with_the_system_and_environment() -> None:
    base = finding_id("p", "c", "chat", "production", "store:a", "at most 30d")
    assert finding_id("p", "c", "chat", "staging", "store:a", "at most 30d") != base
    assert finding_id("p", "c", "chat2", "production", "store:a", "at most 30d") != base
    assert finding_id("p", "c", "chat", "production", "store:b", "at most 30d") != base
    assert finding_id("p", "c", "chat", "production", "store:a", "at most 60d") != base
    # Parts cannot run into each other: ("ab", "c") is not ("a", "bc").
    assert finding_id("p", "c", "ab", "c", "r", "e") != finding_id("p", "c", "a", "bc", "r", "e")


def test_ids_ignore_spacing_unicode_form_and_dates() -> None:
    base = finding_id(
        "p", "c", "chat", "production", "store:café", "reviewed within 1y of 2026-11-21"
    )
    assert (
        finding_id(
            " p",
            "c ",
            "chat",
            "production",
            "store:cafe\u0301",
            "reviewed  within 1y\nof 2027-01-02",
        )
        == base
    )
    assert requirement("review before 2026-11-21T06:00:00Z") == "review before <date>"


def test_the_id_is_versioned() -> None:
    made = finding_id("p", "c", "s", "e", "r", "x")
    assert made.startswith("pcf1:") and len(made) == len("pcf1:") + 32
    assert not is_finding_id("pcf2:" + made[5:])
    assert not is_finding_id(made.upper())


@pytest.mark.parametrize("status", [Status.FAIL, Status.NOT_EVIDENCED])
def test_the_status_is_not_part_of_the_id(status: Status) -> None:
    """A requirement that goes from failing to not evidenced keeps its id, so that a baseline
    can tell that it lost visibility rather than see a new finding."""
    finding = next(f for f in mixed_result().findings if f.status is Status.FAIL)
    changed = dataclasses.replace(
        finding, status=status, message="other", actual="?", finding_id=""
    )
    assert changed.finding_id == finding.finding_id


@pytest.mark.parametrize(
    "part",
    [
        "plain",
        'quote " and \\ backslash',
        "tab\tnewline\n\x00\x1f\x7f",
        "é ü § 中文",
        "\u2028\ud800",
    ],
)
def test_the_parts_are_encoded_as_the_recipe_says(part: str) -> None:
    """The parts are hashed as ``json.dumps(parts, ensure_ascii=False, separators=(",", ":"))``."""
    parts = [fingerprint.RECIPE, part, "clause", "system", "production", part, "expected"]
    text = json.dumps(parts, ensure_ascii=False, separators=(",", ":"))
    assert fingerprint._encode_parts(parts) == text


@pytest.mark.parametrize(
    "resource", ["store:chat", 'store:"quoted" \\ é', "  store:\tspaced  ", ""]
)
def test_the_id_is_the_hash_of_the_parts_as_the_recipe_says(resource: str) -> None:
    parts = [fingerprint.RECIPE, "p", "c", "sys", "prod", fingerprint.normalise(resource)]
    parts.append(requirement("reviewed within 1y of 2026-11-21"))
    text = json.dumps(parts, ensure_ascii=False, separators=(",", ":"))
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    made = finding_id("p", "c", "sys", "prod", resource, "reviewed within 1y of 2026-11-21")
    assert made == fingerprint.PREFIX + digest[:32]


WHITESPACE_AND_MORE = st.text(
    st.sampled_from(list(" \t\n\r\x0b\x0c\x1c\x1f\x85\xa0\u1680\u2028\u3000\u200bae\u0301é"))
    | st.characters(),
    max_size=20,
)


@settings(max_examples=500, deadline=None)
@given(text=WHITESPACE_AND_MORE)
def test_a_part_is_normalised_as_the_recipe_says(text: str) -> None:
    """NFC, then every run of whitespace (as the pattern ``\\s`` finds it) made one space and
    the ends trimmed: the spelling every id was made from."""
    spelled = re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()
    assert fingerprint.normalise(text) == spelled


EXAMPLES = REPO / "policies" / "examples"
LIBRARY_RUNS = [
    (policy, snapshot)
    for policy, folder in [
        ("anthropic-consumer-2025", "violating"),
        ("anthropic-consumer-2025", "compliant"),
        ("anthropic-privacy-2023", "privacy-2023"),
        ("anthropic-published", "anthropic-published"),
        ("google-gemini-published", "google-gemini-published"),
        ("openai-published", "openai-published"),
    ]
    for snapshot in sorted((EXAMPLES / folder).glob("*.yaml"))
]


@pytest.mark.parametrize(
    ("policy", "snapshot"),
    LIBRARY_RUNS,
    ids=[f"{policy}-{snapshot.parent.name}-{snapshot.stem}" for policy, snapshot in LIBRARY_RUNS],
)
def test_one_snapshot_never_gives_two_findings_one_id(policy: str, snapshot: Path) -> None:
    """Two findings of one id in one snapshot are matched one for one by a baseline, in order:
    a new failure then passes for the accepted one. A store's per-setting windows
    (retention_choices) and a legal hold's finding beside the store's own window (retention)
    shared their ids."""
    result = run_check(
        CheckOptions(
            policies=[str(REPO / "policies" / "library" / f"{policy}.yaml")],
            snapshots=[str(snapshot)],
            as_of=AS_OF,
        )
    )
    seen: dict[str, tuple[str, str, str]] = {}
    for finding in result.findings:
        what = (finding.rule_id, finding.resource, finding.message)
        assert seen.setdefault(finding.finding_id, what) == what, (seen[finding.finding_id], what)
