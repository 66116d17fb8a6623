"""Reporters: golden files, published schemas, determinism, safety and size bounds.

Golden files live in ``tests/golden``; regenerate them with ``UPDATE_GOLDEN=1 pytest
tests/test_reporters.py`` and review the diff. Each golden output is also checked against
properties of its format that come from the result, not from the file (valid against the
published schema, one entry per finding it must show), so a golden file regenerated from a
broken reporter fails.
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
import random
import re
import time
import xml.etree.ElementTree as ET
from collections import Counter
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import xmlschema

from checker.core.diagnostics import Level, Location, Position
from checker.core.errors import UsageError
from checker.core.results import (
    Comparison,
    Finding,
    Novelty,
    PassedResources,
    Result,
    Severity,
    Status,
)
from checker.documents import load_document
from checker.validation.validator import validate_document
from reports import REPORTERS, TEXT_REPORTERS, default_format, get_reporter
from reports.base import Redacted, Summary, sorted_findings, visible, where
from reports.github import MAX_ANNOTATIONS, escape_data, escape_property
from reports.html import CSP
from reports.json_report import result_from_dict, result_to_dict
from reports.junit import junit_timestamp
from reports.markdown import MAX_ROWS, code, prose
from reports.sarif import FINDING_ID_KEY, SECURITY_SEVERITY, artifact_uri
from reports.text import finding_line as text_finding_line
from tests.conftest import PUBLISHED_SCHEMAS
from tests.report_fixtures import (
    HOSTILE_IMG,
    HOSTILE_LONG,
    HOSTILE_SCRIPT,
    all_pass_result,
    counted_result,
    empty_result,
    hostile_result,
    huge_result,
    mixed_result,
)

HERE = Path(__file__).resolve().parent
GOLDEN = HERE / "golden"
REPO = HERE.parent
SCHEMAS = PUBLISHED_SCHEMAS
RESULTS_SCHEMA = REPO / "policies" / "schemas" / "results.schema.json"

SAMPLES = {
    "mixed": mixed_result,
    "counted": counted_result,
    "all_pass": all_pass_result,
    "empty": empty_result,
    "hostile": hostile_result,
}


def render(name: str, result: Result, *, color: bool = False) -> str:
    stream = io.StringIO()
    get_reporter(name).render(result, stream, color=color)
    return stream.getvalue()


@pytest.fixture(scope="module")
def huge() -> Result:
    return huge_result()


def _published_schema(name: str) -> Path:
    path = SCHEMAS / name
    assert path.is_file(), f"the published schema is missing: expected {path}"
    return path


# --- Registry ---------------------------------------------------------------------------


def test_registry_names_and_extensions() -> None:
    assert set(REPORTERS) == {"text", "json", "sarif", "junit", "markdown", "github", "html", "pdf"}
    assert set(TEXT_REPORTERS) == set(REPORTERS) - {"pdf"}
    for name, cls in REPORTERS.items():
        reporter = get_reporter(name)
        assert isinstance(reporter, cls)
        assert reporter.name == name
        assert reporter.extension.startswith(".")
        assert reporter.description


def test_unknown_format_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match=r"choose from .*html"):
        get_reporter("doc")


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"GITHUB_ACTIONS": "true"}, "github"),
        ({"GITHUB_ACTIONS": "false"}, "text"),
        ({"CI": "true"}, "text"),
        ({}, "text"),
    ],
)
def test_default_format(environ: dict[str, str], expected: str) -> None:
    assert default_format(environ) == expected


# --- Golden files ---------------------------------------------------------------------------


GOLDEN_CASES = [
    *(("mixed", name) for name in sorted(TEXT_REPORTERS)),
    ("empty", "text"),
    ("empty", "markdown"),
    ("empty", "html"),
    ("hostile", "text"),
    ("hostile", "markdown"),
    ("hostile", "github"),
]


@pytest.mark.parametrize(("sample", "name"), GOLDEN_CASES)
def test_golden(sample: str, name: str) -> None:
    out = render(name, SAMPLES[sample]())
    path = GOLDEN / f"{sample}-{name}{REPORTERS[name].extension}"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_text(out, encoding="utf-8", newline="\n")
    assert path.is_file(), f"missing golden file {path}; run with UPDATE_GOLDEN=1"
    assert out == path.read_text(encoding="utf-8"), (
        f"{name} output differs from {path.name}; if the change is intended, regenerate with "
        "UPDATE_GOLDEN=1 and review the diff"
    )


# --- Golden files checked by properties ---------------------------------------------------
# A golden file only says that the output did not change; regenerated (UPDATE_GOLDEN=1) after
# a reporter broke, it would keep the breakage. So each golden output is also checked against
# properties that come from the result itself, not from any golden file: the output is valid
# for its format's published schema or grammar, and it has one entry per finding it must show.


def _non_pass(result: Result) -> list[Finding]:
    return [f for f in result.findings if f.status is not Status.PASS]


def _shown_in_ci(result: Result) -> list[Finding]:
    """Findings that need attention: not passes, not waived."""
    return [f for f in result.findings if f.status not in (Status.PASS, Status.WAIVED)]


def _text_properties(result: Result, out: str) -> None:
    lines = out.splitlines()
    statuses = "|".join(s.value for s in Status if s is not Status.PASS)
    severities = "|".join(s.value for s in Severity)
    shape = re.compile(rf": \[({severities})\] ({statuses}): ")
    finding_lines = [line for line in lines if shape.search(line)]
    assert len(finding_lines) == len(_non_pass(result))  # one line per finding, passes left out
    named = Counter(f"({f.rule_id}, {f.check_id})" for f in _non_pass(result))
    names = [next((name for name in named if name in line), line) for line in finding_lines]
    assert Counter(names) == named  # each finding once, by its rule and check
    assert len(lines) == len(result.diagnostics) + len(finding_lines) + 1  # and a summary
    verdict = "Compliant" if result.compliant else "Not compliant"
    assert lines[-1].startswith(f"{verdict}:")


def _markdown_properties(result: Result, out: str) -> None:
    verdict = "Compliant" if result.compliant else "Not compliant"
    assert out.startswith(f"## Privacy policy check: {verdict}\n")
    sections = {
        "Failures": Status.FAIL,
        "Could not be evaluated": Status.ERROR,
        "Not evidenced": Status.NOT_EVIDENCED,
        "Waived findings": Status.WAIVED,
    }
    counts = result.counts()
    for heading, status in sections.items():
        match = re.search(rf"^### {heading} \((\d+)\)\n(.*?)(?=^#|\Z)", out, re.M | re.S)
        if not counts[status]:
            assert match is None, heading
            continue
        assert match is not None, heading
        assert int(match.group(1)) == counts[status]
        rows = [line for line in match.group(2).splitlines() if line.startswith("| ")]
        assert len(rows) == 1 + counts[status], heading  # a header row, one per finding
        for finding in (f for f in result.findings if f.status is status):
            assert f"`{finding.rule_id}`" in match.group(2)


def _github_properties(result: Result, out: str) -> None:
    lines = out.splitlines()
    titles = []
    for line in lines:
        match = re.match(r"::(error|warning|notice) ([^:]*)::", line)
        assert match, line
        props = dict(p.split("=", 1) for p in match.group(2).split(",") if "=" in p)
        title = props.get("title", "").replace("%3A", ":").replace("%2C", ",").replace("%25", "%")
        titles.append((match.group(1), title))
    blocking = {id(f) for f in result.blocking()}
    expected = Counter(
        (
            "error" if id(f) in blocking else "warning",
            f"{f.severity.value} · {f.status.value.replace('_', ' ')}: {f.rule_id}",
        )
        for f in _shown_in_ci(result)
    )
    expected.update(  # waived findings stay in sight, as notices naming their waiver
        ("notice", f"{f.severity.value} · waived by {f.waiver.id}: {f.rule_id}")
        for f in result.findings
        if f.status is Status.WAIVED and f.waiver is not None
    )
    shown = Counter(t for t in titles if " · " in t[1])
    assert shown == expected  # one annotation per finding that needs attention, none for passes
    inputs = [t for t in titles if t[1].startswith("policy-checker:")]
    assert len(inputs) == len(result.diagnostics)
    assert titles[-1] == ("notice", "Privacy policy check")


def _json_properties(result: Result, out: str) -> None:
    data = json.loads(out)
    errors = list(_results_validator().iter_errors(data))
    assert not errors, [e.message for e in errors[:3]]
    counts = result.counts()
    assert len(data["findings"]) == len(result.findings)
    assert data["summary"]["total"] == len(result.findings)
    for status in Status:
        assert data["summary"][status.value] == counts[status], status
    assert data["summary"]["blocking"] == len(result.blocking())
    assert (data["verdict"], data["exit_code"]) == (
        ("compliant", 0) if result.compliant else ("not_compliant", 1)
    )
    assert Counter(f["rule_id"] for f in data["findings"]) == Counter(
        f.rule_id for f in result.findings
    )


def _sarif_properties(result: Result, out: str) -> None:
    data = json.loads(out)
    errors = list(_sarif_validator().iter_errors(data))
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:3]]
    (run,) = data["runs"]
    results = run["results"]
    # Every finding that is not a pass, and every input problem (its code the rule).
    assert Counter(r["ruleId"] for r in results) == Counter(
        f.rule_id for f in _non_pass(result)
    ) + Counter(d.code or "input" for d in result.diagnostics)
    suppressed = [r for r in results if r.get("suppressions")]
    assert len(suppressed) == result.counts()[Status.WAIVED]


def _finding_results(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The SARIF results of findings (those of input problems have no finding id)."""
    results: list[dict[str, Any]] = data["runs"][0]["results"]
    return [r for r in results if "findingId" in r.get("properties", {})]


