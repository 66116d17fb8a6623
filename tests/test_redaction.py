"""Redaction: every secret shape is masked, ordinary identifiers are not, in every format."""

from __future__ import annotations

import dataclasses
import io
import json
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.core.diagnostics import Diagnostic, Level, Location, Position
from reports import TEXT_REPORTERS, get_reporter
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


@pytest.mark.parametrize("name", sorted(TEXT_REPORTERS))
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


@pytest.mark.parametrize("name", sorted(TEXT_REPORTERS))
def test_every_format_redacts_the_snapshots_system_and_environment(name: str) -> None:
    """A snapshot's ``metadata.system`` and ``environment`` are the snapshot's words, not the
    policy authors': a token pasted there reached every format (found by using the tool)."""
    system, environment = f"chat {GITHUB_TOKEN}", "prod password=hunter2secret"
    result = mixed_result()
    result.findings = [
        dataclasses.replace(f, system=system, environment=environment) for f in result.findings
    ]
    result.documents = [
        dataclasses.replace(d, id=system, system=system, environment=environment)
        if d.kind == "snapshot"
        else d
        for d in result.documents
    ]
    stream = io.StringIO()
    get_reporter(name).render(result, stream)
    out = stream.getvalue()
    assert GITHUB_TOKEN not in out
    assert "hunter2secret" not in out


_PIECE_TEXTS = [
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
_PIECES = st.sampled_from(_PIECE_TEXTS)


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES, max_size=14).map("".join))
def test_prefilter_never_hides_a_secret(text: str) -> None:
    """Whatever the cheap prefilter lets through unscanned, the full scan leaves alone."""
    from reports.redaction import _maybe_secret, _scan

    if not _maybe_secret(text):
        assert _scan(text) == text


# The definition the scan must keep: every shape as one alternative of a single expression,
# replaced by ``re.sub``. It is exact, and quadratic on some texts (see below), so it is only
# used here, on short texts, as the reference.
_REFERENCE = re.compile(
    r"""
    (?P<pem>-----BEGIN[ A-Z0-9]*PRIVATE\ KEY(?:\ BLOCK)?-----
        (?:.*?-----END[ A-Z0-9]*PRIVATE\ KEY(?:\ BLOCK)?-----|[A-Za-z0-9+/=\s:,-]*))
  | (?P<url_scheme>\b[A-Za-z][A-Za-z0-9+.-]*://)(?P<url_user>[^\s:/@?\#\[\]]+):
        (?P<url_pass>[^\s/@?\#]+)(?=@)
  | (?P<jwt>\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*)
  | (?P<github>(?<![A-Za-z0-9])(?:gh[pousr]_[A-Za-z0-9]{36,255}(?![A-Za-z0-9])
        |github_pat_[A-Za-z0-9_]{22,255}(?![A-Za-z0-9_])))
  | (?P<slack>(?<![A-Za-z0-9])xox[abprs]-[A-Za-z0-9-]{10,}
        |https://hooks\.slack\.com/services/[A-Za-z0-9/_-]+)
  | (?P<aws_id>(?<![A-Za-z0-9])(?:AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|ABIA|ACCA|A3T[A-Z0-9])
        [A-Z0-9]{16}(?![A-Za-z0-9]))
  | (?P<bearer_word>(?<![A-Za-z0-9])[Bb]earer\s+)
        (?P<bearer>(?=[A-Za-z0-9._~+/=-]*[0-9])[A-Za-z0-9._~+/-]{16,}=*)
  | (?P<kv_key>(?<![A-Za-z0-9])[A-Za-z0-9_.-]*?(?i:password|passwd|pwd|passphrase|secret|token|
        api[_-]?key|apikey|access[_-]?key|secret[_-]?key|private[_-]?key|client[_-]?secret|
        credentials?)(?![A-Za-z0-9_]))
        (?P<kv_sep>["']?[ \t]*[:=][ \t]*)
        (?P<kv_val>\[REDACTED\]|"[^"\n]*"|'[^'\n]*'|[^\s"',;&}\]]+)
  | (?P<aws_word>(?<![A-Za-z])(?i:aws|secret|key)[^\n]{0,20}?)
        (?P<aws_secret>(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=]))
  | (?P<email>\b[\w.%+-]+@(?:[^\W_]|-)+(?:\.(?:[^\W_]|-)+)*\.[^\W\d_]{2,}(?![^\W_]))
  | (?P<blob>(?<![A-Za-z0-9+/=_-])[A-Za-z0-9+/_-]{32,}=*)
    """,
    re.VERBOSE | re.DOTALL,
)


