"""The check engine: every clause of every policy against every snapshot.

Checks yield observations; the engine stamps each with the policy, clause, severity,
remediation, regulation references and both locations, and applies waivers. A check that
raises becomes an ``error`` finding for its clause (fail closed), never a crash of the run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from checker.checks import CHECKS
from checker.checks.base import Check, CheckContext, Vocabulary
from checker.collector import collector_paused
from checker.diagnostics import Diagnostic, JsonPath, Location
from checker.document import Document
from checker.frameworks import references_by_check
from checker.model import (
    DocumentInfo,
    Finding,
    Observation,
    PassCount,
    Result,
    Severity,
    Status,
)
from checker.snapshot import Snapshot
from checker.snapshot_semantics import snapshot_diagnostics, unknown_names
from checker.waivers import apply_waivers, parse_waivers


def evaluate(
    policies: list[Document],
    snapshots: Sequence[Document | Snapshot],
    *,
    as_of: dt.date,
    waivers: Document | None = None,
    fail_on: Severity = Severity.LOW,
    diagnostics: Iterable[Diagnostic] = (),
    count_passes: bool = False,
) -> Result:
    """Check schema-valid policies against schema-valid snapshots.

    Snapshot problems the schema cannot state (duplicate ids, pipeline sources that name no
    store, names no policy's vocabulary defines) are added to the diagnostics: they make the
    run fail, while every element is still judged.

    With ``count_passes`` passing resources are counted per promise instead of listed.
    """
    views = [s if isinstance(s, Snapshot) else Snapshot.plain(s) for s in snapshots]
    result = Result(as_of=as_of, fail_on=fail_on, diagnostics=list(diagnostics))
    result.documents.extend(_policy_info(p) for p in policies)
    result.documents.extend(_snapshot_info(s) for s in views)
    findings: list[Finding] = []
    with collector_paused():
        for view in views:  # what the schema cannot say: ids unique, sources and names known
            result.diagnostics.extend(snapshot_diagnostics(view))
            result.diagnostics.extend(unknown_names(view, policies))
        for policy in policies:
            for snapshot in views:
                for item in check_policy(policy, snapshot, as_of, count_passes=count_passes):
                    if isinstance(item, PassCount):
                        result.pass_counts.append(item)
                    else:
                        findings.append(item)
    if waivers is not None:
        findings, states, notes = apply_waivers(findings, parse_waivers(waivers), as_of)
        result.waivers.extend(states)
        result.diagnostics.extend(notes)
        result.documents.append(DocumentInfo("waivers", waivers.name, "waivers"))
    result.findings = findings
    return result


def check_policy(
    policy: Document, snapshot: Snapshot, as_of: dt.date, *, count_passes: bool = False
) -> Iterator[Finding | PassCount]:
    """Findings of one policy against one snapshot, in policy order; with ``count_passes``,
    each clause's passes come as one :class:`PassCount` after its other findings."""
    data = policy.data
    vocabulary = Vocabulary.from_policy(data)
    references = references_by_check()
    cache: dict[str, Any] = {}  # snapshot indexes shared by every clause
    for section, check in CHECKS.items():
        for index, clause in enumerate(data.get(section) or ()):
            ctx = CheckContext(clause, data, snapshot.data, vocabulary, as_of, cache)
            stamp = _Stamp(
                policy, snapshot, check, clause, (section, index), references.get(section, ())
            )
            try:
                observations = list(check.run(ctx))
            except Exception as exc:  # a broken check must not pass silently
                observations = [
                    Observation(
                        Status.ERROR,
                        "policy",
                        f"check {check.id} could not evaluate this clause: "
                        f"{type(exc).__name__}: {exc}",
                        "an evaluable clause",
                        "error",
                        None,
                    )
                ]
            if not count_passes:
                yield from map(stamp, observations)
                continue
            passes, passed = 0, Status.PASS
            for observation in observations:
                if observation.status is passed:
                    passes += 1
                else:
                    yield stamp(observation)
            if passes:
                yield stamp.pass_count(passes)


class _Stamp:
    """Turns a check's observations into findings for one clause."""

    __slots__ = (
        "check",
        "clause",
        "locations",
        "path",
        "policy",
        "policy_id",
        "promise",
        "references",
        "severity",
        "snapshot",
    )

    def __init__(
        self,
        policy: Document,
        snapshot: Snapshot,
        check: Check,
        clause: Mapping[str, Any],
        path: tuple[str, int],
        references: tuple[str, ...],
    ) -> None:
        self.policy, self.snapshot, self.check, self.clause, self.path = (
            policy,
            snapshot,
            check,
            clause,
            path,
        )
        self.policy_id = str(policy.data["metadata"]["id"])
        self.severity = Severity(clause.get("severity", check.default_severity.value))
        self.references = (*references, *clause.get("references", ()))
        self.promise = str(clause.get("statement", check.title))
        self.locations: dict[JsonPath, Location] = {}

    def pass_count(self, count: int) -> PassCount:
        return PassCount(
            policy_id=self.policy_id,
            clause_id=str(self.clause["id"]),
            check_id=self.check.id,
            area=self.check.area,
            severity=self.severity,
            promise=self.promise,
            policy_location=self._policy_location(()),
            snapshot=self.snapshot.name,
            count=count,
        )

    def _policy_location(self, sub: JsonPath) -> Location:
        # Many findings share a clause field: find each position once.
        location = self.locations.get(sub)
        if location is None:
            location = self.locations[sub] = self.policy.locate((*self.path, *sub))
        return location

    def __call__(self, obs: Observation) -> Finding:
        status, severity, message = obs.status, self.severity, obs.message
        if status is Status.NOT_EVIDENCED:
            mode = self.clause.get("if_not_evidenced", "fail")
            if mode == "warn":
                severity = Severity.INFO
            elif mode == "pass":
                status = Status.PASS
                message = f"{message} (accepted: the policy does not require evidence)"
        return Finding(
            policy_id=self.policy_id,
            clause_id=str(self.clause["id"]),
            check_id=self.check.id,
            area=self.check.area,
            severity=severity,
            status=status,
            message=message,
            expected=obs.expected,
            actual=obs.actual,
            resource=obs.resource,
            promise=self.promise,
            policy_location=self._policy_location(obs.clause_path),
            evidence_location=(
                self.snapshot.locate(obs.evidence)
                if obs.evidence is not None
                else self.snapshot.locate(())
            ),
            remediation=str(self.clause.get("remediation", "")),
            references=self.references,
        )


def _policy_info(policy: Document) -> DocumentInfo:
    meta = policy.data.get("metadata", {})
    return DocumentInfo(
        "policy",
        policy.name,
        str(meta.get("id", "")),
        str(meta.get("title", "")),
        str(meta.get("version", "")),
        str(meta.get("effective", "")),
    )


def _snapshot_info(snapshot: Snapshot) -> DocumentInfo:
    meta = snapshot.data.get("metadata", {})
    return DocumentInfo(
        "snapshot",
        snapshot.name,
        str(meta.get("system", "")),
        "",
        "",
        str(meta.get("taken_at", "")),
        str(meta.get("system", "")),
        str(meta.get("environment", "")),
    )