def _junit_properties(result: Result, out: str) -> None:
    _junit_schema().validate(out)
    root = ET.fromstring(out)
    cases = root.findall("testsuite/testcase")
    assert len(cases) == len(result.findings)  # one test case per finding
    assert Counter(str(c.get("name")).split(" [", 1)[0] for c in cases) == Counter(
        f.clause_id for f in result.findings
    )
    failing = root.findall("testsuite/testcase/failure") + root.findall("testsuite/testcase/error")
    assert len(failing) == len(result.blocking())
    assert len(root.findall("testsuite/testcase/error")) == sum(
        f.status is Status.ERROR for f in result.blocking()
    )
    skipped = root.findall("testsuite/testcase/skipped")
    assert len(skipped) == len(_non_pass(result)) - len(result.blocking())


class _WellFormed(HTMLParser):
    """Every element that is opened is closed, in order (void elements aside)."""

    VOID = frozenset(
        [
            "area",
            "base",
            "br",
            "col",
            "embed",
            "hr",
            "img",
            "input",
            "link",
            "meta",
            "source",
            "track",
            "wbr",
        ]
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open[-1] == tag, (tag, self.open[-3:])
        self.open.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _html_properties(result: Result, out: str) -> None:
    parser = _WellFormed()
    parser.feed(out)
    parser.close()
    assert parser.open == []
    text = " ".join(parser.text)
    verdict = "Not compliant" if not result.compliant else "Compliant"
    assert verdict in text
    for finding in result.findings:  # every finding is shown, passes included
        assert finding.clause_id in text, finding.clause_id
    if not result.findings:
        assert "No promises were checked" in text


GOLDEN_PROPERTIES = {
    "text": _text_properties,
    "markdown": _markdown_properties,
    "github": _github_properties,
    "json": _json_properties,
    "sarif": _sarif_properties,
    "junit": _junit_properties,
    "html": _html_properties,
}


def test_every_golden_format_has_its_properties() -> None:
    assert {name for _, name in GOLDEN_CASES} <= set(GOLDEN_PROPERTIES)


@pytest.mark.parametrize(("sample", "name"), GOLDEN_CASES)
def test_golden_output_has_the_properties_of_its_format(sample: str, name: str) -> None:
    """Checked on the rendering and on the golden file itself."""
    result = SAMPLES[sample]()
    path = GOLDEN / f"{sample}-{name}{REPORTERS[name].extension}"
    GOLDEN_PROPERTIES[name](result, render(name, result))
    GOLDEN_PROPERTIES[name](result, path.read_text(encoding="utf-8"))


# --- Determinism ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(TEXT_REPORTERS))
def test_same_result_same_bytes(name: str) -> None:
    assert render(name, mixed_result()) == render(name, mixed_result())


@pytest.mark.parametrize("name", sorted(set(TEXT_REPORTERS) - {"json"}))
def test_output_does_not_depend_on_finding_order(name: str) -> None:
    shuffled = mixed_result()
    random.Random(7).shuffle(shuffled.findings)
    assert render(name, shuffled) == render(name, mixed_result())


def test_rendering_does_not_change_the_result() -> None:
    result = hostile_result()
    before = dataclasses.replace(result, findings=list(result.findings))
    for name in TEXT_REPORTERS:
        render(name, result)
    assert result == before


# --- JSON -----------------------------------------------------------------------------------


def _results_validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(RESULTS_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


@pytest.mark.parametrize("sample", sorted(SAMPLES))
def test_json_follows_the_results_schema(sample: str) -> None:
    data = json.loads(render("json", SAMPLES[sample]()))
    errors = list(_results_validator().iter_errors(data))
    assert not errors, [e.message for e in errors[:3]]
    assert data["results_format"] == 1


def test_json_is_accepted_by_the_results_loader(tmp_path: Path) -> None:
    path = tmp_path / "results.json"
    path.write_text(render("json", mixed_result()), encoding="utf-8")
    doc = load_document(path)
    problems = [d for d in validate_document(doc, "results") if d.level is Level.ERROR]
    assert not problems, [str(p) for p in problems]
    assert result_from_dict(doc.data) == mixed_result_redacted()


def mixed_result_redacted() -> Result:
    from reports.redaction import redact_result

    return redact_result(mixed_result())


@pytest.mark.parametrize("sample", sorted(SAMPLES))
def test_json_round_trip_is_exact(sample: str) -> None:
    result = SAMPLES[sample]()
    assert result_from_dict(result_to_dict(result)) == result
    text = json.dumps(result_to_dict(result))
    assert result_from_dict(json.loads(text)) == result


def test_json_round_trip_through_the_reporter_text() -> None:
    from reports.redaction import redact_result

    result = hostile_result()
    result.findings[0] = dataclasses.replace(
        result.findings[0], actual="lone \ud800 surrogate, \u2028 separator, \x85 next line"
    )
    text = render("json", result)
    text.encode("utf-8")  # writable as UTF-8: nothing unpaired left raw
    assert "\u202e" not in text and "\u2028" not in text and "\x85" not in text
    assert result_from_dict(json.loads(text)) == redact_result(result)


def test_json_derived_fields() -> None:
    data = json.loads(render("json", mixed_result()))
    assert data["verdict"] == "not_compliant" and data["exit_code"] == 1
    summary = data["summary"]
    assert summary["total"] == len(data["findings"])
    assert summary["blocking"] == sum(f["blocking"] for f in data["findings"])
    assert summary["by_area"]["retention"] == {
        "total": 5,
        "fail": 2,
        "error": 0,
        "not_evidenced": 0,
        "waived": 1,
        "pass": 2,
    }
    waived = [f for f in data["findings"] if f["status"] == "waived"]
    assert waived and waived[0]["waiver"]["id"] == "W-2026-014"
    assert data["findings"][0]["rule_id"] == "consumer-privacy-2025/business-tiers-never-trained"


def test_json_of_a_compliant_result() -> None:
    data = json.loads(render("json", all_pass_result()))
    assert data["verdict"] == "compliant" and data["exit_code"] == 0


# --- SARIF ----------------------------------------------------------------------------------


def _sarif_validator() -> jsonschema.Draft4Validator:
    schema = json.loads(_published_schema("sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    return jsonschema.Draft4Validator(schema)


@pytest.mark.parametrize("sample", sorted(SAMPLES))
def test_sarif_is_valid_against_the_published_schema(sample: str) -> None:
    data = json.loads(render("sarif", SAMPLES[sample]()))
    errors = list(_sarif_validator().iter_errors(data))
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:3]]
    assert data["version"] == "2.1.0"


def test_sarif_content() -> None:
    data = json.loads(render("sarif", mixed_result()))
    (run,) = data["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "policy-checker"
    rules = {rule["id"]: rule for rule in driver["rules"]}
    assert list(rules) == sorted(rules)
    rule = rules["consumer-privacy-2025/retention-not-opted-in"]
    assert rule["shortDescription"]["text"].startswith("Conversations of users who did not")
    assert "30 days or less" in rule["help"]["text"]
    assert rule["properties"]["security-severity"] == SECURITY_SEVERITY[Severity.HIGH] == "8.0"
    assert {"retention", "GDPR Art. 5(1)(e)"} <= set(rule["properties"]["tags"])
    results = [r for r in run["results"] if "findingId" in r["properties"]]
    assert len(results) == 9  # every finding that is not a pass
    for item in results:
        assert driver["rules"][item["ruleIndex"]]["id"] == item["ruleId"]
        assert re.fullmatch(r"pcf1:[0-9a-f]{32}", item["partialFingerprints"][FINDING_ID_KEY])
        assert item["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
            "policies/examples/consumer-2025.yaml"
        )
    first = results[0]
    assert first["level"] == "error"
    assert first["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "snapshots/production.yaml"},
        "region": {"startLine": 88, "startColumn": 12},
    }
    assert first["properties"]["evidencePath"] == "$.pipelines[0].tiers"
    # A finding without a position still has a location: the file, without a region.
    no_region = next(r for r in results if "incident response" in r["message"]["text"])
    assert no_region["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "snapshots/production.yaml"}
    }
    waived = [r for r in results if "suppressions" in r]
    assert len(waived) == 1
    suppression = waived[0]["suppressions"][0]
    assert suppression["kind"] == "external" and suppression["status"] == "accepted"
    assert "Warehouse migration" in suppression["justification"]
    assert "W-2026-014" in suppression["justification"]
    levels = {r["properties"]["severity"]: r["level"] for r in results}
    assert levels == {"critical": "error", "high": "error", "medium": "warning", "info": "note"}
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert notes[0]["descriptor"]["id"] == "waiver-expired" and notes[0]["level"] == "warning"


def test_sarif_of_a_check_has_its_input_problems_as_results() -> None:
    # Code scanning shows results, not notifications: an input problem that fails the run (a
    # duplicate id) or that a reviewer must act on (an expired waiver) is an alert on its line,
    # as with validate.
    data = json.loads(render("sarif", mixed_result()))
    run = data["runs"][0]
    rules = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    [problem] = [r for r in run["results"] if r["ruleId"] == "waiver-expired"]
    assert rules[problem["ruleIndex"]] == "waiver-expired"
    assert problem["level"] == "warning"
    assert problem["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "waivers.yaml"},
        "region": {"startLine": 19, "startColumn": 5},
    }
    assert problem["message"]["text"].endswith("count again (at $.waivers[2])")
    assert not list(_sarif_validator().iter_errors(data))


def test_sarif_messages_name_the_json_path() -> None:
    # Code scanning shows a result's message at its line, not its logical location: the
    # message names the path in the document, as every message does.
    data = json.loads(render("sarif", mixed_result()))
    run = data["runs"][0]
    for item in _finding_results(data):
        path = item["properties"]["evidencePath"]
        assert item["message"]["text"].endswith(f" at {path}."), item["message"]["text"]
    [note] = run["invocations"][0]["toolExecutionNotifications"]
    assert note["message"]["text"].endswith(" (at $.waivers[2])")


def test_sarif_fingerprints_stay_unique_when_two_snapshots_share_finding_ids() -> None:
    # Code scanning takes results with the same fingerprint for one alert: a second snapshot
    # of one system and environment (same finding ids) would vanish into the first's alerts.
    result = mixed_result()
    twins = [
        dataclasses.replace(
            f, evidence_location=dataclasses.replace(where(f), file="snapshots/replica.yaml")
        )
        for f in result.findings
    ]
    data = json.loads(
        render("sarif", dataclasses.replace(result, findings=[*result.findings, *twins]))
    )
    results = _finding_results(data)
    prints = [r["partialFingerprints"][FINDING_ID_KEY] for r in results]
    assert len(results) == 18 and len(set(prints)) == 18
    by_id: dict[str, list[str]] = {}
    for item in results:  # the finding id itself is unchanged, and the first result keeps it
        by_id.setdefault(item["properties"]["findingId"], []).append(
            item["partialFingerprints"][FINDING_ID_KEY]
        )
    assert all(prints == [key, f"{key}/2"] for key, prints in by_id.items()), by_id
    assert not list(_sarif_validator().iter_errors(data))


def test_sarif_fingerprints_survive_line_moves() -> None:
    moved = mixed_result()
    moved.findings = [
        dataclasses.replace(
            f, evidence_location=dataclasses.replace(f.evidence_location, position=Position(1, 1))
        )
        if f.evidence_location
        else f
        for f in moved.findings
    ]

    def prints(result: Result) -> list[str]:
        data = json.loads(render("sarif", result))
        return [r["partialFingerprints"][FINDING_ID_KEY] for r in _finding_results(data)]

    assert sorted(prints(moved)) == sorted(prints(mixed_result()))
    assert len(set(prints(mixed_result()))) == 9


@pytest.mark.parametrize(
    ("file", "uri"),
    [
        ("snapshots/prod.yaml", "snapshots/prod.yaml"),
        ("dir with space/a#b.yaml", "dir%20with%20space/a%23b.yaml"),
        ("/abs/snap.yaml", "file:///abs/snap.yaml"),
        ("C:\\work\\snap.yaml", "file:///C:/work/snap.yaml"),
        ('snap"><x>.yaml', "snap%22%3E%3Cx%3E.yaml"),
        ("snap-é.yaml", "snap-%C3%A9.yaml"),
        # A file name that is not UTF-8 (byte 0xff, read by Python as the surrogate U+DCFF):
        # its URI has the file's own bytes, percent-encoded.
        ("snap-\udcff.yaml", "snap-%FF.yaml"),
        ("/abs/snap-\udcff.yaml", "file:///abs/snap-%FF.yaml"),
    ],
)
def test_sarif_artifact_uris(file: str, uri: str) -> None:
    assert artifact_uri(file) == uri


def test_sarif_of_a_file_name_that_is_not_utf8() -> None:
    result = mixed_result()
    odd = [
        dataclasses.replace(f, evidence_location=dataclasses.replace(where(f), file="s\udcff.yaml"))
        for f in result.findings
    ]
    data = json.loads(render("sarif", dataclasses.replace(result, findings=odd)))
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in _finding_results(data)
    }
    assert uris == {"s%FF.yaml"}
    assert not list(_sarif_validator().iter_errors(data))


# --- JUnit ----------------------------------------------------------------------------------


@cache
def _junit_schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(_published_schema("junit.xsd")))


@pytest.fixture(scope="module")
def junit_schema() -> xmlschema.XMLSchema:
    return _junit_schema()


@pytest.mark.parametrize("sample", sorted(SAMPLES))
def test_junit_is_valid_against_the_published_schema(
    sample: str, junit_schema: xmlschema.XMLSchema
) -> None:
    out = render("junit", SAMPLES[sample]())
    junit_schema.validate(out)


def test_junit_content() -> None:
    root = ET.fromstring(render("junit", mixed_result()))
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites][:3] == [
        "Input documents",
        "Training consent",
        "Excluded tiers",
    ]
    cases = root.findall("testsuite/testcase")
    names = [(c.get("classname"), c.get("name")) for c in cases]
    assert len(names) == len(set(names))
    # Two snapshots give the same promise and resource: the second name gets the file.
    assert (
        "consumer-privacy-2025.retention",
        "retention-not-opted-in [chat-primary] (snapshots/staging.yaml)",
    ) in names
    retention = next(s for s in suites if s.get("name") == "Retention")
    assert (retention.get("tests"), retention.get("failures"), retention.get("skipped")) == (
        "5",
        "2",
        "1",
    )
    skipped = retention.find("testcase/skipped")
    assert skipped is not None and "W-2026-014" in skipped.get("message", "")
    assert "2026-11-20" in skipped.get("message", "")
    failures = root.findall(".//failure")
    assert {f.get("type") for f in failures} == {"fail", "not_evidenced"}
    assert len(root.findall(".//error")) == 1
    # A not-evidenced finding the policy marks "warn" (info severity) does not fail the build.
    info = next(c for c in cases if c.get("name", "").startswith("external-audit"))
    assert info.find("skipped") is not None
    assert suites[1].get("timestamp") == "2026-11-01T09:30:00"