def _reference_sub(text: str) -> str:
    """``_REFERENCE.sub(_reference_replace, text)``, but for a blob that does not look random:
    no match, so that the shapes that begin within it are searched for (as ``re.sub`` would if
    the blob's alternative could decline a match)."""
    from reports.redaction import _looks_random

    out, pos, at = [], 0, 0
    while (match := _REFERENCE.search(text, at)) is not None:
        if match.lastgroup == "blob" and not _looks_random(match["blob"]):
            at = match.start() + 1
            continue
        out += [text[pos : match.start()], _reference_replace(match)]
        pos = at = match.end()
    return "".join(out) + text[pos:]


def _reference_replace(match: re.Match[str]) -> str:
    from reports.redaction import _looks_random

    kind = match.lastgroup
    if kind == "url_pass":
        return f"{match['url_scheme']}{match['url_user']}:{MASK}"
    if kind == "bearer":
        return f"{match['bearer_word']}{MASK}"
    if kind == "kv_val":
        value = match["kv_val"]
        quote = value[0] if value[:1] in ("'", '"') else ""
        return f"{match['kv_key']}{match['kv_sep']}{quote}{MASK}{quote}"
    if kind == "aws_secret":
        return f"{match['aws_word']}{MASK}"
    if kind == "blob":
        return MASK if _looks_random(match["blob"]) else match["blob"]
    return MASK


# Pieces that make the shapes overlap, start inside each other's runs and end where another
# may begin; with the characters that are in some runs and not others, and the non-ASCII
# letters a case-insensitive key word matches ('ſ' is 's', 'K' is 'k').
_SCAN_PIECES = st.sampled_from(
    [
        *_PIECE_TEXTS,
        "eyJhbGciOi",
        "eyJzdWIi",
        "-----END RSA PRIVATE KEY-----",
        "-----BEGIN PRIVATE KEY-----",
        "PRIVATE KEY",
        "Zx8Qm2Lp9Vt4Rk7Wn3Hs6Jd1Fg5Cb0Ya",
        "AKIAIOSFODNN7EXAMPLE",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "gho_16C7e42F292c6912E7710c838347Ae178B4a",
        "hooks.slack.com/services/T0/B0",
        "https://",
        "x://u:p@h",
        "a.b",
        "%",
        "~",
        ",",
        ";",
        "#",
        "?",
        "[",
        "]",
        "}",
        '"',
        "'",
        "\n",
        "\t",
        "é",
        "josé",
        "exämple",
        "_",
        "ſ",
        "\u212a",
        "pa\u017f\u017fword",
        "api_\u212aey",
        "client_secret",
        "secret_key",
        "credentials",
        "passwd",
        "pwd",
        "[REDACTED]",
        "co",
        "com",
    ]
)


@settings(max_examples=1500, deadline=None)
@given(st.lists(_SCAN_PIECES, max_size=24).map("".join))
def test_scan_matches_the_single_expression(text: str) -> None:
    from reports.redaction import _scan

    assert _scan(text) == _reference_sub(text)


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet="aeyJ.-_:/@=+%'\" \nBkKpsſKcoTwrd019ABEGINRVY", max_size=60))
def test_scan_matches_the_single_expression_character_by_character(text: str) -> None:
    from reports.redaction import _scan

    assert _scan(text) == _reference_sub(text)


# Where the scan resumes inside a run after another shape's match, in a run it has not read
# (after a private key's END line) or one it has, close to the run's end; word boundaries next to
# non-ASCII letters; key words spelt with letters that match case-insensitively.
TRICKY = [
    "-----BEGIN PRIVATE KEY-----eyJaaaaa_-eyJaa.eyJbbbbb.c",
    "-----BEGIN PRIVATE KEY----- -----END PRIVATE KEY----- -----BEGIN PRIVATE KEY-----a-----END",
    "-----BEGIN PRIVATE KEY-----@-----BEGIN PRIVATE KEY-----",
    "-----BEGIN PRIVATE KEY----- x://u:p@h -----END PRIVATE KEY-----1.b://u:p@h",
    "-----BEGIN PRIVATE KEY----- a@b.co -----END PRIVATE KEY-----1.b@example.com",
    "-----BEGIN PRIVATE KEY----- eyJaaaaa.eyJaaaaa.c -----END PRIVATE KEY-----_-eyJaaaaa.eyJb.c",
    ".-----BEGIN PRIVATE KEY-----+.@example.com",
    "eyJaa-----BEGIN PRIVATE KEY-----.x://u:p@h@eyJaaapi_Key",
    "-----BEGIN PRIVATE KEY-----api_Key::",
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEYapi_Key://",
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEYexample.comx://u:p@h",
    "a@b.co-x://u:p@h",
    "a@b.co-password=x",
    "a@b.co.\u017fecret=x",
    "-http://user:pass@host",
    "é.http://u:p@h",
    "éa@example.com",
    "é.foo@example.com",
    "a.pa\u017f\u017fword=hunter2",
    "api_\u212aey: x",
    "x.client-secret: 'y'",
    "secret_key=abc secret-key=abc secretkey=abc",
    "credentials=abc credential=abc",
]


