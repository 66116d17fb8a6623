"""Redaction: every secret shape is masked, ordinary identifiers are not, in every format."""

from __future__ import annotations

import dataclasses
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.diagnostics import Diagnostic, Level, Location, Position
from reports import REPORTERS, get_reporter
from reports.redaction import MASK, redact, redact_result
from tests.report_fixtures import mixed_result

AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
GITHUB_TOKEN = "ghp_" + "a1B2c3D4e5F6g7H8i9J0" * 2  # 40 characters after the prefix
JWT = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ"
    ".SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
)

POSITIVE = [
    # (text, the secret that must disappear, what must remain)
    ("key AKIAIOSFODNN7EXAMPLE in use", "AKIAIOSFODNN7EXAMPLE", "key "),
    ("temporary ASIAY34FZKBOKMUTVV7A", "ASIAY34FZKBOKMUTVV7A", "temporary "),
    (f"aws secret key {AWS_SECRET}", AWS_SECRET, "aws secret key "),
    (f"aws_secret_access_key={AWS_SECRET}", AWS_SECRET, "aws_secret_access_key="),
    (f"token {GITHUB_TOKEN} leaked", GITHUB_TOKEN, " leaked"),
    ("gho_16C7e42F292c6912E7710c838347Ae178B4a", "gho_16C7e42F292c6912E7710c838347Ae178B4a", ""),
    (
        "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz",
        "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz",
        "",
    ),
    ("slack xoxb-123456789012-abcdefghijKL", "xoxb-123456789012-abcdefghijKL", "slack "),
    ("xoxp-1234-5678-abcdEFGH", "xoxp-1234-5678-abcdEFGH", ""),
    (
        "hook https://hooks.slack.com/services/T000/B000/XXXXXXXX",
        "hooks.slack.com/services/T000",
        "hook ",
    ),
    (f"session {JWT}", JWT, "session "),
    (
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA75\n-----END RSA PRIVATE KEY----- end",
        "MIIEowIBAAKCAQEA75",
        " end",
    ),
    ("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA", "b3BlbnNzaC1rZXkt", ""),
    ("password=hunter2", "hunter2", "password="),
    ("db_password: 'correct horse battery'", "correct horse", "db_password: '"),
    ('{"client_secret": "s3cr3t-value"}', "s3cr3t-value", '{"client_secret": "'),
    ("API_KEY=abc123", "abc123", "API_KEY="),
    ("apiKey: abc123xyz", "abc123xyz", "apiKey: "),
    ("GITHUB_TOKEN = tok_live_99", "tok_live_99", "GITHUB_TOKEN = "),
    ("secret: swordfish", "swordfish", "secret: "),
    ("Authorization: Bearer abcdef0123456789xyz", "abcdef0123456789xyz", "Bearer "),
    ("owner alice.smith@example.co.uk", "alice.smith@example.co.uk", "owner "),
    ("contact ops+privacy@corp.example.com.", "ops+privacy@corp.example.com", "contact "),
    ("postgres://admin:s3cr3t@db.internal:5432/app", "s3cr3t", "postgres://admin:"),
    ("https://user:p%40ss@host.example/x", "p%40ss", "@host.example/x"),
    ("blob Zx8Qm2Lp9Vt4Rk7Wn3Hs6Jd1Fg5Cb0Ya", "Zx8Qm2Lp9Vt4Rk7Wn3Hs6Jd1Fg5Cb0Ya", "blob "),
]

NEGATIVE = [
    # Ordinary evidence that must survive unchanged.
    "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "commit 3b18e512dba79e4c8300dd08aeb37f8e728b8dad",
    "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    "uuid 123e4567-e89b-12d3-a456-426614174000",
    "module.chat.aws_s3_bucket.conversations_primary_bucket_2024[0]",
    "projects/claude-consumer-prod/datasets/conversation_training_exports",
    "token_expiry: 30d",
    "key_manager: aws_kms, key_rotation: 1y",
    "the bearer of bad news",
    "Bearer token required",
    "store chat-primary keeps conversations for 90d",
    "user@localhost",
    "https://example.com/privacy#retention",
    "$.stores[0].retention.training_not_allowed",
    "2026-11-01T09:30:00+00:00",
    "passwords must rotate",
    "no secret here",
]