def test_junit_of_an_empty_result_is_valid(junit_schema: xmlschema.XMLSchema) -> None:
    out = render("junit", empty_result())
    assert ET.fromstring(out).findall("testsuite") == []


# --- Text -----------------------------------------------------------------------------------


def test_text_lines_and_summary() -> None:
    lines = render("text", mixed_result()).splitlines()
    assert lines[0].startswith("waivers.yaml:19:5: warning: waiver W-2025-031 expired")
    assert lines[1].startswith("snapshots/production.yaml:88:12: [critical] fail:")
    # Like every message, a finding names the path in the document besides file:line:col.
    assert lines[1].endswith(
        "which must never be trained on (at $.pipelines[0].tiers) "
        "(consumer-privacy-2025/business-tiers-never-trained, training_exclusions)"
    )
    assert len(lines) == 1 + 9 + 1  # diagnostics, findings that are not passes, summary
    assert lines[-1].startswith("Not compliant: 5 failed, 2 not evidenced, 1 waived, 11 passed")
    assert "pass:" not in "\n".join(lines)


def test_text_of_many_findings_is_written_some_lines_at_a_time_and_in_full() -> None:
    """A large run has 100,000s of finding lines: they reach the stream in a few writes, each
    whole lines, in order, none left out."""
    result = mixed_result()
    failed = [f for f in result.findings if f.status is Status.FAIL]
    result.findings = [
        dataclasses.replace(failed[n % len(failed)], resource=f"store:{n:04d}") for n in range(1000)
    ]
    writes: list[str] = []

    class Recording(io.StringIO):
        def write(self, text: str) -> int:
            writes.append(text)
            return super().write(text)

    stream = Recording()
    get_reporter("text").render(result, stream)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 1 + 1000 + 1  # the expired waiver, the findings, the summary
    shown = sorted_findings(Redacted.of(result).result.findings)
    assert lines[1:-1] == [text_finding_line(f) for f in shown]
    assert all(text.endswith("\n") for text in writes)
    assert len(writes) < 20


