"""Sample results for the reporter tests: mixed, all-pass, empty, hostile and huge.

Built directly from the result model, so the reporters are tested apart from the engine.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from checker.checks import AREAS
from checker.core.diagnostics import Diagnostic, JsonPath, Level, Location, Position
from checker.core.results import (
    Area,
    DocumentInfo,
    Finding,
    PassCount,
    Result,
    Severity,
    Status,
    Waiver,
    WaiverState,
)

AS_OF = dt.date(2026, 11, 1)
GENERATED_AT = "2026-11-01T09:30:00+00:00"
POLICY_FILE = "policies/examples/consumer-2025.yaml"
SNAPSHOT_FILE = "snapshots/production.yaml"
STAGING_FILE = "snapshots/staging.yaml"
WAIVERS_FILE = "waivers.yaml"
SYSTEM = "claude-consumer"
ENVIRONMENTS = {SNAPSHOT_FILE: "production", STAGING_FILE: "staging"}  # as in _documents()
POLICY_ID = "consumer-privacy-2025"

HOSTILE_SCRIPT = "<script>window.__pwned=1</script>"
HOSTILE_IMG = '"><img src=x onerror="window.__pwned=2">'
HOSTILE_JS_URL = "javascript:window.__pwned=3"
HOSTILE_RTL = "invoice\u202egnp.exe"
HOSTILE_ANSI = "\x1b[2J\x1b[31mred\x1b[0m"
HOSTILE_NEWLINE = "ok\nsnapshots/x.yaml:1:1: [info] pass: forged line"
HOSTILE_LONG = "A" * 20_000
HOSTILE_MARKDOWN = "[click me](javascript:alert(1)) | `code` **bold** <b>html</b>"
HOSTILE_WORKFLOW = "%0A::error file=evil.yaml::forged,title=x"
HOSTILE_SECRET = "password=hunter2 ghp_0123456789abcdefghijklmnopqrstuvwxyzAB alice@example.com"


def _loc(file: str, line: int | None, column: int, *path: str | int) -> Location:
    position = Position(line, column) if line is not None else None
    return Location(file, position, tuple(path))


def _policy_at(section: str, index: int, *rest: str | int, line: int) -> Location:
    return _loc(POLICY_FILE, line, 5, section, index, *rest)


def _finding(
    clause: str,
    check: str,
    area: Area,
    severity: Severity,
    status: Status,
    *,
    resource: str,
    message: str,
    expected: str,
    actual: str,
    promise: str,
    policy_location: Location,
    evidence: Location | None,
    remediation: str = "",
    references: tuple[str, ...] = (),
    waiver: Waiver | None = None,
) -> Finding:
    return Finding(
        policy_id=POLICY_ID,
        clause_id=clause,
        check_id=check,
        area=area,
        severity=severity,
        status=status,
        message=message,
        expected=expected,
        actual=actual,
        resource=resource,
        promise=promise,
        policy_location=policy_location,
        evidence_location=evidence,
        remediation=remediation,
        references=references,
        waiver=waiver,
        # What the engine stamps: the system and environment of the snapshot of the evidence.
        system=SYSTEM,
        environment=ENVIRONMENTS.get(evidence.file if evidence else SNAPSHOT_FILE, ""),
    )


def _documents() -> list[DocumentInfo]:
    return [
        DocumentInfo(
            "policy", POLICY_FILE, POLICY_ID, "Consumer privacy promises", "2.0", "2025-09-28"
        ),
        DocumentInfo(
            "snapshot",
            SNAPSHOT_FILE,
            "claude-consumer",
            "",
            "",
            "2026-10-31T22:00:00Z",
            "claude-consumer",
            "production",
        ),
        DocumentInfo(
            "snapshot",
            STAGING_FILE,
            "claude-consumer",
            "",
            "",
            "2026-10-30T08:15:00Z",
            "claude-consumer",
            "staging",
        ),
        DocumentInfo("waivers", WAIVERS_FILE, "waivers"),
    ]


WAIVER_SOON = Waiver(
    id="W-2026-014",
    check="deletion_schedules",
    clause="deletion-schedule-exists",
    resource="analytics-*",
    justification="Warehouse migration in progress; the schedule moves with it.",
    approver="dpo@example.com",
    ticket="PRIV-812",
    expires=dt.date(2026, 11, 20),
    location=_loc(WAIVERS_FILE, 3, 5, "waivers", 0),
    approved_on=dt.date(2026, 5, 20),
)
WAIVER_LATER = Waiver(
    id="W-2026-002",
    check="security",
    clause=None,
    resource="legacy-logs",
    justification="Legacy log bucket is being decommissioned (read-only since March).",
    approver="ciso",
    ticket="SEC-144",
    expires=dt.date(2027, 6, 30),
    location=_loc(WAIVERS_FILE, 11, 5, "waivers", 1),
    approved_on=dt.date(2026, 7, 1),
)
WAIVER_EXPIRED = Waiver(
    id="W-2025-031",
    check="governance",
    clause="internal-review",
    resource=None,
    justification="Review postponed until the reorganisation completes.",
    approver="privacy-lead",
    ticket="PRIV-640",
    expires=dt.date(2026, 9, 30),
    location=_loc(WAIVERS_FILE, 19, 5, "waivers", 2),
    # No approval date: as read back from results written before approval dates were recorded.
)


def mixed_result() -> Result:
    """A realistic run: failures of every severity, not evidenced, waived, an error, passes."""
    gdpr_retention = ("GDPR Art. 5(1)(e)", "CCPA §1798.100(a)(3)")
    findings = [
        _finding(
            "business-tiers-never-trained",
            "training_exclusions",
            AREAS["excluded_tiers"],
            Severity.CRITICAL,
            Status.FAIL,
            resource="training-main",
            message="pipeline training-main takes data from tiers team and enterprise, "
            "which must never be trained on",
            expected="no data from tiers team, enterprise, education, government, api",
            actual="tiers: free, pro, max, team, enterprise",
            promise="Work, Team, Enterprise, Education, Government and API conversations "
            "are never used to train models",
            policy_location=_policy_at("training_exclusions", 0, "tier_groups", line=61),
            evidence=_loc(SNAPSHOT_FILE, 88, 12, "pipelines", 0, "tiers"),
            remediation="Restrict the pipeline's tier filter to free, pro and max.",
            references=("GDPR Art. 5(1)(b)", "GDPR Art. 28"),
        ),
        _finding(
            "retention-not-opted-in",
            "retention",
            AREAS["retention"],
            Severity.HIGH,
            Status.FAIL,
            resource="chat-primary",
            message="store chat-primary keeps conversations of users who did not allow "
            "training for 90d",
            expected="at most 30d",
            actual="90d",
            promise="Conversations of users who did not allow training are deleted within 30 days",
            policy_location=_policy_at("retention", 1, "max", line=77),
            evidence=_loc(SNAPSHOT_FILE, 31, 29, "stores", 0, "retention", "training_not_allowed"),
            remediation="Set the lifecycle rule for training_not_allowed to 30 days or less.",
            references=gdpr_retention,
        ),
        _finding(
            "retention-not-opted-in",
            "retention",
            AREAS["retention"],
            Severity.HIGH,
            Status.FAIL,
            resource="chat-primary",
            message="store chat-primary keeps conversations of users who did not allow "
            "training for 45d",
            expected="at most 30d",
            actual="45d",
            promise="Conversations of users who did not allow training are deleted within 30 days",
            policy_location=_policy_at("retention", 1, "max", line=77),
            evidence=_loc(STAGING_FILE, 27, 29, "stores", 0, "retention", "training_not_allowed"),
            remediation="Set the lifecycle rule for training_not_allowed to 30 days or less.",
            references=gdpr_retention,
        ),
        _finding(
            "encryption",
            "security",
            AREAS["security"],
            Severity.HIGH,
            Status.FAIL,
            resource="feedback-exports",
            message="store feedback-exports is not encrypted at rest "
            "(owner contact: data-platform@example.com)",
            expected="encryption at rest with aws_kms or hsm",
            actual="at_rest: false",
            promise="Stored conversations and preferences are encrypted at rest and in "
            "transit with managed keys",
            policy_location=_policy_at("security", 0, "encryption_at_rest", line=142),
            evidence=_loc(SNAPSHOT_FILE, 64, 21, "stores", 3, "encryption", "at_rest"),
            remediation="Enable SSE-KMS on the bucket and rotate its key yearly.",
            references=("GDPR Art. 32",),
        ),
        _finding(
            "internal-review",
            "governance",
            AREAS["governance"],
            Severity.MEDIUM,
            Status.FAIL,
            resource="internal_review",
            message="the last internal review was on 2025-03-14, 597 days before 2026-11-01",
            expected="within 1y of 2026-11-01",
            actual="last: 2025-03-14",
            promise="Privacy practices are reviewed internally every year",
            policy_location=_policy_at("governance", 0, "every", line=201),
            evidence=_loc(SNAPSHOT_FILE, 140, 19, "governance", "internal_review", "last"),
            remediation="Hold the annual review and record its date.",
            references=("GDPR Art. 24(1)",),
        ),
        _finding(
            "notify-users-72h",
            "breach_notification",
            AREAS["breach"],
            Severity.CRITICAL,
            Status.NOT_EVIDENCED,
            resource="incident_response",
            message="the snapshot records no incident response settings",
            expected="users notified within 72h",
            actual="no incident_response section",
            promise="Affected users are notified of a breach within 72 hours",
            policy_location=_policy_at("breach_notification", 0, line=188),
            evidence=_loc(SNAPSHOT_FILE, None, 1),
            remediation="Export the incident runbook settings into the snapshot.",
            references=("GDPR Art. 33", "GDPR Art. 34"),
        ),
        _finding(
            "external-audit",
            "governance",
            AREAS["governance"],
            Severity.INFO,
            Status.NOT_EVIDENCED,
            resource="external_audit",
            message="the snapshot records no external audit",
            expected="an external audit within 2y",
            actual="nothing recorded",
            promise="An independent firm audits privacy practices every two years",
            policy_location=_policy_at("governance", 1, line=209),
            evidence=_loc(SNAPSHOT_FILE, 138, 3, "governance"),
        ),
        _finding(
            "deletion-schedule-exists",
            "deletion_schedules",
            AREAS["retention"],
            Severity.MEDIUM,
            Status.WAIVED,
            resource="analytics-warehouse",
            message="store analytics-warehouse declares no deletion schedule",
            expected="a deletion schedule",
            actual="none",
            promise="Every store holding conversations has a reviewed deletion schedule",
            policy_location=_policy_at("deletion_schedules", 0, line=95),
            evidence=_loc(SNAPSHOT_FILE, 52, 5, "stores", 2),
            remediation="Declare a deletion schedule and review it yearly.",
            references=("GDPR Art. 5(1)(e)",),
            waiver=WAIVER_SOON,
        ),
        _finding(
            "stores-in-approved-regions",
            "custom_rules",
            AREAS["custom"],
            Severity.MEDIUM,
            Status.ERROR,
            resource="policy",
            message="check custom_rules could not evaluate this clause: "
            "ParseError: invalid token at column 7",
            expected="an evaluable clause",
            actual="error",
            promise="Conversation stores stay in approved regions",
            policy_location=_policy_at("custom_rules", 0, "assert", line=230),
            evidence=None,
        ),
    ]
    passes = [
        (
            "consumer-training-default",
            "training_consent",
            AREAS["consent"],
            "free",
            "Free, Pro and Max conversations are used for training unless the user opts out",
            ("tiers", 0, "training_default"),
            6,
        ),
        (
            "consumer-training-default",
            "training_consent",
            AREAS["consent"],
            "pro",
            "Free, Pro and Max conversations are used for training unless the user opts out",
            ("tiers", 1, "training_default"),
            10,
        ),
        (
            "retention-opted-in",
            "retention",
            AREAS["retention"],
            "chat-primary",
            "Conversations of users who allowed training are kept at most five years",
            ("stores", 0, "retention", "training_allowed"),
            30,
        ),
        (
            "sensitive-not-retained",
            "sensitive_data",
            AREAS["sensitive"],
            "training-main",
            "Mental health, relationship and finance conversations are not retained",
            ("pipelines", 0, "sensitive_categories_filtered"),
            92,
        ),
        (
            "minors-protected",
            "minors",
            AREAS["minors"],
            "age_gate",
            "Conversations of minors are not stored",
            ("age_gate", "minimum_age"),
            120,
        ),
        (
            "third-party-sharing",
            "sharing",
            AREAS["sharing"],
            "research-lab",
            "Only anonymised data goes to research partners, under NDA; nothing is sold",
            ("recipients", 0),
            126,
        ),
        (
            "trainers-only",
            "access_control",
            AREAS["access"],
            "chat-primary",
            "Only core model trainers can read stored conversations",
            ("stores", 0, "access", "roles"),
            40,
        ),
        (
            "export-machine-readable",
            "user_rights",
            AREAS["user_rights"],
            "export",
            "Users can export their data in a machine-readable format",
            ("user_rights", "export", "formats"),
            132,
        ),
        (
            "no-email-in-training",
            "data_minimisation",
            AREAS["data_kinds"],
            "training-main",
            "E-mail addresses never reach training data",
            ("pipelines", 0, "data_kinds"),
            95,
        ),
        (
            "anonymise-before-training",
            "anonymisation",
            AREAS["anonymisation"],
            "training-main",
            "Training data is anonymised and stripped of identifiers first",
            ("pipelines", 0, "filters"),
            97,
        ),
    ]
    for index, (clause, check, area, resource, promise, path, line) in enumerate(passes):
        findings.append(
            _finding(
                clause,
                check,
                area,
                Severity.HIGH,
                Status.PASS,
                resource=resource,
                message=f"{resource} keeps the promise",
                expected="as promised",
                actual="as promised",
                promise=promise,
                policy_location=_policy_at(check, 0, line=20 + 7 * index),
                evidence=_loc(SNAPSHOT_FILE, line, 7, *path),
            )
        )
    findings.append(
        _finding(
            "retention-opted-in",
            "retention",
            AREAS["retention"],
            Severity.HIGH,
            Status.PASS,
            resource="chat-primary",
            message="chat-primary keeps the promise",
            expected="at most 5y",
            actual="5y",
            promise="Conversations of users who allowed training are kept at most five years",
            policy_location=_policy_at("retention", 0, "max", line=70),
            evidence=_loc(STAGING_FILE, 26, 26, "stores", 0, "retention", "training_allowed"),
        )
    )
    diagnostics = [
        Diagnostic(
            WAIVER_EXPIRED.location,
            "waiver W-2025-031 expired on 2026-09-30 (ticket PRIV-640); the 1 "
            "finding(s) it covered count again",
            "waiver-expired",
            Level.WARNING,
        ),
    ]
    waivers = [
        WaiverState(WAIVER_SOON, 1, False, (WAIVER_SOON.expires - AS_OF).days),
        WaiverState(WAIVER_LATER, 0, False, (WAIVER_LATER.expires - AS_OF).days),
        WaiverState(WAIVER_EXPIRED, 1, True, (WAIVER_EXPIRED.expires - AS_OF).days),
    ]
    return Result(
        as_of=AS_OF,
        fail_on=Severity.LOW,
        findings=findings,
        diagnostics=diagnostics,
        documents=_documents(),
        waivers=waivers,
        generated_at=GENERATED_AT,
    )


def counted_result() -> Result:
    """The mixed run with ``--passes count``: passes counted per promise and snapshot."""
    result = mixed_result()
    counts: dict[tuple[str, str], PassCount] = {}
    for finding in result.findings:
        if finding.status is not Status.PASS:
            continue
        assert finding.evidence_location is not None
        key = (finding.rule_id, finding.evidence_location.file)
        previous = counts.get(key)
        counts[key] = PassCount(
            policy_id=finding.policy_id,
            clause_id=finding.clause_id,
            check_id=finding.check_id,
            area=finding.area,
            severity=finding.severity,
            promise=finding.promise,
            policy_location=finding.policy_location,
            snapshot=finding.evidence_location.file,
            count=(previous.count if previous else 0) + 1,
        )
    result.findings = [f for f in result.findings if f.status is not Status.PASS]
    result.pass_counts = list(counts.values())
    return result


def all_pass_result() -> Result:
    """Every promise checked is kept."""
    mixed = mixed_result()
    passes = [f for f in mixed.findings if f.status is Status.PASS]
    return Result(
        as_of=AS_OF, findings=passes, documents=_documents()[:2], generated_at=GENERATED_AT
    )


def empty_result() -> Result:
    """A policy and a snapshot, and no finding: nothing was checked (not compliant)."""
    return Result(as_of=AS_OF, documents=_documents()[:2], generated_at=GENERATED_AT)


def hostile_result() -> Result:
    """Snapshot values (and, via a crafted results file, every other text) that attack readers."""
    values = (
        HOSTILE_SCRIPT,
        HOSTILE_IMG,
        HOSTILE_JS_URL,
        HOSTILE_RTL,
        HOSTILE_ANSI,
        HOSTILE_NEWLINE,
        HOSTILE_LONG,
        HOSTILE_MARKDOWN,
        HOSTILE_WORKFLOW,
        HOSTILE_SECRET,
    )
    base = mixed_result()
    findings = []
    for index, value in enumerate(values):
        path: JsonPath = ("stores", index, value[:40])
        findings.append(
            _finding(
                f"clause-{index}",
                "custom_rules",
                AREAS["custom"],
                Severity.HIGH,
                Status.FAIL,
                resource=value,
                message=f"value {value}",
                expected=HOSTILE_SCRIPT,
                actual=value,
                promise=f"promise {value}",
                policy_location=_loc(
                    f"policy{HOSTILE_IMG}.yaml", index + 1, 1, "custom_rules", index
                ),
                evidence=_loc(f"snap {value[:30]}.yaml", index + 1, 3, *path),
                remediation=f"remediation {value}",
                references=(value[:60],),
            )
        )
    waiver = replace(
        WAIVER_LATER,
        id=HOSTILE_IMG,
        justification=HOSTILE_SCRIPT,
        ticket=HOSTILE_JS_URL,
        resource=HOSTILE_RTL,
    )
    findings.append(
        replace(findings[0], status=Status.WAIVED, waiver=waiver, clause_id="clause-waived")
    )
    findings.append(replace(findings[1], status=Status.PASS, clause_id="clause-pass"))
    documents = [
        DocumentInfo(
            "policy",
            f"policy{HOSTILE_IMG}.yaml",
            HOSTILE_SCRIPT,
            HOSTILE_IMG,
            HOSTILE_RTL,
            HOSTILE_ANSI,
        ),
        DocumentInfo(
            "snapshot",
            "snap.yaml",
            HOSTILE_MARKDOWN,
            "",
            "",
            HOSTILE_NEWLINE,
            HOSTILE_SCRIPT,
            HOSTILE_JS_URL,
        ),
    ]
    diagnostics = [
        Diagnostic(
            _loc("snap.yaml", 2, 1, HOSTILE_SCRIPT),
            f"unknown key {HOSTILE_IMG}",
            "schema",
            Level.ERROR,
        )
    ]
    return Result(
        as_of=AS_OF,
        findings=findings,
        diagnostics=diagnostics,
        documents=documents,
        waivers=[WaiverState(waiver, 1, False, 241)],
        generated_at=base.generated_at,
    )


def huge_result(count: int = 100_000) -> Result:
    """``count`` findings over every area: the size a large estate produces."""
    areas = [a for a in AREAS.values() if a.listed_when_empty]
    checks = [
        "training_consent",
        "training_exclusions",
        "retention",
        "data_minimisation",
        "anonymisation",
        "sensitive_data",
        "minors",
        "sharing",
        "security",
        "access_control",
        "user_rights",
        "breach_notification",
        "governance",
    ]
    statuses = [Status.PASS] * 12 + [Status.FAIL] * 5 + [Status.NOT_EVIDENCED] * 2 + [Status.WAIVED]
    severities = [Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW]
    clauses = [
        (
            f"clause-{i:02d}",
            checks[i % len(checks)],
            areas[i % len(areas)],
            severities[i % len(severities)],
            _loc(POLICY_FILE, 10 + i * 6, 5, checks[i % len(checks)], i // len(checks)),
            f"Promise number {i}: stores keep conversations only as long as promised",
        )
        for i in range(52)
    ]
    findings = []
    for n in range(count):
        clause, check, area, severity, where, promise = clauses[n % len(clauses)]
        status = statuses[n % len(statuses)]
        resource = f"store-{n // len(clauses):05d}"
        findings.append(
            Finding(
                policy_id=POLICY_ID,
                clause_id=clause,
                check_id=check,
                area=area,
                severity=severity,
                status=status,
                message=f"{resource} keeps conversations for 90d",
                expected="at most 30d",
                actual="90d",
                resource=resource,
                promise=promise,
                policy_location=where,
                evidence_location=Location(
                    SNAPSHOT_FILE, Position(n + 10, 7), ("stores", n, "retention")
                ),
                remediation="Shorten the lifecycle rule.",
                references=("GDPR Art. 5(1)(e)",),
                waiver=WAIVER_LATER if status is Status.WAIVED else None,
            )
        )
    return Result(
        as_of=AS_OF,
        findings=findings,
        documents=_documents()[:2],
        waivers=[WaiverState(WAIVER_LATER, count // 20, False, 241)],
        generated_at=GENERATED_AT,
    )