@pytest.mark.parametrize(("text", "secret", "kept"), POSITIVE)
def test_secret_shapes_are_redacted(text: str, secret: str, kept: str) -> None:
    out = redact(text)
    assert secret not in out
    assert MASK in out
    assert kept in out


@pytest.mark.parametrize("text", NEGATIVE)
def test_ordinary_values_are_kept(text: str) -> None:
    assert redact(text) == text


def test_redaction_is_idempotent() -> None:
    for text, _, _ in POSITIVE:
        once = redact(text)
        assert redact(once) == once


def test_redact_result_covers_evidence_and_not_authored_text() -> None:
    result = mixed_result()
    secret_finding = dataclasses.replace(
        result.findings[0],
        message="found password=hunter2",
        expected="no AKIAIOSFODNN7EXAMPLE",
        actual="alice@example.com",
        resource="bucket-AKIAIOSFODNN7EXAMPLE",
        evidence_location=Location("s.yaml", Position(1, 1), ("env", "password=hunter2")),
        remediation="ask alice@example.com",
    )
    result.findings[0] = secret_finding
    result.diagnostics.append(
        Diagnostic(Location("s.yaml", None, ()), "bad value token=abc", "schema", Level.ERROR)
    )
    redacted = redact_result(result)
    f = redacted.findings[0]
    assert "hunter2" not in f.message and "AKIA" not in f.expected
    assert "alice" not in f.actual and "AKIA" not in f.resource
    assert f.evidence_location is not None and "hunter2" not in str(f.evidence_location.path)
    assert f.remediation == "ask alice@example.com"  # written by the policy's authors
    assert "abc" not in redacted.diagnostics[-1].message
    # The input is not changed, and untouched findings are the same objects.
    assert result.findings[0] is secret_finding
    assert redacted.findings[1] is result.findings[1]


@pytest.mark.parametrize("name", sorted(REPORTERS))
def test_every_format_redacts(name: str) -> None:
    result = mixed_result()
    result.findings[0] = dataclasses.replace(
        result.findings[0],
        actual=f"aws_secret_access_key={AWS_SECRET}",
        message=f"found {GITHUB_TOKEN} and {JWT}",
    )
    stream = io.StringIO()
    get_reporter(name).render(result, stream)
    out = stream.getvalue()
    for secret in (AWS_SECRET, GITHUB_TOKEN, JWT, "data-platform@example.com"):
        assert secret not in out
    if name != "text":  # the text format shows no expected/actual values
        assert MASK in out


_PIECES = st.sampled_from(
    [
        "key",
        "KEY",
        "secret",
        "token",
        "password",
        "aws",
        "AKIA",
        "ASIA",
        "eyJ",
        "ghp_",
        "xoxb-",
        "Bearer ",
        "@",
        "://",
        ":",
        "=",
        " ",
        "-",
        "_",
        "/",
        "+",
        "=",
        ".",
        "user",
        "a",
        "Z",
        "9",
        "0123456789",
        "abcdefghij",
        "ABCDEFGHIJ",
        "AbC1dE2fG3",
        "example.com",
        "-----BEGIN RSA PRIVATE KEY-----",
    ]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES, max_size=14).map("".join))
def test_prefilter_never_hides_a_secret(text: str) -> None:
    """Whatever the cheap prefilter lets through unscanned, the full pattern leaves alone."""
    from reports.redaction import _PATTERN, _maybe_secret, _replace

    if not _maybe_secret(text):
        assert _PATTERN.sub(_replace, text) == text