def test_text_colour_only_when_asked() -> None:
    plain = render("text", mixed_result())
    coloured = render("text", mixed_result(), color=True)
    assert "\x1b[" not in plain
    assert "\x1b[31m" in coloured and "\x1b[1;31mNot compliant" in coloured
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == plain


def test_text_of_an_empty_result() -> None:
    assert render("text", empty_result()) == (
        "Not compliant: no promises were checked; as of 2026-11-01\n"
    )


def test_text_neutralises_hostile_values() -> None:
    out = render("text", hostile_result(), color=True)
    lines = out.splitlines()
    # One line per diagnostic and per finding that is not a pass, plus the summary: no value
    # can add a line, move the cursor or reorder the text.
    assert len(lines) == 1 + 11 + 1
    stripped = re.sub(r"\x1b\[(?:31|33|35|36|0|1;31|1;32)m", "", out)
    assert "\x1b" not in stripped
    assert "\u202e" not in out and "\\u202e" in out
    assert "forged line" in out and "\nsnapshots/x.yaml" not in out


def test_text_cuts_long_values() -> None:
    # A 20,000-character snapshot value (in a finding's message, a diagnostic's message and its
    # JSON path) is cut, with its length noted, as in every other format people read; the
    # line still ends with what names the promise.
    result = hostile_result()
    diagnostic = dataclasses.replace(
        result.diagnostics[0],
        message=f"unknown key {HOSTILE_LONG}",
        location=Location("snap.yaml", Position(2, 1), ("stores", 0, HOSTILE_LONG)),
    )
    out = render("text", dataclasses.replace(result, diagnostics=[diagnostic]))
    lines = out.splitlines()
    assert max(len(line) for line in lines) < 2_000
    assert lines[0].startswith("snap.yaml:2:1: error: unknown key AAAA")
    assert re.findall(r"A… \((20,0\d\d) characters\)", lines[0]) == ["20,012", "20,012"]
    assert lines[0].endswith(" characters))")  # the path, cut, in its parentheses
    long_value = next(line for line in lines if "value AAAA" in line)
    assert "AAA… (20,006 characters) (at $.stores[6].AAAA" in long_value
    assert long_value.endswith(" (consumer-privacy-2025/clause-6, custom_rules)")