@pytest.mark.parametrize("text", TRICKY)
def test_scan_matches_the_single_expression_on_tricky_text(text: str) -> None:
    from reports.redaction import _scan

    assert _scan(text) == _reference_sub(text)


# --- Redaction time grows linearly with the text -------------------------------------------
#
# Each shape repeats a unit that gives one of the patterns as many places to start as possible
# (a run of characters the pattern may start in, a marker it looks for, …). A prefix puts each
# text past the cheap prefilter, so the full scan runs. Sizes grow by 4 and every size has a
# budget of its own, so that a quadratic scan fails at the first small size instead of hanging
# the suite on the megabyte.

KIB = 1024
MIB = 1024 * KIB

ADVERSARIAL = {
    # name: (prefix, unit, suffix)
    "url-dotted-path": ("https://x.example/", "a.", ""),
    "url-scheme-chars": ("see ://", "a-b.c+d", ""),
    "url-scheme-then-colon": ("@ ", "a.", "://"),
    "url-dotted-user": ("x://", "a.", ":p"),
    "url-many-schemes": ("", "a://", ""),
    "url-long-password": ("x://u:", "p", ""),
    "email-many-at": ("", "a@", ""),
    "email-dotted-local": ("", "a.", "@x"),
    "email-dotted-domain": ("x@", "b.", "1"),
    "email-underscored-local": ("", "a_", "@"),
    "kv-many-key-equals": ("", "key=", ""),
    "kv-dotted-name": ("@ ", "a.", ""),
    "kv-dotted-keywords": ("@ x=", "password.", ""),
    "kv-open-quotes": ("", 'token="x ', ""),
    "jwt-hyphenated-run": ("@ x=", "eyJ-", ""),
    "jwt-segments": ("@ x=", "eyJaaaaa.", ""),
    "pem-begin-without-end": ("", "-----BEGIN RSA PRIVATE KEY-----\n#", ""),
    "bearer-without-digit": ("Bearer ", "a.", ""),
    "bearer-many": ("", "Bearer ", ""),
    "aws-key-words": ("@ ", "key " + "A" * 39 + " ", ""),
    "blob-run": ("@ ", "aB3", ""),
    "alternating-markers": ("", "a.b@c://d:e key=f eyJ- ", ""),
    "alternating-tight": ("", "@://key=", ""),
    "alternating-dots": ("", "a.@.://.", ""),
}

SIZES = (16 * KIB, 64 * KIB, 256 * KIB, MIB)


