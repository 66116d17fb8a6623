"""Reading saved check results for runs over time: a baseline (``check --baseline``), or
results to record (``history record``).

Such a file is only ever used whole. A file that is not a results file, the results of
``validate``, a results format this version does not read, or findings without ids of the
current recipe are refused with the place at fault (exit code 2) — never read as an empty
baseline, which would report every finding as new, or recorded with ids that match nothing.
"""

from __future__ import annotations

from typing import Any, NoReturn

from checker.core.diagnostics import Diagnostic, Level
from checker.core.errors import UnusableInputs
from checker.core.fingerprint import PREFIX, is_finding_id
from checker.core.results import Finding, Result
from checker.documents import DEFAULT_LIMITS, Limits, load_document
from checker.documents.document import Document

BASELINE_INVALID = "baseline-invalid"
RESULTS_INVALID = "results-invalid"


def read_baseline(path: str, *, limits: Limits = DEFAULT_LIMITS) -> list[Finding]:
    """The findings of the results file at ``path``; :class:`UnusableInputs` when it cannot
    serve as a baseline."""
    return read_check_results(path, limits=limits, role="baseline").findings


def read_check_results(
    path: str, *, limits: Limits = DEFAULT_LIMITS, role: str = "results"
) -> Result:
    """The check results saved at ``path``; :class:`UnusableInputs` naming the place at fault
    when they cannot be used (``role``, ``baseline`` or ``results``, words the messages)."""
    from checker.validation.validator import validate_document
    from reports.json_report import RESULTS_FORMAT, result_from_dict

    refuse = _Refusal(role)
    doc = load_document(path, limits=limits)  # InputError (exit 2) when it cannot be read
    data = doc.data
    if not isinstance(data, dict) or "results_format" not in data:
        refuse(
            doc,
            (),
            "is not a policy-checker results file (no results_format): give the JSON "
            "results of a check, e.g. check --output json=results.json",
        )
    if data["results_format"] != RESULTS_FORMAT:
        refuse(
            doc,
            ("results_format",),
            f"is results format {data['results_format']!r}; this policy-checker reads "
            f"format {RESULTS_FORMAT}: write it again",
        )
    if data.get("command", "check") != "check":
        refuse(doc, ("command",), "holds the results of validate, not of a check")
    _require_ids(doc, data, refuse)  # before the schema, to say why an id is not one of ours
    problems = [d for d in validate_document(doc, "results") if d.level is Level.ERROR]
    if problems:
        raise UnusableInputs(
            [
                Diagnostic(
                    d.location, f"{refuse.subject} is not valid results: {d.message}", refuse.code
                )
                for d in problems
            ]
        )
    return result_from_dict(data)


class _Refusal:
    def __init__(self, role: str) -> None:
        self.role = role
        self.subject = "this baseline" if role == "baseline" else "this file"
        self.code = BASELINE_INVALID if role == "baseline" else RESULTS_INVALID

    def __call__(self, doc: Document, path: tuple[str | int, ...], why: str) -> NoReturn:
        raise UnusableInputs([Diagnostic(doc.locate(path), f"{self.subject} {why}", self.code)])


def _require_ids(doc: Document, data: dict[str, Any], refuse: _Refusal) -> None:
    findings = data.get("findings")
    for index, finding in enumerate(findings if isinstance(findings, list) else ()):
        if not isinstance(finding, dict):
            continue  # the schema says what is wrong with it
        made = finding.get("finding_id")
        if made is None:
            refuse(
                doc,
                ("findings", index),
                "was written before findings had ids: write it again with this version of "
                "policy-checker",
            )
        if not is_finding_id(str(made)):
            refuse(
                doc,
                ("findings", index, "finding_id"),
                f"has the finding id {made!r}, not one of this version's recipe ({PREFIX}…): "
                "write it again",
            )