# --- Markdown -------------------------------------------------------------------------------


def test_markdown_structure() -> None:
    out = render("markdown", mixed_result())
    assert out.startswith("## Privacy policy check: Not compliant\n")
    headings = [line for line in out.splitlines() if line.startswith("### ")]
    assert headings[1] == "### Failures (5)"
    assert out.index("### Failures") < out.index("### Not evidenced") < out.index("### Waivers")


def _outside_code_spans(markdown: str) -> str:
    return re.sub(r"(`+)(?!`).*?(?<!`)\1(?!`)", "", markdown)


def test_markdown_neutralises_hostile_values() -> None:
    out = render("markdown", hostile_result())
    # Values are code spans, where Markdown shows markup as text; everywhere else no markup.
    prose_only = _outside_code_spans(out)
    assert "<script" not in prose_only and "<img" not in prose_only
    assert "<b>" not in prose_only
    assert not re.search(r"(?<!\\)\]\(javascript:", prose_only)  # brackets are escaped
    assert "`<script>window.__pwned=1</script>`" in out
    assert "\u202e" not in out and "\x1b" not in out
    for line in out.splitlines():
        if line.startswith("| ") and "Expected" not in line and "---" not in line:
            # every table row keeps its cell count: no value adds a column or a row
            cells = re.split(r"(?<!\\)\|", line)
            assert len(cells) - 2 in (3, 6, 7, 8), line


def test_markdown_names_the_json_path_of_every_place() -> None:
    # file:line:col takes a reader to the line; the JSON path says which key it is, for input
    # problems and findings alike, as the text, GitHub and HTML formats say.
    result = mixed_result()
    out = render("markdown", result)
    assert "| warning | `waivers.yaml:19:5`<br>`$.waivers[2]` | waiver W-2025-031 expired" in out
    shown_findings = [f for f in result.findings if f.status is not Status.PASS]
    assert shown_findings
    for finding in shown_findings:
        place = where(finding)
        assert f"| `{place}`<br>`{place.json_path}` |" in out, finding.message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a`b", "``a`b``"),
        ("`x`", "`` `x` ``"),
        ("a|b", "`a\\|b`"),
        ("", "—"),
    ],
)
def test_markdown_code_spans(text: str, expected: str) -> None:
    assert code(text) == expected