def adversarial_text(shape: str, size: int) -> str:
    prefix, unit, suffix = ADVERSARIAL[shape]
    return prefix + unit * ((size - len(prefix) - len(suffix)) // len(unit)) + suffix


def _budget(size: int) -> float:
    """CPU seconds allowed: 2 s per MiB (a scan takes a few tenths), and a little more."""
    return 2.0 * size / MIB + 0.05


def _best_time(text: str, repeats: int) -> float:
    """The least CPU time of a few scans: other processes on a busy machine do not count."""
    scan = redact.__wrapped__  # past the cache: every call scans
    best = float("inf")
    for _ in range(repeats):
        started = time.process_time()
        scan(text)
        best = min(best, time.process_time() - started)
    return best


@pytest.mark.parametrize("shape", sorted(ADVERSARIAL))
def test_redaction_time_is_linear(shape: str) -> None:
    times: dict[int, float] = {}
    for size in SIZES:
        text = adversarial_text(shape, size)
        elapsed = _best_time(text, {MIB: 2, 256 * KIB: 3}.get(size, 1))
        assert elapsed < _budget(size), f"{shape}: {size:,} characters took {elapsed:.2f} s"
        times[size] = elapsed
    # Four times the text: about four times the time. Quadratic growth would be sixteen.
    assert times[MIB] < 8 * times[256 * KIB] + 0.05, f"{shape}: {times}"


def test_redaction_is_linear_through_the_cli(tmp_path: Path) -> None:
    """A snapshot value that took hours to redact, in every format at once: in a finding of a
    valid snapshot and in a diagnostic of an invalid one. The secret at its start is hidden."""
    value = "password=hunter2 " + adversarial_text("url-dotted-path", 256 * KIB)
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        "policy_checker: 1\n"
        "metadata: {id: p, title: P, version: '1', effective: '2026-01-01', owner: o}\n"
        "vocabulary:\n"
        "  tier_groups: {everyone: {tiers: [free]}}\n"
        "  data_kinds: {conversations: {description: chats}}\n"
        "sharing:\n"
        "  - id: share\n"
        "    statement: Data goes to research partners for model improvement only.\n"
        "    identifiable_data: never\n"
        "    sale: never\n"
        "    allowed_recipients:\n"
        "      - kind: research_partner\n"
        "        anonymised: true\n"
        "        agreements: [nda]\n"
        "        purposes: [model_improvement]\n",
        encoding="utf-8",
    )
    recipient = {
        "id": "lab",
        "kind": "research_partner",
        "data_kinds": ["conversations"],
        "identifiable": False,
        "anonymised": True,
        "agreements": ["nda"],
        "purpose": value,
        "sale": False,
    }
    metadata = {"system": "s", "environment": "e", "taken_at": "2026-11-01T00:00:00Z"}
    for name, item in (("valid", recipient), ("invalid", {**recipient, "kind": value})):
        snapshot = {"snapshot_format": 1, "metadata": metadata, "recipients": [item]}
        (tmp_path / f"{name}.json").write_text(json.dumps(snapshot), encoding="utf-8")
    outputs = [
        f"--output={name}={tmp_path / ('report.' + name)}" for name in sorted(TEXT_REPORTERS)
    ]
    argv = ["check", "--policy", str(policy), "--as-of", "2026-11-21", "--format", "text"]
    argv += [
        "--snapshot",
        str(tmp_path / "valid.json"),
        "--snapshot",
        str(tmp_path / "invalid.json"),
    ]
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "checker", *argv, *outputs],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    elapsed = time.monotonic() - started
    assert done.returncode == 1, done.stderr
    assert elapsed < 60, f"{elapsed:.1f} s"
    reports = {
        name: (tmp_path / f"report.{name}").read_text(encoding="utf-8") for name in TEXT_REPORTERS
    }
    reports["stdout"] = done.stdout
    for name, text in reports.items():
        assert "hunter2" not in text, name
        assert "password=[REDACTED] https://x.example/a.a.a." in text, name


@pytest.mark.parametrize("shape", sorted(ADVERSARIAL))
def test_scan_matches_the_single_expression_on_adversarial_text(shape: str) -> None:
    from reports.redaction import _scan

    for size in (1, 40, 300):
        text = adversarial_text(shape, size)
        assert _scan(text) == _reference_sub(text)


def test_first_letters_are_every_letter_that_matches_case_insensitively() -> None:
    """The scan looks for a key word only where one of these letters is (see redaction)."""
    from reports.redaction import _AWS_WORD_SPELLINGS, _KEY_WORD_STARTS

    def matching(letters: str) -> set[str]:
        pattern = re.compile(f"(?i:[{letters}])")
        return {chr(c) for c in range(0x110000) if pattern.fullmatch(chr(c))}

    assert matching("pstac") == set(_KEY_WORD_STARTS)
    assert matching("ask") == {first for first, _ in _AWS_WORD_SPELLINGS}
    words = {
        (first.lower() if first.isascii() else "?") + rest for first, rest in _AWS_WORD_SPELLINGS
    }
    assert words == {"aws", "secret", "key", "?ecret", "?ey"}


