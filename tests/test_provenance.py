"""Provenance of promises: clause sources and confidence on findings, conflicts, and reports."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import jsonschema

from checker.core.results import Provenance, Severity, Status
from checker.documents import load_document
from checker.evaluation.engine import evaluate
from checker.evaluation.provenance import conflict_observation, provenance
from checker.validation.schemas import load_schema
from reports.html import render_html
from reports.json_report import result_from_dict, result_to_dict
from reports.markdown import MarkdownReporter
from tests.policy_support import problems

CASE = Path(__file__).parent / "cases" / "check" / "confidence-conflict"
PRIVACY_CENTER = "https://privacy.anthropic.com/en/articles/10023565"


def _result(policy_text: str | None = None, tmp_path: Path | None = None) -> Any:
    policy_path = CASE / "policy.yaml"
    if policy_text is not None and tmp_path is not None:
        policy_path = tmp_path / "policy.yaml"
        policy_path.write_text(policy_text, encoding="utf-8")
    policy = load_document(policy_path, name="policy.yaml")
    snapshot = load_document(CASE / "snapshot.yaml", name="snapshot.yaml")
    return evaluate([policy], [snapshot], as_of=dt.date(2026, 11, 21))


def test_one_source_or_several_in_the_order_written() -> None:
    one = {"source": {"document": "Terms", "date": "2025-09-28", "kind": "primary"}}
    assert provenance(one) == (Provenance("Terms", "", "2025-09-28", "", "primary"),)
    several = {"sources": [{"url": "https://a.example"}, {"document": "B", "quote": "q"}]}
    assert provenance(several) == (
        Provenance(url="https://a.example"),
        Provenance(document="B", quote="q"),
    )
    assert provenance({}) == ()
    assert Provenance(url="https://a.example").label == "https://a.example"
    assert Provenance(document="Terms", date="2025-09-28").label == "Terms (2025-09-28)"


def test_a_conflict_without_sources_asks_for_them() -> None:
    observation = conflict_observation({"confidence": "conflict"})
    assert observation.status is Status.FAIL
    assert observation.clause_path == ("confidence",)
    assert observation.message == (
        "the promise is not settled: its sources disagree, and the clause names none (add "
        "source or sources); a person must decide what is promised and change the clause's "
        "confidence"
    )


def test_a_disputed_promise_fails_whatever_the_snapshot_says() -> None:
    result = _result()
    by_clause = {f.clause_id: f for f in result.findings}
    disputed = by_clause["adults-only"]
    # The snapshot's age gate admits no one under 18: read one way, the promise would pass.
    assert [f.clause_id for f in result.findings].count("adults-only") == 1
    assert (disputed.status, disputed.severity) == (Status.FAIL, Severity.CRITICAL)
    assert disputed.evidence_location is None
    assert disputed.policy_location.json_path == "$.minors[0].confidence"
    assert disputed.confidence == "conflict"
    assert [s.quote for s in disputed.sources] == ["18+", "13-17 with parental permission"]
    # What to do is about the policy, not the system: the check's own remediation would
    # send a reader to change a snapshot that is not at fault.
    assert disputed.remediation.startswith("Read the sources, decide what is promised")


def test_a_resolved_promise_is_checked_again(tmp_path: Path) -> None:
    text = (CASE / "policy.yaml").read_text(encoding="utf-8")
    result = _result(text.replace("confidence: conflict", "confidence: secondary"), tmp_path)
    checked = [(f.resource, f.status) for f in result.findings if f.clause_id == "adults-only"]
    assert ("age_gate", Status.PASS) in checked
    assert all(resource != "sources" for resource, _ in checked)


def test_sources_in_json_results_are_schema_valid_and_read_back() -> None:
    result = _result()
    data = json.loads(json.dumps(result_to_dict(result)))
    jsonschema.validate(data, load_schema("results"))
    sourced = next(f for f in data["findings"] if f["clause_id"] == "opted-out-30d")
    assert sourced["confidence"] == "confirmed"
    assert sourced["sources"] == [
        {
            "document": "How long do you store my data? (Anthropic Privacy Center)",
            "url": PRIVACY_CENTER,
            "quote": "up to 30 days",
            "kind": "primary",
        }
    ]
    assert result_from_dict(data).findings == result.findings


def test_findings_of_unsourced_clauses_have_no_provenance_fields(tmp_path: Path) -> None:
    text = (CASE / "policy.yaml").read_text(encoding="utf-8")
    plain = text.split("    confidence: confirmed")[0] + "minors: []\n"
    data = result_to_dict(_result(plain, tmp_path))
    assert data["findings"] and all(
        "sources" not in f and "confidence" not in f for f in data["findings"]
    )


def test_the_html_report_quotes_and_links_each_source(tmp_path: Path) -> None:
    text = (CASE / "policy.yaml").read_text(encoding="utf-8")
    html = render_html(_result(text.replace("max: 30d", "max: 7d"), tmp_path))  # a failure
    assert (
        '<q class="prose">up to 30 days</q> — <a href="' + PRIVACY_CENTER + '" '
        'rel="noreferrer noopener">How long do you store my data? (Anthropic Privacy Center)</a>'
    ) in html
    assert "confidence: conflict" in html
    assert "&#34;13-17 with parental permission&#34;" in html  # the conflict's message


def test_a_source_url_that_is_no_web_address_is_never_a_link(tmp_path: Path) -> None:
    text = (CASE / "policy.yaml").read_text(encoding="utf-8")
    hostile = text.replace("max: 30d", "max: 7d").replace(PRIVACY_CENTER, "javascript:alert(1)")
    hostile = hostile.replace('"up to 30 days"', '"<script>alert(1)</script>"')
    html = render_html(_result(hostile, tmp_path))
    assert 'href="javascript' not in html
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_markdown_report_names_the_source_and_a_doubtful_confidence() -> None:
    import io

    stream = io.StringIO()
    MarkdownReporter().render(_result(), stream)
    text = stream.getvalue()
    assert "<br>source: ConductAtlas summary of the privacy policy" in text
    assert "<br>confidence: conflict" in text


def test_source_and_sources_are_exclusive() -> None:
    clause = {
        "id": "a",
        "statement": "Users are told within 72 hours.",
        "audience": "users",
        "within": "72h",
        "source": {"document": "Privacy Policy"},
        "sources": [{"document": "Privacy Policy"}],
    }
    policy = {
        "policy_checker": 2,
        "metadata": {
            "id": "p",
            "title": "P",
            "version": "1",
            "effective": "2026-01-01",
            "owner": "privacy team",
        },
        "vocabulary": {"tier_groups": {}, "data_kinds": {}},
        "breach_notification": [clause],
    }
    assert [(d.code, d.location.json_path, d.message) for d in problems("policy", policy)] == [
        (
            "schema-conflict",
            "$.breach_notification[0].sources",
            "'sources' cannot be used together with 'source'; keep one of them",
        )
    ]
    del clause["source"]
    clause["sources"] = [{"quote": "no document named"}]
    assert [(d.code, d.location.json_path) for d in problems("policy", policy)] == [
        ("schema-required", "$.breach_notification[0].sources[0]")
    ]