def test_markdown_prose_escapes() -> None:
    assert prose("<img src=x> *a* [l](u) @team #1 https://x") == (
        "&lt;img src=x&gt; \\*a\\* \\[l\\](u) &#64;team &#35;1 https:&#47;&#47;x"
    )


def test_markdown_is_bounded_for_huge_results(huge: Result) -> None:
    out = render("markdown", huge)
    assert len(out.encode()) < 200 * 1024  # GitHub step summaries allow 1 MiB
    rows = [line for line in out.splitlines() if line.startswith("| ")]
    assert len(rows) <= 4 * (MAX_ROWS + 2) + 20
    assert "more findings (see the HTML or JSON report)" in out


# --- GitHub annotations ---------------------------------------------------------------------


def test_github_escaping() -> None:
    assert escape_data("100% done\r\nnext") == "100%25 done%0D%0Anext"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


def test_github_annotations() -> None:
    lines = render("github", mixed_result()).splitlines()
    assert lines[0].startswith(
        "::error file=snapshots/production.yaml,line=88,col=12,title=critical · fail%3A "
    )
    kinds = [line.split(" ", 1)[0].split("::")[1] for line in lines]
    assert kinds == ["error"] * 7 + ["warning"] * 3 + ["notice"] * 2
    assert "W-2026-014 expires on 2026-11-20" in lines[-3]
    # The waived finding: a notice on its evidence line, titled with the waiver.
    assert lines[-2].startswith(
        "::notice file=snapshots/production.yaml,line=52,col=5,"
        "title=medium · waived by W-2026-014%3A consumer-privacy-2025/deletion-schedule-exists::"
        "store analytics-warehouse declares no deletion schedule%0A"
        "Waiver: W-2026-014 until 2026-11-20 (ticket PRIV-812, approved by dpo@example.com on "
        "2026-05-20): Warehouse migration in progress"
    )
    assert lines[-1].startswith("::notice title=Privacy policy check::Not compliant")


@pytest.mark.parametrize(
    ("name", "field"),
    [
        ("markdown", "evidence_location"),
        ("html", "evidence_location"),
        ("junit", "evidence_location"),
        ("junit", "policy_location"),
        ("github", "policy_location"),
    ],
)
def test_a_long_path_keeps_its_file_name_and_line(name: str, field: str) -> None:
    # A deep monorepo path is cut at its start, never at its end: the file name and the
    # line:col are what a reader needs to find the evidence or the promise.
    deep = "infrastructure/terraform/environments/production/" * 12 + "snapshot.yaml"
    result = mixed_result()
    moved = [
        dataclasses.replace(f, **{field: dataclasses.replace(getattr(f, field), file=deep)})
        for f in result.findings
        if getattr(f, field) is not None
    ]
    out = render(name, dataclasses.replace(result, findings=moved))
    first = next(f for f in sorted_findings(moved) if f.status is Status.FAIL)
    position = getattr(first, field).position
    assert position is not None
    text = re.sub(r"<[^>]+>", "", out)  # the HTML's break opportunities are tags
    assert f"production/snapshot.yaml:{position}" in text
    assert "characters)" not in text.replace("(20,000 characters)", "")


def test_github_annotations_of_input_problems_name_the_json_path() -> None:
    lines = render("github", mixed_result()).splitlines()
    expired = next(line for line in lines if "waiver-expired" in line)
    assert expired.startswith("::warning file=waivers.yaml,line=19,col=5,")
    assert expired.endswith("the 1 finding(s) it covered count again (at $.waivers[2])")


def test_github_neutralises_hostile_values() -> None:
    out = render("github", hostile_result())
    for line in out.splitlines():
        # Every line is one command of ours; a value can only appear escaped, in the data part.
        assert re.match(r"::(error|warning|notice) [^:\r\n]*::", line), line
        assert not line.startswith("::error file=evil.yaml")
    assert "%250A::error file=evil.yaml" in out
    assert "\x1b" not in out and "\u202e" not in out


def test_github_caps_annotations(huge: Result) -> None:
    lines = render("github", huge).splitlines()
    assert len(lines) == MAX_ANNOTATIONS + 1
    assert "more annotations not shown" in lines[-1]


# --- HTML (as text; the browser tests open it) ----------------------------------------------


def test_html_is_self_contained_and_inert() -> None:
    out = render("html", hostile_result())
    assert f'<meta http-equiv="Content-Security-Policy" content="{CSP}">' in out.replace(
        "&#39;", "'"
    )
    assert "<script" not in out.lower()
    assert "<img" not in out.lower() and "<link" not in out.lower()
    assert not re.search(r"\b(?:src|href)\s*=\s*[\"']?(?:https?:|javascript:|//)", out, re.I)
    assert not re.search(r"url\((?!#)", out)  # only references to inline patterns
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in out
    assert "\u202e" not in out and "\\u202e" in out
    assert "(20,000 characters)" in out


def test_html_element_ids_are_unique_when_two_snapshots_share_finding_ids() -> None:
    # Two snapshots of one system and environment give their findings the same ids (the id
    # names no file): each row still gets an id of its own, the first the plain anchor, so a
    # link into last week's report still lands on the first.
    result = mixed_result()
    shown_findings = [f for f in result.findings if f.status is not Status.PASS]
    twins = [
        dataclasses.replace(
            f, evidence_location=dataclasses.replace(where(f), file="snapshots/replica.yaml")
        )
        for f in shown_findings
    ]
    comparison = Comparison("history", "the last recorded run", fixed=(twins[0], twins[0]))
    out = render(
        "html",
        dataclasses.replace(result, findings=[*result.findings, *twins], comparison=comparison),
    )
    ids = re.findall(r'\bid="([^"]+)"', out)
    assert len(ids) == len(set(ids)), [i for i, n in Counter(ids).items() if n > 1]
    first = shown_findings[0].finding_id.partition(":")[2]
    assert ids.index(f"finding-{first}") < ids.index(f"finding-{first}-2")
    assert {f"fixed-finding-{first}", f"fixed-finding-{first}-2"} <= set(ids)


