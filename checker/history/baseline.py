"""Reading a baseline: the JSON results of an accepted run (``check --baseline RESULTS.json``).

A baseline is only ever used whole. A file that is not a results file, the results of
``validate``, a results format this version does not read, or findings without ids of the
current recipe are refused with the place at fault (exit code 2) — never read as an empty
baseline, which would report every finding as new, or as a partial one.
"""

from __future__ import annotations

from typing import Any, NoReturn

from checker.core.diagnostics import Diagnostic, Level
from checker.core.errors import UnusableInputs
from checker.core.fingerprint import PREFIX, is_finding_id
from checker.core.results import Finding
from checker.documents import DEFAULT_LIMITS, Limits, load_document
from checker.documents.document import Document

BASELINE_INVALID = "baseline-invalid"


def read_baseline(path: str, *, limits: Limits = DEFAULT_LIMITS) -> list[Finding]:
    """The findings of the results file at ``path``; :class:`UnusableInputs` when it cannot
    serve as a baseline."""
    from checker.validation.validator import validate_document
    from reports.json_report import RESULTS_FORMAT, result_from_dict

    doc = load_document(path, limits=limits)  # InputError (exit 2) when it cannot be read
    data = doc.data
    if not isinstance(data, dict) or "results_format" not in data:
        _refuse(
            doc,
            (),
            "is not a policy-checker results file (no results_format): a "
            "baseline is the JSON results of a run, e.g. check --output json=baseline.json",
        )
    if data["results_format"] != RESULTS_FORMAT:
        _refuse(
            doc,
            ("results_format",),
            f"is results format {data['results_format']!r}; this "
            f"policy-checker reads format {RESULTS_FORMAT}: write the baseline again",
        )
    if data.get("command", "check") != "check":
        _refuse(doc, ("command",), "holds the results of validate, not of a check")
    _require_ids(doc, data)  # before the schema, to say why an id is not one of ours
    problems = [d for d in validate_document(doc, "results") if d.level is Level.ERROR]
    if problems:
        raise UnusableInputs([_as_baseline(d) for d in problems])
    return result_from_dict(data).findings


def _require_ids(doc: Document, data: dict[str, Any]) -> None:
    findings = data.get("findings")
    for index, finding in enumerate(findings if isinstance(findings, list) else ()):
        if not isinstance(finding, dict):
            continue  # the schema says what is wrong with it
        made = finding.get("finding_id")
        if made is None:
            _refuse(
                doc,
                ("findings", index),
                "was written before findings had ids: write the "
                "baseline again with this version of policy-checker",
            )
        if not is_finding_id(str(made)):
            _refuse(
                doc,
                ("findings", index, "finding_id"),
                f"has the finding id {made!r}, not "
                f"one of this version's recipe ({PREFIX}…): write the baseline again",
            )


def _refuse(doc: Document, path: tuple[str | int, ...], why: str) -> NoReturn:
    raise UnusableInputs([Diagnostic(doc.locate(path), f"this baseline {why}", BASELINE_INVALID)])


def _as_baseline(diagnostic: Diagnostic) -> Diagnostic:
    return Diagnostic(
        diagnostic.location,
        f"this baseline is not valid results: {diagnostic.message}",
        BASELINE_INVALID,
    )
