"""SARIF 2.1.0: findings for code-scanning tools (GitHub code scanning, IDE viewers).

One run. Each promise (``<policy>/<clause>``) is a rule, with the promise as its short
description, the remediation as help, the area, check and regulation references as tags and a
``security-severity`` GitHub ranks alerts by. Every finding that is not a pass is a result,
located at the snapshot line (the evidence) and related to the policy line (the promise).
Waived findings carry an accepted external suppression with the waiver's justification.
Input diagnostics are results too, their code the rule (code scanning shows results, not
notifications), and tool execution notifications. A validation (``policy-check validate``)
has no findings: there each diagnostic is a result, so that a schema error in a policy shows
on the line of the pull request that introduced it.

Levels: ``error`` for critical and high severity (and for checks that could not evaluate),
``warning`` for medium, ``note`` for low and info.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
from collections import Counter
from typing import Any, TextIO
from urllib.parse import quote

from checker import __version__
from checker.core.diagnostics import Diagnostic, Level, Location
from checker.core.results import Finding, PassCount, Result, Severity, Status
from reports.base import (
    Redacted,
    Reporter,
    Summary,
    document_counts,
    is_validation,
    pass_count_key,
    shown,
    sorted_findings,
)
from reports.json_report import dumps

SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
FINGERPRINT_KEY = "policyCheckerFinding/v1"  # a diagnostic's fingerprint (validate)
FINDING_ID_KEY = "policyCheckerFindingId/v1"  # a finding's id (checker.core.fingerprint)

SECURITY_SEVERITY: dict[Severity, str] = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "0.0",
}
LEVELS: dict[Severity, str] = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
_TEXT_LIMIT = 2000
_URI_SAFE = "/:@!$&'()*+,;=-._~"
_DRIVE = re.compile(r"[A-Za-z]:/")


def artifact_uri(file: str) -> str:
    """A file name as a URI reference: relative paths stay relative, others become file URIs.

    Percent-encoded as UTF-8, except a name that is not UTF-8 (Python reads its bytes as
    surrogates, U+DC80–U+DCFF): its own bytes are encoded, so the URI names that very file."""
    path = file.replace("\\", "/")
    encoded = quote(path, safe=_URI_SAFE, errors="surrogateescape")
    if _DRIVE.match(path):
        return "file:///" + encoded
    if path.startswith("/"):
        return "file://" + encoded
    return encoded


def _physical(location: Location) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": artifact_uri(location.file)}}
    if location.position is not None:
        physical["region"] = {
            "startLine": location.position.line,
            "startColumn": location.position.column,
        }
    return physical


def _pascal(text: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", text))


def _rule(finding: Finding | PassCount) -> dict[str, Any]:
    """A promise as a SARIF rule; counted passes carry no remediation or references."""
    promise = shown(finding.promise, _TEXT_LIMIT)
    remediation, references = "", []
    if isinstance(finding, Finding):
        remediation = shown(finding.remediation, _TEXT_LIMIT)
        references = [shown(r, 200) for r in finding.references]
    remediation = remediation or (
        "Change the configuration so that it keeps the promise, or change the promise."
    )
    help_text = remediation
    if references:
        help_text += "\nRegulations: " + "; ".join(references)
    return {
        "id": finding.rule_id,
        "name": _pascal(finding.clause_id) or "Promise",
        "shortDescription": {"text": promise},
        "fullDescription": {
            "text": f"{promise} (policy {finding.policy_id}, clause {finding.clause_id}, "
            f"check {finding.check_id}, area: {finding.area.title})"
        },
        "help": {"text": help_text},
        "defaultConfiguration": {"level": LEVELS[finding.severity]},
        "properties": {
            "tags": list(
                dict.fromkeys(["privacy", finding.area.value, finding.check_id, *references])
            ),
            "security-severity": SECURITY_SEVERITY[finding.severity],
            "precision": "very-high",
            "area": finding.area.value,
            "check": finding.check_id,
            "severity": finding.severity.value,
            "references": references,
        },
    }


def _level(finding: Finding) -> str:
    return "error" if finding.status is Status.ERROR else LEVELS[finding.severity]


def _message(finding: Finding) -> str:
    text = shown(finding.message, _TEXT_LIMIT).rstrip(".")
    evidence = finding.evidence_location or finding.policy_location
    return (
        f"{text}. Expected: {shown(finding.expected, _TEXT_LIMIT)}. "
        f"Actual: {shown(finding.actual, _TEXT_LIMIT)}. "
        f"Resource: {shown(finding.resource, 500)} at {shown(evidence.json_path, 500)}."
    )


def _diagnostic_message(diagnostic: Diagnostic) -> str:
    """The message, and the JSON path when it says more than the file (as in the text)."""
    text = shown(diagnostic.message, _TEXT_LIMIT)
    if diagnostic.names_path:
        text += f" (at {shown(diagnostic.location.json_path, 500)})"
    return text


def _result(finding: Finding, rule_index: int, blocking: bool, fingerprint: str) -> dict[str, Any]:
    evidence = finding.evidence_location or finding.policy_location
    out: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "ruleIndex": rule_index,
        "level": _level(finding),
        "message": {"text": _message(finding)},
        "locations": [
            {
                "physicalLocation": _physical(evidence),
                "logicalLocations": [
                    {
                        "name": shown(finding.resource, 500),
                        "fullyQualifiedName": shown(evidence.json_path, _TEXT_LIMIT),
                        "kind": "resource",
                    }
                ],
            }
        ],
        "relatedLocations": [
            {
                "id": 1,
                "physicalLocation": _physical(finding.policy_location),
                "message": {
                    "text": f"The promise ({finding.rule_id}): "
                    f"{shown(finding.promise, _TEXT_LIMIT)}"
                },
            }
        ],
        "partialFingerprints": {FINDING_ID_KEY: fingerprint},
        "properties": {
            "findingId": finding.finding_id,
            "status": finding.status.value,
            "severity": finding.severity.value,
            "blocking": blocking,
            "area": finding.area.value,
            "check": finding.check_id,
            "resource": shown(finding.resource, _TEXT_LIMIT),
            "expected": shown(finding.expected, _TEXT_LIMIT),
            "actual": shown(finding.actual, _TEXT_LIMIT),
            "evidencePath": shown(evidence.json_path, _TEXT_LIMIT),
            "policyPath": finding.policy_location.json_path,
        },
    }
    if finding.status is Status.WAIVED and finding.waiver is not None:
        waiver = finding.waiver
        out["suppressions"] = [
            {
                "kind": "external",
                "status": "accepted",
                "justification": (
                    f"{shown(waiver.justification, _TEXT_LIMIT)} (waiver "
                    f"{shown(waiver.id, 200)}, approved by {shown(waiver.approver, 200)}"
                    f", ticket {shown(waiver.ticket, 200)}, expires "
                    f"{waiver.expires.isoformat()})"
                ),
                "location": {"physicalLocation": _physical(waiver.location)},
                "properties": {
                    "waiver": shown(waiver.id, 200),
                    "approver": shown(waiver.approver, 200),
                    "ticket": shown(waiver.ticket, 200),
                    "expires": waiver.expires.isoformat(),
                },
            }
        ]
    return out


def _utc(text: str) -> str | None:
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _diagnostic_rule(code: str) -> dict[str, Any]:
    """A kind of input problem (a diagnostic code) as a SARIF rule."""
    return {
        "id": code,
        "name": _pascal(code) or "Input",
        "shortDescription": {"text": f"policy-checker input problem: {code}"},
        "help": {
            "text": "Fix the document at the place given; the message says what is expected "
            "there. See docs/policy-language.md and docs/snapshot-format.md."
        },
        "properties": {"tags": ["privacy", "policy-checker", "validation"]},
    }


def diagnostic_fingerprint(diagnostic: Diagnostic) -> str:
    """Stable across line moves: the code, the file, the JSON path, the message."""
    where = diagnostic.location
    key = "|".join((diagnostic.code, where.file, where.json_path, diagnostic.message))
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def _diagnostic_result(diagnostic: Diagnostic, rule_index: int) -> dict[str, Any]:
    where = diagnostic.location
    return {
        "ruleId": diagnostic.code,
        "ruleIndex": rule_index,
        "level": "error" if diagnostic.level is Level.ERROR else "warning",
        "message": {"text": _diagnostic_message(diagnostic)},
        "locations": [
            {
                "physicalLocation": _physical(where),
                "logicalLocations": [
                    {"fullyQualifiedName": shown(where.json_path, _TEXT_LIMIT), "kind": "member"}
                ],
            }
        ],
        "partialFingerprints": {FINGERPRINT_KEY: diagnostic_fingerprint(diagnostic)},
        "properties": {"path": shown(where.json_path, _TEXT_LIMIT)},
    }


def _validation_sarif(result: Result) -> dict[str, Any]:
    """A validation: every diagnostic is a result, so that code scanning shows a schema
    error on the line of the pull request that introduced it."""
    codes = sorted({d.code or "input" for d in result.diagnostics})
    index = {code: i for i, code in enumerate(codes)}
    invocation: dict[str, Any] = {"executionSuccessful": True}
    end = _utc(result.generated_at) if result.generated_at else None
    if end:
        invocation["endTimeUtc"] = end
    diagnostics = [
        d if d.code else dataclasses.replace(d, code="input") for d in result.diagnostics
    ]
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "policy-checker",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "rules": [_diagnostic_rule(code) for code in codes],
                    }
                },
                "invocations": [invocation],
                "columnKind": "unicodeCodePoints",
                "results": [_diagnostic_result(d, index[d.code]) for d in diagnostics],
                "properties": {
                    "command": result.command.value,
                    "verdict": "valid" if result.compliant else "invalid",
                    "documents": {s.value: n for s, n in document_counts(result).items()},
                },
            }
        ],
    }


def _fingerprints(findings: list[Finding]) -> list[str]:
    """Each result's fingerprint: its finding id, unique in the run. Code scanning takes
    results with one fingerprint for one alert, and two snapshots of one system and
    environment give their findings the same ids: the first keeps the id, the others are
    ``<id>/2``, ``<id>/3``… in the results' (total) order."""
    seen: Counter[str] = Counter()
    prints = []
    for finding in findings:
        seen[finding.finding_id] += 1
        count = seen[finding.finding_id]
        prints.append(finding.finding_id if count == 1 else f"{finding.finding_id}/{count}")
    return prints