def test_html_sections_in_order() -> None:
    out = render("html", mixed_result())
    positions = [
        out.index(f'id="{anchor}"')
        for anchor in ("verdict", "checked", "scorecard", "failures", "not-evidenced", "waivers")
    ]
    assert positions == sorted(positions)
    assert out.index('id="failures"') < out.index('id="passes"')
    passes = out[out.index('id="passes"') :]
    assert '<details class="screen-only">' in passes and "<details open" not in out
    # Print shows every kept promise in one table, so no hint that passes are collapsed.
    assert 'class="print-only passes-print"' in passes
    assert "collapsed in print" not in out
    assert out.index('id="passes"') < out.index('id="sign-off"')


def test_html_empty_result_reads_well() -> None:
    out = render("html", empty_result())
    assert "No promises were checked" in out
    assert "Nothing was checked, so nothing passed." in out


def test_html_is_bounded_for_huge_results(huge: Result) -> None:
    start = time.perf_counter()
    out = render("html", huge)
    elapsed = time.perf_counter() - start
    size = len(out.encode())
    assert size < 4 * 1024 * 1024, f"{size:,} bytes"
    assert elapsed < 20, f"{elapsed:.1f} s"
    assert "more findings of the same promise" in out
    cards = out.count('<article class="card')
    rows = out.count('<td class="expected">')
    assert 13 * 4 <= cards <= 13 * 4 * 2  # one per promise with failures or not evidenced
    assert rows <= 13 * 2 * 200


def test_html_summarises_groups_over_budget() -> None:
    from reports.html import GROUP_BUDGET, PER_PROMISE

    result = mixed_result()
    template = result.findings[1]  # a retention failure
    result.findings = [
        dataclasses.replace(template, clause_id=f"clause-{c:02d}", resource=f"store-{r}")
        for c in range(20)
        for r in range(15)
    ]
    out = render("html", result)
    # Whole promises are shown while they fit the budget; the rest are summarised.
    shown = (GROUP_BUDGET // 15) * 15
    assert PER_PROMISE > 15
    assert out.count('<td class="expected">') == shown
    assert f"{20 * 15 - shown} more findings in retention, summarised by promise" in out
    assert "consumer-privacy-2025/clause-19" in out


# --- Shared display helpers -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("a\u202eb", "a\\u202eb"),
        ("x\x1b[31m", "x\\x1b[31m"),
        ("l1\nl2\r", "l1\\nl2\\r"),
        ("\u2066iso\u2069", "\\u2066iso\\u2069"),
        ("zero\u200bwidth\ufeff", "zero\\u200bwidth\\ufeff"),
        ("c1\x85", "c1\\x85"),
        ("lone \ud800", "lone \\ud800"),
        ("naïve café 日本", "naïve café 日本"),
    ],
)
def test_visible(text: str, shown: str) -> None:
    assert visible(text) == shown


def test_finding_without_any_evidence_location_renders_everywhere() -> None:
    result = mixed_result()
    result.findings = [
        dataclasses.replace(f, evidence_location=None, policy_location=Location("p.yaml", None))
        for f in result.findings
    ]
    for name in TEXT_REPORTERS:
        assert render(name, result)
    data: dict[str, Any] = json.loads(render("sarif", result))
    assert not list(_sarif_validator().iter_errors(data))
    assert all(Status(r["properties"]["status"]) is not Status.PASS for r in _finding_results(data))
    assert HOSTILE_SCRIPT and HOSTILE_IMG  # the hostile fixtures are exercised above


# --- Verdict wording and small helpers ------------------------------------------------------


def _only(statuses: dict[Status, Severity], fail_on: Severity = Severity.LOW) -> Result:
    base = mixed_result()
    template = base.findings[1]
    findings = [
        dataclasses.replace(template, status=status, severity=severity, resource=f"r{index}")
        for index, (status, severity) in enumerate(statuses.items())
    ]
    return Result(as_of=base.as_of, fail_on=fail_on, findings=findings)


def _accepted(result: Result) -> Result:
    """``result`` compared with a baseline that holds every one of its findings unchanged."""
    existing = [dataclasses.replace(f, novelty=Novelty.EXISTING) for f in result.findings]
    comparison = Comparison("baseline", "baseline.json")
    return dataclasses.replace(result, findings=existing, comparison=comparison)


@pytest.mark.parametrize(
    ("result", "verdict", "reason"),
    [
        (
            # Severe findings that do not block because the baseline holds them: they do
            # reach the threshold, and the reason must not say otherwise.
            _accepted(_only({Status.FAIL: Severity.HIGH, Status.NOT_EVIDENCED: Severity.CRITICAL})),
            "Compliant",
            "2 findings need attention, but the baseline accepts them: none is new or worse.",
        ),
        (
            _accepted(_only({Status.FAIL: Severity.HIGH, Status.NOT_EVIDENCED: Severity.INFO})),
            "Compliant",
            "2 findings need attention, but none blocks: 1 accepted by the baseline, 1 below "
            "the blocking threshold (low severity).",
        ),
        (_only({Status.PASS: Severity.HIGH}), "Compliant", "Every promise checked is kept."),
        (
            _only({Status.PASS: Severity.HIGH, Status.WAIVED: Severity.HIGH}),
            "Compliant",
            "Every promise checked is kept or covered by a waiver (1 waived).",
        ),
        (
            _only({Status.NOT_EVIDENCED: Severity.INFO, Status.WAIVED: Severity.HIGH}),
            "Compliant",
            "1 finding needs attention, but none reaches the blocking threshold (low severity).",
        ),
        (
            _only({Status.FAIL: Severity.MEDIUM}, fail_on=Severity.HIGH),
            "Compliant",
            "1 finding needs attention, but none reaches the blocking threshold (high severity).",
        ),
        (
            _only({Status.FAIL: Severity.HIGH}),
            "Not compliant",
            "Not compliant because of 1 finding at or above low severity.",
        ),
        (empty_result(), "Not compliant", "No promises were checked."),
    ],
)
def test_verdict_wording(result: Result, verdict: str, reason: str) -> None:
    summary = Summary.of(result)
    assert (summary.verdict, summary.verdict_reason) == (verdict, reason)
    assert reason.replace("&", "&amp;") in render("html", result)