def test_the_names_of_passing_resources_are_redacted() -> None:
    """``--passes resources`` names every passing store: a name shaped like a secret is
    redacted there as in a finding, and names that need none are kept as they are."""
    from checker.core.results import PassCount, PassedResources

    result = mixed_result()
    template = PassCount(
        "p", "c", "security", result.findings[0].area, result.findings[0].severity, "kept",
        result.findings[0].policy_location, "snapshot.json", 3,
        PassedResources(["store:alice@example.com", "store:plain"], [2, 1]),
    )  # fmt: skip
    plain = dataclasses.replace(template, resources=PassedResources(["store:plain"], [3]))
    shown = redact_result(dataclasses.replace(result, pass_counts=[template, plain]))
    named, kept = shown.pass_counts
    assert named.resources is not None
    assert named.resources.names == [f"store:{MASK}", "store:plain"]
    assert list(named.resources.times) == [2, 1]
    assert kept.resources is not None and kept.resources.names == ["store:plain"]
    assert template.resources is not None  # the result itself is not changed
    assert template.resources.names[0] == "store:alice@example.com"


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        (f"store-ghp_{'a1' * 18}", f"store-{MASK}"),  # a GitHub token in a longer run
        (f"store-xoxb-{'1' * 12}-{'a' * 24}", f"store-{MASK}"),  # a Slack token
        (f"store-{'a1' * 18}-plain", f"store-{'a1' * 18}-plain"),  # a run that is no secret
    ],
)
def test_a_run_kept_as_it_is_does_not_hide_a_secret_inside_it(text: str, redacted: str) -> None:
    """A long run of key characters that does not look random is kept, but a secret of another
    shape inside it is still redacted, as it is where the run begins with it."""
    assert redact(text) == redacted


_NO_DIGITS = "abcdefghijKLMNOPQRSTuvwxyzABCDEFGHIj"  # a token the blob shape would keep


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        (f"svc_ghp_{_NO_DIGITS}", f"svc_{MASK}"),
        (f"ghp_{_NO_DIGITS}_prod", f"{MASK}_prod"),
        (f"deploy_github_pat_{'A1b2' * 6}", f"deploy_{MASK}"),
        ("prod_xoxb-1234567890-abcdef", f"prod_{MASK}"),
        ("svc_AKIAIOSFODNN7EXAMPLE", f"svc_{MASK}"),
        ("AKIAIOSFODNN7EXAMPLE_prod", f"{MASK}_prod"),
        ("auth_Bearer 2IDaz1vkqFbYP7AKbdSwLiLi9", f"auth_Bearer {MASK}"),
        # Glued to a letter or a digit, a prefix is part of a longer word, not a token's start.
        (f"abghp_{_NO_DIGITS}", f"abghp_{_NO_DIGITS}"),
        ("bAKIAIOSFODNN7EXAMPLE", "bAKIAIOSFODNN7EXAMPLE"),
    ],
)
def test_a_token_joined_by_an_underscore_is_redacted(text: str, redacted: str) -> None:
    """An underscore separates the words of an identifier (``svc_…``, ``…_prod``): a token
    there is a token, as after a hyphen or a dot."""
    assert redact(text) == redacted


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        ("josé@example.com", MASK),
        ("müller@example.de", MASK),
        ("contact: françois.dupont@example.fr", f"contact: {MASK}"),
        ("alerts@exämple.org", MASK),
        ("user@example.org_prod", f"{MASK}_prod"),
        ("jo@x.io", MASK),  # shorter than eight characters
        ("a@b.co", MASK),
        ("pwd=ab1", f"pwd={MASK}"),
        ("name@host", "name@host"),  # no domain
        ("x@y.zz9", "x@y.zz9"),
        # The scan resumes inside a run after a letter outside ASCII: still the same run.
        ("a@b.coé.x@c.de", f"{MASK}{MASK}"),
    ],
)
def test_an_address_in_any_script_or_short_is_redacted(text: str, redacted: str) -> None:
    """An e-mail address is personal data whatever the script of its letters: one with an
    accent was kept whole (``josé@…``) or in part (``françois.[REDACTED]``); and one shorter
    than eight characters was not looked at."""
    assert redact(text) == redacted


def test_pass_counts_whose_names_need_no_redaction_are_kept_as_they_are() -> None:
    from checker.core.results import PassCount, PassedResources

    result = mixed_result()
    first = result.findings[0]
    plain = PassCount(
        "p", "c", "security", first.area, first.severity, "kept", first.policy_location,
        "snapshot.json", 3, PassedResources(["store:plain"], [3]),
    )  # fmt: skip
    assert redact_result(dataclasses.replace(result, pass_counts=[plain])).pass_counts[0] is plain


