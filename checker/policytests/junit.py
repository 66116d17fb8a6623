"""The outcome of ``policy-check test`` as JUnit XML (the Ant ``junit.xsd`` schema).

One ``<testsuite>`` per test file, one ``<testcase>`` per case (class name: the policy id): a
case with unmet expectations has a ``<failure>`` listing each, one that could not be judged an
``<error>``. Times are 0 and the host ``localhost``, so the same run gives the same bytes.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from typing import TextIO

from checker.core.diagnostics import printable
from checker.policytests.model import CaseOutcome
from checker.policytests.text import diagnostic_text, mismatch_text

_ATTR_LIMIT = 500


def _attr(text: str) -> str:
    text = printable(text)
    return text if len(text) <= _ATTR_LIMIT else text[: _ATTR_LIMIT - 1] + "…"


def write_junit(outcomes: Sequence[CaseOutcome], stream: TextIO) -> None:
    """Each suite is stamped with the earliest date its cases are judged on."""
    root = ET.Element("testsuites")
    files: dict[str, list[CaseOutcome]] = {}
    for outcome in outcomes:
        files.setdefault(outcome.file.name, []).append(outcome)
    for index, (name, cases) in enumerate(files.items()):
        policy = cases[0].file
        suite = ET.SubElement(
            root,
            "testsuite",
            name=_attr(name),
            package="policy-checker.test",
            id=str(index),
            timestamp=f"{min(o.case.as_of for o in cases).isoformat()}T00:00:00",
            hostname="localhost",
            tests=str(len(cases)),
            failures=str(sum(o.outcome == "failed" for o in cases)),
            errors=str(sum(o.outcome == "error" for o in cases)),
            skipped="0",
            time="0",
        )
        properties = ET.SubElement(suite, "properties")
        ET.SubElement(properties, "property", name="policy", value=_attr(policy.policy.name))
        ET.SubElement(properties, "property", name="policy_id", value=_attr(policy.policy_id))
        for outcome in cases:
            case = ET.SubElement(
                suite,
                "testcase",
                name=_attr(outcome.case.name),
                classname=_attr(policy.policy_id),
                time="0",
            )
            if outcome.errors:
                ET.SubElement(
                    case,
                    "error",
                    message=_attr(
                        f"{len(outcome.errors)} problem(s): {diagnostic_text(outcome.errors[0])}"
                    ),
                    type="invalid-test",
                ).text = "".join(f"{diagnostic_text(d)}\n" for d in outcome.errors)
            elif outcome.mismatches:
                count = len(outcome.mismatches)
                ET.SubElement(
                    case,
                    "failure",
                    message=_attr(f"{count} expectation{'s' if count != 1 else ''} not met"),
                    type="mismatch",
                ).text = "".join(mismatch_text(m) for m in outcome.mismatches)
        ET.SubElement(suite, "system-out").text = ""
        ET.SubElement(suite, "system-err").text = "".join(
            f"{diagnostic_text(d)}\n" for o in cases for d in o.warnings
        )
    ET.indent(root, space="  ")
    stream.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    stream.write(ET.tostring(root, encoding="unicode", short_empty_elements=True))
    stream.write("\n")
