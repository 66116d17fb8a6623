"""JUnit XML: one test case per promise and resource, for CI test-result views.

Valid against the Ant JUnit schema (``junit.xsd``): ``<testsuites>`` holds one
``<testsuite>`` per area (plus an "Input documents" suite when an input has problems). A test
case is named ``<clause-id> [<resource>]`` (made unique with the snapshot file, then a
counter) with class name ``<policy-id>.<area>``. The suite names the finding id of each test
case that is not a pass in a property (test cases have none in ``junit.xsd``).

- pass → a passing test case;
- fail and not evidenced that block the run → ``<failure type="fail|not_evidenced">``;
- a check that could not evaluate (blocking) → ``<error type="error">``;
- waived → ``<skipped>`` naming the waiver and its expiry;
- findings below the ``--fail-on`` threshold (and not-evidenced findings a policy marks
  ``warn``) → ``<skipped>`` saying they do not block, so that the test view agrees with the
  exit code.

A validation (``policy-check validate``) is one "Document validation" suite with a test case
per document: valid passes, invalid fails with its problems, unreadable is an error.

Times are 0 (checks are not timed) and the host name is ``localhost``, so the same result
always gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from typing import TextIO

from checker.checks import AREAS
from checker.core.diagnostics import Diagnostic, Level
from checker.core.results import Area, DocumentStatus, Finding, PassCount, Result, Severity, Status
from reports.base import (
    Redacted,
    Reporter,
    Summary,
    is_validation,
    plural,
    reaches_threshold,
    shown,
    shown_place,
    validation_sentence,
    where,
)

HOSTNAME = "localhost"
_ATTR_LIMIT = 500
_BODY_LIMIT = 4000


def junit_timestamp(result: Result) -> str:
    """``generated_at`` as UTC ``YYYY-MM-DDTHH:MM:SS`` (the as-of date at midnight if unset)."""
    text = result.generated_at.strip()
    if text:
        try:
            moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            pass
        else:
            if moment.tzinfo is not None:
                moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
            return moment.replace(microsecond=0).isoformat()
    return f"{result.as_of.isoformat()}T00:00:00"


def _one_line(text: str, limit: int = _ATTR_LIMIT) -> str:
    return shown(text, limit)


def _details(finding: Finding, blocking: bool) -> str:
    evidence = where(finding)
    lines = [
        f"Promise: {shown(finding.promise, _BODY_LIMIT)}",
        f"Severity: {finding.severity.value} ({'blocking' if blocking else 'not blocking'})",
        f"Resource: {shown(finding.resource, _BODY_LIMIT)}",
        f"Finding id: {finding.finding_id}",
        f"Found: {shown(finding.message, _BODY_LIMIT)}",
        f"Expected: {shown(finding.expected, _BODY_LIMIT)}",
        f"Actual: {shown(finding.actual, _BODY_LIMIT)}",
        f"Evidence: {shown_place(evidence, 500)} at {shown(evidence.json_path, 500)}",
        f"Policy: {shown_place(finding.policy_location, 500)} at "
        f"{shown(finding.policy_location.json_path, 500)}",
    ]
    if finding.remediation:
        lines.append(f"Remediation: {shown(finding.remediation, _BODY_LIMIT)}")
    if finding.references:
        lines.append("Regulations: " + "; ".join(shown(r, 200) for r in finding.references))
    return "\n".join(lines) + "\n"


class _Names:
    """Unique test case names per class name, deterministic for a given order."""

    def __init__(self) -> None:
        self.used: set[tuple[str, str]] = set()

    def __call__(self, classname: str, clause: str, subject: str, file: str) -> str:
        base = _one_line(f"{clause} [{subject}]", 300)
        candidates = [base, f"{base} ({_one_line(file, 200)})"]
        for candidate in candidates:
            if (classname, candidate) not in self.used:
                self.used.add((classname, candidate))
                return candidate
        counter = 2
        while (classname, f"{candidates[1]} #{counter}") in self.used:
            counter += 1
        name = f"{candidates[1]} #{counter}"
        self.used.add((classname, name))
        return name


def _testcase(
    suite: ET.Element, finding: Finding, name: str, classname: str, blocking: bool, fail_on: str
) -> str:
    """Append the test case; return its outcome (``pass``/``failure``/``error``/``skipped``)."""
    case = ET.SubElement(suite, "testcase", name=name, classname=classname, time="0")
    status = finding.status
    if status is Status.PASS:
        return "pass"
    if status is Status.WAIVED:
        waiver = finding.waiver
        message = (
            f"waived by {waiver.id} until {waiver.expires.isoformat()} "
            f"(ticket {waiver.ticket}, approved by {waiver.approver}): "
            f"{waiver.justification}"
            if waiver
            else "waived"
        )
        ET.SubElement(case, "skipped", message=_one_line(message)).text = _details(
            finding, blocking
        )
        return "skipped"
    if not blocking:
        why = (
            "existing, accepted by the baseline"
            if reaches_threshold(finding, Severity(fail_on))
            else f"{finding.severity.value} severity, fail-on {fail_on}"
        )
        message = f"not blocking ({why}): {status.value.replace('_', ' ')}: {finding.message}"
        ET.SubElement(case, "skipped", message=_one_line(message)).text = _details(
            finding, blocking
        )
        return "skipped"
    tag = "error" if status is Status.ERROR else "failure"
    ET.SubElement(case, tag, message=_one_line(finding.message), type=status.value).text = _details(
        finding, blocking
    )
    return tag


def _suite(
    root: ET.Element,
    name: str,
    package: str,
    index: int,
    timestamp: str,
    properties: list[tuple[str, str]],
) -> ET.Element:
    suite = ET.SubElement(
        root,
        "testsuite",
        name=name,
        package=package,
        id=str(index),
        timestamp=timestamp,
        hostname=HOSTNAME,
        tests="0",
        failures="0",
        errors="0",
        skipped="0",
        time="0",
    )
    props = ET.SubElement(suite, "properties")
    for key, value in properties:
        ET.SubElement(props, "property", name=key, value=_one_line(value))
    return suite


_DOCUMENT_OUTCOMES: dict[DocumentStatus, str] = {
    DocumentStatus.INVALID: "failure",
    DocumentStatus.UNREADABLE: "error",
    DocumentStatus.EMPTY: "error",
}


def _validation_junit(result: Result) -> ET.Element:
    """A validation: one test case per document given — a valid one passes, an invalid one
    fails with its problems, one that cannot be read (or a folder with no document) is an
    error, a file skipped in a folder is skipped. A problem found in no listed document is an
    error test case of its own; warnings go to the suite's standard error."""
    properties = [
        ("as_of", result.as_of.isoformat()),
        ("verdict", "valid" if result.compliant else "invalid"),
        ("documents", validation_sentence(result)),
    ]
    root = ET.Element("testsuites")
    suite = _suite(
        root,
        "Document validation",
        "policy-checker.validate",
        0,
        junit_timestamp(result),
        properties,
    )
    by_file: dict[str, list[Diagnostic]] = {}
    for diagnostic in result.diagnostics:
        by_file.setdefault(diagnostic.location.file, []).append(diagnostic)
    names = _Names()
    outcomes = {"failure": 0, "error": 0, "skipped": 0}
    warnings: list[str] = []
    tests = 0
    for document in result.documents:
        problems = by_file.pop(document.file, [])
        errors = [d for d in problems if d.level is Level.ERROR]
        warnings += [shown(str(d), _BODY_LIMIT) for d in problems if d.level is not Level.ERROR]
        classname = _one_line(f"validate.{document.kind}", 100)
        case = ET.SubElement(
            suite,
            "testcase",
            name=names(classname, document.file, str(document.status or "checked"), document.kind),
            classname=classname,
            time="0",
        )
        tests += 1
        outcome = _DOCUMENT_OUTCOMES.get(document.status) if document.status else None
        if document.status is DocumentStatus.SKIPPED:
            ET.SubElement(case, "skipped", message="not a policy-checker document")
            outcomes["skipped"] += 1
        elif outcome is not None or errors:
            tag = outcome or "failure"
            first = errors[0] if errors else None
            ET.SubElement(
                case,
                tag,
                message=_one_line(first.message if first else str(document.status)),
                type=_one_line(first.code if first and first.code else str(document.status), 100),
            ).text = "".join(shown(str(d), _BODY_LIMIT) + "\n" for d in errors)
            outcomes[tag] += 1
    for n, diagnostic in enumerate(d for rest in by_file.values() for d in rest):
        if diagnostic.level is not Level.ERROR:
            warnings.append(shown(str(diagnostic), _BODY_LIMIT))
            continue
        case = ET.SubElement(
            suite,
            "testcase",
            name=_one_line(f"{diagnostic.location} {diagnostic.code} #{n + 1}", 300),
            classname="inputs",
            time="0",
        )
        ET.SubElement(
            case,
            "error",
            message=_one_line(diagnostic.message),
            type=_one_line(diagnostic.code or "input", 100),
        ).text = shown(str(diagnostic), _BODY_LIMIT) + "\n"
        tests += 1
        outcomes["error"] += 1
    suite.set("tests", str(tests))
    suite.set("failures", str(outcomes["failure"]))
    suite.set("errors", str(outcomes["error"]))
    suite.set("skipped", str(outcomes["skipped"]))
    ET.SubElement(suite, "system-out").text = f"{validation_sentence(result)}\n"
    ET.SubElement(suite, "system-err").text = "".join(f"{w}\n" for w in warnings)
    return root