NAMES = st.text(
    st.sampled_from("abcXYZ019-_:/@.=+\n İſK") | st.characters(), max_size=40
) | st.sampled_from(
    [
        "store:alice@example.com",
        "store:AKIAIOSFODNN7EXAMPLE",
        "store:token=abcdefgh12345678",
        "store:tenant-00000123-chat-logs-eu-west",
        "store:plain",
        "store:ghp_" + "a1" * 18,
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.sets(NAMES, max_size=30))
def test_names_searched_all_at_once_leave_out_only_names_redaction_keeps(names: set[str]) -> None:
    """The names of passing resources are searched together for what might be a secret: every
    name redaction changes is among those found."""
    from reports.redaction import _may_change

    found = set(_may_change(names))
    assert found <= names
    assert {name for name in names if redact(name) != name} <= found


@settings(max_examples=300, deadline=None)
@given(st.sets(NAMES, max_size=30))
def test_names_searched_as_json_strings_leave_out_only_names_redaction_keeps(
    names: set[str],
) -> None:
    """Names written out are searched as they were written, JSON strings, undecoded: every
    name redaction changes is among those found (escapes only add to what is found)."""
    from json.encoder import encode_basestring

    from reports.redaction import _may_change

    encoded = {encode_basestring(name): name for name in names}
    found = set(_may_change(set(encoded)))
    assert found <= set(encoded)
    assert {e for e, name in encoded.items() if redact(name) != name} <= found


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(NAMES, NAMES, NAMES), max_size=12))
def test_findings_redacted_together_read_as_each_redacted_alone(
    texts: list[tuple[str, str, str]],
) -> None:
    """The findings of a result are redacted by searching their distinct texts all at once:
    every finding comes out as redacting it alone makes it, and one that needs nothing is
    kept as it is (texts in any script, of several lines, secrets or none)."""
    from reports.redaction import _redact_finding, _redact_findings

    first = mixed_result().findings[0]
    findings = [
        dataclasses.replace(
            first,
            message=message,
            actual=actual,
            evidence_location=Location("snapshot.json", Position(3, 5), ("stores", 0, key)),
        )
        for message, actual, key in texts
    ]
    together = _redact_findings(findings)
    assert together == [_redact_finding(f) for f in findings]
    for finding, shown in zip(findings, together, strict=True):
        assert (shown is finding) == (_redact_finding(finding) is finding)


def test_a_text_outside_ascii_leaves_the_other_names_searched_all_at_once() -> None:
    """A name outside ASCII (or of several lines) is kept to be redacted on its own; the
    others are still searched, not all kept with it."""
    from reports.redaction import _may_change

    names = {"store:josé", "store:plain", "line\nbreak", "store:AKIAIOSFODNN7EXAMPLE"}
    assert sorted(_may_change(names)) == [
        "line\nbreak",
        "store:AKIAIOSFODNN7EXAMPLE",
        "store:josé",
    ]


@settings(max_examples=500, deadline=None)
@given(
    st.lists(
        st.lists(
            st.sampled_from(["a" * 19, "Z0+/_-", "9", ":", " ", '"', "\\", "="]), max_size=8
        ).map("".join),
        max_size=12,
    )
)
def test_token_runs_are_found_in_the_lines_the_pattern_finds_them_in(lines: list[str]) -> None:
    """Names searched together: the lines holding a run of 20 key characters are those the
    pattern redaction judges by finds one in."""
    from reports.redaction import _TOKEN_RUN, _lines_with_runs

    text = "\n".join(lines)

    def line(at: int) -> int:
        return text.count("\n", 0, at)

    assert {line(at) for at in _lines_with_runs(text)} == {
        line(m.start()) for m in _TOKEN_RUN.finditer(text)
    }