def to_sarif(result: Result) -> dict[str, Any]:
    """The SARIF log of an (already redacted) result."""
    if is_validation(result):
        return _validation_sarif(result)
    summary = Summary.of(result)
    blocking = {id(f) for f in result.blocking()}
    ordered = sorted_findings(result.findings)
    reported = [f for f in ordered if f.status is not Status.PASS]
    first_of_rule: dict[str, Finding | PassCount] = {}
    for finding in ordered:
        first_of_rule.setdefault(finding.rule_id, finding)
    for counted in sorted(result.pass_counts, key=pass_count_key):
        first_of_rule.setdefault(counted.rule_id, counted)
    rule_ids = sorted(first_of_rule)
    index = {rule_id: i for i, rule_id in enumerate(rule_ids)}
    # Input problems are results too (as for validate): code scanning shows results, not
    # notifications, and an input error fails the run. Their rules follow the promises'.
    problems = [d if d.code else dataclasses.replace(d, code="input") for d in result.diagnostics]
    codes = sorted({d.code for d in problems})
    index.update({code: len(rule_ids) + i for i, code in enumerate(codes)})
    invocation: dict[str, Any] = {"executionSuccessful": True}
    end = _utc(result.generated_at) if result.generated_at else None
    if end:
        invocation["endTimeUtc"] = end
    if result.diagnostics:
        invocation["toolExecutionNotifications"] = [
            {
                "level": "error" if d.level is Level.ERROR else "warning",
                "message": {"text": _diagnostic_message(d)},
                "locations": [{"physicalLocation": _physical(d.location)}],
                "descriptor": {"id": d.code or "input"},
                "properties": {"path": shown(d.location.json_path, _TEXT_LIMIT)},
            }
            for d in result.diagnostics
        ]
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "policy-checker",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "rules": [
                            *(_rule(first_of_rule[r]) for r in rule_ids),
                            *(_diagnostic_rule(code) for code in codes),
                        ],
                    }
                },
                "invocations": [invocation],
                "columnKind": "unicodeCodePoints",
                "results": [
                    *(_diagnostic_result(d, index[d.code]) for d in problems),
                    *(
                        _result(f, index[f.rule_id], id(f) in blocking, fingerprint)
                        for f, fingerprint in zip(reported, _fingerprints(reported), strict=True)
                    ),
                ],
                "properties": {
                    "asOf": result.as_of.isoformat(),
                    "failOn": result.fail_on.value,
                    "verdict": "compliant" if summary.compliant else "not_compliant",
                    "counts": {s.value: n for s, n in summary.counts.items()},
                },
            }
        ],
    }


class SarifReporter(Reporter):
    """SARIF 2.1.0 for code scanning."""

    name = "sarif"
    builds_whole = True  # a document of every finding, then written
    order = 30  # place among the --format choices
    extension = ".sarif"
    description = "SARIF 2.1.0 for GitHub code scanning and other SARIF viewers"

    def write(self, redacted: Redacted, stream: TextIO, *, color: bool = False) -> None:
        stream.write(
            dumps(to_sarif(redacted.result), ("rules", "results", "toolExecutionNotifications"))
        )