def to_junit(result: Result) -> ET.Element:
    """The ``<testsuites>`` element of an (already redacted) result."""
    if is_validation(result):
        return _validation_junit(result)
    summary = Summary.of(result)
    timestamp = junit_timestamp(result)
    blocking = {id(f) for f in result.blocking()}
    properties = [
        ("as_of", result.as_of.isoformat()),
        ("fail_on", result.fail_on.value),
        ("verdict", "compliant" if summary.compliant else "not_compliant"),
        *(
            (f"policy.{i}", f"{d.id} {d.version} ({d.file})".strip())
            for i, d in enumerate(summary.policies)
        ),
        *(
            (f"snapshot.{i}", f"{d.system} {d.environment} {d.date} ({d.file})".strip())
            for i, d in enumerate(summary.snapshots)
        ),
    ]
    root = ET.Element("testsuites")
    index = 0
    if result.diagnostics:
        suite = _suite(
            root, "Input documents", "policy-checker.inputs", index, timestamp, properties
        )
        index += 1
        errors = 0
        warnings = []
        for n, diagnostic in enumerate(result.diagnostics):
            if diagnostic.level is Level.ERROR:
                case = ET.SubElement(
                    suite,
                    "testcase",
                    name=_one_line(f"{diagnostic.location} {diagnostic.code} #{n + 1}", 300),
                    classname="inputs",
                    time="0",
                )
                ET.SubElement(
                    case,
                    "error",
                    message=_one_line(diagnostic.message),
                    type=_one_line(diagnostic.code or "input", 100),
                ).text = shown(str(diagnostic), _BODY_LIMIT) + "\n"
                errors += 1
            else:
                warnings.append(shown(str(diagnostic), _BODY_LIMIT))
        suite.set("tests", str(errors))
        suite.set("errors", str(errors))
        ET.SubElement(suite, "system-out").text = ""
        ET.SubElement(suite, "system-err").text = "".join(f"{w}\n" for w in warnings)
    names = _Names()
    by_area: dict[Area, list[Finding]] = {}
    for finding in summary.findings:
        by_area.setdefault(finding.area, []).append(finding)
    counted: dict[Area, list[PassCount]] = {}
    for item in summary.pass_counts:
        counted.setdefault(item.area, []).append(item)
    for area in AREAS.values():
        findings = by_area.get(area, [])
        counts = counted.get(area, [])
        if not findings and not counts:
            continue
        suite = _suite(
            root, area.title, f"policy-checker.{area.value}", index, timestamp, properties
        )
        index += 1
        outcomes = {"pass": 0, "failure": 0, "error": 0, "skipped": 0}
        ids = suite.find("properties")
        for finding in findings:
            classname = _one_line(f"{finding.policy_id}.{area.value}", 300)
            name = names(classname, finding.clause_id, finding.resource, where(finding).file)
            outcome = _testcase(
                suite, finding, name, classname, id(finding) in blocking, result.fail_on.value
            )
            outcomes[outcome] += 1
            if outcome != "pass" and ids is not None:
                # Test cases cannot carry properties in junit.xsd: the suite names each one's id.
                ET.SubElement(
                    ids, "property", name=f"finding_id {classname}.{name}", value=finding.finding_id
                )
        for item in counts:  # passes counted, not listed: one passing test case each
            classname = _one_line(f"{item.policy_id}.{area.value}", 300)
            subject = f"{plural(item.count, 'resource')} {'passes' if item.count == 1 else 'pass'}"
            name = names(classname, item.clause_id, subject, item.snapshot)
            ET.SubElement(suite, "testcase", name=name, classname=classname, time="0")
            outcomes["pass"] += 1
        kept = sum(1 for f in findings if f.status is Status.PASS) + sum(c.count for c in counts)
        total = len(findings) + sum(c.count for c in counts)
        suite.set("tests", str(len(findings) + len(counts)))
        suite.set("failures", str(outcomes["failure"]))
        suite.set("errors", str(outcomes["error"]))
        suite.set("skipped", str(outcomes["skipped"]))
        ET.SubElement(
            suite, "system-out"
        ).text = f"{area.title}: {kept:,} of {total:,} kept as of {result.as_of.isoformat()}\n"
        ET.SubElement(suite, "system-err").text = ""
    return root


class JUnitReporter(Reporter):
    """JUnit XML for CI test-result views."""

    name = "junit"
    builds_whole = True  # a document of every finding, then written
    order = 40  # place among the --format choices
    extension = ".xml"
    description = "JUnit XML: a test case per promise and resource"

    def write(self, redacted: Redacted, stream: TextIO, *, color: bool = False) -> None:
        root = to_junit(redacted.result)
        ET.indent(root, space="  ")
        stream.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        stream.write(ET.tostring(root, encoding="unicode", short_empty_elements=True))
        stream.write("\n")