def test_names_written_out_are_redacted_from_what_was_marked_as_they_were_written(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Names written out (``--passes resources``) are searched as each block is written, and
    redaction reads only the names marked: it redacts what reading every name back finds."""
    from checker.core import results
    from checker.core.results import Observation, PassCount, PassedResources, Status
    from checker.core.spill import Span, spilling
    from reports.redaction import marked_names

    first = mixed_result().findings[0]

    def promise(index: int, names: list[str]) -> PassCount:
        named = PassedResources()
        for name in names:
            named.take(Observation(Status.PASS, name, "", "", "", times=1))
        return PassCount(
            "p", f"c{index}", "security", first.area, first.severity, "kept",
            first.policy_location, "snapshot.json", len(names), named,
        )  # fmt: skip

    def shown(watch: Any, secrets: list[str]) -> list[dict[str, int]]:
        with spilling(watch):
            stores = [f"store:s{i}" for i in range(30)] + [f"store:{s}" for s in secrets[:3]]
            counts = [
                promise(0, stores),
                promise(1, stores[:7] + stores[:3]),  # three named twice
                promise(2, [f"pipeline:{s}" for s in secrets[:3]] + ["pipeline:p", "pipeline:q"]),
                promise(3, [*stores[5:], *(f"store:{s}" for s in secrets[3:])]),
            ]
            assert sum(bool(c.resources and c.resources.blocks) for c in counts) >= 3
            with monkeypatch.context() as unread:
                if watch is not None and not secrets:  # marked: none read back (nor renamed)
                    unread.setattr(Span, "read", _not_read)
                redacted = redact_result(dataclasses.replace(mixed_result(), pass_counts=counts))
                assert all(c.resources is not None for c in redacted.pass_counts)
            return [c.resources.by_resource() for c in redacted.pass_counts if c.resources]

    monkeypatch.setattr(results, "BLOCK", 4)
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    assert shown(marked_names, []) == shown(None, [])
    secrets = ["alice@example.com", "AKIAIOSFODNN7EXAMPLE", "token=abcdefgh12345678"]
    secrets += ["bob@example.org", "josé@example.es"]  # only the last promise names these
    found = shown(marked_names, secrets)
    assert found == shown(None, secrets)
    assert f"store:{MASK}" in found[0]
    assert "pipeline:token=[REDACTED]" in found[2]
    assert not any("bob" in name or "jos" in name for name in found[3])
    assert found[1]["store:s0"] == 2


def _not_read(*_: Any) -> Any:
    raise AssertionError("a marked block was read back")


# Secrets pasted into a snapshot where a check or the schema quotes them: a value, a store id
# (which names the resource), a key the schema does not know, a list item.
_PLANTED = [
    ("josé.garcía@example.com", ("stores", 0, "id")),
    ("françois.dupont@example.fr", ("tiers", 1, "training_control", "location")),
    (f"svc_ghp_{'abcdefghijKLMNOPQRSTuvwxyzABCDEFGHIj'}", ("stores", 2, "id")),
    ("prod_xoxb-123456789012-abcdefghijklmnopqrstuvwx", ("pipelines", 0, "tiers", 0)),
    ("svc_AKIAIOSFODNN7EXAMPLE", ("pipelines", 1, "id")),
    ("user@example.org_prod", ("stores", 1, "retention", "any")),
    ("auth_Bearer 2IDaz1vkqFbYP7AKbdSwLiLi9", None),  # a key of a store
]


@pytest.mark.parametrize(("secret", "where"), _PLANTED, ids=[s for s, _ in _PLANTED])
def test_a_secret_pasted_into_a_snapshot_reaches_no_output(
    secret: str, where: tuple[str | int, ...] | None, tmp_path: Path, run_cli: Any
) -> None:
    """Whatever quotes it (a finding, the schema's message on the value or on an unknown key),
    no format and no stream shows it, nor an address's part before the '@'."""
    import yaml

    repo = Path(__file__).resolve().parents[1]
    data = yaml.safe_load((repo / "policies/examples/violating/snapshot.yaml").read_text())
    if where is None:
        data["stores"][3][secret] = True
    else:
        *path, last = where
        node = data
        for step in path:
            node = node[step]
        node[last] = secret
    snapshot = tmp_path / "snapshot.yaml"
    snapshot.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    outputs = [f"--output={fmt}={tmp_path / ('out.' + fmt)}" for fmt in sorted(TEXT_REPORTERS)]
    run = run_cli(
        "check",
        f"--policy={repo / 'policies/library/anthropic-consumer-2025.yaml'}",
        f"--snapshot={snapshot}",
        "--as-of=2026-11-21",
        *outputs,
    )
    assert run.code in (0, 1)
    shown = {"stdout": run.out, "stderr": run.err}
    shown |= {p.name: p.read_text(encoding="utf-8") for p in tmp_path.glob("out.*")}
    core = secret.split("_", 1)[1] if secret.startswith(("svc_", "prod_", "auth_")) else secret
    forms = {core, json.dumps(core)[1:-1], core.split("@")[0] + "@"}
    assert [name for name, text in shown.items() if any(f in text for f in forms)] == []