@pytest.mark.parametrize(
    ("result", "message"),
    [
        (
            _accepted(_only({Status.FAIL: Severity.HIGH})),
            "not blocking (existing, accepted by the baseline): fail: ",
        ),
        (
            _only({Status.FAIL: Severity.MEDIUM}, fail_on=Severity.HIGH),
            "not blocking (medium severity, fail-on high): fail: ",
        ),
    ],
)
def test_junit_says_why_a_finding_does_not_block(result: Result, message: str) -> None:
    skipped = ET.fromstring(render("junit", result)).findall(".//testcase/skipped")
    assert [s.get("message", "")[: len(message)] for s in skipped] == [message]


def test_verdict_with_only_input_errors() -> None:
    result = empty_result()
    result.diagnostics = hostile_result().diagnostics
    summary = Summary.of(result)
    assert summary.verdict == "Not compliant"
    assert summary.verdict_reason == "Not compliant because of 1 input problem."


@pytest.mark.parametrize(
    ("generated_at", "timestamp"),
    [
        ("2026-11-01T10:30:00+01:00", "2026-11-01T09:30:00"),
        ("2026-11-01T09:30:00.123Z", "2026-11-01T09:30:00"),
        ("2026-11-01T09:30:00", "2026-11-01T09:30:00"),
        ("", "2026-11-01T00:00:00"),
        ("not a date", "2026-11-01T00:00:00"),
    ],
)
def test_junit_timestamp(generated_at: str, timestamp: str) -> None:
    result = dataclasses.replace(empty_result(), generated_at=generated_at)
    assert junit_timestamp(result) == timestamp


def test_junit_names_stay_unique_for_repeated_findings(junit_schema: xmlschema.XMLSchema) -> None:
    result = mixed_result()
    result.findings = [result.findings[1]] * 3
    out = render("junit", result)
    junit_schema.validate(out)
    names = [c.get("name") for c in ET.fromstring(out).iter("testcase")]
    assert names == [
        "retention-not-opted-in [chat-primary]",
        "retention-not-opted-in [chat-primary] (snapshots/production.yaml)",
        "retention-not-opted-in [chat-primary] (snapshots/production.yaml) #2",
    ]


# --- Passes counted instead of listed (check --passes count) --------------------------------


def test_a_summary_without_passes_lists_the_others_in_the_same_order() -> None:
    """The text format's summary leaves passes unsorted and unlisted, and counts them all."""
    result = mixed_result()
    whole, without = Summary.of(result), Summary.of(result, passes=False)
    assert any(f.status is Status.PASS for f in whole.findings)
    assert without.findings == [f for f in whole.findings if f.status is not Status.PASS]
    assert (without.counts, without.areas, without.blocking) == (
        whole.counts,
        whole.areas,
        whole.blocking,
    )


def test_counted_passes_keep_the_totals() -> None:
    listed, counted = mixed_result(), counted_result()
    assert counted.pass_counts and not any(f.status is Status.PASS for f in counted.findings)
    assert Summary.of(counted).counts == Summary.of(listed).counts
    assert [r.counts for r in Summary.of(counted).areas] == [
        r.counts for r in Summary.of(listed).areas
    ]
    data = json.loads(render("json", counted))
    expected = json.loads(render("json", listed))["summary"]
    assert data["summary"] == expected
    assert data["pass_counts"][0]["count"] >= 1
    assert render("text", counted).splitlines()[-1] == render("text", listed).splitlines()[-1]


def test_counted_passes_in_every_format(junit_schema: xmlschema.XMLSchema) -> None:
    result = counted_result()
    html = render("html", result)
    assert "Passes counted per promise and snapshot" in html
    assert "Passes (11)" in html
    sarif = json.loads(render("sarif", result))
    rules = {r["id"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]}
    assert "consumer-privacy-2025/minors-protected" in rules  # a promise that only passed
    out = render("junit", result)
    junit_schema.validate(out)
    names = [c.get("name") for c in ET.fromstring(out).iter("testcase")]
    assert "retention-opted-in [1 resource passes]" in names
    assert "retention-opted-in [1 resource passes] (snapshots/staging.yaml)" in names


def test_resources_named_with_their_passes_in_the_html_and_the_json() -> None:
    """``--passes resources``: the HTML names the first 50 resources of a promise, escaped,
    and says where the others are; the JSON names them all, and reads back the same."""
    result = counted_result()
    first = result.pass_counts[0]
    names = [HOSTILE_SCRIPT, *(f"store:s-{i:03d}" for i in range(60))]
    named = dataclasses.replace(
        first, count=len(names) + 1, resources=PassedResources(names, [2] + [1] * 60)
    )
    result.pass_counts = [named, *result.pass_counts[1:]]
    html = render("html", result)
    assert "61 resources named" in html and "and 11 more resources" in html
    assert HOSTILE_SCRIPT not in html and "&lt;script&gt;window.__pwned" in html
    assert "store:s-048" in html and "store:s-049" not in html  # the first 50: 1 + 49
    assert "(2 passes)" in html
    data = json.loads(render("json", result))
    row = data["pass_counts"][0]
    assert list(row["resources"]) == names and row["resources"][names[1]] == 1
    assert result_from_dict(data).pass_counts[0].resources == named.resources


def test_documented_example_follows_the_schema() -> None:
    text = (REPO / "docs" / "results-format.md").read_text(encoding="utf-8")
    example = text.split("## Example", 1)[1].split("```json", 1)[1].split("```", 1)[0]
    data = json.loads(example)
    errors = list(_results_validator().iter_errors(data))
    assert not errors, [e.message for e in errors[:3]]
    assert result_from_dict(data).findings[0].rule_id == data["findings"][0]["rule_id"]


def test_text_made_visible_is_returned_as_is_only_when_nothing_in_it_is_replaced() -> None:
    """``visible`` skips the replacement for text ``str.isprintable`` accepts: sound only if
    every character it replaces is one ``isprintable`` refuses."""
    from reports.base import _INVISIBLE, _MULTI_LINE, _ONE_LINE

    assert not [hex(point) for point in _INVISIBLE if chr(point).isprintable()]
    samples = ["store a", "störe 日本 😀", "a\u202eb", "tab\there\n", "nbsp\u00a0x", "\x1b[31m", ""]
    for text in samples + [f"x{chr(point)}y" for point in _INVISIBLE]:
        assert visible(text) == text.translate(_ONE_LINE)
        assert visible(text, keep_newlines=True) == text.translate(_MULTI_LINE)
